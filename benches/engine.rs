//! Indexing throughput and query latency over the fixtures and the real
//! corpora in ../shared/corpora (each skipped with a message when absent).
//! Reports only; nothing here fails on timing.
//!
//! Run with `cargo bench --bench engine`.

use std::path::PathBuf;
use std::time::Instant;

use hpsearch::indexer::Quiet;
use hpsearch::{Index, IngestOptions, SearchRequest, WriterOptions};

const QUERIES: &[&str] = &[
    "junior doctors strike",
    "\"waiting list\"",
    "vaccine safety children",
    "cancer screening",
    "+nhs -privatisation",
    "mental health beds",
    "obesity",
    "hospital price transparency",
];

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/corpora");
    let mut sets: Vec<(String, Vec<PathBuf>)> =
        vec![("fixtures".into(), vec![root.join("fixtures")])];
    let names = ["scifact", "fakehealth-news", "health-news-tweets"];
    let mut all = Vec::new();
    for name in names {
        let p = shared.join(name).join("corpus.jsonl");
        if p.is_file() {
            sets.push((name.into(), vec![p.clone()]));
            all.push(p);
        } else {
            println!("{name}: skipped ({} not found)", p.display());
        }
    }
    if all.len() == names.len() {
        sets.push(("all three".into(), all));
    }
    println!(
        "{:<20} {:>9} {:>9} {:>9} {:>10} {:>10}",
        "corpus", "articles", "MB", "MB/s", "p50 ms", "p95 ms"
    );
    for (name, paths) in sets {
        bench(&name, &paths);
    }
}

fn bench(name: &str, paths: &[PathBuf]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = Index::open_or_create(dir.path()).expect("index");
    let mut w = index.writer(&WriterOptions::default()).expect("writer");
    let t = Instant::now();
    w.add_paths(paths, &IngestOptions::default(), &Quiet)
        .expect("index");
    let s = w.commit().expect("commit");
    let secs = t.elapsed().as_secs_f64();
    let mb = s.bytes as f64 / 1e6;
    let mut lat = Vec::new();
    for _ in 0..20 {
        for q in QUERIES {
            let t = Instant::now();
            let r = index.search(&SearchRequest::new(*q)).expect("search");
            lat.push(t.elapsed().as_secs_f64() * 1e3);
            std::hint::black_box(r);
        }
    }
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| lat[((lat.len() - 1) as f64 * p) as usize];
    println!(
        "{name:<20} {:>9} {mb:>9.1} {:>9.1} {:>10.2} {:>10.2}",
        s.added,
        mb / secs,
        pct(0.5),
        pct(0.95)
    );
}
