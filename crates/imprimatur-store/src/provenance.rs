//! Which bytes of a revision are still AI text and which a person wrote, tracked across
//! revisions by diffing each revision against its parent.
//!
//! A revision with origin `ai` starts the tracking: text it inserted is AI text. Every
//! later revision of that document inherits the origins of the text it kept (word
//! diff against the parent) and marks what it inserted with its own origin (`ai` for
//! generated or rewritten text, `human` for everything else, `import` included). A
//! document no model ever wrote has no rows: all of it is human text.

use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use similar::{Algorithm, ChangeTag, TextDiff};
use ts_rs::TS;

use crate::revisions::{self, Origin, RevisionMeta};
use crate::{RevisionId, StoreResult};

/// A run of bytes with one author kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProvenanceSpan {
    /// Byte offsets in the revision's content.
    pub start: u32,
    pub end: u32,
    /// `ai` or `human`.
    pub origin: Origin,
    /// The revision that wrote these bytes.
    pub revision: RevisionId,
}

/// The provenance of one revision: spans covering its content without gaps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Provenance {
    pub revision: RevisionId,
    pub spans: Vec<ProvenanceSpan>,
    pub ai_bytes: u64,
    pub total_bytes: u64,
    /// `ai_bytes / total_bytes` (0 for an empty text).
    pub ai_share: f64,
}

fn kind(origin: Origin) -> Origin {
    match origin {
        Origin::Ai => Origin::Ai,
        Origin::Human | Origin::Import => Origin::Human,
    }
}

/// Records the provenance of `new` (just inserted with `content`) when its document has
/// any AI text so far or `new` is AI text.
pub(crate) fn record(
    conn: &Connection,
    new: &RevisionMeta,
    content: &str,
    parent: Option<&RevisionMeta>,
) -> StoreResult<()> {
    let parent_spans = match parent {
        Some(p) => match stored(conn, &p.id)? {
            Some(spans) => Some((spans, revisions::read(conn, &p.id)?.content)),
            None if new.origin == Origin::Ai => {
                let text = revisions::read(conn, &p.id)?.content;
                let whole = vec![ProvenanceSpan {
                    start: 0,
                    end: text.len() as u32,
                    origin: kind(p.origin),
                    revision: p.id.clone(),
                }];
                Some((whole, text))
            }
            None => return Ok(()),
        },
        None if new.origin == Origin::Ai => None,
        None => return Ok(()),
    };
    let spans = match parent_spans {
        None => vec![ProvenanceSpan {
            start: 0,
            end: content.len() as u32,
            origin: Origin::Ai,
            revision: new.id.clone(),
        }],
        Some((old_spans, old_text)) => carry(&old_text, &old_spans, content, new),
    };
    let ai_bytes: u64 = spans
        .iter()
        .filter(|s| s.origin == Origin::Ai)
        .map(|s| u64::from(s.end - s.start))
        .sum();
    conn.execute(
        "INSERT INTO provenance (revision_id, spans, ai_bytes, total_bytes) VALUES (?1, ?2, ?3, ?4)",
        params![
            new.id,
            serde_json::to_string(&spans).unwrap_or_default(),
            ai_bytes as i64,
            content.len() as i64
        ],
    )?;
    Ok(())
}

/// The spans of `new_text`: kept words keep their origin, inserted words get `new`'s.
pub fn carry(
    old_text: &str,
    old_spans: &[ProvenanceSpan],
    new_text: &str,
    new: &RevisionMeta,
) -> Vec<ProvenanceSpan> {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .timeout(Duration::from_secs(2))
        .diff_words(old_text, new_text);
    let mut out: Vec<ProvenanceSpan> = Vec::new();
    let (mut old_pos, mut new_pos) = (0usize, 0usize);
    let push = |out: &mut Vec<ProvenanceSpan>,
                start: usize,
                end: usize,
                origin: Origin,
                rev: &RevisionId| {
        if start >= end {
            return;
        }
        if let Some(last) = out.last_mut() {
            if last.end as usize == start && last.origin == origin && &last.revision == rev {
                last.end = end as u32;
                return;
            }
        }
        out.push(ProvenanceSpan {
            start: start as u32,
            end: end as u32,
            origin,
            revision: rev.clone(),
        });
    };
    for change in diff.iter_all_changes() {
        let len = change.value().len();
        match change.tag() {
            ChangeTag::Equal => {
                // The kept bytes take the origins of the old spans they overlap.
                let (a, b) = (old_pos, old_pos + len);
                for s in old_spans {
                    let (s0, s1) = (s.start as usize, s.end as usize);
                    let (lo, hi) = (a.max(s0), b.min(s1));
                    if lo < hi {
                        push(
                            &mut out,
                            new_pos + (lo - a),
                            new_pos + (hi - a),
                            s.origin,
                            &s.revision,
                        );
                    }
                }
                old_pos += len;
                new_pos += len;
            }
            ChangeTag::Delete => old_pos += len,
            ChangeTag::Insert => {
                push(&mut out, new_pos, new_pos + len, kind(new.origin), &new.id);
                new_pos += len;
            }
        }
    }
    // A word diff matches stray spaces and short words inside a rewritten passage ("man
    // sie kaum" against "Sie ist leise"); a short kept run between two runs this
    // revision inserted belongs to the rewrite.
    let mut i = 1;
    while i + 1 < out.len() {
        let short = out[i].end - out[i].start <= 4;
        if short && out[i - 1].revision == new.id && out[i + 1].revision == new.id {
            let end = out[i + 1].end;
            out[i - 1].end = end;
            out.drain(i..i + 2);
        } else {
            i += 1;
        }
    }
    // Old spans always cover their text, but a gap would hide bytes: fill it as human.
    let mut filled: Vec<ProvenanceSpan> = Vec::with_capacity(out.len());
    let mut pos = 0u32;
    for s in out {
        if s.start > pos {
            filled.push(ProvenanceSpan {
                start: pos,
                end: s.start,
                origin: Origin::Human,
                revision: new.id.clone(),
            });
        }
        pos = s.end;
        filled.push(s);
    }
    if (pos as usize) < new_text.len() {
        filled.push(ProvenanceSpan {
            start: pos,
            end: new_text.len() as u32,
            origin: kind(new.origin),
            revision: new.id.clone(),
        });
    }
    filled
}

fn stored(conn: &Connection, rev: &RevisionId) -> StoreResult<Option<Vec<ProvenanceSpan>>> {
    let json: Option<String> = conn
        .query_row(
            "SELECT spans FROM provenance WHERE revision_id = ?1",
            [rev],
            |r| r.get(0),
        )
        .optional()?;
    Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
}

/// The provenance of `rev`: stored spans, or one human span when no AI text was ever in
/// its document.
pub(crate) fn get(conn: &Connection, rev: &RevisionId) -> StoreResult<Provenance> {
    let meta = revisions::read(conn, rev)?.meta;
    let total = u64::from(meta.size);
    let spans = stored(conn, rev)?.unwrap_or_else(|| {
        if total == 0 {
            Vec::new()
        } else {
            vec![ProvenanceSpan {
                start: 0,
                end: meta.size,
                origin: kind(meta.origin),
                revision: meta.id.clone(),
            }]
        }
    });
    let ai_bytes: u64 = spans
        .iter()
        .filter(|s| s.origin == Origin::Ai)
        .map(|s| u64::from(s.end - s.start))
        .sum();
    Ok(Provenance {
        revision: meta.id,
        spans,
        ai_bytes,
        total_bytes: total,
        ai_share: if total == 0 {
            0.0
        } else {
            ai_bytes as f64 / total as f64
        },
    })
}
