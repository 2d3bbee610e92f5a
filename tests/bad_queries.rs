//! Bad queries: each is a clear error that points at the cause and exits
//! with status 2, or has a documented lenient reading. Never a panic, never
//! a word dropped without a notice.

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use common::{hp, repo, run};
use serde_json::Value;

/// One index of the fixtures for this test binary, built by the command.
fn index() -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let r = run(hp(&dir.path().join("idx"))
            .arg("index")
            .arg(repo().join("fixtures")));
        assert_eq!(r.code, 0, "{}", r.stderr);
        dir
    });
    dir.path().join("idx")
}

/// Runs `search QUERY` with extra flags.
fn search(query: &str, flags: &[&str]) -> common::Run {
    run(hp(&index()).arg("search").args(flags).arg("--").arg(query))
}

/// The query is refused with exit 2, the message, and a caret under `at`
/// (a character column in the echoed query).
fn refused(query: &str, message: &str, at: usize) {
    let r = search(query, &[]);
    assert_eq!(r.code, 2, "{query:?}: {}", r.stderr);
    assert!(
        r.stderr.contains(&format!("position {at}")) && r.stderr.contains(message),
        "{query:?}: {}",
        r.stderr
    );
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{}", r.stderr);
    let caret = lines[2].find('^').expect("a caret line");
    let col = query[..at].chars().count() + 2;
    assert_eq!(caret, col, "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

/// Text with a slip in its syntax (pasted with a stray quote, bullet or
/// parenthesis) is searched as plain text, with a notice that says what was
/// wrong and where (`at`: a byte offset), and the answer is the plain
/// reading's.
fn read_plain(query: &str, message: &str, at: usize) {
    let r = search(query, &[]);
    assert!(r.code == 0 || r.code == 1, "{query:?}: {}", r.stderr);
    let col = query[..at].chars().count() + 1;
    assert!(
        r.stderr.contains("read as plain text")
            && r.stderr.contains(message)
            && r.stderr.contains(&format!("(at character {col})")),
        "{query:?}: {}",
        r.stderr
    );
    let plain = search(query, &["--plain", "--json"]);
    let lenient = search(query, &["--json"]);
    assert_eq!(plain.code, lenient.code);
    let total = |r: &common::Run| {
        serde_json::from_str::<Value>(&r.stdout).unwrap()["total_articles"].clone()
    };
    assert_eq!(total(&plain), total(&lenient), "{query:?}");
}

/// Nothing left to search once the syntax is set aside: refused.
fn nothing_to_search(query: &str) {
    let r = search(query, &[]);
    assert_eq!(r.code, 2, "{query:?}: {}", r.stderr);
    assert!(r.stderr.contains("nothing to search for"), "{}", r.stderr);
}

#[test]
fn unbalanced_quotes_and_parentheses() {
    read_plain("nurses \"pay deal", "this quote is never closed", 7);
    read_plain("+(strike OR walkout", "this parenthesis is never closed", 1);
    read_plain("strike)", "closing parenthesis without an opening one", 6);
    read_plain("(a (b)", "this parenthesis is never closed", 0);
    read_plain("“pay deal", "this quote is never closed", 0);
    nothing_to_search("\"\"");
    nothing_to_search("()");
}

#[test]
fn lone_operators() {
    nothing_to_search("-");
    nothing_to_search("+");
    read_plain("nurses -", "this operator has nothing after it", 7);
    read_plain("OR", "OR needs a word or phrase on each side", 0);
    read_plain("nurses OR", "OR needs a word or phrase after it", 7);
    read_plain("OR nurses", "OR needs a word or phrase on each side", 0);
    read_plain("+ nurses", "must be followed directly by a word", 0);
    read_plain("+-nurses", "two operators in a row", 1);
    // A bullet pasted with a list.
    read_plain("* nurses pay", "a * with no word before it", 0);
    // Where the meaning is clear, the error stays.
    refused("a OR +b", "put + or - before the whole OR group", 5);
    refused(
        "pay NOT (a OR NOT b)",
        "put NOT before the whole OR group",
        14,
    );
    refused("nhs ab*", "a prefix search needs at least 3 letters", 4);
}

#[test]
fn source_filters() {
    refused("nurses source:", "source: needs a source name", 14);
    refused("title:", "title: needs a word", 6);
    // An unknown source says so and suggests the closest names.
    for query in ["source:\"Union Vioce\" pay", "source:unionvoise"] {
        let r = search(query, &[]);
        assert_eq!(r.code, 2);
        assert!(
            r.stderr.contains("no articles from a source named")
                && r.stderr.contains("did you mean \"Union Voice\""),
            "{}",
            r.stderr
        );
    }
    let r = search("pay", &["--source", "Ward Buletin"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("\"Ward Bulletin\""), "{}", r.stderr);
    // Nothing close: the message says where to find the names.
    let r = search("pay", &["--exclude-source", "Qqqqqq"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("`hpsearch sources`"), "{}", r.stderr);
}

#[test]
fn impossible_and_reversed_dates() {
    for (flags, message) in [
        (["--since", "2025-13-01"], "month must be 01 to 12"),
        (["--until", "2025-02-30"], "that month has no such day"),
        (["--since", "yesterday"], "--since"),
    ] {
        let r = search("nurses", &flags);
        assert_eq!(r.code, 2, "{flags:?}");
        assert!(r.stderr.contains(message), "{flags:?}: {}", r.stderr);
    }
    let r = search("nurses", &["--since", "2025", "--until", "2024-06"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("starts on 2025-01-01, after it ends on 2024-06-30: nothing can match (--since is after --until)"),
        "{}",
        r.stderr
    );
}

#[test]
fn control_characters_are_refused_and_never_echoed() {
    for (query, at, code) in [
        ("nur\u{7}ses", 3, "U+0007"),
        ("strike \u{1b}[2J", 7, "U+001B"),
        ("pay\u{7f}", 3, "U+007F"),
        ("pay \u{85}\u{9b}x", 6, "U+009B"),
    ] {
        refused(query, code, at);
        let r = search(query, &["--plain"]);
        assert_eq!(r.code, 2);
        assert!(
            !r.stderr.chars().any(|c| c.is_control() && c != '\n'),
            "{:?}",
            r.stderr
        );
    }
    // Tabs and line breaks separate words like spaces.
    let r = search("junior\tdoctors\r\nstrike", &["--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn only_stop_words_or_only_punctuation() {
    // Only common words: searched as written, and no notice claims they were dropped.
    let r = search("the and of", &["--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["total_articles"].as_u64().unwrap() > 0);
    let notices = v["notices"].as_array().unwrap();
    assert!(
        notices
            .iter()
            .all(|n| !n.as_str().unwrap().contains("common words")),
        "{v}"
    );
    // Only punctuation: nothing to search for, said with the position.
    refused(
        "!!! ???",
        "nothing to search for: !!! has no letters or digits",
        0,
    );
    refused("  \"...\"  ", "nothing to search for", 2);
    // Punctuation beside real words: ignored with a notice, not silently.
    let r = search("nurses !!!", &["--json"]);
    assert_eq!(r.code, 0);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["notices"][0], "ignored (no letters or digits): !!!");
    assert!(r.stderr.contains("ignored (no letters or digits): !!!"));
    // An exclusion beside punctuation still excludes.
    // An empty query matches every article, as a query of filters alone does.
    let all = search("", &["--json", "-n", "0"]);
    let all: Value = serde_json::from_str(&all.stdout).unwrap();
    assert_eq!(all["total_articles"], 51);
    let r = search("-nurses !!!", &["--json", "-n", "0"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let nurses = search("nurses", &["--json", "-n", "0"]);
    let nurses: Value = serde_json::from_str(&nurses.stdout).unwrap();
    assert_eq!(
        v["total_articles"].as_u64().unwrap() + nurses["total_articles"].as_u64().unwrap(),
        all["total_articles"].as_u64().unwrap()
    );
}

#[test]
fn words_longer_than_the_index_holds() {
    let long = "a".repeat(150);
    refused(&long, "only words longer than 100 bytes", 0);
    let r = search(&format!("nurses {long}"), &["--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let notice = v["notices"][0].as_str().unwrap();
    assert!(
        notice.starts_with("ignored (words longer than 100 bytes are not indexed): aaaa"),
        "{notice}"
    );
}

/// 10,000 words: answered, with every common word named once in the notice.
#[test]
fn ten_thousand_word_query() {
    let text = std::fs::read_to_string(
        repo()
            .join("fixtures")
            .join("cc-2024-01-six-day-strike-long-read.md"),
    )
    .unwrap();
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| w.chars().all(char::is_alphanumeric))
        .collect();
    let query: Vec<&str> = words.iter().cycle().take(10_000).copied().collect();
    let query = query.join(" ");
    for flags in [&["--json"][..], &["--json", "--plain"][..]] {
        let r = search(&query, flags);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v["hits"][0]["id"], "cc-2024-01-six-day-strike-long-read");
        let notices = v["notices"].as_array().unwrap();
        let notice = notices
            .iter()
            .filter_map(Value::as_str)
            .find(|n| n.starts_with("common words"))
            .unwrap_or_else(|| panic!("{notices:?}"));
        let listed = notice
            .strip_prefix("common words not used for ranking: ")
            .unwrap_or_else(|| panic!("{notice}"));
        let listed = listed.split(" and ").next().unwrap();
        let items: Vec<&str> = listed.split(", ").collect();
        let unique: std::collections::HashSet<&&str> = items.iter().collect();
        assert_eq!(unique.len(), items.len(), "{notice}");
        assert!(items.contains(&"the"), "{notice}");
        assert!(notice.len() < 300, "{notice}");
    }
    // All required: every one must hold, as with a short query.
    let required: Vec<String> = words
        .iter()
        .filter(|w| !hpsearch::analysis::is_stop_word(&w.to_lowercase()))
        .cycle()
        .take(10_000)
        .map(|w| format!("+{w}"))
        .collect();
    let r = search(&required.join(" "), &["--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["total_articles"], 1);
    // A slip deep in a long query: read as plain text, with a short notice
    // that points at it.
    let broken = format!("{query} \"open");
    let r = search(&broken, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let notice = r
        .stderr
        .lines()
        .find(|l| l.contains("read as plain text"))
        .unwrap();
    assert!(notice.len() < 200, "{notice}");
    assert!(
        notice.contains(&format!("at character {}", query.chars().count() + 2)),
        "{notice}"
    );
    // A clear error deep in a long query shows a short window around it.
    let broken = format!("{query} title:");
    let r = search(&broken, &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.len() < 400, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("position {}", query.len() + 7)));
}

/// The reproduction of a panic: a hyphenated word of stop words, alone and
/// in a batch, is answered, and the lines after it too.
#[test]
fn stop_word_hyphens_answer_on_the_command_line() {
    for q in [
        "as-is",
        "nurses as-is",
        "+as-is",
        "title:as-is",
        "\"as-is\"",
    ] {
        for flags in [&[][..], &["--json"], &["--plain"], &["--sort", "date"]] {
            let r = search(q, flags);
            assert!(r.code == 0 || r.code == 1, "{q:?} {flags:?}: {}", r.stderr);
            assert!(!r.stderr.contains("panicked"), "{q:?}: {}", r.stderr);
        }
    }
    assert_eq!(search("nurses as-is", &[]).code, 0, "nurses still match");

    let out = hp(&index())
        .args(["batch", "-n", "2"])
        .write_stdin("nurses as-is\nas-is\ntitle:\nnhs\n")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let text = String::from_utf8(out.stdout).unwrap();
    let answers = common::batch_answers(&text);
    assert_eq!(answers.len(), 4, "{text}");
    assert_eq!(answers[0].len(), 2, "nurses as-is: {text}");
    assert!(answers[1].is_empty(), "as-is is in no fixture: {text}");
    let error = &answers[2][0];
    assert!(
        error["error"].as_str().unwrap().contains("title: needs"),
        "{error}"
    );
    assert_eq!(error["line"], 3);
    assert_eq!(error["query"], "title:");
    assert_eq!(
        answers[3].len(),
        2,
        "the line after an error is answered: {text}"
    );
}

/// The deep and long queries that once overflowed the stack, and the long
/// ones beside them, as `(where it is refused, query)`: nesting past the
/// limit is refused at the parenthesis that goes past it, length at the
/// limit; `None`: a flat query of thousands of clauses, answered.
fn deep_queries() -> Vec<(Option<usize>, String)> {
    use hpsearch::query::{MAX_DEPTH, MAX_QUERY_BYTES};
    let nested = |n: usize| format!("{}nurses{}", "(".repeat(n), ")".repeat(n));
    vec![
        (Some(MAX_DEPTH), nested(2000)),
        (Some(MAX_DEPTH), nested(3000)),
        (Some(MAX_DEPTH), "(".repeat(2000)),
        (Some(2 * MAX_DEPTH + 1), "-(".repeat(2000) + "nurses"),
        (
            Some(MAX_DEPTH + 7),
            format!("nurses {}pay", "(".repeat(1500)),
        ),
        (Some(5 * MAX_DEPTH), "(NOT ".repeat(1500) + "pay"),
        (None, vec!["nurses"; 5000].join(" OR ")),
        (
            None,
            ["nurses", "midwives", "pay", "strike"]
                .repeat(1250)
                .join(" OR "),
        ),
        (None, "-pay ".repeat(5000) + "nurses"),
        // Under the 128 KiB a command-line argument can hold.
        (Some(MAX_QUERY_BYTES), vec!["nurses"; 16_000].join(" ")),
    ]
}

#[test]
fn deep_nesting_and_long_queries_are_refused_not_a_crash() {
    for (at, query) in deep_queries() {
        for command in ["search", "timeline"] {
            let r = run(hp(&index()).arg(command).arg("--").arg(&query));
            let what = format!("{command} {}…: {}", &query[..20], r.stderr);
            match at {
                Some(at) => {
                    assert_eq!(r.code, 2, "{what}");
                    assert!(r.stderr.contains(&format!("position {at}")), "{what}");
                    assert!(r.stderr.len() < 600, "{what}");
                }
                None => assert!(r.code == 0 || r.code == 1, "{what}"),
            }
        }
    }
}

#[test]
fn a_batch_answers_the_line_after_a_deep_query() {
    let mut input = String::new();
    for (_, query) in deep_queries() {
        input.push_str(&query);
        input.push_str("\nnhs\n");
    }
    let out = hp(&index())
        .args(["batch", "-n", "2"])
        .write_stdin(input)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let answers = common::batch_answers(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(answers.len(), 2 * deep_queries().len());
    for ((at, _), pair) in deep_queries().iter().zip(answers.chunks(2)) {
        if let Some(at) = at {
            let error = &pair[0][0];
            let message = error["error"].as_str().unwrap();
            assert!(message.contains(&format!("position {at}")), "{error}");
        }
        assert_eq!(pair[1].len(), 2, "the nhs line after it is answered");
    }
}

/// A library user's thread has 2 MiB of stack (Rust's default for spawned
/// threads): every deep query is an error there too, from search and
/// timeline alike, and the thread goes on to answer a plain one.
#[test]
fn the_library_refuses_deep_queries_on_a_small_stack() {
    let idx = index();
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let index = hpsearch::Index::open(&idx).unwrap();
            for (at, query) in deep_queries() {
                let what = &query[..20];
                // Plain text has no groups: only its length is refused.
                let long = query.len() > hpsearch::query::MAX_QUERY_BYTES;
                let plain = hpsearch::query::parse(&query, hpsearch::Syntax::Plain);
                assert_eq!(plain.is_err(), long, "{what}");
                let mut request = hpsearch::SearchRequest::new(&query);
                request.syntax = hpsearch::Syntax::Plain;
                let answer = index.search(&request);
                if long {
                    assert!(matches!(answer, Err(hpsearch::Error::Query { .. })));
                }
                request.syntax = hpsearch::Syntax::Query;
                let mut timeline = hpsearch::TimelineRequest::new(query.as_str());
                timeline.search.words = hpsearch::Words::Any;
                match (at, index.search(&request), index.timeline(&timeline)) {
                    (
                        Some(at),
                        Err(hpsearch::Error::Query { position, .. }),
                        Err(hpsearch::Error::Query { .. }),
                    ) => assert_eq!(position, at, "{what}"),
                    (None, Ok(found), Ok(counted)) => {
                        assert!(found.total_articles > 0, "{what}");
                        assert!(counted.total_articles >= found.total_articles, "{what}");
                    }
                    (_, s, t) => panic!("{what}: {s:?} {t:?}"),
                }
            }
            let found = index
                .search(&hpsearch::SearchRequest::new("nurses"))
                .unwrap();
            assert!(found.total_articles > 0);
        })
        .unwrap()
        .join()
        .expect("the thread ran to its end");
}
