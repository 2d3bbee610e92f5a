//! Best-passage evidence: which passages of an article say the most about
//! the query, found from the positions the index holds, without reading or
//! analysing the article again.
//!
//! Each passage of an article is a range of word positions (the `passages`
//! column, see [`crate::index::schema::PassageSpan`]). The positions of the
//! query's words and phrases in `text` (words as written by their stems)
//! fall into those ranges; each passage is scored by BM25
//! over its own counts and length, with the words' weights over articles.
//! The re-rank adds the best passage's score to an article's ([`crate::search::rerank`]),
//! and the page shows its best passages ([`crate::search::hits`]).

use std::ops::Range;

use tantivy::postings::{Postings, SegmentPostings};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, TERMINATED, Term};

use super::collect::by_segment;
use super::plan::OTHER_NAMES_WEIGHT;
use super::snippet::Highlighter;
use crate::analysis::{Mode, TokenKind, analyze};
use crate::error::Result;
use crate::index::schema::{Fields, PassageColumns, PassageSpan};

/// The stemmed terms of words as written, each at its offset; stop words
/// (which have none) left out.
fn stemmed(written: &[(u32, String)]) -> Vec<(u32, String)> {
    let mut tokens = Vec::new();
    written
        .iter()
        .filter_map(|(offset, word)| {
            tokens.clear();
            analyze(word, Mode::Stemmed, &mut tokens);
            let t = tokens
                .iter()
                .find(|t| !matches!(t.kind, TokenKind::Acronym | TokenKind::Joined))?;
            Some((*offset, t.text.clone()))
        })
        .collect()
}

/// BM25's term-frequency saturation.
const K1: Score = 1.2;
/// BM25's length normalisation.
const B: Score = 0.75;
/// The length of a typical passage, in positions: passages are cut at 40 to
/// 150 words (see [`crate::write::passage`]).
const AVERAGE_PASSAGE: Score = 100.0;

/// What the query looks for in passages, each with its weight.
pub(crate) struct Evidence {
    features: Vec<Feature>,
}

struct Feature {
    idf: Score,
    /// The terms and their offsets: one term for a word, several for a
    /// phrase (all in one field).
    terms: Vec<(u32, Term)>,
}

/// An article's passages, scored: (score, passage), best first, only those
/// where the query's words are; and the passages themselves.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scored {
    pub best: Vec<(Score, usize)>,
    pub spans: Vec<PassageSpan>,
}

impl Scored {
    /// The best passage's score, 0 if none holds a query word.
    pub fn top(&self) -> Score {
        self.best.first().map_or(0.0, |b| b.0)
    }

    /// The byte ranges of the `n` best passages, best first; the first
    /// passage when none holds a query word (an article found by its title).
    pub fn shown(&self, n: usize) -> Vec<(Score, Range<usize>)> {
        let mut out: Vec<(Score, Range<usize>)> = self
            .best
            .iter()
            .take(n)
            .filter_map(|&(s, i)| Some((s, self.spans.get(i)?.bytes.clone())))
            .collect();
        if out.is_empty()
            && n > 0
            && let Some(first) = self.spans.first()
        {
            out.push((0.0, first.bytes.clone()));
        }
        out
    }
}

impl Evidence {
    /// The query's words and phrases (those it highlights), weighted by how
    /// rare they are among articles.
    pub fn new(searcher: &Searcher, f: &Fields, h: &Highlighter) -> Result<Evidence> {
        let docs = searcher.num_docs().max(1) as Score;
        let idf = |term: &Term| -> tantivy::Result<Score> {
            let df = searcher.doc_freq(term)? as Score;
            Ok((1.0 + (docs - df + 0.5) / (df + 0.5)).ln())
        };
        let mut wanted: Vec<Vec<(u32, Term)>> = Vec::new();
        // Words in a fixed order (the sets have none): sums come out alike.
        // Words and phrases as written are found by their stems' positions
        // (the exact fields keep none): a passage that holds a word as
        // written holds its stem there too.
        let mut words: Vec<String> = h.stemmed.iter().cloned().collect();
        words.extend(
            h.exact
                .iter()
                .filter_map(|w| stemmed(&[(0, w.clone())]).pop().map(|(_, t)| t)),
        );
        words.sort();
        words.dedup();
        wanted.extend(
            words
                .iter()
                .map(|t| vec![(0, Term::from_field_text(f.text, t))]),
        );
        let phrases = (h.phrases.iter().map(|p| stemmed(p)))
            .chain(h.stemmed_phrases.iter().cloned())
            .filter(|p| p.len() > 1);
        for phrase in phrases {
            let base = phrase[0].0;
            let terms: Vec<(u32, Term)> = phrase
                .iter()
                .map(|(off, t)| (off - base, Term::from_field_text(f.text, t)))
                .collect();
            if !wanted.contains(&terms) {
                wanted.push(terms);
            }
        }
        let mut features = Vec::with_capacity(wanted.len());
        for terms in wanted {
            let mut weight = 0.0;
            for (_, t) in &terms {
                weight += idf(t)?;
            }
            let key: Vec<String> = terms
                .iter()
                .filter_map(|(_, t)| t.value().as_str().map(str::to_string))
                .collect();
            if h.lesser.contains(&key.join(" ")) {
                weight *= OTHER_NAMES_WEIGHT;
            }
            features.push(Feature { idf: weight, terms });
        }
        Ok(Evidence { features })
    }

    /// BM25 of a passage from its counts per feature and its length.
    fn score(&self, counts: &[u32], len: u32) -> Score {
        let norm = K1 * (1.0 - B + B * len.max(1) as Score / AVERAGE_PASSAGE);
        self.features
            .iter()
            .zip(counts)
            .filter(|(_, c)| **c > 0)
            .map(|(f, &c)| {
                let tf = c as Score;
                f.idf * tf * (K1 + 1.0) / (tf + norm)
            })
            .sum()
    }

    /// The scored passages of each article at `at` (any order), in that
    /// order: the postings of the query's words are read once per segment,
    /// the articles visited in document order.
    pub fn passages(&self, searcher: &Searcher, at: &[DocAddress]) -> Result<Vec<Scored>> {
        let mut out = vec![Scored::default(); at.len()];
        for (segment, these) in by_segment(at) {
            let reader = searcher.segment_reader(segment);
            let columns = PassageColumns::open(reader)?;
            let mut postings = self.open(reader)?;
            let mut occurrences: Vec<(u32, usize)> = Vec::new();
            let mut positions: Vec<Vec<u32>> = Vec::new();
            for i in these {
                let doc = at[i].doc_id;
                let spans = columns.of(doc);
                occurrences.clear();
                for (k, feature) in postings.iter_mut().enumerate() {
                    feature.positions(doc, &mut positions);
                    phrase_starts(&positions, |p| occurrences.push((p, k)));
                }
                out[i] = Scored {
                    best: self.rank(&spans, &mut occurrences),
                    spans,
                };
            }
        }
        Ok(out)
    }

    /// The postings of every feature's terms in one segment.
    fn open(&self, reader: &tantivy::SegmentReader) -> Result<Vec<FeaturePostings>> {
        let mut out = Vec::with_capacity(self.features.len());
        for f in &self.features {
            let mut terms = Vec::with_capacity(f.terms.len());
            for (off, term) in &f.terms {
                let index = reader.inverted_index(term.field())?;
                let postings = index
                    .read_postings(term, IndexRecordOption::WithFreqsAndPositions)
                    .map_err(tantivy::TantivyError::from)?;
                terms.push((*off, postings));
            }
            out.push(FeaturePostings { terms });
        }
        Ok(out)
    }

    /// The passages that hold a query word, scored, best first (ties to the
    /// earlier passage). `occurrences`: (position, feature).
    fn rank(&self, spans: &[PassageSpan], occurrences: &mut [(u32, usize)]) -> Vec<(Score, usize)> {
        if occurrences.is_empty() || spans.is_empty() {
            return Vec::new();
        }
        occurrences.sort_unstable();
        let mut best = Vec::new();
        let mut counts = vec![0u32; self.features.len()];
        let mut k = 0;
        let mut i = 0;
        while i < occurrences.len() {
            // The passage of this occurrence: the last whose first word is
            // at or before it.
            let p = occurrences[i].0;
            while k + 1 < spans.len() && spans[k + 1].first <= p {
                k += 1;
            }
            let end = spans.get(k + 1).map(|s| s.first);
            counts.iter_mut().for_each(|c| *c = 0);
            let mut last = p;
            while i < occurrences.len() && end.is_none_or(|e| occurrences[i].0 < e) {
                counts[occurrences[i].1] += 1;
                last = occurrences[i].0;
                i += 1;
            }
            let len = match end {
                Some(e) => e.saturating_sub(spans[k].first),
                // The last passage ends where its words do, as far as known.
                None => estimate_len(&spans[k].bytes)
                    .max(last.saturating_add(1).saturating_sub(spans[k].first)),
            };
            best.push((self.score(&counts, len), k));
        }
        best.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        best
    }
}

/// Words in a passage of this many bytes, roughly: the last passage's
/// length is not recorded.
fn estimate_len(bytes: &Range<usize>) -> u32 {
    (bytes.len() / 6) as u32
}

/// One feature's postings in a segment: a term, or a phrase's terms.
struct FeaturePostings {
    terms: Vec<(u32, Option<SegmentPostings>)>,
}

impl FeaturePostings {
    /// The positions of each term in `doc` (empty where it is not), into
    /// `out`, one list per term. Documents must be asked for in order.
    fn positions(&mut self, doc: DocId, out: &mut Vec<Vec<u32>>) {
        out.resize_with(self.terms.len(), Vec::new);
        for ((off, postings), list) in self.terms.iter_mut().zip(out.iter_mut()) {
            list.clear();
            let Some(p) = postings else { continue };
            if p.doc() < doc && p.doc() != TERMINATED {
                p.seek(doc);
            }
            if p.doc() == doc {
                p.positions(list);
                // Positions of a phrase's term, as positions of its start.
                if *off > 0 {
                    list.retain(|&x| x >= *off);
                    list.iter_mut().for_each(|x| *x -= *off);
                }
            }
        }
        out.truncate(self.terms.len());
    }
}

/// Calls `hit` with each position where every list has an entry: the
/// starts of a phrase (each list holds a term's positions shifted to the
/// phrase's start), or every position of a single word.
fn phrase_starts(lists: &[Vec<u32>], mut hit: impl FnMut(u32)) {
    let Some((first, rest)) = lists.split_first() else {
        return;
    };
    for &p in first {
        if rest.iter().all(|l| l.binary_search(&p).is_ok()) {
            hit(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(idfs: &[Score]) -> Evidence {
        Evidence {
            features: idfs
                .iter()
                .map(|&idf| Feature {
                    idf,
                    terms: Vec::new(),
                })
                .collect(),
        }
    }

    fn span(first: u32, bytes: Range<usize>) -> PassageSpan {
        PassageSpan { bytes, first }
    }

    #[test]
    fn occurrences_fall_into_their_passages() {
        let e = evidence(&[1.0, 2.0]);
        let spans = [span(0, 0..600), span(100, 600..1200), span(200, 1200..1800)];
        // Word 0 twice in the first passage; both words in the second; none
        // in the third.
        let mut occ = vec![(5, 0), (150, 1), (40, 0), (120, 0)];
        let best = e.rank(&spans, &mut occ);
        let passages: Vec<usize> = best.iter().map(|b| b.1).collect();
        assert_eq!(passages, [1, 0], "{best:?}");
        assert!(best[0].0 > best[1].0);
    }

    #[test]
    fn occurrences_outside_the_spans_neither_panic_nor_vanish() {
        let e = evidence(&[1.0]);
        // Spans starting late (a damaged column) and a lone last passage.
        let spans = [span(10, 0..60), span(u32::MAX - 1, 60..61)];
        let mut occ = vec![(2, 0), (u32::MAX, 0)];
        let best = e.rank(&spans, &mut occ);
        assert_eq!(best.len(), 2, "{best:?}");
        assert!(best.iter().all(|b| b.0.is_finite() && b.0 > 0.0));
    }

    #[test]
    fn phrases_start_where_every_term_lines_up() {
        let mut got = Vec::new();
        phrase_starts(&[vec![1, 7, 20], vec![7, 9, 20]], |p| got.push(p));
        assert_eq!(got, [7, 20]);
    }

    #[test]
    fn an_article_found_by_its_title_shows_its_first_passage() {
        let s = Scored {
            best: Vec::new(),
            spans: vec![span(0, 0..10), span(3, 10..20)],
        };
        assert_eq!(s.shown(2), [(0.0, 0..10)]);
        assert_eq!(s.top(), 0.0);
    }
}
