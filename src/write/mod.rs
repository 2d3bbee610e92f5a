//! Writing: files and articles into the index.
//!
//! A run has two phases.
//!
//! 1. While paths and articles are added, files whose size and modification
//!    time are as recorded in the index are passed over unread. The others
//!    are read, hashed and (when their bytes changed) parsed by rayon in
//!    parallel. Each new or changed article is written to a temporary spill
//!    file beside the index; deletions (an old version, an article gone from
//!    its file, a pruned file, a removed id) go to tantivy at once.
//! 2. [`Writer::commit`], with the whole run known, gives each new article
//!    its near-duplicate cluster ([`crate::write::neardup`]) and counts boilerplate
//!    over the whole collection ([`crate::write::boilerplate`]). Then the spilled
//!    articles are cut into passages and handed to tantivy in parallel
//!    batches, earlier articles whose boilerplate changed are rebuilt from
//!    their stored copy, and everything is published in one atomic commit,
//!    with the run's summary as the commit's payload.
//!
//! Nothing is visible to searches until the commit. If the process dies
//! before, the index is as it was.

pub(crate) mod boilerplate;
pub(crate) mod neardup;
pub mod passage;

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tantivy::indexer::UserOperation;
use tantivy::schema::Value;
use tantivy::{IndexWriter, Searcher, TantivyDocument, Term};

use crate::error::{Error, Result};
use crate::index::Index;
use crate::index::catalog::{self, Catalog, Details, FileMeta, FileState};
use crate::index::schema::{self, Fields};
use crate::ingest::{self, Format, IngestOptions, InputFile};
use crate::model::{Article, IndexSummary, Warning};
use boilerplate::{Boilerplate, Counter};
use neardup::Signature;

/// Default memory budget of an indexing run, shared by tantivy's threads.
pub const DEFAULT_MEMORY_BYTES: usize = 224 << 20;
/// tantivy needs at least this much per indexing thread.
const MIN_MEMORY_PER_THREAD: usize = 15 << 20;
/// Share of the memory budget that text waiting in tantivy's queue may take
/// (the documents built from it take about four times as much).
const QUEUE_SHARE: usize = 256;
const MIN_QUEUE_BYTES: usize = 1 << 20;
const QUEUE_POLL: Duration = Duration::from_millis(1);
/// No progress for this long: stop waiting for tantivy's queue.
const QUEUE_STALL: Duration = Duration::from_secs(10);

/// Input read per batch: bounds the memory held outside tantivy.
const BATCH_BYTES: usize = 8 << 20;
/// Staged articles turned into documents per batch at commit (the
/// documents take about four times the bytes).
const WRITE_BATCH_BYTES: usize = 1 << 20;

/// The staged articles' signatures, back to back in one allocation (so that
/// freeing them gives the memory back at once), in staged order.
#[derive(Default)]
struct Signatures {
    values: Vec<u8>,
    /// Per article, where its signature starts in `values` (shifted left 8
    /// bits) and its length (the low 8 bits; 0 for none).
    spans: Vec<u64>,
}

impl Signatures {
    fn push(&mut self, sig: &[u8]) {
        self.spans.push(span(self.values.len(), sig));
        self.values.extend_from_slice(sig);
    }

    /// Article `i`'s signature; empty if it has none.
    fn get(&self, i: usize) -> &[u8] {
        let at = (self.spans[i] >> 8) as usize;
        &self.values[at..at + (self.spans[i] & 0xff) as usize]
    }

    /// Replaces article `i`'s signature: in place if it fits.
    fn set(&mut self, i: usize, sig: &[u8]) {
        let at = (self.spans[i] >> 8) as usize;
        if sig.len() <= (self.spans[i] & 0xff) as usize {
            self.values[at..at + sig.len()].copy_from_slice(sig);
            self.spans[i] = span(at, sig);
        } else {
            self.spans[i] = span(self.values.len(), sig);
            self.values.extend_from_slice(sig);
        }
    }
}

/// A signature's place in [`Signatures::values`].
fn span(at: usize, sig: &[u8]) -> u64 {
    debug_assert!(sig.len() <= neardup::HASHES);
    ((at as u64) << 8) | sig.len() as u64
}

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

/// What is reported once per JSONL file rather than per line.
#[derive(Default)]
struct JsonlFile {
    /// Lines that were not blank.
    lines: u64,
    /// Names of fields hpsearch does not read, with the first line holding each.
    unknown: std::collections::BTreeMap<String, u64>,
}

/// An article parsed, serialised and fingerprinted, ready to stage.
struct Parsed {
    article: Article,
    /// The article as stored (JSON); its hash is the content hash.
    stored: Vec<u8>,
    akey: u64,
    chash: u64,
    paras: Vec<u64>,
    sig: Signature,
}

impl Parsed {
    fn new(article: Article) -> Parsed {
        let stored = serde_json::to_vec(&article).expect("an article always serialises");
        let chash = xxhash_rust::xxh3::xxh3_64(&stored);
        let paras = boilerplate::fingerprints(&article.text);
        let sig = neardup::signature(&article.text, |_| true);
        Parsed {
            akey: schema::article_key(&article.id),
            article,
            stored,
            chash,
            paras,
            sig,
        }
    }
}

/// What one file or line gave: an article or nothing, and warnings.
struct Item {
    line: Option<u64>,
    parsed: Option<Parsed>,
    warnings: Vec<String>,
}

/// A file being read in this run.
struct FileRun {
    path: PathBuf,
    format: Format,
    size: u64,
    meta: FileMeta,
    /// Its state as the index recorded it, if it was indexed before.
    state: Option<FileState>,
    /// Articles added from it in this run (not replacing an id).
    added: u64,
    /// Whether any article of it was written in this run.
    wrote: bool,
    /// An article it still holds unchanged: rewritten when nothing else is,
    /// so the index records the file's new state.
    first_unchanged: Option<Parsed>,
    /// `meta` as its staged articles share it (one copy per file, not per
    /// article).
    shared: Option<Arc<FileMeta>>,
}

impl FileRun {
    /// Records the hash of the file's bytes; true if they are as the index
    /// recorded them (nothing to parse).
    fn same_bytes(&mut self, hash: u64) -> bool {
        self.meta.hash = hash;
        self.state.as_ref().is_some_and(|s| s.hash == hash)
    }

    fn shared_meta(&mut self) -> Arc<FileMeta> {
        match &self.shared {
            Some(m) if **m == self.meta => m.clone(),
            _ => {
                let m = Arc::new(self.meta.clone());
                self.shared = Some(m.clone());
                m
            }
        }
    }
}

/// How a staged article gets its near-duplicate cluster.
#[derive(Clone, Copy, Debug)]
enum Label {
    /// Compared with the collection at commit.
    Assign,
    /// Keeps the cluster its indexed version has (a rewrite of unchanged
    /// content).
    Keep,
}

/// An article waiting in the spill file for the commit.
struct Staged {
    offset: u64,
    len: u64,
    akey: u64,
    chash: u64,
    group: u64,
    /// Where its paragraph fingerprints start in [`Writer::paras`], and how
    /// many there are.
    paras_at: u64,
    paras_len: u32,
    label: Label,
    file: Option<Arc<FileMeta>>,
    /// Set at commit.
    cluster: u64,
    joined: bool,
}

/// The paragraph fingerprints of `s`, in the block of them all.
fn paras_of<'a>(all: &'a [u64], s: &Staged) -> &'a [u64] {
    let at = s.paras_at as usize;
    &all[at..at + s.paras_len as usize]
}

/// A staged article once its cluster is known: what it needs to be written
/// waits in the spill (see [`Record`]), so a large run holds 16 bytes per
/// article while tantivy's buffers fill.
struct Pending {
    len: u64,
    /// Length of its record.
    record: u32,
}

/// The staged articles as they wait in the spill for writing: their texts
/// back to back from `articles`, their records back to back from `records`.
struct Spilled {
    pending: Vec<Pending>,
    articles: u64,
    records: u64,
    /// The files the records name, by number.
    files: Vec<Arc<FileMeta>>,
}

/// What writing a staged article needs beyond its text, read back from the
/// spill one batch at a time.
struct Record<'a> {
    akey: u64,
    chash: u64,
    group: u64,
    cluster: u64,
    joined: bool,
    file: Option<&'a FileMeta>,
    paras: Vec<u64>,
    sig: &'a [u8],
}

/// Marks a record without a file.
const NO_FILE: u32 = u32::MAX;
/// Bytes of a record before its fingerprints: four keys, the joined flag,
/// the file number and the number of fingerprints.
const RECORD_HEAD: usize = 4 * 8 + 1 + 4 + 4;

impl Record<'_> {
    /// Appends the record of `s` with fingerprints `paras`, signature `sig`
    /// and file number `file`.
    fn write(out: &mut Vec<u8>, s: &Staged, paras: &[u64], sig: &[u8], file: u32) {
        for v in [s.akey, s.chash, s.group, s.cluster] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.push(u8::from(s.joined));
        out.extend_from_slice(&file.to_le_bytes());
        out.extend_from_slice(&(paras.len() as u32).to_le_bytes());
        for fp in paras {
            out.extend_from_slice(&fp.to_le_bytes());
        }
        out.push(sig.len() as u8);
        out.extend_from_slice(sig);
    }

    /// Reads one record written by [`Record::write`]; `None` if it is cut
    /// short or names no known file.
    fn read<'a>(bytes: &'a [u8], files: &'a [Arc<FileMeta>]) -> Option<Record<'a>> {
        let (head, rest) = bytes.split_at_checked(RECORD_HEAD)?;
        let word = |at: usize| u64::from_le_bytes(head[at..at + 8].try_into().expect("8 bytes"));
        let file = u32::from_le_bytes(head[33..37].try_into().expect("4 bytes"));
        let n = u32::from_le_bytes(head[37..RECORD_HEAD].try_into().expect("4 bytes")) as usize;
        let (paras, rest) = rest.split_at_checked(n.checked_mul(8)?)?;
        let (&sig_len, sig) = rest.split_first()?;
        Some(Record {
            akey: word(0),
            chash: word(8),
            group: word(16),
            cluster: word(24),
            joined: head[32] != 0,
            file: match file {
                NO_FILE => None,
                k => Some(files.get(k as usize)?.as_ref()),
            },
            paras: paras
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
                .collect(),
            sig: sig.get(..usize::from(sig_len))?,
        })
    }
}

/// The temporary file articles wait in until the commit, in the index folder
/// (it is unlinked at once, so nothing is left behind if the process dies).
struct Spill {
    dir: PathBuf,
    out: Option<BufWriter<File>>,
    len: u64,
    /// A reader shares the file's offset: the next write must first go
    /// back to the end.
    moved: bool,
}

impl Spill {
    fn push(&mut self, bytes: &[u8]) -> std::io::Result<(u64, u64)> {
        if self.out.is_none() {
            self.out = Some(BufWriter::with_capacity(
                1 << 20,
                tempfile::tempfile_in(&self.dir)?,
            ));
        }
        let out = self.out.as_mut().expect("just opened");
        if std::mem::take(&mut self.moved) {
            out.seek(SeekFrom::End(0))?;
        }
        out.write_all(bytes)?;
        let at = self.len;
        self.len += bytes.len() as u64;
        Ok((at, bytes.len() as u64))
    }

    /// A reader over everything spilled so far.
    fn reader(&mut self) -> std::io::Result<Option<File>> {
        let Some(out) = self.out.as_mut() else {
            return Ok(None);
        };
        out.flush()?;
        self.moved = true;
        let mut f = out.get_ref().try_clone()?;
        f.seek(SeekFrom::Start(0))?;
        Ok(Some(f))
    }
}

/// The write side of an index. Only one may exist per index at a time, across
/// processes; a second gets [`Error::Busy`].
pub struct Writer<'a> {
    index: &'a Index,
    writer: IndexWriter,
    /// The index as it was when the writer opened.
    searcher: Searcher,
    catalog: Catalog,
    /// This run's number, recorded on the heads it writes.
    run: u64,
    /// Article keys added or kept in this run, with where they came from.
    seen: HashMap<u64, Origin>,
    /// The path of the last article staged, shared by the origins of the
    /// articles of one file.
    last_path: Option<Arc<str>>,
    /// Indexed articles deleted in this run (replaced or removed).
    deleted: HashSet<u64>,
    /// Articles staged in this run and then removed by id.
    dropped: HashSet<u64>,
    /// Files already handled in this run, by key.
    files_done: HashSet<String>,
    /// Canonical folders, by folder as given.
    folders: HashMap<PathBuf, PathBuf>,
    staged: Vec<Staged>,
    /// The paragraph fingerprints of `staged`, back to back in one block.
    paras: Vec<u64>,
    /// The signatures of `staged`, index for index.
    sigs: Signatures,
    spill: Spill,
    summary: IndexSummary,
    started: Instant,
    /// Bytes of exact-analysed text handed to tantivy, on the scale of
    /// [`Index::analysed`]: the difference is what waits in tantivy's queue.
    sent: u64,
    /// How much text may wait there (a share of the memory budget).
    queue_limit: u64,
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
        // With the lock held (perhaps after waiting for another run), the
        // latest commit is the one to build on.
        self.reload()?;
        let searcher = self.reader.searcher();
        let catalog = Catalog::read(&searcher)?;
        Ok(Writer {
            index: self,
            writer,
            run: catalog.max_run + 1,
            searcher,
            catalog,
            seen: HashMap::new(),
            last_path: None,
            deleted: HashSet::new(),
            dropped: HashSet::new(),
            files_done: HashSet::new(),
            folders: HashMap::new(),
            staged: Vec::new(),
            paras: Vec::new(),
            sigs: Signatures::default(),
            spill: Spill {
                dir: self.path().to_path_buf(),
                out: None,
                len: 0,
                moved: false,
            },
            summary: IndexSummary::default(),
            started: Instant::now(),
            sent: self.analysed.load(Ordering::Relaxed),
            queue_limit: (options.memory_bytes / QUEUE_SHARE).max(MIN_QUEUE_BYTES) as u64,
        })
    }
}

/// A hash of a file's size and modification time: equal means unchanged,
/// without reading it.
fn stamp(size: u64, modified: u64) -> u64 {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&size.to_le_bytes());
    bytes[8..].copy_from_slice(&modified.to_le_bytes());
    xxhash_rust::xxh3::xxh3_64(&bytes)
}

impl Writer<'_> {
    /// Indexes the files under `paths` (files and folders, recursively).
    ///
    /// Files indexed before and not modified since are left alone unread;
    /// changed files are read again, their changed articles replaced and the
    /// articles they no longer hold removed. Files that cannot be read, lines
    /// or rows that cannot be parsed and dates that make no sense are
    /// reported to `observer` and counted; they never stop the run. A path
    /// that does not exist does.
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
        let mut singles: Vec<FileRun> = Vec::new();
        let mut multis: Vec<FileRun> = Vec::new();
        for file in found.files {
            let key = self.file_key(&file.path);
            if !self.files_done.insert(key.clone()) {
                done.fetch_add(file.size, Ordering::Relaxed);
                continue;
            }
            let stamp = stamp(file.size, file.modified);
            let state = self.catalog.files.get(&key).cloned();
            if let Some(s) = &state
                && s.stamp == stamp
            {
                self.keep_file(&file.path, s, false);
                done.fetch_add(file.size, Ordering::Relaxed);
                continue;
            }
            let InputFile {
                path, format, size, ..
            } = file;
            let run = FileRun {
                path,
                format,
                size,
                meta: FileMeta {
                    key,
                    stamp,
                    hash: 0,
                    run: self.run,
                },
                state,
                added: 0,
                wrote: false,
                first_unchanged: None,
                shared: None,
            };
            if format.single_article() {
                singles.push(run);
            } else {
                multis.push(run);
            }
        }
        observer.progress(done.load(Ordering::Relaxed), total);

        // Text and HTML files: one article each, read in parallel batches.
        let mut batch: Vec<FileRun> = Vec::new();
        let mut batch_bytes = 0usize;
        for run in singles {
            batch_bytes += run.size as usize;
            batch.push(run);
            if batch_bytes >= BATCH_BYTES || batch.len() >= 512 {
                self.single_batch(std::mem::take(&mut batch), options, observer, &done, total)?;
                batch_bytes = 0;
            }
        }
        if !batch.is_empty() {
            self.single_batch(batch, options, observer, &done, total)?;
        }
        for run in multis {
            match run.format {
                Format::Jsonl => self.jsonl_file(run, options, observer, &done, total)?,
                Format::Csv { tsv } => self.csv_file(run, tsv, options, observer, &done, total)?,
                _ => unreachable!("single-article formats are batched"),
            }
        }
        Ok(())
    }

    /// The key a file is known by across runs: its absolute path, through
    /// the real (link-free) path of its folder, so it is the same whatever
    /// the working folder or the path given.
    fn file_key(&mut self, path: &Path) -> String {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let (Some(parent), Some(name)) = (absolute.parent(), absolute.file_name()) else {
            return absolute.display().to_string();
        };
        let real = self
            .folders
            .entry(parent.to_path_buf())
            .or_insert_with(|| std::fs::canonicalize(parent).unwrap_or(parent.to_path_buf()));
        real.join(name).display().to_string()
    }

    /// The origin of `a`, its path shared with the article before when
    /// they come from one file.
    fn origin(&mut self, a: &Article) -> Origin {
        let path = match (&a.path, &self.last_path) {
            (None, _) => None,
            (Some(p), Some(last)) if **last == **p => Some(last.clone()),
            (Some(p), _) => {
                let p: Arc<str> = Arc::from(p.as_str());
                self.last_path = Some(p.clone());
                Some(p)
            }
        };
        Origin { path, line: a.line }
    }

    /// A file with nothing that can be indexed (unreadable, binary, empty,
    /// or not parsable at all): skipped, with a warning saying why.
    fn skip_file(&mut self, observer: &dyn Observer, path: &Path, message: String) {
        self.summary.skipped += 1;
        self.warn(observer, at(path, None, message));
    }

    /// Keeps the articles of a file whose bytes are as recorded
    /// ([`FileRun::same_bytes`]).
    fn keep_same_bytes(&mut self, run: &FileRun) {
        let state = run
            .state
            .as_ref()
            .expect("same content means indexed before");
        self.keep_file(&run.path, state, true);
    }

    /// Leaves a file's articles as they are.
    fn keep_file(&mut self, path: &Path, state: &FileState, read: bool) {
        if !read {
            self.summary.unchanged_files += 1;
        }
        let path: Arc<str> = Arc::from(path.display().to_string());
        for akey in &state.akeys {
            if !self.deleted.contains(akey) && !self.seen.contains_key(akey) {
                let path = Some(path.clone());
                self.seen.insert(*akey, Origin { path, line: None });
                self.summary.unchanged += 1;
            }
        }
    }

    fn single_batch(
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

    fn jsonl_file(
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

    /// The warnings given once per JSONL file.
    fn jsonl_done(&mut self, path: &Path, state: JsonlFile, observer: &dyn Observer) {
        if state.lines == 0 {
            self.skip_file(observer, path, "empty: no text to index; skipped".into());
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
            if let Some(line) = item.line {
                for name in unknown {
                    state.unknown.entry(name).or_insert(line);
                }
            }
            self.stage_item(run, item, observer)?;
        }
        Ok(())
    }

    fn csv_file(
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

    fn stage_item(&mut self, run: &mut FileRun, item: Item, observer: &dyn Observer) -> Result<()> {
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
    fn finish_file(&mut self, mut run: FileRun) -> Result<()> {
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
        let recorded = run.state.as_ref().is_some_and(|s| s.hash == run.meta.hash);
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

    /// Indexes one article value (for embedders with their own data).
    pub fn add_article(&mut self, article: Article) -> Result<Outcome> {
        self.stage(Parsed::new(article), None, &Quiet)
    }

    fn stage(
        &mut self,
        p: Parsed,
        mut run: Option<&mut FileRun>,
        observer: &dyn Observer,
    ) -> Result<Outcome> {
        if let Some(first) = self.seen.get(&p.akey) {
            let message = format!(
                "id {:?} already added from {first}; this copy is skipped",
                p.article.id
            );
            self.summary.skipped += 1;
            self.warn(
                observer,
                at(
                    Path::new(p.article.path.as_deref().unwrap_or("(article)")),
                    p.article.line,
                    message,
                ),
            );
            return Ok(Outcome::Duplicate);
        }
        let origin = self.origin(&p.article);
        self.seen.insert(p.akey, origin);
        let existing = self
            .catalog
            .articles
            .get(&p.akey)
            .filter(|_| !self.deleted.contains(&p.akey));
        let outcome = match existing {
            Some(e) if e.chash == p.chash => {
                self.summary.unchanged += 1;
                if let Some(r) = run.as_mut()
                    && r.first_unchanged.is_none()
                {
                    r.first_unchanged = Some(p);
                }
                return Ok(Outcome::Unchanged);
            }
            Some(_) => {
                self.delete(p.akey);
                self.summary.updated += 1;
                Outcome::Updated
            }
            None => {
                self.summary.added += 1;
                if let Some(r) = run.as_mut() {
                    r.added += 1;
                }
                Outcome::Added
            }
        };
        self.summary.text_bytes += (p.article.title.len() + p.article.text.len()) as u64;
        let file = run.as_mut().map(|r| r.shared_meta());
        if let Some(r) = run.as_mut() {
            r.wrote = true;
        }
        self.spill_article(p, file, Label::Assign)?;
        Ok(outcome)
    }

    fn spill_article(
        &mut self,
        p: Parsed,
        file: Option<Arc<FileMeta>>,
        label: Label,
    ) -> Result<()> {
        let (offset, len) = self.spill.push(&p.stored).map_err(|source| Error::Io {
            path: self.spill.dir.clone(),
            source,
        })?;
        self.sigs.push(&p.sig);
        let paras_at = self.paras.len() as u64;
        self.paras.extend_from_slice(&p.paras);
        self.staged.push(Staged {
            offset,
            len,
            akey: p.akey,
            chash: p.chash,
            group: schema::source_group(p.article.source.as_deref()),
            paras_at,
            paras_len: p.paras.len() as u32,
            label,
            file,
            cluster: 0,
            joined: false,
        });
        Ok(())
    }

    fn delete(&mut self, akey: u64) {
        self.writer
            .delete_term(Term::from_field_u64(self.index.fields.akey, akey));
        self.deleted.insert(akey);
    }

    /// Removes the article with this id. `false` if no such article is indexed.
    pub fn remove(&mut self, id: &str) -> Result<bool> {
        let akey = schema::article_key(id);
        if self.catalog.articles.contains_key(&akey) && !self.deleted.contains(&akey) {
            self.delete(akey);
            self.summary.removed += 1;
            return Ok(true);
        }
        if self.staged.iter().any(|s| s.akey == akey) && self.dropped.insert(akey) {
            self.summary.removed += 1;
            return Ok(true);
        }
        Ok(false)
    }

    /// Removes the articles of files under `roots` that no longer exist.
    /// Call it after [`Writer::add_paths`] over the same roots, so that a
    /// file that moved within them counts as updated, not removed and added.
    /// Returns the number of articles removed.
    pub fn prune(&mut self, roots: &[PathBuf]) -> Result<u64> {
        let roots: Vec<PathBuf> = roots
            .iter()
            .map(|r| {
                std::fs::canonicalize(r)
                    .or_else(|_| std::path::absolute(r))
                    .unwrap_or_else(|_| r.clone())
            })
            .collect();
        let mut gone: Vec<u64> = Vec::new();
        for (key, state) in &self.catalog.files {
            let path = Path::new(key);
            if roots.iter().any(|r| path.starts_with(r)) && !path.exists() {
                gone.extend(&state.akeys);
            }
        }
        gone.sort_unstable();
        let mut removed = 0;
        for akey in gone {
            if !self.seen.contains_key(&akey) && !self.deleted.contains(&akey) {
                self.delete(akey);
                removed += 1;
            }
        }
        self.summary.removed += removed;
        Ok(removed)
    }

    fn warn(&mut self, observer: &dyn Observer, warning: Warning) {
        self.summary.warnings += 1;
        observer.warning(&warning);
    }

    /// Publishes everything done in this run in one atomic commit, waits for
    /// segment merges, and returns what the run did.
    pub fn commit(mut self) -> Result<IndexSummary> {
        if !self.staged.is_empty() || !self.deleted.is_empty() {
            self.settle()?;
        }
        let mut summary = std::mem::take(&mut self.summary);
        summary.seconds = self.started.elapsed().as_secs_f64();
        let payload = serde_json::to_string(&summary).expect("a summary always serialises");
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        self.writer.wait_merging_threads()?;
        self.index.reload()?;
        // The recorded summary cannot include its own commit; the returned one does.
        summary.seconds = self.started.elapsed().as_secs_f64();
        Ok(summary)
    }

    /// Clusters, boilerplate, rebuilds, and the staged articles into tantivy.
    fn settle(&mut self) -> Result<()> {
        // Nothing is added from here on: where each id came from is no
        // longer needed, and a large run should not carry it into the commit.
        self.seen = HashMap::new();
        let details = catalog::details(&self.searcher)?;
        let alive: Vec<(&u64, &catalog::Detail)> = details
            .iter()
            .filter(|(k, _)| !self.deleted.contains(k))
            .collect();
        let mut boilerplate = self.assign(&details, &alive);
        // Copies that differ only by a promo look alike until the promo is
        // known to be boilerplate: sign those articles again without it.
        let mut resign = Vec::new();
        for (i, s) in self.staged.iter().enumerate() {
            if !boilerplate.of(s.group, paras_of(&self.paras, s)).is_empty() {
                resign.push(i);
            }
        }
        if !resign.is_empty() {
            let mut reader = self.spill.reader().map_err(|e| self.spill_error(e))?;
            // Read in order, sign in parallel, a bounded batch at a time.
            for batch in resign.chunks(1024) {
                let mut articles = Vec::with_capacity(batch.len());
                for &i in batch {
                    articles.push(
                        read_staged(reader.as_mut(), &self.staged[i])
                            .map_err(|e| self.spill_error(e))?,
                    );
                }
                let sigs: Vec<Signature> = batch
                    .par_iter()
                    .zip(&articles)
                    .map(|(&i, article)| {
                        let group = self.staged[i].group;
                        neardup::signature(&article.text, |fp| !boilerplate.contains(group, fp))
                    })
                    .collect();
                for (&i, sig) in batch.iter().zip(sigs) {
                    self.sigs.set(i, &sig);
                }
            }
            boilerplate = self.assign(&details, &alive);
        }
        self.rebuild(&details, &alive, &boilerplate)?;
        let spilled = self.spill_records()?;
        self.write_staged(&boilerplate, &spilled)
    }

    /// Moves what the staged articles need to be written (final once
    /// clusters are assigned) to the end of the spill, in staged order, as
    /// [`Record`]s, and frees the staged list and the signatures: they are
    /// only needed again one batch at a time.
    fn spill_records(&mut self) -> Result<Spilled> {
        let records = self.spill.len;
        let sigs = std::mem::take(&mut self.sigs);
        let staged = std::mem::take(&mut self.staged);
        let paras = std::mem::take(&mut self.paras);
        let mut pending = Vec::with_capacity(staged.len());
        let mut files: Vec<Arc<FileMeta>> = Vec::new();
        let mut record = Vec::new();
        let articles = staged.first().map_or(0, |s| s.offset);
        let mut next = articles;
        for (i, s) in staged.iter().enumerate() {
            debug_assert_eq!(s.offset, next, "staged articles lie back to back");
            next += s.len;
            let file = match &s.file {
                None => NO_FILE,
                Some(f) => {
                    if !files.last().is_some_and(|last| Arc::ptr_eq(last, f)) {
                        files.push(f.clone());
                    }
                    (files.len() - 1) as u32
                }
            };
            record.clear();
            Record::write(&mut record, s, paras_of(&paras, s), sigs.get(i), file);
            self.spill.push(&record).map_err(|e| self.spill_error(e))?;
            pending.push(Pending {
                len: s.len,
                record: record.len() as u32,
            });
        }
        Ok(Spilled {
            pending,
            articles,
            records,
            files,
        })
    }

    /// Gives every staged article its cluster, and returns the boilerplate
    /// of the collection as it will be after this run.
    fn assign(&mut self, details: &Details, alive: &[(&u64, &catalog::Detail)]) -> Boilerplate {
        // Entries: the earlier articles, then this run's in input order.
        let live: Vec<usize> = (0..self.staged.len())
            .filter(|&i| !self.dropped.contains(&self.staged[i].akey))
            .collect();
        let mut sigs: Vec<&[u8]> = Vec::with_capacity(alive.len() + live.len());
        sigs.extend(alive.iter().map(|(_, d)| d.sig.as_slice()));
        sigs.extend(live.iter().map(|&i| self.sigs.get(i)));
        // Which earlier entry each new article resembles most depends on
        // signatures only: found in parallel, then labels given in order.
        let mut wanted = vec![false; alive.len()];
        wanted.extend(
            live.iter()
                .map(|&i| matches!(self.staged[i].label, Label::Assign)),
        );
        let found = neardup::best_earlier(&sigs, &wanted);
        drop(sigs);
        let best = &found[alive.len()..];
        let mut counter = Counter::default();
        for (_, d) in alive {
            counter.add(d.group, d.cluster, &d.paras);
        }
        for (k, &i) in live.iter().enumerate() {
            let label_of = |entry: usize| match entry.checked_sub(alive.len()) {
                None => alive[entry].1.cluster,
                Some(k) => self.staged[live[k]].cluster,
            };
            let joined = best[k].map(label_of);
            let s = &mut self.staged[i];
            let (cluster, joined) = match (s.label, joined) {
                (Label::Keep, _) => (
                    details
                        .get(&s.akey)
                        .map_or_else(|| neardup::fresh_label(s.akey, s.chash), |d| d.cluster),
                    false,
                ),
                (Label::Assign, Some(label)) => (label, true),
                (Label::Assign, None) => (neardup::fresh_label(s.akey, s.chash), false),
            };
            s.cluster = cluster;
            s.joined = joined;
            counter.add(s.group, cluster, paras_of(&self.paras, s));
        }
        counter.finish()
    }

    /// Rebuilds the passages of indexed articles whose boilerplate changed.
    fn rebuild(
        &mut self,
        details: &Details,
        alive: &[(&u64, &catalog::Detail)],
        boilerplate: &Boilerplate,
    ) -> Result<()> {
        let mut todo: Vec<(u64, Vec<u64>)> = alive
            .iter()
            .filter_map(|(k, d)| {
                let target = boilerplate.of(d.group, &d.paras);
                (target != d.stripped).then_some((**k, target))
            })
            .collect();
        todo.sort_unstable();
        let fields = &self.index.fields;
        for chunk in todo.chunks(256) {
            let built: Vec<Result<(u64, Vec<TantivyDocument>)>> = chunk
                .par_iter()
                .map(|(akey, stripped)| {
                    let e = &self.catalog.articles[akey];
                    let d = &details[akey];
                    let (stored, article) = self.index.load_stored(&self.searcher, e.addr)?;
                    let sig =
                        neardup::signature(&article.text, |fp| !boilerplate.contains(d.group, fp));
                    let head = Head {
                        cluster: d.cluster,
                        paras: &d.paras,
                        stripped,
                        sig: &sig,
                        file: e.file.as_ref(),
                    };
                    Ok((
                        *akey,
                        build_docs(fields, &article, &stored, e.chash, *akey, &head),
                    ))
                })
                .collect();
            for b in built {
                let (akey, docs) = b?;
                self.writer
                    .delete_term(Term::from_field_u64(self.index.fields.akey, akey));
                self.summary.rebuilt += 1;
                self.summary.passages += docs.len() as u64;
                self.write_article(docs)?;
            }
        }
        Ok(())
    }

    /// Hands one article's passages to tantivy as one batch, so they land
    /// next to each other in one segment, which the search collectors rely
    /// on (see `collect.rs`).
    fn write_article(&mut self, docs: Vec<TantivyDocument>) -> Result<()> {
        let f = &self.index.fields;
        let text: usize = docs
            .iter()
            .flat_map(|d| d.get_all(f.body_exact).chain(d.get_all(f.title_exact)))
            .filter_map(|v| v.as_str().map(str::len))
            .sum();
        self.writer.run(docs.into_iter().map(UserOperation::Add))?;
        self.sent += text as u64;
        self.wait_for_queue();
        Ok(())
    }

    /// Waits while more text than the queue limit is waiting for tantivy's
    /// indexing threads. tantivy queues up to 10,000 operations (articles
    /// here, each with several copies of its text), so without this a run
    /// over long articles holds hundreds of MB beyond `--memory`. If the
    /// threads make no progress for a while (flushing a large segment, or
    /// stopped by an error that the commit will report), stops waiting.
    fn wait_for_queue(&self) {
        let mut seen = self.index.analysed.load(Ordering::Relaxed);
        let mut since = Instant::now();
        while self.sent.saturating_sub(seen) > self.queue_limit {
            std::thread::sleep(QUEUE_POLL);
            let now = self.index.analysed.load(Ordering::Relaxed);
            if now != seen {
                seen = now;
                since = Instant::now();
            } else if since.elapsed() > QUEUE_STALL {
                return;
            }
        }
    }

    /// Cuts the staged articles into passages and hands them to tantivy.
    fn write_staged(&mut self, boilerplate: &Boilerplate, spilled: &Spilled) -> Result<()> {
        let Some(mut file) = self.spill.reader().map_err(|e| self.spill_error(e))? else {
            return Ok(());
        };
        let fields = &self.index.fields;
        let (mut articles, mut records) = (spilled.articles, spilled.records);
        let mut rest = spilled.pending.as_slice();
        while !rest.is_empty() {
            let mut n = 0;
            let mut bytes = 0;
            while bytes < WRITE_BATCH_BYTES && n < rest.len() {
                bytes += rest[n].len as usize;
                n += 1;
            }
            let (batch, more) = rest.split_at(n);
            rest = more;
            // A batch's articles lie back to back in the spill, and so do
            // their records at its end: one read for each.
            let mut stored = vec![0u8; bytes];
            let mut meta = vec![0u8; batch.iter().map(|p| p.record as usize).sum()];
            file.seek(SeekFrom::Start(articles))
                .and_then(|_| file.read_exact(&mut stored))
                .and_then(|_| file.seek(SeekFrom::Start(records)))
                .and_then(|_| file.read_exact(&mut meta))
                .map_err(|e| self.spill_error(e))?;
            articles += stored.len() as u64;
            records += meta.len() as u64;
            let mut items: Vec<(Record, &[u8])> = Vec::with_capacity(batch.len());
            let (mut text_rest, mut meta_rest) = (stored.as_slice(), meta.as_slice());
            for p in batch {
                let (one, more) = text_rest.split_at(p.len as usize);
                let (record, meta_more) = meta_rest.split_at(p.record as usize);
                let record = Record::read(record, &spilled.files).ok_or_else(|| {
                    self.spill_error(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "a staged article's record is damaged",
                    ))
                })?;
                items.push((record, one));
                (text_rest, meta_rest) = (more, meta_more);
            }
            let dropped = &self.dropped;
            let dir = &self.spill.dir;
            let built: Vec<Result<(&Record, usize, Vec<TantivyDocument>)>> = items
                .par_iter()
                .filter(|(r, _)| !dropped.contains(&r.akey))
                .map(|(r, stored)| {
                    let article: Article =
                        serde_json::from_slice(stored).map_err(|e| Error::Io {
                            path: dir.clone(),
                            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
                        })?;
                    let stripped = boilerplate.of(r.group, &r.paras);
                    let head = Head {
                        cluster: r.cluster,
                        paras: &r.paras,
                        stripped: &stripped,
                        sig: r.sig,
                        file: r.file,
                    };
                    let docs = build_docs(fields, &article, stored, r.chash, r.akey, &head);
                    Ok((r, stripped.len(), docs))
                })
                .collect();
            for b in built {
                let (r, stripped, docs) = b?;
                self.summary.stripped += stripped as u64;
                self.summary.collapsed += u64::from(r.joined);
                self.summary.passages += docs.len() as u64;
                self.write_article(docs)?;
            }
        }
        Ok(())
    }

    fn spill_error(&self, source: std::io::Error) -> Error {
        Error::Io {
            path: self.spill.dir.clone(),
            source,
        }
    }
}

fn at(path: &Path, line: Option<u64>, message: String) -> Warning {
    Warning {
        path: path.to_path_buf(),
        line,
        message,
    }
}

/// Where an article of this run came from, for naming the first of two
/// with one id.
struct Origin {
    /// `None` for an article given as a value (`add_article`).
    path: Option<Arc<str>>,
    line: Option<u64>,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.path, self.line) {
            (None, _) => f.write_str("an earlier article value"),
            (Some(p), Some(l)) => write!(f, "{p}:{l}"),
            (Some(p), None) => f.write_str(p),
        }
    }
}

/// The warning for a file that cannot be read.
fn cannot_read(e: &std::io::Error) -> String {
    format!("cannot read: {e}; skipped")
}

fn hash_file(path: &Path) -> std::io::Result<u64> {
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

fn read_staged(reader: Option<&mut File>, s: &Staged) -> std::io::Result<Article> {
    let Some(f) = reader else {
        return Err(std::io::Error::other("the spill file is missing"));
    };
    f.seek(SeekFrom::Start(s.offset))?;
    let mut buf = vec![0u8; s.len as usize];
    f.read_exact(&mut buf)?;
    serde_json::from_slice(&buf)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// Reads a text or HTML file. `Ok(None)`: its bytes are as recorded, so it
/// is not parsed. `Err`: it cannot be read.
fn read_single(
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

/// What a head passage records beyond the article itself.
struct Head<'a> {
    cluster: u64,
    paras: &'a [u64],
    stripped: &'a [u64],
    sig: &'a [u8],
    file: Option<&'a FileMeta>,
}

/// Splits passages (boilerplate left out) and builds the tantivy documents
/// of one article.
fn build_docs(
    f: &Fields,
    article: &Article,
    stored: &[u8],
    chash: u64,
    akey: u64,
    head: &Head,
) -> Vec<TantivyDocument> {
    let ranges = boilerplate::passages(&article.text, head.stripped);
    let source_key = article.source.as_deref().map(schema::source_key);
    let day = article.date.map(|d| d.key());
    let mut docs = Vec::with_capacity(ranges.len());
    for (i, r) in ranges.iter().enumerate() {
        let mut doc = TantivyDocument::new();
        doc.add_text(f.id, &article.id);
        doc.add_u64(f.akey, akey);
        doc.add_u64(f.cluster, head.cluster);
        doc.add_u64(f.part, i as u64);
        doc.add_u64(f.start, r.start as u64);
        doc.add_u64(f.end, r.end as u64);
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
            // The title is indexed once, on the head, and scored once per article.
            doc.add_text(f.title, &article.title);
            doc.add_text(f.title_exact, &article.title);
            // The whole text as the passages hold it: boilerplate left out.
            for r in &ranges {
                doc.add_text(f.text, &article.text[r.clone()]);
            }
            doc.add_text(f.is_head, schema::HEAD_MARK);
            doc.add_u64(f.chash, chash);
            doc.add_bytes(f.article, stored);
            for fp in head.paras {
                doc.add_u64(f.paras, *fp);
            }
            for fp in head.stripped {
                doc.add_u64(f.stripped, *fp);
            }
            if !head.sig.is_empty() {
                doc.add_bytes(f.sig, head.sig);
            }
            if let Some(file) = head.file {
                doc.add_text(f.file, &file.key);
                doc.add_u64(f.fstamp, file.stamp);
                doc.add_u64(f.fhash, file.hash);
                doc.add_u64(f.fgen, file.run);
            }
        }
        docs.push(doc);
    }
    docs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staged(file: Option<Arc<FileMeta>>) -> Staged {
        Staged {
            offset: 7,
            len: 11,
            akey: 1,
            chash: 2,
            group: 3,
            paras_at: 0,
            paras_len: 0,
            label: Label::Assign,
            file,
            cluster: u64::MAX,
            joined: true,
        }
    }

    #[test]
    fn records_read_back_as_written() {
        let meta = Arc::new(FileMeta {
            key: "/news/a.jsonl".into(),
            stamp: 4,
            hash: 5,
            run: 6,
        });
        let files = vec![meta.clone()];
        let with = staged(Some(meta));
        let without = staged(None);
        let mut bytes = Vec::new();
        Record::write(&mut bytes, &with, &[10, u64::MAX], &[9; 20], 0);
        let first = bytes.len();
        Record::write(&mut bytes, &without, &[], &[], NO_FILE);

        let r = Record::read(&bytes[..first], &files).expect("a whole record");
        assert_eq!((r.akey, r.chash, r.group, r.cluster), (1, 2, 3, u64::MAX));
        assert!(r.joined);
        assert_eq!(r.paras, [10, u64::MAX]);
        assert_eq!(r.sig, [9; 20]);
        assert_eq!(r.file, Some(files[0].as_ref()));
        let r = Record::read(&bytes[first..], &files).expect("a whole record");
        assert!(r.paras.is_empty() && r.sig.is_empty() && r.file.is_none());

        assert!(
            Record::read(&bytes[..first - 1], &files).is_none(),
            "cut short"
        );
        assert!(Record::read(&bytes[..first], &[]).is_none(), "unknown file");
    }
}
