//! Search: from a [`SearchRequest`] to [`SearchResults`], stage by stage
//! ([`run`] reads as the list):
//!
//! 1. [`plan`]: the query parsed and planned into tantivy queries, with the
//!    filters ([`filters`]) and the terms to highlight;
//! 2. gather: matching passages grouped into articles ([`collect`]), the
//!    article-level fields scored once per article and joined in, `+` and
//!    `-` applied to whole articles;
//! 3. [`feedback`]: the words the best articles share re-score the articles
//!    already found;
//! 4. facets counted over every matching article, each once;
//! 5. [`rank`]: the page's articles ordered, copies of one story grouped into
//!    one hit ([`collapse`]);
//! 6. [`hits`]: the page read from the store, best passages cut and
//!    highlighted ([`snippet`]).

pub(crate) mod collapse;
pub(crate) mod collect;
pub(crate) mod feedback;
mod filters;
mod hits;
mod plan;
pub mod query;
pub(crate) mod rank;
pub(crate) mod snippet;

use collect::{
    ArticleAgg, ArticleCollector, ArticleKeys, HeadScoreCollector, KeySet, KeySetCollector,
    SegmentArticles, join_heads,
};
use plan::Plan;
use rank::ArticleStats;

use crate::error::{Error, Result};
use crate::index::Index;
use crate::index::columns::SourceNames;
use crate::index::facets::FacetCounter;
use crate::model::{JSON_SCHEMA_VERSION, SearchRequest, SearchResults, Sort};

impl Index {
    /// Runs a search. See [`SearchRequest`] for what can be asked.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        run(self, request)
    }
}

fn run(index: &Index, req: &SearchRequest) -> Result<SearchResults> {
    check_period(req)?;
    let searcher = index.reader.searcher();
    let (plan, mut planner) = plan::plan(index, &searcher, req)?;
    let mut found = gather(index, &searcher, &plan, req)?;
    let keys = ArticleKeys::new(&searcher, found.len())?;
    let mut columns = hits::Columns::new(&searcher);
    let loaded = if req.feedback && req.sort == Sort::Relevance && plan.article.is_some() {
        let terms = &planner.highlighter.stemmed;
        feedback::round(index, &searcher, &mut found, &keys, &mut columns, terms)?
    } else {
        Default::default()
    };
    // Source columns opened once, for the facets and the page.
    let mut names = SourceNames::new(&searcher);
    let mut counter = FacetCounter::default();
    for a in &found {
        counter.add(a.source_ord(), a.day());
    }
    let total_articles = counter.total();
    let facets = counter.finish(|keys| names.names(keys));
    let (page, collapsed) = rank::page(&found, &keys, req);
    let hits = hits::load(
        index,
        &searcher,
        &found,
        &page,
        &mut columns,
        &mut names,
        loaded,
        &planner.highlighter,
        req,
    )?;
    Ok(SearchResults {
        schema: JSON_SCHEMA_VERSION,
        query: req.query.clone(),
        total_articles,
        collapsed,
        hits,
        facets,
        notices: planner.notices(),
    })
}

/// A period that ends before it starts can match nothing: say so.
fn check_period(req: &SearchRequest) -> Result<()> {
    if let (Some(since), Some(until)) = (req.since, req.until)
        && since > until
    {
        return Err(Error::InvalidRequest(format!(
            "--since {since} is after --until {until}: nothing can match"
        )));
    }
    Ok(())
}

/// Every matching article, in index order: its best passages, its
/// article-level score, `+` and `-` applied to the whole article.
fn gather(
    index: &Index,
    searcher: &tantivy::Searcher,
    plan: &Plan,
    req: &SearchRequest,
) -> Result<Vec<ArticleAgg>> {
    let keep = req.passages.max(1);
    let mut found: Vec<ArticleAgg> = match &plan.body {
        Some(q) => ArticleCollector {
            keep,
            clusters: req.collapse,
        }
        .search(searcher, &**q)?,
        None => Vec::new(),
    };
    if let Some(q) = &plan.article {
        // Title and whole text score once per article, with statistics over
        // articles, beside the article's best passages.
        let stats = ArticleStats::new(searcher, &index.fields)?;
        let heads = searcher.search_with_statistics_provider(&**q, &HeadScoreCollector, &stats)?;
        let mut articles = SegmentArticles::new(searcher, req.collapse);
        join_heads(&mut found, heads, |at| articles.start(at))?;
    }
    let required: Vec<KeySet> = plan
        .required
        .iter()
        .map(|q| searcher.search(&**q, &KeySetCollector))
        .collect::<tantivy::Result<_>>()?;
    let excluded: Vec<KeySet> = plan
        .excluded
        .iter()
        .map(|q| searcher.search(&**q, &KeySetCollector))
        .collect::<tantivy::Result<_>>()?;
    if !required.is_empty() || !excluded.is_empty() {
        found.retain(|a| {
            required.iter().all(|s| s.contains(&a.address()))
                && !excluded.iter().any(|s| s.contains(&a.address()))
        });
    }

    Ok(found)
}
