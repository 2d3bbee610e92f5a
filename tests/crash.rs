//! Crash safety and concurrency against a large corpus (the 63,000 lines of
//! `../shared/corpora/health-news-tweets`).
//!
//! * An `index` run killed with SIGKILL part-way leaves the previous commit
//!   intact and searchable with the same results, and running the same
//!   command again completes with no duplicate articles.
//! * Searches while an `index` run adds articles see the last commit and
//!   never fail; after the commit they see the new articles.

mod common;

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{hp, repo, run, shared};
use hpsearch::{Index, SearchRequest};
use serde_json::Value;

fn corpus() -> PathBuf {
    shared("corpora/health-news-tweets/corpus.jsonl")
}

/// Distinct ids in the corpus: what a complete run must hold, once each.
fn corpus_ids() -> usize {
    let text = std::fs::read_to_string(corpus()).unwrap();
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| v["id"].as_str().map(str::to_string))
        .collect::<HashSet<_>>()
        .len()
}

/// The `index` run over the corpus, as a child process. A small memory
/// budget and one thread make it write segments as it goes, so a kill finds
/// files of the unfinished run on disk.
fn start_index(idx: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_hpsearch"))
        .env_remove("HPSEARCH_INDEX")
        .arg("--index")
        .arg(idx)
        .args(["index", "--json", "--memory", "16", "--threads", "1"])
        .arg(corpus())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn files(idx: &Path) -> BTreeSet<String> {
    std::fs::read_dir(idx)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

fn stats(idx: &Path) -> Value {
    let r = run(hp(idx).args(["stats", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

/// What a person would look at: the JSON of a few searches and `sources`.
fn answers(idx: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for q in [
        "junior doctors",
        "diet +health",
        "\"corridor care\"",
        "nhs -strike",
    ] {
        let r = run(hp(idx).args(["search", "--json", "-n", "50", "--", q]));
        assert!(r.code == 0 || r.code == 1, "{q}: {}", r.stderr);
        out.push(r.stdout);
    }
    out.push(run(hp(idx).args(["sources", "--json"])).stdout);
    out
}

#[test]
fn killed_index_run_leaves_the_last_commit_intact() {
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("idx");
    let r = run(hp(&idx).arg("index").arg(repo().join("fixtures")));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let before_stats = stats(&idx);
    let before = answers(&idx);

    // Kill three times at different points of the run: as it starts to write
    // its 1st, 5th and 12th new segment (of some 20, merges included).
    for kill_at in [1, 5, 12] {
        let known = files(&idx);
        let mut child = start_index(&idx);
        let deadline = Instant::now() + Duration::from_secs(300);
        // Merges delete segments as the run goes, so keep every one seen.
        let mut new: HashSet<String> = HashSet::new();
        loop {
            new.extend(files(&idx).difference(&known).filter_map(|f| segment_of(f)));
            if new.len() >= kill_at {
                break;
            }
            assert!(
                child.try_wait().unwrap().is_none(),
                "the run ended before it wrote {kill_at} segments"
            );
            assert!(Instant::now() < deadline);
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it could be killed"
        );
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        assert!(!status.success());

        // The last commit is intact: opening checks every file, and the
        // answers are the same as before the run.
        Index::open(&idx).unwrap_or_else(|e| panic!("after kill {kill_at}: {e}"));
        assert_eq!(stats(&idx)["articles"], before_stats["articles"]);
        assert_eq!(answers(&idx), before, "after kill {kill_at}");
    }

    // The same command again completes, with every article once.
    let child = start_index(&idx);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids = corpus_ids();
    assert_eq!(summary["added"], ids as u64);
    let after = stats(&idx);
    assert_eq!(
        after["articles"],
        before_stats["articles"].as_u64().unwrap() + ids as u64
    );
    // And once more: everything is unchanged, nothing is added twice.
    let out = start_index(&idx).wait_with_output().unwrap();
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (summary["added"].as_u64(), summary["unchanged"].as_u64()),
        (Some(0), Some(ids as u64))
    );
    assert_eq!(stats(&idx)["articles"], after["articles"]);
    // Files the killed runs left behind were cleaned away: every segment file
    // on disk belongs to the commit.
    let meta = std::fs::read_to_string(idx.join("meta.json")).unwrap();
    let meta: Value = serde_json::from_str(&meta).unwrap();
    let live: HashSet<String> = meta["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["segment_id"].as_str().unwrap().replace('-', ""))
        .collect();
    for f in files(&idx) {
        if let Some(segment) = segment_of(&f) {
            assert!(
                live.contains(&segment),
                "{f} is left over from a killed run"
            );
        }
    }
}

/// The segment a tantivy file belongs to: its 32 hex digit stem.
fn segment_of(file: &str) -> Option<String> {
    let (stem, _) = file.split_once('.')?;
    (stem.len() == 32 && stem.chars().all(|c| c.is_ascii_hexdigit())).then(|| stem.to_string())
}

#[test]
fn searches_during_an_index_run_see_the_last_commit() {
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("idx");
    let r = run(hp(&idx).arg("index").arg(repo().join("fixtures")));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let total = |idx: &Path| -> u64 {
        let r = run(hp(idx).args(["search", "--json", "-n", "1", "diet OR nurses"]));
        assert!(r.code == 0 || r.code == 1, "a search failed: {}", r.stderr);
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        v["total_articles"].as_u64().unwrap()
    };
    let before = total(&idx);
    // A library handle opened before the run and kept: each of its
    // searches answers from the latest commit, without reopening.
    let held = Index::open(&idx).unwrap();
    let request = SearchRequest::new("diet OR nurses");
    let held_total = |held: &Index| held.search(&request).unwrap().total_articles;
    assert_eq!(held_total(&held), before);

    let mut child = start_index(&idx);
    let (mut seen, mut held_seen) = (Vec::new(), Vec::new());
    while child.try_wait().unwrap().is_none() {
        seen.push(total(&idx));
        // A fresh handle per search, as the command makes.
        let fresh = Index::open(&idx).unwrap();
        seen.push(fresh.search(&request).unwrap().total_articles);
        held_seen.push(held_total(&held));
    }
    assert!(child.wait().unwrap().success());
    let after = total(&idx);
    assert!(after > before);
    assert!(
        seen.len() >= 4,
        "too few searches ran during the run: {seen:?}"
    );
    // Each search saw one commit or the other, and never went back.
    assert!(seen.iter().all(|t| *t == before || *t == after), "{seen:?}");
    let first_new = seen.iter().position(|t| *t == after).unwrap_or(seen.len());
    assert!(seen[first_new..].iter().all(|t| *t == after), "{seen:?}");
    assert!(
        seen.iter().filter(|t| **t == before).count() >= 2,
        "{seen:?}"
    );
    // The held handle went from one commit to the other as the fresh ones
    // did, and sees the new articles now without being reopened.
    assert!(
        held_seen.windows(2).all(|w| w[0] <= w[1])
            && held_seen.iter().all(|t| *t == before || *t == after),
        "{held_seen:?}"
    );
    assert_eq!(held_total(&held), after);
    assert_eq!(
        held.stats().unwrap().articles,
        stats(&idx)["articles"].as_u64().unwrap()
    );
}
