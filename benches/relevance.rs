//! Ranking quality of hpsearch and the two peers of `benches/compare.rs` on
//! SciFact (../shared/corpora/scifact; skipped with a message when absent):
//! nDCG@10 and Recall@100 over all queries and over each half, scored by the
//! same code (`hpsearch::eval`). hpsearch's parameters were chosen on half 1;
//! half 2 is the check on queries it was never tuned on.
//!
//! Peers as in docs/RELEVANCE.md's table of targets: one field of title and
//! text, a plain OR of the query's words; tantivy's default pipeline
//! (`en_stem`) and SQLite FTS5 (`porter unicode61`, `bm25()`).
//!
//! Run with `cargo bench --bench relevance`.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use hpsearch::eval::{Collection, ndcg, recall};

type Ranking = HashMap<String, Vec<String>>;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/scifact");
    if !root.join("corpus.jsonl").is_file() {
        println!("relevance: skipped ({} not found)", root.display());
        return;
    }
    let all = Collection::load(&root).expect("collection");
    let queries: Vec<(String, Vec<String>)> = all
        .queries
        .iter()
        .map(|(id, text)| (id.clone(), words(text)))
        .collect();
    let engines: [(&str, Ranking); 3] = [
        ("hpsearch", hpsearch(&root, &all)),
        ("tantivy en_stem", tantivy(&root, &queries)),
        ("SQLite FTS5", fts5(&root, &queries)),
    ];
    println!(
        "{:<16} {:>14} {:>14} {:>14}",
        "", "all queries", "half 1 (tuned)", "half 2"
    );
    for (name, ranking) in &engines {
        let cells: Vec<String> = [0u8, 1, 2]
            .iter()
            .map(|&fold| {
                let mut c = Collection::load(&root).expect("collection");
                if fold > 0 {
                    c.keep_fold(fold);
                }
                let (n, r) = score(&c, ranking);
                format!("{n:.3} / {r:.3}")
            })
            .collect();
        println!(
            "{name:<16} {:>14} {:>14} {:>14}",
            cells[0], cells[1], cells[2]
        );
    }
    println!("(nDCG@10 / Recall@100)");
}

/// Mean nDCG@10 and Recall@100 over the judged queries of `c`.
fn score(c: &Collection, ranking: &Ranking) -> (f64, f64) {
    let (mut n, mut r, mut judged) = (0.0, 0.0, 0);
    for (qid, _) in &c.queries {
        let Some(rel) = c.qrels.get(qid) else {
            continue;
        };
        let ids: Vec<&str> = ranking
            .get(qid)
            .map(|v| v.iter().map(String::as_str).collect())
            .unwrap_or_default();
        n += ndcg(&ids, rel, 10);
        r += recall(&ids, rel, 100);
        judged += 1;
    }
    let judged = f64::from(judged.max(1));
    (n / judged, r / judged)
}

/// The query's words: punctuation is never syntax for the peers either.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn each_article(root: &Path, mut f: impl FnMut(&str, &str, &str)) {
    let file = std::fs::File::open(root.join("corpus.jsonl")).expect("corpus");
    for line in std::io::BufReader::new(file).lines() {
        let v: serde_json::Value = serde_json::from_str(&line.expect("read")).expect("json");
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        f(&s("id"), &s("title"), &s("text"));
    }
}

fn hpsearch(root: &Path, all: &Collection) -> Ranking {
    use hpsearch::{Index, IngestOptions, WriterOptions};
    let dir = tempfile::tempdir().expect("temp dir");
    let index = Index::open_or_create(dir.path()).expect("index");
    let mut w = index.writer(&WriterOptions::default()).expect("writer");
    w.add_paths(
        &[root.join("corpus.jsonl")],
        &IngestOptions::default(),
        &hpsearch::write::Quiet,
    )
    .expect("index");
    w.commit().expect("commit");
    let ask = hpsearch::eval::Ask {
        as_search: false,
        expand: true,
    };
    let (_, runs) = hpsearch::eval::run(&index, all, ask).expect("eval");
    runs.into_iter()
        .map(|r| (r.query_id, r.ranked.into_iter().map(|(id, _)| id).collect()))
        .collect()
}

fn tantivy(root: &Path, queries: &[(String, Vec<String>)]) -> Ranking {
    use tantivy::collector::TopDocs;
    use tantivy::query::QueryParser;
    use tantivy::schema::{STORED, STRING, Schema, TEXT, Value};
    use tantivy::{TantivyDocument, doc};

    let mut b = Schema::builder();
    let id = b.add_text_field("id", STRING | STORED);
    let body = b.add_text_field(
        "body",
        TEXT.set_indexing_options(
            tantivy::schema::TextFieldIndexing::default()
                .set_tokenizer("en_stem")
                .set_index_option(tantivy::schema::IndexRecordOption::WithFreqsAndPositions),
        ),
    );
    let index = tantivy::Index::create_in_ram(b.build());
    let mut w: tantivy::IndexWriter<TantivyDocument> = index.writer(100 << 20).expect("writer");
    each_article(root, |i, title, text| {
        w.add_document(doc!(id => i, body => format!("{title}\n{text}")))
            .expect("add");
    });
    w.commit().expect("commit");
    let searcher = index.reader().expect("reader").searcher();
    let parser = QueryParser::for_index(&index, vec![body]);
    queries
        .iter()
        .map(|(qid, words)| {
            let (q, _) = parser.parse_query_lenient(&words.join(" "));
            let top = searcher
                .search(&q, &TopDocs::with_limit(100).order_by_score())
                .expect("search");
            let ids = top
                .into_iter()
                .map(|(_, addr)| {
                    let d: TantivyDocument = searcher.doc(addr).expect("doc");
                    d.get_first(id)
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_string()
                })
                .collect();
            (qid.clone(), ids)
        })
        .collect()
}

fn fts5(root: &Path, queries: &[(String, Vec<String>)]) -> Ranking {
    let db = rusqlite::Connection::open_in_memory().expect("sqlite");
    db.execute_batch(
        "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, text, tokenize='porter unicode61');",
    )
    .expect("schema");
    each_article(root, |i, title, text| {
        db.execute(
            "INSERT INTO docs(id, title, text) VALUES (?1, ?2, ?3)",
            (i, title, text),
        )
        .expect("insert");
    });
    let mut stmt = db
        .prepare("SELECT id FROM docs WHERE docs MATCH ?1 ORDER BY bm25(docs) LIMIT 100")
        .expect("prepare");
    queries
        .iter()
        .map(|(qid, words)| {
            let m: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
            let ids = if m.is_empty() {
                Vec::new()
            } else {
                stmt.query_map([m.join(" OR ")], |r| r.get(0))
                    .expect("query")
                    .map(|r| r.expect("row"))
                    .collect()
            };
            (qid.clone(), ids)
        })
        .collect()
}
