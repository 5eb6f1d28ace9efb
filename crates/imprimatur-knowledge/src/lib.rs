//! The workspace knowledge base: the searchable index of the chunks made from the files
//! in `knowledge/`, stored in `<workspace>/.imprimatur/knowledge/`.
//!
//! # Shape
//! - [`KnowledgeBase::open`] opens (or creates) the index for vectors of one dimension.
//! - Ingestion (extraction, chunking, embedding: `imprimatur-ingest` and
//!   `pipeline.rs`) hands over one source at a time: [`KnowledgeBase::replace_source`]
//!   swaps every chunk of that source in one SQLite transaction, so a crash leaves the
//!   old or the new version of a source, never half of it. [`KnowledgeBase::remove_source`]
//!   drops a deleted file. [`KnowledgeBase::source`] tells ingestion the stored content hash,
//!   so unchanged files are never re-embedded.
//! - [`KnowledgeBase::search`] ranks chunks by BM25 ([`SearchMode::Bm25`]), by cosine of
//!   dense vectors ([`SearchMode::Dense`]) or by both fused with reciprocal rank fusion
//!   ([`SearchMode::Hybrid`]), after [`Filters`] on language, path and metadata (product,
//!   validity dates). The caller embeds the query (so this crate needs no model); without
//!   a query vector every mode falls back to BM25.
//! - [`eval`] measures all three modes on a BEIR-layout folder (`kb eval`).
//!
//! # Storage
//! Two parts in the folder:
//! - `index.sqlite3` is the record: sources and chunks (text, offsets, heading path,
//!   language, metadata, injection flag, vector). A source is replaced in one transaction.
//! - `qdrant/` is a Qdrant Edge shard (`qdrant-edge` 0.7.2, in-process) that ranks: a
//!   dense vector and a BM25 sparse vector per chunk (German or English Snowball stemmer
//!   and stopwords by chunk language, umlauts folded), payload filters, RRF fusion. It is
//!   derived from SQLite: a change is written to SQLite first with a `pending` mark that is
//!   cleared once the shard has it, so after a crash [`KnowledgeBase::open`] replays the
//!   pending sources; a missing shard, or one built with other BM25 settings or another
//!   dimension, is rebuilt from SQLite.
//!
//! Call [`KnowledgeBase::optimize`] after a bulk ingestion: it builds the HNSW and payload
//! indexes (until then new chunks are searched exhaustively, which is exact but slower).
//!
//! Offsets (`start`, `end`) are byte offsets into the text extracted from the source, as
//! the chunker made it; this crate stores and returns them unchanged.

pub mod chosen;
mod engine;
mod error;
pub mod eval;
pub mod pipeline;
pub mod remote;
#[cfg(feature = "qdrant-server")]
pub mod server;
pub mod settings;
mod text;
pub mod watch;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

pub use engine::{Bm25Settings, Ranking};
pub use error::KnowledgeError;

use engine::{Engine, Point};
use text::Analyzer;

/// The index file inside the knowledge folder.
pub const INDEX_FILE: &str = "index.sqlite3";

/// The dimension of multilingual-e5-small, the default embedder.
pub const DEFAULT_DIMENSION: usize = 384;

/// The identity the index records for the local e5 model (and assumes for indexes built
/// before identities were recorded: it was the only embedder then).
pub const LOCAL_EMBEDDER: &str = "local:multilingual-e5-small";

/// Where a workspace keeps its knowledge index.
pub fn index_dir(workspace_root: &Path) -> PathBuf {
    workspace_root.join(".imprimatur").join("knowledge")
}

/// One file of `knowledge/` as ingestion saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceMeta {
    /// Path relative to `knowledge/`, with `/` separators.
    pub path: String,
    /// Hex SHA-256 of the file's bytes: unchanged files are not re-ingested.
    pub sha256: String,
    pub title: Option<String>,
}

/// A stored source and how many chunks it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    #[serde(flatten)]
    pub meta: SourceMeta,
    pub chunks: usize,
    /// Chunks flagged as containing instructions aimed at a model.
    pub injection_chunks: usize,
}

/// One chunk handed to [`KnowledgeBase::replace_source`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChunkRecord {
    pub text: String,
    /// Byte offsets of the chunk in the text extracted from its source.
    pub start: usize,
    pub end: usize,
    /// Headings above the chunk, outermost first.
    pub heading_path: Vec<String>,
    /// `de`, `en`, …: chooses the BM25 stemmer.
    pub lang: String,
    /// Front matter values such as `product`, `valid_from`, `valid_to` (ISO dates).
    pub metadata: BTreeMap<String, String>,
    /// The chunk contains instructions aimed at a model ("ignore previous instructions").
    pub injection: bool,
    /// The passage embedding; empty when no embedder ran (the chunk is then found by
    /// BM25 only).
    pub vector: Vec<f32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SearchMode {
    Bm25,
    Dense,
    #[default]
    Hybrid,
}

/// Restrictions applied before ranking. Empty admits everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filters {
    /// Only chunks in this language (`de` also admits `de-CH`).
    pub lang: Option<String>,
    /// Only this source file, or the sources in this folder (`products` or `products/`).
    pub path_prefix: Option<String>,
    /// Every key must be present with exactly this value (e.g. `product = "Atlas"`).
    pub metadata: BTreeMap<String, String>,
    /// Only chunks valid on this ISO date: `valid_from ≤ date ≤ valid_to`, each bound
    /// checked when the chunk has it.
    pub valid_at: Option<String>,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        self.lang.is_none()
            && self.path_prefix.is_none()
            && self.metadata.is_empty()
            && self.valid_at.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchQuery {
    pub text: String,
    #[serde(default)]
    pub mode: SearchMode,
    #[serde(default)]
    pub filters: Filters,
    /// Language of the query for stemming; `None` tries German and English stems of
    /// every word and counts the better one.
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default = "default_limit")]
    pub limit: usize,
}

fn default_limit() -> usize {
    10
}

impl SearchQuery {
    /// A hybrid query for the ten best chunks, without filters.
    pub fn new(text: impl Into<String>) -> SearchQuery {
        SearchQuery {
            text: text.into(),
            mode: SearchMode::Hybrid,
            filters: Filters::default(),
            lang: None,
            limit: default_limit(),
        }
    }

    pub fn mode(mut self, mode: SearchMode) -> SearchQuery {
        self.mode = mode;
        self
    }

    pub fn limit(mut self, limit: usize) -> SearchQuery {
        self.limit = limit;
        self
    }

    pub fn lang(mut self, lang: impl Into<String>) -> SearchQuery {
        self.lang = Some(lang.into());
        self
    }

    pub fn filters(mut self, filters: Filters) -> SearchQuery {
        self.filters = filters;
        self
    }
}

/// One ranked chunk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// Source path relative to `knowledge/`.
    pub path: String,
    pub heading_path: Vec<String>,
    /// Byte offsets in the source's extracted text.
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// BM25 score, cosine, or fused RRF score, by mode: comparable within one result list.
    pub score: f32,
    pub lang: String,
    pub metadata: BTreeMap<String, String>,
    /// Flagged at ingestion: hand this text to a model only as quoted data.
    pub injection: bool,
    /// Byte ranges in `text` of words that match a query term.
    pub highlights: Vec<(usize, usize)>,
}

/// The knowledge index of one workspace. See the crate documentation.
pub struct KnowledgeBase {
    dir: PathBuf,
    db_path: PathBuf,
    conn: Connection,
    engine: Engine,
    /// For highlights: the same Snowball stemmers the engine's BM25 uses.
    analyzer: Analyzer,
    ranking: Ranking,
    dimension: usize,
    chunks: usize,
}

impl std::fmt::Debug for KnowledgeBase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnowledgeBase")
            .field("dir", &self.dir)
            .field("dimension", &self.dimension)
            .field("chunks", &self.chunks)
            .finish()
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    path TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    title TEXT
);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL REFERENCES sources(path) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    text TEXT NOT NULL,
    start_offset INTEGER NOT NULL,
    end_offset INTEGER NOT NULL,
    heading_path TEXT NOT NULL,
    lang TEXT NOT NULL,
    metadata TEXT NOT NULL,
    injection INTEGER NOT NULL,
    -- Little-endian f32s, or NULL without an embedding.
    vector BLOB
);
CREATE INDEX IF NOT EXISTS chunks_by_path ON chunks(path, ord);
-- Sources changed in SQLite whose shard update has not been confirmed yet.
CREATE TABLE IF NOT EXISTS pending (path TEXT PRIMARY KEY);
";

/// The shard folder inside the knowledge folder.
const SHARD_DIR: &str = "qdrant";

impl KnowledgeBase {
    /// Opens the index in `dir` (created when missing) for vectors of `dimension`
    /// (384 for multilingual-e5-small), with default BM25 settings. An index that holds
    /// vectors of another dimension is an error, unless it is empty.
    pub fn open(dir: &Path, dimension: usize) -> Result<KnowledgeBase, KnowledgeError> {
        KnowledgeBase::open_with(dir, dimension, Bm25Settings::default())
    }

    /// [`KnowledgeBase::open`] with BM25 settings; when they differ from those the shard
    /// was built with, the shard is rebuilt from SQLite.
    pub fn open_with(
        dir: &Path,
        dimension: usize,
        bm25: Bm25Settings,
    ) -> Result<KnowledgeBase, KnowledgeError> {
        KnowledgeBase::open_inner(dir, dimension, bm25, None)
    }

    /// Opens the index for the vectors of one embedder (`identity`, e.g.
    /// [`LOCAL_EMBEDDER`] or a remote model's, and its `dimension`). An index holding
    /// vectors of another embedder is refused (vectors of two models are not comparable,
    /// even at the same dimension); an index without vectors takes the new one.
    pub fn open_for(
        dir: &Path,
        identity: &str,
        dimension: usize,
    ) -> Result<KnowledgeBase, KnowledgeError> {
        KnowledgeBase::open_inner(dir, dimension, Bm25Settings::default(), Some(identity))
    }

    fn open_inner(
        dir: &Path,
        dimension: usize,
        bm25: Bm25Settings,
        identity: Option<&str>,
    ) -> Result<KnowledgeBase, KnowledgeError> {
        std::fs::create_dir_all(dir).map_err(|source| KnowledgeError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let db_path = dir.join(INDEX_FILE);
        let conn = Connection::open(&db_path).map_err(KnowledgeError::db(&db_path))?;
        // WAL with NORMAL sync: a crash may lose the last replaced source, never half of it.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )
        .and_then(|_| conn.execute_batch(SCHEMA))
        .map_err(KnowledgeError::db(&db_path))?;
        if let Some(identity) = identity {
            if let Some(stored) = stored_embedder(&conn, &db_path)? {
                if stored != identity {
                    return Err(KnowledgeError::EmbedderMismatch {
                        path: dir.to_path_buf(),
                        stored,
                        requested: identity.to_string(),
                    });
                }
            }
            set_meta(&conn, &db_path, "embedder", identity)?;
        }
        check_dimension(&conn, &db_path, dir, dimension)?;
        let settings = serde_json::json!({ "dimension": dimension, "bm25": bm25 }).to_string();
        let shard_dir = dir.join(SHARD_DIR);
        let stored_settings = meta(&conn, &db_path, "engine")?;
        if stored_settings.as_deref() != Some(settings.as_str()) && shard_dir.exists() {
            std::fs::remove_dir_all(&shard_dir).map_err(|source| KnowledgeError::Io {
                path: shard_dir.clone(),
                source,
            })?;
        }
        let (engine, created) = Engine::open(&shard_dir, dimension, &bm25)?;
        set_meta(&conn, &db_path, "dimension", &dimension.to_string())?;
        set_meta(&conn, &db_path, "engine", &settings)?;
        let chunks: i64 = conn
            .query_row("SELECT COUNT(*) FROM chunks", [], |r| r.get(0))
            .map_err(KnowledgeError::db(&db_path))?;
        let kb = KnowledgeBase {
            dir: dir.to_path_buf(),
            db_path,
            conn,
            engine,
            analyzer: Analyzer::default(),
            ranking: Ranking::default(),
            dimension,
            chunks: chunks as usize,
        };
        if created {
            kb.mark_all_pending()?;
        }
        kb.apply_pending()?;
        Ok(kb)
    }

    /// Opens the index in `dir` with the dimension it was built with (384, that of
    /// multilingual-e5-small, for a new one): for readers that have no embedder at hand.
    pub fn open_stored(dir: &Path) -> Result<KnowledgeBase, KnowledgeError> {
        let db_path = dir.join(INDEX_FILE);
        let stored = if db_path.exists() {
            let conn = Connection::open(&db_path).map_err(KnowledgeError::db(&db_path))?;
            conn.query_row("SELECT value FROM meta WHERE key = 'dimension'", [], |r| {
                r.get::<_, String>(0)
            })
            .optional()
            .ok()
            .flatten()
            .and_then(|d| d.parse().ok())
        } else {
            None
        };
        KnowledgeBase::open(dir, stored.unwrap_or(DEFAULT_DIMENSION))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The embedder whose vectors the index holds; `None` while it holds none.
    pub fn embedder(&self) -> Result<Option<String>, KnowledgeError> {
        stored_embedder(&self.conn, &self.db_path)
    }

    /// Records `identity` as the embedder of the vectors to come, refusing it when the
    /// index holds another embedder's vectors.
    pub fn adopt_embedder(&self, identity: &str) -> Result<(), KnowledgeError> {
        match self.embedder()? {
            Some(stored) if stored != identity => Err(KnowledgeError::EmbedderMismatch {
                path: self.dir.clone(),
                stored,
                requested: identity.to_string(),
            }),
            _ => set_meta(&self.conn, &self.db_path, "embedder", identity),
        }
    }

    pub fn dimension(&self) -> usize {
        self.dimension
    }

    /// The distinct values of metadata `key` over all chunks, sorted (the choices of a
    /// filter, e.g. every `product`).
    pub fn metadata_values(&self, key: &str) -> Result<Vec<String>, KnowledgeError> {
        let db = || KnowledgeError::db(&self.db_path);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT json_extract(metadata, '$.' || ?1) AS v FROM chunks
                 WHERE v IS NOT NULL ORDER BY v",
            )
            .map_err(db())?;
        let rows = stmt
            .query_map([key], |r| r.get::<_, rusqlite::types::Value>(0))
            .map_err(db())?;
        let mut out = Vec::new();
        for v in rows {
            match v.map_err(db())? {
                rusqlite::types::Value::Text(s) => out.push(s),
                rusqlite::types::Value::Integer(i) => out.push(i.to_string()),
                _ => {}
            }
        }
        Ok(out)
    }

    pub fn chunk_count(&self) -> usize {
        self.chunks
    }

    /// Fusion settings used by [`KnowledgeBase::search`].
    pub fn ranking(&self) -> Ranking {
        self.ranking
    }

    pub fn set_ranking(&mut self, ranking: Ranking) {
        self.ranking = ranking;
    }

    /// Builds the engine's HNSW and payload indexes for chunks added since the last
    /// call; returns whether there was anything to do. Takes seconds for tens of
    /// thousands of chunks: call it after an ingestion run, not per file.
    pub fn optimize(&self) -> Result<bool, KnowledgeError> {
        let changed = self.engine.optimize()?;
        self.engine.flush();
        Ok(changed)
    }

    fn mark_all_pending(&self) -> Result<(), KnowledgeError> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO pending (path) SELECT DISTINCT path FROM chunks",
                [],
            )
            .map(|_| ())
            .map_err(KnowledgeError::db(&self.db_path))
    }

    /// Brings the shard up to SQLite for every source marked pending.
    fn apply_pending(&self) -> Result<(), KnowledgeError> {
        let db = || KnowledgeError::db(&self.db_path);
        let paths: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare("SELECT path FROM pending")
                .map_err(db())?;
            let rows = stmt.query_map([], |r| r.get(0)).map_err(db())?;
            rows.collect::<Result<_, _>>().map_err(db())?
        };
        for path in &paths {
            self.reindex_source(path)?;
        }
        if !paths.is_empty() {
            self.engine.flush();
        }
        Ok(())
    }

    /// Replaces the shard's points of `path` with what SQLite holds, then clears its
    /// pending mark.
    fn reindex_source(&self, path: &str) -> Result<(), KnowledgeError> {
        let db = || KnowledgeError::db(&self.db_path);
        type Row = (i64, String, String, String, Option<Vec<u8>>);
        let rows: Vec<Row> = {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT id, text, lang, metadata, vector FROM chunks WHERE path = ?1",
                )
                .map_err(db())?;
            let rows = stmt
                .query_map([path], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .map_err(db())?;
            rows.collect::<Result<_, _>>().map_err(db())?
        };
        let mut decoded = Vec::with_capacity(rows.len());
        for (id, text, lang, metadata, vector) in rows {
            let metadata: BTreeMap<String, String> =
                serde_json::from_str(&metadata).map_err(|e| KnowledgeError::Corrupt {
                    path: self.db_path.clone(),
                    detail: format!("metadata of chunk {id} of {path}: {e}"),
                })?;
            let vector = vector.map(|b| decode_vector(&b)).unwrap_or_default();
            if !vector.is_empty() && vector.len() != self.dimension {
                return Err(KnowledgeError::Corrupt {
                    path: self.db_path.clone(),
                    detail: format!(
                        "chunk {id} of {path} has a {}-dimensional vector",
                        vector.len()
                    ),
                });
            }
            decoded.push((id, text, lang, metadata, vector));
        }
        let points: Vec<Point> = decoded
            .iter()
            .map(|(id, text, lang, metadata, vector)| Point {
                id: *id as u64,
                path,
                lang,
                text,
                metadata,
                vector,
            })
            .collect();
        self.engine.delete_source(path)?;
        self.engine.upsert(&points)?;
        self.conn
            .execute("DELETE FROM pending WHERE path = ?1", [path])
            .map_err(db())?;
        Ok(())
    }

    /// What is stored for `path`, if anything: ingestion compares `sha256` to skip
    /// unchanged files.
    pub fn source(&self, path: &str) -> Result<Option<SourceMeta>, KnowledgeError> {
        self.conn
            .query_row(
                "SELECT path, sha256, title FROM sources WHERE path = ?1",
                [path],
                |r| {
                    Ok(SourceMeta {
                        path: r.get(0)?,
                        sha256: r.get(1)?,
                        title: r.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(KnowledgeError::db(&self.db_path))
    }

    /// Every stored source, by path.
    pub fn sources(&self) -> Result<Vec<SourceInfo>, KnowledgeError> {
        let db = || KnowledgeError::db(&self.db_path);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.path, s.sha256, s.title, COUNT(c.id), COALESCE(SUM(c.injection), 0)
                 FROM sources s LEFT JOIN chunks c ON c.path = s.path
                 GROUP BY s.path ORDER BY s.path",
            )
            .map_err(db())?;
        let rows = stmt
            .query_map([], |r| {
                Ok(SourceInfo {
                    meta: SourceMeta {
                        path: r.get(0)?,
                        sha256: r.get(1)?,
                        title: r.get(2)?,
                    },
                    chunks: r.get::<_, i64>(3)? as usize,
                    injection_chunks: r.get::<_, i64>(4)? as usize,
                })
            })
            .map_err(db())?;
        rows.collect::<Result<_, _>>().map_err(db())
    }

    /// Replaces every chunk of `source` with `chunks`: one SQLite transaction, then the
    /// engine (replayed on the next open if the process dies in between).
    pub fn replace_source(
        &mut self,
        source: &SourceMeta,
        chunks: &[ChunkRecord],
    ) -> Result<(), KnowledgeError> {
        for (i, c) in chunks.iter().enumerate() {
            if !c.vector.is_empty() && c.vector.len() != self.dimension {
                return Err(KnowledgeError::VectorLength {
                    source_path: source.path.clone(),
                    index: i,
                    found: c.vector.len(),
                    expected: self.dimension,
                });
            }
            if c.start > c.end {
                return Err(KnowledgeError::Offsets {
                    source_path: source.path.clone(),
                    index: i,
                    start: c.start,
                    end: c.end,
                });
            }
        }
        let db = || KnowledgeError::db(&self.db_path);
        let tx = self.conn.unchecked_transaction().map_err(db())?;
        let removed = tx
            .execute("DELETE FROM chunks WHERE path = ?1", [&source.path])
            .map_err(db())?;
        tx.execute(
            "INSERT INTO sources (path, sha256, title) VALUES (?1, ?2, ?3)
             ON CONFLICT(path) DO UPDATE SET sha256 = excluded.sha256, title = excluded.title",
            params![source.path, source.sha256, source.title],
        )
        .map_err(db())?;
        tx.execute(
            "INSERT OR IGNORE INTO pending (path) VALUES (?1)",
            [&source.path],
        )
        .map_err(db())?;
        let mut ids = Vec::with_capacity(chunks.len());
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO chunks (path, ord, text, start_offset, end_offset, heading_path,
                     lang, metadata, injection, vector)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(db())?;
            for (i, c) in chunks.iter().enumerate() {
                let vector = (!c.vector.is_empty()).then(|| encode_vector(&c.vector));
                insert
                    .execute(params![
                        source.path,
                        i as i64,
                        c.text,
                        c.start as i64,
                        c.end as i64,
                        serde_json::to_string(&c.heading_path).expect("strings serialise"),
                        c.lang,
                        serde_json::to_string(&c.metadata).expect("strings serialise"),
                        c.injection,
                        vector,
                    ])
                    .map_err(db())?;
                ids.push(tx.last_insert_rowid());
            }
        }
        tx.commit().map_err(db())?;
        self.chunks = self.chunks + chunks.len() - removed;
        let points: Vec<Point> = chunks
            .iter()
            .zip(&ids)
            .map(|(c, &id)| Point {
                id: id as u64,
                path: &source.path,
                lang: &c.lang,
                text: &c.text,
                metadata: &c.metadata,
                vector: &c.vector,
            })
            .collect();
        // A source new to the index has nothing to delete in the shard (one WAL write less).
        if removed > 0 {
            self.engine.delete_source(&source.path)?;
        }
        self.engine.upsert(&points)?;
        self.conn
            .execute("DELETE FROM pending WHERE path = ?1", [&source.path])
            .map_err(db())?;
        Ok(())
    }

    /// Drops `path` and its chunks; a path that is not stored is no error.
    pub fn remove_source(&mut self, path: &str) -> Result<(), KnowledgeError> {
        let db = || KnowledgeError::db(&self.db_path);
        let tx = self.conn.unchecked_transaction().map_err(db())?;
        let removed = tx
            .execute("DELETE FROM chunks WHERE path = ?1", [path])
            .map_err(db())?;
        tx.execute("DELETE FROM sources WHERE path = ?1", [path])
            .map_err(db())?;
        tx.execute("INSERT OR IGNORE INTO pending (path) VALUES (?1)", [path])
            .map_err(db())?;
        tx.commit().map_err(db())?;
        self.chunks -= removed;
        self.engine.delete_source(path)?;
        self.conn
            .execute("DELETE FROM pending WHERE path = ?1", [path])
            .map_err(db())?;
        Ok(())
    }

    /// The best chunks for `query`. Dense and hybrid need `query_vector` (the embedded
    /// query); without it hybrid ranks by BM25 alone and dense is an error.
    pub fn search(
        &self,
        query: &SearchQuery,
        query_vector: Option<&[f32]>,
    ) -> Result<Vec<Hit>, KnowledgeError> {
        if let Some(v) = query_vector {
            if v.len() != self.dimension {
                return Err(KnowledgeError::QueryVector {
                    expected: self.dimension,
                    found: format!("it has {}", v.len()),
                });
            }
        } else if query.mode == SearchMode::Dense {
            return Err(KnowledgeError::QueryVector {
                expected: self.dimension,
                found: "none was given".into(),
            });
        }
        if let Some(date) = &query.filters.valid_at {
            if engine::day_number(date).is_none() {
                return Err(KnowledgeError::Filter {
                    detail: format!("valid_at {date:?} is not an ISO date (YYYY-MM-DD)"),
                });
            }
        }
        if query.limit == 0 {
            return Ok(Vec::new());
        }
        let ranked = self.engine.search(
            query.mode,
            &query.text,
            query.lang.as_deref(),
            query_vector,
            &query.filters,
            &self.ranking,
            query.limit,
        )?;
        let wanted = self.query_terms(&query.text, query.lang.as_deref());
        let db = || KnowledgeError::db(&self.db_path);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT path, text, start_offset, end_offset, heading_path, lang, metadata,
                 injection FROM chunks WHERE id = ?1",
            )
            .map_err(db())?;
        let mut hits = Vec::with_capacity(ranked.len());
        for (id, score) in ranked {
            let row = stmt
                .query_row([id as i64], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, String>(6)?,
                        r.get::<_, bool>(7)?,
                    ))
                })
                .optional()
                .map_err(db())?;
            // A point whose row is gone was removed after this search began.
            let Some((path, text, start, end, heading_path, lang, metadata, injection)) = row
            else {
                continue;
            };
            let corrupt = |what: &str, e: serde_json::Error| KnowledgeError::Corrupt {
                path: self.db_path.clone(),
                detail: format!("{what} of chunk {id} of {path}: {e}"),
            };
            let heading_path: Vec<String> =
                serde_json::from_str(&heading_path).map_err(|e| corrupt("heading path", e))?;
            let metadata: BTreeMap<String, String> =
                serde_json::from_str(&metadata).map_err(|e| corrupt("metadata", e))?;
            let highlights = text::words(&text)
                .filter(|&(s, e)| wanted.contains(&self.analyzer.term(&text[s..e], &lang)))
                .collect();
            hits.push(Hit {
                path,
                heading_path,
                start: start as usize,
                end: end as usize,
                text,
                score,
                lang,
                metadata,
                injection,
                highlights,
            });
        }
        Ok(hits)
    }

    /// The stems of the query's words, in its language or in every stemmed language.
    fn query_terms(&self, text: &str, lang: Option<&str>) -> BTreeSet<String> {
        let langs: Vec<&str> = match lang {
            Some(l) => vec![l],
            None => text::STEMMED_LANGUAGES.to_vec(),
        };
        text::words(text)
            .flat_map(|(s, e)| langs.iter().map(move |l| (s, e, *l)))
            .map(|(s, e, l)| self.analyzer.term(&text[s..e], l))
            .collect()
    }
}

fn meta(conn: &Connection, db_path: &Path, key: &str) -> Result<Option<String>, KnowledgeError> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()
        .map_err(KnowledgeError::db(db_path))
}

fn set_meta(
    conn: &Connection,
    db_path: &Path,
    key: &str,
    value: &str,
) -> Result<(), KnowledgeError> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, value],
    )
    .map(|_| ())
    .map_err(KnowledgeError::db(db_path))
}

/// The recorded embedder of an index with vectors ([`LOCAL_EMBEDDER`] for one built
/// before embedders were recorded); `None` when no chunk has a vector.
fn stored_embedder(conn: &Connection, db_path: &Path) -> Result<Option<String>, KnowledgeError> {
    let has_vectors: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM chunks WHERE vector IS NOT NULL)",
            [],
            |r| r.get(0),
        )
        .map_err(KnowledgeError::db(db_path))?;
    if !has_vectors {
        return Ok(None);
    }
    Ok(Some(
        meta(conn, db_path, "embedder")?.unwrap_or_else(|| LOCAL_EMBEDDER.to_string()),
    ))
}

fn check_dimension(
    conn: &Connection,
    db_path: &Path,
    dir: &Path,
    dimension: usize,
) -> Result<(), KnowledgeError> {
    let Some(stored) = meta(conn, db_path, "dimension")? else {
        return Ok(());
    };
    let stored: usize = stored.parse().map_err(|_| KnowledgeError::Corrupt {
        path: db_path.to_path_buf(),
        detail: format!("dimension {stored:?} is not a number"),
    })?;
    let has_vectors: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM chunks WHERE vector IS NOT NULL)",
            [],
            |r| r.get(0),
        )
        .map_err(KnowledgeError::db(db_path))?;
    if stored != dimension && has_vectors {
        return Err(KnowledgeError::DimensionMismatch {
            path: dir.to_path_buf(),
            stored,
            requested: dimension,
        });
    }
    Ok(())
}

fn encode_vector(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn decode_vector(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}
