//! Prefix searches (`privati*`): the words of the index, as written, that
//! start with the prefix, the most common first, at most
//! [`MAX_PREFIX_WORDS`] of them.

use std::collections::HashMap;

use tantivy::Term;
use tantivy::query::{BooleanQuery, EmptyQuery, Occur as TOccur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;

use super::Planner;
use crate::analysis::{Mode, TokenKind, analyze};
use crate::search::query::Scope;

/// Words a prefix stands for at most: beyond that, the most common ones.
pub(crate) const MAX_PREFIX_WORDS: usize = 64;

/// Words of the dictionary looked at, at most, for one prefix (per field
/// and segment): a bound on the time a very short prefix can take.
const MAX_SCANNED: usize = 200_000;

impl Planner<'_> {
    /// Every word starting with `text` over the current target, as written;
    /// an empty query when none does.
    pub(super) fn prefix(
        &mut self,
        text: &str,
        pos: usize,
        scope: Scope,
        highlight: bool,
    ) -> Option<Box<dyn Query>> {
        let words = match self.prefixes.get(&pos) {
            Some(w) => w.clone(),
            None => {
                let w = self.prefix_words(text);
                self.prefixes.insert(pos, w.clone());
                w
            }
        };
        let field = self.field(scope, Mode::Exact)?;
        if highlight {
            self.highlighter.exact.extend(words.iter().cloned());
        }
        if words.is_empty() {
            return Some(Box::new(EmptyQuery));
        }
        Some(Box::new(BooleanQuery::new(
            words
                .iter()
                .map(|w| {
                    let q = TermQuery::new(
                        Term::from_field_text(field, w),
                        IndexRecordOption::WithFreqs,
                    );
                    (TOccur::Should, Box::new(q) as Box<dyn Query>)
                })
                .collect(),
        )))
    }

    /// The words of the titles and texts that start with `text` (folded as
    /// the index folds it), by the number of articles that hold them.
    fn prefix_words(&mut self, text: &str) -> Vec<String> {
        let mut tokens = Vec::new();
        analyze(text, Mode::Exact, &mut tokens);
        tokens.retain(|t| t.kind == TokenKind::Word);
        let [token] = tokens.as_slice() else {
            self.prefix_notices.push(format!(
                "{text}* was not searched: a prefix search takes one word before the *"
            ));
            return Vec::new();
        };
        let prefix = token.text.as_bytes();
        let mut found: HashMap<Vec<u8>, u64> = HashMap::new();
        let mut cut = false;
        for reader in self.searcher.segment_readers() {
            for field in [self.f.text_exact, self.f.title_exact] {
                let Ok(index) = reader.inverted_index(field) else {
                    continue;
                };
                let Ok(mut stream) = index.terms().range().ge(prefix).into_stream() else {
                    continue;
                };
                let mut scanned = 0;
                while stream.advance() {
                    let key = stream.key();
                    if !key.starts_with(prefix) {
                        break;
                    }
                    scanned += 1;
                    if scanned > MAX_SCANNED {
                        cut = true;
                        break;
                    }
                    *found.entry(key.to_vec()).or_default() += u64::from(stream.value().doc_freq);
                }
            }
        }
        let mut words: Vec<(String, u64)> = found
            .into_iter()
            .filter_map(|(k, df)| Some((String::from_utf8(k).ok()?, df)))
            .collect();
        words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let shown: String = text.chars().map(crate::error::visible).collect();
        if words.is_empty() {
            self.prefix_notices
                .push(format!("{shown}* matches no word in the index"));
        } else if words.len() > MAX_PREFIX_WORDS || cut {
            self.prefix_notices.push(format!(
                "{shown}* starts {}{} words; searched the {MAX_PREFIX_WORDS} in most articles",
                if cut { "more than " } else { "" },
                words.len()
            ));
        }
        words.truncate(MAX_PREFIX_WORDS);
        words.into_iter().map(|(w, _)| w).collect()
    }
}
