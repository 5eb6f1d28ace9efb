//! Errors. None of them ever carries a key: provider error bodies are scrubbed of the
//! secret before they are kept (see `http::scrub`).

use std::time::Duration;

use thiserror::Error;

/// Why one call to one provider failed.
#[derive(Debug, Error)]
pub enum ProviderError {
    #[error("{url}: no response within {after:?} ({phase}); raise [models] timeout_secs if the model is just slow")]
    Timeout {
        url: String,
        phase: &'static str,
        after: Duration,
    },
    #[error("{url}: cannot connect: {message}; is the server running and the base_url right?")]
    Connect { url: String, message: String },
    #[error("{url}: HTTP {status}{}: {body}", retry_after.map(|d| format!(" (retry after {}s)", d.as_secs())).unwrap_or_default())]
    Status {
        url: String,
        status: u16,
        retry_after: Option<Duration>,
        body: String,
    },
    #[error("{url}: the stream is not valid {protocol}: {message}")]
    Malformed {
        url: String,
        protocol: &'static str,
        message: String,
    },
    #[error("{url}: the stream broke off after {received_chars} characters, before the end of the answer; the partial text was discarded")]
    Truncated { url: String, received_chars: usize },
    #[error("the call was cancelled")]
    Cancelled,
    #[error("no key named {name:?} in the OS keychain; add it with the settings screen or `imprimatur model key set {name}`")]
    MissingKey { name: String },
    #[error("keychain: {0}")]
    Key(#[from] KeyError),
    #[error("the local model failed: {0}")]
    Local(String),
}

impl ProviderError {
    /// Connection errors, timeouts, 429, 5xx and broken streams move on to the next model;
    /// a refused key or a bad request would fail the same way again.
    pub fn falls_back(&self) -> bool {
        match self {
            ProviderError::Timeout { .. }
            | ProviderError::Connect { .. }
            | ProviderError::Malformed { .. }
            | ProviderError::Truncated { .. }
            | ProviderError::MissingKey { .. }
            | ProviderError::Local(_) => true,
            ProviderError::Status { status, .. } => *status == 429 || *status >= 500,
            ProviderError::Cancelled | ProviderError::Key(_) => false,
        }
    }

    /// Worth retrying the same model after a pause (429 and 5xx; connection trouble).
    pub fn retryable(&self) -> bool {
        match self {
            ProviderError::Status { status, .. } => *status == 429 || *status >= 500,
            ProviderError::Connect { .. } | ProviderError::Timeout { .. } => true,
            _ => false,
        }
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ProviderError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// A short stable name for the audit log.
    pub fn kind(&self) -> &'static str {
        match self {
            ProviderError::Timeout { .. } => "timeout",
            ProviderError::Connect { .. } => "connect",
            ProviderError::Status { .. } => "status",
            ProviderError::Malformed { .. } => "malformed",
            ProviderError::Truncated { .. } => "truncated",
            ProviderError::Cancelled => "cancelled",
            ProviderError::MissingKey { .. } => "missing_key",
            ProviderError::Key(_) => "keychain",
            ProviderError::Local(_) => "local",
        }
    }
}

#[derive(Debug, Error)]
pub enum KeyError {
    #[error("the OS keychain is not available ({0}); on Linux a Secret Service (GNOME Keyring, KWallet) must be running")]
    Unavailable(String),
    #[error(
        "key name {0:?} is not allowed: use letters, digits, '-', '_' and '.' (1 to 64 characters)"
    )]
    BadName(String),
    #[error("the keychain refused the operation on key {name:?}: {message}")]
    Refused { name: String, message: String },
}

/// Why the model layer could not answer.
#[derive(Debug, Error)]
pub enum ModelError {
    #[error("[models] in imprimatur.toml: {0}")]
    Config(String),
    #[error("price table {file}: {message}")]
    Prices { file: String, message: String },
    #[error("no model named {0:?} in [models.providers]; `imprimatur model list` shows the configured ones")]
    UnknownModel(String),
    #[error("{0}")]
    Refused(String),
    #[error("budget reached: {0}")]
    Budget(String),
    #[error("every model in the chain failed: {}", attempts.join("; "))]
    AllFailed { attempts: Vec<String> },
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error("response cache {path}: {source}")]
    Cache {
        path: String,
        source: rusqlite::Error,
    },
    #[error(transparent)]
    Store(#[from] imprimatur_store::StoreError),
    #[error(transparent)]
    Key(#[from] KeyError),
}

impl ModelError {
    pub fn code(&self) -> &'static str {
        match self {
            ModelError::Config(_) => "model_config",
            ModelError::Prices { .. } => "model_prices",
            ModelError::UnknownModel(_) => "model_unknown",
            ModelError::Refused(_) => "model_refused",
            ModelError::Budget(_) => "model_budget",
            ModelError::AllFailed { .. } => "model_failed",
            ModelError::Provider(ProviderError::Cancelled) => "model_cancelled",
            ModelError::Provider(_) => "model_provider",
            ModelError::Cache { .. } => "model_cache",
            ModelError::Store(_) => "store",
            ModelError::Key(_) => "model_key",
        }
    }
}

pub type ModelResult<T> = Result<T, ModelError>;
