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

use super::collect::{ArticleAgg, ArticleKeys, FoundHeadsCollector, found_heads};
use super::hits::Columns;
use super::rank::{ArticleStats, article_score};
use crate::analysis::{Mode, Token, analyze};
use crate::error::Result;
use crate::index::Index;
use crate::model::Article;

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

/// The feedback round: the words the best articles share (from their titles
/// and best passages) score every article already found through its whole
/// text, added to its article-level score. Returns the articles it read,
/// by position in `found`, for the page to reuse.
pub(super) fn round(
    index: &Index,
    searcher: &tantivy::Searcher,
    found: &mut [ArticleAgg],
    keys: &ArticleKeys,
    columns: &mut Columns,
    query_terms: &HashSet<String>,
) -> Result<FxHashMap<usize, Article>> {
    let fb = FEEDBACK;
    let mut loaded = FxHashMap::default();
    if found.len() <= fb.articles {
        return Ok(loaded);
    }
    let mut top: Vec<(f32, usize)> = found
        .iter()
        .enumerate()
        .map(|(i, a)| (article_score(a.best(), a.head), i))
        .collect();
    // Ties go by article key, as in the ranking: by position they would
    // depend on the order the index happens to hold articles in.
    let desc = |a: &(f32, usize), b: &(f32, usize)| {
        b.0.total_cmp(&a.0)
            .then_with(|| keys.of(a.1, &found[a.1]).cmp(&keys.of(b.1, &found[b.1])))
    };
    top.select_nth_unstable_by(fb.articles - 1, desc);
    top.truncate(fb.articles);
    top.sort_unstable_by(desc);
    let mut docs = Vec::with_capacity(top.len());
    for (score, i) in top {
        let a = &found[i];
        let article = index.load_article(searcher, a.head_at())?;
        let mut text = article.title.clone();
        if let Some(&(_, doc)) = a.passages.first() {
            let (start, end) = columns.passage_range(a.at(doc))?;
            text.push('\n');
            text.push_str(article.text.get(start..end).unwrap_or_default());
        }
        docs.push((score, text));
        // The best articles are mostly on the page too: read them once.
        loaded.insert(i, article);
    }
    if let Some(q) = expansion(index.fields.text, &docs, query_terms, fb) {
        let stats = ArticleStats::new(searcher, &index.fields)?;
        let heads = FoundHeadsCollector {
            heads: found_heads(searcher.segment_readers().len(), found),
        };
        for (at, score) in searcher.search_with_statistics_provider(&*q, &heads, &stats)? {
            found[at as usize].head += fb.weight * score;
        }
    }
    Ok(loaded)
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
