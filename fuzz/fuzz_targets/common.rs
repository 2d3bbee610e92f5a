// Checks shared by the ingest targets: what `index` would do next with an
// article must not fail either.

use hpsearch::Article;
use hpsearch::analysis::{MAX_FOLD_GROWTH, MAX_TOKEN_BYTES, Mode, TokenKind, analyze};

pub fn check_article(a: &Article) {
    assert!(!a.id.is_empty());
    let ranges = hpsearch::passage::split(&a.text);
    let mut last_end = 0;
    for r in &ranges {
        assert!(r.start <= r.end && r.end <= a.text.len());
        assert!(a.text.is_char_boundary(r.start) && a.text.is_char_boundary(r.end));
        assert!(r.start >= last_end, "passages overlap");
        assert!(r.len() <= hpsearch::passage::MAX_BYTES);
        last_end = r.end;
        let text = &a.text[r.clone()];
        for mode in [Mode::Exact, Mode::Stemmed] {
            let mut tokens = Vec::new();
            analyze(text, mode, &mut tokens);
            for t in &tokens {
                assert!(t.start < t.end && t.end <= text.len());
                assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
                assert!(!t.text.is_empty());
                // The limit is on the word as written; folding may lengthen it.
                assert!(t.text.len() <= MAX_TOKEN_BYTES * MAX_FOLD_GROWTH);
                if t.kind != TokenKind::Joined {
                    assert!(t.end - t.start <= MAX_TOKEN_BYTES);
                }
            }
        }
    }
    serde_json::to_vec(a).expect("an article serialises");
}
