//! Planning: the parsed query into the one tantivy query a search runs,
//! with the terms to highlight and the notices on what was left out.
//!
//! Every positive word and phrase is an optional clause over the title and
//! the text (each weighted), so BM25 ranks articles by all of them, and two
//! words typed together also score as a phrase. Each plain word, phrase or
//! name is also a [`Wanted`] unit, which says whether an article holds it
//! (anywhere in it): what a search counts with every word asked for
//! ([`Words::All`]) and how it weighs an article that holds only some. A
//! `+word` is a clause every article must match and an `-excluded` one a
//! clause none may; neither scores. The filters restrict it without
//! scoring. Names the thesaurus knows become one unit each ([`names`]),
//! `word*` the words of the index it starts ([`prefix`]).

mod names;
mod prefix;
mod verify;
mod words;

pub(crate) use names::OTHER_NAMES_WEIGHT;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur as TOccur, Query};
use tantivy::schema::Field;

use super::filters::{Filters, every_article, filters};
use super::query::{self, Clause, Node, Occur, Scope};
use super::rank::{TEXT_WEIGHT, TITLE_WEIGHT};
use super::snippet::Highlighter;
use crate::analysis::{MAX_TOKEN_BYTES, Mode};
use crate::error::{Error, Result};
use crate::index::Index;
use crate::index::schema::Fields;
use crate::model::{AlsoSearched, SearchRequest, Words};
use crate::thesaurus::Thesaurus;
use names::Unit;

/// The tantivy query a search runs.
pub(super) struct Plan {
    /// Over articles: title and text, filtered; it matches an article with
    /// any of the query's words, and the `wanted` units say which it has.
    pub query: Box<dyn Query>,
    /// The same with every wanted unit required: the articles with every
    /// word, what counts count.
    pub strict: Box<dyn Query>,
    /// Whether it scores words (rather than match every article the
    /// filters and exclusions leave).
    pub scored: bool,
    /// The plain words, phrases and names of the query ([`Wanted`]).
    pub wanted: Vec<Wanted>,
}

/// A plain word, phrase or name of the query (not `+`required, not
/// `-`excluded): what an article holds of the query is which of these it
/// matches. `search` counts the articles with all of them ([`Words::All`])
/// and ranks the others after, by how much of the query they hold.
pub(super) struct Wanted {
    /// As typed, for telling what an article lacks.
    pub label: String,
    /// What an article must have to hold it (title or text; unscored).
    pub query: Box<dyn Query>,
}

/// Weight of a phrase of two words typed next to each other, against each
/// word's own.
pub(crate) const PROXIMITY_WEIGHT: f32 = 0.5;

/// The most units whose presence is told apart per article (a bit each);
/// the words of a longer query after these only rank.
pub(super) const MAX_WANTED: usize = 32;

/// Parses and plans the request's query, with its filters. Fails on a
/// query that cannot be read, one with nothing to search for, and an
/// unknown source.
pub(super) fn plan<'a>(
    index: &'a Index,
    searcher: &tantivy::Searcher,
    req: &'a SearchRequest,
    words: Words,
) -> Result<(Plan, Planner<'a>)> {
    let (clauses, read_plain) = query::read(&req.query, req.syntax)?;
    let thesaurus = if req.expand {
        Some(index.thesaurus()?)
    } else {
        None
    };
    let new = |stop_words_exact| Planner {
        stop_words_exact,
        ..Planner::new(&index.fields, searcher, req, words, thesaurus.clone())
    };
    let mut planner = new(false);
    let mut plan = planner.plan(&clauses)?;
    if plan.is_none() && !planner.stop_words.is_empty() {
        // Only common words: search them as they are rather than return nothing.
        planner = new(true);
        plan = planner.plan(&clauses)?;
    }
    planner.read_plain = read_plain;
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
    let filters = filters(index, searcher, req, &planner.sources)?;
    Ok((finish_plan(plan, filters), planner))
}

fn finish_plan(plan: Option<PlanParts>, filters: Filters) -> Plan {
    let mut parts = plan.unwrap_or_default();
    parts.wanted.truncate(MAX_WANTED);
    let any = |qs: Vec<Box<dyn Query>>| -> Option<Box<dyn Query>> {
        (!qs.is_empty()).then(|| {
            Box::new(BooleanQuery::new(
                qs.into_iter().map(|q| (TOccur::Should, q)).collect(),
            )) as Box<dyn Query>
        })
    };
    // One union of every scored clause, each weighted by its field: where
    // they are all terms, tantivy scores the union in its fast path for
    // terms (a union of a title union and a text union was a union of
    // two scorers more per match).
    let boost = |w: tantivy::Score| {
        move |q: Box<dyn Query>| Box::new(BoostQuery::new(q, w)) as Box<dyn Query>
    };
    let positive = any((parts.title.into_iter().map(boost(TITLE_WEIGHT)))
        .chain(parts.text.into_iter().map(boost(TEXT_WEIGHT)))
        .collect());
    let scored = positive.is_some();
    let mut clauses: Vec<(TOccur, Box<dyn Query>)> =
        vec![(TOccur::Must, positive.unwrap_or_else(every_article))];
    let unscored = |q: Box<dyn Query>| Box::new(ConstScoreQuery::new(q, 0.0)) as Box<dyn Query>;
    for q in parts.required {
        clauses.push((TOccur::Must, unscored(q)));
    }
    for q in parts.excluded {
        clauses.push((TOccur::MustNot, q));
    }
    for q in filters.must {
        clauses.push((TOccur::Must, unscored(q)));
    }
    for q in filters.must_not {
        clauses.push((TOccur::MustNot, q));
    }
    let strict = clauses
        .iter()
        .map(|(o, q)| (*o, q.box_clone()))
        .chain(
            parts
                .wanted
                .iter()
                .map(|w| (TOccur::Must, unscored(w.query.box_clone()))),
        )
        .collect();
    let one = |mut clauses: Vec<(TOccur, Box<dyn Query>)>| -> Box<dyn Query> {
        if clauses.len() == 1 && clauses[0].0 == TOccur::Must {
            clauses.pop().expect("one clause").1
        } else {
            Box::new(BooleanQuery::new(clauses))
        }
    };
    Plan {
        query: one(clauses),
        strict: one(strict),
        scored,
        wanted: parts.wanted,
    }
}

#[derive(Default)]
struct PlanParts {
    text: Vec<Box<dyn Query>>,
    title: Vec<Box<dyn Query>>,
    required: Vec<Box<dyn Query>>,
    excluded: Vec<Box<dyn Query>>,
    wanted: Vec<Wanted>,
}

/// Turns parsed clauses into tantivy queries, collecting highlight terms and
/// notices on the way.
pub(super) struct Planner<'a> {
    f: &'a Fields,
    searcher: tantivy::Searcher,
    query: &'a str,
    /// Whether plain words are all required.
    words: Words,
    /// The thesaurus names are expanded with (none with `expand` off).
    thesaurus: Option<Arc<Thesaurus>>,
    /// Follow successor links too.
    successors: bool,
    pub highlighter: Highlighter,
    /// Names of the query searched with their other names.
    pub also_searched: Vec<AlsoSearched>,
    /// Plain words searched: as typed, and their term in the stemmed
    /// fields (for spelling suggestions).
    pub typed_words: Vec<(String, String)>,
    /// The words each `word*` stood for, by its position in the query.
    prefixes: HashMap<usize, Vec<String>>,
    /// Notices on prefix searches (cut short, or matching no word).
    prefix_notices: Vec<String>,
    /// Why a query with a slip in its syntax was read as plain text.
    read_plain: Option<String>,
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

/// Article titles or texts: planned separately, each with its weight.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Title,
    Text,
}

impl<'a> Planner<'a> {
    fn new(
        f: &'a Fields,
        searcher: &tantivy::Searcher,
        req: &'a SearchRequest,
        words: Words,
        thesaurus: Option<Arc<Thesaurus>>,
    ) -> Planner<'a> {
        Planner {
            f,
            searcher: searcher.clone(),
            query: &req.query,
            words,
            thesaurus,
            successors: req.successors,
            highlighter: Highlighter::default(),
            also_searched: Vec::new(),
            typed_words: Vec::new(),
            prefixes: HashMap::new(),
            prefix_notices: Vec::new(),
            read_plain: None,
            stop_words: Vec::new(),
            stop_words_exact: false,
            empty_words: Vec::new(),
            long_words: Vec::new(),
            ignored: Vec::new(),
            sources: Vec::new(),
            target: Target::Text,
            loose: false,
        }
    }

    fn unit_for(
        &mut self,
        target: Target,
        unit: &Unit,
        explicit: bool,
        highlight: bool,
    ) -> Result<Option<Box<dyn Query>>> {
        self.target = target;
        self.unit(unit, explicit, highlight)
    }

    /// A unit's query over the current target.
    fn unit(
        &mut self,
        unit: &Unit,
        explicit: bool,
        highlight: bool,
    ) -> Result<Option<Box<dyn Query>>> {
        match unit {
            Unit::One(c) => self.node(&c.node, explicit, highlight),
            Unit::Names(n) => self.names(n, highlight),
        }
    }

    /// The units of a list of clauses: names the thesaurus knows grouped.
    fn units<'c>(&self, clauses: &'c [Clause]) -> Vec<Unit<'c>> {
        names::units(
            self.thesaurus.as_deref(),
            self.successors,
            self.query,
            clauses,
        )
    }

    pub fn notices(&mut self) -> Vec<String> {
        let mut out: Vec<String> = self.read_plain.take().into_iter().collect();
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
        out.append(&mut self.prefix_notices);
        out
    }

    /// `None` when the query has no positive term at all.
    fn plan(&mut self, clauses: &[Clause]) -> Result<Option<PlanParts>> {
        let mut parts = PlanParts::default();
        // Clauses that are filters, exclusions, or ignored words.
        let mut only_filters = true;
        let mut any_filter = false;
        let units = self.units(clauses);
        for unit in &units {
            if let Unit::One(c) = unit {
                if let Some(names) = source_names_of(&c.node) {
                    self.sources.push((c.occur, names));
                    any_filter = true;
                    continue;
                }
                self.reject_nested_sources(&c.node)?;
            }
            let occur = unit.occur();
            let explicit = occur != Occur::Should;
            let highlight = occur != Occur::MustNot;
            // Ranking: a hyphenated word also scores its parts on their own.
            self.loose = true;
            let (stop_words, ignored) = (self.stop_words.len(), self.ignored.len());
            let text = self.unit_for(Target::Text, unit, explicit, highlight)?;
            let title = self.unit_for(Target::Title, unit, explicit, highlight)?;
            let dropped_as_ignored = text.is_none()
                && title.is_none()
                && self.stop_words.len() == stop_words
                && self.ignored.len() > ignored;
            if occur == Occur::MustNot {
                any_filter = true;
            } else {
                if !dropped_as_ignored {
                    only_filters = false;
                }
                parts.title.extend(title);
                parts.text.extend(text);
            }
            // Holding, requiring and excluding: the words in order, anywhere.
            let Some(matching) = self.require(unit, explicit)? else {
                continue;
            };
            match occur {
                Occur::MustNot => parts.excluded.push(matching),
                Occur::Must => parts.required.push(matching),
                Occur::Should => parts.wanted.push(Wanted {
                    label: unit.label(),
                    query: matching,
                }),
            }
        }
        self.proximity(&units, &mut parts);
        let has_positive = !parts.text.is_empty() || !parts.title.is_empty();
        // No clauses at all (an empty query) matches every article, like a
        // query of filters only.
        let filters_only = only_filters && (any_filter || clauses.is_empty());
        Ok((has_positive || filters_only).then_some(parts))
    }

    /// Words typed next to each other (over any stop words between them)
    /// also score as a phrase, title and text each, at
    /// [`PROXIMITY_WEIGHT`]: an article that uses `primary care` ranks above
    /// one with a primary tumour and standard care, and a title with one of
    /// the words below an article that uses them together. Names the
    /// thesaurus knows score as the name already.
    fn proximity(&mut self, units: &[Unit], parts: &mut PlanParts) {
        let mut spans = Vec::new();
        let mut last: Option<usize> = None;
        for unit in units {
            let Unit::One(Clause {
                occur: Occur::Should,
                node:
                    Node::Word {
                        text,
                        scope: Scope::All,
                        pos,
                    },
            }) = unit
            else {
                last = None;
                continue;
            };
            if crate::analysis::is_stop_word(&text.to_lowercase()) {
                continue;
            }
            if let Some(start) = last {
                spans.push(start..pos + text.len());
            }
            last = Some(*pos);
        }
        for span in spans {
            let Some(text) = self.query.get(span) else {
                continue;
            };
            // Analysed once, as `stemmed_phrase` would, for both fields.
            let mut tokens = Vec::new();
            crate::analysis::analyze(text, Mode::Stemmed, &mut tokens);
            tokens.retain(|t| t.kind != crate::analysis::TokenKind::Acronym);
            if words::sequence(&tokens).len() < 2 {
                continue;
            }
            for (target, out) in [
                (Target::Text, &mut parts.text),
                (Target::Title, &mut parts.title),
            ] {
                self.target = target;
                if let Some(q) = self.stemmed_terms(&tokens, Scope::All, false, false) {
                    out.push(Box::new(BoostQuery::new(q, PROXIMITY_WEIGHT)));
                }
            }
        }
    }

    /// What an article must have to match a unit: its words in the title or
    /// the text (a group's clauses may each be in either). Does not score.
    fn require(&mut self, unit: &Unit, explicit: bool) -> Result<Option<Box<dyn Query>>> {
        match unit {
            Unit::One(c) => self.require_node(&c.node, explicit),
            Unit::Names(n) => self.names_required(n),
        }
    }

    /// [`Planner::require`] for one node.
    fn require_node(&mut self, node: &Node, explicit: bool) -> Result<Option<Box<dyn Query>>> {
        Ok(match node {
            Node::Or(nodes) => {
                let mut qs = Vec::new();
                for n in nodes {
                    qs.extend(self.require_node(n, explicit)?);
                }
                any_of(qs)
            }
            Node::Group(clauses) => {
                let mut qs = Vec::new();
                for u in &self.units(clauses) {
                    let occur = u.occur();
                    let Some(q) = self.require(u, explicit || occur != Occur::Should)? else {
                        continue;
                    };
                    let occur = match occur {
                        Occur::Should if self.words == Words::Any => TOccur::Should,
                        Occur::Should | Occur::Must => TOccur::Must,
                        Occur::MustNot => TOccur::MustNot,
                    };
                    qs.push((occur, q));
                }
                group(qs)
            }
            leaf => self.in_either(|p| p.node(leaf, explicit, false))?,
        })
    }

    /// A query built for the text and for the title, either matching.
    fn in_either(
        &mut self,
        mut build: impl FnMut(&mut Self) -> Result<Option<Box<dyn Query>>>,
    ) -> Result<Option<Box<dyn Query>>> {
        let loose = std::mem::replace(&mut self.loose, false);
        let mut qs = Vec::new();
        for target in [Target::Text, Target::Title] {
            self.target = target;
            qs.extend(build(self)?);
        }
        self.loose = loose;
        Ok(any_of(qs))
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
            Node::Phrase {
                text,
                scope,
                pos,
                exact,
            } => self.phrase(text, *pos, *scope, *exact, highlight),
            Node::Prefix { text, scope, pos } => self.prefix(text, *pos, *scope, highlight),
            Node::Source { .. } => unreachable!("source terms are filters"),
            Node::Or(nodes) => {
                let mut qs = Vec::new();
                for n in nodes {
                    qs.extend(self.node(n, explicit, highlight)?);
                }
                any_of(qs)
            }
            Node::Group(clauses) => {
                let mut qs = Vec::new();
                for u in &self.units(clauses) {
                    let c_occur = u.occur();
                    let hl = highlight && c_occur != Occur::MustNot;
                    if let Some(q) = self.unit(u, explicit || c_occur != Occur::Should, hl)? {
                        let occur = match c_occur {
                            Occur::Should => TOccur::Should,
                            Occur::Must => TOccur::Must,
                            Occur::MustNot => TOccur::MustNot,
                        };
                        qs.push((occur, q));
                    }
                }
                group(qs)
            }
        })
    }

    /// The field the current target searches for this scope, if any.
    fn field(&self, scope: Scope, mode: Mode) -> Option<Field> {
        match (self.target, scope, mode) {
            (Target::Title, _, Mode::Stemmed) => Some(self.f.title),
            (Target::Title, _, Mode::Exact) => Some(self.f.title_exact),
            (Target::Text, Scope::All, Mode::Stemmed) => Some(self.f.text),
            (Target::Text, Scope::All, Mode::Exact) => Some(self.f.text_exact),
            (Target::Text, Scope::Title, _) => None,
        }
    }
}

/// A group's clauses as one query; `None` for none. A group of exclusions
/// alone subtracts from every article.
fn group(mut qs: Vec<(TOccur, Box<dyn Query>)>) -> Option<Box<dyn Query>> {
    if qs.is_empty() {
        return None;
    }
    if qs.iter().all(|(o, _)| *o == TOccur::MustNot) {
        qs.push((TOccur::Must, every_article()));
    }
    Some(Box::new(BooleanQuery::new(qs)))
}

/// Any of these queries: `None` for none, the query itself for one.
fn any_of(mut qs: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match qs.len() {
        0 => None,
        1 => qs.pop(),
        _ => Some(Box::new(BooleanQuery::new(
            qs.into_iter().map(|q| (TOccur::Should, q)).collect(),
        ))),
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
