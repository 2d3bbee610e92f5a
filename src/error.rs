//! The library's error type. Every fallible public function returns
//! [`crate::Result`]; the variants say what went wrong and where, so the CLI
//! can print them as they are.

use std::path::PathBuf;

/// Everything that can go wrong inside hpsearch.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The query text could not be read. `position` is a byte offset into the query.
    #[error("cannot read the query at position {position}: {message}\n{}", pointer(query, *position))]
    Query {
        query: String,
        position: usize,
        message: String,
    },
    /// A search option (date bound, source name, limit...) is not valid.
    #[error("{0}")]
    InvalidRequest(String),
    /// No index exists at this path.
    #[error(
        "no index at {}: create one with `hpsearch index --index {} PATH...`",
        .0.display(),
        .0.display()
    )]
    NoIndex(PathBuf),
    /// The index path names a file, not a folder.
    #[error("{} is a file, not an index folder; choose a folder for --index", .0.display())]
    NotAFolder(PathBuf),
    /// The folder exists and holds files, but they are not an hpsearch index.
    #[error("{} is not an hpsearch index (it holds other files); choose another --index folder", .0.display())]
    NotAnIndex(PathBuf),
    /// The index was written by a version of hpsearch whose format this one cannot read.
    #[error(
        "the index at {} has format {found}, this hpsearch reads format {expected}: rebuild it with `hpsearch index --index {} PATH...` into an empty folder",
        path.display(),
        path.display()
    )]
    IncompatibleIndex {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    /// Another process holds the index's write lock.
    #[error("the index at {} is busy: another `hpsearch index` run is writing to it; try again when it has finished, or pass --wait to wait for it", .0.display())]
    Busy(PathBuf),
    /// The index files are damaged.
    #[error("the index at {} is damaged ({detail}); rebuild it by indexing your files into an empty folder", path.display())]
    Corrupted { path: PathBuf, detail: String },
    /// An input file or folder could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The run was stopped by its [`crate::Observer`] before it committed:
    /// the index is as it was.
    #[error("the run was cancelled before it committed; the index is as it was")]
    Cancelled,
    /// An error inside the tantivy index engine.
    #[error("index engine: {0}")]
    Engine(#[from] tantivy::TantivyError),
}

/// `Result` with hpsearch's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Characters of the query shown on each side of the position in an error.
const CONTEXT_CHARS: usize = 40;

/// The query around `position` on one line, and a caret under the character
/// at `position`. Long queries are cut to a window around it; tabs and line
/// breaks show as spaces and other control characters as their visible
/// symbols (U+2400...), so the caret stays in its column and nothing reaches
/// the terminal as a control sequence.
fn pointer(query: &str, position: usize) -> String {
    let chars: Vec<(usize, char)> = query.char_indices().collect();
    let col = chars.iter().take_while(|(i, _)| *i < position).count();
    let from = col.saturating_sub(CONTEXT_CHARS);
    let to = (col + CONTEXT_CHARS).min(chars.len());
    let mut line = String::new();
    let mut caret_col = col - from;
    if from > 0 {
        line.push('…');
        caret_col += 1;
    }
    line.extend(chars[from..to].iter().map(|&(_, c)| visible(c)));
    if to < chars.len() {
        line.push('…');
    }
    format!("  {line}\n  {}^", " ".repeat(caret_col))
}

/// A character as it can be shown on one terminal line.
pub(crate) fn visible(c: char) -> char {
    match c {
        c if c.is_whitespace() => ' ',
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'),
        '\u{7f}' => '\u{2421}',
        c if c.is_control() => '\u{FFFD}',
        c => c,
    }
}

impl Error {
    pub(crate) fn query(query: &str, position: usize, message: impl Into<String>) -> Error {
        Error::Query {
            query: query.to_string(),
            position,
            message: message.into(),
        }
    }
}
