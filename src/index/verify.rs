//! The checksum check every open runs: each segment file is read against
//! its checksum once per version, and the versions that passed are noted
//! beside the index (size, times, inode) so later opens only compare them.

use std::collections::HashMap;
use std::path::Path;

use tantivy::directory::error::OpenReadError;

use super::write_atomically;
use crate::error::{Error, Result};

/// Where the index notes which file versions passed the checksum check.
const VERIFIED: &str = ".hpsearch-verified.json";

/// Size, modification and change times (and inode) of a file: a write to
/// the file changes them, so a file with the stamp it had when it passed
/// the check has not been written since.
///
/// `None` for a file written in the last few seconds: timestamps are coarse
/// (a few milliseconds), so a write right after the check could leave the
/// stamp as it was. Such a file is checked again on the next open.
fn file_stamp(path: &Path) -> Option<String> {
    let m = std::fs::metadata(path).ok()?;
    let age = m.modified().ok()?.elapsed().ok()?;
    if age < std::time::Duration::from_secs(3) {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(format!(
            "{} {}.{} {}.{} {}",
            m.len(),
            m.mtime(),
            m.mtime_nsec(),
            m.ctime(),
            m.ctime_nsec(),
            m.ino()
        ))
    }
    #[cfg(not(unix))]
    {
        let t = m
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        Some(format!("{} {}", m.len(), t.as_nanos()))
    }
}

/// Checks that every file of every committed segment is there and matches
/// the CRC32 in its footer. A missing file or a flipped byte is found here.
///
/// A file is read once per version: the stamps of files that passed are
/// noted in [`VERIFIED`] (when the folder is writable), and a file with the
/// same stamp on a later open is not read again. Reading a large index whole
/// on every search would cost more than the search.
pub(super) fn verify_checksums(path: &Path, inner: &tantivy::Index) -> Result<()> {
    let known: HashMap<String, String> = std::fs::read(path.join(VERIFIED))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let mut passed: HashMap<String, String> = HashMap::new();
    use tantivy::index::SegmentComponent as C;
    let corrupted = |detail: String| Error::Corrupted {
        path: path.to_path_buf(),
        detail,
    };
    let metas = inner
        .searchable_segment_metas()
        .map_err(|e| corrupted(e.to_string()))?;
    for meta in metas {
        let mut parts = vec![
            C::Postings,
            C::Positions,
            C::Terms,
            C::Store,
            C::FastFields,
            C::FieldNorms,
        ];
        if meta.has_deletes() {
            parts.push(C::Delete);
        }
        for part in parts {
            let file = meta.relative_path(part);
            let name = file.to_string_lossy().into_owned();
            let stamp = file_stamp(&path.join(&file));
            if stamp.is_some() && known.get(&name) == stamp.as_ref() {
                passed.insert(name, stamp.unwrap_or_default());
                continue;
            }
            match inner.directory().validate_checksum(&file) {
                Ok(true) => {}
                Ok(false) => {
                    return Err(corrupted(format!(
                        "{} does not match its checksum",
                        file.display()
                    )));
                }
                Err(OpenReadError::FileDoesNotExist(_)) => {
                    return Err(corrupted(format!("{} is missing", file.display())));
                }
                Err(e) => return Err(corrupted(e.to_string())),
            }
            if let Some(stamp) = stamp {
                passed.insert(name, stamp);
            }
        }
    }
    if passed != known {
        // Best effort: a read-only folder just means checking every time.
        let json = serde_json::to_vec(&passed).expect("a map of strings serialises");
        let _ = write_atomically(&path.join(VERIFIED), &json, false);
    }
    Ok(())
}
