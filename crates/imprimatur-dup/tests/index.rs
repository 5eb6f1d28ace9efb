//! The index updates one document at a time, and the check reports copied passages with
//! exact spans in both texts.

use imprimatur_check::{CheckKind, Document, Lang, Severity};
use imprimatur_dup::{check, DupIndex, DupSettings, OtherText, TopicVectors};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/synthetic")
            .join(name),
    )
    .unwrap()
}

#[test]
fn add_replace_and_remove_change_what_a_query_finds() {
    let mut index = DupIndex::new(&DupSettings::default());
    let heat = fixture("de-waermepumpe.txt");
    let lease = fixture("de-mietvertrag.txt");
    index.upsert("a", &heat);
    index.upsert("b", &lease);
    let draft = index.profile(&heat);
    let ids = |index: &DupIndex| -> Vec<String> {
        index
            .query(&draft, None)
            .into_iter()
            .map(|c| c.id)
            .collect()
    };
    assert_eq!(ids(&index), vec!["a"]);
    assert_eq!(
        index.query(&draft, Some("a")).len(),
        0,
        "the draft's own id is excluded"
    );
    // Replacing "a" with other text: the draft no longer matches it; "b" now holds it.
    index.upsert("a", &lease);
    index.upsert("b", &heat);
    assert_eq!(ids(&index), vec!["b"]);
    assert!(index.remove("b"));
    assert!(!index.remove("b"));
    assert!(ids(&index).is_empty());
    assert_eq!(index.len(), 1);
    // Many removals trigger compaction; the survivors are still found.
    for i in 0..200 {
        index.upsert(&format!("x{i}"), &format!("{lease} Nummer {i}."));
    }
    for i in 0..150 {
        index.remove(&format!("x{i}"));
    }
    index.upsert("c", &heat);
    assert_eq!(ids(&index), vec!["c"]);
    assert_eq!(index.len(), 52);
}

#[test]
fn the_check_reports_a_pasted_paragraph_with_its_source_span() {
    let source = fixture("de-waermepumpe.txt");
    let mut index = DupIndex::new(&DupSettings::default());
    index.upsert("blog/waermepumpe.md", &source);
    index.upsert("blog/mietvertrag.md", &fixture("de-mietvertrag.txt"));
    // The draft pastes three sentences, one with a hyphen at a line break ("Wärme-\\npumpe").
    let pasted = "Entscheidend ist die Vorlauftemperatur, die an kalten Tagen nötig ist, um alle Räume warm zu bekommen. Liegt sie unter fünfundfünfzig Grad, arbeitet eine Wärme-\npumpe meist wirtschaftlich. Eine gute Dämmung des Dachs und neue Fenster senken den Wärmebedarf deutlich.";
    let draft = format!(
        "---\ntitle: Heizen im Altbau\nlang: de\n---\n# Heizen im Altbau\n\nUnser Haus ist von 1965 und wir wollten wissen, was sich lohnt. {pasted}\n\nAm Ende haben wir uns für eine Beratung entschieden.\n"
    );
    let doc = Document::parse(draft.clone(), Lang::De);
    let texts = |id: &str| -> Option<OtherText> {
        (id == "blog/waermepumpe.md").then(|| OtherText {
            text: source.clone(),
            path: Some(id.to_string()),
            title: Some("Wärmepumpe im Altbau".into()),
        })
    };
    let topics = imprimatur_dup::same_topic(
        &TopicVectors {
            document: vec![1.0, 0.2],
            ..Default::default()
        },
        [(
            "blog/waermepumpe.md",
            &TopicVectors {
                document: vec![1.0, 0.25],
                ..Default::default()
            },
        )],
        index.settings(),
    );
    let findings = check(&doc, None, &index, texts, &topics);
    let passages: Vec<_> = findings
        .iter()
        .filter(|f| f.code == "dup.copied_passage")
        .collect();
    assert_eq!(passages.len(), 1, "{findings:#?}");
    let f = passages[0];
    assert_eq!(f.check, CheckKind::Duplicates);
    assert_eq!(
        f.severity,
        Severity::Warning,
        "the passage is most of the draft"
    );
    let span = &draft[f.span.start as usize..f.span.end as usize];
    assert_eq!(
        span,
        pasted.trim_end_matches('.'),
        "draft span is the pasted text"
    );
    let ev = f.evidence.as_ref().unwrap();
    assert_eq!(ev["document"], "blog/waermepumpe.md");
    let (s, e) = (
        ev["other_span"]["start"].as_u64().unwrap() as usize,
        ev["other_span"]["end"].as_u64().unwrap() as usize,
    );
    assert!(source[s..e].starts_with("Entscheidend ist die Vorlauftemperatur"));
    assert!(source[s..e].ends_with("senken den Wärmebedarf deutlich"));
    assert!(
        f.message.text.contains("Wärmepumpe im Altbau"),
        "{}",
        f.message.text
    );
    assert!(findings.iter().any(|f| f.code == "dup.same_topic"));
    assert!(
        !findings.iter().any(|f| f.code == "dup.near_duplicate"),
        "a third of the text is not a near-duplicate"
    );
}
