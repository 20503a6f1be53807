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
        edge(out, &d.source, &d.derived, d.relation, "");
    }
    for u in &analysis.undirected {
        let label = format!("{} (direction unknown)", u.relation);
        edge(out, &u.a, &u.b, label, ", dir=none, style=bold");
    }
    for x in &analysis.pairs {
        let attrs = match x.relation {
            Relation::SameEvent => ", dir=none, style=dashed, color=gray40",
            Relation::Related => ", dir=none, style=dotted, color=gray40",
            _ => continue,
        };
        edge(out, &x.a, &x.b, x.relation, attrs);
    }
}

/// One edge: `from -> to`, labelled, with the attributes that follow the label.
fn edge(out: &mut String, from: &str, to: &str, label: impl std::fmt::Display, attrs: &str) {
    let _ = writeln!(
        out,
        "  \"{}\" -> \"{}\" [label=\"{label}\"{attrs}];",
        esc(from),
        esc(to)
    );
}
