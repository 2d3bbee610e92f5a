//! Search: from a [`SearchRequest`] to [`SearchResults`], stage by stage
//! ([`run`] reads as the list):
//!
//! 1. [`plan`]: the query parsed and planned into one tantivy query over
//!    articles, with the filters ([`filters`]), the other names of names
//!    the thesaurus knows, and the terms to highlight;
//! 2. [`collect`]: every article with any of the query's words scored once
//!    (title and text), weighed by how much of the query it holds;
//!    spelling suggestions ([`suggest`]) for words that match few;
//! 3. facets counted over every article counted (those with every word,
//!    or with any when none has them all or any was asked for), each once;
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

use collect::{ArticleAgg, ArticleKeys, Holding};
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
        // Every article counted, and no other.
        let mut run = Run::start(self, &all, true)?;
        let page = rank::page(&run.found, &run.keys, &all);
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
    let mut run = Run::start(index, req, false)?;
    let (total_articles, facets) = facets(&run.found, run.words, &mut run.names);
    let more_articles = run.found.len() as u64 - total_articles;
    let page = rank::page(&run.found, &run.keys, req);
    // Of the articles counted, the copies of another counted one's story.
    let collapsed = match req.collapse {
        true => collapse::copies(counted(&run.found, run.words), &run.found),
        false => 0,
    };
    let hits = run.hits(&page, req)?;
    let mut notices = run.planner.notices();
    if run.fell_back {
        notices.insert(0, FELL_BACK.to_string());
    }
    if run.undated_left_out > 0 {
        notices.push(filters::undated_notice(run.undated_left_out));
    }
    Ok(SearchResults {
        schema: JSON_SCHEMA_VERSION,
        query: req.query.clone(),
        total_articles,
        more_articles,
        undated_left_out: run.undated_left_out,
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
    /// What the matches counted have: every word, or any.
    words: Words,
    /// Matches counted but left out by the period for having no date.
    undated_left_out: u64,
    /// The labels of the query's wanted units, by bit of
    /// [`ArticleAgg::lacks`].
    wanted: Vec<String>,
    /// Whether every word was asked for and no article had them all.
    fell_back: bool,
    suggestions: Vec<Suggestion>,
}

impl<'a> Run<'a> {
    /// The stages up to the ranking: plan, collect, re-rank. `only_counted`:
    /// keep only the articles counted (as a listing by date does), not
    /// those with some of the words after them.
    fn start(index: &'a Index, req: &'a SearchRequest, only_counted: bool) -> Result<Run<'a>> {
        check_period(req)?;
        let searcher = index.searcher()?;
        let (plan, planner) = plan::plan(index, &searcher, req, req.words)?;
        let holding = Holding::new(plan.wanted.iter().map(|w| &*w.query).collect(), req.words);
        let mut found = collect::collect(&searcher, &*plan.query, &holding, req.collapse)?;
        let mut words = req.words;
        let fell_back = counted(&found, words).next().is_none()
            && words == Words::All
            && plan.wanted.len() >= 2;
        if fell_back {
            words = Words::Any;
        }
        let undated_left_out =
            filters::leave_out_undated(req, &mut found, |a| words == Words::Any || a.holds_all());
        // A listing by date is a listing of what is counted. Before the
        // re-rank: what it reads is kept by position in `found`.
        if words == Words::All && (only_counted || req.sort == Sort::Date) {
            found.retain(ArticleAgg::holds_all);
        }
        let suggestions = suggest::suggest(&searcher, &index.fields, &planner.typed_words)?;
        let keys = ArticleKeys::new(&searcher)?;
        let evidence = Evidence::new(&searcher, &index.fields, &planner.highlighter)?;
        let reranked = if req.sort == Sort::Relevance && plan.scored {
            // One word gives feedback nothing to tell its senses apart by:
            // the first few articles' vocabulary would lead the ranking
            // away from what was typed.
            let feedback = (req.feedback && plan.wanted.len() >= feedback::MIN_UNITS)
                .then_some(&planner.highlighter.stemmed);
            rerank::rerank(
                index, &searcher, &mut found, &keys, &evidence, &holding, feedback,
            )?
        } else {
            Default::default()
        };
        Ok(Run {
            index,
            undated_left_out,
            wanted: plan.wanted.into_iter().map(|w| w.label).collect(),
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
        let wanted = match self.words {
            Words::All => &self.wanted[..],
            Words::Any => &[],
        };
        hits::load(
            self.index,
            &self.searcher,
            &self.found,
            groups,
            &mut self.names,
            &mut self.reranked,
            &self.evidence,
            &self.planner.highlighter,
            wanted,
            req,
        )
    }
}

/// The number of matching articles, and their facets: each counted once;
/// with every word asked for, only the articles with every word.
fn facets(
    found: &[ArticleAgg],
    words: Words,
    names: &mut SourceNames,
) -> (u64, crate::model::Facets) {
    let mut counter = FacetCounter::default();
    for a in counted(found, words) {
        counter.add(a.source_ord(), a.day());
    }
    (counter.total(), counter.finish(|keys| names.names(keys)))
}

/// The articles a search counts: with every word asked for, those that
/// hold every word.
fn counted(found: &[ArticleAgg], words: Words) -> impl Iterator<Item = &ArticleAgg> {
    found
        .iter()
        .filter(move |a| words == Words::Any || a.holds_all())
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
