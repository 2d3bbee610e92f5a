//! Exact phrases, verified. The words as written are indexed without
//! positions (`title_exact`, `text_exact`): an exact phrase is first found
//! by its stemmed phrase (the stemmed fields hold the positions, stop words
//! as gaps) and the presence of each word as written, and then each article
//! found is checked against its stored text, where the words must stand in
//! that order as written (in the text, inside its passages: boilerplate is
//! never found). So `exact:"striking nurses"` does not find an article that
//! says *strike by nurses* and, elsewhere, *striking*.

use std::borrow::Cow;
use std::sync::Arc;

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, Value};
use tantivy::store::StoreReader;
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyDocument};

use crate::analysis::{Mode, each_token};
use crate::index::schema::PassageColumns;

/// A phrase as written: each word with its position from the first.
pub(crate) type Written = Vec<(u32, String)>;

/// `inner` (the stemmed phrase and the written words), keeping only the
/// articles whose stored title or text holds `phrase` as written.
#[derive(Debug)]
pub(crate) struct Verified {
    pub inner: Box<dyn Query>,
    pub phrase: Arc<Written>,
    /// In the title (else in the text's passages).
    pub title: bool,
    /// The stored article's field.
    pub article: Field,
}

impl Clone for Verified {
    fn clone(&self) -> Verified {
        Verified {
            inner: self.inner.box_clone(),
            phrase: self.phrase.clone(),
            title: self.title,
            article: self.article,
        }
    }
}

impl Query for Verified {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(VerifiedWeight {
            inner: self.inner.weight(scoring)?,
            phrase: self.phrase.clone(),
            title: self.title,
            article: self.article,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a tantivy::Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

struct VerifiedWeight {
    inner: Box<dyn Weight>,
    phrase: Arc<Written>,
    title: bool,
    article: Field,
}

impl VerifiedWeight {
    fn check(&self, reader: &SegmentReader) -> tantivy::Result<Check> {
        Ok(Check {
            store: reader.get_store_reader(1)?,
            passages: if self.title {
                None
            } else {
                Some(PassageColumns::open(reader)?)
            },
            phrase: self.phrase.clone(),
            article: self.article,
            found: Vec::new(),
        })
    }
}

impl Weight for VerifiedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let inner = self.inner.scorer(reader, boost)?;
        let mut scorer = VerifiedScorer {
            inner,
            check: self.check(reader)?,
        };
        let first = scorer.inner.doc();
        if first != TERMINATED && !scorer.check.holds(first) {
            scorer.advance();
        }
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let found = self.inner.explain(reader, doc)?;
        if self.check(reader)?.holds(doc) {
            Ok(found)
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not hold the phrase as written"
            )))
        }
    }
}

/// What checks one segment's articles.
struct Check {
    store: StoreReader,
    passages: Option<PassageColumns>,
    phrase: Arc<Written>,
    article: Field,
    /// The phrase's words met in the article being checked: (position,
    /// index of the word in the phrase).
    found: Vec<(u32, usize)>,
}

/// The fields of a stored article a check reads.
#[derive(serde::Deserialize)]
struct Texts<'a> {
    #[serde(borrow, default)]
    title: Cow<'a, str>,
    #[serde(borrow, default)]
    text: Cow<'a, str>,
}

impl Check {
    /// Whether the article at `doc` holds the phrase as written. An article
    /// that cannot be read does not.
    fn holds(&mut self, doc: DocId) -> bool {
        let Ok(stored) = self.store.get::<TantivyDocument>(doc) else {
            return false;
        };
        let Some(bytes) = stored.get_first(self.article).and_then(|v| v.as_bytes()) else {
            return false;
        };
        let Ok(texts) = serde_json::from_slice::<Texts>(bytes) else {
            return false;
        };
        let (text, ranges) = match &self.passages {
            None => (&texts.title, None),
            Some(p) => (
                &texts.text,
                Some(p.of(doc).into_iter().map(|s| s.bytes).collect::<Vec<_>>()),
            ),
        };
        words_met(text, &self.phrase, ranges.as_deref(), &mut self.found);
        holds_phrase(&self.found, &self.phrase)
    }
}

/// The phrase's words that `text` holds as written (inside `ranges`, if
/// given), as (position, index in the phrase), sorted: only those words are
/// kept, so checking an article allocates nothing per word.
fn words_met(
    text: &str,
    phrase: &[(u32, String)],
    ranges: Option<&[std::ops::Range<usize>]>,
    found: &mut Vec<(u32, usize)>,
) {
    found.clear();
    each_token(text, Mode::Exact, |term, start, end, position, _| {
        if ranges.is_some_and(|rs| !rs.iter().any(|r| r.start <= start && end <= r.end)) {
            return;
        }
        for (i, (_, word)) in phrase.iter().enumerate() {
            if word == term {
                found.push((position, i));
            }
        }
    });
    found.sort_unstable();
}

/// Whether the words met (`found`, sorted) hold `phrase`: each word at its
/// position from the first.
fn holds_phrase(found: &[(u32, usize)], phrase: &[(u32, String)]) -> bool {
    found.iter().filter(|(_, i)| *i == 0).any(|&(at, _)| {
        phrase
            .iter()
            .enumerate()
            .skip(1)
            .all(|(i, (offset, _))| found.binary_search(&(at + offset, i)).is_ok())
    })
}

struct VerifiedScorer {
    inner: Box<dyn Scorer>,
    check: Check,
}

impl DocSet for VerifiedScorer {
    fn advance(&mut self) -> DocId {
        let mut doc = self.inner.advance();
        while doc != TERMINATED && !self.check.holds(doc) {
            doc = self.inner.advance();
        }
        doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let mut doc = self.inner.seek(target);
        while doc != TERMINATED && !self.check.holds(doc) {
            doc = self.inner.advance();
        }
        doc
    }

    fn doc(&self) -> DocId {
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }
}

impl Scorer for VerifiedScorer {
    fn score(&mut self) -> Score {
        self.inner.score()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrase(text: &str) -> Written {
        let mut t = Vec::new();
        crate::analysis::analyze(text, Mode::Exact, &mut t);
        let base = t[0].position;
        t.iter()
            .map(|t| (t.position - base, t.text.clone()))
            .collect()
    }

    fn holds(text: &str, ranges: Option<&[std::ops::Range<usize>]>, p: &str) -> bool {
        let mut found = Vec::new();
        let p = phrase(p);
        words_met(text, &p, ranges, &mut found);
        holds_phrase(&found, &p)
    }

    #[test]
    fn a_phrase_holds_only_as_written_and_in_order() {
        let text = "Nurses went on strike. Striking nurses marched; the strike by nurses";
        assert!(holds(text, None, "striking nurses"));
        assert!(holds(text, None, "the strike"));
        assert!(!holds(text, None, "strike nurses"));
        assert!(!holds(text, None, "nurses striking"));
        assert!(!holds(text, None, "the strikes"));
        // A phrase that repeats a word, and one outside the passages given.
        assert!(holds("To be or not to be.", None, "to be or not to be"));
        assert!(!holds(
            "To be or not to go, to be.",
            None,
            "to be or not to be"
        ));
        let (first, both) = ([0..22, 0..0], [0..22, 23..68]);
        assert!(!holds(text, Some(&first), "striking nurses"));
        assert!(holds(text, Some(&both), "striking nurses"));
    }
}
