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

use imprimatur_check::{CheckKind, Document, Finding, Lang, Message, Severity};
use imprimatur_dup::{DupIndex, DupSettings, DupSource, OtherText, TopicVectors};
use imprimatur_ingest::{ExtractError, Format};
use imprimatur_knowledge::chosen::Embedding;
use imprimatur_store::DocumentId;
use serde::{Deserialize, Serialize};

use crate::error::io;
use crate::ipc::{CorpusImport, CorpusSkip, DuplicateSource};
use crate::knowledge::Knowledge;
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
    /// The focus keyphrase of a Markdown text's front matter, for the same-topic signal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    keyphrase: Option<String>,
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
    /// Same-topic vectors of the indexed documents and corpus texts.
    #[serde(default)]
    topics: TopicStore,
}

/// Embeddings for the same-topic signal, keyed by the content hash of the text they
/// were made from, so an unchanged text is never embedded again (the text, its title
/// and its keyphrase are all inside what the hash covers).
#[derive(Debug, Default, Serialize, Deserialize)]
struct TopicStore {
    /// The identity of the embedder that made the vectors; another embedder's vectors
    /// are not comparable, so they are dropped when it changes.
    embedder: Option<String>,
    vectors: BTreeMap<String, StoredTopic>,
}

type StoredTopic = TopicVectors;

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
    /// Topic vectors of drafts (texts not in the index) by content hash, newest last:
    /// the live check embeds a draft once, however often it is checked unchanged.
    drafts: Vec<(String, StoredTopic)>,
}

/// Drafts whose topic vectors are kept in memory (the open one and a few switched from).
const DRAFT_CACHE: usize = 8;

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
        topics: TopicStore::default(),
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
            drafts: Vec::new(),
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

    /// The id of the draft's own entry: document `this`, or, when no id is known
    /// (`imprimatur check FILE`), the document whose head is this very text.
    fn own_id(&self, this: Option<&DocumentId>, own_hash: &str) -> Option<String> {
        match this {
            Some(id) => Some(format!("doc:{id}")),
            None => self
                .stored
                .entries
                .iter()
                .find(|(_, e)| e.source == DupSource::Documents && e.content_hash == own_hash)
                .map(|(id, _)| id.clone()),
        }
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
/// as for the draft) and its front matter's keyphrase; other formats as extracted.
fn compared_text(format: Format, extracted_text: &str, lang: Lang) -> (String, Option<String>) {
    match format {
        Format::Markdown => {
            let doc = Document::parse(extracted_text, lang);
            (doc.prose.text, doc.front_matter.keyphrase)
        }
        _ => (extracted_text.to_string(), None),
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

/// The texts one set of topic vectors is made from.
struct TopicTexts {
    document: String,
    title: Option<String>,
    keyphrase: Option<String>,
}

#[derive(Debug, thiserror::Error)]
enum TopicFailure {
    #[error("the embedder failed: {0}")]
    Embed(Box<dyn std::error::Error + Send + Sync>),
    #[error("the duplicates index could not be saved: {0}")]
    Save(WorkspaceError),
}

/// The first `# ` heading of a Markdown text, the title of a draft without front matter.
fn first_heading(source: &str) -> Option<String> {
    source
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// Embeds body, title and keyphrase of each item in one batch (the model batches by
/// length). Similar texts are a symmetric task: `query: ` on both sides, as the e5
/// model card says and as the paraphrase metrics of imprimatur-dup measure it. A body
/// longer than the model's window is cut there; its opening carries the topic.
fn embed_topics(
    embedding: &Embedding,
    items: &[&TopicTexts],
) -> Result<Vec<StoredTopic>, Box<dyn std::error::Error + Send + Sync>> {
    fn present(t: &Option<String>) -> Option<&str> {
        t.as_deref().map(str::trim).filter(|t| !t.is_empty())
    }
    let mut texts: Vec<&str> = Vec::new();
    for it in items {
        texts.push(&it.document);
        texts.extend(present(&it.title));
        texts.extend(present(&it.keyphrase));
    }
    let vectors = match embedding {
        Embedding::Local(e) => e.embed_queries(&texts)?,
        Embedding::Remote(e) => e.embed_queries(&texts)?,
    };
    let mut vectors = vectors.into_iter();
    let mut next = || {
        vectors
            .next()
            .ok_or("the embedder returned fewer vectors than texts")
    };
    let mut out = Vec::with_capacity(items.len());
    for it in items {
        let document = next()?;
        let title = present(&it.title).map(|_| next()).transpose()?;
        let keyphrase = present(&it.keyphrase).map(|_| next()).transpose()?;
        out.push(StoredTopic {
            document,
            title,
            keyphrase,
        });
    }
    Ok(out)
}

/// The one finding that says the same-topic signal compared the draft with only some
/// texts: the others are still to be embedded.
fn topic_partial(doc: &Document, compared: usize, waiting: usize) -> Finding {
    let text = match doc.lang {
        Lang::De => format!("Gleiches Thema: mit {compared} Texten verglichen; {waiting} weitere werden bei den nächsten Prüfungen eingebettet."),
        Lang::En => format!("Same topic: compared with {compared} texts; {waiting} more are embedded in the next checks."),
    };
    let args = [
        ("compared", compared.to_string()),
        ("waiting", waiting.to_string()),
    ];
    topic_note(doc, "dup.same_topic_partial", &args, text)
}

/// The one finding that says the same-topic signal did not run, and why.
fn topic_skipped(doc: &Document, why: &str) -> Finding {
    let text = match doc.lang {
        Lang::De => format!("Die Prüfung auf gleiche Themen wurde übersprungen: {why}"),
        Lang::En => format!("The same-topic check was skipped: {why}"),
    };
    topic_note(
        doc,
        "dup.same_topic_skipped",
        &[("reason", why.to_string())],
        text,
    )
}

/// A note about the same-topic run itself (not about a place in the text): info, at the
/// start of the body.
fn topic_note(doc: &Document, code: &str, args: &[(&str, String)], text: String) -> Finding {
    Finding {
        check: CheckKind::Duplicates,
        code: code.to_string(),
        severity: Severity::Info,
        message: Message {
            key: code.to_string(),
            args: args
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            text,
        },
        span: doc.span(doc.body_start, doc.body_start),
        fix: None,
        evidence: None,
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
                let parsed = self.parse_document(&head.content);
                loaded.put(
                    id,
                    Entry {
                        source: DupSource::Documents,
                        corpus: None,
                        path: None,
                        title: Some(d.title.clone()),
                        keyphrase: parsed.front_matter.keyphrase,
                        stamp,
                        content_hash: head.meta.content_hash.clone(),
                        text: parsed.prose.text,
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
                let (text, keyphrase) = compared_text(format, &ex.text, self.doc_lang());
                loaded.put(
                    id,
                    Entry {
                        source: DupSource::Knowledge,
                        corpus: None,
                        path: Some(rel),
                        title: ex.meta.title.clone(),
                        keyphrase,
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
    /// skipped and listed. An import is the whole corpus: texts of `name` whose files are
    /// no longer among `paths` (deleted from the folder, or no longer text) are removed.
    /// `progress(done, total, file)` is called before each file.
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
            added: 0,
            updated: 0,
            removed: 0,
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
            let mut kept = std::collections::HashSet::new();
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
                kept.insert(id.clone());
                let hash = content_hash_of_bytes(&bytes);
                match loaded.stored.entries.get(&id) {
                    Some(e) if e.content_hash == hash => {
                        report.unchanged += 1;
                        continue;
                    }
                    Some(_) => report.updated += 1,
                    None => report.added += 1,
                }
                let (text, keyphrase) = compared_text(ex.format, &ex.text, lang);
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
                        keyphrase,
                        stamp: hash.clone(),
                        content_hash: hash,
                        text,
                        signature: Vec::new(),
                        fingerprints: Vec::new(),
                    },
                );
                report.imported += 1;
            }
            let gone: Vec<String> = loaded
                .stored
                .entries
                .iter()
                .filter(|(id, e)| {
                    e.source == DupSource::Corpus
                        && e.corpus.as_deref() == Some(name)
                        && !kept.contains(*id)
                })
                .map(|(id, _)| id.clone())
                .collect();
            report.removed = gone.len() as u32;
            for id in gone {
                loaded.drop_entry(&id);
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
    /// verdicts need the embedding model: [`Workspace::same_topic_findings`].
    pub(crate) fn duplicate_findings(
        &self,
        doc: &Document,
        source: &str,
        this: Option<&DocumentId>,
    ) -> WorkspaceResult<Vec<Finding>> {
        let own_hash = imprimatur_store::content_hash(source);
        self.with_dup_index(|loaded| {
            let own_id = loaded.own_id(this, &own_hash);
            imprimatur_dup::check(
                doc,
                own_id.as_deref(),
                &loaded.index,
                |id| loaded.other_text(id),
                &[],
            )
        })
    }

    /// The `dup.same_topic` findings of `doc` (the parsed `source`; `this` is its
    /// document, if stored): embedding similarity of the body, title and keyphrase with
    /// those of the workspace's documents and the imported corpora (knowledge files are
    /// sources to write from, not pages competing for the same queries). The embedder is
    /// the knowledge base's, from `knowledge` (loaded once and shared). Indexed texts are
    /// embedded once per content hash and the vectors kept in the index; the draft once
    /// per content hash, in memory. Without an embedder, or when embedding fails, the
    /// result is one `dup.same_topic_skipped` finding that says why.
    ///
    /// `budget`: at most this many indexed texts are embedded in this call (the
    /// workspace's documents first), so a live check after a large corpus import stays
    /// quick; the rest follow in the next checks, and until then one
    /// `dup.same_topic_partial` finding says with how many texts the draft was compared.
    /// `None` embeds all (the CLI's single check).
    pub fn same_topic_findings(
        &self,
        doc: &Document,
        source: &str,
        this: Option<&DocumentId>,
        knowledge: &Knowledge,
        budget: Option<usize>,
    ) -> Vec<Finding> {
        let settings = self.dup_settings();
        let compared = |s: DupSource| {
            settings.sources.contains(&s) && matches!(s, DupSource::Documents | DupSource::Corpus)
        };
        if !compared(DupSource::Documents) && !compared(DupSource::Corpus) {
            return Vec::new();
        }
        if doc.prose.text.trim().is_empty() {
            return Vec::new();
        }
        // Nothing to compare with (a new workspace): the model is not even loaded.
        let anything =
            self.with_dup_index(|l| l.stored.entries.values().any(|e| compared(e.source)));
        if !matches!(anything, Ok(true)) {
            return Vec::new();
        }
        let embedding = match knowledge.embedder(self.root()) {
            Ok(e) => e,
            Err(e) => return vec![topic_skipped(doc, &e.to_string())],
        };
        let draft_texts = TopicTexts {
            document: doc.prose.text.clone(),
            title: doc
                .front_matter
                .title
                .clone()
                .or_else(|| first_heading(source)),
            keyphrase: doc.front_matter.keyphrase.clone(),
        };
        let own_hash = imprimatur_store::content_hash(source);
        let result = self.with_dup_index(|loaded| -> Result<Vec<Finding>, TopicFailure> {
            let identity = embedding.identity();
            let topics = &mut loaded.stored.topics;
            let mut changed = false;
            if topics.embedder.as_deref() != Some(identity.as_str()) {
                topics.vectors.clear();
                topics.embedder = Some(identity);
                loaded.drafts.clear();
                changed = true;
            }
            // Indexed texts without vectors (new or changed since the last check).
            let mut missing: Vec<(&str, TopicTexts)> = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for source in [DupSource::Documents, DupSource::Corpus] {
                for e in loaded.stored.entries.values() {
                    if e.source == source
                        && compared(e.source)
                        && !loaded.stored.topics.vectors.contains_key(&e.content_hash)
                        && seen.insert(e.content_hash.as_str())
                    {
                        missing.push((
                            e.content_hash.as_str(),
                            TopicTexts {
                                document: e.text.clone(),
                                title: e.title.clone(),
                                keyphrase: e.keyphrase.clone(),
                            },
                        ));
                    }
                }
            }
            let waiting = missing.len().saturating_sub(budget.unwrap_or(usize::MAX));
            missing.truncate(missing.len() - waiting);
            if !missing.is_empty() {
                let items: Vec<&TopicTexts> = missing.iter().map(|(_, t)| t).collect();
                let vectors = embed_topics(&embedding, &items).map_err(TopicFailure::Embed)?;
                let hashes: Vec<String> = missing.iter().map(|(h, _)| h.to_string()).collect();
                for (hash, v) in hashes.into_iter().zip(vectors) {
                    loaded.stored.topics.vectors.insert(hash, v);
                }
                changed = true;
            }
            // Vectors of texts that left the index.
            let live: std::collections::HashSet<&str> = loaded
                .stored
                .entries
                .values()
                .map(|e| e.content_hash.as_str())
                .collect();
            let before = loaded.stored.topics.vectors.len();
            loaded
                .stored
                .topics
                .vectors
                .retain(|h, _| live.contains(h.as_str()));
            changed |= loaded.stored.topics.vectors.len() != before;
            if changed {
                loaded.save(self.root()).map_err(TopicFailure::Save)?;
            }
            // The draft: an indexed text's vectors, or the cache, or embedded now.
            let draft = match loaded.stored.topics.vectors.get(&own_hash) {
                Some(v) => v.clone(),
                None => match loaded.drafts.iter().position(|(h, _)| *h == own_hash) {
                    Some(i) => {
                        let hit = loaded.drafts.remove(i);
                        loaded.drafts.push(hit.clone());
                        hit.1
                    }
                    None => {
                        let v = embed_topics(&embedding, &[&draft_texts])
                            .map_err(TopicFailure::Embed)?
                            .remove(0);
                        if loaded.drafts.len() >= DRAFT_CACHE {
                            loaded.drafts.remove(0);
                        }
                        loaded.drafts.push((own_hash.clone(), v.clone()));
                        v
                    }
                },
            };
            let own_id = loaded.own_id(this, &own_hash);
            let others = loaded
                .stored
                .entries
                .iter()
                .filter(|(id, e)| compared(e.source) && Some(id.as_str()) != own_id.as_deref())
                .filter_map(|(id, e)| {
                    let v = loaded.stored.topics.vectors.get(&e.content_hash)?;
                    Some((id.as_str(), v))
                });
            let verdicts = imprimatur_dup::same_topic(&draft, others, &settings);
            let mut findings =
                imprimatur_dup::topic_findings(doc, own_id.as_deref(), &verdicts, |id| {
                    loaded.other_text(id)
                });
            if waiting > 0 {
                findings.push(topic_partial(doc, verdicts.len(), waiting));
            }
            Ok(findings)
        });
        match result {
            Ok(Ok(findings)) => findings,
            Ok(Err(e)) => vec![topic_skipped(doc, &e.to_string())],
            Err(e) => vec![topic_skipped(
                doc,
                &format!("the duplicates index could not be updated: {e}"),
            )],
        }
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
