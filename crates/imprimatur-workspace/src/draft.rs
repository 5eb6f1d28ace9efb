//! The app's brief → draft flow on a workspace: brief templates, briefs stored and
//! versioned as workspace files (`briefs/<name>.toml`, like rules: each save a revision
//! with an audit entry, out of the document list), the outline, the draft written
//! section by section into a document as an `ai` revision, one section regenerated in
//! place, and the claims without a citation in the editor's text.
//!
//! Generation runs on the caller's thread (the app gives it a pool thread) with its
//! own connection to the workspace database, so autosave and checks go on while a
//! model writes; [`Drafting`] holds the cancel switch and makes runs exclusive.

use std::collections::BTreeMap;
use std::path::{Component, Path};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use imprimatur_check::{Document, Lang};
use imprimatur_draft::citation::{find_markers, render_reference};
use imprimatur_draft::{
    references, uncited_claims, write_section, Brief, BriefProblem, DraftError, DraftEvent,
    Generation, Passage, Prompts, RetrievalError, RetrievalRequest, SectionDraft, SourceSpan,
};
pub use imprimatur_draft::{BriefTemplate, Outline, UncitedClaim};
use imprimatur_knowledge::SearchMode;
use imprimatur_model::Cancel;
use imprimatur_store::{DocumentId, NewRevision, Origin, SaveOutcome, Timestamp};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use crate::error::io;
use crate::ipc::{IpcError, KnowledgeFilters};
use crate::knowledge::Knowledge;
use crate::models::Models;
use crate::{bundled, Workspace, WorkspaceError};

/// The folder of a workspace that holds its briefs.
pub const BRIEF_DIR: &str = "briefs";

#[derive(Debug, thiserror::Error)]
pub enum DraftFault {
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(transparent)]
    Draft(#[from] DraftError),
    #[error("a draft is being written; wait for it or cancel it (Esc)")]
    Busy,
    #[error("{0:?} is not a brief of this workspace; briefs are files briefs/NAME.toml")]
    NotABrief(String),
    #[error("this document names no brief (front matter `brief:`); write it from a brief to regenerate its sections")]
    NoBrief,
    #[error("the section {heading:?} is no longer in the document (a `## {heading}` line); put the heading back or write the outline again")]
    SectionGone { heading: String },
}

impl DraftFault {
    pub fn code(&self) -> &'static str {
        match self {
            DraftFault::Workspace(e) => e.code(),
            DraftFault::Draft(e) => e.code(),
            DraftFault::Busy => "draft.busy",
            DraftFault::NotABrief(_) => "draft.not_a_brief",
            DraftFault::NoBrief => "draft.no_brief",
            DraftFault::SectionGone { .. } => "draft.section_gone",
        }
    }
}

impl From<DraftFault> for IpcError {
    fn from(e: DraftFault) -> Self {
        IpcError {
            code: e.code().to_string(),
            message: e.to_string(),
        }
    }
}

impl From<imprimatur_store::StoreError> for DraftFault {
    fn from(e: imprimatur_store::StoreError) -> Self {
        DraftFault::Workspace(e.into())
    }
}

type DraftResult<T> = Result<T, DraftFault>;

/// A brief of the workspace, as the brief list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct BriefEntry {
    /// `briefs/NAME.toml`, the id a draft's front matter names.
    pub path: String,
    pub title: String,
    pub template: String,
    pub lang: String,
    /// Revisions of the file in the store (0 when it was put there by hand).
    pub revisions: u32,
}

/// A brief opened in the brief editor: its values, its template's form, what is missing.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct BriefOpened {
    pub path: String,
    pub brief: Brief,
    /// The template the brief was made from, when the workspace still has it.
    pub template: Option<BriefTemplate>,
    pub problems: Vec<BriefProblem>,
    pub revisions: u32,
}

/// What saving a brief did.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct BriefSaved {
    pub path: String,
    pub brief: Brief,
    /// Required fields that are still empty, by field key: the brief is saved anyway, but
    /// no outline is written from it until they are filled in.
    pub problems: Vec<BriefProblem>,
    pub outcome: SaveOutcome,
}

/// One event of a running generation (the `draft-event` event): `run` tells runs apart.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DraftProgress {
    pub run: u64,
    pub event: DraftEvent,
}

/// What writing a whole draft (or one section again) saved.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DraftSaved {
    /// The `ai` revision now at the document's head.
    pub outcome: SaveOutcome,
    /// Its text: front matter, sections, reference definitions.
    pub content: String,
    /// How many `[n]` markers resolve to a source span.
    pub citations: usize,
    /// Markers a small model got wrong: repaired, or dropped when they named no source.
    pub problems: usize,
    pub uncited: Vec<UncitedClaim>,
    /// Required sources of the brief no citation names.
    pub missing_required: Vec<String>,
    /// Prompt templates used, as `id@version`.
    pub templates: Vec<String>,
}

/// The provenance of a document's newest revision and that revision's text.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct HeadProvenance {
    pub provenance: imprimatur_store::Provenance,
    pub content: String,
}

/// The app's drafting state: one generation at a time, and its cancel switch.
#[derive(Default)]
pub struct Drafting {
    running: AtomicBool,
    run: AtomicU64,
    cancel: Mutex<Option<Cancel>>,
}

/// Clears the running flag when a run ends, however it ends.
struct RunGuard<'a>(&'a Drafting);

impl Drop for RunGuard<'_> {
    fn drop(&mut self) {
        *self.0.cancel.lock().unwrap_or_else(|p| p.into_inner()) = None;
        self.0.running.store(false, Ordering::Release);
    }
}

impl Drafting {
    pub fn new() -> Drafting {
        Drafting::default()
    }

    fn start(&self) -> DraftResult<(RunGuard<'_>, u64, Cancel)> {
        if self.running.swap(true, Ordering::AcqRel) {
            return Err(DraftFault::Busy);
        }
        let cancel = Cancel::new();
        *self.cancel.lock().unwrap_or_else(|p| p.into_inner()) = Some(cancel.clone());
        let run = self.run.fetch_add(1, Ordering::Relaxed) + 1;
        Ok((RunGuard(self), run, cancel))
    }

    /// Stops the running generation at its next token; nothing of it is saved.
    pub fn cancel(&self) {
        if let Some(c) = self
            .cancel
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            c.cancel();
        }
    }

    pub fn is_running(&self) -> bool {
        self.running.load(Ordering::Acquire)
    }

    /// Asks the model for an outline of the brief at `brief_path`.
    pub fn outline(
        &self,
        ctx: &DraftContext<'_>,
        brief_path: &str,
        on_event: &mut dyn FnMut(&DraftProgress),
    ) -> DraftResult<Outline> {
        let (_guard, run, cancel) = self.start()?;
        outline_of(ctx, brief_path, run, &cancel, on_event)
    }

    /// Writes every section of `outline` into document `id` (streamed as events), then
    /// saves the assembled draft (front matter naming the brief, sections, reference
    /// definitions) as one revision with origin `ai`.
    pub fn write(
        &self,
        ctx: &DraftContext<'_>,
        brief_path: &str,
        outline: &Outline,
        id: &DocumentId,
        on_event: &mut dyn FnMut(&DraftProgress),
    ) -> DraftResult<DraftSaved> {
        let (_guard, run, cancel) = self.start()?;
        Ok(write_into(ctx, brief_path, outline, id, run, &cancel, on_event)?.0)
    }

    /// Brief → outline → draft in one go, into a new document (the CLI's `draft`): the
    /// same outline and the same section writing as the app's two steps, so both paths
    /// give the same draft for the same brief, knowledge and model.
    pub fn draft_new(
        &self,
        ctx: &DraftContext<'_>,
        brief_path: &str,
        on_event: &mut dyn FnMut(&DraftProgress),
    ) -> DraftResult<NewDraft> {
        let (_guard, run, cancel) = self.start()?;
        let outline = outline_of(ctx, brief_path, run, &cancel, on_event)?;
        let document = Workspace::open(ctx.root)?.store_mut().create_document(
            &outline.title,
            ctx.author,
            ctx.now,
        )?;
        let (saved, draft) = write_into(
            ctx,
            brief_path,
            &outline,
            &document.id,
            run,
            &cancel,
            on_event,
        )?;
        Ok(NewDraft {
            document,
            outline,
            draft,
            saved,
        })
    }
    /// Writes section `index` of `outline` again and puts it in place of that section
    /// in the document's newest text (other sections and a person's edits stay), its
    /// citations renumbered against the document's reference definitions; saved as an
    /// `ai` revision.
    pub fn regenerate(
        &self,
        ctx: &DraftContext<'_>,
        id: &DocumentId,
        outline: &Outline,
        index: usize,
        on_event: &mut dyn FnMut(&DraftProgress),
    ) -> DraftResult<DraftSaved> {
        let (_guard, run, cancel) = self.start()?;
        let mut ws = Workspace::open(ctx.root)?;
        let head = ws.store().head(id)?.map(|r| r.content).unwrap_or_default();
        let lang = default_lang(&ws);
        let brief_id = Document::parse(head.clone(), lang)
            .front_matter
            .brief
            .ok_or(DraftFault::NoBrief)?;
        let brief_path = brief_path_of(&ws, &brief_id)?;
        let brief = load_brief(ctx.root, &brief_path)?;
        let heading = outline
            .sections
            .get(index)
            .map(|s| s.heading.clone())
            .ok_or(DraftError::NoSection {
                index,
                len: outline.sections.len(),
            })?;
        // Fail before the model call if the section cannot be put back.
        section_body(&head, &heading)?;
        let setup = Setup::new(&ws, ctx, &brief)?;
        let doc = id.to_string();
        let section = {
            let mut gen = setup.generation(&mut ws, ctx, Some(&doc), &cancel)?;
            let mut retrieval = retrieval(ctx);
            write_section(
                &brief,
                outline,
                index,
                &mut gen,
                &mut retrieval,
                &mut |event| on_event(&DraftProgress { run, event }),
            )?
        };
        let content = splice_section(&head, &heading, &section)?;
        let template = setup
            .prompts
            .get(imprimatur_draft::prompt::SECTION)
            .audit_name();
        let template = format!("{}@{}", template.0, template.1);
        let message = format!("Abschnitt „{heading}“ neu geschrieben ({template})");
        let outcome = ws.store_mut().save(
            id,
            NewRevision {
                content: &content,
                author: ctx.author,
                origin: Origin::Ai,
                message: Some(&message),
            },
            ctx.now,
        )?;
        let (citations, _) = imprimatur_draft::parse_citations(
            &content,
            &references(&content)
                .into_iter()
                .map(|r| r.source)
                .collect::<Vec<_>>(),
        );
        Ok(DraftSaved {
            outcome,
            citations: citations.len(),
            problems: section.problems.len(),
            uncited: uncited_claims(&content, brief.lang),
            missing_required: Vec::new(),
            content,
            templates: vec![template],
        })
    }
}

/// The outline of the brief at `brief_path`: the one outline step of app and CLI.
fn outline_of(
    ctx: &DraftContext<'_>,
    brief_path: &str,
    run: u64,
    cancel: &Cancel,
    on_event: &mut dyn FnMut(&DraftProgress),
) -> DraftResult<Outline> {
    let mut ws = Workspace::open(ctx.root)?;
    let brief = load_brief(ctx.root, brief_path)?;
    let setup = Setup::new(&ws, ctx, &brief)?;
    let mut gen = setup.generation(&mut ws, ctx, None, cancel)?;
    let outline = imprimatur_draft::outline(&brief, &mut gen, &mut |event| {
        on_event(&DraftProgress { run, event })
    })?;
    Ok(outline)
}

/// Writes the sections of `outline` into document `id` and saves the draft as an `ai`
/// revision: the one drafting step of app and CLI.
fn write_into(
    ctx: &DraftContext<'_>,
    brief_path: &str,
    outline: &Outline,
    id: &DocumentId,
    run: u64,
    cancel: &Cancel,
    on_event: &mut dyn FnMut(&DraftProgress),
) -> DraftResult<(DraftSaved, imprimatur_draft::Draft)> {
    let mut ws = Workspace::open(ctx.root)?;
    ws.store().document(id)?;
    let brief = load_brief(ctx.root, brief_path)?;
    let setup = Setup::new(&ws, ctx, &brief)?;
    let doc = id.to_string();
    // The draft names its brief by the id of the brief file's document in the store
    // (as the CLI does); a brief put there by hand is named by its path.
    let brief_id = ws
        .store()
        .file_document(brief_path)?
        .map(|d| d.id.to_string())
        .unwrap_or_else(|| brief_path.to_string());
    let draft = {
        let mut gen = setup.generation(&mut ws, ctx, Some(&doc), cancel)?;
        let mut retrieval = retrieval(ctx);
        imprimatur_draft::write_draft(
            &brief,
            outline,
            Some(&brief_id),
            &mut gen,
            &mut retrieval,
            &mut |event| on_event(&DraftProgress { run, event }),
        )?
    };
    let templates: Vec<String> = draft
        .templates
        .iter()
        .map(|(id, v)| format!("{id}@{v}"))
        .collect();
    let message = format!("Entwurf aus {brief_path} ({})", templates.join(", "));
    let outcome = ws.store_mut().save(
        id,
        NewRevision {
            content: &draft.markdown,
            author: ctx.author,
            origin: Origin::Ai,
            message: Some(&message),
        },
        ctx.now,
    )?;
    let saved = DraftSaved {
        outcome,
        citations: draft.citations.len(),
        problems: draft.problems.len(),
        uncited: draft.uncited.clone(),
        missing_required: draft.missing_required.clone(),
        content: draft.markdown.clone(),
        templates,
    };
    Ok((saved, draft))
}

/// What every generation needs from the app: the workspace root, the model runtime,
/// the knowledge index (retrieval), who asks and when.
pub struct DraftContext<'a> {
    pub root: &'a Path,
    pub models: &'a Models,
    pub knowledge: &'a Knowledge,
    pub author: &'a str,
    pub now: Timestamp,
    /// A model by name (the CLI's `--model`); `None` routes by `[models]`.
    pub model: Option<&'a str>,
}

/// A draft written into a new document by [`Drafting::draft_new`].
#[derive(Debug, Clone)]
pub struct NewDraft {
    pub document: imprimatur_store::DocumentSummary,
    pub outline: Outline,
    /// The assembled draft: citations with offsets, marker problems, uncited claims.
    pub draft: imprimatur_draft::Draft,
    pub saved: DraftSaved,
}

/// Style rules in the brand-voice summary of the system prompt: few, because a small
/// model's context is short and the sources must fit next to them.
const VOICE_RULES: usize = 6;

/// The parts of a [`Generation`] that outlive its borrow of the store.
struct Setup {
    router: imprimatur_model::Router,
    prompts: Prompts,
    voice: String,
    company: String,
}

impl Setup {
    fn new(ws: &Workspace, ctx: &DraftContext<'_>, brief: &Brief) -> DraftResult<Setup> {
        let router = ctx.models.router(ws)?;
        let prompts = Prompts::load(&ws.root().join("templates").join("prompts"))?;
        // The brand voice from the rules that will check the text, for the brief's form
        // of address; a broken pack leaves the voice empty (the checks report it).
        let mut style = ws.style_config();
        style.address = brief.address_form.to_style();
        let voice = imprimatur_style::StyleEngine::load_cached(ws.root(), &style)
            .map(|e| imprimatur_draft::voice_summary(&e, brief.lang, VOICE_RULES))
            .unwrap_or_default();
        Ok(Setup {
            router,
            prompts,
            voice,
            company: ws.settings().workspace.name.clone(),
        })
    }

    fn generation<'a>(
        &'a self,
        ws: &'a mut Workspace,
        ctx: &'a DraftContext<'_>,
        document: Option<&'a str>,
        cancel: &'a Cancel,
    ) -> DraftResult<Generation<'a>> {
        Ok(Generation {
            router: &self.router,
            store: ws.store_mut(),
            prompts: &self.prompts,
            voice: &self.voice,
            company: &self.company,
            user: ctx.author,
            model: ctx.model,
            document,
            now: ctx.now,
            cancel,
        })
    }
}

/// Hybrid search of the workspace's knowledge index (BM25 when the embedder is missing).
pub fn retrieval<'a>(
    ctx: &'a DraftContext<'_>,
) -> impl FnMut(&RetrievalRequest) -> Result<Vec<Passage>, RetrievalError> + 'a {
    move |req: &RetrievalRequest| {
        // A required source is searched among more hits, then filtered to its path.
        let limit = if req.path.is_some() { 60 } else { req.limit };
        // Sources in the brief's language only: a German draft cites German text.
        let filters = KnowledgeFilters {
            lang: Some(req.lang.as_str().to_string()),
            ..KnowledgeFilters::default()
        };
        let results = ctx
            .knowledge
            .search(ctx.root, &req.query, SearchMode::Hybrid, &filters, limit)
            .map_err(|e| RetrievalError(Box::new(e)))?;
        Ok(results
            .hits
            .into_iter()
            .filter(|h| req.path.as_ref().is_none_or(|p| &h.path == p))
            .take(req.limit)
            .map(|h| Passage {
                source: SourceSpan {
                    path: h.path,
                    start: h.start,
                    end: h.end,
                    heading_path: h.heading_path,
                },
                text: h.text,
                injection: h.injection,
            })
            .collect())
    }
}

/// The file of the brief a draft names: the id of its document in the store, or its path.
fn brief_path_of(ws: &Workspace, brief: &str) -> DraftResult<String> {
    if brief.starts_with(BRIEF_DIR) {
        return Ok(brief.to_string());
    }
    let id = DocumentId::from_string(brief);
    match ws.store().document(&id) {
        Ok(doc) => Ok(doc.title),
        Err(_) => Err(DraftFault::NotABrief(brief.to_string())),
    }
}

fn default_lang(ws: &Workspace) -> Lang {
    Lang::parse(ws.settings().workspace.language.as_str()).unwrap_or(Lang::De)
}

// Briefs ----------------------------------------------------------------------

/// Every brief template: the workspace's `templates/briefs/`, then the app's bundled
/// ones it does not override (same id and language).
pub fn brief_templates(root: &Path) -> DraftResult<Vec<BriefTemplate>> {
    let dir = root.join("templates").join("briefs");
    let mut out = if dir.is_dir() {
        BriefTemplate::load_dir(&dir)?
    } else {
        Vec::new()
    };
    if let Some(bundled) = bundled::TEMPLATES.get_dir("briefs") {
        let mut files: Vec<_> = bundled.files().collect();
        files.sort_by_key(|f| f.path());
        for f in files {
            let Some(text) = f.contents_utf8() else {
                continue;
            };
            if f.path().extension().is_none_or(|e| e != "toml") {
                continue;
            }
            if let Ok(t) = BriefTemplate::from_toml(text) {
                if !out.iter().any(|o| o.id == t.id && o.lang == t.lang) {
                    out.push(t);
                }
            }
        }
    }
    Ok(out)
}

/// `briefs/NAME.toml` as a path under `root`, refusing anything else.
fn brief_file(root: &Path, path: &str) -> DraftResult<std::path::PathBuf> {
    let rel = Path::new(path);
    let mut parts = rel.components();
    let ok = matches!(parts.next(), Some(Component::Normal(d)) if d == BRIEF_DIR)
        && matches!(parts.next(), Some(Component::Normal(_)))
        && parts.next().is_none()
        && rel.extension().is_some_and(|e| e == "toml");
    if !ok {
        return Err(DraftFault::NotABrief(path.to_string()));
    }
    Ok(root.join(rel))
}

fn load_brief(root: &Path, path: &str) -> DraftResult<Brief> {
    let file = brief_file(root, path)?;
    if !file.is_file() {
        return Err(DraftFault::NotABrief(path.to_string()));
    }
    Ok(Brief::load(&file)?)
}

fn problems_of(
    brief: &Brief,
    templates: &[BriefTemplate],
) -> (Vec<BriefProblem>, Option<BriefTemplate>) {
    let template = templates
        .iter()
        .find(|t| t.id == brief.template && t.lang == brief.lang)
        .or_else(|| templates.iter().find(|t| t.id == brief.template))
        .cloned();
    let problems = match &template {
        Some(t) => brief.validate_with(t),
        None => brief.validate(),
    };
    (problems, template)
}

impl Workspace {
    /// The briefs in `briefs/`, newest name last.
    pub fn briefs(&self) -> DraftResult<Vec<BriefEntry>> {
        let dir = self.root().join(BRIEF_DIR);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(Vec::new());
        };
        let mut files: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        let mut out = Vec::new();
        for f in files {
            let name = f.file_name().map(|n| n.to_string_lossy().into_owned());
            let Some(name) = name else { continue };
            let path = format!("{BRIEF_DIR}/{name}");
            // An unreadable brief is listed by its name, so it can be opened and fixed.
            let brief = Brief::load(&f).ok();
            out.push(BriefEntry {
                title: brief
                    .as_ref()
                    .and_then(|b| b.title.clone().filter(|t| !t.is_empty()))
                    .or_else(|| brief.as_ref().map(|b| b.keyphrase.clone()))
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| name.trim_end_matches(".toml").to_string()),
                template: brief
                    .as_ref()
                    .map(|b| b.template.clone())
                    .unwrap_or_default(),
                lang: brief
                    .as_ref()
                    .map(|b| b.lang.as_str().to_string())
                    .unwrap_or_default(),
                revisions: self
                    .store()
                    .file_document(&path)?
                    .map(|d| d.revisions)
                    .unwrap_or(0),
                path,
            });
        }
        Ok(out)
    }

    /// A brief with its template's form and what is still missing.
    pub fn open_brief(&self, path: &str) -> DraftResult<BriefOpened> {
        let brief = load_brief(self.root(), path)?;
        let templates = brief_templates(self.root())?;
        let (problems, template) = problems_of(&brief, &templates);
        Ok(BriefOpened {
            path: path.to_string(),
            revisions: self
                .store()
                .file_document(path)?
                .map(|d| d.revisions)
                .unwrap_or(0),
            brief,
            template,
            problems,
        })
    }

    /// Saves a brief from the editor's field values (new when `path` is `None`: the file
    /// is named after its title or keyphrase) as a revision of `briefs/NAME.toml` with
    /// an audit entry. Values of the wrong type are refused naming the field; missing
    /// required fields are saved and reported, so half a brief is not lost.
    pub fn save_brief(
        &mut self,
        path: Option<&str>,
        values: BTreeMap<String, Value>,
        actor: &str,
        now: Timestamp,
    ) -> DraftResult<BriefSaved> {
        let brief = Brief::from_map(values)?;
        let path = match path {
            Some(p) => {
                brief_file(self.root(), p)?;
                p.to_string()
            }
            None => self.new_brief_path(&brief),
        };
        let file = brief_file(self.root(), &path)?;
        let before = std::fs::read_to_string(&file).ok();
        let text = brief.to_toml();
        let dir = self.root().join(BRIEF_DIR);
        std::fs::create_dir_all(&dir)
            .map_err(io(&dir))
            .map_err(DraftFault::from)?;
        let tmp = file.with_extension("toml.tmp");
        std::fs::write(&tmp, &text)
            .map_err(io(&tmp))
            .map_err(DraftFault::from)?;
        std::fs::rename(&tmp, &file)
            .map_err(io(&file))
            .map_err(DraftFault::from)?;
        let templates = brief_templates(self.root())?;
        let (problems, _) = problems_of(&brief, &templates);
        let details = serde_json::json!({
            "template": brief.template,
            "problems": problems.iter().map(|p| p.field.clone()).collect::<Vec<_>>(),
        });
        let outcome = self.store_mut().save_file(
            &path,
            before.as_deref(),
            NewRevision {
                content: &text,
                author: actor,
                origin: Origin::Human,
                message: None,
            },
            if before.is_some() {
                "brief.save"
            } else {
                "brief.create"
            },
            &details,
            now,
        )?;
        Ok(BriefSaved {
            path,
            brief,
            problems,
            outcome,
        })
    }

    /// `briefs/<slug>.toml` for a new brief, not taken yet.
    fn new_brief_path(&self, brief: &Brief) -> String {
        let name = brief
            .title
            .clone()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| brief.keyphrase.clone());
        let mut slug = slug(&name);
        if slug.is_empty() {
            slug = "brief".into();
        }
        let mut n = 1;
        loop {
            let candidate = if n == 1 {
                format!("{BRIEF_DIR}/{slug}.toml")
            } else {
                format!("{BRIEF_DIR}/{slug}-{n}.toml")
            };
            if !self.root().join(&candidate).exists() {
                return candidate;
            }
            n += 1;
        }
    }

    /// Which bytes of document `id`'s newest revision are still AI text, with that
    /// revision's text (the editor shows the spans only if it holds exactly this text).
    pub fn head_provenance(&self, id: &DocumentId) -> DraftResult<Option<HeadProvenance>> {
        let Some(head) = self.store().head(id)? else {
            return Ok(None);
        };
        Ok(Some(HeadProvenance {
            provenance: self.store().provenance(&head.meta.id)?,
            content: head.content,
        }))
    }

    /// The sentences of `content` (the editor's text) that state a fact but cite nothing.
    pub fn uncited_claims(&self, content: &str) -> Vec<UncitedClaim> {
        let doc = Document::parse(content.to_string(), default_lang(self));
        let body = doc.body_start;
        uncited_claims(&content[body..], doc.lang)
            .into_iter()
            .map(|c| UncitedClaim {
                start: c.start + body,
                end: c.end + body,
                sentence: c.sentence,
            })
            .collect()
    }
}

/// A file name from a title: lowercase ASCII letters and digits joined by `-`, umlauts
/// spelled out.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.to_lowercase().chars() {
        let piece = match c {
            'ä' => "ae",
            'ö' => "oe",
            'ü' => "ue",
            'ß' => "ss",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "-",
        };
        if piece == "-" {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push_str(piece);
        }
    }
    out.trim_matches('-').chars().take(60).collect()
}

// Regenerating one section ----------------------------------------------------

/// The byte range of the body of section `## heading` in `text`: from the line after
/// the heading to the next heading of level 1 or 2, the reference definitions, or the end.
fn section_body(text: &str, heading: &str) -> DraftResult<(usize, usize)> {
    let refs = references(text);
    let mut pos = 0;
    let mut start = None;
    for line in text.split_inclusive('\n') {
        let at = pos;
        pos += line.len();
        let t = line.trim_end();
        match start {
            None => {
                if t.strip_prefix("## ")
                    .is_some_and(|h| h.trim() == heading.trim())
                {
                    start = Some(pos);
                }
            }
            Some(s) => {
                let is_ref = refs.iter().any(|r| r.line_start == at);
                if t.starts_with("# ") || t.starts_with("## ") || is_ref {
                    return Ok((s, at));
                }
            }
        }
    }
    match start {
        Some(s) => Ok((s, text.len())),
        None => Err(DraftFault::SectionGone {
            heading: heading.to_string(),
        }),
    }
}

/// `text` with the body of section `heading` replaced by `section`, whose `[n]` markers
/// (numbers into `section.sources`) are renumbered to the document's reference
/// definitions; sources the document does not cite yet get new definitions at its end.
pub fn splice_section(text: &str, heading: &str, section: &SectionDraft) -> DraftResult<String> {
    let (start, end) = section_body(text, heading)?;
    let existing = references(text);
    let mut next = existing.iter().map(|r| r.number).max().unwrap_or(0);
    let mut added: Vec<(usize, SourceSpan)> = Vec::new();
    let same =
        |a: &SourceSpan, b: &SourceSpan| a.path == b.path && a.start == b.start && a.end == b.end;
    let mut body = String::new();
    let mut last = 0;
    for m in find_markers(&section.text) {
        body.push_str(&section.text[last..m.start]);
        last = m.end;
        let mut numbers: Vec<usize> = Vec::new();
        for n in m.numbers {
            let Some(span) = n.checked_sub(1).and_then(|i| section.sources.get(i)) else {
                continue;
            };
            let span = &span.source;
            let g = if let Some(r) = existing.iter().find(|r| same(&r.source, span)) {
                r.number
            } else if let Some((g, _)) = added.iter().find(|(_, s)| same(s, span)) {
                *g
            } else {
                next += 1;
                added.push((next, span.clone()));
                next
            };
            if !numbers.contains(&g) {
                numbers.push(g);
            }
        }
        if numbers.is_empty() {
            if body.ends_with(' ') && section.text[last..].starts_with([' ', '.', ',', ';']) {
                body.pop();
            }
        } else {
            if !body.is_empty() && !body.ends_with([' ', '\n']) {
                body.push(' ');
            }
            body.extend(numbers.iter().map(|g| format!("[{g}]")));
        }
    }
    body.push_str(&section.text[last..]);
    let mut out = String::with_capacity(text.len() + body.len());
    out.push_str(&text[..start]);
    out.push('\n');
    out.push_str(body.trim());
    out.push_str("\n\n");
    out.push_str(text[end..].trim_start_matches('\n'));
    if !added.is_empty() {
        if !out.ends_with('\n') {
            out.push('\n');
        }
        if existing.is_empty() {
            out.push('\n');
        }
        for (g, span) in &added {
            out.push_str(&render_reference(*g, span));
            out.push('\n');
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(path: &str, start: usize) -> SourceSpan {
        SourceSpan {
            path: path.into(),
            start,
            end: start + 10,
            heading_path: vec![],
        }
    }

    fn section(text: &str, sources: &[SourceSpan]) -> SectionDraft {
        SectionDraft {
            heading: "Kosten".into(),
            text: text.into(),
            sources: sources
                .iter()
                .map(|s| Passage {
                    source: s.clone(),
                    text: String::new(),
                    injection: false,
                })
                .collect(),
            citations: vec![],
            problems: vec![],
            uncited: vec![],
            model: "smol".into(),
            cut: false,
        }
    }

    const DOC: &str = "---\ntitle: \"T\"\nbrief: \"briefs/t.toml\"\n---\n\n# T\n\n## Einleitung\n\nVon Hand geändert [1].\n\n## Kosten\n\nAlt [2].\n\n## Fazit\n\nEnde.\n\n[1]: knowledge/a.md#bytes=0-10\n[2]: knowledge/b.md#bytes=5-15\n";

    #[test]
    fn a_regenerated_section_replaces_only_its_body_and_reuses_or_adds_references() {
        let new = section(
            "Neu mit a [1] und c [2]. Falsch [9].",
            &[span("a.md", 0), span("c.md", 3)],
        );
        let out = splice_section(DOC, "Kosten", &new).unwrap();
        assert!(out.contains("Von Hand geändert [1]."), "{out}");
        assert!(
            out.contains("## Kosten\n\nNeu mit a [1] und c [3]. Falsch.\n\n## Fazit"),
            "{out}"
        );
        assert!(!out.contains("Alt [2]"));
        assert!(
            out.ends_with("[2]: knowledge/b.md#bytes=5-15\n[3]: knowledge/c.md#bytes=3-13\n"),
            "{out}"
        );
        let refs = references(&out);
        assert_eq!(refs.len(), 3);
    }

    #[test]
    fn the_last_section_ends_at_the_reference_definitions_and_a_lost_heading_is_an_error() {
        let new = section("Schluss [1].", &[span("b.md", 5)]);
        let out = splice_section(DOC, "Fazit", &new).unwrap();
        assert!(
            out.contains("## Fazit\n\nSchluss [2].\n\n[1]: knowledge/a.md"),
            "{out}"
        );
        let err = splice_section(DOC, "Gibt es nicht", &new).unwrap_err();
        assert_eq!(err.code(), "draft.section_gone");
        let plain = "# T\n\n## Kosten\n\nAlt.\n";
        let out =
            splice_section(plain, "Kosten", &section("Neu [1].", &[span("a.md", 0)])).unwrap();
        assert_eq!(
            out,
            "# T\n\n## Kosten\n\nNeu [1].\n\n\n[1]: knowledge/a.md#bytes=0-10\n"
        );
    }

    #[test]
    fn briefs_are_saved_as_versioned_files_with_their_problems() {
        let d = tempfile::tempdir().unwrap();
        let mut ws = Workspace::init(&d.path().join("w"), "anna", Timestamp(1)).unwrap();
        let templates = brief_templates(ws.root()).unwrap();
        assert!(
            templates.iter().any(|t| t.id == "blogartikel"),
            "{templates:?}"
        );
        let mut values: BTreeMap<String, Value> = BTreeMap::new();
        values.insert("template".into(), "blogartikel".into());
        values.insert("lang".into(), "de".into());
        values.insert("title".into(), "Wärmepumpe im Altbau".into());
        values.insert("keyphrase".into(), "Wärmepumpe Altbau".into());
        let saved = ws
            .save_brief(None, values.clone(), "anna", Timestamp(2))
            .unwrap();
        assert_eq!(saved.path, "briefs/waermepumpe-im-altbau.toml");
        let fields: Vec<_> = saved.problems.iter().map(|p| p.field.as_str()).collect();
        assert!(
            fields.contains(&"goal") && fields.contains(&"audience"),
            "{fields:?}"
        );
        assert!(!fields.contains(&"keyphrase"), "{fields:?}");
        values.insert(
            "goal".into(),
            "Leser verstehen, ob sich eine Wärmepumpe lohnt.".into(),
        );
        values.insert("audience".into(), "Hausbesitzer mit Altbau".into());
        let again = ws
            .save_brief(Some(&saved.path), values, "anna", Timestamp(3))
            .unwrap();
        assert_eq!(again.outcome.revision.number, 2);
        let opened = ws.open_brief(&saved.path).unwrap();
        assert_eq!(opened.revisions, 2);
        assert_eq!(
            opened.brief.goal,
            "Leser verstehen, ob sich eine Wärmepumpe lohnt."
        );
        assert_eq!(opened.template.map(|t| t.id), Some("blogartikel".into()));
        let list = ws.briefs().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].title, "Wärmepumpe im Altbau");
        // Briefs are not documents.
        assert!(ws.store().documents().unwrap().is_empty());
        for bad in [
            "../x.toml",
            "briefs/../../x.toml",
            "knowledge/a.toml",
            "briefs/a.md",
        ] {
            assert_eq!(
                ws.open_brief(bad).unwrap_err().code(),
                "draft.not_a_brief",
                "{bad}"
            );
        }
    }

    /// The whole backend path with the real models, when installed: knowledge ingested
    /// with the embedder, an outline and a draft from SmolLM2 through the router, saved
    /// as an `ai` revision whose front matter names the brief and whose citations resolve,
    /// then one section written again in place.
    #[test]
    fn outline_draft_and_one_section_again_with_the_real_models() {
        let embedder = crate::knowledge::default_model_dir();
        let llm = imprimatur_local_model::default_model_path();
        if !embedder.join("model.safetensors").exists() || !llm.is_file() {
            eprintln!("skipped: the embedding model or SmolLM2 is not installed");
            return;
        }
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("w");
        let mut ws = Workspace::init(&root, "anna", Timestamp(1)).unwrap();
        std::fs::write(
            root.join("knowledge/prices.md"),
            "---\nlang: en\n---\n\n# Prices 2026\n\nThe AlbAir 9 heat pump costs €12,490 including installation. \
             The AlbAir 14 costs €15,890. The maintenance contract costs €289 a year.\n",
        )
        .unwrap();
        let toml = root.join("imprimatur.toml");
        let mut text = std::fs::read_to_string(&toml).unwrap();
        text.push_str(
            "\n[models]\ndefault = [\"smol\"]\n[models.providers.smol]\npreset = \"embedded\"\n",
        );
        std::fs::write(&toml, text).unwrap();
        let knowledge = Knowledge::new(
            embedder,
            std::sync::Arc::new(imprimatur_model::KeyMap::new()),
        );
        knowledge
            .ingest(&root, std::time::SystemTime::UNIX_EPOCH, &mut |_| {})
            .unwrap();
        let models = Models::new(imprimatur_model::Keychain::default());
        let mut values: BTreeMap<String, Value> = BTreeMap::new();
        for (k, v) in [
            ("template", "blog-article"),
            ("lang", "en"),
            ("title", "What does a heat pump cost?"),
            ("goal", "Readers know the prices of the AlbAir heat pumps."),
            ("audience", "Home owners"),
            ("keyphrase", "heat pump price"),
        ] {
            values.insert(k.into(), v.into());
        }
        values.insert("length_words".into(), 100.into());
        values.insert(
            "required_sources".into(),
            serde_json::json!(["knowledge/prices.md"]),
        );
        let brief = ws.save_brief(None, values, "anna", Timestamp(2)).unwrap();
        assert!(brief.problems.is_empty(), "{:?}", brief.problems);
        let doc = ws
            .store_mut()
            .create_document("What does a heat pump cost?", "anna", Timestamp(3))
            .unwrap();
        drop(ws);
        let ctx = DraftContext {
            root: &root,
            models: &models,
            knowledge: &knowledge,
            author: "anna",
            now: Timestamp(4),
            model: None,
        };
        let drafting = Drafting::new();
        let mut tokens = 0;
        let started = std::time::Instant::now();
        let outline = drafting
            .outline(&ctx, &brief.path, &mut |p| {
                if matches!(p.event, DraftEvent::OutlineToken { .. }) {
                    tokens += 1;
                }
            })
            .unwrap();
        assert!(tokens > 0 && !outline.sections.is_empty(), "{outline:?}");
        let mut streamed = String::new();
        let saved = drafting
            .write(&ctx, &brief.path, &outline, &doc.id, &mut |p| {
                if let DraftEvent::Token { text, .. } = &p.event {
                    streamed.push_str(text);
                }
            })
            .unwrap();
        println!(
            "outline and draft in {:.1} s, {} citations:\n{}",
            started.elapsed().as_secs_f64(),
            saved.citations,
            saved.content
        );
        assert!(!streamed.is_empty());
        assert!(!drafting.is_running());
        let ws = Workspace::open(&root).unwrap();
        let head = ws.store().head(&doc.id).unwrap().unwrap();
        assert_eq!(head.meta.origin, Origin::Ai);
        assert_eq!(head.content, saved.content);
        let brief_doc = ws.store().file_document(&brief.path).unwrap().unwrap();
        assert!(
            saved
                .content
                .contains(&format!("brief: \"{}\"", brief_doc.id)),
            "{}",
            saved.content
        );
        let provenance = ws.head_provenance(&doc.id).unwrap().unwrap();
        assert!(
            provenance.provenance.ai_share > 0.9,
            "{:?}",
            provenance.provenance.ai_share
        );
        // Every reference definition points at the ingested source.
        for r in references(&saved.content) {
            assert_eq!(r.source.path, "prices.md");
        }
        drop(ws);
        let again = drafting
            .regenerate(&ctx, &doc.id, &outline, 0, &mut |_| {})
            .unwrap();
        assert_eq!(again.outcome.revision.number, 2);
        for s in &outline.sections {
            assert!(again.content.contains(&s.heading), "{}", again.content);
        }
        let heading = format!("## {}", outline.sections[0].heading);
        assert_eq!(
            again.content.matches(&heading).count(),
            1,
            "{}",
            again.content
        );
    }

    #[test]
    fn uncited_claims_point_into_the_whole_text() {
        let d = tempfile::tempdir().unwrap();
        let ws = Workspace::init(&d.path().join("w"), "anna", Timestamp(1)).unwrap();
        let text = "---\ntitle: \"Preis 2026\"\nlang: de\n---\n\n# T\n\nDie Pumpe kostet 12.490 Euro. Sie ist gut [1].\n";
        let claims = ws.uncited_claims(text);
        assert_eq!(claims.len(), 1, "{claims:?}");
        assert_eq!(
            &text[claims[0].start..claims[0].end],
            "Die Pumpe kostet 12.490 Euro."
        );
    }
}
