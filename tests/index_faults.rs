//! Index faults: a missing index, a folder that is not one, an index of
//! another format, damaged files, and a second writer. Each gives a clear
//! error that says what to do (exit 2), never a panic.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{hp, repo, run};
use hpsearch::{Article, Error, Index, IngestOptions, WriterOptions, write::Quiet};
use serde_json::Value;

fn build(dir: &Path) -> PathBuf {
    let idx = dir.join("idx");
    let r = run(hp(&idx).arg("index").arg(repo().join("fixtures")));
    assert_eq!(r.code, 0, "{}", r.stderr);
    idx
}

/// Every reading command and `index` itself fail with exit 2 and `message`.
fn all_refuse(idx: &Path, message: &str) {
    let fixtures = repo().join("fixtures");
    let commands: [Vec<&std::ffi::OsStr>; 5] = [
        vec!["search".as_ref(), "nurses".as_ref()],
        vec!["show".as_ref(), "cc-2025-02-corridor-care".as_ref()],
        vec!["sources".as_ref()],
        vec!["stats".as_ref()],
        vec!["index".as_ref(), fixtures.as_os_str()],
    ];
    for args in commands {
        let r = run(hp(idx).args(&args));
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(message), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn no_index_and_not_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let r = run(hp(&missing).args(["search", "nurses"]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no index at")
            && r.stderr.contains("create one with `hpsearch index --index"),
        "{}",
        r.stderr
    );
    assert!(!missing.exists());
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let r = run(hp(&empty).args(["stats"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no index at"), "{}", r.stderr);

    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "my notes").unwrap();
    all_refuse(
        &other,
        "is not an hpsearch index (it holds other files); choose another --index folder",
    );
    // Nothing was written into someone else's folder.
    let names: Vec<_> = std::fs::read_dir(&other).unwrap().collect();
    assert_eq!(names.len(), 1);
    assert!(matches!(Index::open(&other), Err(Error::NotAnIndex(_))));

    // --index naming a file: said as such by every command, the file untouched.
    let file = dir.path().join("index.txt");
    std::fs::write(&file, "not a folder").unwrap();
    all_refuse(
        &file,
        "is a file, not an index folder; choose a folder for --index",
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a folder");
    assert!(matches!(Index::open(&file), Err(Error::NotAFolder(_))));
    assert!(matches!(
        Index::open_or_create(&file),
        Err(Error::NotAFolder(_))
    ));
}

/// A path to index that does not exist is one message, said once, and no
/// index folder is made for it.
#[test]
fn a_missing_path_to_index_makes_no_index() {
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("idx");
    let missing = dir.path().join("artciles");
    let r = run(hp(&idx)
        .arg("index")
        .arg(repo().join("fixtures"))
        .arg(&missing));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr.trim(),
        format!(
            "hpsearch: error: {}: no such file or folder; nothing was indexed",
            missing.display()
        )
    );
    assert!(
        !idx.exists(),
        "no index folder for a run that indexed nothing"
    );
}

#[test]
fn index_of_another_format() {
    let dir = tempfile::tempdir().unwrap();
    let idx = build(dir.path());
    std::fs::write(
        idx.join("hpsearch.json"),
        "{\"engine\":\"hpsearch\",\"format\":999}\n",
    )
    .unwrap();
    all_refuse(&idx, "has format 999");
    all_refuse(&idx, "rebuild it with `hpsearch index --index");
    assert!(matches!(
        Index::open(&idx),
        Err(Error::IncompatibleIndex { found: 999, .. })
    ));
    std::fs::write(idx.join("hpsearch.json"), "{\"engine\":").unwrap();
    all_refuse(&idx, "is damaged (hpsearch.json is unreadable)");
}

/// Damages one file of the index in `kind` of way.
fn damage(idx: &Path, ext: &str, kind: &str) {
    let file = std::fs::read_dir(idx)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap_or_else(|| panic!("no .{ext} file"));
    let len = std::fs::metadata(&file).unwrap().len();
    match kind {
        "truncated" => {
            let f = std::fs::OpenOptions::new().write(true).open(&file).unwrap();
            f.set_len(len / 2).unwrap();
        }
        "emptied" => std::fs::write(&file, b"").unwrap(),
        "flipped" => {
            let mut bytes = std::fs::read(&file).unwrap();
            let at = bytes.len() / 2;
            for b in &mut bytes[at..at + 16] {
                *b ^= 0x5a;
            }
            std::fs::write(&file, bytes).unwrap();
        }
        "removed" => std::fs::remove_file(&file).unwrap(),
        other => unreachable!("{other}"),
    }
}

#[test]
fn damaged_segment_files() {
    let dir = tempfile::tempdir().unwrap();
    let pristine = build(dir.path());
    for ext in ["term", "idx", "pos", "store", "fast", "fieldnorm"] {
        for kind in ["truncated", "emptied", "flipped", "removed"] {
            let idx = dir.path().join(format!("{ext}-{kind}"));
            copy_dir(&pristine, &idx);
            // Files last written an hour ago, opened once: they are noted
            // as checked, and the damage done after must still be found.
            for e in std::fs::read_dir(&idx).unwrap() {
                let f = std::fs::File::options()
                    .write(true)
                    .open(e.unwrap().path())
                    .unwrap();
                f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3600))
                    .unwrap();
            }
            Index::open(&idx).unwrap();
            assert!(idx.join(".hpsearch-verified.json").is_file());
            damage(&idx, ext, kind);
            all_refuse(&idx, "is damaged");
            all_refuse(
                &idx,
                "rebuild it by indexing your files into an empty folder",
            );
            assert!(
                matches!(Index::open(&idx), Err(Error::Corrupted { .. })),
                "{ext} {kind}"
            );
        }
    }
    // tantivy's commit point itself.
    let idx = dir.path().join("meta");
    copy_dir(&pristine, &idx);
    let meta = std::fs::read(idx.join("meta.json")).unwrap();
    std::fs::write(idx.join("meta.json"), &meta[..meta.len() / 2]).unwrap();
    all_refuse(&idx, "is damaged");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// A creation cut short after the marker was written holds no index yet:
/// reading says so, and `index` finishes the job.
#[test]
fn interrupted_creation() {
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("idx");
    std::fs::create_dir(&idx).unwrap();
    std::fs::write(
        idx.join("hpsearch.json"),
        "{\"engine\":\"hpsearch\",\"format\":1}\n",
    )
    .unwrap();
    let r = run(hp(&idx).args(["search", "nurses"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no index at"), "{}", r.stderr);
    let r = run(hp(&idx).arg("index").arg(repo().join("fixtures")));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(hp(&idx).args(["search", "nurses"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
}

fn stats(idx: &Path) -> Value {
    let r = run(hp(idx).args(["stats", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

/// While one writer holds the index, a second `index` run says the index is
/// busy (and how to wait); searches go on. With `--wait` it waits, then runs,
/// and sees what the first writer committed.
#[test]
fn a_second_writer_is_told_the_index_is_busy_or_waits() {
    let dir = tempfile::tempdir().unwrap();
    let idx = build(dir.path());
    let extra = dir.path().join("extra");
    std::fs::create_dir(&extra).unwrap();
    std::fs::write(extra.join("a.txt"), "The redshank unit opens in May.").unwrap();

    let index = Index::open(&idx).unwrap();
    let mut writer = index.writer(&WriterOptions::default()).unwrap();
    let r = run(hp(&idx).arg("index").arg(&extra));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("is busy") && r.stderr.contains("--wait"),
        "{}",
        r.stderr
    );
    assert_eq!(run(hp(&idx).args(["search", "nurses"])).code, 0);
    // The library says the same, at once or after a bounded wait.
    let other = Index::open(&idx).unwrap();
    assert!(matches!(
        other.writer(&WriterOptions::default()),
        Err(Error::Busy(_))
    ));
    let waited = WriterOptions {
        wait: Some(Duration::from_millis(300)),
        ..WriterOptions::default()
    };
    assert!(matches!(other.writer(&waited), Err(Error::Busy(_))));

    let log = dir.path().join("wait.log");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hpsearch"))
        .env_remove("HPSEARCH_INDEX")
        .arg("--index")
        .arg(&idx)
        .args(["index", "--wait", "--json"])
        .arg(&extra)
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !std::fs::read_to_string(&log)
        .unwrap()
        .contains("waiting for it to finish")
    {
        assert!(Instant::now() < deadline, "the waiting run never said so");
        assert!(child.try_wait().unwrap().is_none(), "it did not wait");
        std::thread::sleep(Duration::from_millis(50));
    }
    // It cannot go on while the lock is held.
    std::thread::sleep(Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none());
    writer
        .add_article(Article::new(
            "Godwit ward",
            "The godwit ward was added by the first writer.",
        ))
        .unwrap();
    writer.commit().unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        std::fs::read_to_string(&log).unwrap()
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["added"], 1);
    let s = stats(&idx);
    assert_eq!(s["articles"], 51 + 2);
    // Nothing is damaged: a full re-run finds every article unchanged.
    let r = run(hp(&idx)
        .args(["index", "--json"])
        .arg(repo().join("fixtures"))
        .arg(&extra));
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        (v["added"].as_u64(), v["unchanged"].as_u64()),
        (Some(0), Some(52))
    );
    drop(index);
    let again = Index::open(&idx).unwrap();
    let mut w = again.writer(&WriterOptions::default()).unwrap();
    w.add_paths(&[extra], &IngestOptions::default(), &Quiet)
        .unwrap();
    assert_eq!(w.commit().unwrap().unchanged, 1);
}

/// Two `index` commands at once, as people run them: while a long run over
/// the tweet corpus holds the index, a second run is refused as busy, and a
/// third with `--wait` waits, then sees every article of the first as
/// already indexed, so nothing is added twice.
#[test]
fn two_index_commands_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let idx = build(dir.path());
    let corpus = common::shared("corpora/health-news-tweets/corpus.jsonl");
    let start = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_hpsearch"))
            .env_remove("HPSEARCH_INDEX")
            .arg("--index")
            .arg(&idx)
            .args(["index", "--json", "--memory", "16", "--threads", "1"])
            .args(extra)
            .arg(&corpus)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let known: Vec<_> = std::fs::read_dir(&idx).unwrap().collect();
    let mut first = start(&[]);
    // Wait until the first run is writing (its first new file appears).
    let deadline = Instant::now() + Duration::from_secs(300);
    while std::fs::read_dir(&idx).unwrap().count() <= known.len() {
        assert!(
            first.try_wait().unwrap().is_none(),
            "the first run ended early"
        );
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(5));
    }
    let second = start(&[]).wait_with_output().unwrap();
    let third = start(&["--wait"]);
    // The lock is only let go when the first run ends: if it is still going
    // after the second gave up, the second met it.
    if first.try_wait().unwrap().is_none() {
        assert_eq!(second.status.code(), Some(2));
        let err = String::from_utf8_lossy(&second.stderr);
        assert!(err.contains("is busy") && err.contains("--wait"), "{err}");
    }
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success());
    let first: Value = serde_json::from_slice(&first.stdout).unwrap();
    let third = third.wait_with_output().unwrap();
    assert!(
        third.status.success(),
        "{}",
        String::from_utf8_lossy(&third.stderr)
    );
    let third: Value = serde_json::from_slice(&third.stdout).unwrap();
    // The waiting run reloaded after the first committed: all unchanged.
    assert_eq!(third["added"], 0, "{third}");
    assert_eq!(third["unchanged"], first["added"], "{third}");
    let s = stats(&idx);
    assert_eq!(
        s["articles"].as_u64().unwrap(),
        51 + first["added"].as_u64().unwrap()
    );
}
