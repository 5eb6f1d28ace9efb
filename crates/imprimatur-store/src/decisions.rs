//! The `decisions` table: reviewers' signed decisions (approve or request changes) on one
//! exact revision. Append-only: a decision is never changed; a later edit voids an
//! approval by moving the document on, not by touching the row.

use rusqlite::{params, Connection, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{DocumentId, RevisionId, StoreResult, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Approve,
    RequestChanges,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Approve => "approve",
            Verdict::RequestChanges => "request_changes",
        }
    }
    pub fn parse(s: &str) -> Option<Verdict> {
        match s {
            "approve" => Some(Verdict::Approve),
            "request_changes" => Some(Verdict::RequestChanges),
            _ => None,
        }
    }
}

/// One signed decision. The signature covers document, revision, content hash, report
/// hash, verdict, reviewer, time and comment (see imprimatur-review's `statement`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Decision {
    pub id: String,
    pub document_id: DocumentId,
    pub revision_id: RevisionId,
    pub content_hash: String,
    pub report_hash: String,
    pub verdict: Verdict,
    pub reviewer: String,
    /// When the reviewer decided (their clock).
    pub decided_at: Timestamp,
    pub comment: String,
    /// The reviewer's Ed25519 public key and signature, hex.
    pub public_key: String,
    pub signature: String,
    /// `local` (decided in this workspace) or `decision_file` (imported).
    pub via: String,
}

const COLUMNS: &str =
    "id, document_id, revision_id, content_hash, report_hash, verdict, reviewer, \
     decided_at, comment, public_key, signature, via";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Decision> {
    let verdict: String = r.get(5)?;
    Ok(Decision {
        id: r.get(0)?,
        document_id: r.get(1)?,
        revision_id: r.get(2)?,
        content_hash: r.get(3)?,
        report_hash: r.get(4)?,
        verdict: Verdict::parse(&verdict).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                5,
                rusqlite::types::Type::Text,
                format!("unknown verdict {verdict:?}").into(),
            )
        })?,
        reviewer: r.get(6)?,
        decided_at: Timestamp(r.get(7)?),
        comment: r.get(8)?,
        public_key: r.get(9)?,
        signature: r.get(10)?,
        via: r.get(11)?,
    })
}

pub(crate) fn insert(conn: &Connection, d: &Decision, now: Timestamp) -> StoreResult<()> {
    conn.execute(
        &format!("INSERT INTO decisions ({COLUMNS}, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"),
        params![
            d.id, d.document_id, d.revision_id, d.content_hash, d.report_hash,
            d.verdict.as_str(), d.reviewer, d.decided_at.0, d.comment, d.public_key,
            d.signature, d.via, now.0
        ],
    )?;
    Ok(())
}

/// The decisions on `doc`, oldest first.
pub(crate) fn list(conn: &Connection, doc: &DocumentId) -> StoreResult<Vec<Decision>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM decisions WHERE document_id = ?1 ORDER BY recorded_at, rowid"
    ))?;
    let rows = stmt.query_map([doc], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}
