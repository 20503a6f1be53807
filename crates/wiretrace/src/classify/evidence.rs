//! The evidence a decision gives: the measures behind it, in words.

use super::PairFeatures;
use crate::model::Relation;
use crate::params::PairParams;

/// Human-readable evidence for deciding `relation` on `f`.
pub(super) fn evidence(f: &PairFeatures, relation: Relation, p: &PairParams) -> Vec<String> {
    let topic = f.topic(p);
    let pct = |x: f64| format!("{:.0}%", x * 100.0);
    let mut evidence = Vec::new();
    if f.links > 0 {
        evidence.push(format!(
            "{} aligned sentences cover {} of the shorter article ({} verbatim, {} near-verbatim, {} paraphrased)",
            f.links,
            pct(f.reuse_short),
            pct(f.verbatim_short),
            pct(f.near_short),
            pct(f.paraphrase_short)
        ));
    }
    if relation == Relation::HeavyRewrite {
        evidence.push(format!(
            "alignment keeps the source order ({} of links in order)",
            pct(f.order)
        ));
    }
    if let Some(sem) = f.link_semantic.filter(|_| f.links > 0) {
        evidence.push(format!(
            "one ordered chain of links covers {} of the shorter article; linked sentences mean the same (embedding cosine {:.2})",
            pct(f.chain_short),
            sem
        ));
    }
    if f.lineage_chain > 0.0 {
        evidence.push(format!(
            "matched sentences in one order cover {} of the shorter article (mean match strength {:.2}); order this good arises by chance with p = {:.3} (permutation test)",
            pct(f.lineage_chain),
            f.lineage_strength,
            10f64.powf(-f.order_evidence)
        ));
    }
    if f.containment > 0.0 {
        evidence.push(format!(
            "{} of the shorter article's 3-word sequences occur in the other",
            pct(f.containment)
        ));
    }
    if let Some(h) = f.hours_apart.filter(|&h| {
        relation == Relation::Related && h > p.event_window_hours && topic >= p.event_cosine
    }) {
        evidence.push(format!(
            "published {:.0} hours apart: a later development, not the same event",
            h
        ));
    }
    evidence.push(format!(
        "content-word cosine {:.2}, shared names and numbers {}",
        f.cosine,
        pct(f.entity_overlap)
    ));
    evidence
}
