//! Splitting text at an ASCII byte. `str::split(char)`, `split_once` and
//! `find` do the same through core's char searcher and `memchr`, about 1 KB
//! of wasm for separators that are always one ASCII byte here. Cutting a
//! `&str` next to an ASCII byte always lands on a character boundary.

/// The position of the first `sep` in `s`.
pub fn find(s: &str, sep: u8) -> Option<usize> {
    s.bytes().position(|b| b == sep)
}

/// The position of the last `sep` in `s`.
pub fn rfind(s: &str, sep: u8) -> Option<usize> {
    s.bytes().rposition(|b| b == sep)
}

/// `s` before and after its first `sep`.
pub fn once(s: &str, sep: u8) -> Option<(&str, &str)> {
    let i = find(s, sep)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// The pieces of `s` between each `sep`, like `s.split(sep as char)`.
pub fn pieces(s: &str, sep: u8) -> Pieces<'_> {
    Pieces { rest: Some(s), sep }
}

pub struct Pieces<'a> {
    rest: Option<&'a str>,
    sep: u8,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let s = self.rest?;
        match once(s, self.sep) {
            Some((head, tail)) => {
                self.rest = Some(tail);
                Some(head)
            }
            None => {
                self.rest = None;
                Some(s)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn the_same_as_core() {
        for s in [
            "",
            ".",
            "a",
            "a.b",
            ".a.",
            "a..b",
            "é.ü.日本",
            "..",
            "a.b.c.d",
        ] {
            assert_eq!(
                pieces(s, b'.').collect::<Vec<_>>(),
                s.split('.').collect::<Vec<_>>(),
                "{s:?}"
            );
            assert_eq!(once(s, b'.'), s.split_once('.'), "{s:?}");
            assert_eq!(find(s, b'.'), s.find('.'), "{s:?}");
            assert_eq!(rfind(s, b'.'), s.rfind('.'), "{s:?}");
        }
    }
}
