//! Reading fast-field columns by segment, each opened once per searcher.

use super::schema::name;
use tantivy::columnar::StrColumn;

/// Source names by (segment, ordinal) key, each segment's column opened once.
pub(crate) struct SourceNames {
    searcher: tantivy::Searcher,
    columns: Vec<Option<Option<StrColumn>>>,
}

impl SourceNames {
    pub fn new(searcher: &tantivy::Searcher) -> SourceNames {
        SourceNames {
            searcher: searcher.clone(),
            columns: vec![None; searcher.segment_readers().len()],
        }
    }

    /// The source name behind a key, if the key names one.
    pub fn name(&mut self, (segment, ord): (u32, u32)) -> Option<String> {
        let mut s = String::new();
        self.column(segment)?
            .ord_to_str(u64::from(ord), &mut s)
            .ok()?
            .then_some(s)
    }

    /// The names behind sorted keys, one pass over each segment's
    /// dictionary (naming one key decodes its block from the start).
    pub fn names(&mut self, keys: &[(u32, u32)]) -> Vec<Option<String>> {
        let mut names = Vec::with_capacity(keys.len());
        for run in keys.chunk_by(|a, b| a.0 == b.0) {
            let start = names.len();
            if let Some(col) = self.column(run[0].0) {
                let ords: Vec<u64> = run.iter().map(|k| u64::from(k.1)).collect();
                let read = col.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
                    names.push(Some(String::from_utf8_lossy(bytes).into_owned()))
                });
                if read.is_err() {
                    names.truncate(start);
                }
            }
            // Ordinals past the dictionary's end name nothing.
            names.resize(start + run.len(), None);
        }
        names
    }

    fn column(&mut self, segment: u32) -> Option<&StrColumn> {
        self.columns
            .get_mut(segment as usize)?
            .get_or_insert_with(|| {
                let ff = self.searcher.segment_reader(segment).fast_fields();
                ff.str(name::SOURCE).ok().flatten()
            })
            .as_ref()
    }
}

/// Every term of a column's dictionary, by ordinal, in one pass over it
/// (`read` is the dictionary's `sorted_ords_to_term_cb`): where each
/// document has a value of its own (a file, a signature), looking each one
/// up would decode a dictionary block per document.
pub(crate) fn terms_by_ord(
    num_terms: usize,
    read: impl FnOnce(&[u64], &mut dyn FnMut(&[u8])) -> std::io::Result<bool>,
) -> std::io::Result<Vec<Vec<u8>>> {
    let ords: Vec<u64> = (0..num_terms as u64).collect();
    let mut out = Vec::with_capacity(num_terms);
    read(&ords, &mut |term: &[u8]| out.push(term.to_vec()))?;
    Ok(out)
}
