//! Settling a run with the whole run known: each staged article's
//! near-duplicate cluster ([`super::neardup`]), in article-key order, so the
//! same input gives the same copies in any order; the collection's
//! boilerplate ([`super::boilerplate`]), counted only where the run can
//! change it; the staged articles that lose a paragraph to it signed and
//! clustered again; and the earlier articles whose boilerplate changed
//! rebuilt from their stored copy.

use rayon::prelude::*;
use tantivy::Term;

use super::boilerplate::{Boilerplate, Counter};
use super::document::{Built, Head, build_doc};
use super::neardup::{self, Signature};
use super::spill::read_staged;
use super::{Label, Writer, paras_of};
use crate::error::Result;
use crate::index::catalog::{self, Details};

impl Writer<'_> {
    /// Gives the staged articles their clusters, finds the collection's
    /// boilerplate as it will be after this run, signs again the articles
    /// that lose a paragraph to it, and rebuilds earlier articles whose
    /// boilerplate changed. Returns the boilerplate the staged articles are
    /// written with.
    pub(super) fn settle(&mut self) -> Result<Boilerplate> {
        // Nothing is added from here on: where each id came from is no
        // longer needed, and a large run should not carry it into the commit.
        self.seen = Default::default();
        let details = catalog::details(&self.searcher)?;
        // In key order, as the run's articles are clustered: the same
        // collection gives the same copies whatever order its files were met
        // in (and whatever the hash map's seed).
        let mut alive: Vec<(&u64, &catalog::Detail)> = details
            .iter()
            .filter(|(k, _)| !self.deleted.contains(k))
            .collect();
        alive.sort_unstable_by_key(|(k, _)| **k);
        // The earlier articles' paragraphs, counted once for both rounds:
        // only those this run can change (the paragraphs of its articles
        // and of the articles it deletes) are counted at all.
        let deleted = details
            .iter()
            .filter(|(k, _)| self.deleted.contains(k))
            .map(|(_, d)| (d.group, d.paras.as_slice()));
        let staged = self
            .staged
            .iter()
            .map(|s| (s.group, paras_of(&self.paras, s)));
        let stripped = alive.iter().map(|(_, d)| (d.group, d.stripped.as_slice()));
        let mut earlier = Counter::only(staged.chain(deleted), stripped);
        for (_, d) in &alive {
            earlier.add(d.group, d.cluster, &d.paras);
        }
        let (mut boilerplate, found) = self.assign(&details, &alive, &earlier, None);
        // Copies that differ only by a promo look alike until the promo is
        // known to be boilerplate: sign those articles again without it.
        let mut resign = Vec::new();
        for (i, s) in self.staged.iter().enumerate() {
            if !boilerplate.of(s.group, paras_of(&self.paras, s)).is_empty() {
                resign.push(i);
            }
        }
        if !resign.is_empty() {
            // Each article signed again, with its signature before.
            let mut changed: Vec<(usize, Vec<u8>)> = Vec::with_capacity(resign.len());
            let mut reader = self.spill.reader().map_err(|e| self.spill_error(e))?;
            // Read in order, sign in parallel, a bounded batch at a time.
            for batch in resign.chunks(1024) {
                let mut articles = Vec::with_capacity(batch.len());
                for &i in batch {
                    articles.push(
                        read_staged(reader.as_mut(), &self.staged[i])
                            .map_err(|e| self.spill_error(e))?,
                    );
                }
                let sigs: Vec<Signature> = batch
                    .par_iter()
                    .zip(&articles)
                    .map(|(&i, article)| {
                        let group = self.staged[i].group;
                        neardup::signature(&article.text, |fp| !boilerplate.contains(group, fp))
                    })
                    .collect();
                for (&i, sig) in batch.iter().zip(sigs) {
                    changed.push((i, self.sigs.get(i).to_vec()));
                    self.sigs.set(i, &sig);
                }
            }
            let again = Again {
                found: &found,
                changed: &changed,
            };
            boilerplate = self.assign(&details, &alive, &earlier, Some(again)).0;
        }
        self.rebuild(&details, &alive, &boilerplate)?;
        Ok(boilerplate)
    }

    /// Gives every staged article its cluster, and returns the boilerplate
    /// of the collection as it will be after this run (`earlier`: the
    /// earlier articles' paragraphs counted), with the best earlier entry
    /// found for each (for [`Again`]).
    fn assign(
        &mut self,
        details: &Details,
        alive: &[(&u64, &catalog::Detail)],
        earlier: &Counter,
        again: Option<Again>,
    ) -> (Boilerplate, Vec<Option<usize>>) {
        // Entries: the earlier articles, then this run's, each in key order
        // (not the order files were read in), so that ties go the same way
        // and labels are given in the same order in every build.
        let mut live: Vec<usize> = (0..self.staged.len())
            .filter(|&i| !self.dropped.contains(&self.staged[i].akey))
            .collect();
        live.sort_unstable_by_key(|&i| self.staged[i].akey);
        let mut sigs: Vec<&[u8]> = Vec::with_capacity(alive.len() + live.len());
        sigs.extend(alive.iter().map(|(_, d)| d.sig.as_slice()));
        sigs.extend(live.iter().map(|&i| self.sigs.get(i)));
        // Which earlier entry each new article resembles most depends on
        // signatures only: found in parallel, then labels given in order.
        let mut wanted = vec![false; alive.len()];
        wanted.extend(
            live.iter()
                .map(|&i| matches!(self.staged[i].label, Label::Assign)),
        );
        let found = match again {
            None => neardup::best_earlier(&sigs, &wanted),
            Some(again) => {
                let mut entry = vec![usize::MAX; self.staged.len()];
                for (k, &i) in live.iter().enumerate() {
                    entry[i] = alive.len() + k;
                }
                let changed: Vec<(usize, &[u8])> = again
                    .changed
                    .iter()
                    .filter(|(i, _)| entry[*i] != usize::MAX)
                    .map(|(i, old)| (entry[*i], old.as_slice()))
                    .collect();
                neardup::best_earlier_again(&sigs, &wanted, again.found, &changed)
            }
        };
        drop(sigs);
        let best = &found[alive.len()..];
        let mut labels = neardup::Labels::after(details.values().map(|d| d.cluster));
        let mut counter = earlier.clone();
        for (k, &i) in live.iter().enumerate() {
            let label_of = |entry: usize| match entry.checked_sub(alive.len()) {
                None => alive[entry].1.cluster,
                Some(k) => self.staged[live[k]].cluster,
            };
            let joined = best[k].map(label_of);
            let s = &mut self.staged[i];
            let (cluster, joined) = match (s.label, joined) {
                (Label::Keep, _) => (
                    details
                        .get(&s.akey)
                        .map_or_else(|| labels.fresh(), |d| d.cluster),
                    false,
                ),
                (Label::Assign, Some(label)) => (label, true),
                (Label::Assign, None) => (labels.fresh(), false),
            };
            s.cluster = cluster;
            s.joined = joined;
            counter.add(s.group, cluster, paras_of(&self.paras, s));
        }
        (counter.finish(), found)
    }

    /// Rebuilds indexed articles whose boilerplate changed.
    fn rebuild(
        &mut self,
        details: &Details,
        alive: &[(&u64, &catalog::Detail)],
        boilerplate: &Boilerplate,
    ) -> Result<()> {
        let mut todo: Vec<(u64, Vec<u64>)> = alive
            .iter()
            .filter_map(|(k, d)| {
                let target = boilerplate.of(d.group, &d.paras);
                (target != d.stripped).then_some((**k, target))
            })
            .collect();
        todo.sort_unstable();
        let fields = &self.index.fields;
        for chunk in todo.chunks(256) {
            let built: Vec<Result<(u64, Built)>> = chunk
                .par_iter()
                .map(|(akey, stripped)| {
                    let e = &self.catalog.articles[akey];
                    let d = &details[akey];
                    let (stored, article) = self.index.load_stored(&self.searcher, e.addr)?;
                    let sig =
                        neardup::signature(&article.text, |fp| !boilerplate.contains(d.group, fp));
                    let head = Head {
                        cluster: d.cluster,
                        paras: &d.paras,
                        stripped,
                        sig: &sig,
                        file: e.file.as_ref(),
                    };
                    Ok((
                        *akey,
                        build_doc(fields, &article, &stored, e.chash, *akey, &head),
                    ))
                })
                .collect();
            for b in built {
                let (akey, Built { doc, passages }) = b?;
                self.writer
                    .delete_term(Term::from_field_u64(self.index.fields.akey, akey));
                self.summary.rebuilt += 1;
                self.summary.passages += passages as u64;
                self.write_article(doc)?;
            }
        }
        Ok(())
    }
}

/// What a second [`Writer::assign`] needs of the first, after articles
/// were signed again: what the first found (entry by entry), and the
/// staged articles signed again, each with its signature before.
struct Again<'a> {
    found: &'a [Option<usize>],
    changed: &'a [(usize, Vec<u8>)],
}
