//! The real seed articles in ../shared/seeds: dates, phrases, spellings.

mod common;

use common::{check_highlights, ids, search, shared};
use hpsearch::IngestOptions;

#[test]
fn seed_articles_are_indexed_and_found() {
    let (_dir, index) = common::build(&[shared("seeds")], &IngestOptions::default());
    let all = search(&index, "-zzzzunmatched");
    assert_eq!(all.total_articles, 5);

    // The ` date YYYY-MM-DD ` prefix becomes the date, and only there.
    let mut dated: Vec<(String, String)> = all
        .hits
        .iter()
        .filter_map(|h| Some((h.path.clone()?, h.date?.to_string())))
        .collect();
    dated.sort();
    assert_eq!(dated.len(), 2, "{dated:?}");
    assert!(dated[0].0.ends_with("001_87db51a82a921edc.txt") && dated[0].1 == "2025-04-08");
    assert!(dated[1].0.ends_with("002_b8399ad4387e3a20.txt") && dated[1].1 == "2025-07-30");
    // Seed 002 opens with a donation appeal; its title is its first real
    // sentence, and no title is an appeal.
    let appeal = all
        .hits
        .iter()
        .find(|h| {
            h.path
                .as_deref()
                .is_some_and(|p| p.ends_with("002_b8399ad4387e3a20.txt"))
        })
        .unwrap();
    assert_eq!(
        appeal.title,
        "Striking resident doctors will lose if they go to war with the Government, Wes Streeting has said."
    );
    for h in &all.hits {
        assert!(
            !h.title.contains("Your support"),
            "an appeal as title: {}",
            h.title
        );
        assert!(
            !h.title.to_lowercase().starts_with("date"),
            "date leaked into title: {}",
            h.title
        );
        let a = index.article(&h.id).unwrap().unwrap();
        assert!(
            !a.text.starts_with("date") && !a.text.contains("date 2025-"),
            "date leaked into body"
        );
    }
    // The appeal is neither searched nor a passage, though this outlet has
    // one article here; `show` still prints it, as the file holds it.
    let file = std::fs::read_to_string(shared("seeds/002_b8399ad4387e3a20.txt")).unwrap();
    assert!(file.contains("Elon Musk") && file.contains("Your support helps us"));
    assert_eq!(search(&index, "\"Elon Musk\"").total_articles, 0);
    assert_eq!(
        search(&index, "\"your support helps us\"").total_articles,
        0
    );
    let r = search(&index, "Streeting");
    assert!(r.hits.iter().any(|h| h.id == appeal.id));
    for h in &r.hits {
        assert!(h.passages.iter().all(|p| !p.text.contains("Your support")));
    }
    let a = index.article(&appeal.id).unwrap().unwrap();
    assert!(a.text.starts_with("Your support helps us"));

    // Seed 003: an editorial preface, then the title line. The title is the
    // line; the preface stays in the text.
    let file = std::fs::read_to_string(shared("seeds/003_5712d923c5b3e565.txt")).unwrap();
    let second = file.lines().nth(1).unwrap().trim();
    assert_eq!(second, "The NHS: Inside the Machine");
    let r = search(&index, "\"anonymous fellow worker\"");
    assert_eq!(r.total_articles, 1);
    assert_eq!(r.hits[0].title, second);
    let a = index.article(&r.hits[0].id).unwrap().unwrap();
    assert!(a.text.starts_with("The following text was sent to us"));
    assert!(
        !a.text.contains(second),
        "the title line is not repeated in the text"
    );

    // junior doctors: the strike articles
    let r = search(&index, "junior doctors");
    let top: Vec<String> = r.hits.iter().filter_map(|h| h.path.clone()).collect();
    assert!(top[0].ends_with("004_abe1837dc7460a9d.txt"), "{top:?}");
    assert!(top.iter().any(|p| p.ends_with("002_b8399ad4387e3a20.txt")));
    check_highlights(&r);

    // exactly one article has the hyphenated phrase
    let r = search(&index, "\"level-four incident\"");
    assert_eq!(r.total_articles, 1);
    let p = &r.hits[0].passages[0];
    let [a, b] = p.highlights[0];
    assert_eq!(&p.text[a..b], "level-four incident");

    // Palantir: exactly the two articles that mention it
    let r = search(&index, "Palantir");
    let mut got: Vec<String> = r.hits.iter().filter_map(|h| h.path.clone()).collect();
    got.sort();
    assert_eq!(got.len(), 2);
    assert!(
        got[0].ends_with("000_5a9f2faa971f4a5a.txt")
            && got[1].ends_with("003_5712d923c5b3e565.txt")
    );

    // privatization (American) finds the articles that say privatisation
    let r = search(&index, "privatization");
    let paths: Vec<String> = r.hits.iter().filter_map(|h| h.path.clone()).collect();
    assert!(
        paths
            .iter()
            .any(|p| p.ends_with("003_5712d923c5b3e565.txt")),
        "{paths:?}"
    );
    let lit: Vec<&str> = r
        .hits
        .iter()
        .flat_map(|h| {
            h.passages
                .iter()
                .flat_map(|p| p.highlights.iter().map(move |[a, b]| &p.text[*a..*b]))
        })
        .collect();
    assert!(
        lit.iter().any(|w| w.eq_ignore_ascii_case("privatisation")),
        "{lit:?}"
    );
    assert!(
        !lit.iter().any(|w| w.eq_ignore_ascii_case("private")),
        "private is another word: {lit:?}"
    );

    // straight apostrophe in the query, typographic in the text
    let r = search(&index, "\"doctors' strikes\"");
    assert_eq!(ids(&r).len(), 1);
    let p = &r.hits[0].passages[0];
    let [a, b] = p.highlights[0];
    assert_eq!(&p.text[a..b], "Doctors’ strikes");
}
