//! One article's tantivy document: the stage between an article whose
//! cluster and boilerplate are settled and tantivy's writer. Its passages
//! are cut once (boilerplate left out) and kept as columns with the
//! position of each one's first word; its title and text go to the stemmed
//! and the as-written fields; what later runs need (fingerprints, the
//! signature, the file's state) goes to columns.

use tantivy::TantivyDocument;

use super::boilerplate;
use crate::index::catalog::FileMeta;
use crate::index::schema::{self, Fields};
use crate::model::Article;

/// The text as indexed: every byte outside the passages (boilerplate, and
/// the space between passages) made a space, so no word of boilerplate is
/// found and every other word keeps its byte offset.
fn indexed_text<'t>(text: &'t str, ranges: &[std::ops::Range<usize>]) -> std::borrow::Cow<'t, str> {
    let covered: usize = ranges.iter().map(|r| r.len()).sum();
    let gaps_blank = {
        let mut at = 0;
        let mut blank = true;
        for r in ranges
            .iter()
            .chain(std::iter::once(&(text.len()..text.len())))
        {
            blank &= text.get(at..r.start).is_none_or(|g| g.trim().is_empty());
            at = r.end;
        }
        blank
    };
    if gaps_blank || covered == text.len() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = vec![b' '; text.len()];
    for r in ranges {
        out[r.clone()].copy_from_slice(&text.as_bytes()[r.clone()]);
    }
    // Passages begin and end on character boundaries, and the rest is ASCII.
    std::borrow::Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| text.to_string()))
}

/// What an article's document records beyond the article itself.
pub(super) struct Head<'a> {
    pub(super) cluster: u64,
    pub(super) paras: &'a [u64],
    pub(super) stripped: &'a [u64],
    pub(super) sig: &'a [u8],
    pub(super) file: Option<&'a FileMeta>,
}

/// The tantivy document of one article: its passages (boilerplate left
/// out) cut once and kept as a column with the position of each one's first
/// word; its text indexed once, boilerplate blanked out so that positions
/// and byte offsets stay those of the stored text.
pub(super) fn build_doc(
    f: &Fields,
    article: &Article,
    stored: &[u8],
    chash: u64,
    akey: u64,
    head: &Head,
) -> Built {
    let ranges = boilerplate::passages(&article.text, head.stripped);
    let text = indexed_text(&article.text, &ranges);
    let starts: Vec<usize> = ranges.iter().map(|r| r.start).collect();
    let firsts = crate::analysis::first_positions(&text, &starts);
    let spans: Vec<schema::PassageSpan> = ranges
        .iter()
        .zip(firsts)
        .map(|(r, first)| schema::PassageSpan {
            bytes: r.clone(),
            first,
        })
        .collect();
    let mut doc = TantivyDocument::new();
    doc.add_text(f.id, &article.id);
    doc.add_u64(f.akey, akey);
    doc.add_u64(f.cluster, head.cluster);
    doc.add_text(f.title, &article.title);
    doc.add_text(f.title_exact, &article.title);
    doc.add_text(f.text, &text);
    doc.add_text(f.text_exact, &text);
    let (values, firsts) = schema::encode_passages(&spans);
    for (r, first) in values.into_iter().zip(firsts) {
        doc.add_u64(f.passages, r);
        doc.add_u64(f.firsts, first);
    }
    if let Some(s) = &article.source {
        doc.add_text(f.source, s);
        doc.add_text(f.source_key, schema::source_key(s));
        if let Some(given) = &article.source_as_given {
            doc.add_text(f.source_given, given);
            doc.add_text(f.source_key, schema::source_key(given));
        }
    }
    if let Some(d) = article.date {
        doc.add_i64(f.day, d.key());
    }
    doc.add_u64(f.chash, chash);
    doc.add_bytes(f.article, stored);
    for fp in head.paras {
        doc.add_u64(f.paras, *fp);
    }
    for fp in head.stripped {
        doc.add_u64(f.stripped, *fp);
    }
    if !head.sig.is_empty() {
        doc.add_bytes(f.sig, head.sig);
    }
    if let Some(file) = head.file {
        doc.add_text(f.file, &file.key);
        doc.add_u64(f.fstamp, file.stamp);
        doc.add_u64(f.fhash, file.hash);
        doc.add_u64(f.fgen, file.run);
        doc.add_u64(f.fopts, file.options);
    }
    Built {
        doc,
        passages: ranges.len(),
    }
}

/// An article's document, and its number of passages (for the summary).
pub(super) struct Built {
    pub(super) doc: TantivyDocument,
    pub(super) passages: usize,
}
