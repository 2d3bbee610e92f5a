//! The last step of reading an article: metadata precedence (the file's own,
//! then the run's flags, then the folder), and the fallbacks for a title
//! (never a donation appeal) and an id.

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
            let (title, strip) = fallback_title(&body, headline_line);
            if let Some(n) = strip {
                body = body[n..].trim_start().to_string();
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
/// and reads like a headline (returned with the bytes to strip from the
/// body), else the first sentence, shortened at a word.
fn fallback_title(body: &str, headline_line: bool) -> (String, Option<usize>) {
    let skipped = leading_appeals(body);
    if skipped > 0 {
        // The title comes after the appeal; the body keeps it (boilerplate
        // is the writer's to leave out of passages).
        return (fallback_title(&body[skipped..], false).0, None);
    }
    let first_line = body.lines().next().unwrap_or("").trim();
    let words = first_line.split_whitespace().count();
    let rest_has_text = body.len() > first_line.len() + 1;
    if headline_line
        && (1..=15).contains(&words)
        && first_line.chars().count() <= TITLE_MAX_CHARS
        && !first_line.ends_with(['.', ',', ';', ':'])
        && rest_has_text
    {
        return (first_line.to_string(), Some(first_line.len()));
    }
    let sentence = body.unicode_sentences().next().unwrap_or("").trim();
    (shorten(sentence, TITLE_MAX_CHARS), None)
}

/// Phrases with which pages put an appeal above an article (donations,
/// subscriptions, membership), addressing the reader; a paragraph holding
/// three of them is an appeal. Words that news reports use too (`donations`,
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

/// The bytes of the paragraphs at the start of `body` that are appeals
/// rather than the article, up to where the article's text starts.
fn leading_appeals(body: &str) -> usize {
    let mut at = 0;
    loop {
        let rest = &body[at..];
        let start = rest.len() - rest.trim_start().len();
        let para_end = rest[start..].find("\n\n").map_or(rest.len(), |e| start + e);
        let para = rest[start..para_end].to_lowercase();
        let cues = APPEAL_CUES.iter().filter(|c| para.contains(*c)).count();
        if cues < 3 || para_end == rest.len() {
            return at;
        }
        at += para_end;
    }
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

    /// An appeal above the article is passed over for the title; a
    /// paragraph that merely mentions a subscription or a donation is not an
    /// appeal.
    #[test]
    fn titles_skip_appeals() {
        let appeal = "Your support helps us to tell the story. Read more. Support Now: your donation keeps us free of paywalls.\n\nNurses in Leeds voted to strike on Tuesday. The ballot closed at noon.";
        assert_eq!(
            fallback_title(appeal, true).0,
            "Nurses in Leeds voted to strike on Tuesday."
        );
        let news = "Donations to the hospital charity rose, and more people subscribe to its newsletter.\n\nMore text follows.";
        assert_eq!(
            fallback_title(news, false).0,
            "Donations to the hospital charity rose, and more people subscribe to its newsletter."
        );
        // An article that is nothing but an appeal keeps it as its title.
        let only = "Your support matters. Read more. Support Now and donate today.";
        assert!(
            fallback_title(only, false)
                .0
                .starts_with("Your support matters.")
        );
    }
}
