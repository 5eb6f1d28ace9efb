//! `draft --brief FILE`: brief → outline → cited draft, saved as a new document whose
//! first revision has origin `ai` (the store records its provenance); the brief is
//! stored as a versioned file document and named in the draft's front matter.

use std::path::Path;
use std::sync::Arc;

use imprimatur_draft::{save_brief, Brief, DraftError, DraftEvent};
use imprimatur_model::Keychain;
use imprimatur_workspace::draft::{
    DraftContext, DraftProgress, DraftSaved, Drafting, NewDraft, BRIEF_DIR,
};
use imprimatur_workspace::ipc::IpcError;
use imprimatur_workspace::knowledge::{default_model_dir, Knowledge};
use imprimatur_workspace::models::Models;
use imprimatur_workspace::store::Timestamp;
use imprimatur_workspace::Workspace;
use serde_json::json;

use crate::{print_json, Outcome};

fn err(e: DraftError) -> IpcError {
    IpcError {
        code: e.code().to_string(),
        message: e.to_string(),
    }
}

/// Where the brief lives in the workspace: its own path when it is in `briefs/`, else
/// `briefs/<name>.toml` (the file is written there, so the app lists it too and the
/// drafting core, which reads briefs only from there, finds it).
fn brief_path(ws: &Workspace, file: &Path, brief: &Brief) -> Result<String, IpcError> {
    let io = |e: std::io::Error| IpcError {
        code: "io".into(),
        message: format!("{}: {e}", file.display()),
    };
    let abs = file.canonicalize().map_err(io)?;
    let root = ws.root().canonicalize().map_err(io)?;
    if let Ok(rel) = abs.strip_prefix(&root) {
        if rel.extension().is_some_and(|e| e == "toml")
            && rel.parent() == Some(Path::new(BRIEF_DIR))
        {
            return Ok(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "brief".into());
    let rel = format!("{BRIEF_DIR}/{stem}.toml");
    let target = ws.root().join(&rel);
    std::fs::create_dir_all(ws.root().join(BRIEF_DIR)).map_err(io)?;
    std::fs::write(&target, brief.to_toml()).map_err(io)?;
    Ok(rel)
}

pub(crate) fn run(
    workspace: &Path,
    brief_file: &Path,
    model: Option<&str>,
    actor: &str,
    json: bool,
) -> Result<Outcome, IpcError> {
    let mut ws = Workspace::open(workspace).map_err(IpcError::from)?;
    let brief = Brief::load(brief_file).map_err(err)?;
    let problems = brief.validate();
    if !problems.is_empty() {
        return Err(IpcError {
            code: "brief_incomplete".into(),
            message: format!(
                "{}: {}",
                brief_file.display(),
                problems
                    .iter()
                    .map(|p| p.message.clone())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        });
    }
    let now = Timestamp::now();
    // The brief is stored and versioned like a document; the draft names its id.
    let rel = brief_path(&ws, brief_file, &brief)?;
    let text = std::fs::read_to_string(ws.root().join(&rel)).map_err(|e| IpcError {
        code: "io".into(),
        message: format!("{rel}: {e}"),
    })?;
    let saved = save_brief(ws.store_mut(), &rel, &text, actor, now).map_err(|e| IpcError {
        code: "store".into(),
        message: e.to_string(),
    })?;
    let brief_id = saved.revision.document_id.to_string();

    let root = ws.root().to_path_buf();
    drop(ws);
    let models = Models::new(Keychain::default());
    let knowledge = Knowledge::new(default_model_dir(), Arc::new(Keychain::default()));
    let ctx = DraftContext {
        root: &root,
        models: &models,
        knowledge: &knowledge,
        author: actor,
        now,
        model,
    };
    // Progress on stderr; the model's text streams there too, so stdout stays the result.
    let mut on_event = |p: &DraftProgress| match &p.event {
        DraftEvent::Outline { outline } => {
            eprintln!("outline: {}", outline.title);
            for s in &outline.sections {
                eprintln!("  ## {}", s.heading);
            }
        }
        DraftEvent::SectionStarted {
            index,
            heading,
            sources,
        } => {
            eprintln!(
                "\nsection {}: {heading} ({} sources)",
                index + 1,
                sources.len()
            );
        }
        DraftEvent::Token { text, .. } => eprint!("{text}"),
        DraftEvent::Discard { model, .. } => eprintln!("\n[{model} failed; starting over]"),
        _ => {}
    };
    // The app's drafting core, in one go: the same outline, retrieval and section
    // writing as the app's window, so both give the same draft.
    let NewDraft {
        document: doc,
        outline,
        draft,
        saved: DraftSaved { outcome, .. },
    } = Drafting::new()
        .draft_new(&ctx, &rel, &mut on_event)
        .map_err(IpcError::from)?;
    eprintln!();
    let ws = Workspace::open(&root).map_err(IpcError::from)?;
    let provenance = ws
        .store()
        .provenance(&outcome.revision.id)
        .map_err(|e| IpcError {
            code: "store".into(),
            message: e.to_string(),
        })?;
    if json {
        print_json(&json!({
            "document": doc.id,
            "revision": outcome.revision,
            "brief": { "id": brief_id, "path": rel },
            "outline": outline,
            "citations": draft.citations,
            "references": imprimatur_draft::references(&draft.markdown),
            "problems": draft.problems,
            "uncited": draft.uncited,
            "missing_required": draft.missing_required,
            "templates": draft.templates,
            "provenance": provenance,
            "checks": brief.compile(),
            "markdown": draft.markdown,
        }));
    } else {
        println!(
            "document {} revision {} (origin ai, {:.0} % AI text)",
            doc.id,
            outcome.revision.number,
            provenance.ai_share * 100.0
        );
        println!("brief {rel} ({brief_id})");
        println!(
            "{} citation(s), {} marker problem(s), {} uncited claim(s)",
            draft.citations.len(),
            draft.problems.len(),
            draft.uncited.len()
        );
        for r in imprimatur_draft::references(&draft.markdown) {
            println!(
                "  [{}] knowledge/{} bytes {}..{}",
                r.number, r.source.path, r.source.start, r.source.end
            );
        }
        for m in &draft.missing_required {
            println!("  required source not cited: {m}");
        }
    }
    Ok(Outcome::Done)
}
