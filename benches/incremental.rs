//! Re-running `index` over a collection that has not changed: the second run
//! should take a small fraction of the first. Generates 10,000 articles (text
//! files with front matter, a third of them carrying one outlet's promo
//! paragraph) in a temporary folder, indexes them, then indexes the same
//! folder again, and after that a run with 1% of the files edited.
//! Reports only; nothing here fails on timing.
//!
//! Run with `cargo bench --bench incremental`.

use std::path::Path;
use std::time::Instant;

use hpsearch::write::Quiet;
use hpsearch::{Index, IngestOptions, WriterOptions};

const ARTICLES: usize = 10_000;

const WORDS: &[&str] = &[
    "hospital",
    "trust",
    "nurses",
    "doctors",
    "patients",
    "waiting",
    "beds",
    "ward",
    "care",
    "budget",
    "staff",
    "strike",
    "pay",
    "winter",
    "ambulance",
    "emergency",
    "clinic",
    "surgery",
    "council",
    "funding",
    "minister",
    "union",
    "ballot",
    "shift",
    "rota",
    "pharmacy",
    "dentist",
    "midwife",
    "cancer",
    "mental",
    "health",
    "social",
    "home",
    "service",
    "board",
    "report",
    "figures",
    "week",
    "month",
    "year",
    "plan",
    "review",
    "cuts",
    "delays",
    "queue",
    "corridor",
    "discharge",
    "vacancies",
    "agency",
    "training",
    "contract",
    "offer",
    "talks",
    "region",
    "county",
    "city",
    "village",
    "family",
    "elderly",
    "children",
    "vaccine",
    "screening",
];

fn article(n: usize, seed: u64) -> String {
    let mut x = seed ^ (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        WORDS[(x % WORDS.len() as u64) as usize]
    };
    let source = ["Valley Courier", "Wessex Echo", "The Independent"][n % 3];
    let mut text = format!(
        "---\ntitle: {} {} {} report {n}\nsource: {source}\ndate: 2024-{:02}-{:02}\n---\n",
        next(),
        next(),
        next(),
        n % 12 + 1,
        n % 28 + 1
    );
    if n % 3 == 2 {
        text.push_str("Your support helps us to tell the story. Independent journalism is free for everyone to read, and funded by readers who can afford it.\n\n");
    }
    for _ in 0..5 {
        let words: Vec<&str> = (0..80).map(|_| next()).collect();
        text.push_str(&words.join(" "));
        text.push_str(".\n\n");
    }
    text
}

fn index_once(index: &Index, root: &Path) -> (f64, hpsearch::IndexSummary) {
    let t = Instant::now();
    let mut w = index.writer(&WriterOptions::default()).expect("writer");
    w.add_paths(&[root.to_path_buf()], &IngestOptions::default(), &Quiet)
        .expect("index");
    let s = w.commit().expect("commit");
    (t.elapsed().as_secs_f64(), s)
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("articles");
    for chunk in 0..ARTICLES / 1000 {
        let folder = root.join(format!("{chunk:02}"));
        std::fs::create_dir_all(&folder).expect("folder");
        for n in chunk * 1000..(chunk + 1) * 1000 {
            std::fs::write(folder.join(format!("a{n:05}.md")), article(n, 1)).expect("write");
        }
    }
    let index = Index::open_or_create(dir.path().join("idx")).expect("index");
    let (first, s1) = index_once(&index, &root);
    println!(
        "first run:   {first:7.2} s  ({} added, {} passages, {} stripped, {} collapsed)",
        s1.added, s1.passages, s1.stripped, s1.collapsed
    );
    let (second, s2) = index_once(&index, &root);
    println!(
        "second run:  {second:7.2} s  ({} unchanged, {} files not read) = {:.1}% of the first",
        s2.unchanged,
        s2.unchanged_files,
        100.0 * second / first
    );
    for n in (0..ARTICLES).step_by(100) {
        let path = root
            .join(format!("{:02}", n / 1000))
            .join(format!("a{n:05}.md"));
        std::fs::write(&path, article(n, 2)).expect("write");
    }
    let (third, s3) = index_once(&index, &root);
    println!(
        "1% edited:   {third:7.2} s  ({} updated, {} unchanged) = {:.1}% of the first",
        s3.updated,
        s3.unchanged,
        100.0 * third / first
    );
}
