//! Reading the run's inputs: which files to pass over unread (same size and
//! time, or same bytes), then each changed file parsed in parallel batches
//! (one article per text or HTML file, a line or row at a time for JSONL and
//! CSV) and its articles staged; the file's old articles it no longer holds
//! are deleted.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use super::{BATCH_BYTES, FileRun, Item, JsonlFile, Label, Observer, Parsed, Writer};
use crate::error::{Error, Result};
use crate::index::catalog::FileState;
use crate::ingest::{self, Format, IngestOptions};
use crate::model::{Article, Warning};

impl Writer<'_> {
    /// The key a file is known by across runs: its absolute path, through
    /// the real (link-free) path of its folder, so it is the same whatever
    /// the working folder or the path given.
    pub(super) fn file_key(&mut self, path: &Path) -> String {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let (Some(parent), Some(name)) = (absolute.parent(), absolute.file_name()) else {
            return absolute.display().to_string();
        };
        // Files come folder by folder: the last folder is the one to try.
        let known = self
            .folders
            .last()
            .is_some_and(|(given, _)| given.as_os_str() == parent.as_os_str());
        if !known {
            let real = std::fs::canonicalize(parent).unwrap_or(parent.to_path_buf());
            self.folders.push((parent.to_path_buf(), real));
        }
        let (_, real) = self.folders.last().expect("pushed above");
        real.join(name).display().to_string()
    }

    /// The origin of `a`, its path shared with the article before when
    /// they come from one file.
    pub(super) fn origin(&mut self, a: &Article) -> Origin {
        let path = match &a.path {
            None => NO_PATH,
            Some(p) => self.path_number(p),
        };
        // Line numbers past u32 are not kept: such a copy is named by its
        // file alone.
        let line = a.line.and_then(|l| u32::try_from(l).ok()).unwrap_or(0);
        Origin { path, line }
    }

    /// The number of `path` among the run's paths: articles of one file come
    /// together, so only the last path is compared.
    fn path_number(&mut self, path: &str) -> u32 {
        if self.paths.last().is_none_or(|last| **last != *path) {
            self.paths.push(path.into());
        }
        (self.paths.len() - 1) as u32
    }

    /// Where an article of this run came from, for a warning.
    pub(super) fn describe(&self, o: Origin) -> String {
        match self.paths.get(o.path as usize) {
            None => "an earlier article value".to_string(),
            Some(p) if o.line > 0 => format!("{p}:{}", o.line),
            Some(p) => p.to_string(),
        }
    }

    /// A file with nothing that can be indexed (unreadable, binary, empty,
    /// or not parsable at all): skipped, with a warning saying why.
    pub(super) fn skip_file(&mut self, observer: &dyn Observer, path: &Path, message: String) {
        self.summary.skipped += 1;
        self.warn(observer, at(path, None, message));
    }

    /// Keeps the articles of a file whose bytes are as recorded
    /// ([`FileRun::same_bytes`]).
    pub(super) fn keep_same_bytes(&mut self, run: &FileRun) {
        let state = run
            .state
            .as_ref()
            .expect("same content means indexed before");
        self.keep_file(&run.path, state, true);
    }

    /// Leaves a file's articles as they are.
    pub(super) fn keep_file(&mut self, path: &Path, state: &FileState, read: bool) {
        if !read {
            self.summary.unchanged_files += 1;
        }
        let path = self.path_number(&path.display().to_string());
        for akey in &state.akeys {
            if !self.deleted.contains(akey) && !self.seen.contains_key(akey) {
                self.seen.insert(*akey, Origin { path, line: 0 });
                self.summary.unchanged += 1;
            }
        }
    }

    pub(super) fn single_batch(
        &mut self,
        runs: Vec<FileRun>,
        options: &IngestOptions,
        observer: &dyn Observer,
        done: &AtomicU64,
        total: u64,
    ) -> Result<()> {
        let results: Vec<(FileRun, std::result::Result<Option<Item>, String>)> = runs
            .into_par_iter()
            .map(|mut run| {
                let r = read_single(&mut run, options);
                let n = done.fetch_add(run.size, Ordering::Relaxed) + run.size;
                observer.progress(n, total);
                (run, r)
            })
            .collect();
        for (mut run, result) in results {
            self.summary.files += 1;
            self.summary.bytes += run.size;
            match result {
                Err(message) => self.skip_file(observer, &run.path, message),
                Ok(None) => self.keep_same_bytes(&run),
                Ok(Some(item)) => {
                    self.stage_item(&mut run, item, observer)?;
                    self.finish_file(run)?;
                }
            }
        }
        Ok(())
    }

    pub(super) fn jsonl_file(
        &mut self,
        mut run: FileRun,
        options: &IngestOptions,
        observer: &dyn Observer,
        done: &AtomicU64,
        total: u64,
    ) -> Result<()> {
        self.summary.files += 1;
        self.summary.bytes += run.size;
        let path = run.path.clone();
        let io_err = |source| Error::Io {
            path: path.clone(),
            source,
        };
        let hash = match hash_file(&run.path) {
            Ok(h) => h,
            Err(e) => {
                self.skip_file(observer, &run.path, cannot_read(&e));
                return Ok(());
            }
        };
        if run.same_bytes(hash) {
            self.keep_same_bytes(&run);
            let n = done.fetch_add(run.size, Ordering::Relaxed) + run.size;
            observer.progress(n, total);
            return Ok(());
        }
        let handle = match ingest::open_regular(&run.path) {
            Ok(h) => h,
            Err(e) => {
                self.skip_file(observer, &run.path, cannot_read(&e));
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
        if binary || empty {
            let message = if binary {
                "binary file (contains NUL bytes); skipped"
            } else {
                "empty: no text to index; skipped"
            };
            self.skip_file(observer, &run.path, message.into());
            let n = done.fetch_add(run.size, Ordering::Relaxed) + run.size;
            observer.progress(n, total);
            return Ok(());
        }
        let mut state = JsonlFile::default();
        if utf16 {
            let mut bytes = Vec::new();
            reader.read_to_end(&mut bytes).map_err(io_err)?;
            let mut warnings = Vec::new();
            let text = ingest::decode(bytes, &mut warnings).unwrap_or_default();
            for message in warnings {
                self.warn(observer, at(&run.path, None, message));
            }
            let lines = text
                .lines()
                .enumerate()
                .map(|(i, l)| (i as u64 + 1, l.to_string()))
                .collect();
            self.jsonl_batch(&mut run, lines, options, observer, &mut state)?;
            self.jsonl_done(&run.path, state, observer);
            let n = done.fetch_add(run.size, Ordering::Relaxed) + run.size;
            observer.progress(n, total);
            return self.finish_file(run);
        }
        let mut lines: Vec<(u64, String)> = Vec::new();
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
                        at(
                            &run.path,
                            Some(line_no),
                            "invalid UTF-8; bad bytes replaced with \u{FFFD}".into(),
                        ),
                    );
                    String::from_utf8_lossy(e.as_bytes()).into_owned()
                }
            };
            lines.push((line_no, line));
            if batch_bytes >= BATCH_BYTES {
                self.jsonl_batch(
                    &mut run,
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
        self.jsonl_batch(&mut run, lines, options, observer, &mut state)?;
        self.jsonl_done(&run.path, state, observer);
        let n = done.fetch_add(batch_bytes as u64, Ordering::Relaxed) + batch_bytes as u64;
        observer.progress(n, total);
        self.finish_file(run)
    }

    /// What is said once per JSONL file.
    pub(super) fn jsonl_done(&mut self, path: &Path, state: JsonlFile, observer: &dyn Observer) {
        if state.lines == 0 {
            self.skip_file(observer, path, "empty: no text to index; skipped".into());
        }
    }

    pub(super) fn jsonl_batch(
        &mut self,
        run: &mut FileRun,
        lines: Vec<(u64, String)>,
        options: &IngestOptions,
        observer: &dyn Observer,
        state: &mut JsonlFile,
    ) -> Result<()> {
        let path = run.path.clone();
        let items: Vec<(Item, Vec<String>)> = lines
            .par_iter()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(line_no, line)| {
                let (mut warnings, mut unknown) = (Vec::new(), Vec::new());
                let parsed = match ingest::jsonl_article(
                    &path,
                    *line_no,
                    line.trim_end(),
                    options,
                    &mut warnings,
                    &mut unknown,
                ) {
                    Ok(a) => a.map(Parsed::new),
                    Err(message) => {
                        warnings.push(format!("{message}; line skipped"));
                        None
                    }
                };
                let item = Item {
                    line: Some(*line_no),
                    parsed,
                    warnings,
                };
                (item, unknown)
            })
            .collect();
        state.lines += items.len() as u64;
        for (item, unknown) in items {
            for name in unknown {
                *self.summary.unread_fields.entry(name).or_default() += 1;
            }
            self.stage_item(run, item, observer)?;
        }
        Ok(())
    }

    pub(super) fn csv_file(
        &mut self,
        mut run: FileRun,
        tsv: bool,
        options: &IngestOptions,
        observer: &dyn Observer,
        done: &AtomicU64,
        total: u64,
    ) -> Result<()> {
        self.summary.files += 1;
        self.summary.bytes += run.size;
        let n = done.fetch_add(run.size, Ordering::Relaxed) + run.size;
        let bytes = match ingest::read_regular_file(&run.path) {
            Ok(b) => b,
            Err(e) => {
                self.skip_file(observer, &run.path, cannot_read(&e));
                return Ok(());
            }
        };
        if run.same_bytes(xxhash_rust::xxh3::xxh3_64(&bytes)) {
            self.keep_same_bytes(&run);
            observer.progress(n, total);
            return Ok(());
        }
        let mut warnings = Vec::new();
        let text = match ingest::decode(bytes, &mut warnings) {
            Ok(t) => t,
            Err(reason) => {
                warnings.push(reason);
                String::new()
            }
        };
        for message in warnings {
            self.warn(observer, at(&run.path, None, message));
        }
        let rows = match ingest::csv_articles(&run.path, &text, tsv, options) {
            Ok(rows) => rows,
            Err(message) => {
                // Nothing in the file can be read: its articles stay as they
                // were, and it is read again next time.
                self.skip_file(observer, &run.path, format!("{message}; file skipped"));
                observer.progress(n, total);
                return Ok(());
            }
        };
        let items: Vec<Item> = rows
            .into_par_iter()
            .map(|(line, article, warnings)| Item {
                line: Some(line),
                parsed: article.map(Parsed::new),
                warnings,
            })
            .collect();
        for item in items {
            self.stage_item(&mut run, item, observer)?;
        }
        observer.progress(n, total);
        self.finish_file(run)
    }

    pub(super) fn stage_item(
        &mut self,
        run: &mut FileRun,
        item: Item,
        observer: &dyn Observer,
    ) -> Result<()> {
        for message in item.warnings {
            self.warn(observer, at(&run.path, item.line, message));
        }
        match item.parsed {
            Some(p) => {
                self.stage(p, Some(run), observer)?;
            }
            None => self.summary.skipped += 1,
        }
        Ok(())
    }

    /// After a file is read: removes the articles it no longer holds, and
    /// makes sure the index records the state it was read in.
    pub(super) fn finish_file(&mut self, mut run: FileRun) -> Result<()> {
        if let Some(state) = &run.state {
            self.forget_removals(state);
        }
        let mut removed = 0;
        for akey in run.state.as_ref().map_or(&[][..], |s| s.akeys.as_slice()) {
            if !self.seen.contains_key(akey) && !self.deleted.contains(akey) {
                self.delete(*akey);
                removed += 1;
            }
        }
        if run.format.single_article() && removed == 1 && run.added == 1 {
            // The file's one article changed, and with it its content id.
            self.summary.added -= 1;
            self.summary.updated += 1;
        } else {
            self.summary.removed += removed;
        }
        let recorded = run
            .state
            .as_ref()
            .is_some_and(|s| s.hash == run.meta.hash && s.options == run.meta.options);
        if !run.wrote
            && !recorded
            && let Some(p) = run.first_unchanged.take()
        {
            let akey = p.akey;
            self.delete(akey);
            self.spill_article(p, Some(Arc::new(run.meta)), Label::Keep)?;
        }
        Ok(())
    }
}

pub(super) fn at(path: &Path, line: Option<u64>, message: String) -> Warning {
    Warning {
        path: path.to_path_buf(),
        line,
        message,
    }
}

/// Where an article of this run came from, for naming the first of two
/// with one id: 8 bytes, as a large run holds one per article.
#[derive(Clone, Copy)]
pub(super) struct Origin {
    /// Its number among [`Writer`]'s paths; [`NO_PATH`] for an article given
    /// as a value (`add_article`).
    path: u32,
    /// Its line in the file; 0 for none.
    line: u32,
}

/// The path of an article given as a value.
const NO_PATH: u32 = u32::MAX;

/// The warning for a file that cannot be read.
pub(super) fn cannot_read(e: &std::io::Error) -> String {
    format!("cannot read: {e}; skipped")
}

pub(super) fn hash_file(path: &Path) -> std::io::Result<u64> {
    let mut reader = BufReader::with_capacity(1 << 20, ingest::open_regular(path)?);
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        h.update(buf);
        let n = buf.len();
        reader.consume(n);
    }
    Ok(h.digest())
}

/// Reads a text or HTML file. `Ok(None)`: its bytes are as recorded, so it
/// is not parsed. `Err`: it cannot be read.
pub(super) fn read_single(
    run: &mut FileRun,
    options: &IngestOptions,
) -> std::result::Result<Option<Item>, String> {
    let bytes = ingest::read_regular_file(&run.path).map_err(|e| cannot_read(&e))?;
    if run.same_bytes(xxhash_rust::xxh3::xxh3_64(&bytes)) {
        return Ok(None);
    }
    let mut warnings = Vec::new();
    let article = match ingest::decode(bytes, &mut warnings) {
        Ok(text) => match run.format {
            Format::Html => ingest::html_article(&run.path, &text, options, &mut warnings),
            _ => ingest::text_article(&run.path, &text, options, &mut warnings),
        },
        Err(reason) => {
            warnings.push(reason);
            None
        }
    };
    Ok(Some(Item {
        line: None,
        parsed: article.map(Parsed::new),
        warnings,
    }))
}
