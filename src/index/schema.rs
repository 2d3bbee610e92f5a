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

/// The name of each field, the one place it is spelled: columns are read
/// by these names.
pub(crate) mod name {
    pub const ID: &str = "id";
    pub const AKEY: &str = "akey";
    pub const IS_HEAD: &str = "is_head";
    pub const CHASH: &str = "chash";
    pub const PART: &str = "part";
    pub const START: &str = "start";
    pub const END: &str = "end";
    pub const TITLE: &str = "title";
    pub const TITLE_EXACT: &str = "title_exact";
    pub const BODY: &str = "body";
    pub const BODY_EXACT: &str = "body_exact";
    pub const TEXT: &str = "text";
    pub const SOURCE: &str = "source";
    pub const SOURCE_KEY: &str = "source_key";
    pub const DAY: &str = "day";
    pub const ARTICLE: &str = "article";
    pub const CLUSTER: &str = "cluster";
    pub const FILE: &str = "file";
    pub const FSTAMP: &str = "fstamp";
    pub const FHASH: &str = "fhash";
    pub const FGEN: &str = "fgen";
    pub const PARAS: &str = "paras";
    pub const STRIPPED: &str = "stripped";
    pub const SIG: &str = "sig";
}

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
        id: b.add_text_field(name::ID, FAST),
        akey: b.add_u64_field(name::AKEY, indexed_number()),
        is_head: b.add_text_field(name::IS_HEAD, key()),
        chash: b.add_u64_field(name::CHASH, FAST),
        part: b.add_u64_field(name::PART, FAST),
        start: b.add_u64_field(name::START, FAST),
        end: b.add_u64_field(name::END, FAST),
        title: b.add_text_field(name::TITLE, text(analysis::STEMMED)),
        title_exact: b.add_text_field(name::TITLE_EXACT, text(analysis::EXACT)),
        body: b.add_text_field(name::BODY, text(analysis::STEMMED)),
        body_exact: b.add_text_field(name::BODY_EXACT, text(analysis::EXACT)),
        text: b.add_text_field(
            name::TEXT,
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(analysis::STEMMED)
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
        source: b.add_text_field(name::SOURCE, key() | FAST),
        source_key: b.add_text_field(name::SOURCE_KEY, key()),
        day: b.add_i64_field(name::DAY, indexed_number()),
        article: b.add_bytes_field(name::ARTICLE, STORED),
        cluster: b.add_u64_field(name::CLUSTER, FAST),
        file: b.add_text_field(name::FILE, key() | FAST),
        fstamp: b.add_u64_field(name::FSTAMP, FAST),
        fhash: b.add_u64_field(name::FHASH, FAST),
        fgen: b.add_u64_field(name::FGEN, FAST),
        paras: b.add_u64_field(name::PARAS, FAST),
        stripped: b.add_u64_field(name::STRIPPED, FAST),
        sig: b.add_bytes_field(name::SIG, FAST),
    };
    (b.build(), fields)
}

impl Fields {
    /// Field handles of an existing schema, or `None` if a field is missing.
    pub fn from_schema(schema: &Schema) -> Option<Fields> {
        let f = |name: &str| schema.get_field(name).ok();
        Some(Fields {
            id: f(name::ID)?,
            akey: f(name::AKEY)?,
            is_head: f(name::IS_HEAD)?,
            chash: f(name::CHASH)?,
            part: f(name::PART)?,
            start: f(name::START)?,
            end: f(name::END)?,
            title: f(name::TITLE)?,
            title_exact: f(name::TITLE_EXACT)?,
            body: f(name::BODY)?,
            body_exact: f(name::BODY_EXACT)?,
            text: f(name::TEXT)?,
            source: f(name::SOURCE)?,
            source_key: f(name::SOURCE_KEY)?,
            day: f(name::DAY)?,
            article: f(name::ARTICLE)?,
            cluster: f(name::CLUSTER)?,
            file: f(name::FILE)?,
            fstamp: f(name::FSTAMP)?,
            fhash: f(name::FHASH)?,
            fgen: f(name::FGEN)?,
            paras: f(name::PARAS)?,
            stripped: f(name::STRIPPED)?,
            sig: f(name::SIG)?,
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
