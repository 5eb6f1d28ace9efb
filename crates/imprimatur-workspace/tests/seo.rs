//! The SEO check inside the workspace: the live check of a stored document (the app's
//! path) sees the other articles' head revisions, never its own, and follows their edits.

use imprimatur_workspace::checks::CheckKind;
use imprimatur_workspace::store::{NewRevision, Origin, Timestamp};
use imprimatur_workspace::Workspace;

fn save(
    ws: &mut Workspace,
    title: &str,
    text: &str,
    t: i64,
) -> imprimatur_workspace::store::DocumentId {
    let doc = ws
        .store_mut()
        .create_document(title, "anna", Timestamp(t))
        .unwrap();
    ws.store_mut()
        .save(
            &doc.id,
            NewRevision {
                content: text,
                author: "anna",
                origin: Origin::Human,
                message: None,
            },
            Timestamp(t + 1),
        )
        .unwrap();
    doc.id
}

const ALTBAU: &str = "---\ntitle: Wärmepumpe im Altbau\nkeyphrase: Wärmepumpe im Altbau\nslug: waermepumpe-im-altbau\nlang: de\n---\nEine Wärmepumpe im Altbau spart Geld.\n";

fn cannibalized(ws: &Workspace, id: &imprimatur_workspace::store::DocumentId, text: &str) -> bool {
    ws.check_document(id, text, &[CheckKind::Seo])
        .unwrap()
        .findings
        .iter()
        .any(|f| f.code == "seo.cannibalization")
}

#[test]
fn the_live_check_compares_with_other_articles_heads_only() {
    let tmp = tempfile::tempdir().unwrap();
    let mut ws = Workspace::init(&tmp.path().join("ws"), "anna", Timestamp(1)).unwrap();
    let first = save(&mut ws, "Altbau", ALTBAU, 10);
    // Unsaved edits of the same document are not a competitor of its saved head.
    let edited = ALTBAU.replace("spart Geld", "spart viel Geld");
    assert!(!cannibalized(&ws, &first, &edited));

    let second = save(
        &mut ws,
        "Altbau 2",
        &ALTBAU.replace("title: Wärmepumpe", "title: Die Wärmepumpe"),
        20,
    );
    assert!(cannibalized(
        &ws,
        &second,
        &ALTBAU.replace("title: Wärmepumpe", "title: Die Wärmepumpe")
    ));

    // After the first article moves to another keyphrase (a new head), the clash is gone.
    let moved = ALTBAU.replace(
        "keyphrase: Wärmepumpe im Altbau",
        "keyphrase: Heizkörper tauschen",
    );
    ws.store_mut()
        .save(
            &first,
            NewRevision {
                content: &moved,
                author: "anna",
                origin: Origin::Human,
                message: None,
            },
            Timestamp(30),
        )
        .unwrap();
    assert!(!cannibalized(
        &ws,
        &second,
        &ALTBAU.replace("title: Wärmepumpe", "title: Die Wärmepumpe")
    ));
}
