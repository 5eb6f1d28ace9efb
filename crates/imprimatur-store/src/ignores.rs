//! The `ignores` table: findings a person chose to ignore, with a reason.
//!
//! An ignore is anchored to text, not to byte offsets, because offsets move with every
//! edit: `here` ignores one occurrence (the rule's code, the matched text and the text
//! just before it), `document` ignores the rule for every occurrence of that text in the
//! document.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{DocumentId, StoreError, StoreResult, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum IgnoreScope {
    Here,
    Document,
}

impl IgnoreScope {
    fn as_str(self) -> &'static str {
        match self {
            IgnoreScope::Here => "here",
            IgnoreScope::Document => "document",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Ignore {
    pub id: String,
    pub document_id: DocumentId,
    pub code: String,
    pub scope: IgnoreScope,
    /// The source text the finding covered.
    pub matched: String,
    /// Up to 40 characters of source text before it, to tell occurrences apart.
    pub context: String,
    pub reason: String,
    pub author: String,
    pub created_at: Timestamp,
}

impl Ignore {
    /// Whether this ignore covers a finding with `code` over `matched`, preceded by `before`.
    pub fn covers(&self, code: &str, matched: &str, before: &str) -> bool {
        self.code == code
            && self.matched == matched
            && match self.scope {
                IgnoreScope::Document => true,
                IgnoreScope::Here => before.ends_with(&self.context),
            }
    }
}

/// What a caller hands in to ignore a finding.
#[derive(Debug, Clone, Copy)]
pub struct NewIgnore<'a> {
    pub code: &'a str,
    pub scope: IgnoreScope,
    pub matched: &'a str,
    pub context: &'a str,
    pub reason: &'a str,
    pub author: &'a str,
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Ignore> {
    let scope: String = r.get(3)?;
    Ok(Ignore {
        id: r.get(0)?,
        document_id: r.get(1)?,
        code: r.get(2)?,
        scope: if scope == "here" {
            IgnoreScope::Here
        } else {
            IgnoreScope::Document
        },
        matched: r.get(4)?,
        context: r.get(5)?,
        reason: r.get(6)?,
        author: r.get(7)?,
        created_at: Timestamp(r.get(8)?),
    })
}

const COLUMNS: &str = "id, document_id, code, scope, matched, context, reason, author, created_at";

pub(crate) fn insert(
    conn: &Connection,
    doc: &DocumentId,
    new: &NewIgnore<'_>,
    now: Timestamp,
) -> StoreResult<Ignore> {
    if new.reason.trim().is_empty() {
        return Err(StoreError::ReasonRequired);
    }
    let id = format!("i{}", uuid::Uuid::new_v4().simple());
    conn.execute(
        &format!("INSERT INTO ignores ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
        params![
            id,
            doc,
            new.code,
            new.scope.as_str(),
            new.matched,
            new.context,
            new.reason.trim(),
            new.author,
            now.0
        ],
    )?;
    Ok(conn.query_row(
        &format!("SELECT {COLUMNS} FROM ignores WHERE id = ?1"),
        [&id],
        from_row,
    )?)
}

pub(crate) fn list(conn: &Connection, doc: &DocumentId) -> StoreResult<Vec<Ignore>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM ignores WHERE document_id = ?1 ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map([doc], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn remove(conn: &Connection, doc: &DocumentId, id: &str) -> StoreResult<Ignore> {
    let found = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM ignores WHERE id = ?1 AND document_id = ?2"),
            params![id, doc],
            from_row,
        )
        .optional()?
        .ok_or_else(|| StoreError::IgnoreNotFound(id.to_string()))?;
    conn.execute("DELETE FROM ignores WHERE id = ?1", [id])?;
    Ok(found)
}
