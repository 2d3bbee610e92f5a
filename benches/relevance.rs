//! Ranking quality of hpsearch and the two peers of `benches/compare.rs`,
//! scored by the same code (`hpsearch::eval`): nDCG@10 and Recall@100 over
//! all queries and over each half, on SciFact (../shared/corpora/scifact)
//! and on the project's own judged sets (benches/judged/health-news and
//! benches/judged/senate, over collections in ../shared/corpora); a set
//! whose articles are absent is skipped with a message. hpsearch's
//! parameters were chosen on half 1; half 2 is the check on queries it was
//! never tuned on.
//!
//! hpsearch runs twice on the judged sets: as `search` runs a query by
//! default (every word counted, copies credited after their hit) and as
//! `eval` does (plain text, any word). Peers as in docs/RELEVANCE.md: one
//! field of title and text, a plain OR of the query's words (words after
//! `-` left out); tantivy's default pipeline (`en_stem`) and SQLite FTS5
//! (`porter unicode61`, `bm25()`).
//!
//! Run with `cargo bench --bench relevance`.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use hpsearch::eval::{Ask, Collection, ndcg, recall};

type Ranking = HashMap<String, Vec<String>>;

fn main() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for (dir, judged) in [
        (repo.join("../shared/corpora/scifact"), false),
        (repo.join("benches/judged/health-news"), true),
        (repo.join("benches/judged/senate"), true),
    ] {
        let Ok(all) = Collection::load(&dir) else {
            println!("relevance: {} skipped (not found)", dir.display());
            continue;
        };
        if let Some(missing) = all.corpora.iter().find(|c| !c.is_file()) {
            println!(
                "relevance: {} skipped ({} not found)",
                dir.display(),
                missing.display()
            );
            continue;
        }
        report(&dir, &all, judged);
    }
}

/// The table of one collection.
fn report(dir: &Path, all: &Collection, judged: bool) {
    let queries: Vec<(String, Vec<String>)> = all
        .queries
        .iter()
        .map(|(id, text)| (id.clone(), words(text)))
        .collect();
    let mut engines: Vec<(&str, Ranking)> = Vec::new();
    let index = hpsearch_index(all);
    if judged {
        let search = Ask {
            as_search: true,
            expand: true,
        };
        engines.push(("hpsearch search", hpsearch(&index, all, search)));
    }
    let any = Ask {
        as_search: false,
        expand: true,
    };
    engines.push(("hpsearch any word", hpsearch(&index, all, any)));
    engines.push(("tantivy en_stem", tantivy(all, &queries)));
    engines.push(("SQLite FTS5", fts5(all, &queries)));
    println!("{}: {} queries", dir.display(), all.queries.len());
    println!(
        "{:<18} {:>14} {:>14} {:>14}",
        "", "all queries", "half 1 (tuned)", "half 2"
    );
    for (name, ranking) in &engines {
        let cells: Vec<String> = [0u8, 1, 2]
            .iter()
            .map(|&fold| {
                let mut c = Collection::load(dir).expect("collection");
                if fold > 0 {
                    c.keep_fold(fold);
                }
                let (n, r) = score(&c, ranking);
                format!("{n:.3} / {r:.3}")
            })
            .collect();
        println!(
            "{name:<18} {:>14} {:>14} {:>14}",
            cells[0], cells[1], cells[2]
        );
    }
    println!("(nDCG@10 / Recall@100)\n");
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

/// The query's words for the peers: punctuation is never syntax, but a
/// word or phrase after `-` is left out and `OR`, `AND` and `NOT` are no
/// words (the judged sets' queries are written in hpsearch's language).
fn words(text: &str) -> Vec<String> {
    let mut kept = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let at_start = kept.is_empty() || kept.ends_with(char::is_whitespace);
        if c == '-' && at_start && rest.len() > 1 {
            // Skip the excluded word, or the quoted phrase.
            let skip = match rest[1..].strip_prefix('"') {
                Some(quoted) => quoted.find('"').map_or(rest.len(), |e| e + 3),
                None => rest.find(char::is_whitespace).unwrap_or(rest.len()),
            };
            rest = &rest[skip.min(rest.len())..];
            continue;
        }
        kept.push(c);
        rest = &rest[c.len_utf8()..];
    }
    kept.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !matches!(*w, "OR" | "AND" | "NOT"))
        .map(str::to_string)
        .collect()
}

fn each_article(all: &Collection, mut f: impl FnMut(&str, &str, &str)) {
    for path in &all.corpora {
        let file = std::fs::File::open(path).expect("corpus");
        for line in std::io::BufReader::new(file).lines() {
            let v: serde_json::Value = serde_json::from_str(&line.expect("read")).expect("json");
            let s = |k: &str| match &v[k] {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                _ => String::new(),
            };
            f(&s("id"), &s("title"), &s("text"));
        }
    }
}

/// hpsearch's index of a collection's articles (in a folder removed at
/// exit).
fn hpsearch_index(all: &Collection) -> (tempfile::TempDir, hpsearch::Index) {
    use hpsearch::{Index, IngestOptions, WriterOptions};
    let dir = tempfile::tempdir().expect("temp dir");
    let index = Index::open_or_create(dir.path()).expect("index");
    let mut w = index.writer(&WriterOptions::default()).expect("writer");
    w.add_paths(
        &all.corpora,
        &IngestOptions::default(),
        &hpsearch::write::Quiet,
    )
    .expect("index");
    w.commit().expect("commit");
    (dir, index)
}

fn hpsearch(index: &(tempfile::TempDir, hpsearch::Index), all: &Collection, ask: Ask) -> Ranking {
    let (_, runs) = hpsearch::eval::run(&index.1, all, ask).expect("eval");
    runs.into_iter()
        .map(|r| (r.query_id, r.ranked.into_iter().map(|(id, _)| id).collect()))
        .collect()
}

fn tantivy(all: &Collection, queries: &[(String, Vec<String>)]) -> Ranking {
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
    each_article(all, |i, title, text| {
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

fn fts5(all: &Collection, queries: &[(String, Vec<String>)]) -> Ranking {
    let db = rusqlite::Connection::open_in_memory().expect("sqlite");
    db.execute_batch(
        "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, text, tokenize='porter unicode61');",
    )
    .expect("schema");
    each_article(all, |i, title, text| {
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
