//! The dialog's own words in the built-in languages, and the choice of
//! language for a page.

use crate::config::Config;
use alloc::{borrow::ToOwned, string::String, vec::Vec};

/// The words the gate shows, by name, in English and Russian: the first
/// layer, the reopen control, the live region and the embed placeholders.
/// A config may override any text under `[ui.<lang>]` (CONTRACT §6); a text
/// is found by its name, never by its place in a table.
const FIRST: [(&str, &str, &str); 14] = [
    ("banner_title", "Cookies on this site", "Файлы cookie на этом сайте"),
    (
        "banner_text",
        "We use cookies that the site needs to work. With your permission we also use other cookies, each kind described under “Preferences”. You can change your mind at any time under “Cookie settings” at the bottom of the page.",
        "Мы используем cookie, без которых сайт не работает. С вашего разрешения мы также используем другие cookie; каждый их вид описан в разделе «Настроить». Изменить решение можно в любое время кнопкой «Настройки cookie» внизу страницы.",
    ),
    ("policy_link", "Privacy policy", "Политика конфиденциальности"),
    ("accept_all", "Accept all", "Принять все"),
    ("reject_all", "Reject all", "Отклонить все"),
    ("preferences", "Preferences", "Настроить"),
    ("reopen", "Cookie settings", "Настройки cookie"),
    ("saved", "Your choices are saved.", "Ваш выбор сохранён."),
    (
        "no_memory",
        "Cookies are blocked in this browser, so your choice applies to this page only.",
        "Cookie в этом браузере запрещены, поэтому выбор действует только на этой странице.",
    ),
    (
        "placeholder",
        "This content is from a third party and needs “{}” cookies.",
        "Это содержимое стороннего сервиса, для него нужны cookie категории «{}».",
    ),
    ("placeholder_allow", "Allow {}", "Разрешить «{}»"),
    ("withdrawn", "Consent withdrawn.", "Согласие отозвано."),
    (
        "gpc_banner",
        "Your browser sends a Global Privacy Control signal, so “Accept all” leaves this off: {}. You can still switch it on in the preferences.",
        "Ваш браузер передаёт сигнал Global Privacy Control, поэтому «Принять все» не включает: «{}». Включить это можно в настройках.",
    ),
    (
        "amended",
        "We changed how we use cookies on {}:",
        "{} мы изменили порядок использования cookie:",
    ),
];

/// The words only the ask part shows: the preferences and the account
/// panel. The gate does not carry them (450 B brotli that a returning
/// visitor never needs), only their names, in `DIALOG_KEYS`, to check a
/// config's `[ui.<lang>]` keys.
#[cfg(any(feature = "ask", feature = "node", not(target_arch = "wasm32")))]
const DIALOG: [(&str, &str, &str); 26] = [
    ("preferences_title", "Cookie preferences", "Настройки cookie"),
    (
        "preferences_text",
        "Choose which kinds of cookies we may use. You can change this at any time under “Cookie settings”.",
        "Выберите, какие cookie нам можно использовать. Изменить выбор можно в любое время кнопкой «Настройки cookie».",
    ),
    ("save", "Save choices", "Сохранить выбор"),
    ("close", "Close", "Закрыть"),
    ("required", "Always on", "Всегда включены"),
    (
        "required_note",
        "Needed for the site to work; no consent is asked for these.",
        "Нужны для работы сайта; согласие на них не требуется.",
    ),
    (
        "gpc_note",
        "Your browser sent a Global Privacy Control signal, so this stays off unless you switch it on here.",
        "Ваш браузер передал сигнал Global Privacy Control, поэтому эта категория выключена, пока вы не включите её здесь.",
    ),
    ("cookies_summary", "Cookies in this category", "Cookie этой категории"),
    ("cookie_name", "Name", "Название"),
    ("cookie_provider", "Provider", "Поставщик"),
    ("cookie_purpose", "Purpose", "Назначение"),
    ("cookie_duration", "Duration", "Срок хранения"),
    ("record_title", "Your consent record", "Запись о вашем согласии"),
    ("record_id", "Consent ID", "Идентификатор согласия"),
    ("record_given", "First decision", "Первое решение"),
    ("record_updated", "Last change", "Последнее изменение"),
    ("record_method", "Decision", "Решение"),
    ("record_revision", "Cookie policy version", "Версия правил cookie"),
    ("method_accept_all", "Accepted all", "Приняты все"),
    ("method_reject_all", "Rejected all", "Отклонены все"),
    ("method_custom", "Chosen in the preferences", "Выбрано в настройках"),
    ("method_account", "From your account", "Из вашей учётной записи"),
    ("export", "Download record (JSON)", "Скачать запись (JSON)"),
    ("withdraw", "Withdraw consent", "Отозвать согласие"),
    ("record_none", "You have not made a choice yet.", "Вы ещё не сделали выбор."),
    (
        "record_nothing",
        "You have not allowed any optional cookies, so there is no consent to withdraw.",
        "Вы не разрешили ни одной необязательной категории cookie, поэтому отзывать нечего.",
    ),
];

/// The names in `DIALOG`, for the gate alone (where `DIALOG` is not); a test
/// keeps the two the same.
#[cfg(any(
    test,
    not(any(feature = "ask", feature = "node", not(target_arch = "wasm32")))
))]
const DIALOG_KEYS: [&str; 26] = [
    "preferences_title",
    "preferences_text",
    "save",
    "close",
    "required",
    "required_note",
    "gpc_note",
    "cookies_summary",
    "cookie_name",
    "cookie_provider",
    "cookie_purpose",
    "cookie_duration",
    "record_title",
    "record_id",
    "record_given",
    "record_updated",
    "record_method",
    "record_revision",
    "method_accept_all",
    "method_reject_all",
    "method_custom",
    "method_account",
    "export",
    "withdraw",
    "record_none",
    "record_nothing",
];

/// Whether `key` names a dialog text a config may override.
pub fn is_key(key: &str) -> bool {
    keys().any(|k| k == key)
}

/// The names of every text, the gate's first (for docs and tests).
pub fn keys() -> impl Iterator<Item = &'static str> {
    #[cfg(any(feature = "ask", feature = "node", not(target_arch = "wasm32")))]
    let dialog = DIALOG.iter().map(|w| w.0);
    #[cfg(not(any(feature = "ask", feature = "node", not(target_arch = "wasm32"))))]
    let dialog = DIALOG_KEYS.iter().copied();
    FIRST.iter().map(|w| w.0).chain(dialog)
}

/// The dialog's words for one language: built-in English or Russian, with
/// the config's `[ui.<lang>]` overrides looked up first, by name.
#[derive(Clone, Debug)]
pub struct Words {
    ru: bool,
    overrides: Vec<(String, String)>,
}

impl Words {
    /// The words for `lang`: the overrides for exactly `lang` when the config
    /// has them, else those for its primary language.
    pub fn for_lang(lang: &str, config: &Config) -> Words {
        let exact = config.ui.iter().find(|(l, _)| l.eq_ignore_ascii_case(lang));
        let pairs = exact.or_else(|| config.ui.iter().find(|(l, _)| primary(l) == primary(lang)));
        Words {
            ru: primary(lang) == "ru",
            overrides: pairs.map(|(_, p)| p.clone()).unwrap_or_default(),
        }
    }

    /// The text named `key`; "" for a name that is in no table (and, in
    /// the gate, for the ask part's words, which it never shows).
    pub fn get(&self, key: &str) -> &str {
        if let Some((_, v)) = self.overrides.iter().find(|(k, _)| k == key) {
            return v;
        }
        #[cfg(any(feature = "ask", feature = "node", not(target_arch = "wasm32")))]
        let mut rows = FIRST.iter().chain(DIALOG.iter());
        #[cfg(not(any(feature = "ask", feature = "node", not(target_arch = "wasm32"))))]
        let mut rows = FIRST.iter();
        rows.find(|w| w.0 == key)
            .map_or("", |w| if self.ru { w.2 } else { w.1 })
    }

    /// The text for `key` with `{}` replaced by `arg`.
    pub fn fill(&self, key: &str, arg: &str) -> String {
        fill(self.get(key), arg)
    }
}

/// `text` with its first `{}` replaced by `arg`. Found byte by byte: a `&str`
/// pattern (`replacen("{}", ..)`) ships core's two-way substring search and
/// its str-slicing panic messages, about 4 KB of wasm for one placeholder.
fn fill(text: &str, arg: &str) -> String {
    let at = text.as_bytes().windows(2).position(|w| w == b"{}");
    // `{` is ASCII, so both ends are character boundaries.
    match at.and_then(|i| Some((text.get(..i)?, text.get(i + 2..)?))) {
        Some((head, tail)) => {
            let mut out = String::with_capacity(text.len() + arg.len());
            out.push_str(head);
            out.push_str(arg);
            out.push_str(tail);
            out
        }
        None => text.to_owned(),
    }
}

fn primary(tag: &str) -> &str {
    tag.split(['-', '_']).next().unwrap_or(tag)
}

/// Picks the language to show: the page's `<html lang>`, then the browser's
/// languages, then the first configured one. Region subtags match their
/// language (`ru-RU` picks `ru`), and an exact match beats a primary one.
pub fn pick_language(page: Option<&str>, browser: &[String], configured: &[String]) -> String {
    let find = |tag: &str| -> Option<String> {
        let tag = tag.trim();
        if tag.is_empty() {
            return None;
        }
        configured
            .iter()
            .find(|c| c.eq_ignore_ascii_case(tag))
            .or_else(|| {
                configured
                    .iter()
                    .find(|c| primary(c).eq_ignore_ascii_case(primary(tag)))
            })
            .cloned()
    };
    page.and_then(find)
        .or_else(|| browser.iter().find_map(|b| find(b)))
        .or_else(|| configured.first().cloned())
        .unwrap_or_else(|| "en".into())
}

/// Whether `lang` is written right to left.
pub fn is_rtl(lang: &str) -> bool {
    matches!(
        primary(lang).to_ascii_lowercase().as_str(),
        "ar" | "he" | "fa" | "ur" | "yi" | "ps" | "sd" | "ug" | "dv" | "ckb"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn langs(x: &[&str]) -> Vec<String> {
        x.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn page_language_wins_and_regions_match() {
        let cfg = langs(&["en", "ru"]);
        assert_eq!(pick_language(Some("ru-RU"), &langs(&["en-US"]), &cfg), "ru");
        assert_eq!(pick_language(Some("de"), &langs(&["ru", "en"]), &cfg), "ru");
        assert_eq!(pick_language(None, &langs(&["fr"]), &cfg), "en");
        assert_eq!(pick_language(Some(""), &[], &cfg), "en");
        assert_eq!(
            pick_language(Some("pt-BR"), &[], &langs(&["pt-PT", "pt-BR"])),
            "pt-BR"
        );
    }

    #[test]
    fn tables_are_complete() {
        let all: Vec<_> = FIRST.iter().chain(DIALOG.iter()).collect();
        assert_eq!(all.len(), 40);
        assert!(all.iter().all(|w| !w.1.is_empty() && !w.2.is_empty()));
        // The gate knows the ask part's words by these names alone.
        let names: Vec<&str> = DIALOG.iter().map(|w| w.0).collect();
        assert_eq!(names, DIALOG_KEYS);
        assert_eq!(keys().count(), all.len());
        for (i, w) in all.iter().enumerate() {
            assert!(!all[..i].iter().any(|x| x.0 == w.0), "{} twice", w.0);
            // A placeholder in one language is a placeholder in the other.
            assert_eq!(w.1.contains("{}"), w.2.contains("{}"), "{}", w.0);
        }
        assert!(is_rtl("he-IL") && !is_rtl("ru"));
    }

    /// Every text is found by its name, and every one can be overridden.
    #[test]
    fn every_text_is_overridable_by_name() {
        let ui: Vec<String> = keys().map(|k| format!(r#""{k}":"de {k}""#)).collect();
        let json = format!(
            r#"{{"languages":["de"],"ui":{{"de":{{{}}}}},"categories":[{{"id":"a","title":"A"}}]}}"#,
            ui.join(",")
        );
        let cfg = Config::from_json(&json).unwrap_or_else(|e| panic!("{}", e.message()));
        let de = Words::for_lang("de-AT", &cfg);
        let ru = Words::for_lang("ru", &cfg);
        for k in keys() {
            assert_eq!(de.get(k), format!("de {k}"));
            assert!(!ru.get(k).starts_with("de "), "{k}");
        }
        assert_eq!(de.get("no_such_key"), "");
        assert_eq!(
            Words::for_lang("ru", &cfg).get("withdraw"),
            "Отозвать согласие"
        );
        assert_eq!(
            Words::for_lang("ru", &cfg).get("record_id"),
            "Идентификатор согласия"
        );
    }

    /// Every text of up to five characters from an alphabet of braces, ASCII
    /// and multi-byte characters fills like `replacen("{}", arg, 1)`.
    #[test]
    fn fill_replaces_the_first_placeholder_only() {
        let alphabet = ['{', '}', 'a', 'é', '😀'];
        let mut texts = vec![String::new()];
        let mut last = texts.clone();
        for _ in 0..5 {
            last = last
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(last.iter().cloned());
        }
        assert_eq!(texts.len(), 3906);
        for t in &texts {
            for arg in ["", "X", "{}", "Маркетинг"] {
                assert_eq!(fill(t, arg), t.replacen("{}", arg, 1), "{t:?} {arg:?}");
            }
        }
    }

    #[test]
    fn config_overrides_apply_per_language() {
        let cfg = Config::from_json(
            r#"{"languages":["en","he"],"ui":{"he":{"accept_all":"לקבל"}},"categories":[{"id":"a","title":"A"}]}"#,
        );
        let cfg = match cfg {
            Ok(c) => c,
            Err(e) => panic!("{}", e.message()),
        };
        assert_eq!(Words::for_lang("he", &cfg).get("accept_all"), "לקבל");
        assert_eq!(Words::for_lang("en", &cfg).get("accept_all"), "Accept all");
        assert_eq!(
            Words::for_lang("ru", &cfg).fill("placeholder_allow", "Маркетинг"),
            "Разрешить «Маркетинг»"
        );
    }
}
