//! Search: from a [`SearchRequest`] to [`SearchResults`], stage by stage
//! ([`run`] reads as the list):
//!
//! 1. [`plan`]: the query parsed and planned into one tantivy query over
//!    articles, with the filters ([`filters`]), the other names of names
//!    the thesaurus knows, and the terms to highlight;
//! 2. [`collect`]: every matching article scored once (title and text);
//!    when no article has every word, the query again with any word;
//!    spelling suggestions ([`suggest`]) for words that match few;
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
mod suggest;
mod timeline;

use collect::{ArticleAgg, ArticleKeys};
use evidence::Evidence;

use crate::error::{Error, Result};
use crate::index::Index;
use crate::index::columns::SourceNames;
use crate::index::facets::FacetCounter;
use crate::model::{
    Hit, JSON_SCHEMA_VERSION, SearchRequest, SearchResults, Sort, Suggestion, Words,
};

impl Index {
    /// Runs a search. See [`SearchRequest`] for what can be asked.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        run(self, request)
    }

    /// Every hit of a search in order, not only a page (`limit` and
    /// `offset` play no part), handed to `each` as it is read: the stored
    /// articles are read a batch at a time, so a result of any size takes
    /// little memory. Returns the number of matching articles; stops at the
    /// first error `each` returns.
    pub fn each_hit<E: From<Error>>(
        &self,
        request: &SearchRequest,
        mut each: impl FnMut(Hit) -> std::result::Result<(), E>,
    ) -> std::result::Result<u64, E> {
        let mut all = request.clone();
        all.offset = 0;
        all.limit = usize::MAX;
        let mut run = Run::start(self, &all)?;
        let (page, _) = rank::page(&run.found, &run.keys, &all);
        for groups in page.chunks(EACH_HIT_BATCH) {
            for hit in run.hits(groups, &all)? {
                each(hit)?;
            }
        }
        Ok(run.found.len() as u64)
    }
}

/// Hits [`Index::each_hit`] reads at a time.
const EACH_HIT_BATCH: usize = 256;

fn run(index: &Index, req: &SearchRequest) -> Result<SearchResults> {
    let mut run = Run::start(index, req)?;
    let (total_articles, facets) = facets(&run.found, &mut run.names);
    let (page, collapsed) = rank::page(&run.found, &run.keys, req);
    let hits = run.hits(&page, req)?;
    let mut notices = run.planner.notices();
    if run.fell_back {
        notices.insert(0, FELL_BACK.to_string());
    }
    Ok(SearchResults {
        schema: JSON_SCHEMA_VERSION,
        query: req.query.clone(),
        total_articles,
        collapsed,
        hits,
        facets,
        notices,
        words: run.words,
        also_searched: std::mem::take(&mut run.planner.also_searched),
        suggestions: run.suggestions,
    })
}

/// The notice of a search that fell back to any word.
pub const FELL_BACK: &str =
    "no article has every word of the query: showing articles with any of them";

/// A search up to its ranking: planned, every match collected and scored
/// once, the best re-ranked; and what its hits are read with.
struct Run<'a> {
    index: &'a Index,
    searcher: tantivy::Searcher,
    planner: plan::Planner<'a>,
    found: Vec<ArticleAgg>,
    keys: ArticleKeys,
    names: SourceNames,
    evidence: Evidence,
    reranked: rerank::Reranked,
    /// What the matches have: every word, or any.
    words: Words,
    /// Whether every word was asked for and no article had them all.
    fell_back: bool,
    suggestions: Vec<Suggestion>,
}

impl<'a> Run<'a> {
    /// The stages up to the ranking: plan, collect, re-rank.
    fn start(index: &'a Index, req: &'a SearchRequest) -> Result<Run<'a>> {
        check_period(req)?;
        let searcher = index.searcher()?;
        let (mut plan, mut planner) = plan::plan(index, &searcher, req, req.words)?;
        let mut found = collect::collect(&searcher, &*plan.query, req.collapse)?;
        let mut words = req.words;
        let fell_back = found.is_empty() && words == Words::All && plan.required_words >= 2;
        if fell_back {
            words = Words::Any;
            (plan, planner) = plan::plan(index, &searcher, req, words)?;
            found = collect::collect(&searcher, &*plan.query, req.collapse)?;
        }
        let suggestions = suggest::suggest(&searcher, &index.fields, &planner.typed_words)?;
        let keys = ArticleKeys::new(&searcher)?;
        let evidence = Evidence::new(&searcher, &index.fields, &planner.highlighter)?;
        let reranked = if req.sort == Sort::Relevance && plan.scored {
            let (feedback, terms) = (req.feedback, &planner.highlighter.stemmed);
            rerank::rerank(
                index, &searcher, &mut found, &keys, &evidence, feedback, terms,
            )?
        } else {
            Default::default()
        };
        Ok(Run {
            index,
            names: SourceNames::new(&searcher),
            searcher,
            planner,
            found,
            keys,
            evidence,
            reranked,
            words,
            fell_back,
            suggestions,
        })
    }

    /// The hits of these groups of the ranking.
    fn hits(&mut self, groups: &[collapse::Group], req: &SearchRequest) -> Result<Vec<Hit>> {
        hits::load(
            self.index,
            &self.searcher,
            &self.found,
            groups,
            &mut self.names,
            &mut self.reranked,
            &self.evidence,
            &self.planner.highlighter,
            req,
        )
    }
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
        return Err(Error::EmptyPeriod { since, until });
    }
    Ok(())
}
