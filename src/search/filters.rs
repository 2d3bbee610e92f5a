//! Filters: `--source`, `--exclude-source`, `--since`/`--until` and the
//! query's `source:` terms, as zero-score clauses on every document; a
//! source name that matches none is refused with the closest names.

use std::collections::HashSet;
use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{BooleanQuery, ExistsQuery, Occur as TOccur, Query, RangeQuery, TermQuery};
use tantivy::schema::IndexRecordOption;

use super::collect::ArticleAgg;
use super::query::Occur;
use crate::error::{Error, Result};
use crate::index::Index;
use crate::index::columns::strings_by_ord;
use crate::index::schema::name;
use crate::index::schema::source_key;
use crate::model::SearchRequest;

/// Passage-level filters: sources, dates, and the query's `source:` terms.
pub(super) struct Filters {
    pub must: Vec<Box<dyn Query>>,
    pub must_not: Vec<Box<dyn Query>>,
}

pub(super) fn filters(
    index: &Index,
    searcher: &tantivy::Searcher,
    req: &SearchRequest,
    query_sources: &[(Occur, Vec<String>)],
) -> Result<Filters> {
    let f = &index.fields;
    let mut out = Filters {
        must: Vec::new(),
        must_not: Vec::new(),
    };
    let named: Vec<&String> = req
        .sources
        .iter()
        .chain(&req.exclude_sources)
        .chain(query_sources.iter().flat_map(|(_, v)| v))
        .collect();
    if !named.is_empty() {
        let known = source_names(searcher)?;
        let keys: HashSet<String> = known.iter().map(|s| source_key(s)).collect();
        for name in named {
            if !keys.contains(&source_key(name)) {
                return Err(Error::UnknownSource {
                    name: name.clone(),
                    suggestions: close_sources(name, &known),
                });
            }
        }
    }
    let any_of = |names: &[String]| -> Box<dyn Query> {
        let clauses = names
            .iter()
            .map(|n| {
                let t = Term::from_field_text(f.source_key, &source_key(n));
                (
                    TOccur::Should,
                    Box::new(TermQuery::new(t, IndexRecordOption::Basic)) as Box<dyn Query>,
                )
            })
            .collect();
        Box::new(BooleanQuery::new(clauses))
    };
    if !req.sources.is_empty() {
        out.must.push(any_of(&req.sources));
    }
    if !req.exclude_sources.is_empty() {
        out.must_not.push(any_of(&req.exclude_sources));
    }
    for (occur, names) in query_sources {
        match occur {
            Occur::MustNot => out.must_not.push(any_of(names)),
            _ => out.must.push(any_of(names)),
        }
    }
    if req.since.is_some() || req.until.is_some() {
        let bound = |d: Option<crate::Date>| match d {
            Some(d) => Bound::Included(Term::from_field_i64(f.day, d.key())),
            None => Bound::Unbounded,
        };
        // The period, or no date at all: the search counts the undated
        // articles it leaves out (`undated`), or keeps them.
        let dated = Box::new(RangeQuery::new(bound(req.since), bound(req.until)));
        let undated = Box::new(BooleanQuery::new(vec![
            (TOccur::Must, every_article()),
            (
                TOccur::MustNot,
                Box::new(ExistsQuery::new(name::DAY.to_string(), false)) as Box<dyn Query>,
            ),
        ]));
        out.must.push(Box::new(BooleanQuery::new(vec![
            (TOccur::Should, dated as Box<dyn Query>),
            (TOccur::Should, undated),
        ])));
    }
    Ok(out)
}

/// Every article, scored 1: the documents with an article key (the index
/// also holds the marks of removed articles, see `write::Writer::remove`).
pub(super) fn every_article() -> Box<dyn Query> {
    Box::new(ExistsQuery::new(name::AKEY.to_string(), false))
}

/// The undated articles of `found` a request's period leaves out: taken out
/// of `found` unless it keeps them, and counted among those `counts` says.
pub(super) fn leave_out_undated(
    req: &SearchRequest,
    found: &mut Vec<ArticleAgg>,
    counts: impl Fn(&ArticleAgg) -> bool,
) -> u64 {
    if req.since.is_none() && req.until.is_none() {
        return 0;
    }
    let undated = found.iter().filter(|a| a.day_key == 0 && counts(a)).count() as u64;
    if req.with_undated {
        return 0;
    }
    found.retain(|a| a.day_key != 0);
    undated
}

/// The notice of the undated articles a period left out.
pub(super) fn undated_notice(n: u64) -> String {
    let (s, have) = if n == 1 { ("", "has") } else { ("s", "have") };
    format!(
        "left out {n} matching article{s} that {have} no date, which the period cannot place \
         (--with-undated keeps them)"
    )
}

/// Every source name in the index, and every name as given that the outlet
/// table or `--outlet` merged into one of them.
fn source_names(searcher: &tantivy::Searcher) -> Result<Vec<String>> {
    let mut names = std::collections::BTreeSet::new();
    for seg in searcher.segment_readers() {
        for field in [name::SOURCE, name::SOURCE_GIVEN] {
            if let Some(col) = seg.fast_fields().str(field)? {
                names.extend(strings_by_ord(&col)?);
            }
        }
    }
    Ok(names.into_iter().collect())
}

/// The sources of the index whose names are close to `name`, closest
/// first, at most three.
fn close_sources(name: &str, known: &[String]) -> Vec<String> {
    let key = source_key(name);
    let mut scored: Vec<(f64, &String)> = known
        .iter()
        .map(|k| {
            let kk = source_key(k);
            let sim =
                strsim::jaro_winkler(&key, &kk).max(if kk.contains(&key) { 0.95 } else { 0.0 });
            (sim, k)
        })
        .filter(|(s, _)| *s > 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    // One name per source: spellings that differ in case or spacing are one.
    let mut seen = HashSet::new();
    scored
        .iter()
        .filter(|(_, k)| seen.insert(source_key(k)))
        .take(3)
        .map(|(_, k)| (*k).clone())
        .collect()
}
