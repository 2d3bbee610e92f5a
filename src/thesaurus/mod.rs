//! The thesaurus: names that mean one thing (`Obamacare = Affordable Care
//! Act = ACA`), and names that followed one another (`PCT -> CCG -> ICB`).
//!
//! hpsearch ships one for health policy ([`BUILT_IN`], a plain text file
//! reviewed entry by entry); an index may add a user's file in the same
//! format. A search expands a name it recognises in the query to the
//! entry's other names ([`Thesaurus::find`]), and follows successor links
//! only when asked.
//!
//! Names are compared by their words after analysis: a word's stemmed
//! term, or for a stop word the word itself, so `junior doctors` finds the
//! entry `junior doctor` and `A and E` keeps its `and`. A name written in
//! capitals (`ER`, `ACA`, `A&E`) is an acronym: typed, it is recognised only
//! in capitals or with an `&` (`a&e`), and searched for, it matches only
//! capitals, so `ER` never finds the word *er*.
//!
//! Analysing every name would cost a command that runs one search some
//! milliseconds each time: a name is analysed only when the query's words
//! fall in its [`bucket`] (the first consonants of its first and last
//! words, which stemming and spelling leave in place).

use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

use crate::analysis::{Mode, TokenKind, analyze};

/// The built-in health-policy thesaurus, as shipped.
pub const BUILT_IN: &str = include_str!("health-policy.txt");

/// What an entry says of its names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// One thing, several names (`a = b = c`): a search for one finds all.
    Same,
    /// One thing renamed or replaced over time (`a -> b -> c`): followed
    /// only when a search asks for it.
    Successors,
    /// Considered and left out, because it would mislead (`! a = b`).
    LeftOut,
}

/// One name of an entry.
#[derive(Clone, Debug)]
pub struct Name {
    /// As written in the file.
    pub text: Cow<'static, str>,
    /// Written in capitals: matched only as an acronym.
    pub acronym: bool,
    /// Its words as compared, analysed when first asked for.
    key: OnceLock<Vec<String>>,
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        self.text == other.text
    }
}

impl Eq for Name {}

impl Name {
    fn new(text: Cow<'static, str>) -> Name {
        // Most names are words in lower case: only a short name with a
        // capital can be an acronym.
        let short_capitals = text.len() <= 5 && text.bytes().any(|b| b.is_ascii_uppercase());
        Name {
            acronym: short_capitals && crate::analysis::acronym(&text) == Some(&*text),
            text,
            key: OnceLock::new(),
        }
    }

    /// Its words as compared (see the module's documentation).
    pub fn key(&self) -> &[String] {
        self.key.get_or_init(|| key(&self.text))
    }

    /// Whether a name with an `&` (`A&E`): one that cannot be mistaken for
    /// a word in any case.
    pub fn has_ampersand(&self) -> bool {
        self.text.contains('&')
    }
}

/// One line of a thesaurus file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Same, successors or left out.
    pub kind: Kind,
    /// Its names, in the file's order (oldest first for successors).
    pub names: Vec<Name>,
    /// Where the names are used, or why the entry is left out.
    pub note: Cow<'static, str>,
    /// The file it comes from: `built-in` or the user's file name.
    pub origin: Cow<'static, str>,
    /// Its line in that file (1-based).
    pub line: usize,
}

/// A bad line of a thesaurus file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{origin}:{line}: {message}")]
pub struct LineError {
    /// The file.
    pub origin: String,
    /// The line (1-based).
    pub line: usize,
    /// What is wrong with it and how to write it.
    pub message: String,
}

/// Entries, and their names by [`bucket`].
#[derive(Clone, Debug, Default)]
pub struct Thesaurus {
    entries: Vec<Entry>,
    /// Bucket of a name of a `Same` entry -> (entry, name) pairs.
    buckets: FxHashMap<(char, char), Vec<(usize, usize)>>,
    /// Most words (hyphenated parts counted apart) in a name.
    longest: usize,
}

/// What a run of typed words was recognised as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found<'a> {
    /// How many of the words the name takes.
    pub words: usize,
    /// The name typed.
    pub typed: &'a Name,
    /// The other names, in the order of their entries (equivalences, then
    /// successors when asked), each once.
    pub others: Vec<&'a Name>,
    /// The entries they come from.
    pub entries: Vec<&'a Entry>,
}

impl Thesaurus {
    /// The built-in thesaurus alone. Its names are analysed only when a
    /// query needs them (a test reads every line as a user's file is read).
    pub fn built_in() -> Thesaurus {
        let mut out = Thesaurus::default();
        // Names and notes stay in the text shipped: nothing is copied.
        out.read(BUILT_IN, Cow::Borrowed("built-in"), false, Cow::Borrowed)
            .expect("the built-in thesaurus is checked by a test");
        out
    }

    /// Reads a thesaurus file: `name = name = ... | note`, `older -> newer |
    /// note`, `! name = name | why left out`, `#` comments and blank lines.
    /// `origin` names the file in errors and in [`Entry::origin`].
    pub fn parse(text: &str, origin: &str) -> Result<Thesaurus, LineError> {
        let mut out = Thesaurus::default();
        out.add(text, origin)?;
        Ok(out)
    }

    /// Adds the entries of another file (a user's, after the built-in).
    pub fn add(&mut self, text: &str, origin: &str) -> Result<(), LineError> {
        let owned = |s: &str| Cow::Owned(s.to_string());
        self.read(text, Cow::Owned(origin.to_string()), true, owned)
    }

    /// Adds a file's entries, its names and notes kept as `keep` makes them;
    /// `check` analyses each name, to refuse one with nothing to search or
    /// one said twice on a line.
    fn read<'t>(
        &mut self,
        text: &'t str,
        origin: Cow<'static, str>,
        check: bool,
        keep: impl Fn(&'t str) -> Cow<'static, str>,
    ) -> Result<(), LineError> {
        for (i, line) in text.lines().enumerate() {
            let err = |message: String| LineError {
                origin: origin.to_string(),
                line: i + 1,
                message,
            };
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let entry = entry(line, check, &keep).map_err(err)?;
            let at = self.entries.len();
            if entry.kind == Kind::Same {
                for (n, name) in entry.names.iter().enumerate() {
                    self.longest = self.longest.max(parts(&name.text).count());
                    let b = bucket(&name.text);
                    self.buckets.entry(b).or_default().push((at, n));
                }
            }
            self.entries.push(Entry {
                origin: origin.clone(),
                line: i + 1,
                ..entry
            });
        }
        Ok(())
    }

    /// Every entry, in file order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The longest name at the start of `words` (as typed, one word each),
    /// with its other names; `successors` also follows the successor
    /// entries that hold any of them.
    pub fn find(&self, words: &[&str], successors: bool) -> Option<Found<'_>> {
        self.find_with(words, &mut vec![None; words.len()], successors)
    }

    /// [`Thesaurus::find`], with the analysed words of `words` kept in
    /// `keys` (one per word, filled as needed) for the next call, so a
    /// caller trying each start of a run of words analyses each word once.
    pub fn find_with(
        &self,
        words: &[&str],
        keys: &mut [Option<Vec<String>>],
        successors: bool,
    ) -> Option<Found<'_>> {
        // Each typed word gives a name one word or more.
        let most = self.longest.min(words.len()).min(keys.len());
        for len in (1..=most).rev() {
            let b = bucket_of(words[0], words[len - 1]);
            let Some(candidates) = self.buckets.get(&b) else {
                continue;
            };
            for (k, w) in keys[..len].iter_mut().zip(words) {
                k.get_or_insert_with(|| key(w));
            }
            let keys: Vec<&Vec<String>> = keys[..len].iter().flatten().collect();
            if keys.iter().any(|k| k.is_empty()) {
                continue;
            }
            let key: Vec<String> = keys.iter().flat_map(|k| k.iter().cloned()).collect();
            let typed_as_acronym = len == 1 && is_written_as_acronym(words[0]);
            let hits: Vec<(usize, usize)> = candidates
                .iter()
                .copied()
                .filter(|&(e, n)| {
                    let name = &self.entries[e].names[n];
                    name.key() == key.as_slice()
                        && (!name.acronym || name.has_ampersand() || typed_as_acronym)
                })
                .collect();
            let Some(&(e0, n0)) = hits.first() else {
                continue;
            };
            let typed = &self.entries[e0].names[n0];
            let mut entries: Vec<usize> = hits.iter().map(|&(e, _)| e).collect();
            entries.dedup();
            if successors {
                self.follow(&mut entries);
            }
            let mut others: Vec<&Name> = Vec::new();
            for &e in &entries {
                for name in &self.entries[e].names {
                    let known = others
                        .iter()
                        .any(|o| o.key() == name.key() && o.acronym == name.acronym);
                    if name.key() != typed.key() && !known {
                        others.push(name);
                    }
                }
            }
            return Some(Found {
                words: len,
                typed,
                others,
                entries: entries.iter().map(|&e| &self.entries[e]).collect(),
            });
        }
        None
    }

    /// Adds to `entries` (equivalences) the successor entries that hold any
    /// of their names, and the equivalences of those successors.
    fn follow(&self, entries: &mut Vec<usize>) {
        let same = entries.clone();
        let named = |key: &[String]| {
            same.iter()
                .any(|&e| self.entries[e].names.iter().any(|n| n.key() == key))
        };
        for (at, entry) in self.entries.iter().enumerate() {
            if entry.kind != Kind::Successors || !entry.names.iter().any(|s| named(s.key())) {
                continue;
            }
            entries.push(at);
            for s in &entry.names {
                for &(e, n) in self.buckets.get(&bucket(&s.text)).into_iter().flatten() {
                    if self.entries[e].names[n].key() == s.key() && !entries.contains(&e) {
                        entries.push(e);
                    }
                }
            }
        }
    }

    /// Every entry that names `text` (any kind, any case): what the
    /// `synonyms` command shows.
    pub fn entries_naming(&self, text: &str) -> Vec<&Entry> {
        let key = key(text);
        self.entries
            .iter()
            .filter(|e| !key.is_empty() && e.names.iter().any(|n| n.key() == key.as_slice()))
            .collect()
    }
}

/// The first consonants of a text's first and last parts (words, and the
/// parts of hyphenated words). A name and the words that type it share
/// them: stemming and spelling change a word's ending and vowels only
/// (`paediatric`, `pediatric`; `Doctors’`, `doctor`).
fn bucket(text: &str) -> (char, char) {
    bucket_of(text, text)
}

/// The bucket of the words from `first` to `last`.
fn bucket_of(first: &str, last: &str) -> (char, char) {
    let first = parts(first).next().unwrap_or("");
    let last = parts(last).last().unwrap_or("");
    (consonant(first), consonant(last))
}

/// A text's words, hyphenated words in parts.
fn parts(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || crate::analysis::is_hyphen_char(c))
        .filter(|p| !p.is_empty())
}

/// The first letter or digit of a word that is not a vowel, case and
/// diacritics folded (`_` when there is none).
fn consonant(word: &str) -> char {
    if word.is_ascii() {
        return word
            .bytes()
            .map(|b| b.to_ascii_lowercase())
            .find(|b| b.is_ascii_alphanumeric() && !matches!(b, b'a' | b'e' | b'i' | b'o' | b'u'))
            .map_or('_', char::from);
    }
    word.nfd()
        .flat_map(char::to_lowercase)
        .find(|c| c.is_alphanumeric() && !matches!(c, 'a' | 'e' | 'i' | 'o' | 'u'))
        .unwrap_or('_')
}

/// A typed word written as an acronym: in capitals (an optional plural
/// `s`), or any word with an `&`.
fn is_written_as_acronym(word: &str) -> bool {
    word.contains('&') || crate::analysis::acronym(word).is_some()
}

/// One line, already trimmed and not a comment; `check` analyses its names.
fn entry<'t>(
    line: &'t str,
    check: bool,
    keep: impl Fn(&'t str) -> Cow<'static, str>,
) -> Result<Entry, String> {
    let (left_out, body) = match line.strip_prefix('!') {
        Some(rest) => (true, rest.trim()),
        None => (false, line),
    };
    let Some((names, note)) = body.split_once('|') else {
        return Err(
            "no note: write the names, then ` | ` and a note on where they are used".into(),
        );
    };
    let note = note.trim();
    if note.is_empty() {
        return Err("empty note after `|`: say where the names are used".into());
    }
    if note.contains('|') {
        return Err("more than one `|`: a note cannot hold one".into());
    }
    let successors = names.contains("->");
    if successors && names.contains('=') {
        return Err(
            "both `=` and `->`: put names of one thing and successions on separate lines".into(),
        );
    }
    let sep = if successors { "->" } else { "=" };
    let kind = match (left_out, successors) {
        (true, _) => Kind::LeftOut,
        (false, true) => Kind::Successors,
        (false, false) => Kind::Same,
    };
    let mut out: Vec<Name> = Vec::new();
    for raw in names.split(sep) {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(format!(
                "an empty name: put a name on each side of every `{sep}`"
            ));
        }
        let name = Name::new(keep(raw));
        if check && name.key().is_empty() {
            return Err(format!("{raw:?} has no word that can be searched"));
        }
        if check && out.iter().any(|n| n.key() == name.key()) {
            return Err(format!("{raw:?} is named twice on this line"));
        }
        out.push(name);
    }
    if out.len() < 2 {
        return Err(
            "one name only: an entry needs two or more, as in `GP = general practitioner | ...`"
                .to_string(),
        );
    }
    Ok(Entry {
        kind,
        names: out,
        note: keep(note),
        origin: Cow::Borrowed(""),
        line: 0,
    })
}

/// The words of a name as compared: each word's stemmed term, or the word
/// itself (folded) when stemming drops it.
fn key(text: &str) -> Vec<String> {
    let (mut exact, mut stemmed) = (Vec::new(), Vec::new());
    analyze(text, Mode::Exact, &mut exact);
    analyze(text, Mode::Stemmed, &mut stemmed);
    exact
        .iter()
        .filter(|t| t.kind == TokenKind::Word)
        .map(|t| {
            stemmed
                .iter()
                .find(|s| s.position == t.position && s.kind == TokenKind::Word)
                .unwrap_or(t)
                .text
                .clone()
        })
        .collect()
}

#[cfg(test)]
mod tests;
