//! Rendering an [`Analysis`] for people: the terminal report and the DOT derivation graph.
//! (The JSON form is the `serde` serialisation of [`Analysis`] itself.)
//!
//! The terminal report reads top-down like an editor would ask: which stories, which article is
//! the origin and what derives from it, the table of pairs, then the evidence — aligned sentences
//! side by side with the reused words marked — and the quotes. Colour is a parameter; the caller
//! decides (a terminal, and never with `NO_COLOR`). Without colour, words that are *not* in the
//! counterpart sentence are wrapped in `[ ]`, so the marking survives a pipe.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use crate::model::{Analysis, Article, Derivation, Fidelity, QuoteGroup, Relation};
use crate::text::Document;

/// Options of the terminal report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportOptions {
    /// ANSI colour.
    pub color: bool,
    /// Pairs shown with aligned sentences.
    pub aligned_pairs: usize,
    /// Aligned sentences shown per pair.
    pub sentences_per_pair: usize,
    /// Maximum rows of the pair table.
    pub max_pairs: usize,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            color: false,
            aligned_pairs: 3,
            sentences_per_pair: 3,
            max_pairs: 40,
        }
    }
}

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
    fn relation(&self, r: Relation) -> String {
        let code = match r {
            Relation::Copy => "1;31",
            Relation::LightRewrite => "31",
            Relation::HeavyRewrite => "35",
            Relation::SameEvent => "34",
            Relation::Related => "36",
            Relation::Unrelated => "2",
        };
        self.wrap(code, r.as_str())
    }
}

fn truncate(s: &str, n: usize) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= n {
        s
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Renders the terminal report. `articles` must be the analysed articles (for texts).
pub fn render_text(analysis: &Analysis, articles: &[Article], opts: ReportOptions) -> String {
    let p = Paint { on: opts.color };
    let mut out = String::new();
    let by_id: HashMap<&str, &Article> = articles.iter().map(|a| (a.id.as_str(), a)).collect();
    let multi: Vec<_> = analysis
        .stories
        .iter()
        .filter(|s| s.articles.len() > 1)
        .collect();
    let singles = analysis.stories.len() - multi.len();
    let _ = writeln!(
        out,
        "{} · {} · {} with 2+ articles · {} · {}",
        p.bold("wiretrace"),
        plural(analysis.articles.len(), "article", "articles"),
        plural(multi.len(), "story", "stories"),
        plural(analysis.pairs.len(), "pair", "pairs"),
        plural(analysis.derivations.len(), "derivation", "derivations")
    );
    let st = &analysis.stats;
    let _ = writeln!(
        out,
        "{}",
        p.dim(&format!(
            "compared {} candidate pairs of {} possible; aligned {}",
            st.candidate_pairs, st.all_pairs, st.aligned_pairs
        ))
    );

    let rel_of: HashMap<(&str, &str), (Relation, f64)> = analysis
        .pairs
        .iter()
        .flat_map(|x| {
            [
                ((x.a.as_str(), x.b.as_str()), (x.relation, x.similarity)),
                ((x.b.as_str(), x.a.as_str()), (x.relation, x.similarity)),
            ]
        })
        .collect();

    for s in &multi {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{} {}  {}",
            p.bold(&format!("Story {}", s.id)),
            p.dim(&format!("({} articles)", s.articles.len())),
            s.label
        );
        let members: HashSet<&str> = s.articles.iter().map(String::as_str).collect();
        let edges: Vec<&Derivation> = analysis
            .derivations
            .iter()
            .filter(|d| members.contains(d.source.as_str()) && members.contains(d.derived.as_str()))
            .collect();
        // Best parent of each derived article: highest confidence, then strongest relation.
        let mut parent: HashMap<&str, &Derivation> = HashMap::new();
        for d in &edges {
            let better = match parent.get(d.derived.as_str()) {
                None => true,
                Some(cur) => {
                    (d.confidence, std::cmp::Reverse(d.relation))
                        > (cur.confidence, std::cmp::Reverse(cur.relation))
                }
            };
            if better {
                parent.insert(&d.derived, d);
            }
        }
        // Break cycles conservatively: an article whose chain of parents loops is shown as a root.
        let mut children: HashMap<&str, Vec<&Derivation>> = HashMap::new();
        for d in parent.values() {
            children.entry(d.source.as_str()).or_default().push(d);
        }
        for v in children.values_mut() {
            v.sort_by(|x, y| x.relation.cmp(&y.relation).then(x.derived.cmp(&y.derived)));
        }
        let descendants = |root: &str| -> usize {
            let mut seen = HashSet::new();
            let mut stack = vec![root];
            while let Some(x) = stack.pop() {
                for c in children.get(x).into_iter().flatten() {
                    if seen.insert(c.derived.as_str()) {
                        stack.push(&c.derived);
                    }
                }
            }
            seen.len()
        };
        let mut roots: Vec<&str> = s
            .articles
            .iter()
            .map(String::as_str)
            .filter(|a| !parent.contains_key(a) && children.contains_key(a))
            .collect();
        roots.sort_by_key(|r| std::cmp::Reverse(descendants(r)));
        let mut shown: HashSet<&str> = HashSet::new();
        if let Some(origin) = roots.first() {
            let _ = writeln!(out, "  origin: {}", p.bold(origin));
        }
        for r in &roots {
            let _ = writeln!(out, "  {}", describe(&p, by_id.get(r).copied(), r));
            shown.insert(r);
            let mut stack: Vec<(&Derivation, String, bool)> = Vec::new();
            let kids = children.get(r).cloned().unwrap_or_default();
            for (k, c) in kids.iter().enumerate().rev() {
                stack.push((c, "  ".into(), k + 1 == kids.len()));
            }
            while let Some((d, indent, last)) = stack.pop() {
                if !shown.insert(d.derived.as_str()) {
                    continue;
                }
                let branch = if last { "└─" } else { "├─" };
                let _ = writeln!(
                    out,
                    "{indent}{branch} {}  {} {}",
                    describe(&p, by_id.get(d.derived.as_str()).copied(), &d.derived),
                    p.relation(d.relation),
                    p.dim(&format!(
                        "(direction {:.2}: {})",
                        d.confidence,
                        d.evidence.join("; ")
                    ))
                );
                let next_indent = format!("{indent}{}", if last { "   " } else { "│  " });
                let kids = children
                    .get(d.derived.as_str())
                    .cloned()
                    .unwrap_or_default();
                for (k, c) in kids.iter().enumerate().rev() {
                    stack.push((c, next_indent.clone(), k + 1 == kids.len()));
                }
            }
        }
        let origin = roots.first().copied();
        for a in &s.articles {
            if shown.contains(a.as_str()) {
                continue;
            }
            let how = origin
                .and_then(|o| rel_of.get(&(o, a.as_str())))
                .map(|(r, _)| format!("  {} with the origin", p.relation(*r)))
                .or_else(|| {
                    analysis
                        .undirected
                        .iter()
                        .find(|u| u.a == *a || u.b == *a)
                        .map(|u| {
                            format!(
                                "  {} of {}, direction undecided ({})",
                                p.relation(u.relation),
                                if u.a == *a { &u.b } else { &u.a },
                                u.reason
                            )
                        })
                })
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {}{how}",
                describe(&p, by_id.get(a.as_str()).copied(), a)
            );
        }
        if !s.related.is_empty() {
            let names: Vec<String> = s
                .related
                .iter()
                .filter_map(|r| analysis.stories.iter().find(|x| &x.id == r))
                .map(|x| format!("{} ({})", x.id, x.articles.join(", ")))
                .collect();
            let _ = writeln!(out, "  related: {}", names.join("; "));
        }
    }
    let related_singles: Vec<_> = analysis
        .stories
        .iter()
        .filter(|s| s.articles.len() == 1 && !s.related.is_empty())
        .collect();
    if singles > 0 {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}{}",
            plural(singles, "single-article story", "single-article stories"),
            if related_singles.is_empty() {
                String::new()
            } else {
                ", of which related to others:".into()
            }
        );
        for s in related_singles {
            let _ = writeln!(
                out,
                "  {} {}  related to {}",
                s.id,
                describe(
                    &p,
                    by_id.get(s.articles[0].as_str()).copied(),
                    &s.articles[0]
                ),
                s.related.join(", ")
            );
        }
    }

    if !analysis.pairs.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", p.bold("Pairs"));
        let wa = analysis
            .pairs
            .iter()
            .take(opts.max_pairs)
            .map(|x| x.a.chars().count())
            .max()
            .unwrap_or(1)
            .max(1);
        let wb = analysis
            .pairs
            .iter()
            .take(opts.max_pairs)
            .map(|x| x.b.chars().count())
            .max()
            .unwrap_or(1)
            .max(1);
        let _ = writeln!(
            out,
            "  {:wa$}  {:wb$}  {:13}  {:>5}  {:>5}  {:>11}",
            "a", "b", "relation", "sim", "conf", "reuse a / b"
        );
        for x in analysis.pairs.iter().take(opts.max_pairs) {
            let rel = format!("{:13}", x.relation.as_str());
            let rel = if opts.color {
                p.relation(x.relation) + &" ".repeat(13 - x.relation.as_str().len())
            } else {
                rel
            };
            let _ = writeln!(
                out,
                "  {:wa$}  {:wb$}  {rel}  {:>5.2}  {:>5.2}  {:>4.0}% / {:>3.0}%",
                x.a,
                x.b,
                x.similarity,
                x.confidence,
                x.reuse.a * 100.0,
                x.reuse.b * 100.0
            );
        }
        if analysis.pairs.len() > opts.max_pairs {
            let _ = writeln!(
                out,
                "  … {} more (see --json)",
                analysis.pairs.len() - opts.max_pairs
            );
        }
    }

    // Aligned sentences of the strongest derivation pairs, one of each relation first.
    let mut picked = Vec::new();
    for rel in [
        Relation::Copy,
        Relation::LightRewrite,
        Relation::HeavyRewrite,
    ] {
        picked.extend(
            analysis
                .pairs
                .iter()
                .filter(|x| x.relation == rel && !x.alignments.is_empty())
                .take(1),
        );
    }
    for x in analysis
        .pairs
        .iter()
        .filter(|x| x.relation.is_derivation() && !x.alignments.is_empty())
    {
        if picked.len() >= opts.aligned_pairs {
            break;
        }
        if !picked.iter().any(|y| std::ptr::eq(*y, x)) {
            picked.push(x);
        }
    }
    picked.truncate(opts.aligned_pairs);
    if !picked.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{} {}",
            p.bold("Aligned passages"),
            p.dim(if opts.color {
                "(reused words in green)"
            } else {
                "([word] = not in the other sentence)"
            })
        );
    }
    for x in picked {
        let (Some(aa), Some(ab)) = (by_id.get(x.a.as_str()), by_id.get(x.b.as_str())) else {
            continue;
        };
        let (da, db) = (Document::from_article(aa), Document::from_article(ab));
        let _ = writeln!(
            out,
            "  {} ↔ {}  {}",
            p.bold(&x.a),
            p.bold(&x.b),
            p.relation(x.relation)
        );
        // The most instructive links: paraphrases and edits before verbatim ones.
        let mut links: Vec<_> = x.alignments.iter().collect();
        links.sort_by(|l, m| {
            m.kind
                .cmp(&l.kind)
                .then(m.similarity.total_cmp(&l.similarity))
        });
        for l in links.into_iter().take(opts.sentences_per_pair) {
            let ta = range_tokens(&da, l.a, l.a_end);
            let tb = range_tokens(&db, l.b, l.b_end);
            let _ = writeln!(out, "    {} {:.2}", p.dim(l.kind.as_str()), l.similarity);
            let _ = writeln!(out, "      a[{}] {}", l.a, marked(&p, &da, &ta, &db, &tb));
            let _ = writeln!(out, "      b[{}] {}", l.b, marked(&p, &db, &tb, &da, &ta));
        }
    }

    if !analysis.quotes.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", p.bold("Quotes that travelled"));
        for q in &analysis.quotes {
            render_quote(&mut out, &p, q);
        }
    }

    if !analysis.skipped.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{} {}",
            p.bold("Skipped inputs"),
            analysis.skipped.len()
        );
        for s in &analysis.skipped {
            let _ = writeln!(out, "  {}: {}", s.input, s.reason);
        }
    }
    out
}

/// One quote group: the speaker, each variant with its fidelity, an altered variant beside the
/// variant it was compared with (changed words marked: red on a terminal, `[brackets]`
/// otherwise), and what the differences mean.
fn render_quote(out: &mut String, p: &Paint, q: &QuoteGroup) {
    let tag = match q.fidelity {
        Fidelity::Exact => p.dim("exact"),
        Fidelity::Truncated => p.wrap("33", "TRUNCATED"),
        Fidelity::Altered => p.wrap("1;31", "ALTERED"),
    };
    let _ = writeln!(
        out,
        "  {} {}  {}",
        q.id,
        q.speaker.as_deref().unwrap_or("(speaker unknown)"),
        tag
    );
    let mark = |text: &str, other: &str| {
        let mut s = String::new();
        let mut pos = 0;
        for (a, b) in crate::quotes::fidelity::changed_words(text, other) {
            s.push_str(&text[pos..a]);
            if p.on {
                s.push_str(&p.wrap("1;31", &text[a..b]));
            } else {
                let _ = write!(s, "[{}]", &text[a..b]);
            }
            pos = b;
        }
        s.push_str(&text[pos..]);
        s
    };
    for v in &q.variants {
        let shown = match &v.diff {
            Some(d) => q
                .variants
                .iter()
                .find(|o| o.article == d.against)
                .map_or_else(|| v.text.clone(), |o| mark(&v.text, &o.text)),
            None => truncate(&v.text, 110),
        };
        let _ = writeln!(
            out,
            "    {:20} {:9} \u{201C}{}\u{201D}",
            v.article,
            v.fidelity.as_str(),
            shown
        );
        if let Some(d) = &v.diff {
            if let Some(o) = q.variants.iter().find(|o| o.article == d.against) {
                let _ = writeln!(
                    out,
                    "    {:20} {:9} \u{201C}{}\u{201D}",
                    format!("  vs {}", o.article),
                    "",
                    mark(&o.text, &v.text)
                );
            }
        }
    }
    for e in &q.evidence {
        let _ = writeln!(out, "    {} {}", p.dim("·"), e);
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn describe(p: &Paint, a: Option<&Article>, id: &str) -> String {
    let Some(a) = a else { return id.to_string() };
    let mut meta = Vec::new();
    if let Some(s) = &a.source {
        meta.push(s.clone());
    }
    if let Some(t) = a.published {
        meta.push(t.format("%Y-%m-%d %H:%M").to_string());
    }
    let title = a
        .title
        .as_deref()
        .map(|t| format!(" \u{201C}{}\u{201D}", truncate(t, 60)))
        .unwrap_or_default();
    format!(
        "{}{}{}",
        p.bold(id),
        title,
        if meta.is_empty() {
            String::new()
        } else {
            p.dim(&format!(" · {}", meta.join(" · ")))
        }
    )
}

fn range_tokens(d: &Document, i: usize, end: Option<usize>) -> Vec<usize> {
    let last = end.unwrap_or(i).min(d.sentences.len().saturating_sub(1));
    (i..=last)
        .filter_map(|k| d.sentences.get(k))
        .flat_map(|s| s.tokens.clone())
        .collect()
}

/// The original text of the sentences, with each word marked by whether it occurs in the other.
fn marked(
    p: &Paint,
    d: &Document,
    toks: &[usize],
    other: &Document,
    other_toks: &[usize],
) -> String {
    let Some((&first, &last)) = toks.first().zip(toks.last()) else {
        return String::new();
    };
    let theirs: HashSet<u64> = other_toks.iter().map(|&t| other.tokens[t].hash).collect();
    let start = d.tokens[first].span().start;
    let end = d.tokens[last].span().end;
    // Extend to the sentence end so closing punctuation shows.
    let end = d
        .sentences
        .iter()
        .find(|s| s.tokens.contains(&last))
        .map_or(end, |s| s.span.end);
    let mut out = String::new();
    let mut pos = start;
    for &t in toks {
        let tok = &d.tokens[t];
        out.push_str(&d.text[pos..tok.span().start]);
        let w = &d.text[tok.span().start..tok.span().end];
        if theirs.contains(&tok.hash) {
            out.push_str(&p.wrap("32", w));
        } else if p.on {
            out.push_str(w);
        } else {
            let _ = write!(out, "[{w}]");
        }
        pos = tok.span().end;
    }
    out.push_str(&d.text[pos..end]);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The derivation graph in Graphviz DOT: articles as nodes, derivations as arrows labelled with
/// the relation, same-event links dashed and undirected, story origins drawn bold.
pub fn render_dot(analysis: &Analysis) -> String {
    let esc = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let mut out = String::from("digraph wiretrace {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n");
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
    out.push_str("}\n");
    out
}
