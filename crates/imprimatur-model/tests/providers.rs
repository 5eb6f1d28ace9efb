//! The OpenAI-compatible and Anthropic providers against real local HTTP servers that
//! play each documented wire format (see tests/common: PROTOCOL STAND-INS, the cloud is
//! unreachable here), and the faults: timeout, 500, 429 with Retry-After, malformed SSE,
//! a connection dropped mid-stream, a cancel. Each ends in a fallback or a clear error,
//! and partial text is never returned as an answer.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use imprimatur_model::*;
use imprimatur_store::{Store, Timestamp};

const NOW: Timestamp = Timestamp(1_795_501_105_000); // 2026-11-24

fn router(toml: &str) -> Router {
    let config = ModelsConfig::from_toml(toml).unwrap();
    let keys = KeyMap::new();
    keys.insert("openai", Secret::new("sk-test-0123456789"));
    keys.insert("anthropic", Secret::new("sk-ant-test-0123456789"));
    keys.insert("azure", Secret::new("azure-key-0123456789"));
    Router::new(config, Arc::new(keys)).with_backoff(Duration::from_millis(50))
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.db")).unwrap();
    (dir, store)
}

fn ask() -> Ask {
    let mut a = Ask::new(
        Task::Draft,
        vec![
            Message::system("Du schreibst für Wärmewerk Albtal."),
            Message::user("Schreibe einen Satz über Fernwärme."),
        ],
        "anna",
    );
    a.document = Some("doc-1".into());
    a.template = Some(("draft.article".into(), "3".into()));
    a.sources = vec!["kb:heizung.md#2".into()];
    a
}

/// Runs `ask` and collects what the stream callback saw.
fn run(
    r: &Router,
    store: &mut Store,
    a: &Ask,
) -> (Result<Answer, ModelError>, String, Vec<String>) {
    let mut shown = String::new();
    let mut discards = Vec::new();
    let res = r.ask(
        store,
        a,
        NOW,
        &mut |e| match e {
            Event::Delta(t) => shown.push_str(t),
            Event::Discard { model, reason } => {
                discards.push(format!("{model}: {reason}"));
                shown.clear();
            }
        },
        &Cancel::new(),
    );
    (res, shown, discards)
}

fn openai_model(name: &str, url: &str) -> String {
    format!(
        "[providers.{name}]\npreset = \"openai\"\nmodel = \"gpt-4o-mini\"\nkey = \"openai\"\nbase_url = \"{url}/v1\"\n"
    )
}

#[test]
fn openai_chat_completions_stream() {
    println!("protocol stand-in: a local server plays OpenAI's chat completions SSE (the cloud is unreachable here)");
    let server = Server::start(|_, _| Reply::Sse {
        events: openai_events(&["Fernwärme ", "kommt aus ", "dem Albtal."], Some((31, 7))),
        delay: Duration::from_millis(5),
    });
    let r = router(&format!(
        "default = [\"gpt\"]\n{}",
        openai_model("gpt", &server.url)
    ));
    let (_d, mut store) = store();
    let (res, shown, discards) = run(&r, &mut store, &ask());
    let a = res.unwrap();
    assert_eq!(a.text, "Fernwärme kommt aus dem Albtal.");
    assert_eq!(shown, a.text, "the stream showed exactly the answer");
    assert!(discards.is_empty());
    assert_eq!(
        (
            a.usage.input_tokens,
            a.usage.output_tokens,
            a.usage.estimated
        ),
        (31, 7, false)
    );
    // 31 × 0.15 + 7 × 0.60 = 8.85 micro-dollars
    assert_eq!(a.cost_micros, 9);
    assert_eq!(a.locality, "cloud");

    let got = server.received();
    assert_eq!(got.len(), 1);
    let req = &got[0];
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/v1/chat/completions")
    );
    assert_eq!(
        req.header("authorization"),
        Some("Bearer sk-test-0123456789")
    );
    let body = req.json();
    assert_eq!(body["model"], "gpt-4o-mini");
    assert_eq!(body["stream"], true);
    assert_eq!(body["stream_options"]["include_usage"], true);
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(
        body["messages"][1]["content"],
        "Schreibe einen Satz über Fernwärme."
    );

    // The call is in the ledger and the audit chain, with what the issue asks for.
    let log = store.audit_log(0, 10).unwrap();
    let e = log.iter().find(|e| e.action == "model.call").unwrap();
    assert_eq!(e.actor, "anna");
    assert_eq!(e.subject, "doc-1");
    let d: serde_json::Value = serde_json::from_str(&e.details).unwrap();
    assert_eq!(d["template"]["id"], "draft.article");
    assert_eq!(d["template"]["version"], "3");
    assert_eq!(d["prompt_hash"].as_str().unwrap().len(), 64);
    assert_eq!(d["preset"], "openai");
    assert_eq!(d["provider_model"], "gpt-4o-mini");
    assert_eq!(d["params"]["max_tokens"], 512);
    assert_eq!(d["sources"][0], "kb:heizung.md#2");
    assert_eq!(
        (d["input_tokens"].as_u64(), d["output_tokens"].as_u64()),
        (Some(31), Some(7))
    );
    assert_eq!(d["cost_micros"], 9);
    assert_eq!(d["price_table"], "2026-11");
    assert!(d["latency_ms"].is_u64());
    assert!(d["routing"][0]
        .as_str()
        .unwrap()
        .contains("default chain gpt"));
    assert!(
        !e.details.contains("Schreibe einen Satz"),
        "the audit keeps the prompt's hash, not its text"
    );
    assert!(store.verify_audit().unwrap().intact());
}

#[test]
fn anthropic_messages_stream() {
    println!("protocol stand-in: a local server plays Anthropic's Messages SSE events (the cloud is unreachable here)");
    let server = Server::start(|_, _| Reply::Sse {
        events: anthropic_events(&["Grüße ", "aus Ettlingen."], 25, 6),
        delay: Duration::from_millis(5),
    });
    let r = router(&format!(
        "default = [\"claude\"]\n[providers.claude]\npreset = \"anthropic\"\nmodel = \"claude-3-5-haiku-latest\"\nkey = \"anthropic\"\nbase_url = \"{}\"\n",
        server.url
    ));
    let (_d, mut store) = store();
    let (res, shown, _) = run(&r, &mut store, &ask());
    let a = res.unwrap();
    assert_eq!(a.text, "Grüße aus Ettlingen.");
    assert_eq!(shown, a.text);
    assert_eq!((a.usage.input_tokens, a.usage.output_tokens), (25, 6));
    assert_eq!(a.cost_micros, 44); // 25 × 0.80 + 6 × 4.00
    let req = &server.received()[0];
    assert_eq!(req.path, "/v1/messages");
    assert_eq!(req.header("x-api-key"), Some("sk-ant-test-0123456789"));
    assert_eq!(req.header("anthropic-version"), Some("2023-06-01"));
    assert!(req.header("authorization").is_none());
    let body = req.json();
    assert_eq!(body["system"], "Du schreibst für Wärmewerk Albtal.");
    assert_eq!(
        body["messages"].as_array().unwrap().len(),
        1,
        "the system prompt is not a message"
    );
    assert_eq!(body["max_tokens"], 512);
    assert_eq!(body["stream"], true);
}

#[test]
fn azure_deployment_url_and_api_key_header() {
    let server = Server::start(|_, _| Reply::Sse {
        events: openai_events(&["ok"], None),
        delay: Duration::ZERO,
    });
    let r = router(&format!(
        "default = [\"az\"]\n[providers.az]\npreset = \"azure\"\nmodel = \"gpt4o-prod\"\nkey = \"azure\"\nbase_url = \"{}\"\napi_version = \"2024-10-21\"\n",
        server.url
    ));
    let (_d, mut store) = store();
    let a = run(&r, &mut store, &ask()).0.unwrap();
    assert_eq!(a.text, "ok");
    assert!(
        a.usage.estimated,
        "no usage chunk: the counts are estimated"
    );
    let req = &server.received()[0];
    assert_eq!(
        req.path,
        "/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21"
    );
    assert_eq!(req.header("api-key"), Some("azure-key-0123456789"));
    assert!(req.header("authorization").is_none());
}

#[test]
fn local_presets_need_no_key_and_cost_nothing() {
    let server = Server::start(|_, _| Reply::Sse {
        events: openai_events(&["lokal"], Some((10, 1))),
        delay: Duration::ZERO,
    });
    for preset in ["ollama", "lmstudio", "llamacpp", "vllm"] {
        let r = router(&format!(
            "default = [\"m\"]\n[providers.m]\npreset = \"{preset}\"\nmodel = \"qwen2.5:7b\"\nbase_url = \"{}/v1\"\n",
            server.url
        ));
        let (_d, mut store) = store();
        let a = run(&r, &mut store, &ask()).0.unwrap();
        assert_eq!(
            (a.text.as_str(), a.locality.as_str(), a.cost_micros),
            ("lokal", "local", 0),
            "{preset}"
        );
    }
    for req in server.received() {
        assert_eq!(req.path, "/v1/chat/completions");
        assert!(req.header("authorization").is_none());
    }
}

fn two_models(first: &Server, second: &Server, extra: &str) -> Router {
    router(&format!(
        "default = [\"first\", \"second\"]\nretries = 1\nmax_retry_wait_secs = 3\ntimeout_secs = 1\n{extra}\n{}\n{}",
        openai_model("first", &first.url),
        openai_model("second", &second.url)
    ))
}

fn backup() -> Server {
    Server::start(|_, _| Reply::Sse {
        events: openai_events(&["Ersatz", "antwort"], Some((5, 2))),
        delay: Duration::ZERO,
    })
}

#[test]
fn a_timeout_falls_back_to_the_next_model() {
    let slow = Server::start(|_, _| Reply::Stall(Duration::from_secs(5)));
    let ok = backup();
    let r = two_models(&slow, &ok, "");
    let (_d, mut store) = store();
    let t = Instant::now();
    let (res, shown, _) = run(&r, &mut store, &ask());
    let a = res.unwrap();
    assert_eq!(a.text, "Ersatzantwort");
    assert_eq!(shown, "Ersatzantwort");
    assert_eq!(a.model, "second");
    // one retry of the slow model, each giving up after the 1 s timeout
    assert!(t.elapsed() < Duration::from_secs(4), "{:?}", t.elapsed());
    assert!(
        a.decisions
            .iter()
            .any(|d| d.contains("first failed (timeout)")),
        "{:?}",
        a.decisions
    );
}

#[test]
fn http_500_is_retried_then_falls_back() {
    let broken = Server::start(|_, _| Reply::Status {
        code: 500,
        headers: vec![],
        body: r#"{"error":{"message":"internal error","type":"server_error"}}"#.into(),
    });
    let ok = backup();
    let r = two_models(&broken, &ok, "");
    let (_d, mut store) = store();
    let a = run(&r, &mut store, &ask()).0.unwrap();
    assert_eq!(a.model, "second");
    assert_eq!(broken.received().len(), 2, "retries = 1: two tries");
    assert!(
        a.decisions.iter().any(|d| d.contains("retry 1")),
        "{:?}",
        a.decisions
    );
    // the failed tries are on record too, at no cost
    let failed: Vec<_> = store
        .audit_log(0, 20)
        .unwrap()
        .into_iter()
        .filter(|e| e.details.contains("\"outcome\":\"failed\""))
        .collect();
    assert_eq!(failed.len(), 2);
    assert!(failed[0].details.contains("HTTP 500"));
}

#[test]
fn http_429_waits_as_long_as_retry_after_says() {
    let limited = Server::start(|n, _| {
        if n == 0 {
            Reply::Status {
                code: 429,
                headers: vec![("Retry-After".into(), "1".into())],
                body: r#"{"error":{"message":"Rate limit reached","type":"requests"}}"#.into(),
            }
        } else {
            Reply::Sse {
                events: openai_events(&["nach der Pause"], None),
                delay: Duration::ZERO,
            }
        }
    });
    let ok = backup();
    let r = two_models(&limited, &ok, "");
    let (_d, mut store) = store();
    let t = Instant::now();
    let a = run(&r, &mut store, &ask()).0.unwrap();
    let waited = t.elapsed();
    assert_eq!(
        (a.model.as_str(), a.text.as_str()),
        ("first", "nach der Pause")
    );
    assert!(
        waited >= Duration::from_secs(1),
        "Retry-After: 1 was honoured ({waited:?})"
    );
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    assert!(
        a.decisions
            .iter()
            .any(|d| d.contains("retry 1 after 1000 ms")),
        "{:?}",
        a.decisions
    );
    assert!(ok.received().is_empty());
}

/// An IMF-fixdate (`Tue, 24 Nov 2026 10:00:30 GMT`) `secs_ahead` seconds from now.
fn http_date_in(secs_ahead: u64) -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + secs_ahead;
    let (days, rem) = ((t / 86_400) as i64, t % 86_400);
    // H. Hinnant's civil_from_days, written out independently of the crate's own.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let wd = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days.rem_euclid(7)) as usize];
    let mon = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(m - 1) as usize];
    format!(
        "{wd}, {d:02} {mon} {y} {:02}:{:02}:{:02} GMT",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[test]
fn http_429_with_retry_after_as_an_http_date() {
    let date = http_date_in(2);
    let limited = Server::start(move |n, _| {
        if n == 0 {
            Reply::Status {
                code: 429,
                headers: vec![("Retry-After".into(), date.clone())],
                body: r#"{"error":{"message":"Rate limit reached","type":"requests"}}"#.into(),
            }
        } else {
            Reply::Sse {
                events: openai_events(&["nach dem Datum"], None),
                delay: Duration::ZERO,
            }
        }
    });
    let ok = backup();
    let r = two_models(&limited, &ok, "");
    let (_d, mut store) = store();
    let t = Instant::now();
    let a = run(&r, &mut store, &ask()).0.unwrap();
    let waited = t.elapsed();
    assert_eq!(
        (a.model.as_str(), a.text.as_str()),
        ("first", "nach dem Datum")
    );
    // The date has whole seconds: 2 s ahead when sent is 1 to 2 s when read.
    assert!(
        waited >= Duration::from_millis(900),
        "the date was honoured ({waited:?})"
    );
    assert!(waited < Duration::from_secs(4), "{waited:?}");
    assert!(
        a.decisions.iter().any(|d| d.contains("retry 1 after")),
        "{:?}",
        a.decisions
    );
    assert!(ok.received().is_empty());
}

#[test]
fn http_429_with_a_long_retry_after_moves_on_at_once() {
    let limited = Server::start(|_, _| Reply::Status {
        code: 429,
        headers: vec![("Retry-After".into(), "120".into())],
        body: "{}".into(),
    });
    let ok = backup();
    let r = two_models(&limited, &ok, "");
    let (_d, mut store) = store();
    let t = Instant::now();
    let a = run(&r, &mut store, &ask()).0.unwrap();
    assert_eq!(a.model, "second");
    assert!(t.elapsed() < Duration::from_secs(2));
    assert_eq!(limited.received().len(), 1);
    assert!(
        a.decisions.iter().any(|d| d.contains("asks to wait 120 s")),
        "{:?}",
        a.decisions
    );
}

#[test]
fn malformed_sse_discards_the_partial_text_and_falls_back() {
    let bad = Server::start(|_, _| {
        let mut events = openai_events(&["Halb", "satz"], None);
        events.truncate(3); // role chunk and two text chunks
        events.push("data: {\"choices\": [{\"delta\": {\"content\": \"x\"}\n\n".into());
        Reply::Sse {
            events,
            delay: Duration::ZERO,
        }
    });
    let ok = backup();
    let r = two_models(&bad, &ok, "");
    let (_d, mut store) = store();
    let (res, shown, discards) = run(&r, &mut store, &ask());
    let a = res.unwrap();
    assert_eq!(a.text, "Ersatzantwort");
    assert_eq!(
        shown, "Ersatzantwort",
        "the partial 'Halbsatz' was discarded from the stream"
    );
    assert_eq!(discards.len(), 1);
    assert!(
        discards[0].contains("not valid OpenAI chat completion SSE"),
        "{discards:?}"
    );
    assert_eq!(bad.received().len(), 1, "a malformed stream is not retried");
}

#[test]
fn a_connection_dropped_mid_stream_is_never_an_answer() {
    // The socket closes inside the chunked body: a transport error.
    let dropping = Server::start(|_, _| {
        let mut events = openai_events(&["Die Fern", "wärme ist"], None);
        events.truncate(3);
        Reply::SseThenDrop { events }
    });
    // The body ends cleanly but the protocol's end never came: no finish_reason, no [DONE].
    let unfinished = Server::start(|_, _| {
        let mut events = openai_events(&["Die Fern", "wärme ist"], None);
        events.truncate(3);
        Reply::Sse {
            events,
            delay: Duration::ZERO,
        }
    });
    for server in [&dropping, &unfinished] {
        // alone: a clear error, and nothing in the ledger counts as an answer
        let r = router(&format!(
            "default = [\"only\"]\n{}",
            openai_model("only", &server.url)
        ));
        let (_d, mut store) = store();
        let (res, _, discards) = run(&r, &mut store, &ask());
        let err = res.unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("broke off") && msg.contains("partial text was discarded"),
            "{msg}"
        );
        assert_eq!(discards.len(), 1);
        assert!(store
            .audit_log(0, 10)
            .unwrap()
            .iter()
            .all(|e| !e.details.contains("\"outcome\":\"ok\"")));
        // in a chain: the next model answers
        let ok = backup();
        let r = two_models(server, &ok, "");
        let (res, shown, _) = run(&r, &mut store, &ask());
        assert_eq!(res.unwrap().text, "Ersatzantwort");
        assert_eq!(shown, "Ersatzantwort");
    }
}

#[test]
fn a_cancel_stops_the_stream_promptly() {
    let slow = Server::start(|_, _| Reply::Sse {
        events: openai_events(&["Wort "; 50], None),
        delay: Duration::from_millis(100),
    });
    let r = router(&format!(
        "default = [\"slow\"]\n{}",
        openai_model("slow", &slow.url)
    ));
    let (_d, mut store) = store();
    let cancel = Cancel::new();
    let c2 = cancel.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(350));
        c2.cancel();
    });
    let t = Instant::now();
    let mut shown = String::new();
    let res = r.ask(
        &mut store,
        &ask(),
        NOW,
        &mut |e| {
            if let Event::Delta(t) = e {
                shown.push_str(t)
            }
        },
        &cancel,
    );
    let err = res.unwrap_err();
    assert_eq!(err.code(), "model_cancelled");
    assert!(
        t.elapsed() < Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
    assert!(shown.starts_with("Wort ") && shown.len() < 50 * 5);
    let log = store.audit_log(0, 10).unwrap();
    assert!(log
        .iter()
        .any(|e| e.details.contains("\"outcome\":\"cancelled\"")));
}

#[test]
fn a_refused_key_is_a_clear_error_that_never_shows_the_key() {
    let server = Server::start(|_, _| {
        Reply::Status {
        code: 401,
        headers: vec![],
        body: r#"{"error":{"message":"Incorrect API key provided: sk-test-0123456789.","type":"invalid_request_error"}}"#.into(),
    }
    });
    let ok = backup();
    let r = two_models(&server, &ok, "");
    let (_d, mut store) = store();
    let err = run(&r, &mut store, &ask()).0.unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("HTTP 401") && msg.contains("[redacted]"),
        "{msg}"
    );
    assert!(!msg.contains("sk-test-0123456789"), "{msg}");
    assert!(!format!("{err:?}").contains("sk-test-0123456789"));
    assert!(
        ok.received().is_empty(),
        "a refused key is not a reason to try the next model"
    );
    for e in store.audit_log(0, 10).unwrap() {
        assert!(!e.details.contains("sk-test-0123456789"), "{}", e.details);
    }
}

#[test]
fn a_missing_key_names_the_key_and_falls_back() {
    let cloud = Server::start(|_, _| Reply::Sse {
        events: openai_events(&["x"], None),
        delay: Duration::ZERO,
    });
    let ok = backup();
    let r = router(&format!(
        "default = [\"nokey\", \"second\"]\n[providers.nokey]\npreset = \"mistral\"\nmodel = \"mistral-small-latest\"\nkey = \"mistral-prod\"\nbase_url = \"{}/v1\"\n{}",
        cloud.url,
        openai_model("second", &ok.url)
    ));
    let (_d, mut store) = store();
    let a = run(&r, &mut store, &ask()).0.unwrap();
    assert_eq!(a.model, "second");
    assert!(
        a.decisions
            .iter()
            .any(|d| d.contains("no key named \"mistral-prod\"")),
        "{:?}",
        a.decisions
    );
    assert!(cloud.received().is_empty());
}
