//! The `waivers` table: blocking findings a reviewer waived, with the written reason and
//! the reviewer's signature. Anchored to text like an ignore (code, matched text, text
//! before it), so a waiver holds while that text is unchanged. A waiver can be revoked;
//! the row stays, with who revoked it and when.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{DocumentId, RevisionId, StoreError, StoreResult, Timestamp};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Waiver {
    pub id: String,
    pub document_id: DocumentId,
    /// The revision the reviewer looked at when waiving.
    pub revision_id: RevisionId,
    pub code: String,
    /// The source text the finding covered.
    pub matched: String,
    /// Up to 40 characters before it, to tell occurrences apart.
    pub context: String,
    pub reason: String,
    pub reviewer: String,
    pub waived_at: Timestamp,
    pub public_key: String,
    pub signature: String,
    pub revoked_by: Option<String>,
    pub revoked_at: Option<Timestamp>,
}

impl Waiver {
    /// Whether this (unrevoked) waiver covers a finding `code` over `matched`, preceded by `before`.
    pub fn covers(&self, code: &str, matched: &str, before: &str) -> bool {
        self.revoked_at.is_none()
            && self.code == code
            && self.matched == matched
            && before.ends_with(&self.context)
    }
}

const COLUMNS: &str = "id, document_id, revision_id, code, matched, context, reason, reviewer, \
     waived_at, public_key, signature, revoked_by, revoked_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Waiver> {
    Ok(Waiver {
        id: r.get(0)?,
        document_id: r.get(1)?,
        revision_id: r.get(2)?,
        code: r.get(3)?,
        matched: r.get(4)?,
        context: r.get(5)?,
        reason: r.get(6)?,
        reviewer: r.get(7)?,
        waived_at: Timestamp(r.get(8)?),
        public_key: r.get(9)?,
        signature: r.get(10)?,
        revoked_by: r.get(11)?,
        revoked_at: r.get::<_, Option<i64>>(12)?.map(Timestamp),
    })
}

pub(crate) fn insert(conn: &Connection, w: &Waiver) -> StoreResult<()> {
    if w.reason.trim().is_empty() {
        return Err(StoreError::ReasonRequired);
    }
    conn.execute(
        &format!("INSERT INTO waivers ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, NULL, NULL)"),
        params![
            w.id, w.document_id, w.revision_id, w.code, w.matched, w.context, w.reason,
            w.reviewer, w.waived_at.0, w.public_key, w.signature
        ],
    )?;
    Ok(())
}

pub(crate) fn get(conn: &Connection, doc: &DocumentId, id: &str) -> StoreResult<Waiver> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM waivers WHERE id = ?1 AND document_id = ?2"),
        params![id, doc],
        from_row,
    )
    .optional()?
    .ok_or_else(|| StoreError::WaiverNotFound(id.to_string()))
}

pub(crate) fn revoke(
    conn: &Connection,
    doc: &DocumentId,
    id: &str,
    actor: &str,
    now: Timestamp,
) -> StoreResult<Waiver> {
    let n = conn.execute(
        "UPDATE waivers SET revoked_by = ?3, revoked_at = ?4
         WHERE id = ?1 AND document_id = ?2 AND revoked_at IS NULL",
        params![id, doc, actor, now.0],
    )?;
    if n == 0 {
        return Err(StoreError::WaiverNotFound(id.to_string()));
    }
    get(conn, doc, id)
}

/// All waivers of `doc`, revoked ones included, oldest first.
pub(crate) fn list(conn: &Connection, doc: &DocumentId) -> StoreResult<Vec<Waiver>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM waivers WHERE document_id = ?1 ORDER BY waived_at, rowid"
    ))?;
    let rows = stmt.query_map([doc], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}
