//! Presentation: what a person reads of an [`Analysis`](crate::Analysis). The JSON form is the
//! `serde` serialisation of `Analysis` itself; everything else is drawn from here.
//!
//! - [`marks`]: the one presentation model of an aligned pair — which words were reused
//!   (verbatim or paraphrased) and which an altered quote changed, per token, and the text cut
//!   into runs of equally marked words. The terminal report and the web pair view
//!   (`wiretrace-server`) both draw from it, so they mark the same words.
//! - [`text`]: the terminal report.
//! - [`dot`]: the derivation graph in Graphviz DOT.
//!
//! Renderers read the analysis and the articles; they never change a decision.

pub mod dot;
pub mod marks;
pub mod text;

pub use dot::render_dot;
pub use text::{render_text, ReportOptions};
