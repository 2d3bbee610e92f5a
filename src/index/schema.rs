//! The tantivy schema. Every tantivy document is one article: its title and
//! text, stemmed with positions and as written (only which articles hold
//! each word); the byte ranges of its
//! passages (boilerplate left out) as a column; the whole article as stored
//! JSON; and the columns that describe it: `chash`, the file it came from
//! (`file`, `fstamp`, `fhash`, `fgen`, `fopts`), its paragraph fingerprints (`paras`,
//! `stripped`) and its MinHash signature (`sig`). BM25 statistics are those
//! of articles, and a query scores each article once.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use tantivy::schema::{
    FAST, IndexRecordOption, NumericOptions, STORED, Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis;

/// Version of the on-disk layout and of the analysis that wrote its terms;
/// an index of another version is refused.
pub const FORMAT_VERSION: u32 = 13;

/// The name of each field, the one place it is spelled: columns are read
/// by these names.
pub(crate) mod name {
    pub const ID: &str = "id";
    pub const AKEY: &str = "akey";
    pub const CHASH: &str = "chash";
    pub const PASSAGES: &str = "passages";
    pub const FIRSTS: &str = "firsts";
    pub const TITLE: &str = "title";
    pub const TITLE_EXACT: &str = "title_exact";
    pub const TEXT: &str = "text";
    pub const TEXT_EXACT: &str = "text_exact";
    pub const SOURCE: &str = "source";
    pub const SOURCE_KEY: &str = "source_key";
    pub const SOURCE_GIVEN: &str = "source_given";
    pub const DAY: &str = "day";
    pub const ARTICLE: &str = "article";
    pub const CLUSTER: &str = "cluster";
    pub const FILE: &str = "file";
    pub const FSTAMP: &str = "fstamp";
    pub const FHASH: &str = "fhash";
    pub const FGEN: &str = "fgen";
    pub const FOPTS: &str = "fopts";
    pub const PARAS: &str = "paras";
    pub const STRIPPED: &str = "stripped";
    pub const SIG: &str = "sig";
    pub const GONE: &str = "gone";
}

/// Handles to every field of the schema.
#[derive(Clone, Debug)]
pub struct Fields {
    /// Article id, as a column only (lookups go through `akey`).
    pub id: tantivy::schema::Field,
    /// 64-bit hash of the id: names an article across segments and builds
    /// (lookups by id, ties in ranking); indexed, so one delete removes an
    /// article.
    pub akey: tantivy::schema::Field,
    /// Hash of the article's content: change detection.
    pub chash: tantivy::schema::Field,
    /// The article's passages, boilerplate left out: their byte ranges and
    /// the positions of their first words (see [`encode_passages`]).
    pub passages: tantivy::schema::Field,
    pub firsts: tantivy::schema::Field,
    pub title: tantivy::schema::Field,
    pub title_exact: tantivy::schema::Field,
    /// The article text, stemmed, with positions, boilerplate blanked out:
    /// ranking, and the positions best passages are found from.
    pub text: tantivy::schema::Field,
    /// The same text with the words as written, the articles that hold
    /// each (no counts, no positions): exact words, prefixes, spelling
    /// suggestions, and the words of exact phrases.
    pub text_exact: tantivy::schema::Field,
    /// Source as written, for facets.
    pub source: tantivy::schema::Field,
    /// Source folded to lower case, for filters; also the source as given
    /// where the outlet table renamed it, so filters take either name.
    pub source_key: tantivy::schema::Field,
    /// The source as the file named it, where the outlet table or the
    /// run's `--outlet` pairs renamed it: what `sources` lists as merged.
    pub source_given: tantivy::schema::Field,
    /// Date as `YYYYMMDD`.
    pub day: tantivy::schema::Field,
    /// The whole article as JSON.
    pub article: tantivy::schema::Field,
    /// Cluster label: copies of one story share it (see `neardup`).
    pub cluster: tantivy::schema::Field,
    /// The source file's absolute path, for articles read from files.
    pub file: tantivy::schema::Field,
    /// Hash of the file's size and modification time when it was read.
    pub fstamp: tantivy::schema::Field,
    /// Hash of the file's bytes when it was read.
    pub fhash: tantivy::schema::Field,
    /// Number of the run that wrote this article: the newest article of a
    /// file holds the file's state as last read.
    pub fgen: tantivy::schema::Field,
    /// Hash of the run's options that shaped the file's articles
    /// (`--source`, `--date`, `--map`...), 0 for none: a file read again
    /// under other options is read again.
    pub fopts: tantivy::schema::Field,
    /// Fingerprints of the article's paragraphs (multi-valued).
    pub paras: tantivy::schema::Field,
    /// The fingerprints left out of its passages as boilerplate.
    pub stripped: tantivy::schema::Field,
    /// MinHash signature (see `neardup`).
    pub sig: tantivy::schema::Field,
    /// The key of an article removed with `rm`, on a document of its own
    /// that holds nothing else but its file's state (`file`, `fstamp`,
    /// `fhash`, `fgen`): while that file is unchanged, indexing it again
    /// leaves the article out. Such a mark has no `akey`.
    pub gone: tantivy::schema::Field,
}

fn text(tokenizer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// The words as written: which articles hold each one, without counts or
/// positions. An exact word, a prefix's words and suggestions need no
/// more (an exact word scores as if once in each article that holds it);
/// an exact phrase takes its positions from the stemmed field and is
/// verified against the stored text (see `search::plan::verify`).
fn written(tokenizer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::Basic),
    )
}

/// A key matched whole (a filter, a lookup), never scored: no length norms,
/// which would take a byte per article.
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
        chash: b.add_u64_field(name::CHASH, FAST),
        passages: b.add_u64_field(name::PASSAGES, FAST),
        firsts: b.add_u64_field(name::FIRSTS, FAST),
        title: b.add_text_field(name::TITLE, text(analysis::STEMMED)),
        title_exact: b.add_text_field(name::TITLE_EXACT, written(analysis::EXACT)),
        text: b.add_text_field(name::TEXT, text(analysis::STEMMED)),
        text_exact: b.add_text_field(name::TEXT_EXACT, written(analysis::EXACT)),
        source: b.add_text_field(name::SOURCE, key() | FAST),
        source_key: b.add_text_field(name::SOURCE_KEY, key()),
        source_given: b.add_text_field(name::SOURCE_GIVEN, key() | FAST),
        day: b.add_i64_field(name::DAY, indexed_number()),
        article: b.add_bytes_field(name::ARTICLE, STORED),
        cluster: b.add_u64_field(name::CLUSTER, FAST),
        file: b.add_text_field(name::FILE, key() | FAST),
        fstamp: b.add_u64_field(name::FSTAMP, FAST),
        fhash: b.add_u64_field(name::FHASH, FAST),
        fgen: b.add_u64_field(name::FGEN, FAST),
        fopts: b.add_u64_field(name::FOPTS, FAST),
        paras: b.add_u64_field(name::PARAS, FAST),
        stripped: b.add_u64_field(name::STRIPPED, FAST),
        sig: b.add_bytes_field(name::SIG, FAST),
        gone: b.add_u64_field(name::GONE, indexed_number()),
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
            chash: f(name::CHASH)?,
            passages: f(name::PASSAGES)?,
            firsts: f(name::FIRSTS)?,
            title: f(name::TITLE)?,
            title_exact: f(name::TITLE_EXACT)?,
            text: f(name::TEXT)?,
            text_exact: f(name::TEXT_EXACT)?,
            source: f(name::SOURCE)?,
            source_key: f(name::SOURCE_KEY)?,
            source_given: f(name::SOURCE_GIVEN)?,
            day: f(name::DAY)?,
            article: f(name::ARTICLE)?,
            cluster: f(name::CLUSTER)?,
            file: f(name::FILE)?,
            fstamp: f(name::FSTAMP)?,
            fhash: f(name::FHASH)?,
            fgen: f(name::FGEN)?,
            fopts: f(name::FOPTS)?,
            paras: f(name::PARAS)?,
            stripped: f(name::STRIPPED)?,
            sig: f(name::SIG)?,
            gone: f(name::GONE)?,
        })
    }
}

/// A passage as the `passages` column holds it: its byte range in the
/// article text and the position (as the analyzer numbers words in `text`)
/// of its first word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PassageSpan {
    pub bytes: std::ops::Range<usize>,
    pub first: u32,
}

/// The values of the `passages` and `firsts` columns for these passages:
/// each passage's byte range as one number (start in the high 32 bits), and
/// the position of its first word. Both rise from passage to passage, so
/// sorted (as a column may hand them back) they still pair up.
pub(crate) fn encode_passages(spans: &[PassageSpan]) -> (Vec<u64>, Vec<u64>) {
    spans
        .iter()
        .map(|p| {
            (
                ((p.bytes.start as u64) << 32) | (p.bytes.end as u64 & 0xFFFF_FFFF),
                u64::from(p.first),
            )
        })
        .unzip()
}

/// The passages of [`encode_passages`]'s values, in order.
pub(crate) fn decode_passages(
    ranges: impl Iterator<Item = u64>,
    firsts: impl Iterator<Item = u64>,
) -> Vec<PassageSpan> {
    let mut ranges: Vec<u64> = ranges.collect();
    let mut firsts: Vec<u64> = firsts.collect();
    ranges.sort_unstable();
    firsts.sort_unstable();
    ranges
        .into_iter()
        .zip(firsts)
        .map(|(r, first)| PassageSpan {
            bytes: (r >> 32) as usize..(r & 0xFFFF_FFFF) as usize,
            first: first as u32,
        })
        .collect()
}

/// The `passages` and `firsts` columns of one segment.
pub(crate) struct PassageColumns {
    ranges: tantivy::columnar::Column<u64>,
    firsts: tantivy::columnar::Column<u64>,
}

impl PassageColumns {
    pub fn open(reader: &tantivy::SegmentReader) -> tantivy::Result<PassageColumns> {
        let ff = reader.fast_fields();
        Ok(PassageColumns {
            ranges: ff.u64(name::PASSAGES)?,
            firsts: ff.u64(name::FIRSTS)?,
        })
    }

    /// The passages of the article at `doc`.
    pub fn of(&self, doc: tantivy::DocId) -> Vec<PassageSpan> {
        decode_passages(
            self.ranges.values_for_doc(doc),
            self.firsts.values_for_doc(doc),
        )
    }
}

/// The key a source is filtered by: case and spacing folded.
pub fn source_key(source: &str) -> String {
    source
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Article keys and near-duplicate band keys are already uniform, and
/// cluster labels unique: one multiplication spreads a label's bits over
/// the 64 (the table reads the top bits too), where a full hash would be
/// wasted work.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// A map keyed by article keys (or cluster labels), hashed by [`KeyHasher`].
pub(crate) type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;
/// A set of article keys (or cluster labels), hashed by [`KeyHasher`].
pub(crate) type KeySet = HashSet<u64, BuildHasherDefault<KeyHasher>>;

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
