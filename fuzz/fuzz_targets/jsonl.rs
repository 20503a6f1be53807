#![no_main]
//! The JSONL reader, and the same bytes through format detection (gzip included).
use libfuzzer_sys::fuzz_target;
use wiretrace::input::{read_bytes, Format};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let out = read_bytes("fuzz.jsonl", data, Some(Format::Jsonl), common::limits());
    common::check(&out);
    let out = read_bytes("fuzz", data, None, common::limits());
    common::check(&out);
});
