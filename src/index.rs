//! The index handle: create or open an index folder, check that it is an
//! hpsearch index of the right format, and answer the questions that read
//! it whole (`article`, `sources`, `stats`). Searching lives in
//! [`crate::search`], writing in [`crate::indexer`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::analysis;
use crate::error::{Error, Result};
use crate::facets::FacetCounter;
use crate::model::{Article, FacetCount, IndexStats, SearchRequest, SearchResults};
use crate::schema::{self, FORMAT_VERSION, Fields};

/// The file that marks a folder as an hpsearch index and records its format.
const MARKER: &str = "hpsearch.json";

/// An open hpsearch index.
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
}

impl Index {
    /// True when `path` holds an hpsearch index (of any format version).
    pub fn exists(path: impl AsRef<Path>) -> bool {
        path.as_ref().join(MARKER).is_file()
    }

    /// Opens the index at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Index> {
        let path = path.as_ref().to_path_buf();
        let marker = path.join(MARKER);
        if !marker.is_file() {
            if has_visible_files(&path) {
                return Err(Error::NotAnIndex(path));
            }
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
        Index::ready(path, inner, fields)
    }

    /// Creates an empty index at `path` (the folder may exist if it holds no
    /// visible files) or opens the index already there.
    pub fn open_or_create(path: impl AsRef<Path>) -> Result<Index> {
        let path = path.as_ref().to_path_buf();
        if Index::exists(&path) {
            return Index::open(path);
        }
        if has_visible_files(&path) {
            return Err(Error::NotAnIndex(path));
        }
        std::fs::create_dir_all(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let (schema, fields) = schema::build();
        let inner = tantivy::Index::create_in_dir(&path, schema)?;
        let marker = serde_json::json!({ "format": FORMAT_VERSION, "engine": "hpsearch" });
        std::fs::write(path.join(MARKER), format!("{marker}\n")).map_err(|source| Error::Io {
            path: path.join(MARKER),
            source,
        })?;
        Index::ready(path, inner, fields)
    }

    fn ready(path: PathBuf, inner: tantivy::Index, fields: Fields) -> Result<Index> {
        analysis::register(&inner);
        let reader = inner
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e: tantivy::TantivyError| Error::Corrupted {
                path: path.clone(),
                detail: e.to_string(),
            })?;
        Ok(Index {
            path,
            inner,
            reader,
            fields,
        })
    }

    /// The folder this index lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Makes searches see the latest commit, including one made by another
    /// process since this index was opened.
    pub fn reload(&self) -> Result<()> {
        Ok(self.reader.reload()?)
    }

    /// Runs a search. See [`SearchRequest`] for what can be asked.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        crate::search::run(self, request)
    }

    /// The article with this id, if it is indexed.
    pub fn article(&self, id: &str) -> Result<Option<Article>> {
        self.article_by_key(&self.reader.searcher(), schema::article_key(id))
    }

    pub(crate) fn article_by_key(&self, searcher: &Searcher, akey: u64) -> Result<Option<Article>> {
        let query = TermQuery::new(
            Term::from_field_u64(self.fields.head, akey),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        match top.first() {
            Some((_, addr)) => self.load_article(searcher, *addr).map(Some),
            None => Ok(None),
        }
    }

    fn load_article(&self, searcher: &Searcher, addr: DocAddress) -> Result<Article> {
        self.load_stored(searcher, addr).map(|(_, a)| a)
    }

    /// The stored bytes of the article whose head passage is at `addr`, and
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
            .ok_or_else(|| self.corrupted("a head passage has no stored article"))?
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

    /// Every source with its number of articles, most first.
    pub fn sources(&self) -> Result<Vec<FacetCount>> {
        Ok(self.count_articles()?.finish().sources)
    }

    /// Counts of what the index holds.
    pub fn stats(&self) -> Result<IndexStats> {
        let searcher = self.reader.searcher();
        let counter = self.count_articles()?;
        let articles = counter.total();
        let facets = counter.finish();
        let (first_date, last_date) = self.date_range(&searcher)?;
        let size_bytes = walkdir::WalkDir::new(&self.path)
            .into_iter()
            .filter_map(|e| e.ok())
            .filter_map(|e| e.metadata().ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
            .sum();
        let totals = crate::catalog::totals(&searcher)?;
        let last_run = self
            .inner
            .load_metas()?
            .payload
            .and_then(|p| serde_json::from_str(&p).ok());
        Ok(IndexStats {
            path: self.path.clone(),
            articles,
            passages: searcher.num_docs(),
            sources: facets.sources.len() as u64,
            undated: facets.undated,
            first_date,
            last_date,
            size_bytes,
            segments: searcher.segment_readers().len(),
            files: totals.files,
            duplicates: totals.duplicates,
            duplicate_groups: totals.duplicate_groups,
            boilerplate: totals.boilerplate,
            stripped: totals.stripped,
            last_run,
        })
    }

    fn date_range(
        &self,
        searcher: &Searcher,
    ) -> Result<(Option<crate::Date>, Option<crate::Date>)> {
        let mut lo: Option<i64> = None;
        let mut hi: Option<i64> = None;
        for seg in searcher.segment_readers() {
            let day = seg.fast_fields().i64("day")?;
            if day.num_docs() == 0 {
                continue;
            }
            for doc in seg.doc_ids_alive() {
                if let Some(d) = day.first(doc) {
                    lo = Some(lo.map_or(d, |l| l.min(d)));
                    hi = Some(hi.map_or(d, |h| h.max(d)));
                }
            }
        }
        Ok((
            lo.and_then(crate::Date::from_key),
            hi.and_then(crate::Date::from_key),
        ))
    }

    /// Source and date of every article, counted once each (heads only).
    fn count_articles(&self) -> Result<FacetCounter> {
        let searcher = self.reader.searcher();
        let mut counter = FacetCounter::default();
        for seg in searcher.segment_readers() {
            let chash = seg.fast_fields().u64("chash")?;
            let day = seg.fast_fields().i64("day")?;
            let source = seg.fast_fields().str("source")?;
            let mut names: HashMap<u64, String> = HashMap::new();
            for doc in seg.doc_ids_alive() {
                if chash.first(doc).is_none() {
                    continue;
                }
                let name = match &source {
                    Some(col) => match col.term_ords(doc).next() {
                        Some(ord) => {
                            if let std::collections::hash_map::Entry::Vacant(e) = names.entry(ord) {
                                let mut s = String::new();
                                col.ord_to_str(ord, &mut s)
                                    .map_err(tantivy::TantivyError::from)?;
                                e.insert(s);
                            }
                            names.get(&ord).map(String::as_str)
                        }
                        None => None,
                    },
                    None => None,
                };
                counter.add(name, day.first(doc));
            }
        }
        Ok(counter)
    }
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
