//! Research answers: timelines count what `search` counts, and exports write
//! every matching article in formats other tools read back. On the
//! health-news tweets (63,318 dated headlines from 16 outlets) and on the
//! fixtures.

mod common;

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

use assert_cmd::Command;
use biblib::CitationParser;
use common::shared;
use hpsearch::analysis::{Mode, analyze};
use hpsearch::{Date, IngestOptions, Interval, SearchRequest, TimelineRequest};
use serde_json::Value;

fn hp(index: &Path) -> Command {
    let mut c = Command::cargo_bin("hpsearch").unwrap();
    c.env_remove("COLUMNS").env("NO_COLOR", "1");
    c.arg("--index").arg(index);
    c
}

fn stdout(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Whether `text` holds `word` (lower case, ASCII) as a word: in any case,
/// after no letter or digit and before no small letter; or capitalised
/// inside a hashtag, after its other words (`#FightEbola`).
fn holds_word(text: &str, word: &str) -> bool {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(word.len() - 1)).any(|i| {
        let here = &b[i..i + word.len()];
        if !here.eq_ignore_ascii_case(word.as_bytes()) {
            return false;
        }
        let after_ok = b
            .get(i + word.len())
            .is_none_or(|c| !c.is_ascii_lowercase());
        let before = i.checked_sub(1).map(|k| b[k]);
        let alone = before.is_none_or(|c| !c.is_ascii_alphanumeric());
        let in_tag = here[0].is_ascii_uppercase()
            && here[1..] == word.as_bytes()[1..]
            && before.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && b[..i]
                .iter()
                .rev()
                .find(|c| !c.is_ascii_alphanumeric())
                .is_some_and(|&c| c == b'#');
        after_ok && (alone || in_tag)
    })
}

/// Per month of 2014 (`YYYY-MM`), the headlines whose title or text holds
/// `word` once analysed: counted from the file, not the index.
fn headlines_per_month(file: &Path, word: &str) -> BTreeMap<String, u64> {
    let mut months = BTreeMap::new();
    let mut tokens = Vec::new();
    for line in std::io::BufReader::new(std::fs::File::open(file).unwrap()).lines() {
        let v: Value = serde_json::from_str(&line.unwrap()).unwrap();
        let Some(date) = v["date"].as_str().and_then(Date::parse) else {
            continue;
        };
        if date.year() != 2014 {
            continue;
        }
        tokens.clear();
        let text = format!(
            "{}\n{}",
            v["title"].as_str().unwrap_or(""),
            v["text"].as_str().unwrap_or("")
        );
        analyze(&text, Mode::Stemmed, &mut tokens);
        if tokens.iter().any(|t| t.text == word) {
            *months.entry(date.month_label()).or_default() += 1;
        }
    }
    months
}

#[test]
fn timelines_and_exports_count_every_match_on_the_tweets() {
    let file = shared("corpora/health-news-tweets/corpus.jsonl");
    let (dir, index) = common::build(std::slice::from_ref(&file), &IngestOptions::default());
    let path = dir.path().join("idx");

    // The library: each month of 2014, zero-filled, equals the headlines.
    let want = headlines_per_month(&file, "ebola");
    assert!(want.len() >= 6, "ebola is in the 2014 news: {want:?}");
    // The word alone: its other names (EVD) would count more than the
    // analyzer finds.
    let mut req = TimelineRequest::new("ebola");
    req.search.expand = false;
    req.search.since = Date::new(2014, 1, 1);
    req.search.until = Date::new(2014, 12, 31);
    req.interval = Some(Interval::Month);
    let t = index.timeline(&req).unwrap();
    let months: Vec<String> = (1..=12).map(|m| format!("2014-{m:02}")).collect();
    assert_eq!(t.intervals, months);
    let got: Vec<u64> = t.counts.clone();
    let expected: Vec<u64> = months
        .iter()
        .map(|m| want.get(m).copied().unwrap_or(0))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(t.undated, 0);
    assert_eq!(t.total_articles, expected.iter().sum::<u64>());

    // It counts what search counts, facets included.
    let mut s = req.search.clone();
    s.limit = 0;
    let r = index.search(&s).unwrap();
    assert_eq!(r.total_articles, t.total_articles);
    let facet: Vec<u64> = months
        .iter()
        .map(|m| {
            r.facets
                .months
                .iter()
                .find(|f| &f.value == m)
                .map_or(0, |f| f.count)
        })
        .collect();
    assert_eq!(facet, expected);

    // The command line: CSV by month, and rows by source that add up.
    let csv = stdout(hp(&path).args([
        "timeline",
        "ebola",
        "--interval",
        "month",
        "--since",
        "2014",
        "--until",
        "2014",
        "--by",
        "source",
        "--top",
        "3",
        "--csv",
        "--exact-terms",
    ]));
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(&header[..2], ["interval", "total"]);
    assert_eq!(
        header.len(),
        2 + 3 + 1,
        "three sources and the others: {header:?}"
    );
    let rows: Vec<Vec<u64>> = lines
        .map(|l| l.split(',').skip(1).map(|n| n.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 12);
    for (row, want) in rows.iter().zip(&expected) {
        assert_eq!(row[0], *want, "{csv}");
        assert_eq!(row[1..].iter().sum::<u64>(), *want, "rows add up: {csv}");
    }
    let chart = stdout(hp(&path).args(["timeline", "ebola", "--since", "2014", "--until", "2014"]));
    assert!(
        chart.contains("by month from 2014-01 to 2014-12"),
        "{chart}"
    );
    assert!(chart.contains('█'), "{chart}");

    // Every matching article, one CSV row each: as many as search counts
    // (copies too), parsed back by a CSV reader.
    let all = index
        .search(&SearchRequest::new("ebola"))
        .unwrap()
        .total_articles;
    let out = stdout(hp(&path).args(["search", "ebola", "--format", "csv", "--all"]));
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        [
            "id", "title", "source", "date", "url", "path", "score", "passage"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len() as u64, all);
    let ids: std::collections::HashSet<&str> = records.iter().map(|r| &r[0]).collect();
    assert_eq!(ids.len() as u64, all, "no article twice");
    let scores: Vec<f64> = records.iter().map(|r| r[6].parse().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first");

    // A hashtag's words count: `#EbolaOutbreak` and `#FightEbola` hold
    // Ebola. Counted from the file: the headlines where `ebola` stands as a
    // word in any case, or as a capitalised word inside a hashtag.
    let mut want = 0u64;
    let f = std::io::BufReader::new(std::fs::File::open(&file).unwrap());
    for line in f.lines() {
        let v: Value = serde_json::from_str(&line.unwrap()).unwrap();
        let text = format!(
            "{}\n{}",
            v["title"].as_str().unwrap(),
            v["text"].as_str().unwrap()
        );
        want += u64::from(holds_word(&text, "ebola"));
    }
    let mut exact = SearchRequest::new("ebola");
    exact.expand = false;
    exact.limit = 0;
    assert_eq!(index.search(&exact).unwrap().total_articles, want);

    // Without --all, a page: said on stderr, with both numbers. With every
    // word asked for, only the articles with both words are exported.
    let out = hp(&path)
        .args(["search", "ebola", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("wrote 10 of {all} matching articles")),
        "{stderr}"
    );
    assert!(stderr.contains("--all"), "{stderr}");
    let both = index
        .search(&SearchRequest::new("ebola nurse"))
        .unwrap()
        .total_articles;
    let out = stdout(hp(&path).args(["search", "ebola nurse", "--format", "csv", "--all"]));
    let rows = csv::Reader::from_reader(out.as_bytes()).records().count() as u64;
    assert_eq!(rows, both);
}

#[test]
fn ris_and_bibtex_exports_parse_back() {
    let (_dir, idx) = fixture_index();
    let ris = stdout(hp(&idx).args([
        "search",
        "junior doctors strike",
        "--format",
        "ris",
        "-n",
        "5",
    ]));
    let parsed = biblib::RisParser::new().parse(&ris).unwrap();
    assert_eq!(parsed.len(), 5, "{ris}");
    let json: Value = serde_json::from_str(&stdout(hp(&idx).args([
        "search",
        "junior doctors strike",
        "--json",
        "-n",
        "5",
    ])))
    .unwrap();
    let hits = json["hits"].as_array().unwrap();
    for (c, hit) in parsed.iter().zip(hits) {
        assert_eq!(c.title, hit["title"].as_str().unwrap());
        let year = hit["date"].as_str().map(|d| d[..4].parse::<i32>().unwrap());
        assert_eq!(c.date.as_ref().map(|d| d.year), year, "{ris}");
        assert!(
            c.abstract_text.as_deref().is_some_and(|a| !a.is_empty()),
            "{ris}"
        );
    }

    let bib = stdout(hp(&idx).args([
        "search",
        "A&E waiting times",
        "--any",
        "--format",
        "bibtex",
        "-n",
        "5",
    ]));
    let parsed = biblib::BibParser::new()
        .parse(&bib)
        .unwrap_or_else(|e| panic!("{e:?}\n{bib}"));
    assert_eq!(parsed.len(), 5, "{bib}");
    let json: Value = serde_json::from_str(&stdout(hp(&idx).args([
        "search",
        "A&E waiting times",
        "--any",
        "--json",
        "-n",
        "5",
    ])))
    .unwrap();
    for (c, hit) in parsed.iter().zip(json["hits"].as_array().unwrap()) {
        // Titles come back as written, once the parser's text is read as
        // TeX reads it (`A\&E` is `A&E`; the parser keeps the escapes).
        assert_eq!(
            unescape_tex(&c.title),
            hit["title"].as_str().unwrap(),
            "{bib}"
        );
        assert_eq!(c.journal.as_deref(), hit["source"].as_str(), "{bib}");
    }

    let lines = stdout(hp(&idx).args(["search", "nurses", "--format", "jsonl", "--all"]));
    let total = json_total(&idx, "nurses");
    assert_eq!(lines.lines().count() as u64, total);
    for l in lines.lines() {
        let hit: Value = serde_json::from_str(l).unwrap();
        assert!(hit["id"].is_string() && hit["passages"].is_array());
    }
}

/// TeX's escaped specials as the characters they stand for.
fn unescape_tex(s: &str) -> String {
    let mut out = s.to_string();
    for c in ["&", "%", "#", "$", "_", "{", "}"] {
        out = out.replace(&format!("\\{c}"), c);
    }
    out
}

/// The fixtures indexed into a temporary folder, for the command line.
fn fixture_index() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, _) = common::build(
        &[common::repo().join("fixtures")],
        &IngestOptions::default(),
    );
    let path = dir.path().join("idx");
    (dir, path)
}

fn json_total(idx: &Path, q: &str) -> u64 {
    let v: Value = serde_json::from_str(&stdout(hp(idx).args([
        "search",
        q,
        "--json",
        "--no-collapse",
    ])))
    .unwrap();
    v["total_articles"].as_u64().unwrap()
}

#[test]
fn timelines_of_the_fixtures_add_up_and_fill_gaps() {
    let index = common::fixtures();
    for q in ["strike", "nurses pay", "\"waiting list\"", "-doctors"] {
        let mut req = TimelineRequest::new(q);
        req.by_source = true;
        let t = index.timeline(&req).unwrap();
        let mut s = SearchRequest::new(q);
        s.limit = 0;
        let r = index.search(&s).unwrap();
        assert_eq!(t.total_articles, r.total_articles, "{q}");
        assert_eq!(
            t.counts.iter().sum::<u64>() + t.undated,
            t.total_articles,
            "{q}"
        );
        for (i, n) in t.counts.iter().enumerate() {
            assert_eq!(
                t.rows.iter().map(|row| row.counts[i]).sum::<u64>(),
                *n,
                "{q}"
            );
        }
        // The fixtures span more than three years: by year, none missing.
        assert_eq!(t.interval, Interval::Year, "{q}");
        let years: Vec<i64> = t.intervals.iter().map(|y| y.parse().unwrap()).collect();
        assert!(years.windows(2).all(|w| w[1] == w[0] + 1), "{q}: {years:?}");
    }
    // Weeks are named by their Monday; a day at a time is zero-filled too.
    let mut req = TimelineRequest::new("strike");
    req.interval = Some(Interval::Week);
    req.search.since = Date::new(2023, 3, 1);
    req.search.until = Date::new(2023, 3, 31);
    let t = index.timeline(&req).unwrap();
    assert_eq!(t.intervals.first().map(String::as_str), Some("2023-02-27"));
    assert_eq!(t.intervals.len(), 5);
    req.interval = Some(Interval::Day);
    let t = index.timeline(&req).unwrap();
    assert_eq!(t.intervals.len(), 31);
}

/// Two builds of the same headlines, the second from the lines shuffled
/// into three files of other names, group the same articles as copies of
/// one story.
#[test]
fn copies_are_the_same_whatever_the_order_of_the_input() {
    let text =
        std::fs::read_to_string(common::shared("corpora/health-news-tweets/corpus.jsonl")).unwrap();
    let lines: Vec<&str> = text.lines().take(20_000).collect();
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one");
    std::fs::create_dir(&one).unwrap();
    std::fs::write(one.join("all.jsonl"), lines.join("\n")).unwrap();
    let two = dir.path().join("two");
    std::fs::create_dir(&two).unwrap();
    // A fixed shuffle: a stride coprime with the length, over three files.
    let n = lines.len();
    let mut parts = vec![Vec::new(), Vec::new(), Vec::new()];
    for k in 0..n {
        let i = (k * 7919 + 13) % n;
        parts[k % 3].push(lines[i]);
    }
    for (name, part) in ["c.jsonl", "a.jsonl", "b.jsonl"].iter().zip(&parts) {
        std::fs::write(two.join(name), part.join("\n")).unwrap();
    }
    let groups = |folder: &std::path::Path| {
        let (_d, index) =
            common::build(&[folder.to_path_buf()], &hpsearch::IngestOptions::default());
        let mut req = SearchRequest::new("");
        req.limit = usize::MAX;
        req.passages = 0;
        let r = index.search(&req).unwrap();
        let mut groups: Vec<Vec<String>> = r
            .hits
            .iter()
            .filter(|h| !h.also_in.is_empty())
            .map(|h| {
                let mut g: Vec<String> = std::iter::once(h.id.clone())
                    .chain(h.also_in.iter().map(|c| c.id.clone()))
                    .collect();
                g.sort();
                g
            })
            .collect();
        groups.sort();
        (r.total_articles, r.collapsed, groups)
    };
    let (a, b) = (groups(&one), groups(&two));
    assert_eq!(a.0, b.0);
    assert!(a.1 > 100, "the headlines hold copies: {}", a.1);
    assert_eq!(a.1, b.1, "copies collapsed");
    assert_eq!(a.2, b.2, "the same groups");
}
