//! Indexing throughput and query latency (divan) over the fixtures and the
//! real corpora in ../shared/corpora, each skipped with a message when
//! absent, and the three corpora together.
//!
//! * `index`: the corpus from its files into an empty index, end to end
//!   (read, parse, passages, near-duplicates, commit); throughput in bytes of
//!   title and text of the articles written.
//! * `query`: one search at a time, cycling through [`QUERIES`]: top 10
//!   articles with two passages each, highlights and facets.
//!
//! Run with `cargo bench --bench engine`. Reports only; nothing here fails on
//! timing. For figures against other engines, see `benches/compare.rs`.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use hpsearch::write::Quiet;
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
    corpora();
    divan::main();
}

/// A set of input files with a name.
struct Corpus {
    name: &'static str,
    paths: Vec<PathBuf>,
}

impl fmt::Display for Corpus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// The corpora present on this machine (the others are named as skipped
/// once).
fn corpora() -> &'static [Corpus] {
    static ALL: OnceLock<Vec<Corpus>> = OnceLock::new();
    ALL.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let shared = root.join("../shared/corpora");
        let mut sets = vec![Corpus {
            name: "fixtures",
            paths: vec![root.join("fixtures")],
        }];
        let names = ["scifact", "fakehealth-news", "health-news-tweets"];
        let mut all = Vec::new();
        for name in names {
            let p = shared.join(name).join("corpus.jsonl");
            if p.is_file() {
                sets.push(Corpus {
                    name,
                    paths: vec![p.clone()],
                });
                all.push(p);
            } else {
                println!("{name}: skipped ({} not found)", p.display());
            }
        }
        if all.len() == names.len() {
            sets.push(Corpus {
                name: "all three",
                paths: all,
            });
        }
        sets
    })
}

/// Indexes `corpus` into `dir`; returns the bytes of title and text written.
fn build(corpus: &Corpus, dir: &std::path::Path) -> u64 {
    let index = Index::open_or_create(dir).expect("index");
    let mut w = index.writer(&WriterOptions::default()).expect("writer");
    w.add_paths(&corpus.paths, &IngestOptions::default(), &Quiet)
        .expect("index");
    w.commit().expect("commit").text_bytes
}

/// An index of each corpus, built once and shared by the benches.
struct Built {
    _dir: tempfile::TempDir,
    index: Index,
    bytes: u64,
}

fn built(corpus: &Corpus) -> &'static Built {
    static BUILT: OnceLock<Mutex<HashMap<&'static str, &'static Built>>> = OnceLock::new();
    let mut map = BUILT.get_or_init(Default::default).lock().expect("lock");
    map.entry(corpus.name).or_insert_with(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let bytes = build(corpus, dir.path());
        let index = Index::open(dir.path()).expect("open");
        Box::leak(Box::new(Built {
            _dir: dir,
            index,
            bytes,
        }))
    })
}

#[divan::bench(args = corpora(), sample_count = 3, sample_size = 1)]
fn index(bencher: divan::Bencher, corpus: &Corpus) {
    let bytes = built(corpus).bytes;
    bencher
        .counter(divan::counter::BytesCount::new(bytes))
        .with_inputs(|| tempfile::tempdir().expect("temp dir"))
        .bench_local_values(|dir| {
            build(corpus, dir.path());
            // Returned, so removing the folder is not timed.
            dir
        });
}

#[divan::bench(args = corpora(), sample_count = 50, sample_size = 4)]
fn query(bencher: divan::Bencher, corpus: &Corpus) {
    let index = &built(corpus).index;
    let mut next = 0;
    bencher.bench_local(|| {
        let q = QUERIES[next % QUERIES.len()];
        next += 1;
        index.search(&SearchRequest::new(q)).expect("search")
    });
}
