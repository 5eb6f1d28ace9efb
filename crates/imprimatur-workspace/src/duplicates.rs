//! Duplicates in a workspace: the corpus index a draft is compared with, kept in
//! `.imprimatur/duplicates/index.json`, and the `[duplicates]` check of the pipeline.
//!
//! The index holds three kinds of texts (the `sources` of `[duplicates]`):
//! the workspace's own documents (their head revisions), imported corpora of published
//! texts (`imprimatur corpus import`), and the files of `knowledge/`. Each entry keeps
//! its indexed text (for verification and the side-by-side view), its MinHash signature
//! and its winnowed fingerprints, so loading the index re-inserts what is stored and only
//! new or changed texts are profiled again: documents by head revision, knowledge files
//! by size and modification time and then content hash, corpus files by content hash.
//!
//! A JSON file rather than a store table: the index is derived data (it can always be
//! rebuilt from the documents, the knowledge folder and the corpus texts it keeps), so it
//! stays out of the revision store and its migrations, like the knowledge index.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex, MutexGuard};
use std::time::SystemTime;

use imprimatur_check::{Document, Finding, Lang};
use imprimatur_dup::{DupIndex, DupSettings, DupSource, OtherText};
use imprimatur_ingest::{ExtractError, Format};
use imprimatur_store::DocumentId;
use serde::{Deserialize, Serialize};

use crate::error::io;
use crate::ipc::{CorpusImport, CorpusSkip, DuplicateSource};
use crate::{Workspace, WorkspaceError, WorkspaceResult};

const DIR: &str = "duplicates";
const FILE: &str = "index.json";
/// Bumped when the stored entries change meaning; an older file is rebuilt.
const FORMAT: u32 = 1;

/// One indexed text.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    source: DupSource,
    /// The corpus name, for imported texts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    corpus: Option<String>,
    /// Where the text came from: the imported file, the knowledge file (relative to
    /// the workspace); `None` for documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    title: Option<String>,
    /// What says the text is unchanged without reading it: the head revision of a
    /// document, `size:mtime` of a knowledge file, the content hash of a corpus file.
    stamp: String,
    /// Content hash of the original text (document source, file bytes as text).
    content_hash: String,
    /// The compared text: the prose of Markdown, the visible text of HTML, plain text.
    text: String,
    signature: Vec<u32>,
    fingerprints: Vec<(u64, u32)>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    format: u32,
    /// The settings the signatures and fingerprints were made with.
    profile_key: String,
    entries: BTreeMap<String, Entry>,
}

/// The settings that change what is stored per text (not the thresholds).
fn profile_key(s: &DupSettings) -> String {
    format!(
        "shingle={} perm={} gram={} window={}",
        s.shingle_words, s.num_perm, s.passage_gram_words, s.passage_window
    )
}

/// A loaded index: the stored entries and the in-memory tables built from them.
struct Loaded {
    stored: Stored,
    index: DupIndex,
    settings: DupSettings,
    /// Modification time of the file when it was last read or written here, so another
    /// process's change (`corpus import` while the app runs) is picked up.
    file_mtime: Option<SystemTime>,
}

static LOADED: LazyLock<Mutex<HashMap<PathBuf, Loaded>>> = LazyLock::new(Default::default);

fn lock() -> MutexGuard<'static, HashMap<PathBuf, Loaded>> {
    // The file is written atomically; after a panic the in-memory copy is rebuilt from it.
    LOADED.lock().unwrap_or_else(|p| p.into_inner())
}

fn index_file(root: &Path) -> PathBuf {
    root.join(crate::DATA_DIR).join(DIR).join(FILE)
}

fn mtime(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Reads the stored index; a missing, unreadable or outdated file gives an empty one
/// (it is derived data and is rebuilt on the next refresh).
fn read_stored(file: &Path, settings: &DupSettings) -> Stored {
    let fresh = || Stored {
        format: FORMAT,
        profile_key: profile_key(settings),
        entries: BTreeMap::new(),
    };
    let Ok(bytes) = std::fs::read(file) else {
        return fresh();
    };
    match serde_json::from_slice::<Stored>(&bytes) {
        Ok(s) if s.format == FORMAT => s,
        _ => fresh(),
    }
}

fn write_stored(file: &Path, stored: &Stored) -> WorkspaceResult<()> {
    let dir = file.parent().expect("index file has a folder");
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let tmp = file.with_extension("json.tmp");
    let bytes = serde_json::to_vec(stored).expect("the index serialises");
    std::fs::write(&tmp, bytes).map_err(io(&tmp))?;
    std::fs::rename(&tmp, file).map_err(io(file))
}

impl Loaded {
    fn open(root: &Path, settings: &DupSettings) -> Loaded {
        let file = index_file(root);
        let file_mtime = mtime(&file);
        let mut stored = read_stored(&file, settings);
        let key = profile_key(settings);
        let mut index = DupIndex::new(settings);
        if stored.profile_key != key {
            // Shingle or gram sizes changed: profile every stored text again.
            for e in stored.entries.values_mut() {
                let p = index.profile(&e.text);
                e.fingerprints = index.fingerprints_of(&p);
                e.signature = p.signature;
            }
            stored.profile_key = key;
        }
        for (id, e) in &stored.entries {
            index.upsert_indexed(id, &e.signature, &e.fingerprints);
        }
        Loaded {
            stored,
            index,
            settings: settings.clone(),
            file_mtime,
        }
    }

    fn put(&mut self, id: String, mut entry: Entry) {
        let p = self.index.profile(&entry.text);
        entry.fingerprints = self.index.fingerprints_of(&p);
        entry.signature = p.signature;
        self.index
            .upsert_indexed(&id, &entry.signature, &entry.fingerprints);
        self.stored.entries.insert(id, entry);
    }

    fn drop_entry(&mut self, id: &str) {
        self.index.remove(id);
        self.stored.entries.remove(id);
    }

    fn save(&mut self, root: &Path) -> WorkspaceResult<()> {
        let file = index_file(root);
        write_stored(&file, &self.stored)?;
        self.file_mtime = mtime(&file);
        Ok(())
    }

    fn other_text(&self, id: &str) -> Option<OtherText> {
        let e = self.stored.entries.get(id)?;
        Some(OtherText {
            text: e.text.clone(),
            path: e.path.clone(),
            title: e.title.clone(),
        })
    }
}

/// The text a Markdown file is compared by: its prose (front matter and markup left out,
/// as for the draft); other formats as extracted.
fn compared_text(format: Format, extracted_text: &str, lang: Lang) -> String {
    match format {
        Format::Markdown => Document::parse(extracted_text, lang).prose.text,
        _ => extracted_text.to_string(),
    }
}

/// Files under `path` (or `path` itself), sorted, hidden ones left out.
fn files_under(path: &Path) -> WorkspaceResult<Vec<PathBuf>> {
    let meta = std::fs::metadata(path).map_err(io(path))?;
    if meta.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(io(&dir))? {
            let entry = entry.map_err(io(&dir))?;
            let p = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else if p.is_file() {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Why a file is not imported, in words for the user.
fn skip_reason(e: &ExtractError) -> String {
    match e {
        ExtractError::Unsupported { extension, .. } if extension.is_empty() => {
            "no file extension; corpus files are Markdown (.md), HTML (.html) or text (.txt)"
                .to_string()
        }
        ExtractError::Unsupported { extension, .. } => format!(
            "`.{extension}` is not a corpus format; use Markdown (.md), HTML (.html) or text (.txt)"
        ),
        ExtractError::Binary { offset, .. } => {
            format!("binary file (NUL byte at byte {offset}), not text; skipped")
        }
        other => other.to_string(),
    }
}

fn content_hash_of_bytes(bytes: &[u8]) -> String {
    imprimatur_store::content_hash(&String::from_utf8_lossy(bytes))
}

impl Workspace {
    /// The `[duplicates]` settings, or their defaults.
    pub fn dup_settings(&self) -> DupSettings {
        self.settings().duplicates.clone().unwrap_or_default()
    }

    fn doc_lang(&self) -> Lang {
        match self.settings().workspace.language {
            crate::Language::De => Lang::De,
            crate::Language::En => Lang::En,
        }
    }

    /// Runs `f` on this workspace's index, loaded (or reloaded when the file changed
    /// or the settings did) and brought up to date with the documents and knowledge/.
    fn with_dup_index<T>(&self, f: impl FnOnce(&mut Loaded) -> T) -> WorkspaceResult<T> {
        let settings = self.dup_settings();
        let root = self.root().to_path_buf();
        let mut all = lock();
        let stale = match all.get(&root) {
            None => true,
            Some(l) => l.settings != settings || l.file_mtime != mtime(&index_file(&root)),
        };
        if stale {
            all.insert(root.clone(), Loaded::open(&root, &settings));
        }
        let loaded = all.get_mut(&root).expect("just inserted");
        if self.refresh_dup_index(loaded)? {
            loaded.save(&root)?;
        }
        Ok(f(loaded))
    }

    /// Indexes new and changed documents and knowledge files and drops deleted ones;
    /// returns whether anything changed.
    fn refresh_dup_index(&self, loaded: &mut Loaded) -> WorkspaceResult<bool> {
        let sources = loaded.settings.sources.clone();
        let mut changed = false;
        // Documents: by head revision.
        let mut seen = std::collections::HashSet::new();
        if sources.contains(&DupSource::Documents) {
            for d in self.store().documents()? {
                let Some(head_id) = &d.head else { continue };
                let id = format!("doc:{}", d.id);
                let stamp = head_id.to_string();
                seen.insert(id.clone());
                let current = loaded.stored.entries.get(&id);
                if current.is_some_and(|e| e.stamp == stamp && e.title.as_deref() == Some(&d.title))
                {
                    continue;
                }
                let Some(head) = self.store().head(&d.id)? else {
                    continue;
                };
                let text = self.parse_document(&head.content).prose.text;
                loaded.put(
                    id,
                    Entry {
                        source: DupSource::Documents,
                        corpus: None,
                        path: None,
                        title: Some(d.title.clone()),
                        stamp,
                        content_hash: head.meta.content_hash.clone(),
                        text,
                        signature: Vec::new(),
                        fingerprints: Vec::new(),
                    },
                );
                changed = true;
            }
        }
        // knowledge/: by size and modification time, then by content.
        if sources.contains(&DupSource::Knowledge) {
            let dir = crate::knowledge::knowledge_dir(self.root());
            let files = if dir.is_dir() {
                files_under(&dir)?
            } else {
                Vec::new()
            };
            for file in files {
                let Some(format) = Format::from_path(&file) else {
                    continue;
                };
                let rel = file
                    .strip_prefix(self.root())
                    .unwrap_or(&file)
                    .to_string_lossy()
                    .replace('\\', "/");
                let id = format!("kb:{rel}");
                let Ok(meta) = std::fs::metadata(&file) else {
                    continue;
                };
                let modified = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                let stamp = format!("{}:{modified}", meta.len());
                seen.insert(id.clone());
                if loaded
                    .stored
                    .entries
                    .get(&id)
                    .is_some_and(|e| e.stamp == stamp)
                {
                    continue;
                }
                let Ok(bytes) = std::fs::read(&file) else {
                    continue;
                };
                let hash = content_hash_of_bytes(&bytes);
                if let Some(e) = loaded.stored.entries.get_mut(&id) {
                    if e.content_hash == hash {
                        // Touched, not changed: not indexed again.
                        e.stamp = stamp;
                        changed = true;
                        continue;
                    }
                }
                // A file that cannot be read as text is left out; the knowledge panel
                // names it.
                let Ok(ex) = imprimatur_ingest::extract(&file, &bytes) else {
                    loaded.drop_entry(&id);
                    continue;
                };
                let text = compared_text(format, &ex.text, self.doc_lang());
                loaded.put(
                    id,
                    Entry {
                        source: DupSource::Knowledge,
                        corpus: None,
                        path: Some(rel),
                        title: ex.meta.title.clone(),
                        stamp,
                        content_hash: hash,
                        text,
                        signature: Vec::new(),
                        fingerprints: Vec::new(),
                    },
                );
                changed = true;
            }
        }
        let gone: Vec<String> = loaded
            .stored
            .entries
            .iter()
            .filter(|(id, e)| {
                let tracked = matches!(e.source, DupSource::Documents | DupSource::Knowledge);
                let off = !sources.contains(&e.source);
                (tracked && !seen.contains(*id)) || off
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in gone {
            // A source turned off in the settings is dropped too; corpus entries come
            // back with the next import.
            loaded.drop_entry(&id);
            changed = true;
        }
        Ok(changed)
    }

    /// Imports an external corpus of published texts: every Markdown, HTML or text file
    /// under `paths` (files or folders), as corpus `name`. A file whose content is
    /// unchanged since its last import is not indexed again; files that are not text are
    /// skipped and listed. `progress(done, total, file)` is called before each file.
    pub fn import_corpus(
        &self,
        paths: &[PathBuf],
        name: &str,
        progress: &mut dyn FnMut(usize, usize, &Path),
    ) -> WorkspaceResult<CorpusImport> {
        let mut files: Vec<(PathBuf, String)> = Vec::new();
        for p in paths {
            let base = if p.is_dir() {
                p.clone()
            } else {
                p.parent().map(Path::to_path_buf).unwrap_or_default()
            };
            for f in files_under(p)? {
                let rel = f
                    .strip_prefix(&base)
                    .unwrap_or(&f)
                    .to_string_lossy()
                    .replace('\\', "/");
                files.push((f, rel));
            }
        }
        let lang = self.doc_lang();
        let mut report = CorpusImport {
            name: name.to_string(),
            files: files.len() as u32,
            imported: 0,
            unchanged: 0,
            skipped: Vec::new(),
            indexed: 0,
        };
        let total = files.len();
        self.with_dup_index(|loaded| -> WorkspaceResult<()> {
            if !loaded.settings.sources.contains(&DupSource::Corpus) {
                return Err(WorkspaceError::Settings {
                    file: self.root().join("imprimatur.toml"),
                    line: 1,
                    column: 1,
                    message: "[duplicates] sources does not include \"corpus\"; add it to compare drafts with imported texts".into(),
                });
            }
            for (i, (file, rel)) in files.iter().enumerate() {
                progress(i, total, file);
                let shown = file.display().to_string();
                let bytes = match std::fs::read(file) {
                    Ok(b) => b,
                    Err(e) => {
                        report.skipped.push(CorpusSkip {
                            path: shown,
                            reason: format!("cannot read the file: {e}"),
                        });
                        continue;
                    }
                };
                let ex = match imprimatur_ingest::extract(file, &bytes) {
                    Ok(ex) => ex,
                    Err(e) => {
                        report.skipped.push(CorpusSkip {
                            path: shown,
                            reason: skip_reason(&e),
                        });
                        continue;
                    }
                };
                let id = format!("corpus:{name}/{rel}");
                let hash = content_hash_of_bytes(&bytes);
                if loaded
                    .stored
                    .entries
                    .get(&id)
                    .is_some_and(|e| e.content_hash == hash)
                {
                    report.unchanged += 1;
                    continue;
                }
                let text = compared_text(ex.format, &ex.text, lang);
                let title = ex.meta.title.clone().or_else(|| {
                    Some(crate::title_of(&String::from_utf8_lossy(&bytes), file))
                });
                loaded.put(
                    id,
                    Entry {
                        source: DupSource::Corpus,
                        corpus: Some(name.to_string()),
                        path: Some(rel.clone()),
                        title,
                        stamp: hash.clone(),
                        content_hash: hash,
                        text,
                        signature: Vec::new(),
                        fingerprints: Vec::new(),
                    },
                );
                report.imported += 1;
            }
            progress(total, total, Path::new(""));
            loaded.save(self.root())?;
            report.indexed = loaded.index.len() as u32;
            Ok(())
        })??;
        Ok(report)
    }

    /// The duplicates findings of `doc` (the parsed `source`; `this` is its document,
    /// if stored): near-duplicates and copied passages against the index. Same-topic
    /// verdicts need the embedding model and are not part of the live check.
    pub(crate) fn duplicate_findings(
        &self,
        doc: &Document,
        source: &str,
        this: Option<&DocumentId>,
    ) -> WorkspaceResult<Vec<Finding>> {
        let own_hash = imprimatur_store::content_hash(source);
        self.with_dup_index(|loaded| {
            // `imprimatur check FILE` has no id: the document whose head is this very
            // text is the draft itself.
            let own_id = match this {
                Some(id) => Some(format!("doc:{id}")),
                None => loaded
                    .stored
                    .entries
                    .iter()
                    .find(|(_, e)| e.source == DupSource::Documents && e.content_hash == own_hash)
                    .map(|(id, _)| id.clone()),
            };
            imprimatur_dup::check(
                doc,
                own_id.as_deref(),
                &loaded.index,
                |id| loaded.other_text(id),
                &[],
            )
        })
    }

    /// An indexed text, as the side-by-side view shows it (spans in duplicates findings'
    /// evidence are byte offsets into `text`).
    pub fn duplicate_source(&self, id: &str) -> WorkspaceResult<Option<DuplicateSource>> {
        self.with_dup_index(|loaded| {
            loaded.stored.entries.get(id).map(|e| DuplicateSource {
                id: id.to_string(),
                source: e.source.as_str().to_string(),
                corpus: e.corpus.clone(),
                path: e.path.clone(),
                title: e.title.clone(),
                text: e.text.clone(),
            })
        })
    }

    /// How many texts of each source the index holds (after bringing it up to date).
    pub fn duplicate_index_counts(&self) -> WorkspaceResult<BTreeMap<String, u32>> {
        self.with_dup_index(|loaded| {
            let mut out = BTreeMap::new();
            for e in loaded.stored.entries.values() {
                *out.entry(e.source.as_str().to_string()).or_insert(0) += 1;
            }
            out
        })
    }
}
