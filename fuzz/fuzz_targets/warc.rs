#![no_main]
//! The WARC reader, with the HTML extraction of the pages it finds.
use libfuzzer_sys::fuzz_target;
use wiretrace::input::{read_bytes, Format};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let out = read_bytes("fuzz.warc", data, Some(Format::Warc), common::limits());
    common::check(&out);
});
