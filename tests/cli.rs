//! Black-box tests of the `hpsearch` command, run in temporary folders.

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::repo;
use serde_json::Value;

fn hp(index: &Path) -> Command {
    let mut c = Command::cargo_bin("hpsearch").unwrap();
    c.env_remove("HPSEARCH_INDEX")
        .env("NO_COLOR", "1")
        .arg("--index")
        .arg(index);
    c
}

fn stdout(c: &mut Command) -> String {
    let out = c.output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

fn json(c: &mut Command) -> Value {
    serde_json::from_str(&stdout(c)).unwrap()
}

fn indexed() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    hp(&dir.path().join("idx"))
        .args(["index", "--json"])
        .arg(repo().join("fixtures"))
        .assert()
        .success();
    dir
}

#[test]
fn index_then_search_json_schema() {
    let dir = indexed();
    let idx = dir.path().join("idx");
    let v = json(hp(&idx).args(["search", "junior doctors", "--json", "--limit", "3"]));
    assert_eq!(v["schema"], 1);
    assert_eq!(v["query"], "junior doctors");
    let total = v["total_articles"].as_u64().unwrap();
    assert!(total >= 9, "{total}");
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 3);
    for h in hits {
        for key in [
            "id", "title", "source", "date", "path", "url", "score", "passages",
        ] {
            assert!(h.get(key).is_some(), "hit lacks {key}: {h}");
        }
        let p = &h["passages"][0];
        let text = p["text"].as_str().unwrap();
        for hl in p["highlights"].as_array().unwrap() {
            let (a, b) = (
                hl[0].as_u64().unwrap() as usize,
                hl[1].as_u64().unwrap() as usize,
            );
            let word = text[a..b].to_lowercase();
            assert!(
                word.starts_with("junior") || word.starts_with("doctor"),
                "{word}"
            );
        }
    }
    let f = &v["facets"];
    let by_source: u64 = f["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["count"].as_u64().unwrap())
        .sum();
    let by_month: u64 = f["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["count"].as_u64().unwrap())
        .sum();
    assert_eq!(by_month + f["undated"].as_u64().unwrap(), total);
    assert_eq!(by_source + f["unknown_source"].as_u64().unwrap(), total);
    assert!(v["notices"].is_array());
}

#[test]
fn exit_codes_and_errors() {
    let dir = indexed();
    let idx = dir.path().join("idx");
    hp(&idx).args(["search", "zzqxv"]).assert().code(1);
    let out = hp(&idx).args(["search", "nurses title:"]).assert().code(2);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("position 13") && err.contains("title: needs"),
        "{err}"
    );
    // A slip (here an unclosed quote) is searched as plain text, and said.
    let out = hp(&idx)
        .args(["search", "\"junior doctors"])
        .assert()
        .code(0);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("read as plain text") && err.contains("never closed"),
        "{err}"
    );
    let out = hp(&idx)
        .args(["search", "nurses", "--source", "Ward Buletin"])
        .assert()
        .code(2);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(err.contains("Ward Bulletin"), "{err}");
    hp(&idx)
        .args(["search", "nurses", "--since", "2025-13-01"])
        .assert()
        .code(2);
    hp(&idx)
        .args(["search", "nurses", "--since", "2024", "--until", "2023"])
        .assert()
        .code(2);
    hp(&idx).args(["show", "no-such-id"]).assert().code(1);
    // an index named explicitly that does not exist is an error, never built
    let missing = dir.path().join("missing");
    let out = hp(&missing).args(["search", "nurses"]).assert().code(2);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(err.contains("no index at"), "{err}");
    assert!(!missing.exists());
    let mut env = Command::cargo_bin("hpsearch").unwrap();
    env.current_dir(repo())
        .env("HPSEARCH_INDEX", &missing)
        .args(["stats"])
        .assert()
        .code(2);
    assert!(!missing.exists());
}

#[test]
fn filters_agree_with_facets_on_the_command_line() {
    let dir = indexed();
    let idx = dir.path().join("idx");
    let v = json(hp(&idx).args(["search", "nhs", "--json"]));
    for s in v["facets"]["sources"].as_array().unwrap() {
        let name = s["value"].as_str().unwrap();
        let f = json(hp(&idx).args(["search", "nhs", "--json", "--source", name]));
        assert_eq!(f["total_articles"], s["count"], "{name}");
    }
    let m = &v["facets"]["months"][0];
    let month = m["value"].as_str().unwrap();
    let f = json(hp(&idx).args([
        "search", "nhs", "--json", "--since", month, "--until", month,
    ]));
    assert_eq!(f["total_articles"], m["count"]);
}

#[test]
fn human_output_show_sources_stats() {
    let dir = indexed();
    let idx = dir.path().join("idx");
    let out = stdout(hp(&idx).args(["search", "Palantir"]));
    assert!(out.starts_with("1. "), "{out}");
    assert!(out.contains("Policy Lens"), "{out}");
    assert!(out.contains("1 article matches, showing 1-1"), "{out}");
    assert!(out.contains("sources: Policy Lens 1"), "{out}");
    assert!(!out.contains('\x1b'), "no colour off a terminal");

    // The address comes last on the meta line, after the score.
    let meta = out.lines().nth(1).unwrap();
    assert!(
        meta.contains("score ")
            && meta.ends_with("https://policylens.example/2023/11/federated-data-platform"),
        "{meta}"
    );

    // --color always colours a pipe too (for `less -R`); never, never.
    let coloured = stdout(hp(&idx).args(["--color", "always", "search", "Palantir"]));
    assert!(coloured.contains("\x1b[1m1.\x1b[0m"), "{coloured:?}");
    // Matched words are lit in the title too.
    assert!(
        coloured.contains("\x1b[1;33mPalantir\x1b[0m"),
        "{coloured:?}"
    );
    let plain = stdout(hp(&idx).args(["search", "Palantir", "--color", "never"]));
    assert_eq!(plain, out);

    // --compact: one line per hit (date, source, title), then the counts.
    let compact =
        stdout(hp(&idx).args(["search", "--compact", "-n", "3", "junior doctors strike"]));
    let lines: Vec<&str> = compact.lines().collect();
    for line in &lines[..3] {
        let (date, rest) = line.split_once("  ").unwrap();
        assert!(
            date.len() == 10 && date.as_bytes()[4] == b'-' || date.trim() == "undated",
            "{line}"
        );
        assert!(!rest.starts_with(' ') && rest.contains("  "), "{line}");
    }
    assert_eq!(lines[3], "");
    assert!(
        lines[4].contains("articles match") && lines[4].ends_with("showing 1-3"),
        "{compact}"
    );

    let shown = stdout(hp(&idx).args(["show", "pl-2023-11-federated-data-platform"]));
    assert!(
        shown.contains("source: Policy Lens") && shown.contains("Palantir"),
        "{shown}"
    );
    let sources: Value = json(hp(&idx).args(["sources", "--json"]));
    let n: u64 = sources
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["count"].as_u64().unwrap())
        .sum();
    let stats: Value = json(hp(&idx).args(["stats", "--json"]));
    assert_eq!(stats["articles"], 51);
    assert_eq!(n, 51, "the sources and the unknown-source entry add up");
    let unknown = sources.as_array().unwrap().last().unwrap();
    assert_eq!(unknown["unknown"], true, "{sources}");
    assert!(
        unknown["count"].as_u64().unwrap() > 0,
        "fixtures have sourceless articles"
    );
    let listed = stdout(hp(&idx).args(["sources"]));
    assert!(
        listed.lines().last().unwrap().ends_with("(unknown source)"),
        "{listed}"
    );
    assert!(stats["sources"].as_u64().unwrap() >= 8);
    let text = stdout(hp(&idx).args(["stats"]));
    assert!(text.contains("articles:  51"), "{text}");
}

#[test]
fn reindexing_is_idempotent_and_strict_commits_nothing() {
    let dir = indexed();
    let idx = dir.path().join("idx");
    let v = json(
        hp(&idx)
            .args(["index", "--json"])
            .arg(repo().join("fixtures")),
    );
    assert_eq!(
        (v["added"].as_u64(), v["unchanged"].as_u64()),
        (Some(0), Some(51))
    );

    let bad = dir.path().join("bad");
    std::fs::create_dir(&bad).unwrap();
    std::fs::write(
        bad.join("a.jsonl"),
        "{\"id\":\"ok\",\"title\":\"Fine\",\"text\":\"nurses\"}\nnot json\n",
    )
    .unwrap();
    std::fs::write(
        bad.join("b.txt"),
        "---\ndate: 2025-13-45\n---\nImpossible date here.",
    )
    .unwrap();
    let out = hp(&idx)
        .args(["index", "--strict"])
        .arg(&bad)
        .assert()
        .code(2);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("a.jsonl:2") && err.contains("2025-13-45"),
        "{err}"
    );
    assert_eq!(json(hp(&idx).args(["stats", "--json"]))["articles"], 51);
    // without --strict the good parts go in, with warnings counted
    let v = json(hp(&idx).args(["index", "--json"]).arg(&bad));
    assert_eq!(
        (v["added"].as_u64(), v["warnings"].as_u64()),
        (Some(2), Some(2))
    );
}

#[test]
fn default_index_is_built_from_fixtures_on_first_search() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = dir.path().join("fixtures");
    std::fs::create_dir(&fixtures).unwrap();
    for e in std::fs::read_dir(repo().join("fixtures")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), fixtures.join(e.file_name())).unwrap();
    }
    let run = || {
        let mut c = Command::cargo_bin("hpsearch").unwrap();
        c.current_dir(dir.path())
            .env_remove("HPSEARCH_INDEX")
            .args(["search", "sugar tax"]);
        c.output().unwrap()
    };
    let first = run();
    assert_eq!(first.status.code(), Some(0));
    let err = String::from_utf8_lossy(&first.stderr);
    assert!(err.contains("building it from ./fixtures"), "{err}");
    assert!(String::from_utf8_lossy(&first.stdout).contains("sugar"));
    assert!(dir.path().join("index").join("hpsearch.json").is_file());
    let second = run();
    assert!(!String::from_utf8_lossy(&second.stderr).contains("building"));
    assert_eq!(first.stdout, second.stdout);

    // The sample again keeps it; the user's own articles replace it, said
    // so, and no invented outlet is left in their counts.
    let hp_here = |args: &[&str]| {
        let mut c = Command::cargo_bin("hpsearch").unwrap();
        c.current_dir(dir.path())
            .env_remove("HPSEARCH_INDEX")
            .args(args);
        c.output().unwrap()
    };
    let again = hp_here(&["index", "fixtures"]);
    assert!(again.status.success());
    assert!(!String::from_utf8_lossy(&again.stderr).contains("replacing"));
    let mine = dir.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(
        mine.join("a.md"),
        "---\ntitle: Ward closures in the valley\nsource: My Local Paper\ndate: 2024-02-01\n---\n\nThe trust will close two wards at the community hospital.\n",
    )
    .unwrap();
    let own = hp_here(&["index", "mine"]);
    assert!(
        own.status.success(),
        "{}",
        String::from_utf8_lossy(&own.stderr)
    );
    let err = String::from_utf8_lossy(&own.stderr);
    assert!(err.contains("held only the sample articles"), "{err}");
    let sources = hp_here(&["sources", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&sources.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v[0]["value"], "My Local Paper");
    // From then on it is the user's index: more of theirs adds to it.
    std::fs::write(
        mine.join("b.md"),
        "Dental access in the valley is getting worse.\n",
    )
    .unwrap();
    let more = hp_here(&["index", "mine"]);
    assert!(!String::from_utf8_lossy(&more.stderr).contains("replacing"));
    let stats = hp_here(&["stats", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(v["articles"], 2, "{v}");
}

#[test]
fn eval_scores_a_judged_collection_and_writes_a_run_file() {
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("coll");
    std::fs::create_dir(&c).unwrap();
    std::fs::write(
        c.join("corpus.jsonl"),
        concat!(
            "{\"id\":\"d1\",\"title\":\"Nurse staffing ratios\",\"text\":\"Safe staffing ratios for nurses on wards.\"}\n",
            "{\"id\":\"d2\",\"title\":\"Dental access\",\"text\":\"Patients cannot find an NHS dentist.\"}\n",
            "{\"id\":\"d3\",\"title\":\"Ward staffing\",\"text\":\"Staffing gaps on hospital wards grow.\"}\n",
        ),
    )
    .unwrap();
    std::fs::write(
        c.join("queries.jsonl"),
        "{\"id\":\"q1\",\"text\":\"nurse staffing ratios?\"}\n{\"id\":\"q2\",\"text\":\"(NHS dentist)\"}\n",
    )
    .unwrap();
    std::fs::write(c.join("qrels.tsv"), "q1\td1\t1\nq2\td2\t1\n").unwrap();
    let run = dir.path().join("run.trec");
    let v = json(
        hp(&dir.path().join("idx"))
            .args(["eval", "--json", "--run"])
            .arg(&run)
            .arg(&c),
    );
    assert_eq!(v["queries"], 2);
    assert_eq!(v["ndcg_at_10"], 1.0);
    assert_eq!(v["recall_at_100"], 1.0);
    let trec = std::fs::read_to_string(&run).unwrap();
    let first: Vec<&str> = trec.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        (first[0], first[1], first[2], first[3], first[5]),
        ("q1", "Q0", "d1", "1", "hpsearch")
    );
    assert!(trec.lines().any(|l| l.starts_with("q2 Q0 d2 1 ")));
}

#[test]
fn batch_answers_each_line_with_json_lines_and_a_blank_line() {
    let dir = indexed();
    let idx = dir.path().join("idx");
    let out = hp(&idx)
        .args(["batch", "-n", "3"])
        .write_stdin("junior doctors\ntitle:\nzzqxv\nPalantir\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let answers = common::batch_answers(&text);
    assert_eq!(answers.len(), 4, "{text}");
    assert_eq!(answers[0].len(), 3);
    assert!(answers[0][0]["score"].as_f64().unwrap() >= answers[0][1]["score"].as_f64().unwrap());
    assert!(answers[0][0]["passages"][0]["highlights"].is_array());
    assert!(
        answers[1][0]["error"]
            .as_str()
            .unwrap()
            .contains("title: needs")
    );
    assert!(answers[2].is_empty(), "no hits: just the empty line");
    assert_eq!(answers[3][0]["id"], "pl-2023-11-federated-data-platform");
}

/// `batch` takes the filters and order of `search`, answers each line as
/// `search --json` would with the same flags, and answers a blank line with
/// an empty answer rather than every article. A flag no line can satisfy is
/// an error before any line is read.
#[test]
fn batch_takes_the_search_filters_and_answers_a_blank_line_with_nothing() {
    let dir = indexed();
    let idx = dir.path().join("idx");
    let flags = [
        "--source",
        "Union Voice",
        "--source",
        "Ward Bulletin",
        "--since",
        "2016",
        "--until",
        "2024-06",
        "--sort",
        "date",
    ];
    let out = hp(&idx)
        .args(["batch", "-n", "5"])
        .args(flags)
        .write_stdin("strike\n\n   \ndoctors pay\n")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers = common::batch_answers(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(answers.len(), 4);
    assert!(
        answers[1].is_empty() && answers[2].is_empty(),
        "blank lines: {answers:?}"
    );
    for (answer, query) in [(&answers[0], "strike"), (&answers[3], "doctors pay")] {
        // Lines match any word, as `search --any` does.
        let searched = json(
            hp(&idx)
                .args(["search", "--json", "--any", "-n", "5"])
                .args(flags)
                .arg(query),
        );
        let want: Vec<&Value> = searched["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| &h["id"])
            .collect();
        let got: Vec<&Value> = answer.iter().map(|h| &h["id"]).collect();
        assert!(!got.is_empty(), "{query}: no hits");
        assert_eq!(got, want, "{query}");
        let dates: Vec<&str> = answer.iter().map(|h| h["date"].as_str().unwrap()).collect();
        assert!(
            dates.windows(2).all(|w| w[0] >= w[1]),
            "newest first: {dates:?}"
        );
        assert!(
            dates
                .iter()
                .all(|d| ("2016-01-01"..="2024-06-30").contains(d)),
            "{dates:?}"
        );
        for h in answer {
            let source = h["source"].as_str().unwrap();
            assert!(
                ["Union Voice", "Ward Bulletin"].contains(&source),
                "{source}"
            );
        }
    }

    for bad in [
        &["--source", "Union Vioce"][..],
        &["--since", "2025", "--until", "2024"],
    ] {
        let out = hp(&idx)
            .arg("batch")
            .args(bad)
            .write_stdin("strike\n")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(out.stdout.is_empty(), "{bad:?}: nothing answered");
    }
}

#[test]
fn collections_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("idx");
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::copy(
        repo().join("tests/pages/pennine-gazette-maternity.html"),
        src.join("maternity.html"),
    )
    .unwrap();
    std::fs::write(
        src.join("sheet.csv"),
        "Report,Paper,When\n\"Clinic hours cut.\nEvenings go first.\",Valley Courier,2024-06-01\n",
    )
    .unwrap();
    let v = json(
        hp(&idx)
            .args([
                "index",
                "--json",
                "--map",
                "text=Report,source=Paper",
                "--map",
                "date=When",
            ])
            .arg(&src),
    );
    assert_eq!(
        (v["added"].as_u64(), v["warnings"].as_u64()),
        (Some(2), Some(0))
    );
    let r = json(hp(&idx).args(["search", "--json", "evenings"]));
    assert_eq!(r["hits"][0]["source"], "Valley Courier");
    assert_eq!(r["hits"][0]["date"], "2024-06-01");
    assert!(r["hits"][0]["also_in"].as_array().unwrap().is_empty());
    assert_eq!(r["collapsed"], 0);

    // a second run with the same options reads nothing and says so
    let out = stdout(
        hp(&idx)
            .args(["index", "--map", "date=When,source=Paper,text=Report"])
            .arg(&src),
    );
    assert!(
        out.starts_with("0 added, 0 updated, 2 unchanged, 0 removed")
            && out.contains("2 unchanged files not read"),
        "{out}"
    );

    // two copies of one story: one hit, "also in" the other outlet
    let body = std::fs::read_to_string(src.join("maternity.html")).unwrap();
    std::fs::write(
        src.join("copy.html"),
        body.replace("Pennine Gazette", "Calder Valley Times")
            .replace("penninegazette", "caldervalleytimes")
            .replace("Maternity unit to close", "Birth unit to shut"),
    )
    .unwrap();
    hp(&idx)
        .args(["index", "--map", "date=When,source=Paper,text=Report"])
        .arg(&src)
        .assert()
        .success();
    let out = stdout(hp(&idx).args(["search", "midwife"]));
    assert!(out.contains("also in: "), "{out}");
    assert!(
        out.contains("2 articles match (1 copy of a story shown under another), showing 1-1"),
        "{out}"
    );
    let r = json(hp(&idx).args(["search", "--json", "--no-collapse", "midwife"]));
    assert_eq!(r["hits"].as_array().unwrap().len(), 2);

    // rm by id, then --prune after a file is deleted
    let id = r["hits"][0]["id"].as_str().unwrap().to_string();
    hp(&idx).args(["rm", &id]).assert().success();
    hp(&idx).args(["rm", "no-such-id"]).assert().code(1);
    std::fs::remove_file(src.join("sheet.csv")).unwrap();
    let v = json(hp(&idx).args(["index", "--json", "--prune"]).arg(&src));
    assert_eq!(v["removed"], 1, "{v}");
    let stats = json(hp(&idx).args(["stats", "--json"]));
    assert_eq!(stats["last_run"]["removed"], 1);
    let text = stdout(hp(&idx).args(["stats"]));
    assert!(
        text.contains("last run:  ") && text.contains("1 removed"),
        "{text}"
    );

    // a bad --map is an error before anything is read
    let out = hp(&idx)
        .args(["index", "--map", "txt=Report"])
        .arg(&src)
        .assert()
        .code(2);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(err.contains("not a field"), "{err}");
}

/// Completion scripts and man pages are generated from the command
/// definitions, so every command and flag is in them; they need no index.
#[test]
fn completions_and_man_pages_come_from_the_command_definitions() {
    let none = tempfile::tempdir().unwrap();
    let idx = none.path().join("no-index");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = hp(&idx).args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        for word in ["search", "batch", "exclude-source", "no-collapse"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    let bash = stdout(hp(&idx).args(["completions", "bash"]));
    let script = none.path().join("hpsearch.bash");
    std::fs::write(&script, bash).unwrap();
    let checked = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let refused = hp(&idx).args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));

    let page = stdout(hp(&idx).arg("man"));
    assert!(page.contains(".TH hpsearch 1"), "{page}");
    for command in [
        "index", "search", "show", "sources", "stats", "batch", "rm", "eval",
    ] {
        assert!(
            page.contains(&format!("hpsearch\\-{command}(1)")),
            "{command}: {page}"
        );
    }
    let dir = none.path().join("man1");
    let written = hp(&idx).arg("man").arg("--dir").arg(&dir).output().unwrap();
    assert!(written.status.success());
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    assert!(
        pages.contains(&"hpsearch.1".to_string())
            && pages.contains(&"hpsearch-search.1".to_string())
    );
    assert_eq!(pages.len(), 14, "one a command, and hpsearch.1: {pages:?}");
    // Each page renders without a warning (groff is part of the base system).
    for p in &pages {
        let rendered = std::process::Command::new("groff")
            .args(["-man", "-Tutf8", "-ww"])
            .arg(dir.join(p))
            .output()
            .expect("groff renders man pages (Debian package groff-base)");
        assert!(
            rendered.status.success() && rendered.stderr.is_empty(),
            "{p}: {}",
            String::from_utf8_lossy(&rendered.stderr)
        );
        // Bold comes as overstrikes (`S\bS`): keep the character after each.
        let raw = String::from_utf8_lossy(&rendered.stdout);
        let mut text = String::new();
        for c in raw.chars() {
            if c == '\u{8}' {
                text.pop();
            } else {
                text.push(c);
            }
        }
        assert!(
            text.contains("SYNOPSIS") && text.contains("hpsearch"),
            "{p}: {text}"
        );
    }
    let search = std::fs::read_to_string(dir.join("hpsearch-search.1")).unwrap();
    assert!(search.contains("\\-\\-exclude\\-source"), "{search}");
    assert!(!idx.exists(), "no index folder is made");
}

/// Files of types hpsearch does not read are not skipped silently: the
/// summary counts them by extension, in both outputs.
#[test]
fn files_hpsearch_does_not_read_are_counted_by_type() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("exports");
    std::fs::create_dir(&src).unwrap();
    std::fs::copy(
        repo().join("fixtures/cc-2025-02-corridor-care.md"),
        src.join("corridor-care.md"),
    )
    .unwrap();
    for name in ["report.pdf", "annex.PDF", "minutes.docx", "README"] {
        std::fs::write(src.join(name), "not text hpsearch reads").unwrap();
    }
    let idx = dir.path().join("idx");
    let human = hp(&idx).arg("index").arg(&src).output().unwrap();
    assert!(human.status.success());
    let line = String::from_utf8(human.stdout).unwrap();
    assert!(
        line.contains(
            "4 files of a type hpsearch does not read (1 without an extension, 1 .docx, 2 .pdf)"
        ),
        "{line}"
    );
    assert!(
        line.contains("; 1 file read, ") && line.contains(", 0 warnings;"),
        "{line}"
    );
    let summary = json(hp(&idx).args(["index", "--json"]).arg(&src));
    assert_eq!(summary["ignored_files"], 4);
    assert_eq!(
        summary["ignored_types"],
        serde_json::json!({"": 1, "docx": 1, "pdf": 2})
    );
}

/// A JSONL export with the names of another tool: `headline`, `outlet`,
/// `published`, `link`, and a body key named with `--map`.
#[test]
fn jsonl_takes_the_other_names_of_fields_and_map() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"headline": "Trust pauses ward closure", "outlet": "Pennine Gazette", "published": "2024-03-05", "link": "https://pg.example/ward", "article_body": "The trust paused the closure of the stroke ward after a consultation."}"#,
            "\n"
        ),
    )
    .unwrap();
    let idx = dir.path().join("idx");
    let r = hp(&idx)
        .args(["index", "--strict", "--map", "text=Article Body"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let v = json(hp(&idx).args(["search", "--json", "stroke ward"]));
    let hit = &v["hits"][0];
    assert_eq!(hit["title"], "Trust pauses ward closure");
    assert_eq!(hit["source"], "Pennine Gazette");
    assert_eq!(hit["date"], "2024-03-05");
    assert_eq!(hit["url"], "https://pg.example/ward");
}

/// A real export carries fields hpsearch does not read; `--strict` indexes
/// it, and the summary says what was left out.
#[test]
fn strict_accepts_exports_with_fields_hpsearch_does_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"id": "a1", "title": "Ward reopens", "text": "The ward reopened.", "tags": ["nhs"], "account": "@ward"}"#,
            "\n",
            r#"{"id": "a2", "title": "Clinic closes", "text": "The clinic closed.", "tags": []}"#,
            "\n",
        ),
    )
    .unwrap();
    let idx = dir.path().join("idx");
    let r = hp(&idx)
        .args(["index", "--strict"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let out = String::from_utf8(r.stdout).unwrap();
    assert!(out.contains("2 added"), "{out}");
    assert!(
        out.contains("fields hpsearch does not read, left out: account (1 line), tags (2 lines)"),
        "{out}"
    );
    assert!(
        r.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
}

/// Exports from web databases keep HTML character references; titles and
/// text read from JSONL and CSV show the characters, and search finds them.
#[test]
fn character_references_in_exports_are_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("exports");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(
        src.join("a.jsonl"),
        concat!(
            r#"{"id": "j1", "title": "A&amp;E waits &#8211; a record", "text": "Patients waited in A&amp;E for hours, the trust&rsquo;s figures show."}"#,
            "\n"
        ),
    )
    .unwrap();
    std::fs::write(
        src.join("b.csv"),
        "id,title,text\nc1,R&amp;D budget cut,\"The R&amp;D budget was cut, <b>not</b> &amp; restored.\"\n",
    )
    .unwrap();
    let idx = dir.path().join("idx");
    assert!(
        hp(&idx)
            .arg("index")
            .arg(&src)
            .output()
            .unwrap()
            .status
            .success()
    );
    let show = |id: &str| json(hp(&idx).args(["show", "--json", id]));
    let j = show("j1");
    assert_eq!(j["title"], "A&E waits \u{2013} a record");
    assert_eq!(
        j["text"],
        "Patients waited in A&E for hours, the trust\u{2019}s figures show."
    );
    let c = show("c1");
    assert_eq!(c["title"], "R&D budget cut");
    // Text with markup is left as written.
    assert_eq!(
        c["text"],
        "The R&amp;D budget was cut, <b>not</b> &amp; restored."
    );
    let v = json(hp(&idx).args(["search", "--json", "A&E"]));
    assert_eq!(v["hits"][0]["id"], "j1");
}

/// An article that is only a headline (a tweet, a wire flash) shows its
/// title once, not again as its passage.
#[test]
fn a_headline_only_article_is_not_printed_twice() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("flashes.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"id": "f1", "title": "Ambulance strike called off in Wales", "text": "Ambulance strike called off in Wales"}"#,
            "\n"
        ),
    )
    .unwrap();
    let idx = dir.path().join("idx");
    assert!(
        hp(&idx)
            .arg("index")
            .arg(&file)
            .output()
            .unwrap()
            .status
            .success()
    );
    let out = stdout(hp(&idx).args(["search", "ambulance strike"]));
    assert_eq!(
        out.matches("Ambulance strike called off in Wales").count(),
        1,
        "{out}"
    );
    assert!(!out.contains("   > "), "{out}");
}

/// `stats` reports the run the way `index` printed it, time included.
#[test]
fn stats_reports_the_last_run_as_index_printed_it() {
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("idx");
    let printed = json(
        hp(&idx)
            .args(["index", "--json"])
            .arg(repo().join("fixtures")),
    );
    let stats = json(hp(&idx).args(["stats", "--json"]));
    assert_eq!(stats["last_run"], printed);
    assert!(printed["seconds"].as_f64().unwrap() > 0.0);
}

/// Passages wrap to the terminal's width (`COLUMNS` when set), keeping
/// their indent, and lose no word; piped output keeps each on one line.
#[test]
fn passages_wrap_to_the_width_keeping_their_indent() {
    let dir = indexed();
    let idx = dir.path().join("idx");
    let args = [
        "search",
        "-n",
        "3",
        "--passages",
        "2",
        "junior doctors strike",
    ];
    let one_line = stdout(hp(&idx).args(args));
    let wrapped = stdout(hp(&idx).env("COLUMNS", "60").args(args));
    let passages = |out: &str, wrapped: bool| -> Vec<String> {
        let mut found: Vec<String> = Vec::new();
        for line in out.lines() {
            if let Some(p) = line.strip_prefix("   > ") {
                found.push(p.to_string());
            } else if wrapped && line.starts_with("     ") && !found.is_empty() {
                let last = found.last_mut().unwrap();
                last.push(' ');
                last.push_str(line.trim_start());
            }
        }
        found
    };
    for line in wrapped
        .lines()
        .filter(|l| l.starts_with("   > ") || l.starts_with("     "))
    {
        assert!(line.chars().count() <= 60, "{line:?}");
    }
    let (a, b) = (passages(&one_line, false), passages(&wrapped, true));
    assert!(!a.is_empty());
    assert_eq!(a, b, "the same words, wrapped");
    assert!(wrapped.lines().count() > one_line.lines().count());
}

/// Paths shown resolve from the folder the command runs in, wherever the
/// index was built from: in hits, in exports and in `show`.
#[test]
fn paths_shown_resolve_from_the_current_folder() {
    let dir = indexed();
    let idx = dir.path().join("idx");
    let elsewhere = dir.path().join("work").join("notes");
    std::fs::create_dir_all(&elsewhere).unwrap();
    for cwd in [repo(), elsewhere.clone(), std::env::temp_dir()] {
        let v = json(
            hp(&idx)
                .current_dir(&cwd)
                .args(["search", "ambulance handover", "--json"]),
        );
        for hit in v["hits"].as_array().unwrap() {
            let path = hit["path"].as_str().unwrap();
            assert!(cwd.join(path).is_file(), "{path} from {}", cwd.display());
        }
        let shown = json(hp(&idx).current_dir(&cwd).args([
            "show",
            "nhp-2022-12-ambulance-handover-delays",
            "--json",
        ]));
        assert!(cwd.join(shown["path"].as_str().unwrap()).is_file());
        let csv =
            stdout(
                hp(&idx)
                    .current_dir(&cwd)
                    .args(["search", "ambulance", "--format", "csv"]),
            );
        let mut rows = csv::Reader::from_reader(csv.as_bytes());
        for r in rows.records() {
            let r = r.unwrap();
            assert!(cwd.join(&r[5]).is_file(), "{}", &r[5]);
        }
    }
    // From the repository, the fixtures are where they are.
    let v = json(
        hp(&idx)
            .current_dir(repo())
            .args(["search", "Palantir", "--json"]),
    );
    assert_eq!(
        v["hits"][0]["path"],
        "fixtures/pl-2023-11-federated-data-platform.md"
    );
}

/// Options are part of what an article is built from: a re-run with
/// another `--source`, `--date` or `--map` reads the files again and
/// updates their articles, and says so; a misspelt `--map` column is an
/// error that names the columns the files have.
#[test]
fn changed_options_apply_on_reindex() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("004.txt");
    std::fs::copy(common::shared("seeds/004_abe1837dc7460a9d.txt"), &seed).unwrap();
    let idx = dir.path().join("idx");
    let first = json(hp(&idx).args(["index", "--json"]).arg(&seed));
    assert_eq!(first["added"], 1);
    let with_options = || {
        json(
            hp(&idx)
                .args(["index", "--json", "--source", "IBTimes UK"])
                .args(["--date", "2016-01-12"])
                .arg(&seed),
        )
    };
    let again = with_options();
    assert_eq!(again["updated"], 1, "{again}");
    assert_eq!(again["options_changed_files"], 1, "{again}");
    let sources = json(hp(&idx).args(["sources", "--json"]));
    assert_eq!(sources[0]["value"], "IBTimes UK", "{sources}");
    assert_eq!(sources[0]["count"], 1);
    let stats = json(hp(&idx).args(["stats", "--json"]));
    assert_eq!(stats["undated"], 0, "{stats}");
    assert_eq!(stats["first_date"], "2016-01-12");
    // The same options again: nothing is read.
    let same = with_options();
    assert_eq!(
        (same["files"].as_u64(), same["unchanged"].as_u64()),
        (Some(0), Some(1))
    );

    // A CSV of real stories whose date column has a name hpsearch does not
    // know: undated until `--map` names it.
    let corpus =
        std::fs::read_to_string(common::shared("corpora/fakehealth-news/corpus.jsonl")).unwrap();
    let csv = dir.path().join("stories.csv");
    let mut w = csv::Writer::from_path(&csv).unwrap();
    w.write_record(["Headline", "Story", "Published on"])
        .unwrap();
    let mut rows = 0;
    let mut dated = 0;
    let mut seen = std::collections::HashSet::new();
    for line in corpus.lines().take(300) {
        let v: Value = serde_json::from_str(line).unwrap();
        let (title, text) = (
            v["title"].as_str().unwrap_or(""),
            v["text"].as_str().unwrap_or(""),
        );
        if text.trim().is_empty() || !seen.insert((title.to_string(), text.to_string())) {
            continue;
        }
        let date = v["date"].as_str().unwrap_or("");
        dated += u64::from(!date.trim().is_empty());
        rows += 1;
        w.write_record([title, text, date]).unwrap();
    }
    w.flush().unwrap();
    assert!(
        dated > 0 && dated < rows,
        "the sample mixes dated and undated stories"
    );
    let idx = dir.path().join("csv-idx");
    let first = json(hp(&idx).args(["index", "--json"]).arg(&csv));
    let articles = first["added"].as_u64().unwrap();
    assert_eq!(articles, rows);
    let stats = json(hp(&idx).args(["stats", "--json"]));
    assert_eq!(stats["undated"].as_u64(), Some(articles));

    let typo = hp(&idx)
        .args(["index", "--map", "date=Publishd on"])
        .arg(&csv)
        .output()
        .unwrap();
    assert_eq!(typo.status.code(), Some(2));
    let err = String::from_utf8_lossy(&typo.stderr);
    assert!(
        err.contains("\"Publishd on\"") && err.contains("\"Published on\""),
        "{err}"
    );
    let stats = json(hp(&idx).args(["stats", "--json"]));
    assert_eq!(
        stats["undated"].as_u64(),
        Some(articles),
        "the error changed nothing"
    );

    let mapped = json(
        hp(&idx)
            .args(["index", "--json", "--map", "date=Published on"])
            .arg(&csv),
    );
    assert_eq!(mapped["options_changed_files"], 1, "{mapped}");
    let stats = json(hp(&idx).args(["stats", "--json"]));
    assert_eq!(
        stats["articles"].as_u64().unwrap() - stats["undated"].as_u64().unwrap(),
        dated,
        "{stats}"
    );
}

/// A data set's notes (`SOURCE.md`) beside its data file are not articles:
/// passed over and named in the summary; named as a path, one is indexed.
#[test]
fn notes_beside_data_files_are_named_not_indexed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("fakehealth");
    std::fs::create_dir(&data).unwrap();
    let corpus = common::shared("corpora/fakehealth-news");
    std::fs::copy(corpus.join("SOURCE.md"), data.join("SOURCE.md")).unwrap();
    let lines: Vec<String> = std::fs::read_to_string(corpus.join("corpus.jsonl"))
        .unwrap()
        .lines()
        .take(40)
        .map(str::to_string)
        .collect();
    std::fs::write(data.join("corpus.jsonl"), lines.join("\n") + "\n").unwrap();
    // A folder of text articles keeps its README: it holds no data file.
    let clippings = dir.path().join("clippings");
    std::fs::create_dir(&clippings).unwrap();
    std::fs::write(
        clippings.join("README.md"),
        "Ward closures\n\nThe ward closed on Friday.",
    )
    .unwrap();

    let idx = dir.path().join("idx");
    let v = json(
        hp(&idx)
            .args(["index", "--json"])
            .arg(&data)
            .arg(&clippings),
    );
    assert_eq!(v["added"], 41, "{v}");
    let notes = v["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{v}");
    assert!(notes[0].as_str().unwrap().ends_with("SOURCE.md"));
    let text = stdout(hp(&idx).args(["index"]).arg(&data));
    assert!(
        text.contains(
            "1 note beside data files not indexed (SOURCE.md; name one as a path to index it)"
        ),
        "{text}"
    );
    let v = json(
        hp(&idx)
            .args(["index", "--json"])
            .arg(data.join("SOURCE.md")),
    );
    assert_eq!(v["added"], 1, "{v}");
}
