//! Binary forms of what is stored per article: the fingerprint and the document vector.
//! Little-endian, length-prefixed, versioned by their first byte; decoding a damaged blob is an
//! error, never a panic.

use wiretrace::fingerprint::{Fingerprint, Term};

use crate::error::{Error, Result};

const FINGERPRINT_V1: u8 = 1;

/// Encodes a fingerprint.
pub fn encode_fingerprint(fp: &Fingerprint) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        32 + 8 * (fp.shingles.len() + fp.minhash.len() + fp.sentence_hashes.len())
            + 13 * fp.terms.len(),
    );
    out.push(FINGERPRINT_V1);
    out.extend_from_slice(&(fp.words as u64).to_le_bytes());
    out.extend_from_slice(&fp.exact.to_le_bytes());
    for list in [&fp.shingles, &fp.minhash, &fp.sentence_hashes] {
        put_u64s(&mut out, list);
    }
    out.extend_from_slice(&(fp.terms.len() as u32).to_le_bytes());
    for t in &fp.terms {
        out.extend_from_slice(&t.stem.to_le_bytes());
        out.extend_from_slice(&t.count.to_le_bytes());
        out.push(u8::from(t.entity) | (u8::from(t.numeric) << 1));
    }
    out
}

/// Decodes a fingerprint written by [`encode_fingerprint`].
pub fn decode_fingerprint(bytes: &[u8]) -> Result<Fingerprint> {
    let mut r = Reader { bytes, at: 0 };
    if r.u8()? != FINGERPRINT_V1 {
        return Err(corrupt("fingerprint version"));
    }
    let words = usize::try_from(r.u64()?).map_err(|_| corrupt("fingerprint length"))?;
    let exact = r.u64()?;
    let shingles = r.u64s()?;
    let minhash = r.u64s()?;
    let sentence_hashes = r.u64s()?;
    let n = r.u32()? as usize;
    let mut terms = Vec::with_capacity(n.min(bytes.len() / 13));
    for _ in 0..n {
        let stem = r.u64()?;
        let count = r.u32()?;
        let flags = r.u8()?;
        terms.push(Term {
            stem,
            count,
            entity: flags & 1 != 0,
            numeric: flags & 2 != 0,
        });
    }
    if r.at != bytes.len() {
        return Err(corrupt("fingerprint trailing bytes"));
    }
    Ok(Fingerprint {
        exact,
        shingles,
        minhash,
        sentence_hashes,
        terms,
        words,
    })
}

/// A document vector as little-endian `f32`s.
pub fn encode_vector(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// Decodes a document vector.
pub fn decode_vector(bytes: &[u8]) -> Result<Vec<f32>> {
    if bytes.len() % 4 != 0 {
        return Err(corrupt("document vector"));
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

fn put_u64s(out: &mut Vec<u8>, xs: &[u64]) {
    out.extend_from_slice(&(xs.len() as u32).to_le_bytes());
    for x in xs {
        out.extend_from_slice(&x.to_le_bytes());
    }
}

fn corrupt(what: &str) -> Error {
    Error::Corrupt {
        what: what.to_string(),
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| corrupt("truncated blob"))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    fn u64s(&mut self) -> Result<Vec<u64>> {
        let n = self.u32()? as usize;
        // A damaged length cannot make us allocate past the blob.
        let mut v = Vec::with_capacity(n.min((self.bytes.len() - self.at) / 8));
        for _ in 0..n {
            v.push(self.u64()?);
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wiretrace::fingerprint::{FingerprintConfig, Fingerprinter};
    use wiretrace::text::Document;

    fn sample() -> (Document, Fingerprint) {
        let doc = Document::from_text(
            "x",
            "Dockworkers shut the port of Valmora on Monday. Minister Ana Ruiz said 42 ships wait."
                .to_string(),
        );
        let fp = Fingerprinter::new(FingerprintConfig::default()).fingerprint(&doc);
        (doc, fp)
    }

    #[test]
    fn fingerprints_round_trip() {
        let (_, fp) = sample();
        let back = decode_fingerprint(&encode_fingerprint(&fp)).unwrap();
        assert_eq!(back.exact, fp.exact);
        assert_eq!(back.shingles, fp.shingles);
        assert_eq!(back.minhash, fp.minhash);
        assert_eq!(back.sentence_hashes, fp.sentence_hashes);
        assert_eq!(back.terms, fp.terms);
        assert_eq!(back.words, fp.words);
    }

    #[test]
    fn vectors_round_trip() {
        let v = [0.5f32, -0.25, 1.0];
        assert_eq!(decode_vector(&encode_vector(&v)).unwrap(), v);
    }

    #[test]
    fn every_truncation_of_a_blob_is_an_error_not_a_panic() {
        let (_, fp) = sample();
        let blob = encode_fingerprint(&fp);
        for n in 0..blob.len() {
            assert!(
                decode_fingerprint(&blob[..n]).is_err(),
                "prefix {n} decoded"
            );
        }
        let mut long = blob.clone();
        long.push(0);
        assert!(decode_fingerprint(&long).is_err());
        assert!(decode_vector(&[1, 2, 3]).is_err());
    }
}
