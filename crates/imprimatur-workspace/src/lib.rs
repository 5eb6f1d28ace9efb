//! An Imprimatur workspace: a folder a team can back up and move.
//!
//! ```text
//! imprimatur.toml          settings, one section per concern
//! styleguides/             brand rule packs (Vale-compatible YAML)
//! templates/               brief and prompt templates
//! knowledge/               source documents for retrieval and fact checks
//! .imprimatur/imprimatur.db  revisions and audit log (SQLite)
//! ```

mod bundled;
pub mod check;
pub mod draft;
pub mod duplicates;
mod error;
pub mod facts;
pub mod ipc;
pub mod knowledge;
pub mod models;
pub mod recent;
pub mod review;
pub mod rewrite;
pub mod rules;
mod settings;

use std::path::{Path, PathBuf};

pub use error::{WorkspaceError, WorkspaceResult};
pub use imprimatur_check as checks;
pub use imprimatur_store as store;
pub use settings::{Language, Settings, WorkspaceSettings};

use error::io;
use imprimatur_store::{
    DocumentId, DocumentSummary, NewRevision, Origin, SaveOutcome, Store, Timestamp,
};
use ipc::{OpenDocument, WorkspaceInfo};

const DATA_DIR: &str = ".imprimatur";
const DB_FILE: &str = "imprimatur.db";
const FOLDERS: [&str; 3] = ["styleguides", "templates", "knowledge"];

pub struct Workspace {
    root: PathBuf,
    settings: Settings,
    store: Store,
}

impl Workspace {
    /// Opens the workspace whose `imprimatur.toml` is in `root`.
    pub fn open(root: &Path) -> WorkspaceResult<Workspace> {
        if !root.join(settings::FILE_NAME).is_file() {
            return Err(WorkspaceError::NotAWorkspace(root.to_path_buf()));
        }
        let root = root.canonicalize().map_err(io(root))?;
        let (settings, _) = settings::load(&root)?;
        let data = root.join(DATA_DIR);
        std::fs::create_dir_all(&data).map_err(io(&data))?;
        let store = Store::open(&data.join(DB_FILE))?;
        Ok(Workspace {
            root,
            settings,
            store,
        })
    }

    /// Creates a workspace in `root` (new or empty) with the default templates and style packs.
    pub fn init(root: &Path, actor: &str, now: Timestamp) -> WorkspaceResult<Workspace> {
        prepare_empty(root)?;
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "Imprimatur".to_string());
        for folder in FOLDERS {
            let p = root.join(folder);
            std::fs::create_dir_all(&p).map_err(io(&p))?;
        }
        bundled::extract(&bundled::TEMPLATES, &root.join("templates"), &|_| false)?;
        bundled::extract(&bundled::STYLEGUIDES, &root.join("styleguides"), &|_| false)?;
        settings::write_atomically(
            &root.join(settings::FILE_NAME),
            &settings::default_text(&name),
        )?;
        let mut ws = Workspace::open(root)?;
        ws.store
            .record(actor, "workspace.init", &name, &serde_json::json!({}), now)?;
        Ok(ws)
    }

    /// Creates a copy of the bundled demo workspace in `root` (new or empty). Its
    /// published articles are imported as documents.
    pub fn create_demo(root: &Path, actor: &str, now: Timestamp) -> WorkspaceResult<Workspace> {
        prepare_empty(root)?;
        bundled::extract(&bundled::DEMO, root, &|p| p.starts_with("documents"))?;
        for folder in FOLDERS {
            let p = root.join(folder);
            std::fs::create_dir_all(&p).map_err(io(&p))?;
        }
        let mut ws = Workspace::open(root)?;
        let name = ws.settings.workspace.name.clone();
        ws.store
            .record(actor, "workspace.demo", &name, &serde_json::json!({}), now)?;
        let mut articles: Vec<_> = bundled::DEMO
            .get_dir("documents")
            .map(|d| d.files().collect())
            .unwrap_or_default();
        articles.sort_by_key(|f| f.path());
        for f in articles {
            let text = f.contents_utf8().ok_or_else(|| WorkspaceError::NotText {
                path: f.path().to_path_buf(),
                offset: 0,
            })?;
            let title = title_of(text, f.path());
            ws.import_text(&title, text, actor, now)?;
        }
        // The demo's previously published web articles, as an imported corpus the
        // duplicates check compares drafts with (duplicates.rs).
        let corpus = ws.root.join("corpus").join("website");
        if corpus.is_dir() {
            ws.import_corpus(&[corpus], "website", &mut |_, _, _| {})?;
        }
        Ok(ws)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    pub fn info(&self) -> WorkspaceInfo {
        WorkspaceInfo {
            root: self.root.display().to_string(),
            name: self.settings.workspace.name.clone(),
            language: self.settings.workspace.language.as_str().to_string(),
        }
    }

    /// A document with its newest revision, as the editor opens it.
    pub fn open_document(&self, id: &DocumentId) -> WorkspaceResult<OpenDocument> {
        Ok(OpenDocument {
            document: self.store.document(id)?,
            head: self.store.head(id)?,
        })
    }

    /// Creates a document from a text file: the title comes from its front matter,
    /// its first heading or its file name, and the first revision has origin `import`.
    pub fn import_file(
        &mut self,
        path: &Path,
        actor: &str,
        now: Timestamp,
    ) -> WorkspaceResult<(DocumentSummary, SaveOutcome)> {
        let text = read_text(path)?;
        let title = title_of(&text, path);
        self.import_text(&title, &text, actor, now)
    }

    fn import_text(
        &mut self,
        title: &str,
        text: &str,
        actor: &str,
        now: Timestamp,
    ) -> WorkspaceResult<(DocumentSummary, SaveOutcome)> {
        let doc = self.store.create_document(title, actor, now)?;
        let saved = self.store.save(
            &doc.id,
            NewRevision {
                content: text,
                author: actor,
                origin: Origin::Import,
                message: None,
            },
            now,
        )?;
        Ok((self.store.document(&doc.id)?, saved))
    }

    /// Changes one setting in `imprimatur.toml` and records the change in the audit log.
    pub fn set_setting(
        &mut self,
        key: &str,
        value: &str,
        actor: &str,
        now: Timestamp,
    ) -> WorkspaceResult<()> {
        let (old, new) = settings::set(&self.root, key, value)?;
        self.settings = settings::parse(&self.root.join(settings::FILE_NAME), &new)?;
        let hash = imprimatur_store::content_hash;
        self.store.record(
            actor,
            "settings.change",
            settings::FILE_NAME,
            &serde_json::json!({ "key": key, "value": value, "before": hash(&old), "after": hash(&new) }),
            now,
        )?;
        Ok(())
    }
}

fn prepare_empty(root: &Path) -> WorkspaceResult<()> {
    if root.exists() {
        let mut entries = std::fs::read_dir(root).map_err(io(root))?;
        if entries.next().is_some() {
            return Err(WorkspaceError::NotEmpty(root.to_path_buf()));
        }
    } else {
        std::fs::create_dir_all(root).map_err(io(root))?;
    }
    Ok(())
}

/// Reads a file that must be UTF-8 text, naming the first bad byte otherwise.
pub fn read_text(path: &Path) -> WorkspaceResult<String> {
    let bytes = std::fs::read(path).map_err(io(path))?;
    String::from_utf8(bytes).map_err(|e| WorkspaceError::NotText {
        path: path.to_path_buf(),
        offset: e.utf8_error().valid_up_to(),
    })
}

/// The `title:` of the front matter, else the first `# ` heading, else the file stem.
/// A full front-matter parser arrives with the SEO check; a title is all this needs.
fn title_of(text: &str, path: &Path) -> String {
    let text = text.trim_start_matches('\u{feff}');
    if let Some(rest) = text.strip_prefix("---\n") {
        if let Some(end) = rest.find("\n---") {
            for line in rest[..end].lines() {
                if let Some(v) = line.strip_prefix("title:") {
                    let v = v.trim().trim_matches(|c| c == '"' || c == '\'');
                    if !v.is_empty() {
                        return v.to_string();
                    }
                }
            }
        }
    }
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("# ") {
            return h.trim().to_string();
        }
    }
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Untitled".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_prefers_front_matter_then_heading_then_file_name() {
        let p = Path::new("a/datei.md");
        assert_eq!(
            title_of("---\ntitle: \"Förderung 2026\"\n---\n# H\n", p),
            "Förderung 2026"
        );
        assert_eq!(title_of("Intro\n# Überschrift\n", p), "Überschrift");
        assert_eq!(title_of("nur Text", p), "datei");
    }
}
