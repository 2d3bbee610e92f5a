//! One token's normalisation: folding (typographic apostrophes, case,
//! diacritics), and in the stemmed mode possessives, stop words, acronyms
//! kept whole, British spellings made American and the Snowball stemmer,
//! with a per-thread cache of words already seen.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::{MAX_TOKEN_BYTES, Mode, TokenKind, spelling};

/// Lucene's English stop words: dropped from the stemmed fields only.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// True for a (lower-case) stop word, which the stemmed fields do not index.
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}

static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// `NHS`, `BMA`, `ICBs`, `GP`, `A&E`: two or more capitals (digits and `&`
/// allowed), with an optional plural `s`; the acronym without it. Such words
/// are never stemmed. Longer all-capital words are shouting (`NURSES
/// STRIKE`), not acronyms.
pub fn acronym(raw: &str) -> Option<&str> {
    let body = ["'s", "\u{2019}s", "s"]
        .iter()
        .find_map(|s| raw.strip_suffix(s))
        .unwrap_or(raw);
    let caps = body.chars().filter(char::is_ascii_uppercase).count();
    (caps >= 2
        && body.len() <= 5
        && body
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '&')
        && !is_stop_word(&body.to_ascii_lowercase()))
    .then_some(body)
}

fn fold(raw: &str) -> String {
    let mut s = String::with_capacity(raw.len());
    if raw.is_ascii() {
        s.extend(raw.chars().map(|c| c.to_ascii_lowercase()));
        return s;
    }
    for c in raw.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{FF07}' => s.push('\''),
            _ => s.extend(c.to_lowercase()),
        }
    }
    s
}

/// Calls `f` with the term `raw` gives in `mode`, if it gives one.
pub(super) fn normalize(raw: &str, mode: Mode, kind: TokenKind, f: impl FnOnce(&str)) {
    if raw.len() > MAX_TOKEN_BYTES {
        return;
    }
    if kind == TokenKind::Symbol {
        if let Some(term) = normalize_word(raw, mode, kind) {
            f(&term);
        }
        return;
    }
    if mode == Mode::Exact && raw.is_ascii() && !raw.contains(',') {
        // An exact term of plain ASCII is the word in lower case: cheaper to
        // write out than to look up.
        let mut buf = [0u8; MAX_TOKEN_BYTES];
        let term = &mut buf[..raw.len()];
        term.copy_from_slice(raw.as_bytes());
        term.make_ascii_lowercase();
        f(std::str::from_utf8(term).expect("ASCII stays ASCII"));
        return;
    }
    // Word frequencies are steep: nearly every token of a large collection
    // is a word (as written) seen before, so each distinct word is folded,
    // checked and stemmed once per thread. (`f` only copies the term: it
    // must not analyse, which would borrow the cache again.)
    WORDS.with_borrow_mut(|cache| {
        let cache = &mut cache[mode as usize];
        if let Some(term) = cache.get(raw) {
            if let Some(term) = term {
                f(term);
            }
            return;
        }
        let term = normalize_word(raw, mode, kind);
        if let Some(term) = &term {
            f(term);
        }
        if cache.len() >= WORD_CACHE_SIZE {
            cache.clear();
        }
        cache.insert(raw.into(), term.map(String::into_boxed_str));
    })
}

/// Words remembered per thread and mode before the cache starts afresh.
const WORD_CACHE_SIZE: usize = 50_000;

type WordCache = HashMap<Box<str>, Option<Box<str>>, rustc_hash::FxBuildHasher>;

thread_local! {
    /// Word as written -> its term (or `None` when it gives none), one map
    /// per [`Mode`].
    static WORDS: RefCell<[WordCache; 2]> = RefCell::new(Default::default());
}

fn normalize_word(raw: &str, mode: Mode, kind: TokenKind) -> Option<String> {
    let mut t = fold(raw);
    if t.is_empty() {
        // A lone combining mark that is also a letter (U+0A70, U+0DF2):
        // folding takes it away, and an empty term would match nothing real.
        return None;
    }
    if t.starts_with(|c: char| c.is_ascii_digit()) && t.contains(',') {
        t.retain(|c| c != ',');
    }
    if mode == Mode::Exact || kind == TokenKind::Symbol || t.contains('&') {
        return Some(t);
    }
    if let Some(body) = acronym(raw) {
        t.truncate(body.len());
        return Some(t);
    }
    if let Some(s) = t.strip_suffix("'s") {
        t.truncate(s.len());
    } else if t.ends_with('\'') {
        t.pop();
    }
    if t.is_empty() || is_stop_word(&t) {
        return None;
    }
    let us = spelling::americanize(&t);
    Some(ize_stem(&us).unwrap_or_else(|| STEMMER.stem(&us).into_owned()))
}

/// `-ize` verbs and their nouns share a stem ending in `iz` that stays apart
/// from the word they are built on: Snowball would make `privatization`
/// `privat` (as `private`) and `organization` `organ`.
fn ize_stem(word: &str) -> Option<String> {
    const SUFFIXES: [&str; 8] = [
        "izations", "ization", "izers", "izer", "izing", "izes", "ized", "ize",
    ];
    SUFFIXES.iter().find_map(|s| {
        word.strip_suffix(s)
            .filter(|head| head.len() >= 3)
            .map(|head| format!("{head}iz"))
    })
}
