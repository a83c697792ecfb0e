//! The consent cookie as a hostile page or browser extension could leave it:
//! any bytes, as one value (`decode`) and as a whole `document.cookie`
//! string (`read`), under the built-in config, at a fixed "now" near the
//! timestamps that real values carry and at the clock's extremes.
#![no_main]

use std::sync::OnceLock;

use consentry::config::Config;
use consentry::cookie;
use libfuzzer_sys::fuzz_target;

fn config() -> Option<&'static Config> {
    static C: OnceLock<Option<Config>> = OnceLock::new();
    C.get_or_init(|| Config::from_json(consentry::DEFAULT_CONFIG).ok())
        .as_ref()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(c) = config() else {
        return;
    };
    for now in [1_800_000_000, 0, u64::MAX] {
        if let Some(r) = cookie::decode(text, c, now) {
            // Whatever decodes must survive its own round trip.
            assert_eq!(cookie::decode(&cookie::encode(&r, c), c, now), Some(r));
        }
        let _ = cookie::read(text, c, now);
    }
});
