//! Embeddings from an HTTP endpoint instead of the local e5 model: Ollama's
//! `POST {url}/api/embed` or an OpenAI-compatible `POST {url}/embeddings` (`url` is the
//! API root, e.g. `https://api.openai.com/v1`, as for chat models in `[models]`).
//!
//! Chosen in `[knowledge]` (see [`crate::settings::embedder_setting`]); the API key of an
//! OpenAI-compatible endpoint comes from the OS keychain under the name `embedder_key`
//! (stored with `imprimatur model key set NAME`), never from a file.
//!
//! Many embedding models want an instruction prefix (e5: `query: ` / `passage: `,
//! nomic-embed-text: `search_query: ` / `search_document: `); the endpoints do not add
//! them, so the settings `query_prefix` and `passage_prefix` do.
//!
//! A failed call is an error naming the URL; ingestion then stops before the source in
//! hand is touched, so nothing already indexed is lost.

use std::io::Read;
use std::time::Duration;

use imprimatur_model::{KeyError, KeySource, Secret};
use serde_json::{json, Value};

use crate::pipeline::PassageEmbedder;

/// Which endpoint protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// Ollama's `/api/embed` (`{"model", "input": [..]}` → `{"embeddings": [[..]]}`).
    Ollama,
    /// OpenAI's `/embeddings` (`{"model", "input": [..]}` → `{"data": [{"index", "embedding"}]}`).
    OpenAi,
}

/// Where and how to reach a remote embedder (from `[knowledge]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteSetting {
    pub protocol: Protocol,
    /// Ollama: the server (`http://localhost:11434`); OpenAI-compatible: the API root
    /// (`https://api.openai.com/v1`).
    pub url: String,
    pub model: String,
    /// Keychain name of the API key (OpenAI-compatible only; none for a local server).
    pub key: Option<String>,
    pub query_prefix: String,
    pub passage_prefix: String,
}

impl RemoteSetting {
    /// The address a call goes to.
    pub fn endpoint(&self) -> String {
        let base = self.url.trim_end_matches('/');
        match self.protocol {
            Protocol::Ollama => format!("{base}/api/embed"),
            Protocol::OpenAi => format!("{base}/embeddings"),
        }
    }

    /// What the index records as the embedder that built it: protocol, model and prefixes
    /// decide the vectors (the host does not: the same model elsewhere gives the same ones).
    pub fn identity(&self) -> String {
        let protocol = match self.protocol {
            Protocol::Ollama => "ollama",
            Protocol::OpenAi => "openai",
        };
        format!(
            "{protocol}:{} (query prefix {:?}, passage prefix {:?})",
            self.model, self.query_prefix, self.passage_prefix
        )
    }
}

/// Why a remote embedding failed; each message names the endpoint and what to do.
#[derive(Debug, thiserror::Error)]
pub enum RemoteEmbedError {
    #[error("the embedding endpoint {url} cannot be reached ({detail}); start the server or fix embedder_url in [knowledge] of imprimatur.toml — nothing in the index was changed")]
    Unreachable { url: String, detail: String },
    #[error("the embedding endpoint {url} answered {status}: {body}; check embedder_model (and the key) in [knowledge] of imprimatur.toml")]
    Status {
        url: String,
        status: u16,
        body: String,
    },
    #[error(
        "the embedding endpoint {url} sent an answer that is not an embedding response: {detail}"
    )]
    Malformed { url: String, detail: String },
    #[error("the embedding endpoint {url} needs the API key {name:?}, which is not in the OS keychain; store it with `imprimatur model key set {name}`")]
    MissingKey { url: String, name: String },
    #[error("reading the API key for {url}: {source}")]
    Key {
        url: String,
        #[source]
        source: KeyError,
    },
}

impl RemoteEmbedError {
    pub fn code(&self) -> &'static str {
        match self {
            RemoteEmbedError::Unreachable { .. } => "embedder_unreachable",
            RemoteEmbedError::Status { .. } => "embedder_status",
            RemoteEmbedError::Malformed { .. } => "embedder_malformed",
            RemoteEmbedError::MissingKey { .. } | RemoteEmbedError::Key { .. } => "embedder_key",
        }
    }
}

/// An embedder behind an HTTP endpoint. [`RemoteEmbedder::connect`] asks it once, so an
/// unreachable server or a wrong model is reported before any work starts, and the
/// vectors' dimension is known.
pub struct RemoteEmbedder {
    setting: RemoteSetting,
    key: Option<Secret>,
    agent: ureq::Agent,
    dimension: usize,
}

impl std::fmt::Debug for RemoteEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteEmbedder")
            .field("endpoint", &self.setting.endpoint())
            .field("model", &self.setting.model)
            .field("dimension", &self.dimension)
            .finish()
    }
}

impl RemoteEmbedder {
    /// Reads the key (if the setting names one) from `keys` and embeds one probe text.
    pub fn connect(
        setting: RemoteSetting,
        keys: &dyn KeySource,
    ) -> Result<RemoteEmbedder, RemoteEmbedError> {
        let url = setting.endpoint();
        let key = match &setting.key {
            None => None,
            Some(name) => Some(
                keys.get(name)
                    .map_err(|source| RemoteEmbedError::Key {
                        url: url.clone(),
                        source,
                    })?
                    .ok_or_else(|| RemoteEmbedError::MissingKey {
                        url: url.clone(),
                        name: name.clone(),
                    })?,
            ),
        };
        let config = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(5)))
            // A batch of 32 chunks on a CPU-only server can take a while.
            .timeout_global(Some(Duration::from_secs(300)))
            .http_status_as_error(false)
            .user_agent(concat!("imprimatur/", env!("CARGO_PKG_VERSION")));
        let mut embedder = RemoteEmbedder {
            setting,
            key,
            agent: config.build().into(),
            dimension: 0,
        };
        let probe =
            embedder.call(&[format!("{}dimension probe", embedder.setting.query_prefix)])?;
        embedder.dimension = probe[0].len();
        Ok(embedder)
    }

    pub fn setting(&self) -> &RemoteSetting {
        &self.setting
    }

    /// Query vectors (with the query prefix).
    pub fn embed_queries(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, RemoteEmbedError> {
        let prefixed: Vec<String> = texts
            .iter()
            .map(|t| format!("{}{t}", self.setting.query_prefix))
            .collect();
        self.call(&prefixed)
    }

    /// One request for all `texts`; unit-length vectors in their order.
    fn call(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, RemoteEmbedError> {
        let url = self.setting.endpoint();
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let body = json!({ "model": self.setting.model, "input": texts }).to_string();
        let mut request = self
            .agent
            .post(&url)
            .header("content-type", "application/json");
        if let Some(key) = &self.key {
            request = request.header("authorization", &format!("Bearer {}", key.expose()));
        }
        let response =
            request
                .send(body.as_bytes())
                .map_err(|e| RemoteEmbedError::Unreachable {
                    url: url.clone(),
                    detail: e.to_string(),
                })?;
        let status = response.status().as_u16();
        let mut text = String::new();
        response
            .into_body()
            .into_reader()
            .take(512 << 20)
            .read_to_string(&mut text)
            .map_err(|e| RemoteEmbedError::Unreachable {
                url: url.clone(),
                detail: format!("the answer broke off: {e}"),
            })?;
        if status != 200 {
            let mut body: String = text.trim().chars().take(300).collect();
            if let Some(key) = &self.key {
                body = body.replace(key.expose(), "[redacted]");
            }
            return Err(RemoteEmbedError::Status { url, status, body });
        }
        let malformed = |detail: String| RemoteEmbedError::Malformed {
            url: url.clone(),
            detail,
        };
        let value: Value =
            serde_json::from_str(&text).map_err(|e| malformed(format!("not JSON: {e}")))?;
        let vectors: Vec<Vec<f32>> = match self.setting.protocol {
            Protocol::Ollama => {
                let list = value
                    .get("embeddings")
                    .and_then(Value::as_array)
                    .ok_or_else(|| malformed("no \"embeddings\" list".into()))?;
                list.iter()
                    .map(|v| {
                        numbers(v).ok_or_else(|| {
                            malformed("an embedding is not a list of numbers".into())
                        })
                    })
                    .collect::<Result<_, _>>()?
            }
            Protocol::OpenAi => {
                let data = value
                    .get("data")
                    .and_then(Value::as_array)
                    .ok_or_else(|| malformed("no \"data\" list".into()))?;
                let mut out = vec![Vec::new(); data.len()];
                for (i, item) in data.iter().enumerate() {
                    // `index` gives the order; servers may answer out of order.
                    let at = item
                        .get("index")
                        .and_then(Value::as_u64)
                        .map_or(i, |n| n as usize);
                    let v = item
                        .get("embedding")
                        .and_then(numbers)
                        .ok_or_else(|| malformed("an embedding is not a list of numbers".into()))?;
                    *out.get_mut(at)
                        .ok_or_else(|| malformed(format!("index {at} out of range")))? = v;
                }
                out
            }
        };
        if vectors.len() != texts.len() {
            return Err(malformed(format!(
                "{} vectors for {} texts",
                vectors.len(),
                texts.len()
            )));
        }
        let dimension = vectors[0].len();
        if dimension == 0
            || vectors.iter().any(|v| v.len() != dimension)
            || (self.dimension != 0 && dimension != self.dimension)
        {
            return Err(malformed(format!(
                "vectors of unequal or changed length ({dimension}, expected {})",
                self.dimension
            )));
        }
        Ok(vectors.into_iter().map(unit).collect())
    }
}

fn numbers(v: &Value) -> Option<Vec<f32>> {
    v.as_array()?
        .iter()
        .map(|x| x.as_f64().map(|f| f as f32))
        .collect()
}

/// The index compares by cosine; unit vectors make that a dot product everywhere.
fn unit(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}

impl PassageEmbedder for RemoteEmbedder {
    fn dimension(&self) -> usize {
        self.dimension
    }

    fn embed_passages(
        &self,
        texts: &[String],
    ) -> Result<Vec<Vec<f32>>, Box<dyn std::error::Error + Send + Sync>> {
        let prefixed: Vec<String> = texts
            .iter()
            .map(|t| format!("{}{t}", self.setting.passage_prefix))
            .collect();
        Ok(self.call(&prefixed)?)
    }

    fn embed_query(
        &self,
        text: &str,
    ) -> Result<Vec<f32>, Box<dyn std::error::Error + Send + Sync>> {
        Ok(self.embed_queries(&[text])?.remove(0))
    }

    fn identity(&self) -> String {
        self.setting.identity()
    }
}
