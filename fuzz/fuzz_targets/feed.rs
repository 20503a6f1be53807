#![no_main]
//! The RSS/Atom/JSON Feed reader.
use libfuzzer_sys::fuzz_target;
use wiretrace::input::{read_bytes, Format};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let out = read_bytes("fuzz.xml", data, Some(Format::Feed), common::limits());
    common::check(&out);
});
