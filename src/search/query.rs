//! The query language, parsed into a small tree with byte positions so every
//! error can point at the character that caused it.
//!
//! ```text
//! query   = clause ("AND"? clause)*
//! clause  = ["+" | "-" | "NOT"] unit ("OR" unit)*
//! unit    = ["title:" | "source:" | "exact:"] (word | word "*" | "\"" phrase "\"")
//!         | "(" query ")"
//! ```
//!
//! Plain words are [`Occur::Should`]: the search decides whether each is
//! required (every word, by default) or only ranks. `+` requires as
//! written, `-` and `NOT` exclude, `AND` requires the clauses on both
//! sides, `OR` joins alternatives (and binds tighter than `AND`),
//! parentheses group. `AND`, `OR` and `NOT` are operators only in capitals.
//! Typographic double quotes (`“…”`, `„…“`), as text pasted from a web page
//! has them, quote as `"` does. `source:` always filters;
//! `exact:` asks for the words as written, not their inflections; `word*`
//! is every word starting so. A colon after any other word is just text
//! (`covid:19` is two words).
//!
//! Two limits keep every later stage (planning, scoring, highlighting) safe
//! on any input, whatever the caller's stack: a query is at most
//! [`MAX_QUERY_BYTES`] long and nests parentheses at most [`MAX_DEPTH`]
//! deep. Both are checked before anything recurses, and a query past either
//! is refused with the position where it went past.

use crate::error::{Error, Result};
use crate::model::Syntax;

/// How a clause takes part in the match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Occur {
    /// May match: ranks, not required.
    Should,
    /// Must match (`+`).
    Must,
    /// Must not match (`-`).
    MustNot,
}

/// Which text a word or phrase is matched against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Title and body.
    All,
    /// Title only (`title:`).
    Title,
}

/// One node of a parsed query.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// One word.
    Word {
        /// The word as written.
        text: String,
        /// Where it is searched.
        scope: Scope,
        /// Its byte offset in the query.
        pos: usize,
    },
    /// A quoted phrase, or a word or phrase after `exact:`.
    Phrase {
        /// The words between the quotes.
        text: String,
        /// Where it is searched.
        scope: Scope,
        /// The byte offset of its opening quote.
        pos: usize,
        /// Only the words as written (`exact:`), not their inflections.
        exact: bool,
    },
    /// Every word starting with `text` (`privati*`).
    Prefix {
        /// The letters before the `*`.
        text: String,
        /// Where it is searched.
        scope: Scope,
        /// Its byte offset in the query.
        pos: usize,
    },
    /// A `source:` filter.
    Source {
        /// The source name.
        name: String,
        /// Its byte offset in the query.
        pos: usize,
    },
    /// Any of these (`OR`).
    Or(Vec<Node>),
    /// A parenthesised group of clauses.
    Group(Vec<Clause>),
}

/// A node with its occurrence.
#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    /// How the clause counts.
    pub occur: Occur,
    /// What it matches.
    pub node: Node,
}

/// Parses `query` in the given syntax.
///
/// A control character (other than tab and line breaks, which separate words)
/// is an error in either syntax: it is never part of a word a person typed,
/// and dropping it silently could join or split words.
pub fn parse(query: &str, syntax: Syntax) -> Result<Vec<Clause>> {
    check_length(query)?;
    check_control(query)?;
    if syntax == Syntax::Plain {
        return Ok(plain(query));
    }
    check_depth(query)?;
    parse_query(query).0
}

/// Reads `query` as a search does: as [`parse`], except that a query in
/// the query syntax with a slip in it (a stray quote, bullet, parenthesis
/// or operator, as text pasted from a page has) is read as plain text, with
/// a notice saying so. Errors whose meaning is clear (`title:` with
/// nothing after it, a two-letter prefix) and the limits stay errors.
pub fn read(query: &str, syntax: Syntax) -> Result<(Vec<Clause>, Option<String>)> {
    if syntax == Syntax::Plain {
        return Ok((parse(query, syntax)?, None));
    }
    check_length(query)?;
    check_control(query)?;
    check_depth(query)?;
    match parse_query(query) {
        (Ok(clauses), _) => Ok((clauses, None)),
        (
            Err(Error::Query {
                position, message, ..
            }),
            true,
        ) => {
            let notice = format!(
                "read as plain text, without operators: {message} (at character {}); fix that to use quotes and operators, or use --plain",
                query[..position].chars().count() + 1
            );
            Ok((plain(query), Some(notice)))
        }
        (Err(e), _) => Err(e),
    }
}

/// The query syntax's clauses, and whether a failure was a slip.
fn parse_query(query: &str) -> (Result<Vec<Clause>>, bool) {
    let mut p = Parser {
        q: query,
        at: 0,
        slipped: std::cell::Cell::new(false),
    };
    let r = p.clauses(None);
    (r, p.slipped.get())
}

/// Refuses a control character other than whitespace.
fn check_control(query: &str) -> Result<()> {
    match query
        .char_indices()
        .find(|(_, c)| c.is_control() && !c.is_whitespace())
    {
        Some((at, c)) => Err(Error::query(
            query,
            at,
            format!(
                "control character U+{:04X} in the query; remove it",
                c as u32
            ),
        )),
        None => Ok(()),
    }
}

/// The longest query read, in bytes (about 15,000 words of English, room for
/// a pasted article): longer text is not a query but a collection.
pub const MAX_QUERY_BYTES: usize = 100_000;

/// The deepest nesting of parentheses read. Every stage after parsing walks
/// the query's tree recursively; this bound keeps that walk a few kilobytes
/// of stack on any thread, where a person's queries rarely nest past three.
pub const MAX_DEPTH: usize = 32;

/// Refuses a query past [`MAX_QUERY_BYTES`], pointing at the limit.
fn check_length(query: &str) -> Result<()> {
    if query.len() > MAX_QUERY_BYTES {
        let mut at = MAX_QUERY_BYTES;
        while !query.is_char_boundary(at) {
            at -= 1;
        }
        return Err(Error::query(
            query,
            at,
            format!(
                "the query is {} bytes long; hpsearch reads queries of up to {MAX_QUERY_BYTES} bytes",
                query.len()
            ),
        ));
    }
    Ok(())
}

/// Refuses a query that nests parentheses past [`MAX_DEPTH`], pointing at
/// the one that went past. Quoted text is skipped as the parser skips it: a
/// parenthesis inside a phrase opens nothing. (Plain text has no groups.)
fn check_depth(query: &str) -> Result<()> {
    let (mut depth, mut quoted) = (0usize, false);
    for (at, c) in query.char_indices() {
        match c {
            c if is_quote(c) => quoted = !quoted,
            '(' if !quoted => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(Error::query(
                        query,
                        at,
                        format!(
                            "parentheses nested more than {MAX_DEPTH} deep; hpsearch reads up to {MAX_DEPTH} levels"
                        ),
                    ));
                }
            }
            ')' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// A double quote: the typewriter one, or a typographic one (`“ ” „ ‟`).
pub fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}')
}

/// Natural-language text: every whitespace-separated word a ranked word.
fn plain(query: &str) -> Vec<Clause> {
    let mut out = Vec::new();
    let mut at = 0;
    for word in query.split_whitespace() {
        let pos = query[at..].find(word).map_or(at, |i| at + i);
        at = pos + word.len();
        out.push(Clause {
            occur: Occur::Should,
            node: Node::Word {
                text: word.to_string(),
                scope: Scope::All,
                pos,
            },
        });
    }
    out
}

/// Letters a prefix search needs before its `*`: fewer would match a good
/// part of the dictionary.
pub const MIN_PREFIX: usize = 3;

struct Parser<'a> {
    q: &'a str,
    at: usize,
    /// Set by [`Parser::slip`].
    slipped: std::cell::Cell<bool>,
}

impl Parser<'_> {
    /// An error in a query whose meaning is clear (`title:` with nothing
    /// after it): it stays an error.
    fn err<T>(&self, pos: usize, message: impl Into<String>) -> Result<T> {
        Err(Error::query(self.q, pos, message))
    }

    /// A slip, such as text pasted with a stray quote, bullet or
    /// parenthesis: [`read`] searches the query as plain text instead.
    fn slip<T>(&self, pos: usize, message: impl Into<String>) -> Result<T> {
        self.slipped.set(true);
        Err(Error::query(self.q, pos, message))
    }

    fn peek(&self) -> Option<char> {
        self.q[self.at..].chars().next()
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            if !c.is_whitespace() {
                break;
            }
            self.at += c.len_utf8();
        }
    }

    /// Clauses up to the end, or up to the `)` closing the `(` at `open`.
    fn clauses(&mut self, open: Option<usize>) -> Result<Vec<Clause>> {
        let mut out: Vec<Clause> = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                None => {
                    if let Some(open) = open {
                        return self.slip(open, "this parenthesis is never closed");
                    }
                    return Ok(out);
                }
                Some(')') => {
                    if open.is_none() {
                        return self.slip(self.at, "closing parenthesis without an opening one");
                    }
                    self.at += 1;
                    return Ok(out);
                }
                _ => {}
            }
            let start = self.at;
            if self.word_is("OR") {
                return self.slip(start, "OR needs a word or phrase on each side");
            }
            let joined = if self.word_is("AND") {
                if out.is_empty() {
                    return self.slip(start, "AND needs a word or phrase on each side");
                }
                self.at += 3;
                self.skip_ws();
                if matches!(self.peek(), None | Some(')'))
                    || self.word_is("AND")
                    || self.word_is("OR")
                {
                    return self.slip(start, "AND needs a word or phrase on each side");
                }
                true
            } else {
                false
            };
            let mut clause = self.clause()?;
            if joined {
                // Both sides required: what a clause already excludes stays
                // excluded.
                for c in [out.last_mut().expect("a clause before AND"), &mut clause] {
                    if c.occur == Occur::Should {
                        c.occur = Occur::Must;
                    }
                }
            }
            // OR chain
            loop {
                let save = self.at;
                self.skip_ws();
                if !self.word_is("OR") {
                    self.at = save;
                    break;
                }
                let or_pos = self.at;
                self.at += 2;
                self.skip_ws();
                match self.peek() {
                    None | Some(')') => {
                        return self.slip(or_pos, "OR needs a word or phrase after it");
                    }
                    Some('+' | '-') => {
                        return self.err(
                            self.at,
                            "put + or - before the whole OR group, as in +(a OR b)",
                        );
                    }
                    _ if self.word_is("NOT") => {
                        return self.err(
                            self.at,
                            "put NOT before the whole OR group, as in NOT (a OR b)",
                        );
                    }
                    _ => {}
                }
                if self.word_is("OR") || self.word_is("AND") {
                    return self.slip(self.at, "OR needs a word or phrase on each side");
                }
                let next = self.unit()?;
                clause.node = match clause.node {
                    Node::Or(mut v) => {
                        v.push(next);
                        Node::Or(v)
                    }
                    first => Node::Or(vec![first, next]),
                };
            }
            out.push(clause);
        }
    }

    /// True if the next word is the operator `op` (`OR`, `AND`).
    fn word_is(&self, op: &str) -> bool {
        let rest = &self.q[self.at..];
        rest.starts_with(op)
            && rest[op.len()..]
                .chars()
                .next()
                .is_none_or(|c| c.is_whitespace() || c == '(' || is_quote(c) || c == ')')
    }

    fn clause(&mut self) -> Result<Clause> {
        if self.word_is("NOT") {
            let op = self.at;
            self.at += 3;
            self.skip_ws();
            if matches!(self.peek(), None | Some(')')) {
                return self.slip(op, "NOT needs a word, phrase or group after it");
            }
            if matches!(self.peek(), Some('+' | '-')) || self.word_is("NOT") {
                return self.slip(self.at, "two operators in a row");
            }
            if self.word_is("AND") || self.word_is("OR") {
                return self.slip(op, "NOT needs a word, phrase or group after it");
            }
            return Ok(Clause {
                occur: Occur::MustNot,
                node: self.unit()?,
            });
        }
        let occur = match self.peek() {
            Some('+') => Occur::Must,
            Some('-') => Occur::MustNot,
            _ => Occur::Should,
        };
        if occur != Occur::Should {
            let op = self.at;
            self.at += 1;
            match self.peek() {
                None => return self.slip(op, "this operator has nothing after it"),
                Some(c) if c.is_whitespace() || c == ')' => {
                    return self.slip(
                        op,
                        "this operator must be followed directly by a word, phrase or group",
                    );
                }
                Some('+' | '-') => return self.slip(self.at, "two operators in a row"),
                _ => {}
            }
        }
        Ok(Clause {
            occur,
            node: self.unit()?,
        })
    }

    fn unit(&mut self) -> Result<Node> {
        let start = self.at;
        match self.peek() {
            Some(c) if is_quote(c) => {
                let text = self.phrase()?;
                Ok(Node::Phrase {
                    text,
                    scope: Scope::All,
                    pos: start,
                    exact: false,
                })
            }
            Some('(') => {
                self.at += 1;
                let inner = self.clauses(Some(start))?;
                if inner.is_empty() {
                    return self.slip(start, "empty parentheses");
                }
                Ok(Node::Group(inner))
            }
            _ => {
                let word = self.word().to_string();
                if let Some((field, value)) = word.split_once(':') {
                    let (field, value) = (field.to_string(), value.to_string());
                    let prefix = field.to_ascii_lowercase();
                    if prefix == "exact" {
                        let vpos = start + field.len() + 1;
                        let text = if value.is_empty() && self.peek().is_some_and(is_quote) {
                            self.phrase()?
                        } else {
                            value
                        };
                        if text.trim().is_empty() {
                            return self.err(vpos, "exact: needs a word or \"phrase\"");
                        }
                        return Ok(Node::Phrase {
                            text,
                            scope: Scope::All,
                            pos: vpos,
                            exact: true,
                        });
                    }
                    let scope = match prefix.as_str() {
                        "title" => Some(true),
                        "source" => Some(false),
                        _ => None,
                    };
                    if let Some(is_title) = scope {
                        let vpos = start + field.len() + 1;
                        let (value, quoted) =
                            if value.is_empty() && self.peek().is_some_and(is_quote) {
                                (self.phrase()?, true)
                            } else {
                                (value, false)
                            };
                        if value.trim().is_empty() {
                            let what = if is_title {
                                "title: needs a word or \"phrase\""
                            } else {
                                "source: needs a source name, as in source:Reuters or source:\"The Guardian\""
                            };
                            return self.err(vpos, what);
                        }
                        return Ok(if !is_title {
                            Node::Source {
                                name: value,
                                pos: vpos,
                            }
                        } else if quoted {
                            Node::Phrase {
                                text: value,
                                scope: Scope::Title,
                                pos: vpos,
                                exact: false,
                            }
                        } else {
                            self.word_or_prefix(value, Scope::Title, vpos)?
                        });
                    }
                }
                self.word_or_prefix(word, Scope::All, start)
            }
        }
    }

    /// A word, or a prefix search when it ends in `*`.
    fn word_or_prefix(&self, word: String, scope: Scope, pos: usize) -> Result<Node> {
        let Some(head) = word.strip_suffix('*') else {
            return Ok(Node::Word {
                text: word,
                scope,
                pos,
            });
        };
        let letters = head.chars().filter(|c| c.is_alphanumeric()).count();
        if letters == 0 {
            // A bullet, or a footnote mark.
            return self.slip(pos, "a * with no word before it");
        }
        if head.contains('*') || letters < MIN_PREFIX {
            return self.err(
                pos,
                format!(
                    "a prefix search needs at least {MIN_PREFIX} letters before one final *, as in privati*"
                ),
            );
        }
        Ok(Node::Prefix {
            text: head.to_string(),
            scope,
            pos,
        })
    }

    /// A `"quoted phrase"`; the cursor is on the opening quote. Any of the
    /// quotes closes any other.
    fn phrase(&mut self) -> Result<String> {
        let open = self.at;
        self.at += self.peek().map_or(1, char::len_utf8);
        match self.q[self.at..].find(is_quote) {
            Some(len) => {
                let text = self.q[self.at..self.at + len].to_string();
                let close = self.q[self.at + len..]
                    .chars()
                    .next()
                    .map_or(1, char::len_utf8);
                self.at += len + close;
                if text.trim().is_empty() {
                    return self.slip(open, "empty phrase");
                }
                Ok(text)
            }
            None => self.slip(open, "this quote is never closed"),
        }
    }

    /// A bare word: up to whitespace, a parenthesis or a quote.
    fn word(&mut self) -> &str {
        let start = self.at;
        while let Some(c) = self.peek() {
            if c.is_whitespace() || c == '(' || c == ')' || is_quote(c) {
                break;
            }
            self.at += c.len_utf8();
        }
        &self.q[start..self.at]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(q: &str) -> Vec<Clause> {
        parse(q, Syntax::Query).unwrap()
    }

    fn err_at(q: &str) -> usize {
        match parse(q, Syntax::Query) {
            Err(Error::Query { position, .. }) => position,
            other => panic!("{q}: {other:?}"),
        }
    }

    fn word(t: &str, pos: usize) -> Node {
        Node::Word {
            text: t.into(),
            scope: Scope::All,
            pos,
        }
    }

    #[test]
    fn words_operators_phrases() {
        let c = p("nhs +strike -privatisation \"junior doctors\"");
        assert_eq!(c.len(), 4);
        assert_eq!(
            c[0],
            Clause {
                occur: Occur::Should,
                node: word("nhs", 0)
            }
        );
        assert_eq!(
            c[1],
            Clause {
                occur: Occur::Must,
                node: word("strike", 5)
            }
        );
        assert_eq!(c[2].occur, Occur::MustNot);
        assert_eq!(
            c[3].node,
            Node::Phrase {
                text: "junior doctors".into(),
                scope: Scope::All,
                pos: 27,
                exact: false,
            }
        );
    }

    #[test]
    fn and_requires_both_sides_and_or_binds_tighter() {
        let c = p("ebola AND measles");
        assert_eq!(c.len(), 2);
        assert!(c.iter().all(|c| c.occur == Occur::Must));
        let c = p("nurses OR midwives AND strike -pay");
        assert_eq!(c.len(), 3);
        assert!(matches!(c[0].node, Node::Or(_)));
        assert_eq!(c[0].occur, Occur::Must);
        assert_eq!(c[1].occur, Occur::Must);
        assert_eq!(c[2].occur, Occur::MustNot);
        // Lower-case `and` is a word; `ANDREW` is a word.
        assert!(
            p("nurses and midwives")
                .iter()
                .all(|c| c.occur == Occur::Should)
        );
        assert_eq!(p("ANDREW lansley")[0].node, word("ANDREW", 0));
        assert_eq!(err_at("AND strike"), 0);
        assert_eq!(err_at("strike AND"), 7);
        assert_eq!(err_at("a AND AND b"), 2);
        assert_eq!(err_at("a AND OR b"), 2);
        assert_eq!(err_at("(a AND) b"), 3);
    }

    #[test]
    fn exact_and_prefix() {
        assert_eq!(
            p("exact:\"junior doctor\"")[0].node,
            Node::Phrase {
                text: "junior doctor".into(),
                scope: Scope::All,
                pos: 6,
                exact: true,
            }
        );
        assert!(matches!(
            &p("exact:doctors")[0].node,
            Node::Phrase { text, exact: true, .. } if text == "doctors"
        ));
        assert_eq!(
            p("privati*")[0].node,
            Node::Prefix {
                text: "privati".into(),
                scope: Scope::All,
                pos: 0
            }
        );
        assert!(matches!(
            &p("title:strik*")[0].node,
            Node::Prefix { text, scope: Scope::Title, pos: 6 } if text == "strik"
        ));
        assert_eq!(err_at("nhs pr*"), 4);
        assert_eq!(err_at("a*b*"), 0);
        assert_eq!(err_at("exact:"), 6);
    }

    #[test]
    fn not_excludes_as_minus_does() {
        let c = p("ebola NOT vaccine");
        assert_eq!(c.len(), 2);
        assert_eq!(c[1].occur, Occur::MustNot);
        assert_eq!(c[1].node, word("vaccine", 10));
        assert_eq!(p("ebola NOT vaccine"), {
            let mut minus = p("ebola -vaccine");
            if let Node::Word { pos, .. } = &mut minus[1].node {
                *pos = 10;
            }
            minus
        });
        let c = p("nurses AND NOT (strike OR ballot)");
        assert_eq!(c[0].occur, Occur::Must);
        assert_eq!(c[1].occur, Occur::MustNot);
        assert!(matches!(&c[1].node, Node::Group(g) if matches!(g[0].node, Node::Or(_))));
        // Lower case is a word; so is NOTE.
        assert!(p("not vaccine").iter().all(|c| c.occur == Occur::Should));
        assert_eq!(p("NOTES")[0].node, word("NOTES", 0));
        assert_eq!(err_at("ebola NOT"), 6);
        assert_eq!(err_at("NOT -vaccine"), 4);
        assert_eq!(err_at("a OR NOT b"), 5);
        assert_eq!(err_at("a NOT OR b"), 2);
    }

    #[test]
    fn typographic_quotes_quote() {
        let curly = p("\u{201C}cancer risk\u{201D} nhs");
        assert_eq!(curly.len(), 2);
        assert!(
            matches!(&curly[0].node, Node::Phrase { text, pos: 0, .. } if text == "cancer risk")
        );
        assert_eq!(
            curly[1].node,
            word("nhs", "\u{201C}cancer risk\u{201D} ".len())
        );
        assert!(matches!(
            &p("\u{201E}junior doctors\u{201C}")[0].node,
            Node::Phrase { text, .. } if text == "junior doctors"
        ));
        assert!(matches!(
            &p("source:\u{201C}The Guardian\u{201D}")[0].node,
            Node::Source { name, .. } if name == "The Guardian"
        ));
        assert_eq!(err_at("nurses \u{201C}pay deal"), 7);
        // A parenthesis inside curly quotes opens nothing.
        let quoted = format!("\u{201C}{}\u{201D} nurses", "(".repeat(100));
        assert_eq!(p(&quoted).len(), 2);
    }

    #[test]
    fn hyphen_inside_a_word_is_not_an_operator() {
        assert_eq!(p("level-four")[0].node, word("level-four", 0));
    }

    #[test]
    fn or_chains_and_groups() {
        let c = p("+(strike OR walkout OR \"industrial action\") nurses");
        assert_eq!(c.len(), 2);
        let Node::Group(inner) = &c[0].node else {
            panic!()
        };
        let Node::Or(alts) = &inner[0].node else {
            panic!()
        };
        assert_eq!(alts.len(), 3);
        // lower-case `or` is a word
        assert_eq!(p("this or that").len(), 3);
    }

    #[test]
    fn fields() {
        let c = p("title:strike source:\"The Guardian\" title:\"pay deal\" covid:19");
        assert_eq!(
            c[0].node,
            Node::Word {
                text: "strike".into(),
                scope: Scope::Title,
                pos: 6
            }
        );
        assert_eq!(
            c[1].node,
            Node::Source {
                name: "The Guardian".into(),
                pos: 20
            }
        );
        assert!(matches!(
            c[2].node,
            Node::Phrase {
                scope: Scope::Title,
                ..
            }
        ));
        assert_eq!(c[3].node, word("covid:19", 52));
    }

    #[test]
    fn errors_point_at_the_cause() {
        assert_eq!(err_at("nurses \"pay deal"), 7);
        assert_eq!(err_at("(nurses pay"), 0);
        assert_eq!(err_at("nurses pay)"), 10);
        assert_eq!(err_at("nurses - pay"), 7);
        assert_eq!(err_at("nurses +"), 7);
        assert_eq!(err_at("OR nurses"), 0);
        assert_eq!(err_at("nurses OR"), 7);
        assert_eq!(err_at("source:"), 7);
        assert_eq!(err_at("a \"\" b"), 2);
        assert_eq!(err_at("()"), 0);
        assert_eq!(err_at("nurses \u{7}pay"), 7);
        assert_eq!(err_at("Zoë\u{1b}[31m"), 4);
        assert!(matches!(
            parse("a\u{0}b", Syntax::Plain),
            Err(Error::Query { position: 1, .. })
        ));
        // tabs and line breaks are spaces
        assert_eq!(p("nurses\tpay\r\nstrike").len(), 3);
    }

    #[test]
    fn error_messages_show_a_window_and_no_control_characters() {
        let long = format!("{} \"open", "word ".repeat(2000));
        let msg = parse(&long, Syntax::Query).unwrap_err().to_string();
        assert!(msg.len() < 400, "{msg}");
        let lines: Vec<&str> = msg.lines().collect();
        let caret = lines[2].find('^').unwrap();
        let shown: Vec<char> = lines[1].chars().collect();
        assert_eq!(shown[caret], '"', "{msg}");
        let msg = parse("a\tb\u{1b}[2J", Syntax::Query)
            .unwrap_err()
            .to_string();
        assert!(!msg.contains('\u{1b}') && msg.contains('\u{241B}'), "{msg}");
        let lines: Vec<&str> = msg.lines().collect();
        let caret = lines[2].find('^').unwrap();
        assert_eq!(lines[1].chars().nth(caret), Some('\u{241B}'), "{msg}");
    }

    #[test]
    fn deep_nesting_is_refused_where_it_goes_past_the_limit() {
        let deep = |n: usize| format!("{}nurses{}", "(".repeat(n), ")".repeat(n));
        assert_eq!(p(&deep(MAX_DEPTH)).len(), 1);
        for n in [MAX_DEPTH + 1, 2000, 3000] {
            assert_eq!(err_at(&deep(n)), MAX_DEPTH, "{n}");
        }
        // Unclosed, and mixed with operators.
        assert_eq!(err_at(&"(".repeat(2000)), MAX_DEPTH);
        assert_eq!(err_at(&"-(a ".repeat(1000)), 4 * MAX_DEPTH + 1);
        // A parenthesis in a phrase opens nothing.
        let quoted = format!("\"{}\" nurses", "(".repeat(100));
        assert_eq!(p(&quoted).len(), 2);
    }

    #[test]
    fn long_queries_are_refused_at_the_limit() {
        let long = vec!["nurses"; 20_000].join(" OR ");
        assert_eq!(err_at(&long), MAX_QUERY_BYTES);
        // A multi-byte character straddling the limit: the position is a
        // character boundary before it.
        let long = format!("a{}", "é".repeat(MAX_QUERY_BYTES));
        assert_eq!(err_at(&long), MAX_QUERY_BYTES - 1);
        assert!(matches!(
            parse(&"a ".repeat(MAX_QUERY_BYTES), Syntax::Plain),
            Err(Error::Query {
                position: MAX_QUERY_BYTES,
                ..
            })
        ));
        let under = vec!["nurses"; 5000].join(" OR ");
        assert!(under.len() <= MAX_QUERY_BYTES);
        assert_eq!(p(&under).len(), 1);
    }

    #[test]
    fn plain_syntax_has_no_operators() {
        let c = parse("(-) \"what\" OR +x", Syntax::Plain).unwrap();
        assert_eq!(c.len(), 4);
        assert!(c.iter().all(|c| c.occur == Occur::Should));
    }
}
