//! Collapsing: copies of one story shown as one hit.
//!
//! Every article carries its near-duplicate cluster label (given
//! at index time, see [`crate::write::neardup`]). Articles arrive here in result
//! order; the first article of each label becomes the hit and the later
//! ones are listed under it as [`OtherCopy`]s. Counts and facets are taken
//! before this step, so they include every copy.

use std::cmp::Ordering;

use crate::index::columns::SourceNames;
use crate::index::schema::{KeyMap, KeySet};
use crate::model::OtherCopy;
use crate::search::collect::ArticleAgg;

/// A hit-to-be and the copies folded into it, as positions in the list of
/// matching articles.
pub(crate) struct Group {
    pub score: f32,
    pub at: u32,
    pub copies: Vec<u32>,
}

/// A comparison of `(score, position in found)` pairs, best first.
pub(crate) type Compare<'a> = dyn Fn(&(f32, u32), &(f32, u32)) -> Ordering + 'a;

/// How results are ordered.
pub(crate) struct Ranking<'a> {
    /// The order by what each pair holds or points to directly (score,
    /// date); pairs it finds equal may differ in `full`.
    pub coarse: &'a Compare<'a>,
    /// The whole order: `coarse`, its ties broken by what costs a read
    /// (the article key). `full` never contradicts `coarse`.
    pub full: &'a Compare<'a>,
}

impl Ranking<'_> {
    /// Moves the best `m` pairs of `order` to its front, in order. The
    /// selection runs on `coarse`; only the pairs that tie with the m-th
    /// are compared in `full` (ties are frequent, copies score alike, and
    /// each `full` tie reads two article keys).
    pub(crate) fn best_first(&self, order: &mut [(f32, u32)], m: usize) {
        if m == 0 {
            return;
        }
        let mut end = m;
        if m < order.len() {
            order.select_nth_unstable_by(m - 1, self.coarse);
            let nth = order[m - 1];
            for i in m..order.len() {
                if (self.coarse)(&order[i], &nth) == Ordering::Equal {
                    order.swap(i, end);
                    end += 1;
                }
            }
        }
        order[..end].sort_unstable_by(self.full);
    }
}

/// The groups up to `page_end` in result order, and how many groups there
/// are in all. `order` holds every matching article and is reordered only
/// as far as needed: the page, not the whole list.
///
/// With `collapse` off each article is a group of its own. With it on, the
/// best article of each cluster is the group and every other article of
/// that cluster, wherever it ranks, is one of its copies (in result order).
pub(crate) fn page_groups(
    order: &mut [(f32, u32)],
    found: &[ArticleAgg],
    ranking: &Ranking,
    page_end: usize,
    collapse: bool,
) -> (Vec<Group>, usize) {
    let n = order.len();
    let page_end = page_end.min(n);
    let group = |&(score, at): &(f32, u32)| Group {
        score,
        at,
        copies: Vec::new(),
    };
    if !collapse {
        ranking.best_first(order, page_end);
        return (order[..page_end].iter().map(group).collect(), n);
    }
    let mut labels = LabelSet::for_matches(found);
    let mut total = 0;
    for a in found {
        match a.cluster {
            Some(l) => total += usize::from(labels.insert(u64::from(l.get()))),
            None => total += 1,
        }
    }
    let wanted = page_end.min(total);
    // A prefix of twice the page times the articles per group nearly
    // always holds the page's groups (a collection with many copies per
    // story needs a longer one); if not, twice as long, and so on. Each
    // try is a pass over every article.
    let per_group = n.div_ceil(total.max(1));
    let mut m = (page_end * 2 * per_group).max(32).min(n);
    let mut groups: Vec<Group> = Vec::new();
    let mut first_of: KeyMap<usize> = KeyMap::default();
    loop {
        ranking.best_first(order, m);
        groups.clear();
        first_of.clear();
        for r in &order[..m] {
            if groups.len() == wanted {
                break;
            }
            let label = found[r.1 as usize].cluster.map(|l| u64::from(l.get()));
            if label.is_some_and(|l| first_of.contains_key(&l)) {
                continue;
            }
            if let Some(l) = label {
                first_of.insert(l, groups.len());
            }
            groups.push(group(r));
        }
        if groups.len() == wanted || m == n {
            break;
        }
        m = (m * 2).min(n);
    }
    // Every other article of a page group's cluster, wherever it ranks,
    // in result order: the page's labels alone in the set, which answers
    // for nearly every article that it is not one of them.
    labels.clear();
    for &l in first_of.keys() {
        labels.insert(l);
    }
    let mut copies: Vec<Vec<(f32, u32)>> = vec![Vec::new(); groups.len()];
    for r in order.iter() {
        if let Some(&g) = found[r.1 as usize]
            .cluster
            .map(|l| u64::from(l.get()))
            .filter(|&l| labels.contains(l))
            .and_then(|l| first_of.get(&l))
            && groups[g].at != r.1
        {
            copies[g].push(*r);
        }
    }
    for (g, mut c) in groups.iter_mut().zip(copies) {
        c.sort_unstable_by(ranking.full);
        g.copies = c.into_iter().map(|r| r.1).collect();
    }
    (groups, total)
}

/// How many of `articles` are copies of the story of another of them: the
/// articles less their distinct stories (clusters, and articles in none).
pub(crate) fn copies<'a>(
    articles: impl Iterator<Item = &'a ArticleAgg>,
    found: &[ArticleAgg],
) -> u64 {
    let mut labels = LabelSet::for_matches(found);
    let (mut n, mut stories) = (0, 0);
    for a in articles {
        n += 1;
        stories += match a.cluster {
            Some(l) => u64::from(labels.insert(u64::from(l.get()))),
            None => 1,
        };
    }
    n - stories
}

/// A set of cluster labels. Labels are numbers given from 1 up
/// ([`crate::write::neardup::Labels`]), so a set of a search's labels is
/// nearly always a bitset: a bit per label the index has given, a few
/// hundred kilobytes for millions of articles, where a hash set would take
/// 16 bytes and a hash per match. Labels too large for that (an index of
/// more labels than bits are worth) go in a hash set.
enum LabelSet {
    Bits(Vec<u64>),
    Hashed(KeySet),
}

impl LabelSet {
    /// An empty set able to hold the labels of `found`.
    fn for_matches(found: &[ArticleAgg]) -> LabelSet {
        let max = found
            .iter()
            .filter_map(|a| a.cluster)
            .map(|l| u64::from(l.get()))
            .max()
            .unwrap_or(0);
        // Bits up to 64 per match, or 2^20 whatever the matches: never
        // much more than the hash set would take.
        let cap = (found.len() as u64 * 64).max(1 << 20);
        if max < cap {
            LabelSet::Bits(vec![0; (max / 64 + 1) as usize])
        } else {
            LabelSet::Hashed(KeySet::with_capacity_and_hasher(
                found.len(),
                Default::default(),
            ))
        }
    }

    /// Adds `label`; whether it was new.
    fn insert(&mut self, label: u64) -> bool {
        match self {
            LabelSet::Bits(bits) => {
                let (word, bit) = ((label / 64) as usize, 1u64 << (label % 64));
                if word >= bits.len() {
                    bits.resize(word + 1, 0);
                }
                let new = bits[word] & bit == 0;
                bits[word] |= bit;
                new
            }
            LabelSet::Hashed(set) => set.insert(label),
        }
    }

    fn contains(&self, label: u64) -> bool {
        match self {
            LabelSet::Bits(bits) => bits
                .get((label / 64) as usize)
                .is_some_and(|w| w & (1u64 << (label % 64)) != 0),
            LabelSet::Hashed(set) => set.contains(&label),
        }
    }

    fn clear(&mut self) {
        match self {
            LabelSet::Bits(bits) => bits.fill(0),
            LabelSet::Hashed(set) => set.clear(),
        }
    }
}

/// A copy of a hit as it is shown: its id (read by the caller, a page at a
/// time), source and date, without loading the stored article.
pub(crate) fn other(names: &mut SourceNames, agg: &ArticleAgg, id: String) -> OtherCopy {
    OtherCopy {
        id,
        source: agg.source_ord().and_then(|k| names.name(k)),
        date: agg.day().and_then(crate::Date::from_key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::num::NonZeroU32;
    use tantivy::DocAddress;

    fn article(i: u32, best: f32, cluster: Option<u64>) -> ArticleAgg {
        ArticleAgg {
            at: DocAddress::new(0, i),
            score: best,
            source: crate::search::collect::NO_SOURCE,
            day_key: 0,
            cluster: cluster.and_then(|c| NonZeroU32::new(c as u32)),
            lacks: 0,
        }
    }

    fn order_of(found: &[ArticleAgg]) -> Vec<(f32, u32)> {
        found
            .iter()
            .enumerate()
            .map(|(i, a)| (a.score, i as u32))
            .collect()
    }

    /// Groups by a full sort and one walk: what `page_groups` must equal.
    fn naive(found: &[ArticleAgg], cmp: &Compare) -> Vec<(u32, Vec<u32>)> {
        let mut order = order_of(found);
        order.sort_unstable_by(cmp);
        let mut groups: Vec<(u32, Vec<u32>)> = Vec::new();
        let mut first_of: std::collections::HashMap<u64, usize> = Default::default();
        for &(_, at) in &order {
            match found[at as usize]
                .cluster
                .and_then(|l| first_of.get(&u64::from(l.get())))
            {
                Some(&g) => groups[g].1.push(at),
                None => {
                    if let Some(l) = found[at as usize].cluster {
                        first_of.insert(u64::from(l.get()), groups.len());
                    }
                    groups.push((at, Vec::new()));
                }
            }
        }
        groups
    }

    proptest! {
        #[test]
        fn the_page_is_the_start_of_the_full_grouping(
            articles in prop::collection::vec((0u8..20, prop::option::of(0u64..12)), 0..200),
            page_end in 0usize..60,
            // Labels as an index gives them (small: a bitset), or too
            // large for one (a hash set).
            large in any::<bool>(),
        ) {
            let base = if large { 1 << 31 } else { 0 };
            let found: Vec<ArticleAgg> = articles
                .iter()
                .enumerate()
                .map(|(i, &(s, c))| article(i as u32, f32::from(s), c.map(|c| c + base)))
                .collect();
            // Ties of score (frequent here) go by position, in reverse so
            // that the order of the list does not give the answer away.
            let coarse = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0);
            let full = |a: &(f32, u32), b: &(f32, u32)| coarse(a, b).then_with(|| b.1.cmp(&a.1));
            let ranking = Ranking { coarse: &coarse, full: &full };
            let all = naive(&found, &full);
            let (groups, total) = page_groups(&mut order_of(&found), &found, &ranking, page_end, true);
            prop_assert_eq!(total, all.len());
            let got: Vec<(u32, Vec<u32>)> = groups.into_iter().map(|g| (g.at, g.copies)).collect();
            prop_assert_eq!(&got[..], &all[..page_end.min(all.len())]);
            let (plain, total) = page_groups(&mut order_of(&found), &found, &ranking, page_end, false);
            prop_assert_eq!(total, found.len());
            let mut sorted = order_of(&found);
            sorted.sort_unstable_by(full);
            let plain: Vec<u32> = plain.iter().map(|g| g.at).collect();
            let first: Vec<u32> = sorted.iter().take(page_end).map(|r| r.1).collect();
            prop_assert_eq!(plain, first);
        }
    }
}
