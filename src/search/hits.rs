//! The page: each hit's article read from the store, its best passages
//! (found by [`super::evidence`]) sliced from the stored text by their byte
//! ranges, and highlighted; the ids of copies read from the id column in
//! one batch per segment.

use std::collections::BTreeMap;

use super::collapse::{Group, other};
use super::collect::ArticleAgg;
use super::evidence::Evidence;
use super::rerank::Reranked;
use super::snippet::Highlighter;
use crate::error::Result;
use crate::index::Index;
use crate::index::columns::SourceNames;
use crate::index::schema::name;
use crate::model::{Hit, PassageHit, SearchRequest};

/// The hits of the page's groups: ids (and, unless only ids are asked for,
/// each article with its best passages and their highlights).
#[allow(clippy::too_many_arguments)]
pub(super) fn load(
    index: &Index,
    searcher: &tantivy::Searcher,
    found: &[ArticleAgg],
    page: &[Group],
    names: &mut SourceNames,
    reranked: &mut Reranked,
    evidence: &Evidence,
    highlighter: &Highlighter,
    wanted: &[String],
    req: &SearchRequest,
) -> Result<Vec<Hit>> {
    // What a hit lacks of the query, by bit of its `lacks`.
    let missing = |agg: &ArticleAgg| -> Vec<String> {
        (0..wanted.len())
            .filter(|k| agg.lacks & (1 << k) != 0)
            .map(|k| wanted[k].clone())
            .collect()
    };
    let mut columns = Columns::new(searcher);
    // The passages of hits the re-rank did not reach (a later page, or
    // results by date), scored in one batch.
    if !req.ids_only {
        let missing: Vec<usize> = page
            .iter()
            .map(|g| g.at as usize)
            .filter(|i| !reranked.scored.contains_key(i))
            .collect();
        let at: Vec<tantivy::DocAddress> = missing.iter().map(|&i| found[i].at).collect();
        let scored = evidence.passages(searcher, &at)?;
        reranked.scored.extend(missing.into_iter().zip(scored));
    }
    // Every id the page shows (hits only with --ids-only, and every copy),
    // read in one batch per segment.
    let shown: Vec<&ArticleAgg> = page
        .iter()
        .flat_map(|g| {
            let hit = req.ids_only.then_some(g.at);
            hit.into_iter()
                .chain(g.copies.iter().copied())
                .map(|i| &found[i as usize])
        })
        .collect();
    let mut ids = article_ids(&mut columns, &shown)?.into_iter();
    let mut hits = Vec::new();
    for group in page {
        let (score, agg) = (group.score, &found[group.at as usize]);
        let id = if req.ids_only { ids.next() } else { None };
        let also_in = group
            .copies
            .iter()
            .zip(ids.by_ref())
            .map(|(&i, id)| other(names, &found[i as usize], id))
            .collect();
        if req.ids_only {
            let mut hit = id_only_hit(names, agg, score);
            hit.id = id.unwrap_or_default();
            hit.also_in = also_in;
            hit.missing = missing(agg);
            hits.push(hit);
            continue;
        }
        let article = match reranked.loaded.remove(&(group.at as usize)) {
            Some(article) => article,
            None => index.load_article(searcher, agg.at)?,
        };
        let shown = reranked
            .scored
            .get(&(group.at as usize))
            .map(|s| s.shown(req.passages))
            .unwrap_or_default();
        let mut passages = Vec::new();
        for (pscore, range) in shown {
            let (start, end) = (range.start, range.end);
            let Some(text) = article.text.get(range) else {
                return Err(index.corrupted("a passage range falls outside its article"));
            };
            passages.push(PassageHit {
                highlights: highlighter.highlight(text),
                text: text.to_string(),
                score: pscore,
                start,
                end,
            });
        }
        hits.push(Hit {
            id: article.id,
            title_highlights: highlighter.highlight(&article.title),
            title: article.title,
            source: article.source,
            date: article.date,
            path: article.path,
            line: article.line,
            url: article.url,
            author: article.author,
            score,
            passages,
            also_in,
            missing: missing(agg),
        });
    }
    Ok(hits)
}

/// The id columns of the segments hits come from, opened once per search
/// rather than once per hit.
struct Columns<'s> {
    searcher: &'s tantivy::Searcher,
    segments: Vec<Option<Option<tantivy::columnar::StrColumn>>>,
}

impl<'s> Columns<'s> {
    fn new(searcher: &'s tantivy::Searcher) -> Columns<'s> {
        let n = searcher.segment_readers().len();
        Columns {
            searcher,
            segments: (0..n).map(|_| None).collect(),
        }
    }

    fn id(&mut self, ord: u32) -> Result<Option<&tantivy::columnar::StrColumn>> {
        let slot = &mut self.segments[ord as usize];
        if slot.is_none() {
            let ff = self.searcher.segment_reader(ord).fast_fields();
            *slot = Some(ff.str(name::ID)?);
        }
        Ok(slot.as_ref().and_then(Option::as_ref))
    }
}

/// A hit with only its score so far; the caller fills in the id.
fn id_only_hit(names: &mut SourceNames, agg: &ArticleAgg, score: f32) -> Hit {
    Hit {
        id: String::new(),
        title: String::new(),
        title_highlights: Vec::new(),
        source: agg.source_ord().and_then(|k| names.name(k)),
        date: agg.day().and_then(crate::Date::from_key),
        path: None,
        line: None,
        url: None,
        author: None,
        score,
        passages: Vec::new(),
        also_in: Vec::new(),
        missing: Vec::new(),
    }
}

/// The ids of `aggs`, in order, from the id column: one sorted batch per
/// segment (a dictionary lookup per article would decode a block each time,
/// and opening the column for each would cost more than the lookup). An
/// article whose id cannot be read gets an empty one.
fn article_ids(columns: &mut Columns, aggs: &[&ArticleAgg]) -> Result<Vec<String>> {
    let mut ids = vec![String::new(); aggs.len()];
    let mut by_segment: BTreeMap<u32, Vec<(u64, usize)>> = BTreeMap::new();
    for (i, agg) in aggs.iter().enumerate() {
        if let Some(col) = columns.id(agg.at.segment_ord)?
            && let Some(ord) = col.term_ords(agg.at.doc_id).next()
        {
            by_segment
                .entry(agg.at.segment_ord)
                .or_default()
                .push((ord, i));
        }
    }
    for (seg, mut wanted) in by_segment {
        let Some(col) = columns.id(seg)? else {
            continue;
        };
        wanted.sort_unstable();
        let mut ords: Vec<u64> = wanted.iter().map(|w| w.0).collect();
        ords.dedup();
        let mut names: Vec<String> = Vec::with_capacity(ords.len());
        col.dictionary()
            .sorted_ords_to_term_cb(&ords, |bytes| {
                names.push(String::from_utf8_lossy(bytes).into_owned())
            })
            .map_err(tantivy::TantivyError::from)?;
        for (ord, at) in wanted {
            if let Ok(n) = ords.binary_search(&ord)
                && let Some(name) = names.get(n)
            {
                ids[at] = name.clone();
            }
        }
    }
    Ok(ids)
}
