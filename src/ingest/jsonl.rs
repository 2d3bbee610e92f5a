//! JSON Lines (`.jsonl`, `.ndjson`): one article object per line with `id`,
//! `title`, `text` (or `body`), `source`, `date`, `url`, `author`. Other fields are
//! not read (the indexer names them once per file); a field of the wrong
//! type is a warning and is left out.

use serde_json::Value;

use super::Meta;

/// Reads one line. `Err` says why the line holds no article.
/// Names of fields it does not read go to `unknown`.
pub(crate) fn parse_line(
    line: &str,
    warnings: &mut Vec<String>,
    unknown: &mut Vec<String>,
) -> Result<(Meta, String), String> {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("not valid JSON ({e})"))?;
    let Value::Object(map) = value else {
        return Err("not a JSON object".into());
    };
    let mut meta = Meta::default();
    let mut text = None;
    for (key, value) in &map {
        let is_text = matches!(key.as_str(), "text" | "body" | "content");
        let is_meta = matches!(
            key.as_str(),
            "id" | "title" | "source" | "date" | "url" | "author"
        );
        if !(is_text || is_meta) {
            unknown.push(key.clone());
            continue;
        }
        if is_text && text.is_some() {
            continue;
        }
        let as_text = match value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) if key == "id" => Some(n.to_string()),
            Value::Null => None,
            other => {
                warnings.push(format!(
                    "field `{key}` is {}, expected a string; ignored",
                    kind(other)
                ));
                None
            }
        };
        if is_text {
            text = as_text;
        } else if let Some(v) = as_text {
            meta.set(key, v);
        }
    }
    let text = text.unwrap_or_default();
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
            parse_line("{\"title\": ", &mut w, &mut Vec::new())
                .unwrap_err()
                .contains("not valid JSON")
        );
        assert!(
            parse_line("[1,2]", &mut w, &mut Vec::new())
                .unwrap_err()
                .contains("object")
        );
        assert!(parse_line("{\"id\": \"x\"}", &mut w, &mut Vec::new()).is_err());
    }
}
