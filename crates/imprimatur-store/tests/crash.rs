//! Crash safety: a real child process saves revisions in a loop and is killed with
//! SIGKILL at random moments. Afterwards the file must pass SQLite's integrity check,
//! hold every revision the child reported saved, and keep an intact audit chain.
//!
//! The child is this same test binary, re-run with an environment variable that turns
//! `crash_child_save_loop` from a no-op into the save loop.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use imprimatur_store::*;

const CHILD_ENV: &str = "IMPRIMATUR_CRASH_CHILD_DB";
const ROUNDS: usize = 40;

#[test]
fn crash_child_save_loop() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return; // Only does something when the parent test starts it.
    };
    let mut store = Store::open(std::path::Path::new(&path)).unwrap();
    let doc = match store.documents().unwrap().into_iter().next() {
        Some(d) => d.id,
        None => {
            store
                .create_document("Absturztest", "child", Timestamp::now())
                .unwrap()
                .id
        }
    };
    let mut text = store
        .head(&doc)
        .unwrap()
        .map(|r| r.content)
        .unwrap_or_else(|| "Die Wärmepumpe läuft. ".repeat(300));
    let mut out = std::io::stdout().lock();
    for i in 0u64.. {
        // Vary the edits so that both deltas and new keyframes get written.
        if i % 50 == 49 {
            text = text.chars().rev().collect();
        }
        text.push_str(&format!("Satz {i}. "));
        let saved = store
            .save(
                &doc,
                NewRevision {
                    content: &text,
                    author: "child",
                    origin: Origin::Human,
                    message: None,
                },
                Timestamp::now(),
            )
            .unwrap();
        writeln!(
            out,
            "saved {} {}",
            saved.revision.id, saved.revision.content_hash
        )
        .unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn a_killed_writer_loses_no_reported_revision() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("imprimatur.db");
    let seed = fastrand::u64(..);
    println!("seed {seed}");
    let mut rng = fastrand::Rng::with_seed(seed);
    let exe = std::env::current_exe().unwrap();
    let mut reported: Vec<(String, String)> = Vec::new();

    for round in 0..ROUNDS {
        let mut child = Command::new(&exe)
            .args([
                "crash_child_save_loop",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines() {
                match line {
                    Ok(l) => lines.push(l),
                    Err(_) => break,
                }
            }
            lines
        });
        std::thread::sleep(Duration::from_millis(rng.u64(20..250)));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let lines = reader.join().unwrap();
        for l in lines {
            let mut parts = l.split_whitespace();
            if parts.next() == Some("saved") {
                let (Some(rev), Some(hash)) = (parts.next(), parts.next()) else {
                    continue; // a line cut off by the kill was never a complete report
                };
                if hash.len() == 64 {
                    reported.push((rev.to_string(), hash.to_string()));
                }
            }
        }
        assert!(db.exists(), "round {round}: no database");
    }

    assert!(
        reported.len() > ROUNDS,
        "the child reported only {} saves in {ROUNDS} rounds",
        reported.len()
    );
    let store = Store::open(&db).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    for (rev, hash) in &reported {
        let r = store
            .revision(&RevisionId::from_string(rev.clone()))
            .unwrap_or_else(|e| panic!("reported revision {rev} is missing: {e} (seed {seed})"));
        assert_eq!(&r.meta.content_hash, hash);
    }
    let report = store.verify_audit().unwrap();
    assert!(
        report.intact(),
        "audit chain broken: {report:?} (seed {seed})"
    );
    println!(
        "{} rounds, {} reported saves, all present; {} revisions in the file",
        ROUNDS,
        reported.len(),
        store.stats().unwrap().revisions
    );
}
