use thiserror::Error;

pub type StoreResult<T> = Result<T, StoreError>;

/// What can go wrong in the revision store. Every message says what happened and what to do.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error(
        "cannot open the database {path}: {source}; check that the folder exists and is writable"
    )]
    Open {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("the database was written by a newer Imprimatur (schema version {found}, this build knows up to {known}); update Imprimatur before opening this workspace")]
    SchemaTooNew { found: u32, known: u32 },
    #[error("no document {0}; `imprimatur doc list` shows the documents of this workspace")]
    DocumentNotFound(String),
    #[error(
        "no revision {rev} in document {doc}; `imprimatur doc history {doc}` lists its revisions"
    )]
    RevisionNotFound { doc: String, rev: String },
    #[error("the id prefix {prefix} matches more than one of the {what}; type more characters of the id")]
    AmbiguousId {
        prefix: String,
        count: usize,
        what: &'static str,
    },
    #[error("the id prefix {0:?} is too short; give at least 4 characters")]
    IdTooShort(String),
    #[error("the document is {size} bytes, more than the limit of {limit} bytes; split it into several documents")]
    TooLarge { size: usize, limit: usize },
    #[error("revision {rev} is damaged: its stored content does not match its SHA-256 hash; restore the workspace from a backup or restore an earlier revision")]
    Corrupt { rev: String },
    #[error("an ignored finding needs a reason; say why the finding does not apply here")]
    ReasonRequired,
    #[error("no ignored finding {0} in this document")]
    IgnoreNotFound(String),
    #[error("there is already a member {0}; `imprimatur member list` shows the members")]
    MemberExists(String),
    #[error("no member {0}; `imprimatur member list` shows the members, an admin adds one with `imprimatur member add`")]
    MemberNotFound(String),
    #[error(
        "no active waiver {0} in this document; `imprimatur review status ID` lists the waivers"
    )]
    WaiverNotFound(String),
    #[error("no open comment {0} in this document")]
    CommentNotFound(String),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("compression failed: {0}")]
    Codec(#[from] std::io::Error),
}

impl StoreError {
    /// A stable code for the IPC boundary and `--json` output.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Open { .. } => "store.open",
            StoreError::SchemaTooNew { .. } => "store.schema_too_new",
            StoreError::DocumentNotFound(_) => "store.document_not_found",
            StoreError::RevisionNotFound { .. } => "store.revision_not_found",
            StoreError::AmbiguousId { .. } => "store.ambiguous_id",
            StoreError::IdTooShort(_) => "store.id_too_short",
            StoreError::TooLarge { .. } => "store.too_large",
            StoreError::Corrupt { .. } => "store.corrupt",
            StoreError::ReasonRequired => "store.reason_required",
            StoreError::IgnoreNotFound(_) => "store.ignore_not_found",
            StoreError::MemberExists(_) => "store.member_exists",
            StoreError::MemberNotFound(_) => "store.member_not_found",
            StoreError::WaiverNotFound(_) => "store.waiver_not_found",
            StoreError::CommentNotFound(_) => "store.comment_not_found",
            StoreError::Sqlite(_) => "store.sqlite",
            StoreError::Codec(_) => "store.codec",
        }
    }
}
