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
use crate::model::{FacetCount, Facets, IndexStats};

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
