//! The spill file: new and changed articles wait there, as JSON, until the
//! commit knows the whole run; then one fixed-size record per article
//! (keys, cluster, fingerprints, final signature, file) is appended, so a
//! large run holds a few bytes per article while tantivy's arenas fill.
//! The signatures of staged articles sit back to back in blocks.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::Arc;

use super::{Pending, Staged};
use crate::index::catalog::FileMeta;
use crate::model::Article;

/// The staged articles' signatures, back to back in blocks of
/// [`SIG_BLOCK`] bytes (a large run's signatures are never moved to a
/// larger allocation while the old one is still held), in staged order.
#[derive(Default)]
pub(super) struct Signatures {
    blocks: Vec<Vec<u8>>,
    /// Per article, where its signature starts (block number times
    /// [`SIG_BLOCK`] plus its offset in the block, shifted left 8 bits)
    /// and its length (the low 8 bits; 0 for none).
    spans: Vec<u64>,
}

/// Bytes per block of signatures.
const SIG_BLOCK: usize = 1 << 20;

impl Signatures {
    pub(super) fn push(&mut self, sig: &[u8]) {
        let at = self.place(sig);
        self.spans.push(span(at, sig));
    }

    /// Copies `sig` into the last block, or a new one if it has no room;
    /// returns where it starts.
    fn place(&mut self, sig: &[u8]) -> usize {
        if self
            .blocks
            .last()
            .is_none_or(|b| b.len() + sig.len() > SIG_BLOCK)
        {
            self.blocks.push(Vec::with_capacity(SIG_BLOCK));
        }
        let n = self.blocks.len() - 1;
        let block = &mut self.blocks[n];
        let at = n * SIG_BLOCK + block.len();
        block.extend_from_slice(sig);
        at
    }

    /// Article `i`'s signature; empty if it has none.
    pub(super) fn get(&self, i: usize) -> &[u8] {
        let at = (self.spans[i] >> 8) as usize;
        let (block, from) = (at / SIG_BLOCK, at % SIG_BLOCK);
        let len = (self.spans[i] & 0xff) as usize;
        if len == 0 {
            return &[];
        }
        &self.blocks[block][from..from + len]
    }

    /// Replaces article `i`'s signature: in place if it fits.
    pub(super) fn set(&mut self, i: usize, sig: &[u8]) {
        let at = (self.spans[i] >> 8) as usize;
        if sig.len() <= (self.spans[i] & 0xff) as usize {
            let (block, from) = (at / SIG_BLOCK, at % SIG_BLOCK);
            self.blocks[block][from..from + sig.len()].copy_from_slice(sig);
            self.spans[i] = span(at, sig);
        } else {
            let at = self.place(sig);
            self.spans[i] = span(at, sig);
        }
    }
}

/// A signature's place in [`Signatures`]: where it starts, and its length
/// in the low byte (a signature is [`super::neardup::HASHES`] bytes at most).
fn span(at: usize, sig: &[u8]) -> u64 {
    debug_assert!(sig.len() <= 0xff, "a signature's length fits its byte");
    ((at as u64) << 8) | sig.len() as u64
}

/// The staged articles as they wait in the spill for writing: their texts
/// back to back from `articles`, their records back to back from `records`.
pub(super) struct Spilled {
    pub(super) pending: Vec<Pending>,
    pub(super) articles: u64,
    pub(super) records: u64,
    /// The files the records name, by number.
    pub(super) files: Vec<Arc<FileMeta>>,
}

/// What writing a staged article needs beyond its text, read back from the
/// spill one batch at a time.
pub(super) struct Record<'a> {
    pub(super) akey: u64,
    pub(super) chash: u64,
    pub(super) group: u64,
    pub(super) cluster: u64,
    pub(super) joined: bool,
    pub(super) file: Option<&'a FileMeta>,
    pub(super) paras: Vec<u64>,
    pub(super) sig: &'a [u8],
}

/// Marks a record without a file.
pub(super) const NO_FILE: u32 = u32::MAX;

/// Bytes of a record before its fingerprints: four keys, the joined flag,
/// the file number and the number of fingerprints.
pub(super) const RECORD_HEAD: usize = 4 * 8 + 1 + 4 + 4;

impl Record<'_> {
    /// Appends the record of `s` with fingerprints `paras`, signature `sig`
    /// and file number `file`.
    pub(super) fn write(out: &mut Vec<u8>, s: &Staged, paras: &[u64], sig: &[u8], file: u32) {
        for v in [s.akey, s.chash, s.group, s.cluster] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.push(u8::from(s.joined));
        out.extend_from_slice(&file.to_le_bytes());
        out.extend_from_slice(&(paras.len() as u32).to_le_bytes());
        for fp in paras {
            out.extend_from_slice(&fp.to_le_bytes());
        }
        out.push(sig.len() as u8);
        out.extend_from_slice(sig);
    }

    /// Reads one record written by [`Record::write`]; `None` if it is cut
    /// short or names no known file.
    pub(super) fn read<'a>(bytes: &'a [u8], files: &'a [Arc<FileMeta>]) -> Option<Record<'a>> {
        let (head, rest) = bytes.split_at_checked(RECORD_HEAD)?;
        let word = |at: usize| u64::from_le_bytes(head[at..at + 8].try_into().expect("8 bytes"));
        let file = u32::from_le_bytes(head[33..37].try_into().expect("4 bytes"));
        let n = u32::from_le_bytes(head[37..RECORD_HEAD].try_into().expect("4 bytes")) as usize;
        let (paras, rest) = rest.split_at_checked(n.checked_mul(8)?)?;
        let (&sig_len, sig) = rest.split_first()?;
        Some(Record {
            akey: word(0),
            chash: word(8),
            group: word(16),
            cluster: word(24),
            joined: head[32] != 0,
            file: match file {
                NO_FILE => None,
                k => Some(files.get(k as usize)?.as_ref()),
            },
            paras: paras
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
                .collect(),
            sig: sig.get(..usize::from(sig_len))?,
        })
    }
}

/// The temporary file articles wait in until the commit, in the index folder
/// (it is unlinked at once, so nothing is left behind if the process dies).
pub(super) struct Spill {
    pub(super) dir: PathBuf,
    pub(super) out: Option<BufWriter<File>>,
    pub(super) len: u64,
    /// A reader shares the file's offset: the next write must first go
    /// back to the end.
    pub(super) moved: bool,
}

impl Spill {
    pub(super) fn push(&mut self, bytes: &[u8]) -> std::io::Result<(u64, u64)> {
        if self.out.is_none() {
            self.out = Some(BufWriter::with_capacity(
                1 << 20,
                tempfile::tempfile_in(&self.dir)?,
            ));
        }
        let out = self.out.as_mut().expect("just opened");
        if std::mem::take(&mut self.moved) {
            out.seek(SeekFrom::End(0))?;
        }
        out.write_all(bytes)?;
        let at = self.len;
        self.len += bytes.len() as u64;
        Ok((at, bytes.len() as u64))
    }

    /// A reader over everything spilled so far.
    pub(super) fn reader(&mut self) -> std::io::Result<Option<File>> {
        let Some(out) = self.out.as_mut() else {
            return Ok(None);
        };
        out.flush()?;
        self.moved = true;
        let mut f = out.get_ref().try_clone()?;
        f.seek(SeekFrom::Start(0))?;
        Ok(Some(f))
    }
}

pub(super) fn read_staged(reader: Option<&mut File>, s: &Staged) -> std::io::Result<Article> {
    let Some(f) = reader else {
        return Err(std::io::Error::other("the spill file is missing"));
    };
    f.seek(SeekFrom::Start(s.offset))?;
    let mut buf = vec![0u8; s.len as usize];
    f.read_exact(&mut buf)?;
    serde_json::from_slice(&buf)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::*;

    fn staged(file: Option<Arc<FileMeta>>) -> Staged {
        Staged {
            offset: 7,
            len: 11,
            akey: 1,
            chash: 2,
            group: 3,
            paras_at: 0,
            paras_len: 0,
            label: Label::Assign,
            file,
            cluster: u64::MAX,
            joined: true,
        }
    }

    #[test]
    fn records_read_back_as_written() {
        let meta = Arc::new(FileMeta {
            key: "/news/a.jsonl".into(),
            stamp: 4,
            hash: 5,
            run: 6,
            options: 7,
        });
        let files = vec![meta.clone()];
        let with = staged(Some(meta));
        let without = staged(None);
        let mut bytes = Vec::new();
        Record::write(&mut bytes, &with, &[10, u64::MAX], &[9; 20], 0);
        let first = bytes.len();
        Record::write(&mut bytes, &without, &[], &[], NO_FILE);

        let r = Record::read(&bytes[..first], &files).expect("a whole record");
        assert_eq!((r.akey, r.chash, r.group, r.cluster), (1, 2, 3, u64::MAX));
        assert!(r.joined);
        assert_eq!(r.paras, [10, u64::MAX]);
        assert_eq!(r.sig, [9; 20]);
        assert_eq!(r.file, Some(files[0].as_ref()));
        let r = Record::read(&bytes[first..], &files).expect("a whole record");
        assert!(r.paras.is_empty() && r.sig.is_empty() && r.file.is_none());

        assert!(
            Record::read(&bytes[..first - 1], &files).is_none(),
            "cut short"
        );
        assert!(Record::read(&bytes[..first], &[]).is_none(), "unknown file");
    }

    #[test]
    fn signatures_come_back_across_blocks_and_after_replacing() {
        let sig = |i: usize| -> Vec<u8> { (0..(i % 200) as u8).map(|b| b ^ i as u8).collect() };
        let mut sigs = Signatures::default();
        // Enough to fill several blocks; every 200th is empty.
        let n = 3 * SIG_BLOCK / 100;
        for i in 0..n {
            sigs.push(&sig(i));
        }
        assert!(sigs.blocks.len() >= 3);
        assert!(sigs.blocks.iter().all(|b| b.len() <= SIG_BLOCK));
        for i in (0..n).step_by(97) {
            assert_eq!(sigs.get(i), sig(i).as_slice(), "signature {i}");
        }
        // Shorter in place, longer at the end, empty to none.
        let shorter = vec![7u8; 3];
        let longer = vec![9u8; 250];
        sigs.set(5, &shorter);
        sigs.set(6, &longer);
        sigs.set(7, &[]);
        assert_eq!(sigs.get(5), shorter.as_slice());
        assert_eq!(sigs.get(6), longer.as_slice());
        assert_eq!(sigs.get(7), &[] as &[u8]);
        assert_eq!(sigs.get(8), sig(8).as_slice());
        assert_eq!(sigs.get(n - 1), sig(n - 1).as_slice());
    }
}
