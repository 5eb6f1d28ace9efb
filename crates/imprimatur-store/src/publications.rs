//! The `publications` table: each publish of a document, the revision and approval it
//! rests on, and the SHA-256 of the evidence pack written. Append-only.

use rusqlite::{params, Connection, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{DocumentId, RevisionId, StoreResult, Timestamp};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Publication {
    pub id: String,
    pub document_id: DocumentId,
    pub revision_id: RevisionId,
    pub content_hash: String,
    /// The approving decision.
    pub decision_id: String,
    pub publisher: String,
    pub published_at: Timestamp,
    /// SHA-256 of the evidence pack file, hex.
    pub evidence_hash: String,
}

const COLUMNS: &str =
    "id, document_id, revision_id, content_hash, decision_id, publisher, published_at, evidence_hash";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Publication> {
    Ok(Publication {
        id: r.get(0)?,
        document_id: r.get(1)?,
        revision_id: r.get(2)?,
        content_hash: r.get(3)?,
        decision_id: r.get(4)?,
        publisher: r.get(5)?,
        published_at: Timestamp(r.get(6)?),
        evidence_hash: r.get(7)?,
    })
}

pub(crate) fn insert(conn: &Connection, p: &Publication) -> StoreResult<()> {
    conn.execute(
        &format!("INSERT INTO publications ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
        params![
            p.id,
            p.document_id,
            p.revision_id,
            p.content_hash,
            p.decision_id,
            p.publisher,
            p.published_at.0,
            p.evidence_hash
        ],
    )?;
    Ok(())
}

pub(crate) fn list(conn: &Connection, doc: &DocumentId) -> StoreResult<Vec<Publication>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM publications WHERE document_id = ?1 ORDER BY published_at, rowid"
    ))?;
    let rows = stmt.query_map([doc], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}
