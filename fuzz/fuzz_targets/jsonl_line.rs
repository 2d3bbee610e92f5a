//! JSONL lines: any line gives an article, or a reason to skip it.
#![no_main]

#[path = "common.rs"]
mod common;

use std::path::Path;

use hpsearch::IngestOptions;
use hpsearch::ingest::jsonl_article;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let line = String::from_utf8_lossy(data);
    let (mut warnings, mut unknown) = (Vec::new(), Vec::new());
    let opts = IngestOptions::default();
    for line in line.lines() {
        match jsonl_article(
            Path::new("a.jsonl"),
            1,
            line,
            &opts,
            &mut warnings,
            &mut unknown,
        ) {
            Ok(Some(a)) => common::check_article(&a),
            Ok(None) => {}
            Err(reason) => assert!(!reason.is_empty()),
        }
    }
});
