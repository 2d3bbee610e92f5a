//! The index handle: create or open an index folder, check that it is an
//! hpsearch index of the right format, and answer the questions that read
//! it whole (`article`, `sources`, `stats`). Searching lives in
//! [`crate::search`], writing in [`crate::write`].

pub(crate) mod catalog;
pub(crate) mod columns;
pub(crate) mod facets;
pub(crate) mod schema;
mod stats;
mod verify;

use verify::verify_checksums;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, LazyLock, Mutex, RwLock};
use std::time::SystemTime;

use tantivy::collector::DocSetCollector;
use tantivy::directory::error::OpenReadError;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::analysis;
use crate::error::{Error, Result};
use crate::model::Article;
use crate::thesaurus::Thesaurus;
use schema::{FORMAT_VERSION, Fields};

/// The file that marks a folder as an hpsearch index and records its format.
const MARKER: &str = "hpsearch.json";
/// tantivy's commit point.
const TANTIVY_META: &str = "meta.json";
/// How often opening is retried when a concurrent commit moves the files.
const OPEN_RETRIES: u32 = 20;

/// An open hpsearch index.
///
/// An `Index` is `Send` and `Sync`: open it once and share it (by
/// reference, or in an `Arc`) between threads. Searches, timelines and
/// reads run at the same time from any number of threads, each on the
/// commit that was current when it started; one [`crate::Writer`] at a time
/// adds to it (from any thread, or another process), and its commit is
/// seen by every search that starts after it: each search looks at the
/// commit point (one `stat`) and loads a newer commit before it reads, so a
/// long-lived `Index` never needs reopening. The same holds for thesaurus
/// entries another process gives the index.
///
/// ```no_run
/// let index = hpsearch::Index::open("index")?;
/// let results = index.search(&hpsearch::SearchRequest::new("junior doctors"))?;
/// for hit in &results.hits {
///     println!("{} ({:?})", hit.title, hit.source);
/// }
/// # Ok::<(), hpsearch::Error>(())
/// ```
pub struct Index {
    path: PathBuf,
    pub(crate) inner: tantivy::Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    /// Bytes of text tantivy's indexing threads have analysed.
    pub(crate) analysed: Arc<AtomicU64>,
    /// The built-in thesaurus with the index's own entries, read when a
    /// search first needs it.
    thesaurus: RwLock<Option<Arc<Thesaurus>>>,
    /// What the commit point and the thesaurus file looked like when they
    /// were last loaded.
    seen: Mutex<Seen>,
}

/// The identity of a file's version: a commit point or a thesaurus file is
/// replaced by a rename, so a new version has a new inode, and at least a
/// new modification time elsewhere. `None` for no file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Stamp(Option<(u64, u64, Option<SystemTime>)>);

impl Stamp {
    fn of(path: &Path) -> Stamp {
        Stamp(std::fs::metadata(path).ok().map(|m| {
            #[cfg(unix)]
            let inode = std::os::unix::fs::MetadataExt::ino(&m);
            #[cfg(not(unix))]
            let inode = 0;
            (inode, m.len(), m.modified().ok())
        }))
    }
}

#[derive(Debug, Default)]
struct Seen {
    commit: Stamp,
    synonyms: Stamp,
}

/// The user's thesaurus entries in an index folder (see
/// [`Index::set_synonyms`]).
const SYNONYMS: &str = "synonyms.txt";
/// The name the user gave that file, for messages.
const SYNONYMS_FROM: &str = "synonyms.from";

/// The built-in thesaurus, read once per process.
static BUILT_IN: LazyLock<Arc<Thesaurus>> = LazyLock::new(|| Arc::new(Thesaurus::built_in()));

impl Index {
    /// True when `path` holds an hpsearch index (of any format version).
    pub fn exists(path: impl AsRef<Path>) -> bool {
        let path = path.as_ref();
        path.join(MARKER).is_file() && path.join(TANTIVY_META).is_file()
    }

    /// Opens the index at `path`.
    ///
    /// Every file of every segment is checked against the checksum tantivy
    /// wrote in its footer, so a damaged index is refused here with
    /// [`Error::Corrupted`] rather than failing (or answering wrongly) in the
    /// middle of a search. The check reads each version of each file once
    /// (see `verify_checksums`).
    pub fn open(path: impl AsRef<Path>) -> Result<Index> {
        let path = path.as_ref().to_path_buf();
        // A writer in another process may commit and delete the segment files
        // of the commit we just read (after a merge) while we open them. That
        // is a race, not damage: read the new commit and try again.
        // A damaged index keeps the same commit point, so it fails at once.
        let mut attempts = 0;
        loop {
            let before = read_commit_point(&path);
            match Index::open_once(&path) {
                Err(Error::Corrupted { .. })
                    if attempts < OPEN_RETRIES && read_commit_point(&path) != before =>
                {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => return other,
            }
        }
    }

    fn open_once(path: &Path) -> Result<Index> {
        let path = path.to_path_buf();
        if path.is_file() {
            return Err(Error::NotAFolder(path));
        }
        let marker = path.join(MARKER);
        if !marker.is_file() || !path.join(TANTIVY_META).is_file() {
            if !marker.is_file() && has_visible_files(&path) {
                return Err(Error::NotAnIndex(path));
            }
            // A marker without tantivy's meta.json: creation was cut short
            // before anything was committed. There is nothing to read.
            return Err(Error::NoIndex(path));
        }
        let found = std::fs::read_to_string(&marker)
            .ok()
            .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
            .and_then(|v| v.get("format")?.as_u64())
            .ok_or_else(|| Error::Corrupted {
                path: path.clone(),
                detail: format!("{MARKER} is unreadable"),
            })?;
        if found != u64::from(FORMAT_VERSION) {
            return Err(Error::IncompatibleIndex {
                path,
                found: found as u32,
                expected: FORMAT_VERSION,
            });
        }
        let inner = tantivy::Index::open_in_dir(&path).map_err(|e| Error::Corrupted {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        let fields =
            Fields::from_schema(&inner.schema()).ok_or_else(|| Error::IncompatibleIndex {
                path: path.clone(),
                found: 0,
                expected: FORMAT_VERSION,
            })?;
        verify_checksums(&path, &inner)?;
        Index::ready(path, inner, fields)
    }

    /// Creates an empty index at `path` (the folder may exist if it holds no
    /// visible files) or opens the index already there.
    pub fn open_or_create(path: impl AsRef<Path>) -> Result<Index> {
        let path = path.as_ref().to_path_buf();
        if path.is_file() {
            return Err(Error::NotAFolder(path));
        }
        if Index::exists(&path) {
            return Index::open(path);
        }
        let marked = path.join(MARKER).is_file();
        if !marked && has_visible_files(&path) {
            return Err(Error::NotAnIndex(path));
        }
        std::fs::create_dir_all(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        // The marker goes first, written whole or not at all, so a creation
        // cut short leaves either an empty folder or a marker alone (which
        // `open` reads as no index yet), never tantivy files that look like
        // someone else's folder.
        let marker = serde_json::json!({ "format": FORMAT_VERSION, "engine": "hpsearch" });
        write_atomically(&path.join(MARKER), format!("{marker}\n").as_bytes(), true)?;
        let (schema, fields) = schema::build();
        // Stored articles are most of what a search reads least: zstd keeps
        // them in 30% less space than tantivy's default lz4. A search reads
        // a block for each hit it shows or learns from, a dozen or so, so
        // blocks are small: 4 KB blocks take 14% more space than 16 KB
        // ones, and short queries 16% less time (docs/PERFORMANCE.md).
        let settings = tantivy::IndexSettings {
            docstore_compression: tantivy::store::Compressor::Zstd(
                tantivy::store::ZstdCompressor::default(),
            ),
            docstore_blocksize: 4096,
            ..Default::default()
        };
        let inner = match tantivy::Index::builder()
            .schema(schema)
            .settings(settings)
            .create_in_dir(&path)
        {
            Ok(inner) => inner,
            // Another run created it a moment ago.
            Err(tantivy::TantivyError::IndexAlreadyExists) => return Index::open(path),
            Err(e) => return Err(e.into()),
        };
        Index::ready(path, inner, fields)
    }

    fn ready(path: PathBuf, inner: tantivy::Index, fields: Fields) -> Result<Index> {
        let analysed = analysis::register(&inner);
        let reader = inner
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e: tantivy::TantivyError| Error::Corrupted {
                path: path.clone(),
                detail: e.to_string(),
            })?;
        Ok(Index {
            inner,
            reader,
            fields,
            analysed,
            thesaurus: RwLock::new(None),
            seen: Mutex::new(Seen {
                commit: Stamp::of(&path.join(TANTIVY_META)),
                synonyms: Stamp::default(),
            }),
            path,
        })
    }

    /// A searcher on the latest commit, and the thesaurus entries of the
    /// latest `set_synonyms`, from this process or another: what every
    /// search, timeline and read starts with. Costs two `stat`s when nothing
    /// changed.
    pub(crate) fn searcher(&self) -> Result<Searcher> {
        let commit = Stamp::of(&self.path.join(TANTIVY_META));
        let synonyms = Stamp::of(&self.path.join(SYNONYMS));
        let (stale_commit, stale_synonyms) = match self.seen.lock() {
            Ok(seen) => (seen.commit != commit, seen.synonyms != synonyms),
            Err(_) => (true, true),
        };
        // Stamped before loading: a commit that lands in between is loaded
        // now and again at the next look, never missed.
        if stale_commit {
            self.reload()?;
        }
        if stale_synonyms && let Ok(mut t) = self.thesaurus.write() {
            *t = None;
        }
        if (stale_commit || stale_synonyms)
            && let Ok(mut seen) = self.seen.lock()
        {
            *seen = Seen { commit, synonyms };
        }
        Ok(self.reader.searcher())
    }

    /// The thesaurus searches of this index expand names with: the built-in
    /// one, and the entries given to [`Index::set_synonyms`].
    pub fn thesaurus(&self) -> Result<Arc<Thesaurus>> {
        if let Some(t) = self.thesaurus.read().ok().and_then(|t| t.clone()) {
            return Ok(t);
        }
        let file = self.path.join(SYNONYMS);
        let loaded = match std::fs::read_to_string(&file) {
            Ok(text) => {
                // Named as the user named it when it was given.
                let origin = std::fs::read_to_string(self.path.join(SYNONYMS_FROM))
                    .unwrap_or_else(|_| file.display().to_string());
                let mut t = (**BUILT_IN).clone();
                t.add(&text, origin.trim_end()).map_err(Error::Synonyms)?;
                Arc::new(t)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BUILT_IN.clone(),
            Err(source) => return Err(Error::Io { path: file, source }),
        };
        if let Ok(mut t) = self.thesaurus.write() {
            *t = Some(loaded.clone());
        }
        Ok(loaded)
    }

    /// Makes `text` (a thesaurus file: see [`crate::thesaurus`]) the index's
    /// own entries, beside the built-in ones, in place of any given before;
    /// an empty text removes them. Fails, changing nothing, on a line that
    /// cannot be read (the error names it); `origin` names the file in that
    /// error and in the entries' [`crate::thesaurus::Entry::origin`].
    /// Searches through this `Index` and through any opened afterwards use
    /// the entries.
    pub fn set_synonyms(&self, text: &str, origin: &str) -> Result<usize> {
        let parsed = Thesaurus::parse(text, origin).map_err(Error::Synonyms)?;
        let file = self.path.join(SYNONYMS);
        if parsed.entries().is_empty() {
            // The entries first: without them, their file's name is unused.
            for gone in [file, self.path.join(SYNONYMS_FROM)] {
                match std::fs::remove_file(&gone) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(Error::Io {
                            path: gone,
                            source: e,
                        });
                    }
                    _ => {}
                }
            }
        } else {
            write_atomically(&self.path.join(SYNONYMS_FROM), origin.as_bytes(), true)?;
            write_atomically(&file, text.as_bytes(), true)?;
        }
        // Read again at the next search.
        if let Ok(mut t) = self.thesaurus.write() {
            *t = None;
        }
        Ok(parsed.entries().len())
    }

    /// The folder this index lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Makes searches see the latest commit, including one made by another
    /// process since this index was opened.
    pub fn reload(&self) -> Result<()> {
        if !self.path.join(TANTIVY_META).exists() {
            // The folder went (or was emptied) while this handle was open.
            return Err(Error::NoIndex(self.path.clone()));
        }
        let mut attempts = 0;
        loop {
            match self.reader.reload() {
                // As in `open`: a concurrent writer removed files of a commit
                // that was current a moment ago.
                Err(tantivy::TantivyError::OpenReadError(OpenReadError::FileDoesNotExist(_)))
                    if attempts < OPEN_RETRIES =>
                {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                other => return Ok(other?),
            }
        }
    }

    /// The article with this id, if it is indexed.
    pub fn article(&self, id: &str) -> Result<Option<Article>> {
        self.article_by_key(&self.searcher()?, schema::article_key(id))
    }

    /// The other articles of the story the article with this id belongs
    /// to (its copies: the same report run by other outlets, or printed
    /// again), oldest first; empty for an article with no copies or an id
    /// not indexed.
    pub fn copies(&self, id: &str) -> Result<Vec<crate::OtherCopy>> {
        let searcher = self.searcher()?;
        let Some(addr) = self.doc_of_key(&searcher, schema::article_key(id))? else {
            return Ok(Vec::new());
        };
        let label = |segment: u32| -> Result<tantivy::columnar::Column<u64>> {
            Ok(searcher
                .segment_reader(segment)
                .fast_fields()
                .u64(schema::name::CLUSTER)?)
        };
        let Some(cluster) = label(addr.segment_ord)?.first(addr.doc_id) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            let col = label(ord as u32)?;
            for doc in seg.doc_ids_alive() {
                let here = DocAddress::new(ord as u32, doc);
                if here != addr && col.first(doc) == Some(cluster) {
                    let a = self.load_article(&searcher, here)?;
                    out.push(crate::OtherCopy {
                        id: a.id,
                        source: a.source,
                        date: a.date,
                    });
                }
            }
        }
        out.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
        Ok(out)
    }

    /// Where the document of the article with this key is, if indexed.
    fn doc_of_key(&self, searcher: &Searcher, akey: u64) -> Result<Option<DocAddress>> {
        let query = TermQuery::new(
            Term::from_field_u64(self.fields.akey, akey),
            IndexRecordOption::Basic,
        );
        Ok(searcher.search(&query, &DocSetCollector)?.into_iter().min())
    }

    pub(crate) fn article_by_key(&self, searcher: &Searcher, akey: u64) -> Result<Option<Article>> {
        match self.doc_of_key(searcher, akey)? {
            Some(addr) => self.load_article(searcher, addr).map(Some),
            None => Ok(None),
        }
    }

    /// The article whose document is at `addr`.
    pub(crate) fn load_article(&self, searcher: &Searcher, addr: DocAddress) -> Result<Article> {
        self.load_stored(searcher, addr).map(|(_, a)| a)
    }

    /// The stored bytes of the article whose document is at `addr`, and
    /// the article they hold.
    pub(crate) fn load_stored(
        &self,
        searcher: &Searcher,
        addr: DocAddress,
    ) -> Result<(Vec<u8>, Article)> {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let bytes = doc
            .get_first(self.fields.article)
            .and_then(|v| v.as_bytes())
            .ok_or_else(|| self.corrupted("an article document has no stored article"))?
            .to_vec();
        let article = serde_json::from_slice(&bytes)
            .map_err(|e| self.corrupted(&format!("stored article: {e}")))?;
        Ok((bytes, article))
    }

    pub(crate) fn corrupted(&self, detail: &str) -> Error {
        Error::Corrupted {
            path: self.path.clone(),
            detail: detail.to_string(),
        }
    }
}

fn read_commit_point(path: &Path) -> Option<Vec<u8>> {
    std::fs::read(path.join(TANTIVY_META)).ok()
}

/// Writes `bytes` to a temporary file beside `target` and renames it over
/// `target`, so a reader (or a crash) sees the old content or the new, never
/// half. `durable`: on disk before the rename (what the index cannot do
/// without), rather than a note that may be lost.
fn write_atomically(target: &Path, bytes: &[u8], durable: bool) -> Result<()> {
    // Hidden, so a creation cut short here still leaves a folder that holds
    // no visible files, which `open_or_create` may use; one per process, as
    // two searches may note their checks at once.
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned());
    let tmp = target.with_file_name(format!(
        ".{}.{}.tmp",
        name.unwrap_or_default(),
        std::process::id()
    ));
    let written = (|| {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        if durable {
            f.sync_all()?;
        }
        std::fs::rename(&tmp, target)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.map_err(|source| Error::Io {
        path: target.to_path_buf(),
        source,
    })
}

fn has_visible_files(path: &Path) -> bool {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .any(|e| !e.file_name().to_string_lossy().starts_with('.'))
        })
        .unwrap_or(false)
}
