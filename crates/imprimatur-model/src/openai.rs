//! OpenAI-compatible chat completions (`POST {base}/chat/completions`, `stream: true`):
//! OpenAI, Azure OpenAI, Mistral, Ollama, LM Studio, llama.cpp server and vLLM.
//!
//! The stream is SSE; each `data:` is a `chat.completion.chunk` whose
//! `choices[0].delta.content` carries text, a chunk with `finish_reason` ends the answer,
//! and `data: [DONE]` ends the stream. With `stream_options.include_usage` a last chunk
//! with empty `choices` carries `usage`.

use serde_json::{json, Value};

use crate::config::{Auth, Preset};
use crate::error::ProviderError;
use crate::http::{self, Header, Timeouts};
use crate::keys::Secret;
use crate::provider::{Cancel, ChatRequest, Completion, FinishReason, Provider, Usage};
use crate::sse;
use crate::tokens;

pub struct OpenAiCompatible {
    agent: ureq::Agent,
    url: String,
    auth: Auth,
    key: Option<Secret>,
    timeouts: Timeouts,
}

impl std::fmt::Debug for OpenAiCompatible {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiCompatible")
            .field("url", &self.url)
            .field("key", &self.key.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl OpenAiCompatible {
    /// `base_url` is the API root (`https://api.openai.com/v1`); for Azure, the resource
    /// (`https://NAME.openai.azure.com`), with `deployment` and `api_version`.
    pub fn new(
        preset: Preset,
        base_url: &str,
        key: Option<Secret>,
        azure: Option<(&str, &str)>,
        timeouts: Timeouts,
        use_proxy: bool,
    ) -> OpenAiCompatible {
        let base = base_url.trim_end_matches('/');
        let url = match (preset, azure) {
            (Preset::Azure, Some((deployment, api_version))) => format!(
                "{base}/openai/deployments/{deployment}/chat/completions?api-version={api_version}"
            ),
            _ => format!("{base}/chat/completions"),
        };
        OpenAiCompatible {
            agent: http::agent(&timeouts, use_proxy),
            url,
            auth: preset.auth(),
            key,
            timeouts,
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    fn headers(&self) -> Vec<Header> {
        let Some(key) = &self.key else {
            return Vec::new();
        };
        match self.auth {
            Auth::None => Vec::new(),
            Auth::Bearer => vec![Header {
                name: "authorization",
                value: format!("Bearer {}", key.expose()),
                secret: true,
            }],
            Auth::ApiKey => vec![Header {
                name: "api-key",
                value: key.expose().to_string(),
                secret: true,
            }],
            Auth::XApiKey => vec![Header {
                name: "x-api-key",
                value: key.expose().to_string(),
                secret: true,
            }],
        }
    }
}

pub(crate) fn body(request: &ChatRequest) -> Value {
    let messages: Vec<Value> = request
        .messages
        .iter()
        .map(|m| json!({ "role": m.role.as_str(), "content": m.content }))
        .collect();
    let mut body = json!({
        "model": request.model,
        "messages": messages,
        "stream": true,
        "stream_options": { "include_usage": true },
        "max_tokens": request.params.max_tokens,
        "temperature": request.params.temperature,
    });
    if !request.params.stop.is_empty() {
        body["stop"] = json!(request.params.stop);
    }
    body
}

/// What the stream has said so far.
struct State {
    url: String,
    text: String,
    finish: Option<FinishReason>,
    usage: Option<Usage>,
    done: bool,
}

impl http::EventStream for State {
    /// Takes one event; `false` once the stream's terminator arrived.
    fn event(
        &mut self,
        ev: sse::Event,
        on_delta: &mut dyn FnMut(&str),
    ) -> Result<bool, ProviderError> {
        if ev.data == "[DONE]" {
            self.done = true;
            return Ok(false);
        }
        let v: Value = serde_json::from_str(&ev.data)
            .map_err(|e| self.malformed(format!("{e} in data {:?}", clip(&ev.data))))?;
        if let Some(err) = v.get("error") {
            return Err(ProviderError::Status {
                url: self.url.clone(),
                status: 500,
                retry_after: None,
                body: clip(&err.to_string()),
            });
        }
        if let Some(u) = v.get("usage").filter(|u| !u.is_null()) {
            self.usage = Some(Usage {
                input_tokens: u["prompt_tokens"].as_u64().unwrap_or(0) as u32,
                output_tokens: u["completion_tokens"].as_u64().unwrap_or(0) as u32,
                estimated: false,
            });
        }
        let Some(choices) = v.get("choices").and_then(Value::as_array) else {
            return Err(self.malformed(format!("a chunk without choices: {}", clip(&ev.data))));
        };
        if let Some(choice) = choices.first() {
            if let Some(t) = choice["delta"]["content"].as_str() {
                if !t.is_empty() {
                    self.text.push_str(t);
                    on_delta(t);
                }
            }
            match choice["finish_reason"].as_str() {
                Some("length") => self.finish = Some(FinishReason::Length),
                Some(_) => self.finish = Some(FinishReason::Stop),
                None => {}
            }
        }
        Ok(true)
    }
    fn ended(&self) -> bool {
        self.done
    }
    fn received_chars(&self) -> usize {
        self.text.chars().count()
    }
}

impl State {
    fn malformed(&self, message: String) -> ProviderError {
        ProviderError::Malformed {
            url: self.url.clone(),
            protocol: "OpenAI chat completion SSE",
            message,
        }
    }
}

impl Provider for OpenAiCompatible {
    fn stream(
        &self,
        request: &ChatRequest,
        on_delta: &mut dyn FnMut(&str),
        cancel: &Cancel,
    ) -> Result<Completion, ProviderError> {
        let body = serde_json::to_vec(&body(request)).expect("a JSON value serialises");
        let mut st = State {
            url: self.url.clone(),
            text: String::new(),
            finish: None,
            usage: None,
            done: false,
        };
        http::post_events(
            &self.agent,
            &self.url,
            self.headers(),
            body,
            &self.timeouts,
            cancel,
            &mut st,
            on_delta,
        )?;
        // [DONE] is the terminator; a server that omits it must at least have said why
        // the answer ended. Anything less is a stream that broke off.
        let finish = match (st.done, st.finish) {
            (_, Some(f)) => f,
            (true, None) => FinishReason::Stop,
            (false, None) => {
                return Err(ProviderError::Truncated {
                    url: self.url.clone(),
                    received_chars: st.text.chars().count(),
                })
            }
        };
        let usage = st
            .usage
            .unwrap_or_else(|| tokens::estimate_usage(&request.messages, &st.text));
        Ok(Completion {
            text: st.text,
            usage,
            finish,
        })
    }
}

pub(crate) fn clip(s: &str) -> String {
    s.chars().take(120).collect()
}
