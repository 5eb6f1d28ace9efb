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
//! One SQLite file, `index.sqlite3`, holds sources and chunks (text, offsets, heading path,
//! language, metadata, injection flag, analysed BM25 terms, vector). The ranking structures
//! (inverted index, vector matrix) are rebuilt in memory on open; chunk text is read back
//! from SQLite only for the hits returned.
//!
//! Offsets (`start`, `end`) are byte offsets into the text extracted from the source, as
//! the chunker made it; this crate stores and returns them unchanged.

mod error;
pub mod eval;
mod index;
mod text;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

pub use error::KnowledgeError;
pub use index::Ranking;

use index::{Entry, Index};
use text::Analyzer;

/// The index file inside the knowledge folder.
pub const INDEX_FILE: &str = "index.sqlite3";

/// The dimension of multilingual-e5-small, the default embedder.
pub const DEFAULT_DIMENSION: usize = 384;

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
    /// Only sources whose path starts with this (e.g. `products/`).
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

    pub(crate) fn admits(&self, e: &Entry) -> bool {
        if let Some(lang) = &self.lang {
            let primary = e.lang.split(['-', '_']).next().unwrap_or("");
            if !e.lang.eq_ignore_ascii_case(lang) && !primary.eq_ignore_ascii_case(lang) {
                return false;
            }
        }
        if let Some(prefix) = &self.path_prefix {
            if !e.path.starts_with(prefix.as_str()) {
                return false;
            }
        }
        if !self
            .metadata
            .iter()
            .all(|(k, v)| e.metadata.get(k) == Some(v))
        {
            return false;
        }
        if let Some(date) = &self.valid_at {
            // ISO dates (and date-times) order as strings.
            if let Some(from) = e.metadata.get("valid_from") {
                if from.as_str() > date.as_str() {
                    return false;
                }
            }
            if let Some(to) = e.metadata.get("valid_to") {
                if to.as_str() < date.as_str() {
                    return false;
                }
            }
        }
        true
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
    index: Index,
    analyzer: Analyzer,
    ranking: Ranking,
}

impl std::fmt::Debug for KnowledgeBase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnowledgeBase")
            .field("dir", &self.dir)
            .field("dimension", &self.index.dimension)
            .field("chunks", &self.index.len())
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
    -- Analysed BM25 terms, `term:count` separated by spaces, so opening needs no stemming.
    terms TEXT NOT NULL,
    -- Little-endian f32s, or NULL without an embedding.
    vector BLOB
);
CREATE INDEX IF NOT EXISTS chunks_by_path ON chunks(path, ord);
";

impl KnowledgeBase {
    /// Opens the index in `dir` (created when missing) for vectors of `dimension`
    /// (384 for multilingual-e5-small). An index that holds vectors of another dimension
    /// is an error, unless it is empty.
    pub fn open(dir: &Path, dimension: usize) -> Result<KnowledgeBase, KnowledgeError> {
        std::fs::create_dir_all(dir).map_err(|source| KnowledgeError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let db_path = dir.join(INDEX_FILE);
        let db = KnowledgeError::db(&db_path);
        let conn = Connection::open(&db_path).map_err(KnowledgeError::db(&db_path))?;
        // WAL with NORMAL sync: a crash may lose the last replaced source, never half of it.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )
        .and_then(|_| conn.execute_batch(SCHEMA))
        .map_err(db)?;
        let mut kb = KnowledgeBase {
            dir: dir.to_path_buf(),
            db_path,
            conn,
            index: Index::new(dimension),
            analyzer: Analyzer::default(),
            ranking: Ranking::default(),
        };
        kb.check_meta(dimension)?;
        kb.load()?;
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

    pub fn dimension(&self) -> usize {
        self.index.dimension
    }

    pub fn chunk_count(&self) -> usize {
        self.index.len()
    }

    /// BM25 and fusion settings used by [`KnowledgeBase::search`].
    pub fn ranking(&self) -> Ranking {
        self.ranking
    }

    pub fn set_ranking(&mut self, ranking: Ranking) {
        self.ranking = ranking;
    }

    fn meta(&self, key: &str) -> Result<Option<String>, KnowledgeError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(KnowledgeError::db(&self.db_path))
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<(), KnowledgeError> {
        self.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
            .map(|_| ())
            .map_err(KnowledgeError::db(&self.db_path))
    }

    fn check_meta(&mut self, dimension: usize) -> Result<(), KnowledgeError> {
        let stored = self.meta("dimension")?;
        let has_vectors: bool = self
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM chunks WHERE vector IS NOT NULL)",
                [],
                |r| r.get(0),
            )
            .map_err(KnowledgeError::db(&self.db_path))?;
        if let Some(stored) = stored {
            let stored: usize = stored.parse().map_err(|_| KnowledgeError::Corrupt {
                path: self.db_path.clone(),
                detail: format!("dimension {stored:?} is not a number"),
            })?;
            if stored != dimension && has_vectors {
                return Err(KnowledgeError::DimensionMismatch {
                    path: self.dir.clone(),
                    stored,
                    requested: dimension,
                });
            }
        }
        self.set_meta("dimension", &dimension.to_string())?;
        if self.meta("analyzer")?.as_deref() != Some(text::ANALYZER_VERSION) {
            self.reanalyse()?;
        }
        Ok(())
    }

    /// Recomputes every stored term list after the analysis changed.
    fn reanalyse(&mut self) -> Result<(), KnowledgeError> {
        let db = || KnowledgeError::db(&self.db_path);
        let rows: Vec<(i64, String, String)> = {
            let mut stmt = self
                .conn
                .prepare("SELECT id, text, lang FROM chunks")
                .map_err(db())?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map_err(db())?;
            rows.collect::<Result<_, _>>().map_err(db())?
        };
        let tx = self.conn.unchecked_transaction().map_err(db())?;
        for (id, text, lang) in rows {
            let terms = encode_terms(&term_freqs(&self.analyzer.terms(&text, &lang)));
            tx.execute(
                "UPDATE chunks SET terms = ?1 WHERE id = ?2",
                params![terms, id],
            )
            .map_err(db())?;
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('analyzer', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [text::ANALYZER_VERSION],
        )
        .map_err(db())?;
        tx.commit().map_err(db())
    }

    fn load(&mut self) -> Result<(), KnowledgeError> {
        let db = KnowledgeError::db(&self.db_path);
        let mut stmt = self
            .conn
            .prepare("SELECT id, path, lang, metadata, terms, vector FROM chunks ORDER BY id")
            .map_err(db)?;
        let mut rows = stmt.query([]).map_err(KnowledgeError::db(&self.db_path))?;
        let mut paths: HashMap<String, Arc<str>> = HashMap::new();
        while let Some(row) = rows.next().map_err(KnowledgeError::db(&self.db_path))? {
            let read = |row: &rusqlite::Row| -> rusqlite::Result<_> {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, Option<Vec<u8>>>(5)?,
                ))
            };
            let (rowid, path, lang, metadata, terms, vector) =
                read(row).map_err(KnowledgeError::db(&self.db_path))?;
            let corrupt = |detail: String| KnowledgeError::Corrupt {
                path: self.db_path.clone(),
                detail: format!("chunk {rowid} of {path}: {detail}"),
            };
            let metadata: BTreeMap<String, String> =
                serde_json::from_str(&metadata).map_err(|e| corrupt(format!("metadata: {e}")))?;
            let terms = decode_terms(&terms).ok_or_else(|| corrupt("terms".into()))?;
            let vector = vector.map(|b| decode_vector(&b)).unwrap_or_default();
            if !vector.is_empty() && vector.len() != self.index.dimension {
                return Err(corrupt(format!(
                    "vector has {} dimensions, not {}",
                    vector.len(),
                    self.index.dimension
                )));
            }
            let path = paths
                .entry(path.clone())
                .or_insert_with(|| Arc::from(path.as_str()))
                .clone();
            let entry = Entry {
                rowid,
                path,
                lang,
                metadata,
                length: terms.iter().map(|(_, n)| n).sum(),
                has_vector: !vector.is_empty(),
            };
            self.index.insert(entry, &terms, &vector);
        }
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

    /// Replaces every chunk of `source` with `chunks` in one transaction.
    pub fn replace_source(
        &mut self,
        source: &SourceMeta,
        chunks: &[ChunkRecord],
    ) -> Result<(), KnowledgeError> {
        let dimension = self.index.dimension;
        for (i, c) in chunks.iter().enumerate() {
            if !c.vector.is_empty() && c.vector.len() != dimension {
                return Err(KnowledgeError::VectorLength {
                    source_path: source.path.clone(),
                    index: i,
                    found: c.vector.len(),
                    expected: dimension,
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
        let analysed: Vec<Vec<(String, u32)>> = chunks
            .iter()
            .map(|c| term_freqs(&self.analyzer.terms(&c.text, &c.lang)))
            .collect();
        let db = || KnowledgeError::db(&self.db_path);
        let tx = self.conn.unchecked_transaction().map_err(db())?;
        let old = old_chunks(&tx, &source.path).map_err(db())?;
        tx.execute("DELETE FROM chunks WHERE path = ?1", [&source.path])
            .map_err(db())?;
        tx.execute(
            "INSERT INTO sources (path, sha256, title) VALUES (?1, ?2, ?3)
             ON CONFLICT(path) DO UPDATE SET sha256 = excluded.sha256, title = excluded.title",
            params![source.path, source.sha256, source.title],
        )
        .map_err(db())?;
        let mut new_rows = Vec::with_capacity(chunks.len());
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO chunks (path, ord, text, start_offset, end_offset, heading_path,
                     lang, metadata, injection, terms, vector)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )
                .map_err(db())?;
            for (i, (c, terms)) in chunks.iter().zip(&analysed).enumerate() {
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
                        encode_terms(terms),
                        vector,
                    ])
                    .map_err(db())?;
                new_rows.push(tx.last_insert_rowid());
            }
        }
        tx.commit().map_err(db())?;
        // Memory follows only once the file has the new version.
        for (rowid, terms) in old {
            self.index.remove(rowid, &terms);
        }
        let path: Arc<str> = Arc::from(source.path.as_str());
        for ((c, terms), rowid) in chunks.iter().zip(analysed).zip(new_rows) {
            let entry = Entry {
                rowid,
                path: path.clone(),
                lang: c.lang.clone(),
                metadata: c.metadata.clone(),
                length: terms.iter().map(|(_, n)| n).sum(),
                has_vector: !c.vector.is_empty(),
            };
            self.index.insert(entry, &terms, &c.vector);
        }
        Ok(())
    }

    /// Drops `path` and its chunks; a path that is not stored is no error.
    pub fn remove_source(&mut self, path: &str) -> Result<(), KnowledgeError> {
        let db = || KnowledgeError::db(&self.db_path);
        let tx = self.conn.unchecked_transaction().map_err(db())?;
        let old = old_chunks(&tx, path).map_err(db())?;
        tx.execute("DELETE FROM chunks WHERE path = ?1", [path])
            .map_err(db())?;
        tx.execute("DELETE FROM sources WHERE path = ?1", [path])
            .map_err(db())?;
        tx.commit().map_err(db())?;
        for (rowid, terms) in old {
            self.index.remove(rowid, &terms);
        }
        Ok(())
    }

    /// The best chunks for `query`. Dense and hybrid need `query_vector` (the embedded
    /// query, any length normalisation); without it they rank by BM25.
    pub fn search(
        &self,
        query: &SearchQuery,
        query_vector: Option<&[f32]>,
    ) -> Result<Vec<Hit>, KnowledgeError> {
        if let Some(v) = query_vector {
            if v.len() != self.index.dimension {
                return Err(KnowledgeError::QueryVector {
                    expected: self.index.dimension,
                    found: format!("it has {}", v.len()),
                });
            }
        } else if query.mode == SearchMode::Dense {
            return Err(KnowledgeError::QueryVector {
                expected: self.index.dimension,
                found: "none was given".into(),
            });
        }
        let groups = self.query_groups(&query.text, query.lang.as_deref());
        let ranked = self.index.search(
            query.mode,
            &groups,
            query_vector,
            &query.filters,
            &self.ranking,
            query.limit,
        );
        let wanted: BTreeSet<&str> = groups.iter().flatten().map(String::as_str).collect();
        let db = || KnowledgeError::db(&self.db_path);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT path, text, start_offset, end_offset, heading_path, lang, metadata,
                 injection FROM chunks WHERE id = ?1",
            )
            .map_err(db())?;
        let mut hits = Vec::with_capacity(ranked.len());
        for (slot, score) in ranked {
            let Some(entry) = &self.index.entries[slot as usize] else {
                continue;
            };
            let row = stmt
                .query_row([entry.rowid], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, bool>(7)?,
                    ))
                })
                .map_err(db())?;
            let (path, text, start, end, heading_path, lang, injection) = row;
            let heading_path: Vec<String> =
                serde_json::from_str(&heading_path).map_err(|e| KnowledgeError::Corrupt {
                    path: self.db_path.clone(),
                    detail: format!("heading path of a chunk of {path}: {e}"),
                })?;
            let highlights = text::words(&text)
                .filter(|&(s, e)| {
                    let word = &text[s..e];
                    wanted.contains(self.analyzer.term(word, &lang).as_str())
                        || wanted.contains(self.analyzer.term(word, "").as_str())
                })
                .collect();
            hits.push(Hit {
                path,
                heading_path,
                start: start as usize,
                end: end as usize,
                text,
                score,
                lang,
                metadata: entry.metadata.clone(),
                injection,
                highlights,
            });
        }
        Ok(hits)
    }

    /// One group of alternative terms per query word (see [`index::Index::bm25`]).
    fn query_groups(&self, text: &str, lang: Option<&str>) -> Vec<Vec<String>> {
        let langs: Vec<&str> = match lang {
            Some(l) => vec![l],
            None => text::STEMMED_LANGUAGES
                .iter()
                .copied()
                .chain([""])
                .collect(),
        };
        text::words(text)
            .map(|(s, e)| {
                let mut group: Vec<String> = langs
                    .iter()
                    .map(|l| self.analyzer.term(&text[s..e], l))
                    .collect();
                group.sort();
                group.dedup();
                group
            })
            .collect()
    }
}

fn old_chunks(
    tx: &rusqlite::Transaction,
    path: &str,
) -> rusqlite::Result<Vec<(i64, TermFreqs)>> {
    let mut stmt = tx.prepare("SELECT id, terms FROM chunks WHERE path = ?1")?;
    let rows = stmt.query_map([path], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })?;
    rows.map(|r| r.map(|(id, terms)| (id, decode_terms(&terms).unwrap_or_default())))
        .collect()
}

/// A chunk's terms with their counts.
type TermFreqs = Vec<(String, u32)>;

/// Term frequencies in first-occurrence order.
fn term_freqs(terms: &[String]) -> Vec<(String, u32)> {
    let mut order: Vec<(String, u32)> = Vec::new();
    let mut at: HashMap<&str, usize> = HashMap::new();
    for t in terms {
        match at.get(t.as_str()) {
            Some(&i) => order[i].1 += 1,
            None => {
                at.insert(t, order.len());
                order.push((t.clone(), 1));
            }
        }
    }
    order
}

fn encode_terms(terms: &[(String, u32)]) -> String {
    let mut s = String::new();
    for (t, n) in terms {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(t);
        s.push(':');
        s.push_str(&n.to_string());
    }
    s
}

fn decode_terms(s: &str) -> Option<Vec<(String, u32)>> {
    s.split(' ')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (t, n) = p.rsplit_once(':')?;
            Some((t.to_string(), n.parse().ok()?))
        })
        .collect()
}

fn encode_vector(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn decode_vector(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}
