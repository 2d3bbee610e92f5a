//! Relevance regression over fixtures/: obvious queries must keep their
//! obvious answers in the top 3.

mod common;

const CASES: &[(&str, &[&str])] = &[
    (
        "hospital car parking charges",
        &["wb-2024-06-hospital-car-parking-charges"],
    ),
    ("dental deserts", &["pg-2023-08-dental-deserts"]),
    (
        "ambulance handover delays",
        &["nhp-2022-12-ambulance-handover-delays"],
    ),
    ("physician associates", &["cc-2023-10-physician-associates"]),
    (
        "social care cap",
        &[
            "cm-2015-07-care-cap-delayed",
            "pl-2021-09-health-social-care-levy",
        ],
    ),
    (
        "mental health beds out of area placements",
        &["nhp-2019-08-mental-health-beds"],
    ),
    (
        "PFI contracts unitary payment",
        &["pl-2018-01-pfi-repayments-long-read"],
    ),
    ("GP appointment app", &["es-2024-06-gp-appointment-app"]),
    (
        "RCN nurses vote to strike",
        &["uv-2022-11-rcn-strike-ballot"],
    ),
    ("sugar tax", &["es-2018-04-sugar-tax"]),
    ("Medicaid expansion", &["hsw-2018-11-medicaid-expansion"]),
    ("Palantir", &["pl-2023-11-federated-data-platform"]),
    ("level four incident", &["nhp-2020-03-level-four-incident"]),
    (
        "community pharmacy closures",
        &["pg-2026-01-pharmacy-closures"],
    ),
    (
        "hospital price transparency",
        &["hsw-2021-07-hospital-price-transparency"],
    ),
    ("corridor care", &["cc-2025-02-corridor-care"]),
    ("weight loss jabs", &["mw-2025-06-weight-loss-jabs-gps"]),
    (
        "Medicare Advantage",
        &["hsw-2023-10-medicare-advantage-privatization"],
    ),
    (
        "continuing healthcare",
        &["cm-explainer-continuing-healthcare"],
    ),
];

#[test]
fn obvious_queries_keep_their_answers_in_the_top_three() {
    let index = common::fixtures();
    let mut failures = Vec::new();
    for (query, want) in CASES {
        let r = common::search(index, query);
        let top: Vec<&str> = common::ids(&r).into_iter().take(3).collect();
        for id in *want {
            if !top.contains(id) {
                failures.push(format!("{query:?}: {id} not in top 3 {top:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Feedback re-ranks what the query matched and adds to every score it
/// touches, including articles a quoted phrase found in their text only;
/// a query of one word, phrase or name gets none.
#[test]
fn feedback_raises_scores_of_the_articles_matched_and_adds_none() {
    let index = common::fixtures();
    for query in ["\"junior doctors\"", "nhs", "privati*"] {
        let mut r = hpsearch::SearchRequest::new(query);
        r.limit = 1000;
        let fed = index.search(&r).unwrap();
        r.feedback = false;
        let plain = index.search(&r).unwrap();
        assert!(plain.hits.len() > 5, "{query}");
        let scores = |r: &hpsearch::SearchResults| -> Vec<(String, f32)> {
            r.hits.iter().map(|h| (h.id.clone(), h.score)).collect()
        };
        assert_eq!(
            scores(&plain),
            scores(&fed),
            "{query}: one unit, no feedback"
        );
    }
    for query in [
        "\"junior doctors\" pay",
        "\"social care\" funding",
        "\"the NHS\" staff",
        "strike pay",
    ] {
        let run = |feedback: bool| {
            let mut r = hpsearch::SearchRequest::new(query);
            r.limit = 1000;
            r.collapse = false;
            r.feedback = feedback;
            index.search(&r).unwrap_or_else(|e| panic!("{query}: {e}"))
        };
        let (plain, fed) = (run(false), run(true));
        assert!(
            plain.hits.len() > 5,
            "{query}: too few matches to feed back"
        );
        assert_eq!(plain.total_articles, fed.total_articles, "{query}");
        let before: std::collections::HashMap<&str, f32> = plain
            .hits
            .iter()
            .map(|h| (h.id.as_str(), h.score))
            .collect();
        assert_eq!(before.len(), fed.hits.len(), "{query}: the same articles");
        let mut raised = 0;
        for h in &fed.hits {
            let was = before[h.id.as_str()];
            assert!(
                h.score >= was,
                "{query}: {} fell from {was} to {}",
                h.id,
                h.score
            );
            if h.score > was {
                raised += 1;
            }
        }
        assert!(
            raised > fed.hits.len() / 2,
            "{query}: feedback raised only {raised} of {} scores",
            fed.hits.len()
        );
    }
}
