//! The public API on article values: article-level query semantics, facets
//! counted per article, updates and duplicates, filters, sorting, paging.

mod common;

use hpsearch::{Article, Date, Index, Outcome, SearchRequest, Sort, Words, WriterOptions};

fn art(id: &str, source: &str, date: Option<&str>, text: &str) -> Article {
    let mut a = Article::new(format!("Article {id}"), text);
    a.id = id.to_string();
    a.source = Some(source.to_string());
    a.date = date.and_then(Date::parse);
    a
}

/// `n` paragraphs of filler with `word` in each, long enough to be separate passages.
fn long_text(word: &str, n: usize) -> String {
    (0..n)
        .map(|i| format!("Paragraph {i} mentions {word} among many other words about hospital staffing, rotas, wards, budgets, trusts, waiting lists, beds, clinics and the daily pressures that people who work in them describe at length to anyone who asks them about it in detail."))
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[test]
fn facets_count_articles_not_passages() {
    let (_d, index) = common::index_with(vec![
        art(
            "many",
            "Ward Bulletin",
            Some("2024-01-10"),
            &long_text("strike", 8),
        ),
        art(
            "one",
            "Ward Bulletin",
            Some("2024-01-20"),
            "A short piece on the strike.",
        ),
        art("other", "Union Voice", None, "Another strike report."),
    ]);
    let r = common::search(&index, "strike");
    assert!(index.stats().unwrap().passages >= 10);
    assert_eq!(r.total_articles, 3);
    assert_eq!(r.facets.sources[0].value, "Ward Bulletin");
    assert_eq!(r.facets.sources[0].count, 2);
    assert_eq!(r.facets.months.len(), 1);
    assert_eq!(
        (r.facets.months[0].value.as_str(), r.facets.months[0].count),
        ("2024-01", 2)
    );
    assert_eq!(r.facets.undated, 1);
}

#[test]
fn required_and_excluded_apply_to_whole_articles() {
    let text = format!("{}\n\n{}", long_text("alpha", 3), long_text("beta", 3));
    let (_d, index) = common::index_with(vec![
        art("both", "S", None, &text),
        art("alpha-only", "S", None, &long_text("alpha", 2)),
        art("beta-only", "S", None, &long_text("beta", 2)),
    ]);
    assert_eq!(common::all_ids(&index, "+alpha +beta"), ["both"]);
    assert_eq!(common::all_ids(&index, "alpha -beta"), ["alpha-only"]);
    // Every plain word by default; any of them when asked, or with OR.
    assert_eq!(common::all_ids(&index, "alpha beta"), ["both"]);
    assert_eq!(common::all_ids(&index, "alpha AND beta"), ["both"]);
    // The articles with one of the words are listed after, not counted,
    // each with what it lacks.
    let r = index
        .search(&SearchRequest {
            collapse: false,
            ..SearchRequest::new("alpha beta")
        })
        .unwrap();
    assert_eq!((r.total_articles, r.more_articles), (1, 2));
    assert_eq!(r.facets.sources[0].count, 1);
    let lacks: Vec<(&str, Vec<&str>)> = r
        .hits
        .iter()
        .map(|h| {
            (
                h.id.as_str(),
                h.missing.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(lacks[0], ("both", vec![]));
    assert!(
        lacks[1..].contains(&("alpha-only", vec!["beta"])),
        "{lacks:?}"
    );
    assert!(
        lacks[1..].contains(&("beta-only", vec!["alpha"])),
        "{lacks:?}"
    );
    let any = index
        .search(&SearchRequest {
            words: Words::Any,
            ..SearchRequest::new("alpha beta")
        })
        .unwrap();
    assert_eq!((any.total_articles, any.more_articles), (3, 0));
    assert!(any.hits.iter().all(|h| h.missing.is_empty()));
    assert_eq!(
        common::all_ids(&index, "alpha OR beta"),
        ["alpha-only", "beta-only", "both"]
    );
    let mut any = SearchRequest::new("alpha beta");
    any.words = hpsearch::Words::Any;
    any.limit = 100;
    let r = index.search(&any).unwrap();
    assert_eq!((r.total_articles, r.words), (3, hpsearch::Words::Any));
    let mut both = SearchRequest::new("alpha AND beta");
    both.words = hpsearch::Words::Any;
    assert_eq!(index.search(&both).unwrap().total_articles, 1);
    // No article has every word: the best with any, said so.
    let r = common::search(&index, "alpha gamma");
    assert_eq!((r.total_articles, r.words), (2, hpsearch::Words::Any));
    assert!(
        r.notices
            .iter()
            .any(|n| n.starts_with("no article has every word"))
    );
    assert_eq!(
        common::all_ids(&index, "+(alpha OR beta) -alpha"),
        ["beta-only"]
    );
    assert_eq!(common::all_ids(&index, "-alpha"), ["beta-only"]);
}

#[test]
fn phrases_are_exact_words_and_titles_scope() {
    let mut a = art(
        "a",
        "S",
        None,
        "The doctors’ strikes went ahead despite the offer.",
    );
    a.title = "Pay offer rejected".into();
    let b = art("b", "S", None, "One doctor said a strike was likely.");
    // The stemmed phrase and every word as written, but not together.
    let c = art(
        "c",
        "S",
        None,
        "Doctors strike today. Not to be outdone, one doctor said the strike or not, to be honest, would go on.",
    );
    let d = art(
        "d",
        "S",
        None,
        "To be or not to be: the consultants' question.",
    );
    let (_d, index) = common::index_with(vec![a, b, c, d]);
    assert_eq!(common::all_ids(&index, "\"doctors' strikes\""), ["a", "c"]);
    assert_eq!(common::all_ids(&index, "doctor strike"), ["a", "b", "c"]);
    // A phrase matches inflected; exact: asks for the words as written.
    assert_eq!(common::all_ids(&index, "\"doctor strike\""), ["a", "c"]);
    assert_eq!(common::all_ids(&index, "\"doctor strikes\""), ["a", "c"]);
    assert_eq!(common::all_ids(&index, "exact:\"doctors' strikes\""), ["a"]);
    assert_eq!(common::all_ids(&index, "exact:\"doctors strike\""), ["c"]);
    // The words as written are indexed without positions: the article
    // that holds them apart is checked against its text and left out.
    assert!(common::all_ids(&index, "exact:\"doctor strike\"").is_empty());
    assert_eq!(
        common::all_ids(&index, "exact:\"to be or not to be\""),
        ["d"]
    );
    assert_eq!(common::all_ids(&index, "exact:doctor"), ["b", "c"]);
    assert!(common::all_ids(&index, "\"strike doctor\"").is_empty());
    assert_eq!(common::all_ids(&index, "title:offer"), ["a"]);
    assert_eq!(common::all_ids(&index, "title:\"pay offer\""), ["a"]);
    assert!(common::all_ids(&index, "title:strike").is_empty());
}

#[test]
fn updates_replace_and_duplicates_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open_or_create(dir.path()).unwrap();
    let mut w = index.writer(&WriterOptions::default()).unwrap();
    assert_eq!(
        w.add_article(art("x", "S", None, "first version about beds"))
            .unwrap(),
        Outcome::Added
    );
    assert_eq!(
        w.add_article(art("x", "S", None, "copy in the same run"))
            .unwrap(),
        Outcome::Duplicate
    );
    let s = w.commit().unwrap();
    assert_eq!((s.added, s.skipped), (1, 1));
    // Title and text of the one article written; the skipped copy is not counted.
    assert_eq!(
        s.text_bytes,
        ("Article x".len() + "first version about beds".len()) as u64
    );

    let mut w = index.writer(&WriterOptions::default()).unwrap();
    assert_eq!(
        w.add_article(art("x", "S", None, "first version about beds"))
            .unwrap(),
        Outcome::Unchanged
    );
    w.commit().unwrap();
    let mut w = index.writer(&WriterOptions::default()).unwrap();
    assert_eq!(
        w.add_article(art("x", "S", None, "second version about wards"))
            .unwrap(),
        Outcome::Updated
    );
    w.commit().unwrap();
    assert!(common::all_ids(&index, "beds").is_empty());
    assert_eq!(common::all_ids(&index, "wards"), ["x"]);
    assert_eq!(index.stats().unwrap().articles, 1);
    assert_eq!(
        index.article("x").unwrap().unwrap().text,
        "second version about wards"
    );
}

#[test]
fn filters_sorting_and_paging() {
    let (_d, index) = common::index_with(vec![
        art("a", "Ward Bulletin", Some("2019-05-01"), "nurses pay"),
        art(
            "b",
            "ward  bulletin",
            Some("2023-02-01"),
            "nurses pay nurses",
        ),
        art("c", "Union Voice", Some("2023-11-30"), "nurses"),
        art("d", "Union Voice", None, "nurses"),
    ]);
    let req = |f: &dyn Fn(&mut SearchRequest)| {
        let mut r = SearchRequest::new("nurses");
        r.collapse = false;
        f(&mut r);
        let mut ids: Vec<String> = index
            .search(&r)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect();
        if r.sort == Sort::Relevance {
            ids.sort();
        }
        ids
    };
    // source names fold case and spacing, in filters and in facets alike
    assert_eq!(
        req(&|r| r.sources = vec!["WARD BULLETIN".into()]),
        ["a", "b"]
    );
    let facets = common::search(&index, "nurses").facets;
    assert_eq!(
        facets.sources.iter().map(|f| f.count).collect::<Vec<_>>(),
        [2, 2]
    );
    assert_eq!(
        req(&|r| r.exclude_sources = vec!["Union Voice".into()]),
        ["a", "b"]
    );
    let since = hpsearch::date::parse_period("2023").unwrap();
    assert_eq!(req(&|r| r.since = Some(since.0)), ["b", "c"]);
    assert_eq!(req(&|r| r.until = Some(since.0)), ["a"]);
    assert_eq!(req(&|r| r.sort = Sort::Date), ["c", "b", "a", "d"]);
    assert_eq!(
        req(&|r| {
            r.sort = Sort::Date;
            r.offset = 1;
            r.limit = 2
        }),
        ["b", "a"]
    );
    let err = index
        .search(&SearchRequest {
            sources: vec!["Ward Bulletn".into()],
            ..SearchRequest::new("nurses")
        })
        .unwrap_err();
    // Structured for a program, and said in words for a person, with no
    // command line in it.
    match &err {
        hpsearch::Error::UnknownSource { name, suggestions } => {
            assert_eq!(
                (name.as_str(), suggestions.as_slice()),
                ("Ward Bulletn", &["Ward Bulletin".to_string()][..])
            );
        }
        other => panic!("{other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("did you mean \"Ward Bulletin\""), "{text}");
    assert!(
        !text.contains("hpsearch ") && !text.contains("--"),
        "{text}"
    );
}

#[test]
fn stop_words_are_reported_not_dropped_silently() {
    let (_d, index) = common::index_with(vec![art(
        "a",
        "S",
        None,
        "To be or not to be, that is the question.",
    )]);
    let r = common::search(&index, "the question");
    assert_eq!(r.total_articles, 1);
    assert!(
        r.notices.iter().any(|n| n.contains("the")),
        "{:?}",
        r.notices
    );
    // a query of only common words still searches them
    let r = common::search(&index, "to be or not");
    assert_eq!(r.total_articles, 1);
    assert!(r.notices.is_empty());
}

/// With the smallest budget the writer waits for tantivy's queue (1 MB of
/// text) many times over; every article still arrives, once.
#[test]
fn a_small_memory_budget_holds_back_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open_or_create(dir.path()).unwrap();
    let options = WriterOptions {
        memory_bytes: 15 << 20,
        ..WriterOptions::default()
    };
    let mut w = index.writer(&options).unwrap();
    // A word of letters only per article (`rotahhh` for 777).
    let mark = |i: usize| -> String {
        let letters: String = i
            .to_string()
            .bytes()
            .map(|d| char::from(d - b'0' + b'a'))
            .collect();
        format!("rota{letters}")
    };
    for i in 0..1500 {
        let text = format!("Ward {i} reports. {}", long_text(&mark(i), 12));
        w.add_article(art(&format!("a{i}"), "S", None, &text))
            .unwrap();
    }
    let s = w.commit().unwrap();
    assert_eq!(s.added, 1500);
    assert!(
        s.text_bytes > 4 << 20,
        "{} bytes is too little to fill the queue",
        s.text_bytes
    );
    let mut r = hpsearch::SearchRequest::new("ward");
    r.collapse = false;
    assert_eq!(index.search(&r).unwrap().total_articles, 1500);
    assert_eq!(common::all_ids(&index, &mark(777)), ["a777"]);
}

/// The segments of an index folder, by their postings files.
fn segments(dir: &std::path::Path) -> std::collections::BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".idx").map(str::to_string)
        })
        .collect()
}

/// Segments merge after a run, four of a size at a time: a run of a few
/// articles leaves the collection's large segment as it is, and once four
/// small ones gather they merge into one.
#[test]
fn small_runs_merge_with_each_other_not_into_the_collection() {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open_or_create(dir.path()).unwrap();
    let options = WriterOptions {
        threads: Some(1),
        ..WriterOptions::default()
    };
    let run = |from: usize, to: usize| {
        let mut w = index.writer(&options).unwrap();
        for i in from..to {
            let text = format!("Ward {i} reports on staffing and rotas.");
            w.add_article(art(&format!("a{i}"), "S", None, &text))
                .unwrap();
        }
        w.commit().unwrap();
        segments(dir.path())
    };
    let first = run(0, 200);
    assert_eq!(first.len(), 1, "{first:?}");
    for (k, from) in [200, 202, 204].into_iter().enumerate() {
        let now = run(from, from + 2);
        assert_eq!(now.len(), 2 + k, "{now:?}");
        assert!(now.is_superset(&first), "the large segment was rewritten");
    }
    let fifth = run(206, 208);
    assert_eq!(fifth.len(), 2, "the four small segments merge: {fifth:?}");
    assert!(fifth.is_superset(&first), "the large segment was rewritten");
    let mut r = SearchRequest::new("ward");
    r.collapse = false;
    assert_eq!(index.search(&r).unwrap().total_articles, 208);
}

/// A word of letters and digits is one name: its letter runs find other
/// spellings (`FOXO3` / `FoxO3a`, `COVID19` / `COVID-19`), its digits and
/// single letters alone find nothing, so counts stay those of the name.
#[test]
fn words_of_letters_and_digits() {
    let (_d, index) = common::index_with(vec![
        art("flu", "S", None, "H1N1 cases rose again this winter."),
        art(
            "one",
            "S",
            None,
            "1 in 10 beds were closed; ward N and ward H stayed open.",
        ),
        art("gene", "S", None, "FoxO3a activation in neurons."),
        art("cov", "S", None, "COVID-19 admissions fell."),
    ]);
    assert_eq!(common::all_ids(&index, "H1N1"), ["flu"]);
    assert_eq!(common::all_ids(&index, "FOXO3"), ["gene"]);
    assert_eq!(common::all_ids(&index, "COVID19"), ["cov"]);
}

/// Records the phases and progress of a run, and cancels it once writing
/// has begun when asked to.
#[derive(Default)]
struct Recorder {
    events: std::sync::Mutex<Vec<(hpsearch::Phase, u64, u64)>>,
    cancel_when_writing: bool,
}

impl hpsearch::Observer for Recorder {
    fn phase(&self, phase: hpsearch::Phase, total: u64) {
        self.events.lock().unwrap().push((phase, 0, total));
    }
    fn progress(&self, done: u64, total: u64) {
        let mut e = self.events.lock().unwrap();
        let phase = e.last().map_or(hpsearch::Phase::Reading, |l| l.0);
        e.push((phase, done, total));
    }
    fn cancelled(&self) -> bool {
        self.cancel_when_writing
            && self
                .events
                .lock()
                .unwrap()
                .iter()
                .any(|e| e.0 == hpsearch::Phase::Writing && e.1 > 0)
    }
}

#[test]
fn a_run_reports_its_phases_and_can_be_cancelled() {
    use hpsearch::{IngestOptions, Phase};
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for n in 0..600 {
        std::fs::write(
            input.join(format!("{n}.txt")),
            format!("Report {n}\n\n{}", long_text("rota", 2)),
        )
        .unwrap();
    }
    let index = Index::open_or_create(dir.path().join("idx")).unwrap();

    // Reading counts bytes up to its total, writing counts articles, then
    // the commit.
    let seen = Recorder::default();
    let mut w = index.writer(&WriterOptions::default()).unwrap();
    w.add_paths(
        std::slice::from_ref(&input),
        &IngestOptions::default(),
        &seen,
    )
    .unwrap();
    let summary = w.commit_with(&seen).unwrap();
    assert_eq!(summary.added, 600);
    let events = seen.events.into_inner().unwrap();
    let phases: Vec<Phase> = events
        .iter()
        .map(|e| e.0)
        .collect::<Vec<_>>()
        .chunk_by(|a, b| a == b)
        .map(|c| c[0])
        .collect();
    assert_eq!(phases, [Phase::Reading, Phase::Writing, Phase::Committing]);
    for phase in [Phase::Reading, Phase::Writing] {
        let of: Vec<&(Phase, u64, u64)> = events.iter().filter(|e| e.0 == phase).collect();
        assert!(
            of.windows(2).all(|w| w[0].1 <= w[1].1),
            "{phase:?} goes forward"
        );
        let last = of.last().unwrap();
        assert_eq!(last.1, last.2, "{phase:?} ends complete");
    }
    assert_eq!(
        events.iter().find(|e| e.0 == Phase::Writing).unwrap().2,
        600
    );

    // A run cancelled while writing commits nothing.
    for n in 0..600 {
        std::fs::write(
            input.join(format!("new-{n}.txt")),
            format!("New report {n}\n\n{}", long_text("beds", 2)),
        )
        .unwrap();
    }
    let stop = Recorder {
        cancel_when_writing: true,
        ..Recorder::default()
    };
    let mut w = index.writer(&WriterOptions::default()).unwrap();
    w.add_paths(
        std::slice::from_ref(&input),
        &IngestOptions::default(),
        &stop,
    )
    .unwrap();
    assert!(matches!(
        w.commit_with(&stop),
        Err(hpsearch::Error::Cancelled)
    ));
    assert_eq!(index.stats().unwrap().articles, 600);
    // The index takes the next run as if nothing had happened.
    let mut w = index.writer(&WriterOptions::default()).unwrap();
    w.add_paths(
        std::slice::from_ref(&input),
        &IngestOptions::default(),
        &hpsearch::write::Quiet,
    )
    .unwrap();
    assert_eq!(w.commit().unwrap().added, 600);
    assert_eq!(index.stats().unwrap().articles, 1200);
}

/// One `Index` serves searches from many threads at once, while a writer
/// on another thread commits: every search sees a whole commit.
#[test]
fn an_index_is_shared_across_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Index>();
    let (_dir, index) = common::index_with(
        (0..50)
            .map(|i| {
                art(
                    &format!("a{i}"),
                    "Ward Bulletin",
                    Some("2024-01-10"),
                    &long_text("rota", 2),
                )
            })
            .collect(),
    );
    let index = std::sync::Arc::new(index);
    std::thread::scope(|s| {
        for _ in 0..4 {
            let index = index.clone();
            s.spawn(move || {
                for _ in 0..20 {
                    let n = index
                        .search(&SearchRequest::new("rota"))
                        .unwrap()
                        .total_articles;
                    assert!(n == 50 || n == 60, "{n}");
                }
            });
        }
        let index = index.clone();
        s.spawn(move || {
            let mut w = index.writer(&WriterOptions::default()).unwrap();
            for i in 50..60 {
                w.add_article(art(
                    &format!("a{i}"),
                    "Ward Bulletin",
                    None,
                    &long_text("rota", 1),
                ))
                .unwrap();
            }
            w.commit().unwrap();
        });
    });
    assert_eq!(
        index
            .search(&SearchRequest::new("rota"))
            .unwrap()
            .total_articles,
        60
    );
}

/// An article's id is fixed when it is written: text edited after
/// `Article::new` gives the id of the edited text.
#[test]
fn an_article_gets_its_id_when_it_is_written() {
    let mut a = Article::new("Rota gaps", "Gaps in the rota.");
    assert!(a.id.is_empty());
    a.text.push_str(" Again this week.");
    let want = a.content_id();
    let (_dir, index) = common::index_with(vec![a.clone()]);
    let got = index.search(&SearchRequest::new("rota")).unwrap().hits[0]
        .id
        .clone();
    assert_eq!(got, want);
    assert_eq!(index.article(&want).unwrap().unwrap().text, a.text);
}

#[test]
fn a_users_thesaurus_entries_take_effect_at_once_and_a_bad_line_changes_nothing() {
    let (_d, index) = common::index_with(vec![
        art(
            "w",
            "S",
            None,
            "Staff at the depot began a walkout on Monday.",
        ),
        art("s", "S", None, "The stoppage at the depot ended on Friday."),
    ]);
    assert_eq!(common::all_ids(&index, "walkout"), ["w"]);
    let err = index
        .set_synonyms("walkout = stoppage | ours\nstoppage\n", "ours.txt")
        .unwrap_err();
    match &err {
        hpsearch::Error::Synonyms(e) => assert_eq!((e.origin.as_str(), e.line), ("ours.txt", 2)),
        other => panic!("{other:?}"),
    }
    assert_eq!(common::all_ids(&index, "walkout"), ["w"]);
    assert_eq!(
        index
            .set_synonyms("# ours\nwalkout = stoppage | our word\n", "ours.txt")
            .unwrap(),
        1
    );
    assert_eq!(common::all_ids(&index, "walkout"), ["s", "w"]);
    let r = common::search(&index, "walkout");
    assert_eq!(r.hits[0].id, "w", "the word typed first");
    assert_eq!(r.also_searched[0].names, ["stoppage"]);
    // Another index opened on the folder reads them too.
    let again = Index::open(index.path()).unwrap();
    assert_eq!(common::all_ids(&again, "walkout"), ["s", "w"]);
    index.set_synonyms("", "ours.txt").unwrap();
    assert_eq!(common::all_ids(&index, "walkout"), ["w"]);
}

/// Words typed next to each other count for more where they stand
/// together: the article that names primary care outranks one that says
/// "primary" and "care" apart, more often.
#[test]
fn words_typed_together_rank_the_article_that_uses_them_together_first() {
    let (_d, index) = common::index_with(vec![
        art(
            "apart",
            "S",
            None,
            "The primary tumour was removed. Standard care followed, and the care team \
             watched the primary site for a year while care continued at home.",
        ),
        art(
            "together",
            "S",
            None,
            "Funding for primary care has fallen behind hospital budgets this year.",
        ),
    ]);
    let mut req = SearchRequest::new("primary care");
    req.collapse = false;
    req.feedback = false;
    let r = index.search(&req).unwrap();
    let order: Vec<&str> = r.hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(order, ["together", "apart"]);
}

/// An index folder removed while a handle is open, or never there: the
/// library says there is no index, never a bare file-system error.
#[test]
fn a_missing_index_folder_is_no_index() {
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("never");
    assert!(matches!(
        Index::open(&gone),
        Err(hpsearch::Error::NoIndex(_))
    ));
    let path = dir.path().join("idx");
    let index = Index::open_or_create(&path).unwrap();
    let mut w = index.writer(&hpsearch::WriterOptions::default()).unwrap();
    w.add_article(art("a", "Ward Bulletin", None, "Nurses on the ward."))
        .unwrap();
    w.commit().unwrap();
    assert_eq!(
        index
            .search(&SearchRequest::new("nurses"))
            .unwrap()
            .total_articles,
        1
    );
    std::fs::remove_dir_all(&path).unwrap();
    for r in [
        index.search(&SearchRequest::new("nurses")).map(|_| ()),
        index.sources().map(|_| ()),
        index.stats().map(|_| ()),
    ] {
        assert!(matches!(r, Err(hpsearch::Error::NoIndex(_))), "{r:?}");
    }
}
