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

/// What `imprimatur corpus import` did: files found, indexed (new or changed), unchanged
/// since their last import (not indexed again), removed (texts of the corpus whose files
/// are gone), skipped with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CorpusImport {
    pub name: String,
    pub files: u32,
    /// `added + updated`.
    pub imported: u32,
    pub added: u32,
    pub updated: u32,
    pub removed: u32,
    pub unchanged: u32,
    pub skipped: Vec<CorpusSkip>,
    /// Texts in the duplicates index after the import (all sources).
    pub indexed: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CorpusSkip {
    pub path: String,
    pub reason: String,
}

/// A text of the duplicates index as the side-by-side view shows it: the evidence of a
/// `dup.*` finding names it (`document`) and gives byte spans into `text`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DuplicateSource {
    pub id: String,
    /// `documents`, `corpus` or `knowledge`.
    pub source: String,
    pub corpus: Option<String>,
    pub path: Option<String>,
    pub title: Option<String>,
    pub text: String,
}

/// How the knowledge panel ranks: BM25, dense vectors, or both fused (the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum KnowledgeMode {
    Bm25,
    Dense,
    #[default]
    Hybrid,
}

impl From<KnowledgeMode> for imprimatur_knowledge::SearchMode {
    fn from(m: KnowledgeMode) -> Self {
        match m {
            KnowledgeMode::Bm25 => imprimatur_knowledge::SearchMode::Bm25,
            KnowledgeMode::Dense => imprimatur_knowledge::SearchMode::Dense,
            KnowledgeMode::Hybrid => imprimatur_knowledge::SearchMode::Hybrid,
        }
    }
}

impl From<imprimatur_knowledge::SearchMode> for KnowledgeMode {
    fn from(m: imprimatur_knowledge::SearchMode) -> Self {
        match m {
            imprimatur_knowledge::SearchMode::Bm25 => KnowledgeMode::Bm25,
            imprimatur_knowledge::SearchMode::Dense => KnowledgeMode::Dense,
            imprimatur_knowledge::SearchMode::Hybrid => KnowledgeMode::Hybrid,
        }
    }
}

/// A knowledge file's state: indexed (`ok`), not a knowledge format (`skipped`), unreadable
/// (`error`), or changed on disk since the last ingestion (`new`, `deleted`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum KnowledgeSourceState {
    Ok,
    Skipped,
    Error,
    New,
    Deleted,
}

/// One file of `knowledge/` in the knowledge panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct KnowledgeSource {
    /// Relative to `knowledge/`, with `/`.
    pub path: String,
    pub state: KnowledgeSourceState,
    /// Why it was skipped or failed, or a warning.
    pub message: Option<String>,
    pub chunks: usize,
    /// Chunks flagged as containing instructions aimed at a model.
    pub injection_chunks: usize,
    /// Milliseconds since the Unix epoch; none for files not ingested yet.
    pub ingested_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct KnowledgeStatus {
    pub sources: Vec<KnowledgeSource>,
    /// Chunks in the index.
    pub chunks: usize,
    /// An ingestion is running.
    pub running: bool,
    /// The folder watch keeps the index in step with knowledge/.
    pub watching: bool,
    /// The `product` values of indexed chunks (front matter), for the product filter.
    pub products: Vec<String>,
}

/// The knowledge panel's search filters; empty or missing values admit everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
pub struct KnowledgeFilters {
    /// `de`, `en`: only chunks in this language.
    pub lang: Option<String>,
    /// Only chunks whose front matter names this product.
    pub product: Option<String>,
    /// ISO date: only chunks valid then (`valid_from` ≤ date ≤ `valid_to`, where set).
    pub valid_at: Option<String>,
}

/// The `knowledge-changed` event: the folder watch finished a pass (or failed).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct KnowledgeChange {
    /// Sources (re)indexed by the pass.
    pub ingested: Vec<String>,
    pub removed: Vec<String>,
    /// Files that could not be indexed, with their messages.
    pub problems: Vec<KnowledgeSource>,
    /// The pass failed as a whole (index, manifest or embedder).
    pub error: Option<IpcError>,
}

/// One search hit. Offsets are UTF-8 byte offsets: `start`/`end` into the source's
/// extracted text ([`KnowledgeSourceText`]), `highlights` into `text`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct KnowledgeHit {
    pub path: String,
    pub heading_path: Vec<String>,
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub score: f32,
    /// Flagged at ingestion: contains instructions aimed at a model.
    pub injection: bool,
    pub highlights: Vec<(usize, usize)>,
    /// The chunk's language (`de`, `en`).
    pub lang: String,
    /// The source's `product` (front matter), if any.
    pub product: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct KnowledgeResults {
    /// The mode that ran (BM25 when the embedder is missing).
    pub mode: KnowledgeMode,
    /// Why the search fell back to BM25, if it did.
    pub note: Option<String>,
    pub hits: Vec<KnowledgeHit>,
}

/// Where a running ingestion stands (the `knowledge-progress` event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IngestProgress {
    pub files_done: usize,
    pub files_total: usize,
    pub chunks: usize,
    pub current: Option<String>,
}

/// What an ingestion did.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct IngestSummary {
    pub files: usize,
    pub ingested: usize,
    pub unchanged: usize,
    pub removed: usize,
    pub problems: Vec<KnowledgeSource>,
    pub chunks: usize,
    pub injection_chunks: usize,
    pub cancelled: bool,
    pub seconds: f64,
}

/// A source's text as ingestion extracted it: hit offsets point into it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct KnowledgeSourceText {
    pub path: String,
    pub format: String,
    pub text: String,
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
        imprimatur_facts::ClaimKind::decl(&cfg),
        imprimatur_facts::Verdict::decl(&cfg),
        imprimatur_facts::Layer::decl(&cfg),
        imprimatur_facts::EvidenceSpan::decl(&cfg),
        imprimatur_facts::CitationRow::decl(&cfg),
        imprimatur_facts::ClaimRow::decl(&cfg),
        imprimatur_facts::FactsReport::decl(&cfg),
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
        KnowledgeMode::decl(&cfg),
        KnowledgeSourceState::decl(&cfg),
        KnowledgeSource::decl(&cfg),
        KnowledgeStatus::decl(&cfg),
        KnowledgeFilters::decl(&cfg),
        KnowledgeChange::decl(&cfg),
        KnowledgeHit::decl(&cfg),
        KnowledgeResults::decl(&cfg),
        IngestProgress::decl(&cfg),
        IngestSummary::decl(&cfg),
        KnowledgeSourceText::decl(&cfg),
        // The review workflow (review.rs).
        imprimatur_store::Role::decl(&cfg),
        imprimatur_store::Member::decl(&cfg),
        imprimatur_store::ReviewState::decl(&cfg),
        imprimatur_store::Verdict::decl(&cfg),
        imprimatur_store::Decision::decl(&cfg),
        imprimatur_store::Waiver::decl(&cfg),
        imprimatur_store::Comment::decl(&cfg),
        imprimatur_store::Publication::decl(&cfg),
        imprimatur_review::Anchor::decl(&cfg),
        imprimatur_review::AnchoredComment::decl(&cfg),
        imprimatur_review::Author::decl(&cfg),
        imprimatur_review::Blocker::decl(&cfg),
        imprimatur_review::Gates::decl(&cfg),
        imprimatur_review::Voided::decl(&cfg),
        imprimatur_review::Step::decl(&cfg),
        imprimatur_review::Target::decl(&cfg),
        imprimatur_review::Obstacle::decl(&cfg),
        crate::review::MemberKey::decl(&cfg),
        crate::review::IdentityView::decl(&cfg),
        crate::review::DecisionView::decl(&cfg),
        crate::review::ReviewOverview::decl(&cfg),
        crate::review::PublishedFiles::decl(&cfg),
        CorpusImport::decl(&cfg),
        CorpusSkip::decl(&cfg),
        DuplicateSource::decl(&cfg),
        crate::models::KeyState::decl(&cfg),
        crate::models::ProviderView::decl(&cfg),
        crate::models::PresetInfo::decl(&cfg),
        crate::models::PolicyRow::decl(&cfg),
        crate::models::RouteView::decl(&cfg),
        crate::models::ModelSettings::decl(&cfg),
        crate::models::ProviderInput::decl(&cfg),
        crate::models::ConnectionTest::decl(&cfg),
        imprimatur_store::ModelCost::decl(&cfg),
        imprimatur_store::DocumentCost::decl(&cfg),
        crate::models::MonthCosts::decl(&cfg),
        crate::models::DocumentCosts::decl(&cfg),
        crate::models::CostsOverview::decl(&cfg),
        crate::rewrite::RewriteAction::decl(&cfg),
        crate::rewrite::Rewrite::decl(&cfg),
        crate::rewrite::RewriteProgress::decl(&cfg),
        crate::rewrite::AcceptedRewrite::decl(&cfg),
        // Brief → draft (draft.rs, imprimatur-draft).
        imprimatur_draft::SearchIntent::decl(&cfg),
        imprimatur_draft::AddressForm::decl(&cfg),
        imprimatur_draft::Brief::decl(&cfg),
        imprimatur_draft::BriefProblem::decl(&cfg),
        imprimatur_draft::TemplateField::decl(&cfg),
        imprimatur_draft::BriefTemplate::decl(&cfg),
        imprimatur_draft::SourceSpan::decl(&cfg),
        imprimatur_draft::Citation::decl(&cfg),
        imprimatur_draft::CitationProblemKind::decl(&cfg),
        imprimatur_draft::CitationProblem::decl(&cfg),
        imprimatur_draft::UncitedClaim::decl(&cfg),
        imprimatur_draft::Passage::decl(&cfg),
        imprimatur_draft::OutlineSection::decl(&cfg),
        imprimatur_draft::Outline::decl(&cfg),
        imprimatur_draft::SectionDraft::decl(&cfg),
        imprimatur_draft::DraftEvent::decl(&cfg),
        crate::draft::BriefEntry::decl(&cfg),
        crate::draft::BriefOpened::decl(&cfg),
        crate::draft::BriefSaved::decl(&cfg),
        crate::draft::DraftProgress::decl(&cfg),
        crate::draft::DraftSaved::decl(&cfg),
        imprimatur_store::ProvenanceSpan::decl(&cfg),
        imprimatur_store::Provenance::decl(&cfg),
        crate::draft::HeadProvenance::decl(&cfg),
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
