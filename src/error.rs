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
        /// The query as given.
        query: String,
        /// Where in it (a byte offset) reading failed.
        position: usize,
        /// Why.
        message: String,
    },
    /// A search option (date bound, source name, limit...) is not valid.
    #[error("{0}")]
    InvalidRequest(String),
    /// A source named in a request (`sources`, `exclude_sources`, a
    /// `source:` term) that no article of the index has.
    #[error(
        "no articles from a source named {name:?}{}",
        did_you_mean(suggestions)
    )]
    UnknownSource {
        /// The name as given.
        name: String,
        /// Sources of the index with close names, closest first (at most
        /// three; none when nothing is close).
        suggestions: Vec<String>,
    },
    /// A search's period ends before it starts.
    #[error("the period starts on {since}, after it ends on {until}: nothing can match")]
    EmptyPeriod {
        /// Its first day.
        since: crate::Date,
        /// Its last day.
        until: crate::Date,
    },
    /// No index exists at this path.
    #[error("no index at {}", .0.display())]
    NoIndex(PathBuf),
    /// The index path names a file, not a folder.
    #[error("{} is a file, not an index folder", .0.display())]
    NotAFolder(PathBuf),
    /// The folder exists and holds files, but they are not an hpsearch index.
    #[error("{} is not an hpsearch index (it holds other files)", .0.display())]
    NotAnIndex(PathBuf),
    /// The index was written by a version of hpsearch whose format this one cannot read.
    #[error(
        "the index at {} has format {found}, this hpsearch reads format {expected}: it must be rebuilt from its files into an empty folder",
        path.display()
    )]
    IncompatibleIndex {
        /// The index folder.
        path: PathBuf,
        /// The format it was written in.
        found: u32,
        /// The format this hpsearch reads and writes.
        expected: u32,
    },
    /// Another writer (in this or another process) holds the index's write lock.
    #[error("the index at {} is busy: another run is writing to it", .0.display())]
    Busy(PathBuf),
    /// The index files are damaged.
    #[error("the index at {} is damaged ({detail}); rebuild it by indexing your files into an empty folder", path.display())]
    Corrupted {
        /// The index folder.
        path: PathBuf,
        /// What was found wrong.
        detail: String,
    },
    /// An input file or folder could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// A line of a thesaurus file cannot be read.
    #[error("{0}")]
    Synonyms(crate::thesaurus::LineError),
    /// The run was stopped by its [`crate::Observer`] before it committed:
    /// the index is as it was.
    #[error("the run was cancelled before it committed; the index is as it was")]
    Cancelled,
    /// A `--map` pair names a column or key that none of the run's CSV or
    /// JSONL files has.
    #[error(
        "--map {field}={column}: no file has a column or key named {column:?}; {}",
        names_found(found)
    )]
    UnknownColumn {
        /// The article field mapped.
        field: String,
        /// The column or key as given.
        column: String,
        /// The columns and keys the files do have, in the order first met.
        found: Vec<String>,
    },
    /// An error inside the tantivy index engine.
    #[error("index engine: {0}")]
    Engine(#[from] tantivy::TantivyError),
}

/// `Result` with hpsearch's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `; did you mean "A" or "B"?` for these suggestions, or nothing.
fn did_you_mean(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        return String::new();
    }
    let quoted: Vec<String> = suggestions.iter().map(|s| format!("{s:?}")).collect();
    format!("; did you mean {}?", quoted.join(" or "))
}

/// `the files have: a, b, c` (at most 30 names), or that they have none.
fn names_found(names: &[String]) -> String {
    const SHOWN: usize = 30;
    if names.is_empty() {
        return "the files have no header row or keys that could be read".into();
    }
    let mut list: Vec<String> = names.iter().take(SHOWN).map(|n| format!("{n:?}")).collect();
    if names.len() > SHOWN {
        list.push(format!("and {} more", names.len() - SHOWN));
    }
    format!("the files have {}", list.join(", "))
}

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
