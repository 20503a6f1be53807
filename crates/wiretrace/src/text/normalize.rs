//! Normalisation of word forms for comparison: NFKC, lowercase, typographic quotes, apostrophes
//! and dashes unified. It applies to the forms the later stages compare, never to the text.

use unicode_normalization::UnicodeNormalization;

/// Normalises one character for comparison: typographic quotes, apostrophes and dashes become
/// their ASCII forms. Applied after NFKC.
pub fn unify_punct(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '`' | '\u{00B4}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
        | '\u{00BB}' => '"',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' => '-',
        _ => c,
    }
}

/// NFKC, lowercase and punctuation unification of a whole string (for display-independent
/// comparisons such as quote matching).
pub fn normalize(s: &str) -> String {
    s.nfkc()
        .map(unify_punct)
        .flat_map(char::to_lowercase)
        .collect()
}

/// Appends the normalised form of one word: NFKC (which leaves ASCII as it is), lowercase,
/// unified punctuation (of ASCII, only the backtick changes).
pub(super) fn push_norm(word: &str, out: &mut String) {
    if word.is_ascii() {
        out.extend(word.bytes().map(|b| match b {
            b'`' => '\'',
            b => char::from(b.to_ascii_lowercase()),
        }));
    } else {
        for c in word.nfkc().map(unify_punct) {
            out.extend(c.to_lowercase());
        }
    }
}
