//! Sentence embeddings from a model folder (`config.json`, `model.safetensors`,
//! `tokenizer.json`) with candle on the CPU: e5 prefixes, mean pooling over the attention
//! mask, L2 normalisation.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{Encoding, Tokenizer};

use crate::convert::{CONFIG_FILE, MODEL_FILE, TOKENIZER_FILE};
use crate::error::{EmbedError, Result};

/// The longest input in tokens, `<s>` and `</s>` included; longer texts are cut at the end.
pub const MAX_TOKENS: usize = 512;

/// Padded tokens per forward pass. Texts are sorted by length and grouped so that little
/// is padding; the cap bounds the attention buffers (batch × 12 heads × length²) to
/// about 50 MB at full length. Measured on XQuAD: 2048 instead of 4096 lowers peak memory
/// from 1.3 to 1.0 GB at the same throughput.
const TOKEN_BUDGET: usize = 2048;
/// More texts per pass stop paying off once the matrix products are this tall.
const MAX_BATCH: usize = 64;

/// e5 was trained with these prefixes: questions are embedded as `query: …`, the texts
/// that answer them as `passage: …`. Symmetric tasks (paraphrase, translation) use
/// `query: ` on both sides, as the model card says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    Query,
    Passage,
    /// The text as given: for a caller that adds the prefix itself (an embedding server
    /// receives texts its client already prefixed).
    Raw,
}

impl TextKind {
    pub fn prefix(self) -> &'static str {
        match self {
            TextKind::Query => "query: ",
            TextKind::Passage => "passage: ",
            TextKind::Raw => "",
        }
    }
}

/// A loaded embedding model. Loading takes about a second and 500 MB; keep one.
pub struct Embedder {
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
    pad_id: u32,
    end_id: u32,
    max_tokens: usize,
    dimension: usize,
}

impl Embedder {
    /// Loads a model folder as written by `imprimatur models install-embedder`.
    pub fn load(dir: &Path) -> Result<Embedder> {
        if !dir.is_dir() {
            return Err(EmbedError::ModelMissing {
                path: dir.to_owned(),
            });
        }
        let file = |name: &str| -> Result<PathBuf> {
            let path = dir.join(name);
            if path.is_file() {
                Ok(path)
            } else {
                Err(EmbedError::ModelFileMissing { path })
            }
        };
        let (config_path, tokenizer_path, model_path) =
            (file(CONFIG_FILE)?, file(TOKENIZER_FILE)?, file(MODEL_FILE)?);

        let config_text = std::fs::read(&config_path).map_err(EmbedError::io(&config_path))?;
        let config: Config = serde_json::from_slice(&config_text)
            .map_err(|e| EmbedError::invalid(&config_path, "BERT config.json", e.to_string()))?;

        // No truncation or padding in the tokenizer: `count_tokens` needs full lengths,
        // and `forward` pads each batch only to its own longest text.
        let mut tokenizer = Tokenizer::from_file(&tokenizer_path)
            .map_err(|e| EmbedError::invalid(&tokenizer_path, "tokenizer.json", e.to_string()))?;
        tokenizer
            .with_truncation(None)
            .map_err(|e| EmbedError::Tokenizer(e.to_string()))?;
        tokenizer.with_padding(None);
        let special = |token: &str| {
            tokenizer.token_to_id(token).ok_or_else(|| {
                EmbedError::invalid(
                    &tokenizer_path,
                    "tokenizer.json for an XLM-R vocabulary",
                    format!("no {token} token"),
                )
            })
        };
        let (pad_id, end_id) = (special("<pad>")?, special("</s>")?);
        if tokenizer.get_vocab_size(true) > config.vocab_size {
            return Err(EmbedError::invalid(
                &tokenizer_path,
                "tokenizer.json for this model",
                format!(
                    "{} tokens, but {} has only {} embeddings",
                    tokenizer.get_vocab_size(true),
                    config_path.display(),
                    config.vocab_size
                ),
            ));
        }

        let device = Device::Cpu;
        let tensors = read_safetensors(&model_path, &device)?;
        let builder = VarBuilder::from_tensors(tensors, DType::F32, &device);
        let model = BertModel::load(builder, &config).map_err(|e| {
            EmbedError::invalid(
                &model_path,
                "model for the config.json beside it",
                e.to_string(),
            )
        })?;
        Ok(Embedder {
            model,
            tokenizer,
            device,
            pad_id,
            end_id,
            max_tokens: MAX_TOKENS.min(config.max_position_embeddings),
            dimension: config.hidden_size,
        })
    }

    /// Length of every vector (384 for multilingual-e5-small).
    pub fn dimension(&self) -> usize {
        self.dimension
    }

    /// Embeds questions and search queries (`query: ` prefix).
    pub fn embed_queries<S: AsRef<str>>(&self, texts: &[S]) -> Result<Vec<Vec<f32>>> {
        self.embed(TextKind::Query, texts)
    }

    /// Embeds texts to be found: chunks of the knowledge base (`passage: ` prefix).
    pub fn embed_passages<S: AsRef<str>>(&self, texts: &[S]) -> Result<Vec<Vec<f32>>> {
        self.embed(TextKind::Passage, texts)
    }

    /// Unit-length vectors, one per text, in the order given; so a dot product is the
    /// cosine similarity. Texts longer than [`MAX_TOKENS`] are cut.
    pub fn embed<S: AsRef<str>>(&self, kind: TextKind, texts: &[S]) -> Result<Vec<Vec<f32>>> {
        let encodings = self.encode(kind, texts)?;
        let mut order: Vec<usize> = (0..encodings.len()).collect();
        order.sort_by_key(|&i| Reverse(encodings[i].len()));
        let mut out = vec![Vec::new(); encodings.len()];
        let mut start = 0;
        while start < order.len() {
            let longest = encodings[order[start]].len().clamp(1, self.max_tokens);
            let count = (TOKEN_BUDGET / longest)
                .clamp(1, MAX_BATCH)
                .min(order.len() - start);
            let batch = &order[start..start + count];
            let vectors = self.forward(batch.iter().map(|&i| &encodings[i]), count, longest)?;
            for (&i, vector) in batch.iter().zip(vectors) {
                out[i] = vector;
            }
            start += count;
        }
        Ok(out)
    }

    /// Tokens the model would see for `text`, prefix and `<s>`/`</s>` included, before
    /// truncation; lets a chunker keep chunks within [`MAX_TOKENS`].
    pub fn count_tokens(&self, kind: TextKind, text: &str) -> Result<usize> {
        Ok(self.encode(kind, &[text])?[0].len())
    }

    fn encode<S: AsRef<str>>(&self, kind: TextKind, texts: &[S]) -> Result<Vec<Encoding>> {
        let inputs: Vec<String> = texts
            .iter()
            .map(|t| format!("{}{}", kind.prefix(), t.as_ref()))
            .collect();
        self.tokenizer
            .encode_batch(inputs, true)
            .map_err(|e| EmbedError::Tokenizer(e.to_string()))
    }

    fn forward<'a>(
        &self,
        batch: impl Iterator<Item = &'a Encoding>,
        count: usize,
        length: usize,
    ) -> Result<Vec<Vec<f32>>> {
        let mut ids = Vec::with_capacity(count * length);
        let mut mask = Vec::with_capacity(count * length);
        for encoding in batch {
            let n = encoding.len().min(length);
            if n < encoding.len() {
                // Cut at the end but keep `</s>`, as the tokenizer's own truncation would.
                ids.extend_from_slice(&encoding.get_ids()[..n - 1]);
                ids.push(self.end_id);
            } else {
                ids.extend_from_slice(encoding.get_ids());
            }
            ids.extend(std::iter::repeat_n(self.pad_id, length - n));
            mask.extend(std::iter::repeat_n(1u32, n));
            mask.extend(std::iter::repeat_n(0u32, length - n));
        }
        let ids = Tensor::from_vec(ids, (count, length), &self.device)?;
        let mask = Tensor::from_vec(mask, (count, length), &self.device)?;
        let token_types = ids.zeros_like()?;
        let hidden = self.model.forward(&ids, &token_types, Some(&mask))?;

        // Mean over the real tokens only (special tokens included, as e5 was trained).
        let weights = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
        let summed = hidden.broadcast_mul(&weights)?.sum(1)?;
        let mean = summed.broadcast_div(&weights.sum(1)?)?;
        let norm = mean
            .sqr()?
            .sum_keepdim(1)?
            .sqrt()?
            .clamp(1e-12f32, f32::MAX)?;
        Ok(mean.broadcast_div(&norm)?.to_vec2::<f32>()?)
    }
}

/// Reads a safetensors file tensor by tensor straight into the `Vec`s candle then owns,
/// so loading peaks at the model's size instead of twice it (a whole-file buffer or
/// mapping plus the copies), and without `unsafe` mmap.
pub fn read_safetensors(path: &Path, device: &Device) -> Result<HashMap<String, Tensor>> {
    #[derive(serde::Deserialize)]
    struct Info {
        dtype: String,
        shape: Vec<usize>,
        data_offsets: (usize, usize),
    }
    let bad = |reason: String| EmbedError::invalid(path, "safetensors file", reason);
    let file = std::fs::File::open(path).map_err(EmbedError::io(path))?;
    let file_len = file.metadata().map_err(EmbedError::io(path))?.len() as usize;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut len = [0u8; 8];
    reader
        .read_exact(&mut len)
        .map_err(|e| bad(e.to_string()))?;
    let header_len = u64::from_le_bytes(len) as usize;
    if header_len > 100 << 20 || 8 + header_len > file_len {
        return Err(bad(format!(
            "header length {header_len} does not fit the file"
        )));
    }
    let mut header = vec![0u8; header_len];
    reader
        .read_exact(&mut header)
        .map_err(|e| bad(e.to_string()))?;
    let mut entries: HashMap<String, serde_json::Value> =
        serde_json::from_slice(&header).map_err(|e| bad(format!("header: {e}")))?;
    entries.remove("__metadata__");
    let mut infos = entries
        .into_iter()
        .map(|(name, value)| serde_json::from_value::<Info>(value).map(|i| (name, i)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(format!("header: {e}")))?;
    infos.sort_by_key(|(_, info)| info.data_offsets.0);

    let data_start = 8 + header_len;
    let mut tensors = HashMap::with_capacity(infos.len());
    for (name, info) in infos {
        let (begin, end) = info.data_offsets;
        let elements: usize = info.shape.iter().product();
        let width = match info.dtype.as_str() {
            "F32" => 4,
            "F16" | "BF16" => 2,
            other => {
                return Err(bad(format!(
                    "tensor {name} has dtype {other}; F32, F16 or BF16 expected"
                )))
            }
        };
        if end < begin || end - begin != elements * width || data_start + end > file_len {
            return Err(bad(format!(
                "tensor {name}: bytes {begin}..{end} do not hold shape {:?}",
                info.shape
            )));
        }
        reader
            .seek(SeekFrom::Start((data_start + begin) as u64))
            .map_err(|e| bad(e.to_string()))?;
        let mut values = Vec::with_capacity(elements);
        let mut chunk = vec![0u8; (1 << 20) / width * width];
        let mut remaining = end - begin;
        while remaining > 0 {
            let n = remaining.min(chunk.len());
            reader
                .read_exact(&mut chunk[..n])
                .map_err(|e| bad(format!("tensor {name}: {e}")))?;
            match info.dtype.as_str() {
                "F32" => values.extend(
                    chunk[..n]
                        .chunks_exact(4)
                        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
                ),
                "F16" => values.extend(
                    chunk[..n]
                        .chunks_exact(2)
                        .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32()),
                ),
                _ => values.extend(
                    chunk[..n]
                        .chunks_exact(2)
                        .map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32()),
                ),
            }
            remaining -= n;
        }
        let tensor = Tensor::from_vec(values, info.shape, device)?;
        tensors.insert(name, tensor);
    }
    Ok(tensors)
}
