//! The values hpsearch passes around and prints: articles going in, search
//! requests and results coming out. All are plain data and serde-serialisable;
//! the JSON printer of the CLI writes [`SearchResults`] as it is.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::date::Date;

/// Version of the JSON shape of [`SearchResults`]; bumped on any change that
/// could break a reader.
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// One article: the unit people collect, filter and count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Stable identifier: the one the input gave, else a hash of the content.
    pub id: String,
    /// The headline (never empty: a title is found or made when none is given).
    pub title: String,
    /// The outlet (`The Guardian`, `Unison`), if known.
    pub source: Option<String>,
    /// The source as the file or the run named it, when the outlet table or
    /// `--outlet` gave the article another (`well.blogs.nytimes.com` for
    /// The New York Times); `hpsearch sources` shows these merges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_as_given: Option<String>,
    /// The publication day, if known.
    pub date: Option<Date>,
    /// The web address, if known.
    pub url: Option<String>,
    /// Who wrote it, if known.
    #[serde(default)]
    pub author: Option<String>,
    /// The file the article came from, if any.
    pub path: Option<String>,
    /// 1-based line of the file, for formats with one article per line.
    pub line: Option<u64>,
    /// The body text, without the metadata that was read out of it.
    pub text: String,
}

impl Article {
    /// An article with the given title and body and no other metadata. Its
    /// id is left empty: unless one is set, the article gets an id derived
    /// from its title and text as they are when it is written
    /// ([`crate::Writer::add_article`]; see [`Article::content_id`]), so
    /// editing the text after `new` is never left behind by a stale id.
    ///
    /// ```
    /// let mut a = hpsearch::Article::new("Nurses vote to strike", "Members of the RCN voted...");
    /// assert!(a.id.is_empty());
    /// a.text.push_str(" by a large majority.");
    /// assert_eq!(a.content_id().len(), 16);
    /// ```
    pub fn new(title: impl Into<String>, text: impl Into<String>) -> Article {
        let title = title.into();
        let text = text.into();
        Article {
            id: String::new(),
            title,
            source: None,
            source_as_given: None,
            date: None,
            url: None,
            author: None,
            path: None,
            line: None,
            text,
        }
    }
}

impl Article {
    /// The id an article without one gets when it is written: a hash of
    /// its whitespace-normalised title and text, as 16 hex digits.
    pub fn content_id(&self) -> String {
        content_id(&self.title, &self.text)
    }
}

/// A hash of the whitespace-normalised title and text, as 16 hex digits.
pub(crate) fn content_id(title: &str, text: &str) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for part in [title, text] {
        for word in part.split_whitespace() {
            h.update(word.as_bytes());
            h.update(b" ");
        }
        h.update(b"\x00");
    }
    format!("{:016x}", h.digest())
}

/// Something in the input that hpsearch read around: the file (and line) and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// The file the warning is about.
    pub path: PathBuf,
    /// The line (JSONL) or row (CSV), when it is one of several articles of the file.
    pub line: Option<u64>,
    /// What was wrong and what was done about it.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path.display(), line, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// Order of search hits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// Newest first; undated articles last; ties by relevance.
    Date,
}

/// How the query text is read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Syntax {
    /// The query language: words, `"phrases"`, `+required`, `-excluded`,
    /// `OR`, parentheses, `title:` and `source:`.
    #[default]
    Query,
    /// Natural-language text: every word is a plain ranked word and
    /// punctuation is just text, never an operator.
    Plain,
}

/// Which articles plain words match.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Words {
    /// Articles with every plain word (or one of its other names): what
    /// the count of a search means.
    #[default]
    All,
    /// Articles with any of them, best first: for natural-language text.
    Any,
}

/// A search: the query and everything that narrows or shapes the results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchRequest {
    /// The query text (see the README for its syntax).
    pub query: String,
    /// How the query text is read.
    pub syntax: Syntax,
    /// Whether an article must have every plain word, or any of them.
    pub words: Words,
    /// Also search the other names of a name the query uses, from the
    /// thesaurus (`Obamacare` for `Affordable Care Act`), weighted below the
    /// name typed. On by default.
    pub expand: bool,
    /// With `expand`, also the names that came before or after it
    /// (`PCT`, `CCG` and `ICB`: England's commissioners over the years).
    pub successors: bool,
    /// Keep articles from any of these sources (case-insensitive).
    pub sources: Vec<String>,
    /// Drop articles from these sources.
    pub exclude_sources: Vec<String>,
    /// Keep articles dated on or after this day (undated articles are left
    /// out, and counted in [`SearchResults::undated_left_out`], unless
    /// `with_undated`).
    pub since: Option<Date>,
    /// Keep articles dated on or before this day (as `since`).
    pub until: Option<Date>,
    /// With a period (`since`, `until`): keep the matching articles that
    /// have no date too, which the period cannot place.
    pub with_undated: bool,
    /// How many articles to return.
    pub limit: usize,
    /// How many of the best articles to skip (for paging).
    pub offset: usize,
    /// Best passages shown per article.
    pub passages: usize,
    /// The order of the hits.
    pub sort: Sort,
    /// Fill hits with only `id` and `score` (no title, metadata or
    /// passages): the fastest form, for scripts and evaluation.
    pub ids_only: bool,
    /// Re-rank with words the best first-round articles share
    /// (pseudo-relevance feedback). It only reorders articles that match.
    pub feedback: bool,
    /// Show each story once: copies of one story (syndicated to several
    /// outlets, or re-published with small edits) become one hit, the best
    /// one, with the others listed in [`Hit::also_in`]. Counts and facets
    /// still include every copy. On by default.
    pub collapse: bool,
}

impl SearchRequest {
    /// Keeps articles dated from the first day of `since` to the last day of
    /// `until` (either may be open).
    pub fn period(&mut self, since: Option<crate::Period>, until: Option<crate::Period>) {
        self.since = since.map(crate::Period::first);
        self.until = until.map(crate::Period::last);
    }
}

impl Default for SearchRequest {
    fn default() -> SearchRequest {
        SearchRequest {
            query: String::new(),
            syntax: Syntax::Query,
            words: Words::All,
            expand: true,
            successors: false,
            sources: Vec::new(),
            exclude_sources: Vec::new(),
            since: None,
            until: None,
            with_undated: false,
            limit: 10,
            offset: 0,
            passages: 2,
            sort: Sort::Relevance,
            ids_only: false,
            feedback: true,
            collapse: true,
        }
    }
}

impl SearchRequest {
    /// A request for `query` with default settings.
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            ..SearchRequest::default()
        }
    }
}

/// What a search found. Serialised as the `--json` document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// [`JSON_SCHEMA_VERSION`].
    pub schema: u32,
    /// The query as given.
    pub query: String,
    /// All matching articles, not only those on this page, every copy of a
    /// story counted: with [`Words::All`], those with every word.
    pub total_articles: u64,
    /// Articles with some of the query's words but not all (with
    /// [`Words::All`]): not counted in `total_articles` nor in the facets,
    /// but ranked with the articles counted, each hit of them marked with
    /// what it lacks ([`Hit::missing`]).
    #[serde(default)]
    pub more_articles: u64,
    /// Articles that match but have no date, left out by the period
    /// (`since`/`until`; 0 with `with_undated`, or without a period).
    #[serde(default)]
    pub undated_left_out: u64,
    /// Matching articles shown only in another hit's [`Hit::also_in`]
    /// because they are copies of its story (0 without collapsing).
    #[serde(default)]
    pub collapsed: u64,
    /// The page's hits, in order.
    pub hits: Vec<Hit>,
    /// Counts over every matching article.
    pub facets: Facets,
    /// Things the engine did with the query that a reader should know about,
    /// such as common words left out of the ranking.
    pub notices: Vec<String>,
    /// What the articles counted match: every plain word, or (when no
    /// article has them all, or when asked) any of them.
    #[serde(default)]
    pub words: Words,
    /// The other names searched for names in the query (from the thesaurus).
    #[serde(default)]
    pub also_searched: Vec<AlsoSearched>,
    /// Words of the query that match few articles or none, with a close
    /// spelling that matches many more. Never applied: a suggestion.
    #[serde(default)]
    pub suggestions: Vec<Suggestion>,
}

/// A name of the query and the other names searched with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlsoSearched {
    /// The name as typed.
    pub typed: String,
    /// Its other names, as the thesaurus writes them.
    pub names: Vec<String>,
}

/// A word of the query and a spelling the index knows better.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The word as typed.
    pub word: String,
    /// The close spelling, as the index holds it (lower case).
    pub suggestion: String,
    /// Articles with the word as typed.
    pub word_articles: u64,
    /// Articles with the suggestion.
    pub articles: u64,
}

/// One matching article with its best passages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// The article's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Byte ranges in `title` of the matched words, sorted, not
    /// overlapping (empty with `ids_only`).
    #[serde(default)]
    pub title_highlights: Vec<[usize; 2]>,
    /// Its source (outlet), if known.
    pub source: Option<String>,
    /// Its date, if known.
    pub date: Option<Date>,
    /// The file it came from (an absolute path), if any.
    pub path: Option<String>,
    /// Its line (JSONL) or row (CSV) in that file, if any.
    pub line: Option<u64>,
    /// Its web address, if known.
    pub url: Option<String>,
    #[serde(default)]
    /// Its author, if known.
    pub author: Option<String>,
    /// The article's score (higher is better; comparable within one search only).
    pub score: f32,
    /// Its best passages, best first.
    pub passages: Vec<PassageHit>,
    /// Other matching copies of this story, in result order: the same
    /// report from other outlets, or re-published with small edits.
    #[serde(default)]
    pub also_in: Vec<OtherCopy>,
    /// The words, phrases and names of the query the article does not
    /// hold, as typed (empty when it holds them all): a hit listed after
    /// the articles with every word, or among them when it is much better
    /// evidence. Only with [`Words::All`]; not counted in
    /// [`SearchResults::total_articles`].
    #[serde(default)]
    pub missing: Vec<String>,
}

/// A copy of a hit's story that is not shown as a hit of its own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OtherCopy {
    /// The copy's id.
    pub id: String,
    /// Its source, if known.
    pub source: Option<String>,
    /// Its date, if known.
    pub date: Option<Date>,
}

/// A passage of an article and where the query matched in it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PassageHit {
    /// The passage's text.
    pub text: String,
    /// Its score (BM25 of the query's words in it).
    pub score: f32,
    /// Byte range of the passage in the article's text.
    pub start: usize,
    /// End of the byte range.
    pub end: usize,
    /// Byte ranges in `text` of the matched words, sorted, not overlapping.
    pub highlights: Vec<[usize; 2]>,
}

/// Counts over every matching article, each article counted once.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Facets {
    /// Articles per source, most first.
    pub sources: Vec<FacetCount>,
    /// Articles per calendar month (`YYYY-MM`), in date order.
    pub months: Vec<FacetCount>,
    /// Matching articles with no date: with `months`, they add up to the
    /// number of matching articles.
    pub undated: u64,
    /// Matching articles with no source: with `sources`, they add up to the
    /// number of matching articles.
    #[serde(default)]
    pub unknown_source: u64,
}

/// The length of a timeline's intervals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    /// Calendar years.
    Year,
    /// Calendar months.
    Month,
    /// Weeks from Monday, named by their Monday.
    Week,
    /// Days.
    Day,
}

impl Interval {
    /// Its name, as JSON writes it: `year`, `month`, `week` or `day`.
    pub fn name(self) -> &'static str {
        match self {
            Interval::Year => "year",
            Interval::Month => "month",
            Interval::Week => "week",
            Interval::Day => "day",
        }
    }
}

/// What [`crate::Index::timeline`] counts: the articles a search matches
/// (its query and filters; paging, order and passages play no part), per
/// interval, and with `by_source` per source too.
#[derive(Clone, Debug)]
pub struct TimelineRequest {
    /// The query and filters whose matches are counted.
    pub search: SearchRequest,
    /// `None`: years when the matches span more than three years, else months.
    pub interval: Option<Interval>,
    /// One row per source as well as the totals.
    pub by_source: bool,
    /// With `by_source`: the sources with the most matches get a row each,
    /// the rest one row together; 0 for every source.
    pub top: usize,
}

impl TimelineRequest {
    /// A request for `query`'s matches, by the interval that suits their span, without rows by source.
    pub fn new(query: impl Into<String>) -> TimelineRequest {
        TimelineRequest {
            search: SearchRequest::new(query),
            interval: None,
            by_source: false,
            top: 0,
        }
    }
}

/// Counts of matching articles per interval, zero-filled from the first
/// interval to the last (those of `since` and `until` when given, else of
/// the first and last match).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// The JSON schema version ([`JSON_SCHEMA_VERSION`]).
    pub schema: u32,
    /// The query as given.
    pub query: String,
    /// The length of each interval.
    pub interval: Interval,
    /// Each interval's name: `2014`, `2014-03`, or a day (`2014-03-03`;
    /// for weeks, their Monday).
    pub intervals: Vec<String>,
    /// Matching articles per interval.
    pub counts: Vec<u64>,
    /// With `by_source`, one row per source, most matches first, then the
    /// other sources together and the articles with no source; the rows add
    /// up to `counts`.
    pub rows: Vec<TimelineRow>,
    /// Matching articles with no date (in no interval).
    pub undated: u64,
    /// Articles that match but have no date, left out by the period, as in
    /// [`SearchResults::undated_left_out`].
    #[serde(default)]
    pub undated_left_out: u64,
    /// Every matching article: `counts` and `undated` add up to it, and it
    /// equals the search's `total_articles`.
    pub total_articles: u64,
    /// What was left out of the query, and why.
    pub notices: Vec<String>,
    /// The other names counted with names of the query, as in
    /// [`SearchResults::also_searched`].
    #[serde(default)]
    pub also_searched: Vec<AlsoSearched>,
}

/// One source's counts in a [`Timeline`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineRow {
    /// The source; [`UNKNOWN_SOURCE`] or [`OTHER_SOURCES`] for those rows.
    pub source: String,
    /// The row of the articles with no source.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unknown: bool,
    /// The row of the sources beyond `top`, together.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub others: bool,
    /// Its matching articles per interval.
    pub counts: Vec<u64>,
    /// Its dated articles: the sum of `counts`.
    pub total: u64,
}

/// How the row of the sources beyond a timeline's `top` is named.
pub const OTHER_SOURCES: &str = "(other sources)";

/// A facet value and how many articles have it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCount {
    /// The source name or month (`YYYY-MM`).
    pub value: String,
    /// Matching articles with that value.
    pub count: u64,
    /// The bucket of articles with no source (in [`crate::Index::sources`]
    /// only), shown as [`UNKNOWN_SOURCE`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unknown: bool,
}

/// A source name as files gave it, counted under another name
/// ([`crate::Index::merged_sources`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergedSource {
    /// The source it is counted under, as [`crate::Index::sources`] names it.
    pub source: String,
    /// The name as given (`well.blogs.nytimes.com`).
    pub given: String,
    /// Articles that gave it.
    pub count: u64,
}

/// How the bucket of articles with no source is shown.
pub const UNKNOWN_SOURCE: &str = "(unknown source)";

/// What an index holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndexStats {
    /// The index folder.
    pub path: PathBuf,
    /// Articles indexed.
    pub articles: u64,
    /// Passages over all articles.
    pub passages: u64,
    /// Distinct sources.
    pub sources: u64,
    /// Articles with no date.
    pub undated: u64,
    /// The earliest date of an article.
    pub first_date: Option<Date>,
    /// The latest date of an article.
    pub last_date: Option<Date>,
    /// Bytes on disk.
    pub size_bytes: u64,
    /// tantivy segments.
    pub segments: usize,
    /// Documents of replaced or removed articles that the segments still
    /// hold until a merge reclaims them (merges after a run keep them under
    /// a fifth of each segment).
    #[serde(default)]
    pub deleted_documents: u64,
    /// Files the articles came from.
    pub files: u64,
    /// Articles that are copies of another article's story (near-duplicates):
    /// searches show them under that article's hit.
    pub duplicates: u64,
    /// Stories with more than one copy.
    pub duplicate_groups: u64,
    /// Distinct boilerplate paragraphs: repeated verbatim in three or more
    /// articles of one source, and kept out of passages.
    pub boilerplate: u64,
    /// Paragraphs kept out of passages as boilerplate, over all articles.
    pub stripped: u64,
    /// Articles removed with `rm` whose files have not changed since: they
    /// stay out when those files are indexed again.
    #[serde(default)]
    pub kept_out: u64,
    /// What the last indexing run (or `rm`) did, if the index records it.
    pub last_run: Option<IndexSummary>,
}

/// What one indexing run did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IndexSummary {
    /// Articles new to the index.
    pub added: u64,
    /// Articles indexed before with other content (same id, or the same
    /// single-article file): replaced.
    pub updated: u64,
    /// Articles already indexed with the same content: left alone.
    pub unchanged: u64,
    /// Articles taken out: their file no longer holds them, their file is
    /// gone (with pruning), or they were removed by id.
    pub removed: u64,
    /// Articles skipped: a repeated id within this run, or nothing to index.
    pub skipped: u64,
    /// Articles written in this run that are copies of another article's
    /// story (near-duplicates), shown under that article in searches.
    pub collapsed: u64,
    /// Boilerplate paragraphs kept out of the passages of the articles
    /// written in this run.
    pub stripped: u64,
    /// Articles indexed earlier whose passages were rebuilt because a
    /// paragraph of theirs became boilerplate, or stopped being boilerplate.
    pub rebuilt: u64,
    /// Files read.
    pub files: u64,
    /// Files passed over unread because they have not changed since they
    /// were indexed.
    pub unchanged_files: u64,
    /// Files read again, although unchanged, because this run's options
    /// (`--source`, `--date`, `--map`, `--outlet`, `--source-from-dir`)
    /// differ from those they were indexed with; their articles are
    /// counted as updated where the options changed them.
    pub options_changed_files: u64,
    /// Notes about a data set (`README.md`, `SOURCE.md`...) found in a
    /// folder beside its CSV or JSONL files, passed over: they describe the
    /// data rather than report anything. Naming one as a path indexes it.
    pub notes: Vec<String>,
    /// Files passed over because their type is not one hpsearch reads.
    pub ignored_files: u64,
    /// Those files by extension, lower-cased (`pdf`, `docx`; the empty
    /// string for files without one), so a folder of exports that holds
    /// nothing hpsearch reads says what it does hold.
    pub ignored_types: std::collections::BTreeMap<String, u64>,
    /// Keys of JSONL lines that hpsearch does not read, with the number of
    /// lines holding each. Reported here rather than as warnings: exports
    /// carry extra fields as a matter of course, and `--strict` must accept
    /// them.
    pub unread_fields: std::collections::BTreeMap<String, u64>,
    /// Warnings issued (each was also passed to the observer).
    pub warnings: u64,
    /// Passages written.
    pub passages: u64,
    /// Bytes of input read.
    pub bytes: u64,
    /// Bytes of title and text of the articles added or updated.
    pub text_bytes: u64,
    /// Wall time of the run up to its commit: every segment written, the
    /// commit point about to be (the same in the returned summary and in
    /// [`IndexStats::last_run`]).
    pub seconds: f64,
}

impl IndexSummary {
    /// Input throughput in MB/s.
    pub fn mb_per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.bytes as f64 / 1e6 / self.seconds
        } else {
            0.0
        }
    }
}
