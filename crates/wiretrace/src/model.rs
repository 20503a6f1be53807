//! The plain data types every stage hands to the next, and the JSON contract of `analyze --json`.
//!
//! Types here carry no behaviour beyond small helpers; they are what a distributed engine would
//! serialise between operators, so everything is `serde`-ready and free of references.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// Version of the JSON document printed by `analyze --json`. Bumped only on a breaking change.
pub const JSON_VERSION: u32 = 1;

/// One news article as read from an input, before any text processing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Stable identifier: the JSONL `id`, else the file name without its extension.
    pub id: String,
    /// Headline, when the input has one.
    pub title: Option<String>,
    /// The article text exactly as read (after decoding); every span points into `title + body`
    /// as laid out by [`Article::full_text`].
    pub body: String,
    /// Where the article was published, when known.
    pub url: Option<String>,
    /// The outlet (newspaper, agency, site).
    pub source: Option<String>,
    /// Publication time, when known.
    pub published: Option<DateTime<FixedOffset>>,
    /// ISO 639-1 language code, when known.
    pub lang: Option<String>,
}

impl Article {
    /// An article with only an id and a body.
    pub fn new(id: impl Into<String>, body: impl Into<String>) -> Self {
        Article {
            id: id.into(),
            title: None,
            body: body.into(),
            url: None,
            source: None,
            published: None,
            lang: None,
        }
    }

    /// Sets the title (builder style).
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// The article as a line of the JSONL input (`id`, `title`, `text`, `url`, `source`,
    /// `published` in RFC 3339, `lang`; absent fields left out): what `read_jsonl_str` reads
    /// back into this article, and what `POST /articles` takes.
    pub fn to_input_json(&self) -> serde_json::Value {
        let mut o = serde_json::Map::new();
        o.insert("id".into(), self.id.clone().into());
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                o.insert(k.into(), v.into());
            }
        };
        put("title", self.title.clone());
        put("text", Some(self.body.clone()));
        put("url", self.url.clone());
        put("source", self.source.clone());
        put("published", self.published.map(|t| t.to_rfc3339()));
        put("lang", self.lang.clone());
        serde_json::Value::Object(o)
    }

    /// The text the engine segments: the title, a blank line, then the body. Spans of sentences
    /// and tokens are byte offsets into this string.
    pub fn full_text(&self) -> String {
        match self.title.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() => format!("{t}\n\n{}", self.body),
            _ => self.body.clone(),
        }
    }
}

/// The relation between two articles (DESIGN.md, "Relations between two articles").
///
/// Ordered from strongest to weakest so that `a < b` means "a is a stronger tie".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The shorter text is (almost) entirely verbatim in the longer.
    Copy,
    /// Derived text, copied with edits.
    LightRewrite,
    /// Derived text, paraphrased sentence by sentence (spun or condensed).
    HeavyRewrite,
    /// Independent reports of the same real-world event.
    SameEvent,
    /// Same topic or actors, a different event.
    Related,
    /// Nothing worth reporting.
    Unrelated,
}

impl Relation {
    /// All relations, strongest first.
    pub const ALL: [Relation; 6] = [
        Relation::Copy,
        Relation::LightRewrite,
        Relation::HeavyRewrite,
        Relation::SameEvent,
        Relation::Related,
        Relation::Unrelated,
    ];

    /// The name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Copy => "copy",
            Relation::LightRewrite => "light_rewrite",
            Relation::HeavyRewrite => "heavy_rewrite",
            Relation::SameEvent => "same_event",
            Relation::Related => "related",
            Relation::Unrelated => "unrelated",
        }
    }

    /// True for relations about text (one article derives from the other).
    pub fn is_derivation(self) -> bool {
        matches!(
            self,
            Relation::Copy | Relation::LightRewrite | Relation::HeavyRewrite
        )
    }

    /// True for `same_event` or stronger: the two articles tell the same story.
    pub fn is_same_story(self) -> bool {
        self <= Relation::SameEvent
    }
}

impl std::fmt::Display for Relation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How closely an aligned sentence reproduces its counterpart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// Same words in the same order (after normalisation).
    Verbatim,
    /// Mostly the same words, a few edited.
    NearVerbatim,
    /// Same content, different words.
    Paraphrase,
}

impl LinkKind {
    /// The name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Verbatim => "verbatim",
            LinkKind::NearVerbatim => "near_verbatim",
            LinkKind::Paraphrase => "paraphrase",
        }
    }
}

/// A per-article line of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleSummary {
    /// Article id.
    pub id: String,
    /// Headline.
    pub title: Option<String>,
    /// Outlet.
    pub source: Option<String>,
    /// URL.
    pub url: Option<String>,
    /// Publication time (RFC 3339).
    pub published: Option<DateTime<FixedOffset>>,
    /// Language code.
    pub lang: Option<String>,
    /// Number of segmented sentences (boilerplate excluded).
    pub sentences: usize,
    /// Number of words (boilerplate excluded).
    pub words: usize,
}

/// A cluster of articles that tell the same story.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Story {
    /// `s1`, `s2`, … in order of decreasing size.
    pub id: String,
    /// Member article ids, in input order.
    pub articles: Vec<String>,
    /// A few salient terms shared by the members.
    pub label: String,
    /// Ids of other stories this one is `related` to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
}

/// One sentence-to-sentence link of an alignment. Indices are 0-based into each article's
/// segmented sentences. When a sentence maps to two merged ones, `a_end`/`b_end` is set to
/// the last sentence of the merged run (inclusive).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlignmentLink {
    /// First sentence on side a.
    pub a: usize,
    /// First sentence on side b.
    pub b: usize,
    /// Last sentence on side a when two were merged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a_end: Option<usize>,
    /// Last sentence on side b when two were merged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub b_end: Option<usize>,
    /// How the sentences relate.
    pub kind: LinkKind,
    /// Similarity in [0, 1].
    pub similarity: f64,
}

/// Fraction of each side's words covered by aligned sentences.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Reuse {
    /// Fraction of article a's words.
    pub a: f64,
    /// Fraction of article b's words.
    pub b: f64,
}

/// The relation between two articles with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pair {
    /// First article id (input order).
    pub a: String,
    /// Second article id.
    pub b: String,
    /// The decided relation.
    pub relation: Relation,
    /// Graded "same story" similarity in [0, 1] of the two articles (textual reuse, word and
    /// embedding cosines, shared names; [`crate::classify::PairFeatures::graded_similarity`]).
    pub similarity: f64,
    /// Confidence in the relation, in [0, 1].
    pub confidence: f64,
    /// Reused fraction of each side.
    pub reuse: Reuse,
    /// The sentence alignment.
    pub alignments: Vec<AlignmentLink>,
    /// Human-readable reasons for the relation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// A directed source → derived edge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Derivation {
    /// The article the text came from.
    pub source: String,
    /// The article that reuses it.
    pub derived: String,
    /// `copy`, `light_rewrite` or `heavy_rewrite`.
    pub relation: Relation,
    /// Confidence in the direction, in [0, 1].
    pub confidence: f64,
    /// Why this direction.
    pub evidence: Vec<String>,
}

/// A derivation pair whose direction could not be decided: reported, never guessed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UndirectedDerivation {
    /// One article.
    pub a: String,
    /// The other.
    pub b: String,
    /// The derivation relation.
    pub relation: Relation,
    /// Why no direction was chosen.
    pub reason: String,
}

/// How faithfully a variant of a quote gives the words of its group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fidelity {
    /// The same words, after normalising punctuation and case.
    Exact,
    /// A contiguous part of the fuller wording (pieces joined by an ellipsis count).
    Truncated,
    /// Words changed.
    Altered,
}

impl Fidelity {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Fidelity::Exact => "exact",
            Fidelity::Truncated => "truncated",
            Fidelity::Altered => "altered",
        }
    }
}

/// The word-level difference of an altered variant against the closest other variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordDiff {
    /// The article whose variant this one is compared with.
    pub against: String,
    /// Words of that variant missing here, in order.
    pub removed: Vec<String>,
    /// Words here that are not in that variant, in order.
    pub inserted: Vec<String>,
}

/// One occurrence of a quote in an article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteVariant {
    /// Article id.
    pub article: String,
    /// Sentence index of the quote's start.
    pub sentence: usize,
    /// The quoted words, as written (the parts of a split quote joined by a space).
    pub text: String,
    /// Byte span `[start, end)` into the article's full text (first to last part).
    pub span: [usize; 2],
    /// The byte spans of the parts, when the quote is split by an attribution or runs over
    /// paragraphs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<[usize; 2]>,
    /// Exact, truncated or altered, against the group's fullest common wording.
    pub fidelity: Fidelity,
    /// For an altered variant: what changed against the closest other variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<WordDiff>,
    /// Articles independent of this one (no derivation between them) that carry the same words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub corroborated_by: Vec<String>,
}

/// A quote and where it travelled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteGroup {
    /// `q1`, `q2`, …
    pub id: String,
    /// Who said it, when attributed.
    pub speaker: Option<String>,
    /// True when the variants differ beyond punctuation, case or truncation.
    pub altered: bool,
    /// The least faithful variant's fidelity.
    pub fidelity: Fidelity,
    /// Every occurrence.
    pub variants: Vec<QuoteVariant>,
    /// What the differences mean: a change made in a derived copy, or independent wordings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// An input that was not analysed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// File path, `path:line` or `-:line`.
    pub input: String,
    /// What was wrong.
    pub reason: String,
}

/// Counters that say how much work a run did (for `--json`, docs and benchmarks).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunStats {
    /// Articles analysed.
    pub articles: usize,
    /// Sentences across all articles.
    pub sentences: usize,
    /// Pairs proposed by MinHash LSH.
    pub lsh_pairs: usize,
    /// Pairs proposed by rare-term / entity blocking.
    pub term_pairs: usize,
    /// Pairs proposed only by embedding neighbours (0 without the model).
    #[serde(default)]
    pub semantic_candidate_pairs: usize,
    /// Distinct candidate pairs after both blockers.
    pub candidate_pairs: usize,
    /// Candidate pairs that went through sentence alignment.
    pub aligned_pairs: usize,
    /// `n (n-1) / 2`, for comparison.
    pub all_pairs: u64,
    /// Sentences embedded by the semantic model (0 when it is absent).
    #[serde(default)]
    pub embedded_sentences: usize,
    /// Candidate pairs aligned again with embeddings.
    #[serde(default)]
    pub semantic_pairs: usize,
    /// Seconds spent in each stage.
    pub seconds: StageSeconds,
}

/// Wall time of each stage, in seconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StageSeconds {
    /// Normalisation and segmentation.
    pub segment: f64,
    /// Fingerprints.
    pub fingerprint: f64,
    /// Candidate generation.
    pub candidates: f64,
    /// Alignment and classification.
    pub align: f64,
    /// Stories, derivations and quotes.
    pub cluster: f64,
}

/// Everything `analyze` found; serialises to the DESIGN.md JSON contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// [`JSON_VERSION`].
    pub version: u32,
    /// One entry per analysed article, in input order.
    pub articles: Vec<ArticleSummary>,
    /// Stories, largest first.
    pub stories: Vec<Story>,
    /// Related and stronger pairs, strongest first.
    pub pairs: Vec<Pair>,
    /// Directed derivation edges.
    pub derivations: Vec<Derivation>,
    /// Derivation pairs whose direction is unknown.
    #[serde(default)]
    pub undirected: Vec<UndirectedDerivation>,
    /// Quotes that appear in more than one article, or altered.
    pub quotes: Vec<QuoteGroup>,
    /// Inputs that were not analysed.
    #[serde(default)]
    pub skipped: Vec<Skipped>,
    /// Problems that cost no article (a field of the wrong type, an unparseable date, hidden
    /// files not read).
    #[serde(default)]
    pub warnings: Vec<Skipped>,
    /// Work counters.
    pub stats: RunStats,
}
