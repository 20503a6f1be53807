//! The terminal report.
//!
//! It reads top-down like an editor would ask: which stories, which article is the origin and
//! what derives from it, the table of pairs, then the evidence — aligned sentences side by side
//! with the reused words marked — and the quotes. Each section is one step of `Printer`, in
//! that order. Reused and changed words are those of [`marks`](super::marks), the web pair
//! view's too. Colour is a parameter; the caller decides (a terminal, and never with
//! `NO_COLOR`). Without colour, brackets carry the marking so that it survives a pipe: in a
//! passage around the words *not* reused (the reused ones are the many), in a quote around the
//! words changed.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use super::marks::{link_tokens, pieces, quote_pieces, Mark, PairMarks};
use crate::model::{Analysis, Article, Derivation, Fidelity, Pair, QuoteGroup, Relation, Story};
use crate::text::{Document, Span};

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
    let printer = Printer::new(analysis, articles, opts);
    let mut out = String::new();
    printer.summary(&mut out);
    for s in analysis.stories.iter().filter(|s| s.articles.len() > 1) {
        printer.story(&mut out, s);
    }
    printer.single_stories(&mut out);
    printer.pair_table(&mut out);
    printer.aligned_passages(&mut out);
    printer.quotes(&mut out);
    printer.skipped(&mut out);
    out
}

/// What every section of the report reads: the analysis, the articles by id, and how to paint.
struct Printer<'a> {
    analysis: &'a Analysis,
    opts: ReportOptions,
    p: Paint,
    by_id: HashMap<&'a str, &'a Article>,
    /// Relation and similarity of each pair, under both orders of its ids.
    rel_of: HashMap<(&'a str, &'a str), (Relation, f64)>,
}

impl<'a> Printer<'a> {
    fn new(analysis: &'a Analysis, articles: &'a [Article], opts: ReportOptions) -> Printer<'a> {
        let rel_of = analysis
            .pairs
            .iter()
            .flat_map(|x| {
                [
                    ((x.a.as_str(), x.b.as_str()), (x.relation, x.similarity)),
                    ((x.b.as_str(), x.a.as_str()), (x.relation, x.similarity)),
                ]
            })
            .collect();
        Printer {
            analysis,
            opts,
            p: Paint { on: opts.color },
            by_id: articles.iter().map(|a| (a.id.as_str(), a)).collect(),
            rel_of,
        }
    }

    fn describe(&self, id: &str) -> String {
        describe(&self.p, self.by_id.get(id).copied(), id)
    }

    /// The counts on top: what was read, what was found, and how much was compared.
    fn summary(&self, out: &mut String) {
        let (analysis, p) = (self.analysis, &self.p);
        let stories = analysis
            .stories
            .iter()
            .filter(|s| s.articles.len() > 1)
            .count();
        let _ = writeln!(
            out,
            "{} · {} · {} with 2+ articles · {} · {}",
            p.bold("wiretrace"),
            plural(analysis.articles.len(), "article", "articles"),
            plural(stories, "story", "stories"),
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
    }

    /// A story of two or more articles: its origin, the derivation tree under each root, the
    /// members no derivation reaches, and the stories it is related to.
    fn story(&self, out: &mut String, s: &'a Story) {
        let p = &self.p;
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{} {}  {}",
            p.bold(&format!("Story {}", s.id)),
            p.dim(&format!("({} articles)", s.articles.len())),
            s.label
        );
        let tree = Tree::new(self.analysis, s);
        let mut shown: HashSet<&str> = HashSet::new();
        if let Some(origin) = tree.roots.first() {
            let _ = writeln!(out, "  origin: {}", p.bold(origin));
        }
        for &r in &tree.roots {
            self.subtree(out, &tree, r, &mut shown);
        }
        let origin = tree.roots.first().copied();
        for a in &s.articles {
            if !shown.contains(a.as_str()) {
                let how = self.relation_to_story(origin, a);
                let _ = writeln!(out, "  {}{how}", self.describe(a));
            }
        }
        if !s.related.is_empty() {
            let names: Vec<String> = s
                .related
                .iter()
                .filter_map(|r| self.analysis.stories.iter().find(|x| &x.id == r))
                .map(|x| format!("{} ({})", x.id, x.articles.join(", ")))
                .collect();
            let _ = writeln!(out, "  related: {}", names.join("; "));
        }
    }

    /// The tree under `root`, drawn depth first with box-drawing branches. An article already
    /// drawn (reached from an earlier root) is not drawn twice.
    fn subtree(
        &self,
        out: &mut String,
        tree: &Tree<'a>,
        root: &'a str,
        shown: &mut HashSet<&'a str>,
    ) {
        let p = &self.p;
        let _ = writeln!(out, "  {}", self.describe(root));
        shown.insert(root);
        let mut stack: Vec<(&Derivation, String, bool)> = Vec::new();
        let push = |stack: &mut Vec<_>, of: &str, indent: String| {
            let kids = tree.children_of(of);
            for (k, c) in kids.iter().enumerate().rev() {
                stack.push((*c, indent.clone(), k + 1 == kids.len()));
            }
        };
        push(&mut stack, root, "  ".into());
        while let Some((d, indent, last)) = stack.pop() {
            if !shown.insert(d.derived.as_str()) {
                continue;
            }
            let branch = if last { "└─" } else { "├─" };
            let _ = writeln!(
                out,
                "{indent}{branch} {}  {} {}",
                self.describe(&d.derived),
                p.relation(d.relation),
                p.dim(&format!(
                    "(direction {:.2}: {})",
                    d.confidence,
                    d.evidence.join("; ")
                ))
            );
            let next_indent = format!("{indent}{}", if last { "   " } else { "│  " });
            push(&mut stack, &d.derived, next_indent);
        }
    }

    /// How a member outside the trees relates to the story: its relation with the origin, else
    /// the undirected derivation it is part of, else nothing.
    fn relation_to_story(&self, origin: Option<&str>, a: &str) -> String {
        let p = &self.p;
        origin
            .and_then(|o| self.rel_of.get(&(o, a)))
            .map(|(r, _)| format!("  {} with the origin", p.relation(*r)))
            .or_else(|| {
                self.analysis
                    .undirected
                    .iter()
                    .find(|u| u.a == a || u.b == a)
                    .map(|u| {
                        format!(
                            "  {} of {}, direction undecided ({})",
                            p.relation(u.relation),
                            if u.a == a { &u.b } else { &u.a },
                            u.reason
                        )
                    })
            })
            .unwrap_or_default()
    }

    /// How many stories have one article, and those of them related to other stories.
    fn single_stories(&self, out: &mut String) {
        let stories = &self.analysis.stories;
        let singles = stories.iter().filter(|s| s.articles.len() <= 1).count();
        if singles == 0 {
            return;
        }
        let related: Vec<_> = stories
            .iter()
            .filter(|s| s.articles.len() == 1 && !s.related.is_empty())
            .collect();
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}{}",
            plural(singles, "single-article story", "single-article stories"),
            if related.is_empty() {
                ""
            } else {
                ", of which related to others:"
            }
        );
        for s in related {
            let _ = writeln!(
                out,
                "  {} {}  related to {}",
                s.id,
                self.describe(&s.articles[0]),
                s.related.join(", ")
            );
        }
    }

    /// The first `max_pairs` pairs as a table, columns sized to the ids shown.
    fn pair_table(&self, out: &mut String) {
        let (pairs, p, max) = (&self.analysis.pairs, &self.p, self.opts.max_pairs);
        if pairs.is_empty() {
            return;
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", p.bold("Pairs"));
        let width = |id: fn(&Pair) -> &str| {
            let widest = pairs.iter().take(max).map(|x| id(x).chars().count()).max();
            widest.unwrap_or(1).max(1)
        };
        let (wa, wb) = (width(|x| x.a.as_str()), width(|x| x.b.as_str()));
        let _ = writeln!(
            out,
            "  {:wa$}  {:wb$}  {:13}  {:>5}  {:>5}  {:>11}",
            "a", "b", "relation", "sim", "conf", "reuse a / b"
        );
        for x in pairs.iter().take(max) {
            // Padding is counted on the bare name: escape codes take no columns.
            let rel = if self.opts.color {
                p.relation(x.relation) + &" ".repeat(13 - x.relation.as_str().len())
            } else {
                format!("{:13}", x.relation.as_str())
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
        if pairs.len() > max {
            let _ = writeln!(out, "  … {} more (see --json)", pairs.len() - max);
        }
    }

    /// The pairs shown with their aligned sentences: the strongest of each derivation relation
    /// first, so that a reader sees one copy, one rewrite and one paraphrase before a second of
    /// any, then the other derivations in pair order.
    fn passage_pairs(&self) -> Vec<&'a Pair> {
        let pairs = &self.analysis.pairs;
        let mut picked = Vec::new();
        for rel in [
            Relation::Copy,
            Relation::LightRewrite,
            Relation::HeavyRewrite,
        ] {
            picked.extend(
                pairs
                    .iter()
                    .filter(|x| x.relation == rel && !x.alignments.is_empty())
                    .take(1),
            );
        }
        for x in pairs
            .iter()
            .filter(|x| x.relation.is_derivation() && !x.alignments.is_empty())
        {
            if picked.len() >= self.opts.aligned_pairs {
                break;
            }
            if !picked.iter().any(|y| std::ptr::eq(*y, x)) {
                picked.push(x);
            }
        }
        picked.truncate(self.opts.aligned_pairs);
        picked
    }

    fn aligned_passages(&self, out: &mut String) {
        let p = &self.p;
        let picked = self.passage_pairs();
        if picked.is_empty() {
            return;
        }
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{} {}",
            p.bold("Aligned passages"),
            p.dim(if self.opts.color {
                "(reused words in green)"
            } else {
                "([word] = not in the other sentence)"
            })
        );
        for x in picked {
            self.aligned_pair(out, x);
        }
    }

    /// One pair's most instructive links — paraphrases and edits before verbatim ones, since a
    /// verbatim link shows nothing a reader would not guess — with both sides' reused words
    /// marked. The changed words of altered quotes are left to the quotes section, which shows
    /// them beside the wording they were compared with.
    fn aligned_pair(&self, out: &mut String, x: &Pair) {
        let p = &self.p;
        let (Some(aa), Some(ab)) = (self.by_id.get(x.a.as_str()), self.by_id.get(x.b.as_str()))
        else {
            return;
        };
        let (da, db) = (Document::from_article(aa), Document::from_article(ab));
        let marks = PairMarks::new(&da, &db, &x.alignments, &self.analysis.quotes);
        let _ = writeln!(
            out,
            "  {} ↔ {}  {}",
            p.bold(&x.a),
            p.bold(&x.b),
            p.relation(x.relation)
        );
        let mut links: Vec<_> = x.alignments.iter().collect();
        links.sort_by(|l, m| {
            m.kind
                .cmp(&l.kind)
                .then(m.similarity.total_cmp(&l.similarity))
        });
        for l in links.into_iter().take(self.opts.sentences_per_pair) {
            let ta = link_tokens(&da, l.a, l.a_end);
            let tb = link_tokens(&db, l.b, l.b_end);
            let _ = writeln!(out, "    {} {:.2}", p.dim(l.kind.as_str()), l.similarity);
            let _ = writeln!(out, "      a[{}] {}", l.a, marked(p, &da, &ta, &marks.a));
            let _ = writeln!(out, "      b[{}] {}", l.b, marked(p, &db, &tb, &marks.b));
        }
    }

    fn quotes(&self, out: &mut String) {
        if self.analysis.quotes.is_empty() {
            return;
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", self.p.bold("Quotes that travelled"));
        for q in &self.analysis.quotes {
            render_quote(out, &self.p, q);
        }
    }

    fn skipped(&self, out: &mut String) {
        let skipped = &self.analysis.skipped;
        if skipped.is_empty() {
            return;
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "{} {}", self.p.bold("Skipped inputs"), skipped.len());
        for s in skipped {
            let _ = writeln!(out, "  {}: {}", s.input, s.reason);
        }
    }
}

/// The derivations inside one story as a forest: each derived article under one parent.
struct Tree<'a> {
    children: HashMap<&'a str, Vec<&'a Derivation>>,
    /// Articles with children and no parent, the one with most descendants first (the origin).
    roots: Vec<&'a str>,
}

impl<'a> Tree<'a> {
    fn new(analysis: &'a Analysis, s: &'a Story) -> Tree<'a> {
        let members: HashSet<&str> = s.articles.iter().map(String::as_str).collect();
        // Best parent of each derived article: highest confidence, then strongest relation.
        let mut parent: HashMap<&str, &Derivation> = HashMap::new();
        for d in analysis
            .derivations
            .iter()
            .filter(|d| members.contains(d.source.as_str()) && members.contains(d.derived.as_str()))
        {
            let better = parent.get(d.derived.as_str()).is_none_or(|cur| {
                (d.confidence, std::cmp::Reverse(d.relation))
                    > (cur.confidence, std::cmp::Reverse(cur.relation))
            });
            if better {
                parent.insert(&d.derived, d);
            }
        }
        let mut children: HashMap<&str, Vec<&Derivation>> = HashMap::new();
        for d in parent.values() {
            children.entry(d.source.as_str()).or_default().push(d);
        }
        for v in children.values_mut() {
            v.sort_by(|x, y| x.relation.cmp(&y.relation).then(x.derived.cmp(&y.derived)));
        }
        // An article on a loop of parents has a parent, so it is no root, and no root reaches
        // the loop: it is listed with the members outside the trees, never drawn twice.
        let mut tree = Tree {
            children,
            roots: Vec::new(),
        };
        let mut roots: Vec<&str> = s
            .articles
            .iter()
            .map(String::as_str)
            .filter(|a| !parent.contains_key(a) && tree.children.contains_key(a))
            .collect();
        roots.sort_by_key(|r| std::cmp::Reverse(tree.descendants(r)));
        tree.roots = roots;
        tree
    }

    fn children_of(&self, a: &str) -> &[&'a Derivation] {
        self.children.get(a).map_or(&[], Vec::as_slice)
    }

    fn descendants(&self, root: &str) -> usize {
        let mut seen = HashSet::new();
        let mut stack = vec![root];
        while let Some(x) = stack.pop() {
            for c in self.children_of(x) {
                if seen.insert(c.derived.as_str()) {
                    stack.push(&c.derived);
                }
            }
        }
        seen.len()
    }
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
    for v in &q.variants {
        let against = v
            .diff
            .as_ref()
            .and_then(|d| q.variants.iter().find(|o| o.article == d.against));
        let shown = match (&v.diff, against) {
            (Some(_), Some(o)) => mark_changed(p, &v.text, &o.text),
            (Some(_), None) => v.text.clone(),
            (None, _) => truncate(&v.text, 110),
        };
        let _ = writeln!(
            out,
            "    {:20} {:9} \u{201C}{}\u{201D}",
            v.article,
            v.fidelity.as_str(),
            shown
        );
        if let Some(o) = against {
            let _ = writeln!(
                out,
                "    {:20} {:9} \u{201C}{}\u{201D}",
                format!("  vs {}", o.article),
                "",
                mark_changed(p, &o.text, &v.text)
            );
        }
    }
    for e in &q.evidence {
        let _ = writeln!(out, "    {} {}", p.dim("·"), e);
    }
}

/// `text` with the words a diff against `other` does not match marked.
fn mark_changed(p: &Paint, text: &str, other: &str) -> String {
    let mut s = String::new();
    for piece in quote_pieces(text, other) {
        if !piece.mark.changed {
            s.push_str(piece.text);
        } else if p.on {
            s.push_str(&p.wrap("1;31", piece.text));
        } else {
            let _ = write!(s, "[{}]", piece.text);
        }
    }
    s
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

/// The original text of a link's side with each word marked by whether it was reused: from its
/// first word to the end of its last word's sentence (so closing punctuation shows), on one
/// line, since a passage may run over a line break of the article.
fn marked(p: &Paint, d: &Document, toks: &[usize], marks: &[Mark]) -> String {
    let first = toks.first().and_then(|&t| d.tokens.get(t));
    let (Some(first), Some(&last)) = (first, toks.last()) else {
        return String::new();
    };
    let end = d
        .sentences
        .iter()
        .find(|s| s.tokens.contains(&last))
        .map(|s| s.span.end)
        .or_else(|| d.tokens.get(last).map(|t| t.span().end))
        .unwrap_or(first.span().end);
    let span = Span {
        start: first.span().start,
        end,
    };
    let mut out = String::new();
    for piece in pieces(d, span, toks.iter().copied(), marks) {
        match (piece.word, piece.mark.reused) {
            (false, _) => out.push_str(piece.text),
            (true, Some(_)) => out.push_str(&p.wrap("32", piece.text)),
            (true, None) if p.on || piece.mark.common => out.push_str(piece.text),
            (true, None) => {
                let _ = write!(out, "[{}]", piece.text);
            }
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text between each `open` and the next `close`.
    fn between<'s>(s: &'s str, open: &str, close: &str) -> Vec<&'s str> {
        s.split(open)
            .skip(1)
            .filter_map(|x| x.split(close).next())
            .collect()
    }

    /// Each passage line marks exactly the words the shared marks call reused: green with
    /// colour; without, every other word in brackets.
    #[test]
    fn passages_mark_the_words_the_shared_marks_call_reused() {
        let articles = crate::demo::articles();
        let analysis = crate::Engine::default().analyze(articles.clone());
        let doc = |id: &str| Document::from_article(articles.iter().find(|a| a.id == id).unwrap());
        let mut sides = 0;
        for pair in analysis.pairs.iter().filter(|p| !p.alignments.is_empty()) {
            let (da, db) = (doc(&pair.a), doc(&pair.b));
            let marks = PairMarks::new(&da, &db, &pair.alignments, &analysis.quotes);
            for l in &pair.alignments {
                for (d, toks, m) in [
                    (&da, link_tokens(&da, l.a, l.a_end), &marks.a),
                    (&db, link_tokens(&db, l.b, l.b_end), &marks.b),
                ] {
                    let words = |reused: bool| -> Vec<&str> {
                        toks.iter()
                            .filter(|&&t| m[t].reused.is_some() == reused && !m[t].common)
                            .map(|&t| &d.text[d.tokens[t].span().start..d.tokens[t].span().end])
                            .collect()
                    };
                    let bare = marked(&Paint { on: false }, d, &toks, m);
                    assert_eq!(between(&bare, "[", "]"), words(false), "{bare}");
                    let colour = marked(&Paint { on: true }, d, &toks, m);
                    assert_eq!(between(&colour, "\x1b[32m", "\x1b[0m"), words(true));
                    sides += 1;
                }
            }
        }
        assert!(sides > 40, "{sides}");
    }

    #[test]
    fn a_passage_that_does_not_fit_its_document_is_empty() {
        let d = Document::from_text("a", "One sentence here.".into());
        let p = Paint { on: false };
        assert_eq!(marked(&p, &d, &[], &[]), "");
        assert_eq!(marked(&p, &d, &[99], &[]), "");
        let none = [Mark::default(); 3];
        assert_eq!(marked(&p, &d, &[0, 99], &none), "[One]");
        assert_eq!(
            marked(&p, &d, &[0, 1, 2], &none),
            "[One] [sentence] [here]."
        );
    }
}
