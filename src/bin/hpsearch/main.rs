//! The `hpsearch` command: parses flags, calls the library, prints.
//! Exit status: 0 found something, 1 found nothing, 2 error.

mod chart;
mod cli;
mod export;
mod page;
mod paths;
mod progress;
mod render;
mod serve;
mod synonyms;
mod timeline;

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;

use anyhow::{Context, bail};
use clap::{CommandFactory, Parser};
use hpsearch::{
    Date, Index, IngestOptions, Period, SearchRequest, Sort, Syntax, TimelineRequest, Words,
    WriterOptions,
};

use cli::{
    BatchArgs, Cli, ColorArg, Command, EvalArgs, FilterArgs, IndexArgs, RmArgs, SearchArgs,
    SelectArgs, SortArg,
};
use progress::CliObserver;
use render::Style;

/// Searches allocate and free large per-query buffers; the system allocator
/// hands them back to the kernel and page-faults them in again each time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DEFAULT_INDEX: &str = "index";
const FIXTURES: &str = "fixtures";
/// The mark of a default index built from the sample articles alone, left
/// in the index folder (hidden, so the folder stays an index).
const SAMPLE_MARK: &str = ".hpsearch-sample";

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("hpsearch: error: {}", message(&err));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes on one line, each said once (a library error
/// that already names its cause is not followed by the cause again), with
/// what to do about it on the command line.
fn message(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    if let Some(advice) = err.chain().find_map(|c| c.downcast_ref().and_then(advice)) {
        out.push_str(&advice);
    }
    out
}

/// What to type next, for the library's errors that have an answer on the
/// command line (the library's own messages name no command or flag).
fn advice(err: &hpsearch::Error) -> Option<String> {
    use hpsearch::Error as E;
    Some(match err {
        E::NoIndex(p) => format!(
            ": create one with `hpsearch index --index {} PATH...`",
            p.display()
        ),
        E::NotAFolder(_) => "; choose a folder for --index".into(),
        E::NotAnIndex(_) => "; choose another --index folder".into(),
        E::IncompatibleIndex { path, .. } => format!(
            "; rebuild it with `hpsearch index --index {} PATH...` into an empty folder",
            path.display()
        ),
        E::Busy(_) => "; try again when it has finished, or pass --wait to wait for it".into(),
        E::UnknownSource { suggestions, .. } if suggestions.is_empty() => {
            "; `hpsearch sources` lists the sources in this index".into()
        }
        E::UnknownSource { .. } => " (`hpsearch sources` lists them all)".into(),
        E::EmptyPeriod { .. } => " (--since is after --until)".into(),
        E::Synonyms(_) => {
            "; correct the line, or give a corrected file with `hpsearch index --synonyms FILE`"
                .into()
        }
        _ => return None,
    })
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<io::Error>())
        .any(|e| e.kind() == io::ErrorKind::BrokenPipe)
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let explicit = cli.index.is_some();
    let path = cli.index.unwrap_or_else(|| PathBuf::from(DEFAULT_INDEX));
    let terminal = io::stdout().is_terminal();
    let color = match cli.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => terminal && std::env::var_os("NO_COLOR").is_none(),
    };
    // Passages wrap to $COLUMNS when it is set, else to the terminal's
    // width; piped output keeps each passage on one line.
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .or_else(|| {
            terminal
                .then(terminal_size::terminal_size)
                .flatten()
                .map(|(w, _)| usize::from(w.0))
        })
        .filter(|w| *w >= 20);
    let style = Style::new(color, width);
    let mut out = io::stdout().lock();
    match cli.command {
        Command::Index(args) => {
            if !explicit {
                replace_sample(&path, &args.paths)?;
            }
            index(&path, args, &mut out)
        }
        Command::Search(args) => {
            let index = open_for_reading(&path, explicit)?;
            let code = search(&index, args, &mut out, &style);
            // The process ends here, and its exit releases the index at
            // once: unmapping its files one by one and freeing its readers
            // took 0.4 ms, 6% of a search at 1x (docs/PERFORMANCE.md).
            std::mem::forget(index);
            code
        }
        Command::Timeline(args) => {
            let index = open_for_reading(&path, explicit)?;
            let mut request = TimelineRequest::new(args.query.join(" "));
            apply_selection(&args.select, &mut request.search)?;
            apply_terms(&args.terms, &mut request.search);
            timeline::run(&index, &args, request, &mut out, &style)
        }
        Command::Show(args) => {
            let index = open_for_reading(&path, explicit)?;
            match index.article(&args.id)? {
                Some(mut a) => {
                    paths::all_from_here([&mut a.path]);
                    emit(&mut out, args.json, &a, |o, a| {
                        render::article(o, a, &style)
                    })?;
                    Ok(ExitCode::SUCCESS)
                }
                None => {
                    eprintln!(
                        "hpsearch: no article with id {:?} in {}",
                        args.id,
                        path.display()
                    );
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Sources(flag) => {
            let index = open_for_reading(&path, explicit)?;
            let sources = render::SourceListed::list(index.sources()?, index.merged_sources()?);
            emit(&mut out, flag.json, &sources, |o, s| render::sources(o, s))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Batch(args) => {
            let index = open_for_reading(&path, explicit)?;
            batch(&index, &args, &mut out)
        }
        Command::Eval(args) => eval(explicit.then_some(path.as_path()), args, &mut out),
        Command::Serve(args) => {
            let index = open_for_reading(&path, explicit)?;
            serve::run(index, args.bind, args.port, args.threads)
        }
        Command::Synonyms(args) => {
            let index = open_for_reading(&path, explicit)?;
            synonyms::run(&index, &args, &mut out, &style)
        }
        Command::Completions(args) => {
            let mut command = Cli::command();
            clap_complete::generate(args.shell, &mut command, "hpsearch", &mut out);
            Ok(ExitCode::SUCCESS)
        }
        Command::Man(args) => {
            match args.dir {
                Some(dir) => {
                    std::fs::create_dir_all(&dir)
                        .with_context(|| format!("cannot create {}", dir.display()))?;
                    clap_mangen::generate_to(Cli::command(), &dir).with_context(|| {
                        format!("cannot write the pages into {}", dir.display())
                    })?;
                }
                None => clap_mangen::Man::new(Cli::command()).render(&mut out)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Rm(args) => rm(&path, explicit, args, &mut out),
        Command::Stats(flag) => {
            let stats = open_for_reading(&path, explicit)?.stats()?;
            emit(&mut out, flag.json, &stats, render::stats)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Prints `value` as one line of JSON, or with the human printer.
fn emit<W: Write, T: serde::Serialize + ?Sized>(
    out: &mut W,
    json: bool,
    value: &T,
    human: impl FnOnce(&mut W, &T) -> io::Result<()>,
) -> anyhow::Result<()> {
    if json {
        serde_json::to_writer(&mut *out, value)?;
        writeln!(out)?;
    } else {
        human(out, value)?;
    }
    Ok(())
}

/// Creates (or opens) the index at `path` and adds `input` with default
/// settings, in one commit: the set-up behind the fixtures index and `eval`.
fn build(
    path: &Path,
    inputs: Vec<PathBuf>,
    show_bar: bool,
) -> anyhow::Result<(Index, hpsearch::IndexSummary)> {
    let index = Index::open_or_create(path)?;
    let mut writer = index.writer(&WriterOptions::default())?;
    let observer = CliObserver::new(show_bar);
    writer.add_paths(&inputs, &IngestOptions::default(), &observer)?;
    let summary = writer.commit_with(&observer)?;
    observer.finish();
    Ok((index, summary))
}

/// Before the first `index` of the user's own articles into the default
/// index: if it holds only the sample articles (built by the first search),
/// it is removed, so that invented outlets never mix with the user's in
/// counts and results. Indexing the sample again keeps it.
fn replace_sample(path: &Path, paths: &[PathBuf]) -> anyhow::Result<()> {
    if paths.is_empty() || !path.join(SAMPLE_MARK).is_file() {
        return Ok(());
    }
    let sample = std::fs::canonicalize(FIXTURES).ok();
    let in_sample = |p: &PathBuf| match (std::fs::canonicalize(p), &sample) {
        (Ok(p), Some(s)) => p.starts_with(s),
        _ => false,
    };
    let missing = |p: &PathBuf| std::fs::symlink_metadata(p).is_err();
    // The sample again, or a path that is not there (refused next).
    if paths.iter().all(in_sample) || paths.iter().any(missing) {
        return Ok(());
    }
    eprintln!(
        "hpsearch: ./{DEFAULT_INDEX} held only the sample articles of ./{FIXTURES}; replacing it with yours"
    );
    std::fs::remove_dir_all(path)
        .with_context(|| format!("cannot remove the sample index {}", path.display()))?;
    Ok(())
}

/// Opens the index for a read command. The default `./index`, when it holds
/// no index yet, is built from `./fixtures` so a fresh clone can search at once.
fn open_for_reading(path: &Path, explicit: bool) -> anyhow::Result<Index> {
    if !explicit && !Index::exists(path) && Path::new(FIXTURES).is_dir() {
        eprintln!(
            "hpsearch: no index in ./{DEFAULT_INDEX} yet; building it from ./{FIXTURES} first"
        );
        let (index, summary) = build(path, vec![PathBuf::from(FIXTURES)], false)?;
        // The first `index` of the user's own articles replaces the sample.
        std::fs::write(
            path.join(SAMPLE_MARK),
            "built from ./fixtures, the sample articles, by the first search\n",
        )
        .with_context(|| format!("cannot write {}", path.join(SAMPLE_MARK).display()))?;
        eprintln!(
            "hpsearch: built ./{DEFAULT_INDEX}: {}",
            render::summary(&summary)
        );
        return Ok(index);
    }
    Ok(Index::open(path)?)
}

fn index(path: &Path, args: IndexArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let date = match &args.date {
        Some(d) => Some(Date::parse(d).with_context(|| {
            format!("cannot read --date {d:?}: use YYYY-MM-DD or a written date such as \"8 April 2025\"")
        })?),
        None => None,
    };
    if args.memory < 16 {
        bail!(
            "--memory {} is too small: give at least 16 (MB)",
            args.memory
        );
    }
    let mut columns = Vec::new();
    for spec in &args.map {
        columns.extend(
            hpsearch::ingest::parse_column_map(spec).map_err(|e| anyhow::anyhow!("--map {e}"))?,
        );
    }
    let outlets = args
        .outlets
        .iter()
        .map(|o| hpsearch::ingest::parse_outlet(o))
        .collect::<Result<Vec<_>, String>>()
        .map_err(|e| anyhow::anyhow!("--outlet {e}"))?;
    let options = IngestOptions {
        source: args.source.clone(),
        date,
        source_from_dir: args.source_from_dir,
        columns,
        outlets,
    };
    // A thesaurus file is read whole before anything is indexed: a bad
    // line stops the run with nothing changed.
    let synonyms = match &args.synonyms {
        Some(file) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read --synonyms {}", file.display()))?;
            hpsearch::thesaurus::Thesaurus::parse(&text, &file.display().to_string())
                .map_err(|e| anyhow::anyhow!("--synonyms {e}; nothing was indexed"))?;
            Some((text, file.display().to_string()))
        }
        None => None,
    };
    // A path that is not there is almost always a typo: say so before an
    // index folder is made for nothing.
    for p in &args.paths {
        if std::fs::symlink_metadata(p).is_err() {
            bail!(
                "{}: no such file or folder; nothing was indexed",
                p.display()
            );
        }
    }
    let index = Index::open_or_create(path)?;
    let mut writer_options = WriterOptions {
        memory_bytes: args.memory << 20,
        threads: args.threads,
        wait: None,
    };
    let mut writer = match index.writer(&writer_options) {
        Err(hpsearch::Error::Busy(_)) if args.wait => {
            eprintln!(
                "hpsearch: another `hpsearch index` run is writing to {}; waiting for it to finish",
                path.display()
            );
            writer_options.wait = Some(std::time::Duration::MAX);
            index.writer(&writer_options)?
        }
        other => other?,
    };
    let observer = CliObserver::new(true);
    writer.add_paths(&args.paths, &options, &observer)?;
    if args.prune {
        writer.prune(&args.paths)?;
    }
    let warnings = observer.warnings.load(Ordering::Relaxed);
    if args.strict && warnings > 0 {
        observer.finish();
        eprintln!("hpsearch: {warnings} warnings with --strict: nothing was committed");
        return Ok(ExitCode::from(2));
    }
    let summary = writer.commit_with(&observer)?;
    observer.finish();
    if let Some((text, origin)) = &synonyms {
        let entries = index.set_synonyms(text, origin)?;
        eprintln!("hpsearch: searches now also use {entries} thesaurus entries from {origin}");
    }
    emit(out, args.json, &summary, |o, s| {
        writeln!(o, "{}", render::summary(s))
    })?;
    Ok(ExitCode::SUCCESS)
}

fn search(
    index: &Index,
    args: SearchArgs,
    out: &mut impl Write,
    style: &Style,
) -> anyhow::Result<ExitCode> {
    let mut request = SearchRequest {
        query: args.query.join(" "),
        syntax: if args.plain {
            Syntax::Plain
        } else {
            Syntax::Query
        },
        limit: args.limit,
        offset: args.offset,
        passages: args.passages,
        ids_only: false,
        feedback: !args.no_feedback,
        collapse: !args.no_collapse,
        ..SearchRequest::default()
    };
    apply_terms(&args.terms, &mut request);
    apply_filters(&args.filters, &mut request)?;
    if let Some(format) = args.format {
        return export(index, request, args.all, format, out);
    }
    let mut results = index.search(&request)?;
    for notice in &results.notices {
        // The human output says it beside the count.
        if args.json || notice != hpsearch::search::FELL_BACK {
            eprintln!("hpsearch: {notice}");
        }
    }
    paths::all_from_here(results.hits.iter_mut().map(|h| &mut h.path));
    emit(out, args.json, &results, |o, r| {
        render::search(o, r, request.offset, args.compact, style)
    })?;
    out.flush()?;
    Ok(if results.total_articles > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `search --format`: the page's hits, or with `all` every matching
/// article (copies too), written one at a time.
fn export(
    index: &Index,
    mut request: SearchRequest,
    all: bool,
    format: cli::FormatArg,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let mut exporter = export::Exporter::new(out, format)?;
    request.passages = request.passages.max(1);
    let matched = if all {
        request.collapse = false;
        index.each_hit(&request, |mut hit| {
            paths::all_from_here([&mut hit.path]);
            exporter.hit(&hit)
        })?
    } else {
        let mut results = index.search(&request)?;
        for notice in &results.notices {
            eprintln!("hpsearch: {notice}");
        }
        paths::all_from_here(results.hits.iter_mut().map(|h| &mut h.path));
        // What is exported is what is counted: the articles with every
        // word, not those listed after them.
        let mut written = 0u64;
        for hit in results.hits.iter().filter(|h| h.missing.is_empty()) {
            exporter.hit(hit)?;
            written += 1;
        }
        if written < results.total_articles {
            eprintln!(
                "hpsearch: wrote {written} of {} matching articles (one page of hits); \
                 add --all to write every one",
                results.total_articles
            );
        }
        results.total_articles
    };
    exporter.finish()?;
    Ok(if matched > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Sets how the request's words match from the flags.
fn apply_terms(terms: &cli::TermsArgs, request: &mut SearchRequest) {
    request.words = if terms.any { Words::Any } else { Words::All };
    request.expand = !terms.exact_terms;
    request.successors = terms.successors;
}

/// Sets the request's sources, period and order from the flags.
fn apply_filters(filters: &FilterArgs, request: &mut SearchRequest) -> anyhow::Result<()> {
    apply_selection(&filters.select, request)?;
    request.sort = match filters.sort {
        SortArg::Relevance => Sort::Relevance,
        SortArg::Date => Sort::Date,
    };
    Ok(())
}

/// Sets the request's sources and period from the flags.
fn apply_selection(filters: &SelectArgs, request: &mut SearchRequest) -> anyhow::Result<()> {
    let period = |flag: &str, v: &Option<String>| -> anyhow::Result<Option<Period>> {
        v.as_deref()
            .map(|s| {
                s.parse::<Period>()
                    .map_err(|e| anyhow::anyhow!("{flag}: {e}"))
            })
            .transpose()
    };
    request.sources = filters.sources.clone();
    request.exclude_sources = filters.exclude_sources.clone();
    request.period(
        period("--since", &filters.since)?,
        period("--until", &filters.until)?,
    );
    request.with_undated = filters.with_undated;
    Ok(())
}

/// One query per input line; per query, one JSON line per hit, best first,
/// then an empty line, flushed, so a caller can read answers as they come.
/// A line that yields an error gets one `{"error", "line", "query"}` object
/// instead, and the next lines are answered as usual. A fault inside the
/// engine on one line (a bug: it is reported on stderr) is answered the same
/// way; the run then ends with status 2 once every line is answered.
fn batch(index: &Index, args: &BatchArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let mut template = SearchRequest::new("");
    template.limit = args.limit;
    template.passages = args.passages;
    if args.plain {
        template.syntax = Syntax::Plain;
    }
    // Lines are often natural-language text: any word, unless asked.
    template.words = if args.all_words {
        Words::All
    } else {
        Words::Any
    };
    template.expand = !args.exact_terms;
    template.successors = args.successors;
    apply_filters(&args.filters, &mut template)?;
    let filtered = !template.sources.is_empty() || !template.exclude_sources.is_empty();
    if filtered || template.since.is_some() || template.until.is_some() {
        // A flag that no line can satisfy (an unknown source, a reversed
        // period) is an error before any line is read, not one per line.
        let mut check = template.clone();
        check.limit = 0;
        check.ids_only = true;
        check.feedback = false;
        index.search(&check)?;
    }
    let stdin = io::stdin();
    let mut line = String::new();
    let mut number: u64 = 0;
    let mut faults = 0;
    loop {
        line.clear();
        if stdin
            .lock()
            .read_line(&mut line)
            .context("cannot read standard input")?
            == 0
        {
            break;
        }
        number += 1;
        let query = line.trim_end_matches(['\n', '\r']);
        if query.trim().is_empty() {
            // A blank line asks nothing: an empty answer, not every article.
            writeln!(out)?;
            out.flush()?;
            continue;
        }
        let request = SearchRequest {
            query: query.to_string(),
            ..template.clone()
        };
        // The index is only read, so a fault leaves nothing half-done.
        let answer =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| index.search(&request)));
        let error = match answer {
            Ok(Ok(mut results)) => {
                for hit in &mut results.hits {
                    paths::all_from_here([&mut hit.path]);
                    serde_json::to_writer(&mut *out, hit)?;
                    writeln!(out)?;
                }
                None
            }
            Ok(Err(e)) => Some(e.to_string()),
            Err(_) => {
                faults += 1;
                Some("internal error while answering this query (a bug in hpsearch: please report it with the query)".to_string())
            }
        };
        if let Some(error) = error {
            let object = serde_json::json!({ "error": error, "line": number, "query": query });
            serde_json::to_writer(&mut *out, &object)?;
            writeln!(out)?;
        }
        writeln!(out)?;
        out.flush()?;
    }
    Ok(if faults > 0 {
        eprintln!("hpsearch: error: {faults} of {number} queries failed inside hpsearch");
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// Removes articles by id in one commit. Exit status 1 if an id is unknown.
fn rm(path: &Path, explicit: bool, args: RmArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let index = open_for_reading(path, explicit)?;
    let mut writer = index.writer(&WriterOptions::default())?;
    let mut missing = 0;
    for id in &args.ids {
        if !writer.remove(id)? {
            eprintln!("hpsearch: no article with id {id:?} in {}", path.display());
            missing += 1;
        }
    }
    let summary = writer.commit()?;
    emit(out, args.json, &summary, |o, s| {
        writeln!(o, "{}", render::summary(s))
    })?;
    Ok(if missing > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Indexes the collection's corpus (into `--index` if given and not yet built
/// there, else into a temporary folder), runs its queries, prints metrics.
fn eval(
    index_dir: Option<&Path>,
    args: EvalArgs,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let mut collection = hpsearch::eval::Collection::load(&args.dir)?;
    if let Some(fold) = args.fold {
        collection.keep_fold(fold);
    }
    let temp = std::env::temp_dir().join(format!("hpsearch-eval-{}", std::process::id()));
    let dir = index_dir.unwrap_or(&temp);
    let index = if Index::exists(dir) {
        Index::open(dir)?
    } else {
        let (index, summary) = build(dir, collection.corpora.clone(), true)?;
        eprintln!(
            "hpsearch: indexed {}: {}",
            args.dir.display(),
            render::summary(&summary)
        );
        index
    };
    let ask = hpsearch::eval::Ask {
        as_search: args.search,
        expand: !args.exact_terms,
    };
    let result = hpsearch::eval::run(&index, &collection, ask);
    if index_dir.is_none() {
        drop(index);
        let _ = std::fs::remove_dir_all(&temp);
    }
    let (metrics, runs) = result?;
    if let Some(path) = &args.run {
        let mut f = io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        );
        hpsearch::eval::write_trec(&mut f, &runs, &args.tag)?;
        f.flush()?;
    }
    emit(out, args.json, &metrics, |out, metrics| {
        writeln!(
            out,
            "{}: {} judged queries",
            args.dir.display(),
            metrics.queries
        )?;
        writeln!(out, "nDCG@10     {:.4}", metrics.ndcg_at_10)?;
        writeln!(out, "Recall@100  {:.4}", metrics.recall_at_100)?;
        writeln!(out, "MAP@100     {:.4}", metrics.map_at_100)?;
        writeln!(
            out,
            "latency     p50 {:.2} ms, p95 {:.2} ms",
            metrics.latency_p50_ms, metrics.latency_p95_ms
        )
    })?;
    Ok(ExitCode::SUCCESS)
}
