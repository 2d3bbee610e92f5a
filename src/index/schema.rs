//! The tantivy schema. Every tantivy document is one passage; the first
//! passage of an article (its *head*) also stores the whole article as JSON
//! and carries the fields that describe the article once: `head`, `chash`,
//! the file it came from (`file`, `fstamp`, `fhash`, `fgen`), its paragraph
//! fingerprints (`paras`, `stripped`) and its MinHash signature (`sig`).
//! Keeping one kind of document means BM25 statistics are those of passages
//! alone and filters need no extra clause.

use tantivy::schema::{
    FAST, IndexRecordOption, NumericOptions, STORED, Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis;

/// Version of the on-disk layout and of the analysis that wrote its terms;
/// an index of another version is refused.
pub const FORMAT_VERSION: u32 = 7;

/// Handles to every field of the schema.
#[derive(Clone, Debug)]
pub struct Fields {
    /// Article id, on every passage, as a column only (lookups go through
    /// `akey`).
    pub id: tantivy::schema::Field,
    /// 64-bit hash of the id: names an article across segments and builds
    /// (lookups by id, ties in ranking); indexed, so one delete removes an
    /// article.
    pub akey: tantivy::schema::Field,
    /// The term [`HEAD_MARK`] on head passages only: its document frequency
    /// is the number of articles, for article-level BM25 statistics.
    pub is_head: tantivy::schema::Field,
    /// Hash of the article's content, on heads only: change detection.
    pub chash: tantivy::schema::Field,
    /// The passage's number in its article, the head's 0: a passage's
    /// head is that many documents before it (an article's passages are
    /// consecutive), so passages group into articles by a small number
    /// rather than by their 64-bit `akey`.
    pub part: tantivy::schema::Field,
    /// Byte range of the passage in the article text.
    pub start: tantivy::schema::Field,
    pub end: tantivy::schema::Field,
    pub title: tantivy::schema::Field,
    pub title_exact: tantivy::schema::Field,
    pub body: tantivy::schema::Field,
    pub body_exact: tantivy::schema::Field,
    /// The whole article text, on heads only, without positions: the
    /// article-level evidence that ranks beside the best passages.
    pub text: tantivy::schema::Field,
    /// Source as written, for facets.
    pub source: tantivy::schema::Field,
    /// Source folded to lower case, for filters.
    pub source_key: tantivy::schema::Field,
    /// Date as `YYYYMMDD`.
    pub day: tantivy::schema::Field,
    /// The whole article as JSON, on heads only.
    pub article: tantivy::schema::Field,
    /// Cluster label, on every passage: copies of one story share it
    /// (see `neardup`).
    pub cluster: tantivy::schema::Field,
    /// The source file's absolute path, on heads of articles read from files.
    pub file: tantivy::schema::Field,
    /// Hash of the file's size and modification time when it was read.
    pub fstamp: tantivy::schema::Field,
    /// Hash of the file's bytes when it was read.
    pub fhash: tantivy::schema::Field,
    /// Number of the run that wrote this head: the newest head of a file
    /// holds the file's state as last read.
    pub fgen: tantivy::schema::Field,
    /// Fingerprints of the article's paragraphs (multi-valued, heads only).
    pub paras: tantivy::schema::Field,
    /// The fingerprints left out of its passages as boilerplate.
    pub stripped: tantivy::schema::Field,
    /// MinHash signature (see `neardup`), on heads only.
    pub sig: tantivy::schema::Field,
}

fn text(tokenizer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// A key matched whole (a filter, a lookup, a count), never scored: no
/// length norms, which would take a byte per passage.
fn key() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_fieldnorms(false)
            .set_index_option(IndexRecordOption::Basic),
    )
}

/// A number searched by value or range, also a column: no length norms.
fn indexed_number() -> NumericOptions {
    NumericOptions::default().set_indexed().set_fast()
}

/// Builds the schema and the field handles.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        id: b.add_text_field("id", FAST),
        akey: b.add_u64_field("akey", indexed_number()),
        is_head: b.add_text_field("is_head", key()),
        chash: b.add_u64_field("chash", FAST),
        part: b.add_u64_field("part", FAST),
        start: b.add_u64_field("start", FAST),
        end: b.add_u64_field("end", FAST),
        title: b.add_text_field("title", text(analysis::STEMMED)),
        title_exact: b.add_text_field("title_exact", text(analysis::EXACT)),
        body: b.add_text_field("body", text(analysis::STEMMED)),
        body_exact: b.add_text_field("body_exact", text(analysis::EXACT)),
        text: b.add_text_field(
            "text",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(analysis::STEMMED)
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
        source: b.add_text_field("source", key() | FAST),
        source_key: b.add_text_field("source_key", key()),
        day: b.add_i64_field("day", indexed_number()),
        article: b.add_bytes_field("article", STORED),
        cluster: b.add_u64_field("cluster", FAST),
        file: b.add_text_field("file", key() | FAST),
        fstamp: b.add_u64_field("fstamp", FAST),
        fhash: b.add_u64_field("fhash", FAST),
        fgen: b.add_u64_field("fgen", FAST),
        paras: b.add_u64_field("paras", FAST),
        stripped: b.add_u64_field("stripped", FAST),
        sig: b.add_bytes_field("sig", FAST),
    };
    (b.build(), fields)
}

impl Fields {
    /// Field handles of an existing schema, or `None` if a field is missing.
    pub fn from_schema(schema: &Schema) -> Option<Fields> {
        let f = |name: &str| schema.get_field(name).ok();
        Some(Fields {
            id: f("id")?,
            akey: f("akey")?,
            is_head: f("is_head")?,
            chash: f("chash")?,
            part: f("part")?,
            start: f("start")?,
            end: f("end")?,
            title: f("title")?,
            title_exact: f("title_exact")?,
            body: f("body")?,
            body_exact: f("body_exact")?,
            text: f("text")?,
            source: f("source")?,
            source_key: f("source_key")?,
            day: f("day")?,
            article: f("article")?,
            cluster: f("cluster")?,
            file: f("file")?,
            fstamp: f("fstamp")?,
            fhash: f("fhash")?,
            fgen: f("fgen")?,
            paras: f("paras")?,
            stripped: f("stripped")?,
            sig: f("sig")?,
        })
    }
}

/// The value of [`Fields::is_head`].
pub const HEAD_MARK: &str = "1";

/// The key a source is filtered by: case and spacing folded.
pub fn source_key(source: &str) -> String {
    source
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// 64-bit key of an article id.
pub fn article_key(id: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(id.as_bytes())
}

/// The key articles are grouped by: their source folded as filters fold it
/// (an article with no source is in a group of its own kind).
pub(crate) fn source_group(source: Option<&str>) -> u64 {
    match source {
        Some(s) => xxhash_rust::xxh3::xxh3_64(source_key(s).as_bytes()).max(1),
        None => 0,
    }
}
