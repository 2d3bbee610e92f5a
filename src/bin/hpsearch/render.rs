//! The human printer: what a person reads in a terminal. Colour only when
//! stdout is a terminal and `NO_COLOR` is unset. The JSON printer is
//! `serde_json` over the library's own types (see `main.rs`).

use std::io::{self, Write};

use hpsearch::{AlsoSearched, Article, FacetCount, Hit, IndexStats, IndexSummary, SearchResults};

/// ANSI styles, or nothing.
pub struct Style {
    color: bool,
    /// Columns to wrap passages to; `None` leaves each on one line.
    width: Option<usize>,
}

impl Style {
    pub fn new(color: bool, width: Option<usize>) -> Style {
        Style { color, width }
    }
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    /// Columns a chart may fill: the terminal's width, else 80.
    pub fn columns(&self) -> usize {
        self.width.unwrap_or(80)
    }
    pub fn bold(&self, t: &str) -> String {
        self.wrap("1", t)
    }
    pub fn dim(&self, t: &str) -> String {
        self.wrap("2", t)
    }
    fn mark(&self, t: &str) -> String {
        self.wrap("1;33", t)
    }
}

/// Longest passage excerpt shown, in characters.
const EXCERPT_CHARS: usize = 480;

pub fn search(
    out: &mut impl Write,
    r: &SearchResults,
    offset: usize,
    compact: bool,
    style: &Style,
) -> io::Result<()> {
    for (i, hit) in r.hits.iter().enumerate() {
        if compact {
            hit_line(out, hit, style)?;
        } else {
            hit_block(out, offset + i + 1, hit, style)?;
        }
    }
    if compact && !r.hits.is_empty() {
        writeln!(out)?;
    }
    let shown = if r.hits.is_empty() {
        String::new()
    } else {
        format!(", showing {}-{}", offset + 1, offset + r.hits.len())
    };
    let noun = if r.total_articles == 1 {
        "article matches"
    } else {
        "articles match"
    };
    let folded = match r.collapsed {
        0 => String::new(),
        1 => " (1 copy of a story shown under another)".to_string(),
        n => format!(" ({n} copies of stories shown under others)"),
    };
    writeln!(
        out,
        "{}",
        style.bold(&format!("{} {noun}{folded}{shown}", r.total_articles))
    )?;
    if r.more_articles > 0 {
        let (n, s) = (r.more_articles, if r.more_articles == 1 { "" } else { "s" });
        writeln!(
            out,
            "  and {n} more article{s} with some of the words, not counted: ranked among these, each marked with what it lacks"
        )?;
    }
    if r.notices.iter().any(|n| n == hpsearch::search::FELL_BACK) {
        writeln!(out, "  no article has every word: these have some of them")?;
    }
    other_names(out, "  also searched", &r.also_searched)?;
    for s in &r.suggestions {
        writeln!(
            out,
            "  did you mean {}? ({} {} it; {} {})",
            style.bold(&s.suggestion),
            s.articles,
            if s.articles == 1 {
                "article has"
            } else {
                "articles have"
            },
            s.word_articles,
            if s.word_articles == 1 {
                format!("has {}", s.word)
            } else {
                format!("have {}", s.word)
            }
        )?;
    }
    if !r.facets.sources.is_empty() || r.facets.unknown_source > 0 {
        let mut sources = facet_line(&r.facets.sources, 12);
        if r.facets.unknown_source > 0 {
            if !sources.is_empty() {
                sources.push_str(" · ");
            }
            sources.push_str(&format!("unknown source {}", r.facets.unknown_source));
        }
        writeln!(out, "  sources: {sources}")?;
    }
    let chart = crate::chart::months_chart(&r.facets.months, style.columns().saturating_sub(4));
    if !chart.is_empty() || r.facets.undated > 0 {
        writeln!(out, "  over time:")?;
        for line in chart {
            writeln!(out, "    {line}")?;
        }
        if r.facets.undated > 0 {
            writeln!(out, "    undated {}", r.facets.undated)?;
        }
    }
    Ok(())
}

/// One line per name of the query searched with its other names:
/// `{lead}: Obamacare, ACA (for Affordable Care Act)`.
pub fn other_names(out: &mut impl Write, lead: &str, names: &[AlsoSearched]) -> io::Result<()> {
    for a in names {
        writeln!(out, "{lead}: {} (for {})", a.names.join(", "), a.typed)?;
    }
    Ok(())
}

fn facet_line(values: &[FacetCount], max: usize) -> String {
    let mut parts: Vec<String> = values
        .iter()
        .take(max)
        .map(|f| format!("{} {}", f.value, f.count))
        .collect();
    if values.len() > max {
        parts.push(format!("and {} more", values.len() - max));
    }
    parts.join(" · ")
}

/// One hit on one line, as `--compact` prints it: date (or `undated`),
/// source, title, and the outlets of its copies.
fn hit_line(out: &mut impl Write, hit: &Hit, style: &Style) -> io::Result<()> {
    let date = hit
        .date
        .map_or_else(|| "undated   ".into(), |d| d.to_string());
    let source = hit.source.as_deref().unwrap_or("unknown source");
    let copies = match hit.also_in.len() {
        0 => String::new(),
        1 => " (+1 copy)".to_string(),
        n => format!(" (+{n} copies)"),
    };
    let missing = match hit.missing.is_empty() {
        true => String::new(),
        false => format!(" (missing: {})", hit.missing.join(", ")),
    };
    writeln!(
        out,
        "{}  {}  {}{}{}",
        style.dim(&date),
        source,
        style.bold(&hit.title),
        style.dim(&copies),
        style.dim(&missing)
    )
}

fn hit_block(out: &mut impl Write, n: usize, hit: &Hit, style: &Style) -> io::Result<()> {
    writeln!(
        out,
        "{} {}",
        style.bold(&format!("{n}.")),
        marked(
            &hit.title,
            &hit.title_highlights,
            |t| style.bold(t),
            |t| style.mark(t)
        )
    )?;
    let mut meta = vec![
        hit.source
            .clone()
            .unwrap_or_else(|| "unknown source".into()),
        hit.date.map_or_else(|| "undated".into(), |d| d.to_string()),
    ];
    // The address goes last: a long one wraps alone, not the score.
    meta.push(format!("score {:.2}", hit.score));
    meta.push(format!("id {}", hit.id));
    if let Some(url) = &hit.url {
        meta.push(url.clone());
    } else if let Some(path) = &hit.path {
        meta.push(match hit.line {
            Some(l) => format!("{path}:{l}"),
            None => path.clone(),
        });
    }
    writeln!(out, "   {}", style.dim(&meta.join(" · ")))?;
    if !hit.missing.is_empty() {
        writeln!(out, "   missing: {}", hit.missing.join(", "))?;
    }
    if !hit.also_in.is_empty() {
        let mut names: Vec<String> = Vec::new();
        for copy in &hit.also_in {
            let name = copy
                .source
                .clone()
                .unwrap_or_else(|| "unknown source".into());
            if !names.contains(&name) {
                names.push(name);
            }
        }
        writeln!(
            out,
            "   {}",
            style.dim(&format!("also in: {}", names.join(", ")))
        )?;
    }
    for p in &hit.passages {
        // A headline-only article (a tweet, a wire flash) is its title:
        // do not print it twice.
        if fold(&p.text).trim() == fold(&hit.title).trim() {
            continue;
        }
        let text = excerpt(&p.text, &p.highlights, style);
        match style.width {
            Some(width) => {
                for line in wrap(&text, "   > ", "     ", width) {
                    writeln!(out, "{line}")?;
                }
            }
            None => writeln!(out, "   > {text}")?,
        }
    }
    writeln!(out)
}

/// `text` in lines of at most `width` columns (a longer word alone on its
/// line), the first after `first`, the others after `indent`. Colour codes
/// take no columns.
fn wrap(text: &str, first: &str, indent: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut used = columns(first);
    let mut empty = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let w = columns(word);
        if !empty && used + 1 + w > width {
            lines.push(std::mem::replace(&mut line, indent.to_string()));
            used = columns(indent);
            empty = true;
        }
        if !empty {
            line.push(' ');
            used += 1;
        }
        line.push_str(word);
        used += w;
        empty = false;
    }
    lines.push(line);
    lines
}

/// Terminal columns `s` takes, colour codes (`ESC [ ... m`) aside.
fn columns(s: &str) -> usize {
    let mut n = 0;
    let mut in_code = false;
    for c in s.chars() {
        match (in_code, c) {
            (false, '\x1b') => in_code = true,
            (true, 'm') => in_code = false,
            (true, _) => {}
            (false, c) => n += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0),
        }
    }
    n
}

/// `text` with its highlighted ranges made by `lit` and the rest by `rest`
/// (ranges that overlap or fall outside the text are passed over).
fn marked(
    text: &str,
    highlights: &[[usize; 2]],
    rest: impl Fn(&str) -> String,
    lit: impl Fn(&str) -> String,
) -> String {
    let mut s = String::new();
    let mut at = 0;
    for &[a, b] in highlights {
        if a < at || b > text.len() || !text.is_char_boundary(a) || !text.is_char_boundary(b) {
            continue;
        }
        s.push_str(&rest(&text[at..a]));
        s.push_str(&lit(&text[a..b]));
        at = b;
    }
    s.push_str(&rest(&text[at..]));
    s
}

/// The passage with whitespace folded and highlights marked, cut to a window
/// around the first highlight when it is long.
fn excerpt(text: &str, highlights: &[[usize; 2]], style: &Style) -> String {
    let first = highlights.first().map_or(0, |h| h[0]);
    let (mut start, mut end) = (0, text.len());
    if text.chars().count() > EXCERPT_CHARS {
        start = text[..first]
            .char_indices()
            .rev()
            .nth(120)
            .map_or(0, |(i, _)| i);
        start = text[..start]
            .rfind(char::is_whitespace)
            .map_or(start, |i| i + 1);
        end = text[start..]
            .char_indices()
            .nth(EXCERPT_CHARS)
            .map_or(text.len(), |(i, _)| start + i);
        end = text[..end]
            .rfind(char::is_whitespace)
            .filter(|&i| i > start)
            .unwrap_or(end);
    }
    let mut s = String::new();
    if start > 0 {
        s.push('…');
    }
    let window: Vec<[usize; 2]> = highlights
        .iter()
        .filter(|h| h[0] >= start && h[1] <= end)
        .map(|h| [h[0] - start, h[1] - start])
        .collect();
    s.push_str(&marked(&text[start..end], &window, fold, |t| {
        style.mark(&fold(t))
    }));
    if end < text.len() {
        s.push('…');
    }
    s.trim().to_string()
}

fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    if space {
        out.push(' ');
    }
    out
}

pub fn article(out: &mut impl Write, a: &Article, style: &Style) -> io::Result<()> {
    writeln!(out, "{}", style.bold(&a.title))?;
    writeln!(out, "id:     {}", a.id)?;
    writeln!(out, "source: {}", a.source.as_deref().unwrap_or("unknown"))?;
    writeln!(
        out,
        "date:   {}",
        a.date.map_or_else(|| "undated".into(), |d| d.to_string())
    )?;
    if let Some(author) = &a.author {
        writeln!(out, "author: {author}")?;
    }
    if let Some(url) = &a.url {
        writeln!(out, "url:    {url}")?;
    }
    if let Some(path) = &a.path {
        match a.line {
            Some(l) => writeln!(out, "path:   {path}:{l}")?,
            None => writeln!(out, "path:   {path}")?,
        }
    }
    writeln!(out)?;
    writeln!(out, "{}", a.text)
}

/// One line per source; under a source that merges names, the names as
/// the files gave them with their counts.
pub fn sources(out: &mut impl Write, sources: &[SourceListed]) -> io::Result<()> {
    let width = sources
        .iter()
        .map(|s| s.count.to_string().len())
        .max()
        .unwrap_or(1);
    for s in sources {
        writeln!(out, "{:>width$}  {}", s.count, s.value)?;
        if !s.merged.is_empty() {
            let names: Vec<String> = s
                .merged
                .iter()
                .map(|m| format!("{} ({})", m.name, m.count))
                .collect();
            writeln!(out, "{:>width$}    merged from {}", "", names.join(", "))?;
        }
    }
    Ok(())
}

/// A source as `sources` lists it: its count, and the names merged into it.
#[derive(serde::Serialize)]
pub struct SourceListed {
    pub value: String,
    pub count: u64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unknown: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub merged: Vec<NameCount>,
}

#[derive(serde::Serialize)]
pub struct NameCount {
    pub name: String,
    pub count: u64,
}

impl SourceListed {
    /// The index's sources with the names merged into each.
    pub fn list(
        sources: Vec<FacetCount>,
        merged: Vec<hpsearch::MergedSource>,
    ) -> Vec<SourceListed> {
        sources
            .into_iter()
            .map(|f| {
                let merged = match f.unknown {
                    true => Vec::new(),
                    false => merged
                        .iter()
                        .filter(|m| m.source == f.value)
                        .map(|m| NameCount {
                            name: m.given.clone(),
                            count: m.count,
                        })
                        .collect(),
                };
                SourceListed {
                    value: f.value,
                    count: f.count,
                    unknown: f.unknown,
                    merged,
                }
            })
            .collect()
    }
}

pub fn stats(out: &mut impl Write, s: &IndexStats) -> io::Result<()> {
    writeln!(out, "index:     {}", s.path.display())?;
    writeln!(out, "articles:  {}", s.articles)?;
    writeln!(out, "passages:  {}", s.passages)?;
    writeln!(out, "sources:   {}", s.sources)?;
    let range = match (s.first_date, s.last_date) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => "none dated".into(),
    };
    writeln!(out, "dates:     {range} ({} undated)", s.undated)?;
    writeln!(out, "files:     {}", s.files)?;
    writeln!(
        out,
        "copies:    {} near-duplicate articles in {} stories, shown collapsed",
        s.duplicates, s.duplicate_groups
    )?;
    writeln!(
        out,
        "stripped:  {} boilerplate paragraphs, kept out of passages {} times",
        s.boilerplate, s.stripped
    )?;
    if s.kept_out > 0 {
        writeln!(
            out,
            "removed:   {} removed with rm, left out while their files are unchanged",
            plural(s.kept_out, "article", "articles")
        )?;
    }
    writeln!(
        out,
        "size:      {:.1} MB in {} segments",
        s.size_bytes as f64 / 1e6,
        s.segments
    )?;
    if let Some(run) = &s.last_run {
        writeln!(out, "last run:  {}", summary(run))?;
    }
    Ok(())
}

pub fn summary(s: &IndexSummary) -> String {
    let mut extra = String::new();
    if s.rebuilt > 0 {
        extra = format!(" ({} earlier articles rebuilt)", s.rebuilt);
    }
    let again = match s.options_changed_files {
        0 => String::new(),
        n => format!(" ({n} because the options changed)"),
    };
    let mut unread = String::new();
    if s.ignored_files > 0 {
        let types: Vec<String> = s
            .ignored_types
            .iter()
            .map(|(ext, n)| match ext.as_str() {
                "" => format!("{n} without an extension"),
                ext => format!("{n} .{ext}"),
            })
            .collect();
        unread = format!(
            ", {} of a type hpsearch does not read ({})",
            plural(s.ignored_files, "file", "files"),
            types.join(", ")
        );
    }
    if !s.notes.is_empty() {
        let names: Vec<String> = s
            .notes
            .iter()
            .take(NAMED_FIELDS)
            .map(|p| {
                std::path::Path::new(p)
                    .file_name()
                    .map_or(p.clone(), |n| n.to_string_lossy().into_owned())
            })
            .collect();
        unread.push_str(&format!(
            ", {} beside data files not indexed ({}; name one as a path to index it)",
            plural(s.notes.len() as u64, "note", "notes"),
            names.join(", ")
        ));
    }
    let mut fields = String::new();
    if !s.unread_fields.is_empty() {
        let mut named: Vec<String> = s
            .unread_fields
            .iter()
            .take(NAMED_FIELDS)
            .map(|(name, n)| format!("{name} ({})", plural(*n, "line", "lines")))
            .collect();
        if s.unread_fields.len() > NAMED_FIELDS {
            named.push(format!("and {} more", s.unread_fields.len() - NAMED_FIELDS));
        }
        fields = format!(
            "\nfields hpsearch does not read, left out: {}",
            named.join(", ")
        );
    }
    format!(
        "{} added, {} updated, {} unchanged, {} removed, {} skipped; {} collapsed as copies, {} boilerplate paragraphs stripped{extra}; {} read{again}, {} unchanged files not read{unread}, {} passages, {}; {:.1} s, {:.1} MB/s{fields}",
        s.added,
        s.updated,
        s.unchanged,
        s.removed,
        s.skipped,
        s.collapsed,
        s.stripped,
        plural(s.files, "file", "files"),
        s.unchanged_files,
        s.passages,
        plural(s.warnings, "warning", "warnings"),
        s.seconds,
        s.mb_per_second()
    )
}

/// Unread fields named in the summary, at most.
const NAMED_FIELDS: usize = 12;

/// `1 file`, `2 files`.
fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
