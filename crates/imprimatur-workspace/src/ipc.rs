//! The types that cross the app's IPC boundary. TypeScript declarations for them are
//! generated into `ui/src/lib/bindings.ts`; a test fails when that file is stale.

use serde::Serialize;
use ts_rs::TS;

use crate::rules::{RuleEntry, RuleLevel, RuleListing, RulePack, RuleProblem, RuleTrial};

use imprimatur_check::{
    CheckKind, CheckReport, Edit, Finding, Fix, FrontMatter, Lang, Message, Severity, Span,
};
use imprimatur_seo::{
    Assessment, AssessmentGroup, Rating, SeoReport, SerpPreview, SerpTitle, TextStats,
};
use imprimatur_store::{
    AuditBreak, AuditEntry, AuditProblem, AuditReport, DiffChunk, DiffOp, DocumentId,
    DocumentSummary, Ignore, IgnoreScope, Origin, Revision, RevisionId, RevisionMeta, SaveOutcome,
    Timestamp, WordDiff,
};

/// What the app shows about the open workspace.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct WorkspaceInfo {
    pub root: String,
    pub name: String,
    pub language: String,
}

/// The app's state at start-up.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AppState {
    pub workspace: Option<WorkspaceInfo>,
    /// The person the app saves revisions as.
    pub author: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct OpenDocument {
    pub document: DocumentSummary,
    pub head: Option<Revision>,
}

/// What the SEO panel shows for the editor's text: every assessment and the SERP preview,
/// the front matter they read, and the workspace-wide findings (keyphrase cannibalization,
/// internal-link suggestions) without the ones ignored in this document.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SeoOverview {
    pub report: SeoReport,
    pub front_matter: FrontMatter,
    pub site: Vec<Finding>,
    /// The site's host for the preview's URL (the first of `[seo] site_hosts`), if set.
    pub host: Option<String>,
}

/// Every error that crosses the IPC boundary or is printed by `--json`: a stable code
/// for programs and a sentence for people.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct IpcError {
    pub code: String,
    pub message: String,
}

impl From<crate::WorkspaceError> for IpcError {
    fn from(e: crate::WorkspaceError) -> Self {
        IpcError {
            code: e.code().to_string(),
            message: e.to_string(),
        }
    }
}

/// The declarations of every IPC type, in dependency order, as one TypeScript module.
pub fn typescript_bindings() -> String {
    let cfg = ts_rs::Config::new().with_large_int("number");
    let decls = [
        DocumentId::decl(&cfg),
        RevisionId::decl(&cfg),
        Timestamp::decl(&cfg),
        Origin::decl(&cfg),
        DocumentSummary::decl(&cfg),
        RevisionMeta::decl(&cfg),
        Revision::decl(&cfg),
        SaveOutcome::decl(&cfg),
        DiffOp::decl(&cfg),
        DiffChunk::decl(&cfg),
        WordDiff::decl(&cfg),
        AuditEntry::decl(&cfg),
        AuditProblem::decl(&cfg),
        AuditBreak::decl(&cfg),
        AuditReport::decl(&cfg),
        CheckKind::decl(&cfg),
        Severity::decl(&cfg),
        Span::decl(&cfg),
        Message::decl(&cfg),
        Edit::decl(&cfg),
        Fix::decl(&cfg),
        Finding::decl(&cfg),
        CheckReport::decl(&cfg),
        Lang::decl(&cfg),
        Rating::decl(&cfg),
        AssessmentGroup::decl(&cfg),
        Assessment::decl(&cfg),
        TextStats::decl(&cfg),
        SerpTitle::decl(&cfg),
        SerpPreview::decl(&cfg),
        SeoReport::decl(&cfg),
        FrontMatter::decl(&cfg),
        SeoOverview::decl(&cfg),
        IgnoreScope::decl(&cfg),
        Ignore::decl(&cfg),
        WorkspaceInfo::decl(&cfg),
        AppState::decl(&cfg),
        OpenDocument::decl(&cfg),
        IpcError::decl(&cfg),
        RuleLevel::decl(&cfg),
        RuleProblem::decl(&cfg),
        RuleEntry::decl(&cfg),
        RulePack::decl(&cfg),
        RuleListing::decl(&cfg),
        RuleTrial::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust types by `cargo test -p imprimatur-workspace bindings` \
         (UPDATE_BINDINGS=1). Do not edit.\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(&d);
        out.push('\n');
    }
    out
}
