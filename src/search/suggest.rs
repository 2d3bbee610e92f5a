//! Did you mean: for a word of the query that matches few articles or none,
//! a close spelling from the index's own words that many more articles
//! hold. Only suggested, never searched instead.

use std::collections::{HashMap, HashSet};

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

/// Words of the dictionary looked at, at most, per word and segment.
const MAX_SCANNED: usize = 200_000;

/// Suggestions for the typed words (as typed, and their stemmed term).
pub(super) fn suggest(
    searcher: &Searcher,
    f: &Fields,
    typed: &[(String, String)],
) -> Result<Vec<Suggestion>> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (word, stem) in typed {
        let lower = word.to_lowercase();
        if lower.chars().count() < 3 || !seen.insert(lower.clone()) {
            continue;
        }
        let held = searcher
            .doc_freq(&Term::from_field_text(f.text, stem))?
            .max(searcher.doc_freq(&Term::from_field_text(f.title, stem))?);
        if held > RARE {
            continue;
        }
        if let Some((suggestion, articles)) = closest(searcher, f, &lower, stem)?
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

/// The word of the texts closest to `word` (one edit for words of up to
/// four letters, two for longer ones; the first letter kept), the most
/// common of the closest, with the articles that hold it. A word that is
/// only an inflection of `word` (same stem) is no suggestion.
fn closest(
    searcher: &Searcher,
    f: &Fields,
    word: &str,
    stem: &str,
) -> Result<Option<(String, u64)>> {
    let chars: Vec<char> = word.chars().collect();
    let most = if chars.len() <= 4 { 1 } else { 2 };
    let first = &word[..chars[0].len_utf8()];
    let mut held: HashMap<Vec<u8>, u64> = HashMap::new();
    for reader in searcher.segment_readers() {
        let index = reader.inverted_index(f.text_exact)?;
        let mut stream = index
            .terms()
            .range()
            .ge(first.as_bytes())
            .into_stream()
            .map_err(tantivy::TantivyError::from)?;
        let mut scanned = 0;
        while stream.advance() && scanned < MAX_SCANNED {
            let key = stream.key();
            if !key.starts_with(first.as_bytes()) {
                break;
            }
            scanned += 1;
            let Ok(term) = std::str::from_utf8(key) else {
                continue;
            };
            let len = term.chars().count();
            if len.abs_diff(chars.len()) > most {
                continue;
            }
            *held.entry(key.to_vec()).or_default() += u64::from(stream.value().doc_freq);
        }
    }
    let mut best: Option<(usize, u64, String)> = None;
    for (key, articles) in held {
        let Ok(term) = String::from_utf8(key) else {
            continue;
        };
        let Some(d) = distance(&chars, &term, most) else {
            continue;
        };
        if d == 0 || same_stem(&term, stem) {
            continue;
        }
        let better = match &best {
            None => true,
            Some((bd, ba, bt)) => {
                (d, std::cmp::Reverse(articles), &term) < (*bd, std::cmp::Reverse(*ba), bt)
            }
        };
        if better {
            best = Some((d, articles, term));
        }
    }
    Ok(best.map(|(_, articles, term)| (term, articles)))
}

fn same_stem(term: &str, stem: &str) -> bool {
    let mut tokens = Vec::new();
    analyze(term, Mode::Stemmed, &mut tokens);
    tokens
        .iter()
        .any(|t| t.kind == TokenKind::Word && t.text == stem)
}

/// Edits (insertions, deletions, substitutions, swaps of two neighbours)
/// from `a` to `b`, if at most `most`.
fn distance(a: &[char], b: &str, most: usize) -> Option<usize> {
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > most {
        return None;
    }
    // Three rows of the table: two back (for swaps), the last, this one.
    let mut two: Vec<usize> = vec![0; m + 1];
    let mut last: Vec<usize> = (0..=m).collect();
    let mut row: Vec<usize> = vec![0; m + 1];
    for i in 1..=n {
        row[0] = i;
        let mut low = row[0];
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (last[j] + 1).min(row[j - 1] + 1).min(last[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(two[j - 2] + 1);
            }
            row[j] = v;
            low = low.min(v);
        }
        if low > most {
            return None;
        }
        std::mem::swap(&mut two, &mut last);
        std::mem::swap(&mut last, &mut row);
    }
    (last[m] <= most).then_some(last[m])
}

#[cfg(test)]
mod tests {
    use super::distance;

    fn d(a: &str, b: &str) -> Option<usize> {
        distance(&a.chars().collect::<Vec<_>>(), b, 2)
    }

    #[test]
    fn counts_swaps_as_one_edit() {
        assert_eq!(d("ebloa", "ebola"), Some(1));
        assert_eq!(d("nurses", "nurses"), Some(0));
        assert_eq!(d("nurse", "nurses"), Some(1));
        assert_eq!(d("strke", "strike"), Some(1));
        assert_eq!(d("hospitl", "hospital"), Some(1));
        assert_eq!(d("ebola", "measles"), None);
        assert_eq!(d("", "ab"), Some(2));
        assert_eq!(d("abc", ""), None);
    }
}
