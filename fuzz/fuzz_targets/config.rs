//! Config JSON as a hostile page could write it into `#consentry-config` or
//! pass to `init(config)`: any text must give a config or an error naming a
//! key path, never a panic, and an accepted config must be usable.
#![no_main]

use consentry::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Config::from_json(text) {
        Ok(c) => {
            let _ = c.category("analytics");
            assert!(!c.languages.is_empty());
        }
        Err(e) => {
            let _ = e.message();
        }
    }
});
