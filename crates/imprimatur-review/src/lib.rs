//! The review workflow of an Imprimatur workspace: members with roles and Ed25519 keys,
//! states enforced here (not in the UI), four-eyes approval bound to one exact revision
//! and its check report, gates on blocking findings, review bundles and decision files
//! between laptops, and publishing with an evidence pack that a third party verifies
//! offline.
//!
//! Pure core: every function takes the store, the key source and the current time as
//! arguments. Every workflow event enters the store's hash-chained audit log.

mod anchor;
mod bundle;
mod error;
mod gates;
mod identity;
pub mod keys;
mod members;
mod publish;
pub mod signing;
mod workflow;

pub use anchor::{anchor, anchor_all, Anchor, AnchoredComment};
pub use bundle::{
    decide, export_bundle, import_decision, open_bundle, BundleRevision, BundleSource,
    DecisionFile, OpenedBundle, ReviewBundle, BUNDLE_FORMAT, DECISION_FORMAT,
};
pub use error::{Refusal, ReviewError, ReviewResult};
pub use gates::Gates;
pub use identity::Actor;
pub use keys::{ensure_key, MemoryKeys, SigningKeys};
pub use members::{add_member, set_roles};
pub use publish::{
    publish, verify_evidence, EvidencePack, EvidenceSummary, Published, EVIDENCE_FORMAT,
};
pub use workflow::{
    approve, authors, blockers, comment, request_changes, review_view, revoke_waiver, status,
    submit, waive, Author, Blocker, NewComment, Obstacle, PathStep, ReviewStatus, ReviewView, Step,
    StepState, Target, Voided,
};

pub use imprimatur_store::{
    Comment, Decision, DocumentId, Member, Publication, ReviewState, RevisionId, Role, Store,
    StoredReport, Timestamp, Verdict, Waiver, WorkflowRow,
};
