#![no_main]
//! The quote extractor: every quote's span lies inside the text, on character boundaries.
use libfuzzer_sys::fuzz_target;
use wiretrace::text::Document;

fuzz_target!(|data: &[u8]| {
    let text = wiretrace::input::decode(data);
    let doc = Document::from_text("fuzz", text);
    for q in wiretrace::quotes::extract(&doc) {
        assert!(q.span.end <= doc.text.len() && q.span.start <= q.span.end);
        assert!(doc.text.is_char_boundary(q.span.start) && doc.text.is_char_boundary(q.span.end));
    }
});
