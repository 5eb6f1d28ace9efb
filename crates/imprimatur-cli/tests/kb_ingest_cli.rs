//! `kb ingest` and `kb status` through the real binary on a demo workspace trimmed to two
//! sources plus a broken file (the real embedder runs, so it is kept small).

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn imprimatur(ws: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_imprimatur"));
    c.arg("-w").arg(ws);
    c
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
        let keep = ["foerderung.html", "unternehmen.txt"];
        if path.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        } else if !keep.iter().any(|k| path.ends_with(k)) {
            std::fs::remove_file(&path).unwrap();
        }
    }
    std::fs::write(knowledge.join("scan.pdf"), b"%PDF-1.7\n garbage").unwrap();
    (tmp, ws)
}

fn status(ws: &Path) -> serde_json::Value {
    let out = imprimatur(ws)
        .args(["--json", "kb", "status"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn ingest_lists_skipped_files_and_status_follows() {
    let (_tmp, ws) = demo();
    let before = status(&ws);
    assert_eq!(before["new"].as_array().unwrap().len(), 3, "{before}");

    let out = imprimatur(&ws).args(["kb", "ingest"]).assert().success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stdout.starts_with("3 files: 2 ingested"), "{stdout}");
    assert!(
        stdout.contains("error") && stdout.contains("scan.pdf"),
        "{stdout}"
    );
    assert!(
        stderr.contains("[2/3] scan.pdf"),
        "progress on stderr: {stderr}"
    );

    let after = status(&ws);
    assert!(after["new"].as_array().unwrap().is_empty());
    let sources = after["sources"].as_array().unwrap();
    let by_path = |p: &str| sources.iter().find(|s| s["path"] == p).unwrap().clone();
    assert_eq!(by_path("foerderung.html")["status"], "ok");
    assert!(by_path("unternehmen.txt")["chunks"].as_u64().unwrap() > 3);
    assert_eq!(by_path("scan.pdf")["status"], "error");

    let again = imprimatur(&ws).args(["kb", "ingest"]).assert().success();
    let stdout = String::from_utf8_lossy(&again.get_output().stdout).into_owned();
    assert!(
        stdout.contains("0 ingested (0 chunks") && stdout.contains("3 unchanged"),
        "{stdout}"
    );

    let hits = imprimatur(&ws)
        .args(["--json", "kb", "search", "Grundförderung", "--mode", "bm25"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let hits: serde_json::Value = serde_json::from_slice(&hits).unwrap();
    assert_eq!(hits["hits"][0]["path"], "foerderung.html", "{hits}");
}
