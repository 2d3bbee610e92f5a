//! JSON Lines (`.jsonl`, `.ndjson`): one article object per line. Keys go
//! by the names of [`super::fields`], as CSV columns do (`text`, `body` or
//! `content`; `title` or `headline`; `source` or `outlet`; `date` or
//! `published`; `url` or `link`; `id`; `author`), and `--map` adds names.
//! Other keys are not read (the run's summary counts them by name); a key
//! of the wrong type is a warning and is left out.

use serde_json::Value;

use super::Meta;
use super::fields::{decoded, field_of};

/// Reads one line; `columns` is the run's `--map`. `Err` says why the line
/// holds no article. Names of keys it does not read go to `unknown`.
pub(crate) fn parse_line(
    line: &str,
    columns: &[(String, String)],
    warnings: &mut Vec<String>,
    unknown: &mut Vec<String>,
) -> Result<(Meta, String), String> {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("not valid JSON ({e})"))?;
    let Value::Object(map) = value else {
        return Err("not a JSON object".into());
    };
    // Per field, the value of its best-placed name (a mapped name first,
    // then the usual names in order), whatever the order of the keys.
    let mut chosen: Vec<(&'static str, usize, String)> = Vec::new();
    for (key, value) in &map {
        let Some((field, rank)) = field_of(key, columns) else {
            unknown.push(key.clone());
            continue;
        };
        let text = match value {
            Value::String(s) => decoded(s),
            Value::Number(n) if field == "id" => n.to_string(),
            Value::Null => continue,
            other => {
                warnings.push(format!(
                    "field `{key}` is {}, expected a string; ignored",
                    kind(other)
                ));
                continue;
            }
        };
        match chosen.iter_mut().find(|(f, _, _)| *f == field) {
            Some(slot) if rank < slot.1 => *slot = (field, rank, text),
            Some(_) => {}
            None => chosen.push((field, rank, text)),
        }
    }
    let mut meta = Meta::default();
    let mut text = String::new();
    for (field, _, value) in chosen {
        if field == "text" {
            text = value;
        } else {
            meta.set(field, value);
        }
    }
    if text.trim().is_empty() && meta.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
        return Err("no `text`, `body` or `title` to index".into());
    }
    Ok((meta, text))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_ignores_unknown_ones() {
        let (mut w, mut unknown) = (Vec::new(), Vec::new());
        let (m, text) = parse_line(
            r#"{"id": 7, "title": "T", "body": "B", "source": "S", "date": "2020-01-02", "extra": [1]}"#,
            &[],
            &mut w,
            &mut unknown,
        )
        .unwrap();
        assert!(w.is_empty());
        assert_eq!(unknown, ["extra"]);
        assert_eq!(m.id.as_deref(), Some("7"));
        assert_eq!(m.source.as_deref(), Some("S"));
        assert_eq!(text, "B");
    }

    #[test]
    fn wrong_types_warn() {
        let mut w = Vec::new();
        let (m, _) = parse_line(
            r#"{"title": "T", "text": "x", "date": 2020}"#,
            &[],
            &mut w,
            &mut Vec::new(),
        )
        .unwrap();
        assert_eq!(m.date, None);
        assert!(w[0].contains("`date` is a number"));
    }

    #[test]
    fn bad_lines_are_errors() {
        let mut w = Vec::new();
        assert!(
            parse_line("{\"title\": ", &[], &mut w, &mut Vec::new())
                .unwrap_err()
                .contains("not valid JSON")
        );
        assert!(
            parse_line("[1,2]", &[], &mut w, &mut Vec::new())
                .unwrap_err()
                .contains("object")
        );
        assert!(parse_line("{\"id\": \"x\"}", &[], &mut w, &mut Vec::new()).is_err());
    }

    /// The names CSV columns and front matter go by, whatever order the
    /// keys come in; `--map` names come first.
    #[test]
    fn other_names_for_the_fields_and_the_runs_map() {
        let line = r#"{"link": "https://x.example/a", "published": "2014-10-02", "outlet": "Reuters Health", "headline": "Ebola case confirmed", "story": "Officials said."}"#;
        let (mut w, mut unknown) = (Vec::new(), Vec::new());
        let (m, text) = parse_line(line, &[], &mut w, &mut unknown).unwrap();
        assert!(w.is_empty() && unknown.is_empty(), "{w:?} {unknown:?}");
        assert_eq!(m.title.as_deref(), Some("Ebola case confirmed"));
        assert_eq!(m.source.as_deref(), Some("Reuters Health"));
        assert_eq!(m.date.as_deref(), Some("2014-10-02"));
        assert_eq!(m.url.as_deref(), Some("https://x.example/a"));
        assert_eq!(text, "Officials said.");

        // `text` outranks `body` and `content`, whatever the key order.
        let (_, text) = parse_line(
            r#"{"content": "c", "text": "t", "body": "b"}"#,
            &[],
            &mut w,
            &mut unknown,
        )
        .unwrap();
        assert_eq!(text, "t");

        // A mapped key comes before the usual names; a key no field has is unknown.
        let map = [
            ("text".to_string(), "Article Body".to_string()),
            ("date".to_string(), "when".to_string()),
        ];
        let line = r#"{"article_body": "mapped", "text": "usual", "when": "2015-01-01", "date": "2014-01-01", "tags": []}"#;
        let (m, text) = parse_line(line, &map, &mut w, &mut unknown).unwrap();
        assert_eq!(
            (text.as_str(), m.date.as_deref()),
            ("mapped", Some("2015-01-01"))
        );
        assert_eq!(unknown, ["tags"]);
    }
}
