//! One query text through the whole search path, the way every entry point
//! sends it: as a query and as plain text, with filters, by date, without
//! collapsing, a page further on, ids only. Each answer is checked for what
//! must hold whatever the query: highlights inside their passages, no
//! article twice on a page, facets that never count more than matched,
//! filters and sort order kept. A refusal must be a query or request error
//! that points inside the query.
//!
//! Shared by the integration tests and the `search` fuzz target (included
//! there by path), so it uses nothing but hpsearch and std.

use std::collections::HashSet;

use hpsearch::{Date, Error, Index, SearchRequest, SearchResults, Sort, Syntax};

/// What a whole-path run needs to know about the index once: a source to
/// filter on, and one to leave out.
pub struct Setting {
    pub sources: Vec<String>,
}

impl Setting {
    pub fn of(index: &Index) -> Setting {
        let sources = index
            .sources()
            .expect("sources of the index")
            .into_iter()
            .map(|s| s.value)
            .collect();
        Setting { sources }
    }
}

/// The requests one query text is sent as.
pub fn requests(query: &str, setting: &Setting) -> Vec<SearchRequest> {
    // As `eval` and `batch` ask: natural-language text, any word.
    let plain = |mut r: SearchRequest| {
        r.syntax = Syntax::Plain;
        r.words = hpsearch::Words::Any;
        r
    };
    let mut out = Vec::new();
    let mut r = SearchRequest::new(query);
    r.passages = 3;
    out.push(r.clone());
    out.push(plain(r.clone()));

    // Filters: a source kept, another left out, a period.
    let mut f = SearchRequest::new(query);
    if let Some(s) = setting.sources.first() {
        f.sources = vec![s.clone()];
    }
    if let Some(s) = setting.sources.get(1) {
        f.exclude_sources = vec![s.clone()];
    }
    f.since = Date::from_key(20160101);
    f.until = Date::from_key(20241231);
    out.push(f.clone());
    f.sources.clear();
    out.push(plain(f));

    // By date, two passages each, no feedback.
    let mut d = SearchRequest::new(query);
    d.sort = Sort::Date;
    d.passages = 2;
    d.feedback = false;
    d.expand = false;
    out.push(d);

    // Every copy its own hit, a page further on.
    let mut c = SearchRequest::new(query);
    c.collapse = false;
    c.offset = 3;
    c.limit = 5;
    c.successors = true;
    out.push(c);

    // Ids only, as `--ids-only` and `eval` ask.
    let mut i = SearchRequest::new(query);
    i.ids_only = true;
    i.limit = 50;
    out.push(plain(i));
    out
}

/// Runs `query` through every request of [`requests`] and checks each
/// outcome. Returns how many were answered (rather than refused).
pub fn run(index: &Index, setting: &Setting, query: &str) -> usize {
    let mut answered = 0;
    for req in requests(query, setting) {
        match index.search(&req) {
            Ok(r) => {
                check(&req, &r);
                answered += 1;
                // An export of every match: the articles counted, each
                // with its passages, and no other (as `--format --all`).
                if req.offset == 0 && !req.ids_only {
                    let mut exported = 0u64;
                    let mut all = req.clone();
                    all.collapse = false;
                    let counted = index
                        .each_hit(&all, |h| {
                            assert!(h.missing.is_empty(), "{query:?}: exported {:?}", h.missing);
                            exported += 1;
                            Ok::<(), Error>(())
                        })
                        .unwrap_or_else(|e| panic!("{query:?} ({all:?}): {e}"));
                    assert_eq!(exported, counted, "{query:?}");
                    assert_eq!(counted, r.total_articles, "{query:?}");
                }
            }
            Err(Error::Query { position, .. }) => {
                assert!(
                    position <= query.len() && query.is_char_boundary(position),
                    "{query:?}: error position {position} outside the query"
                );
            }
            Err(Error::InvalidRequest(m)) => assert!(!m.is_empty(), "{query:?}"),
            // A `source:` term naming no source of the index.
            Err(Error::UnknownSource { name, .. }) => assert!(!name.is_empty(), "{query:?}"),
            Err(other) => panic!("{query:?} ({req:?}): {other}"),
        }
    }
    answered
}

/// What must hold for any answer to `req`.
pub fn check(req: &SearchRequest, r: &SearchResults) {
    let q = &req.query;
    assert!(r.hits.len() <= req.limit, "{q:?}: more hits than the limit");
    // Any word only when asked, or when no article had them all (said so).
    let fell_back = r.notices.iter().any(|n| n == hpsearch::search::FELL_BACK);
    assert_eq!(
        r.words == hpsearch::Words::Any,
        req.words == hpsearch::Words::Any || fell_back,
        "{q:?}"
    );
    assert!(!fell_back || req.words == hpsearch::Words::All, "{q:?}");
    for a in &r.also_searched {
        assert!(req.expand && !a.names.is_empty(), "{q:?}: {a:?}");
    }
    for s in &r.suggestions {
        assert!(s.articles > s.word_articles, "{q:?}: {s:?}");
    }

    // No article twice on a page, as a hit or as another hit's copy.
    let mut seen = HashSet::new();
    let mut shown = 0u64;
    let mut shown_lacking = 0u64;
    for h in &r.hits {
        // What a hit lacks is told only of a search that counts every
        // word, and only for articles beyond those counted.
        if !h.missing.is_empty() {
            assert!(r.words == hpsearch::Words::All, "{q:?}: {:?}", h.missing);
            assert!(r.more_articles > 0, "{q:?}: {:?}", h.missing);
            assert!(h.missing.iter().all(|m| !m.is_empty()), "{q:?}");
            shown_lacking += 1;
        }
        assert!(!h.id.is_empty(), "{q:?}: a hit without an id");
        assert!(seen.insert(h.id.as_str()), "{q:?}: {} twice", h.id);
        shown += 1;
        for c in &h.also_in {
            assert!(seen.insert(c.id.as_str()), "{q:?}: copy {} twice", c.id);
            shown += 1;
        }
        assert!(h.score.is_finite(), "{q:?}: score {}", h.score);
        if !req.collapse {
            assert!(h.also_in.is_empty(), "{q:?}: copies without collapsing");
        }
    }
    assert!(
        shown <= r.total_articles + r.more_articles && shown_lacking <= r.more_articles,
        "{q:?}: {shown} shown ({shown_lacking} lacking a word) of {} matched and {} more",
        r.total_articles,
        r.more_articles
    );
    assert!(
        r.words == hpsearch::Words::All || r.more_articles == 0,
        "{q:?}: more articles beyond any word"
    );
    if req.offset == 0 && r.total_articles > 0 {
        assert!(!r.hits.is_empty(), "{q:?}: matches but an empty first page");
    }

    // Passages and highlights, in titles too.
    for h in &r.hits {
        let mut last_end = 0;
        for (k, &[a, b]) in h.title_highlights.iter().enumerate() {
            assert!(
                a < b && b <= h.title.len(),
                "{q:?}: title highlight {a}..{b} of {:?}",
                h.title
            );
            assert!(
                h.title.is_char_boundary(a) && h.title.is_char_boundary(b),
                "{q:?}: {:?}",
                h.title
            );
            assert!(
                k == 0 || a > last_end,
                "{q:?}: title highlights overlap in {:?}",
                h.title
            );
            last_end = b;
        }
        if req.ids_only {
            assert!(h.passages.is_empty(), "{q:?}: passages with ids only");
            continue;
        }
        assert!(h.passages.len() <= req.passages.max(1), "{q:?}");
        for p in &h.passages {
            assert!(
                p.start <= p.end && p.end - p.start == p.text.len(),
                "{q:?}: {p:?}"
            );
            let mut last_end = 0;
            for (k, &[a, b]) in p.highlights.iter().enumerate() {
                assert!(
                    a < b && b <= p.text.len(),
                    "{q:?}: highlight {a}..{b} of {p:?}"
                );
                assert!(
                    p.text.is_char_boundary(a) && p.text.is_char_boundary(b),
                    "{q:?}: highlight {a}..{b} splits a character in {p:?}"
                );
                assert!(k == 0 || a > last_end, "{q:?}: highlights overlap in {p:?}");
                last_end = b;
            }
        }
    }

    // Facets count each matching article once.
    let f = &r.facets;
    let total = r.total_articles;
    for c in f.sources.iter().chain(&f.months) {
        assert!(c.count > 0 && c.count <= total, "{q:?}: {c:?} of {total}");
    }
    let by_source: u64 = f.sources.iter().map(|c| c.count).sum();
    let by_month: u64 = f.months.iter().map(|c| c.count).sum();
    assert_eq!(
        by_source + f.unknown_source,
        total,
        "{q:?}: sources and unknown source"
    );
    assert!(
        f.sources.iter().all(|c| !c.unknown),
        "{q:?}: {:?}",
        f.sources
    );
    assert_eq!(by_month + f.undated, total, "{q:?}: months and undated");

    // Filters hold for every hit and every count.
    for h in &r.hits {
        if !req.sources.is_empty() {
            assert!(
                h.source.as_ref().is_some_and(|s| req.sources.contains(s)),
                "{q:?}: {:?} outside --source",
                h.source
            );
        }
        if let Some(s) = &h.source {
            assert!(!req.exclude_sources.contains(s), "{q:?}: {s} excluded");
        }
        if req.since.is_some() || req.until.is_some() {
            let d = h
                .date
                .unwrap_or_else(|| panic!("{q:?}: an undated hit in a period"));
            assert!(req.since.is_none_or(|s| d >= s) && req.until.is_none_or(|u| d <= u));
        }
    }
    if !req.sources.is_empty() {
        for c in &f.sources {
            assert!(req.sources.contains(&c.value), "{q:?}: facet {c:?}");
        }
    }

    // Newest first, undated last.
    if req.sort == Sort::Date {
        for pair in r.hits.windows(2) {
            let (a, b) = (pair[0].date, pair[1].date);
            let ordered = match (a, b) {
                (Some(a), Some(b)) => a >= b,
                (None, Some(_)) => false,
                _ => true,
            };
            assert!(ordered, "{q:?}: {a:?} before {b:?} when sorted by date");
        }
    }
}
