//! When segments merge. A merge reads its segments through memory maps,
//! and every page it reads stays in the process's resident memory until
//! the merge ends: merging a whole large index into one segment at the
//! end of a run held more than the index's size (573 MiB for a run of a
//! million articles) on top of the writer's own memory.
//!
//! So nothing merges while a run indexes (the indexing buffers are full
//! then), and after the commit tantivy's log-sized merges run one at a
//! time, each reading at most the run's memory budget (`--memory`) of
//! segments: tiers of similar size merge as tantivy would choose them, cut
//! into groups that fit the budget, and a segment larger than the budget
//! is left as it is.

use std::path::PathBuf;

use tantivy::index::{SegmentComponent, SegmentMeta};
use tantivy::indexer::{LogMergePolicy, MergeCandidate, MergePolicy};

/// tantivy's log merge policy, with each merge's input bounded in bytes.
#[derive(Debug)]
pub(super) struct BoundedMerges {
    log: LogMergePolicy,
    /// The index folder, where segment sizes are read.
    dir: PathBuf,
    /// Bytes of segments one merge may read.
    cap: u64,
}

impl BoundedMerges {
    pub(super) fn new(dir: PathBuf, cap: u64) -> BoundedMerges {
        let mut log = LogMergePolicy::default();
        // Two segments of a tier are enough to merge: as nothing merges
        // while a run indexes, a run's flushed segments would otherwise stay
        // apart until eight of one size gather (six segments at 565,000
        // articles made searches 11% slower than one, the command line 15%).
        log.set_min_num_segments(2);
        // Tiers by size all the way down: by default every segment under
        // 10,000 articles is one tier, so a run's few changed articles were
        // merged into a small collection's whole segment on every run.
        log.set_min_layer_size(1);
        BoundedMerges { log, dir, cap }
    }

    /// Bytes of a segment's files on disk (those it has).
    fn bytes(&self, segment: &SegmentMeta) -> u64 {
        [
            SegmentComponent::Postings,
            SegmentComponent::Positions,
            SegmentComponent::FastFields,
            SegmentComponent::FieldNorms,
            SegmentComponent::Terms,
            SegmentComponent::Store,
            SegmentComponent::Delete,
        ]
        .into_iter()
        .filter_map(|c| std::fs::metadata(self.dir.join(segment.relative_path(c))).ok())
        .map(|m| m.len())
        .sum()
    }
}

impl MergePolicy for BoundedMerges {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let mut out = Vec::new();
        for candidate in self.log.compute_merge_candidates(segments) {
            let mut sized: Vec<(u64, &SegmentMeta)> = segments
                .iter()
                .filter(|s| candidate.0.contains(&s.id()))
                .map(|s| (self.bytes(s), s))
                .collect();
            sized.sort_by_key(|&(bytes, s)| (bytes, s.id()));
            out.extend(
                fit(&sized.iter().map(|&(b, _)| b).collect::<Vec<_>>(), self.cap)
                    .into_iter()
                    .map(|group| MergeCandidate(group.map(|i| sized[i].1.id()).collect())),
            );
        }
        out
    }
}

/// Cuts segments of the given sizes (smallest first) into runs of at least
/// two whose sizes add up to at most `cap`, as index ranges.
fn fit(sizes: &[u64], cap: u64) -> Vec<std::ops::Range<usize>> {
    let mut groups = Vec::new();
    let mut start = 0;
    let mut total = 0u64;
    for (i, &size) in sizes.iter().enumerate() {
        if total.saturating_add(size) > cap {
            if i - start >= 2 {
                groups.push(start..i);
            }
            start = i;
            total = 0;
        }
        total = total.saturating_add(size);
    }
    if sizes.len() - start >= 2 {
        groups.push(start..sizes.len());
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn groups_fit_the_cap_and_hold_two_segments_or_more() {
        // Nine segments of 50 bytes under a cap of 224: four, four, and one
        // left alone.
        assert_eq!(fit(&[50; 9], 224), vec![0..4, 4..8]);
        // Everything fits: one merge.
        assert_eq!(fit(&[1, 2, 3], 224), vec![0..3]);
        // A segment over the cap is never merged, nor are the ones after it.
        assert_eq!(fit(&[10, 20, 300, 400], 224), vec![0..2]);
        assert_eq!(fit(&[300, 400], 224), Vec::<std::ops::Range<usize>>::new());
        // One segment alone is no merge.
        assert_eq!(fit(&[5], 224), Vec::<std::ops::Range<usize>>::new());
        assert_eq!(fit(&[], 224), Vec::<std::ops::Range<usize>>::new());
    }
}
