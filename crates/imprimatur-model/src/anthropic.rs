//! Anthropic Messages API (`POST {base}/v1/messages`, `stream: true`).
//!
//! Headers `x-api-key` and `anthropic-version: 2023-06-01`. The system prompt is a
//! top-level `system` field, not a message. The SSE stream names its events:
//! `message_start` (input token count), `content_block_start`, `content_block_delta`
//! (`text_delta`), `content_block_stop`, `message_delta` (`stop_reason`, output tokens),
//! `message_stop` (the end), `ping`, and `error`.

use serde_json::{json, Value};

use crate::error::ProviderError;
use crate::http::{self, Header, Timeouts};
use crate::keys::Secret;
use crate::openai::clip;
use crate::provider::{Cancel, ChatRequest, Completion, FinishReason, Provider, Role, Usage};
use crate::sse;

pub const API_VERSION: &str = "2023-06-01";

pub struct Anthropic {
    agent: ureq::Agent,
    url: String,
    key: Option<Secret>,
    timeouts: Timeouts,
}

impl std::fmt::Debug for Anthropic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Anthropic")
            .field("url", &self.url)
            .field("key", &self.key.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl Anthropic {
    pub fn new(
        base_url: &str,
        key: Option<Secret>,
        timeouts: Timeouts,
        use_proxy: bool,
    ) -> Anthropic {
        Anthropic {
            agent: http::agent(&timeouts, use_proxy),
            url: format!("{}/v1/messages", base_url.trim_end_matches('/')),
            key,
            timeouts,
        }
    }
}

pub(crate) fn body(request: &ChatRequest) -> Value {
    let system: Vec<&str> = request
        .messages
        .iter()
        .filter(|m| m.role == Role::System)
        .map(|m| m.content.as_str())
        .collect();
    let messages: Vec<Value> = request
        .messages
        .iter()
        .filter(|m| m.role != Role::System)
        .map(|m| json!({ "role": m.role.as_str(), "content": m.content }))
        .collect();
    let mut body = json!({
        "model": request.model,
        "max_tokens": request.params.max_tokens,
        "messages": messages,
        "stream": true,
        "temperature": request.params.temperature,
    });
    if !system.is_empty() {
        body["system"] = json!(system.join("\n\n"));
    }
    if !request.params.stop.is_empty() {
        body["stop_sequences"] = json!(request.params.stop);
    }
    body
}

struct State {
    url: String,
    text: String,
    usage: Usage,
    finish: Option<FinishReason>,
    stopped: bool,
}

impl http::EventStream for State {
    fn event(
        &mut self,
        ev: sse::Event,
        on_delta: &mut dyn FnMut(&str),
    ) -> Result<bool, ProviderError> {
        let v: Value = serde_json::from_str(&ev.data)
            .map_err(|e| self.malformed(format!("{e} in data {:?}", clip(&ev.data))))?;
        // The event name is in both the `event:` line and the data's `type`.
        let kind = ev
            .event
            .clone()
            .or_else(|| v["type"].as_str().map(str::to_string))
            .ok_or_else(|| self.malformed("an event without a type".into()))?;
        match kind.as_str() {
            "message_start" => {
                let u = &v["message"]["usage"];
                self.usage.input_tokens = u["input_tokens"].as_u64().unwrap_or(0) as u32;
                self.usage.output_tokens = u["output_tokens"].as_u64().unwrap_or(0) as u32;
            }
            "content_block_delta" => {
                let d = &v["delta"];
                if d["type"] == "text_delta" {
                    let t = d["text"]
                        .as_str()
                        .ok_or_else(|| self.malformed("a text_delta without text".into()))?;
                    self.text.push_str(t);
                    on_delta(t);
                }
            }
            "message_delta" => {
                if let Some(n) = v["usage"]["output_tokens"].as_u64() {
                    self.usage.output_tokens = n as u32;
                }
                match v["delta"]["stop_reason"].as_str() {
                    Some("max_tokens") => self.finish = Some(FinishReason::Length),
                    Some(_) => self.finish = Some(FinishReason::Stop),
                    None => {}
                }
            }
            "message_stop" => {
                self.stopped = true;
                return Ok(false);
            }
            "error" => {
                let kind = v["error"]["type"].as_str().unwrap_or("error");
                // overloaded_error is Anthropic's 529: worth the next model.
                let status = if kind == "overloaded_error" { 529 } else { 500 };
                return Err(ProviderError::Status {
                    url: self.url.clone(),
                    status,
                    retry_after: None,
                    body: format!(
                        "{kind}: {}",
                        clip(v["error"]["message"].as_str().unwrap_or(""))
                    ),
                });
            }
            "content_block_start" | "content_block_stop" | "ping" => {}
            _ => {} // new event types may be added; the API docs ask clients to ignore them
        }
        Ok(true)
    }
    fn ended(&self) -> bool {
        self.stopped
    }
    fn received_chars(&self) -> usize {
        self.text.chars().count()
    }
}

impl State {
    fn malformed(&self, message: String) -> ProviderError {
        ProviderError::Malformed {
            url: self.url.clone(),
            protocol: "Anthropic Messages SSE",
            message,
        }
    }
}

impl Provider for Anthropic {
    fn stream(
        &self,
        request: &ChatRequest,
        on_delta: &mut dyn FnMut(&str),
        cancel: &Cancel,
    ) -> Result<Completion, ProviderError> {
        let body = serde_json::to_vec(&body(request)).expect("a JSON value serialises");
        let mut headers = vec![Header {
            name: "anthropic-version",
            value: API_VERSION.to_string(),
            secret: false,
        }];
        if let Some(k) = &self.key {
            headers.push(Header {
                name: "x-api-key",
                value: k.expose().to_string(),
                secret: true,
            });
        }
        let mut st = State {
            url: self.url.clone(),
            text: String::new(),
            usage: Usage::default(),
            finish: None,
            stopped: false,
        };
        http::post_events(
            &self.agent,
            &self.url,
            headers,
            body,
            &self.timeouts,
            cancel,
            &mut st,
            on_delta,
        )?;
        // Only message_stop ends a message; without it the answer may be cut anywhere.
        if !st.stopped {
            return Err(ProviderError::Truncated {
                url: self.url.clone(),
                received_chars: st.text.chars().count(),
            });
        }
        Ok(Completion {
            text: st.text,
            usage: st.usage,
            finish: st.finish.unwrap_or(FinishReason::Stop),
        })
    }
}
