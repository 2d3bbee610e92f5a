//! Ingest: from paths on disk to [`Article`] values.
//!
//! [`discover`] walks the paths given; [`decode`] turns a file's bytes into
//! text (UTF-8, UTF-16 with a BOM, or lossy with a warning); the format
//! modules (`text`, `jsonl`, `html`, `csv`) split metadata from body;
//! [`finish`] applies the precedence rules for each field (in-file metadata,
//! then the run's options, then the folder name) and the title and id
//! fallbacks. Nothing here touches the index.

pub(crate) mod appeals;
pub(crate) mod csv;
pub(crate) mod fields;
mod finish;
pub(crate) mod html;
pub(crate) mod jsonl;
pub(crate) mod outlets;
pub(crate) mod text;

use finish::finish;

use rayon::prelude::*;
use std::path::{Path, PathBuf};

use unicode_segmentation::UnicodeSegmentation;

use crate::date::Date;
use crate::error::{Error, Result};
use crate::model::{Article, Warning, content_id};

/// Metadata for a whole indexing run, used where a file carries none.
#[derive(Clone, Debug, Default)]
pub struct IngestOptions {
    /// Source for articles whose file names none (`--source`).
    pub source: Option<String>,
    /// Date for articles whose file gives none (`--date`).
    pub date: Option<Date>,
    /// Use the name of the folder a file sits in as its source, after the
    /// file's own metadata and [`IngestOptions::source`] (`--source-from-dir`).
    pub source_from_dir: bool,
    /// CSV columns for article fields, as `(field, column)` pairs
    /// (`--map text=Story`); see [`parse_column_map`]. Unmapped fields are
    /// found under their usual names.
    pub columns: Vec<(String, String)>,
    /// Outlet names for web domains, as `(domain, name)` pairs
    /// (`--outlet wessexecho.example="Wessex Echo"`), tried before the
    /// built-in table for sources that are web hosts and for pages that
    /// name no source of their own; and merges of one source name into
    /// another, as `(name, name)` pairs (`--outlet "NYT Health=The New
    /// York Times"`).
    pub outlets: Vec<(String, String)>,
}

impl IngestOptions {
    /// A hash of the options that shape the articles of a file of this
    /// format, 0 when none is set: an index records it per file, and a file
    /// read under other options is read again.
    pub(crate) fn fingerprint(&self, format: Format) -> u64 {
        let mut outlets = self.outlets.clone();
        outlets.sort();
        let columns = match format {
            Format::Csv { .. } | Format::Jsonl => {
                let mut c: Vec<(String, String)> = self
                    .columns
                    .iter()
                    .map(|(f, c)| (f.to_ascii_lowercase(), fields::normalise(c)))
                    .collect();
                c.sort();
                c
            }
            Format::Text | Format::Html => Vec::new(),
        };
        if self.source.is_none()
            && self.date.is_none()
            && !self.source_from_dir
            && outlets.is_empty()
            && columns.is_empty()
        {
            return 0;
        }
        let described = format!(
            "{:?}\0{:?}\0{}\0{:?}\0{:?}",
            self.source,
            self.date.map(|d| d.to_string()),
            self.source_from_dir,
            outlets,
            columns
        );
        xxhash_rust::xxh3::xxh3_64(described.as_bytes()).max(1)
    }
}

/// Reads a column map (the command line's `--map`): comma-separated
/// `field=column` pairs, where a field is one of `text`, `title`, `source`,
/// `date`, `url`, `id` and `author`.
/// `Err` says what is wrong, in words fit to show.
pub fn parse_column_map(spec: &str) -> std::result::Result<Vec<(String, String)>, String> {
    fields::parse_map(spec)
}

/// Reads an outlet pair (the command line's `--outlet`): `domain=Name`
/// names the outlet of a web domain; `Name=Other name` merges a source
/// name into another.
pub fn parse_outlet(spec: &str) -> std::result::Result<(String, String), String> {
    let Some((from, name)) = spec.split_once('=') else {
        return Err(format!(
            "{spec:?}: write DOMAIN=NAME, as in wessexecho.example=\"Wessex Echo\", or NAME=NAME to merge two names"
        ));
    };
    let (from, name) = (from.trim(), name.trim());
    if from.is_empty() || name.is_empty() {
        return Err(format!(
            "{spec:?}: give a domain or a source name before the = and a name after it"
        ));
    }
    let from = match outlets::is_domain(from) {
        true => from.trim_start_matches("www.").to_ascii_lowercase(),
        false => from.to_string(),
    };
    Ok((from, name.to_string()))
}

/// Metadata as read from a file, before precedence and parsing.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Meta {
    pub id: Option<String>,
    pub title: Option<String>,
    pub source: Option<String>,
    pub date: Option<String>,
    pub url: Option<String>,
    pub author: Option<String>,
}

impl Meta {
    /// Stores `value` under whichever field `key` names; other keys are ignored.
    pub fn set(&mut self, key: &str, value: String) {
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        let Some((field, _)) = fields::field_of(key, &[]) else {
            return;
        };
        let slot = match field {
            "id" => &mut self.id,
            "title" => &mut self.title,
            "source" => &mut self.source,
            "date" => &mut self.date,
            "url" => &mut self.url,
            "author" => &mut self.author,
            _ => return,
        };
        *slot = Some(value.to_string());
    }

    pub fn is_empty(&self) -> bool {
        *self == Meta::default()
    }
}

/// The file formats hpsearch reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// `.txt`, `.md`, `.markdown`: one article per file.
    Text,
    /// `.html`, `.htm`: one saved web page per file.
    Html,
    /// `.jsonl`, `.ndjson`: one article per line.
    Jsonl,
    /// `.csv`, `.tsv`: a header row, then one article per row.
    Csv { tsv: bool },
}

impl Format {
    pub(crate) fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" | "text" | "md" | "markdown" => Some(Format::Text),
            "html" | "htm" | "xhtml" => Some(Format::Html),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "csv" => Some(Format::Csv { tsv: false }),
            "tsv" | "tab" => Some(Format::Csv { tsv: true }),
            _ => None,
        }
    }

    /// One article per file, so a changed file replaces its one article.
    pub(crate) fn single_article(self) -> bool {
        matches!(self, Format::Text | Format::Html)
    }
}

/// A file to read.
#[derive(Clone, Debug)]
pub(crate) struct InputFile {
    pub path: PathBuf,
    pub format: Format,
    pub size: u64,
    /// Last modification, in nanoseconds since the epoch (0 if unknown).
    pub modified: u64,
}

impl InputFile {
    fn new(path: PathBuf, format: Format, meta: Option<&std::fs::Metadata>) -> InputFile {
        let modified = meta
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as u64);
        InputFile {
            path,
            format,
            size: meta.map_or(0, |m| m.len()),
            modified,
        }
    }
}

/// The files found under the paths of a run.
#[derive(Debug, Default)]
pub(crate) struct Discovery {
    pub files: Vec<InputFile>,
    /// Files of a type hpsearch does not read, passed over, by extension
    /// (lower-cased; empty for none).
    pub ignored: std::collections::BTreeMap<String, u64>,
    pub warnings: Vec<Warning>,
    /// Notes about a data set (`README.md`, `SOURCE.md`) found in a folder
    /// beside its data files (CSV, JSONL): not articles, so passed over
    /// unless named as paths themselves.
    pub notes: Vec<PathBuf>,
}

/// The names (without extension, any case) of the notes that describe a
/// data set rather than report anything.
const NOTE_NAMES: &[&str] = &[
    "readme",
    "source",
    "sources",
    "license",
    "licence",
    "copying",
    "changelog",
    "changes",
    "notes",
    "citation",
    "datasheet",
    "manifest",
    "metadata",
    "about",
];

impl Discovery {
    /// Moves the notes among the text files found under a folder, from
    /// index `from` of `files` on, to [`Discovery::notes`] when a data file
    /// sits in the same folder.
    fn set_notes_aside(&mut self, from: usize) {
        let data_dirs: std::collections::HashSet<&Path> = self.files[from..]
            .iter()
            .filter(|f| !f.format.single_article())
            .filter_map(|f| f.path.parent())
            .collect();
        if data_dirs.is_empty() {
            return;
        }
        let is_note = |f: &InputFile| {
            f.format == Format::Text
                && f.path.parent().is_some_and(|d| data_dirs.contains(d))
                && f.path.file_stem().is_some_and(|s| {
                    NOTE_NAMES.contains(&s.to_string_lossy().to_lowercase().as_str())
                })
        };
        let notes: Vec<usize> = (from..self.files.len())
            .filter(|&i| is_note(&self.files[i]))
            .collect();
        for i in notes.into_iter().rev() {
            let note = self.files.remove(i);
            self.notes.push(note.path);
        }
        self.notes.sort();
    }

    /// Counts a file of a type hpsearch does not read, by its extension.
    fn ignore(&mut self, path: &Path) {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        *self.ignored.entry(ext).or_default() += 1;
    }
}

/// Walks files and folders (recursively, following links, skipping hidden
/// entries). A path that does not exist is an error: it is almost always a typo.
pub(crate) fn discover(paths: &[PathBuf]) -> Result<Discovery> {
    let mut found = Discovery::default();
    for root in paths {
        let meta = std::fs::metadata(root).map_err(|source| Error::Io {
            path: root.clone(),
            source,
        })?;
        if !meta.is_file() && !meta.is_dir() {
            special_file(root, &meta.file_type(), &mut found);
            continue;
        }
        if meta.is_file() {
            match Format::of(root) {
                Some(format) => found
                    .files
                    .push(InputFile::new(root.clone(), format, Some(&meta))),
                None => {
                    found.ignore(root);
                    found.warnings.push(Warning {
                        path: root.clone(),
                        line: None,
                        message:
                            "not a file type hpsearch reads (.txt, .md, .html, .jsonl, .csv, .tsv); skipped"
                                .into(),
                    });
                }
            }
            continue;
        }
        let from = found.files.len();
        let walk = walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walk {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let path = e.path().unwrap_or(root).to_path_buf();
                    let message = if e.loop_ancestor().is_some() {
                        "symbolic link loop; not followed".to_string()
                    } else {
                        format!(
                            "cannot read: {}",
                            e.io_error().map_or(e.to_string(), |io| io.to_string())
                        )
                    };
                    found.warnings.push(Warning {
                        path,
                        line: None,
                        message,
                    });
                    continue;
                }
            };
            let kind = entry.file_type();
            if kind.is_dir() {
                continue;
            }
            if !kind.is_file() {
                special_file(entry.path(), &kind, &mut found);
                continue;
            }
            match Format::of(entry.path()) {
                // Its size and time are read below, with the others'.
                Some(format) => found
                    .files
                    .push(InputFile::new(entry.into_path(), format, None)),
                None => found.ignore(entry.path()),
            }
        }
        // One `stat` per file, in parallel: over a large folder that is
        // most of the time a run that changes nothing takes.
        found.files[from..].par_iter_mut().for_each(|f| {
            let meta = std::fs::metadata(&f.path).ok();
            *f = InputFile::new(std::mem::take(&mut f.path), f.format, meta.as_ref());
        });
        found.set_notes_aside(from);
    }
    Ok(found)
}

/// A named pipe, socket or device among the inputs. Reading one could block
/// the run forever or never end, so it is never opened: a warning if its name
/// says it was meant to be read, else it counts as a file type not read.
fn special_file(path: &Path, kind: &std::fs::FileType, found: &mut Discovery) {
    if Format::of(path).is_none() {
        found.ignore(path);
        return;
    }
    use std::os::unix::fs::FileTypeExt;
    let what = if kind.is_fifo() {
        "a named pipe"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else {
        "not a regular file"
    };
    found.warnings.push(Warning {
        path: path.to_path_buf(),
        line: None,
        message: format!("cannot read: {what}, not a regular file; skipped"),
    });
}

/// Reads a whole input file. A file that turned into a named pipe or device
/// since it was found is refused without blocking on it.
/// Bytes of a CSV or JSONL file read to learn its column or key names.
const NAMES_PREFIX: u64 = 256 << 10;

/// The column names of a CSV file's header row, or the keys of the JSON
/// objects on the lines of a JSONL file's first 256 KiB, as written and in
/// the order first met; empty for other formats.
pub(crate) fn names_in(path: &Path, format: Format) -> std::io::Result<Vec<String>> {
    use std::io::Read;
    if format.single_article() {
        return Ok(Vec::new());
    }
    let mut bytes = Vec::new();
    open_regular(path)?
        .take(NAMES_PREFIX)
        .read_to_end(&mut bytes)?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim_start_matches('\u{FEFF}');
    let mut names: Vec<String> = Vec::new();
    let mut add = |n: &str| {
        if !names.iter().any(|m| m == n) {
            names.push(n.to_string());
        }
    };
    match format {
        Format::Csv { tsv } => {
            let mut reader = ::csv::ReaderBuilder::new()
                .delimiter(csv::delimiter(text, tsv))
                .flexible(true)
                .from_reader(text.as_bytes());
            if let Ok(headers) = reader.headers() {
                headers
                    .iter()
                    .map(str::trim)
                    .filter(|h| !h.is_empty())
                    .for_each(&mut add);
            }
        }
        _ => {
            // The last line may be cut by the prefix: it is not read.
            let whole = if (bytes.len() as u64) < NAMES_PREFIX {
                text
            } else {
                text.rfind('\n').map_or("", |end| &text[..end])
            };
            for line in whole.lines() {
                if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(line) {
                    map.keys().for_each(|k| add(k));
                }
            }
        }
    }
    Ok(names)
}

pub(crate) fn read_regular_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Opens an input file for reading, refusing anything but a regular file.
/// `O_NONBLOCK` keeps `open` from waiting for a writer on a named pipe; it
/// changes nothing for regular files.
pub(crate) fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    Ok(file)
}

/// Turns the raw bytes of a file into text: UTF-8 (with or without a BOM),
/// UTF-16 with a BOM, or invalid UTF-8 with the bad bytes replaced (and a
/// warning pushed to `warnings`). `Err` is the reason the file is skipped: it
/// looks binary.
///
/// ```
/// let mut warnings = Vec::new();
/// let text = hpsearch::ingest::decode(b"caf\xe9".to_vec(), &mut warnings).unwrap();
/// assert_eq!(text, "caf\u{FFFD}");
/// assert_eq!(warnings.len(), 1);
/// assert!(hpsearch::ingest::decode(b"\x00\x01".to_vec(), &mut warnings).is_err());
/// ```
pub fn decode(bytes: Vec<u8>, warnings: &mut Vec<String>) -> Result<String, String> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return decode(rest.to_vec(), warnings);
    }
    for (bom, little) in [(b"\xFF\xFE", true), (b"\xFE\xFF", false)] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            let units: Vec<u16> = rest
                .chunks_exact(2)
                .map(|c| {
                    if little {
                        u16::from_le_bytes([c[0], c[1]])
                    } else {
                        u16::from_be_bytes([c[0], c[1]])
                    }
                })
                .collect();
            let text = String::from_utf16_lossy(&units);
            if rest.len() % 2 == 1 {
                warnings.push("UTF-16 text ends in half a character; it is left out".into());
            }
            if text.contains('\u{FFFD}') {
                warnings.push("invalid UTF-16; bad characters replaced with \u{FFFD}".into());
            }
            return Ok(text);
        }
    }
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return Err("binary file (contains NUL bytes); skipped".into());
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            warnings.push(format!(
                "invalid UTF-8 (first at byte {at}); bad bytes replaced with \u{FFFD}"
            ));
            Ok(String::from_utf8_lossy(e.as_bytes()).into_owned())
        }
    }
}

/// Reads the text of a `.txt` or `.md` file (see [`decode`]) into its
/// article, as `hpsearch index` does: metadata from front matter, header
/// lines or a date prefix, then the fallbacks for title and id. `None`:
/// nothing to index (the reason is in `warnings`).
///
/// ```
/// use std::path::Path;
/// use hpsearch::ingest::{text_article, IngestOptions};
/// let mut warnings = Vec::new();
/// let raw = "Title: Beds\nDate: 2025-13-45\n\nWards are full.";
/// let a = text_article(Path::new("a.txt"), raw, &IngestOptions::default(), &mut warnings).unwrap();
/// assert_eq!((a.title.as_str(), a.date), ("Beds", None));
/// assert!(warnings[0].contains("2025-13-45"));
/// ```
pub fn text_article(
    path: &Path,
    raw: &str,
    opts: &IngestOptions,
    warnings: &mut Vec<String>,
) -> Option<Article> {
    let (meta, body, w) = text::parse(raw);
    warnings.extend(w);
    finish(meta, body, path, None, opts, true, warnings)
}

/// Reads a saved web page into its article. `Ok(None)`: nothing to index.
pub(crate) fn html_article(
    path: &Path,
    raw: &str,
    opts: &IngestOptions,
    warnings: &mut Vec<String>,
) -> Option<Article> {
    let (meta, body) = html::parse(raw, &opts.outlets);
    finish(meta, &body, path, None, opts, false, warnings)
}

/// One CSV row read: the line it starts on, its article (if any) and warnings.
pub(crate) type CsvRow = (u64, Option<Article>, Vec<String>);

/// Reads a CSV or TSV file into its articles, with the warnings of each
/// row by line. `Err` is why no row could be read.
pub(crate) fn csv_articles(
    path: &Path,
    raw: &str,
    tsv: bool,
    opts: &IngestOptions,
) -> Result<Vec<CsvRow>, String> {
    let rows = csv::parse(raw, csv::delimiter(raw, tsv), &opts.columns)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut warnings = Vec::new();
            let article = match row.result {
                Ok((meta, body)) => {
                    let a = finish(
                        meta,
                        &body,
                        path,
                        Some(row.line),
                        opts,
                        false,
                        &mut warnings,
                    );
                    if a.is_none() {
                        for w in &mut warnings {
                            *w = format!("row {}: {w}", row.row);
                        }
                    }
                    a
                }
                Err(message) => {
                    warnings.push(message);
                    None
                }
            };
            (row.line, article, warnings)
        })
        .collect())
}

/// Reads one JSONL line into its article, as `hpsearch index` does. `Err`
/// is why the line was skipped; fields of the wrong type are left out with a
/// message in `warnings`; the names of fields hpsearch does not read are
/// added to `unknown` (the run's summary counts them).
///
/// ```
/// use std::path::Path;
/// use hpsearch::ingest::{jsonl_article, IngestOptions};
/// let (mut warnings, mut unknown) = (Vec::new(), Vec::new());
/// let line = r#"{"id": 7, "title": "Beds", "text": "Wards are full.", "date": 2025, "tags": []}"#;
/// let opts = IngestOptions::default();
/// let a = jsonl_article(Path::new("a.jsonl"), 1, line, &opts, &mut warnings, &mut unknown);
/// let a = a.unwrap().unwrap();
/// assert_eq!((a.id.as_str(), a.date), ("7", None));
/// assert!(warnings[0].contains("`date` is a number"));
/// assert_eq!(unknown, ["tags"]);
/// assert!(jsonl_article(Path::new("a.jsonl"), 2, "{oops", &opts, &mut warnings, &mut unknown).is_err());
/// ```
pub fn jsonl_article(
    path: &Path,
    line_no: u64,
    line: &str,
    opts: &IngestOptions,
    warnings: &mut Vec<String>,
    unknown: &mut Vec<String>,
) -> Result<Option<Article>, String> {
    let (meta, body) = jsonl::parse_line(line, &opts.columns, warnings, unknown)?;
    Ok(finish(
        meta,
        &body,
        path,
        Some(line_no),
        opts,
        false,
        warnings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(raw: &str, opts: &IngestOptions) -> (Option<Article>, Vec<String>) {
        let mut w = Vec::new();
        let a = text_article(Path::new("outlet/a.txt"), raw, opts, &mut w);
        (a, w)
    }

    #[test]
    fn precedence_file_then_flags_then_folder() {
        let flags = IngestOptions {
            source: Some("Flag Source".into()),
            date: Date::parse("2020-01-01"),
            source_from_dir: true,
            ..IngestOptions::default()
        };
        let (a, _) = article("---\nsource: Own\ndate: 2021-02-03\n---\nText.", &flags);
        let a = a.unwrap();
        assert_eq!(
            (a.source.as_deref(), a.date.unwrap().to_string()),
            (Some("Own"), "2021-02-03".into())
        );
        let (a, _) = article("Text only.", &flags);
        let a = a.unwrap();
        assert_eq!(
            (a.source.as_deref(), a.date.unwrap().to_string()),
            (Some("Flag Source"), "2020-01-01".into())
        );
        let dir_only = IngestOptions {
            source_from_dir: true,
            ..IngestOptions::default()
        };
        assert_eq!(
            article("Text.", &dir_only).0.unwrap().source.as_deref(),
            Some("outlet")
        );
        assert_eq!(
            article("Text.", &IngestOptions::default())
                .0
                .unwrap()
                .source,
            None
        );
    }

    #[test]
    fn bad_date_warns_and_leaves_undated() {
        let (a, w) = article(
            "---\ndate: 2025-13-45\n---\nText.",
            &IngestOptions::default(),
        );
        assert_eq!(a.unwrap().date, None);
        assert!(w[0].contains("2025-13-45"));
    }

    #[test]
    fn title_fallbacks() {
        let (a, _) = article(
            "Ambulance queues grow\n\nCrews waited hours outside A&E.",
            &IngestOptions::default(),
        );
        let a = a.unwrap();
        assert_eq!(a.title, "Ambulance queues grow");
        assert_eq!(a.text, "Crews waited hours outside A&E.");
        let (a, _) = article(
            "Crews waited hours outside A&E on Monday. Then more.",
            &IngestOptions::default(),
        );
        let a = a.unwrap();
        assert_eq!(a.title, "Crews waited hours outside A&E on Monday.");
        assert!(a.text.starts_with("Crews waited"));
    }

    #[test]
    fn ids_are_stable_and_content_based() {
        let (a, _) = article("Same words here.", &IngestOptions::default());
        let (b, _) = article("Same   words  here.\n\n", &IngestOptions::default());
        assert_eq!(a.unwrap().id, b.unwrap().id);
    }

    #[test]
    fn empty_files_are_skipped() {
        let (a, w) = article("  \n\t\n", &IngestOptions::default());
        assert!(a.is_none());
        assert!(w[0].contains("empty"));
    }

    #[test]
    fn decodes_utf16_and_lossy_utf8() {
        let mut w = Vec::new();
        let mut bytes = vec![0xFF, 0xFE];
        for u in "Zoë".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        assert_eq!(decode(bytes, &mut w).unwrap(), "Zoë");
        assert_eq!(decode(b"caf\xe9".to_vec(), &mut w).unwrap(), "caf\u{FFFD}");
        assert!(w[0].contains("invalid UTF-8"));
        assert!(decode(b"\x00\x01binary".to_vec(), &mut w).is_err());
        let mut w = Vec::new();
        let mut bytes = vec![0xFE, 0xFF];
        for u in "ward".encode_utf16() {
            bytes.extend(u.to_be_bytes());
        }
        bytes.push(b'x');
        assert_eq!(decode(bytes, &mut w).unwrap(), "ward");
        assert!(w[0].contains("half a character"), "{w:?}");
    }
}
