//! Readers for the evaluation data sets, one module per format, plus the helpers they share
//! (file lookup with clear "missing file" errors, gzip, text decoding, skip accounting).
//!
//! Loaders live here rather than in the engine because they encode the quirks of particular
//! corpora (MSRP's BOM, Reuters' SGML and control entities, Clough & Stevenson's mixed
//! encodings). They never panic on input: malformed records are skipped and counted in a
//! [`Skips`], and only a missing or unreadable *required* file is an error.

pub mod clough;
pub mod ecbplus;
pub mod msrp;
pub mod quotes;
pub mod reuters;
pub mod semeval;
pub mod webis;

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// How many example items a [`Skips`] keeps per reason (enough to find them, short enough to print).
const MAX_EXAMPLES: usize = 3;

/// Records a loader skipped, grouped by reason, with a few examples (line numbers, file names).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Skips {
    reasons: BTreeMap<String, (usize, Vec<String>)>,
}

impl Skips {
    /// Counts one skipped record under `reason`, remembering `example` (e.g. `line 12`).
    pub fn add(&mut self, reason: impl Into<String>, example: impl Into<String>) {
        let entry = self.reasons.entry(reason.into()).or_default();
        entry.0 += 1;
        if entry.1.len() < MAX_EXAMPLES {
            entry.1.push(example.into());
        }
    }

    /// Total number of skipped records.
    pub fn total(&self) -> usize {
        self.reasons.values().map(|(n, _)| n).sum()
    }

    /// True when nothing was skipped.
    pub fn is_empty(&self) -> bool {
        self.reasons.is_empty()
    }

    /// How many were skipped for exactly this reason.
    pub fn count(&self, reason: &str) -> usize {
        self.reasons.get(reason).map_or(0, |(n, _)| *n)
    }

    /// `(reason, count, examples)` in reason order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, usize, &[String])> {
        self.reasons
            .iter()
            .map(|(r, (n, ex))| (r.as_str(), *n, ex.as_slice()))
    }

    /// Adds every count of `other` into `self`.
    pub fn merge(&mut self, other: Skips) {
        for (reason, (n, examples)) in other.reasons {
            let entry = self.reasons.entry(reason).or_default();
            entry.0 += n;
            for ex in examples {
                if entry.1.len() < MAX_EXAMPLES {
                    entry.1.push(ex);
                }
            }
        }
    }
}

impl fmt::Display for Skips {
    /// `3 skipped: 2 bad JSON (line 4, line 9), 1 missing text (line 7)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} skipped", self.total())?;
        for (i, (reason, n, examples)) in self.iter().enumerate() {
            f.write_str(if i == 0 { ": " } else { ", " })?;
            write!(f, "{n} {reason}")?;
            if !examples.is_empty() {
                write!(f, " ({}", examples.join(", "))?;
                f.write_str(if n > examples.len() { ", …)" } else { ")" })?;
            }
        }
        Ok(())
    }
}

/// How a text file was decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextEncoding {
    /// Valid UTF-8 (ASCII included); a leading BOM was dropped.
    Utf8,
    /// Not valid UTF-8, decoded as Windows-1252 (which maps every byte, so never fails).
    Windows1252,
}

/// Decodes bytes as UTF-8 (dropping a BOM), falling back to Windows-1252 when they are not
/// valid UTF-8. The fallback is the encoding of the Clough & Stevenson answers written on
/// Windows; since it maps all 256 bytes, decoding can never fail.
pub fn decode_text(bytes: &[u8]) -> (String, TextEncoding) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_owned(), TextEncoding::Utf8),
        Err(_) => {
            let (text, _had_errors) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text.into_owned(), TextEncoding::Windows1252)
        }
    }
}

/// Decodes Latin-1 (ISO 8859-1): every byte is the code point of the same value.
pub fn decode_latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Fails with a clear message when the data folder itself is absent.
pub(crate) fn require_dir(dataset: &str, dir: &Path) -> Result<()> {
    if !dir.is_dir() {
        bail!(
            "{dataset}: data folder {} not found (pass --data DIR to point at it)",
            dir.display()
        );
    }
    Ok(())
}

/// The first of `names` that exists as a file in `dir`.
pub(crate) fn first_existing(dir: &Path, names: &[&str]) -> Option<PathBuf> {
    names.iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

/// Reads a file whole, decompressing it when its name ends in `.gz`. Errors name the path.
pub(crate) fn read_maybe_gz(path: &Path) -> Result<Vec<u8>> {
    let raw = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
    {
        gunzip(&raw).with_context(|| format!("cannot decompress {}", path.display()))
    } else {
        Ok(raw)
    }
}

/// Decompresses gzip data (all members: `MultiGzDecoder` also reads concatenated gzip files).
pub(crate) fn gunzip(raw: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len().saturating_mul(4));
    flate2::read::MultiGzDecoder::new(raw).read_to_end(&mut out)?;
    Ok(out)
}

/// Lines of a text with their 1-based numbers, without line terminators (`\n` or `\r\n`).
pub(crate) fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
}

/// A JSON field as a string: strings as they are, numbers in their JSON spelling; `None` for
/// anything else (null, missing, objects). Used for ids and labels that may be either.
pub(crate) fn json_str(value: &serde_json::Value, key: &str) -> Option<String> {
    match value.get(key)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A JSON field as a finite number; numeric strings (`"2.5"`) are accepted too.
pub(crate) fn json_f64(value: &serde_json::Value, key: &str) -> Option<f64> {
    let x = match value.get(key)? {
        serde_json::Value::Number(n) => n.as_f64()?,
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    x.is_finite().then_some(x)
}

/// Lists the regular files of `dir` whose name satisfies `keep`, sorted by name.
pub(crate) fn list_files(dir: &Path, keep: impl Fn(&str) -> bool) -> Result<Vec<PathBuf>> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(&keep))
        .collect();
    out.sort();
    Ok(out)
}

/// The file name of a path as text, for messages and split names.
pub(crate) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_utf8_drops_bom() {
        let (s, enc) = decode_text(b"\xEF\xBB\xBFcaf\xC3\xA9");
        assert_eq!(s, "café");
        assert_eq!(enc, TextEncoding::Utf8);
    }

    #[test]
    fn decode_falls_back_to_cp1252() {
        // 0x92 is a right single quote and 0x93/0x94 curly double quotes in Windows-1252;
        // 0xE9 is é. None of these is valid UTF-8 here.
        let (s, enc) = decode_text(b"it\x92s \x93caf\xE9\x94");
        assert_eq!(s, "it\u{2019}s \u{201C}café\u{201D}");
        assert_eq!(enc, TextEncoding::Windows1252);
    }

    #[test]
    fn latin1_maps_bytes_to_code_points() {
        assert_eq!(decode_latin1(b"a\xE9\x02"), "a\u{e9}\u{2}");
    }

    #[test]
    fn skips_display_and_merge() {
        let mut a = Skips::default();
        a.add("bad JSON", "line 4");
        a.add("bad JSON", "line 9");
        let mut b = Skips::default();
        b.add("missing text", "line 7");
        a.merge(b);
        assert_eq!(a.total(), 3);
        assert_eq!(a.count("bad JSON"), 2);
        assert_eq!(
            a.to_string(),
            "3 skipped: 2 bad JSON (line 4, line 9), 1 missing text (line 7)"
        );
    }

    #[test]
    fn lines_strip_crlf() {
        let lines: Vec<_> = numbered_lines("a\r\nb\nc").collect();
        assert_eq!(lines, vec![(1, "a"), (2, "b"), (3, "c")]);
    }

    #[test]
    fn gunzip_rejects_garbage_without_panicking() {
        assert!(gunzip(b"not gzip at all").is_err());
    }
}
