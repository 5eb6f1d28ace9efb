use std::path::PathBuf;

/// What went wrong with the knowledge index, naming the file or source involved.
#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    #[error("cannot use the knowledge folder {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "knowledge index {path}: {source} (delete the folder to rebuild the index from knowledge/)"
    )]
    Database {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("knowledge index {path} holds {stored}-dimensional vectors but the embedder makes {requested}; delete the folder to re-index with the new embedder")]
    DimensionMismatch {
        path: PathBuf,
        stored: usize,
        requested: usize,
    },
    #[error("knowledge index {path} was built with the embedder {stored} but the settings ask for {requested}; vectors of two embedders cannot be mixed: re-ingest (delete the folder, then `imprimatur kb ingest` or Ingest in the app) or set the old embedder again in [knowledge]")]
    EmbedderMismatch {
        path: PathBuf,
        stored: String,
        requested: String,
    },
    #[error("chunk {index} of {source_path} has a {found}-dimensional vector; the index expects {expected} (or none)")]
    VectorLength {
        source_path: String,
        index: usize,
        found: usize,
        expected: usize,
    },
    #[error("chunk {index} of {source_path}: offsets {start}..{end} are not an ascending range")]
    Offsets {
        source_path: String,
        index: usize,
        start: usize,
        end: usize,
    },
    #[error(
        "a dense or hybrid search needs the query's vector ({expected} dimensions), but {found}"
    )]
    QueryVector { expected: usize, found: String },
    #[error(
        "knowledge index {path}: stored row is damaged: {detail} (delete the folder to rebuild)"
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error("search engine (Qdrant Edge) in {path}: {detail} (delete the folder to rebuild it from index.sqlite3)")]
    Engine { path: PathBuf, detail: String },
    #[error("search filter: {detail}")]
    Filter { detail: String },
    #[error("Qdrant server {url}: {detail}")]
    Server { url: String, detail: String },
    #[error("imprimatur.toml: {detail}")]
    Settings { detail: String },
    #[error("{path}: {detail}")]
    Eval { path: PathBuf, detail: String },
    #[error(transparent)]
    Embed(#[from] imprimatur_embed::EmbedError),
    #[error(transparent)]
    Remote(#[from] crate::remote::RemoteEmbedError),
}

impl KnowledgeError {
    pub(crate) fn db(path: &std::path::Path) -> impl FnOnce(rusqlite::Error) -> KnowledgeError {
        let path = path.to_path_buf();
        move |source| KnowledgeError::Database { path, source }
    }

    /// A stable code for IPC and `--json` errors.
    pub fn code(&self) -> &'static str {
        match self {
            KnowledgeError::Io { .. } => "knowledge_io",
            KnowledgeError::Database { .. } => "knowledge_database",
            KnowledgeError::DimensionMismatch { .. } => "knowledge_dimension",
            KnowledgeError::EmbedderMismatch { .. } => "knowledge_embedder_mismatch",
            KnowledgeError::VectorLength { .. } => "knowledge_vector_length",
            KnowledgeError::Offsets { .. } => "knowledge_offsets",
            KnowledgeError::QueryVector { .. } => "knowledge_query_vector",
            KnowledgeError::Corrupt { .. } => "knowledge_corrupt",
            KnowledgeError::Engine { .. } => "knowledge_engine",
            KnowledgeError::Filter { .. } => "knowledge_filter",
            KnowledgeError::Server { .. } => "knowledge_server",
            KnowledgeError::Settings { .. } => "knowledge_settings",
            KnowledgeError::Eval { .. } => "knowledge_eval",
            KnowledgeError::Embed(_) => "embedder",
            KnowledgeError::Remote(e) => e.code(),
        }
    }
}
