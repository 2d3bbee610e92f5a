//! hpsearch against three peers, in one run, on the same articles: SQLite
//! FTS5 (`porter unicode61`, `bm25()`), tantivy's own default pipeline (one
//! document per article, `en_stem`, id and text stored), and tantivy doing
//! the same page's work as hpsearch (`page`: title and text stored, source
//! and month as fast fields; the top 10 with the count of every match, the
//! matches counted per source and per month, and the 10 stored documents
//! read). Prints each figure and the ratio hpsearch / peer. Reports only;
//! nothing here fails on timing.
//!
//! `cargo bench --bench compare` runs the three corpora of ../shared/corpora
//! together; `cargo bench --bench compare -- 1 2 4 8` is the scaling run.
//! Replica r > 0 of each corpus is as many new articles: each interleaves
//! one article's sentences with another's under a third's title, so the
//! collection grows as a larger one would (new shingles, a growing
//! vocabulary), with no copies for the near-duplicate detector to fold.
//!
//! Each engine indexes the same JSONL file end to end (read, parse, index,
//! commit) in a process of its own, and queries it in another. Memory is
//! each process's own: the peak of its anonymous resident memory
//! (`RssAnon`, sampled), and beside it VmHWM, which also counts the pages of
//! the files it maps (the index a query reads, the segments a merge reads).
//! All engines run under mimalloc, the allocator the `hpsearch` binary ships
//! with. hpsearch answers as `search` and `batch --all-words` do by default
//! (every word counted, the articles with some of them ranked after), with
//! top 10 articles, passages, highlights and facets. The peers are timed
//! with the queries as given and with their stop words taken out. Then a
//! set of sixty short queries of one to three words, as people type them
//! into a search box (`SHORT_QUERIES`). The CLI row times `hpsearch search`
//! from process start to exit.
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
/// hpsearch, then its peers: FTS5, tantivy's default pipeline, and tantivy
/// doing a search page's work (`page`: title and text stored, source and
/// month as fast fields; top 10, the count, source and month counts, and
/// the 10 stored documents).
const ENGINES: [&str; 4] = ["hpsearch", "fts5", "tantivy", "page"];
/// Not peers: tantivy's writer on the same bytes with the least work it can
/// do, then with hpsearch's analyzer (words as written, then stemmed), then
/// with the text stored too: each one field with positions, one document
/// per article, the id stored. Last, `fields`: the fields hpsearch's
/// searches read, written by tantivy alone from documents made in advance
/// ([`fields_index`]), and `no-written`: the same without the words as
/// written.
struct Floor {
    name: &'static str,
    build: Build,
    what: &'static str,
}

/// What a floor writes.
enum Build {
    /// One field with positions through `tokenizer` ([`tantivy_index`]).
    OneField {
        tokenizer: &'static str,
        store: bool,
    },
    /// hpsearch's searched fields, with or without the words as written
    /// ([`fields_index`]).
    Fields { written: bool },
}

const FLOORS: [Floor; 6] = [
    Floor {
        name: "least",
        build: Build::OneField {
            tokenizer: "default",
            store: false,
        },
        what: "tantivy, one field with positions, lower-cased words, only the id stored",
    },
    Floor {
        name: "exact",
        build: Build::OneField {
            tokenizer: hpsearch::analysis::EXACT,
            store: false,
        },
        what: "the same through hpsearch's analyzer, words as written",
    },
    Floor {
        name: "stemmed",
        build: Build::OneField {
            tokenizer: hpsearch::analysis::STEMMED,
            store: false,
        },
        what: "the same, stemmed",
    },
    Floor {
        name: "stored",
        build: Build::OneField {
            tokenizer: hpsearch::analysis::STEMMED,
            store: true,
        },
        what: "the same, stemmed, with the text stored",
    },
    Floor {
        name: "fields",
        build: Build::Fields { written: true },
        what: "hpsearch's searched fields, tantivy alone (documents made in advance)",
    },
    Floor {
        name: "no-written",
        build: Build::Fields { written: false },
        what: "the same without the words as written (title_exact, text_exact)",
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
    let mut lines: Vec<Vec<String>> = Vec::new();
    for name in CORPORA {
        let path = root.join(name).join("corpus.jsonl");
        let Ok(file) = std::fs::File::open(&path) else {
            println!("compare: skipped ({} not found)", path.display());
            return;
        };
        lines.push(
            std::io::BufReader::new(file)
                .lines()
                .map(|l| l.expect("read"))
                .collect(),
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
        "{:>5} {:>9} {:>7} {:>8} {:>9} {:>9} {:>8} {:>8} {:>8} {:>8} {:>11} {:>11} {:>11} {:>11} {:>11}",
        "size",
        "articles",
        "MB",
        "index s",
        "anon MiB",
        "size/text",
        "p50 ms",
        "p95 ms",
        "short p50",
        "CLI p50",
        "s /page",
        "s /FTS5",
        "size /page",
        "p50 /page",
        "p95 /page",
    );
    for (scale, articles, mb, f, _, cli) in &summary {
        let h = &f[0];
        let page = &f[3];
        println!(
            "{:>4}x {:>9} {:>7.1} {:>8.1} {:>9.0} {:>9.2} {:>8.2} {:>8.2} {:>8.2} {:>8.1} {:>11.2} {:>11.2} {:>11.2} {:>11.2} {:>11.2}",
            scale,
            articles,
            mb,
            h.index_s,
            h.index_kib as f64 / 1024.0,
            h.size as f64 / (mb * 1e6),
            h.p50,
            h.p95,
            h.short_p50,
            cli,
            h.index_s / page.index_s,
            h.index_s / f[1].index_s,
            h.size as f64 / page.size as f64,
            h.p50 / page.p50,
            h.p95 / page.p95,
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
/// Writes the corpora `scale` times over. Replica 0 is the articles as they
/// are; replica r > 0 is as many articles again, none a copy of another:
/// each interleaves the sentences of one article with those of another of
/// the same corpus (up to the first one's length) under a third one's
/// title, so the vocabulary and the postings grow as a larger collection's
/// would, and the near-duplicate detector finds no copies to fold.
fn write_corpus(corpora: &[Vec<String>], scale: usize, path: &Path) -> (usize, usize) {
    let mut out = BufWriter::new(std::fs::File::create(path).expect("create corpus"));
    let (mut articles, mut bytes) = (0, 0);
    for lines in corpora {
        let parsed: Vec<serde_json::Value> = lines
            .iter()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect();
        let n = parsed.len();
        let text = |v: &serde_json::Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
        for replica in 0..scale {
            for (i, v) in parsed.iter().enumerate() {
                let mut v = v.clone();
                if replica > 0 {
                    let other = |step: usize| {
                        let j = (i + replica * step) % n;
                        if j == i { (j + 1) % n } else { j }
                    };
                    let (b, c) = (&parsed[other(7919)], &parsed[other(104_729)]);
                    let own = text(&v, "text");
                    let mut mixed = String::with_capacity(own.len());
                    let their_text = text(b, "text");
                    let mut theirs = sentences(&their_text).into_iter();
                    for s in sentences(&own) {
                        if mixed.len() >= own.len() {
                            break;
                        }
                        mixed.push_str(s);
                        if let Some(t) = theirs.next()
                            && mixed.len() < own.len()
                        {
                            mixed.push_str(t);
                        }
                    }
                    v["text"] = serde_json::Value::String(mixed);
                    v["title"] = serde_json::Value::String(text(c, "title"));
                    v["id"] = serde_json::Value::String(format!("{}~{replica}", text(&v, "id")));
                }
                let len = |k: &str| v[k].as_str().map_or(0, str::len);
                bytes += len("title") + len("text");
                serde_json::to_writer(&mut out, &v).expect("write");
                out.write_all(b"\n").expect("write");
                articles += 1;
            }
        }
    }
    out.flush().expect("flush");
    (articles, bytes)
}

/// `text` cut after each `. `, `? `, `! ` or line break, the cut kept.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = text.as_bytes();
    for i in 0..b.len() {
        let end = match b[i] {
            b'\n' => i + 1,
            b'.' | b'?' | b'!' if b.get(i + 1) == Some(&b' ') => i + 2,
            _ => continue,
        };
        if end > start {
            out.push(&text[start..end]);
            start = end;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

struct Figures {
    index_s: f64,
    p50: f64,
    p95: f64,
    /// The peers' p50 and p95 with the stop words taken out of the queries
    /// (hpsearch's own figures again for hpsearch, which weighs them itself).
    p50_no_stop: f64,
    p95_no_stop: f64,
    /// How many times longer the top 10 takes with the count of every match
    /// (tantivy only; 0 for the others).
    count_ratio: f64,
    /// p50 and p95 of the short queries ([`SHORT_QUERIES`]).
    short_p50: f64,
    short_p95: f64,
    /// `count_ratio` for the short queries.
    short_count_ratio: f64,
    size: u64,
    /// Peak anonymous resident memory (the process's own, not the pages of
    /// files it maps) while indexing, and while querying after.
    index_kib: u64,
    query_kib: u64,
    /// Peak resident memory with mapped file pages (VmHWM), the same two.
    index_hwm_kib: u64,
    query_hwm_kib: u64,
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
    let query = if query { phase("query") } else { vec![0.0; 10] };
    Figures {
        index_s: index[0],
        index_hwm_kib: index[1] as u64,
        index_kib: index[2] as u64,
        p50: query[0],
        p95: query[1],
        query_hwm_kib: query[2] as u64,
        count_ratio: query[3],
        short_p50: query[4],
        short_p95: query[5],
        short_count_ratio: query[6],
        query_kib: query[7] as u64,
        p50_no_stop: query[8],
        p95_no_stop: query[9],
        size: dir_size(&dir.join(engine)),
    }
}

fn print_table(f: &[Figures], mb: f64, bytes: usize, cli: f64) {
    println!(
        "{:<22} {:>9} {:>9} {:>9} {:>9}   hpsearch / FTS5, / tantivy, / page",
        "", "hpsearch", "FTS5", "tantivy", "page"
    );
    let row = |name: &str, v: [f64; 4], note: &str| {
        println!(
            "{name:<22} {:>9.2} {:>9.2} {:>9.2} {:>9.2}   x{:.2} / x{:.2} / x{:.2}  ({note})",
            v[0],
            v[1],
            v[2],
            v[3],
            v[0] / v[1],
            v[0] / v[2],
            v[0] / v[3]
        );
    };
    let each = |g: &dyn Fn(&Figures) -> f64| [g(&f[0]), g(&f[1]), g(&f[2]), g(&f[3])];
    row("index MB/s", each(&|x| mb / x.index_s), "higher is better");
    row("index s", each(&|x| x.index_s), "lower is better");
    row(
        "index anon peak MiB",
        each(&|x| x.index_kib as f64 / 1024.0),
        "own memory; lower is better",
    );
    row(
        "index RSS peak MiB",
        each(&|x| x.index_hwm_kib as f64 / 1024.0),
        "with mapped file pages",
    );
    row(
        "query anon peak MiB",
        each(&|x| x.query_kib as f64 / 1024.0),
        "own memory; lower is better",
    );
    row(
        "query RSS peak MiB",
        each(&|x| x.query_hwm_kib as f64 / 1024.0),
        "with the index pages read",
    );
    row(
        "index size / text",
        each(&|x| x.size as f64 / bytes as f64),
        "lower is better",
    );
    row("query p50 ms", each(&|x| x.p50), "lower is better");
    row("query p95 ms", each(&|x| x.p95), "lower is better");
    row(
        "p50 ms, no stop words",
        each(&|x| x.p50_no_stop),
        "the peers' queries without stop words",
    );
    row(
        "p95 ms, no stop words",
        each(&|x| x.p95_no_stop),
        "the peers' queries without stop words",
    );
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
        "{:<22} {cli:>9.2}   (hpsearch search, process start to exit)\n",
        "CLI p50 ms"
    );
}

/// What tantivy itself reaches on the same bytes in the same run: indexing
/// with the least work it can do, and the top 10 with a count of every match.
fn print_bounds(f: &[Figures], floor: &[Figures], mb: f64) {
    for (b, g) in FLOORS.iter().zip(floor) {
        println!(
            "{:<20} {:>10.2}   {}: x{:.2} FTS5, x{:.2} page",
            format!("{} index MB/s", b.name),
            mb / g.index_s,
            b.what,
            f[1].index_s / g.index_s,
            f[3].index_s / g.index_s
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
            .args(["search", "--plain", "--index"])
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
    let anon = AnonPeak::start();
    let corpus = dir.join("corpus.jsonl");
    let out = dir.join(engine);
    if phase == "index" {
        let mut t = Instant::now();
        match engine {
            "hpsearch" => hpsearch_index(&corpus, &out),
            "fts5" => fts5_index(&corpus, &out),
            "tantivy" => tantivy_index(&corpus, &out, "en_stem", true),
            "page" => page_index(&corpus, &out),
            other => match FLOORS.iter().find(|b| b.name == other).map(|b| &b.build) {
                Some(Build::OneField { tokenizer, store }) => {
                    tantivy_index(&corpus, &out, tokenizer, *store)
                }
                Some(Build::Fields { written }) => fields_index(&corpus, &out, *written, &mut t),
                None => panic!("unknown engine {other}"),
            },
        }
        let seconds = t.elapsed().as_secs_f64();
        println!("RESULT {} {} {}", seconds, peak_kib(), anon.kib());
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
    let queries = queries(&root);
    let short: Vec<String> = SHORT_QUERIES.iter().map(|q| q.to_string()).collect();
    let run = |queries: &[String]| match engine {
        "hpsearch" => (hpsearch_query(&out, queries), 0.0),
        "fts5" => (fts5_query(&out, queries), 0.0),
        "tantivy" => tantivy_query(&out, queries),
        "page" => (page_query(&out, queries), 0.0),
        other => panic!("unknown engine {other}"),
    };
    let (ms, count_ratio) = run(&queries);
    let (short_ms, short_count_ratio) = run(&short);
    let (p50, p95) = percentiles(ms);
    let (short_p50, short_p95) = percentiles(short_ms);
    let (p50_no_stop, p95_no_stop) = match engine {
        "hpsearch" => (p50, p95),
        _ => percentiles(run(&without_stop_words(&queries)).0),
    };
    println!(
        "RESULT {p50} {p95} {} {count_ratio} {short_p50} {short_p95} {short_count_ratio} {} {p50_no_stop} {p95_no_stop}",
        peak_kib(),
        anon.kib()
    );
}

/// The queries with hpsearch's stop words taken out (those left with no
/// word are left out).
fn without_stop_words(queries: &[String]) -> Vec<String> {
    queries
        .iter()
        .map(|q| {
            q.split_whitespace()
                .filter(|w| {
                    let bare: String = w
                        .chars()
                        .filter(|c| c.is_alphanumeric())
                        .collect::<String>()
                        .to_lowercase();
                    !hpsearch::analysis::is_stop_word(&bare)
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|q| !q.is_empty())
        .collect()
}

/// Peak resident memory of this process so far (VmHWM), in KiB.
fn peak_kib() -> u64 {
    status_kib("VmHWM:")
}

/// A field of /proc/self/status, in KiB.
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// The peak of the process's anonymous resident memory (`RssAnon`: its own
/// allocations, not the file pages it maps, which the system may take back
/// at will), sampled every 2 ms by a thread of its own.
struct AnonPeak(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl AnonPeak {
    fn start() -> AnonPeak {
        use std::sync::atomic::Ordering;
        let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let seen = peak.clone();
        std::thread::spawn(move || {
            loop {
                seen.fetch_max(status_kib("RssAnon:"), Ordering::Relaxed);
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        });
        AnonPeak(peak)
    }

    fn kib(&self) -> u64 {
        use std::sync::atomic::Ordering;
        self.0.fetch_max(status_kib("RssAnon:"), Ordering::Relaxed);
        self.0.load(Ordering::Relaxed)
    }
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
        // The default search (every word counted, the others ranked after
        // them, other names of names), as `batch --all-words` runs it.
        let mut r = SearchRequest::new(q.as_str());
        r.syntax = hpsearch::Syntax::Plain;
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

/// The least tantivy must do for hpsearch's searches, with none of
/// hpsearch's own work: title and text each stemmed with positions and as
/// written (articles only, as `text_exact` is), the article stored, the
/// source and day as columns, the id's key indexed. The documents are made
/// before the clock starts, so this is tantivy's writer alone on hpsearch's
/// fields; hpsearch also stores passages, fingerprints and signatures.
/// Without `written`, the words as written are left out. Restarts the
/// clock `t` once the documents are made.
fn fields_index(corpus: &Path, out: &Path, written: bool, t: &mut Instant) {
    use tantivy::schema::{
        FAST, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
    };
    use tantivy::{TantivyDocument, doc};

    let mut docs = Vec::new();
    let file = std::fs::File::open(corpus).expect("corpus");
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.expect("read");
        let v: serde_json::Value = serde_json::from_str(&line).expect("json");
        docs.push((n as u64, v, line));
    }
    std::fs::create_dir_all(out).expect("dir");
    let mut b = Schema::builder();
    let indexed = |tokenizer: &str, option| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(option),
        )
    };
    let positions = IndexRecordOption::WithFreqsAndPositions;
    let (stemmed, exact) = (hpsearch::analysis::STEMMED, hpsearch::analysis::EXACT);
    let title = b.add_text_field("title", indexed(stemmed, positions));
    let title_exact = b.add_text_field("title_exact", indexed(exact, IndexRecordOption::Basic));
    let text = b.add_text_field("text", indexed(stemmed, positions));
    let text_exact = b.add_text_field("text_exact", indexed(exact, IndexRecordOption::Basic));
    let article = b.add_bytes_field("article", STORED);
    let source = b.add_text_field("source", STRING | FAST);
    let day = b.add_i64_field("day", INDEXED | FAST);
    let key = b.add_u64_field("akey", INDEXED | FAST);
    let settings = tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::Zstd(
            tantivy::store::ZstdCompressor::default(),
        ),
        docstore_blocksize: 4096,
        ..Default::default()
    };
    let index = tantivy::Index::builder()
        .schema(b.build())
        .settings(settings)
        .create_in_dir(out)
        .expect("index");
    hpsearch::analysis::register(&index);
    let docs: Vec<TantivyDocument> = docs
        .into_iter()
        .map(|(n, v, line)| {
            let s = |k: &str| v[k].as_str().unwrap_or_default();
            let mut d = doc!(
                title => s("title"),
                text => s("text"),
                article => line.into_bytes(), key => n,
            );
            if written {
                d.add_text(title_exact, s("title"));
                d.add_text(text_exact, s("text"));
            }
            if !s("source").is_empty() {
                d.add_text(source, s("source"));
            }
            let digits: String = s("date").chars().filter(char::is_ascii_digit).collect();
            if let Ok(yyyymmdd) = digits.get(..8).unwrap_or_default().parse::<i64>() {
                d.add_i64(day, yyyymmdd);
            }
            d
        })
        .collect();
    *t = Instant::now();
    let mut w: tantivy::IndexWriter<TantivyDocument> = index.writer(224 << 20).expect("writer");
    for d in docs {
        w.add_document(d).expect("add");
    }
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

/// The equal-work peer: tantivy doing a faceted search page's work. Title
/// and text are two fields with positions through `en_stem`, both stored; the source
/// and the month (`YYYYMM`) are fast fields; the id is stored.
fn page_index(corpus: &Path, out: &Path) {
    use tantivy::schema::{FAST, STORED, STRING, Schema, TEXT};
    use tantivy::{TantivyDocument, doc};

    std::fs::create_dir_all(out).expect("dir");
    let mut b = Schema::builder();
    let id = b.add_text_field("id", STRING | STORED);
    // Stemmed, as hpsearch's ranking is: tantivy's `en_stem`, with positions.
    let stemmed = || {
        (TEXT | STORED).set_indexing_options(
            tantivy::schema::TextFieldIndexing::default()
                .set_tokenizer("en_stem")
                .set_index_option(tantivy::schema::IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let title = b.add_text_field("title", stemmed());
    let text = b.add_text_field("text", stemmed());
    let source = b.add_text_field("source", STRING | FAST);
    let month = b.add_u64_field("month", FAST);
    let index = tantivy::Index::create_in_dir(out, b.build()).expect("index");
    let mut w: tantivy::IndexWriter<TantivyDocument> = index.writer(256 << 20).expect("writer");
    let file = std::fs::File::open(corpus).expect("corpus");
    for line in std::io::BufReader::new(file).lines() {
        let v: serde_json::Value = serde_json::from_str(&line.expect("read")).expect("json");
        let s = |k: &str| v[k].as_str().unwrap_or_default();
        let mut d = doc!(id => s("id"), title => s("title"), text => s("text"));
        if !s("source").is_empty() {
            d.add_text(source, s("source"));
        }
        let digits: String = s("date")
            .chars()
            .filter(char::is_ascii_digit)
            .take(6)
            .collect();
        if let (6, Ok(m)) = (digits.len(), digits.parse::<u64>()) {
            d.add_u64(month, m);
        }
        w.add_document(d).expect("add");
    }
    w.commit().expect("commit");
    w.wait_merging_threads().expect("merge");
}

/// The page peer's answer to each query: the top 10 with the count of
/// every match, the matches counted per source and per month, and the 10
/// stored documents read.
fn page_query(out: &Path, queries: &[String]) -> Vec<f64> {
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::QueryParser;

    let index = tantivy::Index::open_in_dir(out).expect("open");
    let schema = index.schema();
    let fields = ["title", "text"].map(|f| schema.get_field(f).expect("field"));
    let reader = index.reader().expect("reader");
    let searcher = reader.searcher();
    let parser = QueryParser::for_index(&index, fields.to_vec());
    queries
        .iter()
        .map(|q| {
            let t = Instant::now();
            let (query, _) = parser.parse_query_lenient(q);
            let top = TopDocs::with_limit(10).order_by_score();
            let (top, count, facets) = searcher
                .search(&query, &(top, Count, PageFacets))
                .expect("search");
            let docs: Vec<tantivy::TantivyDocument> = top
                .iter()
                .map(|(_, addr)| searcher.doc(*addr).expect("doc"))
                .collect();
            std::hint::black_box((docs, count, facets));
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect()
}

/// Counts of the matches per source and per month.
struct PageFacets;

type FacetFruit = (
    std::collections::HashMap<String, u64>,
    std::collections::HashMap<u64, u64>,
);

struct PageFacetsSegment {
    source: Option<tantivy::columnar::StrColumn>,
    month: tantivy::columnar::Column<u64>,
    by_ord: Vec<u64>,
    months: std::collections::HashMap<u64, u64>,
}

impl tantivy::collector::Collector for PageFacets {
    type Fruit = FacetFruit;
    type Child = PageFacetsSegment;

    fn for_segment(
        &self,
        _: tantivy::SegmentOrdinal,
        segment: &tantivy::SegmentReader,
    ) -> tantivy::Result<PageFacetsSegment> {
        let ff = segment.fast_fields();
        let source = ff.str("source")?;
        let terms = source.as_ref().map_or(0, |c| c.num_terms());
        Ok(PageFacetsSegment {
            source,
            month: ff.u64("month")?,
            by_ord: vec![0; terms],
            months: Default::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FacetFruit>) -> tantivy::Result<FacetFruit> {
        let mut out = FacetFruit::default();
        for (sources, months) in fruits {
            for (k, n) in sources {
                *out.0.entry(k).or_default() += n;
            }
            for (k, n) in months {
                *out.1.entry(k).or_default() += n;
            }
        }
        Ok(out)
    }
}

impl tantivy::collector::SegmentCollector for PageFacetsSegment {
    type Fruit = FacetFruit;

    fn collect(&mut self, doc: tantivy::DocId, _: tantivy::Score) {
        if let Some(ord) = self.source.as_ref().and_then(|c| c.term_ords(doc).next()) {
            self.by_ord[ord as usize] += 1;
        }
        if let Some(m) = self.month.first(doc) {
            *self.months.entry(m).or_default() += 1;
        }
    }

    fn harvest(self) -> FacetFruit {
        let mut sources = std::collections::HashMap::new();
        if let Some(col) = &self.source {
            for (ord, &n) in self.by_ord.iter().enumerate().filter(|(_, n)| **n > 0) {
                let mut name = String::new();
                if col.ord_to_str(ord as u64, &mut name).is_ok() {
                    sources.insert(name, n);
                }
            }
        }
        (sources, self.months)
    }
}
