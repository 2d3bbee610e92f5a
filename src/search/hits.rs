//! The page: each hit's article read from the store, its best passages
//! sliced from the stored text by their byte ranges, and highlighted; the
//! ids of copies read from the id column in one batch per segment.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use super::collapse::{Group, other};
use super::collect::ArticleAgg;
use super::snippet::Highlighter;
use crate::error::Result;
use crate::index::Index;
use crate::index::columns::SourceNames;
use crate::index::schema::name;
use crate::model::{Article, Hit, PassageHit, SearchRequest};

/// The hits of the page's groups: ids (and, unless only ids are asked for,
/// each article with its best passages and their highlights).
#[allow(clippy::too_many_arguments)]
pub(super) fn load(
    index: &Index,
    searcher: &tantivy::Searcher,
    found: &[ArticleAgg],
    page: &[Group],
    columns: &mut Columns,
    names: &mut SourceNames,
    mut loaded: FxHashMap<usize, Article>,
    highlighter: &Highlighter,
    req: &SearchRequest,
) -> Result<Vec<Hit>> {
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
    let mut ids = article_ids(columns, &shown)?.into_iter();
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
            hits.push(hit);
            continue;
        }
        let article = match loaded.remove(&(group.at as usize)) {
            Some(article) => article,
            None => index.load_article(searcher, agg.head_at())?,
        };
        let mut passages = Vec::new();
        for &(pscore, doc) in agg.passages.iter().take(req.passages) {
            let (start, end) = columns.passage_range(agg.at(doc))?;
            let Some(text) = article.text.get(start..end) else {
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
        });
    }
    Ok(hits)
}

/// Fast-field columns of the segments hits come from, opened once per search
/// rather than once per hit.
pub(super) struct Columns<'s> {
    searcher: &'s tantivy::Searcher,
    segments: Vec<Option<SegmentColumns>>,
}

struct SegmentColumns {
    id: Option<tantivy::columnar::StrColumn>,
    start: tantivy::columnar::Column<u64>,
    end: tantivy::columnar::Column<u64>,
}

impl<'s> Columns<'s> {
    pub fn new(searcher: &'s tantivy::Searcher) -> Columns<'s> {
        let n = searcher.segment_readers().len();
        Columns {
            searcher,
            segments: (0..n).map(|_| None).collect(),
        }
    }

    fn segment(&mut self, ord: u32) -> Result<&SegmentColumns> {
        let slot = &mut self.segments[ord as usize];
        if slot.is_none() {
            let ff = self.searcher.segment_reader(ord).fast_fields();
            *slot = Some(SegmentColumns {
                id: ff.str(name::ID)?,
                start: ff.u64(name::START)?,
                end: ff.u64(name::END)?,
            });
        }
        Ok(slot.as_ref().expect("filled above"))
    }

    /// The byte range in its article of the passage at `addr`.
    pub fn passage_range(&mut self, addr: tantivy::DocAddress) -> Result<(usize, usize)> {
        let cols = self.segment(addr.segment_ord)?;
        let start = cols.start.first(addr.doc_id).unwrap_or(0) as usize;
        let end = cols.end.first(addr.doc_id).unwrap_or(0) as usize;
        Ok((start, end))
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
        if let Some(&(_, doc)) = agg.passages.first()
            && let Some(col) = &columns.segment(agg.first.segment_ord)?.id
            && let Some(ord) = col.term_ords(doc).next()
        {
            by_segment
                .entry(agg.first.segment_ord)
                .or_default()
                .push((ord, i));
        }
    }
    for (seg, mut wanted) in by_segment {
        let Some(col) = &columns.segment(seg)?.id else {
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
