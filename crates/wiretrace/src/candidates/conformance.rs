//! The conformance suite of the blocking index: what every [`Postings`] must answer, and the
//! candidates the stage must then find, checked against brute force over a few small corpora
//! built to reach each rule (chained buckets, terms salient on one side only, neighbours
//! that only the reverse look-up finds). An index implementation runs [`run`] with a function
//! that files a [`Fixture`] in a fresh index of its kind (the model is tantivy's `Directory`
//! tests). A test suite, so it panics on the first look-up that does not conform.

use super::keys::{band_keys, salient_terms, sentence_keys};
use super::{
    batch, merge, Blocking, Bucket, CandidateConfig, CandidatePair, Near, Postings, Query,
};
use crate::corpus::DocIdx;
use crate::fingerprint::{CorpusStats, Fingerprint, FingerprintConfig, Fingerprinter};
use crate::semantic::Vector;
use crate::text::Document;

/// A corpus to file: fingerprints, their statistics, each document's salient terms under them,
/// and document vectors. Every document is filed before any is asked.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// What the scenario tests.
    pub name: &'static str,
    /// The rules and their parameters.
    pub blocking: Blocking,
    /// Fingerprints, document `i` at `i`.
    pub fps: Vec<Fingerprint>,
    /// Statistics of the whole fixture.
    pub stats: CorpusStats,
    /// Salient terms of each document under `stats`.
    pub terms: Vec<Vec<u64>>,
    /// Document vectors.
    pub vectors: Vec<Option<Vector>>,
    /// The first document asked for its candidates as a new one (the ones before are stored).
    pub first_new: usize,
}

/// Runs the suite: `file` files a fixture's documents `0..n` in a fresh index.
pub fn run<P: Postings>(mut file: impl FnMut(&Fixture) -> P)
where
    P::Error: std::fmt::Debug,
{
    for fx in fixtures() {
        let mut index = file(&fx);
        check(&fx, &mut index);
    }
}

/// Checks one index holding fixture `fx` (every document filed): its look-ups against brute
/// force, then the candidates the stage finds through it.
pub fn check<P: Postings>(fx: &Fixture, index: &mut P)
where
    P::Error: std::fmt::Debug,
{
    lookups(fx, index);
    candidates(fx, index);
}

/// The fixtures.
pub fn fixtures() -> Vec<Fixture> {
    let wire = "Dockworkers shut the port of Valmora on Monday, leaving 42 cargo ships waiting at anchor. \
        The walkout began at dawn when about 3,200 members of the union failed to report for work. \
        Port Minister Ana Ruiz said the government would not negotiate while the cranes stood still.";
    let boiler = "Subscribe to our newsletter for the latest news from the region every morning.";
    let mut texts: Vec<String> = vec![wire.into(), format!("{wire} Reporting by Lena Markov.")];
    for i in 0..6 {
        texts.push(format!(
            "{boiler} Item {i}: the council of Brenhaven district {i} met about road {i}."
        ));
    }
    texts.push(
        "Valmora port strike: Ruiz refuses talks as Dockworkers and the union hold out in Valmora."
            .into(),
    );
    texts.push("The library of Brenhaven reopened after a renovation of two years.".into());
    let chained = CandidateConfig {
        max_bucket: 3,
        ..CandidateConfig::default()
    };
    let n = texts.len();
    // Vectors on a circle: each close to the next, document 0 closest to the last one added.
    let vectors: Vec<Option<Vector>> = (0..n)
        .map(|i| {
            let a = (i as f32) * 0.35;
            Some(vec![a.cos(), a.sin(), 0.2].into())
        })
        .map(|v: Option<Vector>| v.map(|v| unit(&v)))
        .collect();
    let mut out = Vec::new();
    for (name, config, neighbours, first_new) in [
        (
            "default rules, all new",
            CandidateConfig::default(),
            None,
            0,
        ),
        ("chained buckets, half stored", chained, None, n / 2),
        ("neighbours both ways", chained, Some((1, 0.5)), n - 2),
        (
            "neighbours, all new",
            CandidateConfig::default(),
            Some((2, 0.0)),
            0,
        ),
    ] {
        out.push(fixture(
            name,
            &texts,
            Blocking { config, neighbours },
            vectors.clone(),
            first_new,
        ));
    }
    out
}

fn unit(v: &[f32]) -> Vector {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter().map(|x| x / n).collect::<Vec<f32>>().into()
}

fn fixture(
    name: &'static str,
    texts: &[String],
    blocking: Blocking,
    vectors: Vec<Option<Vector>>,
    first_new: usize,
) -> Fixture {
    let f = Fingerprinter::new(FingerprintConfig::default());
    let fps: Vec<Fingerprint> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| f.fingerprint(&Document::from_text(&i.to_string(), t.clone())))
        .collect();
    let stats = CorpusStats::from_fingerprints(&fps);
    let terms = fps
        .iter()
        .map(|fp| salient_terms(fp, &stats, &blocking.config))
        .collect();
    Fixture {
        name,
        blocking,
        fps,
        stats,
        terms,
        vectors,
        first_new,
    }
}

/// Every look-up against brute force over the fixture, document by document.
fn lookups<P: Postings>(fx: &Fixture, index: &mut P)
where
    P::Error: std::fmt::Debug,
{
    for i in 0..fx.fps.len() {
        bucket_lookups(fx, index, i);
        term_lookups(fx, index, i);
        if let Some((k, floor)) = fx.blocking.neighbours {
            neighbour_lookups(fx, index, i, k, floor);
        }
    }
}

/// The fixture's documents, in order.
fn all_docs(fx: &Fixture) -> impl Iterator<Item = DocIdx> {
    (0..fx.fps.len()).map(|i| DocIdx(i as u32))
}

/// The LSH band and sentence buckets of document `i`'s keys: every document with the key (a
/// bucket of one may be left out).
fn bucket_lookups<P: Postings>(fx: &Fixture, index: &mut P, i: usize)
where
    P::Error: std::fmt::Debug,
{
    let fp = &fx.fps[i];
    let keyed = [
        (Bucket::Band, band_keys(fp, &fx.blocking.config)),
        (Bucket::Sentence, sentence_keys(fp).collect()),
    ];
    for (kind, keys) in keyed {
        for key in keys {
            let want: Vec<DocIdx> = all_docs(fx)
                .filter(|d| match kind {
                    Bucket::Band => {
                        band_keys(&fx.fps[d.index()], &fx.blocking.config).contains(&key)
                    }
                    Bucket::Sentence => sentence_keys(&fx.fps[d.index()]).any(|k| k == key),
                })
                .collect();
            let got = index.bucket(kind, key).expect("bucket").into_owned();
            let one_left_out = want.len() == 1 && got.is_empty();
            assert!(
                got == want || one_left_out,
                "{}: {kind:?} bucket of document {i}",
                fx.name
            );
        }
    }
}

/// Document `i`'s salient terms, and the holders of at least 1, 2 and 3 of them.
fn term_lookups<P: Postings>(fx: &Fixture, index: &mut P, i: usize)
where
    P::Error: std::fmt::Debug,
{
    let mut keys = index
        .term_keys(DocIdx(i as u32))
        .expect("term keys")
        .into_owned();
    keys.sort_unstable();
    let mut want = fx.terms[i].clone();
    want.sort_unstable();
    assert_eq!(keys, want, "{}: term keys of document {i}", fx.name);
    for need in 1..=3 {
        let want: Vec<DocIdx> = all_docs(fx)
            .filter(|o| {
                fx.terms[i]
                    .iter()
                    .filter(|t| fx.terms[o.index()].contains(t))
                    .count()
                    >= need
            })
            .collect();
        let got = index.holders(&fx.terms[i], need).expect("holders");
        // An index may file more terms than the salient ones (a store files every term
        // that can still become one): its holders are then a superset.
        assert!(
            want.iter().all(|w| got.contains(w)),
            "{}: holders of document {i}",
            fx.name
        );
        assert!(
            got.windows(2).all(|w| w[0] < w[1]),
            "{}: holders ascending",
            fx.name
        );
    }
}

/// Document `i`'s `k` nearest neighbours, and the stored documents within `floor` of its vector.
fn neighbour_lookups<P: Postings>(fx: &Fixture, index: &mut P, i: usize, k: usize, floor: f64)
where
    P::Error: std::fmt::Debug,
{
    let want = brute_nearest(fx, i, k, floor);
    assert_eq!(
        index
            .nearest(Near::Doc(DocIdx(i as u32)), k, floor)
            .expect("nearest"),
        want,
        "{}: nearest of {i}",
        fx.name
    );
    let v = fx.vectors[i].as_deref().expect("a vector");
    let within = index
        .within(v, floor, DocIdx(fx.first_new as u32))
        .expect("within");
    let want: Vec<DocIdx> = all_docs(fx)
        .take(fx.first_new)
        .filter(|o| dot(v, fx.vectors[o.index()].as_deref().expect("a vector")) >= floor as f32)
        .collect();
    assert_eq!(within, want, "{}: within of {i}", fx.name);
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn brute_nearest(fx: &Fixture, i: usize, k: usize, floor: f64) -> Vec<DocIdx> {
    let v = fx.vectors[i].as_deref().expect("a vector");
    let mut all: Vec<(f32, usize)> = (0..fx.fps.len())
        .filter(|&j| j != i)
        .map(|j| (dot(v, fx.vectors[j].as_deref().expect("a vector")), j))
        .filter(|&(c, _)| c >= floor as f32)
        .collect();
    all.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    all.into_iter()
        .take(k)
        .map(|(_, j)| DocIdx(j as u32))
        .collect()
}

/// The stage over the index, asked for the new documents, finds the pairs of the batch rules
/// that touch a new document.
fn candidates<P: Postings>(fx: &Fixture, index: &mut P)
where
    P::Error: std::fmt::Debug,
{
    let (all, _) = batch(&fx.fps, &fx.stats, &fx.vectors, &fx.blocking);
    let want: Vec<CandidatePair> = all
        .into_iter()
        .filter(|p| p.b.index() >= fx.first_new)
        .collect();
    let mut found = Vec::new();
    let before = DocIdx(fx.first_new as u32);
    for i in fx.first_new..fx.fps.len() {
        let me = DocIdx(i as u32);
        let terms = index.term_keys(me).expect("term keys").into_owned();
        let q = Query {
            me: Some(me),
            fp: &fx.fps[i],
            terms: &terms,
            vector: fx.vectors[i].as_deref(),
        };
        let got = fx.blocking.find(index, &q, before).expect("find");
        found.extend(
            got.into_iter()
                .map(|(m, via)| CandidatePair::new(me, m, via)),
        );
    }
    let (found, _) = merge(found);
    assert_eq!(
        found, want,
        "{}: the candidates of the new documents",
        fx.name
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::candidates::{DocKeys, MemoryPostings, PostingsMut};

    /// The fixtures reach every rule: a chained bucket, a term pair, a reverse neighbour.
    #[test]
    fn the_fixtures_reach_every_rule() {
        let fx = fixtures();
        let chained = &fx[1];
        let big = chained
            .fps
            .iter()
            .flat_map(sentence_keys)
            .filter(|k| {
                chained
                    .fps
                    .iter()
                    .filter(|f| sentence_keys(f).any(|x| x == *k))
                    .count()
                    > chained.blocking.config.max_bucket
            })
            .count();
        assert!(big > 0, "no bucket is chained");
        let (pairs, counters) = batch(&fx[0].fps, &fx[0].stats, &fx[0].vectors, &fx[0].blocking);
        assert!(
            counters.terms > 0 && counters.lsh > 0,
            "{counters:?} {pairs:?}"
        );
    }

    #[test]
    fn an_index_built_whole_conforms() {
        run(|fx| {
            MemoryPostings::from_batch(
                &fx.fps,
                fx.terms.clone(),
                fx.vectors.clone(),
                &fx.blocking.config,
                fx.blocking.neighbours,
            )
        });
    }

    #[test]
    fn an_index_filed_document_by_document_conforms() {
        run(|fx| {
            let mut ix = MemoryPostings::new();
            for (i, fp) in fx.fps.iter().enumerate() {
                let keys = DocKeys {
                    bands: band_keys(fp, &fx.blocking.config),
                    sentences: sentence_keys(fp).collect(),
                    terms: fx.terms[i].clone(),
                    vector: fx.vectors[i].clone(),
                };
                let Ok(()) = ix.insert(DocIdx(i as u32), keys);
            }
            ix
        });
    }
}
