//! Remote embedders, end to end: the demo knowledge is ingested through an HTTP
//! embedding endpoint and the price list is found by its vectors.
//!
//! STAND-IN: Ollama cannot be installed on this machine and no OpenAI key is at hand, so
//! the endpoints are real local HTTP servers (a TCP listener in this test) that speak
//! Ollama's documented `POST /api/embed` protocol and OpenAI's `POST /v1/embeddings`
//! protocol, and compute the vectors with the real multilingual-e5-small model (the
//! client adds e5's `query: ` / `passage: ` prefixes through the settings, as a user
//! would for an e5 model served by Ollama). Everything on the client side — settings,
//! keychain lookup (an in-memory key source standing in for the OS keychain), HTTP,
//! JSON, ingestion, the index's embedder record — is the production code.

mod ingest_common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use imprimatur_embed::{Embedder, TextKind};
use imprimatur_knowledge::pipeline::{Ingestion, PassageEmbedder};
use imprimatur_knowledge::remote::{RemoteEmbedError, RemoteEmbedder};
use imprimatur_knowledge::settings::{embedder_setting, EmbedderSetting};
use imprimatur_knowledge::{KnowledgeBase, SearchMode, SearchQuery, LOCAL_EMBEDDER};
use imprimatur_model::{KeyMap, Secret};
use serde_json::{json, Value};

const KEY: &str = "sk-test-embeddings";

/// One HTTP/1.1 request: (method, path, authorization header, body).
fn read_request(stream: &TcpStream) -> Option<(String, String, Option<String>, Vec<u8>)> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_string(), parts.next()?.to_string());
    let (mut length, mut auth) = (0usize, None);
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().ok()?,
            "authorization" => auth = Some(value.trim().to_string()),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((method, path, auth, body))
}

fn respond(mut stream: TcpStream, status: u16, body: &Value) {
    let text = body.to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
        text.len()
    );
}

/// A local embedding server on a free port; `openai` picks the protocol. Returns its
/// base URL as the settings want it (Ollama: the server; OpenAI: the API root).
fn serve(embedder: Arc<Embedder>, openai: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let Some((method, path, auth, body)) = read_request(&stream) else {
                continue;
            };
            let expected = if openai {
                "/v1/embeddings"
            } else {
                "/api/embed"
            };
            if method != "POST" || path != expected {
                respond(stream, 404, &json!({ "error": "not found" }));
                continue;
            }
            if openai && auth.as_deref() != Some(&format!("Bearer {KEY}")) {
                respond(
                    stream,
                    401,
                    &json!({ "error": { "message": "Incorrect API key" } }),
                );
                continue;
            }
            let request: Value = serde_json::from_slice(&body).unwrap();
            let inputs: Vec<String> = match &request["input"] {
                Value::String(s) => vec![s.clone()],
                Value::Array(a) => a.iter().map(|v| v.as_str().unwrap().to_string()).collect(),
                _ => Vec::new(),
            };
            // The texts arrive prefixed by the client; embed them as they are.
            let vectors = embedder.embed(TextKind::Raw, &inputs).unwrap();
            let model = request["model"].clone();
            let answer = if openai {
                let data: Vec<Value> = vectors
                    .iter()
                    .enumerate()
                    .map(|(i, v)| json!({ "object": "embedding", "index": i, "embedding": v }))
                    // Out of order on purpose: the client must follow `index`.
                    .rev()
                    .collect();
                json!({ "object": "list", "data": data, "model": model,
                        "usage": { "prompt_tokens": 0, "total_tokens": 0 } })
            } else {
                json!({ "model": model, "embeddings": vectors })
            };
            respond(stream, 200, &answer);
        }
    });
    if openai {
        format!("http://127.0.0.1:{port}/v1")
    } else {
        format!("http://127.0.0.1:{port}")
    }
}

fn setting(toml_text: &str) -> EmbedderSetting {
    let table: toml::Table = toml::from_str(toml_text).unwrap();
    embedder_setting(table.get("knowledge").and_then(|v| v.as_table())).unwrap()
}

fn remote(setting: EmbedderSetting, keys: &KeyMap) -> Result<RemoteEmbedder, RemoteEmbedError> {
    let EmbedderSetting::Remote(r) = setting else {
        panic!("expected a remote embedder setting")
    };
    RemoteEmbedder::connect(r, keys)
}

/// Ingests the demo knowledge through `embedder` into a fresh index and asks for the
/// price of a maintenance contract by vectors alone (dense mode).
fn ingest_and_find_the_price_list(embedder: &RemoteEmbedder) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let knowledge = dir.path().join("knowledge");
    ingest_common::copy_dir(&ingest_common::demo_knowledge(), &knowledge);
    let index = dir.path().join("index");
    let kb = KnowledgeBase::open_for(&index, &embedder.identity(), embedder.dimension()).unwrap();
    let kb = Mutex::new(kb);
    let report = Ingestion::new(&knowledge, Some(embedder as &dyn PassageEmbedder))
        .run(&kb, SystemTime::now(), &AtomicBool::new(false), &mut |_| {})
        .unwrap();
    assert!(report.chunks > 10, "{report:?}");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let query = embedder
        .embed_query("Was kostet der Wartungsvertrag Basis?")
        .unwrap();
    let kb = kb.into_inner().unwrap();
    let hits = kb
        .search(
            &SearchQuery::new("Was kostet der Wartungsvertrag Basis?")
                .mode(SearchMode::Dense)
                .limit(3),
            Some(&query),
        )
        .unwrap();
    let paths: Vec<&str> = hits.iter().map(|h| h.path.as_str()).collect();
    println!(
        "dense top 3 through {}: {paths:?}",
        embedder.setting().endpoint()
    );
    assert!(paths.contains(&"preisliste-2026.md"), "{paths:?}");
    assert_eq!(
        kb.embedder().unwrap().as_deref(),
        Some(embedder.identity().as_str())
    );
    dir
}

#[test]
fn ollama_protocol_ingests_the_demo_and_finds_the_price_list() {
    let url = serve(ingest_common::embedder(), false);
    let s = setting(&format!(
        "[knowledge]\nembedder = \"ollama\"\nembedder_url = \"{url}\"\nembedder_model = \"e5-small\"\n\
         query_prefix = \"query: \"\npassage_prefix = \"passage: \"\n"
    ));
    let embedder = remote(s, &KeyMap::new()).unwrap();
    assert_eq!(embedder.dimension(), 384);
    let dir = ingest_and_find_the_price_list(&embedder);

    // The local model may not add its vectors to this index: a clear refusal that says
    // to re-ingest.
    let err = KnowledgeBase::open_for(&dir.path().join("index"), LOCAL_EMBEDDER, 384).unwrap_err();
    assert_eq!(err.code(), "knowledge_embedder_mismatch");
    assert!(err.to_string().contains("re-ingest"), "{err}");
}

#[test]
fn openai_protocol_with_a_key_from_the_key_source() {
    let url = serve(ingest_common::embedder(), true);
    let s = setting(&format!(
        "[knowledge]\nembedder = \"openai\"\nembedder_url = \"{url}\"\n\
         embedder_model = \"text-embedding-e5\"\nembedder_key = \"embed-test\"\n\
         query_prefix = \"query: \"\npassage_prefix = \"passage: \"\n"
    ));
    // Without the key in the keychain: the error names the key and how to store it.
    let err = remote(s.clone(), &KeyMap::new()).unwrap_err();
    assert_eq!(err.code(), "embedder_key");
    assert!(
        err.to_string().contains("model key set embed-test"),
        "{err}"
    );
    // A wrong key: the server's refusal, with the URL.
    let wrong = KeyMap::new();
    wrong.insert("embed-test", Secret::new("sk-wrong"));
    let err = remote(s.clone(), &wrong).unwrap_err();
    assert!(
        matches!(err, RemoteEmbedError::Status { status: 401, .. }),
        "{err}"
    );
    assert!(!err.to_string().contains("sk-wrong"));
    let keys = KeyMap::new();
    keys.insert("embed-test", Secret::new(KEY));
    let embedder = remote(s, &keys).unwrap();
    ingest_and_find_the_price_list(&embedder);
}

/// The endpoint goes away in the middle of the work: the pass fails with the URL and
/// what is indexed stays searchable.
#[test]
fn an_unreachable_endpoint_is_a_clear_error_and_nothing_is_lost() {
    // A port that was free a moment ago: nothing listens there.
    let dead = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://127.0.0.1:{}", l.local_addr().unwrap().port())
    };
    let s = setting(&format!(
        "[knowledge]\nembedder = \"ollama\"\nembedder_url = \"{dead}\"\nembedder_model = \"m\"\n"
    ));
    let err = remote(s, &KeyMap::new()).unwrap_err();
    assert_eq!(err.code(), "embedder_unreachable");
    assert!(
        err.to_string().contains(&format!("{dead}/api/embed")),
        "{err}"
    );

    // A server that answers the probe, then an index with the demo, then a server
    // that is gone while a changed file is ingested.
    let url = serve(ingest_common::embedder(), false);
    let s = setting(&format!(
        "[knowledge]\nembedder = \"ollama\"\nembedder_url = \"{url}\"\nembedder_model = \"e5\"\n\
         query_prefix = \"query: \"\npassage_prefix = \"passage: \"\n"
    ));
    let embedder = remote(s.clone(), &KeyMap::new()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let knowledge = dir.path().join("knowledge");
    std::fs::create_dir_all(&knowledge).unwrap();
    std::fs::write(
        knowledge.join("a.md"),
        "# Tarif\n\nDer Grundpreis beträgt 12 Euro.\n",
    )
    .unwrap();
    let kb = Mutex::new(
        KnowledgeBase::open_for(&dir.path().join("index"), &embedder.identity(), 384).unwrap(),
    );
    let run = |e: &RemoteEmbedder| {
        Ingestion::new(&knowledge, Some(e as &dyn PassageEmbedder)).run(
            &kb,
            SystemTime::now(),
            &AtomicBool::new(false),
            &mut |_| {},
        )
    };
    run(&embedder).unwrap();
    let EmbedderSetting::Remote(mut gone) = s else {
        unreachable!()
    };
    gone.url = dead.clone();
    // Same identity, dead address (e.g. the server was stopped after the probe).
    let stale = RemoteEmbedder::connect(gone.clone(), &KeyMap::new());
    assert!(stale.is_err());
    std::fs::write(
        knowledge.join("a.md"),
        "# Tarif\n\nDer Grundpreis beträgt 15 Euro.\n",
    )
    .unwrap();
    let broken = BrokenEmbedder(gone);
    let err = Ingestion::new(&knowledge, Some(&broken as &dyn PassageEmbedder))
        .run(&kb, SystemTime::now(), &AtomicBool::new(false), &mut |_| {})
        .unwrap_err();
    assert!(err.to_string().contains(&dead), "{err}");
    let hits = kb
        .lock()
        .unwrap()
        .search(&SearchQuery::new("Grundpreis").mode(SearchMode::Bm25), None)
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert!(
        hits[0].text.contains("12 Euro"),
        "the old version stays: {}",
        hits[0].text
    );
}

/// The production client's call against an address where nothing listens, under the
/// identity of the working server (what a stopped Ollama looks like mid-ingestion).
struct BrokenEmbedder(imprimatur_knowledge::remote::RemoteSetting);

impl PassageEmbedder for BrokenEmbedder {
    fn dimension(&self) -> usize {
        384
    }

    fn embed_passages(
        &self,
        _texts: &[String],
    ) -> Result<Vec<Vec<f32>>, Box<dyn std::error::Error + Send + Sync>> {
        Err(RemoteEmbedder::connect(self.0.clone(), &KeyMap::new())
            .expect_err("nothing listens there")
            .into())
    }

    fn identity(&self) -> String {
        self.0.identity()
    }
}
