//! The embedding loader on a tiny BERT made by the test itself (random weights, a word-level
//! tokenizer): no download, and every step of loading and pooling is exercised.

use std::collections::HashMap;
use std::path::Path;

use candle_core::{DType, Device};
use candle_nn::{VarBuilder, VarMap};
use candle_transformers::models::bert::{BertModel, Config};
use wiretrace::semantic::{cosine, Embedder};

fn write_tiny_model(dir: &Path) {
    let config = serde_json::json!({
        "vocab_size": 16, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2,
        "intermediate_size": 16, "hidden_act": "gelu", "hidden_dropout_prob": 0.0,
        "max_position_embeddings": 64, "type_vocab_size": 2, "initializer_range": 0.02,
        "layer_norm_eps": 1e-12, "pad_token_id": 0
    });
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    let cfg: Config = serde_json::from_value(config).unwrap();
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
    BertModel::load(vb, &cfg).unwrap();
    varmap.save(dir.join("model.safetensors")).unwrap();

    let words = [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "port", "strike", "union", "talks", "library",
        "reopened", "ships", "waited", "minister", "said", "pay",
    ];
    let vocab: HashMap<String, u32> = words
        .iter()
        .enumerate()
        .map(|(i, w)| ((*w).to_string(), i as u32))
        .collect();
    let model = tokenizers::models::wordlevel::WordLevel::builder()
        .vocab(vocab.into_iter().collect())
        .unk_token("[UNK]".into())
        .build()
        .unwrap();
    let mut tok = tokenizers::Tokenizer::new(model);
    tok.with_pre_tokenizer(Some(tokenizers::pre_tokenizers::whitespace::Whitespace {}));
    tok.save(dir.join("tokenizer.json"), false).unwrap();
}

#[test]
fn tiny_model_loads_and_embeds_unit_vectors() {
    let dir = tempfile::tempdir().unwrap();
    write_tiny_model(dir.path());
    let e = wiretrace_semantic::BertEmbedder::load("tiny", dir.path()).unwrap();
    assert_eq!(e.id(), "tiny");
    let texts = [
        "the port strike",
        "the library reopened",
        "the port strike",
        "ships waited the minister said pay talks union",
    ];
    let v = e.embed(&texts).unwrap();
    assert_eq!(v.len(), 4);
    for x in &v {
        assert_eq!(x.len(), 8);
        let norm: f32 = x.iter().map(|a| a * a).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "unit length, got {norm}");
    }
    assert!(
        (cosine(&v[0], &v[2]) - 1.0).abs() < 1e-6,
        "same text, same vector"
    );
    // Batching by length must not change a vector: embed alone and in a batch.
    let alone = e.embed(&["the library reopened"]).unwrap();
    assert!((cosine(&alone[0], &v[1]) - 1.0).abs() < 1e-5);
}

#[test]
fn missing_files_are_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = wiretrace_semantic::BertEmbedder::load("tiny", dir.path()).unwrap_err();
    assert!(err.to_string().contains("config.json"), "{err}");
}

#[test]
fn static_model_distils_from_the_tiny_model_and_reloads_identically() {
    let dir = tempfile::tempdir().unwrap();
    write_tiny_model(dir.path());
    let bert = wiretrace_semantic::BertEmbedder::load("tiny", dir.path()).unwrap();
    let path = dir.path().join(wiretrace_semantic::static_model::FILE);
    assert!(!path.exists());
    let fast = wiretrace_semantic::StaticEmbedder::load_or_distill(&bert, dir.path()).unwrap();
    assert!(
        path.exists(),
        "the distilled vectors are cached beside the model"
    );
    assert_eq!(fast.dims(), 8);
    assert_eq!(fast.id(), "tiny-static-v1");
    let texts = ["the port strike", "the library reopened", "strike the port"];
    let v = fast.embed(&texts).unwrap();
    for x in &v {
        let norm: f32 = x.iter().map(|a| a * a).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "unit length, got {norm}");
    }
    // A bag of tokens: word order does not matter, the words do.
    assert!((cosine(&v[0], &v[2]) - 1.0).abs() < 1e-5);
    assert!(cosine(&v[0], &v[1]) < 0.999);
    // Special tokens carry no vector; unknown words map to nothing either.
    let empty = fast.embed(&["[CLS] [SEP]"]).unwrap();
    assert!(empty[0].iter().all(|x| *x == 0.0));
    // Reloading gives the same vectors (and the memo of word pieces does not change them).
    let again = wiretrace_semantic::StaticEmbedder::load_or_distill(&bert, dir.path()).unwrap();
    let w = again.embed(&texts).unwrap();
    for (x, y) in v.iter().zip(&w) {
        assert!((cosine(x, y) - 1.0).abs() < 1e-6);
    }
    let warm = fast.embed(&texts).unwrap();
    assert_eq!(warm, v);
}

#[test]
fn a_corrupt_static_file_is_distilled_again() {
    let dir = tempfile::tempdir().unwrap();
    write_tiny_model(dir.path());
    let bert = wiretrace_semantic::BertEmbedder::load("tiny", dir.path()).unwrap();
    let path = dir.path().join(wiretrace_semantic::static_model::FILE);
    std::fs::write(&path, b"not safetensors").unwrap();
    let fast = wiretrace_semantic::StaticEmbedder::load_or_distill(&bert, dir.path()).unwrap();
    assert_eq!(fast.dims(), 8);
    assert!(std::fs::metadata(&path).unwrap().len() > 100);
}
