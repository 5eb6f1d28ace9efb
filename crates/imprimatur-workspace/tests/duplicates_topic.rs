//! The same-topic signal of the live check on the demo workspace, with the real e5
//! model: a budget of embedded texts per check, the rest in the next checks, and the
//! vectors kept in the duplicates index so that a reopened workspace embeds nothing.

use std::sync::Arc;

use imprimatur_workspace::knowledge::{default_model_dir, Knowledge};
use imprimatur_workspace::store::Timestamp;
use imprimatur_workspace::Workspace;

fn codes(f: &[imprimatur_check::Finding], code: &str) -> usize {
    f.iter().filter(|f| f.code == code).count()
}

#[test]
fn a_budget_embeds_a_few_texts_per_check_and_the_rest_in_the_next() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("demo");
    let ws = Workspace::create_demo(&root, "topic-test", Timestamp::now()).unwrap();
    let knowledge = Knowledge::new(
        default_model_dir(),
        Arc::new(imprimatur_model::KeyMap::new()),
    );
    let source =
        "# Heizung im Winter\n\nWie Sie mit einer Wärmepumpe im Winter Heizkosten sparen.\n";
    let doc = ws.parse_document(source);

    // Six indexed texts (three documents, three corpus articles), two per check.
    let first = ws.same_topic_findings(&doc, source, None, &knowledge, Some(2));
    let partial: Vec<_> = first
        .iter()
        .filter(|f| f.code == "dup.same_topic_partial")
        .collect();
    assert_eq!(partial.len(), 1, "{first:#?}");
    assert_eq!(partial[0].message.args["compared"], "2");
    assert_eq!(partial[0].message.args["waiting"], "4");
    assert_eq!(codes(&first, "dup.same_topic_skipped"), 0, "{first:#?}");

    let second = ws.same_topic_findings(&doc, source, None, &knowledge, Some(2));
    let args = &second
        .iter()
        .find(|f| f.code == "dup.same_topic_partial")
        .unwrap()
        .message
        .args;
    assert_eq!(
        (args["compared"].as_str(), args["waiting"].as_str()),
        ("4", "2")
    );

    let rest = ws.same_topic_findings(&doc, source, None, &knowledge, Some(2));
    assert_eq!(codes(&rest, "dup.same_topic_partial"), 0, "{rest:#?}");

    // Reopened: the vectors kept in the index are used and nothing is embedded, so even
    // a budget of zero compares with every text.
    let reopened = Workspace::open(&root).unwrap();
    let again = reopened.same_topic_findings(&doc, source, None, &knowledge, Some(0));
    assert_eq!(codes(&again, "dup.same_topic_partial"), 0, "{again:#?}");
    assert_eq!(
        codes(&again, "dup.same_topic"),
        codes(&rest, "dup.same_topic"),
        "the same verdicts from the stored vectors"
    );
}
