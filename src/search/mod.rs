//! Search: from a [`SearchRequest`] to [`SearchResults`], stage by stage
//! ([`run`] reads as the list):
//!
//! 1. [`plan`]: the query parsed and planned into one tantivy query over
//!    articles, with the filters ([`filters`]) and the terms to highlight;
//! 2. [`collect`]: every matching article scored once (title and text);
//! 3. facets counted over every matching article, each once;
//! 4. [`rerank`]: the best articles of that pass re-ranked by their best
//!    passages ([`evidence`]) and by feedback ([`feedback`]);
//! 5. [`rank`]: the page's articles ordered, copies of one story grouped into
//!    one hit ([`collapse`]);
//! 6. [`hits`]: the page read from the store, best passages cut and
//!    highlighted ([`snippet`]).

pub(crate) mod collapse;
pub(crate) mod collect;
mod evidence;
pub(crate) mod feedback;
mod filters;
mod hits;
mod plan;
pub mod query;
pub(crate) mod rank;
mod rerank;
pub(crate) mod snippet;

use collect::{ArticleAgg, ArticleKeys};
use evidence::Evidence;

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
    let mut found = collect::collect(&searcher, &*plan.query, req.collapse)?;
    let mut names = SourceNames::new(&searcher);
    let (total_articles, facets) = facets(&found, &mut names);
    let keys = ArticleKeys::new(&searcher, found.len())?;
    let evidence = Evidence::new(&searcher, &index.fields, &planner.highlighter)?;
    let reranked = if req.sort == Sort::Relevance && plan.scored {
        let feedback = req.feedback;
        let terms = &planner.highlighter.stemmed;
        rerank::rerank(
            index, &searcher, &mut found, &keys, &evidence, feedback, terms,
        )?
    } else {
        Default::default()
    };
    let (page, collapsed) = rank::page(&found, &keys, req);
    let hits = hits::load(
        index,
        &searcher,
        &found,
        &page,
        &mut names,
        reranked,
        &evidence,
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

/// The number of matching articles, and their facets: each counted once.
fn facets(found: &[ArticleAgg], names: &mut SourceNames) -> (u64, crate::model::Facets) {
    let mut counter = FacetCounter::default();
    for a in found {
        counter.add(a.source_ord(), a.day());
    }
    (counter.total(), counter.finish(|keys| names.names(keys)))
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
