//! The names an article's fields go by in the files people export: CSV
//! column headers, JSONL keys and front matter keys share one table, and
//! `--map FIELD=NAME` adds a name for one run.

/// The fields an article can take, with the names each is found under when
/// the run maps nothing, the usual name first.
pub(crate) const FIELDS: &[(&str, &[&str])] = &[
    (
        "text",
        &[
            "text",
            "body",
            "content",
            "article",
            "article_text",
            "full_text",
            "fulltext",
            "story",
        ],
    ),
    ("title", &["title", "headline"]),
    (
        "source",
        &[
            "source",
            "outlet",
            "publisher",
            "publication",
            "site",
            "site_name",
        ],
    ),
    (
        "date",
        &[
            "date",
            "published",
            "published_at",
            "publish_date",
            "pub_date",
            "pubdate",
            "date_published",
            "datetime",
        ],
    ),
    ("url", &["url", "link", "permalink", "web_url"]),
    ("id", &["id", "article_id", "doc_id", "uid"]),
    ("author", &["author", "authors", "byline"]),
];

/// A column or key name as compared: without case, outer spaces or a byte
/// order mark, and with no difference between spaces, hyphens and
/// underscores (`Published on` = `published_on`).
pub(crate) fn normalise(name: &str) -> String {
    name.trim()
        .trim_start_matches('\u{FEFF}')
        .to_lowercase()
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// The field `name` stands for, and where it comes among that field's
/// names: a name that `columns` (the run's `--map`) gives comes first (0),
/// then the usual names in their order.
pub(crate) fn field_of(name: &str, columns: &[(String, String)]) -> Option<(&'static str, usize)> {
    let wanted = normalise(name);
    let mapped = columns
        .iter()
        .filter(|(_, column)| normalise(column) == wanted)
        .find_map(|(field, _)| FIELDS.iter().find(|(f, _)| f.eq_ignore_ascii_case(field)));
    if let Some((field, _)) = mapped {
        return Some((field, 0));
    }
    FIELDS.iter().find_map(|(field, names)| {
        names
            .iter()
            .position(|n| *n == wanted)
            .map(|at| (*field, at + 1))
    })
}

/// Reads a column map: `field=column` pairs, separated by commas.
pub(crate) fn parse_map(spec: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((field, column)) = part.split_once('=') else {
            return Err(format!("{part:?}: write FIELD=COLUMN, as in text=body"));
        };
        let field = field.trim().to_ascii_lowercase();
        if !FIELDS.iter().any(|(f, _)| *f == field) {
            let names: Vec<&str> = FIELDS.iter().map(|(f, _)| *f).collect();
            return Err(format!(
                "{part:?}: {field:?} is not a field; the fields are {}",
                names.join(", ")
            ));
        }
        let column = column.trim();
        if column.is_empty() {
            return Err(format!("{part:?}: the column name is empty"));
        }
        out.push((field, column.to_string()));
    }
    Ok(out)
}

/// A value as an export wrote it, with HTML character references (`&amp;`,
/// `&#8217;`, `&rsquo;`) decoded: tools that dump a web database into JSONL
/// or CSV often keep them. A value holding markup (`<p>`, `</a>`, `<!--`) is
/// left as it is: its references are part of the markup's text.
pub(crate) fn decoded(value: &str) -> String {
    if !value.contains('&') || holds_markup(value) {
        return value.to_string();
    }
    html_escape::decode_html_entities(value).into_owned()
}

/// True when `<` starts a tag, an end tag or a comment somewhere in `text`.
fn holds_markup(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_decoded_unless_the_value_holds_markup() {
        assert_eq!(
            decoded("A&amp;E waits &#8211; and R&amp;D"),
            "A&E waits \u{2013} and R&D"
        );
        assert_eq!(
            decoded("Doctors&rsquo; strike &lt; 5 days"),
            "Doctors\u{2019} strike < 5 days"
        );
        assert_eq!(decoded("A&E and AT&T"), "A&E and AT&T");
        assert_eq!(decoded("<p>A&amp;E</p>"), "<p>A&amp;E</p>");
        assert_eq!(decoded("1 < 2 &amp; 3"), "1 < 2 & 3");
    }
}
