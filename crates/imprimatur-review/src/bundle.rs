//! Review between laptops, without a server. The editor exports a signed review bundle
//! (the revision, its history since the last approval, the check report, the sources);
//! the reviewer opens it in their workspace, decides, and sends back a signed decision
//! file; the editor's workspace verifies signature, the reviewer's role and the revision
//! hash before it records the decision. A tampered or mismatched file is refused with
//! the reason.

use imprimatur_check::CheckReport;
use imprimatur_store::{Origin, RevisionMeta};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::signing::{
    decision_statement, open, seal, sha256_hex, verify_decision, verify_waiver, DECISION_DOMAIN,
};
use crate::workflow::{blockers, check_approvable, make_comments, make_waiver, Record};
use crate::{
    Actor, Author, Comment, Decision, DocumentId, Gates, NewComment, Refusal, ReviewError,
    ReviewResult, ReviewState, RevisionId, Role, Store, Timestamp, Verdict, Waiver,
};

pub const BUNDLE_FORMAT: &str = "imprimatur.review-bundle/1";
pub const DECISION_FORMAT: &str = "imprimatur.decision/1";

/// One revision with its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BundleRevision {
    pub id: RevisionId,
    pub number: u32,
    pub content_hash: String,
    pub author: String,
    pub origin: Origin,
    pub message: Option<String>,
    pub created_at: Timestamp,
    pub content: String,
}

impl BundleRevision {
    pub(crate) fn of(meta: &RevisionMeta, content: String) -> BundleRevision {
        BundleRevision {
            id: meta.id.clone(),
            number: meta.number,
            content_hash: meta.content_hash.clone(),
            author: meta.author.clone(),
            origin: meta.origin,
            message: meta.message.clone(),
            created_at: meta.created_at,
            content,
        }
    }
}

/// A source the text relies on (a knowledge file), with its text and hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BundleSource {
    /// Its path in the workspace, e.g. `knowledge/foerderung-2026.md`.
    pub path: String,
    pub content_hash: String,
    pub text: String,
}

/// What a review bundle holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ReviewBundle {
    pub document_id: DocumentId,
    pub title: String,
    /// The revision to review.
    pub revision: BundleRevision,
    /// The revisions since the last approval, oldest first, ending with `revision`.
    pub history: Vec<BundleRevision>,
    /// The last approved revision, to diff against.
    pub base: Option<BundleRevision>,
    /// The check report of `revision` as stored (JSON text) and its SHA-256.
    pub report: String,
    pub report_hash: String,
    pub authors: Vec<Author>,
    pub waivers: Vec<Waiver>,
    pub comments: Vec<Comment>,
    pub sources: Vec<BundleSource>,
    pub exported_by: String,
    pub exported_at: Timestamp,
}

/// A verified bundle, as the reviewer's app shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct OpenedBundle {
    pub bundle: ReviewBundle,
    pub report: CheckReport,
    /// Who signed it (a member of the reviewer's workspace with that registered key).
    pub signer: String,
    /// SHA-256 of the bundle file.
    pub file_hash: String,
}

/// What a decision file holds: the signed decision, comments on ranges of the reviewed
/// text, and waivers the reviewer granted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DecisionFile {
    pub decision: Decision,
    pub comments: Vec<Comment>,
    pub waivers: Vec<Waiver>,
    /// SHA-256 of the bundle file decided on.
    pub bundle_hash: String,
}

fn refused(what: &'static str, reason: Refusal) -> ReviewError {
    ReviewError::Refused { what, reason }
}

/// Exports the revision in review as a bundle signed by `actor` (an editor). Recorded as
/// `review.export_bundle` with the file's hash.
pub fn export_bundle(
    store: &mut Store,
    actor: &Actor,
    doc: &DocumentId,
    sources: Vec<BundleSource>,
    now: Timestamp,
) -> ReviewResult<Vec<u8>> {
    actor.require(Role::Editor, "export a review bundle")?;
    let rec = Record::load(store, doc)?;
    let head = rec.head()?;
    if rec.state() != ReviewState::InReview {
        return Err(ReviewError::WrongState {
            action: "export a review bundle",
            state: rec.state(),
            hint: "submit the newest revision for review first",
        });
    }
    let (_, stored) = rec.head_report()?;
    let since = rec.last_approval().map_or(0, |(_, n)| n);
    let mut history = Vec::new();
    let mut base = None;
    for meta in &rec.history {
        if meta.number == since {
            base = Some(BundleRevision::of(meta, store.revision(&meta.id)?.content));
        } else if meta.number > since {
            history.push(BundleRevision::of(meta, store.revision(&meta.id)?.content));
        }
    }
    let bundle = ReviewBundle {
        document_id: doc.clone(),
        title: store.document(doc)?.title,
        revision: BundleRevision::of(&head.meta, head.content.clone()),
        history,
        base,
        report: stored.report.clone(),
        report_hash: stored.report_hash.clone(),
        authors: rec.authors(store)?,
        waivers: rec
            .waivers
            .iter()
            .filter(|w| w.revoked_at.is_none())
            .cloned()
            .collect(),
        comments: store
            .comments(doc)?
            .into_iter()
            .filter(|c| c.resolved_at.is_none())
            .collect(),
        sources,
        exported_by: actor.id().to_string(),
        exported_at: now,
    };
    let bytes = seal(BUNDLE_FORMAT, &bundle, actor);
    store.record(
        actor.id(),
        "review.export_bundle",
        doc.as_str(),
        &serde_json::json!({
            "revision": head.meta.id, "content_hash": head.meta.content_hash,
            "report_hash": stored.report_hash, "bundle_hash": sha256_hex(&bytes),
        }),
        now,
    )?;
    Ok(bytes)
}

/// Opens a bundle in the reviewer's workspace: the signature must verify, the signer
/// must be a member there with that registered key, and every revision, the report and
/// every source must match their hashes.
pub fn open_bundle(store: &Store, bytes: &[u8]) -> ReviewResult<OpenedBundle> {
    const WHAT: &str = "the review bundle";
    let (env, bundle): (_, ReviewBundle) =
        open(bytes, BUNDLE_FORMAT).map_err(|r| refused(WHAT, r))?;
    check_signer(store, &env.signer, &env.public_key).map_err(|r| refused(WHAT, r))?;
    if env.signer != bundle.exported_by {
        return Err(refused(
            WHAT,
            Refusal::Inconsistent(format!(
                "it says it was exported by {} but {} signed it",
                bundle.exported_by, env.signer
            )),
        ));
    }
    for r in bundle
        .history
        .iter()
        .chain(bundle.base.iter())
        .chain([&bundle.revision])
    {
        check_hash(
            &format!("revision {}", r.number),
            &r.content,
            &r.content_hash,
        )
        .map_err(|r| refused(WHAT, r))?;
    }
    check_hash("the check report", &bundle.report, &bundle.report_hash)
        .map_err(|r| refused(WHAT, r))?;
    for s in &bundle.sources {
        check_hash(&format!("source {}", s.path), &s.text, &s.content_hash)
            .map_err(|r| refused(WHAT, r))?;
    }
    let report: CheckReport = serde_json::from_str(&bundle.report).map_err(|e| {
        refused(
            WHAT,
            Refusal::Inconsistent(format!("its check report is unreadable: {e}")),
        )
    })?;
    if report.content_hash != bundle.revision.content_hash {
        return Err(refused(
            WHAT,
            Refusal::Inconsistent("its check report is about another text".into()),
        ));
    }
    Ok(OpenedBundle {
        bundle,
        report,
        signer: env.signer,
        file_hash: sha256_hex(bytes),
    })
}

pub(crate) fn check_hash(what: &str, text: &str, expected: &str) -> Result<(), Refusal> {
    let actual = imprimatur_store::content_hash(text);
    if actual == expected {
        Ok(())
    } else {
        Err(Refusal::HashMismatch {
            what: what.to_string(),
            detail: format!("recorded {expected}, computed {actual}"),
        })
    }
}

/// The signer is a member of this workspace and the key is the one registered for them.
fn check_signer(store: &Store, signer: &str, public_key: &str) -> Result<crate::Member, Refusal> {
    let member = store
        .member(signer)
        .ok()
        .flatten()
        .ok_or_else(|| Refusal::UnknownSigner {
            signer: signer.to_string(),
        })?;
    if member.public_key != public_key {
        return Err(Refusal::WrongKey {
            signer: signer.to_string(),
        });
    }
    Ok(member)
}

/// The reviewer's decision on an opened bundle, as a signed decision file. Refused
/// unless the actor is a reviewer; an approval also needs a reviewer who is not an author
/// and every blocking finding resolved or waived (`waive`: code, byte offset, reason).
#[allow(clippy::too_many_arguments)]
pub fn decide(
    opened: &OpenedBundle,
    actor: &Actor,
    verdict: Verdict,
    comment: &str,
    comments: &[NewComment],
    waive: &[(String, u32, String)],
    gates: &Gates,
    now: Timestamp,
) -> ReviewResult<Vec<u8>> {
    let action = match verdict {
        Verdict::Approve => "approve",
        Verdict::RequestChanges => "request changes",
    };
    actor.require(Role::Reviewer, action)?;
    let b = &opened.bundle;
    let rev = (&b.revision.id, b.revision.content.as_str());
    let mut waivers = Vec::new();
    if !waive.is_empty() || verdict == Verdict::Approve {
        if let Some(a) = b.authors.iter().find(|a| a.member == actor.id()) {
            return Err(ReviewError::OwnText {
                actor: actor.id().to_string(),
                action,
                revisions: a
                    .revisions
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
    for (code, start, reason) in waive {
        waivers.push(make_waiver(
            actor,
            &b.document_id,
            rev,
            &opened.report,
            (code, *start, reason),
            gates,
            now,
        )?);
    }
    if verdict == Verdict::Approve {
        let all: Vec<Waiver> = b.waivers.iter().chain(&waivers).cloned().collect();
        let open = blockers(&opened.report, &b.revision.content, &all, gates);
        if let Some(e) = crate::workflow::blocked(action, &open) {
            return Err(e);
        }
    }
    let mut d = Decision {
        id: format!("a{}", uuid::Uuid::new_v4().simple()),
        document_id: b.document_id.clone(),
        revision_id: b.revision.id.clone(),
        content_hash: b.revision.content_hash.clone(),
        report_hash: b.report_hash.clone(),
        verdict,
        reviewer: actor.id().to_string(),
        decided_at: now,
        comment: comment.trim().to_string(),
        public_key: actor.public_key(),
        signature: String::new(),
        via: "decision_file".into(),
    };
    d.signature = actor.sign(DECISION_DOMAIN, &decision_statement(&d));
    let comments = make_comments(&b.document_id, rev, comments, actor.id(), Some(&d.id), now)?;
    let file = DecisionFile {
        decision: d,
        comments,
        waivers,
        bundle_hash: opened.file_hash.clone(),
    };
    Ok(seal(DECISION_FORMAT, &file, actor))
}

/// Verifies a decision file and records it: the signature, the signer's registered key
/// and current reviewer role, that it is about this document's newest revision and its
/// stored check report, the four-eyes rule and the gates. Refused with the reason
/// otherwise; nothing is recorded then.
pub fn import_decision(
    store: &mut Store,
    bytes: &[u8],
    gates: &Gates,
    now: Timestamp,
) -> ReviewResult<Decision> {
    const WHAT: &str = "the decision file";
    let (env, file): (_, DecisionFile) =
        open(bytes, DECISION_FORMAT).map_err(|r| refused(WHAT, r))?;
    let d = &file.decision;
    if d.reviewer != env.signer || d.public_key != env.public_key {
        return Err(refused(
            WHAT,
            Refusal::Inconsistent(format!(
                "the decision is by {} but {} signed the file",
                d.reviewer, env.signer
            )),
        ));
    }
    let member = check_signer(store, &env.signer, &env.public_key).map_err(|r| refused(WHAT, r))?;
    if !member.has(Role::Reviewer) {
        return Err(refused(
            WHAT,
            Refusal::NotAReviewer {
                signer: env.signer.clone(),
            },
        ));
    }
    if !verify_decision(d) {
        return Err(refused(
            WHAT,
            Refusal::BadSignature {
                signer: d.reviewer.clone(),
            },
        ));
    }
    let doc = store
        .resolve_document(d.document_id.as_str())
        .map_err(|_| {
            refused(
                WHAT,
                Refusal::Inconsistent(format!(
                    "it is about document {}, which this workspace does not have",
                    d.document_id
                )),
            )
        })?;
    let mut rec = Record::load(store, &doc)?;
    let head = rec.head()?;
    if d.revision_id != head.meta.id || d.content_hash != head.meta.content_hash {
        let found_number = rec
            .history
            .iter()
            .find(|r| r.id == d.revision_id)
            .map_or(0, |r| r.number);
        return Err(refused(
            WHAT,
            Refusal::OtherRevision {
                found_number,
                found_hash: d.content_hash.clone(),
                head_number: head.meta.number,
                head_hash: head.meta.content_hash.clone(),
            },
        ));
    }
    if let Some(stored) = &rec.report {
        if stored.report_hash != d.report_hash {
            return Err(refused(
                WHAT,
                Refusal::OtherReport {
                    expected: stored.report_hash.clone(),
                    found: d.report_hash.clone(),
                },
            ));
        }
    }
    for w in &file.waivers {
        if w.reviewer != d.reviewer
            || w.document_id != doc
            || w.revision_id != head.meta.id
            || !verify_waiver(w)
        {
            return Err(refused(
                WHAT,
                Refusal::BadSignature {
                    signer: w.reviewer.clone(),
                },
            ));
        }
    }
    for c in &file.comments {
        if c.document_id != doc || c.decision_id.as_deref() != Some(d.id.as_str()) {
            return Err(refused(
                WHAT,
                Refusal::Inconsistent("a comment belongs to another decision".into()),
            ));
        }
    }
    rec.waivers.extend(file.waivers.iter().cloned());
    check_approvable(store, &rec, &d.reviewer, true, d.verdict, gates).map_err(|e| match e {
        ReviewError::OwnText {
            actor, revisions, ..
        } => refused(
            WHAT,
            Refusal::OwnText {
                signer: actor,
                revisions,
            },
        ),
        other => other,
    })?;
    for w in &file.waivers {
        store.record_waiver(w, now)?;
    }
    let state = match d.verdict {
        Verdict::Approve => ReviewState::Approved,
        Verdict::RequestChanges => ReviewState::ChangesRequested,
    };
    let mut recorded = d.clone();
    recorded.via = "decision_file".into();
    store.record_decision(&recorded, &file.comments, state, now)?;
    Ok(recorded)
}
