//! `hpsearch timeline`: the counts of a query's matches over time as a
//! chart ([`crate::chart`]), CSV or JSON.

use std::io::{self, Write};
use std::process::ExitCode;

use hpsearch::{Index, Interval, Syntax, Timeline, TimelineRequest};

use crate::chart::{bars, spark};
use crate::cli::{ByArg, IntervalArg, TimelineArgs};
use crate::render::Style;

/// Runs the command: the counts as a chart, CSV or JSON; exit status 1 when
/// nothing matches.
pub fn run(
    index: &Index,
    args: &TimelineArgs,
    mut request: TimelineRequest,
    out: &mut impl Write,
    style: &Style,
) -> anyhow::Result<ExitCode> {
    if args.plain {
        request.search.syntax = Syntax::Plain;
    }
    request.interval = args.interval.map(|i| match i {
        IntervalArg::Year => Interval::Year,
        IntervalArg::Month => Interval::Month,
        IntervalArg::Week => Interval::Week,
        IntervalArg::Day => Interval::Day,
    });
    request.by_source = matches!(args.by, Some(ByArg::Source));
    request.top = args.top;
    let t = index.timeline(&request)?;
    for notice in &t.notices {
        eprintln!("hpsearch: {notice}");
    }
    if args.json {
        serde_json::to_writer(&mut *out, &t)?;
        writeln!(out)?;
    } else if args.csv {
        csv(out, &t)?;
    } else {
        human(out, &t, style)?;
    }
    out.flush()?;
    Ok(if t.total_articles > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn interval_name(i: Interval) -> &'static str {
    match i {
        Interval::Week => "week (from Monday)",
        other => other.name(),
    }
}

/// One row per interval: its name, the total, then a column per source row;
/// the undated articles last, when there are any.
fn csv(out: &mut impl Write, t: &Timeline) -> anyhow::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    let mut header = vec!["interval".to_string(), "total".to_string()];
    header.extend(t.rows.iter().map(|r| r.source.clone()));
    w.write_record(&header)?;
    for (i, name) in t.intervals.iter().enumerate() {
        let mut record = vec![name.clone(), t.counts[i].to_string()];
        record.extend(t.rows.iter().map(|r| r.counts[i].to_string()));
        w.write_record(&record)?;
    }
    if t.undated > 0 {
        let mut record = vec!["undated".to_string(), t.undated.to_string()];
        record.extend(t.rows.iter().map(|_| String::new()));
        w.write_record(&record)?;
    }
    w.flush()?;
    Ok(())
}

fn human(out: &mut impl Write, t: &Timeline, style: &Style) -> io::Result<()> {
    let noun = if t.total_articles == 1 {
        "article matches"
    } else {
        "articles match"
    };
    let span = match (t.intervals.first(), t.intervals.last()) {
        (Some(a), Some(b)) if a != b => {
            format!(", by {} from {a} to {b}", interval_name(t.interval))
        }
        (Some(a), _) => format!(", by {}: {a}", interval_name(t.interval)),
        _ => String::new(),
    };
    writeln!(
        out,
        "{}",
        style.bold(&format!("{} {noun}{span}", t.total_articles))
    )?;
    crate::render::other_names(out, "also counted", &t.also_searched)?;
    let width = style.columns();
    if t.rows.is_empty() {
        for line in bars(&t.intervals, &t.counts, width) {
            writeln!(out, "{line}")?;
        }
    } else {
        let max = t
            .rows
            .iter()
            .flat_map(|r| &r.counts)
            .copied()
            .max()
            .unwrap_or(0);
        let name_w = t
            .rows
            .iter()
            .map(|r| r.source.chars().count())
            .max()
            .unwrap_or(0)
            .min(30);
        let total_w = t
            .rows
            .iter()
            .map(|r| r.total.to_string().len())
            .max()
            .unwrap_or(1);
        let room = width.saturating_sub(name_w + total_w + 4).max(10);
        let per = t.counts.len().div_ceil(room).max(1);
        // The first and last interval above the sparklines' ends.
        let marks = t.counts.len().div_ceil(per);
        if let (Some(first), Some(last)) = (t.intervals.first(), t.intervals.last()) {
            let lead = " ".repeat(name_w + total_w + 3);
            let gap = marks.saturating_sub(first.len() + last.len());
            let axis = if t.intervals.len() > 1 && gap >= 1 {
                format!("{first}{}{last}", " ".repeat(gap))
            } else {
                first.clone()
            };
            writeln!(out, "{}", style.dim(&format!("{lead}{axis}")))?;
        }
        for r in &t.rows {
            let name: String = r.source.chars().take(name_w).collect();
            let pad = name_w - name.chars().count();
            writeln!(
                out,
                "{name}{} {:>total_w$}  {}",
                " ".repeat(pad),
                r.total,
                spark(&r.counts, max * per as u64, per)
            )?;
        }
        if per > 1 {
            writeln!(
                out,
                "{}",
                style.dim(&format!(
                    "(each mark is {per} intervals; --csv has every one)"
                ))
            )?;
        }
    }
    if t.undated > 0 {
        writeln!(out, "undated: {}", t.undated)?;
    }
    Ok(())
}
