//! Pseudo-relevance feedback: words that the best first-round articles share
//! re-rank the articles that already match.
//!
//! The top articles of the first ranking are read and analysed; each word
//! gets the relevance-model weight `sum over articles of p(article) *
//! tf / length` (RM3), the query's own words and very short tokens aside.
//! The best few words then score every *already matching* article through
//! its whole-text field: feedback reorders results, it never adds an article
//! that does not match the query, so counts and facets stay those of the query.

use std::collections::{HashMap, HashSet};

use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Score, Searcher, Term};

use crate::analysis::{Mode, analyze};
use crate::error::Result;
use crate::index::Index;

/// The feedback hpsearch runs: 5 articles, 20 words, half weight
/// (chosen on half of the SciFact queries; docs/RELEVANCE.md).
pub(crate) const FEEDBACK: Feedback = Feedback {
    articles: 5,
    words: 20,
    weight: 0.5,
};

/// Settings of the feedback round.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Feedback {
    /// First-round articles read.
    pub articles: usize,
    /// Words added.
    pub words: usize,
    /// Weight of the feedback score against the first-round score.
    pub weight: Score,
}

/// The expansion query for the best articles `top` (keys with scores, best
/// first), or `None` when there is nothing to add.
pub(crate) fn expansion(
    index: &Index,
    searcher: &Searcher,
    top: &[(u64, Score)],
    query_terms: &HashSet<String>,
    fb: Feedback,
) -> Result<Option<Box<dyn Query>>> {
    let top = &top[..top.len().min(fb.articles)];
    if top.is_empty() {
        return Ok(None);
    }
    // p(article): first-round scores turned into a distribution.
    let max = top.iter().map(|t| t.1).fold(Score::MIN, Score::max);
    let exp: Vec<Score> = top.iter().map(|t| (t.1 - max).exp()).collect();
    let norm: Score = exp.iter().sum();
    let mut weights: HashMap<String, Score> = HashMap::new();
    let mut tokens = Vec::new();
    for ((akey, _), e) in top.iter().zip(&exp) {
        let Some(article) = index.article_by_key(searcher, *akey)? else {
            continue;
        };
        tokens.clear();
        analyze(&article.title, Mode::Stemmed, &mut tokens);
        analyze(&article.text, Mode::Stemmed, &mut tokens);
        if tokens.is_empty() {
            continue;
        }
        let p_doc = e / norm;
        let per_token = p_doc / tokens.len() as Score;
        for t in &tokens {
            if t.text.len() < 3
                || query_terms.contains(&t.text)
                || t.text.bytes().all(|b| b.is_ascii_digit())
            {
                continue;
            }
            *weights.entry(t.text.clone()).or_default() += per_token;
        }
    }
    let mut ranked: Vec<(String, Score)> = weights.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(fb.words);
    let Some(best) = ranked.first().map(|r| r.1) else {
        return Ok(None);
    };
    let field = index.fields.text;
    let clauses = ranked
        .into_iter()
        .map(|(word, w)| {
            let q = TermQuery::new(
                Term::from_field_text(field, &word),
                IndexRecordOption::WithFreqs,
            );
            let boosted: Box<dyn Query> = Box::new(BoostQuery::new(Box::new(q), w / best));
            (Occur::Should, boosted)
        })
        .collect();
    Ok(Some(Box::new(BooleanQuery::new(clauses))))
}
