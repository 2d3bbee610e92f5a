//! Paths as shown: the library records each article's file by its absolute
//! path; the command shows it from the current folder (`fixtures/a.md`,
//! `../clippings/b.html`), so what it prints can be opened from there.

use std::path::{Component, Path, PathBuf};

/// `path` relative to the current folder when both are absolute, else as
/// it is.
pub fn from_here(path: &str) -> String {
    let p = Path::new(path);
    match here() {
        Some(here) if p.is_absolute() => relative(p, here).display().to_string(),
        _ => path.to_string(),
    }
}

/// The current folder, asked of the system once (an export shows a path
/// per row).
fn here() -> Option<&'static Path> {
    static HERE: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    HERE.get_or_init(|| std::env::current_dir().ok()).as_deref()
}

/// Sets each path of `paths` to [`from_here`].
pub fn all_from_here<'a>(paths: impl IntoIterator<Item = &'a mut Option<String>>) {
    for p in paths.into_iter().flatten() {
        *p = from_here(p);
    }
}

/// `path` from `base` (both absolute): up out of what they do not share,
/// then down.
fn relative(path: &Path, base: &Path) -> PathBuf {
    let path: Vec<Component> = path.components().collect();
    let base: Vec<Component> = base.components().collect();
    let shared = path.iter().zip(&base).take_while(|(a, b)| a == b).count();
    if shared == 0 {
        // Nothing shared (another drive): only the absolute path resolves.
        return path.iter().collect();
    }
    let mut out = PathBuf::new();
    for _ in shared..base.len() {
        out.push("..");
    }
    out.extend(&path[shared..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_go_up_then_down_from_the_base() {
        let r = |p: &str, b: &str| relative(Path::new(p), Path::new(b)).display().to_string();
        assert_eq!(r("/w/repo/fixtures/a.md", "/w/repo"), "fixtures/a.md");
        assert_eq!(r("/w/clips/b.html", "/w/repo/sub"), "../../clips/b.html");
        assert_eq!(r("/w/repo/a.md", "/w/repo/a.md"), "");
    }
}
