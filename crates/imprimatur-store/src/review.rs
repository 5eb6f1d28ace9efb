//! The review workflow's writes: members, check reports, workflow state, decisions,
//! waivers, comments and publications. Each write and its audit entry happen in one
//! transaction. The rules (who may do what, in which state) live in imprimatur-review;
//! these methods only record.

use rusqlite::{Transaction, TransactionBehavior};
use serde_json::json;

use crate::{
    audit, check_reports, comments, decisions, members, publications, waivers, workflow,
    AuditEntry, Comment, Decision, DocumentId, Member, NewMember, Publication, ReviewState,
    RevisionId, Role, Store, StoreResult, StoredReport, Timestamp, Waiver, WorkflowRow,
};

impl Store {
    /// Runs `write`, which records a change and its audit entry, in one immediate
    /// transaction: both are stored together or not at all.
    fn audited<T>(
        &mut self,
        write: impl FnOnce(&Transaction<'_>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = write(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Registers a member. `actor` is the admin who does it (or the first member itself).
    pub fn add_member(
        &mut self,
        new: &NewMember<'_>,
        actor: &str,
        now: Timestamp,
    ) -> StoreResult<Member> {
        self.audited(|tx| {
            let m = members::insert(tx, new, actor, now)?;
            audit::append(
                tx,
                now,
                actor,
                "member.add",
                &m.id,
                &json!({ "name": m.name, "roles": m.roles, "public_key": m.public_key }),
            )?;
            Ok(m)
        })
    }

    /// Replaces a member's roles (an empty list takes every role away).
    pub fn set_member_roles(
        &mut self,
        id: &str,
        roles: &[Role],
        actor: &str,
        now: Timestamp,
    ) -> StoreResult<Member> {
        self.audited(|tx| {
            let before = members::get(tx, id)?
                .ok_or_else(|| crate::StoreError::MemberNotFound(id.to_string()))?;
            let m = members::set_roles(tx, id, roles)?;
            audit::append(
                tx,
                now,
                actor,
                "member.roles",
                id,
                &json!({ "before": before.roles, "after": m.roles }),
            )?;
            Ok(m)
        })
    }

    pub fn member(&self, id: &str) -> StoreResult<Option<Member>> {
        members::get(&self.conn, id)
    }

    /// All members, by id.
    pub fn members(&self) -> StoreResult<Vec<Member>> {
        members::list(&self.conn)
    }

    /// Stores the check report (JSON text) of the revision with `content_hash`, unless
    /// one is stored already; returns the stored report. A new one enters the audit log.
    pub fn save_check_report(
        &mut self,
        doc: &DocumentId,
        content_hash: &str,
        report: &str,
        actor: &str,
        now: Timestamp,
    ) -> StoreResult<StoredReport> {
        self.audited(|tx| {
            let (stored, new) = check_reports::insert(tx, doc, content_hash, report, now)?;
            if new {
                audit::append(
                    tx,
                    now,
                    actor,
                    "check.report",
                    doc.as_str(),
                    &json!({ "content_hash": content_hash, "report_hash": stored.report_hash }),
                )?;
            }
            Ok(stored)
        })
    }

    pub fn check_report(
        &self,
        doc: &DocumentId,
        content_hash: &str,
    ) -> StoreResult<Option<StoredReport>> {
        check_reports::get(&self.conn, doc, content_hash)
    }

    /// The recorded workflow state of `doc`; `None` for a document never submitted.
    pub fn workflow(&self, doc: &DocumentId) -> StoreResult<Option<WorkflowRow>> {
        workflow::get(&self.conn, doc)
    }

    /// Records a state transition as audit entry `action` with `details`.
    #[allow(clippy::too_many_arguments)]
    pub fn set_workflow(
        &mut self,
        doc: &DocumentId,
        state: ReviewState,
        rev: &RevisionId,
        actor: &str,
        action: &str,
        details: &serde_json::Value,
        now: Timestamp,
    ) -> StoreResult<WorkflowRow> {
        self.audited(|tx| {
            let row = workflow::set(tx, doc, state, rev, actor, now)?;
            let mut details = details.clone();
            if let Some(map) = details.as_object_mut() {
                map.insert("state".into(), json!(state));
                map.insert("revision".into(), json!(rev));
            }
            audit::append(tx, now, actor, action, doc.as_str(), &details)?;
            Ok(row)
        })
    }

    /// Records a signed decision, the comments sent with it and the state it leads to,
    /// in one transaction with its audit entry (`review.approve` or `review.request_changes`).
    pub fn record_decision(
        &mut self,
        decision: &Decision,
        comments: &[Comment],
        state: ReviewState,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.audited(|tx| {
            decisions::insert(tx, decision, now)?;
            for c in comments {
                comments::insert(tx, c)?;
            }
            workflow::set(
                tx,
                &decision.document_id,
                state,
                &decision.revision_id,
                &decision.reviewer,
                now,
            )?;
            audit::append(
                tx,
                now,
                &decision.reviewer,
                &format!("review.{}", decision.verdict.as_str()),
                decision.document_id.as_str(),
                &json!({
                    "decision": decision.id,
                    "revision": decision.revision_id,
                    "content_hash": decision.content_hash,
                    "report_hash": decision.report_hash,
                    "decided_at": decision.decided_at,
                    "comment": decision.comment,
                    "comments": comments.iter().map(|c| &c.id).collect::<Vec<_>>(),
                    "public_key": decision.public_key,
                    "signature": decision.signature,
                    "via": decision.via,
                    "state": state,
                }),
            )?;
            Ok(())
        })
    }

    /// The decisions on `doc`, oldest first.
    pub fn decisions(&self, doc: &DocumentId) -> StoreResult<Vec<Decision>> {
        decisions::list(&self.conn, doc)
    }

    /// Records a signed waiver of a blocking finding (`review.waive`).
    pub fn record_waiver(&mut self, waiver: &Waiver, now: Timestamp) -> StoreResult<()> {
        self.audited(|tx| {
            waivers::insert(tx, waiver)?;
            audit::append(
                tx,
                now,
                &waiver.reviewer,
                "review.waive",
                waiver.document_id.as_str(),
                &json!({
                    "waiver": waiver.id, "revision": waiver.revision_id, "code": waiver.code,
                    "matched": waiver.matched, "reason": waiver.reason,
                    "public_key": waiver.public_key, "signature": waiver.signature,
                }),
            )?;
            Ok(())
        })
    }

    /// Takes a waiver back (`review.unwaive`); the finding blocks again.
    pub fn revoke_waiver(
        &mut self,
        doc: &DocumentId,
        id: &str,
        actor: &str,
        now: Timestamp,
    ) -> StoreResult<Waiver> {
        self.audited(|tx| {
            let w = waivers::revoke(tx, doc, id, actor, now)?;
            audit::append(
                tx,
                now,
                actor,
                "review.unwaive",
                doc.as_str(),
                &json!({ "waiver": w.id, "code": w.code, "matched": w.matched }),
            )?;
            Ok(w)
        })
    }

    /// The waivers of `doc`, revoked ones included, oldest first.
    pub fn waivers(&self, doc: &DocumentId) -> StoreResult<Vec<Waiver>> {
        waivers::list(&self.conn, doc)
    }

    /// Records a comment on a text range (`review.comment`).
    pub fn add_comment(&mut self, comment: &Comment, now: Timestamp) -> StoreResult<()> {
        self.audited(|tx| {
            comments::insert(tx, comment)?;
            audit::append(
                tx,
                now,
                &comment.author,
                "review.comment",
                comment.document_id.as_str(),
                &json!({
                    "comment": comment.id, "revision": comment.revision_id,
                    "start": comment.start, "end": comment.end, "quote": comment.quote,
                    "body": comment.body,
                }),
            )?;
            Ok(())
        })
    }

    /// Marks a comment as resolved (`review.resolve_comment`).
    pub fn resolve_comment(
        &mut self,
        doc: &DocumentId,
        id: &str,
        actor: &str,
        now: Timestamp,
    ) -> StoreResult<Comment> {
        self.audited(|tx| {
            let c = comments::resolve(tx, doc, id, actor, now)?;
            audit::append(
                tx,
                now,
                actor,
                "review.resolve_comment",
                doc.as_str(),
                &json!({ "comment": c.id }),
            )?;
            Ok(c)
        })
    }

    /// The comments on `doc`, oldest first.
    pub fn comments(&self, doc: &DocumentId) -> StoreResult<Vec<Comment>> {
        comments::list(&self.conn, doc)
    }

    /// Records a publication and moves the document to `published` (`doc.publish`).
    pub fn record_publication(&mut self, p: &Publication, now: Timestamp) -> StoreResult<()> {
        self.audited(|tx| {
            publications::insert(tx, p)?;
            workflow::set(
                tx,
                &p.document_id,
                ReviewState::Published,
                &p.revision_id,
                &p.publisher,
                now,
            )?;
            audit::append(
                tx,
                now,
                &p.publisher,
                "doc.publish",
                p.document_id.as_str(),
                &json!({
                    "publication": p.id, "revision": p.revision_id, "content_hash": p.content_hash,
                    "decision": p.decision_id, "evidence_hash": p.evidence_hash,
                }),
            )?;
            Ok(())
        })
    }

    pub fn publications(&self, doc: &DocumentId) -> StoreResult<Vec<Publication>> {
        publications::list(&self.conn, doc)
    }

    /// The audit entries about `subject` (optionally only `action`), oldest first: e.g.
    /// a document's `model.call` records for its evidence pack.
    pub fn audit_about(&self, subject: &str, action: Option<&str>) -> StoreResult<Vec<AuditEntry>> {
        audit::about(&self.conn, subject, action)
    }
}
