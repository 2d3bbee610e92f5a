//! Names the thesaurus knows, found in the query: the typed name and its
//! other names become one unit that matches any of them, the typed name
//! weighted above the others so articles that use it rank first.
//!
//! A name typed as plain words is still those words (every one required,
//! anywhere, as without the thesaurus): its other names only add articles.
//! A name typed as a phrase, or one with a stop word in it (`A and E`),
//! whose words alone would say little, is matched as the name.

use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, Occur as TOccur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;

use super::{Planner, Target, any_of};
use crate::analysis::{Mode, Token, TokenKind, analyze, is_stop_word};
use crate::error::Result;
use crate::model::AlsoSearched;
use crate::search::query::{Clause, Node, Occur, Scope};
use crate::thesaurus::{Name, Thesaurus};

/// Weight of a name's other names against the name typed.
pub(crate) const OTHER_NAMES_WEIGHT: f32 = 0.3;

/// A name of the query with its other names.
pub(super) struct Names {
    /// The name as typed.
    pub typed_text: String,
    /// The thesaurus's name the typed text is.
    pub typed: Name,
    /// The words typed, when they stand for the name themselves.
    pub words: Vec<Node>,
    /// Its other names.
    pub others: Vec<Name>,
}

/// What the planner plans as one: a clause, or the clauses that typed a
/// name the thesaurus knows.
pub(super) enum Unit<'c> {
    One(&'c Clause),
    Names(Names),
}

impl Unit<'_> {
    /// How the unit takes part in the match: a name's words were plain.
    pub fn occur(&self) -> Occur {
        match self {
            Unit::One(c) => c.occur,
            Unit::Names(_) => Occur::Should,
        }
    }

    /// The unit as typed, near enough to name what an article lacks.
    pub fn label(&self) -> String {
        match self {
            Unit::One(c) => label(&c.node),
            Unit::Names(n) => n.typed_text.clone(),
        }
    }
}

/// A node written back as query text.
fn label(node: &Node) -> String {
    let field = |scope: &Scope| if *scope == Scope::Title { "title:" } else { "" };
    match node {
        Node::Word { text, scope, .. } => format!("{}{text}", field(scope)),
        Node::Phrase {
            text, scope, exact, ..
        } => {
            let exact = if *exact { "exact:" } else { "" };
            format!("{}{exact}\"{text}\"", field(scope))
        }
        Node::Prefix { text, scope, .. } => format!("{}{text}*", field(scope)),
        Node::Source { name, .. } => format!("source:\"{name}\""),
        Node::Or(nodes) => nodes.iter().map(label).collect::<Vec<_>>().join(" OR "),
        Node::Group(clauses) => format!(
            "({})",
            clauses
                .iter()
                .map(|c| label(&c.node))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}

/// The clauses as units: each run of plain words (and each quoted phrase)
/// that is a name of the thesaurus becomes one unit, the longest name first.
pub(super) fn units<'c>(
    thesaurus: Option<&Thesaurus>,
    successors: bool,
    query: &str,
    clauses: &'c [Clause],
) -> Vec<Unit<'c>> {
    let Some(thesaurus) = thesaurus else {
        return clauses.iter().map(Unit::One).collect();
    };
    let mut out = Vec::with_capacity(clauses.len());
    // Each plain word analysed once, whichever start of its run finds it.
    let mut keys: Vec<Option<Vec<String>>> = vec![None; clauses.len()];
    let mut i = 0;
    while i < clauses.len() {
        let plain: Vec<(&str, usize)> = clauses[i..]
            .iter()
            .map_while(|c| match (&c.occur, &c.node) {
                (
                    Occur::Should,
                    Node::Word {
                        text,
                        scope: Scope::All,
                        pos,
                    },
                ) => Some((text.as_str(), *pos)),
                _ => None,
            })
            .collect();
        let words: Vec<&str> = plain.iter().map(|(w, _)| *w).collect();
        let cache = &mut keys[i..i + words.len()];
        if let Some(found) = thesaurus.find_with(&words, cache, successors) {
            let (last, at) = plain[found.words - 1];
            let from = plain[0].1;
            let stop_words = words[..found.words]
                .iter()
                .any(|w| is_stop_word(&w.to_lowercase()));
            out.push(Unit::Names(Names {
                typed_text: query
                    .get(from..at + last.len())
                    .unwrap_or(last)
                    .trim_matches(|c: char| !c.is_alphanumeric() && c != '&')
                    .to_string(),
                typed: found.typed.clone(),
                words: if stop_words {
                    Vec::new()
                } else {
                    clauses[i..i + found.words]
                        .iter()
                        .map(|c| c.node.clone())
                        .collect()
                },
                others: found.others.into_iter().cloned().collect(),
            }));
            i += found.words;
            continue;
        }
        if let Clause {
            occur: Occur::Should,
            node:
                Node::Phrase {
                    text,
                    scope: Scope::All,
                    exact: false,
                    ..
                },
        } = &clauses[i]
        {
            let words: Vec<&str> = text.split_whitespace().collect();
            if let Some(found) = thesaurus.find(&words, successors)
                && found.words == words.len()
            {
                out.push(Unit::Names(Names {
                    typed_text: format!("\"{text}\""),
                    typed: found.typed.clone(),
                    words: Vec::new(),
                    others: found.others.into_iter().cloned().collect(),
                }));
                i += 1;
                continue;
            }
        }
        out.push(Unit::One(&clauses[i]));
        i += 1;
    }
    out
}

impl Planner<'_> {
    /// A unit of names over the current target: the typed name, or (less)
    /// any other.
    pub(super) fn names(&mut self, n: &Names, highlight: bool) -> Result<Option<Box<dyn Query>>> {
        let mut qs: Vec<Box<dyn Query>> = Vec::new();
        // The name as one (for words typed, a bonus where they stand
        // together as the name).
        qs.extend(self.name(&n.typed, highlight, false));
        for word in &n.words {
            qs.extend(self.node(word, false, highlight)?);
        }
        for other in &n.others {
            if let Some(q) = self.name(other, highlight, true) {
                qs.push(Box::new(BoostQuery::new(q, OTHER_NAMES_WEIGHT)));
            }
        }
        if highlight
            && self.target == Target::Text
            && !n.others.is_empty()
            && !self.also_searched.iter().any(|a| a.typed == n.typed_text)
        {
            self.also_searched.push(AlsoSearched {
                typed: n.typed_text.clone(),
                names: n.others.iter().map(|o| o.text.to_string()).collect(),
            });
        }
        Ok(any_of(qs))
    }

    /// What an article must have to match a unit of names: every word
    /// typed (each in the title or the text), or any other name.
    pub(super) fn names_required(&mut self, n: &Names) -> Result<Option<Box<dyn Query>>> {
        let mut qs: Vec<Box<dyn Query>> = Vec::new();
        if n.words.is_empty() {
            qs.extend(self.in_either(|p| Ok(p.name(&n.typed, false, false)))?);
        } else {
            let mut all = Vec::new();
            for word in &n.words {
                if let Some(q) = self.in_either(|p| p.node(word, false, false))? {
                    all.push((TOccur::Must, q));
                }
            }
            if !all.is_empty() {
                qs.push(Box::new(BooleanQuery::new(all)));
            }
        }
        for other in &n.others {
            qs.extend(self.in_either(|p| Ok(p.name(other, false, true)))?);
        }
        Ok(any_of(qs))
    }

    /// One name over the current target: another name that is an acronym
    /// as capitals only (the name typed in any case, as any word typed), a
    /// name with a stop word in it (`A and E`) as written, any other as a
    /// phrase of stemmed words (so it matches inflected). `lesser`: another
    /// name, not the one typed.
    fn name(&mut self, name: &Name, highlight: bool, lesser: bool) -> Option<Box<dyn Query>> {
        if lesser && name.acronym && !name.has_ampersand() {
            let field = self.field(Scope::All, Mode::Stemmed)?;
            if highlight
                && self
                    .highlighter
                    .add(Mode::Stemmed, &[(0, name.text.to_string())])
            {
                self.highlighter.lesser.insert(name.text.to_string());
            }
            return Some(Box::new(TermQuery::new(
                Term::from_field_text(field, &name.text),
                IndexRecordOption::WithFreqs,
            )));
        }
        let (mut stemmed, mut exact) = (Vec::new(), Vec::new());
        analyze(&name.text, Mode::Stemmed, &mut stemmed);
        analyze(&name.text, Mode::Exact, &mut exact);
        stemmed.retain(|t| t.kind != TokenKind::Acronym);
        let words = |tokens: &[Token]| tokens.iter().filter(|t| t.kind == TokenKind::Word).count();
        if words(&stemmed) < words(&exact) {
            return self.exact(&name.text, exact, Scope::All, highlight);
        }
        self.stemmed_terms(&stemmed, Scope::All, highlight, lesser)
    }
}
