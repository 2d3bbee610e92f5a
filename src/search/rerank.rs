//! The bounded re-rank: the best [`RERANK`] articles of the one pass over
//! every match get their best-passage evidence ([`super::evidence`]) and
//! pseudo-relevance feedback ([`super::feedback`]); no other article is
//! scored twice.

use std::collections::HashSet;

use rustc_hash::FxHashMap;
use tantivy::DocAddress;

use super::collect::{ArticleAgg, ArticleKeys, Holding};
use super::evidence::{Evidence, Scored};
use super::feedback;
use super::rank::{PASSAGE_WEIGHT, best};
use crate::error::Result;
use crate::index::Index;
use crate::model::Article;

/// Articles re-ranked at most: the best of the one pass. On SciFact, 100
/// already gives the best nDCG@10 and 300 the best Recall@100; more costs
/// time and changes nothing (docs/RELEVANCE.md).
pub(crate) const RERANK: usize = 300;

/// What the re-rank read that the page may reuse: the scored passages of
/// the re-ranked articles and the articles feedback loaded, by position in
/// the list of articles found.
#[derive(Default)]
pub(super) struct Reranked {
    pub scored: FxHashMap<usize, Scored>,
    pub loaded: FxHashMap<usize, Article>,
}

/// Re-ranks the best of `found` in place: their best passage's score, then
/// (with the query's terms to leave out of it, `feedback`) the feedback
/// round; what each adds weighed, as the first pass was, by how much of the
/// query the article holds.
pub(super) fn rerank(
    index: &Index,
    searcher: &tantivy::Searcher,
    found: &mut [ArticleAgg],
    keys: &ArticleKeys,
    evidence: &Evidence,
    holding: &Holding,
    feedback: Option<&HashSet<String>>,
) -> Result<Reranked> {
    let top = best(found, RERANK, |a| a.score, |i| keys.of(i, &found[i]));
    let at: Vec<DocAddress> = top.iter().map(|&i| found[i].at).collect();
    let passages = evidence.passages(searcher, &at)?;
    for (&i, s) in top.iter().zip(&passages) {
        found[i].score += holding.factor(found[i].lacks) * PASSAGE_WEIGHT * s.top();
    }
    let scored: FxHashMap<usize, Scored> = top.iter().copied().zip(passages).collect();
    let Some(query_terms) = feedback else {
        return Ok(Reranked {
            scored,
            loaded: FxHashMap::default(),
        });
    };
    let (added, loaded) =
        feedback::round(index, searcher, found, &top, keys, &scored, query_terms)?;
    for (&i, add) in top.iter().zip(added) {
        found[i].score += holding.factor(found[i].lacks) * add;
    }
    Ok(Reranked { scored, loaded })
}
