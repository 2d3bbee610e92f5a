//! Saved web pages in tests/pages, one per outlet layout (written for these
//! tests): titles, dates, sources, addresses and authors are read from the
//! page, and navigation, banners, adverts, related links and comments are
//! left out of the text.

mod common;

use hpsearch::{Article, Index, IngestOptions};

struct Expect {
    file: &'static str,
    title: &'static str,
    source: &'static str,
    date: Option<&'static str>,
    url: &'static str,
    author: Option<&'static str>,
    /// Sentences of the article that must be in its text.
    kept: &'static [&'static str],
    /// Page furniture that must not be.
    dropped: &'static [&'static str],
}

const PAGES: &[Expect] = &[
    Expect {
        // og:site_name, article:published_time, canonical link, meta author
        file: "guardian-ambulance-handovers.html",
        title: "Ambulance handover delays hit record as winter begins",
        source: "The Guardian",
        date: Some("2024-11-19"),
        url: "https://www.theguardian.com/society/2024/nov/19/ambulance-handover-delays-record-winter",
        author: Some("Helen Marsh"),
        kept: &[
            "Ambulance crews in England spent more time queueing",
            "about 13,000 patients who were fit to leave hospital",
        ],
        dropped: &[
            "We use cookies",
            "Skip to main content",
            "Lifestyle",
            "Advertisement",
            "Most viewed",
            "Storm brings snow",
            "More on this story",
            "Corridor care has become normal",
            "Share on Facebook",
            "Privacy policy",
            "Tue 19 Nov 2024",
            "trackPageView",
        ],
    },
    Expect {
        // JSON-LD headline, publisher and author; "- BBC News" title
        file: "bbc-gp-appointments.html",
        title: "One in six patients wait over a month for a GP appointment",
        source: "BBC News",
        date: Some("2024-03-07"),
        url: "https://www.bbc.co.uk/news/articles/c4gp7wait2024",
        author: Some("Priya Nandakumar"),
        kept: &[
            "One in six patients in England waited more than four weeks",
            "asked for waiting times to be published for every surgery",
        ],
        dropped: &[
            "agree to cookies",
            "BBC Homepage",
            "Related topics",
            "Why is it so hard to see a GP?",
            "Terms of Use",
            "Image caption",
            "loadModule",
        ],
    },
    Expect {
        // JSON-LD list with a breadcrumb first, og:site_name, consent dialog
        file: "independent-resident-doctors.html",
        title: "Resident doctors vote for five more days of strikes",
        source: "The Independent",
        date: Some("2025-07-30"),
        url: "https://www.independent.co.uk/news/health/resident-doctors-strike-bma-b2799113.html",
        author: Some("Tom Whitcombe"),
        kept: &[
            "Resident doctors in England will walk out for five more days",
            "urged the union to call off the action",
        ],
        dropped: &[
            "We value your privacy",
            "Sign up for our free Health Check newsletter",
            "Read more: What the BMA is asking for",
            "Heatwave warning",
            "Independent Digital News",
        ],
    },
    Expect {
        // no site name: the source is the <title> suffix after a dash;
        // the date is a <time> in the byline, the author the byline
        file: "pennine-gazette-maternity.html",
        title: "Maternity unit to close overnight from June",
        source: "Pennine Gazette",
        date: Some("2023-05-04"),
        url: "https://www.penninegazette.example/news/health/maternity-unit-overnight-closure-2023",
        author: Some("Sam Okoro"),
        kept: &[
            "Women due to give birth at Calderbrook General",
            "publish its staffing figures",
        ],
        dropped: &[
            "Subscribe to the Gazette",
            "What's On",
            "Local plumber",
            "Disgraceful, they promised",
            "Road closed after lorry",
            "Mill Lane",
            "By Sam Okoro",
        ],
    },
    Expect {
        // no site name and no title suffix: the outlet of the canonical domain
        file: "unison-pay-offer.html",
        title: "Health workers reject pay offer",
        source: "UNISON",
        date: Some("2024-05-14"),
        url: "https://www.unison.org.uk/news/press-release/2024/05/health-workers-reject-pay-offer/",
        author: Some("UNISON press office"),
        kept: &[
            "Nurses, porters, cleaners, healthcare assistants",
            "open to members employed on Agenda for Change contracts",
        ],
        dropped: &[
            "This site uses cookies",
            "My UNISON",
            "Share this page",
            "Media contacts",
            "Euston Road",
            "dataLayer",
        ],
    },
    Expect {
        // a WordPress page: JSON-LD @graph with the publisher and author by reference
        file: "valley-health-watch-dentists.html",
        title: "No new NHS patients at any dentist in the valley",
        source: "Valley Health Watch",
        date: Some("2024-08-21"),
        url: "https://valleyhealthwatch.example/2024/08/no-new-nhs-dental-patients/",
        author: Some("Gwen Price"),
        kept: &[
            "Not one of the fourteen dental practices",
            "We will publish the full list of practices",
        ],
        dropped: &[
            "Skip to content",
            "Independent news about health services",
            "Share this:",
            "GP surgery merger approved",
            "Same in our town",
            "Leave a Reply",
            "Hospital car park charges",
            "Proudly powered",
            "Posted on",
        ],
    },
    Expect {
        // a page saved by a browser: only the "saved from" note gives the
        // address, and the run's own outlet table names it
        file: "wessex-echo-saved-page.html",
        title: "Community hospital to lose twelve beds in cost savings plan",
        source: "Wessex Echo",
        date: Some("2024-02-12"),
        url: "https://www.wessexecho.example/news/24031987.community-hospital-beds-cut/",
        author: None,
        kept: &[
            "A community hospital that cares for older patients",
            "guarantee the beds would return",
        ],
        dropped: &[
            "personalise content and ads",
            "Jobs",
            "Advertisement",
            "Bus route to hospital saved",
            "Editors' Code",
            "Published:",
        ],
    },
];

fn pages() -> (tempfile::TempDir, Index) {
    let options = IngestOptions {
        outlets: vec![("wessexecho.example".into(), "Wessex Echo".into())],
        ..IngestOptions::default()
    };
    common::build(&[common::repo().join("tests/pages")], &options)
}

fn by_file(index: &Index, file: &str) -> Article {
    let r = common::search(index, "-zzzzunmatched");
    let hit = r
        .hits
        .iter()
        .find(|h| h.path.as_deref().is_some_and(|p| p.ends_with(file)))
        .unwrap_or_else(|| panic!("{file} was not indexed"));
    index.article(&hit.id).unwrap().unwrap()
}

#[test]
fn metadata_of_every_layout() {
    let (_dir, index) = pages();
    assert_eq!(index.stats().unwrap().articles, PAGES.len() as u64);
    for e in PAGES {
        let a = by_file(&index, e.file);
        assert_eq!(a.title, e.title, "{}", e.file);
        assert_eq!(a.source.as_deref(), Some(e.source), "{}", e.file);
        assert_eq!(
            a.date.map(|d| d.to_string()).as_deref(),
            e.date,
            "{}",
            e.file
        );
        assert_eq!(a.url.as_deref(), Some(e.url), "{}", e.file);
        assert_eq!(a.author.as_deref(), e.author, "{}", e.file);
    }
}

#[test]
fn main_text_kept_and_furniture_dropped() {
    let (_dir, index) = pages();
    for e in PAGES {
        let a = by_file(&index, e.file);
        for s in e.kept {
            assert!(
                a.text.contains(s),
                "{}: {s:?} missing from\n{}",
                e.file,
                a.text
            );
        }
        for s in e.dropped {
            assert!(!a.text.contains(s), "{}: {s:?} kept in\n{}", e.file, a.text);
        }
        assert!(!a.text.contains('<'), "{}: markup left in the text", e.file);
        // paragraphs stay apart, so passages and boilerplate see them
        assert!(a.text.matches("\n\n").count() >= 3, "{}", e.file);
    }
}

#[test]
fn pages_are_searchable_by_their_words_not_their_furniture() {
    let (_dir, index) = pages();
    let r = common::search(&index, "\"midwife-led unit\"");
    assert_eq!(r.total_articles, 1);
    assert_eq!(r.hits[0].source.as_deref(), Some("Pennine Gazette"));
    assert_eq!(common::search(&index, "cookies").total_articles, 0);
    assert_eq!(common::search(&index, "advertisement").total_articles, 0);
    let r = common::search(&index, "source:UNISON pay");
    assert_eq!(r.total_articles, 1);
}

#[test]
fn without_an_outlet_table_entry_the_host_names_the_source() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("saved.html");
    std::fs::copy(
        common::repo().join("tests/pages/wessex-echo-saved-page.html"),
        &page,
    )
    .unwrap();
    let (_d, index) = common::build(&[page], &IngestOptions::default());
    let r = common::search(&index, "beds");
    assert_eq!(r.hits[0].source.as_deref(), Some("wessexecho.example"));
}
