//! tantivy collectors that turn matching passages into articles.
//!
//! The passages of an article are indexed as one batch, so they sit next to
//! each other in one segment, head first, and tantivy hands matching
//! passages to a collector in document order. [`ArticleCollector`] therefore
//! groups passages into articles as runs, without hashing, and keeps per
//! article: the best passage score (for ranking), the best `keep` passages
//! (for display), and the article's source and date (for facets). Its
//! results come in index order, which lets [`join_heads`] add the scores of
//! a search over head passages ([`HeadScoreCollector`]) in one pass.
//! [`KeySetCollector`] only gathers the set of articles that have a
//! matching passage, for `+required` and `-excluded` clauses.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::num::NonZeroU64;

use smallvec::SmallVec;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// Article keys (and near-duplicate band keys) are already uniform hashes:
/// hashing them again is wasted work.
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
        // Spread over all 64 bits: the table uses the top bits too.
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A set of article keys.
pub(crate) type KeySet = HashSet<u64, BuildHasherDefault<KeyHasher>>;

/// An article's best passages, by document in the article's segment;
/// inline for the usual few, so collecting thousands of articles does not
/// allocate for each.
pub(crate) type Passages = SmallVec<[(Score, DocId); 2]>;

/// What is known about one matching article.
#[derive(Clone, Debug)]
pub(crate) struct ArticleAgg {
    pub akey: u64,
    /// Where the article's first matching passage is: orders articles.
    pub first: DocAddress,
    /// Best passages for display: (score, document), highest first (see
    /// [`ArticleAgg::at`]); never empty once collected, and the first is
    /// the article's best ([`ArticleAgg::best`]).
    pub passages: Passages,
    /// The article's source as an ordinal of its segment's `source` column
    /// (resolved by [`SourceNames`] for the few articles shown, and by
    /// ordinal when facets are counted); `NO_SOURCE` for none.
    pub source: u32,
    /// Date key (`YYYYMMDD`), 0 for undated: see [`ArticleAgg::day`].
    pub day_key: u32,
    /// Near-duplicate cluster label (see [`crate::neardup`]); a label of 0
    /// counts as none (the article is then a group of its own).
    pub cluster: Option<NonZeroU64>,
    /// Score of the article-level fields (title and whole text), from a
    /// separate search over head passages.
    pub head: Score,
    /// The article's head passage (in the segment of `first`), once a
    /// search over head passages has met it, else [`HEAD_NOT_MET`]. Not an
    /// `Option`: that would take the aggregate past 64 bytes, and copying
    /// tens of thousands of them is part of every query.
    pub head_doc: DocId,
}

/// [`ArticleAgg::source`] of an article without one.
pub(crate) const NO_SOURCE: u32 = u32::MAX;

/// [`ArticleAgg::head_doc`] of an article whose head no search has met.
pub(crate) const HEAD_NOT_MET: DocId = DocId::MAX;

impl ArticleAgg {
    /// The article's date key (`YYYYMMDD`), if it has a date.
    pub fn day(&self) -> Option<i64> {
        (self.day_key != 0).then_some(i64::from(self.day_key))
    }

    /// The article's source, keyed by (segment, ordinal) for counting.
    pub fn source_ord(&self) -> Option<(u32, u32)> {
        (self.source != NO_SOURCE).then_some((self.first.segment_ord, self.source))
    }

    /// Score of the best matching passage.
    pub fn best(&self) -> Score {
        self.passages.first().map_or(Score::MIN, |p| p.0)
    }

    /// The address of one of the article's passages.
    pub fn at(&self, doc: DocId) -> DocAddress {
        DocAddress::new(self.first.segment_ord, doc)
    }

    fn push(&mut self, score: Score, doc: DocId, keep: usize) {
        insert_top(&mut self.passages, (score, doc), keep, |p| p.0);
    }
}

/// Keeps `v` sorted by descending key with at most `cap` items.
fn insert_top<T, const N: usize>(
    v: &mut SmallVec<[T; N]>,
    item: T,
    cap: usize,
    key: impl Fn(&T) -> Score,
) where
    [T; N]: smallvec::Array<Item = T>,
{
    if cap == 0 {
        return;
    }
    let k = key(&item);
    if v.len() == cap && key(&v[cap - 1]) >= k {
        return;
    }
    let at = v.iter().position(|x| key(x) < k).unwrap_or(v.len());
    v.insert(at, item);
    v.truncate(cap);
}

/// The per-segment results in index order, without copying them into one
/// list: segments come in order (sorting them is only a safeguard), and a
/// segment's results are in document order.
fn in_index_order<T>(mut fruits: Vec<Vec<T>>, at: impl Fn(&T) -> DocAddress) -> Segments<T> {
    fruits.retain(|f| !f.is_empty());
    if !fruits.is_sorted_by_key(|f| at(&f[0])) {
        fruits.sort_by_key(|f| at(&f[0]));
    }
    Segments(fruits)
}

/// Results of one search, segment by segment, in index order.
pub(crate) struct Segments<T>(Vec<Vec<T>>);

impl<T> IntoIterator for Segments<T> {
    type Item = T;
    type IntoIter = std::iter::Flatten<std::vec::IntoIter<Vec<T>>>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter().flatten()
    }
}

/// Source names by (segment, ordinal) key, each segment's column opened once.
pub(crate) struct SourceNames<'s> {
    searcher: &'s tantivy::Searcher,
    columns: Vec<Option<Option<StrColumn>>>,
}

impl<'s> SourceNames<'s> {
    pub fn new(searcher: &'s tantivy::Searcher) -> SourceNames<'s> {
        SourceNames {
            searcher,
            columns: vec![None; searcher.segment_readers().len()],
        }
    }

    /// The name of an article's source, if it has one.
    pub fn of(&mut self, agg: &ArticleAgg) -> Option<String> {
        self.name(agg.source_ord()?)
    }

    /// The source name behind a key, if the key names one.
    pub fn name(&mut self, (segment, ord): (u32, u32)) -> Option<String> {
        let col = self
            .columns
            .get_mut(segment as usize)?
            .get_or_insert_with(|| {
                let ff = self.searcher.segment_reader(segment).fast_fields();
                ff.str("source").ok().flatten()
            });
        let mut s = String::new();
        col.as_ref()?
            .ord_to_str(u64::from(ord), &mut s)
            .ok()?
            .then_some(s)
    }
}

/// What [`join_heads`] reads about an article at its head.
pub(crate) trait HeadArticles {
    /// The key of the article whose head is at `at`.
    fn key(&mut self, at: DocAddress) -> tantivy::Result<Option<u64>>;
    /// A new aggregate, with no passage yet, for the article `akey` whose
    /// head is at `at`.
    fn start(&mut self, akey: u64, at: DocAddress) -> tantivy::Result<ArticleAgg>;
}

/// [`HeadArticles`] from each segment's columns, opened when first needed.
pub(crate) struct SegmentArticles<'s> {
    searcher: &'s tantivy::Searcher,
    clusters: bool,
    columns: Vec<Option<ArticleColumns>>,
}

impl<'s> SegmentArticles<'s> {
    /// `clusters`: read near-duplicate labels too.
    pub fn new(searcher: &'s tantivy::Searcher, clusters: bool) -> SegmentArticles<'s> {
        SegmentArticles {
            searcher,
            clusters,
            columns: (0..searcher.segment_readers().len())
                .map(|_| None)
                .collect(),
        }
    }

    fn columns(&mut self, segment: SegmentOrdinal) -> tantivy::Result<&ArticleColumns> {
        match &mut self.columns[segment as usize] {
            Some(cols) => Ok(cols),
            slot => Ok(slot.insert(ArticleColumns::open(
                self.searcher.segment_reader(segment),
                self.clusters,
            )?)),
        }
    }
}

impl HeadArticles for SegmentArticles<'_> {
    fn key(&mut self, at: DocAddress) -> tantivy::Result<Option<u64>> {
        Ok(self.columns(at.segment_ord)?.akey.first(at.doc_id))
    }

    fn start(&mut self, akey: u64, at: DocAddress) -> tantivy::Result<ArticleAgg> {
        Ok(self.columns(at.segment_ord)?.start(akey, at))
    }
}

/// Gives the articles found by their passages (`found`, in index order) the
/// scores of their article-level fields (`heads`, from a search over head
/// passages), in one pass. An article found by its title or text only is
/// added, made by `articles` and shown with its head as its passage (scored
/// 0). `found` stays in index order.
///
/// Articles do not interleave, and a head is its article's first passage: a
/// found article whose first match comes before a head is an earlier one,
/// and one whose first match is the head itself is the head's. Only when
/// the first match comes later does the head's key tell whether it is.
pub(crate) fn join_heads(
    found: &mut Vec<ArticleAgg>,
    heads: impl IntoIterator<Item = HeadScore>,
    articles: &mut impl HeadArticles,
) -> tantivy::Result<()> {
    let mut extra = Vec::new();
    let mut i = 0;
    for h in heads {
        while i < found.len() && found[i].first < h.at {
            i += 1;
        }
        // The head's key, once it has been read.
        let mut key = None;
        let same = match found.get(i) {
            Some(a) if a.first == h.at => true,
            Some(a) if a.first.segment_ord == h.at.segment_ord => {
                let k = articles.key(h.at)?;
                key = Some(k);
                k == Some(a.akey)
            }
            _ => false,
        };
        if same {
            found[i].head = h.score;
            found[i].head_doc = h.at.doc_id;
            continue;
        }
        let key = match key {
            Some(k) => k,
            None => articles.key(h.at)?,
        };
        let Some(akey) = key else {
            continue;
        };
        let mut a = articles.start(akey, h.at)?;
        a.passages.push((0.0, h.at.doc_id));
        a.head = h.score;
        a.head_doc = h.at.doc_id;
        extra.push(a);
    }
    if !extra.is_empty() {
        found.extend(extra);
        // Two sorted runs: the stable sort merges them.
        found.sort_by_key(|a| a.first);
    }
    Ok(())
}

/// Collects matching passages into per-article aggregates, in index order.
pub(crate) struct ArticleCollector {
    /// Passages to keep per article for display.
    pub keep: usize,
    /// Read each article's near-duplicate cluster (for collapsing).
    pub clusters: bool,
}

struct ArticleSegmentCollector {
    segment: SegmentOrdinal,
    keep: usize,
    cols: ArticleColumns,
    /// Articles so far, this segment's after the earlier segments'.
    articles: Vec<ArticleAgg>,
}

/// The columns of one segment an article's aggregate is read from.
struct ArticleColumns {
    akey: Column<u64>,
    day: Column<i64>,
    cluster: Option<Column<u64>>,
    source: Option<StrColumn>,
}

impl ArticleColumns {
    /// Opens them; `clusters`: read near-duplicate labels too.
    fn open(reader: &SegmentReader, clusters: bool) -> tantivy::Result<ArticleColumns> {
        let ff = reader.fast_fields();
        Ok(ArticleColumns {
            akey: ff.u64("akey")?,
            day: ff.i64("day")?,
            cluster: if clusters {
                Some(ff.u64("cluster")?)
            } else {
                None
            },
            source: ff.str("source")?,
        })
    }

    /// The aggregate of the article that passage `addr` belongs to, with
    /// no passage yet.
    fn start(&self, akey: u64, addr: DocAddress) -> ArticleAgg {
        let doc = addr.doc_id;
        let source = self.source.as_ref().and_then(|c| c.term_ords(doc).next());
        ArticleAgg {
            akey,
            first: addr,
            passages: Passages::new(),
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
                .and_then(NonZeroU64::new),
            head: 0.0,
            head_doc: HEAD_NOT_MET,
        }
    }
}

impl ArticleCollector {
    /// Runs `query` and returns the articles it matches in index order, in
    /// one list that each segment appends to: tantivy's own collecting
    /// would give one list per segment, and copying them together was a
    /// twentieth of a query.
    pub fn search(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
    ) -> tantivy::Result<Vec<ArticleAgg>> {
        let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
        let mut articles = Vec::new();
        for (segment, reader) in searcher.segment_readers().iter().enumerate() {
            let mut seg = ArticleSegmentCollector {
                segment: segment as SegmentOrdinal,
                keep: self.keep,
                cols: ArticleColumns::open(reader, self.clusters)?,
                articles,
            };
            let alive = reader.alive_bitset();
            weight.for_each(reader, &mut |doc, score| {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    seg.collect(doc, score);
                }
            })?;
            articles = seg.articles;
        }
        Ok(articles)
    }
}

impl ArticleSegmentCollector {
    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(akey) = self.cols.akey.first(doc) else {
            return;
        };
        let addr = DocAddress::new(self.segment, doc);
        if let Some(last) = self.articles.last_mut()
            && last.akey == akey
            && last.first.segment_ord == self.segment
        {
            last.push(score, doc, self.keep);
            return;
        }
        let mut agg = self.cols.start(akey, addr);
        agg.push(score, doc, self.keep);
        self.articles.push(agg);
    }
}

/// A search over head passages (one per article) gives each article one
/// score; [`join_heads`] adds them to the articles found by their passages.
pub(crate) struct HeadScoreCollector;

/// One article's score from a head-passage search.
pub(crate) struct HeadScore {
    at: DocAddress,
    score: Score,
}

pub(crate) struct HeadScoreSegmentCollector {
    segment: SegmentOrdinal,
    scores: Vec<HeadScore>,
}

impl Collector for HeadScoreCollector {
    type Fruit = Segments<HeadScore>;
    type Child = HeadScoreSegmentCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        _: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(HeadScoreSegmentCollector {
            segment,
            scores: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<HeadScore>>) -> tantivy::Result<Segments<HeadScore>> {
        Ok(in_index_order(fruits, |h| h.at))
    }
}

impl SegmentCollector for HeadScoreSegmentCollector {
    type Fruit = Vec<HeadScore>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.scores.push(HeadScore {
            at: DocAddress::new(self.segment, doc),
            score,
        });
    }

    fn harvest(self) -> Vec<HeadScore> {
        self.scores
    }
}

/// The head passages of `found` (in index order), per segment in document
/// order, each with the article's position in `found`: what
/// [`FoundHeadsCollector`] scores. A head no search over heads has met is
/// the nearest passage at or before the article's first match that carries
/// a content hash (heads alone do, and an article's passages follow its
/// head).
pub(crate) fn found_heads(
    searcher: &tantivy::Searcher,
    found: &[ArticleAgg],
) -> tantivy::Result<Vec<Vec<(DocId, u32)>>> {
    let segments = searcher.segment_readers().len();
    let mut heads: Vec<Vec<(DocId, u32)>> = vec![Vec::new(); segments];
    let mut marks: Vec<Option<Column<u64>>> = vec![None; segments];
    for (i, a) in found.iter().enumerate() {
        let seg = a.first.segment_ord as usize;
        let head = match a.head_doc {
            HEAD_NOT_MET => {
                let chash = match &mut marks[seg] {
                    Some(c) => c,
                    slot => slot.insert(
                        searcher
                            .segment_reader(seg as u32)
                            .fast_fields()
                            .u64("chash")?,
                    ),
                };
                (0..=a.first.doc_id)
                    .rev()
                    .find(|&doc| chash.first(doc).is_some())
            }
            doc => Some(doc),
        };
        if let Some(doc) = head {
            heads[seg].push((doc, i as u32));
        }
    }
    for list in &mut heads {
        if !list.is_sorted() {
            list.sort_unstable();
        }
    }
    Ok(heads)
}

/// Scores the heads listed by [`found_heads`] and no other passage: the
/// feedback round re-ranks the articles found, it adds none. Yields
/// (position in `found`, score) pairs.
pub(crate) struct FoundHeadsCollector {
    pub heads: Vec<Vec<(DocId, u32)>>,
}

pub(crate) struct FoundHeadsSegmentCollector {
    heads: Vec<(DocId, u32)>,
    /// The first listed head not yet passed: documents come in order.
    next: usize,
    scores: Vec<(u32, Score)>,
}

impl Collector for FoundHeadsCollector {
    type Fruit = Vec<(u32, Score)>;
    type Child = FoundHeadsSegmentCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        _: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(FoundHeadsSegmentCollector {
            heads: self
                .heads
                .get(segment as usize)
                .cloned()
                .unwrap_or_default(),
            next: 0,
            scores: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(u32, Score)>>) -> tantivy::Result<Self::Fruit> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for FoundHeadsSegmentCollector {
    type Fruit = Vec<(u32, Score)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        while let Some(&(head, at)) = self.heads.get(self.next) {
            if head > doc {
                return;
            }
            self.next += 1;
            if head == doc {
                self.scores.push((at, score));
                return;
            }
        }
    }

    fn harvest(self) -> Vec<(u32, Score)> {
        self.scores
    }
}

/// Collects the set of articles with at least one matching passage.
pub(crate) struct KeySetCollector;

pub(crate) struct KeySetSegmentCollector {
    akey: Column<u64>,
    keys: KeySet,
}

impl Collector for KeySetCollector {
    type Fruit = KeySet;
    type Child = KeySetSegmentCollector;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(KeySetSegmentCollector {
            akey: reader.fast_fields().u64("akey")?,
            keys: KeySet::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<KeySet>) -> tantivy::Result<KeySet> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for KeySetSegmentCollector {
    type Fruit = KeySet;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(k) = self.akey.first(doc) {
            self.keys.insert(k);
        }
    }

    fn harvest(self) -> KeySet {
        self.keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_top_keeps_the_best_in_order() {
        let mut v: SmallVec<[f32; 2]> = SmallVec::new();
        for s in [1.0, 5.0, 3.0, 4.0, 2.0] {
            insert_top(&mut v, s, 3, |s| *s);
        }
        assert_eq!(v.as_slice(), [5.0, 4.0, 3.0]);
    }

    fn agg(akey: u64, doc: u32, best: f32) -> ArticleAgg {
        ArticleAgg {
            akey,
            first: DocAddress::new(0, doc),
            passages: [(best, doc)].into_iter().collect(),
            source: NO_SOURCE,
            day_key: 0,
            cluster: None,
            head: 0.0,
            head_doc: HEAD_NOT_MET,
        }
    }

    /// Articles 1 to 5 whose heads are at docs 0, 3, 5, 9 and 12 of
    /// segment 0; records which heads' keys were read.
    #[derive(Default)]
    struct FakeHeads {
        read: Vec<u32>,
    }

    impl HeadArticles for FakeHeads {
        fn key(&mut self, at: DocAddress) -> tantivy::Result<Option<u64>> {
            self.read.push(at.doc_id);
            Ok([0, 3, 5, 9, 12]
                .iter()
                .position(|&d| d == at.doc_id)
                .map(|i| i as u64 + 1))
        }

        fn start(&mut self, akey: u64, at: DocAddress) -> tantivy::Result<ArticleAgg> {
            let mut a = agg(akey, at.doc_id, 0.0);
            a.passages.clear();
            Ok(a)
        }
    }

    #[test]
    fn heads_join_found_articles_in_one_pass() {
        // Passages found at 1 (article 1), 4 (article 2), 9 (article 4,
        // its head) and 13 (article 5); heads found at 3, 5, 9 and 12.
        let mut found = vec![
            agg(1, 1, 1.0),
            agg(2, 4, 2.0),
            agg(4, 9, 4.0),
            agg(5, 13, 5.0),
        ];
        let head = |doc, score| HeadScore {
            at: DocAddress::new(0, doc),
            score,
        };
        let heads = vec![head(3, 20.0), head(5, 30.0), head(9, 40.0), head(12, 50.0)];
        let mut articles = FakeHeads::default();
        join_heads(&mut found, heads, &mut articles).unwrap();
        let got: Vec<(u64, f32, f32, u32)> = found
            .iter()
            .map(|a| (a.akey, a.best(), a.head, a.head_doc))
            .collect();
        assert_eq!(
            got,
            [
                (1, 1.0, 0.0, HEAD_NOT_MET),
                (2, 2.0, 20.0, 3),
                (3, 0.0, 30.0, 5),
                (4, 4.0, 40.0, 9),
                (5, 5.0, 50.0, 12)
            ]
        );
        // Article 3 was found by its head alone: shown with it.
        assert_eq!(found[2].passages.as_slice(), [(0.0, 5)]);
        // A head that is its article's first match needs no key.
        assert_eq!(articles.read, [3, 5, 12]);
    }

    #[test]
    fn found_heads_alone_are_scored() {
        let mut c = FoundHeadsSegmentCollector {
            heads: vec![(2, 0), (5, 1), (9, 2)],
            next: 0,
            scores: Vec::new(),
        };
        // Matching heads of other articles (1, 3, 7, 12) are passed over.
        for (doc, score) in [(1, 0.5), (2, 1.0), (3, 0.5), (7, 0.5), (9, 3.0), (12, 0.5)] {
            c.collect(doc, score);
        }
        assert_eq!(c.harvest(), [(0, 1.0), (2, 3.0)]);
    }
}
