//! Outlet names from web addresses: `https://www.theguardian.com/...` is
//! "The Guardian". A small built-in table covers common outlets; the run's
//! own pairs ([`super::IngestOptions::outlets`]) come first. An address on no
//! list gives its host name without `www.`, which still tells outlets apart.

/// Domains of common outlets and the names people know them by.
const BUILT_IN: &[(&str, &str)] = &[
    ("theguardian.com", "The Guardian"),
    ("guardian.co.uk", "The Guardian"),
    ("observer.co.uk", "The Observer"),
    ("bbc.co.uk", "BBC News"),
    ("bbc.com", "BBC News"),
    ("independent.co.uk", "The Independent"),
    ("telegraph.co.uk", "The Telegraph"),
    ("thetimes.co.uk", "The Times"),
    ("thetimes.com", "The Times"),
    ("ft.com", "Financial Times"),
    ("dailymail.co.uk", "Daily Mail"),
    ("mirror.co.uk", "Daily Mirror"),
    ("express.co.uk", "Daily Express"),
    ("thesun.co.uk", "The Sun"),
    ("standard.co.uk", "Evening Standard"),
    ("inews.co.uk", "The i Paper"),
    ("news.sky.com", "Sky News"),
    ("itv.com", "ITV News"),
    ("channel4.com", "Channel 4 News"),
    ("morningstaronline.co.uk", "Morning Star"),
    ("ibtimes.co.uk", "IBTimes UK"),
    ("newstatesman.com", "New Statesman"),
    ("spectator.co.uk", "The Spectator"),
    ("economist.com", "The Economist"),
    ("opendemocracy.net", "openDemocracy"),
    ("scotsman.com", "The Scotsman"),
    ("heraldscotland.com", "The Herald"),
    ("walesonline.co.uk", "WalesOnline"),
    ("belfasttelegraph.co.uk", "Belfast Telegraph"),
    ("irishtimes.com", "The Irish Times"),
    ("reuters.com", "Reuters"),
    ("apnews.com", "Associated Press"),
    ("nytimes.com", "The New York Times"),
    ("washingtonpost.com", "The Washington Post"),
    ("cnn.com", "CNN"),
    ("npr.org", "NPR"),
    ("politico.eu", "Politico Europe"),
    ("politico.com", "Politico"),
    ("statnews.com", "STAT"),
    ("kffhealthnews.org", "KFF Health News"),
    ("bmj.com", "The BMJ"),
    ("thelancet.com", "The Lancet"),
    ("hsj.co.uk", "Health Service Journal"),
    ("nursingtimes.net", "Nursing Times"),
    ("pulsetoday.co.uk", "Pulse"),
    ("kingsfund.org.uk", "The King's Fund"),
    ("nuffieldtrust.org.uk", "Nuffield Trust"),
    ("health.org.uk", "The Health Foundation"),
    ("bma.org.uk", "BMA"),
    ("rcn.org.uk", "Royal College of Nursing"),
    ("unison.org.uk", "UNISON"),
    ("unitetheunion.org", "Unite"),
    ("gmb.org.uk", "GMB"),
    ("england.nhs.uk", "NHS England"),
    ("gov.uk", "GOV.UK"),
];

/// The host of an `http(s)` address, lower-cased, without port or `www.`.
pub(crate) fn host(url: &str) -> Option<String> {
    let rest = url.trim();
    let (scheme, rest) = rest.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    let host = authority.split(':').next()?.trim_end_matches('.');
    if host.is_empty() || !host.contains('.') {
        return None;
    }
    let host = host.to_ascii_lowercase();
    let host = ["www.", "amp.", "m."]
        .iter()
        .find_map(|p| host.strip_prefix(p))
        .map_or(host.clone(), str::to_string);
    Some(host)
}

/// The outlet named by the address `url`: from `extra` (domain, name) pairs,
/// then the built-in table, matching the host or any domain it is under
/// (`news.bbc.co.uk` is under `bbc.co.uk`), else the host itself.
pub(crate) fn outlet(url: &str, extra: &[(String, String)]) -> Option<String> {
    let host = host(url)?;
    let mut domain = host.as_str();
    loop {
        if let Some((_, name)) = extra.iter().find(|(d, _)| {
            d.trim()
                .trim_start_matches("www.")
                .eq_ignore_ascii_case(domain)
        }) {
            return Some(name.clone());
        }
        if let Some((_, name)) = BUILT_IN.iter().find(|(d, _)| *d == domain) {
            return Some((*name).to_string());
        }
        match domain.split_once('.') {
            Some((_, parent)) if parent.contains('.') => domain = parent,
            _ => break,
        }
    }
    Some(host)
}

/// True when `name` looks like the outlet at `url`: a known name for that
/// domain, or a name whose main word is part of the host
/// (`BBC News` and `bbc.co.uk`, `The Guardian` and `theguardian.com`).
pub(crate) fn name_fits_host(name: &str, url: Option<&str>, extra: &[(String, String)]) -> bool {
    let known = |n: &str| {
        BUILT_IN.iter().any(|(_, b)| b.eq_ignore_ascii_case(n))
            || extra.iter().any(|(_, b)| b.eq_ignore_ascii_case(n))
    };
    if known(name) {
        return true;
    }
    let Some(host) = url.and_then(host) else {
        return false;
    };
    let squashed: String = host.chars().filter(char::is_ascii_alphanumeric).collect();
    name.split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
                .to_lowercase()
        })
        .filter(|w| w.len() >= 3 && w != "the" && w != "news")
        .any(|w| squashed.contains(&w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_folded() {
        assert_eq!(
            host("https://www.TheGuardian.com:443/society/2025/x").as_deref(),
            Some("theguardian.com")
        );
        assert_eq!(host("mailto:someone@example.org"), None);
        assert_eq!(host("https://localhost/x"), None);
    }

    #[test]
    fn outlets_from_the_table_the_run_and_the_host() {
        let none: &[(String, String)] = &[];
        assert_eq!(
            outlet("https://www.theguardian.com/society/x", none).as_deref(),
            Some("The Guardian")
        );
        assert_eq!(
            outlet("https://www.bbc.co.uk/news/health-1", none).as_deref(),
            Some("BBC News")
        );
        assert_eq!(
            outlet("http://news.bbc.co.uk/1/hi/health/2.stm", none).as_deref(),
            Some("BBC News")
        );
        let extra = vec![(
            "penninegazette.example".to_string(),
            "Pennine Gazette".to_string(),
        )];
        assert_eq!(
            outlet("https://www.penninegazette.example/a", &extra).as_deref(),
            Some("Pennine Gazette")
        );
        assert_eq!(
            outlet("https://www.penninegazette.example/a", none).as_deref(),
            Some("penninegazette.example")
        );
    }

    #[test]
    fn names_that_fit_a_host() {
        let none: &[(String, String)] = &[];
        assert!(name_fits_host("The Guardian", None, none));
        assert!(name_fits_host(
            "Wessex Echo",
            Some("https://www.wessexecho.example/x"),
            none
        ));
        assert!(!name_fits_host(
            "what you need to know",
            Some("https://www.wessexecho.example/x"),
            none
        ));
    }
}
