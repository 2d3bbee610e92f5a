//! hpsearch against two peers, in one run, on the same articles: SQLite FTS5
//! (`porter unicode61`, `bm25()`) and tantivy's own default pipeline (one
//! document per article, `en_stem`). Prints each figure and the ratio
//! hpsearch / peer. Reports only; nothing here fails on timing.
//!
//! Run with `cargo bench --bench compare` (add `-- 2` to replicate the
//! corpus twice with new ids, `-- 4`, `-- 8` for the scaling run).

use std::io::BufRead;
use std::path::PathBuf;
use std::time::Instant;

use hpsearch::{Article, Date, Index, SearchRequest, WriterOptions};

const CORPORA: [&str; 3] = ["scifact", "fakehealth-news", "health-news-tweets"];

struct Doc {
    id: String,
    title: String,
    text: String,
    source: Option<String>,
    date: Option<String>,
}

fn main() {
    let copies: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
    let mut docs = Vec::new();
    for name in CORPORA {
        let path = root.join(name).join("corpus.jsonl");
        let Ok(file) = std::fs::File::open(&path) else {
            println!("compare: skipped ({} not found)", path.display());
            return;
        };
        for line in std::io::BufReader::new(file).lines() {
            let v: serde_json::Value = serde_json::from_str(&line.expect("read")).expect("json");
            let s = |k: &str| v[k].as_str().map(str::to_string);
            docs.push(Doc {
                id: s("id").unwrap_or_default(),
                title: s("title").unwrap_or_default(),
                text: s("text").unwrap_or_default(),
                source: s("source"),
                date: s("date"),
            });
        }
    }
    let base = docs.len();
    for c in 1..copies {
        for i in 0..base {
            let d = &docs[i];
            let copy = Doc {
                id: format!("{}~{c}", d.id),
                title: d.title.clone(),
                text: d.text.clone(),
                source: d.source.clone(),
                date: d.date.clone(),
            };
            docs.push(copy);
        }
    }
    let bytes: usize = docs.iter().map(|d| d.title.len() + d.text.len()).sum();
    let mb = bytes as f64 / 1e6;
    let queries = queries(&root);
    println!(
        "{} articles ({}x), {:.1} MB of title and text, {} queries\n",
        docs.len(),
        copies,
        mb,
        queries.len()
    );

    let hp = hpsearch_run(&docs, &queries);
    let fts = fts5_run(&docs, &queries);
    let tv = tantivy_run(&docs, &queries);

    println!(
        "{:<22} {:>10} {:>10} {:>10} {:>10}",
        "", "hpsearch", "FTS5", "tantivy", ""
    );
    let row = |name: &str, h: f64, f: f64, t: f64, better_low: bool| {
        let (rf, rt) = (h / f, h / t);
        let note = if better_low {
            "ratio: lower is better"
        } else {
            "ratio: higher is better"
        };
        println!("{name:<22} {h:>10.2} {f:>10.2} {t:>10.2}   x{rf:.2} / x{rt:.2}  ({note})");
    };
    row(
        "index MB/s",
        mb / hp.index_s,
        mb / fts.index_s,
        mb / tv.index_s,
        false,
    );
    row("query p50 ms", hp.p50, fts.p50, tv.p50, true);
    row("query p95 ms", hp.p95, fts.p95, tv.p95, true);
    row(
        "index size / text",
        hp.size as f64 / bytes as f64,
        fts.size as f64 / bytes as f64,
        tv.size as f64 / bytes as f64,
        true,
    );
}

/// The SciFact claims plus some health-policy queries.
fn queries(root: &std::path::Path) -> Vec<String> {
    let mut q: Vec<String> = [
        "nhs strike",
        "junior doctors pay",
        "vaccine safety",
        "waiting list",
        "obesity children",
        "cancer screening",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if let Ok(f) = std::fs::File::open(root.join("scifact/queries.jsonl")) {
        for line in std::io::BufReader::new(f).lines().take(200) {
            let v: serde_json::Value = serde_json::from_str(&line.expect("read")).expect("json");
            if let Some(t) = v["text"].as_str() {
                q.push(t.to_string());
            }
        }
    }
    q
}

struct Figures {
    index_s: f64,
    p50: f64,
    p95: f64,
    size: u64,
}

fn percentiles(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() - 1) as f64 * p) as usize];
    (at(0.5), at(0.95))
}

fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|d| {
            d.filter_map(|e| e.ok()?.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn hpsearch_run(docs: &[Doc], queries: &[String]) -> Figures {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = Index::open_or_create(dir.path()).expect("index");
    let t = Instant::now();
    let mut w = index.writer(&WriterOptions::default()).expect("writer");
    for d in docs {
        let mut a = Article::new(d.title.clone(), d.text.clone());
        a.id = d.id.clone();
        a.source = d.source.clone();
        a.date = d.date.as_deref().and_then(Date::parse);
        w.add_article(a).expect("add");
    }
    w.commit().expect("commit");
    let index_s = t.elapsed().as_secs_f64();
    let mut ms = Vec::new();
    for q in queries {
        let mut r = SearchRequest::new(q.as_str());
        r.syntax = hpsearch::Syntax::Plain;
        let t = Instant::now();
        std::hint::black_box(index.search(&r).expect("search"));
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (p50, p95) = percentiles(ms);
    Figures {
        index_s,
        p50,
        p95,
        size: dir_size(dir.path()),
    }
}

fn fts5_run(docs: &[Doc], queries: &[String]) -> Figures {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("fts.db");
    let mut db = rusqlite::Connection::open(&path).expect("sqlite");
    db.execute_batch(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
         CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, text, tokenize='porter unicode61');",
    )
    .expect("schema");
    let t = Instant::now();
    let tx = db.transaction().expect("tx");
    {
        let mut ins = tx
            .prepare("INSERT INTO docs(id, title, text) VALUES (?1, ?2, ?3)")
            .expect("prepare");
        for d in docs {
            ins.execute((&d.id, &d.title, &d.text)).expect("insert");
        }
    }
    tx.commit().expect("commit");
    let index_s = t.elapsed().as_secs_f64();
    let mut stmt = db
        .prepare("SELECT id, bm25(docs) FROM docs WHERE docs MATCH ?1 ORDER BY bm25(docs) LIMIT 10")
        .expect("prepare");
    let mut ms = Vec::new();
    for q in queries {
        // Plain OR of the query's words, quoted so punctuation is never syntax.
        let words: Vec<String> = q
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| format!("\"{w}\""))
            .collect();
        if words.is_empty() {
            continue;
        }
        let m = words.join(" OR ");
        let t = Instant::now();
        let rows: Vec<(String, f64)> = stmt
            .query_map([&m], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .map(|r| r.expect("row"))
            .collect();
        ms.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(rows);
    }
    let (p50, p95) = percentiles(ms);
    drop(stmt);
    drop(db);
    Figures {
        index_s,
        p50,
        p95,
        size: std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
    }
}

fn tantivy_run(docs: &[Doc], queries: &[String]) -> Figures {
    use tantivy::collector::TopDocs;
    use tantivy::query::QueryParser;
    use tantivy::schema::{STORED, STRING, Schema, TEXT};
    use tantivy::{TantivyDocument, doc};

    let dir = tempfile::tempdir().expect("temp dir");
    let mut b = Schema::builder();
    let id = b.add_text_field("id", STRING | STORED);
    let text_opts = TEXT.set_indexing_options(
        tantivy::schema::TextFieldIndexing::default()
            .set_tokenizer("en_stem")
            .set_index_option(tantivy::schema::IndexRecordOption::WithFreqsAndPositions),
    );
    let body = b.add_text_field("body", text_opts);
    let index = tantivy::Index::create_in_dir(dir.path(), b.build()).expect("index");
    let t = Instant::now();
    let mut w: tantivy::IndexWriter<TantivyDocument> = index.writer(256 << 20).expect("writer");
    for d in docs {
        w.add_document(doc!(id => d.id.clone(), body => format!("{}\n{}", d.title, d.text)))
            .expect("add");
    }
    w.commit().expect("commit");
    w.wait_merging_threads().expect("merge");
    let index_s = t.elapsed().as_secs_f64();
    let reader = index.reader().expect("reader");
    let searcher = reader.searcher();
    let parser = QueryParser::for_index(&index, vec![body]);
    let mut ms = Vec::new();
    for q in queries {
        let t = Instant::now();
        let (query, _) = parser.parse_query_lenient(q);
        std::hint::black_box(
            searcher
                .search(&query, &TopDocs::with_limit(10).order_by_score())
                .expect("search"),
        );
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (p50, p95) = percentiles(ms);
    Figures {
        index_s,
        p50,
        p95,
        size: dir_size(dir.path()),
    }
}
