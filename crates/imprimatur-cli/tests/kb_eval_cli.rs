//! `imprimatur kb eval` on a small BEIR set written to a temp folder (BM25 only, so no
//! model is needed): the table, and the floors that CI relies on.

use std::process::Command;

fn write_set(dir: &std::path::Path) {
    std::fs::create_dir_all(dir.join("qrels")).unwrap();
    std::fs::write(
        dir.join("corpus.jsonl"),
        [
            r#"{"_id": "d1", "title": "Strom", "text": "Der Arbeitspreis für Ökostrom beträgt 32 Cent."}"#,
            r#"{"_id": "d2", "title": "Gas", "text": "Gas kostet im Grundversorgungstarif 12 Cent."}"#,
            r#"{"_id": "d3", "title": "Vertrag", "text": "Die Kündigungsfrist beträgt vier Wochen."}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("queries.jsonl"),
        [
            r#"{"_id": "q1", "text": "Wie hoch ist der Arbeitspreis?"}"#,
            r#"{"_id": "q2", "text": "Welche Kündigungsfrist gilt?"}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("qrels/test.tsv"),
        "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td3\t1\n",
    )
    .unwrap();
}

#[test]
fn kb_eval_prints_the_table_and_fails_below_a_floor() {
    let dir = tempfile::tempdir().unwrap();
    write_set(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_imprimatur"))
        .args([
            "kb",
            "eval",
            "--bm25-only",
            "--lang",
            "de",
            "--min-ndcg-bm25",
            "0.99",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("3 documents, 2 queries"), "{stdout}");
    let bm25 = stdout
        .lines()
        .find(|l| l.starts_with("bm25"))
        .expect("a bm25 row");
    assert!(
        bm25.contains("1.000"),
        "both questions find their paragraph first: {bm25}"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_imprimatur"))
        .args([
            "kb",
            "eval",
            "--bm25-only",
            "--lang",
            "de",
            "--min-ndcg-bm25",
            "1.01",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("below the floor"));

    let out = Command::new(env!("CARGO_BIN_EXE_imprimatur"))
        .args(["kb", "eval", "--bm25-only"])
        .arg(dir.path().join("missing"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing"));
}
