//! Did you mean: for a word of the query that matches few articles or none,
//! a close spelling from the index's own words that many more articles
//! hold. Only suggested, never searched instead.

use std::collections::{HashMap, HashSet};

use tantivy::query::FuzzyTermQuery;

use tantivy::{Searcher, Term};

use crate::analysis::{Mode, TokenKind, analyze};
use crate::error::Result;
use crate::index::schema::Fields;
use crate::model::Suggestion;

/// A word held by at most this many articles is checked for a better
/// spelling.
const RARE: u64 = 3;

/// A suggestion must be held by at least this many times more articles
/// than the word typed.
const MORE: u64 = 20;

/// Queries of more words than this (text pasted) get no suggestions.
const MAX_WORDS: usize = super::rank::KEYWORDS;

/// Rare words of one query checked, at most.
const MAX_CHECKED: usize = 3;

/// Close words looked at, at most, per word, distance and segment.
const MAX_SCANNED: usize = 10_000;

/// Suggestions for the typed words (as typed, and their stemmed term).
pub(super) fn suggest(
    searcher: &Searcher,
    f: &Fields,
    typed: &[(String, String)],
) -> Result<Vec<Suggestion>> {
    let mut out = Vec::new();
    if typed.len() > MAX_WORDS {
        // Text pasted, not typed: its rare words are seldom misspellings.
        return Ok(out);
    }
    let mut seen = HashSet::new();
    let mut checked = 0;
    for (word, stem) in typed {
        // As the exact fields hold it: case and diacritics folded.
        let mut folded = Vec::new();
        analyze(word, Mode::Exact, &mut folded);
        let [token] = folded.as_slice() else {
            continue;
        };
        let lower = token.text.clone();
        if lower.chars().count() < 3 || !seen.insert(lower.clone()) {
            continue;
        }
        let held = searcher
            .doc_freq(&Term::from_field_text(f.text, stem))?
            .max(searcher.doc_freq(&Term::from_field_text(f.title, stem))?);
        if held > RARE {
            continue;
        }
        checked += 1;
        if checked > MAX_CHECKED {
            break;
        }
        // Two edits only for a word no article has: a rare word is far
        // more often a real one.
        let most = match (lower.chars().count(), held) {
            (0..=4, _) | (_, 1..) => 1,
            _ => 2,
        };
        if let Some((suggestion, articles)) = closest(searcher, f, &lower, stem, most)?
            && articles >= (held * MORE).max(1)
        {
            out.push(Suggestion {
                word: word.clone(),
                suggestion,
                word_articles: held,
                articles,
            });
        }
    }
    Ok(out)
}

/// The word of the texts closest to `word` (at most `most` edits, a swap of
/// two neighbours counting as one), the most common of the closest, with
/// the articles that hold it. A
/// word that is only an inflection of `word` (same stem) is no suggestion.
/// The dictionary is walked by a Levenshtein automaton, so only words
/// within reach are visited.
fn closest(
    searcher: &Searcher,
    f: &Fields,
    word: &str,
    stem: &str,
    most: u8,
) -> Result<Option<(String, u64)>> {
    for distance in 1..=most {
        // One automaton for every segment.
        let automaton =
            FuzzyTermQuery::new(Term::from_field_text(f.text_exact, word), distance, true)
                .automaton()?;
        let mut held: HashMap<Vec<u8>, u64> = HashMap::new();
        for reader in searcher.segment_readers() {
            let index = reader.inverted_index(f.text_exact)?;
            let mut stream = index
                .terms()
                .search(&automaton)
                .into_stream()
                .map_err(tantivy::TantivyError::from)?;
            let mut seen = 0;
            while stream.advance() && seen < MAX_SCANNED {
                seen += 1;
                *held.entry(stream.key().to_vec()).or_default() +=
                    u64::from(stream.value().doc_freq);
            }
        }
        let best = held
            .into_iter()
            .filter_map(|(k, n)| Some((String::from_utf8(k).ok()?, n)))
            .filter(|(t, _)| t != word && !same_stem(t, stem))
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
        if best.is_some() {
            return Ok(best);
        }
    }
    Ok(None)
}

fn same_stem(term: &str, stem: &str) -> bool {
    let mut tokens = Vec::new();
    analyze(term, Mode::Stemmed, &mut tokens);
    tokens
        .iter()
        .any(|t| t.kind == TokenKind::Word && t.text == stem)
}
