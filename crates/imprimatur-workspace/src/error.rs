use std::path::PathBuf;

use imprimatur_store::StoreError;
use thiserror::Error;

pub type WorkspaceResult<T> = Result<T, WorkspaceError>;

#[derive(Debug, Error)]
pub enum WorkspaceError {
    #[error("{0} is not an Imprimatur workspace (no imprimatur.toml); create one with `imprimatur init {0}` or open another folder")]
    NotAWorkspace(PathBuf),
    #[error("{0} already contains files; choose an empty or new folder")]
    NotEmpty(PathBuf),
    #[error("{file} line {line}, column {column}: {message}")]
    Settings {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("unknown setting {0:?}; known settings are workspace.name and workspace.language")]
    UnknownSetting(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not UTF-8 text (first bad byte at offset {offset}); save it as UTF-8 or choose a text file")]
    NotText { path: PathBuf, offset: usize },
    #[error("no rule {code} in {}; the rule editor and `ls` of that folder show the rules (Pack.Rule = folder and file name)", styles.display())]
    UnknownRule { code: String, styles: PathBuf },
    #[error("{} {problem}; nothing was saved, fix the YAML and save again", file.display())]
    InvalidRule {
        file: PathBuf,
        problem: crate::rules::RuleProblem,
    },
    #[error("{0:?} cannot name a pack or rule; use letters, digits, `_` and `-`")]
    RuleName(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The review workflow refused (a rule, a tampered file) or failed.
    #[error(transparent)]
    Review(#[from] imprimatur_review::ReviewError),
    /// The model layer: routing, providers, budgets, the confidentiality gate.
    #[error(transparent)]
    Model(#[from] imprimatur_model::ModelError),
    #[error(transparent)]
    Key(#[from] imprimatur_model::KeyError),
    #[error("the embedded model could not be loaded: {0}")]
    LocalModel(#[from] imprimatur_local_model::LocalModelError),
    #[error("no model {0:?} in [models.providers]; the settings screen lists the configured ones")]
    UnknownProvider(String),
    #[error("prompt template {path}: {message}; fix the file or delete it to use the bundled one")]
    Template { path: PathBuf, message: String },
    #[error("nothing is selected; select the text to rewrite first")]
    EmptySelection,
    #[error("no language model is configured; add one under Settings → Models (or [models.providers] in imprimatur.toml)")]
    NoModels,
}

impl WorkspaceError {
    /// A stable code for the IPC boundary and `--json` output.
    pub fn code(&self) -> &'static str {
        match self {
            WorkspaceError::NotAWorkspace(_) => "workspace.not_a_workspace",
            WorkspaceError::NotEmpty(_) => "workspace.not_empty",
            WorkspaceError::Settings { .. } => "workspace.settings",
            WorkspaceError::UnknownSetting(_) => "workspace.unknown_setting",
            WorkspaceError::Io { .. } => "workspace.io",
            WorkspaceError::NotText { .. } => "workspace.not_text",
            WorkspaceError::UnknownRule { .. } => "workspace.unknown_rule",
            WorkspaceError::InvalidRule { .. } => "workspace.invalid_rule",
            WorkspaceError::RuleName(_) => "workspace.rule_name",
            WorkspaceError::Store(e) => e.code(),
            WorkspaceError::Review(e) => e.code(),
            WorkspaceError::Model(e) => e.code(),
            WorkspaceError::Key(_) => "model_key",
            WorkspaceError::LocalModel(_) => "model_local",
            WorkspaceError::UnknownProvider(_) => "model_unknown",
            WorkspaceError::Template { .. } => "workspace.template",
            WorkspaceError::EmptySelection => "rewrite.empty_selection",
            WorkspaceError::NoModels => "model_none",
        }
    }
}

pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> WorkspaceError {
    let path = path.into();
    move |source| WorkspaceError::Io { path, source }
}
