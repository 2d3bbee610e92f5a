//! Search: from a [`SearchRequest`] to [`SearchResults`].
//!
//! The parsed query is planned into passage-level tantivy queries:
//!
//! * one *scoring* query: every positive word and phrase as an optional
//!   clause, so BM25 ranks passages by all of them, restricted by the filters
//!   (sources, dates, `source:`), which do not score;
//! * one *key-set* query per `+required` and `-excluded` clause. Those apply
//!   to whole articles (an article is excluded if any passage mentions the
//!   word, and a required word may sit in another passage than the best one),
//!   so each runs separately and yields the set of articles that match it.
//!
//! Matching passages are grouped into articles ([`crate::collect`]), the
//! key sets applied, facets counted over every remaining article, copies of
//! one story grouped into one hit ([`crate::collapse`]), and the page of best
//! hits loaded with their best passages and highlights.

use std::collections::{BTreeMap, HashSet};
use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur as TOccur, PhraseQuery, Query,
    RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use crate::analysis::{Mode, Token, TokenKind, analyze};
use crate::collect::{ArticleAgg, ArticleCollector, KeySetCollector};
use crate::error::{Error, Result};
use crate::facets::FacetCounter;
use crate::index::Index;
use crate::model::{Hit, JSON_SCHEMA_VERSION, PassageHit, SearchRequest, SearchResults, Sort};
use crate::query::{self, Clause, Node, Occur, Scope};
use crate::rank::{TITLE_BOOST, article_score};
use crate::schema::{Fields, source_key};
use crate::snippet::Highlighter;

/// The tantivy queries a search runs.
struct Plan {
    scoring: Box<dyn Query>,
    required: Vec<Box<dyn Query>>,
    excluded: Vec<Box<dyn Query>>,
}

pub(crate) fn run(index: &Index, req: &SearchRequest) -> Result<SearchResults> {
    if let (Some(since), Some(until)) = (req.since, req.until)
        && since > until
    {
        return Err(Error::InvalidRequest(format!(
            "--since {since} is after --until {until}: nothing can match"
        )));
    }
    let clauses = query::parse(&req.query, req.syntax)?;
    let searcher = index.reader.searcher();
    let mut planner = Planner::new(&index.fields, &req.query);
    let mut plan = planner.plan(&clauses)?;
    if plan.is_none() && !planner.stop_words.is_empty() {
        // Only common words: search them as they are rather than return nothing.
        planner = Planner::new(&index.fields, &req.query);
        planner.stop_words_exact = true;
        plan = planner.plan(&clauses)?;
    }
    let filters = filters(index, &searcher, req, &planner.sources)?;
    let plan = finish_plan(plan, filters);

    let keep = req.passages.max(1);
    let found = searcher.search(&*plan.scoring, &ArticleCollector { keep })?;
    let required: Vec<HashSet<u64>> = plan
        .required
        .iter()
        .map(|q| searcher.search(&**q, &KeySetCollector))
        .collect::<tantivy::Result<_>>()?;
    let excluded: Vec<HashSet<u64>> = plan
        .excluded
        .iter()
        .map(|q| searcher.search(&**q, &KeySetCollector))
        .collect::<tantivy::Result<_>>()?;
    let mut articles: Vec<(f32, ArticleAgg)> = found
        .into_values()
        .filter(|a| required.iter().all(|s| s.contains(&a.akey)))
        .filter(|a| !excluded.iter().any(|s| s.contains(&a.akey)))
        .map(|a| (article_score(&a.scores), a))
        .collect();

    let mut counter = FacetCounter::default();
    for (_, a) in &articles {
        counter.add(a.source.as_deref(), a.day);
    }
    let total_articles = counter.total();
    let facets = counter.finish();

    let by_score = |a: &(f32, ArticleAgg), b: &(f32, ArticleAgg)| {
        b.0.total_cmp(&a.0).then_with(|| a.1.akey.cmp(&b.1.akey))
    };
    match req.sort {
        Sort::Relevance => articles.sort_unstable_by(by_score),
        Sort::Date => {
            articles.sort_unstable_by(|a, b| b.1.day.cmp(&a.1.day).then_with(|| by_score(a, b)))
        }
    }

    let matched = articles.len();
    let groups = crate::collapse::group(&searcher, articles, req.collapse)?;
    let collapsed = (matched - groups.len()) as u64;
    let mut hits = Vec::new();
    for group in groups.iter().skip(req.offset).take(req.limit) {
        let (score, agg) = (&group.score, &group.agg);
        let also_in = crate::collapse::others(&searcher, &group.copies)?;
        if req.ids_only {
            let mut hit = id_only_hit(&searcher, agg, *score)?;
            hit.also_in = also_in;
            hits.push(hit);
            continue;
        }
        let article = index
            .article_by_key(&searcher, agg.akey)?
            .ok_or_else(|| index.corrupted("a passage belongs to no stored article"))?;
        let mut passages = Vec::new();
        for (pscore, addr) in agg.passages.iter().take(req.passages) {
            let ff = searcher.segment_reader(addr.segment_ord).fast_fields();
            let start = ff.u64("start")?.first(addr.doc_id).unwrap_or(0) as usize;
            let end = ff.u64("end")?.first(addr.doc_id).unwrap_or(0) as usize;
            let Some(text) = article.text.get(start..end) else {
                return Err(index.corrupted("a passage range falls outside its article"));
            };
            passages.push(PassageHit {
                highlights: planner.highlighter.highlight(text),
                text: text.to_string(),
                score: *pscore,
                start,
                end,
            });
        }
        hits.push(Hit {
            id: article.id,
            title: article.title,
            source: article.source,
            date: article.date,
            path: article.path,
            line: article.line,
            url: article.url,
            author: article.author,
            score: *score,
            passages,
            also_in,
        });
    }
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

/// A hit with only its id (read from the id column) and score.
fn id_only_hit(searcher: &tantivy::Searcher, agg: &ArticleAgg, score: f32) -> Result<Hit> {
    Ok(Hit {
        id: crate::collapse::article_id(searcher, agg)?,
        title: String::new(),
        source: agg.source.as_deref().map(str::to_string),
        date: agg.day.and_then(crate::Date::from_key),
        path: None,
        line: None,
        url: None,
        author: None,
        score,
        passages: Vec::new(),
        also_in: Vec::new(),
    })
}

/// Passage-level filters: sources, dates, and the query's `source:` terms.
struct Filters {
    must: Vec<Box<dyn Query>>,
    must_not: Vec<Box<dyn Query>>,
}

fn filters(
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
                return Err(Error::InvalidRequest(unknown_source(name, &known)));
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
        out.must.push(Box::new(RangeQuery::new(
            bound(req.since),
            bound(req.until),
        )));
    }
    Ok(out)
}

/// Every source name in the index.
fn source_names(searcher: &tantivy::Searcher) -> Result<Vec<String>> {
    let mut names = std::collections::BTreeSet::new();
    for seg in searcher.segment_readers() {
        if let Some(col) = seg.fast_fields().str("source")? {
            for ord in 0..col.num_terms() as u64 {
                let mut s = String::new();
                col.ord_to_str(ord, &mut s)
                    .map_err(tantivy::TantivyError::from)?;
                names.insert(s);
            }
        }
    }
    Ok(names.into_iter().collect())
}

fn unknown_source(name: &str, known: &[String]) -> String {
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
    let close: Vec<String> = scored
        .iter()
        .take(3)
        .map(|(_, k)| format!("{k:?}"))
        .collect();
    if close.is_empty() {
        format!(
            "no articles from a source named {name:?}; `hpsearch sources` lists the sources in this index"
        )
    } else {
        format!(
            "no articles from a source named {name:?}; did you mean {}? (`hpsearch sources` lists them all)",
            close.join(" or ")
        )
    }
}

fn finish_plan(plan: Option<PlanParts>, filters: Filters) -> Plan {
    let parts = plan.unwrap_or_default();
    let positive: Box<dyn Query> = if parts.scoring.is_empty() {
        Box::new(AllQuery)
    } else {
        Box::new(BooleanQuery::new(
            parts
                .scoring
                .into_iter()
                .map(|q| (TOccur::Should, q))
                .collect(),
        ))
    };
    let mut clauses: Vec<(TOccur, Box<dyn Query>)> = vec![(TOccur::Must, positive)];
    for q in filters.must {
        clauses.push((TOccur::Must, Box::new(ConstScoreQuery::new(q, 0.0))));
    }
    for q in filters.must_not {
        clauses.push((TOccur::MustNot, q));
    }
    Plan {
        scoring: Box::new(BooleanQuery::new(clauses)),
        required: parts.required,
        excluded: parts.excluded,
    }
}

#[derive(Default)]
struct PlanParts {
    scoring: Vec<Box<dyn Query>>,
    required: Vec<Box<dyn Query>>,
    excluded: Vec<Box<dyn Query>>,
}

/// Turns parsed clauses into tantivy queries, collecting highlight terms and
/// notices on the way.
struct Planner<'a> {
    f: &'a Fields,
    query: &'a str,
    highlighter: Highlighter,
    /// Ranked words left out because they are stop words.
    stop_words: Vec<String>,
    /// Search stop words on the exact fields instead of leaving them out.
    stop_words_exact: bool,
    /// Words with nothing searchable in them.
    empty_words: Vec<String>,
    /// `source:` clauses, applied as filters.
    sources: Vec<(Occur, Vec<String>)>,
}

impl<'a> Planner<'a> {
    fn new(f: &'a Fields, query: &'a str) -> Planner<'a> {
        Planner {
            f,
            query,
            highlighter: Highlighter::default(),
            stop_words: Vec::new(),
            stop_words_exact: false,
            empty_words: Vec::new(),
            sources: Vec::new(),
        }
    }

    fn notices(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.stop_words.is_empty() && !self.stop_words_exact {
            out.push(format!(
                "common words not used for ranking: {}",
                self.stop_words.join(", ")
            ));
        }
        if !self.empty_words.is_empty() {
            out.push(format!(
                "ignored (no letters or digits): {}",
                self.empty_words.join(" ")
            ));
        }
        out
    }

    /// `None` when the query has no positive term at all.
    fn plan(&mut self, clauses: &[Clause]) -> Result<Option<PlanParts>> {
        let mut parts = PlanParts::default();
        for c in clauses {
            if let Some(names) = source_names_of(&c.node) {
                self.sources.push((c.occur, names));
                continue;
            }
            self.reject_nested_sources(&c.node)?;
            let explicit = c.occur != Occur::Should;
            let q = self.node(&c.node, explicit, c.occur != Occur::MustNot)?;
            let Some(q) = q else { continue };
            match c.occur {
                Occur::Should => parts.scoring.push(q),
                Occur::Must => {
                    parts.scoring.push(q.box_clone());
                    parts.required.push(q);
                }
                Occur::MustNot => parts.excluded.push(q),
            }
        }
        let has_positive = !parts.scoring.is_empty();
        let only_filters = clauses
            .iter()
            .all(|c| c.occur == Occur::MustNot || source_names_of(&c.node).is_some());
        Ok((has_positive || only_filters).then_some(parts))
    }

    fn reject_nested_sources(&self, node: &Node) -> Result<()> {
        let children: Vec<&Node> = match node {
            Node::Or(v) => v.iter().collect(),
            Node::Group(c) => c.iter().map(|c| &c.node).collect(),
            _ => return Ok(()),
        };
        for child in children {
            if let Node::Source { pos, .. } = child {
                return Err(Error::query(
                    self.query,
                    *pos,
                    "source: filters can only be combined with other source: terms, as in (source:A OR source:B)",
                ));
            }
            self.reject_nested_sources(child)?;
        }
        Ok(())
    }

    fn node(
        &mut self,
        node: &Node,
        explicit: bool,
        highlight: bool,
    ) -> Result<Option<Box<dyn Query>>> {
        Ok(match node {
            Node::Word { text, scope, .. } => self.word(text, *scope, explicit, highlight),
            Node::Phrase { text, scope, .. } => self.phrase(text, *scope, highlight),
            Node::Source { .. } => unreachable!("source terms are filters"),
            Node::Or(nodes) => {
                let mut qs = Vec::new();
                for n in nodes {
                    if let Some(q) = self.node(n, explicit, highlight)? {
                        qs.push((TOccur::Should, q));
                    }
                }
                (!qs.is_empty()).then(|| Box::new(BooleanQuery::new(qs)) as Box<dyn Query>)
            }
            Node::Group(clauses) => {
                let mut qs = Vec::new();
                for c in clauses {
                    let hl = highlight && c.occur != Occur::MustNot;
                    if let Some(q) = self.node(&c.node, explicit || c.occur != Occur::Should, hl)? {
                        let occur = match c.occur {
                            Occur::Should => TOccur::Should,
                            Occur::Must => TOccur::Must,
                            Occur::MustNot => TOccur::MustNot,
                        };
                        qs.push((occur, q));
                    }
                }
                if qs.iter().all(|(o, _)| *o == TOccur::MustNot) && !qs.is_empty() {
                    qs.push((TOccur::Must, Box::new(AllQuery)));
                }
                (!qs.is_empty()).then(|| Box::new(BooleanQuery::new(qs)) as Box<dyn Query>)
            }
        })
    }

    fn fields(&self, scope: Scope, mode: Mode) -> Vec<(Field, f32)> {
        let (body, title) = match mode {
            Mode::Stemmed => (self.f.body, self.f.title),
            Mode::Exact => (self.f.body_exact, self.f.title_exact),
        };
        match scope {
            Scope::All => vec![(body, 1.0), (title, TITLE_BOOST)],
            Scope::Title => vec![(title, 1.0)],
        }
    }

    fn word(
        &mut self,
        text: &str,
        scope: Scope,
        explicit: bool,
        highlight: bool,
    ) -> Option<Box<dyn Query>> {
        let mut tokens = Vec::new();
        analyze(text, Mode::Stemmed, &mut tokens);
        if !tokens.is_empty() {
            if highlight {
                self.highlighter
                    .stemmed
                    .extend(tokens.iter().map(|t| t.text.clone()));
            }
            return Some(terms_query(&tokens, &self.fields(scope, Mode::Stemmed)));
        }
        analyze(text, Mode::Exact, &mut tokens);
        if tokens.is_empty() {
            self.empty_words.push(text.to_string());
            return None;
        }
        if !(explicit || self.stop_words_exact) {
            self.stop_words.push(text.to_string());
            return None;
        }
        self.exact(tokens, scope, highlight)
    }

    fn phrase(&mut self, text: &str, scope: Scope, highlight: bool) -> Option<Box<dyn Query>> {
        let mut tokens = Vec::new();
        analyze(text, Mode::Exact, &mut tokens);
        if tokens.is_empty() {
            self.empty_words.push(format!("\"{text}\""));
            return None;
        }
        self.exact(tokens, scope, highlight)
    }

    fn exact(
        &mut self,
        tokens: Vec<Token>,
        scope: Scope,
        highlight: bool,
    ) -> Option<Box<dyn Query>> {
        let seq = sequence(&tokens);
        if highlight {
            match seq.as_slice() {
                [(_, t)] => {
                    self.highlighter.exact.insert(t.clone());
                }
                _ => {
                    let base = seq[0].0;
                    self.highlighter
                        .phrases
                        .push(seq.iter().map(|(p, t)| (p - base, t.clone())).collect());
                }
            }
        }
        // Exact phrases ignore the joined form of hyphenated words: the
        // parts match with or without the hyphen.
        let no_joined: Vec<Token> = tokens
            .into_iter()
            .filter(|t| t.kind != TokenKind::Joined)
            .collect();
        Some(terms_query(&no_joined, &self.fields(scope, Mode::Exact)))
    }
}

/// The names in a node made only of `source:` terms (joined by OR).
fn source_names_of(node: &Node) -> Option<Vec<String>> {
    match node {
        Node::Source { name, .. } => Some(vec![name.clone()]),
        Node::Or(nodes) => nodes
            .iter()
            .map(source_names_of)
            .try_fold(Vec::new(), |mut acc, n| {
                acc.extend(n?);
                Some(acc)
            }),
        Node::Group(clauses) if clauses.iter().all(|c| c.occur == Occur::Should) => clauses
            .iter()
            .map(|c| source_names_of(&c.node))
            .try_fold(Vec::new(), |mut acc, n| {
                acc.extend(n?);
                Some(acc)
            }),
        _ => None,
    }
}

/// One term per position: a number's sign form (`£24`) stands in for the
/// bare number, as it is the more specific match.
fn sequence(tokens: &[Token]) -> Vec<(u32, String)> {
    let mut at: BTreeMap<u32, &Token> = BTreeMap::new();
    for t in tokens.iter().filter(|t| t.kind != TokenKind::Joined) {
        match at.get(&t.position) {
            Some(prev) if prev.kind == TokenKind::Symbol => {}
            _ => {
                at.insert(t.position, t);
            }
        }
    }
    at.into_iter().map(|(p, t)| (p, t.text.clone())).collect()
}

/// A query for the analysed tokens of one word or phrase over some fields:
/// a term for one position, a phrase for several; a hyphenated word's joined
/// form is an alternative to its parts.
fn terms_query(tokens: &[Token], fields: &[(Field, f32)]) -> Box<dyn Query> {
    let seq = sequence(tokens);
    let joined = tokens.iter().find(|t| t.kind == TokenKind::Joined);
    let mut alternatives: Vec<(TOccur, Box<dyn Query>)> = Vec::new();
    for &(field, boost) in fields {
        let q: Box<dyn Query> = if seq.len() == 1 {
            Box::new(TermQuery::new(
                Term::from_field_text(field, &seq[0].1),
                IndexRecordOption::WithFreqs,
            ))
        } else {
            let base = seq[0].0;
            Box::new(PhraseQuery::new_with_offset(
                seq.iter()
                    .map(|(p, t)| ((p - base) as usize, Term::from_field_text(field, t)))
                    .collect(),
            ))
        };
        alternatives.push((TOccur::Should, boosted(q, boost)));
        if let Some(j) = joined {
            let q = TermQuery::new(
                Term::from_field_text(field, &j.text),
                IndexRecordOption::WithFreqs,
            );
            alternatives.push((TOccur::Should, boosted(Box::new(q), boost)));
        }
    }
    if alternatives.len() == 1 {
        return alternatives.pop().map(|(_, q)| q).expect("one alternative");
    }
    Box::new(BooleanQuery::new(alternatives))
}

fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if boost == 1.0 {
        q
    } else {
        Box::new(BoostQuery::new(q, boost))
    }
}
