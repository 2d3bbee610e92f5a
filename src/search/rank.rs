//! Ranking: how an article's score is made, and the page's order.
//!
//! Three BM25 scores meet (docs/RELEVANCE.md has the measurements):
//!
//! * the whole article text and the title, with statistics over articles,
//!   scored for every match in one pass ([`crate::search::collect`]);
//! * the best passage: the place that says the most about the query, for
//!   the best articles of that pass ([`crate::search::rerank`]).
//!
//! Pseudo-relevance feedback ([`crate::search::feedback`]) then adds a share for
//! words the best articles share.

use tantivy::Score;

use super::collapse::{Group, Ranking, page_groups};
use super::collect::{ArticleAgg, ArticleKeys};
use crate::model::{SearchRequest, Sort};

/// Weight of the best passage's score.
pub const PASSAGE_WEIGHT: Score = 0.2;
/// Weight of the whole-text score.
pub const TEXT_WEIGHT: Score = 1.0;
/// Weight of the title's score.
pub const TITLE_WEIGHT: Score = 0.6;
/// How much an article's share of the query's words weighs: its score is
/// kept in proportion `(held / wanted)^HOLDING_POWER`.
pub const HOLDING_POWER: Score = 1.0;
/// The most words (or phrases, or names) a query of keywords has: one of
/// more is text, pasted or written as a sentence (a claim, a question),
/// whose words rank an article without each being asked for.
pub const KEYWORDS: usize = 8;
/// The same with any word asked for (`--any`, `batch`, `eval`): there a
/// query of more words is read as text. Chosen on half of the judged sets
/// and SciFact's tuning half (docs/RELEVANCE.md): weighing claims of five
/// to twelve words by the share they hold cost SciFact 0.004-0.01 nDCG@10.
pub const ANY_KEYWORDS: usize = 4;

/// The positions in `found` of the `n` best articles by `score`, best
/// first, ties going by article key (`key` of a position), not by where
/// the index holds them.
pub(crate) fn best(
    found: &[ArticleAgg],
    n: usize,
    score: impl Fn(&ArticleAgg) -> Score,
    key: impl Fn(usize) -> u64,
) -> Vec<usize> {
    // (score, position) pairs of 8 bytes: a search makes one per match.
    let mut top: Vec<(Score, u32)> = found
        .iter()
        .enumerate()
        .map(|(i, a)| (score(a), i as u32))
        .collect();
    let n = n.min(top.len());
    // Selected by score alone; only the ties at the n-th place read keys.
    let by_score = |a: &(Score, u32), b: &(Score, u32)| b.0.total_cmp(&a.0);
    let by_key = |a: &(Score, u32), b: &(Score, u32)| {
        by_score(a, b).then_with(|| key(a.1 as usize).cmp(&key(b.1 as usize)))
    };
    let ranking = Ranking {
        coarse: &by_score,
        full: &by_key,
    };
    ranking.best_first(&mut top, n);
    top[..n].iter().map(|t| t.1 as usize).collect()
}

/// The groups of the requested page (copies of one story are one group
/// without `--no-collapse`), ordered by score or by date as far as the page
/// reaches.
pub(crate) fn page(found: &[ArticleAgg], keys: &ArticleKeys, req: &SearchRequest) -> Vec<Group> {
    // Rank (score, position) pairs rather than the aggregates themselves.
    let mut order: Vec<(f32, u32)> = found
        .iter()
        .enumerate()
        .map(|(i, a)| (a.score, i as u32))
        .collect();
    let score = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0);
    let key = |a: &(f32, u32), b: &(f32, u32)| {
        let (i, j) = (a.1 as usize, b.1 as usize);
        keys.of(i, &found[i]).cmp(&keys.of(j, &found[j]))
    };
    let date = |a: &(f32, u32), b: &(f32, u32)| {
        found[b.1 as usize]
            .day_key
            .cmp(&found[a.1 as usize].day_key)
    };
    let by_score = |a: &(f32, u32), b: &(f32, u32)| score(a, b).then_with(|| key(a, b));
    let by_date_score = |a: &(f32, u32), b: &(f32, u32)| date(a, b).then_with(|| score(a, b));
    let by_date = |a: &(f32, u32), b: &(f32, u32)| by_date_score(a, b).then_with(|| key(a, b));
    let ranking = match req.sort {
        Sort::Relevance => Ranking {
            coarse: &score,
            full: &by_score,
        },
        Sort::Date => Ranking {
            coarse: &by_date_score,
            full: &by_date,
        },
    };
    let page_end = req.offset.saturating_add(req.limit);
    let (groups, _) = page_groups(&mut order, found, &ranking, page_end, req.collapse);
    groups
        .into_iter()
        .skip(req.offset)
        .take(req.limit)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::DocAddress;

    fn article(doc: u32, score: Score) -> ArticleAgg {
        ArticleAgg {
            at: DocAddress::new(0, doc),
            score,
            source: super::super::collect::NO_SOURCE,
            day_key: 0,
            cluster: None,
            lacks: 0,
        }
    }

    #[test]
    fn the_best_come_first_and_ties_go_by_key() {
        let found: Vec<ArticleAgg> = [1.0, 3.0, 2.0, 3.0, 0.5]
            .iter()
            .enumerate()
            .map(|(i, &s)| article(i as u32, s))
            .collect();
        // Keys in reverse order of position: of the two 3.0s, position 3 wins.
        let key = |i: usize| 10 - i as u64;
        assert_eq!(best(&found, 3, |a| a.score, key), [3, 1, 2]);
        assert_eq!(best(&found, 9, |a| a.score, key), [3, 1, 2, 0, 4]);
        assert!(best(&found, 0, |a| a.score, key).is_empty());
    }

    proptest::proptest! {
        /// The best n are the first n of a full sort by score, then key.
        #[test]
        fn the_best_are_the_start_of_the_full_order(
            scores in proptest::collection::vec(0u8..6, 0..80),
            keys in proptest::collection::vec(0u64..1000, 80),
            n in 0usize..90,
        ) {
            let found: Vec<ArticleAgg> = scores
                .iter()
                .enumerate()
                .map(|(i, &s)| article(i as u32, Score::from(s)))
                .collect();
            let key = |i: usize| keys[i] * 100 + i as u64;
            let mut all: Vec<usize> = (0..found.len()).collect();
            all.sort_by(|&a, &b| found[b].score.total_cmp(&found[a].score).then(key(a).cmp(&key(b))));
            all.truncate(n);
            proptest::prop_assert_eq!(best(&found, n, |a| a.score, key), all);
        }
    }
}
