//! Every way around the four-eyes rule, refused with a clear reason; and the path that
//! is allowed. Keys live in `MemoryKeys` here because the keychain is not the subject of
//! these tests (tests/keychain.rs runs the same identities through the OS keychain).

use std::collections::BTreeMap;

use imprimatur_check::{CheckKind, CheckReport, Document, Finding, Lang, Message, Severity};
use imprimatur_review::*;
use imprimatur_store::{NewModelCall, NewRevision, Origin};

const TEXT: &str = "---\ntitle: Förderung 2026\ndescription: Was das Programm zahlt.\n---\n# Förderung 2026\n\nDas Programm zahlt 40 Prozent der Kosten. Anträge bis 30. Juni.\n";
const CLAIM: &str = "40 Prozent";

struct World {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    store: Store,
    keys: MemoryKeys,
    doc: DocumentId,
    gates: Gates,
}

fn t(n: i64) -> Timestamp {
    Timestamp(1_800_000_000_000 + n * 1000)
}

/// A workspace with ada (admin), eva (editor), rolf (reviewer), rita (reviewer and
/// editor), and a document written by eva.
fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("imprimatur.db");
    let mut store = Store::open(&db).unwrap();
    let keys = MemoryKeys::new();
    let ada_key = ensure_key(&keys, "ada").unwrap();
    add_member(
        &mut store,
        None,
        "ada",
        "Ada Admin",
        &[Role::Admin],
        &ada_key,
        t(0),
    )
    .unwrap();
    let ada = Actor::prove(&store, "ada", &keys, t(0)).unwrap();
    for (id, roles) in [
        ("eva", vec![Role::Editor]),
        ("rolf", vec![Role::Reviewer]),
        ("rita", vec![Role::Reviewer, Role::Editor]),
    ] {
        let pk = ensure_key(&keys, id).unwrap();
        add_member(&mut store, Some(&ada), id, id, &roles, &pk, t(0)).unwrap();
    }
    let doc = store
        .create_document("Förderung 2026", "eva", t(1))
        .unwrap()
        .id;
    save(&mut store, &doc, TEXT, "eva", Origin::Human, 1);
    World {
        _dir: dir,
        db,
        store,
        keys,
        doc,
        gates: Gates::default(),
    }
}

fn save(store: &mut Store, doc: &DocumentId, text: &str, who: &str, origin: Origin, at: i64) {
    store
        .save(
            doc,
            NewRevision {
                content: text,
                author: who,
                origin,
                message: None,
            },
            t(at),
        )
        .unwrap();
}

impl World {
    fn actor(&self, id: &str) -> Actor {
        Actor::prove(&self.store, id, &self.keys, t(2)).unwrap()
    }
    fn head_text(&self) -> String {
        self.store.head(&self.doc).unwrap().unwrap().content
    }
    /// A report of the head text; with `contradicted`, the claim is a contradicted fact.
    fn report(&self, contradicted: bool) -> CheckReport {
        let text = self.head_text();
        let doc = Document::parse(text.as_str(), Lang::De);
        let mut findings = Vec::new();
        if contradicted {
            let start = text.find(CLAIM).expect("claim in text");
            findings.push(Finding {
                check: CheckKind::Facts,
                code: "facts.contradicted".into(),
                severity: Severity::Error,
                message: Message::plain("facts.contradicted", "Die Quelle nennt 30 Prozent."),
                span: doc.span(start, start + CLAIM.len()),
                fix: None,
                evidence: Some(serde_json::json!({ "source": "knowledge/foerderung.md" })),
            });
        }
        CheckReport {
            content_hash: imprimatur_store::content_hash(&text),
            findings,
            scores: BTreeMap::from([("seo".to_string(), 0.75)]),
        }
    }
    fn submit(&mut self, who: &str, contradicted: bool, at: i64) {
        let a = self.actor(who);
        let r = self.report(contradicted);
        submit(&mut self.store, &a, &self.doc, &r, &self.gates, t(at)).unwrap();
    }
    fn approve(&mut self, who: &str, at: i64) -> ReviewResult<Decision> {
        let a = self.actor(who);
        approve(
            &mut self.store,
            &a,
            &self.doc,
            "Passt.",
            &[],
            &self.gates,
            t(at),
        )
    }
    fn publish(&mut self, who: &str, out: &std::path::Path, at: i64) -> ReviewResult<Published> {
        let a = self.actor(who);
        publish(
            &mut self.store,
            &a,
            &self.doc,
            out,
            Vec::new(),
            &self.gates,
            t(at),
        )
    }
}

fn says(err: &ReviewError, code: &str, words: &[&str]) {
    assert_eq!(err.code(), code, "{err}");
    let text = err.to_string();
    for w in words {
        assert!(text.contains(w), "{text:?} should say {w:?}");
    }
}

#[test]
fn editor_submits_reviewer_approves_editor_publishes_and_the_pack_verifies() {
    let mut w = world();
    assert_eq!(
        status(&w.store, &w.doc, &w.gates).unwrap().state,
        ReviewState::Draft
    );
    w.submit("eva", false, 3);
    let s = status(&w.store, &w.doc, &w.gates).unwrap();
    assert_eq!(s.state, ReviewState::InReview);
    assert!(s.obstacles.iter().any(|o| o.code == "approval.missing"));
    let d = w.approve("rolf", 4).unwrap();
    assert_eq!(d.verdict, Verdict::Approve);
    assert!(signing::verify_decision(&d));
    let out = tempfile::tempdir().unwrap();
    let p = w.publish("eva", out.path(), 5).unwrap();
    assert_eq!(
        status(&w.store, &w.doc, &w.gates).unwrap().state,
        ReviewState::Published
    );
    let bytes = std::fs::read(&p.evidence).unwrap();
    let summary = verify_evidence(&bytes, Some(out.path())).unwrap();
    assert_eq!(summary.approver, "rolf");
    assert_eq!(summary.publisher, "eva");
    assert_eq!(summary.files_checked.len(), 2);
    let html = std::fs::read_to_string(&p.html).unwrap();
    assert!(html.contains("<title>Förderung 2026</title>") && html.contains("<h1>"));
    let actions: Vec<String> = w
        .store
        .audit_log(0, 1000)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in [
        "member.add",
        "check.report",
        "review.submit",
        "review.approve",
        "doc.publish",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} missing in {actions:?}");
    }
    assert!(w.store.verify_audit().unwrap().intact());
}

#[test]
fn an_author_cannot_approve_their_own_text() {
    let mut w = world();
    // rita edits the text, eva submits it: rita is an author since the last approval.
    let text = w.head_text().replace("Anträge", "Alle Anträge");
    save(&mut w.store, &w.doc, &text, "rita", Origin::Human, 2);
    w.submit("eva", false, 3);
    let err = w.approve("rita", 4).unwrap_err();
    says(&err, "review.own_text", &["rita", "four-eyes", "2"]);
    // Starting an AI generation for the document makes rolf an author too.
    w.store
        .record_model_call(
            &NewModelCall {
                actor: "rolf",
                document: Some(w.doc.as_str()),
                task: "rewrite",
                model: "local",
                preset: "embedded",
                provider_model: "smollm2",
                locality: "local",
                outcome: "ok",
                cached: false,
                input_tokens: 10,
                output_tokens: 10,
                tokens_estimated: false,
                price_table: "none",
                currency: "EUR",
                input_price: 0.0,
                output_price: 0.0,
                cost_micros: 0,
                latency_ms: 5,
                details: serde_json::json!({}),
            },
            t(4),
        )
        .unwrap();
    let err = w.approve("rolf", 5).unwrap_err();
    says(&err, "review.own_text", &["rolf", "AI generation"]);
    // An editor without the reviewer role cannot approve at all.
    let err = w.approve("eva", 5).unwrap_err();
    says(&err, "review.missing_role", &["eva", "reviewer"]);
}

#[test]
fn an_edit_after_approval_voids_it_and_publishing_is_refused() {
    let mut w = world();
    w.submit("eva", false, 3);
    w.approve("rolf", 4).unwrap();
    let text = w.head_text().replace("30. Juni", "31. Juli");
    save(&mut w.store, &w.doc, &text, "eva", Origin::Human, 5);
    let s = status(&w.store, &w.doc, &w.gates).unwrap();
    assert_eq!(s.state, ReviewState::Draft);
    assert!(s.approval.is_none());
    let v = s.voided.expect("voided");
    assert_eq!((v.approved, v.head, v.edited_by.as_str()), (1, 2, "eva"));
    assert!(s.obstacles.iter().any(|o| o.code == "approval.voided"));
    let out = tempfile::tempdir().unwrap();
    let err = w.publish("eva", out.path(), 6).unwrap_err();
    says(
        &err,
        "review.edited_since_approval",
        &["revision 1", "revision 2", "eva", "void"],
    );
    assert!(
        std::fs::read_dir(out.path()).unwrap().next().is_none(),
        "nothing written"
    );
}

#[test]
fn publishing_with_an_unresolved_blocking_finding_is_refused() {
    let mut w = world();
    w.submit("eva", true, 3);
    let err = w.approve("rolf", 4).unwrap_err();
    says(&err, "review.blocked", &["facts.contradicted", CLAIM]);
    let rolf = w.actor("rolf");
    let start = w.head_text().find(CLAIM).unwrap() as u32;
    let err = waive(
        &mut w.store,
        &rolf,
        &w.doc,
        "facts.contradicted",
        start,
        "  ",
        &w.gates,
        t(4),
    )
    .unwrap_err();
    says(&err, "review.reason_required", &["reason"]);
    let waiver = waive(
        &mut w.store,
        &rolf,
        &w.doc,
        "facts.contradicted",
        start,
        "Die Quelle ist veraltet; die Richtlinie 2026 nennt 40 Prozent.",
        &w.gates,
        t(4),
    )
    .unwrap();
    assert!(signing::verify_waiver(&waiver));
    w.approve("rolf", 5).unwrap();
    // The waiver is taken back after the approval: the finding blocks publishing again.
    revoke_waiver(&mut w.store, &rolf, &w.doc, &waiver.id, t(6)).unwrap();
    let out = tempfile::tempdir().unwrap();
    let err = w.publish("eva", out.path(), 7).unwrap_err();
    says(
        &err,
        "review.blocked",
        &["publish", "facts.contradicted", "waive"],
    );
}

/// Exports a bundle of the submitted head as eva and returns rolf's signed decision.
fn decision_file(w: &mut World, who: &str, verdict: Verdict) -> Vec<u8> {
    let eva = w.actor("eva");
    let bundle = export_bundle(&mut w.store, &eva, &w.doc, Vec::new(), t(4)).unwrap();
    let opened = open_bundle(&w.store, &bundle).unwrap();
    assert_eq!(opened.signer, "eva");
    let reviewer = w.actor(who);
    decide(
        &opened,
        &reviewer,
        verdict,
        "Freigegeben.",
        &[],
        &[],
        &w.gates,
        t(5),
    )
    .unwrap()
}

#[test]
fn a_decision_file_round_trip_is_recorded() {
    let mut w = world();
    w.submit("eva", false, 3);
    let file = decision_file(&mut w, "rolf", Verdict::Approve);
    let d = import_decision(&mut w.store, &file, &w.gates, t(6)).unwrap();
    assert_eq!(d.via, "decision_file");
    assert_eq!(
        status(&w.store, &w.doc, &w.gates).unwrap().state,
        ReviewState::Approved
    );
}

#[test]
fn an_altered_or_forged_decision_file_is_refused() {
    let mut w = world();
    w.submit("eva", false, 3);
    let file = decision_file(&mut w, "rolf", Verdict::Approve);
    // Altered content: the comment is changed after signing.
    let altered = String::from_utf8(file.clone())
        .unwrap()
        .replace("Freigegeben.", "Freigegeben!");
    let err = import_decision(&mut w.store, altered.as_bytes(), &w.gates, t(6)).unwrap_err();
    says(&err, "refused.bad_signature", &["altered", "rolf"]);
    // A verdict flipped in the file breaks the signature just the same.
    let flipped = String::from_utf8(file.clone())
        .unwrap()
        .replace("\"approve\"", "\"request_changes\"");
    let err = import_decision(&mut w.store, flipped.as_bytes(), &w.gates, t(6)).unwrap_err();
    assert_eq!(err.code(), "refused.bad_signature", "{err}");
    // Forged: mallory makes a key of her own and signs as rolf.
    let other = tempfile::tempdir().unwrap();
    let mut mallory_store = Store::open(&other.path().join("m.db")).unwrap();
    let mallory_keys = MemoryKeys::new();
    let pk = ensure_key(&mallory_keys, "rolf").unwrap();
    add_member(
        &mut mallory_store,
        None,
        "rolf",
        "rolf",
        &[Role::Admin, Role::Reviewer],
        &pk,
        t(0),
    )
    .unwrap();
    let fake_rolf = Actor::prove(&mallory_store, "rolf", &mallory_keys, t(1)).unwrap();
    let eva = w.actor("eva");
    let bundle = export_bundle(&mut w.store, &eva, &w.doc, Vec::new(), t(4)).unwrap();
    let opened_elsewhere = {
        // mallory's workspace does not know eva: she reads the bundle anyway.
        let err = open_bundle(&mallory_store, &bundle).unwrap_err();
        says(&err, "refused.unknown_signer", &["eva"]);
        open_bundle(&w.store, &bundle).unwrap()
    };
    let forged = decide(
        &opened_elsewhere,
        &fake_rolf,
        Verdict::Approve,
        "ok",
        &[],
        &[],
        &w.gates,
        t(5),
    )
    .unwrap();
    let err = import_decision(&mut w.store, &forged, &w.gates, t(6)).unwrap_err();
    says(&err, "refused.wrong_key", &["rolf", "registered"]);
    // Nothing was recorded by the refused files.
    assert!(w.store.decisions(&w.doc).unwrap().is_empty());
    // A stranger cannot pick rolf's name here either: no key, no actor.
    let err = Actor::prove(&w.store, "rolf", &mallory_keys, t(7)).unwrap_err();
    says(&err, "review.key_mismatch", &["rolf"]);
    let err = Actor::prove(&w.store, "rolf", &MemoryKeys::new(), t(7)).unwrap_err();
    says(&err, "review.no_key", &["rolf", "keychain"]);
}

#[test]
fn a_decision_for_another_revision_is_refused() {
    let mut w = world();
    w.submit("eva", false, 3);
    let file = decision_file(&mut w, "rolf", Verdict::Approve);
    // eva edits and resubmits before the decision comes back.
    let text = w.head_text().replace("Kosten", "förderfähigen Kosten");
    save(&mut w.store, &w.doc, &text, "eva", Origin::Human, 6);
    w.submit("eva", false, 7);
    let err = import_decision(&mut w.store, &file, &w.gates, t(8)).unwrap_err();
    says(
        &err,
        "refused.other_revision",
        &["revision 1", "revision 2", "export a new bundle"],
    );
}

#[test]
fn a_removed_reviewer_role_is_refused() {
    let mut w = world();
    w.submit("eva", false, 3);
    let file = decision_file(&mut w, "rolf", Verdict::Approve);
    let ada = w.actor("ada");
    set_roles(&mut w.store, &ada, "rolf", &[Role::Editor], t(6)).unwrap();
    let err = import_decision(&mut w.store, &file, &w.gates, t(7)).unwrap_err();
    says(&err, "refused.not_a_reviewer", &["rolf", "reviewer role"]);
    let err = w.approve("rolf", 8).unwrap_err();
    says(&err, "review.missing_role", &["rolf", "reviewer"]);
    // Only an admin changes roles.
    let eva = w.actor("eva");
    let err = set_roles(&mut w.store, &eva, "eva", &[Role::Reviewer], t(9)).unwrap_err();
    says(&err, "review.missing_role", &["eva", "admin"]);
}

#[test]
fn a_row_edited_behind_the_stores_back_breaks_the_audit_chain_and_the_approval() {
    let mut w = world();
    w.submit("eva", false, 3);
    w.approve("rolf", 4).unwrap();
    let seq = w
        .store
        .audit_log(0, 1000)
        .unwrap()
        .into_iter()
        .find(|e| e.action == "review.approve")
        .unwrap()
        .seq;
    drop(std::mem::replace(&mut w.store, Store::open(&w.db).unwrap()));
    {
        let conn = rusqlite::Connection::open(&w.db).unwrap();
        conn.execute_batch(
            "DROP TRIGGER audit_is_append_only; DROP TRIGGER decisions_are_immutable;",
        )
        .unwrap();
        conn.execute(
            "UPDATE audit SET actor = 'eva' WHERE seq = ?1",
            [seq as i64],
        )
        .unwrap();
        conn.execute("UPDATE decisions SET reviewer = 'rita'", [])
            .unwrap();
    }
    let store = Store::open(&w.db).unwrap();
    let report = store.verify_audit().unwrap();
    let b = report.broken_at.expect("broken");
    assert_eq!(b.seq, seq);
    // The altered decision no longer verifies, so publishing refuses it.
    w.store = store;
    let out = tempfile::tempdir().unwrap();
    let err = w.publish("eva", out.path(), 5).unwrap_err();
    says(&err, "review.approval_invalid", &["rita", "signature"]);
}

#[test]
fn a_tampered_evidence_pack_or_published_file_is_refused() {
    let mut w = world();
    w.submit("eva", false, 3);
    w.approve("rolf", 4).unwrap();
    let out = tempfile::tempdir().unwrap();
    let p = w.publish("eva", out.path(), 5).unwrap();
    let pack = std::fs::read_to_string(&p.evidence).unwrap();
    // The text in the pack changed: the seal breaks.
    let t1 = pack.replace("40 Prozent", "50 Prozent");
    let err = verify_evidence(t1.as_bytes(), None).unwrap_err();
    says(&err, "refused.bad_signature", &["eva"]);
    // The published Markdown changed next to an intact pack.
    let md = std::fs::read_to_string(&p.markdown).unwrap();
    std::fs::write(&p.markdown, md.replace("40 Prozent", "50 Prozent")).unwrap();
    let err = verify_evidence(pack.as_bytes(), Some(out.path())).unwrap_err();
    says(&err, "refused.hash_mismatch", &[".md"]);
    let err = verify_evidence(b"{\"format\": \"something else\"}", None).unwrap_err();
    assert_eq!(err.code(), "refused.format");
}

#[test]
fn the_first_member_must_be_an_admin_and_later_ones_need_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("x.db")).unwrap();
    let keys = MemoryKeys::new();
    let pk = ensure_key(&keys, "eva").unwrap();
    let err = add_member(&mut store, None, "eva", "Eva", &[Role::Editor], &pk, t(0)).unwrap_err();
    assert_eq!(err.code(), "review.first_member_admin");
    add_member(
        &mut store,
        None,
        "eva",
        "Eva",
        &[Role::Admin, Role::Editor],
        &pk,
        t(0),
    )
    .unwrap();
    let pk2 = ensure_key(&keys, "max").unwrap();
    let err = add_member(
        &mut store,
        None,
        "max",
        "Max",
        &[Role::Reviewer],
        &pk2,
        t(1),
    )
    .unwrap_err();
    assert_eq!(err.code(), "review.missing_role");
    let err = add_member(
        &mut store,
        None,
        "Max Mustermann",
        "",
        &[Role::Admin],
        &pk2,
        t(1),
    )
    .unwrap_err();
    assert_eq!(err.code(), "review.bad_member_id");
}

#[test]
fn comments_follow_their_text_across_edits_and_detach_when_it_is_gone() {
    let mut w = world();
    w.submit("eva", false, 3);
    let text = w.head_text();
    let start = text.find("Anträge bis 30. Juni").unwrap() as u32;
    let rolf = w.actor("rolf");
    let d = request_changes(
        &mut w.store,
        &rolf,
        &w.doc,
        "Bitte Frist prüfen.",
        &[NewComment {
            start,
            end: start + "Anträge bis 30. Juni".len() as u32,
            body: "Stimmt die Frist?".into(),
        }],
        &w.gates,
        t(4),
    )
    .unwrap();
    assert_eq!(d.verdict, Verdict::RequestChanges);
    assert_eq!(
        status(&w.store, &w.doc, &w.gates).unwrap().state,
        ReviewState::ChangesRequested
    );
    // Text inserted before the comment: it moves with its words.
    let edited = text.replace(
        "# Förderung 2026\n",
        "# Förderung 2026\n\nNeu: ein Absatz vorab.\n",
    );
    save(&mut w.store, &w.doc, &edited, "eva", Origin::Human, 5);
    let s = status(&w.store, &w.doc, &w.gates).unwrap();
    let a = s.comments[0].anchor.expect("still anchored");
    assert_eq!(
        &edited[a.start as usize..a.end as usize],
        "Anträge bis 30. Juni"
    );
    assert!(a.start > start);
    // The commented words are rewritten: the comment detaches instead of pointing elsewhere.
    let gone = edited.replace("Anträge bis 30. Juni", "Anträge bis 31. Juli");
    save(&mut w.store, &w.doc, &gone, "eva", Origin::Human, 6);
    let s = status(&w.store, &w.doc, &w.gates).unwrap();
    assert_eq!(s.comments[0].anchor, None);
}

#[test]
fn states_are_enforced_in_the_core() {
    let mut w = world();
    // Approve before submit.
    let err = w.approve("rolf", 3).unwrap_err();
    says(&err, "review.wrong_state", &["draft", "submit"]);
    // A report of another text is refused at submit.
    let eva = w.actor("eva");
    let mut r = w.report(false);
    r.content_hash = imprimatur_store::content_hash("other");
    let err = submit(&mut w.store, &eva, &w.doc, &r, &w.gates, t(3)).unwrap_err();
    assert_eq!(err.code(), "review.report_for_other_text");
    // Publish without approval.
    let out = tempfile::tempdir().unwrap();
    let err = w.publish("eva", out.path(), 4).unwrap_err();
    says(&err, "review.not_approved", &["approval"]);
    // Submitting twice.
    w.submit("eva", false, 5);
    let r = w.report(false);
    let err = submit(&mut w.store, &eva, &w.doc, &r, &w.gates, t(6)).unwrap_err();
    assert_eq!(err.code(), "review.wrong_state");
}

#[test]
fn the_reviewer_sees_the_share_of_ai_text_and_the_diff_since_the_last_approval() {
    let mut w = world();
    w.submit("eva", false, 2);
    w.approve("rolf", 3).unwrap();
    let text = format!("{}KI-Absatz mit fünf Wörtern hier.\n", w.head_text());
    save(&mut w.store, &w.doc, &text, "eva", Origin::Ai, 4);
    let view = review_view(&w.store, &w.doc, &w.gates).unwrap();
    let head = w.store.head(&w.doc).unwrap().unwrap();
    assert!(
        view.ai_share > 0.0 && view.ai_share < 0.5,
        "{}",
        view.ai_share
    );
    assert_eq!(view.ai_share, w.store.ai_share(&head.meta.id).unwrap());
    assert_eq!(view.base.as_ref().map(|b| b.number), Some(1));
    let diff = view.diff.expect("diff against the approved revision");
    assert_eq!(diff.inserted_words, 5);
}
