//! Ingestion: the workspace's `knowledge/` folder into the index.
//!
//! One pass ([`Ingestion::run`]) walks the folder, hashes every file (SHA-256) and
//! re-ingests only what changed: extract and chunk ([`imprimatur_ingest`]), embed in
//! batches with the `passage: ` prefix, then [`SourceIndex::replace_source`]. Files that
//! are gone leave the index. A file that cannot be read is recorded with its message and
//! the pass goes on.
//!
//! The index is anything that implements [`SourceIndex`]: the embedded
//! [`KnowledgeBase`] and a Qdrant server's collection ([`crate::server::ServerIndex`]) go
//! through the same pass, so `kb ingest`, the app and the folder watch behave the same
//! in both modes.
//!
//! The *manifest* (`manifest.sqlite3` in [`SourceIndex::manifest_dir`]) records every file's outcome:
//! status (`ok`, `skipped`, `error`), message, chunk and flag counts, time. Together
//! with size and modification time it lets a pass skip unchanged files without reading
//! them; the content hash decides whenever size or time differ.
//!
//! Consistency: the index is only ever changed one whole source at a time, so a
//! cancelled or crashed pass leaves every source in its old or its new version; the
//! next pass resumes with what is still different. The index is locked only while a
//! source is read or swapped, never while a file is embedded, so searches go on during
//! a long pass.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use imprimatur_ingest::{ChunkOptions, ExtractError, Format};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{ChunkRecord, KnowledgeBase, KnowledgeError, SourceInfo, SourceMeta};

/// What an ingestion pass needs of an index: whole sources in and out, and the stored
/// hash of a source, so that unchanged files are never embedded again. Implemented by
/// the embedded [`KnowledgeBase`] and by [`crate::server::ServerIndex`].
pub trait SourceIndex: Send {
    /// The local folder that keeps the manifest of passes into this index (per machine:
    /// the server does not know this machine's file times).
    fn manifest_dir(&self) -> PathBuf;
    /// Length of the dense vectors the index takes.
    fn dimension(&self) -> usize;
    /// Records `identity` as the embedder of the vectors to come, refusing it when the
    /// index holds another embedder's vectors (they would not be comparable).
    fn adopt_embedder(&self, identity: &str) -> Result<(), KnowledgeError>;
    /// Every stored source with its chunk counts.
    fn stored_sources(&self) -> Result<Vec<SourceInfo>, KnowledgeError>;
    /// What is stored for `path` (its hash decides whether a file changed).
    fn source(&self, path: &str) -> Result<Option<SourceMeta>, KnowledgeError>;
    /// Replaces every chunk of `source` with `chunks`.
    fn replace_source(
        &mut self,
        source: &SourceMeta,
        chunks: &[ChunkRecord],
    ) -> Result<(), KnowledgeError>;
    fn remove_source(&mut self, path: &str) -> Result<(), KnowledgeError>;
    /// Builds search structures for what a pass added (once per pass).
    fn optimize(&self) -> Result<(), KnowledgeError>;
}

impl SourceIndex for KnowledgeBase {
    fn manifest_dir(&self) -> PathBuf {
        self.dir().to_path_buf()
    }

    fn dimension(&self) -> usize {
        KnowledgeBase::dimension(self)
    }

    fn adopt_embedder(&self, identity: &str) -> Result<(), KnowledgeError> {
        KnowledgeBase::adopt_embedder(self, identity)
    }

    fn stored_sources(&self) -> Result<Vec<SourceInfo>, KnowledgeError> {
        KnowledgeBase::sources(self)
    }

    fn source(&self, path: &str) -> Result<Option<SourceMeta>, KnowledgeError> {
        KnowledgeBase::source(self, path)
    }

    fn replace_source(
        &mut self,
        source: &SourceMeta,
        chunks: &[ChunkRecord],
    ) -> Result<(), KnowledgeError> {
        KnowledgeBase::replace_source(self, source, chunks)
    }

    fn remove_source(&mut self, path: &str) -> Result<(), KnowledgeError> {
        KnowledgeBase::remove_source(self, path)
    }

    fn optimize(&self) -> Result<(), KnowledgeError> {
        KnowledgeBase::optimize(self).map(|_| ())
    }
}

/// The manifest file inside the index folder.
pub const MANIFEST_FILE: &str = "manifest.sqlite3";

/// Turns chunk texts into passage vectors. The local e5 model implements it; a remote
/// endpoint can too.
pub trait PassageEmbedder: Send + Sync {
    fn dimension(&self) -> usize;
    /// One unit vector per text, in order, embedded as passages (e5: `passage: `).
    fn embed_passages(
        &self,
        texts: &[String],
    ) -> Result<Vec<Vec<f32>>, Box<dyn std::error::Error + Send + Sync>>;

    /// The unit vector of a search query (e5: `query: `). The default embeds it as a
    /// passage, right for symmetric models only.
    fn embed_query(
        &self,
        text: &str,
    ) -> Result<Vec<f32>, Box<dyn std::error::Error + Send + Sync>> {
        Ok(self.embed_passages(&[text.to_string()])?.remove(0))
    }

    /// What the index records as the embedder of its vectors: vectors of two embedders
    /// are never mixed in one index (see [`KnowledgeBase::open_for`]).
    fn identity(&self) -> String {
        crate::LOCAL_EMBEDDER.to_string()
    }
}

impl PassageEmbedder for imprimatur_embed::Embedder {
    fn dimension(&self) -> usize {
        imprimatur_embed::Embedder::dimension(self)
    }

    fn embed_passages(
        &self,
        texts: &[String],
    ) -> Result<Vec<Vec<f32>>, Box<dyn std::error::Error + Send + Sync>> {
        Ok(imprimatur_embed::Embedder::embed_passages(self, texts)?)
    }

    fn embed_query(
        &self,
        text: &str,
    ) -> Result<Vec<f32>, Box<dyn std::error::Error + Send + Sync>> {
        Ok(imprimatur_embed::Embedder::embed_queries(self, &[text])?.remove(0))
    }

    fn identity(&self) -> String {
        crate::LOCAL_EMBEDDER.to_string()
    }
}

/// What went wrong with a whole pass (a single bad file is not an error: it is
/// recorded in the manifest and the pass goes on).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Index(#[from] KnowledgeError),
    #[error("source manifest {path}: {source} (delete it; the next ingestion rebuilds it)")]
    Manifest {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot read the knowledge folder {path}: {source}")]
    Folder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("embedding the chunks of {path} failed: {source}")]
    Embed {
        path: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("the embedder made {found}-dimensional vectors but the index holds {expected}; delete .imprimatur/knowledge to re-index with this embedder")]
    Dimension { expected: usize, found: usize },
    #[error("cannot watch the knowledge folder {path}: {source}")]
    Watch {
        path: PathBuf,
        #[source]
        source: notify::Error,
    },
}

impl IngestError {
    /// A stable code for IPC and `--json` errors.
    pub fn code(&self) -> &'static str {
        match self {
            IngestError::Index(e) => e.code(),
            IngestError::Manifest { .. } => "manifest",
            IngestError::Folder { .. } => "io",
            IngestError::Embed { .. } | IngestError::Dimension { .. } => "embedder",
            IngestError::Watch { .. } => "watch",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceStatus {
    /// In the index.
    Ok,
    /// Not a knowledge format (an image, a spreadsheet): left alone.
    Skipped,
    /// A knowledge format that could not be read: binary, broken, wrong encoding.
    Error,
}

impl SourceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceStatus::Ok => "ok",
            SourceStatus::Skipped => "skipped",
            SourceStatus::Error => "error",
        }
    }

    fn parse(s: &str) -> SourceStatus {
        match s {
            "ok" => SourceStatus::Ok,
            "skipped" => SourceStatus::Skipped,
            _ => SourceStatus::Error,
        }
    }
}

/// One file of `knowledge/` in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRecord {
    /// Relative to `knowledge/`, with `/` separators (as in the index).
    pub path: String,
    pub sha256: String,
    pub format: Option<Format>,
    pub status: SourceStatus,
    /// Why the file was skipped or failed, or a warning (broken front matter).
    pub message: Option<String>,
    pub chunks: usize,
    /// Chunks flagged as containing instructions aimed at a model.
    pub injection_chunks: usize,
    /// Milliseconds since the Unix epoch (as the store's timestamps).
    pub ingested_at: i64,
    #[serde(skip)]
    size: u64,
    #[serde(skip)]
    modified_ms: i64,
}

/// Where a pass stands, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub files_done: usize,
    pub files_total: usize,
    /// Chunks embedded and indexed so far in this pass.
    pub chunks: usize,
    /// The file being ingested.
    pub current: Option<String>,
}

/// What a pass did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IngestReport {
    pub files: usize,
    /// Newly indexed or re-indexed files.
    pub ingested: Vec<String>,
    pub unchanged: usize,
    pub removed: Vec<String>,
    /// Files skipped or failed in this pass, with their messages.
    pub problems: Vec<SourceRecord>,
    pub chunks: usize,
    pub injection_chunks: usize,
    /// The pass stopped early on request; what is done stays done.
    pub cancelled: bool,
    pub seconds: f64,
}

/// Settings of a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestOptions {
    pub chunking: ChunkOptions,
    /// Chunks per embedding call; cancellation is checked between calls.
    pub batch: usize,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            chunking: ChunkOptions::default(),
            batch: 32,
        }
    }
}

/// Ingestion of one knowledge folder with one embedder (none: BM25 only).
pub struct Ingestion<'a> {
    pub knowledge_dir: PathBuf,
    pub embedder: Option<&'a dyn PassageEmbedder>,
    pub options: IngestOptions,
}

impl<'a> Ingestion<'a> {
    pub fn new(
        knowledge_dir: impl Into<PathBuf>,
        embedder: Option<&'a dyn PassageEmbedder>,
    ) -> Self {
        Ingestion {
            knowledge_dir: knowledge_dir.into(),
            embedder,
            options: IngestOptions::default(),
        }
    }

    /// One pass over the folder (see the module documentation). `progress` is called
    /// after every file and every embedding batch; setting `cancel` stops the pass at
    /// the next of those points without touching the source in progress.
    pub fn run<I: SourceIndex + ?Sized>(
        &self,
        kb: &Mutex<I>,
        now: SystemTime,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<IngestReport, IngestError> {
        let started = Instant::now();
        let now_ms = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let (index_dir, dimension) = {
            let kb = lock(kb);
            (kb.manifest_dir(), kb.dimension())
        };
        if let Some(e) = self.embedder {
            lock(kb).adopt_embedder(&e.identity())?;
            if e.dimension() != dimension {
                return Err(IngestError::Dimension {
                    expected: dimension,
                    found: e.dimension(),
                });
            }
        }
        let manifest = Manifest::open(&index_dir)?;
        let files = walk(&self.knowledge_dir)?;
        let mut report = IngestReport {
            files: files.len(),
            ..IngestReport::default()
        };

        // Deleted files first: cheap, and the index never answers from a file that is gone.
        let present: BTreeSet<&str> = files.iter().map(|(rel, _)| rel.as_str()).collect();
        let stored: Vec<String> = lock(kb)
            .stored_sources()?
            .into_iter()
            .map(|s| s.meta.path)
            .collect();
        for path in stored.iter().chain(manifest.paths()?.iter()) {
            if !present.contains(path.as_str()) {
                lock(kb).remove_source(path)?;
                manifest.remove(path)?;
                if !report.removed.contains(path) {
                    report.removed.push(path.clone());
                }
            }
        }

        let mut state = Progress {
            files_done: 0,
            files_total: files.len(),
            chunks: 0,
            current: None,
        };
        progress(&state);
        for (rel, abs) in &files {
            if cancel.load(Ordering::Relaxed) {
                report.cancelled = true;
                break;
            }
            state.current = Some(rel.clone());
            progress(&state);
            let outcome = self.file(kb, &manifest, rel, abs, now_ms, cancel, &mut |chunks| {
                state.chunks += chunks;
                progress(&state);
            })?;
            match outcome {
                FileOutcome::Unchanged => report.unchanged += 1,
                FileOutcome::Cancelled => {
                    report.cancelled = true;
                    break;
                }
                FileOutcome::Done(record) => {
                    if record.status == SourceStatus::Ok {
                        report.ingested.push(rel.clone());
                        report.chunks += record.chunks;
                        report.injection_chunks += record.injection_chunks;
                    } else {
                        report.problems.push(record);
                    }
                }
            }
            state.files_done += 1;
            state.current = None;
            progress(&state);
        }
        if !report.ingested.is_empty() || !report.removed.is_empty() {
            // Search structures for the new chunks, once per pass rather than per file.
            lock(kb).optimize()?;
        }
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }

    #[allow(clippy::too_many_arguments)]
    fn file<I: SourceIndex + ?Sized>(
        &self,
        kb: &Mutex<I>,
        manifest: &Manifest,
        rel: &str,
        abs: &Path,
        now_ms: i64,
        cancel: &AtomicBool,
        embedded: &mut dyn FnMut(usize),
    ) -> Result<FileOutcome, IngestError> {
        let previous = manifest.get(rel)?;
        let in_index = lock(kb).source(rel)?;
        let stat = std::fs::metadata(abs).ok();
        let (size, modified_ms) = stat.as_ref().map_or((0, 0), |m| {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_millis() as i64);
            (m.len(), modified)
        });
        let settled = |p: &SourceRecord| match p.status {
            SourceStatus::Ok => in_index.as_ref().is_some_and(|s| s.sha256 == p.sha256),
            _ => in_index.is_none(),
        };
        // Same size and time as last pass: the same bytes (as git assumes); no read.
        if let Some(p) = &previous {
            if p.size == size && p.modified_ms == modified_ms && modified_ms != 0 && settled(p) {
                return Ok(FileOutcome::Unchanged);
            }
        }
        let mut record = SourceRecord {
            path: rel.to_string(),
            sha256: String::new(),
            format: Format::from_path(abs),
            status: SourceStatus::Ok,
            message: None,
            chunks: 0,
            injection_chunks: 0,
            ingested_at: now_ms,
            size,
            modified_ms,
        };
        let bytes = match std::fs::read(abs) {
            Ok(b) => b,
            Err(source) => {
                let e = ExtractError::Io {
                    path: PathBuf::from(rel),
                    source,
                };
                return self.failed(kb, manifest, record, SourceStatus::Error, e.to_string());
            }
        };
        record.sha256 = hex::encode(Sha256::digest(&bytes));
        if let Some(p) = &previous {
            if p.sha256 == record.sha256 && settled(p) {
                // Touched but not changed: remember the new time, keep everything else.
                manifest.put(&SourceRecord {
                    size,
                    modified_ms,
                    ..p.clone()
                })?;
                return Ok(FileOutcome::Unchanged);
            }
        } else if in_index.as_ref().is_some_and(|s| s.sha256 == record.sha256) {
            // Indexed before the manifest existed (or it was deleted): rebuild its entry.
            let info = lock(kb)
                .stored_sources()?
                .into_iter()
                .find(|s| s.meta.path == rel);
            record.chunks = info.as_ref().map_or(0, |i| i.chunks);
            record.injection_chunks = info.map_or(0, |i| i.injection_chunks);
            manifest.put(&record)?;
            return Ok(FileOutcome::Unchanged);
        }
        if record.format.is_none() {
            let message = format!(
                "not a knowledge format (Markdown, HTML, text, PDF, DOCX); {rel} is left out"
            );
            return self.failed(kb, manifest, record, SourceStatus::Skipped, message);
        }
        // Errors name the file by its path in knowledge/, as everything else does.
        let doc = match imprimatur_ingest::extract(Path::new(rel), &bytes) {
            Ok(doc) => doc,
            Err(e) => return self.failed(kb, manifest, record, SourceStatus::Error, e.to_string()),
        };
        drop(bytes);
        let chunks = imprimatur_ingest::chunk(&doc, &self.options.chunking);
        let mut vectors: Vec<Vec<f32>> = Vec::with_capacity(chunks.len());
        if let Some(embedder) = self.embedder {
            let passages: Vec<String> = chunks
                .iter()
                .map(|c| passage(doc.meta.title.as_deref(), &c.heading_path, &c.text))
                .collect();
            for batch in passages.chunks(self.options.batch.max(1)) {
                if cancel.load(Ordering::Relaxed) {
                    return Ok(FileOutcome::Cancelled);
                }
                let v = embedder
                    .embed_passages(batch)
                    .map_err(|source| IngestError::Embed {
                        path: rel.to_string(),
                        source,
                    })?;
                vectors.extend(v);
                embedded(batch.len());
            }
        } else {
            embedded(chunks.len());
        }
        let mut metadata = BTreeMap::new();
        for (key, value) in [
            ("product", &doc.meta.product),
            ("valid_from", &doc.meta.valid_from),
            ("valid_to", &doc.meta.valid_to),
            ("title", &doc.meta.title),
        ] {
            if let Some(v) = value {
                metadata.insert(key.to_string(), v.clone());
            }
        }
        metadata.insert("format".to_string(), doc.format.as_str().to_string());
        let records: Vec<ChunkRecord> = chunks
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let mut metadata = metadata.clone();
                if let Some(page) = c.page {
                    metadata.insert("page".to_string(), page.to_string());
                }
                ChunkRecord {
                    start: c.range.start,
                    end: c.range.end,
                    heading_path: c.heading_path,
                    lang: c.lang.as_str().to_string(),
                    metadata,
                    injection: !c.injection.is_empty(),
                    vector: vectors.get(i).cloned().unwrap_or_default(),
                    text: c.text,
                }
            })
            .collect();
        record.chunks = records.len();
        record.injection_chunks = records.iter().filter(|r| r.injection).count();
        record.message = match (doc.warnings.is_empty(), records.is_empty()) {
            (false, _) => Some(doc.warnings.join("; ")),
            (true, true) => Some("no text to index".to_string()),
            (true, false) => None,
        };
        if cancel.load(Ordering::Relaxed) {
            return Ok(FileOutcome::Cancelled);
        }
        let source = SourceMeta {
            path: rel.to_string(),
            sha256: record.sha256.clone(),
            title: doc.meta.title.clone(),
        };
        lock(kb).replace_source(&source, &records)?;
        manifest.put(&record)?;
        Ok(FileOutcome::Done(record))
    }

    /// Records a file that is not in the index; an older indexed version of it goes,
    /// since it no longer says what the file says.
    fn failed<I: SourceIndex + ?Sized>(
        &self,
        kb: &Mutex<I>,
        manifest: &Manifest,
        mut record: SourceRecord,
        status: SourceStatus,
        message: String,
    ) -> Result<FileOutcome, IngestError> {
        lock(kb).remove_source(&record.path)?;
        record.status = status;
        record.message = Some(message);
        manifest.put(&record)?;
        Ok(FileOutcome::Done(record))
    }
}

enum FileOutcome {
    Unchanged,
    Cancelled,
    Done(SourceRecord),
}

/// The text embedded for a chunk: its document title and headings, then the chunk, so
/// that "Preise" under "AlbAir 9" is found for questions about the AlbAir 9's price. The
/// index keeps the chunk text alone (offsets point at it).
pub fn passage(title: Option<&str>, heading_path: &[String], text: &str) -> String {
    let mut context: Vec<&str> = Vec::new();
    if let Some(t) = title {
        if heading_path.first().map(String::as_str) != Some(t) {
            context.push(t);
        }
    }
    context.extend(heading_path.iter().map(String::as_str));
    if context.is_empty() {
        text.to_string()
    } else {
        format!("{}\n{}", context.join(" › "), text)
    }
}

/// The manifest of the last pass, without running one: for `kb status` and the app.
pub fn sources(index_dir: &Path) -> Result<Vec<SourceRecord>, IngestError> {
    if !index_dir.join(MANIFEST_FILE).exists() {
        return Ok(Vec::new());
    }
    Manifest::open(index_dir)?.all()
}

fn lock<I: ?Sized>(kb: &Mutex<I>) -> std::sync::MutexGuard<'_, I> {
    // A panic elsewhere while holding the lock leaves the index as SQLite has it:
    // every change is a committed transaction, so the data is still consistent.
    kb.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Every file under `dir`, as (path relative to it with `/`, absolute path), sorted.
/// Hidden files and folders and editors' temporary files are not sources.
pub fn walk(dir: &Path) -> Result<Vec<(String, PathBuf)>, IngestError> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|source| IngestError::Folder {
            path: d.clone(),
            source,
        })?;
        for entry in entries {
            let entry = entry.map_err(|source| IngestError::Folder {
                path: d.clone(),
                source,
            })?;
            let path = entry.path();
            let name = entry.file_name();
            if is_ignored(&name.to_string_lossy()) {
                continue;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            // Symlinks are followed once: a link to a file is that file.
            let is_dir = kind.is_dir() || (kind.is_symlink() && path.is_dir());
            if is_dir {
                if !kind.is_symlink() {
                    stack.push(path);
                }
            } else if path.is_file() {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap_or(&path)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push((rel, path));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Hidden files, Office lock files (`~$x.docx`), editor backups and swap files.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with("~$")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
        || name.ends_with(".part")
}

struct Manifest {
    path: PathBuf,
    conn: Connection,
}

impl Manifest {
    fn open(index_dir: &Path) -> Result<Manifest, IngestError> {
        let path = index_dir.join(MANIFEST_FILE);
        let err = |source| IngestError::Manifest {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(index_dir).map_err(|source| IngestError::Folder {
            path: index_dir.to_path_buf(),
            source,
        })?;
        let conn = Connection::open(&path).map_err(err)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
             CREATE TABLE IF NOT EXISTS sources (
                 path TEXT PRIMARY KEY,
                 sha256 TEXT NOT NULL,
                 format TEXT,
                 status TEXT NOT NULL,
                 message TEXT,
                 chunks INTEGER NOT NULL,
                 injection_chunks INTEGER NOT NULL,
                 ingested_at INTEGER NOT NULL,
                 size INTEGER NOT NULL,
                 modified_ms INTEGER NOT NULL
             );",
        )
        .map_err(err)?;
        Ok(Manifest { path, conn })
    }

    fn err(&self) -> impl FnOnce(rusqlite::Error) -> IngestError {
        let path = self.path.clone();
        move |source| IngestError::Manifest { path, source }
    }

    fn paths(&self) -> Result<Vec<String>, IngestError> {
        let mut stmt = self
            .conn
            .prepare("SELECT path FROM sources ORDER BY path")
            .map_err(self.err())?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(self.err())?;
        rows.collect::<Result<_, _>>().map_err(self.err())
    }

    fn get(&self, path: &str) -> Result<Option<SourceRecord>, IngestError> {
        self.conn
            .query_row(&format!("{SELECT} WHERE path = ?1"), [path], row_to_record)
            .optional()
            .map_err(self.err())
    }

    fn all(&self) -> Result<Vec<SourceRecord>, IngestError> {
        let mut stmt = self
            .conn
            .prepare(&format!("{SELECT} ORDER BY path"))
            .map_err(self.err())?;
        let rows = stmt.query_map([], row_to_record).map_err(self.err())?;
        rows.collect::<Result<_, _>>().map_err(self.err())
    }

    fn put(&self, r: &SourceRecord) -> Result<(), IngestError> {
        self.conn
            .execute(
                "INSERT INTO sources (path, sha256, format, status, message, chunks,
                 injection_chunks, ingested_at, size, modified_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT(path) DO UPDATE SET sha256 = excluded.sha256,
                 format = excluded.format, status = excluded.status,
                 message = excluded.message, chunks = excluded.chunks,
                 injection_chunks = excluded.injection_chunks,
                 ingested_at = excluded.ingested_at, size = excluded.size,
                 modified_ms = excluded.modified_ms",
                params![
                    r.path,
                    r.sha256,
                    r.format.map(Format::as_str),
                    r.status.as_str(),
                    r.message,
                    r.chunks as i64,
                    r.injection_chunks as i64,
                    r.ingested_at,
                    r.size as i64,
                    r.modified_ms,
                ],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    fn remove(&self, path: &str) -> Result<(), IngestError> {
        self.conn
            .execute("DELETE FROM sources WHERE path = ?1", [path])
            .map(|_| ())
            .map_err(self.err())
    }
}

const SELECT: &str = "SELECT path, sha256, format, status, message, chunks, injection_chunks,
    ingested_at, size, modified_ms FROM sources";

fn row_to_record(r: &rusqlite::Row) -> rusqlite::Result<SourceRecord> {
    let format: Option<String> = r.get(2)?;
    Ok(SourceRecord {
        path: r.get(0)?,
        sha256: r.get(1)?,
        format: format.as_deref().and_then(Format::parse),
        status: SourceStatus::parse(&r.get::<_, String>(3)?),
        message: r.get(4)?,
        chunks: r.get::<_, i64>(5)? as usize,
        injection_chunks: r.get::<_, i64>(6)? as usize,
        ingested_at: r.get(7)?,
        size: r.get::<_, i64>(8)? as u64,
        modified_ms: r.get(9)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passage_puts_title_and_headings_first() {
        let h = vec!["Preisliste 2026".to_string(), "Wärmepumpen".to_string()];
        assert_eq!(
            passage(Some("Preisliste 2026"), &h, "Text."),
            "Preisliste 2026 › Wärmepumpen\nText."
        );
        assert_eq!(passage(Some("FAQ"), &[], "Text."), "FAQ\nText.");
        assert_eq!(passage(None, &[], "Text."), "Text.");
    }

    #[test]
    fn temporary_and_hidden_files_are_ignored() {
        for name in [
            ".DS_Store",
            "~$bericht.docx",
            "notiz.md~",
            ".faq.md.swp",
            "x.tmp",
        ] {
            assert!(is_ignored(name), "{name}");
        }
        assert!(!is_ignored("faq.md"));
    }
}
