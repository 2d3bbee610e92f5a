//! Ranking: how passage scores become an article score.
//!
//! Passages are scored by tantivy's BM25 over the body plus the title
//! (boosted). An article ranks by its best passage plus a discounted share
//! of its next best ones: a second passage that also matches is evidence the
//! article is about the query, not just mentioning it once.

use tantivy::Score;

/// How many of an article's passage scores enter its score.
pub const RANKED_PASSAGES: usize = 3;

/// Weight of the 1st, 2nd and 3rd best passage scores. Kept small: every
/// passage repeats the title, so other passages' scores are largely the same
/// title match again, and larger weights reward length (see docs/RELEVANCE.md).
const EVIDENCE_WEIGHTS: [Score; RANKED_PASSAGES] = [1.0, 0.05, 0.02];

/// Boost of a title match relative to a body match. Below 1 because the
/// title is indexed with every passage of its article.
pub const TITLE_BOOST: Score = 0.5;

/// The article score from its best passage scores (highest first).
pub fn article_score(best: &[Score]) -> Score {
    best.iter().zip(EVIDENCE_WEIGHTS).map(|(s, w)| s * w).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_passage_dominates_and_evidence_adds() {
        assert_eq!(article_score(&[2.0]), 2.0);
        assert!(article_score(&[2.0, 1.0]) > article_score(&[2.0]));
        assert!(article_score(&[3.0]) > article_score(&[2.0, 2.0, 2.0]));
    }
}
