//! Text analysis: one pipeline, registered in tantivy and used identically at
//! index time, at query time and for highlighting.
//!
//! Words come from Unicode word boundaries (UAX#29, `unicode-segmentation`),
//! then a few merges that real articles need:
//!
//! * `A&E`, `R&D`, `AT&T` stay one token (UAX#29 would split at `&`).
//! * hyphenated words (`level-four`, `CIA-backed`) give their parts at
//!   consecutive positions, so phrases match with or without the hyphen, plus
//!   the joined form (`levelfour`) at the first part's position, so `e-mail`
//!   also finds `email`.
//! * a word mixing letters and digits (`FOXO3a`, `COVID19`, `H1N1`) gives
//!   its letter and digit runs the same way, so `FOXO3` and `FoxO3a` share
//!   `foxo`, and `COVID19` matches `COVID-19`.
//! * a number keeps its currency sign or percent sign as an extra token at the
//!   same position (`£24` beside `24`, `2%` beside `2`); digit-group commas go
//!   (`100,000` = `100000`).
//!
//! Then each token is normalised: typographic apostrophes become `'`, case and
//! diacritics are folded (`Zoë` = `zoe`). Two modes share all of that:
//!
//! * [`Mode::Exact`] stops there. It feeds the fields that quoted phrases run
//!   on, so `"doctors' strikes"` matches the exact words.
//! * [`Mode::Stemmed`] also drops possessives and stop words, keeps acronyms
//!   (`NHS`, `ICBs` -> `icb`) away from the stemmer, maps British spellings to
//!   American ([`spelling`]) and applies the Snowball English stemmer.

mod normalize;
mod segment;
pub mod spelling;
mod tokenizer;

use normalize::normalize;
pub use normalize::{acronym, is_stop_word};
pub(crate) use segment::word_bounds;
pub use tokenizer::{HpTokenStream, HpTokenizer, register};

use unicode_segmentation::UnicodeSegmentation;

/// Name of the stemmed analyzer in tantivy's tokenizer manager.
pub const STEMMED: &str = "hp_stemmed";
/// Name of the exact (unstemmed) analyzer in tantivy's tokenizer manager.
pub const EXACT: &str = "hp_exact";

/// Words longer than this many bytes, as written, are not indexed (they are
/// never words: base64 blobs, URLs without spaces, runs of one letter).
/// Folding can make a term longer than the word it comes from (a Hangul
/// syllable decomposes into two or three letters), at most [`MAX_FOLD_GROWTH`]
/// times.
pub const MAX_TOKEN_BYTES: usize = 100;

/// How many times longer, in bytes, folding can make a word (Hangul: one
/// 3-byte syllable becomes three 3-byte letters).
pub const MAX_FOLD_GROWTH: usize = 3;

/// Which normalisation a token gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Case and diacritics folded, nothing else: for exact phrases.
    Exact,
    /// Exact plus possessives, stop words, spelling variants and stemming.
    Stemmed,
}

/// How a token relates to the words of the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// A word (or a part of a hyphenated word).
    Word,
    /// The joined form of a hyphenated run, at the position of its first part.
    Joined,
    /// A number with its currency or percent sign, at the number's position.
    Symbol,
    /// An acronym as written in capitals (`ER`, `ICB` for `ICBs`, `A&E`),
    /// beside its lower-case term and at its position, in the stemmed mode
    /// only: what an expansion to an acronym matches, so `ER` never finds
    /// the word *er*.
    Acronym,
}

/// One analysed token with its byte range in the analysed text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The term as indexed.
    pub text: String,
    /// Byte offset of the token's start in the text.
    pub start: usize,
    /// Byte offset just past its end.
    pub end: usize,
    /// Its word position (parts of a hyphenated word have their own).
    pub position: u32,
    /// What kind of token it is.
    pub kind: TokenKind,
}

/// Analyses `text`, appending its tokens to `out`.
///
/// ```
/// use hpsearch::analysis::{analyze, Mode};
/// let mut t = Vec::new();
/// analyze("Doctors’ strikes and privatisation", Mode::Stemmed, &mut t);
/// let terms: Vec<&str> = t.iter().map(|t| t.text.as_str()).collect();
/// assert_eq!(terms, ["doctor", "strike", "privatiz"]);
/// ```
pub fn analyze(text: &str, mode: Mode, out: &mut Vec<Token>) {
    each_token(text, mode, |term, start, end, position, kind| {
        out.push(Token {
            text: term.to_string(),
            start,
            end,
            position,
            kind,
        });
    });
}

/// Analyses `text`, calling `sink(term, start, end, position, kind)` for
/// each token: what [`analyze`] collects, without a string per token.
pub(crate) fn each_token(
    text: &str,
    mode: Mode,
    sink: impl FnMut(&str, usize, usize, u32, TokenKind),
) {
    let mut segs: Vec<(usize, &str)> = Vec::new();
    segment::word_bounds(text, &mut segs);
    each_token_of(text, &segs, mode, sink);
}

/// [`each_token`] with the text's word boundaries already found.
fn each_token_of(
    text: &str,
    segs: &[(usize, &str)],
    mode: Mode,
    mut sink: impl FnMut(&str, usize, usize, u32, TokenKind),
) {
    walk(
        text,
        segs,
        |raw: &str, start: usize, end: usize, position: u32, kind: TokenKind, glued: bool| {
            normalize(raw, mode, kind, |term| {
                sink(term, start, end, position, kind)
            });
            // A part glued to others (`EVD` of `#EVD68`) is no acronym.
            if mode == Mode::Stemmed
                && kind == TokenKind::Word
                && !glued
                && let Some(caps) = normalize::acronym(raw)
            {
                sink(caps, start, end, position, TokenKind::Acronym);
            }
        },
    );
}

/// The position of the first word at or after each of `starts` (byte
/// offsets, ascending), as [`analyze`] numbers words in either mode; a start
/// past the last word gets the position after it. Only finds word
/// boundaries: no word is normalised.
///
/// ```
/// let text = "Nurses strike. Level-four alert follows.";
/// let at = hpsearch::analysis::first_positions(text, &[0, 15, 26]);
/// assert_eq!(at, [0, 2, 4]);
/// ```
pub fn first_positions(text: &str, starts: &[usize]) -> Vec<u32> {
    let mut segs: Vec<(usize, &str)> = Vec::new();
    segment::word_bounds(text, &mut segs);
    let mut out = Vec::with_capacity(starts.len());
    let mut next = 0;
    let mut last = 0;
    walk(text, &segs, |_, start, _, position, _, _| {
        while next < starts.len() && starts[next] <= start {
            out.push(position);
            next += 1;
        }
        last = last.max(position + 1);
    });
    out.resize(starts.len(), last);
    out
}

/// Finds the words among a text's segments and numbers their positions,
/// calling `emit(raw, start, end, position, kind, glued)` for each token
/// before normalisation: the one place positions are given. `glued`: a part
/// of a hashtag's words (`#EbolaOutbreak`, `#EVD68`), which is no acronym.
fn walk(
    text: &str,
    segs: &[(usize, &str)],
    mut emit: impl FnMut(&str, usize, usize, u32, TokenKind, bool),
) {
    let mut position: u32 = 0;
    let mut i = 0;
    while i < segs.len() {
        let (start, seg) = segs[i];
        if !is_wordlike(seg) {
            i += 1;
            continue;
        }
        // A&E, AT&T, R&D, and a&e as people type it
        if is_initials(seg)
            && i + 2 < segs.len()
            && segs[i + 1].1 == "&"
            && is_initials(segs[i + 2].1)
        {
            let end = segs[i + 2].0 + segs[i + 2].1.len();
            emit(
                &text[start..end],
                start,
                end,
                position,
                TokenKind::Word,
                false,
            );
            position += 1;
            i += 3;
            continue;
        }
        // level-four, CIA-backed, e-mail
        let mut last = i;
        while last + 2 < segs.len() && is_hyphen(segs[last + 1].1) && is_wordlike(segs[last + 2].1)
        {
            last += 2;
        }
        if last > i {
            let end = segs[last].0 + segs[last].1.len();
            let mut joined = String::new();
            for (k, &(s, part)) in segs[i..=last].iter().step_by(2).enumerate() {
                emit(
                    part,
                    s,
                    s + part.len(),
                    position + k as u32,
                    TokenKind::Word,
                    false,
                );
                joined.push_str(part);
            }
            emit(&joined, start, end, position, TokenKind::Joined, false);
            position += (last - i) as u32 / 2 + 1;
            i = last + 1;
            continue;
        }
        let end = start + seg.len();
        let hashtag = i > 0 && segs[i - 1].1 == "#" && segs[i - 1].0 + 1 == start;
        let runs = if hashtag {
            camel_runs(seg)
        } else {
            letter_digit_runs(seg)
        };
        if let Some(runs) = &runs {
            // FOXO3a, COVID19, H1N1, #EbolaOutbreak: the parts, then the
            // word as written.
            for (k, &(a, b)) in runs.iter().enumerate() {
                emit(
                    &seg[a..b],
                    start + a,
                    start + b,
                    position + k as u32,
                    TokenKind::Word,
                    hashtag,
                );
            }
            emit(seg, start, end, position, TokenKind::Joined, false);
        } else {
            emit(seg, start, end, position, TokenKind::Word, false);
        }
        if seg.starts_with(|c: char| c.is_ascii_digit()) {
            if i > 0 && is_currency(segs[i - 1].1) {
                let (cs, c) = segs[i - 1];
                emit(
                    &format!("{c}{seg}"),
                    cs,
                    end,
                    position,
                    TokenKind::Symbol,
                    false,
                );
            } else if i + 1 < segs.len() && segs[i + 1].1 == "%" {
                emit(
                    &format!("{seg}%"),
                    start,
                    end + 1,
                    position,
                    TokenKind::Symbol,
                    false,
                );
            }
        }
        position += runs.map_or(1, |r| r.len() as u32);
        i += 1;
    }
}

/// Byte ranges of the words joined in a hashtag's word (after `#`): a new
/// word starts at a capital after a small letter (`EbolaOutbreak`), at a
/// capital followed by small letters after capitals (`NHSEngland`), and
/// where letters and digits meet (`EVD68`). `None` for a hashtag of one
/// word, and for a word too long to index.
fn camel_runs(word: &str) -> Option<Vec<(usize, usize)>> {
    if word.len() > MAX_TOKEN_BYTES || !word.chars().all(char::is_alphanumeric) {
        return None;
    }
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let mut runs = Vec::new();
    let mut from = 0;
    for k in 1..chars.len() {
        let (at, c) = chars[k];
        let prev = chars[k - 1].1;
        let next = chars.get(k + 1).map(|&(_, n)| n);
        let starts = (prev.is_lowercase() && c.is_uppercase())
            || (prev.is_uppercase() && c.is_uppercase() && next.is_some_and(char::is_lowercase))
            || (prev.is_ascii_digit() != c.is_ascii_digit());
        if starts {
            runs.push((from, at));
            from = at;
        }
    }
    runs.push((from, word.len()));
    (runs.len() > 1).then_some(runs)
}

/// Byte ranges of the letter runs and digit runs of a word that mixes both
/// (`FOXO3a` -> `FOXO`, `3`, `a`); `None` for any other word, and for a word
/// too long to index (it is left out whole).
fn letter_digit_runs(word: &str) -> Option<Vec<(usize, usize)>> {
    let b = word.as_bytes();
    if word.len() > MAX_TOKEN_BYTES
        || !(b.iter().any(u8::is_ascii_digit) && b.iter().any(|c| !c.is_ascii_digit()))
    {
        return None;
    }
    let mut runs = Vec::new();
    let mut from = 0;
    let mut prev: Option<bool> = None;
    for (at, c) in word.char_indices() {
        let digit = c.is_ascii_digit();
        let letter = c.is_alphabetic();
        if !(digit || letter) {
            // Not a plain alphanumeric word (3.5, 1,000, a'b): as written.
            return None;
        }
        if prev.is_some_and(|p| p != digit) {
            runs.push((from, at));
            from = at;
        }
        prev = Some(digit);
    }
    runs.push((from, word.len()));
    Some(runs)
}

/// The words of `text` that are too long to be indexed (more than
/// [`MAX_TOKEN_BYTES`] bytes), in order. The analyzer leaves them out; this
/// lets the indexer and the query planner say so.
///
/// ```
/// let long = "x".repeat(150);
/// let text = format!("nurses {long} strike");
/// assert_eq!(hpsearch::analysis::long_words(&text), [long.as_str()]);
/// ```
pub fn long_words(text: &str) -> Vec<&str> {
    // A word never holds whitespace, so only long runs need segmenting.
    text.split_whitespace()
        .filter(|run| run.len() > MAX_TOKEN_BYTES)
        .flat_map(|run| run.split_word_bounds())
        .filter(|seg| seg.len() > MAX_TOKEN_BYTES && is_wordlike(seg))
        .collect()
}

pub(crate) fn is_wordlike(seg: &str) -> bool {
    let first = seg.as_bytes()[0];
    if first.is_ascii_alphanumeric() {
        return true;
    }
    seg.chars().any(char::is_alphanumeric)
}

/// A side of `A&E`, `AT&T` or `a&e`: up to four capitals, or up to two
/// lower-case letters (longer lower-case words around `&` are two words).
fn is_initials(seg: &str) -> bool {
    (seg.len() <= 4 && seg.chars().all(|c| c.is_ascii_uppercase()))
        || (seg.len() <= 2 && seg.chars().all(|c| c.is_ascii_lowercase()))
}

fn is_hyphen(seg: &str) -> bool {
    let mut chars = seg.chars();
    chars.next().is_some_and(is_hyphen_char) && chars.next().is_none()
}

/// The characters that join the parts of a hyphenated word.
pub(crate) fn is_hyphen_char(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

fn is_currency(seg: &str) -> bool {
    matches!(seg, "£" | "$" | "€" | "¥")
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Text that exercises every merge rule: words, capitals, hyphens, `&`,
    /// currency and percent signs, digit groups, apostrophes, accents,
    /// non-Latin scripts, emoji, control characters and very long words.
    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            "[a-zA-Z]{1,12}",
            "[A-Z]{1,5}s?",
            "[0-9]{1,3}(,[0-9]{3}){0,2}",
            Just("-".to_string()),
            Just("\u{2010}".to_string()),
            Just("&".to_string()),
            Just("£".to_string()),
            Just("%".to_string()),
            Just("’s".to_string()),
            Just("'".to_string()),
            Just("Zoë".to_string()),
            Just("naïve café".to_string()),
            Just("日本語".to_string()),
            Just("몺몺몺".to_string()),
            "[가-힣]{20,40}",
            Just("🙂".to_string()),
            Just("\u{0}\u{7}\u{1b}".to_string()),
            "[a-z]{101,140}",
            "\\PC{1,6}",
            "[ \t\n.,;:!?()\"]{1,3}",
        ];
        prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    fn check(text: &str, mode: Mode) -> std::result::Result<(), TestCaseError> {
        let mut tokens = Vec::new();
        analyze(text, mode, &mut tokens);
        let mut last_word: Option<u32> = None;
        for t in &tokens {
            prop_assert!(t.start < t.end && t.end <= text.len(), "{t:?}");
            prop_assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
            prop_assert!(!t.text.is_empty());
            prop_assert!(t.text.len() <= MAX_TOKEN_BYTES * MAX_FOLD_GROWTH, "{t:?}");
            if t.kind != TokenKind::Joined {
                // The limit is on the word as written (a joined form spans
                // its hyphens too).
                prop_assert!(t.end - t.start <= MAX_TOKEN_BYTES, "{t:?}");
            }
            match t.kind {
                TokenKind::Word => {
                    // Words come in text order at increasing positions.
                    prop_assert!(last_word.is_none_or(|p| t.position > p), "{tokens:?}");
                    last_word = Some(t.position);
                }
                // A joined form, a signed number or an acronym sits at a
                // word's position.
                TokenKind::Joined | TokenKind::Symbol | TokenKind::Acronym => {
                    prop_assert!(
                        last_word.is_some_and(|p| t.position <= p) || mode == Mode::Stemmed
                    );
                }
            }
        }
        let mut again = Vec::new();
        analyze(text, mode, &mut again);
        prop_assert_eq!(&tokens, &again);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn tokens_sit_on_char_boundaries_in_order(text in text()) {
            check(&text, Mode::Exact)?;
            check(&text, Mode::Stemmed)?;
        }

        #[test]
        fn any_string_at_all(text in any::<String>()) {
            check(&text, Mode::Exact)?;
            check(&text, Mode::Stemmed)?;
        }

        /// What tantivy indexes is what `analyze` gives (each word as
        /// written once), whether the tokenizer analyses a text afresh or
        /// replays it: texts repeat and interleave, in both modes, as an
        /// article's fields do.
        #[test]
        fn the_tokenizer_gives_what_analyze_gives(
            texts in prop::collection::vec(text(), 1..6),
            order in prop::collection::vec((0usize..6, any::<bool>()), 1..60),
        ) {
            use tantivy::tokenizer::{TokenStream, Tokenizer};
            let mut stemmed = HpTokenizer::new(Mode::Stemmed);
            let mut exact = HpTokenizer::new(Mode::Exact);
            for (i, is_exact) in order {
                let text = &texts[i % texts.len()];
                let (mode, tokenizer) = if is_exact {
                    (Mode::Exact, &mut exact)
                } else {
                    (Mode::Stemmed, &mut stemmed)
                };
                let mut want = Vec::new();
                analyze(text, mode, &mut want);
                // Words as written go to tantivy once per text: a term's
                // later tokens are left out.
                let mut met = std::collections::HashSet::new();
                let want: Vec<(String, usize, usize, usize)> = want
                    .into_iter()
                    .filter(|t| !is_exact || met.insert(t.text.clone()))
                    .map(|t| (t.text, t.start, t.end, t.position as usize))
                    .collect();
                let mut got = Vec::new();
                let mut stream = tokenizer.token_stream(text);
                while stream.advance() {
                    let t = stream.token();
                    got.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
                }
                prop_assert_eq!(got, want);
            }
        }

        #[test]
        fn long_words_are_exactly_the_ones_left_out(text in text()) {
            let long = long_words(&text);
            let mut tokens = Vec::new();
            analyze(&text, Mode::Exact, &mut tokens);
            for w in long {
                prop_assert!(w.len() > MAX_TOKEN_BYTES);
                // No token covers a left-out word.
                let start = w.as_ptr() as usize - text.as_ptr() as usize;
                prop_assert!(!tokens.iter().any(|t| t.start == start && t.kind == TokenKind::Word));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_length_limit_is_on_the_word_as_written() {
        // Found by fuzzing (fuzz/regressions/text_file): Hangul syllables
        // decompose when folded, so a word under the limit gave a longer term.
        let under = "몺".repeat(33); // 99 bytes
        let over = "몺".repeat(34); // 102 bytes
        let text = format!("{under} {over}");
        let mut t = Vec::new();
        analyze(&text, Mode::Exact, &mut t);
        assert_eq!(t.len(), 1);
        assert_eq!((t[0].start, t[0].end), (0, under.len()));
        assert!(t[0].text.len() > MAX_TOKEN_BYTES);
        assert!(t[0].text.len() <= MAX_TOKEN_BYTES * MAX_FOLD_GROWTH);
        assert_eq!(long_words(&text), [over.as_str()]);
    }

    #[test]
    fn marks_that_fold_to_nothing_give_no_token() {
        // Found by the property tests: these folded to an empty term.
        for text in [
            "\u{a70}",
            "\u{df2}",
            "ab \u{a70} cd",
            "'\u{a70}",
            "'\u{1133e}",
        ] {
            for mode in [Mode::Exact, Mode::Stemmed] {
                let mut t = Vec::new();
                analyze(text, mode, &mut t);
                assert!(t.iter().all(|t| !t.text.is_empty()), "{text:?}: {t:?}");
            }
        }
    }

    /// The terms of `text`, acronyms' capitals left out (see `acronyms`).
    fn terms(text: &str, mode: Mode) -> Vec<String> {
        let mut t = Vec::new();
        analyze(text, mode, &mut t);
        t.into_iter()
            .filter(|t| t.kind != TokenKind::Acronym)
            .map(|t| t.text)
            .collect()
    }

    fn same(a: &str, b: &str) {
        assert_eq!(
            terms(a, Mode::Stemmed),
            terms(b, Mode::Stemmed),
            "{a} vs {b}"
        );
    }

    #[test]
    fn typographic_and_straight_apostrophes_agree() {
        assert_eq!(
            terms("doctors’ strikes", Mode::Exact),
            ["doctors", "strikes"]
        );
        assert_eq!(
            terms("doctors' strikes", Mode::Exact),
            ["doctors", "strikes"]
        );
        assert_eq!(
            terms("the BMA’s ballot", Mode::Exact),
            ["the", "bma's", "ballot"]
        );
        same("the BMA’s ballot", "BMA ballot");
        same("government's offer", "government offer");
    }

    /// Exact terms with their positions.
    fn positions(text: &str) -> Vec<(String, u32)> {
        let mut t = Vec::new();
        analyze(text, Mode::Exact, &mut t);
        t.into_iter().map(|t| (t.text, t.position)).collect()
    }

    fn pairs(v: &[(&str, u32)]) -> Vec<(String, u32)> {
        v.iter().map(|&(s, p)| (s.to_string(), p)).collect()
    }

    #[test]
    fn hyphenated_words() {
        assert_eq!(
            positions("a level-four incident"),
            pairs(&[
                ("a", 0),
                ("level", 1),
                ("four", 2),
                ("levelfour", 1),
                ("incident", 3)
            ])
        );
        assert_eq!(
            terms("CIA-backed", Mode::Stemmed),
            ["cia", "back", "ciaback"]
        );
        assert!(terms("e-mail", Mode::Stemmed).contains(&"email".to_string()));
    }

    #[test]
    fn hashtags_are_their_words_and_glued_capitals_no_acronym() {
        assert_eq!(
            positions("#EbolaOutbreak spreads"),
            pairs(&[
                ("ebola", 0),
                ("outbreak", 1),
                ("ebolaoutbreak", 0),
                ("spreads", 2)
            ])
        );
        // The words of the tag, and the tag whole.
        assert_eq!(
            terms("#EbolaOutbreak", Mode::Exact),
            ["ebola", "outbreak", "ebolaoutbreak"]
        );
        assert!(terms("#NHSEngland", Mode::Stemmed).contains(&"england".to_string()));
        assert!(terms("#EbolaQandA", Mode::Stemmed).contains(&"ebola".to_string()));
        // `#EVD68` is not the acronym EVD; `EVD` alone is.
        let caps = |text: &str| {
            let mut t = Vec::new();
            analyze(text, Mode::Stemmed, &mut t);
            t.iter()
                .any(|t| t.kind == TokenKind::Acronym && t.text == "EVD")
        };
        assert!(!caps("#EVD68 cases"));
        assert!(caps("EVD cases"));
        // One word after `#`, or a `#` apart from the word: as before.
        assert_eq!(terms("#ebola", Mode::Stemmed), ["ebola"]);
        assert_eq!(terms("# EbolaOutbreak", Mode::Stemmed), ["ebolaoutbreak"]);
    }

    #[test]
    fn letters_and_digits_split() {
        assert_eq!(
            positions("FoxO3a and COVID19 cases"),
            pairs(&[
                ("foxo", 0),
                ("3", 1),
                ("a", 2),
                ("foxo3a", 0),
                ("and", 3),
                ("covid", 4),
                ("19", 5),
                ("covid19", 4),
                ("cases", 6)
            ])
        );
        // `FOXO3` shares a part with `FoxO3a`; `COVID-19` and `COVID19`
        // share every term.
        assert!(terms("FOXO3", Mode::Stemmed).contains(&"foxo".to_string()));
        same("COVID-19", "COVID19");
        // A word too long to index is left out whole, not split.
        let long = format!("0{}", "a".repeat(MAX_TOKEN_BYTES));
        assert!(terms(&long, Mode::Exact).is_empty());
        // Numbers with separators and plain words stay whole.
        assert_eq!(
            terms("3.5 1,000 nurses", Mode::Stemmed),
            ["3.5", "1000", "nurs"]
        );
    }

    #[test]
    fn acronyms_in_capitals_are_marked_beside_their_term() {
        let marked = |text: &str, mode: Mode| -> Vec<(String, u32)> {
            let mut t = Vec::new();
            analyze(text, mode, &mut t);
            t.into_iter()
                .filter(|t| t.kind == TokenKind::Acronym)
                .map(|t| (t.text, t.position))
                .collect()
        };
        assert_eq!(
            marked("The ER, the BMA’s ICBs and A&E; er, Er", Mode::Stemmed),
            pairs(&[("ER", 1), ("BMA", 3), ("ICB", 4), ("A&E", 6)])
        );
        assert!(marked("NHS ER", Mode::Exact).is_empty());
        // Shouting is no acronym; a&e in lower case is one word.
        assert!(marked("NURSES STRIKE", Mode::Stemmed).is_empty());
        assert_eq!(terms("a&e A&E", Mode::Exact), ["a&e", "a&e"]);
        assert_eq!(terms("salt&pepper", Mode::Exact), ["salt", "pepper"]);
    }

    #[test]
    fn acronyms() {
        assert_eq!(terms("A&E", Mode::Stemmed), ["a&e"]);
        assert_eq!(
            terms("NHS ICBs BMA GPs", Mode::Stemmed),
            ["nhs", "icb", "bma", "gp"]
        );
        same("ICB", "ICBs");
        // `US` is an acronym, `us` a stop-word-free pronoun: both survive.
        assert_eq!(terms("US", Mode::Stemmed), ["us"]);
    }

    #[test]
    fn numbers_and_money() {
        assert_eq!(terms("£24 billion", Mode::Exact), ["24", "£24", "billion"]);
        assert_eq!(terms("a 2% rise", Mode::Exact), ["a", "2", "2%", "rise"]);
        assert_eq!(terms("100,000 staff", Mode::Stemmed), ["100000", "staff"]);
        assert_eq!(terms("£1.2bn", Mode::Exact), ["1.2bn", "£1.2bn"]);
    }

    #[test]
    fn case_and_diacritics() {
        assert_eq!(
            terms("Zoë café NAÏVE", Mode::Exact),
            ["zoe", "cafe", "naive"]
        );
    }

    #[test]
    fn stemming_and_spelling() {
        same("privatisation", "privatization");
        same("organised", "organized");
        same("striking doctors", "strike doctor");
        same("paediatric centres", "pediatric centers");
        assert_eq!(terms("the strike", Mode::Stemmed), ["strike"]);
        // -ize words keep apart from their base word
        same("privatisation privatised", "privatization privatize");
        assert_ne!(
            terms("private", Mode::Stemmed),
            terms("privatisation", Mode::Stemmed)
        );
        assert_ne!(
            terms("organ", Mode::Stemmed),
            terms("organisation", Mode::Stemmed)
        );
        assert_eq!(terms("the strike", Mode::Exact), ["the", "strike"]);
    }

    #[test]
    fn long_tokens_are_not_indexed_but_offsets_stay_true() {
        let long = "x".repeat(500);
        let text = format!("nurses {long} pay");
        let mut t = Vec::new();
        analyze(&text, Mode::Exact, &mut t);
        assert_eq!(t.len(), 2);
        assert_eq!(&text[t[1].start..t[1].end], "pay");
        assert_eq!(t[1].position, 2);
    }
}
