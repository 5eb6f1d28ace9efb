//! The `check_reports` table: the check report of a revision, keyed by document and
//! content hash, stored as the exact JSON text that was hashed, so the reviewer sees what
//! the editor saw and the approval's report hash can be recomputed from the stored text.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{DocumentId, StoreResult, Timestamp};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StoredReport {
    pub document_id: DocumentId,
    /// The content hash of the revision the report is about.
    pub content_hash: String,
    /// The `CheckReport` as JSON, byte for byte as hashed.
    pub report: String,
    /// SHA-256 of `report`, hex.
    pub report_hash: String,
    pub created_at: Timestamp,
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<StoredReport> {
    Ok(StoredReport {
        document_id: r.get(0)?,
        content_hash: r.get(1)?,
        report: r.get(2)?,
        report_hash: r.get(3)?,
        created_at: Timestamp(r.get(4)?),
    })
}

const COLUMNS: &str = "document_id, content_hash, report, report_hash, created_at";

/// Stores the report unless one is already stored for that text; returns the stored one
/// and whether it is new. A report is never replaced: an approval may point at it.
pub(crate) fn insert(
    conn: &Connection,
    doc: &DocumentId,
    content_hash: &str,
    report: &str,
    now: Timestamp,
) -> StoreResult<(StoredReport, bool)> {
    if let Some(existing) = get(conn, doc, content_hash)? {
        return Ok((existing, false));
    }
    conn.execute(
        &format!("INSERT INTO check_reports ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5)"),
        params![
            doc,
            content_hash,
            report,
            crate::content_hash(report),
            now.0
        ],
    )?;
    let stored = get(conn, doc, content_hash)?.expect("just inserted");
    Ok((stored, true))
}

pub(crate) fn get(
    conn: &Connection,
    doc: &DocumentId,
    content_hash: &str,
) -> StoreResult<Option<StoredReport>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {COLUMNS} FROM check_reports WHERE document_id = ?1 AND content_hash = ?2"
            ),
            params![doc, content_hash],
            from_row,
        )
        .optional()?)
}
