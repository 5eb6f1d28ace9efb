//! Model routing in the real app window. In Settings, an OpenAI-compatible cloud
//! provider is added with an API key (stored in the OS keychain) and the embedded
//! SmolLM2 as the local model; the default chain is "cloud, then local". A selection in
//! a normal document is rewritten: the cloud endpoint receives it. The document is then
//! marked confidential and rewritten again: the cloud endpoint receives NOTHING, the
//! embedded model answers, and the ledger and audit log show the local provider.
//!
//! PROTOCOL STAND-IN: the real cloud is unreachable here, so the "cloud" is a small HTTP
//! server in this test that speaks OpenAI's chat-completions streaming format and
//! records every request. The app does not know: the preset is `openai`, which the
//! confidentiality gate always treats as cloud, whatever its base URL.
//!
//! Needs the OS keychain: it runs in `scripts/with-keyring.sh` (private D-Bus session
//! with GNOME Keyring, IMPRIMATUR_REQUIRE_KEYCHAIN=1), and is skipped with a message
//! elsewhere. Needs the embedded model (`imprimatur model install-llm`, done by setup).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use imprimatur_e2e::*;
use serde_json::json;

const ESCAPE: &str = "\u{E00C}";
const SELECT_ALL: &str = "\u{E009}a\u{E000}";
const KEY: &str = "sk-e2e-not-a-real-key-4711";
const CLOUD_ANSWER: &str = "Wir beraten Sie zu Wärmepumpen.";
const SENTENCE: &str = "Wir bieten Ihnen eine sehr umfassende und ausführliche Beratung rund um das Thema Wärmepumpen an.";

#[derive(Debug, Clone)]
struct Received {
    path: String,
    authorization: String,
    body: String,
}

/// The stand-in cloud: answers every POST with a fixed chat-completions stream.
fn stand_in() -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let (mut length, mut authorization) = (0usize, String::new());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let (k, v) = line.split_once(':').unwrap_or((&line, ""));
                match k.trim().to_ascii_lowercase().as_str() {
                    "content-length" => length = v.trim().parse().unwrap_or(0),
                    "authorization" => authorization = v.trim().to_string(),
                    _ => {}
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            seen.lock().unwrap().push(Received {
                path: request_line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("")
                    .to_string(),
                authorization,
                body: String::from_utf8_lossy(&body).into_owned(),
            });
            let chunk = |delta: serde_json::Value, finish: serde_json::Value| {
                json!({"id": "chatcmpl-e2e", "object": "chat.completion.chunk", "created": 0,
                       "model": "gpt-4o-mini",
                       "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
            };
            let events = [
                chunk(
                    json!({"role": "assistant", "content": "Wir beraten Sie "}),
                    json!(null),
                ),
                chunk(json!({"content": "zu Wärmepumpen."}), json!(null)),
                chunk(json!({}), json!("stop")),
                json!({"id": "chatcmpl-e2e", "object": "chat.completion.chunk", "created": 0,
                       "model": "gpt-4o-mini", "choices": [],
                       "usage": {"prompt_tokens": 120, "completion_tokens": 9, "total_tokens": 129}}),
            ];
            let mut out = String::from(
                "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n",
            );
            for e in events {
                out.push_str(&format!("data: {e}\n\n"));
            }
            out.push_str("data: [DONE]\n\n");
            let _ = conn.write_all(out.as_bytes());
            let _ = conn.flush();
        }
    });
    (url, log)
}

/// The installed SmolLM2 (the app runs with its own XDG_DATA_HOME, so give the path).
fn embedded_model() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from)?;
    let p = std::env::var_os("IMPRIMATUR_LLM")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            home.join(".local/share/imprimatur/models/SmolLM2-135M-Instruct.Q8_0.gguf")
        });
    p.is_file().then_some(p)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confidential_documents_are_rewritten_by_the_local_model_only() {
    if std::env::var_os("IMPRIMATUR_REQUIRE_KEYCHAIN").is_none() {
        eprintln!(
            "skipped: this test stores an API key in the OS keychain; it runs under \
             scripts/with-keyring.sh (see scripts/test.sh)"
        );
        return;
    }
    let model = embedded_model().expect(
        "the embedded model is installed (imprimatur model install-llm; IMPRIMATUR_LLM=FILE elsewhere)",
    );
    let (url, received) = stand_in();
    let app = App::launch().await;
    run(&app, &url, &received, &model).await;
    app.close("model-final").await;
}

async fn css(c: &Client, css: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(TIMEOUT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element {css}: {e}"))
}

async fn css_attr(c: &Client, selector: &str, name: &str) -> Option<String> {
    let v = c
        .execute(
            "const el = document.querySelector(arguments[0]); return el ? el.getAttribute(arguments[1]) : null;",
            vec![json!(selector), json!(name)],
        )
        .await
        .ok()?;
    v.as_str().map(str::to_owned)
}

async fn fill(c: &Client, testid: &str, value: &str) {
    let el = by_testid(c, testid).await;
    el.clear().await.unwrap();
    el.send_keys(value).await.unwrap();
}

async fn add_provider(c: &Client, preset: &str, fields: &[(&str, &str)], name: &str) {
    by_testid(c, "provider-add").await.click().await.unwrap();
    by_testid(c, "provider-preset")
        .await
        .select_by_value(preset)
        .await
        .unwrap();
    for (testid, value) in fields {
        fill(c, testid, value).await;
    }
    by_testid(c, "provider-save").await.click().await.unwrap();
    let row = format!("[data-testid='provider-row'][data-name='{name}']");
    wait_until(c, &format!("provider {name} in the list"), || async {
        css_attr(c, &row, "data-locality").await
    })
    .await;
}

/// Selects the whole document, runs `action` from the rewrite menu, waits for the answer
/// (the embedded model may take a while on a busy machine) and returns (model, locality).
async fn rewrite(c: &Client, action: &str) -> (String, String) {
    let content = css(c, "[data-testid='editor'] .cm-content").await;
    content.click().await.unwrap();
    content.send_keys(SELECT_ALL).await.unwrap();
    by_testid(c, "rewrite-button").await.click().await.unwrap();
    css(
        c,
        &format!("[data-testid='rewrite-action'][data-action='{action}']"),
    )
    .await
    .click()
    .await
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        match attr(c, "rewrite-preview", "data-state").await.as_deref() {
            Some("done") => break,
            Some("error") => panic!(
                "the rewrite failed: {:?}",
                text(c, "rewrite-error").await.unwrap_or_default()
            ),
            _ if Instant::now() > deadline => {
                screenshot(c, "model-timeout").await;
                panic!("no rewrite within 180 s");
            }
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    (
        attr(c, "rewrite-model", "data-model")
            .await
            .unwrap_or_default(),
        attr(c, "rewrite-model", "data-locality")
            .await
            .unwrap_or_default(),
    )
}

async fn run(app: &App, url: &str, received: &Arc<Mutex<Vec<Received>>>, model: &std::path::Path) {
    let c = &app.client;
    wait_until(c, "the demo workspace's name", || async {
        text(c, "workspace-name")
            .await
            .filter(|t| t.contains("Wärmewerk Albtal"))
    })
    .await;

    // Settings: a cloud provider (the stand-in) with its key, and the embedded model.
    by_testid(c, "settings-button").await.click().await.unwrap();
    wait_until(c, "the settings", || async {
        (attr(c, "settings-panel", "data-loaded").await? == "true").then_some(String::new())
    })
    .await;
    add_provider(
        c,
        "openai",
        &[
            ("provider-name", "standin"),
            ("provider-model", "gpt-4o-mini"),
            ("provider-base-url", url),
            ("provider-key-name", "openai-e2e"),
            ("provider-api-key", KEY),
        ],
        "standin",
    )
    .await;
    let cloud_row = "[data-testid='provider-row'][data-name='standin']";
    assert_eq!(
        css_attr(c, cloud_row, "data-locality").await.as_deref(),
        Some("cloud")
    );
    assert_eq!(
        css_attr(c, cloud_row, "data-key-state").await.as_deref(),
        Some("stored"),
        "the key is in the keychain"
    );
    add_provider(
        c,
        "embedded",
        &[
            ("provider-name", "lokal"),
            ("provider-path", &model.display().to_string()),
        ],
        "lokal",
    )
    .await;
    fill(c, "default-chain", "standin, lokal").await;
    by_testid(c, "default-chain-save")
        .await
        .click()
        .await
        .unwrap();
    let policy = |conf: bool| {
        format!("[data-testid='policy-row'][data-task='rewrite'][data-confidential='{conf}']")
    };
    wait_until(c, "the routing policy with both models", || async {
        (css_attr(c, &policy(false), "data-chain").await? == "standin,lokal")
            .then_some(String::new())
    })
    .await;
    assert_eq!(
        css_attr(c, &policy(true), "data-chain").await.as_deref(),
        Some("lokal"),
        "confidential rewrites may only go to the local model"
    );
    screenshot(c, "model-settings").await;
    by_testid(c, "default-chain")
        .await
        .send_keys(ESCAPE)
        .await
        .unwrap();
    wait_until(c, "the settings to close", || async {
        (count(c, "settings-panel").await == 0).then_some(String::new())
    })
    .await;

    // A normal document: the rewrite goes to the cloud stand-in.
    let content = new_document(c, "E2E Umschreiben").await;
    content.send_keys(SENTENCE).await.unwrap();
    let (model_name, locality) = rewrite(c, "shorter").await;
    assert_eq!(
        (model_name.as_str(), locality.as_str()),
        ("standin", "cloud")
    );
    {
        let got = received.lock().unwrap().clone();
        assert_eq!(got.len(), 1, "one call to the cloud: {got:?}");
        assert_eq!(got[0].path, "/v1/chat/completions");
        assert_eq!(
            got[0].authorization,
            format!("Bearer {KEY}"),
            "the key came from the keychain"
        );
        assert!(
            got[0].body.contains("umfassende und ausführliche Beratung"),
            "{}",
            got[0].body
        );
    }
    let preview = text(c, "rewrite-text").await.unwrap_or_default();
    assert!(
        preview.ends_with(CLOUD_ANSWER),
        "the preview should end with the stand-in's answer: {preview:?}"
    );
    by_testid(c, "rewrite-accept").await.click().await.unwrap();
    wait_until(c, "the rewrite in the editor", || async {
        let t = editor_text(c).await;
        t.contains(CLOUD_ANSWER).then_some(t)
    })
    .await;

    // Confidential: the front matter says so, the badge shows it, the cloud sees nothing.
    by_testid(c, "doc-confidential")
        .await
        .click()
        .await
        .unwrap();
    wait_until(c, "the confidential badge", || async {
        text(c, "confidential-badge").await
    })
    .await;
    assert!(editor_text(c).await.contains("confidential: true"));
    let (model_name, locality) = rewrite(c, "simpler").await;
    screenshot(c, "model-confidential").await;
    assert_eq!((model_name.as_str(), locality.as_str()), ("lokal", "local"));
    assert_eq!(
        received.lock().unwrap().len(),
        1,
        "the stand-in cloud received nothing for the confidential document"
    );
    by_testid(c, "rewrite-cancel").await.click().await.unwrap();

    // On record: the AI revision, both calls in the ledger, the key nowhere on disk.
    let root = app.demo_workspace();
    let ws = imprimatur_workspace::Workspace::open(&root).unwrap();
    let doc = ws
        .store()
        .documents()
        .unwrap()
        .into_iter()
        .find(|d| d.title == "E2E Umschreiben")
        .expect("the document");
    let history = ws.store().history(&doc.id).unwrap();
    assert!(
        history
            .iter()
            .any(|r| r.origin == imprimatur_workspace::store::Origin::Ai
                && r.message
                    .as_deref()
                    .is_some_and(|m| m.contains("rewrite@1"))),
        "the accepted rewrite is an ai revision naming the template: {history:?}"
    );
    let costs = ws
        .costs_overview(imprimatur_workspace::store::Timestamp::now())
        .unwrap();
    let localities: Vec<&str> = costs.months[0]
        .by_model
        .iter()
        .map(|m| m.locality.as_str())
        .collect();
    assert!(
        localities.contains(&"cloud") && localities.contains(&"local"),
        "{localities:?}"
    );
    let audit = ws.store().audit_log(0, 10_000).unwrap();
    let calls: Vec<&str> = audit
        .iter()
        .filter(|e| e.action.starts_with("model."))
        .map(|e| e.details.as_str())
        .collect();
    assert!(
        calls
            .iter()
            .any(|d| d.contains("\"confidential\":true") && d.contains("refused standin")),
        "the confidential call records why the cloud model was refused: {calls:?}"
    );
    for file in [
        root.join("imprimatur.toml"),
        root.join(".imprimatur/imprimatur.db"),
    ] {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(KEY),
            "the key is not in {}",
            file.display()
        );
    }
}
