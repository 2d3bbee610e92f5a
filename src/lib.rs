//! # hpsearch
//!
//! Full-text search for collections of health-policy articles: news reports,
//! op-eds, press releases and union papers. It finds the *passage* that says
//! something, narrows by outlet and period, and counts matching articles per
//! outlet and per month.
//!
//! ```no_run
//! use hpsearch::{Index, IngestOptions, SearchRequest, WriterOptions, write::Quiet};
//!
//! let index = Index::open_or_create("my-index")?;
//! let mut writer = index.writer(&WriterOptions::default())?;
//! writer.add_paths(&["articles/".into()], &IngestOptions::default(), &Quiet)?;
//! let summary = writer.commit()?;
//! println!("{} articles added", summary.added);
//!
//! let mut request = SearchRequest::new("\"junior doctors\" +strike");
//! request.sources = vec!["The Guardian".into()];
//! let results = index.search(&request)?;
//! for hit in &results.hits {
//!     println!("{:.2} {} ({})", hit.score, hit.title, hit.id);
//! }
//! for source in &results.facets.sources {
//!     println!("{}: {}", source.value, source.count);
//! }
//! # Ok::<(), hpsearch::Error>(())
//! ```
//!
//! The flow is one-way, a folder per stage: [`ingest`] (files to
//! [`Article`]s) -> [`write`] (analysis, passages, copies, boilerplate, one
//! commit) -> the index (tantivy) -> [`search`] (query, ranking, facets,
//! highlights) -> [`SearchResults`].

#![warn(missing_docs)]

pub mod analysis;
pub mod date;
mod error;
pub mod eval;
mod index;
pub mod ingest;
mod model;
pub mod search;
pub mod thesaurus;
pub mod write;

pub use search::query;
pub use write::passage;

pub use date::{Date, Period};
pub use error::{Error, Result};
pub use index::Index;
pub use ingest::IngestOptions;
pub use model::{
    AlsoSearched, Article, FacetCount, Facets, Hit, IndexStats, IndexSummary, Interval,
    JSON_SCHEMA_VERSION, MergedSource, OTHER_SOURCES, OtherCopy, PassageHit, SearchRequest,
    SearchResults, Sort, Suggestion, Syntax, Timeline, TimelineRequest, TimelineRow,
    UNKNOWN_SOURCE, Warning, Words,
};
pub use write::{Observer, Outcome, Phase, Writer, WriterOptions};
