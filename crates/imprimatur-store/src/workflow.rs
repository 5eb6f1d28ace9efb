//! The `workflow` table: where each document stands in the review workflow, and which
//! revision that state is about. The rules of the transitions live in imprimatur-review;
//! this is their record. A document without a row is a draft.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{DocumentId, RevisionId, StoreResult, Timestamp};

/// `draft` → `in_review` → `changes_requested` | `approved` → `published`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    Draft,
    InReview,
    ChangesRequested,
    Approved,
    Published,
}

impl ReviewState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Draft => "draft",
            ReviewState::InReview => "in_review",
            ReviewState::ChangesRequested => "changes_requested",
            ReviewState::Approved => "approved",
            ReviewState::Published => "published",
        }
    }

    pub fn parse(s: &str) -> Option<ReviewState> {
        Some(match s {
            "draft" => ReviewState::Draft,
            "in_review" => ReviewState::InReview,
            "changes_requested" => ReviewState::ChangesRequested,
            "approved" => ReviewState::Approved,
            "published" => ReviewState::Published,
            _ => return None,
        })
    }
}

/// The recorded state of a document and the revision it refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WorkflowRow {
    pub document_id: DocumentId,
    pub state: ReviewState,
    pub revision_id: RevisionId,
    pub changed_by: String,
    pub changed_at: Timestamp,
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<WorkflowRow> {
    let state: String = r.get(1)?;
    Ok(WorkflowRow {
        document_id: r.get(0)?,
        state: ReviewState::parse(&state).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                1,
                rusqlite::types::Type::Text,
                format!("unknown review state {state:?}").into(),
            )
        })?,
        revision_id: r.get(2)?,
        changed_by: r.get(3)?,
        changed_at: Timestamp(r.get(4)?),
    })
}

pub(crate) fn get(conn: &Connection, doc: &DocumentId) -> StoreResult<Option<WorkflowRow>> {
    Ok(conn
        .query_row(
            "SELECT document_id, state, revision_id, changed_by, changed_at FROM workflow WHERE document_id = ?1",
            [doc],
            from_row,
        )
        .optional()?)
}

pub(crate) fn set(
    conn: &Connection,
    doc: &DocumentId,
    state: ReviewState,
    rev: &RevisionId,
    actor: &str,
    now: Timestamp,
) -> StoreResult<WorkflowRow> {
    conn.execute(
        "INSERT INTO workflow (document_id, state, revision_id, changed_by, changed_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (document_id) DO UPDATE SET state = excluded.state,
           revision_id = excluded.revision_id, changed_by = excluded.changed_by,
           changed_at = excluded.changed_at",
        params![doc, state.as_str(), rev, actor, now.0],
    )?;
    Ok(get(conn, doc)?.expect("just written"))
}
