//! When segments merge. Nothing merges while a run indexes (the indexing
//! buffers are full then, and a merge would rewrite segments the run is
//! still adding to). After the commit, tantivy's log merge policy merges
//! segments of similar size, on one merge thread:
//!
//! - four segments of a tier are enough to merge, and tiers go all the way
//!   down, so a run's few changed articles do not wait for seven more runs,
//!   a build's segments (one per indexing thread) are not rewritten at
//!   once, and the number of segments stays near the logarithm of the
//!   articles;
//! - a segment with more than [`DELETED_SHARE`] of its documents deleted (an
//!   article replaced or removed leaves its old document deleted) is merged
//!   even alone, so what was deleted is reclaimed rather than carried in
//!   every later search and on disk.
//!
//! A merge reads its segments through memory maps: those pages are the
//! page cache's, which the system takes back under pressure, and not the
//! process's own memory. The memory a merge itself allocates is small
//! beside the indexing buffers; benches/compare.rs measures both as
//! anonymous resident memory (`RssAnon`).

use tantivy::indexer::LogMergePolicy;

/// The share of deleted documents past which a segment is merged anyway.
pub(super) const DELETED_SHARE: f32 = 0.2;

/// The merge policy a writer uses once its run's documents are written.
pub(super) fn after_commit() -> LogMergePolicy {
    let mut log = LogMergePolicy::default();
    // Four segments of a tier are enough to merge. By default eight of one
    // size gather first (six segments at 565,000 articles made searches 11%
    // slower than one); two would rewrite the whole collection after every
    // build, whose indexing threads leave a segment each: merging those two
    // took a fifth of a build's time (70,635 articles), for searches about
    // 15% faster on one segment than on two.
    log.set_min_num_segments(4);
    // Tiers by size all the way down: by default every segment under 10,000
    // articles is one tier.
    log.set_min_layer_size(1);
    log.set_del_docs_ratio_before_merge(DELETED_SHARE);
    log
}
