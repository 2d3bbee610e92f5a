//! The query language, parsed into a small tree with byte positions so every
//! error can point at the character that caused it.
//!
//! ```text
//! query   = clause*
//! clause  = ["+" | "-"] unit ("OR" unit)*
//! unit    = ["title:" | "source:"] (word | "\"" phrase "\"") | "(" query ")"
//! ```
//!
//! Plain words are ranked and not all required; `+` requires, `-` excludes,
//! `OR` joins alternatives, parentheses group. `source:` always filters.
//! A colon after any other word is just text (`covid:19` is two words).

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
    /// A quoted phrase.
    Phrase {
        /// The words between the quotes.
        text: String,
        /// Where it is searched.
        scope: Scope,
        /// The byte offset of its opening quote.
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
    if let Some((at, c)) = query
        .char_indices()
        .find(|(_, c)| c.is_control() && !c.is_whitespace())
    {
        return Err(Error::query(
            query,
            at,
            format!(
                "control character U+{:04X} in the query; remove it",
                c as u32
            ),
        ));
    }
    if syntax == Syntax::Plain {
        return Ok(plain(query));
    }
    let mut p = Parser { q: query, at: 0 };
    p.clauses(None)
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

struct Parser<'a> {
    q: &'a str,
    at: usize,
}

impl Parser<'_> {
    fn err<T>(&self, pos: usize, message: impl Into<String>) -> Result<T> {
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
                        return self.err(open, "this parenthesis is never closed");
                    }
                    return Ok(out);
                }
                Some(')') => {
                    if open.is_none() {
                        return self.err(self.at, "closing parenthesis without an opening one");
                    }
                    self.at += 1;
                    return Ok(out);
                }
                _ => {}
            }
            let start = self.at;
            if self.word_is_or() {
                return self.err(start, "OR needs a word or phrase on each side");
            }
            let mut clause = self.clause()?;
            // OR chain
            loop {
                let save = self.at;
                self.skip_ws();
                if !self.word_is_or() {
                    self.at = save;
                    break;
                }
                let or_pos = self.at;
                self.at += 2;
                self.skip_ws();
                match self.peek() {
                    None | Some(')') => {
                        return self.err(or_pos, "OR needs a word or phrase after it");
                    }
                    Some('+' | '-') => {
                        return self.err(
                            self.at,
                            "put + or - before the whole OR group, as in +(a OR b)",
                        );
                    }
                    _ => {}
                }
                if self.word_is_or() {
                    return self.err(self.at, "OR needs a word or phrase on each side");
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

    /// True if the next word is the operator `OR`.
    fn word_is_or(&self) -> bool {
        let rest = &self.q[self.at..];
        rest.starts_with("OR")
            && rest[2..]
                .chars()
                .next()
                .is_none_or(|c| c.is_whitespace() || c == '(' || c == '"' || c == ')')
    }

    fn clause(&mut self) -> Result<Clause> {
        let occur = match self.peek() {
            Some('+') => Occur::Must,
            Some('-') => Occur::MustNot,
            _ => Occur::Should,
        };
        if occur != Occur::Should {
            let op = self.at;
            self.at += 1;
            match self.peek() {
                None => return self.err(op, "this operator has nothing after it"),
                Some(c) if c.is_whitespace() || c == ')' => {
                    return self.err(
                        op,
                        "this operator must be followed directly by a word, phrase or group",
                    );
                }
                Some('+' | '-') => return self.err(self.at, "two operators in a row"),
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
            Some('"') => {
                let text = self.phrase()?;
                Ok(Node::Phrase {
                    text,
                    scope: Scope::All,
                    pos: start,
                })
            }
            Some('(') => {
                self.at += 1;
                let inner = self.clauses(Some(start))?;
                if inner.is_empty() {
                    return self.err(start, "empty parentheses");
                }
                Ok(Node::Group(inner))
            }
            _ => {
                let word = self.word().to_string();
                if let Some((field, value)) = word.split_once(':') {
                    let (field, value) = (field.to_string(), value.to_string());
                    let scope = match field.to_ascii_lowercase().as_str() {
                        "title" => Some(true),
                        "source" => Some(false),
                        _ => None,
                    };
                    if let Some(is_title) = scope {
                        let vpos = start + field.len() + 1;
                        let (value, quoted) = if value.is_empty() && self.peek() == Some('"') {
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
                            }
                        } else {
                            Node::Word {
                                text: value,
                                scope: Scope::Title,
                                pos: vpos,
                            }
                        });
                    }
                }
                Ok(Node::Word {
                    text: word,
                    scope: Scope::All,
                    pos: start,
                })
            }
        }
    }

    /// A `"quoted phrase"`; the cursor is on the opening quote.
    fn phrase(&mut self) -> Result<String> {
        let open = self.at;
        self.at += 1;
        match self.q[self.at..].find('"') {
            Some(len) => {
                let text = self.q[self.at..self.at + len].to_string();
                self.at += len + 1;
                if text.trim().is_empty() {
                    return self.err(open, "empty phrase");
                }
                Ok(text)
            }
            None => self.err(open, "this quote is never closed"),
        }
    }

    /// A bare word: up to whitespace, a parenthesis or a quote.
    fn word(&mut self) -> &str {
        let start = self.at;
        while let Some(c) = self.peek() {
            if c.is_whitespace() || c == '(' || c == ')' || c == '"' {
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
                pos: 27
            }
        );
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
    fn plain_syntax_has_no_operators() {
        let c = parse("(-) \"what\" OR +x", Syntax::Plain).unwrap();
        assert_eq!(c.len(), 4);
        assert!(c.iter().all(|c| c.occur == Occur::Should));
    }
}
