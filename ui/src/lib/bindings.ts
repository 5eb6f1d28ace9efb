// Generated from the Rust types by `cargo test -p imprimatur-workspace bindings` (UPDATE_BINDINGS=1). Do not edit.
export type DocumentId = string;
export type RevisionId = string;
export type Timestamp = number;
export type Origin = "human" | "ai" | "import";
export type DocumentSummary = { id: DocumentId, title: string, created_at: Timestamp, updated_at: Timestamp, 
/**
 * The newest revision; `None` until the first save.
 */
head: RevisionId | null, revisions: number, };
export type RevisionMeta = { id: RevisionId, document_id: DocumentId, 
/**
 * Position in the document's history, from 1.
 */
number: number, parent: RevisionId | null, 
/**
 * SHA-256 of the UTF-8 content, hex.
 */
content_hash: string, author: string, origin: Origin, message: string | null, created_at: Timestamp, 
/**
 * Bytes of content.
 */
size: number, 
/**
 * Bytes the revision takes in the database.
 */
stored_size: number, };
export type Revision = { meta: RevisionMeta, content: string, };
export type SaveOutcome = { revision: RevisionMeta, 
/**
 * True when the content equalled the newest revision and nothing was written.
 */
unchanged: boolean, };
export type DiffOp = "equal" | "insert" | "delete";
export type DiffChunk = { op: DiffOp, text: string, };
export type WordDiff = { from: RevisionId, to: RevisionId, chunks: Array<DiffChunk>, inserted_words: number, deleted_words: number, };
export type AuditEntry = { seq: number, at: Timestamp, actor: string, 
/**
 * What happened, e.g. `doc.save`, `doc.restore`, `settings.change`.
 */
action: string, 
/**
 * The id of what it happened to.
 */
subject: string, 
/**
 * JSON with the particulars (revision id, content hash, ...).
 */
details: string, prev_hash: string, hash: string, };
export type AuditProblem = { "kind": "altered" } | { "kind": "not_chained" } | { "kind": "missing", expected_seq: number, } | { "kind": "truncated", recorded_head: number, };
export type AuditBreak = { seq: number, problem: AuditProblem, };
export type AuditReport = { entries: number, 
/**
 * The first entry where the chain breaks, and why; `None` when the log is intact.
 */
broken_at: AuditBreak | null, };
export type CheckKind = "style" | "seo" | "facts" | "duplicates" | "document";
export type Severity = "error" | "warning" | "suggestion" | "info";
export type Span = { start: number, end: number, line: number, column: number, };
export type Message = { key: string, args: { [key in string]: string }, text: string, };
export type Edit = { start: number, end: number, replacement: string, };
export type Fix = { 
/**
 * What the fix does, in the document's language, e.g. "Ersetzen durch „Sie“".
 */
label: string, edits: Array<Edit>, };
export type Finding = { check: CheckKind, 
/**
 * Stable id, e.g. `Brand.AddressForm`, `seo.keyphrase_density`, `facts.contradicted`.
 */
code: string, severity: Severity, message: Message, span: Span, fix: Fix | null, 
/**
 * Measured values, a source span, the other document of a duplicate...
 */
evidence: unknown, };
export type CheckReport = { content_hash: string, findings: Array<Finding>, scores: { [key in string]: number }, };
export type ClaimKind = "price" | "percentage" | "date" | "duration" | "specification" | "number" | "product" | "comparison" | "superlative" | "guarantee" | "legal" | "health" | "environmental";
export type FactsVerdict = "supported" | "contradicted" | "unverifiable";
export type FactsLayer = "deterministic" | "model";
export type EvidenceSpan = { path: string, 
/**
 * Byte offsets into the source's extracted text (`kb_source`).
 */
start: number, end: number, 
/**
 * The statement itself.
 */
text: string, };
export type CitationRow = { number: number, 
/**
 * The cited source, when the document defines `[n]`.
 */
path: string | null, supports: boolean, };
export type ClaimRow = { 
/**
 * Byte range of the sentence in the document source.
 */
start: number, end: number, line: number, text: string, kinds: Array<ClaimKind>, verdict: FactsVerdict, code: string, confidence: number, layer: FactsLayer, claim_value: string | null, source_value: string | null, evidence: EvidenceSpan | null, 
/**
 * Cited sources `[n]` of the sentence and whether each supports it.
 */
citations: Array<CitationRow>, };
export type FactsReport = { claims: Array<ClaimRow>, findings: Array<Finding>, 
/**
 * Sentences checked in this run (the rest came from the cache).
 */
checked: number, cached: number, 
/**
 * Why nothing was checked (no knowledge index yet), for the panel.
 */
note: string | null, };
export type Lang = "de" | "en";
export type Rating = "good" | "ok" | "bad";
export type AssessmentGroup = "seo" | "readability";
export type Assessment = { 
/**
 * Stable id, e.g. `seo.keyphrase_density`, `readability.passive_voice`.
 */
id: string, group: AssessmentGroup, 
/**
 * Yoast's scale: 9 is best; heavy problems go below 0.
 */
score: number, rating: Rating, 
/**
 * In the document's language, with the key and arguments for the UI's language.
 */
message: Message, message_de: string, message_en: string, 
/**
 * The measured value (a percentage, a count, pixels…), if the assessment measures one.
 */
value: number | null, 
/**
 * Places in the source the assessment is about (too long sentences, the title line…).
 */
marks: Array<Span>, 
/**
 * Whether it counts toward its group's total (the readability formulas are shown but,
 * as in yoastseo, do not count).
 */
scored: boolean, };
export type TextStats = { words: number, sentences: number, syllables: number, 
/**
 * Words with three or more syllables.
 */
polysyllables: number, monosyllables: number, 
/**
 * Words longer than six letters (LIX and Wiener Sachtextformel).
 */
long_words: number, flesch_reading_ease: number, 
/**
 * German school grade (4 = very easy … 15 = very hard); `None` for English.
 */
wiener_sachtextformel: number | null, lix: number, };
export type SerpTitle = { width_px: number, max_px: number, 
/**
 * Byte offset in the title where it is cut, `None` when it fits.
 */
truncate_at: number | null, 
/**
 * What the result page shows: the title, or its cut with " …".
 */
display: string, };
export type SerpPreview = { title: string, desktop: SerpTitle, mobile: SerpTitle, description: string, description_desktop: SerpTitle, description_mobile: SerpTitle, slug: string, };
export type SeoReport = { lang: Lang, assessments: Array<Assessment>, 
/**
 * 0–100: the mean of the SEO scores over 9.
 */
seo_score: number, 
/**
 * 30 (needs improvement), 60 (ok) or 90 (good), from the readability ratings as yoastseo
 * aggregates them.
 */
readability_score: number, stats: TextStats, 
/**
 * Keyphrase occurrences and density (in % of words).
 */
keyphrase_count: number, keyphrase_density: number, serp: SerpPreview, };
export type FrontMatter = { title: string | null, 
/**
 * The meta description.
 */
description: string | null, slug: string | null, keyphrase: string | null, synonyms: Array<string>, lang: Lang | null, cornerstone: boolean, confidential: boolean, 
/**
 * The id of the document's brief.
 */
brief: string | null, 
/**
 * Keys this version does not know, kept as they were.
 */
extra: Record<string, unknown>, };
export type SeoOverview = { report: SeoReport, front_matter: FrontMatter, site: Array<Finding>, 
/**
 * The site's host for the preview's URL (the first of `[seo] site_hosts`), if set.
 */
host: string | null, };
export type IgnoreScope = "here" | "document";
export type Ignore = { id: string, document_id: DocumentId, code: string, scope: IgnoreScope, 
/**
 * The source text the finding covered.
 */
matched: string, 
/**
 * Up to 40 characters of source text before it, to tell occurrences apart.
 */
context: string, reason: string, author: string, created_at: Timestamp, };
export type WorkspaceInfo = { root: string, name: string, language: string, };
export type AppState = { workspace: WorkspaceInfo | null, 
/**
 * The person the app saves revisions as.
 */
author: string, };
export type OpenDocument = { document: DocumentSummary, head: Revision | null, };
export type IpcError = { code: string, message: string, };
export type RuleLevel = "off" | "suggestion" | "warning" | "error";
export type RuleProblem = { 
/**
 * The style error's code: `style.yaml`, `style.regex`, `style.unknown_kind`, …
 */
code: string, line: number, column: number, message: string, };
export type RuleEntry = { 
/**
 * `Pack.Rule`, the code of its findings and its key in `[style.levels]`.
 */
code: string, pack: string, name: string, 
/**
 * `extends:` (existence, substitution, …; `sequence`/`script` load but do not run).
 */
kind: string, 
/**
 * The level the rule file gives (`level:`, default suggestion).
 */
level: RuleLevel, 
/**
 * The level it runs at after `[style.levels]`: `off` when turned off there.
 */
effective: RuleLevel, 
/**
 * Whether `[style.levels]` overrides the file's level.
 */
overridden: boolean, 
/**
 * Whether it runs at all: its pack is active, it is not off, it is not a
 * `sequence`/`script` rule, and its `when:` fits the house settings.
 */
active: boolean, 
/**
 * `when:` of the rule, e.g. `address=du`.
 */
condition: string | null, 
/**
 * The file, relative to the workspace (`styleguides/Pack/Rule.yml`).
 */
file: string, message: string, 
/**
 * The YAML as it is on disk.
 */
source: string, 
/**
 * Why the file does not load, if it does not (with its line).
 */
problem: RuleProblem | null, 
/**
 * A note about a rule that loads but does not run.
 */
warning: string | null, 
/**
 * Revisions of the file recorded by the rule editor (0: never changed there).
 */
revisions: number, };
export type RulePack = { name: string, 
/**
 * Languages whose documents this pack checks (`[style] packs` / `packs_en`); empty
 * when the pack is not in use.
 */
languages: Array<string>, rules: Array<RuleEntry>, };
export type RuleListing = { packs: Array<RulePack>, 
/**
 * The file that holds the level overrides.
 */
settings_file: string, };
export type RuleTrial = { 
/**
 * Why the YAML does not compile; then there are no findings.
 */
problem: RuleProblem | null, 
/**
 * A rule that compiles but does not run (`sequence`, `script`).
 */
warning: string | null, 
/**
 * Findings of this rule alone in the sample, at the file's own level, whatever
 * `when:` and `[style.levels]` say.
 */
findings: Array<Finding>, };
export type KnowledgeMode = "bm25" | "dense" | "hybrid";
export type KnowledgeSourceState = "ok" | "skipped" | "error" | "new" | "deleted";
export type KnowledgeSource = { 
/**
 * Relative to `knowledge/`, with `/`.
 */
path: string, state: KnowledgeSourceState, 
/**
 * Why it was skipped or failed, or a warning.
 */
message: string | null, chunks: number, 
/**
 * Chunks flagged as containing instructions aimed at a model.
 */
injection_chunks: number, 
/**
 * Milliseconds since the Unix epoch; none for files not ingested yet.
 */
ingested_at: number | null, };
export type KnowledgeStatus = { sources: Array<KnowledgeSource>, 
/**
 * Chunks in the index.
 */
chunks: number, 
/**
 * An ingestion is running.
 */
running: boolean, 
/**
 * The folder watch keeps the index in step with knowledge/.
 */
watching: boolean, 
/**
 * The `product` values of indexed chunks (front matter), for the product filter.
 */
products: Array<string>, };
export type KnowledgeFilters = { 
/**
 * `de`, `en`: only chunks in this language.
 */
lang: string | null, 
/**
 * Only chunks whose front matter names this product.
 */
product: string | null, 
/**
 * ISO date: only chunks valid then (`valid_from` ≤ date ≤ `valid_to`, where set).
 */
valid_at: string | null, };
export type KnowledgeChange = { 
/**
 * Sources (re)indexed by the pass.
 */
ingested: Array<string>, removed: Array<string>, 
/**
 * Files that could not be indexed, with their messages.
 */
problems: Array<KnowledgeSource>, 
/**
 * The pass failed as a whole (index, manifest or embedder).
 */
error: IpcError | null, };
export type KnowledgeHit = { path: string, heading_path: Array<string>, start: number, end: number, text: string, score: number, 
/**
 * Flagged at ingestion: contains instructions aimed at a model.
 */
injection: boolean, highlights: Array<[number, number]>, 
/**
 * The chunk's language (`de`, `en`).
 */
lang: string, 
/**
 * The source's `product` (front matter), if any.
 */
product: string | null, };
export type KnowledgeResults = { 
/**
 * The mode that ran (BM25 when the embedder is missing).
 */
mode: KnowledgeMode, 
/**
 * Why the search fell back to BM25, if it did.
 */
note: string | null, hits: Array<KnowledgeHit>, };
export type IngestProgress = { files_done: number, files_total: number, chunks: number, current: string | null, };
export type IngestSummary = { files: number, ingested: number, unchanged: number, removed: number, problems: Array<KnowledgeSource>, chunks: number, injection_chunks: number, cancelled: boolean, seconds: number, };
export type KnowledgeSourceText = { path: string, format: string, text: string, };
export type Role = "editor" | "reviewer" | "brand_manager" | "admin";
export type Member = { 
/**
 * A short plain handle (`anna`, `ben.k`), used as the actor name in revisions and the audit log.
 */
id: string, name: string, roles: Array<Role>, 
/**
 * Ed25519 public key, 64 hex digits.
 */
public_key: string, added_by: string, added_at: Timestamp, };
export type ReviewState = "draft" | "in_review" | "changes_requested" | "approved" | "published";
export type Verdict = "approve" | "request_changes";
export type Decision = { id: string, document_id: DocumentId, revision_id: RevisionId, content_hash: string, report_hash: string, verdict: Verdict, reviewer: string, 
/**
 * When the reviewer decided (their clock).
 */
decided_at: Timestamp, comment: string, 
/**
 * The reviewer's Ed25519 public key and signature, hex.
 */
public_key: string, signature: string, 
/**
 * `local` (decided in this workspace) or `decision_file` (imported).
 */
via: string, };
export type Waiver = { id: string, document_id: DocumentId, 
/**
 * The revision the reviewer looked at when waiving.
 */
revision_id: RevisionId, code: string, 
/**
 * The source text the finding covered.
 */
matched: string, 
/**
 * Up to 40 characters before it, to tell occurrences apart.
 */
context: string, reason: string, reviewer: string, waived_at: Timestamp, public_key: string, signature: string, revoked_by: string | null, revoked_at: Timestamp | null, };
export type Comment = { id: string, document_id: DocumentId, 
/**
 * The revision the comment was written on, and the byte range in it.
 */
revision_id: RevisionId, start: number, end: number, 
/**
 * The commented text, and up to 32 characters before and after it.
 */
quote: string, prefix: string, suffix: string, body: string, author: string, created_at: Timestamp, 
/**
 * The decision the comment was sent with, if any.
 */
decision_id: string | null, resolved_by: string | null, resolved_at: Timestamp | null, };
export type Publication = { id: string, document_id: DocumentId, revision_id: RevisionId, content_hash: string, 
/**
 * The approving decision.
 */
decision_id: string, publisher: string, published_at: Timestamp, 
/**
 * SHA-256 of the evidence pack file, hex.
 */
evidence_hash: string, };
export type Anchor = { start: number, end: number, };
export type AnchoredComment = { comment: Comment, anchor: Anchor | null, };
export type Author = { member: string, 
/**
 * Numbers of the revisions they saved since the last approval.
 */
revisions: Array<number>, 
/**
 * AI generations (model calls) they started for this document since then.
 */
ai_generations: number, };
export type Blocker = { finding: Finding, 
/**
 * The text the finding covers.
 */
matched: string, waiver: Waiver | null, };
export type Gates = { 
/**
 * Error-level style findings block (`block_style_errors`, default true).
 */
block_style_errors: boolean, 
/**
 * A duplicate finding blocks when the share of this text found in another text is at
 * least this (`duplicate_coverage`, 0..1, default 0.5); error-level duplicates always block.
 */
duplicate_coverage: number, };
export type Voided = { approved: number, head: number, 
/**
 * Who saved the revision after the approved one.
 */
edited_by: string, };
export type Step = "brief" | "draft" | "checks" | "review" | "approved" | "published";
export type Target = { "kind": "front_matter", field: string, } | { "kind": "text", start: number, end: number, } | { "kind": "checks" } | { "kind": "review" };
export type Obstacle = { step: Step, 
/**
 * `brief.missing_field`, `text.missing`, `review.not_submitted`, `finding.blocking`,
 * `approval.missing`, `approval.voided`, `review.changes_requested`.
 */
code: string, message: string, target: Target | null, };
export type MemberKey = { member: Member, key_here: boolean, };
export type IdentityView = { 
/**
 * The member whose key was proved; none before anyone unlocked.
 */
acting: Member | null, members: Array<MemberKey>, };
export type DecisionView = { decision: Decision, revision: number, current: boolean, };
export type ReviewOverview = { document_id: DocumentId, 
/**
 * The state of the newest revision (a draft again once the text changed).
 */
state: ReviewState, head: RevisionMeta | null, 
/**
 * The last approved revision, the base of the reviewer's diff.
 */
last_approved: RevisionMeta | null, 
/**
 * The newest revision has a valid approval (publishing needs exactly that).
 */
approval_valid: boolean, voided: Voided | null, 
/**
 * Everyone who saved a revision or started an AI generation since the last approval.
 */
authors: Array<Author>, 
/**
 * The stored check report of the newest revision (stored when it was submitted).
 */
report: CheckReport | null, 
/**
 * Blocking findings of that report, each with the waiver that lets it stand.
 */
blocking: Array<Blocker>, waivers: Array<Waiver>, decisions: Array<DecisionView>, 
/**
 * Comments with where they sit in the newest revision (none: their text is gone).
 */
comments: Array<AnchoredComment>, 
/**
 * Share (0..1) of the newest revision's words that came from AI revisions.
 */
ai_share: number | null, publications: Array<Publication>, gates: Gates, 
/**
 * What the core says stands before the next step.
 */
obstacles: Array<Obstacle>, };
export type PublishedFiles = { dir: string, markdown: string, html: string, evidence: string, };
export type CorpusImport = { name: string, files: number, 
/**
 * `added + updated`.
 */
imported: number, added: number, updated: number, removed: number, unchanged: number, skipped: Array<CorpusSkip>, 
/**
 * Texts in the duplicates index after the import (all sources).
 */
indexed: number, };
export type CorpusSkip = { path: string, reason: string, };
export type DuplicateSource = { id: string, 
/**
 * `documents`, `corpus` or `knowledge`.
 */
source: string, corpus: string | null, path: string | null, title: string | null, text: string, };
export type KeyState = "none" | "stored" | "missing" | "unavailable";
export type ProviderView = { name: string, preset: string, model: string, 
/**
 * As written in the file (absent: the preset's default, see `endpoint`).
 */
base_url: string | null, 
/**
 * Where calls go: the base URL, or the GGUF file of an embedded model.
 */
endpoint: string, 
/**
 * The key's name in the OS keychain.
 */
key: string | null, key_state: KeyState, 
/**
 * `local` or `cloud`, as the confidentiality gate sees it.
 */
locality: string, 
/**
 * `locality` as written in the file, if it overrides the automatic one.
 */
locality_set: string | null, tier: string, path: string | null, api_version: string | null, };
export type PresetInfo = { preset: string, base_url: string | null, 
/**
 * A hosted service: always cloud, needs a key.
 */
cloud: boolean, embedded: boolean, suggested_key: string | null, };
export type PolicyRow = { task: string, confidential: boolean, 
/**
 * The models that may answer, in order (after the confidentiality gate).
 */
chain: Array<string>, 
/**
 * Models of the route that the gate refuses for this row.
 */
refused: Array<string>, 
/**
 * Which rule chose the chain (route n, default, or why nothing may answer).
 */
rule: string, };
export type RouteView = { task: string | null, confidential: boolean | null, pii: boolean | null, max_tier: string | null, chain: Array<string>, };
export type ModelSettings = { providers: Array<ProviderView>, default_chain: Array<string>, routes: Array<RouteView>, policy: Array<PolicyRow>, 
/**
 * `mask`, `local` or `allow`.
 */
pii: string, budget_monthly: number | null, budget_per_document: number | null, currency: string, presets: Array<PresetInfo>, 
/**
 * Why the keychain cannot be used, if it cannot.
 */
keychain_problem: string | null, settings_file: string, };
export type ProviderInput = { name: string, preset: string, model: string, base_url: string | null, key: string | null, 
/**
 * `local`, `cloud` or absent (automatic).
 */
locality: string | null, tier: string | null, path: string | null, api_version: string | null, };
export type ConnectionTest = { name: string, ok: boolean, locality: string, 
/**
 * The answer (a few tokens), or empty.
 */
text: string, latency_ms: number, message: string | null, };
export type ModelCost = { preset: string, model: string, locality: string, calls: number, cached_calls: number, input_tokens: number, output_tokens: number, 
/**
 * Millionths of the currency unit.
 */
cost_micros: number, currency: string, };
export type DocumentCost = { document: string, calls: number, cost_micros: number, currency: string, };
export type MonthCosts = { 
/**
 * `YYYY-MM`.
 */
month: string, total_micros: number, cloud_micros: number, by_model: Array<ModelCost>, };
export type DocumentCosts = { document: string, 
/**
 * The document's title (its id when it is gone).
 */
title: string, cost: DocumentCost, };
export type CostsOverview = { 
/**
 * Newest first; months without calls are left out.
 */
months: Array<MonthCosts>, documents: Array<DocumentCosts>, current_month: string, current_cloud_micros: number, budget_monthly: number | null, budget_per_document: number | null, currency: string, price_table: string, };
export type RewriteAction = "shorter" | "simpler" | "formal" | "du_to_sie" | "sie_to_du" | "to_english" | "to_german";
export type Rewrite = { action: RewriteAction, text: string, 
/**
 * The model's name in `[models.providers]`, its preset and `local`/`cloud`.
 */
model: string, preset: string, locality: string, confidential: boolean, cost_micros: number, currency: string, cached: boolean, latency_ms: number, template: string, template_version: string, 
/**
 * Why this model answered (route, refusals, fallbacks).
 */
decisions: Array<string>, };
export type RewriteProgress = { "kind": "delta", text: string, } | { "kind": "discard", model: string, reason: string, };
export type AcceptedRewrite = { action: RewriteAction, model: string, template: string, template_version: string, };
export type SearchIntent = "informational" | "commercial" | "transactional" | "navigational";
export type AddressForm = "sie" | "du";
export type Brief = { 
/**
 * Id of the brief template it was made from (`blogartikel`, `faq`, …).
 */
template: string, 
/**
 * Language of the text to write.
 */
lang: Lang, 
/**
 * Working title; the draft's title when the model offers none.
 */
title: string | null, goal: string, audience: string, search_intent: SearchIntent, keyphrase: string, synonyms: Array<string>, entities: Array<string>, 
/**
 * Knowledge base documents, relative to the workspace (`knowledge/faq.md`).
 */
required_sources: Array<string>, tone: string, 
/**
 * `sie` or `du`; for English it sets the register (formal / casual).
 */
address_form: AddressForm, 
/**
 * Target length of the body in words.
 */
length_words: number, call_to_action: string, 
/**
 * ISO date (`2026-12-01`).
 */
deadline: string | null, 
/**
 * Confidential briefs are only ever sent to local models (the router's gate).
 */
confidential: boolean, 
/**
 * Template-specific fields, as given.
 */
extra: Record<string, unknown>, };
export type BriefProblem = { 
/**
 * The field key, e.g. `keyphrase`.
 */
field: string, 
/**
 * `missing`, `invalid` or `unknown_option`.
 */
kind: string, 
/**
 * English sentence naming the field and what to do.
 */
message: string, };
export type TemplateField = { key: string, label: string, 
/**
 * text | textarea | list | enum | number | date | bool
 */
kind: string, required: boolean, options: Array<string>, default: unknown, help: string | null, };
export type BriefTemplate = { id: string, version: number, lang: Lang, name: string, description: string, fields: Array<TemplateField>, };
export type SourceSpan = { path: string, start: number, end: number, 
/**
 * Headings above the chunk, outermost first (for display).
 */
heading_path: Array<string>, };
export type Citation = { 
/**
 * The number as the model wrote it (1-based index into the retrieved chunks).
 */
number: number, 
/**
 * Byte range of the marker in the text (several citations share it for `[1,2]`).
 */
start: number, end: number, source: SourceSpan, };
export type CitationProblemKind = "out_of_range" | "repaired" | "attributed";
export type CitationProblem = { kind: CitationProblemKind, 
/**
 * Byte range of the marker in the text.
 */
start: number, end: number, 
/**
 * The marker as written.
 */
marker: string, message: string, };
export type UncitedClaim = { 
/**
 * Byte range of the sentence in the text.
 */
start: number, end: number, sentence: string, };
export type Passage = { source: SourceSpan, text: string, 
/**
 * Flagged at ingestion as containing instructions aimed at a model.
 */
injection: boolean, };
export type OutlineSection = { heading: string, 
/**
 * Key points the section should make.
 */
points: Array<string>, 
/**
 * Target length of the section in words.
 */
words: number, };
export type Outline = { 
/**
 * The draft's title (H1).
 */
title: string, sections: Array<OutlineSection>, 
/**
 * How many sections came from the model's answer; the rest were filled in from the
 * brief because the answer had too few usable headings.
 */
from_model: number, };
export type SectionDraft = { heading: string, 
/**
 * The section body as cleaned up from the model's answer (markers as written).
 */
text: string, 
/**
 * The numbered chunks the model was given.
 */
sources: Array<Passage>, 
/**
 * Offsets in `text`.
 */
citations: Array<Citation>, problems: Array<CitationProblem>, uncited: Array<UncitedClaim>, 
/**
 * The model that wrote it (name in `[models.providers]`).
 */
model: string, 
/**
 * True when the answer hit the token limit.
 */
cut: boolean, };
export type DraftEvent = { "kind": "outline_token", text: string, } | { "kind": "outline", outline: Outline, } | { "kind": "section_started", index: number, heading: string, sources: Array<Passage>, } | { "kind": "token", index: number, text: string, } | { "kind": "discard", index: number, model: string, } | { "kind": "citation", index: number, citation: Citation, } | { "kind": "section_done", index: number, section: SectionDraft, };
export type BriefEntry = { 
/**
 * `briefs/NAME.toml`, the id a draft's front matter names.
 */
path: string, title: string, template: string, lang: string, 
/**
 * Revisions of the file in the store (0 when it was put there by hand).
 */
revisions: number, };
export type BriefOpened = { path: string, brief: Brief, 
/**
 * The template the brief was made from, when the workspace still has it.
 */
template: BriefTemplate | null, problems: Array<BriefProblem>, revisions: number, };
export type BriefSaved = { path: string, brief: Brief, 
/**
 * Required fields that are still empty, by field key: the brief is saved anyway, but
 * no outline is written from it until they are filled in.
 */
problems: Array<BriefProblem>, outcome: SaveOutcome, };
export type DraftProgress = { run: number, event: DraftEvent, };
export type DraftSaved = { 
/**
 * The `ai` revision now at the document's head.
 */
outcome: SaveOutcome, 
/**
 * Its text: front matter, sections, reference definitions.
 */
content: string, 
/**
 * How many `[n]` markers resolve to a source span.
 */
citations: number, 
/**
 * Markers a small model got wrong: repaired, or dropped when they named no source.
 */
problems: number, uncited: Array<UncitedClaim>, 
/**
 * Required sources of the brief no citation names.
 */
missing_required: Array<string>, 
/**
 * Prompt templates used, as `id@version`.
 */
templates: Array<string>, };
export type ProvenanceSpan = { 
/**
 * Byte offsets in the revision's content.
 */
start: number, end: number, 
/**
 * `ai` or `human`.
 */
origin: Origin, 
/**
 * The revision that wrote these bytes.
 */
revision: RevisionId, };
export type Provenance = { revision: RevisionId, spans: Array<ProvenanceSpan>, ai_bytes: number, total_bytes: number, 
/**
 * `ai_bytes / total_bytes` (0 for an empty text).
 */
ai_share: number, };
export type HeadProvenance = { provenance: Provenance, content: string, };
