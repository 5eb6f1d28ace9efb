//! One streaming POST. ureq is blocking, so the request runs on a worker thread that
//! hands the response's lines over a channel; the caller's thread waits on the channel in
//! short slices, so a cancel is noticed within ~20 ms even while the server is silent.

use std::io::{BufRead, BufReader, Read};
use std::sync::mpsc::{sync_channel, RecvTimeoutError};
use std::time::{Duration, Instant};

use crate::error::ProviderError;
use crate::provider::Cancel;

/// Timeouts of one call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timeouts {
    pub connect: Duration,
    /// Longest silence allowed: until the response headers, and between two reads of the stream.
    pub idle: Duration,
    /// The whole call, so a server trickling bytes cannot hold it forever.
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            idle: Duration::from_secs(60),
            total: Duration::from_secs(600),
        }
    }
}

/// A header value that is a secret: never printed, and scrubbed from error bodies.
pub(crate) struct Header {
    pub name: &'static str,
    pub value: String,
    pub secret: bool,
}

impl std::fmt::Debug for Header {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let value = if self.secret {
            "[redacted]"
        } else {
            &self.value
        };
        write!(f, "{}: {}", self.name, value)
    }
}

pub(crate) fn agent(timeouts: &Timeouts, use_proxy: bool) -> ureq::Agent {
    let mut config = ureq::Agent::config_builder()
        .timeout_connect(Some(timeouts.connect))
        .timeout_recv_response(Some(timeouts.idle))
        .timeout_per_read(Some(timeouts.idle))
        .timeout_global(Some(timeouts.total))
        .http_status_as_error(false)
        .user_agent(concat!("imprimatur/", env!("CARGO_PKG_VERSION")));
    if !use_proxy {
        // A local model is reached directly even where HTTPS_PROXY is set for the cloud.
        config = config.proxy(None);
    }
    config.build().into()
}

enum Chunk {
    Line(String),
    Failed(ProviderError),
}

/// POSTs `body` as JSON and gives every line of a 200 response to `on_line` as it
/// arrives. `on_line` returns `false` to stop reading (the protocol's terminator was seen).
pub(crate) fn post_lines(
    agent: &ureq::Agent,
    url: &str,
    headers: Vec<Header>,
    body: Vec<u8>,
    timeouts: &Timeouts,
    cancel: &Cancel,
    on_line: &mut dyn FnMut(&str) -> Result<bool, ProviderError>,
) -> Result<(), ProviderError> {
    let (tx, rx) = sync_channel::<Chunk>(256);
    let agent = agent.clone();
    let worker_url = url.to_string();
    let secrets: Vec<String> = headers
        .iter()
        .filter(|h| h.secret)
        .map(|h| {
            h.value
                .strip_prefix("Bearer ")
                .unwrap_or(&h.value)
                .to_string()
        })
        .collect();
    let idle = timeouts.idle;
    std::thread::Builder::new()
        .name("imprimatur-http".into())
        .spawn(move || {
            let url = worker_url;
            let mut req = agent.post(&url).header("content-type", "application/json");
            for h in &headers {
                req = req.header(h.name, &h.value);
            }
            let resp = match req.send(&body[..]) {
                Ok(r) => r,
                Err(e) => {
                    let _ = tx.send(Chunk::Failed(transport(&url, e, idle)));
                    return;
                }
            };
            let status = resp.status().as_u16();
            if status != 200 {
                let retry_after = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                let mut text = String::new();
                let _ = resp
                    .into_body()
                    .into_reader()
                    .take(4096)
                    .read_to_string(&mut text);
                let _ = tx.send(Chunk::Failed(ProviderError::Status {
                    url,
                    status,
                    retry_after,
                    body: scrub(text.trim(), &secrets),
                }));
                return;
            }
            let mut reader = BufReader::new(resp.into_body().into_reader());
            let mut line = String::new();
            loop {
                line.clear();
                match reader.read_line(&mut line) {
                    Ok(0) => return, // end of body: the caller judges completeness
                    Ok(_) => {
                        if tx.send(Chunk::Line(line.clone())).is_err() {
                            return; // the caller stopped listening (cancel or terminator)
                        }
                    }
                    Err(e) => {
                        let err = match ureq_error(&e) {
                            Some(ureq::Error::Timeout(_)) => ProviderError::Timeout {
                                url: url.clone(),
                                phase: "waiting for the next chunk",
                                after: idle,
                            },
                            _ if e.kind() == std::io::ErrorKind::TimedOut => {
                                ProviderError::Timeout {
                                    url: url.clone(),
                                    phase: "waiting for the next chunk",
                                    after: idle,
                                }
                            }
                            // A reset or a chunked body cut short: the stream broke off.
                            _ => ProviderError::Truncated {
                                url: url.clone(),
                                received_chars: 0,
                            },
                        };
                        let _ = tx.send(Chunk::Failed(err));
                        return;
                    }
                }
            }
        })
        .map_err(|e| ProviderError::Connect {
            url: url.to_string(),
            message: format!("cannot start the request thread: {e}"),
        })?;

    let started = Instant::now();
    let mut last = Instant::now();
    loop {
        if cancel.is_cancelled() {
            return Err(ProviderError::Cancelled);
        }
        match rx.recv_timeout(Duration::from_millis(20)) {
            Ok(Chunk::Line(l)) => {
                last = Instant::now();
                if !on_line(&l)? {
                    return Ok(());
                }
            }
            Ok(Chunk::Failed(e)) => return Err(e),
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
            Err(RecvTimeoutError::Timeout) => {
                // A backstop for the worker's own timeouts (e.g. a stalled DNS lookup).
                let grace = Duration::from_millis(500);
                if last.elapsed() > timeouts.idle + timeouts.connect + grace
                    || started.elapsed() > timeouts.total + grace
                {
                    return Err(ProviderError::Timeout {
                        url: url.to_string(),
                        phase: "waiting for the server",
                        after: timeouts.idle,
                    });
                }
            }
        }
    }
}

fn ureq_error(e: &std::io::Error) -> Option<&ureq::Error> {
    e.get_ref().and_then(|i| i.downcast_ref::<ureq::Error>())
}

fn transport(url: &str, e: ureq::Error, idle: Duration) -> ProviderError {
    let url = url.to_string();
    match e {
        ureq::Error::Timeout(t) => ProviderError::Timeout {
            url,
            phase: match t {
                ureq::Timeout::Connect | ureq::Timeout::Resolve => "connecting",
                _ => "waiting for the response",
            },
            after: idle,
        },
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            ProviderError::Timeout {
                url,
                phase: "waiting for the response",
                after: idle,
            }
        }
        other => ProviderError::Connect {
            url,
            message: other.to_string(),
        },
    }
}

/// Removes every secret from text that came back from a server, in case it echoes the key.
pub(crate) fn scrub(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        if s.len() >= 4 {
            out = out.replace(s.as_str(), "[redacted]");
        }
    }
    out
}
