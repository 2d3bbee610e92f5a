//! tantivy collectors that turn matching passages into articles.
//!
//! The passages of an article are indexed as one batch, so they sit next to
//! each other in one segment, head first, and each carries its number in
//! the article (`part`): a passage's head is that many documents before it.
//! tantivy hands matching passages to a collector in document order, so
//! [`ArticleCollector`] groups them into articles as runs of one head,
//! without hashing, and keeps per article: the best passage score (for
//! ranking), the best `keep` passages (for display), and the article's
//! source and date (for facets). Its results come in index order, which
//! lets [`join_heads`] add the scores of a search over head passages
//! ([`HeadScoreCollector`]) in one pass. [`KeySetCollector`] only gathers
//! the set of articles that have a matching passage, for `+required` and
//! `-excluded` clauses. An article's 64-bit key (the hash of its id) is
//! read only where the order of the index must not show: ties in ranking
//! ([`ArticleKeys`]).

use std::cell::Cell;
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::num::NonZeroU64;

use crate::index::schema::name;
use smallvec::SmallVec;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// Article keys, head addresses ([`ArticleAgg::address`]) and
/// near-duplicate band keys are already unique or uniform: hashing them
/// again is wasted work.
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

/// A set of articles by [`ArticleAgg::address`].
pub(crate) type KeySet = HashSet<u64, BuildHasherDefault<KeyHasher>>;

/// An article's best passages, by document in the article's segment;
/// inline for the usual few, so collecting thousands of articles does not
/// allocate for each.
pub(crate) type Passages = SmallVec<[(Score, DocId); 2]>;

/// What is known about one matching article.
#[derive(Clone, Debug)]
pub(crate) struct ArticleAgg {
    /// Where the article's first matching passage is: orders articles.
    pub first: DocAddress,
    /// The article's head passage, in the segment of `first`: where its
    /// stored article and article-level fields are.
    pub head_doc: DocId,
    /// Best passages for display: (score, document), highest first (see
    /// [`ArticleAgg::at`]); never empty once collected, and the first is
    /// the article's best ([`ArticleAgg::best`]).
    pub passages: Passages,
    /// The article's source as an ordinal of its segment's `source` column
    /// (resolved by [`crate::index::columns::SourceNames`] for the few articles shown, and by
    /// ordinal when facets are counted); `NO_SOURCE` for none.
    pub source: u32,
    /// Date key (`YYYYMMDD`), 0 for undated: see [`ArticleAgg::day`].
    pub day_key: u32,
    /// Near-duplicate cluster label (see [`crate::write::neardup`]); a label of 0
    /// counts as none (the article is then a group of its own).
    pub cluster: Option<NonZeroU64>,
    /// Score of the article-level fields (title and whole text), from a
    /// separate search over head passages.
    pub head: Score,
}

/// [`ArticleAgg::source`] of an article without one.
pub(crate) const NO_SOURCE: u32 = u32::MAX;

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

    /// The address of the article's head passage.
    pub fn head_at(&self) -> DocAddress {
        self.at(self.head_doc)
    }

    /// The article's head address as one number: tells articles of one
    /// searcher apart (see [`KeySet`]), but depends on where the index
    /// holds them (ties in ranking go by [`ArticleKeys`]).
    pub fn address(&self) -> u64 {
        address(self.first.segment_ord, self.head_doc)
    }

    fn push(&mut self, score: Score, doc: DocId, keep: usize) {
        insert_top(&mut self.passages, (score, doc), keep, |p| p.0);
    }
}

fn address(segment: SegmentOrdinal, head: DocId) -> u64 {
    (u64::from(segment) << 32) | u64::from(head)
}

/// The head of the passage `doc` of a segment, from its `part` column.
fn head_of(part: &Column<u64>, doc: DocId) -> Option<DocId> {
    let n = DocId::try_from(part.first(doc)?).ok()?;
    doc.checked_sub(n)
}

/// The keys (hashes of the ids) of the articles a search found, read from
/// each segment's `akey` column when first asked for and kept: ranking
/// breaks ties by them, so that the order of equal scores does not depend
/// on where the index holds an article (two builds of one collection would
/// rank ties differently). Ties are frequent (copies score alike), and a
/// selection compares an article many times.
pub(crate) struct ArticleKeys {
    columns: Vec<Column<u64>>,
    /// By position in the list of articles found; [`UNREAD`] until read.
    keys: Vec<Cell<u64>>,
}

/// An [`ArticleKeys`] entry not read yet (a key that happens to equal it
/// is read again each time, which is merely slower).
const UNREAD: u64 = u64::MAX;

impl ArticleKeys {
    /// For the `found` articles of a search of `searcher`.
    pub fn new(searcher: &tantivy::Searcher, found: usize) -> tantivy::Result<ArticleKeys> {
        let columns = searcher
            .segment_readers()
            .iter()
            .map(|r| r.fast_fields().u64(name::AKEY))
            .collect::<tantivy::Result<_>>()?;
        Ok(ArticleKeys {
            columns,
            keys: vec![Cell::new(UNREAD); found],
        })
    }

    /// The key of `a`, the article at position `i` of the list found.
    pub fn of(&self, i: usize, a: &ArticleAgg) -> u64 {
        let cached = self.keys.get(i).map_or(UNREAD, Cell::get);
        if cached != UNREAD {
            return cached;
        }
        let key = self
            .columns
            .get(a.first.segment_ord as usize)
            .and_then(|c| c.first(a.head_doc))
            .unwrap_or(0);
        if let Some(c) = self.keys.get(i) {
            c.set(key);
        }
        key
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

/// New aggregates for articles found by their heads alone, from each
/// segment's columns, opened when first needed.
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

    /// A new aggregate, with no passage yet, for the article whose head is
    /// at `head`.
    pub fn start(&mut self, head: DocAddress) -> tantivy::Result<ArticleAgg> {
        let cols = match &mut self.columns[head.segment_ord as usize] {
            Some(cols) => cols,
            slot => slot.insert(ArticleColumns::open(
                self.searcher.segment_reader(head.segment_ord),
                self.clusters,
            )?),
        };
        Ok(cols.start(head, head.doc_id))
    }
}

/// Gives the articles found by their passages (`found`, in index order) the
/// scores of their article-level fields (`heads`, from a search over head
/// passages), in one pass: both lists are in index order, and an article's
/// head is known. An article found by its title or text only is added,
/// made by `start` and shown with its head as its passage (scored 0).
/// `found` stays in index order.
pub(crate) fn join_heads(
    found: &mut Vec<ArticleAgg>,
    heads: impl IntoIterator<Item = HeadScore>,
    mut start: impl FnMut(DocAddress) -> tantivy::Result<ArticleAgg>,
) -> tantivy::Result<()> {
    let mut extra = Vec::new();
    let mut i = 0;
    for h in heads {
        while i < found.len() && found[i].head_at() < h.at {
            i += 1;
        }
        if let Some(a) = found.get_mut(i)
            && a.head_at() == h.at
        {
            a.head = h.score;
            continue;
        }
        let mut a = start(h.at)?;
        a.passages.push((0.0, h.at.doc_id));
        a.head = h.score;
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
    part: Column<u64>,
    day: Column<i64>,
    cluster: Option<Column<u64>>,
    source: Option<StrColumn>,
}

impl ArticleColumns {
    /// Opens them; `clusters`: read near-duplicate labels too.
    fn open(reader: &SegmentReader, clusters: bool) -> tantivy::Result<ArticleColumns> {
        let ff = reader.fast_fields();
        Ok(ArticleColumns {
            part: ff.u64(name::PART)?,
            day: ff.i64(name::DAY)?,
            cluster: if clusters {
                Some(ff.u64(name::CLUSTER)?)
            } else {
                None
            },
            source: ff.str(name::SOURCE)?,
        })
    }

    /// The aggregate of the article that passage `addr` belongs to, whose
    /// head is `head`, with no passage yet.
    fn start(&self, addr: DocAddress, head: DocId) -> ArticleAgg {
        let doc = addr.doc_id;
        let source = self.source.as_ref().and_then(|c| c.term_ords(doc).next());
        ArticleAgg {
            first: addr,
            head_doc: head,
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
        }
    }
}

/// Aggregates [`ArticleCollector::search`] makes room for up front, at most.
const MAX_RESERVED: u64 = 1 << 16;

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
        // Room for as many articles as the index has passages, up to a
        // bound: growing the list by doubling copied it and touched twice
        // the memory, and room never written costs no memory.
        let passages = searcher.num_docs().min(MAX_RESERVED) as usize;
        let mut articles = Vec::with_capacity(passages);
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
        let Some(head) = head_of(&self.cols.part, doc) else {
            return;
        };
        if let Some(last) = self.articles.last_mut()
            && last.head_doc == head
            && last.first.segment_ord == self.segment
        {
            last.push(score, doc, self.keep);
            return;
        }
        let mut agg = self.cols.start(DocAddress::new(self.segment, doc), head);
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
/// [`FoundHeadsCollector`] scores.
pub(crate) fn found_heads(segments: usize, found: &[ArticleAgg]) -> Vec<Vec<(DocId, u32)>> {
    let mut heads: Vec<Vec<(DocId, u32)>> = vec![Vec::new(); segments];
    for (i, a) in found.iter().enumerate() {
        if let Some(list) = heads.get_mut(a.first.segment_ord as usize) {
            list.push((a.head_doc, i as u32));
        }
    }
    for list in &mut heads {
        if !list.is_sorted() {
            list.sort_unstable();
        }
    }
    heads
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
    segment: SegmentOrdinal,
    part: Column<u64>,
    keys: KeySet,
}

impl Collector for KeySetCollector {
    type Fruit = KeySet;
    type Child = KeySetSegmentCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(KeySetSegmentCollector {
            segment,
            part: reader.fast_fields().u64(name::PART)?,
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
        if let Some(head) = head_of(&self.part, doc) {
            self.keys.insert(address(self.segment, head));
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

    /// An article whose head is `head` and whose best match is `doc`.
    fn agg(head: u32, doc: u32, best: f32) -> ArticleAgg {
        ArticleAgg {
            first: DocAddress::new(0, doc),
            head_doc: head,
            passages: [(best, doc)].into_iter().collect(),
            source: NO_SOURCE,
            day_key: 0,
            cluster: None,
            head: 0.0,
        }
    }

    #[test]
    fn heads_join_found_articles_in_one_pass() {
        // Articles with heads at 0, 3, 5, 9 and 12 of segment 0. Passages
        // found at 1 (article 0), 4 (article 3), 9 (article 9, its head)
        // and 13 (article 12); heads found at 3, 5, 9 and 12, and at 2 of
        // segment 1.
        let mut found = vec![
            agg(0, 1, 1.0),
            agg(3, 4, 2.0),
            agg(9, 9, 4.0),
            agg(12, 13, 5.0),
        ];
        let head = |segment, doc, score| HeadScore {
            at: DocAddress::new(segment, doc),
            score,
        };
        let heads = vec![
            head(0, 3, 20.0),
            head(0, 5, 30.0),
            head(0, 9, 40.0),
            head(0, 12, 50.0),
            head(1, 2, 60.0),
        ];
        let mut started = Vec::new();
        join_heads(&mut found, heads, |at| {
            started.push(at);
            let mut a = agg(at.doc_id, at.doc_id, 0.0);
            a.first.segment_ord = at.segment_ord;
            a.passages.clear();
            Ok(a)
        })
        .unwrap();
        let got: Vec<(DocAddress, u32, f32, f32)> = found
            .iter()
            .map(|a| (a.first, a.head_doc, a.best(), a.head))
            .collect();
        let at = DocAddress::new;
        assert_eq!(
            got,
            [
                (at(0, 1), 0, 1.0, 0.0),
                (at(0, 4), 3, 2.0, 20.0),
                (at(0, 5), 5, 0.0, 30.0),
                (at(0, 9), 9, 4.0, 40.0),
                (at(0, 13), 12, 5.0, 50.0),
                (at(1, 2), 2, 0.0, 60.0),
            ]
        );
        // Articles found by their heads alone are shown with them.
        assert_eq!(started, [at(0, 5), at(1, 2)]);
        assert_eq!(found[2].passages.as_slice(), [(0.0, 5)]);
    }

    #[test]
    fn found_heads_are_listed_per_segment_in_order() {
        let mut found = vec![agg(0, 1, 1.0), agg(7, 7, 1.0), agg(3, 4, 1.0)];
        found[2].first.segment_ord = 1;
        assert_eq!(
            found_heads(3, &found),
            [vec![(0, 0), (7, 1)], vec![(3, 2)], vec![]]
        );
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
