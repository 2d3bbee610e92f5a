//! Facet counts: articles per source, per calendar month, and undated.
//! Callers add each matching *article* once; nothing here knows about passages.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use crate::model::{FacetCount, Facets};
use crate::schema::source_key;

/// Accumulates facet counts one article at a time.
#[derive(Debug, Default)]
pub(crate) struct FacetCounter {
    /// Count per source as written; folded by [`source_key`] in `finish`.
    sources: FxHashMap<String, u64>,
    /// Count per `YYYYMM`.
    months: FxHashMap<i64, u64>,
    undated: u64,
    total: u64,
}

impl FacetCounter {
    /// Counts one article with its source and its date key (`YYYYMMDD`).
    pub fn add(&mut self, source: Option<&str>, day: Option<i64>) {
        self.total += 1;
        if let Some(s) = source {
            match self.sources.get_mut(s) {
                Some(n) => *n += 1,
                None => {
                    self.sources.insert(s.to_string(), 1);
                }
            }
        }
        match day {
            Some(d) => *self.months.entry(d / 100).or_default() += 1,
            None => self.undated += 1,
        }
    }

    /// Articles counted so far.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The facets. Sources that differ only in case or spacing are one value
    /// (as the source filter treats them), shown in their most common form.
    pub fn finish(self) -> Facets {
        let mut merged: HashMap<String, (String, u64, u64)> = HashMap::new();
        for (display, n) in self.sources {
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
            .map(|(value, _, count)| FacetCount { value, count })
            .collect();
        sources.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        let mut months: Vec<(i64, u64)> = self.months.into_iter().collect();
        months.sort_unstable();
        let months = months
            .into_iter()
            .map(|(m, count)| FacetCount {
                value: format!("{:04}-{:02}", m / 100, m % 100),
                count,
            })
            .collect();
        Facets {
            sources,
            months,
            undated: self.undated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_folds() {
        let mut c = FacetCounter::default();
        c.add(Some("BBC News"), Some(20240105));
        c.add(Some("BBC News"), Some(20240131));
        c.add(Some("bbc  news"), None);
        c.add(Some("Unison"), Some(20231201));
        c.add(None, None);
        assert_eq!(c.total(), 5);
        let f = c.finish();
        assert_eq!(
            f.sources,
            [
                FacetCount {
                    value: "BBC News".into(),
                    count: 3
                },
                FacetCount {
                    value: "Unison".into(),
                    count: 1
                }
            ]
        );
        assert_eq!(
            f.months,
            [
                FacetCount {
                    value: "2023-12".into(),
                    count: 1
                },
                FacetCount {
                    value: "2024-01".into(),
                    count: 2
                }
            ]
        );
        assert_eq!(f.undated, 2);
    }
}
