//! hpsearch against two peers, in one run, on the same articles: SQLite FTS5
//! (`porter unicode61`, `bm25()`) and tantivy's own default pipeline (one
//! document per article, `en_stem`, id and text stored). Prints each figure
//! and the ratio hpsearch / peer. Reports only; nothing here fails on timing.
//!
//! `cargo bench --bench compare` runs the three corpora of ../shared/corpora
//! together; `cargo bench --bench compare -- 1 2 4 8` is the scaling run: the
//! corpus replicated with new ids, each size in turn.
//!
//! Each engine indexes the same JSONL file end to end (read, parse, index,
//! commit) in a process of its own, so its peak memory (VmHWM) is its own:
//! indexing and querying run in separate processes, and the query peak
//! counts the pages of the memory-mapped index that were read. All three
//! run under mimalloc, the allocator the `hpsearch` binary ships with.
//! Then it runs the queries in process (SciFact claims and health-policy
//! queries; hpsearch returns top 10 articles with passages, highlights and
//! facets), then a set of sixty short queries of one to three words, as
//! people type them into a search box (`SHORT_QUERIES`). The CLI row times
//! `hpsearch search` from process start to exit.
//!
//! More rows bound what any engine that writes and searches through tantivy
//! can reach, since hpsearch does both: the least tantivy can do to index
//! these bytes with word positions (one field, lower-cased words, no
//! stemming, nothing stored but the id); the same through hpsearch's own
//! analyzer, with words as written, then stemmed, then with the text stored
//! (the least a search that stems and shows passages does); and tantivy's
//! default index answering its top 10 together with the count of every
//! match, which counts and facets cannot do without (for the long queries
//! and for the short ones).

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CORPORA: [&str; 3] = ["scifact", "fakehealth-news", "health-news-tweets"];
const ENGINES: [&str; 3] = ["hpsearch", "fts5", "tantivy"];
/// Not peers: tantivy's writer on the same bytes with the least work it can
/// do, then with hpsearch's analyzer (words as written, then stemmed), then
/// with the text stored too. Each is one field with positions, one document
/// per article, the id stored.
struct Floor {
    name: &'static str,
    tokenizer: &'static str,
    store: bool,
    what: &'static str,
}

const FLOORS: [Floor; 4] = [
    Floor {
        name: "least",
        tokenizer: "default",
        store: false,
        what: "tantivy, one field with positions, lower-cased words, only the id stored",
    },
    Floor {
        name: "exact",
        tokenizer: hpsearch::analysis::EXACT,
        store: false,
        what: "the same through hpsearch's analyzer, words as written",
    },
    Floor {
        name: "stemmed",
        tokenizer: hpsearch::analysis::STEMMED,
        store: false,
        what: "the same, stemmed",
    },
    Floor {
        name: "stored",
        tokenizer: hpsearch::analysis::STEMMED,
        store: true,
        what: "the same, stemmed, with the text stored",
    },
];

/// Queries timed through the CLI at each size.
const CLI_QUERIES: usize = 40;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = args.iter().position(|a| a == "--child") {
        let (engine, phase, dir) = (&args[at + 1], &args[at + 2], Path::new(&args[at + 3]));
        child(engine, phase, dir);
        return;
    }
    let mut scales: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    if scales.is_empty() {
        scales.push(1);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
    let mut lines = Vec::new();
    for name in CORPORA {
        let path = root.join(name).join("corpus.jsonl");
        let Ok(file) = std::fs::File::open(&path) else {
            println!("compare: skipped ({} not found)", path.display());
            return;
        };
        lines.extend(
            std::io::BufReader::new(file)
                .lines()
                .map(|l| l.expect("read")),
        );
    }
    let mut summary = Vec::new();
    for scale in scales {
        let dir = tempfile::tempdir().expect("temp dir");
        let (articles, bytes) = write_corpus(&lines, scale, &dir.path().join("corpus.jsonl"));
        let mb = bytes as f64 / 1e6;
        println!("== {scale}x: {articles} articles, {mb:.1} MB of title and text ==");
        let figures: Vec<Figures> = ENGINES
            .iter()
            .map(|e| run_child(e, dir.path(), true))
            .collect();
        let floor: Vec<Figures> = FLOORS
            .iter()
            .map(|b| run_child(b.name, dir.path(), false))
            .collect();
        let cli = cli_latency(&dir.path().join("hpsearch"), &queries(&root));
        print_table(&figures, mb, bytes, cli);
        print_bounds(&figures, &floor, mb);
        summary.push((scale, articles, mb, figures, floor, cli));
    }
    println!("\n== scaling (hpsearch; ratios against the peers in the same run) ==");
    println!(
        "{:>5} {:>9} {:>7} {:>8} {:>8} {:>9} {:>9} {:>8} {:>8} {:>8} {:>8} {:>10} {:>10} {:>10}",
        "size",
        "articles",
        "MB",
        "index s",
        "MB/s",
        "index MiB",
        "size/text",
        "p50 ms",
        "p95 ms",
        "short p50",
        "CLI p50",
        "MB/s /FTS5",
        "p50 /tant.",
        "short /tant."
    );
    for (scale, articles, mb, f, _, cli) in &summary {
        let h = &f[0];
        println!(
            "{:>4}x {:>9} {:>7.1} {:>8.1} {:>8.2} {:>9.0} {:>9.2} {:>8.2} {:>8.2} {:>8.2} {:>8.1} {:>10.2} {:>10.2} {:>10.2}",
            scale,
            articles,
            mb,
            h.index_s,
            mb / h.index_s,
            h.index_kib as f64 / 1024.0,
            h.size as f64 / (mb * 1e6),
            h.p50,
            h.p95,
            h.short_p50,
            cli,
            f[1].index_s / h.index_s,
            h.p50 / f[2].p50,
            h.short_p50 / f[2].short_p50,
        );
    }
    println!("\n== what tantivy itself reaches, against the targets' peers ==");
    print!("{:>5} {:>10}", "size", "FTS5 MB/s");
    for b in &FLOORS {
        print!(" {:>16}", format!("{} (/FTS5)", b.name));
    }
    println!(" {:>15} {:>15}", "count / top 10", "short count");
    for (scale, _, mb, f, floor, _) in &summary {
        print!("{:>4}x {:>10.2}", scale, mb / f[1].index_s);
        for g in floor {
            let bound = format!("{:.2} (x{:.2})", mb / g.index_s, f[1].index_s / g.index_s);
            print!(" {bound:>16}");
        }
        println!(
            " {:>15.2} {:>15.2}",
            f[2].count_ratio, f[2].short_count_ratio
        );
    }
}

/// Writes the corpus `scale` times (copies get new ids); returns the number
/// of articles and the bytes of title and text.
fn write_corpus(lines: &[String], scale: usize, path: &Path) -> (usize, usize) {
    let mut out = BufWriter::new(std::fs::File::create(path).expect("create corpus"));
    let (mut articles, mut bytes) = (0, 0);
    for copy in 0..scale {
        for line in lines {
            let mut v: serde_json::Value = serde_json::from_str(line).expect("json");
            let len = |k: &str| v[k].as_str().map_or(0, str::len);
            bytes += len("title") + len("text");
            if copy > 0 {
                let id = format!("{}~{copy}", v["id"].as_str().unwrap_or_default());
                v["id"] = serde_json::Value::String(id);
            }
            serde_json::to_writer(&mut out, &v).expect("write");
            out.write_all(b"\n").expect("write");
            articles += 1;
        }
    }
    out.flush().expect("flush");
    (articles, bytes)
}

struct Figures {
    index_s: f64,
    p50: f64,
    p95: f64,
    /// How many times longer the top 10 takes with the count of every match
    /// (tantivy only; 0 for the others).
    count_ratio: f64,
    /// p50 and p95 of the short queries ([`SHORT_QUERIES`]).
    short_p50: f64,
    short_p95: f64,
    /// `count_ratio` for the short queries.
    short_count_ratio: f64,
    size: u64,
    /// Peak resident memory while indexing, and while querying after.
    index_kib: u64,
    query_kib: u64,
}

/// Indexes with `engine` in a child process, then, when `query`, runs the
/// queries in another (the bounds only index: their query figures stay 0).
fn run_child(engine: &str, dir: &Path, query: bool) -> Figures {
    let phase = |phase: &str| -> Vec<f64> {
        let out = Command::new(std::env::current_exe().expect("own path"))
            .args(["--child", engine, phase])
            .arg(dir)
            .stderr(Stdio::inherit())
            .output()
            .expect("run child");
        assert!(out.status.success(), "{engine} {phase} failed");
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix("RESULT "))
            .expect("child result");
        line.split(' ')
            .map(|x| x.parse().expect("number"))
            .collect()
    };
    let index = phase("index");
    let query = if query { phase("query") } else { vec![0.0; 7] };
    Figures {
        index_s: index[0],
        index_kib: index[1] as u64,
        p50: query[0],
        p95: query[1],
        query_kib: query[2] as u64,
        count_ratio: query.get(3).copied().unwrap_or(0.0),
        short_p50: query.get(4).copied().unwrap_or(0.0),
        short_p95: query.get(5).copied().unwrap_or(0.0),
        short_count_ratio: query.get(6).copied().unwrap_or(0.0),
        size: dir_size(&dir.join(engine)),
    }
}

fn print_table(f: &[Figures], mb: f64, bytes: usize, cli: f64) {
    println!(
        "{:<20} {:>10} {:>10} {:>10}   hpsearch / FTS5, / tantivy",
        "", "hpsearch", "FTS5", "tantivy"
    );
    let row = |name: &str, v: [f64; 3], note: &str| {
        println!(
            "{name:<20} {:>10.2} {:>10.2} {:>10.2}   x{:.2} / x{:.2}  ({note})",
            v[0],
            v[1],
            v[2],
            v[0] / v[1],
            v[0] / v[2]
        );
    };
    let each = |g: &dyn Fn(&Figures) -> f64| [g(&f[0]), g(&f[1]), g(&f[2])];
    row("index MB/s", each(&|x| mb / x.index_s), "higher is better");
    row(
        "index peak MiB",
        each(&|x| x.index_kib as f64 / 1024.0),
        "lower is better",
    );
    row(
        "query peak MiB",
        each(&|x| x.query_kib as f64 / 1024.0),
        "lower is better",
    );
    row(
        "index size / text",
        each(&|x| x.size as f64 / bytes as f64),
        "lower is better",
    );
    row("query p50 ms", each(&|x| x.p50), "lower is better");
    row("query p95 ms", each(&|x| x.p95), "lower is better");
    row(
        "short p50 ms",
        each(&|x| x.short_p50),
        "1-3 word queries; lower is better",
    );
    row(
        "short p95 ms",
        each(&|x| x.short_p95),
        "1-3 word queries; lower is better",
    );
    println!(
        "{:<20} {cli:>10.2}   (hpsearch search, process start to exit)\n",
        "CLI p50 ms"
    );
}

/// What tantivy itself reaches on the same bytes in the same run: indexing
/// with the least work it can do, and the top 10 with a count of every match.
fn print_bounds(f: &[Figures], floor: &[Figures], mb: f64) {
    for (b, g) in FLOORS.iter().zip(floor) {
        println!(
            "{:<20} {:>10.2}   {}: x{:.2} FTS5",
            format!("{} index MB/s", b.name),
            mb / g.index_s,
            b.what,
            f[1].index_s / g.index_s
        );
    }
    println!(
        "{:<20} {:>10.2}   tantivy default index: the top 10 with the count of every match, p50 against the top 10 alone (both warm)",
        "count / top 10", f[2].count_ratio,
    );
    println!(
        "{:<20} {:>10.2}   the same for the short queries\n",
        "short count / top 10", f[2].short_count_ratio,
    );
}

/// Short queries, one to three words, as people type them into a search box
/// over health news: the set the short-query row times.
const SHORT_QUERIES: [&str; 60] = [
    "nhs",
    "ebola",
    "obamacare",
    "medicaid",
    "medicare",
    "measles",
    "vaccines",
    "flu",
    "obesity",
    "diabetes",
    "dementia",
    "autism",
    "opioids",
    "smoking",
    "e-cigarettes",
    "cancer screening",
    "breast cancer",
    "prostate cancer",
    "heart disease",
    "mental health",
    "nurse staffing",
    "junior doctors",
    "doctors strike",
    "waiting times",
    "waiting list",
    "emergency department",
    "hospital readmissions",
    "health insurance",
    "insurance premiums",
    "affordable care act",
    "health exchange",
    "drug prices",
    "generic drugs",
    "fda approval",
    "clinical trial",
    "antibiotic resistance",
    "superbug",
    "hiv",
    "hepatitis c",
    "malaria",
    "zika",
    "sugar tax",
    "junk food",
    "alcohol",
    "physical activity",
    "sleep",
    "pregnancy",
    "maternity care",
    "child mortality",
    "life expectancy",
    "social care",
    "care homes",
    "gp appointments",
    "nhs funding",
    "privatisation",
    "hospital beds",
    "health spending",
    "public health england",
    "cdc",
    "vaccine safety",
];

/// The SciFact claims plus some health-policy queries.
fn queries(root: &Path) -> Vec<String> {
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

fn percentiles(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() - 1) as f64 * p) as usize];
    (at(0.5), at(0.95))
}

fn dir_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|d| {
            d.filter_map(|e| e.ok()?.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// p50 of `hpsearch search` runs, process start to exit, output read whole.
fn cli_latency(index: &Path, queries: &[String]) -> f64 {
    let run = |q: &str| {
        let t = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_hpsearch"))
            .args(["search", "--plain", "--any", "--index"])
            .arg(index)
            .arg("--")
            .arg(q)
            .stdin(Stdio::null())
            .output()
            .expect("run hpsearch");
        assert!(out.status.success(), "hpsearch search {q:?} failed");
        t.elapsed().as_secs_f64() * 1e3
    };
    run(&queries[0]); // warm the file cache
    percentiles(queries.iter().take(CLI_QUERIES).map(|q| run(q)).collect()).0
}

/// One phase of one engine in this process, printing `RESULT` and figures:
/// `index` reads `dir/corpus.jsonl` into `dir/ENGINE` (seconds, peak KiB);
/// `query` opens that index and runs the queries (p50 ms, p95 ms, peak KiB).
/// Each phase is a process of its own, so each peak is its own.
fn child(engine: &str, phase: &str, dir: &Path) {
    let corpus = dir.join("corpus.jsonl");
    let out = dir.join(engine);
    if phase == "index" {
        let t = Instant::now();
        match engine {
            "hpsearch" => hpsearch_index(&corpus, &out),
            "fts5" => fts5_index(&corpus, &out),
            "tantivy" => tantivy_index(&corpus, &out, "en_stem", true),
            other => match FLOORS.iter().find(|b| b.name == other) {
                Some(b) => tantivy_index(&corpus, &out, b.tokenizer, b.store),
                None => panic!("unknown engine {other}"),
            },
        }
        println!("RESULT {} {}", t.elapsed().as_secs_f64(), peak_kib());
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
    let queries = queries(&root);
    let short: Vec<String> = SHORT_QUERIES.iter().map(|q| q.to_string()).collect();
    let run = |queries: &[String]| match engine {
        "hpsearch" => (hpsearch_query(&out, queries), 0.0),
        "fts5" => (fts5_query(&out, queries), 0.0),
        "tantivy" => tantivy_query(&out, queries),
        other => panic!("unknown engine {other}"),
    };
    let (ms, count_ratio) = run(&queries);
    let (short_ms, short_count_ratio) = run(&short);
    let (p50, p95) = percentiles(ms);
    let (short_p50, short_p95) = percentiles(short_ms);
    println!(
        "RESULT {p50} {p95} {} {count_ratio} {short_p50} {short_p95} {short_count_ratio}",
        peak_kib()
    );
}

/// Peak resident memory of this process so far (VmHWM), in KiB.
fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// The id, title and text of each line of a JSONL corpus.
fn each_article(corpus: &Path, mut f: impl FnMut(String, String, String)) {
    let file = std::fs::File::open(corpus).expect("corpus");
    for line in std::io::BufReader::new(file).lines() {
        let v: serde_json::Value = serde_json::from_str(&line.expect("read")).expect("json");
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        f(s("id"), s("title"), s("text"));
    }
}

fn hpsearch_index(corpus: &Path, out: &Path) {
    use hpsearch::{Index, IngestOptions, WriterOptions};
    let index = Index::open_or_create(out).expect("index");
    let mut w = index.writer(&WriterOptions::default()).expect("writer");
    w.add_paths(
        &[corpus.to_path_buf()],
        &IngestOptions::default(),
        &hpsearch::write::Quiet,
    )
    .expect("index");
    w.commit().expect("commit");
}

fn hpsearch_query(out: &Path, queries: &[String]) -> Vec<f64> {
    use hpsearch::{Index, SearchRequest};
    let index = Index::open(out).expect("open");
    let mut ms = Vec::new();
    for q in queries {
        let mut r = SearchRequest::new(q.as_str());
        r.syntax = hpsearch::Syntax::Plain;
        // Any word, as the peers' queries match: the figures stay comparable.
        r.words = hpsearch::Words::Any;
        let t = Instant::now();
        std::hint::black_box(index.search(&r).expect("search"));
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    ms
}

fn fts5_index(corpus: &Path, out: &Path) {
    std::fs::create_dir_all(out).expect("dir");
    let mut db = rusqlite::Connection::open(out.join("fts.db")).expect("sqlite");
    db.execute_batch(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
         CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, text, tokenize='porter unicode61');",
    )
    .expect("schema");
    let tx = db.transaction().expect("tx");
    {
        let mut ins = tx
            .prepare("INSERT INTO docs(id, title, text) VALUES (?1, ?2, ?3)")
            .expect("prepare");
        each_article(corpus, |id, title, text| {
            ins.execute((&id, &title, &text)).expect("insert");
        });
    }
    tx.commit().expect("commit");
}

fn fts5_query(out: &Path, queries: &[String]) -> Vec<f64> {
    let db = rusqlite::Connection::open(out.join("fts.db")).expect("sqlite");
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
    ms
}

/// tantivy's own pipeline: one document per article, title and text in one
/// field with positions through `tokenizer`, the id stored, and the text
/// stored too when `store` (its default pipeline is `en_stem`, stored; the
/// bounds are in [`FLOORS`]).
fn tantivy_index(corpus: &Path, out: &Path, tokenizer: &str, store: bool) {
    use tantivy::schema::{STORED, STRING, Schema, TEXT};
    use tantivy::{TantivyDocument, doc};

    std::fs::create_dir_all(out).expect("dir");
    let mut b = Schema::builder();
    let id = b.add_text_field("id", STRING | STORED);
    let text_opts = if store { TEXT | STORED } else { TEXT }.set_indexing_options(
        tantivy::schema::TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(tantivy::schema::IndexRecordOption::WithFreqsAndPositions),
    );
    let body = b.add_text_field("body", text_opts);
    let index = tantivy::Index::create_in_dir(out, b.build()).expect("index");
    hpsearch::analysis::register(&index);
    let mut w: tantivy::IndexWriter<TantivyDocument> = index.writer(256 << 20).expect("writer");
    each_article(corpus, |i, title, text| {
        w.add_document(doc!(id => i, body => format!("{title}\n{text}")))
            .expect("add");
    });
    w.commit().expect("commit");
    w.wait_merging_threads().expect("merge");
}

/// Milliseconds per query for the top 10 alone, and how many times longer the
/// top 10 takes with the count of every match (p50 against p50, both warm).
fn tantivy_query(out: &Path, queries: &[String]) -> (Vec<f64>, f64) {
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::QueryParser;

    let index = tantivy::Index::open_in_dir(out).expect("open");
    hpsearch::analysis::register(&index);
    let body = index.schema().get_field("body").expect("body field");
    let reader = index.reader().expect("reader");
    let searcher = reader.searcher();
    let parser = QueryParser::for_index(&index, vec![body]);
    let search = |q: &str, count: bool| {
        let t = Instant::now();
        let (query, _) = parser.parse_query_lenient(q);
        let top = TopDocs::with_limit(10).order_by_score();
        if count {
            std::hint::black_box(searcher.search(&query, &(top, Count)).expect("search"));
        } else {
            std::hint::black_box(searcher.search(&query, &top).expect("search"));
        }
        t.elapsed().as_secs_f64() * 1e3
    };
    // The reported figures come from the first pass, as for the other
    // engines. The two after compare with and without the count, on the
    // same warm pages and alternated query by query.
    let ms: Vec<f64> = queries.iter().map(|q| search(q, false)).collect();
    let (mut warm, mut count_ms) = (Vec::new(), Vec::new());
    for q in queries {
        warm.push(search(q, false));
        count_ms.push(search(q, true));
    }
    let ratio = percentiles(count_ms).0 / percentiles(warm).0;
    (ms, ratio)
}
