//! Command-line definitions (clap) and nothing else.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Full-text search for health-policy articles.
#[derive(Debug, Parser)]
#[command(name = "hpsearch", version, about, max_term_width = 100)]
pub struct Cli {
    /// Index folder [default: $HPSEARCH_INDEX, else ./index]
    #[arg(long, global = true, value_name = "DIR", env = "HPSEARCH_INDEX")]
    pub index: Option<PathBuf>,

    /// When to colour the output: auto (a terminal, without NO_COLOR),
    /// always (for `less -R`), never
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorArg::Auto)]
    pub color: ColorArg,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add files and folders (recursively) to the index
    Index(IndexArgs),
    /// Search the index
    Search(SearchArgs),
    /// Count the articles a query matches per year, month, week or day (and
    /// per source): a chart, CSV or JSON
    Timeline(TimelineArgs),
    /// Print one article
    Show(ShowArgs),
    /// List sources with their article counts
    Sources(JsonFlag),
    /// Show what the index holds and what the last run did
    Stats(JsonFlag),
    /// Answer one query per line of standard input with JSON lines (for scripts)
    Batch(BatchArgs),
    /// Answer searches, timelines and exports over HTTP, as JSON (the README
    /// lists the endpoints)
    Serve(ServeArgs),
    /// Show the other names a search for a name also searches, and why
    Synonyms(SynonymsArgs),
    /// Remove articles by id
    Rm(RmArgs),
    /// Measure ranking on a judged collection (corpus.jsonl, queries.jsonl, qrels.tsv)
    Eval(EvalArgs),
    /// Print a completion script for a shell (see the README to install it)
    Completions(CompletionsArgs),
    /// Print the manual page (roff), or write every command's page to a folder
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on (0: one the system picks; the address is printed)
    #[arg(long, default_value_t = 7700)]
    pub port: u16,
    /// Address to listen on. Another than the loopback makes the index readable
    /// by anyone who can reach this machine
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: std::net::IpAddr,
    /// Requests answered at once; more wait their turn
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub threads: usize,
}

#[derive(Debug, Args)]
pub struct SynonymsArgs {
    /// A word or name, as in a query: GP, "junior doctor", a&e
    #[arg(required = true, value_name = "NAME", num_args = 1..)]
    pub name: Vec<String>,
    /// Also show the names that came before or after it
    #[arg(long)]
    pub successors: bool,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// How a query's words match.
#[derive(Debug, Args)]
pub struct TermsArgs {
    /// Match articles with any of the words, best first, not only those with
    /// every word
    #[arg(long)]
    pub any: bool,
    /// Search only the names typed, not their other names from the thesaurus
    /// (`hpsearch synonyms NAME` shows them)
    #[arg(long)]
    pub exact_terms: bool,
    /// Also search the names that came before or after a name (PCT, CCG, ICB)
    #[arg(long, conflicts_with = "exact_terms")]
    pub successors: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write hpsearch.1 and a page per command (hpsearch-search.1, ...) into
    /// this folder instead of printing hpsearch.1
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Folder with queries.jsonl, qrels.tsv and the articles: corpus.jsonl,
    /// or a file `corpora` naming JSONL files (a path a line, from the folder)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Ask each query as `search` does by default (the query language, every
    /// word counted, copies collapsed and credited right after their hit),
    /// not as plain text ranked by any word
    #[arg(long)]
    pub search: bool,
    /// Write a TREC run file (qid Q0 docid rank score tag), 100 articles per query
    #[arg(long, value_name = "FILE")]
    pub run: Option<PathBuf>,
    /// Evaluate half of the queries only: 1 = the 1st, 3rd, 5th... of
    /// queries.jsonl, 2 = the 2nd, 4th... (tune on one half, report the other)
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub fold: Option<u8>,
    /// Tag written in the last column of the run file
    #[arg(long, default_value = "hpsearch")]
    pub tag: String,
    /// Search only the words of each query, not the other names the
    /// thesaurus knows for them
    #[arg(long)]
    pub exact_terms: bool,
    /// Print the metrics as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Files (.txt, .md, .html, .jsonl, .csv, .tsv) and folders to index
    #[arg(required_unless_present = "synonyms", value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Thesaurus entries of your own, searched beside the built-in ones
    /// (format in the README); replaces a file given before, and an empty
    /// file removes it
    #[arg(long, value_name = "FILE")]
    pub synonyms: Option<PathBuf>,
    /// Remove the articles of files under PATH... that no longer exist
    #[arg(long)]
    pub prune: bool,
    /// CSV columns for article fields, as FIELD=COLUMN pairs (text, title, source,
    /// date, url, id, author), comma-separated or repeated: --map text=body,date=published
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    pub map: Vec<String>,
    /// Outlet name for a web domain (--outlet wessexecho.example="Wessex Echo"),
    /// or one source name merged into another (--outlet "NYT Health=The New York
    /// Times"); repeatable. Sources that are web hosts also go through a built-in
    /// table of outlets
    #[arg(long = "outlet", value_name = "DOMAIN=NAME|NAME=NAME")]
    pub outlets: Vec<String>,
    /// Source for articles that name none
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// Date for articles that give none (YYYY-MM-DD or a written date)
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Use a file's folder name as its source when nothing else names one
    #[arg(long)]
    pub source_from_dir: bool,
    /// Memory budget for indexing, in MB: tantivy's buffers, and the most
    /// one merge of segments reads
    #[arg(long, value_name = "MB", default_value_t = hpsearch::write::DEFAULT_MEMORY_BYTES >> 20)]
    pub memory: usize,
    /// Indexing threads [default: number of cores]
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Treat any warning as an error: commit nothing and exit with status 2
    #[arg(long)]
    pub strict: bool,
    /// If another `index` run is writing to the index, wait for it to finish
    /// instead of failing
    #[arg(long)]
    pub wait: bool,
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query: words (every one required), "a phrase" (in any form),
    /// exact:"as written", prefix*, AND, OR, +required, -excluded, (groups),
    /// title:word, source:NAME. Quote it in the shell; put `--` before a query
    /// that starts with `-`
    #[arg(required = true, value_name = "QUERY", num_args = 1..)]
    pub query: Vec<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Articles to show
    #[arg(long, short = 'n', default_value_t = 10)]
    pub limit: usize,
    /// Articles to skip (for paging)
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Best passages shown per article
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub passages: usize,
    /// Read the query as plain text: no operators, punctuation is just text
    #[arg(long)]
    pub plain: bool,
    #[command(flatten)]
    pub terms: TermsArgs,
    /// Rank without pseudo-relevance feedback (words the best articles share)
    #[arg(long)]
    pub no_feedback: bool,
    /// Show every copy of a story as its own hit (by default copies are folded
    /// into the best one, listed as "also in")
    #[arg(long)]
    pub no_collapse: bool,
    /// One line per hit: date, source, title
    #[arg(long, conflicts_with = "json")]
    pub compact: bool,
    /// Print one JSON document (schema in the README)
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Write the hits for other tools: csv (id, title, source, date, url,
    /// path, score, best passage), jsonl (one hit a line), ris or bibtex
    /// (for reference managers)
    #[arg(long, value_enum, conflicts_with = "compact")]
    pub format: Option<FormatArg>,
    /// With --format: every matching article, each copy of a story its own
    /// row, not only a page (written as it is read)
    #[arg(long, requires = "format")]
    pub all: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Csv,
    Jsonl,
    Ris,
    Bibtex,
}

#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// The query, as for `search`
    #[arg(required = true, value_name = "QUERY", num_args = 1..)]
    pub query: Vec<String>,
    #[command(flatten)]
    pub select: SelectArgs,
    /// Length of each interval [default: years if the matches span more than
    /// three years, else months]
    #[arg(long, value_enum)]
    pub interval: Option<IntervalArg>,
    /// One row per source as well as the totals
    #[arg(long, value_enum, value_name = "WHAT")]
    pub by: Option<ByArg>,
    /// With --by source: rows for the N sources with most matches, the rest
    /// in one row (0 for every source)
    #[arg(long, value_name = "N", default_value_t = 10, requires = "by")]
    pub top: usize,
    /// Read the query as plain text: no operators
    #[arg(long)]
    pub plain: bool,
    #[command(flatten)]
    pub terms: TermsArgs,
    /// Print CSV: one row per interval, a column per source row
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// Print one JSON document
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum IntervalArg {
    Year,
    Month,
    Week,
    Day,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ByArg {
    Source,
}

/// Which articles a search looks at: shared by `search`, `batch` and
/// `timeline`.
#[derive(Debug, Args)]
pub struct SelectArgs {
    /// Only articles from this source (repeat for any of several)
    #[arg(long = "source", value_name = "NAME")]
    pub sources: Vec<String>,
    /// Leave out articles from this source (repeatable)
    #[arg(long = "exclude-source", value_name = "NAME")]
    pub exclude_sources: Vec<String>,
    /// Only articles dated on or after this (YYYY, YYYY-MM, YYYY-MM-DD, or
    /// written: "March 2014", "8 April 2025")
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only articles dated on or before this (as --since)
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// With --since or --until: keep the articles that have no date too
    /// (left out, and counted in a notice, by default)
    #[arg(long)]
    pub with_undated: bool,
}

/// Which articles a search looks at, and in what order: shared by `search`
/// and `batch`.
#[derive(Debug, Args)]
pub struct FilterArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// Order of results
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
}

#[derive(Debug, Args)]
pub struct BatchArgs {
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Hits per query
    #[arg(long, short = 'n', default_value_t = 10)]
    pub limit: usize,
    /// Best passages per hit, with highlights
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub passages: usize,
    /// Read each line as plain text: no operators
    #[arg(long)]
    pub plain: bool,
    /// Match only articles with every word of a line, as `search` does
    /// (lines match any word by default)
    #[arg(long, alias = "all")]
    pub all_words: bool,
    /// Search only the words of each line, not the other names the
    /// thesaurus knows for them
    #[arg(long)]
    pub exact_terms: bool,
    /// Also search the names that came before or after a name
    #[arg(long, conflicts_with = "exact_terms")]
    pub successors: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SortArg {
    Relevance,
    Date,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Article id (as printed by `search`)
    pub id: String,
    /// Print the article as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RmArgs {
    /// Ids of the articles to remove (as printed by `search`)
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}
