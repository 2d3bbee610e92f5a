//! `hpsearch synonyms NAME`: what a search for a name also searches, and the
//! thesaurus entries that say so.

use std::io::Write;
use std::process::ExitCode;

use hpsearch::Index;
use hpsearch::thesaurus::{Entry, Kind};
use serde::Serialize;

use crate::cli::SynonymsArgs;
use crate::render::Style;

#[derive(Serialize)]
struct Answer<'a> {
    name: String,
    /// The other names a search for it also searches.
    also_searches: Vec<&'a str>,
    /// Every entry that names it, used or not.
    entries: Vec<EntryOut<'a>>,
}

#[derive(Serialize)]
struct EntryOut<'a> {
    kind: &'static str,
    names: Vec<&'a str>,
    note: &'a str,
    origin: &'a str,
    line: usize,
}

fn kind(k: Kind) -> &'static str {
    match k {
        Kind::Same => "same",
        Kind::Successors => "successors",
        Kind::LeftOut => "left out",
    }
}

/// Prints the answer; exit status 1 when no entry names it.
pub fn run(
    index: &Index,
    args: &SynonymsArgs,
    out: &mut impl Write,
    style: &Style,
) -> anyhow::Result<ExitCode> {
    let thesaurus = index.thesaurus()?;
    let name = args.name.join(" ");
    let words: Vec<&str> = name.split_whitespace().collect();
    let found = thesaurus
        .find(&words, args.successors)
        .filter(|f| f.words == words.len());
    let also_searches: Vec<&str> = found
        .as_ref()
        .map(|f| f.others.iter().map(|n| &*n.text).collect())
        .unwrap_or_default();
    let mut entries: Vec<&Entry> = found
        .as_ref()
        .map(|f| f.entries.clone())
        .unwrap_or_default();
    for e in thesaurus.entries_naming(&name) {
        if !entries.iter().any(|x| std::ptr::eq(*x, e)) {
            entries.push(e);
        }
    }
    let answer = Answer {
        name: name.clone(),
        also_searches,
        entries: entries
            .iter()
            .map(|e| EntryOut {
                kind: kind(e.kind),
                names: e.names.iter().map(|n| &*n.text).collect(),
                note: &e.note,
                origin: &e.origin,
                line: e.line,
            })
            .collect(),
    };
    if args.json {
        serde_json::to_writer(&mut *out, &answer)?;
        writeln!(out)?;
    } else {
        human(out, &answer, found.is_some(), style)?;
    }
    Ok(if answer.entries.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn human(out: &mut impl Write, a: &Answer, recognised: bool, style: &Style) -> std::io::Result<()> {
    if a.entries.is_empty() {
        writeln!(
            out,
            "{}: no thesaurus entry names it; a search looks for it alone",
            a.name
        )?;
        return Ok(());
    }
    if a.also_searches.is_empty() {
        let why = if recognised {
            "no other name"
        } else if a.entries.iter().all(|e| e.kind == "left out") {
            "its entries are left out (below)"
        } else {
            "written so, it is not the name of an entry (an acronym is one only in capitals)"
        };
        writeln!(out, "{}: searched alone: {why}", style.bold(&a.name))?;
    } else {
        writeln!(
            out,
            "{} also searches: {}",
            style.bold(&a.name),
            a.also_searches.join(", ")
        )?;
    }
    for e in &a.entries {
        let sep = if e.kind == "successors" {
            " -> "
        } else {
            " = "
        };
        let lead = if e.kind == "left out" {
            "left out: "
        } else {
            ""
        };
        writeln!(out, "  {lead}{}", e.names.join(sep))?;
        writeln!(
            out,
            "    {}",
            style.dim(&format!("{} ({} line {})", e.note, e.origin, e.line))
        )?;
    }
    Ok(())
}
