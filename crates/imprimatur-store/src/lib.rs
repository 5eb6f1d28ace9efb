//! The revision store of an Imprimatur workspace: one SQLite file that holds every
//! document, every immutable revision of it, and the hash-chained audit log.
//!
//! Functions take the current time as an argument so that tests control it.

mod audit;
mod check_reports;
mod codec;
mod comments;
mod decisions;
mod diff;
mod documents;
mod error;
mod ids;
mod ignores;
mod members;
mod migrations;
mod model_calls;
mod provenance;
mod publications;
mod review;
mod revisions;
mod waivers;
mod workflow;

use std::path::Path;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

pub use audit::{AuditBreak, AuditEntry, AuditProblem, AuditReport};
pub use check_reports::StoredReport;
pub use codec::{content_hash, MAX_CONTENT_BYTES};
pub use comments::Comment;
pub use decisions::{Decision, Verdict};
pub use diff::{word_diff, DiffChunk, DiffOp, WordDiff};
pub use documents::DocumentSummary;
pub use error::{StoreError, StoreResult};
pub use ids::{DocumentId, RevisionId, Timestamp};
pub use ignores::{Ignore, IgnoreScope, NewIgnore};
pub use members::{Member, NewMember, Role};
pub use model_calls::{DocumentCost, ModelCost, NewModelCall};
pub use provenance::{carry as carry_provenance, Provenance, ProvenanceSpan};
pub use publications::Publication;
pub use revisions::{NewRevision, Origin, Revision, RevisionMeta, SaveOutcome};
pub use waivers::Waiver;
pub use workflow::{ReviewState, WorkflowRow};

/// An open revision store. One per workspace; not shared between threads
/// (wrap it in a mutex where several callers need it).
pub struct Store {
    conn: Connection,
}

/// Figures about the database file, for benchmarks and `imprimatur doc stats`.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct StoreStats {
    pub documents: u32,
    pub revisions: u32,
    pub keyframes: u32,
    /// Bytes of revision content before compression.
    pub content_bytes: u64,
    /// Bytes of revision bodies as stored (compressed keyframes and deltas).
    pub stored_bytes: u64,
    /// Size of the database file plus its write-ahead log.
    pub file_bytes: u64,
}

impl Store {
    /// Opens (or creates) the store at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> StoreResult<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open {
            path: path.display().to_string(),
            source,
        })?;
        Self::configure(conn, path)
    }

    fn configure(mut conn: Connection, path: &Path) -> StoreResult<Store> {
        let open_err = |source| StoreError::Open {
            path: path.display().to_string(),
            source,
        };
        // WAL lets the app read history while an autosave writes, and makes a killed
        // process leave a consistent file. synchronous=NORMAL keeps every committed
        // transaction across a process crash; only a power cut may lose the last few.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(open_err)?;
        migrations::migrate(&mut conn)?;
        Ok(Store { conn })
    }

    /// Creates a document with no revision yet and records it in the audit log.
    pub fn create_document(
        &mut self,
        title: &str,
        actor: &str,
        now: Timestamp,
    ) -> StoreResult<DocumentSummary> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let doc = documents::insert(&tx, title, now)?;
        audit::append(
            &tx,
            now,
            actor,
            "doc.create",
            doc.id.as_str(),
            &serde_json::json!({ "title": title }),
        )?;
        tx.commit()?;
        Ok(doc)
    }

    /// All documents (articles; not the documents that track workspace files), most
    /// recently changed first.
    pub fn documents(&self) -> StoreResult<Vec<DocumentSummary>> {
        documents::list(&self.conn)
    }

    pub fn document(&self, id: &DocumentId) -> StoreResult<DocumentSummary> {
        documents::get(&self.conn, id)
    }

    /// Finds a document by its full id or a unique prefix of at least four characters.
    pub fn resolve_document(&self, id_or_prefix: &str) -> StoreResult<DocumentId> {
        documents::resolve(&self.conn, id_or_prefix)
    }

    /// Finds a revision of `doc` by its full id, a unique prefix, or its number in the
    /// document's history (`3` is the third revision, `head` the newest).
    pub fn resolve_revision(&self, doc: &DocumentId, spec: &str) -> StoreResult<RevisionId> {
        revisions::resolve(&self.conn, doc, spec)
    }

    /// Saves `new` as the next revision of `doc`. Saving the content the head already
    /// has, without a message, creates nothing and reports `unchanged`, so an autosave timer may call this freely.
    pub fn save(
        &mut self,
        doc: &DocumentId,
        new: NewRevision<'_>,
        now: Timestamp,
    ) -> StoreResult<SaveOutcome> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let outcome = revisions::insert(&tx, doc, &new, now)?;
        if !outcome.unchanged {
            audit::append(
                &tx,
                now,
                new.author,
                "doc.save",
                doc.as_str(),
                &serde_json::json!({
                    "revision": outcome.revision.id,
                    "content_hash": outcome.revision.content_hash,
                    "origin": new.origin,
                    "message": new.message,
                }),
            )?;
        }
        tx.commit()?;
        Ok(outcome)
    }

    /// Makes the content of `rev` the newest revision again. History is never rewritten.
    pub fn restore(
        &mut self,
        doc: &DocumentId,
        rev: &RevisionId,
        author: &str,
        now: Timestamp,
    ) -> StoreResult<SaveOutcome> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let old = revisions::read(&tx, rev)?;
        if old.meta.document_id != *doc {
            return Err(StoreError::RevisionNotFound {
                doc: doc.to_string(),
                rev: rev.to_string(),
            });
        }
        let message = format!("Restored revision {}", old.meta.number);
        let new = NewRevision {
            content: &old.content,
            author,
            origin: Origin::Human,
            message: Some(&message),
        };
        let outcome = revisions::insert(&tx, doc, &new, now)?;
        audit::append(
            &tx,
            now,
            author,
            "doc.restore",
            doc.as_str(),
            &serde_json::json!({
                "restored": rev,
                "revision": outcome.revision.id,
                "content_hash": outcome.revision.content_hash,
                "unchanged": outcome.unchanged,
            }),
        )?;
        tx.commit()?;
        Ok(outcome)
    }

    /// The revisions of `doc`, oldest first, without their content.
    pub fn history(&self, doc: &DocumentId) -> StoreResult<Vec<RevisionMeta>> {
        documents::get(&self.conn, doc)?;
        revisions::history(&self.conn, doc)
    }

    /// One revision with its content, checked against its content hash.
    pub fn revision(&self, rev: &RevisionId) -> StoreResult<Revision> {
        revisions::read(&self.conn, rev)
    }

    /// Like [`Store::revision`], but only if the revision belongs to `doc`, so a caller
    /// that holds a document id cannot read another document's text by accident.
    pub fn revision_of(&self, doc: &DocumentId, rev: &RevisionId) -> StoreResult<Revision> {
        let r = revisions::read(&self.conn, rev)?;
        if r.meta.document_id != *doc {
            return Err(StoreError::RevisionNotFound {
                doc: doc.to_string(),
                rev: rev.to_string(),
            });
        }
        Ok(r)
    }

    /// A word diff between two revisions of `doc`.
    pub fn diff_of(
        &self,
        doc: &DocumentId,
        from: &RevisionId,
        to: &RevisionId,
    ) -> StoreResult<WordDiff> {
        let a = self.revision_of(doc, from)?;
        let b = self.revision_of(doc, to)?;
        Ok(diff::word_diff(&a, &b))
    }

    /// Which bytes of `rev` are AI text and which a person wrote (see `provenance.rs`).
    pub fn provenance(&self, rev: &RevisionId) -> StoreResult<Provenance> {
        provenance::get(&self.conn, rev)
    }

    /// The share of `rev`'s bytes that are still AI text, 0.0 to 1.0.
    pub fn ai_share(&self, rev: &RevisionId) -> StoreResult<f64> {
        Ok(provenance::get(&self.conn, rev)?.ai_share)
    }

    /// The newest revision of `doc`, if it has any.
    pub fn head(&self, doc: &DocumentId) -> StoreResult<Option<Revision>> {
        match documents::get(&self.conn, doc)?.head {
            Some(rev) => Ok(Some(revisions::read(&self.conn, &rev)?)),
            None => Ok(None),
        }
    }

    /// A word-level diff from revision `from` to revision `to`.
    pub fn diff(&self, from: &RevisionId, to: &RevisionId) -> StoreResult<WordDiff> {
        let a = revisions::read(&self.conn, from)?;
        let b = revisions::read(&self.conn, to)?;
        Ok(diff::word_diff(&a, &b))
    }

    /// Ignores a finding in `doc`, with the reason, and records it in the audit log.
    pub fn ignore_finding(
        &mut self,
        doc: &DocumentId,
        new: NewIgnore<'_>,
        now: Timestamp,
    ) -> StoreResult<Ignore> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        documents::get(&tx, doc)?;
        let ignore = ignores::insert(&tx, doc, &new, now)?;
        audit::append(
            &tx,
            now,
            new.author,
            "finding.ignore",
            doc.as_str(),
            &serde_json::json!({
                "ignore": ignore.id, "code": ignore.code, "scope": ignore.scope,
                "matched": ignore.matched, "reason": ignore.reason,
            }),
        )?;
        tx.commit()?;
        Ok(ignore)
    }

    /// Takes an ignore back; the finding shows again. Recorded in the audit log.
    pub fn unignore_finding(
        &mut self,
        doc: &DocumentId,
        ignore: &str,
        actor: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let removed = ignores::remove(&tx, doc, ignore)?;
        audit::append(
            &tx,
            now,
            actor,
            "finding.unignore",
            doc.as_str(),
            &serde_json::json!({ "ignore": removed.id, "code": removed.code, "matched": removed.matched }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The findings ignored in `doc`, oldest first.
    pub fn ignores(&self, doc: &DocumentId) -> StoreResult<Vec<Ignore>> {
        ignores::list(&self.conn, doc)
    }

    /// The document that tracks workspace file `file` (a path relative to the workspace,
    /// e.g. `styleguides/Brand/Tone.yml`), if a change to it was ever saved.
    pub fn file_document(&self, file: &str) -> StoreResult<Option<DocumentSummary>> {
        documents::by_file(&self.conn, file)
    }

    /// Saves `new` as the next revision of workspace file `file` and appends one audit
    /// entry `action` (with `details`, the revision and its hash) in the same transaction,
    /// so a change to a rule or to the settings is a revision with its reason on record.
    /// The first time, the file's content before the change (`before`) becomes revision 1
    /// (origin `import`), so the history shows what changed.
    pub fn save_file(
        &mut self,
        file: &str,
        before: Option<&str>,
        new: NewRevision<'_>,
        action: &str,
        details: &serde_json::Value,
        now: Timestamp,
    ) -> StoreResult<SaveOutcome> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let doc = match documents::by_file(&tx, file)? {
            Some(doc) => doc,
            None => documents::insert_file(&tx, file, now)?,
        };
        if let (None, Some(before)) = (&doc.head, before) {
            let found = NewRevision {
                content: before,
                author: new.author,
                origin: Origin::Import,
                message: Some("as found in the workspace"),
            };
            revisions::insert(&tx, &doc.id, &found, now)?;
        }
        let outcome = revisions::insert(&tx, &doc.id, &new, now)?;
        let mut details = details.clone();
        if let Some(map) = details.as_object_mut() {
            map.insert("document".into(), serde_json::json!(doc.id));
            map.insert("revision".into(), serde_json::json!(outcome.revision.id));
            map.insert(
                "content_hash".into(),
                serde_json::json!(outcome.revision.content_hash),
            );
        }
        audit::append(&tx, now, new.author, action, file, &details)?;
        tx.commit()?;
        Ok(outcome)
    }

    /// Appends an entry to the audit log for a write that happens outside the store,
    /// such as a change to `imprimatur.toml`.
    pub fn record(
        &mut self,
        actor: &str,
        action: &str,
        subject: &str,
        details: &serde_json::Value,
        now: Timestamp,
    ) -> StoreResult<AuditEntry> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let entry = audit::append(&tx, now, actor, action, subject, details)?;
        tx.commit()?;
        Ok(entry)
    }

    /// Records one language-model call: a row in the cost ledger and an entry
    /// `model.call` in the audit chain (subject: the document, else the model), in one
    /// transaction, so neither exists without the other.
    pub fn record_model_call(
        &mut self,
        call: &NewModelCall<'_>,
        now: Timestamp,
    ) -> StoreResult<AuditEntry> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut details = serde_json::json!({
            "task": call.task,
            "model": call.model,
            "preset": call.preset,
            "provider_model": call.provider_model,
            "locality": call.locality,
            "outcome": call.outcome,
            "cached": call.cached,
            "input_tokens": call.input_tokens,
            "output_tokens": call.output_tokens,
            "tokens_estimated": call.tokens_estimated,
            "price_table": call.price_table,
            "cost_micros": call.cost_micros,
            "currency": call.currency,
            "latency_ms": call.latency_ms,
        });
        if let (Some(map), Some(extra)) = (details.as_object_mut(), call.details.as_object()) {
            for (k, v) in extra {
                map.insert(k.clone(), v.clone());
            }
        }
        let subject = call.document.unwrap_or(call.model);
        let entry = audit::append(&tx, now, call.actor, "model.call", subject, &details)?;
        model_calls::insert(&tx, call, entry.seq, now)?;
        tx.commit()?;
        Ok(entry)
    }

    /// Cloud model spending in `[from, to)`, in millionths of the currency unit.
    pub fn model_cloud_spend(&self, from: Timestamp, to: Timestamp) -> StoreResult<i64> {
        model_calls::cloud_spend(&self.conn, from, to)
    }

    /// Cloud model spending for one document, all time, in millionths.
    pub fn model_document_spend(&self, document: &str) -> StoreResult<i64> {
        model_calls::document_spend(&self.conn, document)
    }

    /// Model spending per provider and model in `[from, to)`.
    pub fn model_costs(&self, from: Timestamp, to: Timestamp) -> StoreResult<Vec<ModelCost>> {
        model_calls::costs(&self.conn, from, to)
    }

    /// Model spending per document in `[from, to)`.
    pub fn model_document_costs(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<DocumentCost>> {
        model_calls::document_costs(&self.conn, from, to)
    }

    /// The audit log, oldest first, starting after entry `after` (0 for all).
    pub fn audit_log(&self, after: u64, limit: u32) -> StoreResult<Vec<AuditEntry>> {
        audit::list(&self.conn, after, limit)
    }

    /// Walks the whole audit chain and names the first entry that was altered,
    /// inserted or deleted.
    pub fn verify_audit(&self) -> StoreResult<AuditReport> {
        audit::verify(&self.conn)
    }

    /// Runs SQLite's own consistency check; `ok` is what a healthy file reports.
    pub fn integrity_check(&self) -> StoreResult<String> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    pub fn stats(&self) -> StoreResult<StoreStats> {
        let (documents,): (u32,) =
            self.conn
                .query_row("SELECT count(*) FROM documents", [], |r| Ok((r.get(0)?,)))?;
        let (revisions, keyframes, content_bytes, stored_bytes): (u32, u32, i64, i64) =
            self.conn.query_row(
                "SELECT count(*), count(*) FILTER (WHERE base IS NULL),
                        coalesce(sum(size), 0), coalesce(sum(length(body)), 0) FROM revisions",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
        let file_bytes = match self.conn.path() {
            Some(p) if !p.is_empty() => {
                let len = |p: &str| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
                len(p) + len(&format!("{p}-wal"))
            }
            _ => 0,
        };
        Ok(StoreStats {
            documents,
            revisions,
            keyframes,
            content_bytes: content_bytes as u64,
            stored_bytes: stored_bytes as u64,
            file_bytes,
        })
    }

    /// Folds the write-ahead log back into the main file, e.g. before a backup or a size measurement.
    pub fn checkpoint(&self) -> StoreResult<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}
