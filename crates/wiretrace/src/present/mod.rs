//! Presentation: what a person reads of an [`Analysis`](crate::Analysis). The JSON form is the
//! `serde` serialisation of `Analysis` itself; everything else is drawn from here.
//!
//! - [`text`]: the terminal report.
//! - [`dot`]: the derivation graph in Graphviz DOT.
//!
//! Renderers read the analysis and the articles; they never change a decision.

pub mod dot;
pub mod text;

pub use dot::render_dot;
pub use text::{render_text, ReportOptions};
