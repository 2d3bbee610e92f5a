//! Pseudo-relevance feedback: words that the best first-round articles share
//! re-rank the articles that already match.
//!
//! The best passage and title of each top article of the first ranking are
//! analysed; each word
//! gets the relevance-model weight `sum over articles of p(article) *
//! tf / length` (RM3), the query's own words and very short tokens aside.
//! The best few words then score every *already matching* article through
//! its whole-text field: feedback reorders results, it never adds an article
//! that does not match the query, so counts and facets stay those of the query.

use std::collections::HashSet;

use rustc_hash::FxHashMap;

use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Score, Term};

use crate::analysis::{Mode, Token, analyze};

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

/// The expansion query from the feedback texts (first-round scores with
/// the text of each article's best passage and title, best first), or
/// `None` when there is nothing to add.
pub(crate) fn expansion(
    field: Field,
    docs: &[(Score, String)],
    query_terms: &HashSet<String>,
    fb: Feedback,
) -> Option<Box<dyn Query>> {
    let docs = &docs[..docs.len().min(fb.articles)];
    // p(article): first-round scores turned into a distribution.
    let max = docs.iter().map(|d| d.0).fold(Score::MIN, Score::max);
    let exp: Vec<Score> = docs.iter().map(|d| (d.0 - max).exp()).collect();
    let norm: Score = exp.iter().sum();
    // Tokens of every text first, so the weights can borrow their words.
    let mut texts: Vec<(Score, Vec<Token>)> = Vec::with_capacity(docs.len());
    for ((_, text), e) in docs.iter().zip(&exp) {
        let mut tokens = Vec::new();
        analyze(text, Mode::Stemmed, &mut tokens);
        if !tokens.is_empty() {
            texts.push((e / norm / tokens.len() as Score, tokens));
        }
    }
    let mut weights: FxHashMap<&str, Score> = FxHashMap::default();
    for (per_token, tokens) in &texts {
        for t in tokens {
            if t.text.len() < 3
                || query_terms.contains(&t.text)
                || t.text.bytes().all(|b| b.is_ascii_digit())
            {
                continue;
            }
            *weights.entry(t.text.as_str()).or_default() += per_token;
        }
    }
    let mut ranked: Vec<(&str, Score)> = weights.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    ranked.truncate(fb.words);
    let best = ranked.first()?.1;
    let clauses = ranked
        .into_iter()
        .map(|(word, w)| {
            let q = TermQuery::new(
                Term::from_field_text(field, word),
                IndexRecordOption::WithFreqs,
            );
            let boosted: Box<dyn Query> = Box::new(BoostQuery::new(Box::new(q), w / best));
            (Occur::Should, boosted)
        })
        .collect();
    Some(Box::new(BooleanQuery::new(clauses)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_words_of_the_best_texts_are_chosen() {
        let (schema, f) = crate::index::schema::build();
        let _ = schema;
        let docs = vec![
            (
                3.0,
                "Ambulance handover delays at the hospital; handover queues grow".to_string(),
            ),
            (
                2.5,
                "Crews wait for handover outside A&E as queues grow".to_string(),
            ),
        ];
        let query: HashSet<String> = ["ambul".to_string()].into();
        let fb = Feedback {
            articles: 5,
            words: 3,
            weight: 0.5,
        };
        let q = expansion(f.text, &docs, &query, fb).expect("words to add");
        let text = format!("{q:?}");
        assert!(text.contains("handov"), "{text}");
        assert!(
            !text.contains("ambul"),
            "query words are not added again: {text}"
        );
        assert!(expansion(f.text, &[], &query, fb).is_none());
    }
}
