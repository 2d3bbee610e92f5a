//! `search --format`: hits as CSV, JSON lines, RIS or BibTeX, for
//! spreadsheets, scripts and reference managers (RIS and BibTeX import into
//! Zotero, EndNote and the like). One hit at a time, so `--all` streams.

use std::collections::HashSet;
use std::io::Write;

use hpsearch::Hit;

use crate::cli::FormatArg;

/// The CSV columns, in order.
const CSV_COLUMNS: [&str; 8] = [
    "id", "title", "source", "date", "url", "path", "score", "passage",
];

/// Writes hits in one format.
pub struct Exporter<W: Write> {
    sink: Sink<W>,
}

/// Where and how hits go.
enum Sink<W: Write> {
    Csv(Box<::csv::Writer<W>>),
    Jsonl(W),
    Ris(W),
    /// With the BibTeX keys given so far: each entry's must be new.
    Bibtex(W, HashSet<String>),
}

impl<W: Write> Exporter<W> {
    /// Starts the output (the CSV header).
    pub fn new(out: W, format: FormatArg) -> anyhow::Result<Exporter<W>> {
        let sink = match format {
            FormatArg::Csv => {
                let mut w = ::csv::Writer::from_writer(out);
                w.write_record(CSV_COLUMNS)?;
                Sink::Csv(Box::new(w))
            }
            FormatArg::Jsonl => Sink::Jsonl(out),
            FormatArg::Ris => Sink::Ris(out),
            FormatArg::Bibtex => Sink::Bibtex(out, HashSet::new()),
        };
        Ok(Exporter { sink })
    }

    pub fn hit(&mut self, hit: &Hit) -> anyhow::Result<()> {
        let passage = hit.passages.first().map_or("", |p| p.text.as_str());
        match &mut self.sink {
            Sink::Csv(w) => w.write_record([
                hit.id.as_str(),
                &hit.title,
                hit.source.as_deref().unwrap_or(""),
                &hit.date.map(|d| d.to_string()).unwrap_or_default(),
                hit.url.as_deref().unwrap_or(""),
                hit.path.as_deref().unwrap_or(""),
                &format!("{:.4}", hit.score),
                passage,
            ])?,
            Sink::Jsonl(out) => {
                serde_json::to_writer(&mut *out, hit)?;
                writeln!(out)?;
            }
            Sink::Ris(out) => ris(out, hit, passage)?,
            Sink::Bibtex(out, keys) => {
                let key = unique_key(keys, &hit.id);
                bibtex(out, hit, passage, &key)?;
            }
        }
        Ok(())
    }

    pub fn finish(self) -> anyhow::Result<()> {
        match self.sink {
            Sink::Csv(mut w) => w.flush()?,
            Sink::Jsonl(mut out) | Sink::Ris(mut out) | Sink::Bibtex(mut out, _) => out.flush()?,
        }
        Ok(())
    }
}

/// One RIS record: a newspaper article (`NEWS`), its outlet as the
/// publication (`T2`), the best passage as its abstract.
fn ris(out: &mut impl Write, hit: &Hit, passage: &str) -> std::io::Result<()> {
    let mut tag = |tag: &str, value: &str| -> std::io::Result<()> {
        let value = one_line(value);
        if value.is_empty() {
            return Ok(());
        }
        writeln!(out, "{tag}  - {value}")
    };
    tag("TY", "NEWS")?;
    tag("ID", &hit.id)?;
    tag("TI", &hit.title)?;
    tag("T2", hit.source.as_deref().unwrap_or(""))?;
    if let Some(d) = hit.date {
        tag("PY", &format!("{:04}", d.year()))?;
        tag(
            "DA",
            &format!("{:04}/{:02}/{:02}", d.year(), d.month(), d.day()),
        )?;
    }
    tag("UR", hit.url.as_deref().unwrap_or(""))?;
    tag("AU", hit.author.as_deref().unwrap_or(""))?;
    tag("AB", passage)?;
    tag("N1", hit.path.as_deref().unwrap_or(""))?;
    writeln!(out, "ER  - ")?;
    writeln!(out)
}

/// One BibTeX entry: `@article` with the outlet as the journal (what
/// reference managers map to a newspaper's name), the best passage as the
/// abstract.
fn bibtex(out: &mut impl Write, hit: &Hit, passage: &str, key: &str) -> std::io::Result<()> {
    writeln!(out, "@article{{{key},")?;
    let mut field = |name: &str, value: &str| -> std::io::Result<()> {
        if value.is_empty() {
            return Ok(());
        }
        writeln!(out, "  {name} = {{{value}}},")
    };
    field("title", &latex(&hit.title))?;
    field("journal", &latex(hit.source.as_deref().unwrap_or("")))?;
    field("author", &latex(hit.author.as_deref().unwrap_or("")))?;
    if let Some(d) = hit.date {
        field("year", &format!("{:04}", d.year()))?;
        field("month", &d.month().to_string())?;
        field("date", &d.to_string())?;
    }
    // URLs are verbatim in BibTeX: only braces would end the field.
    let url = hit.url.as_deref().unwrap_or("");
    field("url", &url.replace('{', "%7B").replace('}', "%7D"))?;
    field("abstract", &latex(passage))?;
    field("note", &latex(&format!("hpsearch id: {}", hit.id)))?;
    writeln!(out, "}}")?;
    writeln!(out)
}

/// A value on one line, spaces collapsed.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A value with LaTeX's special characters escaped, on one line.
fn latex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in one_line(s).chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '%' | '&' | '#' | '$' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            c => out.push(c),
        }
    }
    out
}

/// A citation key from an article id: letters, digits and `-_:.` kept,
/// anything else made `-`, starting with a letter, never given twice.
fn unique_key(given: &mut HashSet<String>, id: &str) -> String {
    let mut base: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_:.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    if !base.starts_with(|c: char| c.is_ascii_alphabetic()) {
        base.insert_str(0, "hp-");
    }
    let mut key = base.clone();
    let mut n = 2;
    while !given.insert(key.clone()) {
        key = format!("{base}-{n}");
        n += 1;
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_safe_and_never_repeat() {
        let mut given = HashSet::new();
        assert_eq!(
            unique_key(&mut given, "pg-2016/04 strike"),
            "pg-2016-04-strike"
        );
        assert_eq!(
            unique_key(&mut given, "pg-2016/04-strike"),
            "pg-2016-04-strike-2"
        );
        assert_eq!(unique_key(&mut given, "42"), "hp-42");
    }

    #[test]
    fn latex_specials_are_escaped() {
        assert_eq!(
            latex("A&E: 95% {target}\n met_"),
            "A\\&E: 95\\% \\{target\\} met\\_"
        );
    }
}
