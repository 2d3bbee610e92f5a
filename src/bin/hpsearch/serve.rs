//! `hpsearch serve`: the index over HTTP, for programs in other languages
//! and notebooks, and the research page (`page.rs`) for people. Every answer is the JSON the command line's `--json`
//! prints (exports are the files `search --format --all` writes), so one
//! schema serves both.
//!
//! The server is tiny_http's: HTTP/1.1 parsing and keep-alive are its, a
//! fixed pool of threads here takes requests from its queue, so a slow
//! export holds one thread and searches go on in the others. Requests are
//! GET only, their target at most [`MAX_TARGET_BYTES`]; a fault inside a
//! request's handling is answered with a 500 and the thread goes on.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;

use clap::ValueEnum;
use hpsearch::{Index, Interval, Period, SearchRequest, Sort, Syntax, TimelineRequest, Words};
use serde::Serialize;
use tiny_http::{Header, Method, Request, Response, Server, StatusCode};

use crate::cli::FormatArg;
use crate::export::Exporter;
use crate::page;
use crate::render::SourceListed;

/// The longest request target read: room for the longest query a search
/// takes (100,000 bytes), percent-encoded, and its filters.
const MAX_TARGET_BYTES: usize = 320 * 1024;
/// The most hits one search answers with (`limit`); every match is in an
/// export.
const MAX_LIMIT: usize = 1000;
/// The most passages per hit.
const MAX_PASSAGES: usize = 20;

/// Serves `index` on `bind:port` (port 0: one the system picks) with
/// `threads` threads, until the process is stopped. Prints the address on
/// standard output first.
pub fn run(index: Index, bind: IpAddr, port: u16, threads: usize) -> anyhow::Result<ExitCode> {
    let server = Server::http(SocketAddr::new(bind, port))
        .map_err(|e| anyhow::anyhow!("cannot listen on {bind} port {port}: {e}"))?;
    let addr = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| anyhow::anyhow!("not listening on an IP address"))?;
    if !bind.is_loopback() {
        eprintln!(
            "hpsearch: warning: listening on {bind}: anyone who can reach this machine on port {} can read the index",
            addr.port()
        );
    }
    let mut out = std::io::stdout();
    writeln!(out, "http://{addr}/")?;
    out.flush()?;
    eprintln!(
        "hpsearch: serving {} (Ctrl-C stops)",
        index.path().display()
    );
    let server = Arc::new(server);
    let index = Arc::new(index);
    let workers: Vec<_> = (0..threads.max(1))
        .map(|_| {
            let (server, index) = (server.clone(), index.clone());
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    handle(&index, request);
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
    Ok(ExitCode::SUCCESS)
}

/// What a request is answered with.
enum Answer {
    Json(u16, Vec<u8>),
    Html(String),
    /// An export: its content type, file name, and the stream of its bytes.
    Stream(&'static str, String, std::io::PipeReader),
}

/// A request that cannot be answered: its status, and what to say.
struct Problem {
    status: u16,
    error: String,
    hint: Option<String>,
}

impl Problem {
    fn bad(error: impl Into<String>, hint: Option<String>) -> Problem {
        Problem {
            status: 400,
            error: error.into(),
            hint,
        }
    }
}

impl From<hpsearch::Error> for Problem {
    fn from(e: hpsearch::Error) -> Problem {
        use hpsearch::Error as E;
        let (status, hint) = match &e {
            E::Query { .. } => (
                400,
                Some("the query syntax is in the README (Queries)".into()),
            ),
            E::InvalidRequest(_) | E::EmptyPeriod { .. } => (400, None),
            E::UnknownSource { .. } => (400, Some("GET /api/sources lists the sources".into())),
            E::NoIndex(_)
            | E::NotAnIndex(_)
            | E::IncompatibleIndex { .. }
            | E::Corrupted { .. } => (503, Some("index the files again, then ask again".into())),
            _ => (500, None),
        };
        Problem {
            status,
            error: e.to_string(),
            hint,
        }
    }
}

fn handle(index: &Arc<Index>, request: Request) {
    let target = request.url().to_string();
    let answer = if target.len() > MAX_TARGET_BYTES {
        Err(Problem {
            status: 414,
            error: format!(
                "the request is {} bytes long; hpsearch reads requests of up to {MAX_TARGET_BYTES}",
                target.len()
            ),
            hint: None,
        })
    } else if !matches!(request.method(), Method::Get | Method::Head) {
        Err(Problem {
            status: 405,
            error: format!("{} is not answered here; use GET", request.method()),
            hint: None,
        })
    } else {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| route(index, &target)))
            .unwrap_or_else(|_| {
                Err(Problem {
                    status: 500,
                    error:
                        "an internal fault (a bug: it is reported on the server's standard error)"
                            .into(),
                    hint: None,
                })
            })
    };
    let json =
        Header::from_bytes(&b"Content-Type"[..], &b"application/json"[..]).expect("a header");
    let _ = match answer {
        Ok(Answer::Json(status, body)) => request.respond(
            Response::from_data(body)
                .with_status_code(status)
                .with_header(json),
        ),
        Ok(Answer::Html(page)) => {
            let html = Header::from_bytes(&b"Content-Type"[..], &b"text/html; charset=utf-8"[..])
                .expect("a header");
            request.respond(Response::from_string(page).with_header(html))
        }
        Ok(Answer::Stream(kind, name, body)) => {
            let headers = vec![
                Header::from_bytes(&b"Content-Type"[..], kind.as_bytes()).expect("a header"),
                Header::from_bytes(
                    &b"Content-Disposition"[..],
                    format!("attachment; filename=\"{name}\"").as_bytes(),
                )
                .expect("a header"),
            ];
            request.respond(Response::new(StatusCode(200), headers, body, None, None))
        }
        Err(p) => {
            #[derive(Serialize)]
            struct Body<'a> {
                error: &'a str,
                #[serde(skip_serializing_if = "Option::is_none")]
                hint: Option<&'a str>,
            }
            let body = serde_json::to_vec(&Body {
                error: &p.error,
                hint: p.hint.as_deref(),
            })
            .expect("a string serialises");
            request.respond(
                Response::from_data(body)
                    .with_status_code(p.status)
                    .with_header(json),
            )
        }
    };
}

/// The endpoints, as `/` and `/api` list them.
const ENDPOINTS: &[&str] = &[
    "GET /api/search?q=QUERY",
    "GET /api/timeline?q=QUERY",
    "GET /api/export?q=QUERY&format=csv|jsonl|ris|bibtex",
    "GET /api/article/ID",
    "GET /api/sources",
    "GET /api/stats",
];

fn route(index: &Arc<Index>, target: &str) -> Result<Answer, Problem> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let params = Params(
        form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect(),
    );
    match path.trim_end_matches('/') {
        "" => {
            // The page keeps what it knows of the address and passes over
            // the rest; a filter it cannot apply is said on the page.
            let kept = Params(
                params
                    .0
                    .into_iter()
                    .filter(|(k, _)| page::PARAMS.contains(&k.as_str()))
                    .collect(),
            );
            let page = match search_request(&kept) {
                Ok(request) => page::render(index, &kept.0, request),
                Err(p) => page::render_problem(&kept.0, &p.error),
            };
            Ok(Answer::Html(page))
        }
        "/api" => json(&serde_json::json!({
            "hpsearch": env!("CARGO_PKG_VERSION"),
            "json_schema_version": hpsearch::JSON_SCHEMA_VERSION,
            "endpoints": ENDPOINTS,
        })),
        "/api/search" => {
            params.only(&[SELECT_PARAMS, PAGE_PARAMS])?;
            json(&index.search(&search_request(&params)?)?)
        }
        "/api/timeline" => {
            params.only(&[SELECT_PARAMS, &["interval", "by", "top"]])?;
            json(&index.timeline(&timeline_request(&params)?)?)
        }
        "/api/export" => {
            params.only(&[SELECT_PARAMS, PAGE_PARAMS, &["format"]])?;
            export(index, &params)
        }
        "/api/sources" => {
            params.only(&[])?;
            json(&SourceListed::list(
                index.sources()?,
                index.merged_sources()?,
            ))
        }
        "/api/stats" => {
            params.only(&[])?;
            json(&index.stats()?)
        }
        p if p.starts_with("/api/article/") => {
            params.only(&[])?;
            let id = percent_decoded(&p["/api/article/".len()..]).ok_or_else(|| {
                Problem::bad("the article id is not valid percent-encoded UTF-8", None)
            })?;
            match index.article(&id)? {
                Some(article) => {
                    #[derive(Serialize)]
                    struct WithCopies {
                        #[serde(flatten)]
                        article: hpsearch::Article,
                        copies: Vec<hpsearch::OtherCopy>,
                    }
                    let copies = index.copies(&id)?;
                    json(&WithCopies { article, copies })
                }
                None => Err(Problem {
                    status: 404,
                    error: format!("no article with id {id:?}"),
                    hint: None,
                }),
            }
        }
        other => Err(Problem {
            status: 404,
            error: format!("nothing at {other}"),
            hint: Some(format!("the endpoints: {}", ENDPOINTS.join(", "))),
        }),
    }
}

fn json(value: &impl Serialize) -> Result<Answer, Problem> {
    let body = serde_json::to_vec(value).map_err(|e| Problem {
        status: 500,
        error: e.to_string(),
        hint: None,
    })?;
    Ok(Answer::Json(200, body))
}

/// Every match of the request, written by the exporter of
/// `search --format F --all` as the client reads it.
fn export(index: &Arc<Index>, params: &Params) -> Result<Answer, Problem> {
    let name = params.one("format").ok_or_else(|| {
        Problem::bad(
            "format is required",
            Some("format=csv, jsonl, ris or bibtex".into()),
        )
    })?;
    let format = FormatArg::from_str(name, true).map_err(|_| {
        Problem::bad(
            format!("format={name} is not a format hpsearch writes"),
            Some("format=csv, jsonl, ris or bibtex".into()),
        )
    })?;
    let (kind, ext) = match format {
        FormatArg::Csv => ("text/csv; charset=utf-8", "csv"),
        FormatArg::Jsonl => ("application/x-ndjson", "jsonl"),
        FormatArg::Ris => ("application/x-research-info-systems", "ris"),
        FormatArg::Bibtex => ("application/x-bibtex; charset=utf-8", "bib"),
    };
    let mut request = search_request(params)?;
    request.passages = request.passages.max(1);
    request.collapse = false;
    // A query that cannot be answered is a 4xx before the 200 goes out.
    let mut check = request.clone();
    check.limit = 0;
    check.passages = 0;
    index.search(&check)?;
    let (reader, writer) = std::io::pipe().map_err(|e| Problem {
        status: 500,
        error: format!("cannot stream the export: {e}"),
        hint: None,
    })?;
    let index = index.clone();
    std::thread::spawn(move || {
        let written = (|| -> anyhow::Result<()> {
            let mut exporter = Exporter::new(std::io::BufWriter::new(writer), format)?;
            index.each_hit(&request, |hit| exporter.hit(&hit))?;
            exporter.finish()
        })();
        // A client that goes away mid-export is no fault of the server's.
        if let Err(e) = written
            && !e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            })
        {
            eprintln!("hpsearch: an export stopped: {e}");
        }
    });
    Ok(Answer::Stream(
        kind,
        format!("hpsearch-export.{ext}"),
        reader,
    ))
}

/// The parameters every search takes, beside `q`.
const SELECT_PARAMS: &[&str] = &[
    "q",
    "plain",
    "source",
    "exclude_source",
    "since",
    "until",
    "with_undated",
    "any",
    "exact_terms",
    "successors",
];
/// And those of `/api/search` and `/api/export` beside.
const PAGE_PARAMS: &[&str] = &[
    "sort",
    "limit",
    "offset",
    "passages",
    "no_feedback",
    "no_collapse",
];

/// The request's query parameters, in order, decoded.
struct Params(Vec<(String, String)>);

impl Params {
    /// Refuses a parameter that is in none of the `known` lists.
    fn only(&self, known: &[&[&str]]) -> Result<(), Problem> {
        let all: Vec<&str> = known.iter().flat_map(|k| k.iter().copied()).collect();
        match self.0.iter().find(|(k, _)| !all.contains(&k.as_str())) {
            Some((k, _)) => Err(Problem::bad(
                format!("unknown parameter {k:?}"),
                Some(match all.is_empty() {
                    true => "this endpoint takes no parameters".into(),
                    false => format!("this endpoint takes {}", all.join(", ")),
                }),
            )),
            None => Ok(()),
        }
    }

    /// The last value given for `key`.
    fn one(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value given for `key`, in order.
    fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// A switch: absent, or `1`, `true`, `yes` (or nothing: `?any`) for on,
    /// `0`, `false`, `no` for off.
    fn flag(&self, key: &str) -> Result<bool, Problem> {
        match self.one(key) {
            None => Ok(false),
            Some("" | "1" | "true" | "yes") => Ok(true),
            Some("0" | "false" | "no") => Ok(false),
            Some(v) => Err(Problem::bad(format!("{key}={v}: give true or false"), None)),
        }
    }

    fn number(&self, key: &str, default: usize, max: usize) -> Result<usize, Problem> {
        match self.one(key) {
            None => Ok(default),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if n <= max => Ok(n),
                _ => Err(Problem::bad(
                    format!("{key}={v}: give a whole number from 0 to {max}"),
                    None,
                )),
            },
        }
    }

    fn period(&self, key: &str) -> Result<Option<Period>, Problem> {
        self.one(key)
            .map(|v| {
                v.parse::<Period>().map_err(|e| {
                    Problem::bad(
                        format!("{key}={v}: {e}"),
                        Some(
                            "YYYY, YYYY-MM, YYYY-MM-DD or a written date such as March 2014".into(),
                        ),
                    )
                })
            })
            .transpose()
    }
}

/// The filters and words shared by searches, timelines and exports.
fn selection(params: &Params, request: &mut SearchRequest) -> Result<(), Problem> {
    request.query = params.one("q").unwrap_or("").to_string();
    if params.flag("plain")? {
        request.syntax = Syntax::Plain;
    }
    request.sources = params.all("source");
    request.exclude_sources = params.all("exclude_source");
    request.period(params.period("since")?, params.period("until")?);
    request.with_undated = params.flag("with_undated")?;
    request.words = if params.flag("any")? {
        Words::Any
    } else {
        Words::All
    };
    request.expand = !params.flag("exact_terms")?;
    request.successors = params.flag("successors")?;
    Ok(())
}

fn search_request(params: &Params) -> Result<SearchRequest, Problem> {
    let mut request = SearchRequest::default();
    selection(params, &mut request)?;
    request.sort = match params.one("sort") {
        None | Some("relevance") => Sort::Relevance,
        Some("date") => Sort::Date,
        Some(v) => {
            return Err(Problem::bad(
                format!("sort={v}: give relevance or date"),
                None,
            ));
        }
    };
    request.limit = params.number("limit", 10, MAX_LIMIT)?;
    request.offset = params.number("offset", 0, usize::MAX)?;
    request.passages = params.number("passages", 2, MAX_PASSAGES)?;
    request.feedback = !params.flag("no_feedback")?;
    request.collapse = !params.flag("no_collapse")?;
    Ok(request)
}

fn timeline_request(params: &Params) -> Result<TimelineRequest, Problem> {
    let mut request = TimelineRequest::new("");
    selection(params, &mut request.search)?;
    request.interval = match params.one("interval") {
        None => None,
        Some("year") => Some(Interval::Year),
        Some("month") => Some(Interval::Month),
        Some("week") => Some(Interval::Week),
        Some("day") => Some(Interval::Day),
        Some(v) => {
            return Err(Problem::bad(
                format!("interval={v}: give year, month, week or day"),
                None,
            ));
        }
    };
    request.by_source = match params.one("by") {
        None => false,
        Some("source") => true,
        Some(v) => return Err(Problem::bad(format!("by={v}: give source"), None)),
    };
    request.top = params.number("top", 10, usize::MAX)?;
    Ok(request)
}

/// A path segment with its `%XX` escapes decoded; `None` if an escape is
/// broken or the bytes are not UTF-8.
fn percent_decoded(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_in_paths() {
        assert_eq!(percent_decoded("abc%2F1").as_deref(), Some("abc/1"));
        assert_eq!(percent_decoded("caf%C3%A9").as_deref(), Some("café"));
        assert_eq!(percent_decoded("a+b").as_deref(), Some("a+b"));
        assert_eq!(percent_decoded("bad%2"), None);
        assert_eq!(percent_decoded("bad%zz"), None);
        assert_eq!(percent_decoded("%FF"), None);
    }

    #[test]
    fn parameters_are_checked() {
        let p = Params(vec![
            ("q".into(), "nhs".into()),
            ("limit".into(), "5000".into()),
        ]);
        assert!(search_request(&p).is_err());
        let p = Params(vec![("any".into(), "maybe".into())]);
        assert!(search_request(&p).is_err());
        let p = Params(vec![
            ("q".into(), "pay".into()),
            ("source".into(), "A".into()),
            ("source".into(), "B".into()),
            ("any".into(), "".into()),
        ]);
        let r = search_request(&p).ok().unwrap();
        assert_eq!(r.sources, ["A", "B"]);
        assert_eq!(r.words, Words::Any);
        assert!(p.only(&[&["q"]]).is_err());
    }
}
