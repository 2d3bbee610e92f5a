//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod whole_path;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use hpsearch::{Index, IngestOptions, SearchRequest, SearchResults, WriterOptions, write::Quiet};

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
