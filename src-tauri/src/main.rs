//! The desktop shell. Each command deserialises its arguments, calls one core function
//! and maps the error to `{code, message}`; the logic lives in imprimatur-workspace.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use imprimatur_workspace::checks::CheckReport;
use imprimatur_workspace::draft::{
    self, BriefEntry, BriefOpened, BriefSaved, BriefTemplate, DraftContext, DraftFault, DraftSaved,
    Drafting, HeadProvenance, Outline, UncitedClaim,
};
use imprimatur_workspace::facts::{FactsReport, FactsState};
use imprimatur_workspace::ipc::DuplicateSource;
use imprimatur_workspace::ipc::{AppState, IpcError, OpenDocument, SeoOverview, WorkspaceInfo};
use imprimatur_workspace::ipc::{
    IngestSummary, KnowledgeFilters, KnowledgeMode, KnowledgeResults, KnowledgeSourceText,
    KnowledgeStatus,
};
use imprimatur_workspace::knowledge::{self, Knowledge, KnowledgeNotice};
use imprimatur_workspace::models::{
    ConnectionTest, CostsOverview, Keychain, ModelSettings, Models, ProviderInput, ProviderView,
    Secret,
};
use imprimatur_workspace::recent;
use imprimatur_workspace::review::{
    self, IdentityView, Keychain as SigningKeychain, MemberRole as Role, ProvedActor as Actor,
    PublishedFiles, ReviewOverview, WorkspaceMember as Member,
};
use imprimatur_workspace::rewrite::{AcceptedRewrite, Rewrite, RewriteAction};
use imprimatur_workspace::rules::{RuleEntry, RuleLevel, RuleListing, RuleTrial};
use imprimatur_workspace::store::Verdict;
use imprimatur_workspace::store::{
    DocumentId, DocumentSummary, Ignore, IgnoreScope, NewIgnore, NewRevision, Origin, Revision,
    RevisionId, RevisionMeta, SaveOutcome, Timestamp, WordDiff,
};
use imprimatur_workspace::Workspace;
use tauri::{Emitter, Manager, State};

/// The open workspace and who is acting. One workspace per window for now.
struct Session {
    workspace: Mutex<Option<Workspace>>,
    /// The open workspace's folder, apart from the workspace itself: a live check holds
    /// the workspace for seconds (facts, same-topic embeddings), and the knowledge panel,
    /// drafting and model commands need only the folder, so they must not wait for it.
    root: Mutex<Option<PathBuf>>,
    /// The name revisions and audit entries are recorded under: the proved member once
    /// someone unlocked their key, else the OS user.
    author: ActingName,
    /// The member who proved their key (signs decisions, waivers, bundles, packs).
    actor: Mutex<Option<Actor>>,
    /// Where members' private signing keys live: the OS keychain.
    keys: SigningKeychain,
    config_dir: PathBuf,
    data_dir: PathBuf,
    /// The knowledge panel's embedder (loaded on first use) and open index.
    knowledge: Knowledge,
    /// Embedded models (loaded on first use), the OS keychain, the running model call.
    models: Models,
    /// The running outline or draft generation and its cancel switch.
    drafting: Drafting,
    /// Fact-check verdicts per sentence, so a re-check only looks at edited sentences.
    facts: FactsState,
}

/// The acting person's name: the OS user until someone unlocks their key, then that
/// member. Commands read it (`s.author.get()`) each time they record who did something,
/// so they follow an identity switch.
struct ActingName {
    os_user: String,
    current: Mutex<String>,
}

impl ActingName {
    fn new(os_user: String) -> ActingName {
        ActingName {
            current: Mutex::new(os_user.clone()),
            os_user,
        }
    }

    fn get(&self) -> String {
        self.current
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn set(&self, name: &str) {
        *self.current.lock().unwrap_or_else(|p| p.into_inner()) = name.to_string();
    }

    fn reset(&self) {
        self.set(&self.os_user.clone());
    }
}

/// Commands that touch the workspace run on Tauri's thread pool (`async`), so a long
/// check or a large save never blocks the window's main thread.
type Reply<T> = Result<T, IpcError>;

fn no_workspace() -> IpcError {
    IpcError {
        code: "app.no_workspace".into(),
        message: "No workspace is open; open or create one first.".into(),
    }
}

/// Runs `f` on the open workspace, mapping its error for the IPC boundary.
fn with_ws<T>(
    s: &Session,
    f: impl FnOnce(&mut Workspace) -> imprimatur_workspace::WorkspaceResult<T>,
) -> Reply<T> {
    let mut guard = s.workspace.lock().unwrap_or_else(|p| p.into_inner());
    let ws = guard.as_mut().ok_or_else(no_workspace)?;
    f(ws).map_err(IpcError::from)
}

/// Makes `ws` the open workspace and remembers it for the next start.
fn install(s: &Session, ws: Workspace) -> Reply<WorkspaceInfo> {
    let info = ws.info();
    recent::remember(&s.config_dir, ws.root())?;
    // Another workspace has other members: whoever was unlocked must prove it there.
    *s.actor.lock().unwrap_or_else(|p| p.into_inner()) = None;
    s.author.reset();
    // The knowledge watch follows the open workspace only (it starts for one that was
    // ingested before).
    s.knowledge.stop_watch();
    let root = ws.root().to_path_buf();
    *s.workspace.lock().unwrap_or_else(|p| p.into_inner()) = Some(ws);
    *s.root.lock().unwrap_or_else(|p| p.into_inner()) = Some(root.clone());
    if let Err(e) = s.knowledge.watch(&root) {
        eprintln!("imprimatur: knowledge watch: {e}");
    }
    Ok(info)
}

#[tauri::command(rename_all = "snake_case")]
fn app_state(s: State<'_, Session>) -> AppState {
    let guard = s.workspace.lock().unwrap_or_else(|p| p.into_inner());
    AppState {
        workspace: guard.as_ref().map(Workspace::info),
        author: s.author.get(),
    }
}

#[tauri::command(rename_all = "snake_case", async)]
fn workspace_open(s: State<'_, Session>, path: PathBuf) -> Reply<WorkspaceInfo> {
    install(&s, Workspace::open(&path)?)
}

#[tauri::command(rename_all = "snake_case", async)]
fn workspace_create(s: State<'_, Session>, path: PathBuf) -> Reply<WorkspaceInfo> {
    install(
        &s,
        Workspace::init(&path, &s.author.get(), Timestamp::now())?,
    )
}

#[tauri::command(rename_all = "snake_case", async)]
fn workspace_open_demo(s: State<'_, Session>) -> Reply<WorkspaceInfo> {
    install(
        &s,
        recent::open_or_create_demo(&s.data_dir, &s.author.get(), Timestamp::now())?,
    )
}

#[tauri::command(rename_all = "snake_case", async)]
fn doc_list(s: State<'_, Session>) -> Reply<Vec<DocumentSummary>> {
    with_ws(&s, |ws| Ok(ws.store().documents()?))
}

#[tauri::command(rename_all = "snake_case", async)]
fn doc_create(s: State<'_, Session>, title: String) -> Reply<DocumentSummary> {
    with_ws(&s, |ws| {
        Ok(ws
            .store_mut()
            .create_document(&title, &s.author.get(), Timestamp::now())?)
    })
}

#[tauri::command(rename_all = "snake_case", async)]
fn doc_open(s: State<'_, Session>, id: DocumentId) -> Reply<OpenDocument> {
    with_ws(&s, |ws| ws.open_document(&id))
}

#[tauri::command(rename_all = "snake_case", async)]
fn doc_save(
    s: State<'_, Session>,
    id: DocumentId,
    content: String,
    message: Option<String>,
) -> Reply<SaveOutcome> {
    with_ws(&s, |ws| {
        let new = NewRevision {
            content: &content,
            author: &s.author.get(),
            origin: Origin::Human,
            message: message.as_deref().filter(|m| !m.trim().is_empty()),
        };
        Ok(ws.store_mut().save(&id, new, Timestamp::now())?)
    })
}

#[tauri::command(rename_all = "snake_case", async)]
fn doc_history(s: State<'_, Session>, id: DocumentId) -> Reply<Vec<RevisionMeta>> {
    with_ws(&s, |ws| Ok(ws.store().history(&id)?))
}

#[tauri::command(rename_all = "snake_case", async)]
fn revision_read(s: State<'_, Session>, id: DocumentId, rev: RevisionId) -> Reply<Revision> {
    with_ws(&s, |ws| Ok(ws.store().revision_of(&id, &rev)?))
}

#[tauri::command(rename_all = "snake_case", async)]
fn doc_restore(s: State<'_, Session>, id: DocumentId, rev: RevisionId) -> Reply<SaveOutcome> {
    with_ws(&s, |ws| {
        Ok(ws
            .store_mut()
            .restore(&id, &rev, &s.author.get(), Timestamp::now())?)
    })
}

#[tauri::command(rename_all = "snake_case", async)]
fn doc_diff(
    s: State<'_, Session>,
    id: DocumentId,
    from: RevisionId,
    to: RevisionId,
) -> Reply<WordDiff> {
    with_ws(&s, |ws| Ok(ws.store().diff_of(&id, &from, &to)?))
}

/// Checks the editor's current text (not yet saved) with every check the workspace has;
/// with a document id, the findings ignored in that document are left out.
#[tauri::command(rename_all = "snake_case", async)]
fn doc_check(s: State<'_, Session>, content: String, id: Option<DocumentId>) -> Reply<CheckReport> {
    with_ws(&s, |ws| {
        ws.check_with_facts(id.as_ref(), &content, &s.knowledge, &s.facts)
    })
}

/// The facts panel: each claim of the editor's text with its verdict, both values and
/// the evidence span (verdicts of unchanged sentences come from the cache).
#[tauri::command(rename_all = "snake_case", async)]
fn facts_check(s: State<'_, Session>, content: String) -> Reply<FactsReport> {
    with_ws(&s, |ws| {
        Ok(ws.check_facts(&content, &s.knowledge, &s.facts, None))
    })
}

/// The SEO panel's data for the editor's current text: every assessment, the SERP preview,
/// the front matter and the workspace-wide findings (without those ignored in document `id`).
#[tauri::command(rename_all = "snake_case", async)]
fn doc_seo(s: State<'_, Session>, content: String, id: Option<DocumentId>) -> Reply<SeoOverview> {
    with_ws(&s, |ws| ws.seo_overview(&content, id.as_ref()))
}

#[tauri::command(rename_all = "snake_case", async)]
fn finding_ignore(
    s: State<'_, Session>,
    id: DocumentId,
    code: String,
    scope: IgnoreScope,
    matched: String,
    context: String,
    reason: String,
) -> Reply<Ignore> {
    with_ws(&s, |ws| {
        let new = NewIgnore {
            code: &code,
            scope,
            matched: &matched,
            context: &context,
            reason: &reason,
            author: &s.author.get(),
        };
        Ok(ws.store_mut().ignore_finding(&id, new, Timestamp::now())?)
    })
}

#[tauri::command(rename_all = "snake_case", async)]
fn finding_unignore(s: State<'_, Session>, id: DocumentId, ignore: String) -> Reply<()> {
    with_ws(&s, |ws| {
        Ok(ws
            .store_mut()
            .unignore_finding(&id, &ignore, &s.author.get(), Timestamp::now())?)
    })
}

#[tauri::command(rename_all = "snake_case", async)]
fn doc_ignores(s: State<'_, Session>, id: DocumentId) -> Reply<Vec<Ignore>> {
    with_ws(&s, |ws| Ok(ws.store().ignores(&id)?))
}

/// The rule editor: every pack and rule of the workspace, with levels and YAML.
#[tauri::command(rename_all = "snake_case", async)]
fn rule_list(s: State<'_, Session>) -> Reply<RuleListing> {
    with_ws(&s, |ws| ws.rules())
}

/// Sets a rule's level in `[style.levels]` (`off` turns it off); audited.
#[tauri::command(rename_all = "snake_case", async)]
fn rule_set_level(s: State<'_, Session>, code: String, level: RuleLevel) -> Reply<RuleEntry> {
    with_ws(&s, |ws| {
        ws.set_rule_level(&code, level, &s.author.get(), Timestamp::now())
    })
}

/// Saves a rule's YAML if it compiles (else an error naming the line); audited.
#[tauri::command(rename_all = "snake_case", async)]
fn rule_save(
    s: State<'_, Session>,
    pack: String,
    name: String,
    source: String,
) -> Reply<RuleEntry> {
    with_ws(&s, |ws| {
        ws.save_rule(&pack, &name, &source, &s.author.get(), Timestamp::now())
    })
}

/// Runs a rule's (unsaved) YAML on sample text: its problem or its findings.
#[tauri::command(rename_all = "snake_case", async)]
fn rule_try(
    s: State<'_, Session>,
    pack: String,
    name: String,
    source: String,
    sample: String,
) -> Reply<RuleTrial> {
    with_ws(&s, |ws| Ok(ws.try_rule(&pack, &name, &source, &sample)))
}

/// The root of the open workspace; the workspace lock is not held during long
/// knowledge work.
fn ws_root(s: &Session) -> Reply<PathBuf> {
    let guard = s.root.lock().unwrap_or_else(|p| p.into_inner());
    guard.clone().ok_or_else(no_workspace)
}

/// The knowledge panel: every file of knowledge/ with its ingestion state.
#[tauri::command(rename_all = "snake_case", async)]
fn kb_status(s: State<'_, Session>) -> Reply<KnowledgeStatus> {
    Ok(s.knowledge.status(&ws_root(&s)?)?)
}

/// Searches the knowledge base (hybrid; BM25 with a note when the model is missing).
#[tauri::command(rename_all = "snake_case", async)]
fn kb_search(
    s: State<'_, Session>,
    query: String,
    mode: Option<KnowledgeMode>,
    filters: Option<KnowledgeFilters>,
    limit: Option<usize>,
) -> Reply<KnowledgeResults> {
    let mode = mode.unwrap_or_default().into();
    Ok(s.knowledge.search(
        &ws_root(&s)?,
        &query,
        mode,
        &filters.unwrap_or_default(),
        limit.unwrap_or(10),
    )?)
}

/// Ingests knowledge/, emitting `knowledge-progress` events; cancelled by `kb_cancel`.
#[tauri::command(rename_all = "snake_case", async)]
fn kb_ingest(app: tauri::AppHandle, s: State<'_, Session>) -> Reply<IngestSummary> {
    let root = ws_root(&s)?;
    Ok(s.knowledge
        .ingest(&root, std::time::SystemTime::now(), &mut |p| {
            let _ = app.emit("knowledge-progress", p);
        })?)
}

#[tauri::command(rename_all = "snake_case")]
fn kb_cancel(s: State<'_, Session>) {
    s.knowledge.cancel();
}

/// A source's extracted text, into which hit offsets point.
#[tauri::command(rename_all = "snake_case", async)]
fn kb_source(s: State<'_, Session>, path: String) -> Reply<KnowledgeSourceText> {
    Ok(knowledge::source_text(&ws_root(&s)?, &path)?)
}

/// A text of the duplicates index (a document, corpus or knowledge text), for the
/// side-by-side view of a `dup.*` finding; `None` when it left the index meanwhile.
#[tauri::command(rename_all = "snake_case", async)]
fn dup_source(s: State<'_, Session>, id: String) -> Reply<Option<DuplicateSource>> {
    with_ws(&s, |ws| ws.duplicate_source(&id))
}

/// The model settings screen: providers, key states, default chain, routing policy.
#[tauri::command(rename_all = "snake_case", async)]
fn model_settings(s: State<'_, Session>) -> Reply<ModelSettings> {
    with_ws(&s, |ws| Ok(ws.model_settings(s.models.keychain())))
}

/// Adds or replaces `[models.providers.NAME]` in imprimatur.toml (audited).
#[tauri::command(rename_all = "snake_case", async)]
fn model_provider_save(s: State<'_, Session>, provider: ProviderInput) -> Reply<ProviderView> {
    with_ws(&s, |ws| {
        ws.save_provider(&provider, &s.author.get(), Timestamp::now())
    })
}

/// Removes a provider, and its name from the default chain and the routes (audited).
#[tauri::command(rename_all = "snake_case", async)]
fn model_provider_remove(s: State<'_, Session>, name: String) -> Reply<()> {
    with_ws(&s, |ws| {
        ws.remove_provider(&name, &s.author.get(), Timestamp::now())
    })
}

/// Sets `[models] default`, the chain used when no route matches (audited).
#[tauri::command(rename_all = "snake_case", async)]
fn model_default_set(s: State<'_, Session>, chain: Vec<String>) -> Reply<()> {
    with_ws(&s, |ws| {
        ws.set_default_chain(&chain, &s.author.get(), Timestamp::now())
    })
}

/// Stores an API key in the OS keychain; it is never sent back.
#[tauri::command(rename_all = "snake_case", async)]
fn model_key_set(s: State<'_, Session>, name: String, key: String) -> Reply<()> {
    let secret = Secret::new(key);
    with_ws(&s, |ws| {
        ws.store_key(
            s.models.keychain(),
            &name,
            &secret,
            &s.author.get(),
            Timestamp::now(),
        )
    })
}

/// Removes an API key from the OS keychain; false when there was none.
#[tauri::command(rename_all = "snake_case", async)]
fn model_key_delete(s: State<'_, Session>, name: String) -> Reply<bool> {
    with_ws(&s, |ws| {
        ws.delete_key(
            s.models.keychain(),
            &name,
            &s.author.get(),
            Timestamp::now(),
        )
    })
}

/// Sends a short prompt to one model and reports what came back.
#[tauri::command(rename_all = "snake_case", async)]
fn model_test(s: State<'_, Session>, name: String) -> Reply<ConnectionTest> {
    Ok(s.models
        .test_connection(&ws_root(&s)?, &name, &s.author.get(), Timestamp::now())?)
}

/// Rewrites a selection through the router, streaming `rewrite-progress` events.
#[tauri::command(rename_all = "snake_case", async)]
fn rewrite_run(
    app: tauri::AppHandle,
    s: State<'_, Session>,
    id: DocumentId,
    content: String,
    selection: String,
    action: RewriteAction,
) -> Reply<Rewrite> {
    let root = ws_root(&s)?;
    Ok(s.models.rewrite(
        &root,
        &id,
        &content,
        &selection,
        action,
        &s.author.get(),
        Timestamp::now(),
        &mut |p| {
            let _ = app.emit("rewrite-progress", p);
        },
    )?)
}

/// Stops the running rewrite; its partial text is discarded.
#[tauri::command(rename_all = "snake_case")]
fn rewrite_cancel(s: State<'_, Session>) {
    s.models.cancel();
}

/// Saves the text after an accepted rewrite as a revision with origin `ai`.
#[tauri::command(rename_all = "snake_case", async)]
fn rewrite_accept(
    s: State<'_, Session>,
    id: DocumentId,
    content: String,
    rewrite: AcceptedRewrite,
) -> Reply<SaveOutcome> {
    with_ws(&s, |ws| {
        ws.save_rewrite(&id, &content, &rewrite, &s.author.get(), Timestamp::now())
    })
}

/// Model costs per month and provider, per document, and the budget.
#[tauri::command(rename_all = "snake_case", async)]
fn costs_overview(s: State<'_, Session>) -> Reply<CostsOverview> {
    with_ws(&s, |ws| ws.costs_overview(Timestamp::now()))
}

// Review workflow (issue 10) ------------------------------------------------------

/// The proven actor, or an error saying how to become one.
fn acting(guard: &Option<Actor>) -> Reply<&Actor> {
    guard.as_ref().ok_or_else(|| IpcError {
        code: "review.no_identity".into(),
        message: "Nobody is unlocked: choose who you are in the top bar (\"Acting as\") and unlock with your key from this computer's keychain.".into(),
    })
}

/// Runs `f` with the open workspace and the proven actor.
fn with_actor<T>(
    s: &Session,
    f: impl FnOnce(&mut Workspace, &Actor) -> imprimatur_workspace::WorkspaceResult<T>,
) -> Reply<T> {
    let actor = s.actor.lock().unwrap_or_else(|p| p.into_inner());
    let actor = acting(&actor)?;
    with_ws(s, |ws| f(ws, actor))
}

#[tauri::command(rename_all = "snake_case", async)]
fn identity_state(s: State<'_, Session>) -> Reply<IdentityView> {
    let actor = s.actor.lock().unwrap_or_else(|p| p.into_inner());
    with_ws(&s, |ws| ws.identity(actor.as_ref(), &s.keys))
}

/// Signs a challenge with `member`'s key from the keychain; from then on the app acts
/// (and saves revisions) as them.
#[tauri::command(rename_all = "snake_case", async)]
fn identity_unlock(s: State<'_, Session>, member: String) -> Reply<IdentityView> {
    let proved = with_ws(&s, |ws| ws.unlock(&member, &s.keys, Timestamp::now()))?;
    let mut actor = s.actor.lock().unwrap_or_else(|p| p.into_inner());
    s.author.set(proved.id());
    *actor = Some(proved);
    with_ws(&s, |ws| ws.identity(actor.as_ref(), &s.keys))
}

#[tauri::command(rename_all = "snake_case", async)]
fn member_add(
    s: State<'_, Session>,
    id: String,
    name: String,
    roles: Vec<Role>,
    public_key: Option<String>,
) -> Reply<Member> {
    let actor = s.actor.lock().unwrap_or_else(|p| p.into_inner());
    with_ws(&s, |ws| {
        ws.add_member(
            actor.as_ref(),
            &id,
            &name,
            &roles,
            public_key.as_deref(),
            &s.keys,
            Timestamp::now(),
        )
    })
}

#[tauri::command(rename_all = "snake_case", async)]
fn member_set_roles(s: State<'_, Session>, id: String, roles: Vec<Role>) -> Reply<Member> {
    with_actor(&s, |ws, a| {
        ws.set_member_roles(a, &id, &roles, Timestamp::now())
    })
}

#[tauri::command(rename_all = "snake_case", async)]
fn review_status(s: State<'_, Session>, id: DocumentId) -> Reply<ReviewOverview> {
    with_ws(&s, |ws| ws.review_overview(&id))
}

#[tauri::command(rename_all = "snake_case", async)]
fn review_submit(s: State<'_, Session>, id: DocumentId) -> Reply<ReviewOverview> {
    with_actor(&s, |ws, a| ws.review_submit(a, &id, Timestamp::now()))
}

#[tauri::command(rename_all = "snake_case", async)]
fn review_decide(
    s: State<'_, Session>,
    id: DocumentId,
    verdict: Verdict,
    comment: String,
) -> Reply<ReviewOverview> {
    with_actor(&s, |ws, a| {
        ws.review_decide(a, &id, verdict, &comment, Timestamp::now())
    })
}

#[tauri::command(rename_all = "snake_case", async)]
fn review_waive(
    s: State<'_, Session>,
    id: DocumentId,
    code: String,
    start: u32,
    reason: String,
) -> Reply<ReviewOverview> {
    with_actor(&s, |ws, a| {
        ws.review_waive(a, &id, &code, start, &reason, Timestamp::now())
    })
}

#[tauri::command(rename_all = "snake_case", async)]
fn review_comment(
    s: State<'_, Session>,
    id: DocumentId,
    start: u32,
    end: u32,
    body: String,
) -> Reply<ReviewOverview> {
    with_actor(&s, |ws, a| {
        ws.review_comment(a, &id, start, end, &body, Timestamp::now())
    })
}

/// Publishes the approved newest revision into folder `out` (relative: in the workspace).
#[tauri::command(rename_all = "snake_case", async)]
fn review_publish(s: State<'_, Session>, id: DocumentId, out: String) -> Reply<PublishedFiles> {
    with_actor(&s, |ws, a| {
        let dir = review::user_path(ws.root(), &out);
        ws.review_publish(a, &id, &dir, Timestamp::now())
    })
}

#[tauri::command(rename_all = "snake_case", async)]
fn review_export_bundle(s: State<'_, Session>, id: DocumentId, path: String) -> Reply<String> {
    with_actor(&s, |ws, a| {
        let file = review::user_path(ws.root(), &path);
        ws.review_export_bundle(a, &id, &file, Timestamp::now())
            .map(|p| p.display().to_string())
    })
}

/// The reviewer's side of a bundle: decide on it and write the signed decision file.
#[tauri::command(rename_all = "snake_case", async)]
fn review_decide_bundle(
    s: State<'_, Session>,
    bundle: String,
    verdict: Verdict,
    comment: String,
    out: String,
) -> Reply<String> {
    with_actor(&s, |ws, a| {
        let (bundle, out) = (
            review::user_path(ws.root(), &bundle),
            review::user_path(ws.root(), &out),
        );
        ws.review_decide_bundle(a, &bundle, verdict, &comment, &out, Timestamp::now())
            .map(|p| p.display().to_string())
    })
}

#[tauri::command(rename_all = "snake_case", async)]
fn review_import_decision(s: State<'_, Session>, path: String) -> Reply<ReviewOverview> {
    with_ws(&s, |ws| {
        let file = review::user_path(ws.root(), &path);
        ws.review_import_decision(&file, Timestamp::now())
    })
}

/// Brief templates: the workspace's `templates/briefs/`, then the bundled ones.
#[tauri::command(rename_all = "snake_case", async)]
fn brief_templates(s: State<'_, Session>) -> Reply<Vec<BriefTemplate>> {
    Ok(draft::brief_templates(&ws_root(&s)?)?)
}

/// The briefs of the workspace (`briefs/*.toml`).
#[tauri::command(rename_all = "snake_case", async)]
fn brief_list(s: State<'_, Session>) -> Reply<Vec<BriefEntry>> {
    with_draft(&s, |ws| ws.briefs())
}

/// A brief with its template's form and its missing fields.
#[tauri::command(rename_all = "snake_case", async)]
fn brief_open(s: State<'_, Session>, path: String) -> Reply<BriefOpened> {
    with_draft(&s, |ws| ws.open_brief(&path))
}

/// Saves a brief's field values as a revision of `briefs/NAME.toml` (audited).
#[tauri::command(rename_all = "snake_case", async)]
fn brief_save(
    s: State<'_, Session>,
    path: Option<String>,
    values: BTreeMap<String, serde_json::Value>,
) -> Reply<BriefSaved> {
    with_draft(&s, |ws| {
        ws.save_brief(path.as_deref(), values, &s.author.get(), Timestamp::now())
    })
}

fn draft_context<'a>(
    s: &'a Session,
    root: &'a std::path::Path,
    author: &'a str,
) -> DraftContext<'a> {
    DraftContext {
        root,
        models: &s.models,
        knowledge: &s.knowledge,
        author,
        now: Timestamp::now(),
        model: None,
    }
}

/// Writes the outline of a brief, streaming `draft-event` events.
#[tauri::command(rename_all = "snake_case", async)]
fn draft_outline(app: tauri::AppHandle, s: State<'_, Session>, brief: String) -> Reply<Outline> {
    let root = ws_root(&s)?;
    let author = s.author.get();
    Ok(s.drafting
        .outline(&draft_context(&s, &root, &author), &brief, &mut |p| {
            let _ = app.emit("draft-event", p);
        })?)
}

/// Writes every section of `outline` into document `id` and saves it as an `ai` revision.
#[tauri::command(rename_all = "snake_case", async)]
fn draft_write(
    app: tauri::AppHandle,
    s: State<'_, Session>,
    id: DocumentId,
    brief: String,
    outline: Outline,
) -> Reply<DraftSaved> {
    let root = ws_root(&s)?;
    let author = s.author.get();
    Ok(s.drafting.write(
        &draft_context(&s, &root, &author),
        &brief,
        &outline,
        &id,
        &mut |p| {
            let _ = app.emit("draft-event", p);
        },
    )?)
}

/// Writes section `index` again in place (an `ai` revision).
#[tauri::command(rename_all = "snake_case", async)]
fn draft_section(
    app: tauri::AppHandle,
    s: State<'_, Session>,
    id: DocumentId,
    outline: Outline,
    index: usize,
) -> Reply<DraftSaved> {
    let root = ws_root(&s)?;
    let author = s.author.get();
    Ok(s.drafting.regenerate(
        &draft_context(&s, &root, &author),
        &id,
        &outline,
        index,
        &mut |p| {
            let _ = app.emit("draft-event", p);
        },
    )?)
}

/// Stops the running generation; nothing of it is saved.
#[tauri::command(rename_all = "snake_case")]
fn draft_cancel(s: State<'_, Session>) {
    s.drafting.cancel();
}

/// Sentences of the editor's text that state a fact without a citation.
#[tauri::command(rename_all = "snake_case", async)]
fn draft_claims(s: State<'_, Session>, content: String) -> Reply<Vec<UncitedClaim>> {
    with_ws(&s, |ws| Ok(ws.uncited_claims(&content)))
}

/// Which bytes of the document's newest revision are still AI text.
#[tauri::command(rename_all = "snake_case", async)]
fn doc_provenance(s: State<'_, Session>, id: DocumentId) -> Reply<Option<HeadProvenance>> {
    with_draft(&s, |ws| ws.head_provenance(&id))
}

/// Runs `f` on the open workspace for the draft flow, mapping its error for IPC.
fn with_draft<T>(s: &Session, f: impl FnOnce(&mut Workspace) -> Result<T, DraftFault>) -> Reply<T> {
    let mut guard = s.workspace.lock().unwrap_or_else(|p| p.into_inner());
    let ws = guard.as_mut().ok_or_else(no_workspace)?;
    f(ws).map_err(IpcError::from)
}

/// `--workspace DIR` on the command line (or IMPRIMATUR_WORKSPACE) opens that folder;
/// otherwise the last workspace; otherwise none, and the UI opens the demo.
fn startup_workspace(config_dir: &std::path::Path) -> Option<PathBuf> {
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--workspace" || a == "-w" {
            return args.next().map(PathBuf::from);
        }
        if let Some(v) = a.strip_prefix("--workspace=") {
            return Some(PathBuf::from(v));
        }
    }
    std::env::var_os("IMPRIMATUR_WORKSPACE")
        .map(PathBuf::from)
        .or_else(|| recent::last(config_dir))
}

fn main() {
    // Commands are blocking calls into the core run on the async runtime's workers (see
    // `Reply`). The default pool has one worker per core, so on a 2-core laptop a live
    // check and a facts check running at once left the knowledge panel and the autosave
    // waiting for seconds. Sixteen workers keep short commands answering while long ones
    // run; the work itself still shares the cores.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(16)
        .thread_name("imprimatur-command")
        .enable_all()
        .build()
        .expect("starting the command runtime");
    tauri::async_runtime::set(runtime.handle().clone());
    tauri::Builder::default()
        .setup(|app| {
            let config_dir = app.path().app_config_dir()?;
            let data_dir = app.path().app_data_dir()?;
            let author = std::env::var("IMPRIMATUR_AUTHOR")
                .or_else(|_| std::env::var("USER"))
                .unwrap_or_else(|_| "editor".into());
            let workspace = match startup_workspace(&config_dir) {
                Some(dir) => match Workspace::open(&dir) {
                    Ok(ws) => Some(ws),
                    Err(e) => {
                        eprintln!("imprimatur: {e}");
                        None
                    }
                },
                None => None,
            };
            app.manage(Session {
                root: Mutex::new(workspace.as_ref().map(|ws| ws.root().to_path_buf())),
                workspace: Mutex::new(workspace),
                author: ActingName::new(author),
                actor: Mutex::new(None),
                keys: SigningKeychain::default(),
                config_dir,
                data_dir,
                knowledge: Knowledge::new(
                    imprimatur_workspace::knowledge::default_model_dir(),
                    Arc::new(Keychain::default()),
                )
                .with_listener({
                    // The folder watch's passes: progress and "the index changed".
                    let handle = app.handle().clone();
                    Arc::new(move |notice| match notice {
                        KnowledgeNotice::Progress(p) => {
                            let _ = handle.emit("knowledge-progress", p);
                        }
                        KnowledgeNotice::Changed(c) => {
                            let _ = handle.emit("knowledge-changed", c);
                        }
                    })
                }),
                models: Models::new(Keychain::default()),
                drafting: Drafting::new(),
                facts: FactsState::new(),
            });
            // Keep the index of a workspace ingested before in step with its folder
            // (off the setup thread: the embedder takes a moment to load).
            let handle = app.handle().clone();
            std::thread::spawn(move || {
                let s = handle.state::<Session>();
                if let Ok(root) = ws_root(&s) {
                    if let Err(e) = s.knowledge.watch(&root) {
                        eprintln!("imprimatur: knowledge watch: {e}");
                    }
                }
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            app_state,
            workspace_open,
            workspace_create,
            workspace_open_demo,
            doc_list,
            doc_create,
            doc_open,
            doc_save,
            doc_history,
            revision_read,
            doc_restore,
            doc_diff,
            doc_check,
            doc_seo,
            finding_ignore,
            finding_unignore,
            doc_ignores,
            rule_list,
            rule_set_level,
            rule_save,
            rule_try,
            kb_status,
            kb_search,
            kb_ingest,
            kb_cancel,
            kb_source,
            facts_check,
            identity_state,
            identity_unlock,
            member_add,
            member_set_roles,
            review_status,
            review_submit,
            review_decide,
            review_waive,
            review_comment,
            review_publish,
            review_export_bundle,
            review_decide_bundle,
            review_import_decision,
            dup_source,
            model_settings,
            model_provider_save,
            model_provider_remove,
            model_default_set,
            model_key_set,
            model_key_delete,
            model_test,
            rewrite_run,
            rewrite_cancel,
            rewrite_accept,
            costs_overview,
            brief_templates,
            brief_list,
            brief_open,
            brief_save,
            draft_outline,
            draft_write,
            draft_section,
            draft_cancel,
            draft_claims,
            doc_provenance,
        ])
        .run(tauri::generate_context!())
        .expect("error while running Imprimatur");
}
