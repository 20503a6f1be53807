//! The derivation graph in Graphviz DOT, for `--dot`: articles as nodes grouped by story,
//! derivations as arrows.

use std::collections::HashSet;
use std::fmt::Write as _;

use crate::model::{Analysis, Relation};

/// The derivation graph in Graphviz DOT: articles as nodes, derivations as arrows labelled with
/// the relation, same-event links dashed and undirected, story origins drawn bold.
pub fn render_dot(analysis: &Analysis) -> String {
    let mut out = String::from("digraph wiretrace {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n");
    nodes(&mut out, analysis);
    edges(&mut out, analysis);
    out.push_str("}\n");
    out
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// One cluster per story of two or more articles, its origin bold, then the lone articles.
fn nodes(out: &mut String, analysis: &Analysis) {
    let derived: HashSet<&str> = analysis
        .derivations
        .iter()
        .map(|d| d.derived.as_str())
        .collect();
    let sources: HashSet<&str> = analysis
        .derivations
        .iter()
        .map(|d| d.source.as_str())
        .collect();
    for s in analysis.stories.iter().filter(|s| s.articles.len() > 1) {
        let _ = writeln!(
            out,
            "  subgraph \"cluster_{}\" {{\n    label=\"{} · {}\";",
            esc(&s.id),
            esc(&s.id),
            esc(&s.label)
        );
        for a in &s.articles {
            let origin = sources.contains(a.as_str()) && !derived.contains(a.as_str());
            let _ = writeln!(
                out,
                "    \"{}\"{};",
                esc(a),
                if origin {
                    " [penwidth=3, style=\"rounded,bold\"]"
                } else {
                    ""
                }
            );
        }
        out.push_str("  }\n");
    }
    for a in analysis.stories.iter().filter(|s| s.articles.len() == 1) {
        let _ = writeln!(out, "  \"{}\";", esc(&a.articles[0]));
    }
}

/// Derivations as arrows, undirected derivations as bold lines, same-event and related pairs as
/// grey lines (they say nothing about who copied whom).
fn edges(out: &mut String, analysis: &Analysis) {
    for d in &analysis.derivations {
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\" [label=\"{}\"];",
            esc(&d.source),
            esc(&d.derived),
            d.relation
        );
    }
    for u in &analysis.undirected {
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\" [label=\"{} (direction unknown)\", dir=none, style=bold];",
            esc(&u.a),
            esc(&u.b),
            u.relation
        );
    }
    for x in analysis
        .pairs
        .iter()
        .filter(|x| matches!(x.relation, Relation::SameEvent | Relation::Related))
    {
        let style = if x.relation == Relation::SameEvent {
            "dashed"
        } else {
            "dotted"
        };
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\" [label=\"{}\", dir=none, style={style}, color=gray40];",
            esc(&x.a),
            esc(&x.b),
            x.relation
        );
    }
}
