//! From chosen links to an [`Alignment`]: each link typed (verbatim, near-verbatim, paraphrase)
//! and the pair's measures (coverage by kind, order, similarity, agreement on numbers, chain
//! coverage).

use super::links::RawLink;
use super::order::{monotone_chain, order_coherence};
use super::similarity::signals;
use super::{AlignConfig, Alignment, SentenceFeatures};
use crate::model::{AlignmentLink, LinkKind};

/// The alignment that `links` (sorted by position in a) make of the two documents.
pub(super) fn summarize(
    fa: &[SentenceFeatures],
    fb: &[SentenceFeatures],
    links: Vec<RawLink>,
    config: &AlignConfig,
) -> Alignment {
    let words_a: usize = fa.iter().map(|f| f.words).sum();
    let words_b: usize = fb.iter().map(|f| f.words).sum();
    let mut covered_a = [0usize; 3];
    let mut covered_b = [0usize; 3];
    let mut out = Vec::with_capacity(links.len());
    let mut sim_sum = 0.0;
    let mut sim_words = 0usize;
    let (mut fact_shared, mut fact_total) = (0usize, 0usize);
    let mut link_words = Vec::with_capacity(links.len());
    let (mut sem_sum, mut sem_words) = (0.0, 0usize);
    for (i, j, ie, je, v) in links {
        let ga = gather(fa, i, ie);
        let gb = gather(fb, j, je);
        link_words.push((ga.words, gb.words));
        if let (Some(x), Some(y)) = (&ga.embedding, &gb.embedding) {
            sem_sum += crate::semantic::cosine(x, y) * (ga.words + gb.words) as f64;
            sem_words += ga.words + gb.words;
        }
        let kind = link_kind(&ga, &gb, config);
        let k = kind as usize;
        covered_a[k] += ga.words;
        covered_b[k] += gb.words;
        fact_shared += 2 * crate::fingerprint::intersection_size(&ga.facts, &gb.facts);
        fact_total += ga.facts.len() + gb.facts.len();
        sim_sum += v * (ga.words + gb.words) as f64;
        sim_words += ga.words + gb.words;
        out.push(AlignmentLink {
            a: i,
            b: j,
            a_end: ie,
            b_end: je,
            kind,
            similarity: round4(v),
        });
    }
    let order = order_coherence(&out);
    let (chain_words_a, chain_words_b) = monotone_chain(&out, &link_words);
    Alignment {
        chain_a: ratio(chain_words_a, words_a),
        chain_b: ratio(chain_words_b, words_b),
        link_semantic: (sem_words > 0).then(|| sem_sum / sem_words as f64),
        reuse_a: ratio(covered_a.iter().sum(), words_a),
        reuse_b: ratio(covered_b.iter().sum(), words_b),
        covered_a,
        covered_b,
        order,
        mean_similarity: if sim_words > 0 {
            sim_sum / sim_words as f64
        } else {
            0.0
        },
        number_agreement: if fact_total > 0 {
            fact_shared as f64 / fact_total as f64
        } else {
            1.0
        },
        links: out,
        lineage: super::Lineage::default(),
    }
}

fn gather(f: &[SentenceFeatures], i: usize, end: Option<usize>) -> SentenceFeatures {
    match end {
        Some(e) => f[i].merged(&f[e]),
        None => f[i].clone(),
    }
}

/// Types a link from its token-level signals.
pub fn link_kind(a: &SentenceFeatures, b: &SentenceFeatures, config: &AlignConfig) -> LinkKind {
    if !a.tokens.is_empty() && a.tokens == b.tokens {
        return LinkKind::Verbatim;
    }
    let s = signals(a, b);
    // One extra or missing word at the edge (a credit, a dateline) is still verbatim.
    if s.run_long >= 0.95 {
        return LinkKind::Verbatim;
    }
    if s.run_short >= config.near_verbatim_run && s.token_dice >= 0.6 || s.token_dice >= 0.85 {
        return LinkKind::NearVerbatim;
    }
    LinkKind::Paraphrase
}

fn ratio(x: usize, n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        (x as f64 / n as f64).min(1.0)
    }
}

/// Rounds a score for output (stable JSON, readable reports).
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
