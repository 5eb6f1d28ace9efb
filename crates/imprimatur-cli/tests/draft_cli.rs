//! `draft --brief FILE` end to end through the binary: the demo workspace (knowledge
//! trimmed to two sources so that the real embedder ingests it quickly), the embedded
//! SmolLM2 routed for a confidential brief, brief → outline → draft. The draft must be
//! a new document whose revision has origin `ai` and full AI provenance, name its
//! brief, and carry at least one citation whose reference resolves to a real chunk of
//! the knowledge index; every model call is audited with the prompt template's id.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn imprimatur(ws: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_imprimatur"));
    c.arg("-w").arg(ws);
    c
}

fn json_of(c: &mut Command) -> serde_json::Value {
    let out = c.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).unwrap()
}

fn demo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    Command::new(env!("CARGO_BIN_EXE_imprimatur"))
        .arg("demo")
        .arg(&ws)
        .assert()
        .success();
    let knowledge = ws.join("knowledge");
    for entry in std::fs::read_dir(&knowledge).unwrap() {
        let path = entry.unwrap().path();
        let keep = ["preisliste-2026.md", "unternehmen.txt"];
        if path.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        } else if !keep.iter().any(|k| path.ends_with(k)) {
            std::fs::remove_file(&path).unwrap();
        }
    }
    let toml = ws.join("imprimatur.toml");
    let mut settings = std::fs::read_to_string(&toml).unwrap();
    if !settings.contains("[models]") {
        settings.push_str(
            "\n[models]\ndefault = [\"smol\"]\n[models.providers.smol]\npreset = \"embedded\"\n",
        );
    }
    std::fs::write(&toml, settings).unwrap();
    (tmp, ws)
}

const BRIEF: &str = r#"
template = "produktseite"
lang = "de"
title = "Was kostet die AlbAir 9?"
goal = "Leser:innen kennen den Preis der AlbAir 9 und wissen, wie sie ein Angebot bekommen."
audience = "Eigentümer:innen von Einfamilienhäusern, die eine Wärmepumpe planen"
search_intent = "commercial"
keyphrase = "AlbAir 9 Preis"
required_sources = ["knowledge/preisliste-2026.md"]
tone = "sachlich, freundlich"
address_form = "sie"
length_words = 60
call_to_action = "Angebot anfordern"
confidential = true
product = "AlbAir 9"
"#;

#[test]
fn a_brief_becomes_a_cited_ai_draft() {
    Command::new(env!("CARGO_BIN_EXE_imprimatur"))
        .args(["model", "install-llm"])
        .assert()
        .success();
    let (tmp, ws) = demo();
    imprimatur(&ws).args(["kb", "ingest"]).assert().success();

    // An incomplete brief is refused with the missing fields named.
    let incomplete = tmp.path().join("leer.toml");
    std::fs::write(
        &incomplete,
        "template = \"blogartikel\"\nkeyphrase = \"x\"\n",
    )
    .unwrap();
    let out = imprimatur(&ws)
        .args(["draft", "--brief"])
        .arg(&incomplete)
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(
        err.contains("`goal`") && err.contains("`length_words`"),
        "{err}"
    );

    let brief = tmp.path().join("albair-preis.toml");
    std::fs::write(&brief, BRIEF).unwrap();
    let started = std::time::Instant::now();
    let d = json_of(
        imprimatur(&ws)
            .args(["--json", "draft", "--brief"])
            .arg(&brief),
    );
    eprintln!("draft took {:.1} s", started.elapsed().as_secs_f64());
    let markdown = d["markdown"].as_str().unwrap();
    eprintln!("{markdown}");

    // A new document, revision 1, origin ai, all of it AI text.
    assert_eq!(d["revision"]["origin"], "ai");
    assert_eq!(d["revision"]["number"], 1);
    assert_eq!(d["provenance"]["ai_share"], 1.0);
    let doc = d["document"].as_str().unwrap();
    let log = json_of(imprimatur(&ws).args(["--json", "doc", "history", doc]));
    assert_eq!(log.as_array().unwrap().len(), 1, "{log}");

    // The brief is a versioned file document, and the draft names it.
    assert_eq!(d["brief"]["path"], "briefs/albair-preis.toml");
    assert!(ws.join("briefs/albair-preis.toml").is_file());
    let brief_id = d["brief"]["id"].as_str().unwrap();
    assert!(
        markdown.contains(&format!("brief: \"{brief_id}\"")),
        "{markdown}"
    );
    assert!(markdown.contains("confidential: true"));

    // At least one citation, and every one resolves to a chunk of the knowledge index.
    let citations = d["citations"].as_array().unwrap();
    assert!(!citations.is_empty(), "no citation in:\n{markdown}");
    let refs = d["references"].as_array().unwrap();
    let db = rusqlite::Connection::open(ws.join(".imprimatur/knowledge/index.sqlite3")).unwrap();
    for c in citations {
        let n = c["number"].as_u64().unwrap();
        assert!(
            refs.iter()
                .any(|r| r["number"] == n && r["source"] == c["source"]),
            "[{n}] has no reference definition"
        );
        let marker =
            &markdown[c["start"].as_u64().unwrap() as usize..c["end"].as_u64().unwrap() as usize];
        assert!(marker.contains(&format!("[{n}]")), "{marker}");
        let (path, start, end) = (
            c["source"]["path"].as_str().unwrap(),
            c["source"]["start"].as_i64().unwrap(),
            c["source"]["end"].as_i64().unwrap(),
        );
        let found: i64 = db
            .query_row(
                "SELECT count(*) FROM chunks WHERE path = ?1 AND start_offset = ?2 AND end_offset = ?3",
                rusqlite::params![path, start, end],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(found, 1, "{path} {start}..{end} is no chunk");
    }
    // The required source is among the cited ones.
    assert_eq!(d["missing_required"].as_array().unwrap().len(), 0, "{d}");

    // Every model call is in the audit chain, local, with the prompt template named.
    imprimatur(&ws).args(["audit", "verify"]).assert().success();
    let audit = json_of(imprimatur(&ws).args(["--json", "audit", "log"]));
    let calls: Vec<_> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "model.call")
        .collect();
    assert!(calls.len() >= 2, "outline and at least one section");
    let details: Vec<serde_json::Value> = calls
        .iter()
        .map(|e| serde_json::from_str(e["details"].as_str().unwrap()).unwrap())
        .collect();
    let templates: Vec<&str> = details
        .iter()
        .map(|d| d["template"]["id"].as_str().unwrap())
        .collect();
    assert!(
        templates.contains(&"draft-outline") && templates.contains(&"draft-section"),
        "{templates:?}"
    );
    for d in &details {
        assert_eq!(d["locality"], "local", "{d}");
        assert_eq!(d["confidential"], true, "{d}");
    }
}
