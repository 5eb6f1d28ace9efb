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
