//! Writing: files and articles into the index.
//!
//! The pipeline runs in batches. Within a batch, rayon reads and decodes
//! files, parses metadata, splits passages and builds tantivy documents in
//! parallel; then the batch is handed to tantivy's `IndexWriter` in input
//! order, which keeps "first one wins" for repeated ids deterministic.
//! tantivy's own worker threads tokenise and build segments within the
//! memory budget. Nothing is visible to searches until [`Writer::commit`],
//! which publishes the whole run atomically.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tantivy::{IndexWriter, TantivyDocument, Term};

use crate::error::{Error, Result};
use crate::index::Index;
use crate::ingest::{self, Format, IngestOptions, InputFile};
use crate::model::{Article, IndexSummary, Warning};
use crate::passage;
use crate::schema::{self, Fields};

/// Default memory budget of an indexing run, shared by tantivy's threads.
pub const DEFAULT_MEMORY_BYTES: usize = 256 << 20;
/// tantivy needs at least this much per indexing thread.
const MIN_MEMORY_PER_THREAD: usize = 15 << 20;
/// Input read per batch: bounds the memory held outside tantivy.
const BATCH_BYTES: usize = 8 << 20;

/// Settings of a [`Writer`].
#[derive(Clone, Debug)]
pub struct WriterOptions {
    /// Memory budget for tantivy's indexing buffers, in bytes (`--memory`).
    pub memory_bytes: usize,
    /// Indexing threads; default: the number of cores, at most 8.
    pub threads: Option<usize>,
    /// When another writer holds the index, wait up to this long for it to
    /// finish instead of failing at once with [`Error::Busy`] (`--wait`).
    pub wait: Option<Duration>,
}

impl Default for WriterOptions {
    fn default() -> WriterOptions {
        WriterOptions {
            memory_bytes: DEFAULT_MEMORY_BYTES,
            threads: None,
            wait: None,
        }
    }
}

/// How often a waiting writer tries the lock again.
const LOCK_POLL: Duration = Duration::from_millis(100);

/// Hears what an indexing run is doing: progress and warnings, as they happen.
pub trait Observer: Sync {
    /// `done` of `total` input bytes have been read.
    fn progress(&self, _done: u64, _total: u64) {}
    /// Something in the input was read around or skipped.
    fn warning(&self, _warning: &Warning) {}
}

/// An observer that ignores everything.
pub struct Quiet;
impl Observer for Quiet {}

/// What happened to one article handed to [`Writer::add_article`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Added,
    /// Its id was indexed with other content; the old version is replaced.
    Updated,
    /// Its id was indexed with the same content; nothing to do.
    Unchanged,
    /// Its id was already added earlier in this run; this copy is skipped.
    Duplicate,
}

/// What one JSONL line gave: an article, nothing, or why it was skipped.
type LineResult = Result<Option<Prepared>, String>;

/// What is reported once per JSONL file rather than per line.
#[derive(Default)]
struct JsonlFile {
    /// Lines that were not blank.
    lines: u64,
    /// Names of fields hpsearch does not read, with the first line holding each.
    unknown: std::collections::BTreeMap<String, u64>,
}

/// An article made ready for the index.
struct Prepared {
    article: Article,
    akey: u64,
    chash: u64,
    docs: Vec<TantivyDocument>,
}

/// The write side of an index. Only one may exist per index at a time, across
/// processes; a second gets [`Error::Busy`].
pub struct Writer<'a> {
    index: &'a Index,
    writer: IndexWriter,
    /// Content hash of every article already in the index, by article key.
    existing: HashMap<u64, u64>,
    /// Article keys added in this run, with where they came from.
    seen: HashMap<u64, String>,
    summary: IndexSummary,
    started: Instant,
}

impl Index {
    /// Opens the writer. Fails with [`Error::Busy`] if another writer holds
    /// the lock, after waiting up to [`WriterOptions::wait`] for it.
    pub fn writer(&self, options: &WriterOptions) -> Result<Writer<'_>> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let threads = options
            .threads
            .unwrap_or(cores)
            .clamp(1, 8)
            .min((options.memory_bytes / MIN_MEMORY_PER_THREAD).max(1));
        let per_thread = (options.memory_bytes / threads).max(MIN_MEMORY_PER_THREAD);
        let started = Instant::now();
        let writer = loop {
            match self
                .inner
                .writer_with_num_threads(threads, per_thread * threads)
            {
                Ok(w) => break w,
                Err(tantivy::TantivyError::LockFailure(..)) => {
                    let waited = started.elapsed();
                    match options.wait {
                        Some(limit) if waited < limit => {
                            std::thread::sleep(LOCK_POLL.min(limit - waited));
                        }
                        _ => return Err(Error::Busy(self.path().to_path_buf())),
                    }
                }
                Err(other) => return Err(Error::from(other)),
            }
        };
        // The other writer may have committed while we waited.
        self.reload()?;
        Ok(Writer {
            index: self,
            writer,
            existing: self.existing_hashes()?,
            seen: HashMap::new(),
            summary: IndexSummary::default(),
            started: Instant::now(),
        })
    }

    fn existing_hashes(&self) -> Result<HashMap<u64, u64>> {
        let searcher = self.reader.searcher();
        let mut out = HashMap::new();
        for seg in searcher.segment_readers() {
            let akey = seg.fast_fields().u64("akey")?;
            let chash = seg.fast_fields().u64("chash")?;
            for doc in seg.doc_ids_alive() {
                if let (Some(k), Some(h)) = (akey.first(doc), chash.first(doc)) {
                    out.insert(k, h);
                }
            }
        }
        Ok(out)
    }
}

impl Writer<'_> {
    /// Indexes the files under `paths` (files and folders, recursively).
    ///
    /// Files that cannot be read, lines that cannot be parsed and dates that
    /// make no sense are reported to `observer` and counted; they never stop
    /// the run. A path that does not exist does.
    pub fn add_paths(
        &mut self,
        paths: &[PathBuf],
        options: &IngestOptions,
        observer: &dyn Observer,
    ) -> Result<()> {
        let found = ingest::discover(paths)?;
        for w in &found.warnings {
            self.warn(observer, w.clone());
        }
        self.summary.ignored_files += found.ignored;
        let total: u64 = found.files.iter().map(|f| f.size).sum();
        let done = AtomicU64::new(0);
        observer.progress(0, total);
        let (jsonl, texts): (Vec<InputFile>, Vec<InputFile>) = found
            .files
            .into_iter()
            .partition(|f| f.format == Format::Jsonl);

        // Text files: one article each, batched by size.
        let mut batch: Vec<InputFile> = Vec::new();
        let mut batch_bytes = 0usize;
        for file in texts {
            batch_bytes += file.size as usize;
            batch.push(file);
            if batch_bytes >= BATCH_BYTES || batch.len() >= 512 {
                self.text_batch(std::mem::take(&mut batch), options, observer, &done, total)?;
                batch_bytes = 0;
            }
        }
        if !batch.is_empty() {
            self.text_batch(batch, options, observer, &done, total)?;
        }
        for file in jsonl {
            self.jsonl_file(&file, options, observer, &done, total)?;
        }
        Ok(())
    }

    fn text_batch(
        &mut self,
        files: Vec<InputFile>,
        options: &IngestOptions,
        observer: &dyn Observer,
        done: &AtomicU64,
        total: u64,
    ) -> Result<()> {
        let fields = &self.index.fields;
        let results: Vec<(PathBuf, Option<Prepared>, Vec<String>)> = files
            .par_iter()
            .map(|file| {
                let mut warnings = Vec::new();
                let prepared =
                    read_text_file(&file.path, options, &mut warnings).map(|a| prepare(fields, a));
                let n = done.fetch_add(file.size, Ordering::Relaxed) + file.size;
                observer.progress(n, total);
                (file.path.clone(), prepared, warnings)
            })
            .collect();
        self.summary.files += results.len() as u64;
        self.summary.bytes += files.iter().map(|f| f.size).sum::<u64>();
        for (path, prepared, warnings) in results {
            for message in warnings {
                self.warn(
                    observer,
                    Warning {
                        path: path.clone(),
                        line: None,
                        message,
                    },
                );
            }
            match prepared {
                Some(p) => {
                    self.add_prepared(p, observer)?;
                }
                None => self.summary.skipped += 1,
            }
        }
        Ok(())
    }

    fn jsonl_file(
        &mut self,
        file: &InputFile,
        options: &IngestOptions,
        observer: &dyn Observer,
        done: &AtomicU64,
        total: u64,
    ) -> Result<()> {
        self.summary.files += 1;
        self.summary.bytes += file.size;
        let io_err = |source| Error::Io {
            path: file.path.clone(),
            source,
        };
        let handle = match ingest::open_regular(&file.path) {
            Ok(h) => h,
            Err(e) => {
                self.warn(
                    observer,
                    Warning {
                        path: file.path.clone(),
                        line: None,
                        message: format!("cannot read: {e}; skipped"),
                    },
                );
                return Ok(());
            }
        };
        let mut reader = BufReader::with_capacity(1 << 20, handle);
        // UTF-16 files cannot be read line by line as bytes: decode whole.
        let (utf16, binary, empty) = {
            let head = reader.fill_buf().map_err(io_err)?;
            let utf16 = head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF");
            let binary = !utf16 && head[..head.len().min(8192)].contains(&0);
            (utf16, binary, head.is_empty())
        };
        let whole_file = |message: &str| Warning {
            path: file.path.clone(),
            line: None,
            message: message.into(),
        };
        if binary || empty {
            self.summary.skipped += 1;
            let message = if binary {
                "binary file (contains NUL bytes); skipped"
            } else {
                "empty: no text to index; skipped"
            };
            self.warn(observer, whole_file(message));
            let n = done.fetch_add(file.size, Ordering::Relaxed) + file.size;
            observer.progress(n, total);
            return Ok(());
        }
        let mut state = JsonlFile::default();
        let mut lines: Vec<(u64, String)> = Vec::new();
        if utf16 {
            let mut bytes = Vec::new();
            reader.read_to_end(&mut bytes).map_err(io_err)?;
            let mut warnings = Vec::new();
            let text = ingest::decode(bytes, &mut warnings).unwrap_or_default();
            for message in warnings {
                self.warn(
                    observer,
                    Warning {
                        path: file.path.clone(),
                        line: None,
                        message,
                    },
                );
            }
            lines = text
                .lines()
                .enumerate()
                .map(|(i, l)| (i as u64 + 1, l.to_string()))
                .collect();
            self.jsonl_batch(
                &file.path,
                std::mem::take(&mut lines),
                options,
                observer,
                &mut state,
            )?;
            self.jsonl_done(&file.path, state, observer);
            let n = done.fetch_add(file.size, Ordering::Relaxed) + file.size;
            observer.progress(n, total);
            return Ok(());
        }
        let mut line_no = 0u64;
        let mut batch_bytes = 0usize;
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let read = reader.read_until(b'\n', &mut buf).map_err(io_err)?;
            if read == 0 {
                break;
            }
            line_no += 1;
            batch_bytes += read;
            let line = match String::from_utf8(std::mem::take(&mut buf)) {
                Ok(s) => s,
                Err(e) => {
                    self.warn(
                        observer,
                        Warning {
                            path: file.path.clone(),
                            line: Some(line_no),
                            message: "invalid UTF-8; bad bytes replaced with \u{FFFD}".into(),
                        },
                    );
                    String::from_utf8_lossy(e.as_bytes()).into_owned()
                }
            };
            lines.push((line_no, line));
            if batch_bytes >= BATCH_BYTES {
                self.jsonl_batch(
                    &file.path,
                    std::mem::take(&mut lines),
                    options,
                    observer,
                    &mut state,
                )?;
                let n = done.fetch_add(batch_bytes as u64, Ordering::Relaxed) + batch_bytes as u64;
                observer.progress(n, total);
                batch_bytes = 0;
            }
        }
        self.jsonl_batch(&file.path, lines, options, observer, &mut state)?;
        self.jsonl_done(&file.path, state, observer);
        let n = done.fetch_add(batch_bytes as u64, Ordering::Relaxed) + batch_bytes as u64;
        observer.progress(n, total);
        Ok(())
    }

    /// The warnings given once per JSONL file.
    fn jsonl_done(&mut self, path: &Path, state: JsonlFile, observer: &dyn Observer) {
        if state.lines == 0 {
            self.summary.skipped += 1;
            let message = "empty: no text to index; skipped".to_string();
            self.warn(
                observer,
                Warning {
                    path: path.to_path_buf(),
                    line: None,
                    message,
                },
            );
        }
        if let Some(first) = state.unknown.values().min() {
            let names: Vec<&str> = state.unknown.keys().map(String::as_str).collect();
            let message = format!(
                "fields hpsearch does not read were ignored: {} (first seen on this line; named once per file)",
                names.join(", ")
            );
            self.warn(
                observer,
                Warning {
                    path: path.to_path_buf(),
                    line: Some(*first),
                    message,
                },
            );
        }
    }

    fn jsonl_batch(
        &mut self,
        path: &Path,
        lines: Vec<(u64, String)>,
        options: &IngestOptions,
        observer: &dyn Observer,
        state: &mut JsonlFile,
    ) -> Result<()> {
        let fields = &self.index.fields;
        type Line = (u64, LineResult, Vec<String>, Vec<String>);
        let results: Vec<Line> = lines
            .par_iter()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(line_no, line)| {
                let (mut warnings, mut unknown) = (Vec::new(), Vec::new());
                let r = ingest::jsonl_article(
                    path,
                    *line_no,
                    line.trim_end(),
                    options,
                    &mut warnings,
                    &mut unknown,
                )
                .map(|a| a.map(|a| prepare(fields, a)));
                (*line_no, r, warnings, unknown)
            })
            .collect();
        state.lines += results.len() as u64;
        for (line_no, result, warnings, unknown) in results {
            for name in unknown {
                state.unknown.entry(name).or_insert(line_no);
            }
            let at = |message| Warning {
                path: path.to_path_buf(),
                line: Some(line_no),
                message,
            };
            for message in warnings {
                self.warn(observer, at(message));
            }
            match result {
                Ok(Some(p)) => {
                    self.add_prepared(p, observer)?;
                }
                Ok(None) => self.summary.skipped += 1,
                Err(message) => {
                    self.summary.skipped += 1;
                    self.warn(observer, at(format!("{message}; line skipped")));
                }
            }
        }
        Ok(())
    }

    /// Indexes one article value (for embedders with their own data).
    pub fn add_article(&mut self, article: Article) -> Result<Outcome> {
        let prepared = prepare(&self.index.fields, article);
        self.add_prepared(prepared, &Quiet)
    }

    fn add_prepared(&mut self, p: Prepared, observer: &dyn Observer) -> Result<Outcome> {
        let origin = origin(&p.article);
        if let Some(first) = self.seen.get(&p.akey) {
            let message = format!(
                "id {:?} already added from {first}; this copy is skipped",
                p.article.id
            );
            self.summary.skipped += 1;
            self.warn(
                observer,
                Warning {
                    path: PathBuf::from(p.article.path.as_deref().unwrap_or("(article)")),
                    line: p.article.line,
                    message,
                },
            );
            return Ok(Outcome::Duplicate);
        }
        self.seen.insert(p.akey, origin);
        let outcome = match self.existing.get(&p.akey) {
            Some(h) if *h == p.chash => {
                self.summary.unchanged += 1;
                return Ok(Outcome::Unchanged);
            }
            Some(_) => {
                self.writer
                    .delete_term(Term::from_field_text(self.index.fields.id, &p.article.id));
                self.summary.updated += 1;
                Outcome::Updated
            }
            None => {
                self.summary.added += 1;
                Outcome::Added
            }
        };
        self.summary.passages += p.docs.len() as u64;
        for doc in p.docs {
            self.writer.add_document(doc)?;
        }
        Ok(outcome)
    }

    fn warn(&mut self, observer: &dyn Observer, warning: Warning) {
        self.summary.warnings += 1;
        observer.warning(&warning);
    }

    /// Publishes everything added in this run in one atomic commit, waits
    /// for segment merges, and returns what the run did.
    pub fn commit(mut self) -> Result<IndexSummary> {
        self.writer.commit()?;
        self.writer.wait_merging_threads()?;
        self.index.reload()?;
        let mut summary = self.summary;
        summary.seconds = self.started.elapsed().as_secs_f64();
        Ok(summary)
    }
}

fn origin(a: &Article) -> String {
    match (&a.path, a.line) {
        (Some(p), Some(l)) => format!("{p}:{l}"),
        (Some(p), None) => p.clone(),
        _ => "an earlier article value".into(),
    }
}

fn read_text_file(
    path: &Path,
    options: &IngestOptions,
    warnings: &mut Vec<String>,
) -> Option<Article> {
    let bytes = match ingest::read_regular_file(path) {
        Ok(b) => b,
        Err(e) => {
            warnings.push(format!("cannot read: {e}; skipped"));
            return None;
        }
    };
    match ingest::decode(bytes, warnings) {
        Ok(text) => ingest::text_article(path, &text, options, warnings),
        Err(reason) => {
            warnings.push(reason);
            None
        }
    }
}

/// Splits passages and builds the tantivy documents of one article.
fn prepare(f: &Fields, article: Article) -> Prepared {
    let akey = schema::article_key(&article.id);
    let stored = serde_json::to_vec(&article).expect("an article always serialises");
    let chash = xxhash_rust::xxh3::xxh3_64(&stored);
    let ranges: Vec<Range<usize>> = passage::split(&article.text);
    let source_key = article.source.as_deref().map(schema::source_key);
    let day = article.date.map(|d| d.key());
    let mut docs = Vec::with_capacity(ranges.len());
    for (i, r) in ranges.iter().enumerate() {
        let mut doc = TantivyDocument::new();
        doc.add_text(f.id, &article.id);
        doc.add_u64(f.akey, akey);
        doc.add_u64(f.start, r.start as u64);
        doc.add_u64(f.end, r.end as u64);
        doc.add_text(f.title, &article.title);
        doc.add_text(f.title_exact, &article.title);
        let text = &article.text[r.clone()];
        doc.add_text(f.body, text);
        doc.add_text(f.body_exact, text);
        if let (Some(s), Some(k)) = (&article.source, &source_key) {
            doc.add_text(f.source, s);
            doc.add_text(f.source_key, k);
        }
        if let Some(d) = day {
            doc.add_i64(f.day, d);
        }
        if i == 0 {
            doc.add_u64(f.head, akey);
            doc.add_u64(f.chash, chash);
            doc.add_bytes(f.article, &stored);
        }
        docs.push(doc);
    }
    Prepared {
        article,
        akey,
        chash,
        docs,
    }
}
