//! The real corpora in ../shared/corpora: source counts, month facets and
//! filters must agree with the files and with each other.

mod common;

use std::collections::HashMap;
use std::io::BufRead;

use common::shared;
use hpsearch::{IngestOptions, SearchRequest};

fn counts_in(file: &str) -> (HashMap<String, u64>, u64) {
    let mut per_source = HashMap::new();
    let mut n = 0;
    let f = std::io::BufReader::new(std::fs::File::open(shared(file)).unwrap());
    for line in f.lines() {
        let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        n += 1;
        if let Some(s) = v["source"].as_str().filter(|s| !s.trim().is_empty()) {
            *per_source.entry(s.to_string()).or_default() += 1;
        }
    }
    (per_source, n)
}

#[test]
fn news_corpora_sources_months_and_filters_agree() {
    let files = [
        "corpora/fakehealth-news/corpus.jsonl",
        "corpora/health-news-tweets/corpus.jsonl",
    ];
    // The headlines name the Times' health desk apart: merged by name.
    let options = IngestOptions {
        outlets: vec![
            hpsearch::ingest::parse_outlet("The New York Times Health=The New York Times").unwrap(),
        ],
        ..IngestOptions::default()
    };
    let (_dir, index) = common::build(&files.map(shared), &options);
    let mut want: HashMap<String, u64> = HashMap::new();
    let mut total = 0;
    for f in files {
        let (c, n) = counts_in(f);
        total += n;
        for (k, v) in c {
            *want.entry(k).or_default() += v;
        }
    }
    let sources = index.sources().unwrap();
    let got: HashMap<String, u64> = sources
        .iter()
        .filter(|f| !f.unknown)
        .map(|f| (f.value.clone(), f.count))
        .collect();
    // Host names are counted under their outlet: every name of the files
    // is either a source of the index or merged into one, with its count.
    let merged = index.merged_sources().unwrap();
    let mut accounted: HashMap<String, u64> = got.clone();
    for m in &merged {
        *accounted
            .get_mut(&m.source)
            .expect("merged into a listed source") -= m.count;
        assert_eq!(want.get(&m.given), Some(&m.count), "{m:?}");
    }
    accounted.retain(|_, n| *n > 0);
    let unmerged: HashMap<String, u64> = want
        .iter()
        .filter(|(k, _)| !merged.iter().any(|m| &m.given == *k))
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    assert_eq!(accounted, unmerged);
    // One outlet under several host names (fakehealth) is one source.
    for (suffix, outlet) in [
        ("nytimes.com", "The New York Times"),
        ("wsj.com", "The Wall Street Journal"),
        ("healthday.com", "HealthDay"),
    ] {
        let hosts: Vec<(&String, &u64)> = want
            .iter()
            .filter(|(k, _)| *k == suffix || k.ends_with(&format!(".{suffix}")))
            .collect();
        assert!(hosts.len() >= 2, "{suffix}: {hosts:?}");
        let desk = match outlet {
            "The New York Times" => want["The New York Times Health"],
            _ => 0,
        };
        assert_eq!(
            got.get(outlet),
            Some(&(hosts.iter().map(|(_, n)| **n).sum::<u64>() + desk)),
            "{outlet}"
        );
    }
    // A filter takes a name as the files gave it.
    let mut req = SearchRequest::new("cancer");
    req.sources = vec!["well.blogs.nytimes.com".into()];
    req.limit = usize::MAX;
    let r = index.search(&req).unwrap();
    assert!(r.total_articles > 0);
    assert!(r.total_articles <= want["well.blogs.nytimes.com"]);
    for h in &r.hits {
        assert_eq!(h.source.as_deref(), Some("The New York Times"));
        let a = index.article(&h.id).unwrap().unwrap();
        assert_eq!(a.source_as_given.as_deref(), Some("well.blogs.nytimes.com"));
    }
    // The articles with no source are one entry more: the counts add up.
    let listed: u64 = sources.iter().map(|f| f.count).sum();
    assert_eq!(listed, total);
    assert_eq!(index.stats().unwrap().articles, total);

    for query in [
        "vaccine",
        "\"breast cancer\"",
        "obesity -children",
        "+flu +vaccine",
        "title:cancer",
    ] {
        let mut req = SearchRequest::new(query);
        req.limit = usize::MAX;
        req.passages = 0;
        let r = index.search(&req).unwrap();
        assert!(r.total_articles > 10, "{query}");
        // every matching article is a hit or a copy folded into one
        let copies: u64 = r.hits.iter().map(|h| h.also_in.len() as u64).sum();
        assert_eq!(copies, r.collapsed, "{query}");
        assert_eq!(r.hits.len() as u64 + r.collapsed, r.total_articles);
        // months facet = per-month count of the matching articles
        let mut months: HashMap<String, u64> = HashMap::new();
        let mut undated = 0;
        let dates = r
            .hits
            .iter()
            .flat_map(|h| std::iter::once(h.date).chain(h.also_in.iter().map(|c| c.date)));
        for date in dates {
            match date {
                Some(d) => *months.entry(d.month_label()).or_default() += 1,
                None => undated += 1,
            }
        }
        let facet: HashMap<String, u64> = r
            .facets
            .months
            .iter()
            .map(|f| (f.value.clone(), f.count))
            .collect();
        assert_eq!(facet, months, "{query}");
        assert_eq!(r.facets.undated, undated);
        // a source facet's count is what filtering by that source returns
        for f in r.facets.sources.iter().take(5) {
            let mut by = req.clone();
            by.sources = vec![f.value.clone()];
            assert_eq!(
                index.search(&by).unwrap().total_articles,
                f.count,
                "{query} / {}",
                f.value
            );
        }
        // a month facet's count is what the date filter returns
        if let Some(m) = r.facets.months.iter().max_by_key(|m| m.count) {
            let (since, until) = hpsearch::date::parse_period(&m.value).unwrap();
            let mut by = req.clone();
            by.since = Some(since);
            by.until = Some(until);
            assert_eq!(
                index.search(&by).unwrap().total_articles,
                m.count,
                "{query} / {}",
                m.value
            );
        }
    }

    // NOT excludes as - does, in capitals only, and a curly-quoted phrase
    // is a phrase: what is counted adds up.
    let total = |q: &str| index.search(&SearchRequest::new(q)).unwrap().total_articles;
    let ebola = total("ebola");
    let without = total("ebola NOT vaccine");
    assert_eq!(without, total("ebola -vaccine"));
    assert_eq!(without + total("+ebola +vaccine"), ebola);
    assert!(without < ebola && without > 0);
    assert_eq!(total("ebola not vaccine"), total("ebola vaccine"));
    assert_eq!(
        total("\u{201C}cancer risk\u{201D}"),
        total("\"cancer risk\"")
    );
    assert!(total("\"cancer risk\"") < total("cancer risk"));

    // A period leaves out the undated articles and says how many, or keeps
    // them: counted against the files' own dates.
    let (mut dated, mut undated) = (0u64, 0u64);
    for f in files {
        let lines = std::io::BufReader::new(std::fs::File::open(shared(f)).unwrap()).lines();
        for line in lines {
            let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            match v["date"].as_str().filter(|d| !d.trim().is_empty()) {
                Some(_) => dated += 1,
                None => undated += 1,
            }
        }
    }
    assert!(undated > 0);
    let mut all = SearchRequest::new("");
    all.since = Some(hpsearch::Date::parse("1900-01-01").unwrap());
    all.limit = 0;
    let r = index.search(&all).unwrap();
    assert_eq!((r.total_articles, r.undated_left_out), (dated, undated));
    assert!(
        r.notices
            .iter()
            .any(|n| n.contains(&format!("left out {undated} "))),
        "{:?}",
        r.notices
    );
    let timeline = index
        .timeline(&hpsearch::TimelineRequest {
            search: all.clone(),
            interval: None,
            by_source: false,
            top: 0,
        })
        .unwrap();
    assert_eq!(
        (timeline.total_articles, timeline.undated_left_out),
        (dated, undated)
    );
    all.with_undated = true;
    let r = index.search(&all).unwrap();
    assert_eq!((r.total_articles, r.undated_left_out), (dated + undated, 0));
    assert_eq!(r.facets.undated, undated);

    // A sentence pasted from a story with a bullet before it and a stray
    // quote after it is searched as plain text, said so, and finds it.
    let f = std::io::BufReader::new(
        std::fs::File::open(shared("corpora/fakehealth-news/corpus.jsonl")).unwrap(),
    );
    let mut checked = 0;
    for line in f.lines().step_by(97).take(8) {
        let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        let words: Vec<&str> = v["text"]
            .as_str()
            .unwrap()
            .split_whitespace()
            .take(14)
            .collect();
        if words.len() < 14
            || words
                .iter()
                .any(|w| w.contains(['"', '(', ')', '*', '“', '”']))
        {
            continue;
        }
        let pasted = format!("* {} \"", words.join(" "));
        let r = index.search(&SearchRequest::new(&pasted)).unwrap();
        assert!(
            r.notices
                .iter()
                .any(|n| n.starts_with("read as plain text")),
            "{pasted}: {:?}",
            r.notices
        );
        let mut plain = SearchRequest::new(&pasted);
        plain.syntax = hpsearch::Syntax::Plain;
        let p = index.search(&plain).unwrap();
        assert_eq!(r.total_articles, p.total_articles, "{pasted}");
        let id = v["id"].as_str().unwrap();
        let found = r
            .hits
            .iter()
            .take(3)
            .any(|h| h.id == id || h.also_in.iter().any(|c| c.id == id));
        assert!(found, "{pasted}: {:?}", common::ids(&r));
        checked += 1;
    }
    assert!(checked >= 4, "{checked}");
}
