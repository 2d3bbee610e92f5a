//! Boilerplate: paragraphs that one source repeats verbatim across its
//! articles, such as donation appeals, newsletter promos and "read more"
//! lines, and appeals to the reader above or below any article. They stay in the article's text (`show` prints it whole) but are
//! kept out of its passages, so they are neither searched nor shown as
//! snippets, and an article is found by its own words only.
//!
//! A paragraph is a non-empty line of the text; its fingerprint is a hash of
//! its words with whitespace normalised. A fingerprint is boilerplate for a
//! source when it occurs in [`MIN_STORIES`] or more different stories of that
//! source. Copies of one story (near-duplicates, see [`crate::write::neardup`])
//! count once, so a story re-published three times with small edits does not
//! make its own paragraphs boilerplate.

use crate::index::schema::{KeyMap, KeySet};
use std::ops::Range;

use crate::write::passage;

/// A paragraph is boilerplate when this many different stories of one source
/// repeat it.
pub const MIN_STORIES: usize = 3;

/// Byte ranges and fingerprints of the paragraphs of `text`, in order.
/// Appeals to the reader above or below the article
/// ([`crate::ingest::appeals`]) get fingerprints marked as such
/// ([`is_appeal`]): boilerplate wherever they occur.
pub(crate) fn paragraphs(text: &str) -> Vec<(Range<usize>, u64)> {
    let article = crate::ingest::appeals::article_span(text);
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
        let fp = fingerprint(trimmed);
        let appeal = range.end <= article.start || range.start >= article.end;
        out.push((range, if appeal { fp | 1 } else { fp }));
    }
    out
}

/// True for the fingerprint of an appeal to the reader: always kept out of
/// passages, with no need of other stories to repeat it.
pub(crate) fn is_appeal(fingerprint: u64) -> bool {
    fingerprint & 1 == 1
}

/// The distinct fingerprints of `text`'s paragraphs, sorted.
#[cfg(test)]
pub(crate) fn fingerprints(text: &str) -> Vec<u64> {
    fingerprints_of(&paragraphs(text))
}

/// The distinct fingerprints of these [`paragraphs`], sorted.
pub(crate) fn fingerprints_of(paragraphs: &[(Range<usize>, u64)]) -> Vec<u64> {
    let mut fps: Vec<u64> = paragraphs.iter().map(|(_, fp)| *fp).collect();
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
    // The low bit marks appeals; 0 stays free.
    (xxhash_rust::xxh3::xxh3_64(normal.as_bytes()) & !1).max(2)
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

/// Which stories of each source hold each fingerprint, up to the threshold:
/// of every fingerprint, or only of those a run can change.
#[derive(Clone, Debug, Default)]
pub(crate) struct Counter {
    /// [`pair`] of (source key, fingerprint) -> distinct story labels, at
    /// most `MIN_STORIES`, inline.
    seen: KeyMap<Stories>,
    /// Counting only these pairs, if set; the others keep what `before`
    /// says of them.
    only: Option<Only>,
}

/// The pairs a run can change (those of its new articles and of the
/// articles it deletes), and the pairs that were boilerplate before it.
#[derive(Clone, Debug)]
struct Only {
    pairs: KeySet,
    before: KeySet,
}

/// Up to [`MIN_STORIES`] distinct story labels.
#[derive(Clone, Copy, Debug, Default)]
struct Stories {
    labels: [u64; MIN_STORIES],
    len: u8,
}

/// One key for a source's fingerprint: both are hashes, so a collision
/// between two pairs is as unlikely as one between two fingerprints.
fn pair(source: u64, fingerprint: u64) -> u64 {
    source.rotate_left(29) ^ (fingerprint & !1)
}

impl Counter {
    /// A counter of only the pairs of `changing` (source, fingerprints):
    /// the counts of every other pair are as they were, so their
    /// boilerplate is what the earlier articles' stripped fingerprints
    /// (`stripped`: source, fingerprints) say. A run that changes a few
    /// articles counts a few pairs.
    pub fn only<'a>(
        changing: impl Iterator<Item = (u64, &'a [u64])>,
        stripped: impl Iterator<Item = (u64, &'a [u64])>,
    ) -> Counter {
        let mut pairs = KeySet::default();
        for (source, fps) in changing {
            pairs.extend(fps.iter().map(|fp| pair(source, *fp)));
        }
        let mut before = KeySet::default();
        for (source, fps) in stripped {
            // An appeal is stripped whatever its count.
            before.extend(
                fps.iter()
                    .filter(|fp| !is_appeal(**fp))
                    .map(|fp| pair(source, *fp)),
            );
        }
        Counter {
            seen: KeyMap::default(),
            only: Some(Only { pairs, before }),
        }
    }

    /// Counts the fingerprints of one article of `source` in story `story`.
    pub fn add(&mut self, source: u64, story: u64, fingerprints: &[u64]) {
        // An appeal counts as the same paragraph elsewhere in an article.
        for fp in fingerprints {
            let key = pair(source, *fp);
            if self.only.as_ref().is_some_and(|o| !o.pairs.contains(&key)) {
                continue;
            }
            let stories = self.seen.entry(key).or_default();
            let len = usize::from(stories.len);
            if len < MIN_STORIES && !stories.labels[..len].contains(&story) {
                stories.labels[len] = story;
                stories.len += 1;
            }
        }
    }

    /// The boilerplate: fingerprints held by enough stories of a source.
    pub fn finish(self) -> Boilerplate {
        let counted = self
            .seen
            .into_iter()
            .filter(|(_, stories)| usize::from(stories.len) >= MIN_STORIES)
            .map(|(k, _)| k);
        let set = match self.only {
            None => counted.collect(),
            Some(Only { pairs, before }) => before
                .into_iter()
                .filter(|k| !pairs.contains(k))
                .chain(counted)
                .collect(),
        };
        Boilerplate { set }
    }
}

/// The boilerplate paragraphs of a collection, by source.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Boilerplate {
    /// [`pair`]s of source and fingerprint.
    set: KeySet,
}

impl Boilerplate {
    /// The fingerprints among `fingerprints` that are boilerplate for `source`, sorted.
    pub fn of(&self, source: u64, fingerprints: &[u64]) -> Vec<u64> {
        let mut out: Vec<u64> = fingerprints
            .iter()
            .copied()
            .filter(|fp| self.contains(source, *fp))
            .collect();
        out.sort_unstable();
        out
    }

    pub fn contains(&self, source: u64, fingerprint: u64) -> bool {
        is_appeal(fingerprint) || self.set.contains(&pair(source, fingerprint))
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
    fn appeals_above_an_article_need_no_other_story() {
        let appeal =
            "Your support helps us to tell the story. Read more. Support Now and keep us free.";
        let text = format!("{appeal}\n\nThe ward closed on Friday.\n\nNurses objected.");
        let fps = fingerprints(&text);
        let marked: Vec<u64> = fps.iter().copied().filter(|fp| is_appeal(*fp)).collect();
        assert_eq!(marked.len(), 1);
        let stripped = Boilerplate::default().of(9, &fps);
        assert_eq!(stripped, marked);
        let ranges = passages(&text, &stripped);
        assert!(
            ranges
                .iter()
                .all(|r| !text[r.clone()].contains("Your support"))
        );
        // The same line inside an article is an ordinary paragraph, counted
        // with the appeal as one.
        let inside = format!("Beds were cut.\n\n{appeal}\n\nStaff were angry.");
        let plain = fingerprints(&inside);
        assert!(plain.iter().all(|fp| !is_appeal(*fp)));
        let mut c = Counter::default();
        c.add(9, 1, &fps);
        c.add(9, 2, &plain);
        c.add(9, 3, &plain);
        let b = c.finish();
        assert_eq!(b.of(9, &plain).len(), 1);
    }

    #[test]
    fn boilerplate_needs_three_stories_of_one_source() {
        let mut c = Counter::default();
        c.add(1, 10, &[6, 8]);
        c.add(1, 11, &[6]);
        c.add(1, 11, &[6]); // a copy of story 11 counts once
        c.add(2, 12, &[6]); // another source
        assert!(Counter::default().finish().of(1, &[6]).is_empty());
        let mut c2 = Counter::default();
        c2.add(1, 10, &[6, 8]);
        c2.add(1, 11, &[6]);
        c2.add(1, 12, &[6]);
        let b = c2.finish();
        assert_eq!(b.of(1, &[8, 6]), vec![6]);
        assert!(b.of(2, &[6]).is_empty());
        let b = c.finish();
        assert!(b.of(1, &[6]).is_empty());
    }

    /// Counting only the pairs a run changes gives the boilerplate that
    /// counting every pair gives, when the earlier articles' stripped
    /// fingerprints are the boilerplate of the collection before the run.
    #[test]
    fn counting_what_a_run_changes_is_counting_everything() {
        let mut x: u64 = 0x1234_5678;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        for round in 0..50 {
            // (source, story, fingerprints): few sources, stories and
            // paragraphs, so that repeats are common; a few appeals.
            let article = |next: &mut dyn FnMut(u64) -> u64| {
                let fps: Vec<u64> = (0..1 + next(4))
                    .map(|_| (2 + next(12)) << 1 | u64::from(next(10) == 0))
                    .collect();
                (next(3), next(8), fps)
            };
            let earlier: Vec<(u64, u64, Vec<u64>)> =
                (0..next(30)).map(|_| article(&mut next)).collect();
            let mut all = Counter::default();
            for (source, story, fps) in &earlier {
                all.add(*source, *story, fps);
            }
            let before = all.finish();
            let deleted: Vec<bool> = earlier.iter().map(|_| next(5) == 0).collect();
            let new: Vec<(u64, u64, Vec<u64>)> = (0..next(6)).map(|_| article(&mut next)).collect();
            let alive: Vec<&(u64, u64, Vec<u64>)> = earlier
                .iter()
                .zip(&deleted)
                .filter(|(_, d)| !**d)
                .map(|(a, _)| a)
                .collect();
            let mut full = Counter::default();
            for (source, story, fps) in alive.iter().copied().chain(&new) {
                full.add(*source, *story, fps);
            }
            let full = full.finish();
            let stripped: Vec<(u64, Vec<u64>)> = alive
                .iter()
                .map(|(source, _, fps)| (*source, before.of(*source, fps)))
                .collect();
            let changing = new.iter().map(|(s, _, f)| (*s, f.as_slice())).chain(
                earlier
                    .iter()
                    .zip(&deleted)
                    .filter(|(_, d)| **d)
                    .map(|((s, _, f), _)| (*s, f.as_slice())),
            );
            let mut only =
                Counter::only(changing, stripped.iter().map(|(s, f)| (*s, f.as_slice())));
            for (source, story, fps) in alive.iter().copied().chain(&new) {
                only.add(*source, *story, fps);
            }
            let only = only.finish();
            for (source, _, fps) in alive.iter().copied().chain(&new) {
                assert_eq!(
                    only.of(*source, fps),
                    full.of(*source, fps),
                    "round {round}"
                );
            }
        }
    }
}
