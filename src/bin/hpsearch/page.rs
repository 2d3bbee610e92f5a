//! The research page `hpsearch serve` answers `GET /` with: rendered on the
//! server, so it works without script. A search box; the hits with their
//! best passages highlighted and the outlets that ran the same story; the
//! outlets as filters with their counts (keep one, or leave it out); the
//! matches over time as a chart whose bars narrow the period, split by
//! outlet on request; paging; exports. The whole state is in the address,
//! so a search can be bookmarked and shared. Everything shown from the
//! index is escaped.

use std::fmt::Write as _;

use hpsearch::{Index, SearchResults, Timeline, TimelineRequest};

/// Hits per page.
const PAGE: usize = 10;
/// Outlets listed as filters.
const OUTLETS: usize = 20;
/// Outlets the chart is split into, on request.
const SPLIT: usize = 6;

/// The parameters the page keeps in its address.
pub const PARAMS: &[&str] = &[
    "q",
    "source",
    "exclude_source",
    "since",
    "until",
    "sort",
    "offset",
    "split",
];

/// The page for these parameters and the search they make; a search that
/// cannot be answered (a query the parser refuses, an unknown outlet) is
/// said on the page.
pub fn render(
    index: &Index,
    params: &[(String, String)],
    request: hpsearch::SearchRequest,
) -> String {
    let q = one(params, "q").unwrap_or("");
    let mut html = String::new();
    head(&mut html, q);
    form(&mut html, params);
    if q.trim().is_empty() && request.sources.is_empty() {
        welcome(&mut html, index);
    } else {
        let mut request = request;
        request.limit = PAGE;
        let split = one(params, "split") == Some("source");
        let answer = index.search(&request).and_then(|r| {
            let mut t = TimelineRequest::new(request.query.clone());
            t.search = request.clone();
            t.by_source = split;
            t.top = SPLIT;
            Ok((r, index.timeline(&t)?))
        });
        match answer {
            Ok((results, timeline)) => body(&mut html, params, &results, &timeline, split),
            Err(e) => {
                let _ = write!(
                    html,
                    "<pre class=\"error\" role=\"alert\">{}</pre>",
                    esc(&e.to_string())
                );
            }
        }
    }
    html.push_str("</main><script>document.addEventListener('keydown',e=>{if(e.key==='/'&&document.activeElement.tagName!=='INPUT'){e.preventDefault();document.getElementById('q').focus();}});</script></body></html>\n");
    html
}

/// The page with the search form and `problem` in place of results.
pub fn render_problem(params: &[(String, String)], problem: &str) -> String {
    let mut html = String::new();
    head(&mut html, one(params, "q").unwrap_or(""));
    form(&mut html, params);
    let _ = writeln!(
        html,
        "<pre class=\"error\" role=\"alert\">{}</pre></main></body></html>",
        esc(problem)
    );
    html
}

fn head(html: &mut String, q: &str) {
    let title = if q.is_empty() {
        "hpsearch".to_string()
    } else {
        format!("{} · hpsearch", esc(q))
    };
    let _ = write!(
        html,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body><main>"
    );
}

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}\
main{max-width:72rem;margin:0 auto;padding:1rem}\
form.search{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}\
form.search label{display:flex;flex-direction:column;font-size:.85rem}\
#q{font-size:1.1rem;padding:.4rem;min-width:18rem;flex:1}\
input,select,button{font:inherit;padding:.3rem}\
.cols{display:flex;flex-wrap:wrap;gap:1.5rem;margin-top:1rem}\
aside{flex:0 0 16rem}section.hits{flex:1;min-width:18rem}\
aside ul{list-style:none;padding:0;margin:0}aside li{display:flex;gap:.4rem;align-items:baseline}\
aside li a.keep{flex:1}aside .count{color:#555;font-variant-numeric:tabular-nums}\
a{color:#0645ad}a:focus{outline:2px solid #f90}\
.hit{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.6rem .8rem;margin:.6rem 0}\
.hit h3{margin:0;font-size:1.05rem}.meta{color:#555;font-size:.9rem}\
blockquote{margin:.4rem 0;padding-left:.6rem;border-left:3px solid #ccc}\
mark{background:#ffe066}.also{font-size:.85rem;color:#555}\
.filters a{margin-right:.6rem}.error{color:#a00;font-weight:600}\
svg.timeline{width:100%;height:auto;background:#fff;border:1px solid #ddd}\
svg.timeline rect{fill:#4a78c2}svg.timeline a:hover rect{fill:#f90}\
.notice{color:#555;font-size:.9rem}.paging a{margin-right:1rem}";

fn form(html: &mut String, params: &[(String, String)]) {
    let v = |k: &str| esc(one(params, k).unwrap_or(""));
    let sort = one(params, "sort").unwrap_or("relevance");
    let selected = |s: &str| if sort == s { " selected" } else { "" };
    let _ = write!(
        html,
        "<h1><a href=\"/\">hpsearch</a></h1>\
         <form class=\"search\" method=\"get\" action=\"/\" role=\"search\">\
         <label for=\"q\">Search (words, \"phrases\", -leave out, a OR b, title:, source:)\
         <input id=\"q\" name=\"q\" type=\"search\" value=\"{}\" autofocus></label>\
         <label>From<input name=\"since\" value=\"{}\" placeholder=\"2023 or March 2014\" size=\"11\"></label>\
         <label>To<input name=\"until\" value=\"{}\" placeholder=\"2024-06\" size=\"11\"></label>\
         <label>Order<select name=\"sort\"><option value=\"relevance\"{}>best first</option>\
         <option value=\"date\"{}>newest first</option></select></label>",
        v("q"),
        v("since"),
        v("until"),
        selected("relevance"),
        selected("date"),
    );
    for key in ["source", "exclude_source", "split"] {
        for (_, value) in params.iter().filter(|(k, _)| k == key) {
            let _ = write!(
                html,
                "<input type=\"hidden\" name=\"{key}\" value=\"{}\">",
                esc(value)
            );
        }
    }
    html.push_str(
        "<button type=\"submit\">Search</button></form>\
         <details class=\"notice\"><summary>How to search</summary><ul>\
         <li><code>junior doctors</code>: articles with every word, in any form (doctor, doctors); \
         articles with some of them are listed after</li>\
         <li><code>\"waiting list\"</code>: the words together, in any form; \
         <code>exact:\"waiting lists\"</code>: as written</li>\
         <li><code>strike -ballot</code> or <code>strike NOT ballot</code>: leave out; \
         <code>+pay</code>: must have</li>\
         <li><code>nurses OR midwives</code>, <code>(pay OR wages) strike</code>: either</li>\
         <li><code>privati*</code>: words that start so; <code>title:strike</code>, \
         <code>source:\"Union Voice\"</code>: in the title, from an outlet</li>\
         </ul></details>",
    );
}

fn welcome(html: &mut String, index: &Index) {
    if let Ok(s) = index.stats() {
        let range = match (s.first_date, s.last_date) {
            (Some(a), Some(b)) => format!(", {a} to {b}"),
            _ => String::new(),
        };
        let _ = write!(
            html,
            "<p class=\"notice\">{} articles from {} sources{range}. Press / to search.</p>",
            s.articles, s.sources
        );
    }
}

fn body(
    html: &mut String,
    params: &[(String, String)],
    r: &SearchResults,
    t: &Timeline,
    split: bool,
) {
    // Filters in force, each with a link that drops it.
    let active: Vec<(&str, &str)> = params
        .iter()
        .filter(|(k, _)| matches!(k.as_str(), "source" | "exclude_source" | "since" | "until"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if !active.is_empty() {
        html.push_str("<p class=\"filters\">Filters: ");
        for (k, v) in &active {
            let label = match *k {
                "source" => format!("only {v}"),
                "exclude_source" => format!("not {v}"),
                "since" => format!("from {v}"),
                _ => format!("to {v}"),
            };
            let href = link(params, &[], &[(k, Some(v))]);
            let _ = write!(
                html,
                "<a href=\"{href}\" title=\"remove this filter\">{} ×</a>",
                esc(&label)
            );
        }
        html.push_str("</p>");
    }
    for n in &r.notices {
        let _ = write!(html, "<p class=\"notice\">{}</p>", esc(n));
    }
    let shown_to = (r.hits.len() + offset(params)).min(r.total_articles as usize);
    let _ = write!(
        html,
        "<p class=\"count\"><strong>{}</strong> articles match{}{}</p>",
        r.total_articles,
        if r.total_articles > 0 {
            format!(", showing {}-{shown_to}", offset(params) + 1)
        } else {
            String::new()
        },
        if r.collapsed > 0 {
            format!(" ({} copies of stories shown under another)", r.collapsed)
        } else {
            String::new()
        }
    );
    html.push_str("<div class=\"cols\"><aside>");
    outlets(html, params, r);
    html.push_str("</aside><section class=\"hits\">");
    timeline(html, params, t, split);
    for (i, hit) in r.hits.iter().enumerate() {
        let _ = write!(
            html,
            "<article class=\"hit\"><h3><a href=\"/api/article/{}\">{}</a></h3>",
            esc(&form_urlencoded::byte_serialize(hit.id.as_bytes()).collect::<String>()),
            marked(&hit.title, &hit.title_highlights)
        );
        let _ = write!(
            html,
            "<p class=\"meta\">{}. {} · {}{}</p>",
            offset(params) + i + 1,
            esc(hit.source.as_deref().unwrap_or("unknown source")),
            hit.date.map_or("undated".to_string(), |d| d.to_string()),
            hit.url.as_deref().map_or(String::new(), |u| format!(
                " · <a href=\"{}\" rel=\"noreferrer\">original</a>",
                esc(u)
            ))
        );
        for p in &hit.passages {
            let _ = write!(
                html,
                "<blockquote>{}</blockquote>",
                marked(&p.text, &p.highlights)
            );
        }
        if !hit.missing.is_empty() {
            let _ = write!(
                html,
                "<p class=\"also\">missing: {}</p>",
                esc(&hit.missing.join(", "))
            );
        }
        if !hit.also_in.is_empty() {
            let names: Vec<String> = hit
                .also_in
                .iter()
                .map(|c| {
                    esc(&format!(
                        "{} {}",
                        c.source.as_deref().unwrap_or("unknown source"),
                        c.date.map_or(String::new(), |d| d.to_string())
                    ))
                })
                .collect();
            let _ = write!(html, "<p class=\"also\">also in: {}</p>", names.join(", "));
        }
        html.push_str("</article>");
    }
    paging(html, params, r.total_articles as usize);
    exports(html, params);
    html.push_str("</section></div>");
}

fn outlets(html: &mut String, params: &[(String, String)], r: &SearchResults) {
    html.push_str("<h2>Outlets</h2><ul class=\"outlets\">");
    for f in r.facets.sources.iter().take(OUTLETS) {
        let keep = link(params, &[("source", &f.value)], &[("offset", None)]);
        let leave = link(params, &[("exclude_source", &f.value)], &[("offset", None)]);
        let _ = write!(
            html,
            "<li><a class=\"keep\" href=\"{keep}\" title=\"only this outlet\">{}</a>\
             <span class=\"count\">{}</span>\
             <a class=\"leave\" href=\"{leave}\" title=\"leave this outlet out\" aria-label=\"leave out {}\">×</a></li>",
            esc(&f.value),
            f.count,
            esc(&f.value)
        );
    }
    if r.facets.sources.len() > OUTLETS {
        let _ = write!(
            html,
            "<li class=\"notice\">and {} more</li>",
            r.facets.sources.len() - OUTLETS
        );
    }
    html.push_str("</ul>");
}

/// The matches per interval as bars, each a link to that interval; with
/// `split`, a row of bars per outlet under the totals.
fn timeline(html: &mut String, params: &[(String, String)], t: &Timeline, split: bool) {
    if t.intervals.is_empty() {
        return;
    }
    let mut rows: Vec<(String, &[u64])> = vec![("all".to_string(), &t.counts[..])];
    if split {
        rows.extend(t.rows.iter().map(|r| (r.source.clone(), &r.counts[..])));
    }
    let n = t.intervals.len() as f64;
    let (width, row_h) = (600.0, 60.0);
    let height = row_h * rows.len() as f64 + 16.0;
    let _ = write!(
        html,
        "<h2>Over time</h2><svg class=\"timeline\" viewBox=\"0 0 {width} {height}\" role=\"img\" \
         aria-label=\"matches per {:?} from {} to {}\">",
        t.interval,
        t.intervals[0],
        t.intervals[t.intervals.len() - 1]
    );
    let bar = width / n;
    for (r, (name, counts)) in rows.iter().enumerate() {
        let top = r as f64 * row_h;
        let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
        let _ = write!(
            html,
            "<text x=\"2\" y=\"{}\" font-size=\"10\">{}</text>",
            top + 10.0,
            esc(name)
        );
        for (i, &c) in counts.iter().enumerate() {
            if c == 0 {
                continue;
            }
            let h = (row_h - 14.0) * c as f64 / max;
            let label = &t.intervals[i];
            let href = link(
                params,
                &[],
                &[("since", None), ("until", None), ("offset", None)],
            );
            let sep = if href.contains('?') { "&amp;" } else { "?" };
            let period =
                esc(&form_urlencoded::byte_serialize(label.as_bytes()).collect::<String>());
            let _ = write!(
                html,
                "<a href=\"{href}{sep}since={period}&amp;until={period}\"><rect x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{h:.2}\"><title>{} {}: {c}</title></rect></a>",
                i as f64 * bar,
                top + row_h - h,
                (bar - 1.0).max(0.5),
                esc(name),
                esc(label),
            );
        }
    }
    let _ = write!(
        html,
        "<text x=\"2\" y=\"{}\" font-size=\"10\">{}</text><text x=\"{width}\" y=\"{}\" font-size=\"10\" text-anchor=\"end\">{}</text></svg>",
        height - 2.0,
        esc(&t.intervals[0]),
        height - 2.0,
        esc(&t.intervals[t.intervals.len() - 1])
    );
    let toggle = if split {
        format!(
            "<a href=\"{}\">one chart</a>",
            link(params, &[], &[("split", None)])
        )
    } else {
        format!(
            "<a href=\"{}\">split by outlet</a>",
            link(params, &[("split", "source")], &[("split", None)])
        )
    };
    let _ = write!(
        html,
        "<p class=\"notice\">Click a bar for that period. {toggle}</p>"
    );
}

fn paging(html: &mut String, params: &[(String, String)], total: usize) {
    let at = offset(params);
    html.push_str("<nav class=\"paging\" aria-label=\"pages\">");
    if at > 0 {
        let prev = at.saturating_sub(PAGE).to_string();
        let _ = write!(
            html,
            "<a href=\"{}\" rel=\"prev\">← previous</a>",
            link(params, &[("offset", &prev)], &[("offset", None)])
        );
    }
    if at + PAGE < total {
        let next = (at + PAGE).to_string();
        let _ = write!(
            html,
            "<a href=\"{}\" rel=\"next\">next →</a>",
            link(params, &[("offset", &next)], &[("offset", None)])
        );
    }
    html.push_str("</nav>");
}

fn exports(html: &mut String, params: &[(String, String)]) {
    html.push_str("<p class=\"exports\">Every match as ");
    for (format, name) in [
        ("csv", "CSV"),
        ("ris", "RIS"),
        ("bibtex", "BibTeX"),
        ("jsonl", "JSON lines"),
    ] {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in params {
            if matches!(
                k.as_str(),
                "q" | "source" | "exclude_source" | "since" | "until" | "sort"
            ) {
                s.append_pair(k, v);
            }
        }
        s.append_pair("format", format);
        let _ = write!(
            html,
            "<a href=\"/api/export?{}\" download>{name}</a> ",
            esc(&s.finish())
        );
    }
    html.push_str("</p>");
}

/// `/?…` with the parameters of this page, less those in `drop` (a key
/// and a value, or a key and every value), plus those in `add`, escaped for
/// an attribute.
fn link(
    params: &[(String, String)],
    add: &[(&str, &str)],
    drop: &[(&str, Option<&str>)],
) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        let dropped = drop
            .iter()
            .any(|(dk, dv)| dk == k && dv.is_none_or(|dv| dv == v));
        if !dropped && !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    for (k, v) in add {
        s.append_pair(k, v);
    }
    let query = s.finish();
    esc(&if query.is_empty() {
        "/".to_string()
    } else {
        format!("/?{query}")
    })
}

fn one<'p>(params: &'p [(String, String)], key: &str) -> Option<&'p str> {
    params
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn offset(params: &[(String, String)]) -> usize {
    one(params, "offset")
        .and_then(|o| o.parse().ok())
        .unwrap_or(0)
}

/// `text` escaped, with the byte ranges `marks` in `<mark>`.
fn marked(text: &str, marks: &[[usize; 2]]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for &[a, b] in marks {
        if a < at
            || b > text.len()
            || a > b
            || !text.is_char_boundary(a)
            || !text.is_char_boundary(b)
        {
            continue;
        }
        out.push_str(&esc(&text[at..a]));
        out.push_str("<mark>");
        out.push_str(&esc(&text[a..b]));
        out.push_str("</mark>");
        at = b;
    }
    out.push_str(&esc(&text[at..]));
    out
}

/// Text made safe for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_marked() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(
            marked("pay & <b>rises</b>", &[[0, 3]]),
            "<mark>pay</mark> &amp; &lt;b&gt;rises&lt;/b&gt;"
        );
        // Ranges out of order or off a boundary are left unmarked.
        assert_eq!(marked("café", &[[4, 5]]), "café");
    }

    #[test]
    fn links_keep_the_state_and_change_one_thing() {
        let p = vec![
            ("q".to_string(), "junior doctors".to_string()),
            ("source".to_string(), "BMA".to_string()),
            ("offset".to_string(), "10".to_string()),
        ];
        assert_eq!(
            link(&p, &[("source", "RCN")], &[("offset", None)]),
            "/?q=junior+doctors&amp;source=BMA&amp;source=RCN"
        );
        assert_eq!(
            link(&p, &[], &[("source", Some("BMA"))]),
            "/?q=junior+doctors&amp;offset=10"
        );
    }
}
