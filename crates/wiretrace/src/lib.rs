//! wiretrace: a news provenance engine.
//!
//! Given a pile of articles, [`Engine::analyze`] tells which tell the same story, which are
//! copies, light rewrites or heavy paraphrases of which, which sentences were reused, and which
//! article is the origin. The stages are pure functions over batches, each in its own module,
//! and one driver ([`pipeline`]) runs them for every caller:
//!
//! ```text
//! input ─► text ─► fingerprint ─► candidates ─► align ─► classify ─► story (+ quotes) ─► present
//!          └──────── prepare ────┘  (Postings)   └──── score ─────┘  └──── assemble ───┘
//! ```
//!
//! ```
//! use wiretrace::{Article, Engine, Relation};
//! let text = "The port of Valmora closed on Monday after dockworkers walked out over pay. \
//!             Port Minister Ana Ruiz called for talks with the union.";
//! let a = Article::new("wire", text);
//! let b = Article::new("reprint", text);
//! let analysis = Engine::default().analyze(vec![a, b]);
//! assert_eq!(analysis.pairs[0].relation, Relation::Copy);
//! ```
#![deny(missing_docs)]

pub mod align;
pub mod candidates;
pub mod classify;
pub mod corpus;
pub mod dedup;
pub mod demo;
pub mod engine;
pub mod fingerprint;
pub mod input;
pub mod logistic;
pub mod model;
pub mod params;
pub mod pipeline;
pub mod present;
pub mod quotes;
pub mod semantic;
pub mod story;
pub mod text;
pub mod union_find;

pub use corpus::{Corpus, DocIdx};
pub use engine::{Config, Engine};
pub use model::*;
