//! The whole search path: any query text, run on an index of the fixtures as
//! a query and as plain text, with filters, by date, without collapsing and
//! for ids only, through planning, collecting, ranking, feedback, facets,
//! collapsing, passages and highlights. Each answer must hold what
//! `tests/common/whole_path.rs` checks; each refusal must point inside the
//! query.
#![no_main]

#[path = "../../tests/common/whole_path.rs"]
mod whole_path;

use std::path::Path;
use std::sync::OnceLock;

use hpsearch::write::Quiet;
use hpsearch::{Index, IngestOptions, WriterOptions};
use libfuzzer_sys::fuzz_target;

/// The fixtures, indexed once per fuzzing process.
fn fixtures() -> &'static (tempfile::TempDir, Index, whole_path::Setting) {
    static FIX: OnceLock<(tempfile::TempDir, Index, whole_path::Setting)> = OnceLock::new();
    FIX.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let index = Index::open_or_create(dir.path().join("idx")).expect("a new index");
        let mut writer = index.writer(&WriterOptions::default()).expect("a writer");
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
        writer
            .add_paths(&[fixtures], &IngestOptions::default(), &Quiet)
            .expect("the fixtures");
        writer.commit().expect("a commit");
        let setting = whole_path::Setting::of(&index);
        (dir, index, setting)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    let (_, index, setting) = fixtures();
    whole_path::run(index, setting, query);
});
