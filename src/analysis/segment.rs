//! Word boundaries: Unicode's (UAX#29, `unicode-segmentation`), with a fast
//! path for the ASCII stretches that make up most English text.
//!
//! Text is cut at ASCII whitespace into chunks. A chunk of ASCII and a few
//! common typographic marks (curly quotes, dashes, `£`) is segmented here,
//! by the UAX#29 rules restricted to those characters; any other chunk,
//! with the whitespace before it (a combining mark after a space belongs to
//! the space) and any such chunks right after it, goes to
//! `unicode-segmentation`. No UAX#29 rule joins across
//! ASCII whitespace except space runs and CR LF, so both give the same words;
//! a property test checks it.

use unicode_segmentation::UnicodeSegmentation;

/// Appends the UAX#29 word-boundary segments of `text` to `out`, with their
/// byte offsets.
pub(crate) fn word_bounds<'t>(text: &'t str, out: &mut Vec<(usize, &'t str)>) {
    let mut i = 0;
    while i < text.len() {
        let (chunk, mut end, fast) = next_chunk(text, i);
        if fast {
            spaces(text, i, chunk, out);
            simple_words(text, chunk, end, out);
            i = end;
            continue;
        }
        // Slow chunks in a row go together: a Unicode space ending one
        // (U+3000) joins the ASCII spaces after it, and a combining mark
        // starting the next joins those.
        while end < text.len() {
            let (_, next_end, next_fast) = next_chunk(text, end);
            if next_fast {
                break;
            }
            end = next_end;
        }
        out.extend(
            text[i..end]
                .split_word_bound_indices()
                .map(|(at, s)| (i + at, s)),
        );
        i = end;
    }
}

/// From `i`: where the chunk after the ASCII whitespace starts, where it
/// ends, and whether the fast path can segment it.
fn next_chunk(text: &str, i: usize) -> (usize, usize, bool) {
    let b = text.as_bytes();
    let mut chunk = i;
    while chunk < b.len() && is_space(b[chunk]) {
        chunk += 1;
    }
    let mut end = chunk;
    let mut fast = true;
    while end < b.len() && !is_space(b[end]) {
        if b[end].is_ascii() {
            end += 1;
        } else {
            let (c, len) = class_at(text, end);
            fast &= c.is_some();
            end += len;
        }
    }
    (chunk, end, fast)
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0B' | b'\x0C')
}

/// A run of ASCII whitespace: spaces stay together, as do CR LF.
fn spaces<'t>(text: &'t str, from: usize, to: usize, out: &mut Vec<(usize, &'t str)>) {
    let b = text.as_bytes();
    let mut i = from;
    while i < to {
        let mut j = i + 1;
        if b[i] == b' ' {
            while j < to && b[j] == b' ' {
                j += 1;
            }
        } else if b[i] == b'\r' && j < to && b[j] == b'\n' {
            j += 1;
        }
        out.push((i, &text[i..j]));
        i = j;
    }
}

/// Word-break classes of the ASCII characters that are not whitespace.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Digit,
    /// `_` (ExtendNumLet): joins letters and digits.
    Underscore,
    /// `:` (MidLetter): joins letters.
    MidLetter,
    /// `.` (MidNumLet) and `'` (Single_Quote): join letters, and digits.
    MidBoth,
    /// `,` `;` (MidNum): join digits.
    MidNum,
    Other,
}

/// The class of the character at byte `at` and its length in bytes; `None`
/// for a character the fast path leaves to `unicode-segmentation`.
fn class_at(text: &str, at: usize) -> (Option<Class>, usize) {
    let b = text.as_bytes()[at];
    if b.is_ascii() {
        let c = match b {
            b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
            b'0'..=b'9' => Class::Digit,
            b'_' => Class::Underscore,
            b':' => Class::MidLetter,
            b'.' | b'\'' => Class::MidBoth,
            b',' | b';' => Class::MidNum,
            _ => Class::Other,
        };
        return (Some(c), 1);
    }
    let c = text[at..].chars().next().expect("a char starts here");
    let class = match c {
        // typographic apostrophes (MidNumLet)
        '\u{2018}' | '\u{2019}' => Some(Class::MidBoth),
        // quotes, dashes, ellipsis, currency: never part of a word
        '\u{201C}' | '\u{201D}' | '\u{2013}' | '\u{2014}' | '\u{2026}' | '£' | '€' => {
            Some(Class::Other)
        }
        _ => None,
    };
    (class, c.len_utf8())
}

fn class_of(text: &str, at: usize) -> Class {
    class_at(text, at).0.unwrap_or(Class::Other)
}

fn is_word_char(c: Class) -> bool {
    matches!(c, Class::Letter | Class::Digit | Class::Underscore)
}

/// Segments a chunk without whitespace whose characters all have a class.
fn simple_words<'t>(text: &'t str, from: usize, to: usize, out: &mut Vec<(usize, &'t str)>) {
    let mut i = from;
    while i < to {
        let (c, len) = class_at(text, i);
        if !is_word_char(c.unwrap_or(Class::Other)) {
            out.push((i, &text[i..i + len]));
            i += len;
            continue;
        }
        // Word characters are ASCII, one byte each.
        let mut j = i + 1;
        while j < to {
            let (c, len) = class_at(text, j);
            let c = c.unwrap_or(Class::Other);
            if is_word_char(c) {
                // WB5, WB8 to WB10, WB13a, WB13b
                j += 1;
                continue;
            }
            // WB6/WB7 and WB11/WB12: one middle character between two
            // letters, or between two digits.
            if j + len >= to {
                break;
            }
            let (p, n) = (class_of(text, j - 1), class_of(text, j + len));
            let joins = match c {
                Class::MidLetter => p == Class::Letter && n == Class::Letter,
                Class::MidBoth => {
                    (p == Class::Letter && n == Class::Letter)
                        || (p == Class::Digit && n == Class::Digit)
                }
                Class::MidNum => p == Class::Digit && n == Class::Digit,
                _ => false,
            };
            if !joins {
                break;
            }
            j += len + 1;
        }
        out.push((i, &text[i..j]));
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ours(text: &str) -> Vec<(usize, &str)> {
        let mut v = Vec::new();
        word_bounds(text, &mut v);
        v
    }

    /// Unicode's segments; whitespace-only segments may group differently
    /// at a chunk edge (U+3000 then a space), which no token depends on.
    fn unicode(text: &str) -> Vec<(usize, &str)> {
        text.split_word_bound_indices().collect()
    }

    fn same(text: &str) -> std::result::Result<(), TestCaseError> {
        let ours = ours(text);
        let theirs = unicode(text);
        // Every byte is covered once, in order.
        let mut at = 0;
        for (s, seg) in &ours {
            prop_assert_eq!(*s, at);
            at += seg.len();
        }
        prop_assert_eq!(at, text.len());
        let solid = |v: Vec<(usize, &str)>| -> Vec<(usize, String)> {
            v.into_iter()
                .filter(|(_, s)| !s.chars().all(char::is_whitespace))
                .map(|(a, s)| (a, s.to_string()))
                .collect()
        };
        prop_assert_eq!(solid(ours), solid(theirs), "{:?}", text);
        Ok(())
    }

    fn mostly_ascii() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            8 => "[a-zA-Z0-9_.,;:'\" \t\r\n&%$£()-]{1,8}",
            2 => "[\u{300}\u{308}\u{2018}\u{2019}\u{201c}\u{201d}\u{2013}\u{2014}\u{2026}£€\u{3000}\u{200d}\u{fe0f}é中🇬🇧👍]{1,3}",
            1 => any::<char>().prop_map(String::from),
        ];
        prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]

        #[test]
        fn matches_unicode_segmentation(text in mostly_ascii()) {
            same(&text)?;
        }

        #[test]
        fn matches_on_any_string(text in any::<String>()) {
            same(&text)?;
        }
    }

    #[test]
    fn ascii_rules() {
        for text in [
            "don't e.g. 3.5 1,000,000 a:b a_1 x. .5 1.a a.1 __ '' NHS's",
            "A&E R&D \r\n\r\n  x \u{308}y \n\u{308}",
            // a Unicode space, ASCII spaces, then a mark that joins them
            "\u{3000} \u{fe00}",
            "é\u{3000}  \u{308}x",
        ] {
            same(text).unwrap();
        }
        let words: Vec<&str> = ours("it's 3.5% of £1,000.")
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        assert_eq!(
            words,
            ["it's", " ", "3.5", "%", " ", "of", " ", "£", "1,000", "."]
        );
    }
}
