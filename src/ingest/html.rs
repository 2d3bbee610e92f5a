//! HTML pages saved from the web (`.html`, `.htm`).
//!
//! The main text comes from dom_smoothie, a port of Mozilla's Readability:
//! it scores the page's blocks and keeps the article, dropping navigation,
//! scripts, adverts, comment threads and related links. Before that, the
//! furniture Readability is known to let through (cookie and consent
//! banners, newsletter sign-ups, `<nav>`, `<aside>`, forms) is taken out.
//!
//! Metadata, each field from the first place that has it:
//!
//! * title: JSON-LD `headline`, then `og:title` and the other title tags, then
//!   `<title>` without its site suffix;
//! * source: `og:site_name` or the JSON-LD publisher (or its `WebSite`), then
//!   the suffix of `<title>` (`... | The Guardian`, `... - BBC News`), then the
//!   outlet of the page's address ([`super::outlets`]);
//! * date: JSON-LD `datePublished`, `article:published_time` and the other
//!   date tags, then the first `<time datetime>`;
//! * url: `<link rel="canonical">`, `og:url`, JSON-LD `url`, then the
//!   `<!-- saved from url=... -->` note browsers leave in saved pages;
//! * author: JSON-LD `author`, the author tags, then the page's byline.

use dom_query::Document;
use dom_smoothie::{Config, Metadata, Readability, TextMode};
use serde_json::Value;

use super::{Meta, outlets};

/// Elements that are page furniture wherever they appear. Readability drops
/// most furniture by itself; these are the kinds it keeps when they sit
/// inside the article's container.
const FURNITURE: &str = "nav, aside, form, button, dialog, noscript, template, iframe, figcaption, \
    [role=navigation], [role=banner], [role=complementary], [role=contentinfo], \
    [role=dialog], [role=alertdialog], [aria-hidden=true], [hidden], \
    [id*=cookie], [class*=cookie], [id*=consent], [class*=consent], \
    [class*=newsletter], [id*=newsletter], [class*=advert], [id*=advert], \
    [class*=ad-slot], [class*=ad-container], [class*=related], [id*=related], \
    [class*=share-tools], [class*=social-share], [class*=most-read], [class*=most-viewed]";

/// Bylines and datelines: who wrote it is metadata, not text.
const BYLINES: &str = "[class*=byline], [class*=dateline], [data-component*=byline], \
    [rel=author], [itemprop=author], \
    [class*=timestamp], [class*=published-date], [class*=article-date], [class*=post-date], \
    [class*=entry-date], [class*=press-date]";

/// Separators between a page title and the site's name, most specific first.
const TITLE_SEPARATORS: &[&str] = &[" | ", " – ", " — ", " - ", " :: ", " · "];

/// Reads a page into its metadata and main text.
pub(crate) fn parse(raw: &str, outlet_names: &[(String, String)]) -> (Meta, String) {
    let saved_from = saved_from_url(raw);
    let doc = Document::from(raw);
    let page_title = squash(&doc.select("title").first().text());
    let canonical = doc
        .select("link[rel~=canonical]")
        .first()
        .attr("href")
        .map(|s| s.trim().to_string());
    let og_url = meta_content(&doc, "property", "og:url");
    let ld = JsonLd::read(&doc);
    let extra_date = extra_date(&doc);
    let url = [canonical, og_url, ld.url.clone(), saved_from]
        .into_iter()
        .flatten()
        .find(|u| outlets::host(u).is_some());

    let bylines: Vec<String> = doc
        .select(BYLINES)
        .iter()
        .map(|b| squash(&b.text()))
        .filter(|b| !b.is_empty() && b.chars().count() < 100)
        .collect();
    let dom_byline = bylines
        .iter()
        .find(|b| !b.starts_with(|c: char| c.is_ascii_digit()) && written_date(b).is_none())
        .cloned();
    let dom_date = bylines.iter().find_map(|b| written_date(b));
    doc.select(FURNITURE).remove();
    doc.select(BYLINES).remove();
    // A timestamp on a line of its own is furniture; one in a sentence is text.
    for time in doc.select("time").nodes() {
        if !time
            .ancestors_it(None)
            .any(|a| a.node_name().is_some_and(|n| &*n == "p"))
        {
            time.remove_from_parent();
        }
    }
    let config = Config {
        text_mode: TextMode::Formatted,
        disable_json_ld: true,
        ..Config::default()
    };
    let mut meta = Meta::default();
    let mut body = String::new();
    if let Ok(mut reader) = Readability::with_document(doc, url.as_deref(), Some(config)) {
        let tags = reader.get_article_metadata(Some(ld.metadata()));
        let found = reader.parse();
        let byline = found.as_ref().ok().and_then(|a| a.byline.clone());
        if let Ok(article) = found {
            body = paragraphs(&article.text_content);
        }
        meta.title = Some(tags.title).filter(|t| !t.trim().is_empty());
        meta.source = tags.site_name.filter(|s| !s.trim().is_empty());
        meta.date = tags.published_time.filter(|d| !d.trim().is_empty());
        meta.author = tags
            .byline
            .or(byline)
            .or(dom_byline)
            .map(|b| clean_byline(&b));
    }
    if body.trim().is_empty() {
        // Readability found no article (a short page, a list): fall back to
        // the text of the main element, furniture removed.
        let doc = Document::from(raw);
        doc.select(&format!("script, style, header, footer, {FURNITURE}"))
            .remove();
        let main = ["article", "main", "[role=main]", "body"]
            .iter()
            .map(|sel| doc.select(sel).first())
            .find(|s| s.exists())
            .map(|s| s.formatted_text().to_string())
            .unwrap_or_default();
        body = paragraphs(&main);
    }
    if meta.title.is_none() && !page_title.is_empty() {
        meta.title = Some(page_title.clone());
    }
    if meta.source.is_none() {
        meta.source = title_suffix(
            &page_title,
            meta.title.as_deref(),
            url.as_deref(),
            outlet_names,
        );
    }
    if meta.source.is_none() {
        meta.source = url
            .as_deref()
            .and_then(|u| outlets::outlet(u, outlet_names));
    }
    if meta.date.is_none() {
        meta.date = extra_date.or(dom_date);
    }
    meta.url = url;
    if let Some(title) = &meta.title {
        body = drop_repeated_title(&body, title);
    }
    (meta, body)
}

/// The text cut into paragraphs: one per line with a letter or digit in it,
/// whitespace folded, separated by blank lines.
fn paragraphs(text: &str) -> String {
    text.lines()
        .map(squash)
        .filter(|l| l.chars().any(char::is_alphanumeric))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Readability sometimes keeps the page's `<h1>` as the first line.
fn drop_repeated_title(body: &str, title: &str) -> String {
    match body.split_once("\n\n") {
        Some((first, rest)) if first.eq_ignore_ascii_case(title.trim()) => rest.to_string(),
        _ => body.to_string(),
    }
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn clean_byline(b: &str) -> String {
    let b = squash(b);
    for prefix in ["By ", "by ", "BY "] {
        if let Some(rest) = b.strip_prefix(prefix) {
            return rest.to_string();
        }
    }
    b
}

fn meta_content(doc: &Document, attr: &str, value: &str) -> Option<String> {
    doc.select(&format!("meta[{attr}=\"{value}\" i]"))
        .iter()
        .filter_map(|m| m.attr("content"))
        .map(|c| c.trim().to_string())
        .find(|c| !c.is_empty())
}

/// Dates that pages give outside the tags Readability reads.
fn extra_date(doc: &Document) -> Option<String> {
    for name in [
        "date",
        "pubdate",
        "publishdate",
        "publish-date",
        "publish_date",
        "dc.date",
        "dc.date.issued",
        "sailthru.date",
        "article.published",
        "original-publish-date",
    ] {
        if let Some(d) = meta_content(doc, "name", name) {
            return Some(d);
        }
    }
    if let Some(d) = meta_content(doc, "itemprop", "datePublished") {
        return Some(d);
    }
    ["article time[datetime]", "time[datetime]"]
        .iter()
        .find_map(|sel| doc.select(sel).first().attr("datetime"))
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
}

/// A date written in a dateline such as `Published: 12th February 2024`.
fn written_date(line: &str) -> Option<String> {
    let from = line.find(|c: char| c.is_ascii_digit())?;
    let text = line[from..].trim();
    crate::date::Date::parse(text).map(|_| text.to_string())
}

/// `<!-- saved from url=(0054)https://... -->`, written by browsers that save pages.
fn saved_from_url(raw: &str) -> Option<String> {
    let head = &raw[..raw.len().min(4096)];
    let at = head.find("saved from url=")? + "saved from url=".len();
    let rest = &head[at..];
    let rest = match rest.strip_prefix('(') {
        Some(r) => &r[r.find(')')? + 1..],
        None => rest,
    };
    let url: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
    let url = url.trim_end_matches("-->");
    (!url.is_empty()).then(|| url.to_string())
}

/// The site name at the end of a page title, when the ending is short and
/// clearly a name: after `|`, or after a dash when the rest is the article's
/// title or the name fits the page's address.
fn title_suffix(
    page_title: &str,
    title: Option<&str>,
    url: Option<&str>,
    outlet_names: &[(String, String)],
) -> Option<String> {
    let (sep, at) = TITLE_SEPARATORS
        .iter()
        .filter_map(|s| page_title.rfind(s).map(|at| (*s, at)))
        .max_by_key(|(_, at)| *at)?;
    let head = page_title[..at].trim();
    let tail = page_title[at + sep.len()..].trim();
    let words = tail.split_whitespace().count();
    if head.is_empty()
        || !(1..=6).contains(&words)
        || tail.chars().count() > 50
        || tail.ends_with(['.', '?', '!', ':'])
    {
        return None;
    }
    let head_is_title = title.is_some_and(|t| {
        let t = t.trim();
        head.eq_ignore_ascii_case(t) || head.starts_with(t)
    });
    (sep == " | " || head_is_title || outlets::name_fits_host(tail, url, outlet_names))
        .then(|| tail.to_string())
}

/// What the page's JSON-LD blocks say about the article.
#[derive(Debug, Default)]
struct JsonLd {
    headline: Option<String>,
    date: Option<String>,
    publisher: Option<String>,
    author: Option<String>,
    url: Option<String>,
}

impl JsonLd {
    fn read(doc: &Document) -> JsonLd {
        let mut nodes: Vec<Value> = Vec::new();
        for script in doc.select("script[type=\"application/ld+json\" i]").iter() {
            let text = script.text();
            let text = text
                .trim()
                .trim_start_matches("<![CDATA[")
                .trim_end_matches("]]>");
            if let Ok(v) = serde_json::from_str::<Value>(text) {
                flatten(v, &mut nodes);
            }
        }
        let by_id = |id: &str| {
            nodes
                .iter()
                .find(|n| n.get("@id").and_then(Value::as_str) == Some(id))
        };
        let resolve = |v: &Value| -> Value {
            match v.get("@id").and_then(Value::as_str) {
                Some(id) if v.get("name").is_none() => by_id(id).cloned().unwrap_or(v.clone()),
                _ => v.clone(),
            }
        };
        let mut out = JsonLd::default();
        let article = nodes.iter().find(|n| is_article(n));
        if let Some(a) = article {
            out.headline = string(a.get("headline")).or_else(|| string(a.get("name")));
            out.date = string(a.get("datePublished")).or_else(|| string(a.get("dateCreated")));
            out.url = string(a.get("url")).or_else(|| match a.get("mainEntityOfPage") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(v) => string(v.get("@id")),
                None => None,
            });
            out.publisher = a.get("publisher").and_then(|p| {
                let p = match p {
                    Value::Array(v) => v.first()?.clone(),
                    other => other.clone(),
                };
                match resolve(&p) {
                    Value::String(s) => Some(s),
                    v => string(v.get("name")),
                }
            });
            out.author = a.get("author").and_then(|au| {
                let list = match au {
                    Value::Array(v) => v.clone(),
                    other => vec![other.clone()],
                };
                let names: Vec<String> = list
                    .iter()
                    .filter_map(|p| match resolve(p) {
                        Value::String(s) => Some(s),
                        v => string(v.get("name")),
                    })
                    .collect();
                (!names.is_empty()).then(|| names.join(", "))
            });
        }
        if out.publisher.is_none() {
            out.publisher = nodes
                .iter()
                .find(|n| has_type(n, |t| t == "WebSite"))
                .and_then(|n| string(n.get("name")));
        }
        out
    }

    /// As dom_smoothie metadata, which it completes from the page's tags.
    fn metadata(&self) -> Metadata {
        Metadata {
            title: self.headline.clone().unwrap_or_default(),
            byline: self.author.clone(),
            site_name: self.publisher.clone(),
            published_time: self.date.clone(),
            url: self.url.clone(),
            ..Metadata::default()
        }
    }
}

/// Every object of a JSON-LD value: arrays and `@graph` lists unfolded.
fn flatten(v: Value, out: &mut Vec<Value>) {
    match v {
        Value::Array(items) => items.into_iter().for_each(|i| flatten(i, out)),
        Value::Object(mut map) => {
            if let Some(graph) = map.remove("@graph") {
                flatten(graph, out);
            }
            if !map.is_empty() {
                out.push(Value::Object(map));
            }
        }
        _ => {}
    }
}

fn has_type(v: &Value, want: impl Fn(&str) -> bool) -> bool {
    match v.get("@type") {
        Some(Value::String(t)) => want(t),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(want),
        _ => false,
    }
}

fn is_article(v: &Value) -> bool {
    has_type(v, |t| {
        t.ends_with("Article")
            || matches!(
                t,
                "BlogPosting" | "LiveBlogPosting" | "Report" | "NewsArticle"
            )
    })
}

fn string(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(squash(s)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_suffixes_need_a_clear_separator_or_a_fitting_name() {
        let none: &[(String, String)] = &[];
        assert_eq!(
            title_suffix(
                "Nurses vote to strike | Society | The Guardian",
                None,
                None,
                none
            )
            .as_deref(),
            Some("The Guardian")
        );
        assert_eq!(
            title_suffix(
                "Nurses vote to strike - Wessex Echo",
                None,
                Some("https://www.wessexecho.example/a"),
                none
            )
            .as_deref(),
            Some("Wessex Echo")
        );
        assert_eq!(
            title_suffix(
                "Junior doctors strike - what you need to know",
                None,
                Some("https://www.wessexecho.example/a"),
                none
            ),
            None
        );
        assert_eq!(
            title_suffix(
                "Beds cut again - Valley Courier",
                Some("Beds cut again"),
                None,
                none
            )
            .as_deref(),
            Some("Valley Courier")
        );
    }

    #[test]
    fn saved_from_notes() {
        assert_eq!(
            saved_from_url(
                "<!DOCTYPE html>\n<!-- saved from url=(0041)https://www.bbc.co.uk/news/health-123 -->\n<html>"
            )
            .as_deref(),
            Some("https://www.bbc.co.uk/news/health-123")
        );
        assert_eq!(saved_from_url("<html><body>x</body></html>"), None);
    }

    #[test]
    fn json_ld_graphs_and_references() {
        let doc = Document::from(
            r#"<html><head><script type="application/ld+json">
            {"@context":"https://schema.org","@graph":[
              {"@type":"Organization","@id":"https://x.example/#org","name":"Valley Courier"},
              {"@type":["NewsArticle"],"headline":"Beds cut","datePublished":"2024-02-01T08:00:00+00:00",
               "publisher":{"@id":"https://x.example/#org"},
               "author":[{"@type":"Person","name":"A. Writer"},{"@type":"Person","name":"B. Writer"}]}
            ]}</script></head><body></body></html>"#,
        );
        let ld = JsonLd::read(&doc);
        assert_eq!(ld.headline.as_deref(), Some("Beds cut"));
        assert_eq!(ld.publisher.as_deref(), Some("Valley Courier"));
        assert_eq!(ld.author.as_deref(), Some("A. Writer, B. Writer"));
        assert_eq!(ld.date.as_deref(), Some("2024-02-01T08:00:00+00:00"));
    }
}
