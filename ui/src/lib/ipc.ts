// Typed wrappers around the Tauri commands. Argument keys are snake_case exactly as
// the Rust command signatures declare them.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { toIpcError } from './ipc-error';
import type {
  AppState,
  CheckReport,
  DocumentId,
  DocumentSummary,
  Ignore,
  IgnoreScope,
  OpenDocument,
  Revision,
  RevisionId,
  RevisionMeta,
  SaveOutcome,
  SeoOverview,
  WordDiff,
  WorkspaceInfo,
  RuleEntry,
  RuleLevel,
  RuleListing,
  RuleTrial,
  IngestProgress,
  IngestSummary,
  KnowledgeChange,
  KnowledgeFilters,
  KnowledgeMode,
  KnowledgeResults,
  KnowledgeSourceText,
  FactsReport,
  DuplicateSource,
  KnowledgeStatus,
  IdentityView,
  Member,
  PublishedFiles,
  ReviewOverview,
  Role,
  Verdict,
} from './bindings';
import type {
  AcceptedRewrite,
  ConnectionTest,
  CostsOverview,
  ModelSettings,
  ProviderInput,
  ProviderView,
  Rewrite,
  RewriteAction,
  RewriteProgress,
} from './bindings';

import type {
  BriefEntry,
  BriefOpened,
  BriefSaved,
  BriefTemplate,
  DraftProgress,
  DraftSaved,
  HeadProvenance,
  Outline,
  UncitedClaim,
} from './bindings';

export type { Ignore, IgnoreScope } from './bindings';

export interface IgnoreRequest {
  code: string;
  scope: IgnoreScope;
  matched: string;
  context: string;
  reason: string;
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toIpcError(e);
  }
}

export const appState = () => call<AppState>('app_state');
export const workspaceOpen = (path: string) => call<WorkspaceInfo>('workspace_open', { path });
export const workspaceCreate = (path: string) => call<WorkspaceInfo>('workspace_create', { path });
export const workspaceOpenDemo = () => call<WorkspaceInfo>('workspace_open_demo');
export const docList = () => call<DocumentSummary[]>('doc_list');
export const docCreate = (title: string) => call<DocumentSummary>('doc_create', { title });
export const docOpen = (id: DocumentId) => call<OpenDocument>('doc_open', { id });
/** Autosave passes `message: null`; "Save version" passes the user's message (or null). */
export const docSave = (id: DocumentId, content: string, message: string | null) =>
  call<SaveOutcome>('doc_save', { id, content, message });
/** Oldest first. */
export const docHistory = (id: DocumentId) => call<RevisionMeta[]>('doc_history', { id });
export const revisionRead = (id: DocumentId, rev: RevisionId) =>
  call<Revision>('revision_read', { id, rev });
export const docRestore = (id: DocumentId, rev: RevisionId) =>
  call<SaveOutcome>('doc_restore', { id, rev });
export const docDiff = (id: DocumentId, from: RevisionId, to: RevisionId) =>
  call<WordDiff>('doc_diff', { id, from, to });
/**
 * Runs every check on the editor's (unsaved) text. With `id`, findings the user ignored
 * in that document are left out.
 */
export const docCheck = (content: string, id: DocumentId | null) => call<CheckReport>('doc_check', { content, id });
/** The SEO panel's data for the editor's (unsaved) text of document `id`. */
export const docSeo = (content: string, id: DocumentId | null) => call<SeoOverview>('doc_seo', { content, id });
export const findingIgnore = (id: DocumentId, req: IgnoreRequest) =>
  call<Ignore>('finding_ignore', {
    id,
    code: req.code,
    scope: req.scope,
    matched: req.matched,
    context: req.context,
    reason: req.reason,
  });
export const findingUnignore = (id: DocumentId, ignore: string) => call<null>('finding_unignore', { id, ignore });
export const docIgnores = (id: DocumentId) => call<Ignore[]>('doc_ignores', { id });

/** The rule editor: every pack and rule of the workspace, with levels and YAML. */
export const ruleList = () => call<RuleListing>('rule_list');
/** Sets a rule's level in imprimatur.toml ('off' turns it off); audited. */
export const ruleSetLevel = (code: string, level: RuleLevel) => call<RuleEntry>('rule_set_level', { code, level });
/** Saves a rule's YAML; rejects with code `workspace.invalid_rule` (naming the line) when it does not compile. */
export const ruleSave = (pack: string, name: string, source: string) =>
  call<RuleEntry>('rule_save', { pack, name, source });
/** Runs a rule's (unsaved) YAML on sample text: its problem, or its findings. */
export const ruleTry = (pack: string, name: string, source: string, sample: string) =>
  call<RuleTrial>('rule_try', { pack, name, source, sample });

/** The knowledge panel: every file of knowledge/ with its ingestion state. */
export const kbStatus = () => call<KnowledgeStatus>('kb_status');
/** Hybrid search by default; falls back to BM25 (with `note`) without the embedding model. */
export const kbSearch = (
  query: string,
  mode: KnowledgeMode | null = null,
  filters: KnowledgeFilters | null = null,
  limit: number | null = null,
) => call<KnowledgeResults>('kb_search', { query, mode, filters, limit });
/** Ingests knowledge/ (changed files only); progress arrives through `onKbProgress`. */
export const kbIngest = () => call<IngestSummary>('kb_ingest');
/** Stops the running ingestion at its next file or batch; what is done stays done. */
export const kbCancel = () => call<null>('kb_cancel');
/** A source's extracted text, into which hit offsets point. */
export const kbSource = (path: string) => call<KnowledgeSourceText>('kb_source', { path });
/** The fact check of the editor's text: claims with verdicts, values and evidence spans. */
export const factsCheck = (content: string) => call<FactsReport>('facts_check', { content });
/** A text of the duplicates index (evidence.document of a `dup.*` finding); null if gone. */
export const dupSource = (id: string) => call<DuplicateSource | null>('dup_source', { id });
/** Subscribes to ingestion progress; resolves to the unsubscribe function. */
export const onKbProgress = (f: (p: IngestProgress) => void) =>
  listen<IngestProgress>('knowledge-progress', (e) => f(e.payload));
/** The folder watch finished a pass over knowledge/ (the index changed, or the pass failed). */
export const onKbChanged = (f: (c: KnowledgeChange) => void) =>
  listen<KnowledgeChange>('knowledge-changed', (e) => f(e.payload));

/** Who is acting, and every member with whether their private key is in this keychain. */
export const identityState = () => call<IdentityView>('identity_state');
/** Signs a challenge with `member`'s key from the OS keychain; acts as them if it verifies. */
export const identityUnlock = (member: string) => call<IdentityView>('identity_unlock', { member });
/** Registers a member (an admin acts; the first member needs none) with a new key pair. */
export const memberAdd = (id: string, name: string, roles: Role[], publicKey: string | null = null) =>
  call<Member>('member_add', { id, name, roles, public_key: publicKey });
export const memberSetRoles = (id: string, roles: Role[]) => call<Member>('member_set_roles', { id, roles });
/** The review state of a document: decisions, comments, waivers, gates, report. */
export const reviewStatus = (id: DocumentId) => call<ReviewOverview>('review_status', { id });
export const reviewSubmit = (id: DocumentId) => call<ReviewOverview>('review_submit', { id });
/** Approves or requests changes for the saved head revision, signed by the acting reviewer. */
export const reviewDecide = (id: DocumentId, verdict: Verdict, comment: string) =>
  call<ReviewOverview>('review_decide', { id, verdict, comment });
/** Waives blocking finding `code` starting at byte `start` of the saved head, with a reason. */
export const reviewWaive = (id: DocumentId, code: string, start: number, reason: string) =>
  call<ReviewOverview>('review_waive', { id, code, start, reason });
/** A comment on bytes `start..end` of the saved head revision. */
export const reviewComment = (id: DocumentId, start: number, end: number, body: string) =>
  call<ReviewOverview>('review_comment', { id, start, end, body });
/** Writes Markdown, HTML and the evidence pack into `out`. */
export const reviewPublish = (id: DocumentId, out: string) => call<PublishedFiles>('review_publish', { id, out });
export const reviewExportBundle = (id: DocumentId, path: string) => call<string>('review_export_bundle', { id, path });
export const reviewImportDecision = (path: string) => call<ReviewOverview>('review_import_decision', { path });
/** The reviewer's side: decides on the bundle at `bundle` and writes the signed decision file to `out`. */
export const reviewDecideBundle = (bundle: string, verdict: Verdict, comment: string, out: string) =>
  call<string>('review_decide_bundle', { bundle, verdict, comment, out });

/** The model settings screen: providers with key states, default chain, routing policy. */
export const modelSettings = () => call<ModelSettings>('model_settings');
/** Adds or replaces a provider in imprimatur.toml (audited); rejects what does not validate. */
export const modelProviderSave = (provider: ProviderInput) => call<ProviderView>('model_provider_save', { provider });
export const modelProviderRemove = (name: string) => call<null>('model_provider_remove', { name });
export const modelDefaultSet = (chain: string[]) => call<null>('model_default_set', { chain });
/** Stores an API key in the OS keychain. It is never sent back to the UI. */
export const modelKeySet = (name: string, key: string) => call<null>('model_key_set', { name, key });
export const modelKeyDelete = (name: string) => call<boolean>('model_key_delete', { name });
export const modelTest = (name: string) => call<ConnectionTest>('model_test', { name });
/** Rewrites the selection through the router; the answer streams through `onRewriteProgress`. */
export const rewriteRun = (id: DocumentId, content: string, selection: string, action: RewriteAction) =>
  call<Rewrite>('rewrite_run', { id, content, selection, action });
export const rewriteCancel = () => call<null>('rewrite_cancel');
/** Saves the text after an accepted rewrite as a revision with origin `ai`. */
export const rewriteAccept = (id: DocumentId, content: string, rewrite: AcceptedRewrite) =>
  call<SaveOutcome>('rewrite_accept', { id, content, rewrite });
export const onRewriteProgress = (f: (p: RewriteProgress) => void) =>
  listen<RewriteProgress>('rewrite-progress', (e) => f(e.payload));

/** Brief templates: the workspace's, then the bundled ones it does not override. */
export const briefTemplates = () => call<BriefTemplate[]>('brief_templates');
/** The briefs of the workspace (`briefs/*.toml`). */
export const briefList = () => call<BriefEntry[]>('brief_list');
export const briefOpen = (path: string) => call<BriefOpened>('brief_open', { path });
/** Saves field values as a revision of `briefs/NAME.toml` (new when `path` is null); returns the missing fields. */
export const briefSave = (path: string | null, values: Record<string, unknown>) =>
  call<BriefSaved>('brief_save', { path, values });
/** Writes the outline of a brief; tokens stream through `onDraftEvent`. */
export const draftOutline = (brief: string) => call<Outline>('draft_outline', { brief });
/** Writes every section into document `id` and saves the draft as an `ai` revision. */
export const draftWrite = (id: DocumentId, brief: string, outline: Outline) =>
  call<DraftSaved>('draft_write', { id, brief, outline });
/** Writes section `index` again in place (an `ai` revision). */
export const draftSection = (id: DocumentId, outline: Outline, index: number) =>
  call<DraftSaved>('draft_section', { id, outline, index });
export const draftCancel = () => call<null>('draft_cancel');
/** Sentences of the editor's text that state a fact without a citation (byte offsets). */
export const draftClaims = (content: string) => call<UncitedClaim[]>('draft_claims', { content });
/** The provenance of the document's newest revision (null before the first save). */
export const docProvenance = (id: DocumentId) => call<HeadProvenance | null>('doc_provenance', { id });
export const onDraftEvent = (f: (p: DraftProgress) => void) =>
  listen<DraftProgress>('draft-event', (e) => f(e.payload));
export const costsOverview = () => call<CostsOverview>('costs_overview');

export const ipc = {
  appState,
  workspaceOpen,
  workspaceCreate,
  workspaceOpenDemo,
  docList,
  docCreate,
  docOpen,
  docSave,
  docHistory,
  revisionRead,
  docRestore,
  docDiff,
  docCheck,
  docSeo,
  findingIgnore,
  findingUnignore,
  docIgnores,
  ruleList,
  ruleSetLevel,
  ruleSave,
  ruleTry,
  kbStatus,
  kbSearch,
  kbIngest,
  kbCancel,
  kbSource,
  factsCheck,
  onKbChanged,
  dupSource,
  onKbProgress,
  identityState,
  identityUnlock,
  memberAdd,
  memberSetRoles,
  reviewStatus,
  reviewSubmit,
  reviewDecide,
  reviewWaive,
  reviewComment,
  reviewPublish,
  reviewExportBundle,
  reviewImportDecision,
  reviewDecideBundle,
};

export { isIpcError, toIpcError } from './ipc-error';
