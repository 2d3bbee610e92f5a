//! Calendar dates: the lenient parser for dates found in articles, the strict
//! one for `--since` / `--until`, and the compact key stored in the index.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar date (no time, no zone): the day an article was published.
///
/// Serialises as `"YYYY-MM-DD"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i16,
    month: i8,
    day: i8,
}

impl Date {
    /// A valid date, or `None` (`2025-02-30` is `None`).
    pub fn new(year: i16, month: i8, day: i8) -> Option<Date> {
        jiff::civil::Date::new(year, month, day)
            .ok()
            .filter(|_| (1..=9999).contains(&year))
            .map(|_| Date { year, month, day })
    }

    /// The year (1 to 9999).
    pub fn year(self) -> i16 {
        self.year
    }
    /// The month (1 to 12).
    pub fn month(self) -> i8 {
        self.month
    }
    /// The day of the month (1 to 31).
    pub fn day(self) -> i8 {
        self.day
    }

    /// `YYYY-MM`, the value of the month facet.
    pub fn month_label(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// The integer `YYYYMMDD`: ordered like the dates, so range queries work on it.
    pub fn key(self) -> i64 {
        i64::from(self.year) * 10_000 + i64::from(self.month) * 100 + i64::from(self.day)
    }

    /// Inverse of [`Date::key`].
    pub fn from_key(key: i64) -> Option<Date> {
        let year = i16::try_from(key / 10_000).ok()?;
        Date::new(year, ((key / 100) % 100) as i8, (key % 100) as i8)
    }

    /// Reads the dates people and feeds write: `2025-04-08`, RFC 3339
    /// (`2025-04-08T09:30:00Z`), RFC 2822 (`Tue, 08 Apr 2025 09:30:00 +0000`),
    /// `2025/04/08`, `8 April 2025`, `8th Apr 2025`, `April 8, 2025`,
    /// `Tuesday 8 April 2025`, and `08/04/2025` (day first unless that cannot
    /// be, as in `04/28/2025`). Returns `None` for anything else.
    pub fn parse(text: &str) -> Option<Date> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        if let Some(d) = parse_numeric(text) {
            return Some(d);
        }
        parse_written(text)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("not a date: {s:?}")))
    }
}

/// `YYYY-MM-DD` (optionally followed by a time), `YYYY/MM/DD`, `DD/MM/YYYY`.
fn parse_numeric(text: &str) -> Option<Date> {
    let head: String = text
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '-' | '/' | '.'))
        .collect();
    let rest = &text[head.len()..];
    // Whatever follows the date must be a time part, not more words.
    let time_follows = rest.starts_with(['T', 't', ' '])
        && rest[1..]
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit());
    if !(rest.is_empty() || time_follows) {
        return None;
    }
    let parts: Vec<&str> = head.split(['-', '/', '.']).collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let nums: Vec<i32> = parts
        .iter()
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let (y, m, d) = if parts[0].len() == 4 {
        (nums[0], nums[1], nums[2])
    } else if parts[2].len() == 4 {
        // Day first (British usage) unless the first number cannot be a day-of-month pair.
        if nums[1] > 12 && nums[0] <= 12 {
            (nums[2], nums[0], nums[1])
        } else {
            (nums[2], nums[1], nums[0])
        }
    } else {
        return None;
    };
    Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
}

const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Written forms: weekday names, commas, ordinals and times are dropped
/// before trying `day month year` and `month day year`.
fn parse_written(text: &str) -> Option<Date> {
    let cleaned = text.replace([',', '.'], " ");
    let mut words: Vec<String> = cleaned.split_whitespace().map(|w| w.to_string()).collect();
    // Drop a leading weekday (`Tue`, `Tuesday`).
    if let Some(first) = words.first() {
        let lower = first.to_ascii_lowercase();
        if lower.len() >= 3 && WEEKDAYS.iter().any(|d| d.starts_with(&lower)) {
            words.remove(0);
        }
    }
    // Keep the first three words: the rest is a time or a zone.
    words.truncate(3);
    if words.len() != 3 {
        return None;
    }
    for w in &mut words {
        // `8th` -> `8`
        if w.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            let digits: String = w.chars().take_while(|c| c.is_ascii_digit()).collect();
            let suffix = w[digits.len()..].to_ascii_lowercase();
            if matches!(suffix.as_str(), "" | "st" | "nd" | "rd" | "th") {
                *w = digits;
            }
        }
    }
    let joined = words.join(" ");
    for fmt in ["%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y"] {
        if let Ok(tm) = jiff::fmt::strtime::parse(fmt, &joined)
            && let Ok(d) = tm.to_date()
        {
            return Date::new(d.year(), d.month(), d.day());
        }
    }
    None
}

/// A calendar period as a search's bounds take it: a year, a month or a
/// day, written `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
///
/// ```
/// use hpsearch::{Period, SearchRequest};
/// let p: Period = "2014-02".parse()?;
/// assert_eq!((p.first().to_string(), p.last().to_string()), ("2014-02-01".into(), "2014-02-28".into()));
/// let mut r = SearchRequest::new("ebola");
/// r.period(Some("2014".parse()?), Some(p));
/// assert_eq!(r.until.map(|d| d.to_string()), Some("2014-02-28".into()));
/// # Ok::<(), hpsearch::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Period {
    first: Date,
    last: Date,
}

impl Period {
    /// Its first day: where a search's `since` starts.
    pub fn first(self) -> Date {
        self.first
    }
    /// Its last day: where a search's `until` ends.
    pub fn last(self) -> Date {
        self.last
    }
}

impl std::str::FromStr for Period {
    type Err = crate::Error;
    fn from_str(text: &str) -> Result<Period, crate::Error> {
        parse_period(text)
            .map(|(first, last)| Period { first, last })
            .map_err(crate::Error::InvalidRequest)
    }
}

/// A `--since` / `--until` bound: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, a month
/// as written (`March 2014`, `Mar 2014`), or a day in any form
/// [`Date::parse`] reads (`8 April 2025`), read as the first or the last day
/// of that period (see [`Period`]).
pub fn parse_period(text: &str) -> Result<(Date, Date), String> {
    let bad = || {
        format!(
            "cannot read the date {text:?}: use YYYY, YYYY-MM or YYYY-MM-DD (for example 2024, 2024-03 or 2024-03-31), or write it (March 2024, 8 April 2025)"
        )
    };
    if let Some(month) = written_month(text) {
        return Ok(month);
    }
    if text.trim().contains(char::is_alphabetic)
        && let Some(d) = Date::parse(text)
    {
        return Ok((d, d));
    }
    let parts: Vec<&str> = text.trim().split('-').collect();
    let num = |s: &str, len: usize| -> Result<i32, String> {
        if s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().map_err(|_| bad())
        } else {
            Err(bad())
        }
    };
    let year = num(parts[0], 4)? as i16;
    let invalid = |what: &str| format!("{text:?} is not a real date: {what}");
    match parts.len() {
        1 => Ok((
            Date::new(year, 1, 1).ok_or_else(bad)?,
            Date::new(year, 12, 31).ok_or_else(bad)?,
        )),
        2 => {
            let month = num(parts[1], 2)? as i8;
            month_bounds(year, month).ok_or_else(|| invalid("month must be 01 to 12"))
        }
        3 => {
            let month = num(parts[1], 2)? as i8;
            let day = num(parts[2], 2)? as i8;
            if !(1..=12).contains(&month) {
                return Err(invalid("month must be 01 to 12"));
            }
            let d =
                Date::new(year, month, day).ok_or_else(|| invalid("that month has no such day"))?;
            Ok((d, d))
        }
        _ => Err(bad()),
    }
}

/// A month written with its name and year (`March 2014`, `mar 2014`): its
/// first and last days.
fn written_month(text: &str) -> Option<(Date, Date)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let [name, year] = words.as_slice() else {
        return None;
    };
    let first = Date::parse(&format!("1 {name} {year}"))?;
    month_bounds(first.year, first.month)
}

/// The first and last days of a month; `None` for no such month.
fn month_bounds(year: i16, month: i8) -> Option<(Date, Date)> {
    let first = Date::new(year, month, 1)?;
    let last = (28..=31).rev().find_map(|d| Date::new(year, month, d))?;
    Some((first, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_as_people_write_them() {
        let p = |s: &str| parse_period(s).map(|(a, b)| format!("{a}..{b}"));
        assert_eq!(p("March 2014").unwrap(), "2014-03-01..2014-03-31");
        assert_eq!(p("feb 2016").unwrap(), "2016-02-01..2016-02-29");
        assert_eq!(p("8 April 2025").unwrap(), "2025-04-08..2025-04-08");
        assert_eq!(p("2014-03").unwrap(), "2014-03-01..2014-03-31");
        assert!(p("Smarch 2014").is_err());
        assert!(p("March").is_err());
    }

    fn d(s: &str) -> Option<String> {
        Date::parse(s).map(|d| d.to_string())
    }

    #[test]
    fn reads_common_forms() {
        let want = Some("2025-04-08".to_string());
        for s in [
            "2025-04-08",
            "2025-04-08T09:30:00Z",
            "2025-04-08T09:30:00+01:00",
            "2025/04/08",
            "08/04/2025",
            "8 April 2025",
            "8th April 2025",
            "April 8, 2025",
            "Apr 8 2025",
            "Tuesday 8 April 2025",
            "Tue, 08 Apr 2025 09:30:00 +0000",
        ] {
            assert_eq!(d(s), want, "{s}");
        }
        assert_eq!(d("04/28/2025"), Some("2025-04-28".into()));
    }

    #[test]
    fn rejects_impossible_and_junk() {
        for s in [
            "2025-13-45",
            "2025-02-30",
            "yesterday",
            "",
            "12",
            "April 2025",
            "2025-04-08 and more",
        ] {
            assert_eq!(d(s), None, "{s}");
        }
    }

    #[test]
    fn key_round_trips_and_orders() {
        let a = Date::parse("2019-12-31").unwrap();
        let b = Date::parse("2020-01-01").unwrap();
        assert!(a.key() < b.key());
        assert_eq!(Date::from_key(a.key()), Some(a));
        assert_eq!(a.month_label(), "2019-12");
    }

    #[test]
    fn periods() {
        let (a, b) = parse_period("2024").unwrap();
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("2024-01-01".into(), "2024-12-31".into())
        );
        let (a, b) = parse_period("2024-02").unwrap();
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("2024-02-01".into(), "2024-02-29".into())
        );
        assert!(parse_period("2025-13-01").unwrap_err().contains("month"));
        assert!(parse_period("2025-02-30").is_err());
        assert!(parse_period("last week").is_err());
    }
}
