//! The commit: once the run's clusters and boilerplate are settled
//! ([`super::settle`]), the spilled articles are made into one document each
//! ([`super::document`]) in parallel batches and handed to tantivy within
//! the memory budget; then one atomic tantivy commit with the run's summary
//! as its payload.

use std::io::{Read, Seek, SeekFrom};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use rayon::prelude::*;
use tantivy::TantivyDocument;
use tantivy::schema::Value;

use super::boilerplate::Boilerplate;
use super::document::{Built, Head, build_doc};
use super::merges;
use super::spill::{NO_FILE, Record, Spilled};
use super::{
    Observer, Pending, Phase, QUEUE_POLL, QUEUE_STALL, WRITE_BATCH_BYTES, Writer, paras_of,
};
use crate::error::{Error, Result};
use crate::index::catalog::FileMeta;
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
            let boilerplate = self.settle()?;
            let spilled = self.spill_records()?;
            self.write_staged(&boilerplate, &spilled, observer)?;
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

    /// Hands one article's document to tantivy.
    pub(super) fn write_article(&mut self, doc: TantivyDocument) -> Result<()> {
        self.sent += self.analysed_len(&doc);
        self.writer.add_document(doc)?;
        self.wait_for_queue();
        Ok(())
    }

    /// Hands documents to tantivy as one group, which one indexing thread
    /// writes into one segment.
    fn write_group(&mut self, docs: Vec<TantivyDocument>) -> Result<()> {
        self.sent += docs.iter().map(|d| self.analysed_len(d)).sum::<u64>();
        self.writer
            .run(docs.into_iter().map(tantivy::indexer::UserOperation::Add))?;
        self.wait_for_queue();
        Ok(())
    }

    /// The bytes of `doc` the exact analyzer will be given, on the scale of
    /// [`crate::Index`]'s count of them.
    fn analysed_len(&self, doc: &TantivyDocument) -> u64 {
        let f = &self.index.fields;
        doc.get_all(f.text_exact)
            .chain(doc.get_all(f.title_exact))
            .filter_map(|v| v.as_str().map(str::len))
            .sum::<usize>() as u64
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
            // A run that fits in one batch goes to tantivy as one group,
            // which one indexing thread writes as one segment: a small run
            // then writes one segment, not one per thread (each segment's
            // files are written and synced at the commit).
            let whole = more.is_empty() && written == 0;
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
            let mut group = Vec::new();
            for b in built {
                let (r, stripped, Built { doc, passages }) = b?;
                self.summary.stripped += stripped as u64;
                self.summary.collapsed += u64::from(r.joined);
                self.summary.passages += passages as u64;
                if whole {
                    group.push(doc);
                } else {
                    self.write_article(doc)?;
                }
            }
            if !group.is_empty() {
                self.write_group(group)?;
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
