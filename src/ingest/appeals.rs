//! Appeals to the reader that pages put above or below an article
//! (donations, subscriptions, membership): page furniture, not the
//! article. They stay in its text; the title passes over them and the
//! writer keeps them out of passages and search as it does boilerplate,
//! even for an outlet with one article in the collection.

use std::ops::Range;

/// Phrases with which pages appeal to the reader; a line holding three of
/// them is an appeal. Words that news reports use too (`donations`,
/// `newsletter`) are not among them.
const APPEAL_CUES: &[&str] = &[
    "your support",
    "support now",
    "support us",
    "your donation",
    "make a contribution",
    "read more",
    "sign up",
    "subscribe now",
    "paywall",
    "become a member",
];

fn is_appeal(line: &str) -> bool {
    let line = line.to_lowercase();
    APPEAL_CUES.iter().filter(|c| line.contains(*c)).count() >= 3
}

/// The bytes of `text` between the appeals on its first lines and those on
/// its last lines: where the article is. All of `text` when it holds
/// nothing else.
pub(crate) fn article_span(text: &str) -> Range<usize> {
    // Only the first and last lines are read until one is not an appeal
    // (most texts: the first line and the last).
    let first = text
        .split_inclusive('\n')
        .scan(0, |at, l| {
            let start = *at;
            *at += l.len();
            Some((start, l))
        })
        .find(|(_, l)| !l.trim().is_empty() && !is_appeal(l));
    let Some((start, _)) = first else {
        return 0..text.len();
    };
    // A line that is not an appeal exists, so the search from the end
    // stops at or after it.
    let mut end = text.len();
    for line in text[start..].split_inclusive('\n').rev() {
        let line_start = end - line.len();
        // The first line that is not an appeal is known not to be one.
        if !line.trim().is_empty() && (line_start == start || !is_appeal(line)) {
            return start..line_start + line.trim_end().len();
        }
        end = line_start;
    }
    start..text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appeals_above_and_below() {
        let appeal = "Your support helps us to tell the story. Read more. Support Now: your donation keeps us free of paywalls.";
        let story = "Nurses in Leeds voted to strike on Tuesday. The ballot closed at noon.";
        let text = format!("{appeal}\n\n{story}\n\n{appeal}\n");
        assert_eq!(&text[article_span(&text)], story);
        // A line that merely mentions a subscription or a donation is not
        // an appeal.
        let news = "Donations to the hospital charity rose, and more people subscribe to its newsletter.\n\nMore text follows.";
        assert_eq!(article_span(news), 0..news.len());
        // Nothing but an appeal: all of it is the article.
        assert_eq!(article_span(appeal), 0..appeal.len());
        assert_eq!(article_span(""), 0..0);
    }

    /// The span by its definition: every non-blank line listed, the
    /// appeals counted from each end.
    fn by_definition(text: &str) -> Range<usize> {
        let lines: Vec<(usize, &str)> = text
            .split_inclusive('\n')
            .scan(0, |at, l| {
                let start = *at;
                *at += l.len();
                Some((start, l))
            })
            .filter(|(_, l)| !l.trim().is_empty())
            .collect();
        let head = lines.iter().take_while(|(_, l)| is_appeal(l)).count();
        if head == lines.len() {
            return 0..text.len();
        }
        let tail = lines[head..]
            .iter()
            .rev()
            .take_while(|(_, l)| is_appeal(l))
            .count();
        let (last_at, last) = lines[lines.len() - 1 - tail];
        lines[head].0..last_at + last.trim_end().len()
    }

    proptest::proptest! {
        #[test]
        fn the_span_is_as_defined(parts in proptest::collection::vec(0usize..5, 0..12)) {
            const PARTS: [&str; 5] = [
                "Support Now: your donation keeps us free of paywalls. Read more.\n",
                "Nurses in Leeds voted to strike on Tuesday.\n",
                "\n",
                "  \t\n",
                "The ballot closed at noon.  ",
            ];
            let text: String = parts.iter().map(|&i| PARTS[i]).collect();
            proptest::prop_assert_eq!(article_span(&text), by_definition(&text));
        }
    }
}
