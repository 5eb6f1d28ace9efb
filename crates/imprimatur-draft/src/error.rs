use std::path::Path;

/// What can go wrong between a brief and a draft.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the brief is not valid {format}: {message}")]
    BriefSyntax {
        format: &'static str,
        message: String,
    },
    #[error("brief field `{field}`: {message}")]
    BriefField {
        field: &'static str,
        message: String,
    },
    #[error("{file}: {inner}")]
    InFile {
        file: String,
        #[source]
        inner: Box<DraftError>,
    },
    #[error("the brief is incomplete: {}; fill in these fields and try again", .0.join("; "))]
    BriefIncomplete(Vec<String>),
    #[error("prompt template {file}: {message}")]
    Prompt { file: String, message: String },
    #[error("the outline has no section {index} (it has {len}); regenerate the outline or pick another section")]
    NoSection { index: usize, len: usize },
    #[error(transparent)]
    Retrieval(#[from] RetrievalError),
    #[error("model call failed: {0}")]
    Model(#[from] imprimatur_model::ModelError),
    #[error("generation cancelled")]
    Cancelled,
    #[error(transparent)]
    Store(#[from] imprimatur_store::StoreError),
}

impl DraftError {
    pub(crate) fn in_file(self, file: &Path) -> DraftError {
        DraftError::InFile {
            file: file.display().to_string(),
            inner: Box::new(self),
        }
    }

    /// A stable code for IPC and `--json`.
    pub fn code(&self) -> &'static str {
        match self {
            DraftError::Io { .. } => "draft_io",
            DraftError::BriefSyntax { .. } | DraftError::BriefField { .. } => "brief_invalid",
            DraftError::InFile { inner, .. } => inner.code(),
            DraftError::BriefIncomplete(_) => "brief_incomplete",
            DraftError::Prompt { .. } => "prompt_template",
            DraftError::NoSection { .. } => "draft_no_section",
            DraftError::Retrieval(_) => "draft_retrieval",
            DraftError::Model(e) => e.code(),
            DraftError::Cancelled => "cancelled",
            DraftError::Store(_) => "store",
        }
    }
}

/// The caller's knowledge search failed (index missing, embedder broken, …).
#[derive(Debug, thiserror::Error)]
#[error("knowledge search failed: {0}")]
pub struct RetrievalError(#[source] pub Box<dyn std::error::Error + Send + Sync>);
