//! Spreadsheet exports (`.csv`, `.tsv`): a header row, then one article per
//! row. Columns are found by name (`text` or `body` or `content`, `title` or
//! `headline`, `source`, `date` or `published`, `url`, `id`, `author`), or as
//! the run maps them (`--map text=Story,date=Published on`). Quoted fields may
//! hold commas, doubled quotes and line breaks. A `.csv` file may use `;` or
//! tabs instead of commas (read from its header line).

use super::Meta;
use super::fields::{FIELDS, decoded, normalise};

/// One data row: its 1-based row number (the header is row 0), the line it
/// starts on, and what it gave.
pub(crate) struct Row {
    pub row: u64,
    pub line: u64,
    pub result: Result<(Meta, String), String>,
}

/// The column delimiter of a file: tab for `.tsv`; for `.csv`, whichever of
/// comma, semicolon and tab the header line holds most of.
pub(crate) fn delimiter(text: &str, tsv: bool) -> u8 {
    if tsv {
        return b'\t';
    }
    let header = text.lines().next().unwrap_or("");
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| (header.bytes().filter(|b| b == d).count(), *d == b','))
        .unwrap_or(b',')
}

/// Reads every row. `Err` is a problem with the whole file (no header, no
/// text column) that means no row can be read.
pub(crate) fn parse(
    text: &str,
    delimiter: u8,
    columns: &[(String, String)],
) -> Result<Vec<Row>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| format!("cannot read the header row: {e}"))?
        .clone();
    let names: Vec<String> = headers.iter().map(normalise).collect();
    if names.iter().all(String::is_empty) {
        return Err("the first row is empty; it must name the columns".into());
    }
    let mut slots: Vec<(&str, usize)> = Vec::new();
    for (field, defaults) in FIELDS {
        // A run's map may name columns of some of its files only: a file
        // without the mapped column falls back to the usual names.
        let mapped = columns
            .iter()
            .filter(|(f, _)| f.eq_ignore_ascii_case(field))
            .find_map(|(_, column)| {
                let want = normalise(column);
                names.iter().position(|n| *n == want)
            });
        let found = mapped.or_else(|| {
            defaults
                .iter()
                .find_map(|d| names.iter().position(|n| n == d))
        });
        match found {
            Some(at) => slots.push((field, at)),
            None => {
                if let Some((_, column)) =
                    columns.iter().find(|(f, _)| f.eq_ignore_ascii_case(field))
                {
                    return Err(format!(
                        "the column map names {field}={column}, but there is no column named {column:?}; the columns are {}",
                        list(&headers)
                    ));
                }
            }
        }
    }
    let has = |f: &str| slots.iter().any(|(s, _)| *s == f);
    if !has("text") && !has("title") {
        return Err(format!(
            "no text column (looked for text, body, content; map yours to text); the columns are {}",
            list(&headers)
        ));
    }
    let width = headers.len();
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut row = 0u64;
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                row += 1;
                let line = record.position().map_or(line, |p| p.line());
                if record.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                let result = if record.len() != width {
                    Err(format!(
                        "row {row} has {} fields, the header has {width} (an unclosed quote or a stray delimiter?); row skipped",
                        record.len()
                    ))
                } else {
                    let mut meta = Meta::default();
                    let mut body = String::new();
                    for (field, at) in &slots {
                        let value = decoded(record.get(*at).unwrap_or(""));
                        if *field == "text" {
                            body = value;
                        } else {
                            meta.set(field, value);
                        }
                    }
                    Ok((meta, body))
                };
                rows.push(Row { row, line, result });
            }
            Err(e) => {
                row += 1;
                let line = e.position().map_or(line, |p| p.line());
                rows.push(Row {
                    row,
                    line,
                    result: Err(format!("row {row} cannot be read ({e}); row skipped")),
                });
            }
        }
    }
    Ok(rows)
}

/// The header names, quoted, for a message.
fn list(headers: &csv::StringRecord) -> String {
    headers
        .iter()
        .map(|h| format!("{:?}", h.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::super::fields::parse_map;
    use super::*;

    fn ok(rows: &[Row]) -> Vec<(&Meta, &str)> {
        rows.iter()
            .filter_map(|r| r.result.as_ref().ok().map(|(m, b)| (m, b.as_str())))
            .collect()
    }

    #[test]
    fn quoted_fields_with_commas_quotes_and_newlines() {
        let text = "Headline,Body,Outlet,Date\n\
            \"Beds, again\",\"First para, with a comma.\n\nSecond para \"\"quoted\"\".\",Valley Courier,2024-02-01\n\
            Plain,One line,Wessex Echo,1 March 2024\n";
        let rows = parse(text, b',', &[]).unwrap();
        let got = ok(&rows);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0.title.as_deref(), Some("Beds, again"));
        assert_eq!(
            got[0].1,
            "First para, with a comma.\n\nSecond para \"quoted\"."
        );
        assert_eq!(got[0].0.source.as_deref(), Some("Valley Courier"));
        assert_eq!(rows[0].line, 2);
        assert_eq!((rows[1].row, rows[1].line), (2, 5));
        assert_eq!(got[1].0.date.as_deref(), Some("1 March 2024"));
    }

    #[test]
    fn mapped_columns_win_and_must_exist() {
        let text = "Report;Published on;Paper\nThe text;2024-01-02;Courier\n";
        let d = delimiter(text, false);
        assert_eq!(d, b';');
        let map = parse_map("text=Report, date=published on,source=PAPER").unwrap();
        let rows = parse(text, d, &map).unwrap();
        let got = ok(&rows);
        assert_eq!(got[0].1, "The text");
        assert_eq!(got[0].0.date.as_deref(), Some("2024-01-02"));
        assert_eq!(got[0].0.source.as_deref(), Some("Courier"));
        let err = parse(text, d, &parse_map("date=Pubished,text=Report").unwrap())
            .err()
            .unwrap();
        assert!(
            err.contains("date=Pubished, but there is no column named \"Pubished\""),
            "{err}"
        );
        // a mapped column a file lacks falls back to the usual names
        let other = "body,date,paper\nText,2024-05-06,X\n";
        let rows = parse(other, b',', &map).unwrap();
        assert_eq!(ok(&rows)[0].1, "Text");
        assert!(
            parse(text, d, &[])
                .err()
                .unwrap()
                .contains("no text column")
        );
        assert!(parse_map("txt=Report").unwrap_err().contains("not a field"));
        assert!(parse_map("text").unwrap_err().contains("FIELD=COLUMN"));
    }

    #[test]
    fn bad_rows_are_named() {
        let text = "title\ttext\nA\tfine\nB\ttoo\tmany\nC\tfine again\n";
        let rows = parse(text, delimiter(text, true), &[]).unwrap();
        assert_eq!(ok(&rows).len(), 2);
        let bad = rows.iter().find(|r| r.result.is_err()).unwrap();
        assert_eq!((bad.row, bad.line), (2, 3));
        let message = bad.result.as_ref().err().unwrap();
        assert!(message.starts_with("row 2 has 3 fields"), "{message}");
    }
}
