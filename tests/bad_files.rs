//! Bad input files: `index` keeps going, warns once per problem naming the
//! file (and line) and the reason, counts the warnings in its summary, and
//! with `--strict` exits with status 2 and commits nothing.

mod common;

use std::path::{Path, PathBuf};

use common::{hp, repo, run, warnings_about};
use serde_json::Value;

fn inputs() -> PathBuf {
    repo().join("tests").join("inputs")
}

fn summary(r: &common::Run) -> Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
}

fn search_ids(index: &Path, query: &str) -> Vec<String> {
    let r = run(hp(index).args(["search", "--json", "--", query]));
    let v: Value = serde_json::from_str(&r.stdout).unwrap_or(Value::Null);
    v["hits"]
        .as_array()
        .map(|h| {
            h.iter()
                .map(|h| h["id"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn search_paths(index: &Path, query: &str) -> Vec<String> {
    let r = run(hp(index).args(["search", "--json", "--", query]));
    let v: Value = serde_json::from_str(&r.stdout).unwrap_or(Value::Null);
    v["hits"]
        .as_array()
        .map(|h| {
            h.iter()
                .map(|h| h["path"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A temporary folder with an empty `files` folder in it.
fn files_dir() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("files");
    std::fs::create_dir(&files).unwrap();
    (dir, files)
}

/// Every committed bad file in `tests/inputs`, with the warning it must give.
#[test]
fn each_bad_file_gives_its_warning_and_the_rest_is_indexed() {
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("idx");
    let r = run(hp(&idx).args(["index", "--json"]).arg(inputs()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let expect: &[(&str, &str)] = &[
        ("invalid-utf8.txt", "invalid UTF-8"),
        ("latin1-line.jsonl:1", "invalid UTF-8"),
        ("empty.txt", "empty"),
        ("whitespace-only.md", "empty"),
        ("empty.jsonl", "empty"),
        ("binary.txt", "binary file"),
        ("binary.jsonl", "binary file"),
        ("long-words.txt", "2 words longer than 100 bytes"),
        ("impossible-date.md", "\"2025-13-45\""),
        ("unclosed-front-matter.md", "never closed"),
        ("bad-lines.jsonl:2", "not valid JSON"),
        ("bad-lines.jsonl:3", "field `title` is an array"),
        ("bad-lines.jsonl:3", "field `date` is a number"),
        ("bad-lines.jsonl:4", "not a JSON object"),
        ("bad-lines.jsonl:5", "id \"good-1\" already added from"),
        ("bad-lines.jsonl:6", "\"2025-13-45\""),
        ("bad-lines.jsonl:9", "no `text`, `body` or `title`"),
        ("bad-lines.jsonl:10", "not a JSON object"),
    ];
    for (file, reason) in expect {
        let found = warnings_about(&r.stderr, file);
        assert!(
            found.iter().any(|w| w.contains(reason)),
            "no warning {reason:?} for {file}: {found:?}\n{}",
            r.stderr
        );
    }
    // One warning per problem, nothing more: the count matches the lines.
    let lines = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("hpsearch: warning: "))
        .count();
    assert_eq!(lines, expect.len(), "{}", r.stderr);
    for fine in ["utf16le-bom.txt", "utf16be-bom.md"] {
        assert!(warnings_about(&r.stderr, fine).is_empty(), "{}", r.stderr);
    }
    let s = summary(&r);
    assert_eq!(s["warnings"], expect.len() as u64);
    // Keys hpsearch does not read are counted in the summary, not warned
    // about: exports carry them as a matter of course.
    assert_eq!(
        s["unread_fields"],
        serde_json::json!({"account": 1, "tags": 1})
    );
    assert!(!r.stderr.contains("account"), "{}", r.stderr);
    // good-1, typed, dated, 42 (bad-lines), latin1, and six text files
    assert_eq!(s["added"], 11, "{s}");

    // What was read around is searchable.
    assert_eq!(search_ids(&idx, "zebrafinch").len(), 1);
    assert_eq!(search_ids(&idx, "kingfisher").len(), 1);
    assert_eq!(search_ids(&idx, "woodpecker").len(), 1);
    assert_eq!(search_ids(&idx, "heron"), search_ids(&idx, "audit"));
    assert_eq!(search_ids(&idx, "sandpiper"), ["latin1"]);
    assert_eq!(search_ids(&idx, "lapwing"), ["typed"]);
    assert_eq!(search_ids(&idx, "dunlin"), ["42"]);
    assert_eq!(search_ids(&idx, "curlew"), ["good-1"]);
    let show = run(hp(&idx).args(["show", "--json", "dated"]));
    let a: Value = serde_json::from_str(&show.stdout).unwrap();
    assert_eq!(a["date"], Value::Null);
    let show = run(hp(&idx).args(["show", "--json", "typed"]));
    let a: Value = serde_json::from_str(&show.stdout).unwrap();
    assert!(
        a["title"].as_str().unwrap().starts_with("The lapwing"),
        "{a}"
    );
    let text = run(hp(&idx).args(["search", "--json", "zebrafinch"])).stdout;
    assert!(text.contains('\u{FFFD}'), "{text}");
}

#[test]
fn strict_turns_any_warning_into_exit_2_and_commits_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("idx");
    let good = repo().join("fixtures").join("pg-2023-08-dental-deserts.md");
    run(hp(&idx).arg("index").arg(&good));
    for bad in [
        "empty.txt",
        "binary.txt",
        "bad-lines.jsonl",
        "long-words.txt",
    ] {
        let r = run(hp(&idx).args(["index", "--strict"]).arg(inputs().join(bad)));
        assert_eq!(r.code, 2, "{bad}: {}", r.stderr);
        assert!(
            r.stderr
                .lines()
                .any(|l| l.starts_with("hpsearch: warning: ") && l.contains(&format!("/{bad}"))),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("nothing was committed"), "{}", r.stderr);
    }
    let stats: Value =
        serde_json::from_str(&run(hp(&idx).args(["stats", "--json"])).stdout).unwrap();
    assert_eq!(stats["articles"], 1);
    // Files without problems pass --strict.
    let r = run(hp(&idx)
        .args(["index", "--strict"])
        .arg(inputs().join("utf16le-bom.txt")));
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// A 50 MB article is indexed whole, its passages stay bounded, and it is
/// found; so is a 10 MB line without a space, which gives one warning.
#[test]
fn huge_article_and_huge_line() {
    let (dir, files) = files_dir();
    let paragraph = "The trust board heard that corridor care had become routine on the \
         medical wards, with patients waiting on trolleys for a bed.\n\n";
    let mut big = String::from("Title: Fifty megabytes of board papers\n\n");
    let mut n = 0;
    while big.len() < 50 << 20 {
        big.push_str(paragraph);
        n += 1;
        if n == 200_000 {
            big.push_str("The needle ptarmigan appears exactly once.\n\n");
        }
    }
    std::fs::write(files.join("big.txt"), &big).unwrap();
    let line = "z".repeat(10 << 20);
    std::fs::write(
        files.join("line.txt"),
        format!("Unbroken line\n\n{line}\n\nThe capercaillie note follows the blob."),
    )
    .unwrap();
    let idx = dir.path().join("idx");
    let r = run(hp(&idx).args(["index", "--json"]).arg(&files));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = summary(&r);
    assert_eq!(s["added"], 2, "{s}");
    assert_eq!(
        warnings_about(&r.stderr, "line.txt"),
        [format!(
            "hpsearch: warning: {}: a word longer than 100 bytes cannot be searched (it starts \"zzzzzzzzzzzzzzzzzzzz\"); the rest is indexed",
            files.join("line.txt").display()
        )]
    );
    assert!(
        warnings_about(&r.stderr, "big.txt").is_empty(),
        "{}",
        r.stderr
    );

    let v: Value = serde_json::from_str(
        &run(hp(&idx).args(["search", "--json", "--passages", "3", "ptarmigan"])).stdout,
    )
    .unwrap();
    assert_eq!(v["total_articles"], 1);
    for p in v["hits"][0]["passages"].as_array().unwrap() {
        let text = p["text"].as_str().unwrap();
        assert!(text.len() <= hpsearch::passage::MAX_BYTES);
        assert!(text.split_whitespace().count() <= hpsearch::passage::MAX_WORDS);
    }
    assert_eq!(search_paths(&idx, "capercaillie").len(), 1);
    // Passages of the blob are cut at the byte bound too.
    let ranges = hpsearch::passage::split(&line);
    assert!(
        ranges
            .iter()
            .all(|r| r.len() <= hpsearch::passage::MAX_BYTES)
    );
    let stats: Value =
        serde_json::from_str(&run(hp(&idx).args(["stats", "--json"])).stdout).unwrap();
    let passages = stats["passages"].as_u64().unwrap();
    assert!(passages as usize >= (50 << 20) / hpsearch::passage::MAX_BYTES);
}

/// Files that cannot be read, even by root: a link to nothing, a named pipe
/// (which must never block the run), a link loop, a self-referencing link.
#[test]
fn unreadable_files_links_and_pipes_are_warned_and_skipped() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("files");
    std::fs::create_dir_all(files.join("sub")).unwrap();
    std::fs::write(files.join("ok.txt"), "The bittern ward is open.").unwrap();
    symlink("nowhere.txt", files.join("dangling.txt")).unwrap();
    symlink("self.md", files.join("self.md")).unwrap();
    symlink("..", files.join("sub").join("up")).unwrap();
    let fifo = files.join("pipe.txt");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let locked = files.join("locked.md");
    std::fs::write(&locked, "Locked away.").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads any file whatever its mode; then it is simply indexed.
    let locked_out = std::fs::read(&locked).is_err();

    let idx = dir.path().join("idx");
    let r = run(hp(&idx)
        .args(["index", "--json"])
        .arg(&files)
        .timeout(std::time::Duration::from_secs(120)));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let one = |file: &str, reason: &str| {
        let w = warnings_about(&r.stderr, file);
        assert!(
            w.len() == 1 && w[0].contains(reason),
            "{file}: {w:?}\n{}",
            r.stderr
        );
    };
    one("dangling.txt", "cannot read");
    one("self.md", "cannot read");
    one("up", "symbolic link loop");
    one("pipe.txt", "a named pipe, not a regular file");
    if locked_out {
        one("locked.md", "cannot read");
    }
    let s = summary(&r);
    assert_eq!(s["added"], if locked_out { 1 } else { 2 });
    assert_eq!(s["warnings"], if locked_out { 5 } else { 4 });
    assert_eq!(search_ids(&idx, "bittern").len(), 1);

    // Named directly, a pipe is refused the same way.
    let r = run(hp(&idx)
        .args(["index", "--json"])
        .arg(&fifo)
        .timeout(std::time::Duration::from_secs(60)));
    assert_eq!(r.code, 0, "{}", r.stderr);
    one_of(&r.stderr, "pipe.txt", "a named pipe");
    // A path that does not exist at all is an error, not a warning.
    let r = run(hp(&idx).arg("index").arg(files.join("missing")));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("missing"), "{}", r.stderr);
}

fn one_of(stderr: &str, file: &str, reason: &str) {
    let w = warnings_about(stderr, file);
    assert!(w.len() == 1 && w[0].contains(reason), "{w:?}\n{stderr}");
}

/// A file name that is not UTF-8 is indexed; its path is shown with the
/// replacement character, and a folder name that is not UTF-8 still gives a
/// source with `--source-from-dir`.
#[test]
fn file_names_that_are_not_utf8() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join(OsStr::from_bytes(b"Gazette \xff"));
    std::fs::create_dir(&folder).unwrap();
    let file = folder.join(OsStr::from_bytes(b"caf\xe9.txt"));
    std::fs::write(&file, "The greenshank surgery closes.").unwrap();
    let idx = dir.path().join("idx");
    let r = run(hp(&idx)
        .args(["index", "--json", "--source-from-dir"])
        .arg(dir.path().join(OsStr::from_bytes(b"Gazette \xff"))));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(summary(&r)["added"], 1);
    let paths = search_paths(&idx, "greenshank");
    assert_eq!(paths.len(), 1);
    assert!(paths[0].ends_with("caf\u{FFFD}.txt"), "{paths:?}");
    let sources = run(hp(&idx).args(["sources", "--json"])).stdout;
    assert!(sources.contains("Gazette \u{FFFD}"), "{sources}");
    // Named directly, too.
    let r = run(hp(&dir.path().join("idx2")).arg("index").arg(&file));
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// The same id twice in one run: the first copy wins, the second is a warning
/// naming where the first came from, across files and formats.
#[test]
fn the_same_id_twice_in_one_run() {
    let (dir, files) = files_dir();
    std::fs::write(
        files.join("a.md"),
        "---\nid: same\ntitle: First copy\n---\nThe first whimbrel copy.",
    )
    .unwrap();
    std::fs::write(
        files.join("b.jsonl"),
        "{\"id\": \"same\", \"title\": \"Second\", \"text\": \"The second whimbrel copy.\"}\n",
    )
    .unwrap();
    let idx = dir.path().join("idx");
    let r = run(hp(&idx).args(["index", "--json"]).arg(&files));
    let w = warnings_about(&r.stderr, "b.jsonl:1");
    assert!(
        w.len() == 1 && w[0].contains("already added from") && w[0].contains("a.md"),
        "{}",
        r.stderr
    );
    let s = summary(&r);
    assert_eq!(
        (s["added"].as_u64(), s["skipped"].as_u64()),
        (Some(1), Some(1))
    );
    let show = run(hp(&idx).args(["show", "--json", "same"]));
    assert!(show.stdout.contains("First copy"), "{}", show.stdout);
}

/// `index` never panics on any committed input: the files under `tests/` and
/// the fuzz corpora and regressions, read both as text and as JSONL.
#[test]
fn no_panic_on_any_committed_input() {
    let (dir, files) = files_dir();
    let mut n = 0;
    for root in [inputs(), repo().join("fuzz")] {
        for entry in walkdir::WalkDir::new(&root)
            .into_iter()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_file())
        {
            let p = entry.path();
            // In fuzz/, only the corpora and regressions (not sources or builds).
            let top = p.strip_prefix(&root).unwrap().components().next();
            let in_fuzz_inputs = top
                .is_some_and(|c| matches!(c.as_os_str().to_str(), Some("corpus" | "regressions")));
            if root.ends_with("fuzz") && !in_fuzz_inputs {
                continue;
            }
            let bytes = std::fs::read(p).unwrap();
            for ext in ["txt", "jsonl"] {
                std::fs::write(files.join(format!("{n}.{ext}")), &bytes).unwrap();
            }
            n += 1;
        }
    }
    assert!(n >= 15, "only {n} inputs found");
    let idx = dir.path().join("idx");
    let r = run(hp(&idx).args(["index", "--json"]).arg(&files));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = summary(&r);
    assert_eq!(s["files"].as_u64(), Some(2 * n as u64), "{s}");
}
