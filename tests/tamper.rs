//! Hostile input for the pure parsers, on stable and without cargo-fuzz:
//! every file the fuzzers kept (`fuzz/corpus/**`) and every seed they
//! started from (`fuzz/seeds/**`) goes through `cookie::decode`,
//! `cookie::read` and `Config::from_json`, and large inputs made of one
//! repeated pattern must cost linear time.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::time::Duration;

use consentry::config::Config;
use consentry::cookie;

const NOW: u64 = 1_800_000_000;

#[cfg(test)] // the whole file is tests; this tells clippy so
fn default_config() -> Config {
    match Config::from_json(consentry::DEFAULT_CONFIG) {
        Ok(c) => c,
        Err(e) => panic!("the built-in config does not load: {}", e.message()),
    }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Runs one input through every parser the fuzzers cover.
fn feed(c: &Config, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for now in [NOW, 0, u64::MAX] {
        if let Some(r) = cookie::decode(&text, c, now) {
            assert_eq!(
                cookie::decode(&cookie::encode(&r, c), c, now),
                Some(r),
                "round trip"
            );
        }
        let _ = cookie::read(&text, c, now);
    }
    if let Err(e) = Config::from_json(&text) {
        assert!(!e.message().is_empty());
    }
}

#[test]
fn the_fuzz_corpus_replays_without_a_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let c = default_config();
    let mut files = Vec::new();
    for dir in ["corpus", "seeds"] {
        files_under(&root.join(dir), &mut files);
    }
    files.sort();
    for f in &files {
        let bytes = std::fs::read(f).unwrap_or_default();
        let outcome = std::panic::catch_unwind(|| feed(&c, &bytes));
        assert!(outcome.is_ok(), "{} panicked", f.display());
    }
    // A missing corpus would make this test pass on nothing.
    assert!(
        files.len() >= 20,
        "only {} corpus files under fuzz/",
        files.len()
    );
}

#[test]
fn seeds_mean_what_their_names_say() {
    let c = default_config();
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/cookie");
    let read = |name: &str| std::fs::read_to_string(seeds.join(name)).unwrap_or_default();
    assert!(cookie::decode(&read("valid-custom"), &c, NOW).is_some());
    assert!(cookie::decode(&read("valid-accept"), &c, NOW).is_some());
    // A valid copy beside junk: which is the page's own cannot be told from
    // the string alone, so it is no decision until the own spot is probed.
    let jar = read("jar-duplicates");
    assert_eq!(cookie::read(&jar, &c, NOW), None);
    let copies =
        |jar: &str| -> Vec<String> { cookie::values(jar, "consentry").map(String::from).collect() };
    let own = |after: &str| {
        let (b, a) = (copies(&jar), copies(after));
        let b: Vec<&str> = b.iter().map(String::as_str).collect();
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        cookie::own(&b, &a).map(String::from)
    };
    let after = jar.replacen("consentry=junk", "consentry=probe", 1);
    assert_eq!(own(&after).as_deref(), Some("junk"));
    let valid = copies(&jar).into_iter().next().unwrap_or_default();
    let after = jar.replacen(&valid, cookie::PROBE, 1);
    assert!(own(&after)
        .and_then(|v| cookie::decode(&v, &c, NOW))
        .is_some());
    for foreign in [
        "other-revision",
        "json",
        "base64",
        "cookiebot",
        "cookieconsent-v3",
    ] {
        assert_eq!(cookie::decode(&read(foreign), &c, NOW), None, "{foreign}");
        assert_eq!(cookie::read(&read(foreign), &c, NOW), None, "{foreign}");
    }
}

/// `pattern` repeated to about `len` bytes, between `head` and `tail`.
fn repeat(head: &str, pattern: &str, tail: &str, len: usize) -> String {
    let n = len.saturating_sub(head.len() + tail.len()) / pattern.len().max(1);
    let mut s = String::with_capacity(len);
    s.push_str(head);
    for i in 0..n {
        // `{i}` keeps keys and names distinct where a pattern asks for it.
        s.push_str(&pattern.replace("{i}", &to_letters(i)));
        if s.len() + tail.len() + pattern.len() + 8 > len {
            break;
        }
    }
    s.push_str(tail);
    s
}

/// A short distinct lowercase word for `i` (a, b, ..., z, ba, bb, ...).
fn to_letters(mut i: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'a' + (i % 26) as u8);
        i /= 26;
        if i == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// CPU time this thread has used so far. Wall time would count whatever
/// else the machine runs meanwhile, and a busy CI machine made the ratio
/// below swing; the thread's own clock counts only its work.
fn cpu_now() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec to write; the clock id is a constant.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) } == 0;
    assert!(ok, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

/// The least CPU time of a few runs, to keep cache and frequency noise out
/// of the ratio.
fn fastest(f: &dyn Fn()) -> Duration {
    (0..5)
        .map(|_| {
            let t = cpu_now();
            f();
            cpu_now().saturating_sub(t)
        })
        .min()
        .unwrap_or_default()
}

/// Sixteen times the input must cost well under 256 times the CPU time: a
/// linear parser takes ~16x, a quadratic one ~256x. The bound (128x) sits
/// far above a linear parser and below a quadratic one; the 1 MB run must
/// also end within a generous absolute budget. This checks the complexity
/// class, not speed: how fast the parsers are lives in benchmarks.
fn assert_linear(name: &str, make: &dyn Fn(usize) -> String, run: &dyn Fn(&str)) {
    let small = make(1_000_000 / 16);
    let big = make(1_000_000);
    assert!(
        big.len() > 900_000 && big.len() <= 1 << 20,
        "{name}: {}",
        big.len()
    );
    let t_small = fastest(&|| run(&small)).max(Duration::from_micros(100));
    let t_big = fastest(&|| run(&big));
    let ratio = t_big.as_secs_f64() / t_small.as_secs_f64();
    eprintln!("{name}: 62.5 KB {t_small:?}, 1 MB {t_big:?}, ratio {ratio:.1}");
    assert!(
        t_big < Duration::from_secs(5),
        "{name}: 1 MB took {t_big:?}"
    );
    assert!(ratio < 128.0, "{name}: 16x input took {ratio:.0}x time");
}

#[test]
fn cookie_strings_cost_linear_time() {
    let c = default_config();
    let cases: [(&str, &str, &str); 7] = [
        ("", "consentry=", ""),
        ("", "consentry=c1.1.; ", ""),
        (
            "",
            "consentry=c1.1.Zx0c9-wPq_4hTt1a.tro848.tro848.a.settings:1~marketing:1~analytics:1; ",
            "",
        ),
        ("", ";", ""),
        (
            "consentry=c1.1.Zx0c9-wPq_4hTt1a.tro848.tro848.c.",
            "~x{i}:1",
            "",
        ),
        ("", "a{i}=1; ", ""),
        ("", "=", ""),
    ];
    for (head, pattern, tail) in cases {
        assert_linear(pattern, &|len| repeat(head, pattern, tail, len), &|s| {
            let _ = cookie::read(s, &c, NOW);
            let _ = cookie::decode(s, &c, NOW);
        });
    }
}

#[test]
fn config_text_costs_linear_time() {
    let cat = r#"{"id":"a","title":"A"}"#;
    let cases: Vec<(String, &str, String)> = vec![
        ("[".into(), "[", String::new()),
        (r#"{"categories":["#.into(), "[", String::new()),
        (r#"{"x":""#.into(), "a", r#""}"#.into()),
        (r#"{"x":""#.into(), r"\u00e9\ud83d\ude00\n", r#""}"#.into()),
        ("{".into(), r#""k{i}":1,"#, r#""z":1}"#.into()),
        ("[".into(), "1.5e3,", "0]".into()),
        ("[".into(), " \t\r\n", "]".into()),
        (r#"{"languages":["#.into(), r#""en","#, r#""en"]}"#.into()),
        (r#"{"categories":["#.into(), "[", String::new()),
        (
            r#"{"categories":["#.to_owned() + cat + ",",
            r#"{"id":"{i}","title":"T"},"#,
            r#"{"id":"zzzzzzzz","title":"Z"}]}"#.into(),
        ),
        (
            r#"{"categories":[{"id":"a","title":"A","hosts":["#.into(),
            r#""x{i}.example.com","#,
            r#""z.example.com"]}]}"#.into(),
        ),
        (
            r#"{"categories":[{"id":"a","title":"A","cookies":["#.into(),
            r#"{"name":"c{i}"},"#,
            r#"{"name":"z"}]}]}"#.into(),
        ),
        (
            r#"{"categories":[{"id":"a","title":"A","storage":["#.into(),
            r#""k{i}*","#,
            r#""z"]}]}"#.into(),
        ),
        (
            r#"{"languages":["en","#.into(),
            r#""en-{i}","#,
            r#""ru"],"categories":[{"id":"a","title":"A"}]}"#.into(),
        ),
        (
            r#"{"categories":[{"id":"a","title":{"#.into(),
            r#""x-{i}":"t","#,
            r#""en":"A"}}]}"#.into(),
        ),
        (
            r#"{"categories":[{"id":"a","title":"A"}],"google_consent_mode":{"a":["#.into(),
            r#""ad_storage","#,
            r#""ad_storage"]}}"#.into(),
        ),
        (
            r#"{"categories":[{"id":"a","title":"A"}],"ui":{"#.into(),
            r#""x-{i}":{"banner_title":"t"},"#,
            r#""en":{}}}"#.into(),
        ),
    ];
    for (head, pattern, tail) in &cases {
        assert_linear(pattern, &|len| repeat(head, pattern, tail, len), &|s| {
            let _ = Config::from_json(s);
        });
    }
}

#[test]
fn oversized_input_is_refused_not_parsed() {
    let c = default_config();
    let huge = "c1.".repeat(2_000_000);
    assert_eq!(cookie::decode(&huge, &c, NOW), None);
    let json = repeat("[", "0,", "0]", 3_000_000);
    let e = Config::from_json(&json).err().map(|e| e.message());
    assert!(e.as_deref().is_some_and(|m| m.contains("1 MiB")), "{e:?}");
}
