#![no_main]
//! The segmenter: sentences and tokens of any text, with the span invariants it promises.
use libfuzzer_sys::fuzz_target;
use wiretrace::text::Document;

fuzz_target!(|data: &[u8]| {
    let text = wiretrace::input::decode(data);
    let doc = Document::from_text("fuzz", text);
    let mut last_end = 0;
    for (i, s) in doc.sentences.iter().enumerate() {
        assert!(
            s.span.start >= last_end,
            "sentences overlap or go backwards"
        );
        assert!(s.span.end <= doc.text.len());
        assert!(doc.text.is_char_boundary(s.span.start) && doc.text.is_char_boundary(s.span.end));
        last_end = s.span.end;
        for t in doc.sentence_tokens(i) {
            assert!(
                doc.text.is_char_boundary(t.span().start) && doc.text.is_char_boundary(t.span().end)
            );
        }
    }
});
