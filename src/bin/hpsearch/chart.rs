//! Charts of counts over time, fitted to the terminal's width and readable
//! without colour: bars of whole and eighth blocks (one line per interval),
//! and sparklines (one mark per interval, for rows by source).

use hpsearch::FacetCount;

/// One line per interval: its name, its count and a bar scaled to the
/// largest count, in whole and eighth blocks, fitted to `width` columns.
pub fn bars(names: &[String], counts: &[u64], width: usize) -> Vec<String> {
    let name_w = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let count_w = counts
        .iter()
        .map(|c| c.to_string().len())
        .max()
        .unwrap_or(1);
    let room = width.saturating_sub(name_w + count_w + 4).max(8) as u64;
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    names
        .iter()
        .zip(counts)
        .map(|(name, &n)| {
            // In eighths of a column; anything above zero shows.
            let eighths = (n * room * 8).div_ceil(max);
            let mut bar = "█".repeat((eighths / 8) as usize);
            if eighths % 8 > 0 {
                bar.push(EIGHTHS[(eighths % 8) as usize]);
            }
            format!("{name:<name_w$}  {n:>count_w$}  {bar}")
                .trim_end()
                .to_string()
        })
        .collect()
}

/// Partial blocks, by eighths of a column.
const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/// Heights of a sparkline, lowest first: a space for none.
const LEVELS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A sparkline of `counts`, `per` intervals a mark (summed), scaled to
/// `max` (a mark's largest possible sum); any count above zero shows.
pub fn spark(counts: &[u64], max: u64, per: usize) -> String {
    let max = max.max(1);
    counts
        .chunks(per.max(1))
        .map(|c| {
            let n: u64 = c.iter().sum();
            LEVELS[((n * 8).div_ceil(max) as usize).min(8)]
        })
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// The months facet of a search as a chart: by year when the months span
/// more than three years, else by month, every interval from the first to
/// the last shown (none: zero).
pub fn months_chart(months: &[FacetCount], width: usize) -> Vec<String> {
    let parse = |v: &str| -> Option<(i64, i64)> {
        let (y, m) = v.split_once('-')?;
        Some((y.parse().ok()?, m.parse().ok()?))
    };
    let dated: Vec<(i64, i64, u64)> = months
        .iter()
        .filter_map(|f| parse(&f.value).map(|(y, m)| (y, m, f.count)))
        .collect();
    let (Some(first), Some(last)) = (dated.first(), dated.last()) else {
        return Vec::new();
    };
    let index = |y: i64, m: i64| y * 12 + m - 1;
    let (lo, hi) = (index(first.0, first.1), index(last.0, last.1));
    let (names, counts): (Vec<String>, Vec<u64>) = if hi - lo >= 36 {
        (first.0..=last.0)
            .map(|y| {
                let n: u64 = dated.iter().filter(|d| d.0 == y).map(|d| d.2).sum();
                (format!("{y:04}"), n)
            })
            .unzip()
    } else {
        (lo..=hi)
            .map(|i| {
                let (y, m) = (i.div_euclid(12), i.rem_euclid(12) + 1);
                let n: u64 = dated
                    .iter()
                    .filter(|d| index(d.0, d.1) == i)
                    .map(|d| d.2)
                    .sum();
                (format!("{y:04}-{m:02}"), n)
            })
            .unzip()
    };
    bars(&names, &counts, width)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(value: &str, count: u64) -> FacetCount {
        FacetCount {
            value: value.to_string(),
            count,
            unknown: false,
        }
    }

    #[test]
    fn bars_fit_the_width_and_show_every_count_above_zero() {
        let names: Vec<String> = ["2014", "2015", "2016"].map(String::from).to_vec();
        let lines = bars(&names, &[100, 1, 0], 40);
        assert_eq!(lines.len(), 3);
        for l in &lines {
            assert!(l.chars().count() <= 40, "{l:?}");
        }
        assert!(lines[0].ends_with('█'), "{lines:?}");
        // One of a hundred still shows, as a partial block.
        assert!(
            EIGHTHS[1..].iter().any(|c| lines[1].ends_with(*c)),
            "{lines:?}"
        );
        assert_eq!(lines[2], "2016    0");
    }

    #[test]
    fn a_long_span_is_charted_by_year_with_empty_years_shown() {
        let lines = months_chart(
            &[
                month("2015-11", 2),
                month("2019-01", 3),
                month("2019-05", 1),
            ],
            60,
        );
        let names: Vec<&str> = lines.iter().map(|l| &l[..4]).collect();
        assert_eq!(names, ["2015", "2016", "2017", "2018", "2019"]);
        assert_eq!(lines[1], "2016  0");
        assert!(lines[4].starts_with("2019  4  █"), "{lines:?}");
    }

    #[test]
    fn a_short_span_is_charted_by_month() {
        let lines = months_chart(&[month("2023-11", 2), month("2024-02", 1)], 60);
        let names: Vec<&str> = lines.iter().map(|l| &l[..7]).collect();
        assert_eq!(names, ["2023-11", "2023-12", "2024-01", "2024-02"]);
    }

    #[test]
    fn sparklines_scale_to_the_largest_mark() {
        assert_eq!(spark(&[0, 4, 8, 1], 8, 1), " ▄█▁");
        assert_eq!(spark(&[1, 1, 0, 0, 4, 4], 8, 2), "▂ █");
    }
}
