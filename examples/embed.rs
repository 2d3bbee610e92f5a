//! Embedding hpsearch in a program: build an index from the fixtures and an
//! article value, search it with filters, and read typed results and facets.
//!
//! Run with `cargo run --release --example embed`.

use hpsearch::write::Quiet;
use hpsearch::{Article, Date, Index, IngestOptions, SearchRequest, Sort, WriterOptions};

fn main() -> hpsearch::Result<()> {
    let dir = std::env::temp_dir().join(format!("hpsearch-embed-{}", std::process::id()));
    let index = Index::open_or_create(&dir)?;

    let mut writer = index.writer(&WriterOptions::default())?;
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    writer.add_paths(&[fixtures], &IngestOptions::default(), &Quiet)?;
    let mut note = Article::new(
        "Ward meeting notes: rota gaps",
        "Rota gaps on the acute medical unit were raised again by resident doctors.",
    );
    note.source = Some("Branch notes".into());
    note.date = Date::parse("2025-09-02");
    writer.add_article(note)?;
    let summary = writer.commit()?;
    println!(
        "indexed {} articles into {} passages",
        summary.added, summary.passages
    );

    let mut request = SearchRequest::new("resident doctors +strike");
    request.since = Date::parse("2023-01-01");
    request.sort = Sort::Relevance;
    request.limit = 3;
    let results = index.search(&request)?;
    println!("{} matching articles", results.total_articles);
    for hit in &results.hits {
        let date = hit
            .date
            .map_or_else(|| "undated".to_string(), |d| d.to_string());
        println!(
            "{:6.2}  {}  ({}, {date})",
            hit.score,
            hit.title,
            hit.source.as_deref().unwrap_or("?")
        );
        if let Some(p) = hit.passages.first() {
            let words: Vec<&str> = p.highlights.iter().map(|[a, b]| &p.text[*a..*b]).collect();
            println!("        matched: {}", words.join(", "));
        }
    }
    for s in &results.facets.sources {
        println!("  {:<24} {}", s.value, s.count);
    }
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}
