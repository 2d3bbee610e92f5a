//! Highlights: where in a passage the query matched.
//!
//! The passage is analysed again with the same analyzer the index used, so a
//! highlight falls exactly on the words that matched, whatever their case,
//! spelling or inflection (`privatisation` lights up for `privatization`).

use std::collections::{HashMap, HashSet};

use crate::analysis::{Mode, Token, TokenKind, analyze, each_token};

/// The terms and phrases of a query, ready to be found in passage text.
#[derive(Debug, Default)]
pub(crate) struct Highlighter {
    /// Terms of the stemmed fields.
    pub stemmed: HashSet<String>,
    /// Terms of the exact fields (one-word phrases).
    pub exact: HashSet<String>,
    /// Phrases: exact terms with their relative positions.
    pub phrases: Vec<Vec<(u32, String)>>,
    /// Phrases of stemmed terms (quoted phrases and names of several words
    /// match inflected), with their relative positions.
    pub stemmed_phrases: Vec<Vec<(u32, String)>>,
    /// Terms and phrases (words joined by spaces) that only other names of
    /// a name typed brought in: they weigh less as evidence.
    pub lesser: HashSet<String>,
}

impl Highlighter {
    /// Adds a word or phrase of `mode`: its terms at their positions in the
    /// query (one term is a word, several a phrase). True if it is new.
    pub fn add(&mut self, mode: Mode, seq: &[(u32, String)]) -> bool {
        let (terms, phrases) = match mode {
            Mode::Stemmed => (&mut self.stemmed, &mut self.stemmed_phrases),
            Mode::Exact => (&mut self.exact, &mut self.phrases),
        };
        match seq {
            [] => false,
            [(_, t)] => terms.insert(t.clone()),
            [(base, _), ..] => {
                let phrase: Vec<(u32, String)> =
                    seq.iter().map(|(p, t)| (p - base, t.clone())).collect();
                let new = !phrases.contains(&phrase);
                if new {
                    phrases.push(phrase);
                }
                new
            }
        }
    }

    /// Byte ranges of matches in `text`, sorted and merged.
    pub fn highlight(&self, text: &str) -> Vec<[usize; 2]> {
        let mut ranges: Vec<[usize; 2]> = Vec::new();
        light(
            text,
            Mode::Stemmed,
            &self.stemmed,
            &self.stemmed_phrases,
            &mut ranges,
        );
        light(text, Mode::Exact, &self.exact, &self.phrases, &mut ranges);
        merge(ranges)
    }
}

/// Where `terms` and `phrases` (of `mode`) occur in `text`.
fn light(
    text: &str,
    mode: Mode,
    terms: &HashSet<String>,
    phrases: &[Vec<(u32, String)>],
    out: &mut Vec<[usize; 2]>,
) {
    if phrases.is_empty() {
        // Terms are matched as the analyzer hands them over: no string is
        // made for each token of the text.
        if !terms.is_empty() {
            each_token(text, mode, |term, start, end, _, _| {
                if terms.contains(term) {
                    out.push([start, end]);
                }
            });
        }
        return;
    }
    let mut tokens = Vec::new();
    analyze(text, mode, &mut tokens);
    out.extend(
        tokens
            .iter()
            .filter(|t| terms.contains(&t.text))
            .map(|t| [t.start, t.end]),
    );
    phrase_ranges(phrases, &tokens, out);
}

/// Where each of `phrases` occurs whole among `tokens` (of the phrases'
/// mode), from its first word to its last.
fn phrase_ranges(phrases: &[Vec<(u32, String)>], tokens: &[Token], out: &mut Vec<[usize; 2]>) {
    if phrases.is_empty() {
        return;
    }
    let mut at: HashMap<(u32, &str), &Token> = HashMap::new();
    for t in tokens {
        at.insert((t.position, t.text.as_str()), t);
    }
    for phrase in phrases {
        let Some((first_off, first)) = phrase.first() else {
            continue;
        };
        for t in tokens
            .iter()
            .filter(|t| t.text == *first && t.kind != TokenKind::Joined)
        {
            let Some(base) = t.position.checked_sub(*first_off) else {
                continue;
            };
            let matched: Option<Vec<&Token>> = phrase
                .iter()
                .map(|(off, term)| at.get(&(base + off, term.as_str())).copied())
                .collect();
            if let Some(m) = matched {
                let start = m.iter().map(|t| t.start).min().unwrap_or(t.start);
                let end = m.iter().map(|t| t.end).max().unwrap_or(t.end);
                out.push([start, end]);
            }
        }
    }
}

fn merge(mut ranges: Vec<[usize; 2]>) -> Vec<[usize; 2]> {
    ranges.sort_unstable();
    let mut out: Vec<[usize; 2]> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r[0] <= last[1] => last[1] = last[1].max(r[1]),
            _ => out.push(r),
        }
    }
    out
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn passage() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            "[a-zA-Z]{1,10}",
            Just("strikes".to_string()),
            Just("Doctors’".to_string()),
            Just("level-four".to_string()),
            Just("A&E".to_string()),
            Just("£24".to_string()),
            Just("Zoë".to_string()),
            Just("日本語".to_string()),
            Just("🙂".to_string()),
            "\\PC{1,4}",
            "[ \n.,’'-]{1,2}",
        ];
        prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
    }

    /// A highlighter for query words taken from the passage and elsewhere.
    fn highlighter(words: &[String]) -> Highlighter {
        let mut h = Highlighter::default();
        for (i, w) in words.iter().enumerate() {
            let mut stemmed = Vec::new();
            analyze(w, Mode::Stemmed, &mut stemmed);
            h.stemmed.extend(stemmed.into_iter().map(|t| t.text));
            let mut exact = Vec::new();
            analyze(w, Mode::Exact, &mut exact);
            if i % 2 == 0 {
                h.exact.extend(exact.iter().map(|t| t.text.clone()));
            }
            if exact.len() > 1 {
                let base = exact[0].position;
                h.phrases.push(
                    exact
                        .iter()
                        .filter(|t| t.kind != TokenKind::Joined)
                        .map(|t| (t.position - base, t.text.clone()))
                        .collect(),
                );
            }
        }
        h
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn highlights_lie_inside_the_text_sorted_and_apart(
            text in passage(),
            picks in prop::collection::vec((0usize..60, 1usize..4), 0..6),
            extra in prop::collection::vec("[a-z]{1,8}|\\PC{1,5}", 0..3),
        ) {
            // Query words: runs of the passage's own words, and a few others.
            let words: Vec<&str> = text.split_whitespace().collect();
            let mut query: Vec<String> = picks
                .iter()
                .filter(|_| !words.is_empty())
                .map(|(at, n)| {
                    let at = at % words.len();
                    words[at..(at + n).min(words.len())].join(" ")
                })
                .collect();
            query.extend(extra);
            let ranges = highlighter(&query).highlight(&text);
            for [a, b] in &ranges {
                prop_assert!(a < b && *b <= text.len(), "{ranges:?}");
                prop_assert!(text.is_char_boundary(*a) && text.is_char_boundary(*b));
            }
            for pair in ranges.windows(2) {
                prop_assert!(pair[0][1] < pair[1][0], "{ranges:?}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stemmed_terms_light_up_their_variants() {
        let h = Highlighter {
            stemmed: ["privatiz".to_string()].into(),
            ..Highlighter::default()
        };
        let text = "Fears of privatisation grew.";
        let r = h.highlight(text);
        assert_eq!(r.len(), 1);
        assert_eq!(&text[r[0][0]..r[0][1]], "privatisation");
    }

    #[test]
    fn phrases_light_up_whole_and_only_where_they_occur() {
        let h = Highlighter {
            phrases: vec![vec![(0, "doctors".into()), (1, "strikes".into())]],
            ..Highlighter::default()
        };
        let text = "Doctors’ strikes resumed; doctors said strikes would go on.";
        let r = h.highlight(text);
        assert_eq!(r.len(), 1);
        assert_eq!(&text[r[0][0]..r[0][1]], "Doctors’ strikes");
    }

    #[test]
    fn merges_overlaps() {
        assert_eq!(
            merge(vec![[5, 9], [0, 3], [2, 4], [9, 10]]),
            [[0, 4], [5, 10]]
        );
    }
}
