//! Outlet names from web addresses: `https://www.theguardian.com/...` is
//! "The Guardian". A small built-in table covers common outlets; the run's
//! own pairs ([`super::IngestOptions::outlets`]) come first. An address on no
//! list gives its host name without `www.`, which still tells outlets apart.
//! [`canonical`] applies the same table to sources that are host names
//! (exports name outlets by their domain), and the run's name pairs merge
//! any two names.

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
    ("wsj.com", "The Wall Street Journal"),
    ("latimes.com", "Los Angeles Times"),
    ("usatoday.com", "USA Today"),
    ("cbsnews.com", "CBS News"),
    ("abcnews.go.com", "ABC News"),
    ("nbcnews.com", "NBC News"),
    ("foxnews.com", "Fox News"),
    ("time.com", "TIME"),
    ("newsweek.com", "Newsweek"),
    ("usnews.com", "U.S. News & World Report"),
    ("bostonglobe.com", "The Boston Globe"),
    ("chicagotribune.com", "Chicago Tribune"),
    ("philly.com", "The Philadelphia Inquirer"),
    ("inquirer.com", "The Philadelphia Inquirer"),
    ("vox.com", "Vox"),
    ("buzzfeed.com", "BuzzFeed"),
    ("buzzfeednews.com", "BuzzFeed"),
    ("huffingtonpost.com", "HuffPost"),
    ("huffpost.com", "HuffPost"),
    ("webmd.com", "WebMD"),
    ("healthday.com", "HealthDay"),
    ("medicalnewstoday.com", "Medical News Today"),
    ("eurekalert.org", "EurekAlert!"),
    ("newswise.com", "Newswise"),
    ("prnewswire.com", "PR Newswire"),
    ("businesswire.com", "Business Wire"),
    ("jamanetwork.com", "JAMA Network"),
    ("nejm.org", "The New England Journal of Medicine"),
    ("cdc.gov", "CDC"),
    ("fda.gov", "FDA"),
    ("nih.gov", "NIH"),
    ("kff.org", "KFF"),
    ("khn.org", "KFF Health News"),
];

/// Second-level labels under a country code that are registered like
/// top-level domains (`bbc.co.uk` is an outlet's domain, `co.uk` is not).
const SECOND_LEVEL: &[&str] = &[
    "co", "ac", "org", "gov", "com", "net", "edu", "nhs", "ltd", "plc", "sch", "nic", "mod",
    "police", "me", "gv", "or", "ne", "go",
];

/// The host `source` names when it is a web address or a host name
/// (`https://www.nytimes.com/x`, `well.blogs.nytimes.com`): lower-cased,
/// without `www.`. `None` for a name such as `The Guardian` or `Sen. Reid`.
pub(crate) fn source_host(source: &str) -> Option<String> {
    let s = source.trim();
    if s.contains("://") {
        return host(s);
    }
    let s = s.trim_end_matches('/').to_ascii_lowercase();
    let labels: Vec<&str> = s.split('.').collect();
    let tld = labels.last()?;
    let is_host = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && (2..=12).contains(&tld.len())
        && tld.bytes().all(|b| b.is_ascii_alphabetic());
    if !is_host {
        return None;
    }
    host(&format!("https://{s}/"))
}

/// The domain a host is registered under: `consumer.healthday.com` is
/// `healthday.com`, `news.bbc.co.uk` is `bbc.co.uk`.
fn registered(host: &str) -> &str {
    let labels: Vec<&str> = host.split('.').collect();
    let n = labels.len();
    let keep = if n >= 3 && labels[n - 1].len() == 2 && SECOND_LEVEL.contains(&labels[n - 2]) {
        3
    } else {
        2
    };
    if n <= keep {
        return host;
    }
    let skip: usize = labels[..n - keep].iter().map(|l| l.len() + 1).sum();
    &host[skip..]
}

/// The outlet an article's source stands for. A pair of `extra` whose
/// first part is a name (`--outlet "NYT Health=The New York Times"`)
/// renames that source, whatever its case; a source that is a web host goes
/// through [`outlet`], and a host on no list becomes the domain it is
/// registered under, so `well.blogs.nytimes.com` and
/// `prescriptions.blogs.nytimes.com` are one outlet; any other name is kept.
pub(crate) fn canonical(source: &str, extra: &[(String, String)]) -> String {
    let folded = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let key = folded(source);
    if let Some((_, name)) = extra
        .iter()
        .find(|(from, _)| !is_domain(from) && folded(from) == key)
    {
        return name.clone();
    }
    let Some(host) = source_host(source) else {
        return source.to_string();
    };
    match outlet(&format!("https://{host}/"), extra) {
        Some(name) if name != host => name,
        _ => registered(&host).to_string(),
    }
}

/// True for the first part of an `--outlet` pair that is a domain.
pub(crate) fn is_domain(s: &str) -> bool {
    source_host(s).is_some() && !s.contains("://")
}

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
    fn sources_that_are_hosts_become_outlets() {
        let none: &[(String, String)] = &[];
        for (given, want) in [
            ("nytimes.com", "The New York Times"),
            ("well.blogs.nytimes.com", "The New York Times"),
            ("prescriptions.blogs.nytimes.com", "The New York Times"),
            ("online.wsj.com", "The Wall Street Journal"),
            ("blogs.wsj.com", "The Wall Street Journal"),
            ("consumer.healthday.com", "HealthDay"),
            ("https://www.bbc.co.uk/news/health-1", "BBC News"),
            ("media.example-health.org", "example-health.org"),
            ("news.wessex.ac.uk", "wessex.ac.uk"),
            ("wessex.ac.uk", "wessex.ac.uk"),
            ("Sen. Reid", "Sen. Reid"),
            ("The Guardian", "The Guardian"),
            ("U.S. News Health", "U.S. News Health"),
            ("St. Louis Post-Dispatch", "St. Louis Post-Dispatch"),
        ] {
            assert_eq!(canonical(given, none), want, "{given}");
        }
        let extra = vec![
            (
                "The New York Times Health".to_string(),
                "The New York Times".to_string(),
            ),
            (
                "wessex.ac.uk".to_string(),
                "University of Wessex".to_string(),
            ),
        ];
        assert_eq!(
            canonical("the new york times  health", &extra),
            "The New York Times"
        );
        assert_eq!(
            canonical("news.wessex.ac.uk", &extra),
            "University of Wessex"
        );
        assert_eq!(canonical("NPR Health", &extra), "NPR Health");
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
