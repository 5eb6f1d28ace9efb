//! What can go wrong while loading or compiling style rules. Every message says which
//! file (and line, when YAML knows it) or which rule, and what to do about it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StyleError {
    #[error("{}:{line}:{column}: invalid YAML: {message}", file.display())]
    Yaml {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}: rule {rule}: the pattern `{pattern}` does not compile: {message}", file.display())]
    Regex {
        file: PathBuf,
        rule: String,
        pattern: String,
        message: String,
    },
    #[error("{}: rule {rule}: unknown kind `extends: {kind}`; known kinds: {known}", file.display())]
    UnknownKind {
        file: PathBuf,
        rule: String,
        kind: String,
        known: String,
    },
    #[error("{}: rule {rule}: {message}", file.display())]
    InvalidRule {
        file: PathBuf,
        rule: String,
        message: String,
    },
    #[error("style pack `{pack}` not found: looked for the folder {}; create it or remove the pack from [style] packs", searched.display())]
    PackNotFound { pack: String, searched: PathBuf },
    #[error("vocabulary `{vocab}` not found: looked for {}", searched.display())]
    VocabNotFound { vocab: String, searched: PathBuf },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: the Hunspell dictionary does not load: {message}; install it (Debian: hunspell-de-de, hunspell-en-us) or set `dicpath`", path.display())]
    Dictionary { path: PathBuf, message: String },
    #[error("{}:{line}: {message}", file.display())]
    ValeIni {
        file: PathBuf,
        line: usize,
        message: String,
    },
}

impl StyleError {
    /// A stable code for the IPC boundary and `--json` errors.
    pub fn code(&self) -> &'static str {
        match self {
            StyleError::Yaml { .. } => "style.yaml",
            StyleError::Regex { .. } => "style.regex",
            StyleError::UnknownKind { .. } => "style.unknown_kind",
            StyleError::InvalidRule { .. } => "style.invalid_rule",
            StyleError::PackNotFound { .. } => "style.pack_not_found",
            StyleError::VocabNotFound { .. } => "style.vocab_not_found",
            StyleError::Io { .. } => "style.io",
            StyleError::Dictionary { .. } => "style.dictionary",
            StyleError::ValeIni { .. } => "style.vale_ini",
        }
    }
}

pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> StyleError {
    let path = path.into();
    move |source| StyleError::Io { path, source }
}
