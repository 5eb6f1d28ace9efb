//! The `revisions` table: immutable revisions, each stored as a keyframe or a delta.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::codec;
use crate::{documents, DocumentId, RevisionId, StoreError, StoreResult, Timestamp};

/// Who wrote a revision's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Human,
    Ai,
    Import,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Human => "human",
            Origin::Ai => "ai",
            Origin::Import => "import",
        }
    }

    fn parse(s: &str) -> Option<Origin> {
        match s {
            "human" => Some(Origin::Human),
            "ai" => Some(Origin::Ai),
            "import" => Some(Origin::Import),
            _ => None,
        }
    }
}

/// What a caller hands in to save.
#[derive(Debug, Clone, Copy)]
pub struct NewRevision<'a> {
    pub content: &'a str,
    pub author: &'a str,
    pub origin: Origin,
    pub message: Option<&'a str>,
}

/// A revision without its content: what a history list shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RevisionMeta {
    pub id: RevisionId,
    pub document_id: DocumentId,
    /// Position in the document's history, from 1.
    pub number: u32,
    pub parent: Option<RevisionId>,
    /// SHA-256 of the UTF-8 content, hex.
    pub content_hash: String,
    pub author: String,
    pub origin: Origin,
    pub message: Option<String>,
    pub created_at: Timestamp,
    /// Bytes of content.
    pub size: u32,
    /// Bytes the revision takes in the database.
    pub stored_size: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Revision {
    pub meta: RevisionMeta,
    pub content: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SaveOutcome {
    pub revision: RevisionMeta,
    /// True when the content equalled the newest revision and nothing was written.
    pub unchanged: bool,
}

const META_COLUMNS: &str = "id, document_id, number, parent, content_hash, author, origin, \
     message, created_at, size, length(body)";

fn meta_from_row(r: &Row<'_>) -> rusqlite::Result<RevisionMeta> {
    let origin: String = r.get(6)?;
    Ok(RevisionMeta {
        id: r.get(0)?,
        document_id: r.get(1)?,
        number: r.get(2)?,
        parent: r.get(3)?,
        content_hash: r.get(4)?,
        author: r.get(5)?,
        origin: Origin::parse(&origin).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                6,
                rusqlite::types::Type::Text,
                format!("unknown origin {origin:?}").into(),
            )
        })?,
        message: r.get(7)?,
        created_at: Timestamp(r.get(8)?),
        size: r.get(9)?,
        stored_size: r.get(10)?,
    })
}

fn meta(conn: &Connection, id: &RevisionId) -> StoreResult<Option<RevisionMeta>> {
    Ok(conn
        .query_row(
            &format!("SELECT {META_COLUMNS} FROM revisions WHERE id = ?1"),
            [id],
            meta_from_row,
        )
        .optional()?)
}

/// The stored form of one revision.
struct Body {
    base: Option<RevisionId>,
    body: Vec<u8>,
    size: usize,
}

fn body(conn: &Connection, id: &RevisionId) -> StoreResult<Option<Body>> {
    Ok(conn
        .query_row(
            "SELECT base, body, size FROM revisions WHERE id = ?1",
            [id],
            |r| {
                Ok(Body {
                    base: r.get(0)?,
                    body: r.get(1)?,
                    size: r.get::<_, i64>(2)? as usize,
                })
            },
        )
        .optional()?)
}

fn utf8(bytes: Vec<u8>, rev: &RevisionId) -> StoreResult<String> {
    String::from_utf8(bytes).map_err(|_| StoreError::Corrupt {
        rev: rev.to_string(),
    })
}

/// The text of a keyframe.
fn keyframe_text(conn: &Connection, id: &RevisionId) -> StoreResult<(String, usize)> {
    let kf = body(conn, id)?.ok_or_else(|| StoreError::Corrupt {
        rev: id.to_string(),
    })?;
    let text = utf8(codec::decompress(&kf.body, kf.size)?, id)?;
    Ok((text, kf.body.len()))
}

pub(crate) fn read(conn: &Connection, id: &RevisionId) -> StoreResult<Revision> {
    let meta = meta(conn, id)?.ok_or_else(|| StoreError::RevisionNotFound {
        doc: "?".into(),
        rev: id.to_string(),
    })?;
    let stored = body(conn, id)?.ok_or_else(|| StoreError::Corrupt {
        rev: id.to_string(),
    })?;
    let bytes = match &stored.base {
        None => codec::decompress(&stored.body, stored.size),
        Some(base) => {
            let (keyframe, _) = keyframe_text(conn, base)?;
            codec::decompress_delta(&stored.body, &keyframe, stored.size)
        }
    }
    .map_err(|_| StoreError::Corrupt {
        rev: id.to_string(),
    })?;
    let content = utf8(bytes, id)?;
    if codec::content_hash(&content) != meta.content_hash {
        return Err(StoreError::Corrupt {
            rev: id.to_string(),
        });
    }
    Ok(Revision { meta, content })
}

pub(crate) fn insert(
    conn: &Connection,
    doc: &DocumentId,
    new: &NewRevision<'_>,
    now: Timestamp,
) -> StoreResult<SaveOutcome> {
    if new.content.len() > codec::MAX_CONTENT_BYTES {
        return Err(StoreError::TooLarge {
            size: new.content.len(),
            limit: codec::MAX_CONTENT_BYTES,
        });
    }
    let document = documents::get(conn, doc)?;
    let hash = codec::content_hash(new.content);
    let head = match &document.head {
        Some(h) => Some(meta(conn, h)?.ok_or_else(|| StoreError::Corrupt { rev: h.to_string() })?),
        None => None,
    };
    // An unchanged text writes nothing, unless the caller names the version: "save
    // version" right after an autosave must keep its message.
    if let Some(head) = &head {
        if head.content_hash == hash && new.message.is_none() {
            return Ok(SaveOutcome {
                revision: head.clone(),
                unchanged: true,
            });
        }
    }

    let (base, stored) = match &head {
        None => (None, codec::compress(new.content)?),
        Some(head) => {
            let head_base = body(conn, &head.id)?
                .ok_or_else(|| StoreError::Corrupt {
                    rev: head.id.to_string(),
                })?
                .base;
            let keyframe_id = head_base.unwrap_or_else(|| head.id.clone());
            let (keyframe, keyframe_len) = keyframe_text(conn, &keyframe_id)?;
            let delta = codec::compress_delta(new.content, &keyframe)?;
            if codec::keep_delta(delta.len(), keyframe_len) {
                (Some(keyframe_id), delta)
            } else {
                (None, codec::compress(new.content)?)
            }
        }
    };

    let id = RevisionId::generate();
    let number = head.as_ref().map_or(1, |h| h.number + 1);
    conn.execute(
        "INSERT INTO revisions (id, document_id, number, parent, content_hash, author, origin,
                                message, created_at, size, base, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            id,
            doc,
            number,
            head.as_ref().map(|h| &h.id),
            hash,
            new.author,
            new.origin.as_str(),
            new.message,
            now.0,
            new.content.len() as i64,
            base,
            stored,
        ],
    )?;
    documents::set_head(conn, doc, &id, now)?;
    let revision = meta(conn, &id)?.ok_or_else(|| StoreError::Corrupt {
        rev: id.to_string(),
    })?;
    // In the same transaction, so a revision never exists without its provenance.
    crate::provenance::record(conn, &revision, new.content, head.as_ref())?;
    Ok(SaveOutcome {
        revision,
        unchanged: false,
    })
}

pub(crate) fn history(conn: &Connection, doc: &DocumentId) -> StoreResult<Vec<RevisionMeta>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {META_COLUMNS} FROM revisions WHERE document_id = ?1 ORDER BY number"
    ))?;
    let rows = stmt.query_map([doc], meta_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn resolve(conn: &Connection, doc: &DocumentId, spec: &str) -> StoreResult<RevisionId> {
    let spec = spec.trim();
    let not_found = || StoreError::RevisionNotFound {
        doc: doc.to_string(),
        rev: spec.to_string(),
    };
    if spec.eq_ignore_ascii_case("head") {
        return documents::get(conn, doc)?.head.ok_or_else(not_found);
    }
    if let Ok(number) = spec.parse::<u32>() {
        return conn
            .query_row(
                "SELECT id FROM revisions WHERE document_id = ?1 AND number = ?2",
                params![doc, number],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(not_found);
    }
    if spec.chars().count() < 4 {
        return Err(StoreError::IdTooShort(spec.to_string()));
    }
    let mut stmt = conn.prepare(
        "SELECT id FROM revisions WHERE document_id = ?1 AND substr(id, 1, length(?2)) = ?2 LIMIT 2",
    )?;
    let ids: Vec<RevisionId> = stmt
        .query_map(params![doc, spec], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    crate::ids::the_one(ids, spec, "revisions", not_found)
}
