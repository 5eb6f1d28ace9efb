//! `imprimatur check --only seo` end to end: the SEO and readability assessments through
//! the real binary, on the demo workspace and on corpus texts.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn demo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    Command::new(env!("CARGO_BIN_EXE_imprimatur"))
        .arg("demo")
        .arg(&ws)
        .assert()
        .success();
    (tmp, ws)
}

fn check_json(ws: &Path, file: &Path) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_imprimatur"))
        .arg("-w")
        .arg(ws)
        .args(["check"])
        .arg(file)
        .args(["--only", "seo", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

fn codes(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_demo_article_gets_seo_and_readability_scores() {
    let (_tmp, ws) = demo();
    let file = root().join("demo/documents/waermepumpe-im-altbau.md");
    let report = check_json(&ws, &file);
    let scores = &report["scores"];
    for key in [
        "seo",
        "readability",
        "seo.keyphrase_density",
        "seo.keyphrase_in_title",
        "readability.passive_voice",
        "readability.flesch_reading_ease.value",
        "readability.wiener_sachtextformel.value",
        "readability.lix.value",
    ] {
        assert!(scores[key].is_number(), "{key} missing in {scores}");
    }
    // The demo article is written to the rules: its keyphrase sits at the start of the
    // title and in the introduction.
    assert_eq!(scores["seo.keyphrase_in_title"], 9.0);
    assert_eq!(scores["seo.keyphrase_in_introduction"], 9.0);
    for f in report["findings"].as_array().unwrap() {
        assert_eq!(f["check"], "seo");
        assert!(f["span"]["line"].as_u64().unwrap() >= 1);
    }
}

#[test]
fn a_passive_german_report_is_told_in_german_where_it_happens() {
    let (_tmp, ws) = demo();
    let file = root().join("tests/fixtures/seo/de-03-passiv-bericht.md");
    let report = check_json(&ws, &file);
    let passive = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "readability.passive_voice")
        .expect("a passive voice finding");
    assert_eq!(passive["severity"], "warning");
    assert!(
        passive["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Passiv:"),
        "{passive}"
    );
    assert_eq!(
        passive["message"]["key"],
        "readability.passive_voice.too_much"
    );
    // It points at the first passive sentence ("Im Jahr 2025 wurden … modernisiert.").
    let source = std::fs::read_to_string(&file).unwrap();
    let start = passive["span"]["start"].as_u64().unwrap() as usize;
    assert!(
        source[start..].starts_with("Im Jahr 2025 wurden"),
        "{}",
        &source[start..start + 40]
    );
    assert!(passive["evidence"]["value"].as_f64().unwrap() > 50.0);
}

#[test]
fn english_documents_are_analysed_and_told_in_english() {
    let (_tmp, ws) = demo();
    // The demo workspace's default language is German; the front matter says English.
    let file = root().join("tests/fixtures/seo/en-03-no-structure.md");
    let report = check_json(&ws, &file);
    let codes = codes(&report);
    assert!(
        codes.contains(&"readability.subheading_distribution".to_string()),
        "{codes:?}"
    );
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "readability.subheading_distribution")
        .unwrap();
    assert!(f["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with("Subheading distribution"));
}

#[test]
fn text_output_is_one_line_per_finding_and_exit_zero() {
    let (_tmp, ws) = demo();
    let file = root().join("tests/fixtures/seo/de-08-keyword-stuffing.md");
    let out = Command::new(env!("CARGO_BIN_EXE_imprimatur"))
        .arg("-w")
        .arg(&ws)
        .arg("check")
        .arg(&file)
        .args(["--only", "seo"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains(":seo.keyphrase_density:"), "{out}");
    assert!(out.contains(":seo.single_h1:"), "{out}");
    assert!(out.lines().all(|l| l.split(':').count() >= 5), "{out}");
}

#[test]
fn a_second_article_on_the_same_query_is_cannibalization_and_gets_link_suggestions() {
    let (tmp, ws) = demo();
    // The demo imports "Wärmepumpe im Altbau" and the published "Förderung für Wärmepumpen".
    let file = tmp.path().join("neu.md");
    std::fs::write(
        &file,
        "---\ntitle: \"Wärmepumpen für Altbauten im Vergleich\"\nkeyphrase: \"Wärmepumpen im Altbau\"\nlang: de\n---\nViele fragen nach der Förderung für Wärmepumpen. Ein Wartungsvertrag für die Wärmepumpe lohnt sich.\n",
    )
    .unwrap();
    let report = check_json(&ws, &file);
    let findings = report["findings"].as_array().unwrap();
    let cannibal = findings
        .iter()
        .find(|f| f["code"] == "seo.cannibalization")
        .expect("a cannibalization warning");
    assert_eq!(cannibal["severity"], "warning");
    assert_eq!(cannibal["span"]["line"], 3);
    assert!(cannibal["evidence"]["title"]
        .as_str()
        .unwrap()
        .starts_with("Wärmepumpe im Altbau"));
    let links: Vec<_> = findings
        .iter()
        .filter(|f| f["code"] == "seo.internal_link_suggestion")
        .collect();
    // The maintenance contract article is confidential (a draft): never a link target.
    assert_eq!(links.len(), 1, "{links:?}");
    assert_eq!(links[0]["evidence"]["url"], "/foerderung-waermepumpen-2026");
    assert_eq!(
        links[0]["fix"]["edits"][0]["replacement"],
        "[Förderung für Wärmepumpen](/foerderung-waermepumpen-2026)"
    );
    // The demo article itself, checked from its file, is not its own competitor.
    let own = check_json(&ws, &root().join("demo/documents/waermepumpe-im-altbau.md"));
    assert!(!codes(&own).contains(&"seo.cannibalization".to_string()));
}
