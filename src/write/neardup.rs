//! Near-duplicates: copies of one story, such as a press-agency report run by
//! several outlets or an article re-published with small edits.
//!
//! Each article gets a MinHash signature of its word 5-shingles (the text
//! lower-cased and cut at Unicode word boundaries, boilerplate paragraphs
//! left out). Two signatures agree in a share of positions that estimates the
//! Jaccard similarity of the two shingle sets. When an article is indexed,
//! locality-sensitive hashing (bands of rows of the signature) finds the
//! earlier articles it may resemble; the most similar one at or above
//! [`THRESHOLD`] gives it its *cluster*, a label shared by every copy of the
//! story. Earlier means indexed by an earlier run, or in the same run with
//! a smaller article key (not read earlier), and ties go to the earliest:
//! the same collection gives the same copies and labels however its files
//! are ordered. An article like no other starts a cluster of its own. Labels never
//! change once given, so a search can group hits by them without any further
//! work.
//!
//! The hash functions are fixed here (xxh3 for words, a multiply-rotate mix
//! of word hashes for shingles, multiply-shift
//! permutations from fixed constants) rather than drawn from a random number
//! generator, because signatures are stored in the index and must mean the
//! same thing to every later version that reads them.

use rayon::prelude::*;

use crate::index::schema::{KeyMap, KeySet};

/// Words per shingle.
const SHINGLE: usize = 5;
/// Values in a signature.
pub const HASHES: usize = 120;
/// Rows per LSH band; `HASHES / ROWS` bands. With 40 bands of 3 rows, a pair
/// at similarity 0.6 shares a band with probability 0.9998, a pair at 0.5
/// with 0.995, a pair at 0.1 with 0.04.
const ROWS: usize = 3;
/// Estimated Jaccard similarity at which two articles are copies of one story.
pub const THRESHOLD: f64 = 0.6;

/// A MinHash signature as stored: the lowest 8 bits of each of the
/// [`HASHES`] minima (b-bit MinHash: a quarter of the bytes, and two
/// unrelated texts agree by chance in 1 of 256 positions, which
/// [`similarity`] discounts); for a text of fewer than [`COMPACT`] distinct
/// shingles, the shingles themselves (32 bits each, sorted), from which the
/// minima follow and which take fewer bytes (most headlines and short
/// notices); empty for a text with no words.
pub(crate) type Signature = Vec<u8>;

/// Shingles a signature may list instead of its minima: while they take
/// fewer bytes than the minima.
const COMPACT: usize = HASHES.div_ceil(4);

/// The shingles a stored signature lists, if it lists them, decoded into
/// `buf`.
fn shingles_of<'b>(sig: &[u8], buf: &'b mut [u32; COMPACT]) -> Option<&'b [u32]> {
    if sig.is_empty() || sig.len() >= HASHES {
        return None;
    }
    let n = sig.len() / 4;
    for (x, c) in buf.iter_mut().zip(sig.chunks_exact(4)) {
        *x = u32::from_le_bytes(c.try_into().expect("chunks of 4"));
    }
    Some(&buf[..n])
}

/// The minima (lowest 8 bits) of the permutations from `first` on, as many
/// as `out` holds, of a set of shingles.
fn minima(shingles: &[u32], first: usize, out: &mut [u8]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        unsafe { minima_avx2(shingles, first, out) };
        return;
    }
    minima_of_shingles(shingles, first, out);
}

/// [`minima`] compiled for AVX2, whose four-lane 64-bit arithmetic the
/// multiply-shift hashes vectorise to (the baseline has two lanes and no
/// 64-bit multiply): the same values, about twice as fast.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn minima_avx2(shingles: &[u32], first: usize, out: &mut [u8]) {
    minima_of_shingles(shingles, first, out);
}

#[inline(always)]
fn minima_of_shingles(shingles: &[u32], first: usize, out: &mut [u8]) {
    for (slot, &(a, b)) in out.iter_mut().zip(&permutations()[first..]) {
        let mut min = u32::MAX;
        for &x in shingles {
            min = min.min((a.wrapping_mul(u64::from(x)).wrapping_add(b) >> 32) as u32);
        }
        *slot = min as u8;
    }
}

/// The minima of a stored signature: the signature itself when it holds
/// them, else worked out into `buf`; `None` for an empty one.
fn minima_of<'s>(sig: &'s [u8], buf: &'s mut [u8; HASHES]) -> Option<&'s [u8]> {
    let mut shingles = [0; COMPACT];
    match shingles_of(sig, &mut shingles) {
        Some(shingles) => {
            minima(shingles, 0, buf);
            Some(buf)
        }
        None if sig.len() == HASHES => Some(sig),
        None => None,
    }
}

/// The multipliers and offsets of the permutations, from a fixed seed.
fn permutations() -> &'static [(u64, u64); HASHES] {
    static P: std::sync::OnceLock<[(u64, u64); HASHES]> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        let mut state: u64 = 0x5eed_0fc0_91e5;
        let mut next = || {
            // splitmix64
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        let mut p = [(0u64, 0u64); HASHES];
        for slot in &mut p {
            *slot = (next() | 1, next());
        }
        p
    })
}

/// The signature of the paragraphs of `text` for which `keep` holds (given
/// each paragraph's fingerprint, see [`crate::write::boilerplate::paragraphs`]).
pub(crate) fn signature(text: &str, keep: impl Fn(u64) -> bool) -> Signature {
    signature_of(text, &crate::write::boilerplate::paragraphs(text), keep)
}

/// [`signature`], given the paragraphs of `text` (as
/// [`crate::write::boilerplate::paragraphs`] finds them).
pub(crate) fn signature_of(
    text: &str,
    paragraphs: &[(std::ops::Range<usize>, u64)],
    keep: impl Fn(u64) -> bool,
) -> Signature {
    // Each word is hashed once; a shingle's hash mixes its words' hashes in
    // order, so no shingle text is ever built or hashed again.
    let mut words: Vec<u64> = Vec::new();
    let mut lower = String::new();
    let mut segs = Vec::new();
    for (range, fp) in paragraphs {
        if keep(*fp) {
            segs.clear();
            crate::analysis::word_bounds(&text[range.clone()], &mut segs);
            for &(_, word) in segs.iter().filter(|(_, w)| crate::analysis::is_wordlike(w)) {
                lower.clear();
                if word.is_ascii() {
                    lower.push_str(word);
                    lower.make_ascii_lowercase();
                } else {
                    lower.extend(word.chars().flat_map(char::to_lowercase));
                }
                words.push(xxhash_rust::xxh3::xxh3_64(lower.as_bytes()));
            }
        }
    }
    if words.is_empty() {
        return Vec::new();
    }
    let width = SHINGLE.min(words.len());
    let mut shingles: Vec<u32> = words
        .windows(width)
        .map(|w| {
            let h = w.iter().fold(0x243F_6A88_85A3_08D3_u64, |h, &x| {
                (h ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29)
            });
            (h >> 32) as u32
        })
        .collect();
    shingles.sort_unstable();
    shingles.dedup();
    if shingles.len() < COMPACT {
        return shingles.iter().flat_map(|x| x.to_le_bytes()).collect();
    }
    let mut sig = vec![0; HASHES];
    minima(&shingles, 0, &mut sig);
    sig
}

/// Jaccard similarity of the texts behind two stored signatures: exact when
/// both list their shingles, else estimated from the minima.
pub(crate) fn similarity(a: &[u8], b: &[u8]) -> f64 {
    let (mut x, mut y) = ([0; COMPACT], [0; COMPACT]);
    if let (Some(x), Some(y)) = (shingles_of(a, &mut x), shingles_of(b, &mut y)) {
        return jaccard(x, y);
    }
    let (mut x, mut y) = ([0u8; HASHES], [0u8; HASHES]);
    match (minima_of(a, &mut x), minima_of(b, &mut y)) {
        (Some(a), Some(b)) => estimate(a, b),
        _ => 0.0,
    }
}

/// Jaccard similarity of two sorted sets.
fn jaccard(a: &[u32], b: &[u32]) -> f64 {
    let (mut a, mut b) = (a.iter().peekable(), b.iter().peekable());
    let (mut both, mut either) = (0u32, 0u32);
    while let (Some(&&x), Some(&&y)) = (a.peek(), b.peek()) {
        either += 1;
        both += u32::from(x == y);
        if x <= y {
            a.next();
        }
        if y <= x {
            b.next();
        }
    }
    either += (a.count() + b.count()) as u32;
    f64::from(both) / f64::from(either.max(1))
}

/// Jaccard similarity estimated from two signatures' minima.
fn estimate(a: &[u8], b: &[u8]) -> f64 {
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    // Positions agree with probability J + (1 - J) / 256.
    const CHANCE: f64 = 1.0 / 256.0;
    ((same as f64 / HASHES as f64 - CHANCE) / (1.0 - CHANCE)).max(0.0)
}

/// The labels of new clusters: numbers from 1 up, each above every label
/// the index holds, so a label is fresh for each version of an article's
/// content (an article edited out of a cluster does not keep the label its
/// copies still carry), and small: the `cluster` column packs them in few
/// bits, and a search counts the clusters it matches in a bitset
/// (`search::collapse`).
pub(crate) struct Labels {
    next: u64,
}

impl Labels {
    /// Labels after every one of `held`.
    pub fn after(held: impl Iterator<Item = u64>) -> Labels {
        Labels {
            next: held.max().unwrap_or(0).saturating_add(1),
        }
    }

    /// The next fresh label.
    pub fn fresh(&mut self) -> u64 {
        let label = self.next;
        self.next = self.next.saturating_add(1);
        label
    }
}

/// For each entry `i` with `wanted[i]`, the most similar entry before it at
/// or above [`THRESHOLD`] (the earliest of equally similar ones); `None`
/// for the others. Entries are a commit's signatures in the order clusters
/// are assigned; an empty signature is never matched.
///
/// Candidates come from locality-sensitive hashing: an entry is compared
/// with the earlier entries that share one of its bands. The bands are
/// indexed a group at a time ([`GROUP`] of them), so the index takes about
/// 5 bytes per entry and band of one group, whatever the number of bands.
/// Each band's entries are sorted by value, so the entries that share a
/// value sit together in one run: the runs are walked in order, rather than
/// each entry looking its value up (a cache miss or two per entry and band,
/// nearly always to find itself alone).
pub(crate) fn best_earlier(sigs: &[&[u8]], wanted: &[bool]) -> Vec<Option<usize>> {
    assert_eq!(sigs.len(), wanted.len());
    let asked = (wanted.iter().zip(sigs))
        .filter(|(w, s)| **w && !s.is_empty())
        .count();
    if asked * FEW < sigs.len() {
        by_lookups(sigs, wanted)
    } else {
        by_bands(sigs, wanted)
    }
}

/// [`best_earlier`] once more after some signatures changed: `before` is
/// what it found for the same `wanted` entries with the old signatures, and
/// `changed` lists the entries whose signature changed, each with its old
/// one. An entry's best depends only on its own signature, its candidates
/// (the earlier entries sharing one of its bands) and theirs: an entry that
/// did not change and shares no band with a changed signature, old or new,
/// has the same candidates with the same signatures, so only the others are
/// asked again.
pub(crate) fn best_earlier_again(
    sigs: &[&[u8]],
    wanted: &[bool],
    before: &[Option<usize>],
    changed: &[(usize, &[u8])],
) -> Vec<Option<usize>> {
    assert_eq!(sigs.len(), before.len());
    let these: Vec<&[u8]> = changed
        .iter()
        .flat_map(|&(i, old)| [old, sigs[i]])
        .collect();
    let mut asked = sharing_a_band(sigs, &these);
    for &(i, _) in changed {
        asked[i] = true;
    }
    for (a, w) in asked.iter_mut().zip(wanted) {
        *a &= *w;
    }
    let now = best_earlier(sigs, &asked);
    (0..sigs.len())
        .map(|i| match (asked[i], wanted[i]) {
            (true, _) => now[i],
            (false, true) => before[i],
            (false, false) => None,
        })
        .collect()
}

/// Which of `sigs` share a band value with one of `these` signatures.
fn sharing_a_band(sigs: &[&[u8]], these: &[&[u8]]) -> Vec<bool> {
    let mut values = KeySet::default();
    for sig in these {
        let mut buf = [0u8; HASHES];
        if let Some(m) = minima_of(sig, &mut buf) {
            values.extend((0..BANDS).map(|band| band_key(band, band_of(m, band))));
        }
    }
    sigs.par_iter()
        .map(|sig| {
            let mut buf = [0u8; HASHES];
            minima_of(sig, &mut buf).is_some_and(|m| {
                (0..BANDS).any(|band| values.contains(&band_key(band, band_of(m, band))))
            })
        })
        .collect()
}

/// A band's value, with the band's number, as one key.
fn band_key(band: usize, value: u32) -> u64 {
    ((band as u64) << 32) | u64::from(value)
}

/// Below one entry asked in this many, [`by_lookups`] does less work than
/// indexing every band of every entry: a run that changes a few articles
/// of a large collection pays for what it changed and one pass over the
/// signatures, not for sorting them all forty times.
const FEW: usize = 16;

/// [`best_earlier`] for a few entries asked: their band values go in one
/// table, every entry's band values are looked up in it (in parallel), and
/// each entry asked is compared with the earlier entries that share a band.
fn by_lookups(sigs: &[&[u8]], wanted: &[bool]) -> Vec<Option<usize>> {
    let mut asked: KeyMap<Vec<u32>> = KeyMap::default();
    for (i, sig) in sigs.iter().enumerate() {
        if !wanted[i] {
            continue;
        }
        let mut buf = [0u8; HASHES];
        let Some(m) = minima_of(sig, &mut buf) else {
            continue;
        };
        for band in 0..BANDS {
            asked
                .entry(band_key(band, band_of(m, band)))
                .or_default()
                .push(i as u32);
        }
    }
    let mut pairs: Vec<(u32, u32)> = (0..sigs.len())
        .into_par_iter()
        .flat_map_iter(|j| {
            let mut found = Vec::new();
            let mut buf = [0u8; HASHES];
            if let Some(m) = minima_of(sigs[j], &mut buf) {
                for band in 0..BANDS {
                    if let Some(list) = asked.get(&band_key(band, band_of(m, band))) {
                        found.extend(
                            list.iter()
                                .filter(|&&i| j < i as usize)
                                .map(|&i| (i, j as u32)),
                        );
                    }
                }
            }
            found
        })
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut best = vec![None; sigs.len()];
    for group in pairs.chunk_by(|a, b| a.0 == b.0) {
        let i = group[0].0 as usize;
        let mut so_far: Option<(f64, usize)> = None;
        // Earlier entries in order: the earliest of equally similar wins.
        for &(_, j) in group {
            let s = similarity(sigs[i], sigs[j as usize]);
            if s >= THRESHOLD && so_far.is_none_or(|(bs, _)| s > bs) {
                so_far = Some((s, j as usize));
            }
        }
        best[i] = so_far.map(|(_, at)| at);
    }
    best
}

/// [`best_earlier`] with every band of every entry indexed.
fn by_bands(sigs: &[&[u8]], wanted: &[bool]) -> Vec<Option<usize>> {
    let mut best: Vec<Lookup> = wanted
        .iter()
        .map(|&w| {
            if w {
                Lookup::Open(None)
            } else {
                Lookup::Done(None)
            }
        })
        .collect();
    for first in (0..BANDS).step_by(GROUP) {
        let bands = Bands::new(sigs, first..(first + GROUP).min(BANDS));
        for k in 0..bands.bands.len() {
            // An entry is in one run of a band, so what a run finds never
            // changes what another run of the band reads: applying the
            // finds a slice of runs at a time bounds what is held (in a
            // collection of copies, nearly every entry is in a run).
            for runs in bands.runs(k).chunks(RUNS_AT_ONCE) {
                let found: Vec<(usize, Lookup)> = runs
                    .par_iter()
                    .flat_map_iter(|run| bands.compare(k, run, &best))
                    .collect();
                for (i, lookup) in found {
                    best[i] = lookup;
                }
            }
        }
    }
    best.into_iter()
        .map(|b| match b {
            Lookup::Open(b) | Lookup::Done(b) => b.map(|(_, at)| at),
        })
        .collect()
}

/// Runs of a band compared before their finds are applied.
const RUNS_AT_ONCE: usize = 4096;

/// An entry's lookup so far: the best earlier entry (similarity, entry).
#[derive(Clone, Copy)]
enum Lookup {
    /// Later bands may find a better one.
    Open(Option<(f64, usize)>),
    /// Final.
    Done(Option<(f64, usize)>),
}

/// Bands indexed together: four take 20 bytes per entry (23 MiB for a
/// million articles), half what eight did at the peak of a large commit.
const GROUP: usize = 4;

/// A group of bands of a commit's signatures, findable by value. Per band,
/// the entries are sorted by the band's value (its rows' 24 bits): a table
/// of where each value of the top 16 bits starts, then per entry its number
/// and the low 8 bits, 5 bytes per entry and band (the signatures
/// themselves stay where they are, and the minima of those that list
/// shingles are worked out band by band).
struct Bands<'a> {
    sigs: &'a [&'a [u8]],
    bands: std::ops::Range<usize>,
    /// Per band of the group, where the entries whose band value has each
    /// value of the top 16 bits start in the band's slice of `entries`
    /// (`BUCKETS + 1` per band).
    starts: Vec<u32>,
    /// Per band of the group, the indexed entries sorted by (band value,
    /// entry): their numbers, and the low 8 bits of their band values. (A
    /// few large blocks rather than many small ones: freed, they give memory
    /// back.)
    entries: Vec<u32>,
    low: Vec<u8>,
    /// Entries with a signature (the length of each band's slice).
    indexed: usize,
}

/// Bands per signature.
const BANDS: usize = HASHES / ROWS;
/// Values of a band value's top 16 bits.
const BUCKETS: usize = 1 << 16;

/// A band's value: its rows' bytes, of a stored signature (not empty)
/// given with the shingles it lists, if it lists them (see [`shingles_of`]).
fn band_value(sig: &[u8], listed: Option<&[u32]>, band: usize) -> u32 {
    match listed {
        Some(shingles) => {
            let mut rows = [0u8; ROWS];
            minima(shingles, band * ROWS, &mut rows);
            band_of(&rows, 0)
        }
        None => band_of(sig, band),
    }
}

/// The value of band `band` of a signature's minima.
fn band_of(minima: &[u8], band: usize) -> u32 {
    minima[band * ROWS..(band + 1) * ROWS]
        .iter()
        .fold(0, |v, &r| (v << 8) | u32::from(r))
}

impl<'a> Bands<'a> {
    /// Indexes bands `bands` of `sigs`: entry `i` is `sigs[i]`.
    fn new(sigs: &'a [&'a [u8]], bands: std::ops::Range<usize>) -> Bands<'a> {
        let n = sigs.len();
        assert!(n < u32::MAX as usize, "too many articles for one commit");
        let indexed: Vec<u32> = (0..n as u32)
            .filter(|&i| !sigs[i as usize].is_empty())
            .collect();
        let m = indexed.len();
        let count = bands.len();
        let mut starts = vec![0u32; count * (BUCKETS + 1)];
        let mut entries = vec![0u32; count * m];
        let mut low = vec![0u8; count * m];
        let mut values = vec![0u32; m];
        let mut sorted = vec![(0u8, 0u32); m];
        for (k, band) in bands.clone().enumerate() {
            values.par_iter_mut().zip(&indexed).for_each(|(v, &i)| {
                let sig = sigs[i as usize];
                let mut buf = [0; COMPACT];
                *v = band_value(sig, shingles_of(sig, &mut buf), band);
            });
            let starts = &mut starts[k * (BUCKETS + 1)..(k + 1) * (BUCKETS + 1)];
            for v in &values {
                starts[(v >> 8) as usize + 1] += 1;
            }
            for b in 1..starts.len() {
                starts[b] += starts[b - 1];
            }
            let mut next = starts.to_vec();
            for (&i, &v) in indexed.iter().zip(&values) {
                let slot = &mut next[(v >> 8) as usize];
                sorted[*slot as usize] = (v as u8, i);
                *slot += 1;
            }
            // Entries arrive in order, so each bucket is in entry order; a
            // stable sort by the low bits keeps that within each value.
            for b in 0..BUCKETS {
                let bucket = &mut sorted[starts[b] as usize..starts[b + 1] as usize];
                if bucket.len() > 1 {
                    bucket.sort_by_key(|p| p.0);
                }
            }
            let range = k * m..(k + 1) * m;
            for ((e, l), &(lo, i)) in entries[range.clone()]
                .iter_mut()
                .zip(&mut low[range])
                .zip(&sorted)
            {
                *e = i;
                *l = lo;
            }
        }
        Bands {
            sigs,
            bands,
            starts,
            entries,
            low,
            indexed: m,
        }
    }

    /// The runs of entries that share band `k`'s value (two or more), as
    /// ranges of the band's slice of `entries`.
    fn runs(&self, k: usize) -> Vec<std::ops::Range<usize>> {
        let starts = &self.starts[k * (BUCKETS + 1)..(k + 1) * (BUCKETS + 1)];
        let low = &self.low[k * self.indexed..(k + 1) * self.indexed];
        let mut runs = Vec::new();
        for b in 0..BUCKETS {
            let (mut from, to) = (starts[b] as usize, starts[b + 1] as usize);
            while to - from > 1 {
                let len = low[from..to]
                    .iter()
                    .take_while(|&&l| l == low[from])
                    .count();
                if len > 1 {
                    runs.push(from..from + len);
                }
                from += len;
            }
        }
        runs
    }

    /// The lookups of the open entries of one run of band `k` after
    /// comparing each with the earlier entries of the run (in entry order),
    /// given the best found so far: a pair that also shares an earlier band
    /// of this group was compared there.
    fn compare<'s>(
        &'s self,
        k: usize,
        run: &'s std::ops::Range<usize>,
        best: &'s [Lookup],
    ) -> impl Iterator<Item = (usize, Lookup)> + 's {
        let band = self.bands.start + k;
        let members = &self.entries[k * self.indexed..][run.clone()];
        members
            .iter()
            .enumerate()
            .skip(1)
            .filter_map(move |(p, &i)| {
                let i = i as usize;
                let Lookup::Open(mut so_far) = best[i] else {
                    return None;
                };
                let sig = self.sigs[i];
                let mut buf = [0; COMPACT];
                let listed = shingles_of(sig, &mut buf);
                let earlier: Vec<u32> = (self.bands.start..band)
                    .map(|b| band_value(sig, listed, b))
                    .collect();
                for &at in &members[..p] {
                    let at = at as usize;
                    let other = self.sigs[at];
                    if !earlier.is_empty() {
                        let mut buf = [0; COMPACT];
                        let listed = shingles_of(other, &mut buf);
                        let met = (self.bands.start..band)
                            .zip(&earlier)
                            .any(|(b, &v)| band_value(other, listed, b) == v);
                        if met {
                            continue;
                        }
                    }
                    let s = similarity(sig, other);
                    if s == 1.0 {
                        // Equal minima mean equal values in every band, so every
                        // entry this similar is in this run, in entry order:
                        // this is the earliest, and none is closer.
                        return Some((i, Lookup::Done(Some((s, at)))));
                    }
                    let better = match so_far {
                        None => true,
                        Some((bs, b)) => s > bs || (s == bs && at < b),
                    };
                    if s >= THRESHOLD && better {
                        so_far = Some((s, at));
                    }
                }
                Some((i, Lookup::Open(so_far)))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "Hospital leaders warned on Tuesday that waiting lists in the north west would grow through the winter unless the government released emergency funding for extra beds.\n\nThe regional director said trusts had already opened escalation wards and cancelled routine operations, and that staff sickness was running at its highest level for five years.\n\nUnions said members were exhausted and called for talks on pay and staffing before the end of the month.";

    fn all(text: &str) -> Signature {
        signature(text, |_| true)
    }

    #[test]
    fn new_labels_come_after_every_label_held() {
        let mut first = Labels::after(std::iter::empty());
        assert_eq!((first.fresh(), first.fresh()), (1, 2));
        let mut later = Labels::after([7, 3, 5].into_iter());
        assert_eq!((later.fresh(), later.fresh()), (8, 9));
        let mut full = Labels::after([u64::MAX].into_iter());
        assert_eq!(
            full.fresh(),
            u64::MAX,
            "saturates, never wraps to 0 (no label)"
        );
    }

    #[test]
    fn copies_are_similar_and_other_stories_are_not() {
        let edited = STORY
            .replace("on Tuesday", "on Tuesday evening")
            .replace("five years", "five years, figures show");
        let trimmed = STORY.rsplit_once("\n\n").unwrap().0;
        let other = "The council approved plans for a new leisure centre with a fifty metre pool, a climbing wall and a cafe, to open in the spring of next year after three years of consultation with residents.";
        let s = all(STORY);
        assert_eq!(s.len(), HASHES);
        assert_eq!(similarity(&s, &all(STORY)), 1.0);
        assert!(similarity(&s, &all(&edited)) >= THRESHOLD);
        assert!(similarity(&s, &all(trimmed)) >= THRESHOLD);
        assert!(similarity(&s, &all(other)) < 0.1);
        assert!(all("").is_empty());
    }

    #[test]
    fn the_detector_finds_the_best_earlier_copy() {
        let copy = format!("{STORY}\n\nThis article was amended to correct a figure.");
        let sigs = [
            all(STORY),
            all(
                "An entirely different report about dental contracts, fees and the number of practices closing their lists to new adult patients across the county this year.",
            ),
            all(&copy),
            all(
                "Nothing like either of them: a recipe for lentil soup with cumin, lemon and a great deal of patience on a cold afternoon.",
            ),
            Vec::new(),
            all(STORY),
        ];
        let refs: Vec<&[u8]> = sigs.iter().map(Vec::as_slice).collect();
        let best = best_earlier(&refs, &[true; 6]);
        assert_eq!(best[0], None, "nothing comes before the first");
        assert_eq!(best[2], Some(0));
        assert_eq!(best[3], None);
        assert_eq!(best[4], None, "no signature, no match");
        // Equal to the first and close to the copy: the most similar wins,
        // and of equally similar ones the earliest.
        assert_eq!(best[5], Some(0));
        let only_last = best_earlier(&refs, &[false, false, false, false, false, true]);
        assert_eq!(only_last, [None, None, None, None, None, Some(0)]);
    }

    #[test]
    fn the_detector_agrees_with_comparing_every_pair() {
        let mut texts = Vec::new();
        for k in 0..6 {
            let edited = STORY.replace("Tuesday", &format!("day {k}"));
            texts.push(STORY.to_string());
            texts.push(edited.clone());
            texts.push(format!("{edited}\n\nCorrection number {k} to this story."));
            texts.push(format!("Nurses in ward {k} vote to strike over pay"));
            texts.push(format!("Nurses in ward {} vote to strike over pay", k % 2));
        }
        let sigs: Vec<Signature> = texts.iter().map(|t| all(t)).collect();
        let refs: Vec<&[u8]> = sigs.iter().map(Vec::as_slice).collect();
        let best = best_earlier(&refs, &vec![true; refs.len()]);
        for i in 0..sigs.len() {
            let mut want: Option<(f64, usize)> = None;
            for j in 0..i {
                let s = similarity(&sigs[i], &sigs[j]);
                if s >= THRESHOLD && want.is_none_or(|(b, _)| s > b) {
                    want = Some((s, j));
                }
            }
            assert_eq!(best[i], want.map(|(_, j)| j), "entry {i}");
        }
    }

    /// Stories, their edited copies, headlines and empty texts, mixed.
    fn copies_and_others() -> Vec<String> {
        let mut texts = Vec::new();
        for k in 0..12 {
            let edited = STORY.replace("Tuesday", &format!("day {k}"));
            texts.push(STORY.to_string());
            texts.push(format!("{edited}\n\nCorrection number {k} to this story."));
            texts.push(format!("Nurses in ward {} vote to strike over pay", k % 3));
            texts.push(String::new());
        }
        texts
    }

    #[test]
    fn both_ways_of_finding_copies_agree() {
        let texts = copies_and_others();
        let sigs: Vec<Signature> = texts.iter().map(|t| all(t)).collect();
        let refs: Vec<&[u8]> = sigs.iter().map(Vec::as_slice).collect();
        for step in [1, 2, 3, 5, 7] {
            let wanted: Vec<bool> = (0..refs.len()).map(|i| i % step == 0).collect();
            let lookups = by_lookups(&refs, &wanted);
            assert_eq!(lookups, by_bands(&refs, &wanted), "every {step}th asked");
            // The entries asked found their copies; the others found none.
            assert!(lookups.iter().zip(&wanted).all(|(b, w)| *w || b.is_none()));
            assert!(lookups.iter().flatten().count() > refs.len() / (2 * step));
        }
    }

    #[test]
    fn asking_again_after_changes_is_asking_everything_again() {
        let texts = copies_and_others();
        let mut sigs: Vec<Signature> = texts.iter().map(|t| all(t)).collect();
        let wanted: Vec<bool> = (0..sigs.len()).map(|i| i % 5 != 1).collect();
        let refs: Vec<&[u8]> = sigs.iter().map(Vec::as_slice).collect();
        let before = best_earlier(&refs, &wanted);
        // Some entries change: a copy becomes another story, a story
        // becomes a copy of a headline, an empty one gets words.
        let mut changed: Vec<(usize, Signature)> = Vec::new();
        for (i, text) in [
            (
                1,
                "A different report on ambulance waiting times in Cornwall and Devon.".to_string(),
            ),
            (6, "Nurses in ward 0 vote to strike over pay".to_string()),
            (7, STORY.to_string()),
            (20, String::new()),
        ] {
            changed.push((i, std::mem::replace(&mut sigs[i], all(&text))));
        }
        let refs: Vec<&[u8]> = sigs.iter().map(Vec::as_slice).collect();
        let changed: Vec<(usize, &[u8])> =
            changed.iter().map(|(i, s)| (*i, s.as_slice())).collect();
        let again = best_earlier_again(&refs, &wanted, &before, &changed);
        assert_eq!(again, best_earlier(&refs, &wanted));
        assert_ne!(again, before, "the changes changed what was found");
        // With the changes not told, entries keep what they found before.
        assert_ne!(best_earlier_again(&refs, &wanted, &before, &[]), again);
    }

    #[test]
    fn minima_are_the_same_on_every_path() {
        // Shingle sets of 0 to 300 pseudo-random values.
        let mut x: u32 = 12345;
        for n in [0, 1, 2, 3, 7, 29, 30, 31, 64, 300] {
            let shingles: Vec<u32> = (0..n)
                .map(|_| {
                    x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    x
                })
                .collect();
            for first in [0, 3, HASHES - 3] {
                let (mut fast, mut plain) = ([0u8; HASHES], [0u8; HASHES]);
                minima(&shingles, first, &mut fast[..HASHES - first]);
                minima_of_shingles(&shingles, first, &mut plain[..HASHES - first]);
                assert_eq!(fast, plain, "{n} shingles from {first}");
            }
        }
    }

    #[test]
    fn short_texts_list_their_shingles_and_compare_exactly() {
        let headline = all("Nurses vote to strike over pay and staffing levels");
        assert_eq!(headline.len(), 5 * 4, "five shingles of five words");
        assert_eq!(similarity(&headline, &headline), 1.0);
        // Two of three shingles differ: {abcde, bcdef} against {abcde, bcdeg}.
        let a = all("one two three four five six");
        let b = all("one two three four five seven");
        assert_eq!(similarity(&a, &b), 1.0 / 3.0);
        // Listed shingles and minima describe the same set: a text one
        // shingle short of the minima compares with one a word longer by
        // estimate, close to their true similarity.
        let words: Vec<String> = (0..COMPACT + 4).map(|i| format!("w{i}")).collect();
        let short = all(&words[..COMPACT + 3].join(" "));
        let long = all(&words.join(" "));
        assert_eq!(short.len(), (COMPACT - 1) * 4);
        assert_eq!(long.len(), HASHES);
        assert!(similarity(&short, &long) >= THRESHOLD);
        let best = best_earlier(&[&short, &headline, &long], &[true; 3]);
        assert_eq!(best, [None, None, Some(0)]);
    }

    #[test]
    fn kept_paragraphs_only() {
        let promo = "Sign up to our newsletter for the best stories every morning, free, straight to your inbox, with offers from our partners.";
        let a = format!("{promo}\n\n{STORY}");
        let fp = crate::write::boilerplate::fingerprints(promo)[0];
        let without = signature(&a, |f| f != fp);
        assert_eq!(without, all(STORY));
    }
}
