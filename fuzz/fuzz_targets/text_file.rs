//! Text and Markdown files: decoding (BOMs, UTF-16, invalid UTF-8, binary),
//! front matter, header lines and the date prefix, then passages and tokens.
#![no_main]

#[path = "common.rs"]
mod common;

use std::path::Path;

use hpsearch::IngestOptions;
use hpsearch::ingest::{decode, text_article};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut warnings = Vec::new();
    let Ok(text) = decode(data.to_vec(), &mut warnings) else {
        return;
    };
    let opts = IngestOptions {
        source_from_dir: true,
        ..IngestOptions::default()
    };
    if let Some(a) = text_article(Path::new("feed/a.md"), &text, &opts, &mut warnings) {
        common::check_article(&a);
    }
});
