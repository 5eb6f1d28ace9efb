//! The `audit` table: an append-only, hash-chained log of every write.
//!
//! Each entry's hash covers its own fields and the previous entry's hash, so changing,
//! inserting or deleting an entry breaks the chain at that point. SQLite triggers refuse
//! UPDATE and DELETE; the chain catches whoever bypasses them with another tool.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::{StoreResult, Timestamp};

/// The hash that the first entry chains to.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AuditEntry {
    #[ts(type = "number")]
    pub seq: u64,
    pub at: Timestamp,
    pub actor: String,
    /// What happened, e.g. `doc.save`, `doc.restore`, `settings.change`.
    pub action: String,
    /// The id of what it happened to.
    pub subject: String,
    /// JSON with the particulars (revision id, content hash, ...).
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Why the chain is broken at an entry.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuditProblem {
    /// The entry's fields no longer produce its hash: it was edited.
    Altered,
    /// The entry does not chain to the one before it: something was inserted before it
    /// or the entry before it was replaced.
    NotChained,
    /// Entries are missing before this one.
    Missing {
        #[ts(type = "number")]
        expected_seq: u64,
    },
    /// Entries at the end of the log were removed.
    Truncated {
        #[ts(type = "number")]
        recorded_head: u64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AuditReport {
    #[ts(type = "number")]
    pub entries: u64,
    /// The first entry where the chain breaks, and why; `None` when the log is intact.
    pub broken_at: Option<AuditBreak>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AuditBreak {
    #[ts(type = "number")]
    pub seq: u64,
    pub problem: AuditProblem,
}

impl AuditEntry {
    /// The hash this entry's fields produce; equal to `hash` unless the entry was altered.
    /// Lets a verifier check audit records copied out of the store (e.g. into an evidence pack).
    pub fn recompute_hash(&self) -> String {
        entry_hash(
            &self.prev_hash,
            self.seq,
            self.at,
            &self.actor,
            &self.action,
            &self.subject,
            &self.details,
        )
    }
}

impl AuditReport {
    pub fn intact(&self) -> bool {
        self.broken_at.is_none()
    }
}

fn entry_hash(
    prev_hash: &str,
    seq: u64,
    at: Timestamp,
    actor: &str,
    action: &str,
    subject: &str,
    details: &str,
) -> String {
    let mut h = Sha256::new();
    // Length-prefixed fields, so that moving text from one field to the next changes the hash.
    for field in [
        prev_hash,
        &seq.to_string(),
        &at.0.to_string(),
        actor,
        action,
        subject,
        details,
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.get::<_, i64>(0)? as u64,
        at: Timestamp(r.get(1)?),
        actor: r.get(2)?,
        action: r.get(3)?,
        subject: r.get(4)?,
        details: r.get(5)?,
        prev_hash: r.get(6)?,
        hash: r.get(7)?,
    })
}

pub(crate) fn append(
    conn: &Connection,
    at: Timestamp,
    actor: &str,
    action: &str,
    subject: &str,
    details: &serde_json::Value,
) -> StoreResult<AuditEntry> {
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq as u64 + 1, hash),
        None => (1, GENESIS.to_string()),
    };
    let details = details.to_string();
    let hash = entry_hash(&prev_hash, seq, at, actor, action, subject, &details);
    conn.execute(
        "INSERT INTO audit (seq, at, actor, action, subject, details, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![seq as i64, at.0, actor, action, subject, details, prev_hash, hash],
    )?;
    conn.execute(
        "INSERT INTO audit_head (one, seq, hash) VALUES (1, ?1, ?2)
         ON CONFLICT (one) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        params![seq as i64, hash],
    )?;
    Ok(AuditEntry {
        seq,
        at,
        actor: actor.to_string(),
        action: action.to_string(),
        subject: subject.to_string(),
        details,
        prev_hash,
        hash,
    })
}

pub(crate) fn list(conn: &Connection, after: u64, limit: u32) -> StoreResult<Vec<AuditEntry>> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, action, subject, details, prev_hash, hash
         FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![after as i64, limit], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn about(
    conn: &Connection,
    subject: &str,
    action: Option<&str>,
) -> StoreResult<Vec<AuditEntry>> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, action, subject, details, prev_hash, hash
         FROM audit WHERE subject = ?1 AND (?2 IS NULL OR action = ?2) ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![subject, action], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn verify(conn: &Connection) -> StoreResult<AuditReport> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, action, subject, details, prev_hash, hash FROM audit ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut expected_seq = 1u64;
    let mut prev_hash = GENESIS.to_string();
    let mut entries = 0u64;
    let broken = |entries, seq, problem| {
        Ok(AuditReport {
            entries,
            broken_at: Some(AuditBreak { seq, problem }),
        })
    };
    while let Some(row) = rows.next()? {
        let e = from_row(row)?;
        entries += 1;
        if e.seq != expected_seq {
            return broken(entries, e.seq, AuditProblem::Missing { expected_seq });
        }
        let recomputed = entry_hash(
            &e.prev_hash,
            e.seq,
            e.at,
            &e.actor,
            &e.action,
            &e.subject,
            &e.details,
        );
        if recomputed != e.hash {
            return broken(entries, e.seq, AuditProblem::Altered);
        }
        if e.prev_hash != prev_hash {
            return broken(entries, e.seq, AuditProblem::NotChained);
        }
        prev_hash = e.hash;
        expected_seq += 1;
    }
    let head: Option<(i64, String)> = conn
        .query_row("SELECT seq, hash FROM audit_head", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let last_seq = expected_seq - 1;
    match head {
        Some((seq, hash)) if seq as u64 != last_seq || hash != prev_hash => {
            if (seq as u64) > last_seq {
                broken(
                    entries,
                    last_seq + 1,
                    AuditProblem::Truncated {
                        recorded_head: seq as u64,
                    },
                )
            } else {
                broken(entries, seq as u64 + 1, AuditProblem::NotChained)
            }
        }
        None if entries > 0 => broken(entries, 1, AuditProblem::Truncated { recorded_head: 0 }),
        _ => Ok(AuditReport {
            entries,
            broken_at: None,
        }),
    }
}
