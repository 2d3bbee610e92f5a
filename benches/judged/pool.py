#!/usr/bin/env python3
"""Pools the top 10 of several systems for a judged set and writes the
assessors' packets: one file per query with its text, its description and
every pooled article (title, source, date, text), shuffled, with no word of
which system found it.

    python3 benches/judged/pool.py SET [--hpsearch BIN] [--extra RUNFILE ...]

SET is a folder of benches/judged (health-news, senate): its `corpora` file
names the corpus.jsonl files (relative to the repository) the set searches,
its queries.jsonl the queries. Systems pooled:

* hpsearch `search` as shipped (copies credited right after their hit);
* hpsearch `search --any` and `search --any --exact-terms`;
* SQLite FTS5 (`porter unicode61`, bm25) and tantivy (`en_stem`, BM25) over
  one field of title and text, an OR of the query's words (words after `-`
  left out);
* any TREC run files given with --extra (later rounds: the runs of changed
  rankings, so that their new top 10 is judged too).

Articles already judged (in SET/qrels.tsv) are not asked again: a later
round's packets hold only what is new. Packets go to
/tmp/hpsearch-judging/SET/QID.md (they quote the collections, which stay
out of the repository); the assessors' grades, QID<TAB>DOCID<TAB>GRADE,
are added to SET/qrels.tsv.
"""

import argparse
import json
import random
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEPTH = 10
TEXT_CHARS = 1500


def words(query):
    """The query's words for the peers: operators, quotes and fields gone,
    words after `-` left out."""
    out = []
    for tok in re.findall(r'-?"[^"]*"|\S+', query):
        if tok.startswith("-"):
            continue
        tok = re.sub(r"^[+]|^(title|exact):", "", tok)
        if tok in ("OR", "AND", "NOT"):
            continue
        out += re.findall(r"\w+", tok)
    return out


def load_corpus(paths):
    docs = {}
    for p in paths:
        with open(p, encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                docs[str(d["id"])] = d
    return docs


def hpsearch_runs(bin_, index, queries, flags):
    runs = {}
    for q in queries:
        out = subprocess.run(
            [bin_, "--index", str(index), "search", "--json", "-n", str(DEPTH),
             "--passages", "0", *flags, "--", q["text"]],
            capture_output=True, text=True)
        if out.returncode not in (0, 1):
            sys.exit(f"hpsearch failed on {q['text']!r}: {out.stderr}")
        ranked = []
        for hit in json.loads(out.stdout)["hits"]:
            ranked.append(hit["id"])
            ranked += [c["id"] for c in hit.get("also_in", [])]
        runs[q["id"]] = ranked[:DEPTH]
    return runs


def fts5_runs(docs, queries):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, body, tokenize='porter unicode61')")
    db.executemany("INSERT INTO t VALUES (?, ?)",
                   ((i, (d.get("title") or "") + "\n" + (d.get("text") or "")) for i, d in docs.items()))
    runs = {}
    for q in queries:
        ws = words(q["text"])
        if not ws:
            runs[q["id"]] = []
            continue
        match = " OR ".join('"' + w.replace('"', '') + '"' for w in ws)
        rows = db.execute("SELECT id FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT ?", (match, DEPTH))
        runs[q["id"]] = [r[0] for r in rows]
    return runs


def tantivy_runs(docs, queries):
    import tantivy
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("body", stored=False, tokenizer_name="en_stem")
    schema = sb.build()
    index = tantivy.Index(schema)
    w = index.writer()
    for i, d in docs.items():
        w.add_document(tantivy.Document(id=i, body=(d.get("title") or "") + "\n" + (d.get("text") or "")))
    w.commit()
    index.reload()
    s = index.searcher()
    runs = {}
    for q in queries:
        ws = [w.lower() for w in words(q["text"])]
        if not ws:
            runs[q["id"]] = []
            continue
        query = index.parse_query(" ".join(ws), ["body"])
        runs[q["id"]] = [s.doc(a)["id"][0] for _, a in s.search(query, DEPTH).hits]
    return runs


def read_trec(path):
    runs = {}
    for line in open(path):
        qid, _, doc, rank, *_ = line.split()
        if int(rank) <= DEPTH:
            runs.setdefault(qid, []).append(doc)
    return runs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("set")
    ap.add_argument("--hpsearch", default=str(REPO / "target/release/hpsearch"))
    ap.add_argument("--extra", nargs="*", default=[])
    ap.add_argument("--peers", action="store_true", help="pool FTS5 and tantivy too")
    args = ap.parse_args()
    folder = REPO / "benches/judged" / args.set
    corpora = [folder / p for p in (folder / "corpora").read_text().split()]
    queries = [json.loads(l) for l in open(folder / "queries.jsonl") if l.strip()]
    docs = load_corpus(corpora)
    index = Path(f"/tmp/hpsearch-judged-{args.set}")
    if not index.exists():
        subprocess.run([args.hpsearch, "--index", str(index), "index", *map(str, corpora)], check=True)
    systems = {
        "default": hpsearch_runs(args.hpsearch, index, queries, []),
        "any": hpsearch_runs(args.hpsearch, index, queries, ["--any"]),
        "any-exact": hpsearch_runs(args.hpsearch, index, queries, ["--any", "--exact-terms"]),
    }
    if args.peers:
        systems["fts5"] = fts5_runs(docs, queries)
        systems["tantivy"] = tantivy_runs(docs, queries)
    for i, path in enumerate(args.extra):
        systems[f"extra{i}"] = read_trec(path)
    judged = {}
    qrels = folder / "qrels.tsv"
    if qrels.exists():
        for line in open(qrels):
            q, d, g = line.rstrip("\n").split("\t")
            judged[(q, d)] = int(g)
    packets = Path("/tmp/hpsearch-judging") / args.set
    packets.mkdir(parents=True, exist_ok=True)
    total = 0
    for q in queries:
        pool = set()
        for runs in systems.values():
            pool.update(runs.get(q["id"], []))
        pool = sorted(d for d in pool if (q["id"], d) not in judged)
        random.Random(q["id"]).shuffle(pool)
        total += len(pool)
        out = [f"# {q['id']}: {q['text']}", "", f"Relevant: {q['description']}", ""]
        # A later round's assessor sees how the first one graded this query,
        # to grade the new articles on the same scale.
        earlier = sorted((g, d) for (qq, d), g in judged.items() if qq == q["id"])
        if earlier:
            shown = [e for e in earlier if e[0] == 0][:3] + [e for e in earlier if e[0] == 1][:3] \
                + [e for e in earlier if e[0] == 2][:4]
            out += ["Calibration (already graded, not to grade again):", ""]
            out += [f"- grade {g}: {docs[d].get('title') or ''} ({docs[d].get('source') or ''})"
                    for g, d in shown]
            out += ["", "Articles to grade:", ""]
        for d in pool:
            doc = docs[d]
            text = re.sub(r"\s+", " ", doc.get("text") or "")[:TEXT_CHARS]
            out += [f"## {d}", f"title: {doc.get('title') or ''}",
                    f"source: {doc.get('source') or ''}; date: {doc.get('date') or ''}", "", text, ""]
        (packets / f"{q['id']}.md").write_text("\n".join(out))
    print(f"{args.set}: {len(queries)} queries, {total} articles to judge", file=sys.stderr)


if __name__ == "__main__":
    main()
