//! Comparing the words of two quotes: overlap (Dice), contiguous runs, and truncation (pieces
//! around an ellipsis kept in order). Grouping asks whether two quotes are one statement;
//! fidelity asks how a variant differs from the reference; both read the words the same way
//! here.

use std::collections::HashMap;

use super::words_of;

/// Dice coefficient of two word multisets.
pub fn dice(a: &[String], b: &[String]) -> f64 {
    let mut counts: HashMap<&str, i32> = HashMap::new();
    for w in a {
        *counts.entry(w).or_insert(0) += 1;
    }
    let mut shared = 0;
    for w in b {
        if let Some(c) = counts.get_mut(w.as_str()) {
            if *c > 0 {
                *c -= 1;
                shared += 1;
            }
        }
    }
    2.0 * f64::from(shared) / (a.len() + b.len()).max(1) as f64
}

/// True when `short` is a contiguous run of `long`.
pub fn contains_run(long: &[String], short: &[String]) -> bool {
    !short.is_empty() && short.len() <= long.len() && long.windows(short.len()).any(|w| w == short)
}

/// The words of a quote, cut at each ellipsis: the pieces a truncated quote keeps.
pub fn segments(text: &str) -> Vec<Vec<String>> {
    text.replace('\u{2026}', "...")
        .split("...")
        .map(words_of)
        .filter(|w| !w.is_empty())
        .collect()
}

/// True when every piece of `short` is a contiguous run of `long`, in order, and together they
/// are shorter than `long` (a truncation, not the same words).
pub fn is_truncation(long: &[String], short: &[Vec<String>]) -> bool {
    let total: usize = short.iter().map(Vec::len).sum();
    if short.is_empty() || total >= long.len() {
        return false;
    }
    let mut from = 0;
    for piece in short {
        match long[from..]
            .windows(piece.len())
            .position(|w| w == piece.as_slice())
        {
            Some(p) => from += p + piece.len(),
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        words_of(s)
    }

    #[test]
    fn dice_and_runs() {
        assert!(dice(&w("a b c d"), &w("a b c e")) > 0.7);
        assert!(contains_run(
            &w("we are ready to talk now"),
            &w("ready to talk")
        ));
        assert!(!contains_run(
            &w("we are ready to talk now"),
            &w("ready talk")
        ));
    }

    #[test]
    fn truncation_with_and_without_ellipsis() {
        let long = w("We are ready to talk, but not while the cranes are standing still");
        assert!(is_truncation(&long, &segments("ready to talk")));
        assert!(is_truncation(
            &long,
            &segments("We are ready to talk … while the cranes are standing still")
        ));
        assert!(!is_truncation(
            &long,
            &segments("We are ready to negotiate")
        ));
        assert!(!is_truncation(
            &long,
            &segments("We are ready to talk, but not while the cranes are standing still")
        ));
    }
}
