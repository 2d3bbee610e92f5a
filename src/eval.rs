//! Evaluation on a judged collection: the articles (`corpus.jsonl`, or a
//! `corpora` file naming JSONL files, one path a line, relative to the
//! folder), `queries.jsonl` (`id`, `text`) and `qrels.tsv`
//! (`query_id<TAB>doc_id<TAB>grade`). Each query is asked one of two ways
//! ([`Ask`]): as plain text ranked by any of its words, or as `search` asks
//! it by default. Articles are what is ranked and judged. Metrics follow
//! trec_eval: nDCG@10 with linear gains, Recall@100 and MAP@100 (average
//! precision over the top 100, divided by all relevant).

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::index::Index;
use crate::model::{SearchRequest, Syntax, Words};

/// How many articles are retrieved per query.
pub const DEPTH: usize = 100;

/// A judged query collection.
pub struct Collection {
    /// The folder it was read from.
    pub dir: PathBuf,
    /// The JSONL files of its articles.
    pub corpora: Vec<PathBuf>,
    /// (query id, text), in file order.
    pub queries: Vec<(String, String)>,
    /// query id -> doc id -> grade.
    pub qrels: HashMap<String, HashMap<String, u32>>,
}

impl Collection {
    /// Reads `queries.jsonl` and `qrels.tsv` from `dir`.
    pub fn load(dir: &Path) -> Result<Collection> {
        let io = |path: PathBuf| {
            move |source| Error::Io {
                path: path.clone(),
                source,
            }
        };
        let qpath = dir.join("queries.jsonl");
        let file = std::fs::File::open(&qpath).map_err(io(qpath.clone()))?;
        let mut queries = Vec::new();
        for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
            let line = line.map_err(io(qpath.clone()))?;
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value = serde_json::from_str(&line).map_err(|e| {
                Error::InvalidRequest(format!(
                    "{}:{}: not valid JSON ({e})",
                    qpath.display(),
                    n + 1
                ))
            })?;
            let id = match &v["id"] {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(x) => x.to_string(),
                _ => {
                    return Err(Error::InvalidRequest(format!(
                        "{}:{}: no `id`",
                        qpath.display(),
                        n + 1
                    )));
                }
            };
            let text = v["text"].as_str().unwrap_or_default().to_string();
            queries.push((id, text));
        }
        let rpath = dir.join("qrels.tsv");
        let text = std::fs::read_to_string(&rpath).map_err(io(rpath.clone()))?;
        let mut qrels: HashMap<String, HashMap<String, u32>> = HashMap::new();
        for (n, line) in text.lines().enumerate() {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let (q, d, g) = match cols.as_slice() {
                [q, d, g] => (q, d, g),
                [q, _, d, g] => (q, d, g), // TREC layout with an iteration column
                [] => continue,
                _ => {
                    return Err(Error::InvalidRequest(format!(
                        "{}:{}: expected query_id, doc_id and grade",
                        rpath.display(),
                        n + 1
                    )));
                }
            };
            let Ok(grade) = g.parse::<u32>() else {
                if n == 0 {
                    continue; // a header row
                }
                return Err(Error::InvalidRequest(format!(
                    "{}:{}: grade {g:?} is not a number",
                    rpath.display(),
                    n + 1
                )));
            };
            qrels
                .entry(q.to_string())
                .or_default()
                .insert(d.to_string(), grade);
        }
        let corpora = corpora(dir)?;
        Ok(Collection {
            dir: dir.to_path_buf(),
            corpora,
            queries,
            qrels,
        })
    }
}

/// The article files of a collection folder: its `corpus.jsonl`, else the
/// files its `corpora` file names.
fn corpora(dir: &Path) -> Result<Vec<PathBuf>> {
    let single = dir.join("corpus.jsonl");
    if single.is_file() {
        return Ok(vec![single]);
    }
    let list = dir.join("corpora");
    let text = std::fs::read_to_string(&list).map_err(|_| {
        Error::InvalidRequest(format!(
            "{} has neither corpus.jsonl nor a corpora file naming the article files",
            dir.display()
        ))
    })?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| dir.join(l))
        .collect())
}

impl Collection {
    /// Keeps every other query: fold 1 the 1st, 3rd, 5th..., fold 2 the
    /// 2nd, 4th... (in file order), so parameters chosen on one fold can be
    /// checked on the other.
    pub fn keep_fold(&mut self, fold: u8) {
        let first = usize::from(fold != 1);
        self.queries = std::mem::take(&mut self.queries)
            .into_iter()
            .skip(first)
            .step_by(2)
            .collect();
    }
}

/// Metrics over the judged queries.
#[derive(Clone, Debug, Serialize)]
pub struct Metrics {
    /// Judged queries evaluated.
    pub queries: usize,
    /// Mean nDCG over the first 10 results.
    pub ndcg_at_10: f64,
    /// Mean share of the relevant documents in the first 100 results.
    pub recall_at_100: f64,
    /// Mean average precision over the first 100 results.
    pub map_at_100: f64,
    /// Median search time, in milliseconds.
    pub latency_p50_ms: f64,
    /// 95th percentile search time, in milliseconds.
    pub latency_p95_ms: f64,
}

/// The ranked article ids and scores of one query.
pub struct Run {
    /// The query's id in `queries.jsonl`.
    pub query_id: String,
    /// Document ids with their scores, best first.
    pub ranked: Vec<(String, f32)>,
}

/// How each query is asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ask {
    /// `search`'s defaults: the query language, every word counted (and
    /// ranked first), copies of a story collapsed under their hit and
    /// credited right after it, as a reader of the results meets them.
    /// Otherwise plain text ranked by any word, every copy ranked alone.
    pub as_search: bool,
    /// Also search the other names the thesaurus knows for names in it.
    pub expand: bool,
}

impl Ask {
    /// The request for one query's text.
    fn request(self, text: &str) -> SearchRequest {
        let mut req = SearchRequest::new(text);
        req.expand = self.expand;
        req.passages = 0;
        req.ids_only = true;
        if !self.as_search {
            req.syntax = Syntax::Plain;
            req.words = Words::Any;
            // Judgements are per document: every copy of a story is ranked.
            req.collapse = false;
        }
        // A hit and its copies count one toward `limit`: enough hits for
        // DEPTH articles either way.
        req.limit = DEPTH;
        req
    }
}

/// Runs every query of `collection` against `index`, asked as `ask` says.
pub fn run(index: &Index, collection: &Collection, ask: Ask) -> Result<(Metrics, Vec<Run>)> {
    let mut runs = Vec::new();
    let mut latencies = Vec::new();
    for (qid, text) in &collection.queries {
        let req = ask.request(text);
        let t = Instant::now();
        let r = index.search(&req)?;
        latencies.push(t.elapsed().as_secs_f64() * 1e3);
        let mut ranked = Vec::new();
        for hit in r.hits {
            ranked.push((hit.id, hit.score));
            // A copy is credited where the reader meets it, under its hit.
            ranked.extend(hit.also_in.into_iter().map(|c| (c.id, hit.score)));
        }
        ranked.truncate(DEPTH);
        runs.push(Run {
            query_id: qid.clone(),
            ranked,
        });
    }
    let judged: Vec<&Run> = runs
        .iter()
        .filter(|r| collection.qrels.contains_key(&r.query_id))
        .collect();
    let n = judged.len().max(1) as f64;
    let mut sums = (0.0, 0.0, 0.0);
    for r in &judged {
        let rel = &collection.qrels[&r.query_id];
        let ids: Vec<&str> = r.ranked.iter().map(|(d, _)| d.as_str()).collect();
        sums.0 += ndcg(&ids, rel, 10);
        sums.1 += recall(&ids, rel, DEPTH);
        sums.2 += average_precision(&ids, rel, DEPTH);
    }
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        latencies
            .get(((latencies.len().max(1) - 1) as f64 * p).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    Ok((
        Metrics {
            queries: judged.len(),
            ndcg_at_10: sums.0 / n,
            recall_at_100: sums.1 / n,
            map_at_100: sums.2 / n,
            latency_p50_ms: pct(0.5),
            latency_p95_ms: pct(0.95),
        },
        runs,
    ))
}

/// Writes runs as a TREC run file: `qid Q0 docid rank score tag`.
pub fn write_trec(out: &mut impl std::io::Write, runs: &[Run], tag: &str) -> std::io::Result<()> {
    for r in runs {
        for (i, (doc, score)) in r.ranked.iter().enumerate() {
            writeln!(
                out,
                "{} Q0 {} {} {:.6} {}",
                r.query_id,
                doc,
                i + 1,
                score,
                tag
            )?;
        }
    }
    Ok(())
}

/// nDCG@k with linear gains (trec_eval's `ndcg_cut`).
pub fn ndcg(ranked: &[&str], rel: &HashMap<String, u32>, k: usize) -> f64 {
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, d)| f64::from(*rel.get(*d).unwrap_or(&0)) / ((i + 2) as f64).log2())
        .sum();
    let mut ideal: Vec<u32> = rel.values().copied().filter(|g| *g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, g)| f64::from(*g) / ((i + 2) as f64).log2())
        .sum();
    if idcg > 0.0 { dcg / idcg } else { 0.0 }
}

/// Share of the relevant documents found in the top `k`.
pub fn recall(ranked: &[&str], rel: &HashMap<String, u32>, k: usize) -> f64 {
    let total = rel.values().filter(|g| **g > 0).count();
    if total == 0 {
        return 0.0;
    }
    let found = ranked
        .iter()
        .take(k)
        .filter(|d| rel.get(**d).is_some_and(|g| *g > 0))
        .count();
    found as f64 / total as f64
}

/// Average precision over the top `k`, divided by all relevant documents.
pub fn average_precision(ranked: &[&str], rel: &HashMap<String, u32>, k: usize) -> f64 {
    let total = rel.values().filter(|g| **g > 0).count();
    if total == 0 {
        return 0.0;
    }
    let mut hits = 0;
    let mut sum = 0.0;
    for (i, d) in ranked.iter().take(k).enumerate() {
        if rel.get(*d).is_some_and(|g| *g > 0) {
            hits += 1;
            sum += hits as f64 / (i + 1) as f64;
        }
    }
    sum / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(pairs: &[(&str, u32)]) -> HashMap<String, u32> {
        pairs.iter().map(|(d, g)| (d.to_string(), *g)).collect()
    }

    #[test]
    fn metrics_match_hand_computed_values() {
        let r = rel(&[("a", 1), ("c", 1)]);
        let ranked = ["a", "b", "c"];
        // DCG = 1/log2(2) + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3)
        let want = 1.5 / (1.0 + 1.0 / 3f64.log2());
        assert!((ndcg(&ranked, &r, 10) - want).abs() < 1e-12);
        assert_eq!(recall(&ranked, &r, 2), 0.5);
        assert!((average_precision(&ranked, &r, 100) - (1.0 + 2.0 / 3.0) / 2.0).abs() < 1e-12);
        assert_eq!(ndcg(&["x"], &r, 10), 0.0);
    }
}
