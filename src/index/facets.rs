//! Facet counts: articles per source, per calendar month, and undated.
//! Callers add each matching *article* once; nothing here knows about passages.
//! Sources are counted by a key (a segment and an ordinal of its source
//! column) and named once per key at the end, not once per article.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use crate::index::schema::source_key;
use crate::model::{FacetCount, Facets};

/// Accumulates facet counts one article at a time. Every match of a
/// search passes through [`FacetCounter::add`], so the common cases are
/// counted by index, not by hash: a source by its segment and ordinal, a
/// month of [`FIRST_YEAR`]..=[`LAST_YEAR`] by its place in that span.
#[derive(Debug, Default)]
pub(crate) struct FacetCounter {
    /// Count per source key (segment, then ordinal of its source column);
    /// named and folded by [`source_key`] in `finish`.
    sources: Vec<Vec<u64>>,
    /// Count per month of the span, from January of [`FIRST_YEAR`].
    months: Vec<u64>,
    /// Count per `YYYYMM` outside the span.
    other_months: FxHashMap<i64, u64>,
    undated: u64,
    unknown_source: u64,
    total: u64,
}

/// The years whose months are counted by index.
const FIRST_YEAR: i64 = 1900;
const LAST_YEAR: i64 = 2099;
const SPAN_MONTHS: usize = ((LAST_YEAR - FIRST_YEAR + 1) * 12) as usize;

impl FacetCounter {
    /// Counts one article with the key of its source and its date key
    /// (`YYYYMMDD`).
    pub fn add(&mut self, source: Option<(u32, u32)>, day: Option<i64>) {
        self.total += 1;
        match source {
            Some((segment, ord)) => {
                let (segment, ord) = (segment as usize, ord as usize);
                if self.sources.len() <= segment {
                    self.sources.resize_with(segment + 1, Vec::new);
                }
                let counts = &mut self.sources[segment];
                if counts.len() <= ord {
                    counts.resize(ord + 1, 0);
                }
                counts[ord] += 1;
            }
            None => self.unknown_source += 1,
        }
        match day {
            Some(d) => {
                let (year, month) = (d / 10_000, d / 100 % 100);
                if (FIRST_YEAR..=LAST_YEAR).contains(&year) && (1..=12).contains(&month) {
                    if self.months.is_empty() {
                        self.months = vec![0; SPAN_MONTHS];
                    }
                    self.months[((year - FIRST_YEAR) * 12 + month - 1) as usize] += 1;
                } else {
                    *self.other_months.entry(d / 100).or_default() += 1;
                }
            }
            None => self.undated += 1,
        }
    }

    /// Articles counted so far.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The facets, with `names` giving the names of source keys (sorted, a
    /// name or `None` for each). Sources that differ only in case or
    /// spacing are one value (as the source filter treats them), shown in
    /// their most common form.
    pub fn finish(self, names: impl FnOnce(&[(u32, u32)]) -> Vec<Option<String>>) -> Facets {
        let counts: Vec<((u32, u32), u64)> = (self.sources.iter().enumerate())
            .flat_map(|(segment, counts)| {
                (counts.iter().enumerate())
                    .filter(|(_, n)| **n > 0)
                    .map(move |(ord, &n)| ((segment as u32, ord as u32), n))
            })
            .collect();
        let keys: Vec<(u32, u32)> = counts.iter().map(|c| c.0).collect();
        let mut written: HashMap<String, u64> = HashMap::new();
        let mut unknown_source = self.unknown_source;
        for ((_, n), display) in counts.into_iter().zip(names(&keys)) {
            match display {
                Some(display) => *written.entry(display).or_default() += n,
                None => unknown_source += n,
            }
        }
        let mut merged: HashMap<String, (String, u64, u64)> = HashMap::new();
        for (display, n) in written {
            let slot = merged
                .entry(source_key(&display))
                .or_insert_with(|| (display.clone(), 0, 0));
            slot.2 += n;
            if n > slot.1 || (n == slot.1 && display < slot.0) {
                slot.0 = display;
                slot.1 = n;
            }
        }
        let mut sources: Vec<FacetCount> = merged
            .into_values()
            .map(|(value, _, count)| FacetCount {
                value,
                count,
                unknown: false,
            })
            .collect();
        sources.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        let mut months: Vec<(i64, u64)> = (self.months.iter().enumerate())
            .filter(|(_, n)| **n > 0)
            .map(|(i, &n)| {
                let i = i as i64;
                ((FIRST_YEAR + i / 12) * 100 + i % 12 + 1, n)
            })
            .chain(self.other_months)
            .collect();
        months.sort_unstable();
        let months = months
            .into_iter()
            .map(|(m, count)| FacetCount {
                value: format!("{:04}-{:02}", m / 100, m % 100),
                count,
                unknown: false,
            })
            .collect();
        Facets {
            sources,
            months,
            undated: self.undated,
            unknown_source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_folds() {
        // "BBC News" sits in two segments under different ordinals.
        let name = |(seg, ord): (u32, u32)| match (seg, ord) {
            (0, 0) | (1, 3) => Some("BBC News".to_string()),
            (0, 1) => Some("bbc  news".to_string()),
            (1, 0) => Some("Unison".to_string()),
            _ => None,
        };
        let names = |keys: &[(u32, u32)]| {
            assert!(keys.is_sorted());
            keys.iter().map(|&k| name(k)).collect()
        };
        let mut c = FacetCounter::default();
        c.add(Some((0, 0)), Some(20240105));
        c.add(Some((1, 3)), Some(20240131));
        c.add(Some((0, 1)), None);
        c.add(Some((1, 0)), Some(20231201));
        c.add(None, None);
        c.add(None, Some(18991231));
        c.add(None, Some(21000101));
        c.add(None, Some(19000115));
        assert_eq!(c.total(), 8);
        let f = c.finish(names);
        assert_eq!(
            f.sources,
            [
                FacetCount {
                    value: "BBC News".into(),
                    count: 3,
                    unknown: false,
                },
                FacetCount {
                    value: "Unison".into(),
                    count: 1,
                    unknown: false,
                }
            ]
        );
        assert_eq!(
            f.months,
            [
                FacetCount {
                    value: "1899-12".into(),
                    count: 1,
                    unknown: false,
                },
                FacetCount {
                    value: "1900-01".into(),
                    count: 1,
                    unknown: false,
                },
                FacetCount {
                    value: "2023-12".into(),
                    count: 1,
                    unknown: false,
                },
                FacetCount {
                    value: "2024-01".into(),
                    count: 2,
                    unknown: false,
                },
                FacetCount {
                    value: "2100-01".into(),
                    count: 1,
                    unknown: false,
                }
            ]
        );
        assert_eq!(f.undated, 2);
        assert_eq!(f.unknown_source, 4, "the articles with no source");
    }
}
