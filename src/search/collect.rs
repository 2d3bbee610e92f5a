//! The one scoring pass: every article the query matches, scored once
//! (BM25 over title and text, with statistics over articles), with what
//! counting, ranking and collapsing need from its columns: source ordinal,
//! date, cluster. Articles come in index order, one list that each segment
//! appends to. An article's 64-bit key (the hash of its id) is read only
//! where the order of the index must not show: ties in ranking
//! ([`ArticleKeys`]).

use std::cell::RefCell;
use std::num::NonZeroU32;

use rustc_hash::FxHashMap;

use super::rank::{ANY_KEYWORDS, HOLDING_POWER, KEYWORDS};
use crate::index::schema::name;
use crate::model::Words;
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, DocId, DocSet, Score, SegmentOrdinal, SegmentReader};

/// What is known about one matching article.
#[derive(Clone, Debug)]
pub(crate) struct ArticleAgg {
    /// The article's document.
    pub at: DocAddress,
    /// Its score: the one pass over every match (title and text), and for
    /// the re-ranked set what the re-rank added (best-passage evidence and
    /// feedback, already weighted).
    pub score: Score,
    /// The article's source as an ordinal of its segment's `source` column
    /// (resolved by [`crate::index::columns::SourceNames`] for the few
    /// articles shown, and by ordinal when facets are counted); `NO_SOURCE`
    /// for none.
    pub source: u32,
    /// Date key (`YYYYMMDD`), 0 for undated: see [`ArticleAgg::day`].
    pub day_key: u32,
    /// Near-duplicate cluster label (see [`crate::write::neardup`]); a label of 0
    /// counts as none (the article is then a group of its own). Labels are
    /// numbered from 1 and fit 32 bits (four billion clusters); one that
    /// did not would count as none. 28 bytes an aggregate: a search makes
    /// one per match, and in a fresh process each page of them is a fault.
    pub cluster: Option<NonZeroU32>,
    /// The query's wanted units it lacks, a bit each (bit `k` for the
    /// `k`-th of [`Holding`]'s units); 0 when it holds them all.
    pub lacks: u32,
}

// A search makes one aggregate per match: keep them at 28 bytes.
const _: () = assert!(std::mem::size_of::<ArticleAgg>() == 28);

/// [`ArticleAgg::source`] of an article without one.
pub(crate) const NO_SOURCE: u32 = u32::MAX;

impl ArticleAgg {
    /// The article's date key (`YYYYMMDD`), if it has a date.
    pub fn day(&self) -> Option<i64> {
        (self.day_key != 0).then_some(i64::from(self.day_key))
    }

    /// The article's source, keyed by (segment, ordinal) for counting.
    pub fn source_ord(&self) -> Option<(u32, u32)> {
        (self.source != NO_SOURCE).then_some((self.at.segment_ord, self.source))
    }

    /// Whether it holds every wanted unit of the query.
    pub fn holds_all(&self) -> bool {
        self.lacks == 0
    }
}

/// Whether a query of `units` wanted units, asked for as `words` says, is
/// keywords, each of which an article should hold, rather than text whose
/// words only rank: up to [`KEYWORDS`] units when every word is asked for
/// (the default), up to [`ANY_KEYWORDS`] with any word (where one missing
/// word is still a good part of the query). No units (only `+`required
/// words, or filters): nothing to weigh.
fn keywords(units: usize, words: Words) -> bool {
    let most = match words {
        Words::All => KEYWORDS,
        Words::Any => ANY_KEYWORDS,
    };
    (1..=most).contains(&units)
}

/// How much of the query an article holds, and what that does to its
/// score: the units it must hold (each an unscored query, at most 32) and
/// the factor for each number held. For a query of keywords, an article
/// that holds some ranks below one as good that holds all, and one that
/// holds none (found only through a part of a hyphenated word, say) is
/// left out; the words of a longer text only rank.
pub(crate) struct Holding<'q> {
    units: Vec<&'q dyn Query>,
    /// By the number of units held.
    factors: Vec<Score>,
}

impl<'q> Holding<'q> {
    /// For these units of a query whose words are asked for as `words`
    /// says: a score kept in proportion `(held / units)^HOLDING_POWER` when
    /// they are keywords ([`keywords`]).
    pub fn new(units: Vec<&'q dyn Query>, words: Words) -> Holding<'q> {
        let power = if keywords(units.len(), words) {
            HOLDING_POWER
        } else {
            0.0
        };
        let n = units.len().max(1) as Score;
        let factors = (0..=units.len())
            .map(|held| (held as Score / n).powf(power))
            .collect();
        Holding { units, factors }
    }

    /// The factor of an article lacking the units of `lacks`.
    pub fn factor(&self, lacks: u32) -> Score {
        let held = self.units.len().saturating_sub(lacks.count_ones() as usize);
        self.factors.get(held).copied().unwrap_or(1.0)
    }
}

/// The keys (hashes of the ids) of the articles a search found, read from
/// each segment's `akey` column when first asked for and kept: ranking
/// breaks ties by them, so that the order of equal scores does not depend
/// on where the index holds an article (two builds of one collection would
/// rank ties differently). Ties are frequent (copies score alike), and a
/// selection compares an article many times; but only the ties at the
/// edge of a selection are compared, so the keys read are a few among
/// every match, kept in a map rather than a slot per match.
pub(crate) struct ArticleKeys {
    columns: Vec<Column<u64>>,
    /// By position in the list of articles found.
    keys: RefCell<FxHashMap<usize, u64>>,
}

impl ArticleKeys {
    /// For the articles of a search of `searcher`.
    pub fn new(searcher: &tantivy::Searcher) -> tantivy::Result<ArticleKeys> {
        let columns = searcher
            .segment_readers()
            .iter()
            .map(|r| r.fast_fields().u64(name::AKEY))
            .collect::<tantivy::Result<_>>()?;
        Ok(ArticleKeys {
            columns,
            keys: Default::default(),
        })
    }

    /// The key of `a`, the article at position `i` of the list found.
    pub fn of(&self, i: usize, a: &ArticleAgg) -> u64 {
        if let Some(&key) = self.keys.borrow().get(&i) {
            return key;
        }
        let key = self
            .columns
            .get(a.at.segment_ord as usize)
            .and_then(|c| c.first(a.at.doc_id))
            .unwrap_or(0);
        self.keys.borrow_mut().insert(i, key);
        key
    }
}

/// The columns of one segment an article's aggregate is read from.
struct ArticleColumns {
    day: Column<i64>,
    cluster: Option<Column<u64>>,
    source: Option<StrColumn>,
}

impl ArticleColumns {
    /// Opens them; `clusters`: read near-duplicate labels too.
    fn open(reader: &SegmentReader, clusters: bool) -> tantivy::Result<ArticleColumns> {
        let ff = reader.fast_fields();
        Ok(ArticleColumns {
            day: ff.i64(name::DAY)?,
            cluster: if clusters {
                Some(ff.u64(name::CLUSTER)?)
            } else {
                None
            },
            source: ff.str(name::SOURCE)?,
        })
    }

    fn agg(&self, at: DocAddress, score: Score, lacks: u32) -> ArticleAgg {
        let doc = at.doc_id;
        let source = self.source.as_ref().and_then(|c| c.term_ords(doc).next());
        ArticleAgg {
            at,
            score,
            lacks,
            source: source
                .and_then(|o| u32::try_from(o).ok())
                .unwrap_or(NO_SOURCE),
            day_key: self
                .day
                .first(doc)
                .and_then(|d| u32::try_from(d).ok())
                .unwrap_or(0),
            cluster: self
                .cluster
                .as_ref()
                .and_then(|c| c.first(doc))
                .and_then(|l| u32::try_from(l).ok())
                .and_then(NonZeroU32::new),
        }
    }
}

/// The positions of `at` grouped by segment, each group in document order:
/// how a pass that seeks postings to a set of articles visits them.
pub(crate) fn by_segment(at: &[DocAddress]) -> Vec<(SegmentOrdinal, Vec<usize>)> {
    let mut order: Vec<usize> = (0..at.len()).collect();
    order.sort_unstable_by_key(|&i| at[i]);
    order
        .chunk_by(|&a, &b| at[a].segment_ord == at[b].segment_ord)
        .map(|run| (at[run[0]].segment_ord, run.to_vec()))
        .collect()
}

/// Runs `query` and returns every article it matches that holds at least
/// one of `holding`'s units (all, when it has none), scored and weighed by
/// how much of the query it holds, in index order, in one list that each
/// segment appends to (tantivy's own collecting would give one list per
/// segment to copy together). `clusters`: read each article's
/// near-duplicate label (for collapsing).
pub(crate) fn collect(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    holding: &Holding,
    clusters: bool,
) -> tantivy::Result<Vec<ArticleAgg>> {
    let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    let units = holding
        .units
        .iter()
        .map(|q| q.weight(EnableScoring::disabled_from_searcher(searcher)))
        .collect::<tantivy::Result<Vec<_>>>()?;
    // Room for every article of the index: growing the list by doubling
    // copied it and touched twice the memory (in a fresh process each new
    // page is a fault), and room never written is never given memory.
    let mut articles = Vec::with_capacity(searcher.num_docs() as usize);
    for (segment, reader) in searcher.segment_readers().iter().enumerate() {
        let cols = ArticleColumns::open(reader, clusters)?;
        let segment = segment as SegmentOrdinal;
        let alive = reader.alive_bitset();
        // Matches come in document order: each unit's documents are sought
        // forward alongside them.
        let mut held = units
            .iter()
            .map(|w| w.scorer(reader, 1.0))
            .collect::<tantivy::Result<Vec<_>>>()?;
        weight.for_each(reader, &mut |doc: DocId, score: Score| {
            if !alive.is_none_or(|a| a.is_alive(doc)) {
                return;
            }
            let mut lacks = 0;
            for (k, unit) in held.iter_mut().enumerate() {
                if unit.doc() < doc {
                    unit.seek(doc);
                }
                if unit.doc() != doc {
                    lacks |= 1 << k;
                }
            }
            let factor = holding.factor(lacks);
            if factor == 0.0 {
                return;
            }
            let score = score * factor;
            articles.push(cols.agg(DocAddress::new(segment, doc), score, lacks));
        })?;
    }
    Ok(articles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_group_by_segment_in_document_order() {
        let at = [
            DocAddress::new(1, 5),
            DocAddress::new(0, 9),
            DocAddress::new(1, 2),
            DocAddress::new(0, 3),
        ];
        assert_eq!(by_segment(&at), [(0, vec![3, 1]), (1, vec![2, 0])]);
        assert!(by_segment(&[]).is_empty());
    }
}
