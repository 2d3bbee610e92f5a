//! Boilerplate: paragraphs that one source repeats verbatim across its
//! articles, such as donation appeals, newsletter promos and "read more"
//! lines. They stay in the article's text (`show` prints it whole) but are
//! kept out of its passages, so they are neither searched nor shown as
//! snippets, and an article is found by its own words only.
//!
//! A paragraph is a non-empty line of the text; its fingerprint is a hash of
//! its words with whitespace normalised. A fingerprint is boilerplate for a
//! source when it occurs in [`MIN_STORIES`] or more different stories of that
//! source. Copies of one story (near-duplicates, see [`crate::write::neardup`])
//! count once, so a story re-published three times with small edits does not
//! make its own paragraphs boilerplate.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::write::passage;

/// A paragraph is boilerplate when this many different stories of one source
/// repeat it.
pub const MIN_STORIES: usize = 3;

/// Byte ranges and fingerprints of the paragraphs of `text`, in order.
pub(crate) fn paragraphs(text: &str) -> Vec<(Range<usize>, u64)> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        let range = start + lead..start + lead + trimmed.len();
        out.push((range, fingerprint(trimmed)));
    }
    out
}

/// The distinct fingerprints of `text`'s paragraphs, sorted.
pub(crate) fn fingerprints(text: &str) -> Vec<u64> {
    let mut fps: Vec<u64> = paragraphs(text).into_iter().map(|(_, fp)| fp).collect();
    fps.sort_unstable();
    fps.dedup();
    fps
}

fn fingerprint(paragraph: &str) -> u64 {
    // The words, each followed by one space, hashed in one call (the same
    // value as feeding them to a streaming hasher word by word, faster).
    let mut normal = String::with_capacity(paragraph.len() + 1);
    for word in paragraph.split_whitespace() {
        normal.push_str(word);
        normal.push(' ');
    }
    // 0 marks "no paragraph" nowhere, but keep it free all the same.
    xxhash_rust::xxh3::xxh3_64(normal.as_bytes()).max(1)
}

/// Passage ranges of `text` with the paragraphs whose fingerprint is in
/// `stripped` left out. Passages never reach across a stripped paragraph.
/// An article left with no text at all gets one empty passage, so it is still
/// found by its title.
pub(crate) fn passages(text: &str, stripped: &[u64]) -> Vec<Range<usize>> {
    if stripped.is_empty() {
        return passage::split(text);
    }
    let mut out = Vec::new();
    let mut segment_start = 0;
    let flush = |from: usize, to: usize, out: &mut Vec<Range<usize>>| {
        if text[from..to].trim().is_empty() {
            return;
        }
        for r in passage::split(&text[from..to]) {
            if !r.is_empty() {
                out.push(from + r.start..from + r.end);
            }
        }
    };
    for (range, fp) in paragraphs(text) {
        if stripped.contains(&fp) {
            flush(segment_start, range.start, &mut out);
            segment_start = range.end;
        }
    }
    flush(segment_start, text.len(), &mut out);
    if out.is_empty() {
        out.push(0..0);
    }
    out
}

/// Which stories of each source hold each fingerprint, up to the threshold.
#[derive(Debug, Default)]
pub(crate) struct Counter {
    /// (source key, fingerprint) -> distinct story labels, at most `MIN_STORIES`.
    seen: HashMap<(u64, u64), Vec<u64>>,
}

impl Counter {
    /// Counts the fingerprints of one article of `source` in story `story`.
    pub fn add(&mut self, source: u64, story: u64, fingerprints: &[u64]) {
        for &fp in fingerprints {
            let stories = self.seen.entry((source, fp)).or_default();
            if stories.len() < MIN_STORIES && !stories.contains(&story) {
                stories.push(story);
            }
        }
    }

    /// The boilerplate: fingerprints held by enough stories of a source.
    pub fn finish(self) -> Boilerplate {
        Boilerplate {
            set: self
                .seen
                .into_iter()
                .filter(|(_, stories)| stories.len() >= MIN_STORIES)
                .map(|(k, _)| k)
                .collect(),
        }
    }
}

/// The boilerplate paragraphs of a collection, by source.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Boilerplate {
    set: HashSet<(u64, u64)>,
}

impl Boilerplate {
    /// The fingerprints among `fingerprints` that are boilerplate for `source`, sorted.
    pub fn of(&self, source: u64, fingerprints: &[u64]) -> Vec<u64> {
        let mut out: Vec<u64> = fingerprints
            .iter()
            .copied()
            .filter(|fp| self.set.contains(&(source, *fp)))
            .collect();
        out.sort_unstable();
        out
    }

    pub fn contains(&self, source: u64, fingerprint: u64) -> bool {
        self.set.contains(&(source, fingerprint))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_are_lines_with_normalised_fingerprints() {
        let text = "  First   para.\n\nSecond para.\r\n";
        let p = paragraphs(text);
        assert_eq!(p.len(), 2);
        assert_eq!(&text[p[0].0.clone()], "First   para.");
        assert_eq!(&text[p[1].0.clone()], "Second para.");
        assert_eq!(p[0].1, fingerprints("First para.")[0]);
    }

    #[test]
    fn stripped_paragraphs_are_never_inside_a_passage() {
        let promo = "Support us: donate today and keep our journalism free for everyone.";
        let text =
            format!("{promo}\n\nThe trust said beds would close.\n\n{promo}\n\nNurses objected.");
        let fp = fingerprints(promo)[0];
        let ranges = passages(&text, &[fp]);
        assert_eq!(ranges.len(), 2);
        for r in &ranges {
            assert!(
                !text[r.clone()].contains("donate"),
                "{:?}",
                &text[r.clone()]
            );
        }
        assert_eq!(&text[ranges[0].clone()], "The trust said beds would close.");
        assert_eq!(&text[ranges[1].clone()], "Nurses objected.");
        // nothing left: one empty passage
        assert_eq!(passages(promo, &[fp]), vec![0..0]);
        // nothing stripped: the usual passages
        assert_eq!(passages(&text, &[]), passage::split(&text));
    }

    #[test]
    fn boilerplate_needs_three_stories_of_one_source() {
        let mut c = Counter::default();
        c.add(1, 10, &[7, 8]);
        c.add(1, 11, &[7]);
        c.add(1, 11, &[7]); // a copy of story 11 counts once
        c.add(2, 12, &[7]); // another source
        assert!(Counter::default().finish().of(1, &[7]).is_empty());
        let mut c2 = Counter::default();
        c2.add(1, 10, &[7, 8]);
        c2.add(1, 11, &[7]);
        c2.add(1, 12, &[7]);
        let b = c2.finish();
        assert_eq!(b.of(1, &[8, 7]), vec![7]);
        assert!(b.of(2, &[7]).is_empty());
        let b = c.finish();
        assert!(b.of(1, &[7]).is_empty());
    }
}
