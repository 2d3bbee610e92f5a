//! Plain text and Markdown files: metadata from a front matter block, from
//! leading header lines, or from the ` date 2025-04-08 ` prefix that scraped
//! files carry; the rest is the body.

use super::Meta;

/// Splits a text file into its metadata and its body.
pub(crate) fn parse(raw: &str) -> (Meta, &str, Vec<String>) {
    let mut warnings = Vec::new();
    if let Some(found) = front_matter(raw, &mut warnings) {
        return (found.0, found.1, warnings);
    }
    if let Some((meta, body)) = date_prefix(raw) {
        return (meta, body, warnings);
    }
    if let Some((meta, body)) = header_lines(raw) {
        return (meta, body, warnings);
    }
    (Meta::default(), raw, warnings)
}

/// `---` / `key: value` lines / `---`.
fn front_matter<'a>(raw: &'a str, warnings: &mut Vec<String>) -> Option<(Meta, &'a str)> {
    let mut lines = line_spans(raw);
    let (_, first) = lines.next()?;
    if first.trim_end() != "---" {
        return None;
    }
    let mut meta = Meta::default();
    for (start, line) in lines {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let body = &raw[start + line.len()..];
            return Some((meta, body));
        }
        if let Some((key, value)) = trimmed.split_once(':') {
            meta.set(key, unquote(value.trim()));
        }
    }
    warnings.push(
        "front matter opened with `---` is never closed; the file is read as plain text".into(),
    );
    None
}

/// ` date 2025-04-08 Body text...`: a date, then the body on the same line.
fn date_prefix(raw: &str) -> Option<(Meta, &str)> {
    let t = raw.trim_start();
    let rest = t
        .get(..4)
        .filter(|w| w.eq_ignore_ascii_case("date"))
        .map(|_| &t[4..])?;
    let rest = rest.strip_prefix([' ', '\t', ':'])?.trim_start();
    if !rest.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let first_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let mut date = rest[..first_end].to_string();
    let mut body = rest[first_end..].trim_start();
    if crate::date::Date::parse(&date).is_none() {
        // `8 April 2025 ...`: try the written form over the next two words.
        let words: Vec<&str> = rest.split_whitespace().take(3).collect();
        let written = words.join(" ");
        if words.len() == 3 && crate::date::Date::parse(&written).is_some() {
            let third = words[2];
            let at = rest.find(third).unwrap_or(0) + third.len();
            date = written;
            body = rest[at..].trim_start();
        }
    }
    let meta = Meta {
        date: Some(date),
        ..Meta::default()
    };
    Some((meta, body))
}

const HEADER_KEYS: &[&str] = &[
    "title",
    "headline",
    "source",
    "outlet",
    "publisher",
    "publication",
    "date",
    "published",
    "url",
    "link",
    "author",
    "byline",
    "id",
];

/// `Title: ...` / `Source: ...` / `Date: ...` lines up to the first blank line.
fn header_lines(raw: &str) -> Option<(Meta, &str)> {
    let mut meta = Meta::default();
    let mut end = None;
    for (start, line) in line_spans(raw) {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            end = Some(start + line.len());
            break;
        }
        let (key, value) = trimmed.split_once(':')?;
        if !HEADER_KEYS.contains(&key.trim().to_ascii_lowercase().as_str()) {
            return None;
        }
        meta.set(key, value.trim().to_string());
        end = Some(start + line.len());
    }
    if meta.is_empty() {
        return None;
    }
    Some((meta, &raw[end.unwrap_or(raw.len())..]))
}

fn unquote(value: &str) -> String {
    for q in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(q) && value.ends_with(q) {
            return value[1..value.len() - 1].to_string();
        }
    }
    value.to_string()
}

/// Lines with their byte offsets, line terminators included.
fn line_spans(raw: &str) -> impl Iterator<Item = (usize, &str)> {
    raw.split_inclusive('\n').scan(0, |at, line| {
        let start = *at;
        *at += line.len();
        Some((start, line))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_with_quotes() {
        let (m, body, w) = parse(
            "---\ntitle: \"Pay: the offer\"\nsource: Ward Bulletin\ndate: 2024-02-01\nid: wb-1\n---\nBody here.\n",
        );
        assert!(w.is_empty());
        assert_eq!(m.title.as_deref(), Some("Pay: the offer"));
        assert_eq!(m.source.as_deref(), Some("Ward Bulletin"));
        assert_eq!(m.date.as_deref(), Some("2024-02-01"));
        assert_eq!(m.id.as_deref(), Some("wb-1"));
        assert_eq!(body, "Body here.\n");
    }

    #[test]
    fn unclosed_front_matter_is_text() {
        let (m, body, w) = parse("---\ntitle: x\nno end");
        assert!(m.is_empty());
        assert_eq!(w.len(), 1);
        assert!(body.starts_with("---"));
    }

    #[test]
    fn date_prefix_on_the_body_line() {
        let (m, body, _) = parse(" date 2025-04-08 YESTERDAY, the paper revealed...\n\nMore.");
        assert_eq!(m.date.as_deref(), Some("2025-04-08"));
        assert!(body.starts_with("YESTERDAY, the paper"));
        let (m, body, _) = parse("date 8 April 2025 Hospital leaders said");
        assert_eq!(m.date.as_deref(), Some("8 April 2025"));
        assert_eq!(body, "Hospital leaders said");
    }

    #[test]
    fn header_lines_then_blank() {
        let (m, body, _) =
            parse("Title: Beds\nSource: Care Matters\nDate: 12 March 2019\n\nThe body.");
        assert_eq!(m.title.as_deref(), Some("Beds"));
        assert_eq!(m.date.as_deref(), Some("12 March 2019"));
        assert_eq!(body, "The body.");
    }

    #[test]
    fn prose_with_a_colon_is_not_a_header() {
        let raw = "Nurses said: enough is enough.\n\nMore text.";
        let (m, body, _) = parse(raw);
        assert!(m.is_empty());
        assert_eq!(body, raw);
    }
}
