//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod whole_path;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use hpsearch::{
    Article, Index, IngestOptions, SearchRequest, SearchResults, WriterOptions, write::Quiet,
};
use serde_json::Value;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` beside the repository, where the real seed articles and
/// corpora live. They are part of the test set-up, so their absence fails.
pub fn shared(rel: &str) -> PathBuf {
    let p = repo().join("..").join("shared").join(rel);
    assert!(
        p.exists(),
        "{} is missing: the integration tests read the shared seeds and corpora beside the repository",
        p.display()
    );
    p
}

/// Indexes `paths` into a fresh temporary index.
pub fn build(paths: &[PathBuf], options: &IngestOptions) -> (tempfile::TempDir, Index) {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = Index::open_or_create(dir.path().join("idx")).expect("create index");
    let mut w = index.writer(&WriterOptions::default()).expect("writer");
    w.add_paths(paths, options, &Quiet).expect("add paths");
    w.commit().expect("commit");
    (dir, index)
}

/// Adds `articles` to a fresh temporary index in one commit.
pub fn index_with(articles: Vec<Article>) -> (tempfile::TempDir, Index) {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open_or_create(dir.path()).unwrap();
    let mut w = index.writer(&WriterOptions::default()).unwrap();
    for a in articles {
        w.add_article(a).unwrap();
    }
    w.commit().unwrap();
    (dir, index)
}

/// The ids of every article `q` matches, sorted, copies not folded
/// (articles written for a test often share enough text to look like
/// copies of one story).
pub fn all_ids(index: &Index, q: &str) -> Vec<String> {
    let mut r = SearchRequest::new(q);
    r.limit = 1000;
    r.collapse = false;
    // The articles counted: those listed after them lack a word.
    let mut ids: Vec<String> = index
        .search(&r)
        .unwrap()
        .hits
        .into_iter()
        .filter(|h| h.missing.is_empty())
        .map(|h| h.id)
        .collect();
    ids.sort();
    ids
}

/// `batch` output split into its answers: the JSON lines of each, every
/// answer closed by an empty line.
pub fn batch_answers(stdout: &str) -> Vec<Vec<Value>> {
    let mut answers = Vec::new();
    let mut block = Vec::new();
    for line in stdout.lines() {
        if line.is_empty() {
            answers.push(std::mem::take(&mut block));
        } else {
            block.push(serde_json::from_str(line).unwrap());
        }
    }
    assert!(
        block.is_empty(),
        "every answer ends with an empty line: {stdout}"
    );
    answers
}

/// One index of `fixtures/` per test binary.
pub fn fixtures() -> &'static Index {
    static FIX: OnceLock<(tempfile::TempDir, Index)> = OnceLock::new();
    &FIX.get_or_init(|| build(&[repo().join("fixtures")], &IngestOptions::default()))
        .1
}

pub fn search(index: &Index, query: &str) -> SearchResults {
    let mut r = SearchRequest::new(query);
    r.limit = 1000;
    index.search(&r).unwrap_or_else(|e| panic!("{query}: {e}"))
}

pub fn ids(r: &SearchResults) -> Vec<&str> {
    r.hits.iter().map(|h| h.id.as_str()).collect()
}

/// Every highlight lies inside its passage, on character boundaries.
pub fn check_highlights(r: &SearchResults) {
    for h in &r.hits {
        for p in &h.passages {
            for [a, b] in &p.highlights {
                assert!(a < b && *b <= p.text.len(), "{h:?}");
                assert!(p.text.is_char_boundary(*a) && p.text.is_char_boundary(*b));
            }
        }
    }
}

pub fn path_str(p: &Path) -> String {
    p.display().to_string()
}

/// The `hpsearch` command on `index`, with no colour and no inherited index.
pub fn hp(index: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::new(env!("CARGO_BIN_EXE_hpsearch"));
    c.env_remove("HPSEARCH_INDEX")
        .env_remove("COLUMNS")
        .env("NO_COLOR", "1")
        .arg("--index")
        .arg(index);
    c
}

/// What a finished command printed, and its exit code.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(c: &mut assert_cmd::Command) -> Run {
    let out = c.output().expect("run hpsearch");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    // Whatever the input, hpsearch answers; it never panics.
    assert!(
        !run.stderr.contains("panicked"),
        "hpsearch panicked: {}",
        run.stderr
    );
    run
}

/// The stderr warning lines about `file` (`name` or `name:line`) in any folder.
pub fn warnings_about<'a>(stderr: &'a str, file: &str) -> Vec<&'a str> {
    let tag = format!("/{file}: ");
    stderr
        .lines()
        .filter(|l| l.starts_with("hpsearch: warning: ") && l.contains(&tag))
        .collect()
}
