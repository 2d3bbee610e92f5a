//! The analyzer as tantivy tokenizers ([`super::STEMMED`], [`super::EXACT`]),
//! with each indexing thread's memory of its last texts: an article's title
//! and text are each analysed in two fields (stemmed and as written), so the
//! word boundaries the stemmed analysis found are reused rather than found
//! again.

use std::cell::RefCell;
use std::hash::BuildHasher;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{EXACT, Mode, STEMMED, each_token_of, segment};

/// The analyzer as a tantivy tokenizer, so tantivy indexes exactly the tokens
/// [`analyze`] produces.
#[derive(Clone)]
pub struct HpTokenizer {
    mode: Mode,
    /// Tokens of the last text, reused: their strings are overwritten
    /// rather than allocated for every token.
    scratch: Vec<tantivy::tokenizer::Token>,
    /// The terms of the text being analysed so far, as words as written:
    /// (hash, index in `scratch`).
    seen: hashbrown::HashTable<(u64, u32)>,
    /// Bytes this analyzer has been given, across its clones, when counted
    /// (see [`register`]): tantivy's indexing threads call it as they take
    /// documents off their queue, so the writer can tell how far behind
    /// them it is.
    analysed: Option<Arc<AtomicU64>>,
}

impl HpTokenizer {
    /// The analyzer in this mode, as a tantivy tokenizer.
    pub fn new(mode: Mode) -> HpTokenizer {
        HpTokenizer {
            mode,
            scratch: Vec::new(),
            seen: hashbrown::HashTable::new(),
            analysed: None,
        }
    }
}

/// Tokens kept for reuse at most; a longer text's extra ones are let go.
const SCRATCH_TOKENS: usize = 1 << 16;

/// The tokens of one text, handed to tantivy one by one.
pub struct HpTokenStream<'a> {
    tokens: &'a mut [tantivy::tokenizer::Token],
    next: usize,
}

impl tantivy::tokenizer::Tokenizer for HpTokenizer {
    type TokenStream<'a> = HpTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> HpTokenStream<'a> {
        if let Some(n) = &self.analysed {
            n.fetch_add(text.len() as u64, Ordering::Relaxed);
        }
        if self.scratch.len() > SCRATCH_TOKENS {
            self.scratch.truncate(SCRATCH_TOKENS);
            self.scratch.shrink_to_fit();
        }
        if self.seen.capacity() > SCRATCH_TOKENS {
            self.seen = hashbrown::HashTable::new();
        }
        let scratch = &mut self.scratch;
        let seen = &mut self.seen;
        seen.clear();
        // The words as written are indexed without counts or positions
        // (`schema::written`): each term once per text is all tantivy needs,
        // and a long text repeats most of its words. (The field's length,
        // which scores an exact word, is then the text's distinct words.)
        let once = self.mode == Mode::Exact;
        let mut n = 0;
        let mut put = |term: &str, start: usize, end: usize, position: u32| {
            if once {
                let hash = rustc_hash::FxBuildHasher.hash_one(term);
                match seen.entry(
                    hash,
                    |&(h, i)| h == hash && scratch[i as usize].text == term,
                    |&(h, _)| h,
                ) {
                    hashbrown::hash_table::Entry::Occupied(_) => return,
                    hashbrown::hash_table::Entry::Vacant(v) => {
                        v.insert((hash, n as u32));
                    }
                }
            }
            if n == scratch.len() {
                scratch.push(tantivy::tokenizer::Token::default());
            }
            let t = &mut scratch[n];
            t.text.clear();
            t.text.push_str(term);
            t.offset_from = start;
            t.offset_to = end;
            t.position = position as usize;
            t.position_length = 1;
            n += 1;
        };
        let mut segs = Vec::new();
        let known = self.mode == Mode::Exact
            && RECENT.with_borrow(|r| r.find(text).map(|b| b.bounds(text, &mut segs)).is_some());
        if !known {
            segment::word_bounds(text, &mut segs);
        }
        each_token_of(text, &segs, self.mode, |term, start, end, position, _| {
            put(term, start, end, position)
        });
        if self.mode == Mode::Stemmed {
            RECENT.with_borrow_mut(|r| r.keep(text, &segs));
        }
        HpTokenStream {
            tokens: &mut self.scratch[..n],
            next: 0,
        }
    }
}

/// The word boundaries of the last texts the stemmed analyzer indexed on
/// this thread. tantivy analyses an article's title and text twice each,
/// close together on one thread: stemmed (`title`, `text`) and as written
/// (`title_exact`, `text_exact`). The exact analysis starts from the word
/// boundaries the stemmed one found.
struct RecentBounds {
    texts: Vec<RecentText>,
    /// The entry to overwrite next.
    next: usize,
}

struct RecentText {
    text: String,
    /// Word boundaries: the byte range of each segment of `text`.
    bounds: Vec<(u32, u32)>,
}

/// Texts remembered: an article's title and text, and a few more.
const RECENT_TEXTS: usize = 4;

/// Longer texts are not remembered (their buffers would stay allocated).
const RECENT_TEXT_BYTES: usize = 256 * 1024;

thread_local! {
    static RECENT: RefCell<RecentBounds> = const {
        RefCell::new(RecentBounds { texts: Vec::new(), next: 0 })
    };
}

impl RecentBounds {
    /// `text`, if it is remembered.
    fn find(&self, text: &str) -> Option<&RecentText> {
        self.texts.iter().find(|r| r.text == text)
    }

    /// Remembers the word boundaries of `text`, in place of the oldest text.
    fn keep(&mut self, text: &str, segs: &[(usize, &str)]) {
        if text.len() > RECENT_TEXT_BYTES {
            return;
        }
        if self.texts.len() < RECENT_TEXTS {
            self.texts.push(RecentText {
                text: String::new(),
                bounds: Vec::new(),
            });
        }
        let i = self.next % self.texts.len();
        self.next = (i + 1) % RECENT_TEXTS;
        let r = &mut self.texts[i];
        r.text.clear();
        r.text.push_str(text);
        r.bounds.clear();
        r.bounds.extend(
            segs.iter()
                .map(|&(start, seg)| (start as u32, (start + seg.len()) as u32)),
        );
    }
}

impl RecentText {
    /// The word boundaries, as segments of `text` (the remembered text).
    fn bounds<'t>(&self, text: &'t str, segs: &mut Vec<(usize, &'t str)>) {
        segs.extend(
            self.bounds
                .iter()
                .map(|&(a, b)| (a as usize, &text[a as usize..b as usize])),
        );
    }
}

impl tantivy::tokenizer::TokenStream for HpTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }
    fn token(&self) -> &tantivy::tokenizer::Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut tantivy::tokenizer::Token {
        &mut self.tokens[self.next - 1]
    }
}

/// Registers both analyzers with a tantivy index. Must run every time an
/// index is opened: tantivy does not persist tokenizers.
///
/// Returns the count of bytes the exact analyzer has been given: each
/// article's title and text go through it exactly once (in `title_exact`
/// and `text_exact`).
pub fn register(index: &tantivy::Index) -> Arc<AtomicU64> {
    let manager = index.tokenizers();
    manager.register(STEMMED, HpTokenizer::new(Mode::Stemmed));
    let analysed = Arc::new(AtomicU64::new(0));
    manager.register(
        EXACT,
        HpTokenizer {
            analysed: Some(analysed.clone()),
            ..HpTokenizer::new(Mode::Exact)
        },
    );
    analysed
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{TokenStream, Tokenizer};

    use super::*;

    fn terms(mode: Mode, text: &str) -> Vec<(String, usize)> {
        let mut tokenizer = HpTokenizer::new(mode);
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push((stream.token().text.clone(), stream.token().position));
        }
        out
    }

    #[test]
    fn words_as_written_once_per_text_stemmed_words_every_time() {
        let text = "Nurses strike. The nurses' strike: NURSES strike again";
        let exact: Vec<String> = terms(Mode::Exact, text).into_iter().map(|t| t.0).collect();
        assert_eq!(exact, ["nurses", "strike", "the", "again"]);
        let stemmed = terms(Mode::Stemmed, text);
        assert_eq!(stemmed.iter().filter(|t| t.0 == "strike").count(), 3);
        assert_eq!(stemmed.iter().filter(|t| t.0 == "nurs").count(), 3);
        // Each text starts afresh: a word met in the text before is
        // indexed again.
        let mut tokenizer = HpTokenizer::new(Mode::Exact);
        let mut last = Vec::new();
        for text in [text, "strike strike"] {
            let mut stream = tokenizer.token_stream(text);
            last.clear();
            while stream.advance() {
                last.push(stream.token().text.clone());
            }
        }
        assert_eq!(last, ["strike"]);
    }
}
