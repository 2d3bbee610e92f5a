//! Whole-index questions: the sources with their article counts, and the
//! counts `stats` reports. Each reads head columns once; nothing here
//! scores.

use tantivy::Searcher;

use super::Index;
use super::catalog;
use super::columns::SourceNames;
use super::facets::FacetCounter;
use super::schema::name;
use crate::error::Result;
use crate::index::schema::source_key;
use crate::model::{FacetCount, Facets, IndexStats, MergedSource};
use std::collections::HashMap;

impl Index {
    /// Every source with its number of articles, most first, then the
    /// articles with no source as one entry marked
    /// [`FacetCount::unknown`] (if there are any): the counts add up to the
    /// number of articles.
    pub fn sources(&self) -> Result<Vec<FacetCount>> {
        let searcher = self.searcher()?;
        let facets = self.article_facets(&searcher)?.1;
        let mut sources = facets.sources;
        if facets.unknown_source > 0 {
            sources.push(FacetCount {
                value: crate::model::UNKNOWN_SOURCE.to_string(),
                count: facets.unknown_source,
                unknown: true,
            });
        }
        Ok(sources)
    }

    /// The source names as given that the outlet table or `--outlet`
    /// merged into another, with the source they were merged into (as
    /// [`Index::sources`] names it) and their number of articles; by source,
    /// then most articles first.
    pub fn merged_sources(&self) -> Result<Vec<MergedSource>> {
        let searcher = self.searcher()?;
        let mut counts: HashMap<(String, String), u64> = HashMap::new();
        for seg in searcher.segment_readers() {
            let ff = seg.fast_fields();
            let (Some(source), Some(given)) = (ff.str(name::SOURCE)?, ff.str(name::SOURCE_GIVEN)?)
            else {
                continue;
            };
            let mut pairs: HashMap<(u64, u64), u64> = HashMap::new();
            for doc in seg.doc_ids_alive() {
                if let (Some(g), Some(s)) =
                    (given.term_ords(doc).next(), source.term_ords(doc).next())
                {
                    *pairs.entry((s, g)).or_default() += 1;
                }
            }
            for ((s, g), n) in pairs {
                let (mut sname, mut gname) = (String::new(), String::new());
                source
                    .ord_to_str(s, &mut sname)
                    .map_err(tantivy::TantivyError::from)?;
                given
                    .ord_to_str(g, &mut gname)
                    .map_err(tantivy::TantivyError::from)?;
                *counts.entry((source_key(&sname), gname)).or_default() += n;
            }
        }
        let shown: HashMap<String, String> = self
            .sources()?
            .into_iter()
            .map(|f| (source_key(&f.value), f.value))
            .collect();
        let mut out: Vec<MergedSource> = counts
            .into_iter()
            .map(|((key, given), count)| MergedSource {
                source: shown.get(&key).cloned().unwrap_or(key),
                given,
                count,
            })
            .collect();
        out.sort_by(|a, b| {
            (&a.source, std::cmp::Reverse(a.count), &a.given).cmp(&(
                &b.source,
                std::cmp::Reverse(b.count),
                &b.given,
            ))
        });
        Ok(out)
    }

    /// Counts of what the index holds.
    pub fn stats(&self) -> Result<IndexStats> {
        let searcher = self.searcher()?;
        let (articles, facets) = self.article_facets(&searcher)?;
        let (first_date, last_date) = self.date_range(&searcher)?;
        let size_bytes = walkdir::WalkDir::new(&self.path)
            .into_iter()
            .filter_map(|e| e.ok())
            .filter_map(|e| e.metadata().ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
            .sum();
        let totals = catalog::totals(&searcher)?;
        let last_run = self
            .inner
            .load_metas()?
            .payload
            .and_then(|p| serde_json::from_str(&p).ok());
        Ok(IndexStats {
            path: self.path.clone(),
            articles,
            passages: passage_count(&searcher)?,
            sources: facets.sources.len() as u64,
            undated: facets.undated,
            first_date,
            last_date,
            size_bytes,
            segments: searcher.segment_readers().len(),
            deleted_documents: searcher
                .segment_readers()
                .iter()
                .map(|s| u64::from(s.num_deleted_docs()))
                .sum(),
            files: totals.files,
            duplicates: totals.duplicates,
            duplicate_groups: totals.duplicate_groups,
            boilerplate: totals.boilerplate,
            stripped: totals.stripped,
            kept_out: totals.kept_out,
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
            let day = seg.fast_fields().i64(name::DAY)?;
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

    /// The number of articles, and the facets of their sources and dates
    /// (each article counted once, by its head).
    fn article_facets(&self, searcher: &tantivy::Searcher) -> Result<(u64, Facets)> {
        let mut counter = FacetCounter::default();
        for (segment, seg) in searcher.segment_readers().iter().enumerate() {
            let chash = seg.fast_fields().u64(name::CHASH)?;
            let day = seg.fast_fields().i64(name::DAY)?;
            let source = seg.fast_fields().str(name::SOURCE)?;
            for doc in seg.doc_ids_alive() {
                if chash.first(doc).is_none() {
                    continue;
                }
                let ord = source.as_ref().and_then(|c| c.term_ords(doc).next());
                let key = ord.and_then(|o| Some((segment as u32, u32::try_from(o).ok()?)));
                counter.add(key, day.first(doc));
            }
        }
        let mut names = SourceNames::new(searcher);
        Ok((counter.total(), counter.finish(|keys| names.names(keys))))
    }
}

/// The number of passages of every article, from the `passages` column.
fn passage_count(searcher: &Searcher) -> Result<u64> {
    let mut n = 0;
    for seg in searcher.segment_readers() {
        let col = seg.fast_fields().u64(name::PASSAGES)?;
        for doc in seg.doc_ids_alive() {
            n += col.values_for_doc(doc).count() as u64;
        }
    }
    Ok(n)
}
