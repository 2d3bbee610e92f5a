//! The library's error type. Every fallible public function returns
//! [`crate::Result`]; the variants say what went wrong and where, so the CLI
//! can print them as they are.

use std::path::PathBuf;

/// Everything that can go wrong inside hpsearch.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The query text could not be read. `position` is a byte offset into the query.
    #[error("cannot read the query at position {position}: {message}\n  {query}\n  {caret}", caret = caret(*position, query))]
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
    #[error("the index at {} is busy: another `hpsearch index` run is writing to it; wait for it to finish", .0.display())]
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
    /// An error inside the tantivy index engine.
    #[error("index engine: {0}")]
    Engine(#[from] tantivy::TantivyError),
}

/// `Result` with hpsearch's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

fn caret(position: usize, query: &str) -> String {
    // Column counted in characters so the caret sits under the right character.
    let col = query
        .char_indices()
        .take_while(|(i, _)| *i < position)
        .count();
    format!("{}^", " ".repeat(col))
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
