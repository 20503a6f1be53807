// Shared by the targets (included with `#[path]`): small limits keep each execution fast, and
// every article that comes out must respect them.
use wiretrace::input::{Limits, ReadOutcome};

pub fn limits() -> Limits {
    Limits {
        max_file_bytes: 4 << 20,
        max_article_bytes: 256 << 10,
        max_decompressed_bytes: 4 << 20,
        max_page_bytes: 1 << 20,
        max_html_depth: 256,
    }
}

/// What every reader promises: articles within the limits and with text; every skip with a
/// reason.
pub fn check(out: &ReadOutcome) {
    let l = limits();
    for a in &out.articles {
        assert!(
            a.body.len() <= l.max_article_bytes,
            "article over the limit"
        );
        assert!(!a.body.trim().is_empty(), "article without text");
    }
    for s in out.skipped.iter().chain(&out.warnings) {
        assert!(!s.reason.is_empty(), "skip without a reason");
    }
}
