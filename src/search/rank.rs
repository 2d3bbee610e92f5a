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

use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::{Score, Term};

use super::collapse::{Group, Ranking, page_groups};
use super::collect::{ArticleAgg, ArticleKeys};
use crate::error::Result;
use crate::index::schema::Fields;
use crate::model::{SearchRequest, Sort};

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

/// The groups of the requested page (copies of one story are one group
/// without `--no-collapse`), ordered by score or by date as far as the page
/// reaches, and how many matching articles are copies shown under another.
pub(crate) fn page(
    found: &[ArticleAgg],
    keys: &ArticleKeys,
    req: &SearchRequest,
) -> (Vec<Group>, u64) {
    // Rank (score, position) pairs rather than the aggregates themselves.
    let mut order: Vec<(f32, u32)> = found
        .iter()
        .enumerate()
        .map(|(i, a)| (article_score(a.best(), a.head), i as u32))
        .collect();
    let by_score = |a: &(f32, u32), b: &(f32, u32)| {
        b.0.total_cmp(&a.0).then_with(|| {
            let (i, j) = (a.1 as usize, b.1 as usize);
            keys.of(i, &found[i]).cmp(&keys.of(j, &found[j]))
        })
    };
    let by_date = |a: &(f32, u32), b: &(f32, u32)| {
        found[b.1 as usize]
            .day_key
            .cmp(&found[a.1 as usize].day_key)
            .then_with(|| by_score(a, b))
    };
    let cmp: &Ranking = match req.sort {
        Sort::Relevance => &by_score,
        Sort::Date => &by_date,
    };
    let matched = order.len();
    let page_end = req.offset.saturating_add(req.limit);
    let (groups, total_groups) = page_groups(&mut order, found, cmp, page_end, req.collapse);
    let page = groups
        .into_iter()
        .skip(req.offset)
        .take(req.limit)
        .collect();
    (page, (matched - total_groups) as u64)
}

/// BM25 statistics for the article-level fields: they are indexed on head
/// passages only, so the document count is the number of articles, not of
/// passages (which would make every title look long and every term rare).
pub(crate) struct ArticleStats<'a> {
    searcher: &'a tantivy::Searcher,
    articles: u64,
}

impl<'a> ArticleStats<'a> {
    pub fn new(searcher: &'a tantivy::Searcher, f: &Fields) -> Result<ArticleStats<'a>> {
        let mark = Term::from_field_text(f.is_head, crate::index::schema::HEAD_MARK);
        Ok(ArticleStats {
            searcher,
            articles: searcher.doc_freq(&mark)?.max(1),
        })
    }
}

impl Bm25StatisticsProvider for ArticleStats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        self.searcher.total_num_tokens(field)
    }
    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.articles)
    }
    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        self.searcher.doc_freq(term)
    }
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
