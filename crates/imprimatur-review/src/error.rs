use std::path::PathBuf;

use imprimatur_model::KeyError;
use imprimatur_store::{ReviewState, Role, StoreError};
use thiserror::Error;

pub type ReviewResult<T> = Result<T, ReviewError>;

/// Why the review workflow refused or failed. Every refusal names the rule and what to
/// do instead; [`ReviewError::code`] gives a stable code for the IPC boundary and `--json`.
#[derive(Debug, Error)]
pub enum ReviewError {
    #[error("member id {0:?} is not allowed: use 1 to 40 lower-case letters, digits, '.', '-' or '_', starting with a letter or digit")]
    BadMemberId(String),
    #[error(
        "{0} is not a member of this workspace; an admin adds members with `imprimatur member add`"
    )]
    NotAMember(String),
    #[error("the signing key of {member} is not in this computer's keychain; {member} must act on their own computer, or create a key there with `imprimatur member key` and have an admin register it")]
    NoKey { member: String },
    #[error("the key in this computer's keychain for {member} is not the public key registered for {member} in this workspace; nobody can act as {member} without their registered key")]
    KeyMismatch { member: String },
    #[error("{0:?} is not an Ed25519 public key: expected 64 hex digits")]
    BadPublicKey(String),
    #[error("the keychain: {0}")]
    Keys(#[from] KeyError),
    #[error("the first member of a workspace must have the admin role, so that someone can register the others")]
    FirstMemberMustBeAdmin,
    #[error("{actor} cannot {action}: that needs the {role} role; an admin grants it with `imprimatur member roles`", role = role.as_str())]
    MissingRole {
        actor: String,
        role: Role,
        action: &'static str,
    },
    #[error("{actor} cannot {action}: {actor} wrote revision(s) {revisions} since the last approval (or started an AI generation for it), and the four-eyes rule needs a reviewer who is not an author")]
    OwnText {
        actor: String,
        action: &'static str,
        revisions: String,
    },
    #[error("document {doc} has no revision yet; save the text first")]
    NoRevision { doc: String },
    #[error("cannot {action}: the document is {state}; {hint}", state = state.as_str())]
    WrongState {
        action: &'static str,
        state: ReviewState,
        hint: &'static str,
    },
    #[error("the check report is for text {report_hash_of}, but the newest revision has hash {head}; run the checks on the newest revision")]
    ReportForOtherText {
        report_hash_of: String,
        head: String,
    },
    #[error("revision {number} has no stored check report; submit it for review (which stores the report) first")]
    NoReport { number: u32 },
    #[error("the stored check report of revision {number} no longer matches its hash; the database was altered, run `imprimatur audit verify`")]
    ReportAltered { number: u32 },
    #[error("cannot {action}: {count} blocking finding(s) are neither resolved nor waived: {list}; fix the text, or a reviewer waives each with a written reason (`imprimatur review waive`)")]
    Blocked {
        action: &'static str,
        count: usize,
        list: String,
    },
    #[error("no blocking finding {code} at {at} in the newest revision's check report; `imprimatur review status` lists the blocking findings")]
    NoSuchFinding { code: String, at: String },
    #[error("a waiver needs a written reason: say why the finding may stand")]
    ReasonRequired,
    #[error("cannot publish: revision {approved} was approved, but the text was edited since (now revision {head}, by {by}); the approval is void, submit the new revision for review")]
    EditedSinceApproval {
        approved: u32,
        head: u32,
        by: String,
    },
    #[error("cannot publish: revision {head} has no valid approval; submit it for review and have a reviewer approve it")]
    NotApproved { head: u32 },
    #[error("the approval of revision {number} by {reviewer} does not verify: {why}; the database was altered, run `imprimatur audit verify`")]
    ApprovalInvalid {
        number: u32,
        reviewer: String,
        why: String,
    },
    #[error("the comment range {start}..{end} is not a range of the text (length {len}, ranges must fall on character boundaries)")]
    BadRange { start: u32, end: u32, len: usize },
    #[error("{what} refused: {reason}")]
    Refused { what: &'static str, reason: Refusal },
    #[error("the [workflow] settings: {0}")]
    Settings(String),
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a review bundle, a decision file or an evidence pack was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Refusal {
    #[error("it is not {expected} file ({detail})")]
    NotThisFormat {
        expected: &'static str,
        detail: String,
    },
    #[error("its signature does not verify: the file was altered after {signer} signed it, or the signature is forged")]
    BadSignature { signer: String },
    #[error("it was signed by {signer}, who is not a member of this workspace")]
    UnknownSigner { signer: String },
    #[error("it was signed with a key that is not the public key registered for {signer} in this workspace")]
    WrongKey { signer: String },
    #[error("{signer} does not have the reviewer role (any more) in this workspace")]
    NotAReviewer { signer: String },
    #[error("{signer} is an author of the revision (wrote revision(s) {revisions} since the last approval); the four-eyes rule needs another reviewer")]
    OwnText { signer: String, revisions: String },
    #[error("it is about document {found}, not {expected}")]
    OtherDocument { expected: String, found: String },
    #[error("it is for revision {found_number} (hash {found_hash}), but the document is now at revision {head_number} (hash {head_hash}); the text changed after the bundle was exported, export a new bundle")]
    OtherRevision {
        found_number: u32,
        found_hash: String,
        head_number: u32,
        head_hash: String,
    },
    #[error("its check report hash {found} differs from the report stored for that revision ({expected})")]
    OtherReport { expected: String, found: String },
    #[error("{what} does not match its hash: {detail}")]
    HashMismatch { what: String, detail: String },
    #[error("{0}")]
    Inconsistent(String),
}

impl ReviewError {
    pub fn code(&self) -> &'static str {
        match self {
            ReviewError::BadMemberId(_) => "review.bad_member_id",
            ReviewError::NotAMember(_) => "review.not_a_member",
            ReviewError::NoKey { .. } => "review.no_key",
            ReviewError::KeyMismatch { .. } => "review.key_mismatch",
            ReviewError::BadPublicKey(_) => "review.bad_public_key",
            ReviewError::Keys(_) => "review.keychain",
            ReviewError::FirstMemberMustBeAdmin => "review.first_member_admin",
            ReviewError::MissingRole { .. } => "review.missing_role",
            ReviewError::OwnText { .. } => "review.own_text",
            ReviewError::NoRevision { .. } => "review.no_revision",
            ReviewError::WrongState { .. } => "review.wrong_state",
            ReviewError::ReportForOtherText { .. } => "review.report_for_other_text",
            ReviewError::NoReport { .. } => "review.no_report",
            ReviewError::ReportAltered { .. } => "review.report_altered",
            ReviewError::Blocked { .. } => "review.blocked",
            ReviewError::NoSuchFinding { .. } => "review.no_such_finding",
            ReviewError::ReasonRequired => "review.reason_required",
            ReviewError::EditedSinceApproval { .. } => "review.edited_since_approval",
            ReviewError::NotApproved { .. } => "review.not_approved",
            ReviewError::ApprovalInvalid { .. } => "review.approval_invalid",
            ReviewError::BadRange { .. } => "review.bad_range",
            ReviewError::Refused { reason, .. } => reason.code(),
            ReviewError::Settings(_) => "review.settings",
            ReviewError::Io { .. } => "review.io",
            ReviewError::Store(e) => e.code(),
        }
    }
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NotThisFormat { .. } => "refused.format",
            Refusal::BadSignature { .. } => "refused.bad_signature",
            Refusal::UnknownSigner { .. } => "refused.unknown_signer",
            Refusal::WrongKey { .. } => "refused.wrong_key",
            Refusal::NotAReviewer { .. } => "refused.not_a_reviewer",
            Refusal::OwnText { .. } => "refused.own_text",
            Refusal::OtherDocument { .. } => "refused.other_document",
            Refusal::OtherRevision { .. } => "refused.other_revision",
            Refusal::OtherReport { .. } => "refused.other_report",
            Refusal::HashMismatch { .. } => "refused.hash_mismatch",
            Refusal::Inconsistent(_) => "refused.inconsistent",
        }
    }
}

pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> ReviewError + '_ {
    move |source| ReviewError::Io {
        path: path.to_path_buf(),
        source,
    }
}
