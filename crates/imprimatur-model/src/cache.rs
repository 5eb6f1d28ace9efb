//! The response cache: one SQLite file beside the workspace store
//! (`.imprimatur/model-cache.db`), so deleting it loses nothing but time. The key is the
//! SHA-256 of the endpoint, the model, the parameters and the prompt exactly as sent
//! (after PII masking), so a different model or temperature never shares an answer.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::error::{ModelError, ModelResult};
use crate::provider::{ChatRequest, Completion, FinishReason, Usage};

pub struct ResponseCache {
    conn: Connection,
    path: PathBuf,
}

/// The cache key of a request to `endpoint` (preset and base URL, or a GGUF file's hash).
pub fn key(endpoint: &str, request: &ChatRequest) -> String {
    let mut h = Sha256::new();
    let canonical = serde_json::json!({
        "endpoint": endpoint,
        "model": request.model,
        "params": request.params,
        "messages": request.messages,
    });
    h.update(canonical.to_string().as_bytes());
    hex::encode(h.finalize())
}

impl ResponseCache {
    pub fn open(path: &Path) -> ModelResult<ResponseCache> {
        let err = |source| ModelError::Cache {
            path: path.display().to_string(),
            source,
        };
        let conn = Connection::open(path).map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(err)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS responses (
                key            TEXT PRIMARY KEY,
                text           TEXT NOT NULL,
                input_tokens   INTEGER NOT NULL,
                output_tokens  INTEGER NOT NULL,
                estimated      INTEGER NOT NULL,
                finish         TEXT NOT NULL,
                created_at     INTEGER NOT NULL
            ) STRICT;",
        )
        .map_err(err)?;
        Ok(ResponseCache {
            conn,
            path: path.to_path_buf(),
        })
    }

    fn err(&self, source: rusqlite::Error) -> ModelError {
        ModelError::Cache {
            path: self.path.display().to_string(),
            source,
        }
    }

    pub fn get(&self, key: &str) -> ModelResult<Option<Completion>> {
        self.conn
            .prepare_cached(
                "SELECT text, input_tokens, output_tokens, estimated, finish FROM responses WHERE key = ?1",
            )
            .and_then(|mut s| {
                s.query_row(params![key], |r| {
                    Ok(Completion {
                        text: r.get(0)?,
                        usage: Usage {
                            input_tokens: r.get(1)?,
                            output_tokens: r.get(2)?,
                            estimated: r.get(3)?,
                        },
                        finish: if r.get::<_, String>(4)? == "length" {
                            FinishReason::Length
                        } else {
                            FinishReason::Stop
                        },
                    })
                })
                .optional()
            })
            .map_err(|e| self.err(e))
    }

    /// Keeps a complete answer. Only [`Completion`]s reach here, never a broken stream.
    pub fn put(&self, key: &str, c: &Completion, now_ms: i64) -> ModelResult<()> {
        let finish = match c.finish {
            FinishReason::Stop => "stop",
            FinishReason::Length => "length",
        };
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO responses (key, text, input_tokens, output_tokens, estimated, finish, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    key,
                    c.text,
                    c.usage.input_tokens,
                    c.usage.output_tokens,
                    c.usage.estimated,
                    finish,
                    now_ms
                ])
            })
            .map_err(|e| self.err(e))?;
        Ok(())
    }
}
