//! The commit: with the whole run known, clusters are given, boilerplate
//! counted over the collection, earlier articles whose boilerplate changed
//! rebuilt from their stored copy, and the spilled articles made into one
//! document each ([`super::document`]), in parallel batches; then one atomic tantivy commit
//! with the run's summary as its payload.

use std::io::{Read, Seek, SeekFrom};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use rayon::prelude::*;
use tantivy::schema::Value;
use tantivy::{TantivyDocument, Term};

use super::boilerplate::{Boilerplate, Counter};
use super::document::{Built, Head, build_doc};
use super::merges;
use super::neardup::{self, Signature};
use super::spill::{NO_FILE, Record, Spilled, read_staged};
use super::{
    Label, Observer, Pending, Phase, QUEUE_POLL, QUEUE_STALL, WRITE_BATCH_BYTES, Writer, paras_of,
};
use crate::error::{Error, Result};
use crate::index::catalog::{self, Details, FileMeta};
use crate::model::{Article, IndexSummary};

impl Writer<'_> {
    /// Publishes everything done in this run in one atomic commit, waits for
    /// segment merges, and returns what the run did.
    pub fn commit(self) -> Result<IndexSummary> {
        self.commit_with(&super::Quiet)
    }

    /// [`Writer::commit`], telling `observer` of the writing and committing
    /// phases and their progress; a run it cancels commits nothing.
    pub fn commit_with(mut self, observer: &dyn Observer) -> Result<IndexSummary> {
        self.catalog_read()?;
        if !self.staged.is_empty() || !self.deleted.is_empty() {
            self.settle(observer)?;
        }
        if observer.cancelled() {
            return Err(Error::Cancelled);
        }
        observer.phase(Phase::Committing, 0);
        let mut summary = std::mem::take(&mut self.summary);
        // Segments merge once the indexing buffers are written and freed,
        // one merge at a time (`merges`).
        self.writer
            .set_merge_policy(Box::new(merges::after_commit()));
        // The run's time is taken once tantivy has written every segment,
        // just before the commit point is, so the summary this returns and
        // the one the commit records (and `stats` shows) say the same.
        let mut prepared = self.writer.prepare_commit()?;
        summary.seconds = self.started.elapsed().as_secs_f64();
        let payload = serde_json::to_string(&summary).expect("a summary always serialises");
        prepared.set_payload(&payload);
        prepared.commit()?;
        self.writer.wait_merging_threads()?;
        self.index.reload()?;
        Ok(summary)
    }

    /// Clusters, boilerplate, rebuilds, and the staged articles into tantivy.
    pub(super) fn settle(&mut self, observer: &dyn Observer) -> Result<()> {
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
        let spilled = self.spill_records()?;
        self.write_staged(&boilerplate, &spilled, observer)
    }

    /// Moves what the staged articles need to be written (final once
    /// clusters are assigned) to the end of the spill, in staged order, as
    /// [`Record`]s, and frees the staged list and the signatures: they are
    /// only needed again one batch at a time.
    pub(super) fn spill_records(&mut self) -> Result<Spilled> {
        let records = self.spill.len;
        let sigs = std::mem::take(&mut self.sigs);
        let staged = std::mem::take(&mut self.staged);
        let paras = std::mem::take(&mut self.paras);
        let mut pending = Vec::with_capacity(staged.len());
        let mut files: Vec<Arc<FileMeta>> = Vec::new();
        let mut record = Vec::new();
        let articles = staged.first().map_or(0, |s| s.offset);
        let mut next = articles;
        for (i, s) in staged.iter().enumerate() {
            debug_assert_eq!(s.offset, next, "staged articles lie back to back");
            next += s.len;
            let file = match &s.file {
                None => NO_FILE,
                Some(f) => {
                    if !files.last().is_some_and(|last| Arc::ptr_eq(last, f)) {
                        files.push(f.clone());
                    }
                    (files.len() - 1) as u32
                }
            };
            record.clear();
            Record::write(&mut record, s, paras_of(&paras, s), sigs.get(i), file);
            self.spill.push(&record).map_err(|e| self.spill_error(e))?;
            pending.push(Pending {
                len: s.len,
                record: record.len() as u32,
            });
        }
        Ok(Spilled {
            pending,
            articles,
            records,
            files,
        })
    }

    /// Gives every staged article its cluster, and returns the boilerplate
    /// of the collection as it will be after this run (`earlier`: the
    /// earlier articles' paragraphs counted), with the best earlier entry
    /// found for each (for [`Again`]).
    pub(super) fn assign(
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
    pub(super) fn rebuild(
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

    /// Hands one article's document to tantivy.
    pub(super) fn write_article(&mut self, doc: TantivyDocument) -> Result<()> {
        let f = &self.index.fields;
        let text: usize = doc
            .get_all(f.text_exact)
            .chain(doc.get_all(f.title_exact))
            .filter_map(|v| v.as_str().map(str::len))
            .sum();
        self.writer.add_document(doc)?;
        self.sent += text as u64;
        self.wait_for_queue();
        Ok(())
    }

    /// Waits while more text than the queue limit is waiting for tantivy's
    /// indexing threads. tantivy queues up to 10,000 operations (articles
    /// here, each with several copies of its text), so without this a run
    /// over long articles holds hundreds of MB beyond `--memory`. If the
    /// threads make no progress for a while (flushing a large segment, or
    /// stopped by an error that the commit will report), stops waiting.
    pub(super) fn wait_for_queue(&self) {
        let mut seen = self.index.analysed.load(Ordering::Relaxed);
        let mut since = Instant::now();
        while self.sent.saturating_sub(seen) > self.queue_limit {
            std::thread::sleep(QUEUE_POLL);
            let now = self.index.analysed.load(Ordering::Relaxed);
            if now != seen {
                seen = now;
                since = Instant::now();
            } else if since.elapsed() > QUEUE_STALL {
                return;
            }
        }
    }

    /// Builds the staged articles' documents and hands them to tantivy.
    pub(super) fn write_staged(
        &mut self,
        boilerplate: &Boilerplate,
        spilled: &Spilled,
        observer: &dyn Observer,
    ) -> Result<()> {
        let total = spilled.pending.len() as u64;
        observer.phase(Phase::Writing, total);
        let Some(mut file) = self.spill.reader().map_err(|e| self.spill_error(e))? else {
            return Ok(());
        };
        let mut written = 0;
        let fields = &self.index.fields;
        let (mut articles, mut records) = (spilled.articles, spilled.records);
        let mut rest = spilled.pending.as_slice();
        while !rest.is_empty() {
            let mut n = 0;
            let mut bytes = 0;
            while bytes < WRITE_BATCH_BYTES && n < rest.len() {
                bytes += rest[n].len as usize;
                n += 1;
            }
            let (batch, more) = rest.split_at(n);
            rest = more;
            if observer.cancelled() {
                return Err(Error::Cancelled);
            }
            // A batch's articles lie back to back in the spill, and so do
            // their records at its end: one read for each.
            let mut stored = vec![0u8; bytes];
            let mut meta = vec![0u8; batch.iter().map(|p| p.record as usize).sum()];
            file.seek(SeekFrom::Start(articles))
                .and_then(|_| file.read_exact(&mut stored))
                .and_then(|_| file.seek(SeekFrom::Start(records)))
                .and_then(|_| file.read_exact(&mut meta))
                .map_err(|e| self.spill_error(e))?;
            articles += stored.len() as u64;
            records += meta.len() as u64;
            let mut items: Vec<(Record, &[u8])> = Vec::with_capacity(batch.len());
            let (mut text_rest, mut meta_rest) = (stored.as_slice(), meta.as_slice());
            for p in batch {
                let (one, more) = text_rest.split_at(p.len as usize);
                let (record, meta_more) = meta_rest.split_at(p.record as usize);
                let record = Record::read(record, &spilled.files).ok_or_else(|| {
                    self.spill_error(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "a staged article's record is damaged",
                    ))
                })?;
                items.push((record, one));
                (text_rest, meta_rest) = (more, meta_more);
            }
            let dropped = &self.dropped;
            let dir = &self.spill.dir;
            let built: Vec<Result<(&Record, usize, Built)>> = items
                .par_iter()
                .filter(|(r, _)| !dropped.contains(&r.akey))
                .map(|(r, stored)| {
                    let article: Article =
                        serde_json::from_slice(stored).map_err(|e| Error::Io {
                            path: dir.clone(),
                            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
                        })?;
                    let stripped = boilerplate.of(r.group, &r.paras);
                    let head = Head {
                        cluster: r.cluster,
                        paras: &r.paras,
                        stripped: &stripped,
                        sig: r.sig,
                        file: r.file,
                    };
                    let doc = build_doc(fields, &article, stored, r.chash, r.akey, &head);
                    Ok((r, stripped.len(), doc))
                })
                .collect();
            for b in built {
                let (r, stripped, Built { doc, passages }) = b?;
                self.summary.stripped += stripped as u64;
                self.summary.collapsed += u64::from(r.joined);
                self.summary.passages += passages as u64;
                self.write_article(doc)?;
            }
            written += batch.len() as u64;
            observer.progress(written, total);
        }
        Ok(())
    }

    pub(super) fn spill_error(&self, source: std::io::Error) -> Error {
        Error::Io {
            path: self.spill.dir.clone(),
            source,
        }
    }
}

/// What a second [`Writer::assign`] needs of the first, after articles
/// were signed again: what the first found (entry by entry), and the
/// staged articles signed again, each with its signature before.
pub(super) struct Again<'a> {
    found: &'a [Option<usize>],
    changed: &'a [(usize, Vec<u8>)],
}
