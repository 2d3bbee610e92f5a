//! The README's examples are the tool's output: every command in README.md
//! shown with what it prints (a block that starts `$ hpsearch ...`) is run
//! on the fixtures, 100 columns wide, and must print exactly that; a JSON
//! block under a `<!-- $ hpsearch ... -->` line must be what that command
//! prints, as JSON values.

mod common;

use std::path::Path;

use assert_cmd::Command;

/// A command of the README and the lines it shows.
struct Example {
    line: usize,
    args: Vec<String>,
    output: String,
    /// The output is a JSON document (compared as values, not text).
    json: bool,
}

/// The examples: in each plain block, a `$ hpsearch` line and the lines
/// up to the next `$` line or the block's end. Commands shown without
/// output (those that write files) are not examples.
fn examples(readme: &str) -> Vec<Example> {
    let mut out = Vec::new();
    // Inside a fenced block, and whether its lines are an example's.
    let mut fence: Option<bool> = None;
    let mut current: Option<Example> = None;
    // The command a `<!-- $ hpsearch ... -->` line gives the next block.
    let mut marked: Option<Example> = None;
    for (n, line) in readme.lines().enumerate() {
        if let Some(command) = line
            .strip_prefix("<!-- $ ")
            .and_then(|l| l.strip_suffix(" -->"))
        {
            let words = shell_words(command);
            marked = (words.first().map(String::as_str) == Some("hpsearch")).then(|| Example {
                line: n + 1,
                args: words[1..].to_vec(),
                output: String::new(),
                json: true,
            });
            continue;
        }
        if line.starts_with("```") {
            out.extend(current.take());
            fence = match fence {
                Some(_) => None,
                None => {
                    current = marked.take().filter(|_| line == "```json");
                    Some(line == "```" || current.is_some())
                }
            };
            continue;
        }
        if fence != Some(true) {
            continue;
        }
        if current.as_ref().is_some_and(|e| e.json) {
            let e = current.as_mut().expect("a JSON example");
            e.output.push_str(line);
            e.output.push('\n');
            continue;
        }
        if let Some(command) = line.strip_prefix("$ ") {
            out.extend(current.take());
            let words = shell_words(command);
            if words.first().map(String::as_str) == Some("hpsearch") {
                current = Some(Example {
                    line: n + 1,
                    args: words[1..].to_vec(),
                    output: String::new(),
                    json: false,
                });
            }
        } else if let Some(e) = &mut current {
            e.output.push_str(line);
            e.output.push('\n');
        }
    }
    out.retain(|e| !e.output.is_empty());
    out
}

/// Words of a command line: spaces separate, quotes group.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, ' ') => {
                if any || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                any = false;
            }
            (None, c) => word.push(c),
        }
    }
    if any || !word.is_empty() {
        words.push(word);
    }
    words
}

fn hp(index: &Path) -> Command {
    let mut c = Command::cargo_bin("hpsearch").unwrap();
    c.current_dir(common::repo())
        .env("COLUMNS", "100")
        .env("NO_COLOR", "1")
        .arg("--index")
        .arg(index);
    c
}

#[test]
fn every_example_in_the_readme_prints_what_it_shows() {
    let readme = std::fs::read_to_string(common::repo().join("README.md")).unwrap();
    let examples = examples(&readme);
    assert!(examples.len() >= 6, "examples found: {}", examples.len());
    assert!(
        examples.iter().any(|e| e.json),
        "the JSON example is checked"
    );
    // The fixtures indexed as the README's first command does: by their
    // path from the repository, so hits show `fixtures/...`.
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("idx");
    let built = hp(&index).args(["index", "fixtures"]).output().unwrap();
    assert!(built.status.success(), "{built:?}");
    let mut wrong = Vec::new();
    for e in &examples {
        // `index` shows a run into a new index.
        let fresh = tempfile::tempdir().unwrap();
        let target = match e.args.first().map(String::as_str) {
            Some("index") => fresh.path().join("idx"),
            _ => index.clone(),
        };
        let out = hp(&target).args(&e.args).output().unwrap();
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let same = if e.json {
            let shown: serde_json::Value = serde_json::from_str(&e.output)
                .unwrap_or_else(|err| panic!("README.md line {}: {err}", e.line));
            serde_json::from_slice::<serde_json::Value>(&out.stdout).ok() == Some(shown)
        } else {
            untimed(printed.trim_end()) == untimed(e.output.trim_end())
        };
        if !same {
            wrong.push(format!(
                "README.md line {}: hpsearch {}\n--- shown:\n{}--- printed:\n{}",
                e.line,
                e.args.join(" "),
                e.output,
                printed
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A run summary's time and speed (`; 0.1 s, 1.8 MB/s` at a line's end),
/// which differ from run to run, left out.
fn untimed(text: &str) -> String {
    text.lines()
        .map(|l| match l.rsplit_once("; ") {
            Some((head, tail)) if tail.ends_with(" MB/s") && tail.contains(" s, ") => head,
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn shell_words_group_quotes() {
    assert_eq!(
        shell_words(r#"search "junior doctors" -n 1 '' x"#),
        ["search", "junior doctors", "-n", "1", "", "x"]
    );
}
