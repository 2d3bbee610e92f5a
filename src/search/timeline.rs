//! Timelines: the articles a search matches, counted per year, month, week
//! or day, and per source if asked. The matches are those of [`super::run`]
//! for the same query and filters (one pass of [`super::collect`]), so the
//! counts agree with its `total_articles` and facets; nothing is ranked.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use super::collect::Holding;
use super::{check_period, collect, filters, plan};
use crate::Date;
use crate::error::{Error, Result};
use crate::index::Index;
use crate::index::columns::SourceNames;
use crate::index::schema::source_key;
use crate::model::{
    Interval, JSON_SCHEMA_VERSION, OTHER_SOURCES, Timeline, TimelineRequest, TimelineRow,
    UNKNOWN_SOURCE, Words,
};

/// Intervals one timeline holds at most.
const MAX_INTERVALS: i64 = 100_000;

/// Matches spanning more days than this are shown by year when no interval
/// is asked for, others by month.
const YEARS_BEYOND_DAYS: i64 = 3 * 365 + 1;

impl Index {
    /// Counts the articles `req.search` matches per interval (and per
    /// source with `by_source`).
    pub fn timeline(&self, req: &TimelineRequest) -> Result<Timeline> {
        run(self, req)
    }
}

fn run(index: &Index, req: &TimelineRequest) -> Result<Timeline> {
    let s = &req.search;
    check_period(s)?;
    let searcher = index.searcher()?;
    let (plan, mut planner) = plan::plan(index, &searcher, s, s.words)?;
    // What a search counts: every word (the strict query holds them all,
    // nothing to seek), or any (those holding none left out, as search does).
    let (query, units) = match s.words {
        Words::All => (&*plan.strict, Vec::new()),
        Words::Any => (
            &*plan.query,
            plan.wanted.iter().map(|w| &*w.query).collect(),
        ),
    };
    let holding = Holding::new(units, s.words);
    let mut found = collect::collect(&searcher, query, &holding, false)?;
    let undated_left_out = filters::leave_out_undated(s, &mut found, |_| true);
    let days: Vec<Option<i64>> = found.iter().map(|a| a.day().and_then(day_number)).collect();
    let first = s.since.and_then(|d| day_number(d.key()));
    let last = s.until.and_then(|d| day_number(d.key()));
    let range = match (
        first.or_else(|| days.iter().flatten().min().copied()),
        last.or_else(|| days.iter().flatten().max().copied()),
    ) {
        (Some(lo), Some(hi)) if lo <= hi => Some((lo, hi)),
        _ => None,
    };
    let interval = req.interval.unwrap_or(match range {
        Some((lo, hi)) if hi - lo > YEARS_BEYOND_DAYS => Interval::Year,
        _ => Interval::Month,
    });
    let (lo, len) = match range {
        Some((lo, hi)) => {
            let (a, b) = (bucket(interval, lo), bucket(interval, hi));
            if b - a >= MAX_INTERVALS {
                return Err(Error::InvalidRequest(format!(
                    "a timeline by {} from {} to {} would have {} intervals (at most {MAX_INTERVALS}): \
                     choose a longer interval or a shorter period",
                    interval.name(),
                    label(interval, a),
                    label(interval, b),
                    b - a + 1
                )));
            }
            (a, (b - a + 1) as usize)
        }
        None => (0, 0),
    };
    let slot = |day: i64| -> Option<usize> {
        let at = bucket(interval, day) - lo;
        (0..len as i64).contains(&at).then_some(at as usize)
    };
    let mut counts = vec![0u64; len];
    let mut undated = 0;
    // By source key: the slots of each match (a few matches per source
    // and interval, so sparse until the rows are chosen).
    let mut by_key: FxHashMap<(u32, u32), FxHashMap<usize, u64>> = FxHashMap::default();
    let mut unknown: FxHashMap<usize, u64> = FxHashMap::default();
    for (a, day) in found.iter().zip(&days) {
        let Some(at) = day.and_then(slot) else {
            undated += 1;
            continue;
        };
        counts[at] += 1;
        if req.by_source {
            let cells = match a.source_ord() {
                Some(key) => by_key.entry(key).or_default(),
                None => &mut unknown,
            };
            *cells.entry(at).or_default() += 1;
        }
    }
    let rows = if req.by_source {
        let mut names = SourceNames::new(&searcher);
        rows(by_key, unknown, len, req.top, |keys| names.names(keys))
    } else {
        Vec::new()
    };
    let mut notices = planner.notices();
    if undated_left_out > 0 {
        notices.push(filters::undated_notice(undated_left_out));
    }
    Ok(Timeline {
        schema: JSON_SCHEMA_VERSION,
        query: s.query.clone(),
        interval,
        intervals: (0..len as i64).map(|i| label(interval, lo + i)).collect(),
        counts,
        rows,
        undated,
        total_articles: found.len() as u64,
        undated_left_out,
        notices,
        also_searched: std::mem::take(&mut planner.also_searched),
    })
}

/// The rows of a timeline by source: sources folded as filters fold them
/// (shown in their most common spelling), most matches first, the first
/// `top` (all if 0) a row each, the rest one row, then the articles with no
/// source.
fn rows(
    by_key: FxHashMap<(u32, u32), FxHashMap<usize, u64>>,
    unknown: FxHashMap<usize, u64>,
    len: usize,
    top: usize,
    names: impl FnOnce(&[(u32, u32)]) -> Vec<Option<String>>,
) -> Vec<TimelineRow> {
    let mut keys: Vec<(u32, u32)> = by_key.keys().copied().collect();
    keys.sort_unstable();
    let named = names(&keys);
    // Folded name -> (spellings with their counts, cells).
    let mut folded: HashMap<String, (HashMap<String, u64>, Vec<u64>)> = HashMap::new();
    let mut unknown_cells = dense(&unknown, len);
    for (key, name) in keys.iter().zip(named) {
        let cells = &by_key[key];
        let Some(name) = name else {
            add(&mut unknown_cells, &dense(cells, len));
            continue;
        };
        let entry = folded
            .entry(source_key(&name))
            .or_insert_with(|| (HashMap::new(), vec![0; len]));
        *entry.0.entry(name).or_default() += cells.values().sum::<u64>();
        add(&mut entry.1, &dense(cells, len));
    }
    let mut sources: Vec<TimelineRow> = folded
        .into_values()
        .map(|(spellings, counts)| {
            let source = spellings
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                .map(|(s, _)| s)
                .unwrap_or_default();
            row(source, counts)
        })
        .collect();
    sources.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.source.cmp(&b.source)));
    if top > 0 && sources.len() > top {
        let mut others = vec![0; len];
        for r in sources.drain(top..) {
            add(&mut others, &r.counts);
        }
        sources.push(TimelineRow {
            others: true,
            ..row(OTHER_SOURCES.to_string(), others)
        });
    }
    if unknown_cells.iter().any(|&n| n > 0) {
        sources.push(TimelineRow {
            unknown: true,
            ..row(UNKNOWN_SOURCE.to_string(), unknown_cells)
        });
    }
    sources
}

fn row(source: String, counts: Vec<u64>) -> TimelineRow {
    TimelineRow {
        source,
        unknown: false,
        others: false,
        total: counts.iter().sum(),
        counts,
    }
}

fn dense(cells: &FxHashMap<usize, u64>, len: usize) -> Vec<u64> {
    let mut out = vec![0; len];
    for (&at, &n) in cells {
        if let Some(slot) = out.get_mut(at) {
            *slot += n;
        }
    }
    out
}

fn add(to: &mut [u64], from: &[u64]) {
    for (a, b) in to.iter_mut().zip(from) {
        *a += b;
    }
}

/// Days since 1970-01-01 of a date key (`YYYYMMDD`), if it is a date.
fn day_number(key: i64) -> Option<i64> {
    let d = Date::from_key(key)?;
    Some(days_from_civil(
        i64::from(d.year()),
        i64::from(d.month()),
        i64::from(d.day()),
    ))
}

/// The interval a day falls in, numbered so that consecutive intervals
/// have consecutive numbers.
fn bucket(interval: Interval, day: i64) -> i64 {
    match interval {
        Interval::Day => day,
        // 1970-01-01 was a Thursday: weeks start on the Monday before.
        Interval::Week => (day + 3).div_euclid(7),
        Interval::Month => {
            let (y, m, _) = civil_from_days(day);
            y * 12 + m - 1
        }
        Interval::Year => civil_from_days(day).0,
    }
}

/// The name of an interval by its number (see [`bucket`]).
fn label(interval: Interval, n: i64) -> String {
    let day = |d: i64| {
        let (y, m, d) = civil_from_days(d);
        format!("{y:04}-{m:02}-{d:02}")
    };
    match interval {
        Interval::Day => day(n),
        Interval::Week => day(n * 7 - 3),
        Interval::Month => format!("{:04}-{:02}", n.div_euclid(12), n.rem_euclid(12) + 1),
        Interval::Year => format!("{n:04}"),
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number: inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_through_the_calendar() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for z in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z, "{y}-{m}-{d}");
            assert!(Date::new(y as i16, m as i8, d as i8).is_some() || !(1..=9999).contains(&y));
        }
    }

    #[test]
    fn an_interval_is_named_as_json_names_it() {
        for i in [
            Interval::Year,
            Interval::Month,
            Interval::Week,
            Interval::Day,
        ] {
            assert_eq!(
                serde_json::to_string(&i).unwrap(),
                format!("{:?}", i.name())
            );
        }
    }

    #[test]
    fn intervals_are_numbered_in_order_and_named() {
        let day = |y, m, d| days_from_civil(y, m, d);
        // 2014-03-05 was a Wednesday; its week starts on Monday the 3rd.
        let w = bucket(Interval::Week, day(2014, 3, 5));
        assert_eq!(label(Interval::Week, w), "2014-03-03");
        assert_eq!(bucket(Interval::Week, day(2014, 3, 9)), w, "Sunday");
        assert_eq!(bucket(Interval::Week, day(2014, 3, 10)), w + 1, "Monday");
        let m = bucket(Interval::Month, day(2014, 12, 31));
        assert_eq!(label(Interval::Month, m), "2014-12");
        assert_eq!(label(Interval::Month, m + 1), "2015-01");
        assert_eq!(
            label(Interval::Year, bucket(Interval::Year, day(1999, 12, 31))),
            "1999"
        );
        assert_eq!(label(Interval::Day, day(2024, 2, 29)), "2024-02-29");
    }

    #[test]
    fn rows_fold_spellings_keep_the_top_and_add_up() {
        let mut by_key: FxHashMap<(u32, u32), FxHashMap<usize, u64>> = FxHashMap::default();
        let cells = |v: &[(usize, u64)]| v.iter().copied().collect::<FxHashMap<_, _>>();
        by_key.insert((0, 0), cells(&[(0, 2), (2, 1)])); // "BBC News"
        by_key.insert((1, 4), cells(&[(1, 1)])); // "bbc news"
        by_key.insert((0, 1), cells(&[(2, 5)])); // "Unison"
        by_key.insert((0, 2), cells(&[(0, 1)])); // "Ward Bulletin"
        let unknown = cells(&[(1, 3)]);
        let names = |keys: &[(u32, u32)]| {
            keys.iter()
                .map(|k| {
                    Some(
                        match k {
                            (0, 0) => "BBC News",
                            (1, 4) => "bbc news",
                            (0, 1) => "Unison",
                            _ => "Ward Bulletin",
                        }
                        .to_string(),
                    )
                })
                .collect()
        };
        let r = rows(by_key, unknown, 3, 1, names);
        let got: Vec<(&str, Vec<u64>)> = r
            .iter()
            .map(|r| (r.source.as_str(), r.counts.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("Unison", vec![0, 0, 5]),
                (OTHER_SOURCES, vec![3, 1, 1]),
                (UNKNOWN_SOURCE, vec![0, 3, 0]),
            ]
        );
        assert!(r[1].others && r[2].unknown);
    }
}
