//! Retrieval quality of the index on a BEIR-layout folder: BM25-only, dense-only and
//! hybrid, scored with the same nDCG@10, Recall@10 and MRR@10 as the embedder's tests
//! (`imprimatur_embed::eval`). Every corpus document becomes one source with one chunk in
//! a fresh index, so the figures measure exactly what `kb search` does.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use imprimatur_embed::eval::{score_rankings, BeirSet, RetrievalScores};
use imprimatur_embed::Embedder;
use serde::Serialize;

use crate::{
    Bm25Settings, ChunkRecord, KnowledgeBase, KnowledgeError, Ranking, SearchMode, SearchQuery,
    SourceMeta,
};

#[derive(Debug, Clone, Default)]
pub struct EvalOptions {
    /// Language of corpus and queries (`de`, `en`) for stemming; `None` indexes
    /// unstemmed and queries with German and English stems.
    pub lang: Option<String>,
    pub bm25: Bm25Settings,
    pub ranking: Ranking,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModeScores {
    pub mode: SearchMode,
    pub ndcg_at_10: f64,
    pub recall_at_10: f64,
    pub mrr_at_10: f64,
    /// Median search time per query (without embedding the query), milliseconds.
    pub median_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub folder: PathBuf,
    pub documents: usize,
    pub queries: usize,
    /// BM25 always; dense and hybrid when an embedder was given.
    pub modes: Vec<ModeScores>,
    /// Seconds spent embedding corpus and queries (0 without an embedder).
    pub embed_seconds: f64,
}

impl EvalReport {
    pub fn mode(&self, mode: SearchMode) -> Option<&ModeScores> {
        self.modes.iter().find(|m| m.mode == mode)
    }
}

/// Vectors for the corpus (passages, in corpus order) and queries (in query order).
pub struct SetVectors {
    pub documents: Vec<Vec<f32>>,
    pub queries: Vec<Vec<f32>>,
}

/// Embeds a BEIR set's documents (title and text) and queries.
pub fn embed_set(embedder: &Embedder, set: &BeirSet) -> Result<SetVectors, KnowledgeError> {
    let texts: Vec<String> = set.corpus.iter().map(|d| d.full_text()).collect();
    let documents = embedder.embed_passages(&texts)?;
    let queries: Vec<&str> = set.queries.iter().map(|q| q.text.as_str()).collect();
    Ok(SetVectors {
        documents,
        queries: embedder.embed_queries(&queries)?,
    })
}

/// [`embed_set`] through a cache in `cache_dir`: one file per (model, set) holding the
/// vectors, named by a SHA-256 over the model's identity (its install record, and the
/// weight file's size and modification time) and every text with its kind. Any change to
/// model or texts misses the cache, which then only saves time; an unreadable or
/// truncated entry is recomputed.
pub fn embed_set_cached(
    embedder: &Embedder,
    model_dir: &Path,
    set: &BeirSet,
    cache_dir: &Path,
) -> Result<SetVectors, KnowledgeError> {
    use sha2::{Digest, Sha256};
    let mut key = Sha256::new();
    for file in ["imprimatur-model.json", "config.json"] {
        key.update(std::fs::read(model_dir.join(file)).unwrap_or_default());
    }
    if let Ok(m) = std::fs::metadata(model_dir.join("model.safetensors")) {
        key.update(m.len().to_le_bytes());
        if let Ok(t) = m
            .modified()
            .map(|t| t.duration_since(std::time::UNIX_EPOCH))
        {
            key.update(t.unwrap_or_default().as_nanos().to_le_bytes());
        }
    }
    for d in &set.corpus {
        key.update(b"passage\0");
        key.update(d.full_text().as_bytes());
        key.update(b"\0");
    }
    for q in &set.queries {
        key.update(b"query\0");
        key.update(q.text.as_bytes());
        key.update(b"\0");
    }
    let file = cache_dir.join(format!("{}.f32", hex(&key.finalize())));
    let dimension = embedder.dimension();
    let rows = set.corpus.len() + set.queries.len();
    if let Ok(bytes) = std::fs::read(&file) {
        if bytes.len() == rows * dimension * 4 {
            let mut vectors: Vec<Vec<f32>> = bytes
                .chunks_exact(dimension * 4)
                .map(|row| {
                    row.chunks_exact(4)
                        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                        .collect()
                })
                .collect();
            let queries = vectors.split_off(set.corpus.len());
            return Ok(SetVectors {
                documents: vectors,
                queries,
            });
        }
    }
    let vectors = embed_set(embedder, set)?;
    let bytes: Vec<u8> = vectors
        .documents
        .iter()
        .chain(&vectors.queries)
        .flatten()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    // Written to a temporary name and renamed, so a reader never sees half a file.
    let partial = file.with_extension(format!("partial-{}", std::process::id()));
    let saved = std::fs::create_dir_all(cache_dir)
        .and_then(|_| std::fs::write(&partial, &bytes))
        .and_then(|_| std::fs::rename(&partial, &file));
    if saved.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    Ok(vectors)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `${XDG_CACHE_HOME:-~/.cache}/imprimatur/embeddings`.
pub fn default_vector_cache() -> PathBuf {
    let base = match std::env::var_os("XDG_CACHE_HOME") {
        Some(d) if Path::new(&d).is_absolute() => PathBuf::from(d),
        _ => std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_default()
            .join(".cache"),
    };
    base.join("imprimatur/embeddings")
}

/// Reads the BEIR set in `folder`.
pub fn read_set(folder: &Path) -> Result<BeirSet, KnowledgeError> {
    Ok(BeirSet::read(folder)?)
}

/// Indexes `set` into a fresh index in `work_dir` (which must not hold one) and scores
/// every mode. `vectors` (from [`embed_set`]) enables dense and hybrid.
pub fn evaluate_set(
    folder: &Path,
    set: &BeirSet,
    vectors: Option<&SetVectors>,
    work_dir: &Path,
    options: &EvalOptions,
) -> Result<EvalReport, KnowledgeError> {
    let dimension = vectors
        .and_then(|v| v.documents.first().map(Vec::len))
        .unwrap_or(384);
    let mut kb = KnowledgeBase::open_with(work_dir, dimension, options.bm25)?;
    if kb.chunk_count() > 0 {
        return Err(KnowledgeError::Eval {
            path: work_dir.to_path_buf(),
            detail: "the evaluation needs an empty index folder".into(),
        });
    }
    kb.set_ranking(options.ranking);
    let lang = options.lang.clone().unwrap_or_default();
    for (i, doc) in set.corpus.iter().enumerate() {
        let text = doc.full_text();
        let chunk = ChunkRecord {
            start: 0,
            end: text.len(),
            text,
            heading_path: Vec::new(),
            lang: lang.clone(),
            metadata: BTreeMap::new(),
            injection: false,
            vector: vectors.map(|v| v.documents[i].clone()).unwrap_or_default(),
        };
        let source = SourceMeta {
            path: doc.id.clone(),
            sha256: String::new(),
            title: Some(doc.title.clone()),
        };
        kb.replace_source(&source, &[chunk])?;
    }
    let mut modes = vec![SearchMode::Bm25];
    if vectors.is_some() {
        modes.extend([SearchMode::Dense, SearchMode::Hybrid]);
    }
    let mut results = Vec::new();
    for mode in modes {
        let mut rankings: HashMap<String, Vec<String>> = HashMap::new();
        let mut times: Vec<Duration> = Vec::with_capacity(set.queries.len());
        for (i, q) in set.queries.iter().enumerate() {
            let mut query = SearchQuery::new(q.text.clone()).mode(mode).limit(10);
            query.lang = options.lang.clone();
            let vector = vectors.map(|v| v.queries[i].as_slice());
            let started = Instant::now();
            let hits = kb.search(&query, vector)?;
            times.push(started.elapsed());
            rankings.insert(q.id.clone(), hits.into_iter().map(|h| h.path).collect());
        }
        times.sort();
        let RetrievalScores {
            ndcg_at_10,
            recall_at_10,
            mrr_at_10,
            ..
        } = score_rankings(&rankings, &set.qrels);
        results.push(ModeScores {
            mode,
            ndcg_at_10,
            recall_at_10,
            mrr_at_10,
            median_ms: times
                .get(times.len() / 2)
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        });
    }
    Ok(EvalReport {
        folder: folder.to_path_buf(),
        documents: set.corpus.len(),
        queries: set.queries.len(),
        modes: results,
        embed_seconds: 0.0,
    })
}

/// The embedder for an evaluation: the model, its folder, and where to cache vectors.
pub struct EvalEmbedder<'a> {
    pub embedder: &'a Embedder,
    pub model_dir: &'a Path,
    /// `None` embeds everything afresh.
    pub cache: Option<&'a Path>,
}

/// Reads, embeds (when `embedder` is given) and scores the BEIR set in `folder`, in a
/// temporary index that is removed afterwards.
pub fn evaluate(
    folder: &Path,
    embedder: Option<&EvalEmbedder>,
    options: &EvalOptions,
) -> Result<EvalReport, KnowledgeError> {
    let set = read_set(folder)?;
    let started = Instant::now();
    let vectors = embedder
        .map(|e| match e.cache {
            Some(cache) => embed_set_cached(e.embedder, e.model_dir, &set, cache),
            None => embed_set(e.embedder, &set),
        })
        .transpose()?;
    let embed_seconds = if vectors.is_some() {
        started.elapsed().as_secs_f64()
    } else {
        0.0
    };
    let work = scratch_dir();
    let report = evaluate_set(folder, &set, vectors.as_ref(), &work, options);
    let _ = std::fs::remove_dir_all(&work);
    let mut report = report?;
    report.embed_seconds = embed_seconds;
    Ok(report)
}

/// A fresh folder under the system temp dir for one evaluation index.
fn scratch_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    std::env::temp_dir().join(format!("imprimatur-kb-eval-{}-{nanos}", std::process::id()))
}

/// The side-by-side table `kb eval` prints.
pub fn format_report(report: &EvalReport) -> String {
    let mut out = format!(
        "{}: {} documents, {} queries\n{:<8} {:>8} {:>10} {:>7} {:>10}\n",
        report.folder.display(),
        report.documents,
        report.queries,
        "mode",
        "nDCG@10",
        "Recall@10",
        "MRR@10",
        "median ms"
    );
    for m in &report.modes {
        let name = match m.mode {
            SearchMode::Bm25 => "bm25",
            SearchMode::Dense => "dense",
            SearchMode::Hybrid => "hybrid",
        };
        out.push_str(&format!(
            "{:<8} {:>8.3} {:>10.3} {:>7.3} {:>10.2}\n",
            name, m.ndcg_at_10, m.recall_at_10, m.mrr_at_10, m.median_ms
        ));
    }
    out
}
