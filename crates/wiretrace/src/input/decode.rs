//! Bytes → text: byte-order marks, UTF-8 with a Windows-1252 fallback, line endings; and the
//! test for binary data.

/// Decodes bytes. A byte-order mark decides (UTF-8, UTF-16 LE/BE) and is dropped; otherwise the
/// text is read as UTF-8, and any byte that is not valid UTF-8 is read as Windows-1252 — so a
/// cp1252 file decodes whole, and one stray byte in a UTF-8 file does not garble the rest. Line
/// endings become `\n` (CRLF and old lone CR alike).
pub fn decode(bytes: &[u8]) -> String {
    let text = if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        enc.decode_without_bom_handling(&bytes[bom..])
            .0
            .into_owned()
    } else {
        match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(_) => {
                let mut out = String::with_capacity(bytes.len());
                for chunk in bytes.utf8_chunks() {
                    out.push_str(chunk.valid());
                    let bad = chunk.invalid();
                    if !bad.is_empty() {
                        out.push_str(&encoding_rs::WINDOWS_1252.decode_without_bom_handling(bad).0);
                    }
                }
                out
            }
        }
    };
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    }
}

/// Binary data: NUL bytes, or many control characters, in the first 8 KB.
pub(super) fn looks_binary(bytes: &[u8]) -> bool {
    if encoding_rs::Encoding::for_bom(bytes).is_some_and(|(e, _)| e != encoding_rs::UTF_8) {
        return false; // UTF-16 text is full of NUL bytes
    }
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return true;
    }
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C))
        .count();
    controls * 20 > head.len()
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_falls_back_to_cp1252_and_drops_bom() {
        assert_eq!(decode(b"\xEF\xBB\xBFcaf\xC3\xA9"), "café");
        assert_eq!(
            decode(b"caf\xE9 \x93quoted\x94"),
            "café \u{201C}quoted\u{201D}"
        );
    }

    #[test]
    fn decoding_handles_utf16_stray_bytes_and_line_endings() {
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Port".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&utf16), "Port");
        assert!(!looks_binary(&utf16));
        // One stray byte in UTF-8 text: the curly quotes survive.
        assert_eq!(
            decode("\u{201C}ok\u{201D} caf\u{e9}".as_bytes()),
            "\u{201C}ok\u{201D} caf\u{e9}"
        );
        let mut mixed = "\u{201C}ok\u{201D} ".as_bytes().to_vec();
        mixed.push(0xE9);
        assert_eq!(decode(&mixed), "\u{201C}ok\u{201D} \u{e9}");
        assert_eq!(decode(b"a\r\nb\rc"), "a\nb\nc");
    }
}
