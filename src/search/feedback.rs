//! Pseudo-relevance feedback: words that the best first-round articles share
//! re-rank the articles of the re-rank set.
//!
//! The best passage and title of each top article are analysed; each word
//! gets the relevance-model weight `sum over articles of p(article) *
//! tf / length` (RM3), the query's own words and very short tokens aside.
//! The best few words then score the re-ranked articles through their text:
//! feedback reorders results, it never adds an article that does not match
//! the query, so counts and facets stay those of the query.

use std::collections::HashSet;

use rustc_hash::FxHashMap;

use tantivy::query::{EnableScoring, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, Score, Term};

use super::collect::{ArticleAgg, ArticleKeys, by_segment};
use super::evidence::Scored;
use super::rank::best;
use crate::analysis::{Mode, Token, TokenKind, analyze};
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

/// Feedback runs for queries of at least this many wanted units (words,
/// phrases, names): with one, the first round's best articles are as
/// likely about another sense or side of the word, and their vocabulary
/// leads away from it (`medicare -"part d"` became a list of drug-benefit
/// releases).
pub(crate) const MIN_UNITS: usize = 2;

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

/// The expansion words from the feedback texts (first-round scores with
/// the text of each article's best passage and title, best first), each
/// with its weight relative to the best word's; empty when there is
/// nothing to add.
pub(crate) fn expansion(
    field: Field,
    docs: &[(Score, String)],
    query_terms: &HashSet<String>,
    fb: Feedback,
) -> Vec<(Term, Score)> {
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
        // An acronym's capitals repeat its word: counted once.
        tokens.retain(|t| t.kind != TokenKind::Acronym);
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
    let Some(&(_, top)) = ranked.first() else {
        return Vec::new();
    };
    ranked
        .into_iter()
        .map(|(word, w)| (Term::from_field_text(field, word), w / top))
        .collect()
}

/// The feedback round over the re-rank set `top` (positions in `found`,
/// best first): the words its best articles share (from their titles and
/// best passages, `scored`) score each article of the set through its
/// text. Returns what that adds to each article of `top` (weighted), and
/// the articles it read, by position in `found`, for the page to reuse.
pub(super) fn round(
    index: &Index,
    searcher: &tantivy::Searcher,
    found: &[ArticleAgg],
    top: &[usize],
    keys: &ArticleKeys,
    scored: &FxHashMap<usize, Scored>,
    query_terms: &HashSet<String>,
) -> Result<(Vec<Score>, FxHashMap<usize, Article>)> {
    let fb = FEEDBACK;
    let mut loaded = FxHashMap::default();
    if top.len() <= fb.articles {
        return Ok((vec![0.0; top.len()], loaded));
    }
    let set: Vec<ArticleAgg> = top.iter().map(|&i| found[i].clone()).collect();
    let leaders = best(&set, fb.articles, |a| a.score, |k| keys.of(top[k], &set[k]));
    let mut docs = Vec::with_capacity(leaders.len());
    for k in leaders {
        let i = top[k];
        let article = index.load_article(searcher, found[i].at)?;
        let mut text = article.title.clone();
        if let Some((_, range)) = scored.get(&i).and_then(|s| s.shown(1).into_iter().next()) {
            text.push('\n');
            text.push_str(article.text.get(range).unwrap_or_default());
        }
        docs.push((found[i].score, text));
        // The best articles are mostly on the page too: read them once.
        loaded.insert(i, article);
    }
    let words = expansion(index.fields.text, &docs, query_terms, fb);
    let at: Vec<DocAddress> = top.iter().map(|&i| found[i].at).collect();
    let added = score_set(searcher, &words, &at)?
        .into_iter()
        .map(|score| fb.weight * score)
        .collect();
    Ok((added, loaded))
}

/// The BM25 score of the weighted `words` in each article at `at`, and of
/// no other article: each word's postings are visited once per segment, in
/// document order.
fn score_set(
    searcher: &tantivy::Searcher,
    words: &[(Term, Score)],
    at: &[DocAddress],
) -> Result<Vec<Score>> {
    let mut scores = vec![0.0; at.len()];
    if words.is_empty() {
        return Ok(scores);
    }
    let enabled = EnableScoring::enabled_from_searcher(searcher);
    let weights = words
        .iter()
        .map(|(t, w)| {
            Ok((
                TermQuery::new(t.clone(), IndexRecordOption::WithFreqs).weight(enabled)?,
                *w,
            ))
        })
        .collect::<tantivy::Result<Vec<_>>>()?;
    for (segment, these) in by_segment(at) {
        let reader = searcher.segment_reader(segment);
        for (weight, boost) in &weights {
            let mut scorer = weight.scorer(reader, *boost)?;
            for &i in &these {
                let doc = at[i].doc_id;
                if scorer.doc() < doc {
                    scorer.seek(doc);
                }
                if scorer.doc() == doc {
                    scores[i] += scorer.score();
                }
            }
        }
    }
    Ok(scores)
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
        let words: Vec<String> = expansion(f.text, &docs, &query, fb)
            .iter()
            .filter_map(|(t, _)| t.value().as_str().map(str::to_string))
            .collect();
        assert!(words.iter().any(|w| w == "handov"), "{words:?}");
        assert!(
            !words.iter().any(|w| w == "ambul"),
            "query words are not added again: {words:?}"
        );
        assert!(expansion(f.text, &[], &query, fb).is_empty());
    }
}
