//! `imprimatur check --only style` end to end: the bundled packs in a new workspace, the
//! demo's brand pack, house settings from `[style]`, and a broken rule file.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn imprimatur(ws: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_imprimatur"));
    c.arg("-w").arg(ws).env("IMPRIMATUR_AUTHOR", "anna");
    c
}

fn workspace(kind: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    Command::new(env!("CARGO_BIN_EXE_imprimatur"))
        .arg(kind)
        .arg(&ws)
        .assert()
        .success();
    (tmp, ws)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let f = dir.join(name);
    std::fs::write(&f, text).unwrap();
    f
}

#[test]
fn an_error_level_rule_prints_file_line_col_code_and_exits_3() {
    let (tmp, ws) = workspace("demo");
    let f = write(
        tmp.path(),
        "entwurf.md",
        "# Angebot\n\nWir berechnen die Heizlast für dein Haus.\n",
    );
    let out = imprimatur(&ws)
        .args(["check", "--only", "style"])
        .arg(&f)
        .assert()
        .code(3);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let want = format!("{}:3:32:WaermewerkAlbtal.Anrede:", f.display());
    assert!(text.lines().any(|l| l.starts_with(&want)), "{text}");
    assert!(text.contains("'dein'"), "{text}");
}

#[test]
fn warnings_exit_0_and_json_carries_the_fix() {
    let (tmp, ws) = workspace("init");
    let f = write(tmp.path(), "preis.md", "Sie erhalten 15% Rabatt.\n");
    let out = imprimatur(&ws)
        .args(["check", "--only", "style", "--json"])
        .arg(&f)
        .assert()
        .success();
    let report: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let f = findings
        .iter()
        .find(|f| f["code"] == "Klartext.Zahlenformat")
        .unwrap_or_else(|| panic!("{findings:?}"));
    assert_eq!(f["check"], "style");
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["span"]["column"], 14);
    assert_eq!(f["fix"]["edits"][0]["replacement"], "15 %");
}

#[test]
fn the_house_address_form_comes_from_the_style_section() {
    let (tmp, ws) = workspace("init");
    let f = write(
        tmp.path(),
        "du.md",
        "Wir beraten dich gern. Wir beraten Sie gern.\n",
    );
    // Default house style: "Sie". The du-form is the error.
    let out = imprimatur(&ws)
        .args(["check", "--only", "style"])
        .arg(&f)
        .assert()
        .code(3);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains(":1:13:Klartext.AnredeSie:") && !text.contains("AnredeDu"),
        "{text}"
    );
    let toml = std::fs::read_to_string(ws.join("imprimatur.toml")).unwrap();
    std::fs::write(
        ws.join("imprimatur.toml"),
        format!("{toml}\n[style]\naddress = \"du\"\n"),
    )
    .unwrap();
    let out = imprimatur(&ws)
        .args(["check", "--only", "style"])
        .arg(&f)
        .assert()
        .code(3);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains(":1:36:Klartext.AnredeDu:") && !text.contains("AnredeSie"),
        "{text}"
    );
}

#[test]
fn an_unknown_style_setting_names_its_line() {
    let (tmp, ws) = workspace("init");
    let toml = std::fs::read_to_string(ws.join("imprimatur.toml")).unwrap();
    let line = toml.lines().count() + 3;
    std::fs::write(
        ws.join("imprimatur.toml"),
        format!("{toml}\n[style]\nadress = \"du\"\n"),
    )
    .unwrap();
    let f = write(tmp.path(), "x.md", "Text.\n");
    let out = imprimatur(&ws).arg("check").arg(&f).assert().code(1);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("adress") && err.contains(&format!("line {line}")),
        "{err}"
    );
}

#[test]
fn a_broken_rule_file_is_an_error_finding_with_file_and_line() {
    let (tmp, ws) = workspace("init");
    write(
        &ws.join("styleguides/Klartext"),
        "Kaputt.yml",
        "extends: existence\nmessage: x\ntokens:\n  - a\n  b: c\n",
    );
    let f = write(tmp.path(), "x.md", "Text.\n");
    let out = imprimatur(&ws)
        .args(["check", "--only", "style"])
        .arg(&f)
        .assert()
        .code(3);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains(":style.yaml:"), "{text}");
    assert!(text.contains("Kaputt.yml:5:"), "{text}");
}
