use std::collections::HashMap;

use super::*;

fn built_in() -> Thesaurus {
    Thesaurus::parse(BUILT_IN, "built-in").unwrap_or_else(|e| panic!("{e}"))
}

fn others(t: &Thesaurus, typed: &str) -> Vec<String> {
    let words: Vec<&str> = typed.split_whitespace().collect();
    t.find(&words, false)
        .filter(|f| f.words == words.len())
        .map(|f| f.others.iter().map(|n| n.text.to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn the_built_in_file_is_whole_and_every_entry_has_a_note() {
    let t = built_in();
    let count = |k: Kind| t.entries().iter().filter(|e| e.kind == k).count();
    assert!(
        count(Kind::Same) >= 150,
        "{} equivalences",
        count(Kind::Same)
    );
    assert!(count(Kind::Successors) >= 10);
    assert!(count(Kind::LeftOut) >= 20);
    for e in t.entries() {
        assert!(e.note.len() >= 5, "line {}: note {:?}", e.line, e.note);
    }
}

#[test]
fn no_name_is_in_two_equivalences() {
    let t = built_in();
    let mut seen: HashMap<(Vec<String>, bool), usize> = HashMap::new();
    for e in t.entries().iter().filter(|e| e.kind == Kind::Same) {
        for n in &e.names {
            if let Some(line) = seen.insert((n.key().to_vec(), n.acronym), e.line) {
                panic!("{:?} on lines {line} and {}", n.text, e.line);
            }
        }
    }
}

#[test]
fn left_out_merges_are_not_made() {
    let t = built_in();
    let same: Vec<&Entry> = t
        .entries()
        .iter()
        .filter(|e| e.kind == Kind::Same)
        .collect();
    for e in t.entries().iter().filter(|e| e.kind == Kind::LeftOut) {
        for s in &same {
            let shared = e
                .names
                .iter()
                .filter(|n| {
                    s.names
                        .iter()
                        .any(|m| m.key() == n.key() && m.acronym == n.acronym)
                })
                .count();
            assert!(
                shared < 2,
                "line {} makes what line {} leaves out",
                s.line,
                e.line
            );
        }
    }
    assert!(others(&t, "ED").is_empty());
    assert!(others(&t, "FT").is_empty());
}

#[test]
fn names_are_found_stemmed_longest_first_and_acronyms_only_in_capitals() {
    let t = built_in();
    assert!(others(&t, "Affordable Care Act").contains(&"Obamacare".to_string()));
    assert!(others(&t, "affordable care acts").contains(&"ACA".to_string()));
    assert!(others(&t, "junior doctors").contains(&"resident doctor".to_string()));
    assert!(others(&t, "Resident Doctors").contains(&"junior doctor".to_string()));
    for typed in ["a&e", "A&E", "A and E"] {
        let o = others(&t, typed);
        assert!(
            o.contains(&"emergency department".to_string()),
            "{typed}: {o:?}"
        );
        assert!(o.contains(&"ER".to_string()), "{typed}: {o:?}");
    }
    assert!(others(&t, "ER").contains(&"A&E".to_string()));
    assert!(others(&t, "er").is_empty(), "the word er is no acronym");
    assert!(others(&t, "GP").contains(&"general practitioner".to_string()));
    assert!(others(&t, "flu").contains(&"influenza".to_string()));
    // The longest name wins: `flu jab`, not `flu` then `jab`.
    let words = ["flu", "jab", "uptake"];
    let found = t.find(&words, false).expect("flu jab");
    assert_eq!(found.words, 2);
    assert_eq!(found.typed.text, "flu jab");
}

#[test]
fn successors_are_followed_only_when_asked() {
    let t = built_in();
    let plain = t.find(&["CCG"], false).expect("CCG");
    assert!(!plain.others.iter().any(|n| n.text == "ICB"));
    let asked = t.find(&["CCG"], true).expect("CCG");
    let names: Vec<&str> = asked.others.iter().map(|n| &*n.text).collect();
    for want in ["PCT", "ICB", "integrated care board", "primary care trust"] {
        assert!(names.contains(&want), "{names:?}");
    }
}

#[test]
fn a_bad_line_is_an_error_that_names_it() {
    let cases = [
        ("GP = general practitioner", "no note"),
        ("GP = general practitioner |  ", "empty note"),
        ("GP | a note", "one name only"),
        ("GP = | note", "empty name"),
        ("PCT -> CCG = ICB | note", "both"),
        ("GP = gp | note", "named twice"),
        ("GP = ... | note", "no word"),
        ("a = b | note | more", "more than one"),
    ];
    for (line, want) in cases {
        let text = format!("# mine\n\nflu = influenza | fine\n{line}\n");
        let err = Thesaurus::parse(&text, "mine.txt").expect_err(line);
        assert_eq!(err.line, 4, "{line}");
        assert_eq!(err.origin, "mine.txt");
        assert!(err.message.contains(want), "{line}: {}", err.message);
        assert!(err.to_string().starts_with("mine.txt:4: "));
    }
}

#[test]
fn a_users_entries_join_the_built_in_ones() {
    let mut t = built_in();
    t.add(
        "Calderbrook General = CGH | our local hospital\n",
        "mine.txt",
    )
    .unwrap();
    assert_eq!(others(&t, "Calderbrook General"), ["CGH"]);
    let entry = t.entries_naming("CGH");
    assert_eq!(entry.len(), 1);
    assert_eq!((&*entry[0].origin, entry[0].line), ("mine.txt", 1));
}

#[test]
fn every_line_of_the_built_in_file_reads() {
    let bad: Vec<String> = BUILT_IN
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim().starts_with('#'))
        .filter_map(|(i, l)| {
            entry(l.trim(), true, |s: &str| Cow::Owned(s.to_string()))
                .err()
                .map(|e| format!("{}: {e}", i + 1))
        })
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn a_name_and_the_words_that_type_it_share_a_bucket() {
    // Every part of every built-in name and what analysis makes of it
    // start from the same consonant.
    for e in built_in().entries() {
        for n in &e.names {
            for part in parts(&n.text) {
                let analysed = key(part).concat();
                assert_eq!(
                    consonant(part),
                    consonant(&analysed),
                    "{:?} line {}",
                    n.text,
                    e.line
                );
            }
        }
    }
    for (a, b) in [
        ("paediatric nurses", "pediatric nurse"),
        ("Doctors’ strikes", "doctor strike"),
        ("ageing", "aging"),
        ("Māori", "maori"),
        ("A&E", "a&e"),
        ("e-cigarettes", "e cigarette"),
    ] {
        assert_eq!(bucket(a), bucket(b), "{a} {b}");
    }
}
