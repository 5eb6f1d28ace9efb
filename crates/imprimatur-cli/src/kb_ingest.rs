//! `kb ingest` and `kb status`: the knowledge/ folder into the index, and what the
//! index holds of it.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::SystemTime;

use imprimatur_knowledge::chosen::{manifest_dir, Embedding, Index};
use imprimatur_knowledge::pipeline::{self, IngestError, Ingestion, SourceStatus};
use imprimatur_knowledge::settings::{embedder_setting, index_location, EmbedderSetting};
use imprimatur_knowledge::KnowledgeError;
use imprimatur_model::Keychain;
use imprimatur_workspace::ipc::IpcError;
use imprimatur_workspace::Workspace;
use serde_json::json;

use crate::{print_json, Outcome};

fn ingest_error(e: IngestError) -> IpcError {
    IpcError {
        code: e.code().to_string(),
        message: e.to_string(),
    }
}

/// `kb ingest`: progress on stderr, a summary on stdout. Files that cannot be read are
/// listed and do not fail the command; a broken index or embedder does.
pub(crate) fn ingest(workspace: &Path, json: bool) -> Result<Outcome, IpcError> {
    let ws = Workspace::open(workspace).map_err(IpcError::from)?;
    // Without vectors the files would count as done and never be embedded later, so
    // ingestion needs the embedder.
    // The same path as the app: the settings choose embedder and index.
    let section = ws.settings().knowledge.as_ref();
    let knowledge_error = |e: KnowledgeError| IpcError {
        code: e.code().to_string(),
        message: e.to_string(),
    };
    let setting = embedder_setting(section).map_err(knowledge_error)?;
    let location = index_location(section).map_err(knowledge_error)?;
    let embedding = Embedding::load(
        &setting,
        &imprimatur_embed::default_model_dir(),
        &Keychain::default(),
    )
    .map_err(|e| IpcError {
        code: e.code().into(),
        message: match setting {
            EmbedderSetting::Local => {
                format!("{e}; run `imprimatur models install-embedder` first")
            }
            EmbedderSetting::Remote(_) => e.to_string(),
        },
    })?;
    // The embedded index or the server's collection: the same pass writes to either.
    let kb = Index::open(ws.root(), &location, Some(embedding.dimension()))
        .map_err(knowledge_error)?
        .for_ingestion();
    let knowledge = ws.root().join("knowledge");
    let ingestion = Ingestion::new(&knowledge, Some(embedding.passages()));
    let mut last_file = None;
    let mut stderr = std::io::stderr();
    let report = ingestion
        .run(&kb, SystemTime::now(), &AtomicBool::new(false), &mut |p| {
            if p.current.is_some() && p.current != last_file {
                let _ = writeln!(
                    stderr,
                    "[{:>width$}/{}] {}",
                    p.files_done + 1,
                    p.files_total,
                    p.current.as_deref().unwrap_or_default(),
                    width = p.files_total.to_string().len()
                );
                last_file = p.current.clone();
            }
        })
        .map_err(ingest_error)?;
    if json {
        print_json(&report);
        return Ok(Outcome::Done);
    }
    let per_second = if report.seconds > 0.0 {
        report.chunks as f64 / report.seconds
    } else {
        0.0
    };
    println!(
        "{} files: {} ingested ({} chunks, {} flagged as instructions to a model), {} unchanged, {} removed, {} not indexed; {:.1} s ({per_second:.1} chunks/s)",
        report.files,
        report.ingested.len(),
        report.chunks,
        report.injection_chunks,
        report.unchanged,
        report.removed.len(),
        report.problems.len(),
        report.seconds,
    );
    for p in &report.problems {
        println!(
            "  {:<8} {}",
            p.status.as_str(),
            p.message.as_deref().unwrap_or(&p.path)
        );
    }
    Ok(Outcome::Done)
}

/// `kb status`: every file of the last ingestion with its status, and files added
/// since (`new`).
pub(crate) fn status(workspace: &Path, json: bool) -> Result<Outcome, IpcError> {
    let ws = Workspace::open(workspace).map_err(IpcError::from)?;
    let location = index_location(ws.settings().knowledge.as_ref()).map_err(|e| IpcError {
        code: e.code().to_string(),
        message: e.to_string(),
    })?;
    let sources = pipeline::sources(&manifest_dir(ws.root(), &location)).map_err(ingest_error)?;
    let files = pipeline::walk(&ws.root().join("knowledge")).map_err(ingest_error)?;
    let new: Vec<&str> = files
        .iter()
        .map(|(rel, _)| rel.as_str())
        .filter(|rel| !sources.iter().any(|s| s.path == *rel))
        .collect();
    let gone: Vec<&str> = sources
        .iter()
        .map(|s| s.path.as_str())
        .filter(|p| !files.iter().any(|(rel, _)| rel == p))
        .collect();
    let chunks: usize = sources.iter().map(|s| s.chunks).sum();
    if json {
        print_json(&json!({
            "sources": sources,
            "new": new,
            "deleted": gone,
            "chunks": chunks,
        }));
        return Ok(Outcome::Done);
    }
    if sources.is_empty() && new.is_empty() {
        println!("knowledge/ is empty");
        return Ok(Outcome::Done);
    }
    for s in &sources {
        let flag = if s.injection_chunks > 0 {
            format!("  {} flagged", s.injection_chunks)
        } else {
            String::new()
        };
        let note = match (&s.message, s.status) {
            (Some(m), SourceStatus::Ok) => format!("  ({m})"),
            // Messages name the file; the line already does.
            (Some(m), _) => format!(
                "  {}",
                m.strip_prefix(&format!("{}: ", s.path)).unwrap_or(m)
            ),
            (None, _) => String::new(),
        };
        println!(
            "{:<8} {:>4} chunks  {}{flag}{note}",
            s.status.as_str(),
            s.chunks,
            s.path
        );
    }
    for p in &new {
        println!("{:<8} {:>4}         {p}", "new", "-");
    }
    for p in &gone {
        println!("{:<8} {:>4}         {p}", "deleted", "-");
    }
    let ok = sources
        .iter()
        .filter(|s| s.status == SourceStatus::Ok)
        .count();
    println!(
        "{ok} of {} sources indexed, {chunks} chunks{}",
        sources.len() + new.len(),
        if new.is_empty() && gone.is_empty() {
            String::new()
        } else {
            "; run `imprimatur kb ingest` to catch up".to_string()
        }
    );
    Ok(Outcome::Done)
}
