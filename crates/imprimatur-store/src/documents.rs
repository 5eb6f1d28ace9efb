//! The `documents` table: one row per document, pointing at its newest revision.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;
use ts_rs::TS;

use crate::{DocumentId, RevisionId, StoreError, StoreResult, Timestamp};

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DocumentSummary {
    pub id: DocumentId,
    pub title: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The newest revision; `None` until the first save.
    pub head: Option<RevisionId>,
    pub revisions: u32,
}

const COLUMNS: &str = "d.id, d.title, d.created_at, d.updated_at, d.head,
    (SELECT count(*) FROM revisions r WHERE r.document_id = d.id)";

fn from_row(r: &Row<'_>) -> rusqlite::Result<DocumentSummary> {
    Ok(DocumentSummary {
        id: r.get(0)?,
        title: r.get(1)?,
        created_at: Timestamp(r.get(2)?),
        updated_at: Timestamp(r.get(3)?),
        head: r.get(4)?,
        revisions: r.get(5)?,
    })
}

pub(crate) fn insert(
    conn: &Connection,
    title: &str,
    now: Timestamp,
) -> StoreResult<DocumentSummary> {
    let id = DocumentId::generate();
    conn.execute(
        "INSERT INTO documents (id, title, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
        params![id, title, now.0],
    )?;
    get(conn, &id)
}

/// The document that tracks workspace file `file`, if there is one.
pub(crate) fn by_file(conn: &Connection, file: &str) -> StoreResult<Option<DocumentSummary>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM documents d WHERE d.file = ?1"),
            [file],
            from_row,
        )
        .optional()?)
}

/// A document for workspace file `file`, titled with its path.
pub(crate) fn insert_file(
    conn: &Connection,
    file: &str,
    now: Timestamp,
) -> StoreResult<DocumentSummary> {
    let id = DocumentId::generate();
    conn.execute(
        "INSERT INTO documents (id, title, created_at, updated_at, file) VALUES (?1, ?2, ?3, ?3, ?2)",
        params![id, file, now.0],
    )?;
    get(conn, &id)
}

pub(crate) fn get(conn: &Connection, id: &DocumentId) -> StoreResult<DocumentSummary> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM documents d WHERE d.id = ?1"),
        [id],
        from_row,
    )
    .optional()?
    .ok_or_else(|| StoreError::DocumentNotFound(id.to_string()))
}

pub(crate) fn list(conn: &Connection) -> StoreResult<Vec<DocumentSummary>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM documents d WHERE d.file IS NULL
         ORDER BY d.updated_at DESC, d.id DESC"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn set_head(
    conn: &Connection,
    id: &DocumentId,
    head: &RevisionId,
    now: Timestamp,
) -> StoreResult<()> {
    conn.execute(
        "UPDATE documents SET head = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, head, now.0],
    )?;
    Ok(())
}

pub(crate) fn resolve(conn: &Connection, spec: &str) -> StoreResult<DocumentId> {
    let spec = spec.trim();
    let exact: Option<DocumentId> = conn
        .query_row("SELECT id FROM documents WHERE id = ?1", [spec], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(id) = exact {
        return Ok(id);
    }
    if spec.chars().count() < 4 {
        return Err(StoreError::IdTooShort(spec.to_string()));
    }
    let mut stmt =
        conn.prepare("SELECT id FROM documents WHERE substr(id, 1, length(?1)) = ?1 LIMIT 2")?;
    let ids: Vec<DocumentId> = stmt
        .query_map([spec], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    crate::ids::the_one(ids, spec, "documents", || {
        StoreError::DocumentNotFound(spec.to_string())
    })
}
