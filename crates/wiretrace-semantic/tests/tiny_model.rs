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

/// The packed forward pass computes what candle's BERT computes (the Hugging Face model), on a
/// random two-layer model: same hidden states for every token of sequences of unequal length
/// packed into one batch, each run alone through candle.
#[test]
fn packed_forward_equals_candles_bert_on_a_random_model() {
    let dir = tempfile::tempdir().unwrap();
    let config = serde_json::json!({
        "vocab_size": 40, "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 4,
        "intermediate_size": 32, "hidden_act": "gelu", "hidden_dropout_prob": 0.0,
        "max_position_embeddings": 32, "type_vocab_size": 2, "initializer_range": 0.02,
        "layer_norm_eps": 1e-12, "pad_token_id": 0
    });
    let cfg: Config = serde_json::from_value(config.clone()).unwrap();
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
    let model = BertModel::load(vb, &cfg).unwrap();
    let path = dir.path().join("model.safetensors");
    varmap.save(&path).unwrap();
    let weights = std::fs::read(&path).unwrap();
    let encoder =
        wiretrace_semantic::encoder::Encoder::load(&config.to_string(), &weights).unwrap();

    let seqs: Vec<Vec<u32>> = vec![
        vec![2, 7, 9, 11, 3],
        vec![2, 39, 3],
        vec![5],
        (0..30).map(|i| (i * 7 % 40) as u32).collect(),
    ];
    let refs: Vec<&[u32]> = seqs.iter().map(Vec::as_slice).collect();
    let packed = encoder.forward(&refs).unwrap();
    assert_eq!(packed.len(), seqs.len());
    let mut worst = 0f32;
    for (i, s) in seqs.iter().enumerate() {
        let ids = candle_core::Tensor::new(s.as_slice(), &Device::Cpu)
            .unwrap()
            .unsqueeze(0)
            .unwrap();
        let types = ids.zeros_like().unwrap();
        let want: Vec<f32> = model
            .forward(&ids, &types, None)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1()
            .unwrap();
        let got = packed.rows(i);
        assert_eq!(got.len(), want.len());
        for (a, b) in got.iter().zip(&want) {
            worst = worst.max((a - b).abs());
        }
    }
    assert!(worst < 1e-4, "largest difference {worst}");
    // Too long for the position table, or an id outside the vocabulary: an error, not a panic.
    let long = vec![1u32; 33];
    assert!(encoder.forward(&[&long]).is_err());
    assert!(encoder.forward(&[&[40]]).is_err());
}

/// Token states: one unit vector per word piece of each text, in order, whatever the batch.
#[test]
fn token_states_give_one_unit_vector_per_token() {
    let dir = tempfile::tempdir().unwrap();
    write_tiny_model(dir.path());
    let e = wiretrace_semantic::BertEmbedder::load("tiny", dir.path()).unwrap();
    let texts = [
        "the port strike",
        "ships waited",
        "the port strike union talks",
    ];
    let states = e.token_states(&texts).unwrap();
    assert_eq!(
        states.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![3, 2, 5]
    );
    for v in states.iter().flatten() {
        let norm: f32 = v.iter().map(|a| a * a).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "unit length, got {norm}");
    }
    let alone = e.token_states(&["ships waited"]).unwrap();
    for (a, b) in alone[0].iter().zip(&states[1]) {
        assert!((cosine(a, b) - 1.0).abs() < 1e-5);
    }
}
