//! Collapsing: copies of one story shown as one hit.
//!
//! Every passage carries its article's near-duplicate cluster label (given
//! at index time, see [`crate::neardup`]). Articles arrive here in result
//! order; the first article of each label becomes the hit and the later
//! ones are listed under it as [`OtherCopy`]s. Counts and facets are taken
//! before this step, so they include every copy.

use tantivy::Searcher;
use tantivy::columnar::Column;

use crate::collect::ArticleAgg;
use crate::error::Result;
use crate::model::OtherCopy;

/// A hit-to-be and the copies folded into it, as positions in the list of
/// matching articles.
pub(crate) struct Group {
    pub score: f32,
    pub at: u32,
    pub copies: Vec<u32>,
}

/// Groups ranked articles (`(score, position in found)`, best first) by
/// cluster, keeping their order; with `collapse` off, each article is a
/// group of its own.
pub(crate) fn group(
    searcher: &Searcher,
    ranked: &[(f32, u32)],
    found: &[ArticleAgg],
    collapse: bool,
) -> Result<Vec<Group>> {
    if !collapse {
        return Ok(ranked
            .iter()
            .map(|&(score, at)| Group {
                score,
                at,
                copies: Vec::new(),
            })
            .collect());
    }
    let mut columns: Vec<Option<Column<u64>>> = vec![None; searcher.segment_readers().len()];
    let mut first_of: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    let mut groups: Vec<Group> = Vec::new();
    for &(score, at) in ranked {
        let agg = &found[at as usize];
        let label = match agg.passages.first() {
            Some((_, addr)) => {
                let slot = &mut columns[addr.segment_ord as usize];
                if slot.is_none() {
                    *slot = Some(
                        searcher
                            .segment_reader(addr.segment_ord)
                            .fast_fields()
                            .u64("cluster")?,
                    );
                }
                slot.as_ref().and_then(|c| c.first(addr.doc_id))
            }
            None => None,
        };
        match label.and_then(|l| first_of.get(&l)) {
            Some(&g) => groups[g].copies.push(at),
            None => {
                if let Some(l) = label {
                    first_of.insert(l, groups.len());
                }
                groups.push(Group {
                    score,
                    at,
                    copies: Vec::new(),
                });
            }
        }
    }
    Ok(groups)
}

/// The copies of a hit as they are shown: id, source and date, read from
/// fast fields without loading the stored articles.
pub(crate) fn others<'a>(
    searcher: &Searcher,
    copies: impl Iterator<Item = &'a ArticleAgg>,
) -> Result<Vec<OtherCopy>> {
    copies
        .map(|agg| {
            Ok(OtherCopy {
                id: article_id(searcher, agg)?,
                source: agg.source.as_deref().map(str::to_string),
                date: agg.day.and_then(crate::Date::from_key),
            })
        })
        .collect()
}

/// An article's id, from the id column of one of its passages.
pub(crate) fn article_id(searcher: &Searcher, agg: &ArticleAgg) -> Result<String> {
    let mut id = String::new();
    if let Some((_, addr)) = agg.passages.first()
        && let Some(col) = searcher
            .segment_reader(addr.segment_ord)
            .fast_fields()
            .str("id")?
        && let Some(ord) = col.term_ords(addr.doc_id).next()
    {
        col.ord_to_str(ord, &mut id)
            .map_err(tantivy::TantivyError::from)?;
    }
    Ok(id)
}
