//! A real HTTP/1.1 server on a loopback port that plays the documented wire formats of
//! the OpenAI chat completions API and the Anthropic Messages API, including their SSE
//! streams, and records every request it receives.
//!
//! PROTOCOL STAND-INS: the cloud services are unreachable from this machine and no
//! llama.cpp-based server installs from a registry here, so these servers speak the
//! formats as the vendors document them (field names, event names, terminators, status
//! codes, Retry-After). The client under test is the real one, over real sockets.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("the client sent JSON")
    }
}

/// What the server does with one request.
pub enum Reply {
    /// 200 with `text/event-stream`, chunked; each string is written (and flushed) as
    /// one chunk, `delay` apart.
    Sse {
        events: Vec<String>,
        delay: Duration,
    },
    /// Writes these events, then closes the socket without ending the chunked body.
    SseThenDrop { events: Vec<String> },
    /// An error status with headers and a body.
    Status {
        code: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Reads the request and says nothing for this long.
    Stall(Duration),
}

pub struct Server {
    pub url: String,
    pub requests: Arc<Mutex<Vec<Recorded>>>,
    stop: Arc<AtomicBool>,
}

impl Server {
    /// Serves each connection with `reply(n, request)`, `n` counting from 0.
    pub fn start(reply: impl Fn(usize, &Recorded) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (reqs, stop2) = (requests.clone(), stop.clone());
        let reply = Arc::new(reply);
        let count = Arc::new(AtomicUsize::new(0));
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(conn) = conn else { continue };
                let (reqs, reply, count) = (reqs.clone(), reply.clone(), count.clone());
                std::thread::spawn(move || serve(conn, &reqs, &*reply, &count));
            }
        });
        Server {
            url,
            requests,
            stop,
        }
    }

    pub fn received(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
    }
}

fn serve(
    conn: TcpStream,
    reqs: &Mutex<Vec<Recorded>>,
    reply: &(dyn Fn(usize, &Recorded) -> Reply + Send + Sync),
    count: &AtomicUsize,
) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body).unwrap();
    let rec = Recorded {
        method,
        path,
        headers,
        body: String::from_utf8(body).unwrap(),
    };
    reqs.lock().unwrap().push(rec.clone());
    let n = count.fetch_add(1, Ordering::SeqCst);
    let mut out = conn;
    match reply(n, &rec) {
        Reply::Sse { events, delay } => {
            let _ = write!(
                out,
                "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
            );
            for e in events {
                if write!(out, "{:x}\r\n{e}\r\n", e.len()).is_err() {
                    return; // the client went away (cancel)
                }
                let _ = out.flush();
                std::thread::sleep(delay);
            }
            let _ = write!(out, "0\r\n\r\n");
        }
        Reply::SseThenDrop { events } => {
            let _ = write!(
                out,
                "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
            );
            for e in events {
                let _ = write!(out, "{:x}\r\n{e}\r\n", e.len());
            }
            let _ = out.flush();
            let _ = out.shutdown(std::net::Shutdown::Both);
        }
        Reply::Status {
            code,
            headers,
            body,
        } => {
            let mut h = String::new();
            for (k, v) in headers {
                h.push_str(&format!("{k}: {v}\r\n"));
            }
            let _ = write!(
                out,
                "HTTP/1.1 {code} Error\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n{h}\r\n{body}",
                body.len()
            );
        }
        Reply::Stall(d) => std::thread::sleep(d),
    }
}

/// OpenAI `chat.completion.chunk` events for `text` in pieces, a finish chunk, a usage
/// chunk (`stream_options.include_usage`) and `data: [DONE]`.
pub fn openai_events(pieces: &[&str], usage: Option<(u32, u32)>) -> Vec<String> {
    let chunk = |delta: Value, finish: Value| {
        let v = json!({
            "id": "chatcmpl-standin", "object": "chat.completion.chunk", "created": 1_795_500_000,
            "model": "gpt-4o-mini", "system_fingerprint": "fp_standin",
            "choices": [{ "index": 0, "delta": delta, "logprobs": null, "finish_reason": finish }]
        });
        format!("data: {v}\n\n")
    };
    let mut out = vec![chunk(
        json!({"role": "assistant", "content": ""}),
        Value::Null,
    )];
    for p in pieces {
        out.push(chunk(json!({ "content": p }), Value::Null));
    }
    out.push(chunk(json!({}), json!("stop")));
    if let Some((i, o)) = usage {
        let v = json!({
            "id": "chatcmpl-standin", "object": "chat.completion.chunk", "created": 1_795_500_000,
            "model": "gpt-4o-mini", "choices": [],
            "usage": { "prompt_tokens": i, "completion_tokens": o, "total_tokens": i + o }
        });
        out.push(format!("data: {v}\n\n"));
    }
    out.push("data: [DONE]\n\n".to_string());
    out
}

/// Anthropic Messages stream events for `text` in pieces.
pub fn anthropic_events(pieces: &[&str], input: u32, output: u32) -> Vec<String> {
    let ev = |name: &str, data: Value| format!("event: {name}\ndata: {data}\n\n");
    let mut out = vec![
        ev(
            "message_start",
            json!({"type": "message_start", "message": {
            "id": "msg_standin", "type": "message", "role": "assistant", "content": [],
            "model": "claude-3-5-haiku-latest", "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": input, "output_tokens": 1}}}),
        ),
        ev(
            "content_block_start",
            json!({"type": "content_block_start", "index": 0,
            "content_block": {"type": "text", "text": ""}}),
        ),
        ev("ping", json!({"type": "ping"})),
    ];
    for p in pieces {
        out.push(ev(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0,
                   "delta": {"type": "text_delta", "text": p}}),
        ));
    }
    out.push(ev(
        "content_block_stop",
        json!({"type": "content_block_stop", "index": 0}),
    ));
    out.push(ev(
        "message_delta",
        json!({"type": "message_delta",
        "delta": {"stop_reason": "end_turn", "stop_sequence": null},
        "usage": {"output_tokens": output}}),
    ));
    out.push(ev("message_stop", json!({"type": "message_stop"})));
    out
}

/// Splits `text` into pieces of about `n` characters (on char boundaries).
pub fn pieces(text: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(n).map(|c| c.iter().collect()).collect()
}

/// The content of the last user message the client sent (OpenAI or Anthropic body).
pub fn last_user(rec: &Recorded) -> String {
    let v = rec.json();
    v["messages"]
        .as_array()
        .and_then(|m| m.iter().rev().find(|m| m["role"] == "user"))
        .and_then(|m| m["content"].as_str())
        .unwrap_or("")
        .to_string()
}
