//! Ranking: how an article's score is made.
//!
//! Three BM25 scores meet (docs/RELEVANCE.md has the measurements):
//!
//! * the best passage: the place that says the most about the query;
//! * the whole article text, with statistics over articles: the evidence of
//!   all its passages together;
//! * the title, scored once per article.
//!
//! Pseudo-relevance feedback ([`crate::search::feedback`]) then adds a share for
//! words the best articles share.

use tantivy::Score;

/// Weight of the best passage's score.
pub const PASSAGE_WEIGHT: Score = 0.2;
/// Weight of the whole-text score.
pub const TEXT_WEIGHT: Score = 1.0;
/// Weight of the title's score.
pub const TITLE_WEIGHT: Score = 0.6;

/// The article score from its best passage's score and the (already
/// weighted) score of its article-level fields.
pub fn article_score(best_passage: Score, article: Score) -> Score {
    PASSAGE_WEIGHT * best_passage + article
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_levels_count() {
        assert!(article_score(2.0, 1.0) > article_score(1.0, 1.0));
        assert!(article_score(2.0, 1.0) > article_score(2.0, 0.5));
        assert_eq!(article_score(0.0, 0.0), 0.0);
    }
}
