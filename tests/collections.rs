//! Collections that grow: spreadsheet exports, runs that add, change and
//! delete files, boilerplate that one outlet repeats, and one story carried
//! by several outlets.

mod common;

use std::path::{Path, PathBuf};

use hpsearch::write::Quiet;
use hpsearch::{
    Article, Index, IndexSummary, IngestOptions, SearchRequest, SearchResults, WriterOptions,
};

/// Indexes `paths` into `index` in one run; prunes gone files when asked.
fn run(index: &Index, paths: &[PathBuf], options: &IngestOptions, prune: bool) -> IndexSummary {
    let mut w = index.writer(&WriterOptions::default()).unwrap();
    w.add_paths(paths, options, &Quiet).unwrap();
    if prune {
        w.prune(paths).unwrap();
    }
    w.commit().unwrap()
}

fn counts(s: &IndexSummary) -> [u64; 4] {
    [s.added, s.updated, s.unchanged, s.removed]
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

/// Sets a file's modification time `secs` seconds later, so a rewrite is
/// seen as a change even on file systems with coarse timestamps.
fn touch_later(path: &Path, secs: u64) {
    let f = std::fs::File::options().write(true).open(path).unwrap();
    let t = f.metadata().unwrap().modified().unwrap() + std::time::Duration::from_secs(secs);
    f.set_modified(t).unwrap();
}

fn search(index: &Index, q: &str) -> SearchResults {
    common::search(index, q)
}

fn story(n: usize, topic: &str) -> String {
    format!(
        "Title: {topic} report {n}\nSource: Ward Bulletin\nDate: 2024-03-{:02}\n\n\
         Report number {n} on {topic}: staff at the trust described the week in detail, \
         and managers answered questions about rotas, budgets and the plans for spring.",
        n % 28 + 1
    )
}

#[test]
fn csv_with_mapped_and_quoted_columns() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("export.csv");
    write(
        &csv,
        "\u{FEFF}Headline,Story,Paper,Published,Link\n\
         \"Beds, again\",\"Winter beds are short.\n\nThe trust said \"\"no\"\" to more.\",Valley Courier,2024-02-01,https://vc.example/1\n\
         Dentists,No new NHS patients anywhere in the valley.,Valley Courier,3 March 2024,https://vc.example/2\n\
         Broken,\"this row never closes its quote,Valley Courier,2024-03-04,https://vc.example/3\n",
    );
    let tsv = dir.path().join("sheet.tsv");
    write(
        &tsv,
        "title\tbody\tsource\tpublished\nPharmacies\tPharmacies close early on Sundays.\tWessex Echo\t2024-04-05\n",
    );
    let index = Index::open_or_create(dir.path().join("idx")).unwrap();
    // "Story" and "Paper" are not names hpsearch knows: map them.
    let options = IngestOptions {
        columns: hpsearch::ingest::parse_column_map("text=Story,source=Paper").unwrap(),
        ..IngestOptions::default()
    };
    let mut w = index.writer(&WriterOptions::default()).unwrap();
    struct Warnings(std::sync::Mutex<Vec<String>>);
    impl hpsearch::Observer for Warnings {
        fn warning(&self, w: &hpsearch::Warning) {
            self.0.lock().unwrap().push(w.to_string());
        }
    }
    let warnings = Warnings(Default::default());
    w.add_paths(&[csv.clone(), tsv], &options, &warnings)
        .unwrap();
    let s = w.commit().unwrap();
    assert_eq!((s.added, s.skipped, s.warnings), (3, 1, 1));
    let warnings = warnings.0.into_inner().unwrap();
    // the unclosed quote swallows the rest of the file: row 3, from line 6
    assert!(
        warnings[0].contains("export.csv:6: row 3 has 2 fields, the header has 5"),
        "{warnings:?}"
    );

    let r = search(&index, "winter beds");
    let hit = &r.hits[0];
    assert_eq!(hit.title, "Beds, again");
    assert_eq!(hit.source.as_deref(), Some("Valley Courier"));
    assert_eq!(hit.date.unwrap().to_string(), "2024-02-01");
    assert_eq!(hit.url.as_deref(), Some("https://vc.example/1"));
    assert_eq!(hit.line, Some(2));
    let a = index.article(&hit.id).unwrap().unwrap();
    assert_eq!(
        a.text,
        "Winter beds are short.\n\nThe trust said \"no\" to more."
    );
    let r = search(&index, "dentists");
    assert_eq!(r.hits[0].date.unwrap().to_string(), "2024-03-03");
    assert_eq!(r.hits[0].line, Some(5));
    let r = search(&index, "pharmacies");
    assert_eq!(r.hits[0].source.as_deref(), Some("Wessex Echo"));

    // a mapped column that no file has is an error naming the columns the
    // files have, and nothing changes
    let bad = IngestOptions {
        columns: hpsearch::ingest::parse_column_map("text=Body").unwrap(),
        ..IngestOptions::default()
    };
    write(&csv, "Headline,Report\nNew,Changed text\n");
    let mut w = index.writer(&WriterOptions::default()).unwrap();
    match w.add_paths(std::slice::from_ref(&csv), &bad, &hpsearch::write::Quiet) {
        Err(hpsearch::Error::UnknownColumn { column, found, .. }) => {
            assert_eq!(column, "Body");
            assert_eq!(found, ["Headline", "Report"]);
        }
        other => panic!("{other:?}"),
    }
    drop(w);
    assert_eq!(index.stats().unwrap().articles, 3);

    // one that some files have: a file whose text column is found neither
    // as mapped nor by its usual names is a clear warning, and its articles
    // are left as they were
    let other = dir.path().join("other.csv");
    write(
        &other,
        "Headline,Body\nLetters,Readers wrote about the clinic.\n",
    );
    let s = run(&index, &[csv, other], &bad, false);
    assert_eq!((s.added, s.removed, s.skipped), (1, 0, 1));
    assert_eq!(index.stats().unwrap().articles, 4);
}

#[test]
fn add_change_delete_and_prune() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("clippings");
    std::fs::create_dir(&src).unwrap();
    for n in 0..5 {
        write(&src.join(format!("s{n}.txt")), &story(n, "staffing"));
    }
    let jsonl = src.join("feed.jsonl");
    write(
        &jsonl,
        "{\"id\":\"j1\",\"title\":\"One\",\"text\":\"First line about beds.\"}\n\
         {\"id\":\"j2\",\"title\":\"Two\",\"text\":\"Second line about wards.\"}\n",
    );
    let index = Index::open_or_create(dir.path().join("idx")).unwrap();
    let roots = [src.clone()];
    let o = IngestOptions::default();

    let s = run(&index, &roots, &o, false);
    assert_eq!(counts(&s), [7, 0, 0, 0]);
    assert_eq!(s.files, 6);

    // nothing changed: nothing read
    let s = run(&index, &roots, &o, false);
    assert_eq!(counts(&s), [0, 0, 7, 0]);
    assert_eq!((s.files, s.unchanged_files), (0, 6));

    // a new file, an edited file (new content, so a new content id), a line
    // changed and a line added in the JSONL file
    write(&src.join("s5.txt"), &story(5, "staffing"));
    write(&src.join("s1.txt"), &story(1, "pay"));
    touch_later(&src.join("s1.txt"), 10);
    write(
        &jsonl,
        "{\"id\":\"j1\",\"title\":\"One\",\"text\":\"First line about beds.\"}\n\
         {\"id\":\"j2\",\"title\":\"Two\",\"text\":\"Second line about corridors.\"}\n\
         {\"id\":\"j3\",\"title\":\"Three\",\"text\":\"Third line about clinics.\"}\n",
    );
    touch_later(&jsonl, 10);
    let s = run(&index, &roots, &o, false);
    assert_eq!(counts(&s), [2, 2, 5, 0], "{s:?}");
    assert_eq!((s.files, s.unchanged_files), (3, 4));
    assert_eq!(index.stats().unwrap().articles, 9);
    assert!(search(&index, "wards").hits.is_empty());
    assert_eq!(search(&index, "corridors").hits[0].id, "j2");
    // the old version of the edited file is gone, not left beside the new one
    assert_eq!(search(&index, "\"report 1\"").total_articles, 1);
    assert_eq!(search(&index, "\"report 1\"").hits[0].title, "pay report 1");

    // a line removed from the JSONL file, a file deleted: without --prune the
    // deleted file's article stays
    write(
        &jsonl,
        "{\"id\":\"j1\",\"title\":\"One\",\"text\":\"First line about beds.\"}\n\
         {\"id\":\"j3\",\"title\":\"Three\",\"text\":\"Third line about clinics.\"}\n",
    );
    touch_later(&jsonl, 20);
    std::fs::remove_file(src.join("s2.txt")).unwrap();
    let s = run(&index, &roots, &o, false);
    // j3 moved up a line, and hits show the line: it is updated
    assert_eq!(counts(&s), [0, 1, 6, 1], "{s:?}");
    assert_eq!(search(&index, "clinics").hits[0].line, Some(2));
    assert_eq!(index.stats().unwrap().articles, 8);
    assert_eq!(search(&index, "\"report 2\"").total_articles, 1);

    // with --prune it goes
    let s = run(&index, &roots, &o, true);
    assert_eq!(counts(&s), [0, 0, 7, 1], "{s:?}");
    assert_eq!(index.stats().unwrap().articles, 7);
    assert_eq!(search(&index, "\"report 2\"").total_articles, 0);
    // pruning only looks under the roots given
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    write(&other.join("x.txt"), &story(40, "dentistry"));
    run(&index, std::slice::from_ref(&other), &o, false);
    std::fs::remove_file(src.join("s3.txt")).unwrap();
    let s = run(&index, &[other], &o, true);
    assert_eq!(counts(&s), [0, 0, 1, 0], "{s:?}");

    // the same folder reached by another path is the same folder
    let again = dir.path().join("clippings/../clippings");
    let s = run(&index, &[again], &o, false);
    assert_eq!(s.added, 0, "{s:?}");

    // rewritten with the same bytes: read and hashed, but nothing is written
    let same = std::fs::read(src.join("s4.txt")).unwrap();
    std::fs::write(src.join("s4.txt"), same).unwrap();
    touch_later(&src.join("s4.txt"), 30);
    let before = index.stats().unwrap();
    let s = run(&index, &roots, &o, false);
    assert_eq!((s.added, s.updated, s.passages), (0, 0, 0), "{s:?}");
    assert_eq!(index.stats().unwrap().articles, before.articles);

    // removing by id, and the summary of the last run in stats
    let mut w = index.writer(&WriterOptions::default()).unwrap();
    assert!(w.remove("j3").unwrap());
    assert!(!w.remove("no-such-id").unwrap());
    let s = w.commit().unwrap();
    assert_eq!(s.removed, 1);
    let stats = index.stats().unwrap();
    assert_eq!(stats.last_run.unwrap().removed, 1);
    assert!(search(&index, "clinics").hits.is_empty());
}

// Three articles of ordinary length (the promo is about 150 words).
const PHARMACY: &str = "Pharmacists in hospital wards say shortages of common antibiotics have lasted all summer, and that the substitutes they are forced to buy cost the trust three times as much. One chief pharmacist in the Midlands said her team now spends two days a week finding stock rather than checking prescriptions.\n\nSuppliers blame a lack of factories able to make the older medicines at the prices the health service pays, and say that several firms have left the market in the past five years. The regulator said it was monitoring the situation and that alternatives were available for most patients.\n\nPatients' groups said people with long-term conditions had been sent away from pharmacies several times before finding a supply, and asked for a published list of medicines in short supply so that doctors could prescribe something that was actually available.";
const DENTISTS: &str = "Whole counties now have no dentist taking on adult NHS patients, and people travel eighty miles for a check-up or pull their own teeth. A survey of practices found that fewer than one in ten would add an adult to their list, and most of those only for a private fee.\n\nDentists say the contract pays them the same for one filling as for ten, so complicated treatment loses money and many have moved most of their work into private care. The government has promised a new contract but has not said when it will start.\n\nIn one coastal town the nearest practice taking NHS patients is in the next county, and the bus takes two hours each way. Charities report that emergency departments are seeing more people with dental abscesses, which cost far more to treat in hospital than a filling would have done.";
const CARE_HOMES: &str = "Care home fees have risen by a fifth in two years, and councils say the rates they pay no longer cover the cost of a bed. Providers say energy bills, food prices and the national living wage have all risen faster than the fees councils agree to pay.\n\nSeveral homes in the north east have closed since the spring, and residents have been moved to homes many miles from their families. Relatives describe being given a few weeks to find a new place for a parent with dementia.\n\nThe local government association said councils were being asked to fund care from budgets that had shrunk for a decade, and that only a long-term settlement for social care would stop more homes closing. Ministers said extra money had been provided this year and that a commission would report on reform.";

/// The Independent's donation appeal, as it opens a real scraped article.
fn independent_promo() -> String {
    let seed = std::fs::read_dir(common::shared("seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("002_"))
        .unwrap();
    let text = std::fs::read_to_string(seed).unwrap();
    let first = text.lines().next().unwrap();
    // the line is " date 2025-07-30 Your support helps us ..."
    let at = first.find("Your support").unwrap();
    first[at..].trim().to_string()
}

/// An article with `promo` after its first paragraph: an appeal above or
/// below an article is left out of passages at once, one inside it only
/// once enough stories of the outlet repeat it.
fn independent_article(dir: &Path, name: &str, title: &str, body: &str, promo: &str) -> PathBuf {
    let p = dir.join(name);
    let (lead, rest) = body.split_once("\n\n").unwrap();
    write(
        &p,
        &format!(
            "---\ntitle: {title}\nsource: The Independent\ndate: 2025-08-01\n---\n{lead}\n\n{promo}\n\n{rest}\n\nRead more\n"
        ),
    );
    p
}

/// A new folder `name` in `dir` holding `articles` (file name, title,
/// body), each opened by `promo`.
fn independent_folder(
    dir: &Path,
    name: &str,
    articles: &[(&str, &str, &str)],
    promo: &str,
) -> PathBuf {
    let folder = dir.join(name);
    std::fs::create_dir(&folder).unwrap();
    for (file, title, body) in articles {
        independent_article(&folder, file, title, body, promo);
    }
    folder
}

fn promo_in_snippets(r: &SearchResults) -> bool {
    r.hits.iter().any(|h| {
        h.passages
            .iter()
            .any(|p| p.text.contains("Your support helps us") || p.text.contains("Big Tech"))
    })
}

/// File name, title and body of the three articles the promo opens.
const INDEPENDENT_ARTICLES: [(&str, &str, &str); 3] = [
    ("a.md", "Hospital pharmacy", PHARMACY),
    ("b.md", "Dental deserts", DENTISTS),
    ("c.md", "Care home fees", CARE_HOMES),
];

/// Searches the first six words of `body` as a phrase: exactly one
/// article, titled `title`, must match. Returns the results and the stored
/// article.
fn found_by_its_own_words(index: &Index, title: &str, body: &str) -> (SearchResults, Article) {
    let words: Vec<&str> = body.split_whitespace().take(6).collect();
    let r = search(index, &format!("\"{}\"", words.join(" ")));
    assert_eq!(r.total_articles, 1, "{title}");
    assert_eq!(r.hits[0].title, title);
    let a = index.article(&r.hits[0].id).unwrap().unwrap();
    (r, a)
}

#[test]
fn a_repeated_promo_is_never_a_snippet() {
    let promo = independent_promo();
    assert!(promo.contains("Your support makes all the difference"));
    let dir = tempfile::tempdir().unwrap();
    let bodies = INDEPENDENT_ARTICLES;
    // two articles with the promo: not yet boilerplate, so it is searchable
    let src = independent_folder(dir.path(), "independent", &bodies[..2], &promo);
    let index = Index::open_or_create(dir.path().join("idx")).unwrap();
    let o = IngestOptions::default();
    let s = run(&index, std::slice::from_ref(&src), &o, false);
    assert_eq!(s.stripped, 0);
    assert!(promo_in_snippets(&search(&index, "reproductive rights")));

    // the third makes it boilerplate: the earlier two are rebuilt in the same run
    let (name, title, body) = bodies[2];
    independent_article(&src, name, title, body, &promo);
    let s = run(&index, std::slice::from_ref(&src), &o, false);
    assert_eq!((s.added, s.unchanged, s.rebuilt), (1, 2, 2), "{s:?}");
    // the promo and the "Read more" line, in three articles each
    assert_eq!(s.stripped, 2);
    let stats = index.stats().unwrap();
    assert_eq!((stats.boilerplate, stats.stripped), (2, 6));
    for q in [
        "reproductive rights",
        "\"your support\"",
        "support",
        "Big Tech paywalls",
    ] {
        let r = search(&index, q);
        assert!(!promo_in_snippets(&r), "{q}: {r:?}");
        assert_eq!(r.total_articles, 0, "{q} matched the promo");
    }
    // each article is still found by its own words, and `show` keeps the promo
    for (_, title, body) in &bodies {
        let (r, a) = found_by_its_own_words(&index, title, body);
        assert!(!promo_in_snippets(&r));
        assert!(a.text.contains("Your support helps us"));
    }
    // another outlet's copy of the paragraph is not its boilerplate
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    write(
        &other.join("quote.md"),
        &format!(
            "---\ntitle: Quoting the appeal\nsource: Media Watch\n---\nA column about donation appeals quotes one whole.\n\n{promo}\n\nIt asks whether readers notice."
        ),
    );
    run(&index, &[other], &o, false);
    assert!(promo_in_snippets(&search(&index, "reproductive rights")));

    // one of the three removed: the promo is no longer repeated enough
    std::fs::remove_file(src.join("c.md")).unwrap();
    let s = run(&index, &[src], &o, true);
    assert_eq!((s.removed, s.rebuilt), (1, 2), "{s:?}");
    let r = search(&index, "reproductive rights source:\"The Independent\"");
    assert_eq!(r.total_articles, 2);
}

/// Articles signed again once their promo turns out to be boilerplate are
/// read back from the middle of the run's spill; everything staged after
/// them must come out whole.
#[test]
fn articles_after_re_signed_ones_are_written_whole() {
    let promo = independent_promo();
    let dir = tempfile::tempdir().unwrap();
    let bodies = INDEPENDENT_ARTICLES;
    let src = independent_folder(dir.path(), "independent", &bodies, &promo);
    let later = [
        (
            "d.md",
            "Ambulance queues",
            "Ambulance crews in the south west spent more hours parked outside emergency departments this winter than in any year on record, and paramedics described handing patients over in corridors.",
        ),
        (
            "e.md",
            "Midwife shortages",
            "Maternity units closed their doors to new admissions on eleven nights last month because too few midwives were on shift, and expectant mothers were sent to hospitals forty miles away.",
        ),
    ];
    for (name, title, body) in &later {
        write(
            &src.join(name),
            &format!(
                "---\ntitle: {title}\nsource: The Independent\ndate: 2025-08-02\n---\n{body}\n"
            ),
        );
    }
    let index = Index::open_or_create(dir.path().join("idx")).unwrap();
    let s = run(&index, &[src], &IngestOptions::default(), false);
    assert_eq!(s.added, 5, "{s:?}");
    assert!(
        s.stripped >= 1,
        "the promo is boilerplate within the run: {s:?}"
    );
    assert_eq!(search(&index, "reproductive rights").total_articles, 0);
    for (_, title, body) in bodies.iter().chain(&later) {
        let (_, a) = found_by_its_own_words(&index, title, body);
        for part in body.split("\n\n") {
            assert!(a.text.contains(part), "{title}: stored text changed");
        }
    }
}

#[test]
fn seed_article_promo_stays_out_of_snippets() {
    // The real seed with the promo, plus two more articles of its outlet.
    let promo = independent_promo();
    let dir = tempfile::tempdir().unwrap();
    let extra = independent_folder(
        dir.path(),
        "extra",
        &[
            ("x.md", "Dental deserts", DENTISTS),
            ("y.md", "Care home fees", CARE_HOMES),
        ],
        &promo,
    );
    let options = IngestOptions {
        source: Some("The Independent".into()),
        ..IngestOptions::default()
    };
    let (_d, index) = common::build(&[common::shared("seeds"), extra], &options);
    let r = search(&index, "\"resident doctors\" Streeting");
    let seed = r
        .hits
        .iter()
        .find(|h| h.path.as_deref().is_some_and(|p| p.contains("002_")))
        .expect("the seed article is found by its own text");
    assert_eq!(seed.source.as_deref(), Some("The Independent"));
    for q in [
        "support",
        "reproductive rights",
        "Streeting BMA",
        "journalism",
    ] {
        assert!(!promo_in_snippets(&search(&index, q)), "{q}");
    }
}

/// One agency report as three outlets ran it: each with its own headline,
/// furniture and small edits.
fn wire_copies(dir: &Path) {
    let body = [
        "Hospitals in England postponed more than 60,000 operations and appointments during the five-day walkout by resident doctors, according to figures published by NHS England on Thursday.",
        "The total was lower than during the last strike in the spring, which trust leaders put down to more consultants covering shifts and fewer patients being booked in advance.",
        "The British Medical Association said the figures showed the government had to return to talks, while the Department of Health said the union should call off further action.",
        "Around 27,000 doctors were on strike on the busiest day, about a third of the resident doctor workforce, the figures show.",
        "Patients' groups said every cancelled operation meant weeks more pain for someone already waiting, and asked both sides to agree a deal before the winter.",
    ];
    let page = |outlet: &str, domain: &str, headline: &str, paras: &[String]| {
        format!(
            "<html><head><title>{headline} | {outlet}</title>\
             <meta property=\"og:site_name\" content=\"{outlet}\">\
             <meta property=\"article:published_time\" content=\"2025-08-07T11:00:00Z\">\
             <link rel=\"canonical\" href=\"https://www.{domain}/news/strike-figures\"></head>\
             <body><nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav>\
             <article><h1>{headline}</h1>{}</article>\
             <footer>© {outlet}</footer></body></html>",
            paras
                .iter()
                .map(|p| format!("<p>{p}</p>"))
                .collect::<String>()
        )
    };
    let all: Vec<String> = body.iter().map(|s| s.to_string()).collect();
    write(
        &dir.join("standard.html"),
        &page(
            "Evening Standard",
            "standard.co.uk",
            "60,000 operations lost to doctors' strike",
            &all,
        ),
    );
    let mut edited = all.clone();
    edited[0] = edited[0].replace("on Thursday", "on Thursday afternoon");
    edited[3] = "Around 27,000 doctors were on strike on the busiest day, NHS England said.".into();
    write(
        &dir.join("telegraph.html"),
        &page(
            "Belfast Telegraph",
            "belfasttelegraph.co.uk",
            "Strike by resident doctors hit 60,000 appointments",
            &edited,
        ),
    );
    let trimmed = all[..4].to_vec();
    write(
        &dir.join("independent.html"),
        &page(
            "The Independent",
            "independent.co.uk",
            "Doctors' strike: tens of thousands of operations postponed",
            &trimmed,
        ),
    );
    // a different story from one of the same outlets, on the same subject
    write(
        &dir.join("standard-other.html"),
        &page("Evening Standard", "standard.co.uk", "Doctors vote on new pay offer", &[
            "Resident doctors will vote on a new pay offer from the government next month, the British Medical Association has announced, after weeks of talks at the conciliation service.".into(),
            "The offer includes changes to training fees and exam costs, which union leaders said had been a sticking point in the dispute that led to the strike.".into(),
            "A ballot will open on Monday and close at the end of the month.".into(),
        ]),
    );
}

#[test]
fn a_syndicated_story_is_shown_once_with_its_other_outlets() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("pages");
    std::fs::create_dir(&src).unwrap();
    wire_copies(&src);
    let index = Index::open_or_create(dir.path().join("idx")).unwrap();
    let s = run(
        &index,
        std::slice::from_ref(&src),
        &IngestOptions::default(),
        false,
    );
    assert_eq!((s.added, s.collapsed), (4, 2), "{s:?}");

    // Any word: one copy was edited and lacks one of them.
    let mut any = SearchRequest::new("operations postponed strike");
    any.words = hpsearch::Words::Any;
    let r = index.search(&any).unwrap();
    assert_eq!(r.total_articles, 4);
    assert_eq!(r.collapsed, 2);
    assert_eq!(r.hits.len(), 2);
    let story = &r.hits[0];
    let mut outlets: Vec<&str> = std::iter::once(story.source.as_deref().unwrap())
        .chain(story.also_in.iter().map(|c| c.source.as_deref().unwrap()))
        .collect();
    outlets.sort();
    assert_eq!(
        outlets,
        ["Belfast Telegraph", "Evening Standard", "The Independent"]
    );
    assert!(r.hits[1].also_in.is_empty());
    assert_eq!(r.hits[1].title, "Doctors vote on new pay offer");
    // counts and facets include every copy
    let standard = r
        .facets
        .sources
        .iter()
        .find(|f| f.value == "Evening Standard")
        .unwrap();
    assert_eq!(standard.count, 2);
    assert_eq!(r.facets.sources.iter().map(|f| f.count).sum::<u64>(), 4);

    // every copy, when asked
    let mut req = any.clone();
    req.collapse = false;
    let all = index.search(&req).unwrap();
    assert_eq!((all.hits.len(), all.collapsed), (4, 0));
    assert!(all.hits.iter().all(|h| h.also_in.is_empty()));

    // filtered to one outlet, its copy is the hit
    let mut req = any.clone();
    req.sources = vec!["Belfast Telegraph".into()];
    let one = index.search(&req).unwrap();
    assert_eq!(one.hits.len(), 1);
    assert!(one.hits[0].also_in.is_empty());

    // a copy added in a later run joins the story; stats count the copies
    write(
        &src.join("copy.txt"),
        &format!(
            "Title: Strike cost 60,000 operations\nSource: Wessex Echo\n\n{}",
            index.article(&story.id).unwrap().unwrap().text
        ),
    );
    let s = run(&index, &[src], &IngestOptions::default(), false);
    assert_eq!((s.added, s.collapsed), (1, 1));
    let r = index.search(&any).unwrap();
    assert_eq!((r.total_articles, r.hits.len()), (5, 2));
    assert_eq!(r.hits[0].also_in.len(), 3);
    let stats = index.stats().unwrap();
    assert_eq!((stats.duplicates, stats.duplicate_groups), (3, 1));
}

#[test]
fn a_story_republished_three_times_keeps_its_paragraphs() {
    // Three versions of one live story from one outlet share most paragraphs:
    // they are copies, not boilerplate, so the shared text stays searchable.
    let dir = tempfile::tempdir().unwrap();
    let base = "Ambulance trusts in the south west declared critical incidents on Monday as queues outside emergency departments grew through the afternoon.\n\nPatients were asked to call 999 only in a life-threatening emergency, and to use pharmacies and NHS 111 for anything else.\n\nThe regional director said extra crews had been brought in from neighbouring counties.";
    for (i, update) in [
        "Update: two trusts have stood down their incidents.",
        "Update: one trust remains on critical incident.",
        "Update: all incidents stood down by midnight.",
    ]
    .iter()
    .enumerate()
    {
        write(
            &dir.path().join(format!("v{i}.md")),
            &format!(
                "---\ntitle: Critical incidents declared (version {i})\nsource: Westcountry News\n---\n{base}\n\n{update}"
            ),
        );
    }
    let (_d, index) = common::build(&[dir.path().to_path_buf()], &IngestOptions::default());
    let s = index.stats().unwrap();
    assert_eq!((s.duplicates, s.boilerplate), (2, 0));
    let r = search(&index, "\"critical incidents on Monday\"");
    assert_eq!((r.total_articles, r.hits.len()), (3, 1));
    assert!(r.hits[0].passages[0].text.contains("critical incidents"));
}

/// An article removed with `rm` stays out while its file is unchanged, in a
/// folder of single-article files and in a JSONL file, whatever else the
/// run reads; a change to the file brings it back. `stats` counts it.
#[test]
fn removed_articles_stay_out_until_their_files_change() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for n in 0..3 {
        write(&input.join(format!("s{n}.md")), &story(n, "rota"));
    }
    let jsonl = input.join("feed.jsonl");
    write(
        &jsonl,
        "{\"id\": \"j1\", \"title\": \"Bed shortage rota\", \"text\": \"The rota changed.\", \"source\": \"Feed\"}\n\
         {\"id\": \"j2\", \"title\": \"Pay rota\", \"text\": \"The rota for pay talks.\", \"source\": \"Feed\"}\n",
    );
    let index = Index::open_or_create(dir.path().join("idx")).unwrap();
    let paths = [input.clone()];
    run(&index, &paths, &IngestOptions::default(), true);
    assert_eq!(search(&index, "rota").total_articles, 5);
    let single = search(&index, "\"report 1\"").hits[0].id.clone();

    let mut w = index.writer(&WriterOptions::default()).unwrap();
    assert!(w.remove(&single).unwrap());
    assert!(w.remove("j2").unwrap());
    w.commit().unwrap();
    let stats = index.stats().unwrap();
    assert_eq!((stats.articles, stats.kept_out), (3, 2));

    // Indexed again unchanged, pruned too: both stay out, nothing is re-read.
    let s = run(&index, &paths, &IngestOptions::default(), true);
    assert_eq!(counts(&s), [0, 0, 3, 0], "{s:?}");
    assert_eq!(search(&index, "rota").total_articles, 3);
    // An empty query and a query of exclusions alone count articles only.
    assert_eq!(search(&index, "").total_articles, 3);
    assert_eq!(search(&index, "-nothingatall").total_articles, 3);
    assert_eq!(index.stats().unwrap().kept_out, 2);
    assert!(index.article(&single).unwrap().is_none());

    // The single file changes: its article is back, and no longer counted
    // as kept out; the JSONL file's stays out.
    write(
        &input.join("s1.md"),
        &format!("{}\n\nA new line.", story(1, "rota")),
    );
    touch_later(&input.join("s1.md"), 5);
    let s = run(&index, &paths, &IngestOptions::default(), true);
    assert_eq!(s.added, 1, "{s:?}");
    assert_eq!(search(&index, "rota").total_articles, 4);
    assert_eq!(index.stats().unwrap().kept_out, 1);

    // The JSONL file goes: its mark goes with it.
    std::fs::remove_file(&jsonl).unwrap();
    run(&index, &paths, &IngestOptions::default(), true);
    let stats = index.stats().unwrap();
    assert_eq!((stats.articles, stats.kept_out), (3, 0));
}

/// Many small runs that change and add articles: segments stay few, and
/// the documents of replaced articles are reclaimed by merges.
#[test]
fn segments_stay_few_and_deletes_are_reclaimed_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("clippings");
    std::fs::create_dir(&src).unwrap();
    for n in 0..300 {
        write(&src.join(format!("s{n:04}.txt")), &story(n, "staffing"));
    }
    let index = Index::open_or_create(dir.path().join("idx")).unwrap();
    let o = IngestOptions::default();
    run(&index, std::slice::from_ref(&src), &o, false);
    let mut most_segments = 0;
    for r in 0..30usize {
        // Fifteen stories rewritten, five new ones.
        for k in 0..15 {
            let n = (r * 37 + k * 19) % 300;
            let p = src.join(format!("s{n:04}.txt"));
            write(&p, &story(n, &format!("rota {r}")));
            touch_later(&p, 1);
        }
        for k in 0..5 {
            let n = 300 + r * 5 + k;
            write(&src.join(format!("s{n:04}.txt")), &story(n, "pay"));
        }
        let s = run(&index, std::slice::from_ref(&src), &o, false);
        assert_eq!((s.added, s.updated), (5, 15), "run {r}: {s:?}");
        let stats = index.stats().unwrap();
        most_segments = most_segments.max(stats.segments);
        let docs = stats.articles + stats.deleted_documents;
        assert!(
            stats.deleted_documents as f64 <= 0.2 * docs as f64,
            "run {r}: {} deleted of {docs}",
            stats.deleted_documents
        );
    }
    let stats = index.stats().unwrap();
    assert_eq!(stats.articles, 450);
    assert!(most_segments <= 12, "{most_segments} segments");
}
