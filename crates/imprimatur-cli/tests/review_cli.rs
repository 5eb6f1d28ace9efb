//! The review workflow through the `imprimatur` binary on the demo workspace, with the
//! signing keys in the OS keychain: an editor submits and exports a bundle, a second
//! person (a second key in the keychain) decides, the editor imports the decision and
//! publishes; `evidence verify` accepts the pack and rejects a tampered copy; a row
//! edited with the sqlite3 tool makes `audit verify` name the entry.
//!
//! scripts/test.sh runs this under scripts/with-keyring.sh (a private D-Bus session with
//! an unlocked GNOME Keyring, IMPRIMATUR_REQUIRE_KEYCHAIN=1). Elsewhere, without a
//! session bus, it says it was skipped and why.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

struct Demo {
    _tmp: tempfile::TempDir,
    ws: PathBuf,
    out: PathBuf,
    service: String,
}

impl Demo {
    fn cmd(&self, who: &str) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_imprimatur"));
        c.arg("-w")
            .arg(&self.ws)
            .arg("--author")
            .arg(who)
            .env("IMPRIMATUR_KEYCHAIN_SERVICE", &self.service);
        c
    }
    fn ok(&self, who: &str, args: &[&str]) -> String {
        let out = self
            .cmd(who)
            .args(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).unwrap()
    }
    fn json(&self, who: &str, args: &[&str]) -> serde_json::Value {
        let mut a = args.to_vec();
        a.push("--json");
        serde_json::from_str(&self.ok(who, &a)).unwrap()
    }
    /// Runs a command that must fail with `code`; returns stderr.
    fn refused(&self, who: &str, args: &[&str], code: i32) -> String {
        let out = self
            .cmd(who)
            .args(args)
            .assert()
            .code(code)
            .get_output()
            .stderr
            .clone();
        String::from_utf8(out).unwrap()
    }
}

fn demo_or_skip() -> Option<Demo> {
    let required = std::env::var_os("IMPRIMATUR_REQUIRE_KEYCHAIN").is_some();
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        assert!(
            !required,
            "IMPRIMATUR_REQUIRE_KEYCHAIN is set but there is no D-Bus session bus"
        );
        println!("SKIPPED: no D-Bus session bus, so no Secret Service; run under scripts/with-keyring.sh");
        return None;
    }
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("demo");
    let out = tmp.path().join("published");
    // A keychain service of its own, so the test never touches a user's real keys.
    let service = format!("imprimatur-test-review-{}", std::process::id());
    let d = Demo {
        _tmp: tmp,
        ws,
        out,
        service,
    };
    Command::new(env!("CARGO_BIN_EXE_imprimatur"))
        .args(["--author", "eva", "demo"])
        .arg(&d.ws)
        .assert()
        .success();
    let probe = d
        .cmd("ada")
        .args(["member", "add", "ada", "--role", "admin"])
        .output()
        .unwrap();
    if !probe.status.success() {
        let err = String::from_utf8_lossy(&probe.stderr);
        assert!(!required, "keychain: {err}");
        println!(
            "SKIPPED: the keychain is not usable here ({err}); run under scripts/with-keyring.sh"
        );
        return None;
    }
    Some(d)
}

fn sqlite3(db: &Path, sql: &str) {
    let st = std::process::Command::new("sqlite3")
        .arg(db)
        .arg(sql)
        .status()
        .expect("the sqlite3 tool");
    assert!(st.success(), "sqlite3 {sql}");
}

#[test]
fn editor_and_reviewer_on_the_demo_publish_a_pack_that_verifies_and_tampering_is_refused() {
    let Some(d) = demo_or_skip() else { return };
    // ada (admin) registers eva (editor) and rolf (reviewer); their key pairs are made in
    // this computer's keychain, so rolf's is a second key there.
    d.ok(
        "ada",
        &[
            "member",
            "add",
            "eva",
            "--name",
            "Eva Editor",
            "--role",
            "editor",
        ],
    );
    d.ok(
        "ada",
        &[
            "member",
            "add",
            "rolf",
            "--name",
            "Rolf Reviewer",
            "--role",
            "reviewer",
        ],
    );
    let members = d.json("ada", &["member", "list"]);
    assert_eq!(members.as_array().unwrap().len(), 3);
    // Nobody else may register members.
    let err = d.refused("eva", &["member", "add", "max", "--role", "admin"], 1);
    assert!(err.contains("admin role"), "{err}");

    let docs = d.json("eva", &["doc", "list"]);
    let id = docs[0]["id"].as_str().unwrap().to_string();
    let s = d.json("eva", &["review", "submit", &id]);
    assert_eq!(s["state"], "in_review");
    // Any blocking finding of the demo text is waived by the reviewer, with a reason.
    for b in s["blockers"].as_array().unwrap() {
        let code = b["finding"]["code"].as_str().unwrap();
        let start = b["finding"]["span"]["start"].to_string();
        d.ok(
            "rolf",
            &[
                "review",
                "waive",
                &id,
                code,
                &start,
                "--reason",
                "Im Demo-Text bewusst so belassen.",
            ],
        );
    }
    // The author cannot approve (eva has no reviewer role, and wrote the text).
    let err = d.refused("eva", &["review", "approve", &id], 1);
    assert!(err.contains("reviewer role"), "{err}");
    // Picking rolf's name without rolf's key is refused.
    let mut other = d.cmd("rolf");
    other.env(
        "IMPRIMATUR_KEYCHAIN_SERVICE",
        format!("{}-elsewhere", d.service),
    );
    let err = String::from_utf8(
        other
            .args(["review", "approve", &id])
            .assert()
            .code(1)
            .get_output()
            .stderr
            .clone(),
    )
    .unwrap();
    assert!(err.contains("not in this computer's keychain"), "{err}");

    // Between laptops: bundle out, decision back.
    let bundle = d.out.with_extension("bundle.json");
    let decision = d.out.with_extension("decision.json");
    std::fs::create_dir_all(d.out.parent().unwrap()).unwrap();
    d.ok(
        "eva",
        &[
            "review",
            "export-bundle",
            &id,
            "--out",
            bundle.to_str().unwrap(),
        ],
    );
    d.ok(
        "rolf",
        &[
            "review",
            "decide",
            bundle.to_str().unwrap(),
            "--approve",
            "--comment",
            "Freigegeben.",
            "--out",
            decision.to_str().unwrap(),
        ],
    );
    // An altered decision file is refused, and nothing is recorded.
    let text = std::fs::read_to_string(&decision).unwrap();
    let altered = d.out.with_extension("altered.json");
    std::fs::write(&altered, text.replace("Freigegeben.", "Freigegeben!")).unwrap();
    let err = d.refused(
        "eva",
        &["review", "import-decision", altered.to_str().unwrap()],
        1,
    );
    assert!(err.contains("signature does not verify"), "{err}");
    assert_eq!(
        d.json("eva", &["review", "status", &id])["state"],
        "in_review"
    );
    let rec = d.json(
        "eva",
        &["review", "import-decision", decision.to_str().unwrap()],
    );
    assert_eq!(rec["reviewer"], "rolf");
    assert_eq!(
        d.json("eva", &["review", "status", &id])["state"],
        "approved"
    );

    // Publish, and verify the pack offline.
    let p = d.json("eva", &["publish", &id, "--out", d.out.to_str().unwrap()]);
    let pack = PathBuf::from(p["evidence"].as_str().unwrap());
    let out = Command::new(env!("CARGO_BIN_EXE_imprimatur"))
        .args(["evidence", "verify"])
        .arg(&pack)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("evidence intact") && out.contains("approved by rolf"),
        "{out}"
    );
    assert!(out.contains("file matches"), "{out}");
    // A tampered copy: one word of the published revision's text changed inside the pack.
    let tampered_dir = d.out.join("tampered");
    std::fs::create_dir_all(&tampered_dir).unwrap();
    let tampered = tampered_dir.join("pack.evidence.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&pack).unwrap()).unwrap();
    let mut json = json;
    let content = json["payload"]["revisions"][0]["content"]
        .as_str()
        .unwrap()
        .to_string();
    json["payload"]["revisions"][0]["content"] =
        serde_json::Value::String(content.replacen('e', "a", 1));
    std::fs::write(&tampered, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
    let err = String::from_utf8(
        Command::new(env!("CARGO_BIN_EXE_imprimatur"))
            .args(["evidence", "verify"])
            .arg(&tampered)
            .assert()
            .code(3)
            .get_output()
            .stderr
            .clone(),
    )
    .unwrap();
    assert!(
        err.contains("refused") && err.contains("signature does not verify"),
        "{err}"
    );

    // A row edited with the sqlite3 tool: audit verify fails and names the entry.
    let entries = d.json("eva", &["audit", "log", "--limit", "10000"]);
    let seq = entries
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "review.approve")
        .unwrap()["seq"]
        .as_u64()
        .unwrap();
    let db = d.ws.join(".imprimatur/imprimatur.db");
    sqlite3(
        &db,
        &format!(
            "DROP TRIGGER audit_is_append_only; UPDATE audit SET actor = 'eva' WHERE seq = {seq};"
        ),
    );
    let err = d.refused("eva", &["audit", "verify"], 3);
    assert!(
        err.contains(&format!("audit entry {seq} was altered")),
        "{err}"
    );
}
