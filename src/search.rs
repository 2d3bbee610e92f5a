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
//! key sets applied, facets counted over every remaining article, and the
//! page of best articles loaded with their best passages and highlights.

use std::collections::{BTreeMap, HashSet};
use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur as TOccur, PhraseQuery, Query,
    RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use crate::analysis::{MAX_TOKEN_BYTES, Mode, Token, TokenKind, analyze, long_words};
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
    if plan.is_none() {
        // Every word was ignored. Matching everything would hide that.
        let (word, pos, why) = planner
            .ignored
            .first()
            .map(|(w, p, why)| (w.as_str(), *p, *why))
            .unwrap_or(("", 0, "no letters or digits"));
        return Err(Error::query(
            &req.query,
            pos,
            format!("nothing to search for: {word} has {why}"),
        ));
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

    let mut hits = Vec::new();
    for (score, agg) in articles.iter().skip(req.offset).take(req.limit) {
        if req.ids_only {
            hits.push(id_only_hit(&searcher, agg, *score)?);
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
            score: *score,
            passages,
        });
    }
    Ok(SearchResults {
        schema: JSON_SCHEMA_VERSION,
        query: req.query.clone(),
        total_articles,
        hits,
        facets,
        notices: planner.notices(),
    })
}

/// A hit with only its id (read from the id column) and score.
fn id_only_hit(searcher: &tantivy::Searcher, agg: &ArticleAgg, score: f32) -> Result<Hit> {
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
    Ok(Hit {
        id,
        title: String::new(),
        source: agg.source.as_deref().map(str::to_string),
        date: agg.day.and_then(crate::Date::from_key),
        path: None,
        line: None,
        url: None,
        score,
        passages: Vec::new(),
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
    /// Words too long to be indexed, shortened for display.
    long_words: Vec<String>,
    /// Every word left out for one of those reasons: text, position, why.
    ignored: Vec<(String, usize, &'static str)>,
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
            long_words: Vec::new(),
            ignored: Vec::new(),
            sources: Vec::new(),
        }
    }

    fn notices(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.stop_words.is_empty() && !self.stop_words_exact {
            out.push(format!(
                "common words not used for ranking: {}",
                listing(&self.stop_words, ", ")
            ));
        }
        if !self.empty_words.is_empty() {
            out.push(format!(
                "ignored (no letters or digits): {}",
                listing(&self.empty_words, " ")
            ));
        }
        if !self.long_words.is_empty() {
            out.push(format!(
                "ignored (words longer than {MAX_TOKEN_BYTES} bytes are not indexed): {}",
                listing(&self.long_words, " ")
            ));
        }
        out
    }

    /// `None` when the query has no positive term at all.
    fn plan(&mut self, clauses: &[Clause]) -> Result<Option<PlanParts>> {
        let mut parts = PlanParts::default();
        // Clauses that are filters, exclusions, or ignored words.
        let mut only_filters = true;
        let mut any_filter = false;
        for c in clauses {
            if let Some(names) = source_names_of(&c.node) {
                self.sources.push((c.occur, names));
                any_filter = true;
                continue;
            }
            self.reject_nested_sources(&c.node)?;
            let explicit = c.occur != Occur::Should;
            let (stop_words, ignored) = (self.stop_words.len(), self.ignored.len());
            let q = self.node(&c.node, explicit, c.occur != Occur::MustNot)?;
            let dropped_as_ignored =
                q.is_none() && self.stop_words.len() == stop_words && self.ignored.len() > ignored;
            if c.occur == Occur::MustNot {
                any_filter = true;
            } else if !dropped_as_ignored {
                only_filters = false;
            }
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
        // No clauses at all (an empty query) matches every article, like a
        // query of filters only.
        let filters_only = only_filters && (any_filter || clauses.is_empty());
        Ok((has_positive || filters_only).then_some(parts))
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
            Node::Word { text, scope, pos } => self.word(text, *pos, *scope, explicit, highlight),
            Node::Phrase { text, scope, pos } => self.phrase(text, *pos, *scope, highlight),
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

    /// Notes the parts of a word or phrase the index cannot hold; true if
    /// nothing else is left in it.
    fn note_long_words(&mut self, text: &str, pos: usize, quoted: bool) -> bool {
        let long = long_words(text);
        if long.is_empty() {
            return false;
        }
        for w in &long {
            let short: String = w.chars().take(20).collect();
            self.long_words.push(format!("{short}…"));
        }
        let shown: String = text.chars().take(20).collect();
        let shown = if quoted {
            format!("\"{shown}…\"")
        } else {
            format!("{shown}…")
        };
        self.ignored
            .push((shown, pos, "only words longer than 100 bytes"));
        true
    }

    fn word(
        &mut self,
        text: &str,
        pos: usize,
        scope: Scope,
        explicit: bool,
        highlight: bool,
    ) -> Option<Box<dyn Query>> {
        let has_long = self.note_long_words(text, pos, false);
        let mut tokens = Vec::new();
        analyze(text, Mode::Stemmed, &mut tokens);
        if !tokens.is_empty() {
            if has_long {
                // Only part of the word is left out; the rest is searched.
                self.ignored.pop();
            }
            if highlight {
                self.highlighter
                    .stemmed
                    .extend(tokens.iter().map(|t| t.text.clone()));
            }
            return Some(terms_query(&tokens, &self.fields(scope, Mode::Stemmed)));
        }
        analyze(text, Mode::Exact, &mut tokens);
        if tokens.is_empty() {
            if !has_long {
                self.empty_words.push(text.to_string());
                self.ignored
                    .push((text.to_string(), pos, "no letters or digits"));
            }
            return None;
        }
        if has_long {
            self.ignored.pop();
        }
        if !(explicit || self.stop_words_exact) {
            self.stop_words.push(text.to_string());
            return None;
        }
        self.exact(tokens, scope, highlight)
    }

    fn phrase(
        &mut self,
        text: &str,
        pos: usize,
        scope: Scope,
        highlight: bool,
    ) -> Option<Box<dyn Query>> {
        let has_long = self.note_long_words(text, pos, true);
        let mut tokens = Vec::new();
        analyze(text, Mode::Exact, &mut tokens);
        if tokens.is_empty() {
            if !has_long {
                self.empty_words.push(format!("\"{text}\""));
                self.ignored
                    .push((format!("\"{text}\""), pos, "no letters or digits"));
            }
            return None;
        }
        if has_long {
            self.ignored.pop();
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

/// Items for a notice: each once, in order, at most [`NOTICE_ITEMS`].
fn listing(items: &[String], sep: &str) -> String {
    let mut seen = HashSet::new();
    let unique: Vec<&str> = items
        .iter()
        .map(String::as_str)
        .filter(|i| seen.insert(*i))
        .collect();
    let mut out = unique
        .iter()
        .take(NOTICE_ITEMS)
        .map(|i| i.chars().map(crate::error::visible).collect::<String>())
        .collect::<Vec<_>>()
        .join(sep);
    if unique.len() > NOTICE_ITEMS {
        out.push_str(&format!(" and {} more", unique.len() - NOTICE_ITEMS));
    }
    out
}

/// Longest list a notice spells out.
const NOTICE_ITEMS: usize = 20;

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
