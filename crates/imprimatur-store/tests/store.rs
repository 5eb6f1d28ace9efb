//! The revision store against real SQLite files.

use imprimatur_store::*;

fn t(ms: i64) -> Timestamp {
    Timestamp(1_764_000_000_000 + ms)
}

fn human<'a>(content: &'a str, message: Option<&'a str>) -> NewRevision<'a> {
    NewRevision {
        content,
        author: "anna",
        origin: Origin::Human,
        message,
    }
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("imprimatur.db")).unwrap();
    (dir, store)
}

#[test]
fn saves_reads_and_lists_revisions() {
    let (_dir, mut store) = open();
    let doc = store
        .create_document("Wärmepumpe im Altbau", "anna", t(0))
        .unwrap();
    assert_eq!(doc.head, None);
    let a = store
        .save(&doc.id, human("Erster Satz.", None), t(1))
        .unwrap();
    let b = store
        .save(
            &doc.id,
            human("Erster Satz. Zweiter Satz.", Some("Zweiter Satz")),
            t(2),
        )
        .unwrap();
    assert!(!a.unchanged && !b.unchanged);
    assert_eq!(b.revision.parent.as_ref(), Some(&a.revision.id));
    assert_eq!(b.revision.number, 2);
    assert_eq!(b.revision.message.as_deref(), Some("Zweiter Satz"));

    let history = store.history(&doc.id).unwrap();
    assert_eq!(history.iter().map(|r| r.number).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(
        store.revision(&a.revision.id).unwrap().content,
        "Erster Satz."
    );
    assert_eq!(
        store.head(&doc.id).unwrap().unwrap().content,
        "Erster Satz. Zweiter Satz."
    );
    let summary = store.document(&doc.id).unwrap();
    assert_eq!(summary.head.as_ref(), Some(&b.revision.id));
    assert_eq!(summary.revisions, 2);
    assert_eq!(summary.updated_at, t(2));
}

#[test]
fn saving_unchanged_content_writes_nothing() {
    let (_dir, mut store) = open();
    let doc = store.create_document("x", "anna", t(0)).unwrap();
    let a = store.save(&doc.id, human("Gleich.", None), t(1)).unwrap();
    let again = store.save(&doc.id, human("Gleich.", None), t(2)).unwrap();
    assert!(again.unchanged);
    assert_eq!(again.revision.id, a.revision.id);
    assert_eq!(store.history(&doc.id).unwrap().len(), 1);
    // Naming the same text as a version records it, with its message.
    let named = store
        .save(&doc.id, human("Gleich.", Some("Freigabefassung")), t(3))
        .unwrap();
    assert!(!named.unchanged);
    assert_eq!(named.revision.message.as_deref(), Some("Freigabefassung"));
    assert_eq!(named.revision.content_hash, a.revision.content_hash);
    assert_eq!(store.history(&doc.id).unwrap().len(), 2);
}

#[test]
fn the_content_hash_is_sha256_of_the_text() {
    let (_dir, mut store) = open();
    let doc = store.create_document("x", "anna", t(0)).unwrap();
    let a = store.save(&doc.id, human("abc", None), t(1)).unwrap();
    assert_eq!(
        a.revision.content_hash,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn restore_creates_a_new_revision_with_the_old_text() {
    let (_dir, mut store) = open();
    let doc = store.create_document("x", "anna", t(0)).unwrap();
    let a = store.save(&doc.id, human("Alt.", None), t(1)).unwrap();
    store.save(&doc.id, human("Neu.", None), t(2)).unwrap();
    let restored = store.restore(&doc.id, &a.revision.id, "ben", t(3)).unwrap();
    assert_eq!(restored.revision.number, 3);
    assert_eq!(restored.revision.author, "ben");
    assert_eq!(restored.revision.content_hash, a.revision.content_hash);
    assert_eq!(store.head(&doc.id).unwrap().unwrap().content, "Alt.");
    assert_eq!(store.history(&doc.id).unwrap().len(), 3);
}

#[test]
fn many_small_edits_are_stored_as_deltas_and_all_read_back() {
    let (_dir, mut store) = open();
    let doc = store.create_document("x", "anna", t(0)).unwrap();
    let mut text: String = (0..400)
        .map(|i| format!("Satz {i} über die Wärmepumpe und den Pufferspeicher. "))
        .collect();
    let mut saved = Vec::new();
    for i in 0..200 {
        let at = (i * 37) % (text.len() / 2);
        let at = (0..=at).rev().find(|&p| text.is_char_boundary(p)).unwrap();
        text.insert_str(at, &format!("Änderung{i} "));
        let out = store
            .save(&doc.id, human(&text, None), t(i as i64))
            .unwrap();
        saved.push((out.revision.id, text.clone()));
    }
    let stats = store.stats().unwrap();
    assert_eq!(stats.revisions, 200);
    assert!(
        stats.keyframes < stats.revisions / 2,
        "too many keyframes: {stats:?}"
    );
    assert!(
        stats.stored_bytes * 20 < stats.content_bytes,
        "deltas should be far smaller than the texts: {stats:?}"
    );
    for (id, expected) in &saved {
        assert_eq!(&store.revision(id).unwrap().content, expected);
    }
}

#[test]
fn word_diff_names_inserted_and_deleted_words() {
    let (_dir, mut store) = open();
    let doc = store.create_document("x", "anna", t(0)).unwrap();
    let a = store
        .save(&doc.id, human("Die Wärmepumpe ist leise.", None), t(1))
        .unwrap();
    let b = store
        .save(
            &doc.id,
            human("Die neue Wärmepumpe ist sehr leise.", None),
            t(2),
        )
        .unwrap();
    let d = store.diff(&a.revision.id, &b.revision.id).unwrap();
    assert_eq!(d.inserted_words, 2);
    assert_eq!(d.deleted_words, 0);
    let inserted: Vec<_> = d
        .chunks
        .iter()
        .filter(|c| c.op == DiffOp::Insert)
        .map(|c| c.text.trim())
        .collect();
    assert_eq!(inserted, ["neue", "sehr"]);
    let rebuilt_new: String = d
        .chunks
        .iter()
        .filter(|c| c.op != DiffOp::Delete)
        .map(|c| c.text.as_str())
        .collect();
    assert_eq!(rebuilt_new, "Die neue Wärmepumpe ist sehr leise.");
}

#[test]
fn ids_resolve_by_prefix_number_and_head() {
    let (_dir, mut store) = open();
    let doc = store.create_document("x", "anna", t(0)).unwrap();
    let a = store.save(&doc.id, human("eins", None), t(1)).unwrap();
    let b = store.save(&doc.id, human("zwei", None), t(2)).unwrap();
    assert_eq!(
        store.resolve_document(&doc.id.as_str()[..12]).unwrap(),
        doc.id
    );
    assert_eq!(store.resolve_revision(&doc.id, "1").unwrap(), a.revision.id);
    assert_eq!(
        store.resolve_revision(&doc.id, "head").unwrap(),
        b.revision.id
    );
    assert_eq!(
        store
            .resolve_revision(&doc.id, b.revision.id.as_str())
            .unwrap(),
        b.revision.id
    );
    assert!(matches!(
        store.resolve_revision(&doc.id, "7"),
        Err(StoreError::RevisionNotFound { .. })
    ));
    assert!(matches!(
        store.resolve_document("d0"),
        Err(StoreError::IdTooShort(_))
    ));
}

#[test]
fn a_text_over_the_limit_is_refused_with_its_size() {
    let (_dir, mut store) = open();
    let doc = store.create_document("x", "anna", t(0)).unwrap();
    let huge = "a".repeat(MAX_CONTENT_BYTES + 1);
    let err = store.save(&doc.id, human(&huge, None), t(1)).unwrap_err();
    assert!(err.to_string().contains(&huge.len().to_string()), "{err}");
    // A 10 MB paste is within the limit and round-trips.
    let big = "Wärmepumpe ".repeat(10 * 1024 * 1024 / 12);
    let out = store.save(&doc.id, human(&big, None), t(2)).unwrap();
    assert_eq!(store.revision(&out.revision.id).unwrap().content, big);
}

#[test]
fn revisions_cannot_be_changed_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("imprimatur.db");
    let mut store = Store::open(&path).unwrap();
    let doc = store.create_document("x", "anna", t(0)).unwrap();
    store.save(&doc.id, human("eins", None), t(1)).unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    assert!(raw
        .execute("UPDATE revisions SET author = 'mallory'", [])
        .is_err());
    assert!(raw.execute("DELETE FROM revisions", []).is_err());
    assert!(raw.execute("DELETE FROM audit", []).is_err());
}

#[test]
fn a_damaged_revision_is_reported_not_returned() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("imprimatur.db");
    let mut store = Store::open(&path).unwrap();
    let doc = store.create_document("x", "anna", t(0)).unwrap();
    let a = store
        .save(&doc.id, human("Der Preis ist 12.490,00 €.", None), t(1))
        .unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch("DROP TRIGGER revisions_are_immutable")
        .unwrap();
    let other = zstd::bulk::compress("Der Preis ist 9.990,00 €.".as_bytes(), 3).unwrap();
    raw.execute(
        "UPDATE revisions SET body = ?1, size = ?2",
        rusqlite::params![other, "Der Preis ist 9.990,00 €.".len() as i64],
    )
    .unwrap();
    let err = store.revision(&a.revision.id).unwrap_err();
    assert_eq!(err.code(), "store.corrupt");
}

mod audit {
    use super::*;

    fn store_with_entries(n: usize) -> (tempfile::TempDir, std::path::PathBuf, Store) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("imprimatur.db");
        let mut store = Store::open(&path).unwrap();
        let doc = store.create_document("x", "anna", t(0)).unwrap();
        for i in 1..n {
            store
                .save(&doc.id, human(&format!("Fassung {i}"), None), t(i as i64))
                .unwrap();
        }
        (dir, path, store)
    }

    fn tamper(path: &std::path::Path, sql: &str) {
        let raw = rusqlite::Connection::open(path).unwrap();
        raw.execute_batch("DROP TRIGGER audit_is_append_only; DROP TRIGGER audit_is_kept;")
            .unwrap();
        raw.execute_batch(sql).unwrap();
    }

    #[test]
    fn every_write_appends_a_chained_entry() {
        let (_dir, _path, mut store) = store_with_entries(4);
        store
            .record(
                "anna",
                "settings.change",
                "imprimatur.toml",
                &serde_json::json!({"k": 1}),
                t(9),
            )
            .unwrap();
        let log = store.audit_log(0, 100).unwrap();
        let actions: Vec<_> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "doc.create",
                "doc.save",
                "doc.save",
                "doc.save",
                "settings.change"
            ]
        );
        for pair in log.windows(2) {
            assert_eq!(pair[1].prev_hash, pair[0].hash);
        }
        let report = store.verify_audit().unwrap();
        assert!(report.intact(), "{report:?}");
        assert_eq!(report.entries, 5);
    }

    #[test]
    fn an_altered_entry_is_named() {
        let (_dir, path, store) = store_with_entries(5);
        tamper(&path, "UPDATE audit SET actor = 'mallory' WHERE seq = 3");
        let report = store.verify_audit().unwrap();
        let b = report.broken_at.unwrap();
        assert_eq!((b.seq, b.problem), (3, AuditProblem::Altered));
    }

    #[test]
    fn a_deleted_entry_is_named() {
        let (_dir, path, store) = store_with_entries(5);
        tamper(&path, "DELETE FROM audit WHERE seq = 2");
        let b = store.verify_audit().unwrap().broken_at.unwrap();
        assert_eq!(
            (b.seq, b.problem),
            (3, AuditProblem::Missing { expected_seq: 2 })
        );
    }

    #[test]
    fn an_inserted_entry_is_named() {
        let (_dir, path, store) = store_with_entries(3);
        // Shift the tail up by one and slip a forged entry, with a correct own hash, into the gap.
        tamper(
            &path,
            "UPDATE audit SET seq = seq + 100 WHERE seq >= 2;
             UPDATE audit SET seq = seq - 99 WHERE seq >= 102;",
        );
        let store2 = store;
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.execute(
            "INSERT INTO audit (seq, at, actor, action, subject, details, prev_hash, hash)
             VALUES (2, 0, 'mallory', 'doc.save', 'x', '{}', 'forged', 'forged')",
            [],
        )
        .unwrap();
        let b = store2.verify_audit().unwrap().broken_at.unwrap();
        assert_eq!(b.seq, 2);
        assert_eq!(b.problem, AuditProblem::Altered);
    }

    #[test]
    fn cutting_off_the_newest_entries_is_noticed() {
        let (_dir, path, store) = store_with_entries(5);
        tamper(&path, "DELETE FROM audit WHERE seq >= 4");
        let b = store.verify_audit().unwrap().broken_at.unwrap();
        assert_eq!(
            (b.seq, b.problem),
            (4, AuditProblem::Truncated { recorded_head: 5 })
        );
    }
}

#[test]
fn a_workspace_file_is_a_document_outside_the_article_list_with_audited_revisions() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("x.db")).unwrap();
    let article = store.create_document("Artikel", "anna", t(0)).unwrap();
    let file = "styleguides/Brand/Tone.yml";
    assert!(store.file_document(file).unwrap().is_none());
    let details = serde_json::json!({ "rule": "Brand.Tone", "change": "level" });
    let first = store
        .save_file(
            file,
            Some("level: warning\n"),
            human("level: error\n", None),
            "rule.save",
            &details,
            t(1),
        )
        .unwrap();
    assert_eq!(first.revision.number, 2, "the file as found is revision 1");
    let doc = store
        .file_document(file)
        .unwrap()
        .expect("the file's document");
    let history = store.history(&doc.id).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].origin, Origin::Import);
    assert_eq!(
        store.revision(&history[0].id).unwrap().content,
        "level: warning\n"
    );
    // The baseline is taken once: later saves add one revision each.
    store
        .save_file(
            file,
            Some("ignored"),
            human("level: suggestion\n", None),
            "rule.save",
            &details,
            t(2),
        )
        .unwrap();
    assert_eq!(store.history(&doc.id).unwrap().len(), 3);
    // Articles only in the document list.
    let listed: Vec<_> = store
        .documents()
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(listed, vec![article.id]);
    // One audit entry per change, naming the file, the actor and the revision.
    let log = store.audit_log(0, 100).unwrap();
    let saves: Vec<_> = log.iter().filter(|e| e.action == "rule.save").collect();
    assert_eq!(saves.len(), 2);
    assert_eq!(saves[0].subject, file);
    assert_eq!(saves[0].actor, "anna");
    let details: serde_json::Value = serde_json::from_str(&saves[1].details).unwrap();
    assert_eq!(details["rule"], "Brand.Tone");
    assert_eq!(
        details["revision"],
        serde_json::json!(store.history(&doc.id).unwrap()[2].id)
    );
    assert!(store.verify_audit().unwrap().broken_at.is_none());
}
