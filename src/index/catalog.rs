//! What an index already holds, read from the fast fields of its head
//! passages: per article, its content hash and where it came from; per file,
//! the state it was in when last read (the head written last for that file
//! holds it). [`Catalog::read`] is cheap and runs whenever a writer opens;
//! the larger [`Details`] (paragraph fingerprints, signatures, clusters) are
//! read only when a run changes something.

use std::collections::HashMap;

use tantivy::columnar::{BytesColumn, Column, StrColumn};
use tantivy::{DocAddress, Searcher};

use super::columns::{strings_by_ord, terms_by_ord};
use super::schema::name;
use super::schema::source_group;
use crate::error::Result;

/// One indexed article, as the writer needs to know it.
#[derive(Clone, Debug)]
pub(crate) struct Existing {
    pub chash: u64,
    /// Where its document is, in the catalog's searcher.
    pub addr: DocAddress,
    /// The file it came from: its key, and the file's state when read.
    pub file: Option<FileMeta>,
}

/// A file as read by some run: its key (absolute path), a hash of its size
/// and modification time, a hash of its bytes, the run's number, and a hash
/// of the options it was read with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FileMeta {
    pub key: String,
    pub stamp: u64,
    pub hash: u64,
    pub run: u64,
    pub options: u64,
}

/// Every file with indexed articles: its last-read state and its articles.
#[derive(Clone, Debug)]
pub(crate) struct FileState {
    pub stamp: u64,
    pub hash: u64,
    pub run: u64,
    pub options: u64,
    pub akeys: Vec<u64>,
    /// Its articles removed with `rm`, left out while it is unchanged.
    pub removed: Vec<u64>,
}

#[derive(Debug, Default)]
pub(crate) struct Catalog {
    pub articles: HashMap<u64, Existing>,
    pub files: HashMap<String, FileState>,
    /// The highest run number recorded.
    pub max_run: u64,
}

/// The per-article data that boilerplate and near-duplicate decisions need.
#[derive(Clone, Debug)]
pub(crate) struct Detail {
    pub group: u64,
    pub cluster: u64,
    pub paras: Vec<u64>,
    pub stripped: Vec<u64>,
    /// The MinHash signature as stored (see `write::neardup`).
    pub sig: Vec<u8>,
}

pub(crate) type Details = HashMap<u64, Detail>;

/// The columns of one segment that the readers below use.
struct Columns {
    akey: Column<u64>,
    gone: Column<u64>,
    chash: Column<u64>,
    file: Option<StrColumn>,
    fstamp: Column<u64>,
    fhash: Column<u64>,
    fgen: Column<u64>,
    fopts: Column<u64>,
}

impl Catalog {
    pub fn read(searcher: &Searcher) -> Result<Catalog> {
        let mut out = Catalog::default();
        for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            let ff = seg.fast_fields();
            let c = Columns {
                akey: ff.u64(name::AKEY)?,
                gone: ff.u64(name::GONE)?,
                chash: ff.u64(name::CHASH)?,
                file: ff.str(name::FILE)?,
                fstamp: ff.u64(name::FSTAMP)?,
                fhash: ff.u64(name::FHASH)?,
                fgen: ff.u64(name::FGEN)?,
                fopts: ff.u64(name::FOPTS)?,
            };
            let names = match &c.file {
                Some(col) => strings_by_ord(col)?,
                None => Vec::new(),
            };
            for doc in seg.doc_ids_alive() {
                // An article, or the mark of one removed with `rm`.
                let gone = c.gone.first(doc);
                let (akey, chash) = match (c.akey.first(doc), c.chash.first(doc), gone) {
                    (Some(akey), Some(chash), _) => (akey, chash),
                    (_, _, Some(akey)) => (akey, 0),
                    _ => continue,
                };
                let file = c
                    .file
                    .as_ref()
                    .and_then(|f| f.term_ords(doc).next())
                    .and_then(|ord| names.get(ord as usize))
                    .map(|key| FileMeta {
                        key: key.clone(),
                        stamp: c.fstamp.first(doc).unwrap_or(0),
                        hash: c.fhash.first(doc).unwrap_or(0),
                        run: c.fgen.first(doc).unwrap_or(0),
                        options: c.fopts.first(doc).unwrap_or(0),
                    });
                if let Some(f) = &file {
                    out.max_run = out.max_run.max(f.run);
                    let state = out.files.entry(f.key.clone()).or_insert(FileState {
                        stamp: f.stamp,
                        hash: f.hash,
                        run: f.run,
                        options: f.options,
                        akeys: Vec::new(),
                        removed: Vec::new(),
                    });
                    if f.run > state.run {
                        (state.stamp, state.hash, state.run, state.options) =
                            (f.stamp, f.hash, f.run, f.options);
                    }
                    match gone {
                        Some(_) => state.removed.push(akey),
                        None => state.akeys.push(akey),
                    }
                }
                if gone.is_some() {
                    continue;
                }
                out.articles.insert(
                    akey,
                    Existing {
                        chash,
                        addr: DocAddress::new(ord as u32, doc),
                        file,
                    },
                );
            }
        }
        // A mark whose article came back (its file changed) is moot.
        for state in out.files.values_mut() {
            state.removed.retain(|k| !out.articles.contains_key(k));
        }
        Ok(out)
    }
}

/// Reads the [`Detail`] of every article.
pub(crate) fn details(searcher: &Searcher) -> Result<Details> {
    let mut out = HashMap::new();
    for seg in searcher.segment_readers() {
        let ff = seg.fast_fields();
        let akey = ff.u64(name::AKEY)?;
        let chash = ff.u64(name::CHASH)?;
        let cluster = ff.u64(name::CLUSTER)?;
        let paras = ff.u64(name::PARAS)?;
        let stripped = ff.u64(name::STRIPPED)?;
        let sig: Option<BytesColumn> = ff.bytes(name::SIG)?;
        let source = ff.str(name::SOURCE)?;
        let mut groups: HashMap<u64, u64> = HashMap::new();
        let sigs = match &sig {
            Some(col) => terms_by_ord(col)?,
            None => Vec::new(),
        };
        for doc in seg.doc_ids_alive() {
            let (Some(k), Some(_)) = (akey.first(doc), chash.first(doc)) else {
                continue;
            };
            let group = match source.as_ref().and_then(|c| c.term_ords(doc).next()) {
                Some(ord) => match groups.get(&ord) {
                    Some(g) => *g,
                    None => {
                        let mut s = String::new();
                        if let Some(col) = &source {
                            col.ord_to_str(ord, &mut s)
                                .map_err(tantivy::TantivyError::from)?;
                        }
                        let g = source_group(Some(&s));
                        groups.insert(ord, g);
                        g
                    }
                },
                None => source_group(None),
            };
            let signature = sig
                .as_ref()
                .and_then(|c| c.term_ords(doc).next())
                .and_then(|ord| sigs.get(ord as usize))
                .cloned()
                .unwrap_or_default();
            let mut p: Vec<u64> = paras.values_for_doc(doc).collect();
            p.sort_unstable();
            let mut s: Vec<u64> = stripped.values_for_doc(doc).collect();
            s.sort_unstable();
            out.insert(
                k,
                Detail {
                    group,
                    cluster: cluster.first(doc).unwrap_or(k),
                    paras: p,
                    stripped: s,
                    sig: signature,
                },
            );
        }
    }
    Ok(out)
}

/// Whole-index counts for `stats`.
#[derive(Debug, Default)]
pub(crate) struct Totals {
    pub files: u64,
    pub duplicates: u64,
    pub duplicate_groups: u64,
    pub boilerplate: u64,
    pub stripped: u64,
    /// Articles removed with `rm` and left out while their files are
    /// unchanged.
    pub kept_out: u64,
}

/// Counts files, near-duplicate copies and boilerplate over every article.
pub(crate) fn totals(searcher: &Searcher) -> Result<Totals> {
    let details = details(searcher)?;
    let mut files = std::collections::HashSet::new();
    let mut marks = std::collections::HashSet::new();
    for seg in searcher.segment_readers() {
        let ff = seg.fast_fields();
        let gone = ff.u64(name::GONE)?;
        // The marks of removed articles; one whose article came back (its
        // file changed) is moot.
        marks.extend(
            seg.doc_ids_alive()
                .filter_map(|doc| gone.first(doc))
                .filter(|k| !details.contains_key(k)),
        );
        let chash = ff.u64(name::CHASH)?;
        if let Some(col) = ff.str(name::FILE)? {
            let names = strings_by_ord(&col)?;
            for doc in seg.doc_ids_alive() {
                if chash.first(doc).is_none() {
                    continue;
                }
                if let Some(name) = col
                    .term_ords(doc)
                    .next()
                    .and_then(|o| names.get(o as usize))
                {
                    files.insert(name.clone());
                }
            }
        }
    }
    let mut clusters: HashMap<u64, u64> = HashMap::new();
    let mut boilerplate = std::collections::HashSet::new();
    let mut stripped = 0;
    for d in details.values() {
        *clusters.entry(d.cluster).or_default() += 1;
        stripped += d.stripped.len() as u64;
        for fp in &d.stripped {
            boilerplate.insert((d.group, *fp));
        }
    }
    Ok(Totals {
        kept_out: marks.len() as u64,
        files: files.len() as u64,
        duplicates: clusters.values().map(|n| n - 1).sum(),
        duplicate_groups: clusters.values().filter(|n| **n > 1).count() as u64,
        boilerplate: boilerplate.len() as u64,
        stripped,
    })
}
