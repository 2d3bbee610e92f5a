//! Queries that mean what a researcher means: every word required, `AND`,
//! inflected phrases, prefixes, acronyms in any case, other names from the
//! thesaurus and spelling suggestions, checked against counts made from the
//! files with the analyzer, on the health-news headlines and the seeds.

mod common;

use std::collections::HashSet;
use std::io::BufRead;
use std::path::Path;

use common::{hp, run, shared};
use hpsearch::analysis::{Mode, Token, TokenKind, analyze};
use hpsearch::{Index, IngestOptions, SearchRequest, SearchResults, Words};
use serde_json::Value;

/// Each headline of a corpus: its id, and its title and text analysed
/// both ways.
struct Headline {
    id: String,
    stemmed: Vec<Token>,
    exact: Vec<Token>,
}

impl Headline {
    fn has(&self, term: &str) -> bool {
        self.stemmed
            .iter()
            .any(|t| t.text == term && t.kind != TokenKind::Acronym)
    }
    fn has_acronym(&self, caps: &str) -> bool {
        self.stemmed
            .iter()
            .any(|t| t.text == caps && t.kind == TokenKind::Acronym)
    }
    /// The terms at consecutive positions (of `tokens`), in order.
    fn phrase_in(tokens: &[Token], terms: &[&str]) -> bool {
        tokens.iter().any(|first| {
            terms.iter().enumerate().all(|(k, term)| {
                tokens
                    .iter()
                    .any(|t| t.position == first.position + k as u32 && t.text == *term)
            })
        })
    }
    fn phrase(&self, terms: &[&str]) -> bool {
        Self::phrase_in(&self.stemmed, terms)
    }
    fn exact_phrase(&self, terms: &[&str]) -> bool {
        Self::phrase_in(&self.exact, terms)
    }
}

fn headlines(file: &Path) -> Vec<Headline> {
    let mut out = Vec::new();
    for line in std::io::BufReader::new(std::fs::File::open(file).unwrap()).lines() {
        let v: Value = serde_json::from_str(&line.unwrap()).unwrap();
        let text = format!(
            "{}\n{}",
            v["title"].as_str().unwrap_or(""),
            v["text"].as_str().unwrap_or("")
        );
        let (mut stemmed, mut exact) = (Vec::new(), Vec::new());
        analyze(&text, Mode::Stemmed, &mut stemmed);
        analyze(&text, Mode::Exact, &mut exact);
        out.push(Headline {
            id: v["id"].as_str().unwrap().to_string(),
            stemmed,
            exact,
        });
    }
    out
}

fn count(all: &[Headline], f: impl Fn(&Headline) -> bool) -> u64 {
    all.iter().filter(|h| f(h)).count() as u64
}

/// Every matching article's id (copies too), in result order.
fn every_id(index: &Index, req: &SearchRequest) -> Vec<String> {
    let mut ids = Vec::new();
    index
        .each_hit(req, |h| {
            ids.push(h.id);
            Ok::<(), hpsearch::Error>(())
        })
        .unwrap();
    ids
}

fn request(q: &str) -> SearchRequest {
    let mut r = SearchRequest::new(q);
    r.limit = 20;
    r.collapse = false;
    r
}

fn search(index: &Index, q: &str, edit: impl FnOnce(&mut SearchRequest)) -> SearchResults {
    let mut r = request(q);
    edit(&mut r);
    index.search(&r).unwrap_or_else(|e| panic!("{q}: {e}"))
}

#[test]
fn on_the_headlines_counts_mean_what_was_asked() {
    let file = shared("corpora/health-news-tweets/corpus.jsonl");
    let all = headlines(&file);
    let (_dir, index) = common::build(std::slice::from_ref(&file), &IngestOptions::default());

    // junior doctors: both words, or one of their other names; never every
    // article with doctors.
    let both = |h: &Headline| h.has("junior") && h.has("doctor");
    let junior = search(&index, "junior doctors", |_| {});
    let expected = count(&all, |h| {
        both(h)
            || h.phrase(&["resid", "doctor"])
            || h.phrase(&["traine", "doctor"])
            || h.exact_phrase(&["doctor", "in", "training"])
    });
    assert_eq!(junior.total_articles, expected);
    assert!(expected >= 5, "junior doctors are in the news: {expected}");
    let doctors = search(&index, "doctors", |_| {}).total_articles;
    assert!(junior.total_articles * 10 < doctors, "{doctors}");
    let words_only = search(&index, "junior doctors", |r| r.expand = false);
    assert_eq!(words_only.total_articles, count(&all, both));
    assert!(words_only.also_searched.is_empty());
    assert_eq!(junior.also_searched[0].typed, "junior doctors");
    assert!(
        junior.also_searched[0]
            .names
            .contains(&"resident doctor".to_string())
    );
    // Facets count the same articles.
    let facet_sum: u64 =
        junior.facets.sources.iter().map(|f| f.count).sum::<u64>() + junior.facets.unknown_source;
    assert_eq!(facet_sum, junior.total_articles);

    // resident doctors finds the junior doctors headlines.
    let resident: HashSet<String> = every_id(&index, &request("resident doctors"))
        .into_iter()
        .collect();
    for h in all.iter().filter(|h| h.phrase(&["junior", "doctor"])) {
        assert!(resident.contains(&h.id), "{} missing", h.id);
    }

    // ebola AND measles: both, not either.
    let with_both = count(&all, |h| h.has("ebola") && h.has("measl"));
    let with_either = count(&all, |h| h.has("ebola") || h.has("measl"));
    assert!(with_both > 0 && with_either > 10 * with_both);
    for q in ["ebola AND measles", "ebola measles"] {
        let r = search(&index, q, |r| r.expand = false);
        assert_eq!(r.total_articles, with_both, "{q}");
        assert!(!r.notices.iter().any(|n| n.contains("AND")), "{q}");
        assert_eq!(r.words, Words::All);
    }
    let and_any = search(&index, "ebola AND measles", |r| {
        r.expand = false;
        r.words = Words::Any;
    });
    assert_eq!(and_any.total_articles, with_both);
    let any = search(&index, "ebola measles", |r| {
        r.expand = false;
        r.words = Words::Any;
    });
    assert_eq!((any.total_articles, any.words), (with_either, Words::Any));
    let or = search(&index, "ebola OR measles", |r| r.expand = false);
    assert_eq!(or.total_articles, with_either);

    // Affordable Care Act: Obamacare and the ACA too, the name typed first.
    let aca = search(&index, "Affordable Care Act", |_| {});
    let expected = count(&all, |h| {
        (h.has("afford") && h.has("care") && h.has("act"))
            || h.has("obamacar")
            || h.has_acronym("ACA")
            || h.has_acronym("PPACA")
            || h.exact_phrase(&["patient", "protection", "and", "affordable", "care", "act"])
    });
    assert_eq!(aca.total_articles, expected);
    let obamacare = count(&all, |h| h.has("obamacar"));
    let typed = count(&all, |h| h.phrase(&["afford", "care", "act"]));
    assert!(obamacare > 500 && typed > 20, "{obamacare} {typed}");
    assert!(aca.total_articles >= obamacare + typed / 2);
    for hit in &aca.hits[..10] {
        let title = hit.title.to_lowercase();
        assert!(title.contains("affordable care act"), "{}", hit.title);
    }
    // Other names light up too (the articles with only other names).
    let ob = search(&index, "Obamacare -Obamacare", |_| {});
    assert!(!ob.hits.is_empty());
    assert!(ob.hits.iter().all(|h| !h.title_highlights.is_empty()));
    let lit = ob.hits.iter().any(|h| {
        h.title_highlights
            .iter()
            .any(|[a, b]| h.title[*a..*b].eq_ignore_ascii_case("Affordable Care Act"))
    });
    assert!(lit, "Affordable Care Act is highlighted");

    // a&e, A&E and A and E are one query; the ER they expand to is never
    // the word er.
    let ae = every_id(&index, &request("A&E"));
    assert!(ae.len() > 100);
    assert_eq!(every_id(&index, &request("a&e")).len(), ae.len());
    let ae_set: HashSet<&String> = ae.iter().collect();
    let a_and_e = every_id(&index, &request("A and E"));
    assert_eq!(a_and_e.iter().collect::<HashSet<_>>(), ae_set);
    let er_word_only: Vec<&Headline> = all
        .iter()
        .filter(|h| h.has("er") && !h.has_acronym("ER") && !h.has("a&e") && !h.has("emerg"))
        .collect();
    assert!(!er_word_only.is_empty(), "some headlines say er");
    for h in er_word_only {
        assert!(!ae_set.contains(&h.id), "{} matched by the word er", h.id);
    }

    // ebloa: did you mean ebola, never searched in its place.
    let typo = search(&index, "ebloa", |_| {});
    assert_eq!(typo.total_articles, 0);
    assert_eq!(typo.suggestions.len(), 1);
    assert_eq!(typo.suggestions[0].suggestion, "ebola");
    assert_eq!(typo.suggestions[0].word_articles, 0);
    assert_eq!(
        typo.suggestions[0].articles,
        count(&all, |h| h.exact.iter().any(|t| t.text == "ebola"))
    );
    // A word spelt as the index spells it gets no suggestion.
    assert!(search(&index, "ebola", |_| {}).suggestions.is_empty());

    // A short prefix stands for the commonest words, and says so.
    let pre = search(&index, "pre*", |_| {});
    assert!(pre.total_articles > 100);
    assert!(
        pre.notices
            .iter()
            .any(|n| n.starts_with("pre* starts") && n.contains("searched the 64")),
        "{:?}",
        pre.notices
    );
}

#[test]
fn on_the_seeds_the_name_typed_ranks_first_and_prefixes_find_every_form() {
    let (_dir, index) = common::build(&[shared("seeds")], &IngestOptions::default());
    let file_of = |r: &SearchResults| -> Vec<String> {
        r.hits
            .iter()
            .map(|h| {
                Path::new(h.path.as_deref().unwrap())
                    .file_name()
                    .unwrap()
                    .to_string_lossy()[..3]
                    .to_string()
            })
            .collect()
    };
    let r = search(&index, "resident doctors strike", |_| {});
    let order = file_of(&r);
    let at = |n: &str| {
        order
            .iter()
            .position(|o| o == n)
            .unwrap_or_else(|| panic!("{n}: {order:?}"))
    };
    assert!(at("004") > at("000") && at("004") > at("002"), "{order:?}");
    let counted = r.hits.iter().filter(|h| h.missing.is_empty()).count();
    assert_eq!((counted, r.total_articles), (3, 3), "{order:?}");
    let r = search(&index, "privati*", |_| {});
    let mut found = file_of(&r);
    found.sort();
    assert_eq!(found, ["001", "003"]);
    common::check_highlights(&r);
    assert!(
        r.hits
            .iter()
            .all(|h| h.passages.iter().any(|p| !p.highlights.is_empty()))
    );
    // a&e as typed finds what A&E finds.
    let ae = file_of(&search(&index, "A&E", |_| {}));
    assert!(!ae.is_empty());
    assert_eq!(file_of(&search(&index, "a&e", |_| {})), ae);
}

#[test]
fn the_command_line_explains_and_takes_a_users_entries() {
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("idx");
    let fixtures = common::repo().join("fixtures");
    let r = run(hp(&idx).arg("index").arg(&fixtures));
    assert_eq!(r.code, 0, "{}", r.stderr);

    // What a name expands to, and why.
    let r = run(hp(&idx).args(["synonyms", "GP"]));
    assert_eq!(r.code, 0);
    assert!(
        r.stdout
            .starts_with("GP also searches: general practitioner"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("built-in line"), "{}", r.stdout);
    let r = run(hp(&idx).args(["synonyms", "ED"]));
    assert!(
        r.stdout.contains("left out: ED = emergency department"),
        "{}",
        r.stdout
    );
    let r = run(hp(&idx).args(["synonyms", "er"]));
    assert!(r.stdout.contains("searched alone"), "{}", r.stdout);
    let r = run(hp(&idx).args(["synonyms", "zzzq"]));
    assert_eq!(r.code, 1);
    let r = run(hp(&idx).args(["synonyms", "--json", "--successors", "CCG"]));
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let names: Vec<&str> = v["also_searches"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(names.contains(&"ICB") && names.contains(&"clinical commissioning group"));

    // Successors only when asked; other names off with --exact-terms.
    let also = |args: &[&str]| -> Vec<String> {
        let r = run(hp(&idx).args(["search", "--json"]).args(args));
        let v: Value =
            serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {r:?}", r = r.stderr));
        v["also_searched"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|a| a["names"].as_array().unwrap().iter())
            .map(|n| n.as_str().unwrap().to_string())
            .collect()
    };
    assert!(!also(&["CCG"]).contains(&"ICB".to_string()));
    assert!(also(&["--successors", "CCG"]).contains(&"ICB".to_string()));
    assert!(also(&["--exact-terms", "junior doctors"]).is_empty());
    assert!(also(&["junior doctors"]).contains(&"resident doctor".to_string()));

    // A bad line of a user's file is an error naming it; nothing is kept.
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "# ours\nwalkout = stoppage\n").unwrap();
    let r = run(hp(&idx).arg("index").arg("--synonyms").arg(&bad));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("bad.txt:2: no note"), "{}", r.stderr);
    assert!(also(&["walkout"]).is_empty());
    // A good one joins the built-in entries, and shows where it came from.
    let good = dir.path().join("ours.txt");
    std::fs::write(&good, "# ours\nwalkout = stoppage | our union's word\n").unwrap();
    let r = run(hp(&idx).arg("index").arg("--synonyms").arg(&good));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(also(&["walkout"]), ["stoppage"]);
    let r = run(hp(&idx).args(["synonyms", "stoppage"]));
    assert!(
        r.stdout.contains(&format!("{} line 2", good.display())),
        "{}",
        r.stdout
    );
    // An empty file takes them away again.
    std::fs::write(&good, "").unwrap();
    let r = run(hp(&idx).arg("index").arg("--synonyms").arg(&good));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(also(&["walkout"]).is_empty());

    // No article has every word: said beside the count, and in JSON.
    let r = run(hp(&idx).args(["search", "--compact", "strike", "zzzqqqx"]));
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("no article has every word"),
        "{}",
        r.stdout
    );
    let r = run(hp(&idx).args(["search", "--json", "strike", "zzzqqqx"]));
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["words"], "any");
    // A prefix with too few letters is an error that says what to type.
    let r = run(hp(&idx).args(["search", "pr*"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("at least 3 letters"), "{}", r.stderr);

    // batch matches any word unless asked; asked, it is search.
    let batch = |flags: &[&str]| -> Vec<Value> {
        let out = hp(&idx)
            .arg("batch")
            .args(flags)
            .write_stdin("strike ballot\n")
            .output()
            .unwrap();
        common::batch_answers(&String::from_utf8(out.stdout).unwrap()).remove(0)
    };
    let ids = |v: &[Value]| v.iter().map(|h| h["id"].clone()).collect::<Vec<_>>();
    let searched = |flags: &[&str]| -> Vec<Value> {
        let r = run(hp(&idx)
            .args(["search", "--json"])
            .args(flags)
            .arg("strike ballot"));
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        v["hits"].as_array().unwrap().clone()
    };
    assert_eq!(ids(&batch(&[])), ids(&searched(&["--any"])));
    assert_eq!(ids(&batch(&["--all-words"])), ids(&searched(&[])));
    // Every word asked for: the articles with one of them are still
    // listed, each marked with the word it lacks.
    let all = batch(&["--all"]);
    assert_ne!(batch(&[]), all);
    assert!(
        all.iter()
            .any(|h| h["missing"].as_array().is_some_and(|m| !m.is_empty())),
        "{all:?}"
    );
}
