//! Reading fast-field columns by segment, each opened once per searcher.

use super::schema::name;
use tantivy::columnar::{BytesColumn, StrColumn};

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

/// Every term of a column's dictionary, by ordinal, in one pass over it:
/// where each document has a value of its own (a file, a signature),
/// looking each one up would decode a dictionary block per document.
pub(crate) fn terms_by_ord(col: &BytesColumn) -> tantivy::Result<Vec<Vec<u8>>> {
    let ords: Vec<u64> = (0..col.num_terms() as u64).collect();
    let mut out = Vec::with_capacity(ords.len());
    col.dictionary()
        .sorted_ords_to_term_cb(&ords, |term| out.push(term.to_vec()))
        .map_err(tantivy::TantivyError::from)?;
    Ok(out)
}

/// [`terms_by_ord`] of a string column, as strings.
pub(crate) fn strings_by_ord(col: &StrColumn) -> tantivy::Result<Vec<String>> {
    Ok(terms_by_ord(col)?
        .into_iter()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect())
}
