//! Provenance: AI text and human edits tracked across revisions in a real SQLite file.

use imprimatur_store::*;

fn save(store: &mut Store, doc: &DocumentId, text: &str, origin: Origin, t: i64) -> RevisionId {
    store
        .save(
            doc,
            NewRevision {
                content: text,
                author: "anna",
                origin,
                message: None,
            },
            Timestamp(t),
        )
        .unwrap()
        .revision
        .id
}

/// The text of the AI spans of `rev`.
fn ai_text(store: &Store, rev: &RevisionId) -> String {
    let content = store.revision(rev).unwrap().content;
    store
        .provenance(rev)
        .unwrap()
        .spans
        .iter()
        .filter(|s| s.origin == Origin::Ai)
        .map(|s| &content[s.start as usize..s.end as usize])
        .collect()
}

#[test]
fn ai_text_is_tracked_across_human_edits() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    let doc = store
        .create_document("Entwurf", "anna", Timestamp(1))
        .unwrap()
        .id;
    let draft = "Die AlbAir 9 kostet 12.490 € [1]. Sie ist leise. Wir beraten Sie gern.";
    let r1 = save(&mut store, &doc, draft, Origin::Ai, 2);
    let p1 = store.provenance(&r1).unwrap();
    assert_eq!(p1.ai_bytes as usize, draft.len());
    assert!((store.ai_share(&r1).unwrap() - 1.0).abs() < 1e-9);
    assert_eq!(p1.spans.len(), 1);

    // A person rewrites the middle sentence.
    let edited =
        "Die AlbAir 9 kostet 12.490 € [1]. Im Betrieb hört man sie kaum. Wir beraten Sie gern.";
    let r2 = save(&mut store, &doc, edited, Origin::Human, 3);
    let p2 = store.provenance(&r2).unwrap();
    assert_eq!(p2.total_bytes as usize, edited.len());
    let ai = ai_text(&store, &r2);
    assert!(ai.contains("kostet 12.490 €"), "{ai}");
    assert!(ai.contains("beraten Sie gern"), "{ai}");
    assert!(!ai.contains("hört man"), "{ai}");
    let human: String = p2
        .spans
        .iter()
        .filter(|s| s.origin == Origin::Human)
        .map(|s| &edited[s.start as usize..s.end as usize])
        .collect();
    assert!(human.contains("hört man sie kaum"), "{human}");
    assert!(p2.ai_share > 0.5 && p2.ai_share < 1.0, "{}", p2.ai_share);
    // Spans cover the text without gaps or overlaps.
    let mut pos = 0;
    for s in &p2.spans {
        assert_eq!(s.start, pos);
        pos = s.end;
    }
    assert_eq!(pos as usize, edited.len());
    // The human span names the revision that wrote it, the AI ones the draft.
    assert!(p2
        .spans
        .iter()
        .all(|s| (s.origin == Origin::Ai) == (s.revision == r1)));

    // A later human revision keeps both origins; rewriting everything leaves no AI text.
    let r3 = save(
        &mut store,
        &doc,
        &format!("{edited} Rufen Sie an."),
        Origin::Human,
        4,
    );
    assert!(ai_text(&store, &r3).contains("kostet 12.490 €"));
    let r4 = save(
        &mut store,
        &doc,
        "Ganz neu geschrieben von Hand.",
        Origin::Human,
        5,
    );
    assert_eq!(store.ai_share(&r4).unwrap(), 0.0);

    // Reopening the file reads the same provenance.
    drop(store);
    let store = Store::open(&dir.path().join("s.db")).unwrap();
    assert_eq!(store.provenance(&r2).unwrap(), p2);
}

#[test]
fn an_ai_rewrite_of_human_text_marks_only_the_rewritten_words() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    let doc = store
        .create_document("Ratgeber", "anna", Timestamp(1))
        .unwrap()
        .id;
    let r1 = save(
        &mut store,
        &doc,
        "Erster Satz von Hand. Zweiter Satz von Hand.",
        Origin::Import,
        2,
    );
    // No model ever wrote in this document: all human, no stored rows needed.
    assert_eq!(store.ai_share(&r1).unwrap(), 0.0);
    let r2 = save(
        &mut store,
        &doc,
        "Erster Satz von Hand. Der zweite Satz, kürzer.",
        Origin::Ai,
        3,
    );
    let ai = ai_text(&store, &r2);
    assert!(ai.contains("kürzer"), "{ai}");
    assert!(!ai.contains("Erster"), "{ai}");
    let share = store.ai_share(&r2).unwrap();
    assert!(share > 0.1 && share < 0.7, "{share}");
}
