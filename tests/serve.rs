//! `hpsearch serve` on the headlines collection: its answers are the
//! command line's, bad requests get 4xx JSON and the server goes on, many
//! requests at once are all answered, a commit by another process is seen,
//! and it listens on the loopback by default.

mod common;

use std::io::{BufRead, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use common::{hp, run, shared};
use serde_json::Value;

/// The headlines indexed once for this test binary.
fn headlines() -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let r = run(hp(&dir.path().join("idx"))
            .arg("index")
            .arg(shared("corpora/health-news-tweets/corpus.jsonl")));
        assert_eq!(r.code, 0, "{}", r.stderr);
        dir
    });
    dir.path().join("idx")
}

/// A server on a port of the system's choosing, stopped when dropped.
struct Served {
    child: Child,
    /// `127.0.0.1:PORT`.
    addr: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(index: &Path) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hpsearch"))
        .env_remove("HPSEARCH_INDEX")
        .arg("--index")
        .arg(index)
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("http://")
        .and_then(|a| a.strip_suffix('/'))
        .unwrap_or_else(|| panic!("no address printed: {line:?}"))
        .to_string();
    Served { child, addr }
}

/// What a request got: its status, its headers (lower-cased names) and its
/// body, the chunks of a chunked body joined.
struct Got {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Got {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn request(addr: &str, method: &str, target: &str) -> Got {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(raw[..end].to_vec()).unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let at = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size = usize::from_str_radix(std::str::from_utf8(&rest[..at]).unwrap().trim(), 16)
                .unwrap();
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[at + 2..at + 2 + size]);
            rest = &rest[at + 2 + size + 2..];
        }
        body = out;
    }
    Got {
        status,
        headers,
        body,
    }
}

fn get(addr: &str, target: &str) -> Got {
    request(addr, "GET", target)
}

/// `hpsearch ARGS --json` on the same index, parsed.
fn cli_json(index: &Path, args: &[&str]) -> Value {
    let r = run(hp(index).args(args).arg("--json"));
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stderr))
}

/// The parts of a search answer that do not depend on where it is asked
/// from (the command line shows paths from the current folder).
fn comparable(v: &Value) -> Value {
    let mut v = v.clone();
    for hit in v["hits"].as_array_mut().unwrap() {
        hit.as_object_mut().unwrap().remove("path");
    }
    v
}

#[test]
fn answers_are_the_command_lines() {
    let index = headlines();
    let s = serve(&index);
    assert!(
        s.addr.starts_with("127.0.0.1:"),
        "loopback by default: {}",
        s.addr
    );

    let api = get(&s.addr, "/api/search?q=ebola&limit=20");
    assert_eq!(api.status, 200);
    assert_eq!(api.header("content-type"), Some("application/json"));
    let cli = cli_json(&index, &["search", "ebola", "-n", "20"]);
    assert_eq!(comparable(&api.json()), comparable(&cli));
    assert_eq!(api.json()["total_articles"], 4458);

    let api = get(
        &s.addr,
        "/api/search?q=vaccine&source=Reuters%20Health&source=NPR%20Health&since=2013&sort=date&offset=5",
    );
    let cli = cli_json(
        &index,
        &[
            "search",
            "vaccine",
            "--source",
            "Reuters Health",
            "--source",
            "NPR Health",
            "--since",
            "2013",
            "--sort",
            "date",
            "--offset",
            "5",
        ],
    );
    assert_eq!(comparable(&api.json()), comparable(&cli));

    let api = get(
        &s.addr,
        "/api/timeline?q=ebola&by=source&top=3&interval=month",
    );
    let cli = cli_json(
        &index,
        &[
            "timeline",
            "ebola",
            "--by",
            "source",
            "--top",
            "3",
            "--interval",
            "month",
        ],
    );
    assert_eq!(api.json(), cli);

    for (path, args) in [
        ("/api/sources", &["sources"][..]),
        ("/api/stats", &["stats"][..]),
    ] {
        let mut api = get(&s.addr, path).json();
        let mut cli = cli_json(&index, args);
        if let (Some(a), Some(c)) = (api.as_object_mut(), cli.as_object_mut()) {
            a.remove("path");
            c.remove("path");
        }
        assert_eq!(api, cli, "{path}");
    }

    // The export is every match, as `search --format csv --all` writes it.
    let api = get(&s.addr, "/api/export?q=ebola&format=csv");
    assert_eq!(api.status, 200);
    assert!(
        api.header("content-disposition")
            .unwrap()
            .contains("hpsearch-export.csv")
    );
    let cli = run(hp(&index).args(["search", "ebola", "--format", "csv", "--all"]));
    let ids = |csv: &[u8]| -> Vec<String> {
        let mut r = csv::Reader::from_reader(csv);
        r.records().map(|r| r.unwrap()[0].to_string()).collect()
    };
    let api_ids = ids(&api.body);
    assert_eq!(api_ids, ids(cli.stdout.as_bytes()));
    assert_eq!(api_ids.len(), 4458);

    // One article, by its id.
    let id = get(&s.addr, "/api/search?q=ebola&limit=1").json()["hits"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut article = get(&s.addr, &format!("/api/article/{id}")).json();
    assert_eq!(article["id"], id.as_str());
    article.as_object_mut().unwrap().remove("copies");
    assert_eq!(article, {
        let mut a = cli_json(&index, &["show", &id]);
        a["path"] = article["path"].clone();
        a
    });
    // With its copies: every copy a search folds under it is among them.
    let hits = get(&s.addr, "/api/search?q=ebola&limit=50").json();
    let folded = hits["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["also_in"].as_array().unwrap().len() >= 2)
        .expect("a story with copies");
    let id = folded["id"].as_str().unwrap();
    let copies: Vec<Value> = get(&s.addr, &format!("/api/article/{id}")).json()["copies"]
        .as_array()
        .unwrap()
        .clone();
    for c in folded["also_in"].as_array().unwrap() {
        assert!(
            copies.iter().any(|k| k["id"] == c["id"]),
            "{c} among {copies:?}"
        );
    }
    assert!(copies.iter().all(|k| k["id"] != id));
}

/// A long export read slowly holds one thread; searches are answered
/// meanwhile.
#[test]
fn a_slow_export_does_not_hold_up_searches() {
    let index = headlines();
    let s = serve(&index);
    let mut slow = TcpStream::connect(&s.addr).unwrap();
    write!(
        slow,
        "GET /api/export?q=&format=jsonl HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut first = [0u8; 4096];
    let n = slow.read(&mut first).unwrap();
    assert!(String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"));
    // The export waits on this reader; searches go on.
    let started = std::time::Instant::now();
    for q in [
        "ebola", "flu", "obesity", "cancer", "medicare", "vaccine", "nurses", "aids",
    ] {
        let got = get(&s.addr, &format!("/api/search?q={q}"));
        assert_eq!(got.status, 200, "{q}");
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    // And the export, read to its end, holds every article.
    let mut rest = Vec::new();
    slow.read_to_end(&mut rest).unwrap();
    let lines = rest
        .split(|b| *b == b'\n')
        .filter(|l| l.starts_with(b"{"))
        .count();
    assert!(lines >= 63_000, "{lines}");
}

/// Requests of any shape: never a fault (5xx) or a dropped server.
#[test]
fn any_request_is_answered_without_a_fault() {
    use proptest::prelude::*;
    let index = headlines();
    let s = serve(&index);
    let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
        cases: 300,
        failure_persistence: None,
        ..Default::default()
    });
    let path = prop_oneof![
        Just("/".to_string()),
        Just("/api/search".to_string()),
        Just("/api/timeline".to_string()),
        Just("/api/export".to_string()),
        Just("/api/sources".to_string()),
        "/api/article/[%a-zA-Z0-9~._-]{0,12}",
        "/[%a-z/]{0,12}",
    ];
    let key = prop_oneof![
        Just("q"),
        Just("source"),
        Just("since"),
        Just("until"),
        Just("limit"),
        Just("offset"),
        Just("sort"),
        Just("any"),
        Just("interval"),
        Just("by"),
        Just("top"),
        Just("format"),
        Just("split"),
        Just("passages"),
        Just("x"),
    ];
    let value = "[%a-zA-Z0-9 ()\"*:+&=,.-]{0,24}";
    let strategy = (path, proptest::collection::vec((key, value), 0..5));
    runner
        .run(&strategy, |(path, pairs)| {
            let query: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{k}={}", v.replace(' ', "+")))
                .collect();
            let target = format!("{path}?{}", query.join("&"));
            let got = get(&s.addr, &target);
            prop_assert!(
                got.status < 500,
                "{target}: {}",
                String::from_utf8_lossy(&got.body)
            );
            Ok(())
        })
        .unwrap();
    assert_eq!(get(&s.addr, "/api/search?q=ebola").status, 200);
}

#[test]
fn bad_requests_get_4xx_json_and_the_server_goes_on() {
    let index = headlines();
    let s = serve(&index);
    for (target, status, says) in [
        ("/api/search?q=title:", 400, "title: needs"),
        (
            "/api/search?q=pay&source=Reuters%20Helth",
            400,
            "did you mean \\\"Reuters Health\\\"",
        ),
        ("/api/search?q=pay&since=2025-13", 400, "since=2025-13"),
        (
            "/api/search?q=pay&since=2015&until=2012",
            400,
            "after it ends",
        ),
        ("/api/search?q=pay&limit=lots", 400, "limit=lots"),
        ("/api/search?q=pay&colour=red", 400, "unknown parameter"),
        (
            "/api/timeline?q=pay&interval=fortnight",
            400,
            "interval=fortnight",
        ),
        ("/api/export?q=pay&format=pdf", 400, "format=pdf"),
        ("/api/export?q=title:&format=csv", 400, "title: needs"),
        ("/api/article/no-such-article", 404, "no article"),
        ("/api/nothing", 404, "nothing at"),
    ] {
        let got = get(&s.addr, target);
        assert_eq!(got.status, status, "{target}");
        let text = String::from_utf8_lossy(&got.body);
        assert!(text.contains(says), "{target}: {text}");
        assert!(got.json()["error"].is_string(), "{target}");
    }
    assert_eq!(request(&s.addr, "POST", "/api/search?q=pay").status, 405);
    let long = format!("/api/search?q={}", "a".repeat(400_000));
    assert_eq!(get(&s.addr, &long).status, 414);
    // Raw garbage on the wire, then a good request.
    let mut raw = TcpStream::connect(&s.addr).unwrap();
    raw.write_all(b"\x00\x01 nonsense\r\n\r\n").unwrap();
    drop(raw);
    let got = get(&s.addr, "/api/search?q=pay%20rise");
    assert_eq!(got.status, 200);
    assert!(got.json()["total_articles"].as_u64().unwrap() > 0);
}

#[test]
fn four_hundred_searches_at_once_are_all_answered() {
    let index = headlines();
    let s = serve(&index);
    let queries = [
        "ebola",
        "flu vaccine",
        "obesity",
        "cancer risk",
        "medicare",
        "\"mental health\"",
    ];
    // Four hundred clients, each with its connection open before any asks.
    let ready = std::sync::Barrier::new(400);
    let answered: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..400)
            .map(|i| {
                let (addr, ready) = (s.addr.clone(), &ready);
                scope.spawn(move || {
                    let q = queries[i % queries.len()];
                    let target = format!(
                        "/api/search?q={}",
                        form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
                    );
                    let mut c = TcpStream::connect(&addr).unwrap();
                    ready.wait();
                    write!(
                        c,
                        "GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    )
                    .unwrap();
                    let mut raw = Vec::new();
                    c.read_to_end(&mut raw).unwrap();
                    let text = String::from_utf8_lossy(&raw);
                    text.starts_with("HTTP/1.1 200") && text.contains("\"total_articles\":")
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| usize::from(h.join().unwrap()))
            .sum()
    });
    assert_eq!(answered, 400);
}

#[test]
fn a_commit_by_another_process_is_seen_without_restart() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("idx");
    let first = dir.path().join("first.md");
    std::fs::write(
        &first,
        "---\ntitle: Ward closes\nsource: Ward Bulletin\n---\nThe ward closed on Friday.",
    )
    .unwrap();
    assert_eq!(run(hp(&index).arg("index").arg(&first)).code, 0);
    let s = serve(&index);
    assert_eq!(
        get(&s.addr, "/api/search?q=ward").json()["total_articles"],
        1
    );
    let second = dir.path().join("second.md");
    std::fs::write(
        &second,
        "---\ntitle: Ward reopens\nsource: Ward Bulletin\n---\nThe ward reopened on Monday.",
    )
    .unwrap();
    assert_eq!(run(hp(&index).arg("index").arg(&second)).code, 0);
    assert_eq!(
        get(&s.addr, "/api/search?q=ward").json()["total_articles"],
        2
    );
    assert_eq!(get(&s.addr, "/api/stats").json()["articles"], 2);
}

/// `href` as the page writes it, as a request target.
fn target_of(href: &str) -> String {
    href.replace("&amp;", "&")
}

/// The `href` of the first `<a class="CLASS" href="...">` after `after`.
fn href_after(html: &str, class: &str, after: &str) -> String {
    let from = html
        .find(after)
        .unwrap_or_else(|| panic!("{after} not on the page"));
    let tag = format!("<a class=\"{class}\" href=\"");
    let at = from + html[from..].find(&tag).unwrap() + tag.len();
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

#[test]
fn the_page_shows_hits_outlets_and_the_timeline_and_its_links_narrow() {
    let index = headlines();
    let s = serve(&index);
    let page = get(&s.addr, "/?q=ebola");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = String::from_utf8(page.body).unwrap();
    let api = get(&s.addr, "/api/search?q=ebola").json();
    assert!(
        html.contains("<strong>4458</strong> articles match"),
        "the count"
    );
    assert_eq!(html.matches("<article class=\"hit\">").count(), 10);
    let first = api["hits"][0]["id"].as_str().unwrap();
    assert!(html.contains(&format!("/api/article/{first}")));
    assert!(html.contains("<mark>"), "highlights");
    // The outlets with the API's counts, best first.
    let top = &api["facets"]["sources"][0];
    let name = top["value"].as_str().unwrap();
    assert!(html.contains(&format!(
        ">{name}</a><span class=\"count\">{}</span>",
        top["count"]
    )));
    assert!(html.contains("<svg class=\"timeline\""));
    assert!(html.matches("<rect ").count() > 10);
    // Keeping an outlet narrows the matches to its count.
    let keep = target_of(&href_after(&html, "keep", "<ul class=\"outlets\">"));
    let narrowed = String::from_utf8(get(&s.addr, &keep).body).unwrap();
    assert!(
        narrowed.contains(&format!("<strong>{}</strong> articles match", top["count"])),
        "{keep}"
    );
    // Leaving it out leaves the rest.
    let leave = target_of(&href_after(&html, "leave", "<ul class=\"outlets\">"));
    let rest = String::from_utf8(get(&s.addr, &leave).body).unwrap();
    let want = 4458 - top["count"].as_u64().unwrap();
    assert!(
        rest.contains(&format!("<strong>{want}</strong> articles match")),
        "{leave}"
    );
    // What the index holds is escaped, and so is what was typed.
    let typed = get(&s.addr, "/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    let text = String::from_utf8(typed.body).unwrap();
    assert!(!text.contains("<script>alert"), "{text}");
    assert!(text.contains("&lt;script&gt;"));
    // A search the parser refuses is said on the page.
    let refused = String::from_utf8(get(&s.addr, "/?q=title%3A").body).unwrap();
    assert!(refused.contains("class=\"error\"") && refused.contains("title: needs"));
}

/// A WebDriver session of Chromium's driver (installed by `.ci/run`), on a
/// port of its own, ended when dropped.
struct Browser {
    driver: Child,
    addr: String,
    session: String,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = send(
            &self.addr,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A request with a JSON body, as WebDriver takes them.
fn send(addr: &str, method: &str, target: &str, body: Option<Value>) -> Value {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // The driver may keep the connection open: read the head, then as many
    // bytes as it says the body has.
    s.set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let end = loop {
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "the driver closed the connection");
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..end]).to_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while raw.len() < end + 4 + length {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "the driver closed the connection");
        raw.extend_from_slice(&buf[..n]);
    }
    serde_json::from_slice(&raw[end + 4..end + 4 + length]).unwrap_or(Value::Null)
}

impl Browser {
    fn start() -> Option<Browser> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let addr = format!("127.0.0.1:{port}");
        let mut browser = Browser {
            driver,
            addr,
            session: String::new(),
        };
        for _ in 0..100 {
            if TcpStream::connect(&browser.addr).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let created = send(
            &browser.addr,
            "POST",
            "/session",
            Some(
                serde_json::json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
                    "args": ["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1200,900"]
                }}}}),
            ),
        );
        browser.session = created["value"]["sessionId"].as_str()?.to_string();
        Some(browser)
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        send(
            &self.addr,
            method,
            &format!("/session/{}{path}", self.session),
            body,
        )["value"]
            .clone()
    }

    fn open(&self, url: &str) {
        self.call("POST", "/url", Some(serde_json::json!({ "url": url })));
    }

    /// The elements matching a CSS selector.
    fn find(&self, css: &str) -> Vec<String> {
        let found = self.call(
            "POST",
            "/elements",
            Some(serde_json::json!({"using": "css selector", "value": css})),
        );
        found
            .as_array()
            .unwrap_or_else(|| panic!("{css}: {found}"))
            .iter()
            .filter_map(|e| e.as_object()?.values().next()?.as_str().map(str::to_string))
            .collect()
    }

    fn text(&self, element: &str) -> String {
        self.call("GET", &format!("/element/{element}/text"), None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn click(&self, element: &str) {
        self.call(
            "POST",
            &format!("/element/{element}/click"),
            Some(serde_json::json!({})),
        );
    }
}

/// The page in Chromium, driven as a person would: for `/?q=ebola` the top
/// hits, the outlets with their counts and the timeline, then a click on
/// the first outlet narrowing the hits to it.
#[test]
fn a_browser_shows_the_page_and_a_click_on_an_outlet_narrows_it() {
    let Some(browser) = Browser::start() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "Chromium and its driver are missing: .ci/run installs them"
        );
        eprintln!("a browser test: Chromium's driver is not installed; not run");
        return;
    };
    let index = headlines();
    let s = serve(&index);
    let api = get(&s.addr, "/api/search?q=ebola").json();
    browser.open(&format!("http://{}/?q=ebola", s.addr));
    let hits = browser.find("article.hit h3");
    assert_eq!(hits.len(), 10);
    assert_eq!(
        browser.text(&hits[0]),
        api["hits"][0]["title"].as_str().unwrap()
    );
    assert!(browser.find("svg.timeline rect").len() > 10, "the timeline");
    let top = &api["facets"]["sources"][0];
    let counts = browser.find("ul.outlets .count");
    assert_eq!(browser.text(&counts[0]), top["count"].to_string());
    let outlets = browser.find("ul.outlets a.keep");
    assert_eq!(browser.text(&outlets[0]), top["value"].as_str().unwrap());

    browser.click(&outlets[0]);
    let summary = browser.find("p.count");
    assert_eq!(
        browser.text(&summary[0]).split(' ').next(),
        Some(top["count"].to_string().as_str())
    );
    let source = top["value"].as_str().unwrap();
    let metas = browser.find("p.meta");
    assert_eq!(metas.len(), 10);
    for m in metas {
        assert!(
            browser.text(&m).contains(&format!(". {source} · ")),
            "every hit from {source}"
        );
    }
    let url = browser.call("GET", "/url", None);
    assert!(url.as_str().unwrap().contains("source="), "{url}");
}
