//! The knowledge base as a workspace's `[knowledge]` settings choose it: which embedder
//! ([`Embedding`]: local e5 or a remote endpoint) and which index ([`Index`]: the
//! embedded one in `.imprimatur/knowledge/` or a Qdrant server). The CLI and the app
//! both go through [`Embedding::load`], [`Index::open`] and [`search`], so a setting
//! means the same in both.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use imprimatur_model::KeySource;

use crate::pipeline::{PassageEmbedder, SourceIndex};
use crate::remote::RemoteEmbedder;
use crate::settings::{EmbedderSetting, IndexLocation};
use crate::{Hit, KnowledgeBase, KnowledgeError, SearchMode, SearchQuery};

/// The embedder the settings chose, loaded or connected.
pub enum Embedding {
    // Boxed: the loaded model is large; the enum is moved into an Arc once.
    Local(Box<imprimatur_embed::Embedder>),
    Remote(Box<RemoteEmbedder>),
}

impl std::fmt::Debug for Embedding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Embedding({})", self.identity())
    }
}

impl Embedding {
    /// Loads the local model from `model_dir`, or connects to the remote endpoint (its
    /// key, if any, from `keys`: the OS keychain in the app and the CLI).
    pub fn load(
        setting: &EmbedderSetting,
        model_dir: &Path,
        keys: &dyn KeySource,
    ) -> Result<Embedding, KnowledgeError> {
        Ok(match setting {
            EmbedderSetting::Local => {
                Embedding::Local(Box::new(imprimatur_embed::Embedder::load(model_dir)?))
            }
            EmbedderSetting::Remote(r) => {
                Embedding::Remote(Box::new(RemoteEmbedder::connect(r.clone(), keys)?))
            }
        })
    }

    pub fn passages(&self) -> &dyn PassageEmbedder {
        match self {
            Embedding::Local(e) => &**e,
            Embedding::Remote(e) => &**e,
        }
    }

    pub fn identity(&self) -> String {
        self.passages().identity()
    }

    pub fn dimension(&self) -> usize {
        self.passages().dimension()
    }

    pub fn embed_query(&self, text: &str) -> Result<Vec<f32>, KnowledgeError> {
        Ok(self.embed_queries(&[text])?.remove(0))
    }

    /// Query vectors of `texts` in one batch: one forward pass (or one request) instead
    /// of one per text.
    pub fn embed_queries(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, KnowledgeError> {
        match self {
            Embedding::Local(e) => Ok(e.embed_queries(texts)?),
            Embedding::Remote(e) => Ok(e.embed_queries(texts)?),
        }
    }
}

impl PassageEmbedder for Embedding {
    fn dimension(&self) -> usize {
        self.passages().dimension()
    }

    fn embed_passages(
        &self,
        texts: &[String],
    ) -> Result<Vec<Vec<f32>>, Box<dyn std::error::Error + Send + Sync>> {
        self.passages().embed_passages(texts)
    }

    fn embed_query(
        &self,
        text: &str,
    ) -> Result<Vec<f32>, Box<dyn std::error::Error + Send + Sync>> {
        self.passages().embed_query(text)
    }

    fn identity(&self) -> String {
        self.passages().identity()
    }
}

/// The index the settings chose.
pub enum Index {
    /// One handle shared by searches, ingestion and the folder watch.
    Embedded(Arc<Mutex<KnowledgeBase>>),
    /// Shared by searches and ingestion; every call is one request, so no lock.
    #[cfg(feature = "qdrant-server")]
    Server(Arc<crate::server::ServerIndex>),
}

/// Where the manifest of ingestion passes into the index at `location` is kept: next to
/// the embedded index, or for a server in a folder of its own per URL and collection
/// (file times are this machine's; switching index never mixes manifests).
pub fn manifest_dir(root: &Path, location: &IndexLocation) -> PathBuf {
    let dir = crate::index_dir(root);
    match location {
        IndexLocation::Embedded => dir,
        IndexLocation::Server {
            url, collection, ..
        } => {
            let name: String = format!("{url}-{collection}")
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            dir.join("qdrant").join(name)
        }
    }
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Index::Embedded(_) => f.write_str("Index::Embedded"),
            #[cfg(feature = "qdrant-server")]
            Index::Server(s) => write!(f, "Index::{s:?}"),
        }
    }
}

impl Index {
    /// Opens the index of the workspace at `root` where `location` says. `dimension`:
    /// the embedder's, when one is at hand (a new server collection is made for it);
    /// otherwise the stored one (384 for a new index).
    pub fn open(
        root: &Path,
        location: &IndexLocation,
        dimension: Option<usize>,
    ) -> Result<Index, KnowledgeError> {
        match location {
            IndexLocation::Embedded => {
                let dir = crate::index_dir(root);
                let kb = match dimension {
                    Some(d) => KnowledgeBase::open(&dir, d)?,
                    None => KnowledgeBase::open_stored(&dir)?,
                };
                Ok(Index::Embedded(Arc::new(Mutex::new(kb))))
            }
            #[cfg(feature = "qdrant-server")]
            IndexLocation::Server {
                url,
                collection,
                api_key_env,
            } => {
                let api_key = api_key_env.as_ref().and_then(|v| std::env::var(v).ok());
                let dimension = dimension.unwrap_or(crate::DEFAULT_DIMENSION);
                Ok(Index::Server(Arc::new(
                    crate::server::ServerIndex::connect(
                        url,
                        collection,
                        api_key,
                        dimension,
                        manifest_dir(root, location),
                    )?,
                )))
            }
            #[cfg(not(feature = "qdrant-server"))]
            IndexLocation::Server { url, .. } => Err(KnowledgeError::Server {
                url: url.clone(),
                detail: "this build has no Qdrant client (feature qdrant-server)".into(),
            }),
        }
    }

    /// The index as ingestion and the folder watch write to it, embedded or server.
    pub fn for_ingestion(&self) -> Arc<Mutex<dyn SourceIndex>> {
        match self {
            Index::Embedded(kb) => kb.clone(),
            #[cfg(feature = "qdrant-server")]
            Index::Server(s) => Arc::new(Mutex::new(s.clone())),
        }
    }

    /// Where ingestion keeps its manifest for this index.
    pub fn manifest_dir(&self) -> PathBuf {
        lock(&self.for_ingestion()).manifest_dir()
    }

    pub fn chunk_count(&self) -> Result<usize, KnowledgeError> {
        match self {
            Index::Embedded(kb) => Ok(lock(kb).chunk_count()),
            #[cfg(feature = "qdrant-server")]
            Index::Server(s) => s.chunk_count(),
        }
    }

    /// Whether this is the server index (for messages).
    pub fn is_server(&self) -> bool {
        !matches!(self, Index::Embedded(_))
    }
}

fn lock<T: ?Sized>(kb: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Every index change is a committed transaction: after a panic the data is whole.
    kb.lock().unwrap_or_else(|p| p.into_inner())
}

/// What a search returned, and how it ran.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    /// The mode that ran: BM25 when the query could not be embedded.
    pub mode: SearchMode,
    /// Why the search fell back to BM25, if it did.
    pub note: Option<String>,
    pub hits: Vec<Hit>,
}

/// Why a search has no query embedder; the search then runs BM25 only and shows this as
/// its note.
#[derive(Debug, thiserror::Error)]
pub enum NoEmbedding {
    #[error("BM25 was asked for")]
    Bm25Asked,
    /// The embedder could not be loaded or reached (the app's and the CLI's own errors).
    #[error("{0}")]
    Unavailable(Box<dyn std::error::Error + Send + Sync>),
    /// The local model is missing; `hint` says how to install it.
    #[error("{source}; {hint}")]
    NotInstalled {
        #[source]
        source: KnowledgeError,
        hint: &'static str,
    },
}

/// Searches `index`. Dense and hybrid need `embedding`: when it is missing (`Err` says
/// why, e.g. the model is not installed or the endpoint is down) the search runs BM25
/// only and says why in [`Results::note`]. An embedder other than the one that built
/// the embedded index is an error (its query vectors would not be comparable).
pub fn search(
    index: &Index,
    embedding: Result<&Embedding, &NoEmbedding>,
    query: SearchQuery,
) -> Result<Results, KnowledgeError> {
    Ok(search_batch(index, embedding, vec![query])?.remove(0))
}

/// [`search`] for several queries, whose embeddings are computed in one batch (the
/// fact check retrieves evidence for all claims of a document at once: one forward pass
/// of the model instead of one per claim).
pub fn search_batch(
    index: &Index,
    embedding: Result<&Embedding, &NoEmbedding>,
    queries: Vec<SearchQuery>,
) -> Result<Vec<Results>, KnowledgeError> {
    let mut note = None;
    let mut vectors: Vec<Option<Vec<f32>>> = vec![None; queries.len()];
    let dense: Vec<usize> = (0..queries.len())
        .filter(|&i| queries[i].mode != SearchMode::Bm25)
        .collect();
    if !dense.is_empty() {
        match embedding {
            Ok(e) => {
                if let Index::Embedded(kb) = index {
                    let stored = lock(kb).embedder()?;
                    if let Some(stored) = stored.filter(|s| *s != e.identity()) {
                        return Err(KnowledgeError::EmbedderMismatch {
                            path: lock(kb).dir().to_path_buf(),
                            stored,
                            requested: e.identity(),
                        });
                    }
                }
                let texts: Vec<&str> = dense.iter().map(|&i| queries[i].text.as_str()).collect();
                match e.embed_queries(&texts) {
                    Ok(vs) => {
                        for (&i, v) in dense.iter().zip(vs) {
                            vectors[i] = Some(v);
                        }
                    }
                    Err(why) => note = Some(why.to_string()),
                }
            }
            Err(why) => note = Some(why.to_string()),
        }
    }
    queries
        .into_iter()
        .zip(vectors)
        .map(|(mut query, vector)| {
            let mut why = None;
            if query.mode != SearchMode::Bm25 && vector.is_none() {
                query.mode = SearchMode::Bm25;
                why.clone_from(&note);
            }
            let hits = match index {
                Index::Embedded(kb) => lock(kb).search(&query, vector.as_deref())?,
                #[cfg(feature = "qdrant-server")]
                Index::Server(s) => s.search(&query, vector.as_deref())?,
            };
            Ok(Results {
                mode: query.mode,
                note: why,
                hits,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::index_location;

    fn location(toml_text: &str) -> IndexLocation {
        let table: toml::Table = toml::from_str(toml_text).unwrap();
        index_location(table.get("knowledge").and_then(|v| v.as_table())).unwrap()
    }

    #[test]
    fn no_setting_opens_the_embedded_index_in_the_workspace() {
        let ws = tempfile::tempdir().unwrap();
        let index = Index::open(ws.path(), &location("[knowledge]\n"), None).unwrap();
        assert!(!index.is_server());
        assert!(matches!(index, Index::Embedded(_)));
        assert_eq!(index.manifest_dir(), crate::index_dir(ws.path()));
        assert!(crate::index_dir(ws.path()).join(crate::INDEX_FILE).exists());
        let explicit = location("[knowledge]\nindex = \"embedded\"\n");
        assert_eq!(explicit, IndexLocation::Embedded);
    }

    /// `index = "qdrant"` goes to the server (no local index is made); a server nobody
    /// runs is an error naming its URL, not a fallback to the local index.
    #[cfg(feature = "qdrant-server")]
    #[test]
    fn qdrant_setting_goes_to_the_server_and_an_unreachable_one_is_a_clear_error() {
        let dead = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://127.0.0.1:{}", l.local_addr().unwrap().port())
        };
        let loc = location(&format!(
            "[knowledge]\nindex = \"qdrant\"\nqdrant_url = \"{dead}\"\ncollection = \"team\"\n"
        ));
        assert_eq!(
            loc,
            IndexLocation::Server {
                url: dead.clone(),
                collection: "team".into(),
                api_key_env: None
            }
        );
        let ws = tempfile::tempdir().unwrap();
        let err = Index::open(ws.path(), &loc, Some(384)).unwrap_err();
        assert_eq!(err.code(), "knowledge_server");
        assert!(err.to_string().contains(&dead), "{err}");
        assert!(!crate::index_dir(ws.path()).exists());
    }
}
