//! tantivy collectors that turn matching passages into articles.
//!
//! [`ArticleCollector`] sees every matching passage once, with its BM25
//! score, and keeps per article: the best passage score (for ranking),
//! the best `keep` passages (for display), and the article's source and date
//! (for facets). [`KeySetCollector`] only gathers the set of articles that
//! have a matching passage, for `+required` and `-excluded` clauses.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// What is known about one matching article.
#[derive(Clone, Debug)]
pub(crate) struct ArticleAgg {
    pub akey: u64,
    /// Score of the best matching passage.
    pub best: Score,
    /// Best passages for display: (score, address), highest first.
    pub passages: Vec<(Score, DocAddress)>,
    pub source: Option<Arc<str>>,
    pub day: Option<i64>,
    /// Score of the article-level fields (title and whole text), from a
    /// separate search over head passages.
    pub head: Score,
}

impl ArticleAgg {
    fn push(&mut self, score: Score, addr: DocAddress, keep: usize) {
        self.best = self.best.max(score);
        insert_top(&mut self.passages, (score, addr), keep, |p| p.0);
    }

    fn merge(&mut self, other: ArticleAgg, keep: usize) {
        self.best = self.best.max(other.best);
        for p in other.passages {
            insert_top(&mut self.passages, p, keep, |p| p.0);
        }
        self.source = self.source.take().or(other.source);
        self.day = self.day.or(other.day);
    }
}

/// Keeps `v` sorted by descending key with at most `cap` items.
fn insert_top<T>(v: &mut Vec<T>, item: T, cap: usize, key: impl Fn(&T) -> Score) {
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

/// Collects matching passages into per-article aggregates.
pub(crate) struct ArticleCollector {
    /// Passages to keep per article for display.
    pub keep: usize,
}

pub(crate) struct ArticleSegmentCollector {
    segment: SegmentOrdinal,
    keep: usize,
    akey: Column<u64>,
    day: Column<i64>,
    source: Option<StrColumn>,
    /// Article aggregates, with the segment-local source ordinal.
    articles: HashMap<u64, (ArticleAgg, Option<u64>)>,
}

impl Collector for ArticleCollector {
    type Fruit = HashMap<u64, ArticleAgg>;
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
            source: ff.str("source")?,
            articles: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<HashMap<u64, ArticleAgg>>) -> tantivy::Result<Self::Fruit> {
        let mut iter = fruits.into_iter();
        let mut all = iter.next().unwrap_or_default();
        for fruit in iter {
            for (k, agg) in fruit {
                match all.get_mut(&k) {
                    Some(a) => a.merge(agg, self.keep),
                    None => {
                        all.insert(k, agg);
                    }
                }
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for ArticleSegmentCollector {
    type Fruit = HashMap<u64, ArticleAgg>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(akey) = self.akey.first(doc) else {
            return;
        };
        let addr = DocAddress::new(self.segment, doc);
        let keep = self.keep;
        match self.articles.get_mut(&akey) {
            Some((agg, _)) => agg.push(score, addr, keep),
            None => {
                let ord = self.source.as_ref().and_then(|c| c.term_ords(doc).next());
                let mut agg = ArticleAgg {
                    akey,
                    best: Score::MIN,
                    passages: Vec::with_capacity(keep),
                    source: None,
                    day: self.day.first(doc),
                    head: 0.0,
                };
                agg.push(score, addr, keep);
                self.articles.insert(akey, (agg, ord));
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut names: HashMap<u64, Arc<str>> = HashMap::new();
        let source = self.source;
        self.articles
            .into_iter()
            .map(|(k, (mut agg, ord))| {
                if let (Some(ord), Some(col)) = (ord, &source) {
                    let name = names.entry(ord).or_insert_with(|| {
                        let mut s = String::new();
                        // An ordinal read from the column always resolves.
                        let _ = col.ord_to_str(ord, &mut s);
                        Arc::from(s)
                    });
                    agg.source = Some(name.clone());
                }
                (k, agg)
            })
            .collect()
    }
}

/// Collects the set of articles with at least one matching passage.
pub(crate) struct KeySetCollector;

pub(crate) struct KeySetSegmentCollector {
    akey: Column<u64>,
    keys: HashSet<u64>,
}

impl Collector for KeySetCollector {
    type Fruit = HashSet<u64>;
    type Child = KeySetSegmentCollector;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(KeySetSegmentCollector {
            akey: reader.fast_fields().u64("akey")?,
            keys: HashSet::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<HashSet<u64>>) -> tantivy::Result<HashSet<u64>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for KeySetSegmentCollector {
    type Fruit = HashSet<u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(k) = self.akey.first(doc) {
            self.keys.insert(k);
        }
    }

    fn harvest(self) -> HashSet<u64> {
        self.keys
    }
}

#[cfg(test)]
mod tests {
    use super::insert_top;

    #[test]
    fn insert_top_keeps_the_best_in_order() {
        let mut v = Vec::new();
        for s in [1.0, 5.0, 3.0, 4.0, 2.0] {
            insert_top(&mut v, s, 3, |s| *s);
        }
        assert_eq!(v, [5.0, 4.0, 3.0]);
    }
}
