//! The analyzer as tantivy tokenizers ([`super::STEMMED`], [`super::EXACT`]),
//! with each indexing thread's memory of its last texts: an article's title
//! and text are each analysed in two fields (stemmed and as written), so the
//! word boundaries the stemmed analysis found are reused rather than found
//! again.

use std::cell::RefCell;
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
        let scratch = &mut self.scratch;
        let mut n = 0;
        let mut put = |term: &str, start: usize, end: usize, position: u32| {
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
