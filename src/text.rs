//! The dialog's own words in the built-in languages, and the choice of
//! language for a page.

use crate::config::Config;
use alloc::{borrow::ToOwned, string::String, vec::Vec};

/// Keys a config may override under `[ui.<lang>]`.
pub const KEYS: [&str; 28] = [
    "banner_title",
    "banner_text",
    "policy_link",
    "accept_all",
    "reject_all",
    "preferences",
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
    "reopen",
    "saved",
    "no_memory",
    "placeholder",
    "placeholder_allow",
    "record_title",
    "record_id",
    "record_given",
    "record_updated",
    "export",
];

/// Keys beyond [`KEYS`] used by the account panel; kept apart so the list
/// above stays the one that config overrides are checked against.
pub const MORE_KEYS: [&str; 4] = ["withdraw", "record_none", "withdrawn", "gpc_banner"];

const EN: [&str; 32] = [
    "Cookies on this site",
    "We use cookies that keep you signed in and protect your account. With your permission we also use cookies to remember your settings, measure our marketing and understand how the site is used. You can change your mind at any time.",
    "Privacy policy",
    "Accept all",
    "Reject all",
    "Preferences",
    "Cookie preferences",
    "Choose which kinds of cookies we may use. Strictly necessary ones are always on, because the site cannot work without them.",
    "Save choices",
    "Close",
    "Always on",
    "Needed for the site to work; no consent is asked for these.",
    "Your browser sent a Global Privacy Control signal, so this stays off unless you switch it on here.",
    "Cookies in this category",
    "Name",
    "Provider",
    "Purpose",
    "Duration",
    "Cookie settings",
    "Your choices are saved.",
    "Cookies are blocked in this browser, so your choice applies to this page only.",
    "This content is from a third party and needs “{}” cookies.",
    "Allow {}",
    "Your consent record",
    "Receipt ID",
    "First decision",
    "Last change",
    "Download record (JSON)",
    "Withdraw all consent",
    "You have not made a choice yet.",
    "Consent withdrawn.",
    "Your browser sends a Global Privacy Control signal, so “{}” stays off even if you accept all; you can still switch it on in the preferences.",
];

const RU: [&str; 32] = [
    "Файлы cookie на этом сайте",
    "Мы используем cookie, которые сохраняют вход в аккаунт и защищают его. С вашего разрешения мы также используем cookie, чтобы запоминать ваши настройки, оценивать рекламу и понимать, как используется сайт. Вы можете изменить решение в любое время.",
    "Политика конфиденциальности",
    "Принять все",
    "Отклонить все",
    "Настроить",
    "Настройки cookie",
    "Выберите, какие cookie нам можно использовать. Строго необходимые включены всегда: без них сайт не работает.",
    "Сохранить выбор",
    "Закрыть",
    "Всегда включены",
    "Нужны для работы сайта; согласие на них не требуется.",
    "Ваш браузер передал сигнал Global Privacy Control, поэтому эта категория выключена, пока вы не включите её здесь.",
    "Cookie этой категории",
    "Название",
    "Поставщик",
    "Назначение",
    "Срок хранения",
    "Настройки cookie",
    "Ваш выбор сохранён.",
    "Cookie в этом браузере запрещены, поэтому выбор действует только на этой странице.",
    "Это содержимое стороннего сервиса, для него нужны cookie категории «{}».",
    "Разрешить «{}»",
    "Запись о вашем согласии",
    "Номер квитанции",
    "Первое решение",
    "Последнее изменение",
    "Скачать запись (JSON)",
    "Отозвать всё согласие",
    "Вы ещё не сделали выбор.",
    "Согласие отозвано.",
    "Ваш браузер передаёт сигнал Global Privacy Control, поэтому «{}» останется выключенным, даже если вы примете все; включить это можно в настройках.",
];

/// The dialog's words for one language, with config overrides applied.
#[derive(Clone, Debug)]
pub struct Words {
    texts: Vec<String>,
}

impl Words {
    /// The words for `lang`: built-in English or Russian, then the config's
    /// `[ui.<lang>]` overrides on top.
    pub fn for_lang(lang: &str, config: &Config) -> Words {
        let base = if primary(lang) == "ru" { &RU } else { &EN };
        let mut texts: Vec<String> = base.iter().map(|s| (*s).to_owned()).collect();
        for (l, pairs) in &config.ui {
            if l.eq_ignore_ascii_case(lang)
                || primary(l) == primary(lang)
                    && !config.ui.iter().any(|(x, _)| x.eq_ignore_ascii_case(lang))
            {
                for (k, v) in pairs {
                    if let Some(slot) = index(k).and_then(|i| texts.get_mut(i)) {
                        slot.clone_from(v);
                    }
                }
            }
        }
        Words { texts }
    }

    /// The text for `key` (one of [`KEYS`] or [`MORE_KEYS`]).
    pub fn get(&self, key: &str) -> &str {
        index(key)
            .and_then(|i| self.texts.get(i))
            .map_or("", |s| s.as_str())
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

fn index(key: &str) -> Option<usize> {
    KEYS.iter().chain(MORE_KEYS.iter()).position(|k| *k == key)
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
        assert_eq!(EN.len(), KEYS.len() + MORE_KEYS.len());
        assert!(EN.iter().chain(RU.iter()).all(|s| !s.is_empty()));
        assert!(is_rtl("he-IL") && !is_rtl("ru"));
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
