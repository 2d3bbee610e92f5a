//! The last step of reading an article: metadata precedence (the file's own,
//! then the run's flags, then the folder), and the fallbacks for a title
//! (the line after an editorial preface, never a donation appeal) and an id.

use std::ops::Range;
use std::path::Path;

use super::*;

/// Applies precedence and fallbacks. `headline_line`: the first short line
/// of the body may be the title (files), not for records with fields.
pub(super) fn finish(
    meta: Meta,
    body: &str,
    path: &Path,
    line: Option<u64>,
    opts: &IngestOptions,
    headline_line: bool,
    warnings: &mut Vec<String>,
) -> Option<Article> {
    let mut body = body.replace("\r\n", "\n").trim().to_string();
    let title = match meta.title {
        Some(t) => t,
        None => {
            let (title, cut) = fallback_title(&body, headline_line);
            if let Some(range) = cut {
                body.replace_range(range, "");
                body = body.trim().to_string();
            }
            title
        }
    };
    if body.is_empty() && title.trim().is_empty() {
        warnings.push("empty: no text to index; skipped".into());
        return None;
    }
    let date = match meta.date {
        Some(d) => match Date::parse(&d) {
            Some(date) => Some(date),
            None => {
                warnings.push(format!(
                    "cannot read the date {d:?}; the article is left undated"
                ));
                opts.date
            }
        },
        None => opts.date,
    };
    let source = meta.source.or_else(|| opts.source.clone()).or_else(|| {
        opts.source_from_dir
            .then(|| Some(path.parent()?.file_name()?.to_string_lossy().into_owned()))
            .flatten()
    });
    let given = source
        .map(|s| collapse_whitespace(&s))
        .filter(|s| !s.is_empty());
    let source = given
        .as_deref()
        .map(|s| outlets::canonical(s, &opts.outlets));
    let source_as_given = given.filter(|g| Some(g) != source.as_ref());
    let long = crate::analysis::long_words(&body);
    if let Some(first) = long.first() {
        let shown: String = first.chars().take(20).collect();
        let max = crate::analysis::MAX_TOKEN_BYTES;
        warnings.push(match long.len() {
            1 => format!(
                "a word longer than {max} bytes cannot be searched (it starts {shown:?}); the rest is indexed"
            ),
            n => format!(
                "{n} words longer than {max} bytes cannot be searched (the first starts {shown:?}); the rest is indexed"
            ),
        });
    }
    let id = meta.id.unwrap_or_else(|| content_id(&title, &body));
    Some(Article {
        id,
        title: collapse_whitespace(&title),
        source,
        source_as_given,
        date,
        url: meta.url,
        author: meta
            .author
            .map(|a| collapse_whitespace(&a))
            .filter(|a| !a.is_empty()),
        // Absolute, so it resolves from wherever a search runs.
        path: Some(
            std::path::absolute(path)
                .unwrap_or_else(|_| path.to_path_buf())
                .display()
                .to_string(),
        ),
        line,
        text: body,
    })
}

const TITLE_MAX_CHARS: usize = 150;

/// A title for an article that names none: the first line when it is short
/// and reads like a headline, or the line after an editorial preface ("The
/// following text was sent to us..."), returned with the bytes of that line
/// to cut from the body (the preface stays); else the first sentence,
/// shortened at a word.
fn fallback_title(body: &str, headline_line: bool) -> (String, Option<Range<usize>>) {
    let skipped = appeals::article_span(body).start;
    if skipped > 0 {
        // The title comes after the appeal; the body keeps it (the writer
        // leaves it out of passages, as boilerplate).
        return (fallback_title(&body[skipped..], false).0, None);
    }
    let mut lines = body.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    let first_line = first.trim();
    let rest_has_text = body.len() > first_line.len() + 1;
    if headline_line && is_headline(first_line) && rest_has_text {
        return (first_line.to_string(), Some(0..first.len()));
    }
    if headline_line && is_preface(first_line) {
        let mut at = first.len();
        for line in lines {
            let start = at;
            at += line.len();
            if line.trim().is_empty() {
                continue;
            }
            if is_headline(line.trim()) && !body[at..].trim().is_empty() {
                return (line.trim().to_string(), Some(start..at));
            }
            break;
        }
    }
    let sentence = body.unicode_sentences().next().unwrap_or("").trim();
    (shorten(sentence, TITLE_MAX_CHARS), None)
}

/// Words with which a site introduces a text it publishes for someone else.
const PREFACE_CUES: &[&str] = &[
    "sent to us",
    "the following",
    "was first published",
    "originally published",
    "editor's note",
    "editor’s note",
    "republished",
    "reproduced with",
    "we are publishing",
    "we publish",
];

/// A first paragraph that introduces the article rather than being it.
fn is_preface(line: &str) -> bool {
    let lower = line.to_lowercase();
    line.split_whitespace().count() >= 8 && PREFACE_CUES.iter().any(|c| lower.contains(c))
}

/// A line that reads like a headline: a few words, not a sentence.
fn is_headline(line: &str) -> bool {
    (1..=15).contains(&line.split_whitespace().count())
        && line.chars().count() <= TITLE_MAX_CHARS
        && !line.ends_with(['.', ',', ';', ':'])
}

fn shorten(text: &str, max_chars: usize) -> String {
    let text = collapse_whitespace(text);
    if text.chars().count() <= max_chars {
        return text;
    }
    let cut: String = text.chars().take(max_chars).collect();
    let at = cut.rfind(' ').unwrap_or(cut.len());
    format!("{}…", cut[..at].trim_end_matches([',', ';', ':']))
}

fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An appeal above the article is passed over for the title.
    #[test]
    fn titles_skip_appeals() {
        let appeal = "Your support helps us to tell the story. Read more. Support Now: your donation keeps us free of paywalls.\n\nNurses in Leeds voted to strike on Tuesday. The ballot closed at noon.";
        assert_eq!(
            fallback_title(appeal, true).0,
            "Nurses in Leeds voted to strike on Tuesday."
        );
    }

    /// A headline after an editorial preface is the title; the preface
    /// stays in the text.
    #[test]
    fn titles_after_a_preface() {
        let body = "The following report was sent to us by a nurse at a hospital in the north.\n\nInside the Night Shift\n\nI have worked nights for ten years.";
        let (title, cut) = fallback_title(body, true);
        assert_eq!(title, "Inside the Night Shift");
        let mut rest = body.to_string();
        rest.replace_range(cut.unwrap(), "");
        assert!(rest.starts_with("The following report"), "{rest}");
        assert!(!rest.contains("Night Shift"), "{rest}");
        // Without a preface, a long first line is not passed over.
        let plain = "Nurses at the trust said the ward was short of staff again this week.\nInside the Night Shift\nMore.";
        assert_eq!(
            fallback_title(plain, true).0,
            "Nurses at the trust said the ward was short of staff again this week."
        );
    }
}
