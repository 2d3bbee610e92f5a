//! Query text through the whole search path (planning, collecting, ranking,
//! feedback, facets, collapsing, passages, highlights), in every way a
//! request can send it: the cases that once panicked, every query the fuzzers
//! kept, and random queries built from the pieces that trip analyzers up.

mod common;

use common::whole_path::{self, Setting};
use hpsearch::{Article, Index, SearchRequest};
use proptest::prelude::*;

/// The fixtures and what the whole-path requests filter on.
fn fixtures() -> (&'static Index, &'static Setting) {
    static SETTING: std::sync::OnceLock<Setting> = std::sync::OnceLock::new();
    let index = common::fixtures();
    (index, SETTING.get_or_init(|| Setting::of(index)))
}

/// A hyphenated word whose parts are all stop words, in every position a
/// query can hold it. Each is answered, never refused: these are ordinary
/// queries.
#[test]
fn stop_word_hyphens_are_answered_in_every_form() {
    let (index, setting) = fixtures();
    let cases = [
        "as-is",
        "to-do",
        "is-it-or-the",
        "nurses as-is",
        "as-is nurses strike",
        "\"as-is\"",
        "\"nurses as-is\"",
        "title:as-is",
        "title:\"as-is\"",
        "+as-is",
        "+as-is nurses",
        "-as-is",
        "-as-is nurses",
        "(as-is OR to-do) pay",
        "(+as-is -to-do)",
        "as‐is",
        "as–is strike",
    ];
    let all = whole_path::requests("", setting).len();
    for q in cases {
        assert_eq!(whole_path::run(index, setting, q), all, "{q:?} was refused");
    }
}

/// A group of exclusions alone, `(-doctors)`, subtracts from every article.
/// When every passage was a document, its article-level half subtracted
/// from every document, so each passage was taken for an article: 304
/// "articles" of 48, each hit listed as copies of itself, and `--sort date`
/// refused the index as damaged.
#[test]
fn a_group_of_exclusions_counts_articles_not_passages() {
    let (index, setting) = fixtures();
    let articles = index.stats().unwrap().articles;
    for q in ["(-doctors)", "(-doctors') A&E", "(-AND)", "(-title:strike)"] {
        for req in whole_path::requests(q, setting) {
            let r = index
                .search(&req)
                .unwrap_or_else(|e| panic!("{q:?} ({req:?}): {e}"));
            assert!(
                r.total_articles <= articles,
                "{q:?}: {} of {articles}",
                r.total_articles
            );
            whole_path::check(&req, &r);
        }
    }
    let mut r = SearchRequest::new("(-doctors)");
    r.limit = 100;
    let all = index.search(&r).unwrap();
    assert!(all.total_articles > 0 && all.total_articles < articles);
}

/// An index of a few articles about one phrase, written three ways.
fn as_is_index() -> (tempfile::TempDir, Index) {
    let articles = [
        (
            "hyphen",
            "The trust took the hospital car park back as-is from the contractor.",
        ),
        (
            "spaced",
            "The ward was left as is, with no new beds, after the review.",
        ),
        (
            "other",
            "Nurses voted to strike over pay after the review of staffing.",
        ),
    ];
    common::index_with(
        articles
            .into_iter()
            .map(|(id, text)| {
                let mut a = Article::new(format!("Article {id}"), text);
                a.id = id.to_string();
                a
            })
            .collect(),
    )
}

/// `as-is` is searched as the word it is: the hyphenated form, whose joined
/// form the stemmed fields keep. In quotes it is the exact phrase `as is`,
/// with or without the hyphen, as any quoted hyphenated word is.
#[test]
fn a_stop_word_hyphen_finds_the_word_as_written() {
    let (_dir, index) = as_is_index();
    assert_eq!(common::all_ids(&index, "as-is"), ["hyphen"]);
    assert_eq!(common::all_ids(&index, "+as-is"), ["hyphen"]);
    assert_eq!(common::all_ids(&index, "nurses as-is"), ["hyphen", "other"]);
    assert_eq!(
        common::all_ids(&index, "review -as-is"),
        ["other", "spaced"]
    );
    assert_eq!(common::all_ids(&index, "\"as-is\""), ["hyphen", "spaced"]);
    let mut r = SearchRequest::new("as-is");
    r.passages = 1;
    let hits = index.search(&r).unwrap().hits;
    let p = &hits[0].passages[0];
    let lit: Vec<&str> = p.highlights.iter().map(|&[a, b]| &p.text[a..b]).collect();
    assert_eq!(lit, ["as-is"], "the word is lit where it matched");
}

/// Every query the fuzzers kept (the parser's corpus and the whole-path
/// target's, with every input that ever crashed it) runs the whole path.
#[test]
fn fuzz_corpus_queries_hold_on_the_whole_path() {
    let (index, setting) = fixtures();
    let fuzz = common::repo().join("fuzz");
    let mut n = 0;
    for dir in ["corpus/query", "corpus/search", "regressions/search"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir)) else {
            assert_eq!(dir, "regressions/search", "fuzz/{dir} is missing");
            continue;
        };
        for entry in entries {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            if let Ok(query) = String::from_utf8(bytes) {
                whole_path::run(index, setting, &query);
                n += 1;
            }
        }
    }
    assert!(n >= 900, "only {n} queries");
}

/// Pieces of query text that analysis, planning and highlighting treat
/// specially.
fn piece() -> impl Strategy<Value = String> {
    let fixed: Vec<&'static str> = vec![
        // stop words, alone and hyphenated
        "as",
        "is",
        "the",
        "to",
        "of",
        "and",
        "or",
        "not",
        "a",
        "as-is",
        "to-do",
        "of-the",
        // hyphens and dashes
        "-",
        "‐",
        "–",
        "—",
        "level-four",
        "e-mail",
        "covid-19",
        // apostrophes and quotes
        "'",
        "’",
        "‘",
        "\"",
        "doctors'",
        "Doctors’",
        "NHS's",
        "'n'",
        // operators and groups
        "+",
        "OR",
        "AND",
        "NOT",
        "(",
        ")",
        "+(",
        "-(",
        // field prefixes, prefixes
        "exact:",
        "exact:\"",
        "*",
        "privati*",
        "title:strik*",
        "title:",
        "source:",
        "source:\"",
        "title:\"",
        // words the fixtures hold
        "nurses",
        "strike",
        "junior",
        "doctors",
        "resident",
        "pay",
        "NHS",
        "A&E",
        "£24",
        "2%",
        "H1N1",
        "waiting",
        "privatisation",
        "privatization",
        "care",
        "GP",
        // names the thesaurus knows, acronyms, a misspelling
        "junior doctors",
        "Affordable Care Act",
        "Obamacare",
        "a&e",
        "ER",
        "er",
        "A and E",
        "CCG",
        "flu jab",
        "opperations",
        // other scripts and symbols
        "日本語",
        "医療",
        "Москва",
        "больница",
        "한국어",
        "병원",
        "مستشفى",
        "νοσοκομείο",
        "🙂",
        "Zoë",
        "\u{0301}",
        "\u{0A70}",
        "!!!",
        "&",
    ];
    prop_oneof![
        4 => prop::sample::select(fixed).prop_map(str::to_string),
        1 => "[a-zA-Z]{1,8}",
        1 => "\\PC{1,3}",
    ]
}

fn assembled() -> impl Strategy<Value = String> {
    let glue = prop::sample::select(vec!["", " ", " ", " ", "-", "  "]);
    prop::collection::vec((piece(), glue), 1..9).prop_map(|v| {
        v.into_iter().fold(String::new(), |mut q, (p, g)| {
            q.push_str(&p);
            q.push_str(g);
            q
        })
    })
}

proptest! {
    // 300 cases in CI; `PROPTEST_CASES=N` runs more.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(300),
    ))]

    /// Whatever the query: no panic, highlights inside their passages, no
    /// article twice on a page, facets within `total_articles`, filters and
    /// order kept (`whole_path::check`).
    #[test]
    fn assembled_queries_hold_on_the_whole_path(q in assembled()) {
        let (index, setting) = fixtures();
        whole_path::run(index, setting, &q);
    }
}
