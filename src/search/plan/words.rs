//! One word or phrase of the query into a query over the current target's
//! field: stemmed words (a hyphenated word's parts, a letter-digit word's
//! runs), phrases over the stemmed positions, `exact:` phrases over the
//! words as written, and the notices on words left out.

use std::collections::BTreeMap;

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, Occur as TOccur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use super::verify::{Verified, Written};
use super::{Planner, Target};
use crate::analysis::{Mode, Token, TokenKind, analyze, long_words};
use crate::search::query::Scope;

impl Planner<'_> {
    /// Notes the parts of a word or phrase the index cannot hold; true if
    /// nothing else is left in it.
    pub(super) fn note_long_words(&mut self, text: &str, pos: usize, quoted: bool) -> bool {
        let long = long_words(text);
        if long.is_empty() {
            return false;
        }
        for w in &long {
            let short: String = w.chars().take(20).collect();
            self.long_words.push(format!("{short}…"));
        }
        let shown: String = text.chars().take(20).collect();
        let shown = if quoted {
            format!("\"{shown}…\"")
        } else {
            format!("{shown}…")
        };
        self.ignored
            .push((shown, pos, "only words longer than 100 bytes"));
        true
    }

    pub(super) fn word(
        &mut self,
        text: &str,
        pos: usize,
        scope: Scope,
        explicit: bool,
        highlight: bool,
    ) -> Option<Box<dyn Query>> {
        let has_long = self.note_long_words(text, pos, false);
        let mut tokens = Vec::new();
        analyze(text, Mode::Stemmed, &mut tokens);
        // A word typed is matched in any case: its capitals are no marker.
        tokens.retain(|t| t.kind != TokenKind::Acronym);
        if !tokens.is_empty() {
            if has_long {
                // Only part of the word is left out; the rest is searched.
                self.ignored.pop();
            }
            if highlight {
                self.highlighter
                    .stemmed
                    .extend(tokens.iter().map(|t| t.text.clone()));
                if let [t] = tokens.as_slice()
                    && self.target == Target::Text
                    && text.chars().all(char::is_alphabetic)
                {
                    self.typed_words.push((text.to_string(), t.text.clone()));
                }
            }
            // Ranking on the text scores a hyphenated word's parts without
            // their order (as the weights were tuned); requiring and
            // excluding take them in order.
            let positions = self.target != Target::Text || !self.loose;
            let field = self.field(scope, Mode::Stemmed)?;
            let parts = sequence(&tokens);
            let joined = tokens.iter().find(|t| t.kind == TokenKind::Joined);
            let hyphenated = text.chars().any(crate::analysis::is_hyphen_char);
            // A word that mixes letters and digits (`H1N1`, `FoxO3a`) is one
            // name: the word, and its runs of two letters or more, stand in
            // for it; its digits and single letters alone would match nearly
            // every article (and swell counts and facets).
            let letters_and_digits = self.loose && joined.is_some() && !hyphenated;
            let split = letters_and_digits || (self.loose && positions && parts.len() > 1);
            if !split {
                return terms_query(&tokens, field, positions);
            }
            // The parts alone, not the phrase again: a phrase match would
            // count twice and outrank better articles (docs/RELEVANCE.md).
            let wanted = parts.into_iter().map(|(_, t)| t).filter(|t| {
                !letters_and_digits
                    || (t.chars().count() >= 2 && !t.bytes().all(|b| b.is_ascii_digit()))
            });
            let alternatives = joined
                .map(|j| j.text.clone())
                .into_iter()
                .chain(wanted)
                .map(|t| {
                    let q = TermQuery::new(
                        Term::from_field_text(field, &t),
                        IndexRecordOption::WithFreqs,
                    );
                    (TOccur::Should, Box::new(q) as Box<dyn Query>)
                })
                .collect();
            return Some(Box::new(BooleanQuery::new(alternatives)));
        }
        analyze(text, Mode::Exact, &mut tokens);
        if tokens.is_empty() {
            if !has_long {
                self.empty_words.push(text.to_string());
                self.ignored
                    .push((text.to_string(), pos, "no letters or digits"));
            }
            return None;
        }
        if has_long {
            self.ignored.pop();
        }
        if !(explicit || self.stop_words_exact) {
            // As a word, without the punctuation plain text leaves on it.
            let word = text.trim_matches(|c: char| !c.is_alphanumeric());
            self.stop_words.push(word.to_string());
            return None;
        }
        self.exact(text, tokens, scope, highlight)
    }

    pub(super) fn phrase(
        &mut self,
        text: &str,
        pos: usize,
        scope: Scope,
        exact: bool,
        highlight: bool,
    ) -> Option<Box<dyn Query>> {
        let has_long = self.note_long_words(text, pos, true);
        let mut tokens = Vec::new();
        analyze(text, Mode::Exact, &mut tokens);
        if tokens.is_empty() {
            if !has_long {
                self.empty_words.push(format!("\"{text}\""));
                self.ignored
                    .push((format!("\"{text}\""), pos, "no letters or digits"));
            }
            return None;
        }
        if has_long {
            self.ignored.pop();
        }
        if !exact && let Some(q) = self.stemmed_phrase(text, scope, highlight) {
            return Some(q);
        }
        self.exact(text, tokens, scope, highlight)
    }

    /// A phrase over the stemmed fields, so it matches inflected (`"junior
    /// doctor"` finds *junior doctors*); a stop word inside it keeps its
    /// place as a gap. `None` for a phrase of stop words alone, which only
    /// the exact fields hold.
    pub(super) fn stemmed_phrase(
        &mut self,
        text: &str,
        scope: Scope,
        highlight: bool,
    ) -> Option<Box<dyn Query>> {
        let mut tokens = Vec::new();
        analyze(text, Mode::Stemmed, &mut tokens);
        tokens.retain(|t| t.kind != TokenKind::Acronym);
        self.stemmed_terms(&tokens, scope, highlight, false)
    }

    /// Stemmed tokens (acronyms' capitals left out) as a term or phrase over
    /// the stemmed field; `lesser` marks them, when highlighted, as brought
    /// in by another name. `None` when no word is left.
    pub(super) fn stemmed_terms(
        &mut self,
        tokens: &[Token],
        scope: Scope,
        highlight: bool,
        lesser: bool,
    ) -> Option<Box<dyn Query>> {
        let seq = sequence(tokens);
        if seq.is_empty() {
            return None;
        }
        if highlight && self.highlighter.add(Mode::Stemmed, &seq) && lesser {
            let key: Vec<&str> = seq.iter().map(|(_, t)| t.as_str()).collect();
            self.highlighter.lesser.insert(key.join(" "));
        }
        let field = self.field(scope, Mode::Stemmed)?;
        terms_query(tokens, field, true)
    }

    /// Words as written: one word is a term of the exact field; a phrase is
    /// found by its stemmed phrase (scored) and its words as written
    /// (required), then verified against each article's stored text
    /// ([`Verified`]), since the exact fields keep no positions.
    pub(super) fn exact(
        &mut self,
        text: &str,
        tokens: Vec<Token>,
        scope: Scope,
        highlight: bool,
    ) -> Option<Box<dyn Query>> {
        if highlight {
            self.highlighter.add(Mode::Exact, &sequence(&tokens));
        }
        // Exact phrases ignore the joined form of hyphenated words: the
        // parts match with or without the hyphen.
        let no_joined: Vec<Token> = tokens
            .into_iter()
            .filter(|t| t.kind != TokenKind::Joined)
            .collect();
        let field = self.field(scope, Mode::Exact)?;
        let seq = sequence(&no_joined);
        let [(base, _), _, ..] = seq.as_slice() else {
            return terms_query(&no_joined, field, true);
        };
        let phrase: Written = seq.iter().map(|(p, t)| (p - base, t.clone())).collect();
        let mut clauses: Vec<(TOccur, Box<dyn Query>)> = Vec::new();
        let mut stemmed = Vec::new();
        analyze(text, Mode::Stemmed, &mut stemmed);
        stemmed.retain(|t| !matches!(t.kind, TokenKind::Acronym | TokenKind::Joined));
        let positional = self.stemmed_terms(&stemmed, scope, false, false);
        let scored = positional.is_some();
        if let Some(q) = positional {
            clauses.push((TOccur::Must, q));
        }
        let mut words: Vec<&String> = phrase.iter().map(|(_, t)| t).collect();
        words.sort();
        words.dedup();
        for w in words {
            let q: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(field, w),
                IndexRecordOption::WithFreqs,
            ));
            // The stemmed phrase scores the match when there is one.
            let q = if scored {
                Box::new(ConstScoreQuery::new(q, 0.0))
            } else {
                q
            };
            clauses.push((TOccur::Must, q));
        }
        Some(Box::new(Verified {
            inner: Box::new(BooleanQuery::new(clauses)),
            phrase: std::sync::Arc::new(phrase),
            title: self.target == Target::Title,
            article: self.f.article,
        }))
    }
}

/// One term per position: a number's sign form (`£24`) stands in for the
/// bare number, as it is the more specific match.
pub(super) fn sequence(tokens: &[Token]) -> Vec<(u32, String)> {
    let mut at: BTreeMap<u32, &Token> = BTreeMap::new();
    for t in tokens.iter().filter(|t| t.kind != TokenKind::Joined) {
        match at.get(&t.position) {
            Some(prev) if prev.kind == TokenKind::Symbol => {}
            _ => {
                at.insert(t.position, t);
            }
        }
    }
    at.into_iter().map(|(p, t)| (p, t.text.clone())).collect()
}

/// A query for the analysed tokens of one word or phrase over some fields:
/// a term for one position, a phrase for several; a hyphenated word's joined
/// form is an alternative to its parts.
///
/// A hyphenated word whose parts are all stop words (`as-is`, `to-do`) keeps
/// only its joined form in the stemmed fields: that form is the word as
/// written and is searched alone. `None` only when no token is left at all.
pub(super) fn terms_query(
    tokens: &[Token],
    field: Field,
    positions: bool,
) -> Option<Box<dyn Query>> {
    let term = |t: &str| {
        TermQuery::new(
            Term::from_field_text(field, t),
            IndexRecordOption::WithFreqs,
        )
    };
    let seq = sequence(tokens);
    let main: Option<Box<dyn Query>> = match seq.as_slice() {
        [] => None,
        _ if !positions => Some(Box::new(BooleanQuery::new(
            seq.iter()
                .map(|(_, t)| (TOccur::Should, Box::new(term(t)) as Box<dyn Query>))
                .collect(),
        ))),
        [(_, t)] => Some(Box::new(term(t))),
        [(base, _), ..] => Some(Box::new(PhraseQuery::new_with_offset(
            seq.iter()
                .map(|(p, t)| ((p - base) as usize, Term::from_field_text(field, t)))
                .collect(),
        ))),
    };
    let joined = tokens
        .iter()
        .find(|t| t.kind == TokenKind::Joined)
        .map(|j| Box::new(term(&j.text)) as Box<dyn Query>);
    match (main, joined) {
        (Some(main), Some(joined)) => Some(Box::new(BooleanQuery::new(vec![
            (TOccur::Should, main),
            (TOccur::Should, joined),
        ]))),
        (one, None) | (None, one) => one,
    }
}
