//! Passages: the unit that is ranked and shown.
//!
//! An article body is cut at line breaks (paragraphs), and paragraphs longer
//! than [`MAX_WORDS`] at sentence boundaries (UAX#29 sentences). The pieces
//! are then packed: short paragraphs join their neighbours until a passage
//! has [`MIN_WORDS`], and nothing grows past [`MAX_WORDS`] or [`MAX_BYTES`].
//! Each passage is a byte range of the body, so a hit can always point back
//! into the article.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

/// Passages below this many words take in the next paragraph.
pub const MIN_WORDS: usize = 40;
/// Sentence packing inside a long paragraph stops near this many words.
pub const TARGET_WORDS: usize = 100;
/// No passage has more words than this (unless one word is longer).
pub const MAX_WORDS: usize = 150;
/// No passage is longer than this many bytes: text without spaces (a pasted
/// blob, a table dump) is cut at character boundaries.
pub const MAX_BYTES: usize = 4096;

/// Byte ranges of the passages of `body`, in order, covering all its words.
///
/// ```
/// let body = "First paragraph.\n\nSecond paragraph.";
/// let p = hpsearch::passage::split(body);
/// assert_eq!(p.len(), 1); // both are short, so they make one passage
/// assert_eq!(&body[p[0].clone()], body);
/// ```
pub fn split(body: &str) -> Vec<Range<usize>> {
    let mut pieces: Vec<(Range<usize>, usize)> = Vec::new();
    let mut at = 0;
    for line in body.split_inclusive('\n') {
        let range = trim(body, at..at + line.len());
        at += line.len();
        if range.is_empty() {
            continue;
        }
        let words = count_words(&body[range.clone()]);
        if words <= MAX_WORDS && range.len() <= MAX_BYTES {
            pieces.push((range, words));
        } else {
            pack(long_paragraph(body, range), TARGET_WORDS, &mut pieces);
        }
    }
    let mut passages = Vec::new();
    pack(pieces, MIN_WORDS, &mut passages);
    // A short tail joins the passage before it when there is room.
    if passages.len() >= 2 {
        let (last, words) = passages[passages.len() - 1].clone();
        let (prev, prev_words) = passages[passages.len() - 2].clone();
        if words < MIN_WORDS / 2
            && prev_words + words <= MAX_WORDS
            && last.end - prev.start <= MAX_BYTES
        {
            passages.pop();
            let n = passages.len();
            passages[n - 1] = (prev.start..last.end, prev_words + words);
        }
    }
    if passages.is_empty() {
        return std::iter::once(0..0).collect();
    }
    passages.into_iter().map(|(r, _)| r).collect()
}

/// Appends `pieces` to `out`, joining consecutive pieces while the passage
/// being built has fewer than `fill` words and the join stays within bounds.
fn pack(pieces: Vec<(Range<usize>, usize)>, fill: usize, out: &mut Vec<(Range<usize>, usize)>) {
    let mut current: Option<(Range<usize>, usize)> = None;
    for (range, words) in pieces {
        current = match current {
            Some((cur, cur_words))
                if cur_words < fill
                    && cur_words + words <= MAX_WORDS
                    && range.end - cur.start <= MAX_BYTES =>
            {
                Some((cur.start..range.end, cur_words + words))
            }
            Some(done) => {
                out.push(done);
                Some((range, words))
            }
            None => Some((range, words)),
        };
    }
    out.extend(current);
}

/// Sentences of a long paragraph; sentences that are themselves too long are
/// cut at word boundaries, and words too long at character boundaries.
fn long_paragraph(body: &str, para: Range<usize>) -> Vec<(Range<usize>, usize)> {
    let mut out = Vec::new();
    for (offset, sentence) in body[para.clone()].split_sentence_bound_indices() {
        let range = trim(
            body,
            para.start + offset..para.start + offset + sentence.len(),
        );
        if range.is_empty() {
            continue;
        }
        let words = count_words(&body[range.clone()]);
        if words <= MAX_WORDS && range.len() <= MAX_BYTES {
            out.push((range, words));
            continue;
        }
        // Cut at whitespace every TARGET_WORDS words or MAX_BYTES bytes.
        let mut start = range.start;
        let mut words_in = 0;
        let mut in_word = false;
        let mut i = range.start;
        for (k, c) in body[range.clone()].char_indices() {
            let pos = range.start + k;
            let at_space = c.is_whitespace();
            if !at_space && !in_word {
                words_in += 1;
            }
            in_word = !at_space;
            let too_long = pos + c.len_utf8() - start > MAX_BYTES;
            if (at_space && words_in >= TARGET_WORDS) || too_long {
                let cut = pos;
                let piece = trim(body, start..cut);
                if !piece.is_empty() {
                    let n = count_words(&body[piece.clone()]);
                    out.push((piece, n));
                }
                start = cut;
                words_in = usize::from(!at_space);
            }
            i = pos + c.len_utf8();
        }
        let piece = trim(body, start..i);
        if !piece.is_empty() {
            let n = count_words(&body[piece.clone()]);
            out.push((piece, n));
        }
    }
    out
}

fn count_words(text: &str) -> usize {
    text.split_whitespace().count()
}

fn trim(body: &str, range: Range<usize>) -> Range<usize> {
    let s = &body[range.clone()];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead == s.len() {
        return range.start..range.start;
    }
    range.start + lead..range.end - trail
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(n: usize, w: &str) -> String {
        vec![w; n].join(" ")
    }

    #[test]
    fn short_paragraphs_join_long_ones_split() {
        let body = format!(
            "{}.\n\n{}.\n\n{}",
            words(10, "a"),
            words(20, "b"),
            (0..40)
                .map(|_| format!("{}.", words(10, "c")))
                .collect::<Vec<_>>()
                .join(" ")
        );
        let p = split(&body);
        assert!(p.len() >= 4, "{p:?}");
        assert!(body[p[0].clone()].contains('a') && body[p[0].clone()].contains('b'));
        for r in &p {
            let n = count_words(&body[r.clone()]);
            assert!(n <= MAX_WORDS, "{n}");
        }
    }

    #[test]
    fn covers_every_word_once_in_order() {
        let body = (0..30)
            .map(|i| format!("Sentence number {i} is here."))
            .collect::<Vec<_>>()
            .join("\n");
        let p = split(&body);
        let joined: Vec<&str> = p
            .iter()
            .flat_map(|r| body[r.clone()].split_whitespace())
            .collect();
        assert_eq!(joined, body.split_whitespace().collect::<Vec<_>>());
        assert!(p.windows(2).all(|w| w[0].end <= w[1].start));
    }

    #[test]
    fn text_without_spaces_is_bounded() {
        let body = "é".repeat(20_000);
        let p = split(&body);
        assert!(
            p.iter()
                .all(|r| r.len() <= MAX_BYTES && body.is_char_boundary(r.start))
        );
        assert_eq!(p.iter().map(|r| r.len()).sum::<usize>(), body.len());
    }

    #[test]
    fn empty_body_has_one_empty_passage() {
        assert_eq!(split(""), vec![0..0]);
        assert_eq!(split("  \n "), vec![0..0]);
    }
}
