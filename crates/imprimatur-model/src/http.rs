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

/// A provider's reading of one server-sent-event stream: what it makes of each event,
/// whether its protocol's end was seen, and how much text it has so far (for the message
/// of a stream that broke off).
pub(crate) trait EventStream {
    /// Returns `false` when the event ends the stream.
    fn event(
        &mut self,
        ev: crate::sse::Event,
        on_delta: &mut dyn FnMut(&str),
    ) -> Result<bool, ProviderError>;
    fn ended(&self) -> bool;
    fn received_chars(&self) -> usize;
}

/// POSTs `body` and feeds the response's server-sent events to `stream`, including an
/// event the server left without its closing blank line. A cut connection is reported
/// with the number of characters already received.
// The request's parts as `post_lines` takes them, plus the reader and its sink.
#[allow(clippy::too_many_arguments)]
pub(crate) fn post_events(
    agent: &ureq::Agent,
    url: &str,
    headers: Vec<Header>,
    body: Vec<u8>,
    timeouts: &Timeouts,
    cancel: &Cancel,
    stream: &mut dyn EventStream,
    on_delta: &mut dyn FnMut(&str),
) -> Result<(), ProviderError> {
    let mut parser = crate::sse::Parser::default();
    let result = post_lines(
        agent,
        url,
        headers,
        body,
        timeouts,
        cancel,
        &mut |line| match parser.line(line) {
            Some(ev) => stream.event(ev, on_delta),
            None => Ok(true),
        },
    );
    if let Err(e) = result {
        return Err(match e {
            ProviderError::Truncated { url, .. } => ProviderError::Truncated {
                url,
                received_chars: stream.received_chars(),
            },
            e => e,
        });
    }
    if let Some(ev) = parser.flush() {
        if !stream.ended() {
            stream.event(ev, on_delta)?;
        }
    }
    Ok(())
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
                    .and_then(|v| parse_retry_after(v, std::time::SystemTime::now()));
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

/// `Retry-After` is either a number of seconds or an HTTP date (RFC 9110 §10.2.3: the
/// IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient must accept). A
/// date in the past means "now"; anything else unreadable is ignored.
pub fn parse_retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = parse_http_date(value)?;
    let now = now.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs() as i64;
    Some(Duration::from_secs(at.saturating_sub(now).max(0) as u64))
}

/// An HTTP date → seconds since 1970 (UTC).
fn parse_http_date(s: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let month = |m: &str| {
        MONTHS
            .iter()
            .position(|x| x.eq_ignore_ascii_case(m))
            .map(|i| i as u32 + 1)
    };
    let parts: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',' || c == '-')
        .filter(|p| !p.is_empty())
        .collect();
    let (day, mon, year, time) = match parts.as_slice() {
        // Sun, 06 Nov 1994 08:49:37 GMT  /  Sunday, 06-Nov-94 08:49:37 GMT
        [_, d, m, y, t, "GMT"] => {
            let mut y: i64 = y.parse().ok()?;
            if y < 100 {
                // RFC 9110: a two-digit year more than 50 years ahead is in the past century.
                y += if y < 70 { 2000 } else { 1900 };
            }
            (d.parse::<u32>().ok()?, month(m)?, y, *t)
        }
        // Sun Nov  6 08:49:37 1994
        [_, m, d, t, y] => (d.parse().ok()?, month(m)?, y.parse().ok()?, *t),
        _ => return None,
    };
    let hms: Vec<i64> = time
        .split(':')
        .map(|x| x.parse().ok())
        .collect::<Option<_>>()?;
    let [h, mi, se] = hms.as_slice() else {
        return None;
    };
    if !(1..=31).contains(&day) || *h > 23 || *mi > 59 || *se > 60 {
        return None;
    }
    let days = crate::ledger::days_from_civil(year, mon, day);
    Some(days * 86_400 + h * 3600 + mi * 60 + se)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{SystemTime, UNIX_EPOCH};

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn retry_after_seconds_and_http_dates() {
        // 1994-11-06T08:49:37Z is 784111777 s after the epoch.
        let now = at(784_111_777 - 90);
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        for date in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(
                parse_retry_after(date, now),
                Some(Duration::from_secs(90)),
                "{date}"
            );
        }
        // A date in the past: retry now.
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", at(784_111_777 + 5)),
            Some(Duration::ZERO)
        );
        // 2026-11-24T10:00:00Z, a leap-year-spanning date far from the 1994 example.
        assert_eq!(
            parse_retry_after("Tue, 24 Nov 2026 10:00:30 GMT", at(1_795_514_400)),
            Some(Duration::from_secs(30))
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(
            parse_retry_after("Sun, 06 Foo 1994 08:49:37 GMT", now),
            None
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 25:49:37 GMT", now),
            None
        );
    }
}
