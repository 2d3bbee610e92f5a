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
//! Matching passages are grouped into articles ([`crate::search::collect`]), the
//! key sets applied, facets counted over every remaining article, copies of
//! one story grouped into one hit ([`crate::search::collapse`]), and the page of best
//! hits loaded with their best passages and highlights.

pub(crate) mod collapse;
pub(crate) mod collect;
pub(crate) mod feedback;
pub mod query;
pub(crate) mod rank;
pub(crate) mod snippet;

use std::collections::{BTreeMap, HashSet};
use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{
    AllQuery, Bm25StatisticsProvider, BooleanQuery, BoostQuery, ConstScoreQuery, Occur as TOccur,
    PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use crate::analysis::{MAX_TOKEN_BYTES, Mode, Token, TokenKind, analyze, long_words};
use crate::error::{Error, Result};
use crate::index::Index;
use crate::index::columns::SourceNames;
use crate::index::facets::FacetCounter;
use crate::index::schema::{Fields, source_key};
use crate::model::{Hit, JSON_SCHEMA_VERSION, PassageHit, SearchRequest, SearchResults, Sort};
use crate::search::collapse::Ranking;
use crate::search::collect::{
    ArticleAgg, ArticleCollector, ArticleKeys, FoundHeadsCollector, HeadScoreCollector, KeySet,
    KeySetCollector, SegmentArticles, found_heads, join_heads,
};
use crate::search::feedback::FEEDBACK;
use crate::search::rank::{TEXT_WEIGHT, TITLE_WEIGHT, article_score};
use crate::search::snippet::Highlighter;
use query::{Clause, Node, Occur, Scope};

/// The tantivy queries a search runs.
struct Plan {
    /// Passage bodies; `None` when only titles are searched.
    body: Option<Box<dyn Query>>,
    /// Article-level fields (title and whole text, on head passages only);
    /// `None` when no term can match them.
    article: Option<Box<dyn Query>>,
    required: Vec<Box<dyn Query>>,
    excluded: Vec<Box<dyn Query>>,
}

impl Index {
    /// Runs a search. See [`SearchRequest`] for what can be asked.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        run(self, request)
    }
}

fn run(index: &Index, req: &SearchRequest) -> Result<SearchResults> {
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
    let mut found: Vec<ArticleAgg> = match &plan.body {
        Some(q) => ArticleCollector {
            keep,
            clusters: req.collapse,
        }
        .search(&searcher, &**q)?,
        None => Vec::new(),
    };
    if let Some(q) = &plan.article {
        // Title and whole text score once per article, with statistics over
        // articles, beside the article's best passages.
        let stats = ArticleStats::new(&searcher, &index.fields)?;
        let heads = searcher.search_with_statistics_provider(&**q, &HeadScoreCollector, &stats)?;
        let mut articles = SegmentArticles::new(&searcher, req.collapse);
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

    let mut columns = Columns::new(&searcher);
    let keys = ArticleKeys::new(&searcher, found.len())?;
    // Articles read for feedback, by position in `found`.
    let mut loaded: rustc_hash::FxHashMap<usize, crate::model::Article> = Default::default();
    let fb = FEEDBACK;
    if req.feedback
        && req.sort == Sort::Relevance
        && plan.article.is_some()
        && found.len() > fb.articles
    {
        let mut top: Vec<(f32, usize)> = found
            .iter()
            .enumerate()
            .map(|(i, a)| (article_score(a.best(), a.head), i))
            .collect();
        // Ties go by article key, as in the ranking: by position they would
        // depend on the order the index happens to hold articles in.
        let desc = |a: &(f32, usize), b: &(f32, usize)| {
            b.0.total_cmp(&a.0)
                .then_with(|| keys.of(a.1, &found[a.1]).cmp(&keys.of(b.1, &found[b.1])))
        };
        top.select_nth_unstable_by(fb.articles - 1, desc);
        top.truncate(fb.articles);
        top.sort_unstable_by(desc);
        let mut docs = Vec::with_capacity(top.len());
        for (score, i) in top {
            let a = &found[i];
            let article = index.load_article(&searcher, a.head_at())?;
            let mut text = article.title.clone();
            if let Some(&(_, doc)) = a.passages.first() {
                let (start, end) = columns.passage_range(a.at(doc))?;
                text.push('\n');
                text.push_str(article.text.get(start..end).unwrap_or_default());
            }
            docs.push((score, text));
            // The best articles are mostly on the page too: read them once.
            loaded.insert(i, article);
        }
        if let Some(q) = crate::search::feedback::expansion(
            index.fields.text,
            &docs,
            &planner.highlighter.stemmed,
            fb,
        ) {
            let stats = ArticleStats::new(&searcher, &index.fields)?;
            let heads = FoundHeadsCollector {
                heads: found_heads(searcher.segment_readers().len(), &found),
            };
            for (at, score) in searcher.search_with_statistics_provider(&*q, &heads, &stats)? {
                found[at as usize].head += fb.weight * score;
            }
        }
    }
    let mut counter = FacetCounter::default();
    for a in &found {
        counter.add(a.source_ord(), a.day());
    }
    let total_articles = counter.total();
    // Source columns opened once, for the facets and the page.
    let mut names = SourceNames::new(&searcher);
    let facets = counter.finish(|keys| names.names(keys));

    // Rank (score, position) pairs rather than the aggregates themselves,
    // and order only as far as the page reaches.
    let mut order: Vec<(f32, u32)> = found
        .iter()
        .enumerate()
        .map(|(i, a)| (article_score(a.best(), a.head), i as u32))
        .collect();
    let by_score = |a: &(f32, u32), b: &(f32, u32)| {
        b.0.total_cmp(&a.0).then_with(|| {
            let (i, j) = (a.1 as usize, b.1 as usize);
            keys.of(i, &found[i]).cmp(&keys.of(j, &found[j]))
        })
    };
    let by_date = |a: &(f32, u32), b: &(f32, u32)| {
        found[b.1 as usize]
            .day_key
            .cmp(&found[a.1 as usize].day_key)
            .then_with(|| by_score(a, b))
    };
    let cmp: &Ranking = match req.sort {
        Sort::Relevance => &by_score,
        Sort::Date => &by_date,
    };
    let matched = order.len();
    let page_end = req.offset.saturating_add(req.limit);
    let (groups, total_groups) =
        crate::search::collapse::page_groups(&mut order, &found, cmp, page_end, req.collapse);
    let collapsed = (matched - total_groups) as u64;
    let page: Vec<&crate::search::collapse::Group> =
        groups.iter().skip(req.offset).take(req.limit).collect();
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
    for group in &page {
        let (score, agg) = (group.score, &found[group.at as usize]);
        let id = if req.ids_only { ids.next() } else { None };
        let also_in = group
            .copies
            .iter()
            .zip(ids.by_ref())
            .map(|(&i, id)| crate::search::collapse::other(&mut names, &found[i as usize], id))
            .collect();
        if req.ids_only {
            let mut hit = id_only_hit(&mut names, agg, score);
            hit.id = id.unwrap_or_default();
            hit.also_in = also_in;
            hits.push(hit);
            continue;
        }
        let article = match loaded.remove(&(group.at as usize)) {
            Some(article) => article,
            None => index.load_article(&searcher, agg.head_at())?,
        };
        let mut passages = Vec::new();
        for &(pscore, doc) in agg.passages.iter().take(req.passages) {
            let (start, end) = columns.passage_range(agg.at(doc))?;
            let Some(text) = article.text.get(start..end) else {
                return Err(index.corrupted("a passage range falls outside its article"));
            };
            passages.push(PassageHit {
                highlights: planner.highlighter.highlight(text),
                text: text.to_string(),
                score: pscore,
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
            score,
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

/// Fast-field columns of the segments hits come from, opened once per search
/// rather than once per hit.
struct Columns<'s> {
    searcher: &'s tantivy::Searcher,
    segments: Vec<Option<SegmentColumns>>,
}

struct SegmentColumns {
    id: Option<tantivy::columnar::StrColumn>,
    start: tantivy::columnar::Column<u64>,
    end: tantivy::columnar::Column<u64>,
}

impl<'s> Columns<'s> {
    fn new(searcher: &'s tantivy::Searcher) -> Columns<'s> {
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
                id: ff.str("id")?,
                start: ff.u64("start")?,
                end: ff.u64("end")?,
            });
        }
        Ok(slot.as_ref().expect("filled above"))
    }

    /// The byte range in its article of the passage at `addr`.
    fn passage_range(&mut self, addr: tantivy::DocAddress) -> Result<(usize, usize)> {
        let cols = self.segment(addr.segment_ord)?;
        let start = cols.start.first(addr.doc_id).unwrap_or(0) as usize;
        let end = cols.end.first(addr.doc_id).unwrap_or(0) as usize;
        Ok((start, end))
    }
}

/// BM25 statistics for the article-level fields: they are indexed on head
/// passages only, so the document count is the number of articles, not of
/// passages (which would make every title look long and every term rare).
struct ArticleStats<'a> {
    searcher: &'a tantivy::Searcher,
    articles: u64,
}

impl<'a> ArticleStats<'a> {
    fn new(searcher: &'a tantivy::Searcher, f: &Fields) -> Result<ArticleStats<'a>> {
        let mark = Term::from_field_text(f.is_head, crate::index::schema::HEAD_MARK);
        Ok(ArticleStats {
            searcher,
            articles: searcher.doc_freq(&mark)?.max(1),
        })
    }
}

impl Bm25StatisticsProvider for ArticleStats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        self.searcher.total_num_tokens(field)
    }
    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.articles)
    }
    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        self.searcher.doc_freq(term)
    }
}

/// A hit with only its score so far; the caller fills in the id.
fn id_only_hit(names: &mut SourceNames, agg: &ArticleAgg, score: f32) -> Hit {
    Hit {
        id: String::new(),
        title: String::new(),
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
    let filtered = |positive: Box<dyn Query>| -> Box<dyn Query> {
        let mut clauses: Vec<(TOccur, Box<dyn Query>)> = vec![(TOccur::Must, positive)];
        for q in &filters.must {
            clauses.push((
                TOccur::Must,
                Box::new(ConstScoreQuery::new(q.box_clone(), 0.0)),
            ));
        }
        for q in &filters.must_not {
            clauses.push((TOccur::MustNot, q.box_clone()));
        }
        Box::new(BooleanQuery::new(clauses))
    };
    let any = |qs: Vec<Box<dyn Query>>| -> Option<Box<dyn Query>> {
        (!qs.is_empty()).then(|| {
            Box::new(BooleanQuery::new(
                qs.into_iter().map(|q| (TOccur::Should, q)).collect(),
            )) as Box<dyn Query>
        })
    };
    let nothing_positive = parts.body.is_empty() && parts.title.is_empty();
    let body = if nothing_positive {
        Some(Box::new(AllQuery) as Box<dyn Query>)
    } else {
        any(parts.body)
    };
    Plan {
        body: body.map(&filtered),
        article: any([(parts.title, TITLE_WEIGHT), (parts.text, TEXT_WEIGHT)]
            .into_iter()
            .filter_map(|(qs, w)| {
                any(qs).map(|q| Box::new(BoostQuery::new(q, w)) as Box<dyn Query>)
            })
            .collect())
        .map(&filtered),
        required: parts.required,
        excluded: parts.excluded,
    }
}

#[derive(Default)]
struct PlanParts {
    body: Vec<Box<dyn Query>>,
    text: Vec<Box<dyn Query>>,
    title: Vec<Box<dyn Query>>,
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
    /// Which fields the queries being built run on.
    target: Target,
    /// Let a multi-part word (`IL-6`, `level-four`) also match its parts alone.
    loose: bool,
}

/// Passage bodies or article titles: planned separately so a title counts
/// once per article rather than once per passage.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Body,
    Title,
    Text,
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
            target: Target::Body,
            loose: false,
        }
    }

    fn node_for(
        &mut self,
        target: Target,
        node: &Node,
        explicit: bool,
        highlight: bool,
    ) -> Result<Option<Box<dyn Query>>> {
        self.target = target;
        self.node(node, explicit, highlight)
    }

    fn notices(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        for list in [&mut self.stop_words, &mut self.empty_words] {
            let mut seen = HashSet::new();
            list.retain(|w| seen.insert(w.clone()));
        }
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
            let highlight = c.occur != Occur::MustNot;
            // Ranking: a hyphenated word also scores its parts on their own.
            self.loose = true;
            let (stop_words, ignored) = (self.stop_words.len(), self.ignored.len());
            let body = self.node_for(Target::Body, &c.node, explicit, highlight)?;
            let dropped_as_ignored = body.is_none()
                && self.stop_words.len() == stop_words
                && self.ignored.len() > ignored;
            if c.occur == Occur::MustNot {
                any_filter = true;
            } else if !dropped_as_ignored {
                only_filters = false;
            }
            let title = self.node_for(Target::Title, &c.node, explicit, highlight)?;
            let text = self.node_for(Target::Text, &c.node, explicit, highlight)?;
            if c.occur == Occur::Should {
                parts.body.extend(body);
                parts.title.extend(title);
                parts.text.extend(text);
                continue;
            }
            // Requiring and excluding: the words as written.
            self.loose = false;
            let strict: Vec<Box<dyn Query>> = [Target::Body, Target::Title]
                .into_iter()
                .map(|t| self.node_for(t, &c.node, explicit, false))
                .collect::<Result<Vec<_>>>()?
                .into_iter()
                .flatten()
                .collect();
            let matching: Box<dyn Query> = match strict.len() {
                0 => continue,
                1 => strict.into_iter().next().expect("one query"),
                _ => Box::new(BooleanQuery::new(
                    strict.into_iter().map(|q| (TOccur::Should, q)).collect(),
                )),
            };
            if c.occur == Occur::Must {
                parts.body.extend(body);
                parts.title.extend(title);
                parts.text.extend(text);
                parts.required.push(matching);
            } else {
                parts.excluded.push(matching);
            }
        }
        let has_positive = !parts.body.is_empty() || !parts.title.is_empty();
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
                    qs.push((TOccur::Must, self.everything()));
                }
                (!qs.is_empty()).then(|| Box::new(BooleanQuery::new(qs)) as Box<dyn Query>)
            }
        })
    }

    /// Every document the current target searches, for a group of
    /// exclusions alone to subtract from, scored 1 as `AllQuery` scores:
    /// every passage for bodies, only head passages for the article-level
    /// fields (any other document there would be taken for an article).
    fn everything(&self) -> Box<dyn Query> {
        match self.target {
            Target::Body => Box::new(AllQuery),
            Target::Title | Target::Text => {
                let mark = Term::from_field_text(self.f.is_head, crate::index::schema::HEAD_MARK);
                Box::new(ConstScoreQuery::new(
                    Box::new(TermQuery::new(mark, IndexRecordOption::Basic)),
                    1.0,
                ))
            }
        }
    }

    /// The field the current target searches for this scope, if any.
    fn field(&self, scope: Scope, mode: Mode) -> Option<Field> {
        match (self.target, scope, mode) {
            (Target::Body, Scope::All, Mode::Stemmed) => Some(self.f.body),
            (Target::Body, Scope::All, Mode::Exact) => Some(self.f.body_exact),
            (Target::Body, Scope::Title, _) => None,
            (Target::Title, _, Mode::Stemmed) => Some(self.f.title),
            (Target::Title, _, Mode::Exact) => Some(self.f.title_exact),
            (Target::Text, Scope::All, Mode::Stemmed) => Some(self.f.text),
            (Target::Text, _, _) => None,
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
            let positions = self.target != Target::Text;
            let field = self.field(scope, Mode::Stemmed)?;
            let parts = sequence(&tokens);
            let joined = tokens.iter().find(|t| t.kind == TokenKind::Joined);
            let hyphenated = text.chars().any(crate::analysis::is_hyphen_char);
            // A word that mixes letters and digits (`H1N1`, `FoxO3a`) is one
            // name: the word, and its runs of two letters or more, stand in
            // for it; its digits and single letters alone would match nearly
            // every article (and swell counts and facets).
            let letters_and_digits = self.loose && joined.is_some() && !hyphenated;
            let split = letters_and_digits || (self.loose && positions && parts.len() > 1);
            if !split {
                return terms_query(&tokens, field, positions);
            }
            // The parts alone, not the phrase again: a phrase match would
            // count twice and outrank better articles (docs/RELEVANCE.md).
            let wanted = parts.into_iter().map(|(_, t)| t).filter(|t| {
                !letters_and_digits
                    || (t.chars().count() >= 2 && !t.bytes().all(|b| b.is_ascii_digit()))
            });
            let alternatives = joined
                .map(|j| j.text.clone())
                .into_iter()
                .chain(wanted)
                .map(|t| {
                    let q = TermQuery::new(
                        Term::from_field_text(field, &t),
                        IndexRecordOption::WithFreqs,
                    );
                    (TOccur::Should, Box::new(q) as Box<dyn Query>)
                })
                .collect();
            return Some(Box::new(BooleanQuery::new(alternatives)));
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
                [] => {}
                [(_, t)] => {
                    self.highlighter.exact.insert(t.clone());
                }
                [(base, _), ..] => {
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
        self.field(scope, Mode::Exact)
            .and_then(|f| terms_query(&no_joined, f, true))
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
///
/// A hyphenated word whose parts are all stop words (`as-is`, `to-do`) keeps
/// only its joined form in the stemmed fields: that form is the word as
/// written and is searched alone. `None` only when no token is left at all.
fn terms_query(tokens: &[Token], field: Field, positions: bool) -> Option<Box<dyn Query>> {
    let term = |t: &str| {
        TermQuery::new(
            Term::from_field_text(field, t),
            IndexRecordOption::WithFreqs,
        )
    };
    let seq = sequence(tokens);
    let main: Option<Box<dyn Query>> = match seq.as_slice() {
        [] => None,
        _ if !positions => Some(Box::new(BooleanQuery::new(
            seq.iter()
                .map(|(_, t)| (TOccur::Should, Box::new(term(t)) as Box<dyn Query>))
                .collect(),
        ))),
        [(_, t)] => Some(Box::new(term(t))),
        [(base, _), ..] => Some(Box::new(PhraseQuery::new_with_offset(
            seq.iter()
                .map(|(p, t)| ((p - base) as usize, Term::from_field_text(field, t)))
                .collect(),
        ))),
    };
    let joined = tokens
        .iter()
        .find(|t| t.kind == TokenKind::Joined)
        .map(|j| Box::new(term(&j.text)) as Box<dyn Query>);
    match (main, joined) {
        (Some(main), Some(joined)) => Some(Box::new(BooleanQuery::new(vec![
            (TOccur::Should, main),
            (TOccur::Should, joined),
        ]))),
        (one, None) | (None, one) => one,
    }
}
