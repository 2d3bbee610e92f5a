//! tantivy collectors that turn matching passages into articles.
//!
//! The passages of an article are indexed as one batch, so they sit next to
//! each other in one segment, head first, and tantivy hands matching
//! passages to a collector in document order. [`ArticleCollector`] therefore
//! groups passages into articles as runs, without hashing, and keeps per
//! article: the best passage score (for ranking), the best `keep` passages
//! (for display), and the article's source and date (for facets). Its
//! results come in index order, which lets [`join`] combine two of them in
//! one pass. [`KeySetCollector`] only gathers the set of articles that have a
//! matching passage, for `+required` and `-excluded` clauses.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::num::NonZeroU64;
use std::sync::Arc;

use smallvec::SmallVec;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
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

/// An article's best passages; inline for the usual few, so collecting
/// thousands of articles does not allocate for each.
pub(crate) type Passages = SmallVec<[(Score, DocAddress); 2]>;

/// What is known about one matching article.
#[derive(Clone, Debug)]
pub(crate) struct ArticleAgg {
    pub akey: u64,
    /// Where the article's first matching passage is: orders articles.
    pub first: DocAddress,
    /// Score of the best matching passage.
    pub best: Score,
    /// Best passages for display: (score, address), highest first.
    pub passages: Passages,
    pub source: Option<Arc<str>>,
    pub day: Option<i64>,
    /// Near-duplicate cluster label (see [`crate::neardup`]); a label of 0
    /// counts as none (the article is then a group of its own).
    pub cluster: Option<NonZeroU64>,
    /// Score of the article-level fields (title and whole text), from a
    /// separate search over head passages.
    pub head: Score,
}

impl ArticleAgg {
    fn push(&mut self, score: Score, addr: DocAddress, keep: usize) {
        self.best = self.best.max(score);
        insert_top(&mut self.passages, (score, addr), keep, |p| p.0);
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

/// The per-segment results as one list in index order (segments come in
/// order, so sorting is only a safeguard).
fn in_index_order<T>(mut fruits: Vec<Vec<T>>, at: impl Fn(&T) -> DocAddress) -> Vec<T> {
    let mut all = if fruits.len() == 1 {
        fruits.pop().unwrap_or_default()
    } else {
        let mut all = Vec::with_capacity(fruits.iter().map(Vec::len).sum());
        for mut f in fruits {
            all.append(&mut f);
        }
        all
    };
    if !all.is_sorted_by_key(&at) {
        all.sort_by_key(at);
    }
    all
}

/// Combines two collections of the same index in one pass: `both` for an
/// article in each, `left` / `right` for one found in only one of them.
/// Both inputs are in index order (as [`ArticleCollector`] returns them), and
/// so is the output.
pub(crate) fn join(
    a: Vec<ArticleAgg>,
    b: Vec<ArticleAgg>,
    mut both: impl FnMut(ArticleAgg, ArticleAgg) -> Option<ArticleAgg>,
    mut left: impl FnMut(ArticleAgg) -> Option<ArticleAgg>,
    mut right: impl FnMut(ArticleAgg) -> Option<ArticleAgg>,
) -> Vec<ArticleAgg> {
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    let mut a = a.into_iter().peekable();
    let mut b = b.into_iter().peekable();
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if x.akey == y.akey => {
                let (x, y) = (a.next().expect("peeked"), b.next().expect("peeked"));
                both(x, y)
            }
            // Articles do not interleave, so the one that starts first has
            // no partner in the other list.
            (Some(x), Some(y)) if x.first < y.first => left(a.next().expect("peeked")),
            (Some(_), Some(_)) => right(b.next().expect("peeked")),
            (Some(_), None) => left(a.next().expect("peeked")),
            (None, Some(_)) => right(b.next().expect("peeked")),
            (None, None) => break,
        };
        out.extend(next);
    }
    out
}

/// Collects matching passages into per-article aggregates, in index order.
pub(crate) struct ArticleCollector {
    /// Passages to keep per article for display.
    pub keep: usize,
    /// Read each article's near-duplicate cluster (for collapsing).
    pub clusters: bool,
}

pub(crate) struct ArticleSegmentCollector {
    segment: SegmentOrdinal,
    keep: usize,
    akey: Column<u64>,
    day: Column<i64>,
    cluster: Option<Column<u64>>,
    source: Option<StrColumn>,
    /// Articles so far, with their segment-local source ordinals.
    articles: Vec<ArticleAgg>,
    ords: Vec<Option<u64>>,
}

impl Collector for ArticleCollector {
    type Fruit = Vec<ArticleAgg>;
    type Child = ArticleSegmentCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let ff = reader.fast_fields();
        Ok(ArticleSegmentCollector {
            segment,
            keep: self.keep,
            akey: ff.u64("akey")?,
            day: ff.i64("day")?,
            cluster: if self.clusters {
                Some(ff.u64("cluster")?)
            } else {
                None
            },
            source: ff.str("source")?,
            articles: Vec::new(),
            ords: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<ArticleAgg>>) -> tantivy::Result<Vec<ArticleAgg>> {
        Ok(in_index_order(fruits, |a| a.first))
    }
}

impl SegmentCollector for ArticleSegmentCollector {
    type Fruit = Vec<ArticleAgg>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(akey) = self.akey.first(doc) else {
            return;
        };
        let addr = DocAddress::new(self.segment, doc);
        if let Some(last) = self.articles.last_mut()
            && last.akey == akey
        {
            last.push(score, addr, self.keep);
            return;
        }
        let ord = self.source.as_ref().and_then(|c| c.term_ords(doc).next());
        let mut agg = ArticleAgg {
            akey,
            first: addr,
            best: Score::MIN,
            passages: Passages::new(),
            source: None,
            day: self.day.first(doc),
            cluster: self
                .cluster
                .as_ref()
                .and_then(|c| c.first(doc))
                .and_then(NonZeroU64::new),
            head: 0.0,
        };
        agg.push(score, addr, self.keep);
        self.articles.push(agg);
        self.ords.push(ord);
    }

    fn harvest(mut self) -> Vec<ArticleAgg> {
        let Some(col) = &self.source else {
            return self.articles;
        };
        let mut names: rustc_hash::FxHashMap<u64, Arc<str>> = Default::default();
        for (agg, ord) in self.articles.iter_mut().zip(&self.ords) {
            if let Some(ord) = *ord {
                let name = names.entry(ord).or_insert_with(|| {
                    let mut s = String::new();
                    // An ordinal read from the column always resolves.
                    let _ = col.ord_to_str(ord, &mut s);
                    Arc::from(s)
                });
                agg.source = Some(name.clone());
            }
        }
        self.articles
    }
}

/// A search over head passages (one per article) gives each article one
/// score; [`add_scores`] adds them to articles already collected.
pub(crate) struct HeadScoreCollector;

/// One article's score from a head-passage search.
pub(crate) struct HeadScore {
    akey: u64,
    at: DocAddress,
    score: Score,
}

pub(crate) struct HeadScoreSegmentCollector {
    segment: SegmentOrdinal,
    akey: Column<u64>,
    scores: Vec<HeadScore>,
}

impl Collector for HeadScoreCollector {
    type Fruit = Vec<HeadScore>;
    type Child = HeadScoreSegmentCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(HeadScoreSegmentCollector {
            segment,
            akey: reader.fast_fields().u64("akey")?,
            scores: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<HeadScore>>) -> tantivy::Result<Vec<HeadScore>> {
        Ok(in_index_order(fruits, |h| h.at))
    }
}

impl SegmentCollector for HeadScoreSegmentCollector {
    type Fruit = Vec<HeadScore>;

    fn collect(&mut self, doc: DocId, score: Score) {
        if let Some(akey) = self.akey.first(doc) {
            self.scores.push(HeadScore {
                akey,
                at: DocAddress::new(self.segment, doc),
                score,
            });
        }
    }

    fn harvest(self) -> Vec<HeadScore> {
        self.scores
    }
}

/// Adds `weight` times each article's head score to its `head` score, in one
/// pass over both lists (both in index order); articles not in `articles`
/// are not added.
pub(crate) fn add_scores(articles: &mut [ArticleAgg], scores: &[HeadScore], weight: Score) {
    let mut scores = scores.iter().peekable();
    for a in articles {
        while let Some(s) = scores.peek() {
            if s.akey == a.akey {
                a.head += weight * s.score;
                scores.next();
                break;
            }
            // Articles do not interleave: a head before this article's
            // first passage belongs to an earlier article.
            if s.at < a.first {
                scores.next();
            } else {
                break;
            }
        }
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
            best,
            passages: Passages::new(),
            source: None,
            day: None,
            cluster: None,
            head: 0.0,
        }
    }

    #[test]
    fn join_pairs_articles_in_one_pass() {
        // articles start at docs 0, 3, 5, 9; `a` saw passages, `b` heads
        let a = vec![agg(1, 1, 1.0), agg(2, 4, 2.0), agg(4, 10, 4.0)];
        let b = vec![agg(2, 3, 20.0), agg(3, 5, 30.0), agg(4, 9, 40.0)];
        let out = join(
            a,
            b,
            |mut x, y| {
                x.head = y.best;
                Some(x)
            },
            Some,
            |mut y| {
                y.head = y.best;
                y.best = 0.0;
                Some(y)
            },
        );
        let got: Vec<(u64, f32, f32)> = out.iter().map(|a| (a.akey, a.best, a.head)).collect();
        assert_eq!(
            got,
            [
                (1, 1.0, 0.0),
                (2, 2.0, 20.0),
                (3, 0.0, 30.0),
                (4, 4.0, 40.0)
            ]
        );
    }
}
