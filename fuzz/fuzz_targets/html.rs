#![no_main]
//! The HTML extractor: charset sniffing, parsing, the depth guard, readability and metadata.
use libfuzzer_sys::fuzz_target;
use wiretrace::input::html::{decode_html, extract, fragment_text, HtmlLimits};

fuzz_target!(|data: &[u8]| {
    let limits = HtmlLimits {
        max_page_bytes: 1 << 20,
        max_depth: 256,
    };
    let text = decode_html(data, None);
    if let Ok(a) = extract(&text, Some("https://fuzz.example/page"), limits) {
        assert!(!a.text.trim().is_empty());
    }
    let _ = fragment_text(&text, limits);
});
