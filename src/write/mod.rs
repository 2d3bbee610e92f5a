//! Writing: files and articles into the index.
//!
//! A run has two phases.
//!
//! 1. While paths and articles are added ([`files`]), files whose size and
//!    modification time are as recorded in the index are passed over unread.
//!    The others are read, hashed and (when their bytes changed) parsed by
//!    rayon in parallel. Each new or changed article is staged here and
//!    written to a temporary spill file beside the index ([`spill`]); deletions (an old version, an article gone from
//!    its file, a pruned file, a removed id) go to tantivy at once.
//! 2. [`Writer::commit`] ([`commit`]) first settles the run ([`settle`]):
//!    with the whole run known, each new article gets its near-duplicate
//!    cluster ([`crate::write::neardup`]), boilerplate is counted over the
//!    collection ([`crate::write::boilerplate`]), and earlier articles whose
//!    boilerplate changed are rebuilt from their stored copy. Then the
//!    spilled articles are cut into passages and made into one tantivy
//!    document each ([`document`]), handed over in parallel batches, and
//!    everything is published in one atomic commit, with the run's summary
//!    as the commit's payload.
//!
//! An [`Observer`] ([`observer`]) hears each phase, its progress and the
//! warnings, and may cancel the run.
//!
//! Nothing is visible to searches until the commit. If the process dies
//! before, the index is as it was.

pub(crate) mod boilerplate;
mod chunked;
mod commit;
mod document;
mod files;
mod merges;
pub(crate) mod neardup;
mod observer;
pub mod passage;
mod settle;
mod spill;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tantivy::indexer::{IndexWriterOptions, NoMergePolicy};
use tantivy::{IndexWriter, Searcher, Term};

use crate::error::{Error, Result};
use crate::index::Index;
use crate::index::catalog::{Catalog, FileMeta, FileState};
use crate::index::schema::{self, KeyMap, KeySet};
use crate::ingest::{self, Format, IngestOptions, InputFile};
use crate::model::{Article, IndexSummary, Warning};
use chunked::Chunked;
use files::{Origin, at};
use neardup::Signature;
use observer::Forward;
pub use observer::{Observer, Phase, Quiet};
use spill::{Signatures, Spill};

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

/// What happened to one article handed to [`Writer::add_article`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It was not indexed before.
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
    fn new(mut article: Article) -> Parsed {
        // An id is fixed when the article is written: from its content as
        // it is now, unless one was given.
        if article.id.trim().is_empty() {
            article.id = article.content_id();
        }
        let stored = serde_json::to_vec(&article).expect("an article always serialises");
        let chash = xxhash_rust::xxh3::xxh3_64(&stored);
        // Paragraphs found once, for both.
        let paragraphs = boilerplate::paragraphs(&article.text);
        let paras = boilerplate::fingerprints_of(&paragraphs);
        let sig = neardup::signature_of(&article.text, &paragraphs, |_| true);
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
    /// recorded them and read under the same options (nothing to parse).
    fn same_bytes(&mut self, hash: u64) -> bool {
        self.meta.hash = hash;
        self.state
            .as_ref()
            .is_some_and(|s| s.hash == hash && s.options == self.meta.options)
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

/// The write side of an index. Only one may exist per index at a time, across
/// processes; a second gets [`Error::Busy`].
pub struct Writer<'a> {
    index: &'a Index,
    writer: IndexWriter,
    /// The index as it was when the writer opened.
    searcher: Searcher,
    /// What the index held when the writer opened: read on a thread of its
    /// own (`reading`) until [`Writer::catalog_read`].
    catalog: Catalog,
    reading: Option<std::thread::JoinHandle<Result<Catalog>>>,
    /// This run's number, recorded on the articles it writes.
    run: u64,
    /// Article keys added or kept in this run, with where they came from.
    seen: KeyMap<Origin>,
    /// The paths the origins name, by number.
    paths: Vec<Box<str>>,
    /// Indexed articles deleted in this run (replaced or removed).
    deleted: KeySet,
    /// Articles staged in this run and then removed by id.
    dropped: KeySet,
    /// Files already handled in this run, by key.
    files_done: HashSet<String>,
    /// The folders met (as given) with their canonical paths, the last one
    /// met last.
    folders: Vec<(PathBuf, PathBuf)>,
    staged: Chunked<Staged>,
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
            let tantivy_options = IndexWriterOptions::builder()
                .num_worker_threads(threads)
                .memory_budget_per_thread(per_thread)
                .num_merge_threads(1)
                .build();
            match self.inner.writer_with_options(tantivy_options) {
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
        // Segments merge after the run's documents are written (see
        // `merges`).
        writer.set_merge_policy(Box::new(NoMergePolicy));
        // With the lock held (perhaps after waiting for another run), the
        // latest commit is the one to build on.
        self.reload()?;
        let searcher = self.reader.searcher();
        // What the index holds is read while the run finds its files.
        let reading = {
            let searcher = searcher.clone();
            std::thread::spawn(move || Catalog::read(&searcher))
        };
        Ok(Writer {
            index: self,
            writer,
            run: 0,
            searcher,
            catalog: Catalog::default(),
            reading: Some(reading),
            seen: KeyMap::default(),
            paths: Vec::new(),
            deleted: KeySet::default(),
            dropped: KeySet::default(),
            files_done: HashSet::new(),
            folders: Vec::new(),
            staged: Chunked::default(),
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

/// Fails when a `--map` pair names a column or key that none of the CSV
/// and JSONL files about to be read has: a misspelt column would otherwise
/// leave its field to the usual names without a word.
fn check_columns(runs: &[FileRun], options: &IngestOptions) -> Result<()> {
    if options.columns.is_empty() || runs.is_empty() {
        return Ok(());
    }
    let mut found: Vec<String> = Vec::new();
    for run in runs {
        // A file that cannot be read is reported when it is read.
        for n in ingest::names_in(&run.path, run.format).unwrap_or_default() {
            if !found.contains(&n) {
                found.push(n);
            }
        }
    }
    let known: HashSet<String> = found.iter().map(|n| ingest::fields::normalise(n)).collect();
    match options
        .columns
        .iter()
        .find(|(_, column)| !known.contains(&ingest::fields::normalise(column)))
    {
        Some((field, column)) => Err(Error::UnknownColumn {
            field: field.clone(),
            column: column.clone(),
            found,
        }),
        None => Ok(()),
    }
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
        let forward = Forward::new(observer);
        let observer: &dyn Observer = &forward;
        let found = ingest::discover(paths)?;
        self.catalog_read()?;
        if observer.cancelled() {
            return Err(Error::Cancelled);
        }
        for w in &found.warnings {
            self.warn(observer, w.clone());
        }
        for (ext, n) in &found.ignored {
            self.summary.ignored_files += n;
            *self.summary.ignored_types.entry(ext.clone()).or_default() += n;
        }
        self.summary
            .notes
            .extend(found.notes.iter().map(|p| p.display().to_string()));
        let total: u64 = found.files.iter().map(|f| f.size).sum();
        let done = AtomicU64::new(0);
        observer.phase(Phase::Reading, total);
        observer.progress(0, total);
        // The options' hash depends on the kind of format only.
        let fingerprints = [
            options.fingerprint(Format::Text),
            options.fingerprint(Format::Jsonl),
        ];
        let mut singles: Vec<FileRun> = Vec::new();
        let mut multis: Vec<FileRun> = Vec::new();
        for file in found.files {
            let key = self.file_key(&file.path);
            if !self.files_done.insert(key.clone()) {
                done.fetch_add(file.size, Ordering::Relaxed);
                continue;
            }
            let stamp = stamp(file.size, file.modified);
            let fingerprint = fingerprints[usize::from(!file.format.single_article())];
            // Taken out: a file met in this run is not one `prune` removes.
            let state = self.catalog.files.remove(&key);
            if let Some(s) = &state {
                if s.options != fingerprint {
                    self.summary.options_changed_files += 1;
                } else if s.stamp == stamp {
                    self.keep_file(&file.path, s, false);
                    done.fetch_add(file.size, Ordering::Relaxed);
                    continue;
                }
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
                    options: fingerprint,
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
        check_columns(&multis, options)?;

        // Text and HTML files: one article each, read in parallel batches.
        let mut batch: Vec<FileRun> = Vec::new();
        let mut batch_bytes = 0usize;
        for run in singles {
            batch_bytes += run.size as usize;
            batch.push(run);
            if batch_bytes >= BATCH_BYTES || batch.len() >= 512 {
                if observer.cancelled() {
                    return Err(Error::Cancelled);
                }
                self.single_batch(std::mem::take(&mut batch), options, observer, &done, total)?;
                batch_bytes = 0;
            }
        }
        if !batch.is_empty() {
            self.single_batch(batch, options, observer, &done, total)?;
        }
        for run in multis {
            if observer.cancelled() {
                return Err(Error::Cancelled);
            }
            match run.format {
                Format::Jsonl => self.jsonl_file(run, options, observer, &done, total)?,
                Format::Csv { tsv } => self.csv_file(run, tsv, options, observer, &done, total)?,
                _ => unreachable!("single-article formats are batched"),
            }
        }
        Ok(())
    }

    /// Indexes one article value (for embedders with their own data). An
    /// article with no id gets one from its title and text as they are now
    /// ([`Article::content_id`]).
    pub fn add_article(&mut self, article: Article) -> Result<Outcome> {
        self.catalog_read()?;
        self.stage(Parsed::new(article), None, &Quiet)
    }

    fn stage(
        &mut self,
        p: Parsed,
        mut run: Option<&mut FileRun>,
        observer: &dyn Observer,
    ) -> Result<Outcome> {
        if let Some(&first) = self.seen.get(&p.akey) {
            let message = format!(
                "id {:?} already added from {}; this copy is skipped",
                p.article.id,
                self.describe(first)
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

    /// The mark of an article removed from `file`: its key and the file's
    /// state, so the file read again unchanged leaves it out.
    fn removal_mark(&self, akey: u64, file: &FileMeta) -> tantivy::TantivyDocument {
        let f = &self.index.fields;
        let mut doc = tantivy::TantivyDocument::new();
        doc.add_u64(f.gone, akey);
        doc.add_text(f.file, &file.key);
        doc.add_u64(f.fstamp, file.stamp);
        doc.add_u64(f.fhash, file.hash);
        doc.add_u64(f.fgen, file.run);
        doc.add_u64(f.fopts, file.options);
        doc
    }

    /// Deletes the marks of articles removed from a file that changed or
    /// went: they no longer describe it.
    fn forget_removals(&mut self, state: &FileState) {
        for akey in &state.removed {
            self.writer
                .delete_term(Term::from_field_u64(self.index.fields.gone, *akey));
        }
    }

    fn delete(&mut self, akey: u64) {
        self.writer
            .delete_term(Term::from_field_u64(self.index.fields.akey, akey));
        self.deleted.insert(akey);
    }

    /// Removes the article with this id. `false` if no such article is
    /// indexed. An article read from a file stays removed while that file is
    /// unchanged: indexing the file again leaves it out, until the file
    /// changes.
    pub fn remove(&mut self, id: &str) -> Result<bool> {
        self.catalog_read()?;
        let akey = schema::article_key(id);
        if let Some(e) = self.catalog.articles.get(&akey)
            && !self.deleted.contains(&akey)
        {
            let mark = e.file.as_ref().map(|file| self.removal_mark(akey, file));
            self.delete(akey);
            if let Some(doc) = mark {
                self.writer.add_document(doc)?;
            }
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
        self.catalog_read()?;
        let roots: Vec<PathBuf> = roots
            .iter()
            .map(|r| {
                std::fs::canonicalize(r)
                    .or_else(|_| std::path::absolute(r))
                    .unwrap_or_else(|_| r.clone())
            })
            .collect();
        let mut gone: Vec<u64> = Vec::new();
        let mut went: Vec<FileState> = Vec::new();
        for (key, state) in &self.catalog.files {
            let path = Path::new(key);
            if roots.iter().any(|r| path.starts_with(r)) && !path.exists() {
                gone.extend(&state.akeys);
                went.push(state.clone());
            }
        }
        for state in &went {
            self.forget_removals(state);
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

    /// Waits for the catalog, and numbers the run after the runs it records.
    pub(super) fn catalog_read(&mut self) -> Result<()> {
        if let Some(reading) = self.reading.take() {
            self.catalog = reading
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            self.run = self.catalog.max_run + 1;
        }
        Ok(())
    }

    fn warn(&mut self, observer: &dyn Observer, warning: Warning) {
        self.summary.warnings += 1;
        observer.warning(&warning);
    }
}
