//! The `comments` table: review comments on a range of text. Each keeps the quoted text
//! and a little text on either side, so it can be found again after later edits
//! (imprimatur-review re-anchors it); the byte range is where it was when written.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{DocumentId, RevisionId, StoreError, StoreResult, Timestamp};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Comment {
    pub id: String,
    pub document_id: DocumentId,
    /// The revision the comment was written on, and the byte range in it.
    pub revision_id: RevisionId,
    pub start: u32,
    pub end: u32,
    /// The commented text, and up to 32 characters before and after it.
    pub quote: String,
    pub prefix: String,
    pub suffix: String,
    pub body: String,
    pub author: String,
    pub created_at: Timestamp,
    /// The decision the comment was sent with, if any.
    pub decision_id: Option<String>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<Timestamp>,
}

const COLUMNS: &str = "id, document_id, revision_id, start, \"end\", quote, prefix, suffix, body, \
     author, created_at, decision_id, resolved_by, resolved_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Comment> {
    Ok(Comment {
        id: r.get(0)?,
        document_id: r.get(1)?,
        revision_id: r.get(2)?,
        start: r.get(3)?,
        end: r.get(4)?,
        quote: r.get(5)?,
        prefix: r.get(6)?,
        suffix: r.get(7)?,
        body: r.get(8)?,
        author: r.get(9)?,
        created_at: Timestamp(r.get(10)?),
        decision_id: r.get(11)?,
        resolved_by: r.get(12)?,
        resolved_at: r.get::<_, Option<i64>>(13)?.map(Timestamp),
    })
}

pub(crate) fn insert(conn: &Connection, c: &Comment) -> StoreResult<()> {
    conn.execute(
        &format!("INSERT INTO comments ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, NULL, NULL)"),
        params![
            c.id, c.document_id, c.revision_id, c.start, c.end, c.quote, c.prefix, c.suffix,
            c.body, c.author, c.created_at.0, c.decision_id
        ],
    )?;
    Ok(())
}

pub(crate) fn resolve(
    conn: &Connection,
    doc: &DocumentId,
    id: &str,
    actor: &str,
    now: Timestamp,
) -> StoreResult<Comment> {
    let n = conn.execute(
        "UPDATE comments SET resolved_by = ?3, resolved_at = ?4
         WHERE id = ?1 AND document_id = ?2 AND resolved_at IS NULL",
        params![id, doc, actor, now.0],
    )?;
    if n == 0 {
        return Err(StoreError::CommentNotFound(id.to_string()));
    }
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM comments WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()?
    .ok_or_else(|| StoreError::CommentNotFound(id.to_string()))
}

/// The comments on `doc`, oldest first.
pub(crate) fn list(conn: &Connection, doc: &DocumentId) -> StoreResult<Vec<Comment>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM comments WHERE document_id = ?1 ORDER BY created_at, rowid"
    ))?;
    let rows = stmt.query_map([doc], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}
