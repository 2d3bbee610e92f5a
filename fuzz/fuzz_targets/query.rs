//! The query parser: any text parses or gives an error that points inside it,
//! and the error message can always be shown. As a search reads it, text
//! with a slip in its syntax is plain text with a short notice.
#![no_main]

use hpsearch::Syntax;
use hpsearch::query::{Clause, Node, parse, read};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    for syntax in [Syntax::Query, Syntax::Plain] {
        match parse(query, syntax) {
            Ok(clauses) => check(query, &clauses),
            Err(hpsearch::Error::Query { position, .. }) => {
                assert!(position <= query.len() && query.is_char_boundary(position));
            }
            Err(other) => panic!("not a query error: {other}"),
        }
        if let Err(e) = parse(query, syntax) {
            // The message is printed as it is: only its own line breaks may
            // be control characters, and it stays short however long the query.
            let shown = e.to_string();
            assert!(
                !shown.chars().any(|c| c.is_control() && c != '\n'),
                "a control character reaches the terminal: {shown:?}"
            );
            assert_eq!(shown.lines().count(), 3, "{shown:?}");
            assert!(shown.chars().count() < 400, "{shown:?}");
        }
        match read(query, syntax) {
            Ok((clauses, notice)) => {
                check(query, &clauses);
                if let Some(n) = notice {
                    assert!(!n.chars().any(char::is_control), "{n:?}");
                    assert!(n.chars().count() < 300, "{n:?}");
                }
            }
            Err(hpsearch::Error::Query { position, .. }) => {
                assert!(position <= query.len() && query.is_char_boundary(position));
            }
            Err(other) => panic!("not a query error: {other}"),
        }
    }
});

fn check(query: &str, clauses: &[Clause]) {
    for c in clauses {
        node(query, &c.node);
    }
}

fn node(query: &str, n: &Node) {
    match n {
        Node::Word { text, pos, .. }
        | Node::Phrase { text, pos, .. }
        | Node::Prefix { text, pos, .. } => {
            assert!(query.is_char_boundary(*pos) && *pos < query.len());
            assert!(!text.is_empty());
        }
        Node::Source { name, pos } => {
            assert!(query.is_char_boundary(*pos) && *pos <= query.len());
            assert!(!name.trim().is_empty());
        }
        Node::Or(v) => v.iter().for_each(|n| node(query, n)),
        Node::Group(c) => check(query, c),
    }
}
