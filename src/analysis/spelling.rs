//! British and American spellings meeting in one term.
//!
//! Applied to lower-cased words before stemming, at index and at query time
//! alike, so `privatisation` and `privatization` (or `organised` and
//! `organized`, `paediatric` and `pediatric`) become the same term. The rules
//! map towards the American form. A rule may also rewrite a word that has no
//! American twin (`noise` -> `noize`); that is harmless, because the same
//! rewrite happens on both sides. What matters is that no two *different*
//! English words are merged, which is why the risky families (`-our`, `-re`,
//! `ae`/`oe`) are lists rather than patterns.

use std::borrow::Cow;

/// Whole words whose spellings differ in ways no pattern covers.
const WORDS: &[(&str, &str)] = &[
    ("ageing", "aging"),
    ("aluminium", "aluminum"),
    ("cheque", "check"),
    ("cheques", "checks"),
    ("defence", "defense"),
    ("defences", "defenses"),
    ("enrol", "enroll"),
    ("enrolment", "enrollment"),
    ("enrolments", "enrollments"),
    ("fulfil", "fulfill"),
    ("fulfilment", "fulfillment"),
    ("grey", "gray"),
    ("judgement", "judgment"),
    ("judgements", "judgments"),
    ("licence", "license"),
    ("licences", "licenses"),
    ("mould", "mold"),
    ("offence", "offense"),
    ("offences", "offenses"),
    ("plough", "plow"),
    ("practise", "practice"),
    ("practised", "practiced"),
    ("practises", "practices"),
    ("practising", "practicing"),
    ("pretence", "pretense"),
    ("programme", "program"),
    ("programmes", "programs"),
    ("sceptic", "skeptic"),
    ("sceptical", "skeptical"),
    ("scepticism", "skepticism"),
    ("sceptics", "skeptics"),
    ("storey", "story"),
    ("tonne", "ton"),
    ("tonnes", "tons"),
    ("tyre", "tire"),
    ("tyres", "tires"),
];

/// Stems spelt `-our` in British English; every word starting with one of
/// them (`labourer`, `favourite`, `behavioural`) loses the `u`.
const OUR_ROOTS: &[&str] = &[
    "ardour",
    "armour",
    "behaviour",
    "candour",
    "clamour",
    "colour",
    "demeanour",
    "endeavour",
    "favour",
    "fervour",
    "flavour",
    "harbour",
    "honour",
    "humour",
    "labour",
    "neighbour",
    "odour",
    "parlour",
    "rigour",
    "rumour",
    "saviour",
    "savour",
    "splendour",
    "tumour",
    "valour",
    "vapour",
    "vigour",
];

/// Words ending `-re` in British English and `-er` in American, matched at the
/// end of a word so compounds (`epicentre`, `kilometres`) follow.
const RE_ENDINGS: &[&str] = &[
    "calibre", "centre", "fibre", "litre", "lustre", "meagre", "metre", "sabre", "sombre",
    "spectre", "theatre",
];

/// Greek-derived medical roots spelt with `ae`/`oe` in British English.
const DIGRAPH_ROOTS: &[(&str, &str)] = &[
    ("aetiolog", "etiolog"),
    ("amoeb", "ameb"),
    ("anaem", "anem"),
    ("anaesth", "anesth"),
    ("apnoe", "apne"),
    ("caesar", "cesar"),
    ("coeliac", "celiac"),
    ("diarrhoe", "diarrhe"),
    ("dyspnoe", "dyspne"),
    ("encyclopaed", "encycloped"),
    ("faec", "fec"),
    ("foet", "fet"),
    ("gynaec", "gynec"),
    ("haem", "hem"),
    ("homoeopath", "homeopath"),
    ("ischaem", "ischem"),
    ("leukaem", "leukem"),
    ("manoeuv", "maneuv"),
    ("oedem", "edem"),
    ("oesophag", "esophag"),
    ("oestr", "estr"),
    ("orthopaed", "orthoped"),
    ("paed", "ped"),
    ("septicaem", "septicem"),
];

/// Rewrites a lower-cased word to the American spelling hpsearch indexes.
pub fn americanize(word: &str) -> Cow<'_, str> {
    if !word.is_ascii() || word.len() < 4 {
        return Cow::Borrowed(word);
    }
    if let Ok(i) = WORDS.binary_search_by(|(uk, _)| uk.cmp(&word)) {
        return Cow::Borrowed(WORDS[i].1);
    }
    // Every rule needs one of these letter pairs: most words skip them all
    // (this runs for every token indexed or searched).
    let digraph = word.contains("ae") || word.contains("oe");
    let our = word.contains("our");
    let suffix = ["re", "is", "ys", "ell", "ogu"]
        .iter()
        .any(|p| word.contains(p));
    if !(digraph || our || suffix) {
        return Cow::Borrowed(word);
    }
    let mut out = Cow::Borrowed(word);
    if digraph {
        for (uk, us) in DIGRAPH_ROOTS {
            if let Some(rest) = word.strip_prefix(uk) {
                out = Cow::Owned(format!("{us}{rest}"));
                break;
            }
        }
    }
    if our {
        for root in OUR_ROOTS {
            if let Some(rest) = out.strip_prefix(root) {
                let us = &root[..root.len() - 2];
                out = Cow::Owned(format!("{us}r{rest}"));
                break;
            }
        }
    }
    if suffix { suffixes(out) } else { out }
}

fn suffixes(word: Cow<'_, str>) -> Cow<'_, str> {
    let w: &str = &word;
    for ending in RE_ENDINGS {
        let stem = &ending[..ending.len() - 1]; // `centr`
        for (uk, us) in [("e", "er"), ("es", "ers"), ("ed", "ered"), ("ing", "ering")] {
            if let Some(head) = w.strip_suffix(uk)
                && head.ends_with(stem)
            {
                return Cow::Owned(format!("{}{us}", &head[..head.len() - 1]));
            }
        }
    }
    // -isation / -ise family, -yse family.
    for (uk, us) in [
        ("isation", "ization"),
        ("isations", "izations"),
        ("ise", "ize"),
        ("ised", "ized"),
        ("ises", "izes"),
        ("ising", "izing"),
        ("iser", "izer"),
        ("isers", "izers"),
        ("yse", "yze"),
        ("ysed", "yzed"),
        ("ysing", "yzing"),
    ] {
        if let Some(head) = w.strip_suffix(uk)
            && head.len() >= 2
            && !w.starts_with("pris")
        {
            return Cow::Owned(format!("{head}{us}"));
        }
    }
    // travelled, cancelling, modeller: the doubled l is British.
    for (uk, us) in [
        ("elled", "eled"),
        ("elling", "eling"),
        ("eller", "eler"),
        ("ellers", "elers"),
    ] {
        if let Some(head) = w.strip_suffix(uk)
            && head.len() >= 3
        {
            return Cow::Owned(format!("{head}{us}"));
        }
    }
    // catalogue, dialogue, analogue.
    for (uk, us) in [("ogue", "og"), ("ogues", "ogs")] {
        if let Some(head) = w.strip_suffix(uk)
            && head.len() >= 3
        {
            return Cow::Owned(format!("{head}{us}"));
        }
    }
    word
}

#[cfg(test)]
mod tests {
    use super::americanize;

    #[test]
    fn word_table_is_sorted_for_binary_search() {
        assert!(super::WORDS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn british_meets_american() {
        for (uk, us) in [
            ("privatisation", "privatization"),
            ("privatised", "privatized"),
            ("organised", "organized"),
            ("organising", "organizing"),
            ("hospitalised", "hospitalized"),
            ("analyse", "analyze"),
            ("labour", "labor"),
            ("labourers", "laborers"),
            ("favourite", "favorite"),
            ("behavioural", "behavioral"),
            ("centre", "center"),
            ("centres", "centers"),
            ("kilometres", "kilometers"),
            ("paediatric", "pediatric"),
            ("anaesthetist", "anesthetist"),
            ("haemorrhage", "hemorrhage"),
            ("oesophageal", "esophageal"),
            ("travelled", "traveled"),
            ("programme", "program"),
            ("defence", "defense"),
            ("catalogue", "catalog"),
        ] {
            assert_eq!(americanize(uk), americanize(us), "{uk} vs {us}");
            assert_eq!(americanize(uk), us, "{uk}");
        }
    }

    #[test]
    fn leaves_other_words_alone() {
        for w in [
            "four", "hour", "your", "tour", "shoe", "does", "goes", "more", "nurse", "care",
            "prise", "the", "are",
        ] {
            assert_eq!(americanize(w), w);
        }
    }
}
