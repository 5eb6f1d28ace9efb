//! Ignored findings: anchored to text, filtered from the document's check, audited.

use imprimatur_workspace::store::{IgnoreScope, NewIgnore, Timestamp};
use imprimatur_workspace::Workspace;

const BROKEN: &str = "---\ntitle: [x\n---\nText.\n";

#[test]
fn an_ignored_finding_is_left_out_until_unignored() {
    let tmp = tempfile::tempdir().unwrap();
    let mut ws = Workspace::init(&tmp.path().join("ws"), "anna", Timestamp(1)).unwrap();
    let doc = ws
        .store_mut()
        .create_document("x", "anna", Timestamp(2))
        .unwrap();
    let report = ws.check_document(&doc.id, BROKEN, &[]).unwrap();
    assert_eq!(report.findings.len(), 1);
    let f = &report.findings[0];
    let matched = &BROKEN[f.span.start as usize..f.span.end as usize];
    let before = &BROKEN[..f.span.start as usize];

    // A reason is required.
    let no_reason = NewIgnore {
        code: &f.code,
        scope: IgnoreScope::Here,
        matched,
        context: before,
        reason: "  ",
        author: "anna",
    };
    assert_eq!(
        ws.store_mut()
            .ignore_finding(&doc.id, no_reason, Timestamp(3))
            .unwrap_err()
            .code(),
        "store.reason_required"
    );

    let ignore = ws
        .store_mut()
        .ignore_finding(
            &doc.id,
            NewIgnore {
                reason: "Absichtlich kaputt für den Test",
                ..no_reason
            },
            Timestamp(3),
        )
        .unwrap();
    assert!(ws
        .check_document(&doc.id, BROKEN, &[])
        .unwrap()
        .findings
        .is_empty());
    // Other documents are not affected.
    let other = ws
        .store_mut()
        .create_document("y", "anna", Timestamp(4))
        .unwrap();
    assert_eq!(
        ws.check_document(&other.id, BROKEN, &[])
            .unwrap()
            .findings
            .len(),
        1
    );

    ws.store_mut()
        .unignore_finding(&doc.id, &ignore.id, "anna", Timestamp(5))
        .unwrap();
    assert_eq!(
        ws.check_document(&doc.id, BROKEN, &[])
            .unwrap()
            .findings
            .len(),
        1
    );
    let actions: Vec<String> = ws
        .store()
        .audit_log(0, 100)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&"finding.ignore".to_string()));
    assert!(actions.contains(&"finding.unignore".to_string()));
    assert!(ws.store().verify_audit().unwrap().intact());
}
