//! The search engine behind [`crate::KnowledgeBase`]: a Qdrant Edge shard (`qdrant-edge`,
//! in-process) with two named vectors per chunk, `dense` (the passage embedding, cosine)
//! and `bm25` (sparse: Qdrant's BM25 document weights, with IDF applied at query time by
//! the `idf` modifier), and payload for filters. Hybrid search is Qdrant's RRF over one
//! prefetch per vector.
//!
//! The shard is an index, not the record: chunk text and offsets live in SQLite, and a
//! shard can always be rebuilt from there.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ordered_float::{NotNan, OrderedFloat};
use qdrant_edge::bm25_embed::{EdgeBm25, EdgeBm25Config};
use qdrant_edge::{
    CreateIndex, Distance, EdgeConfigBuilder, EdgeShard, EdgeSparseVectorParamsBuilder,
    EdgeVectorParamsBuilder, FieldIndexOperations, Filter, Fusion, Modifier, NamedQuery, PointId,
    PointInsertOperations, PointOperations, PointStruct, Prefetch, QueryEnum, QueryRequest,
    ScoringQuery, SparseVector, UpdateOperation, Vector, VectorInternal, Vectors,
    WithPayloadInterface, WithVector,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{Filters, KnowledgeError, SearchMode};

const DENSE: &str = "dense";
const SPARSE: &str = "bm25";

/// BM25 document weighting. Changing it re-indexes the shard from SQLite on open.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bm25Settings {
    pub k1: f64,
    pub b: f64,
    /// Expected chunk length in tokens (after stopwords): Qdrant's BM25 fixes it when a
    /// document is embedded instead of tracking the corpus average.
    pub avg_len: f64,
}

impl Default for Bm25Settings {
    fn default() -> Self {
        // Chunks from the ingestion chunker run to about 120 words, ~80 after stopwords.
        Bm25Settings {
            k1: 1.2,
            b: 0.75,
            avg_len: 80.0,
        }
    }
}

/// Fusion settings, free to change between searches.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Ranking {
    /// RRF constant: a chunk at rank r in a list adds weight / (rrf_k + r).
    pub rrf_k: usize,
    /// Weight of the dense list in RRF (BM25 has weight 1).
    pub dense_weight: f32,
    /// How many candidates each list hands to fusion.
    pub fusion_depth: usize,
}

impl Default for Ranking {
    fn default() -> Self {
        Ranking {
            rrf_k: 60,
            dense_weight: 1.0,
            fusion_depth: 100,
        }
    }
}

/// One chunk as the shard stores it.
pub(crate) struct Point<'a> {
    pub id: u64,
    pub path: &'a str,
    pub lang: &'a str,
    pub text: &'a str,
    pub metadata: &'a std::collections::BTreeMap<String, String>,
    pub vector: &'a [f32],
}

pub(crate) struct Engine {
    shard: EdgeShard,
    path: PathBuf,
    analyzers: Bm25Analyzers,
}

/// Qdrant's BM25 per language, shared by the embedded engine and server mode, so both
/// index the same sparse vectors.
pub(crate) struct Bm25Analyzers(HashMap<&'static str, EdgeBm25>);

/// Why Qdrant's BM25 analyzer could not be set up from the settings.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Bm25SetupError {
    #[error("BM25 {0} is not a number (NaN); give it a finite number")]
    NaN(&'static str),
    #[error("BM25 analyzer for {lang}: {detail}")]
    Analyzer { lang: &'static str, detail: String },
}

impl Bm25Analyzers {
    pub fn new(bm25: &Bm25Settings) -> Result<Bm25Analyzers, Bm25SetupError> {
        let mut analyzers = HashMap::new();
        for lang in ["german", "english"] {
            let config = EdgeBm25Config {
                k: NotNan::new(bm25.k1).map_err(|_| Bm25SetupError::NaN("k1"))?,
                b: NotNan::new(bm25.b).map_err(|_| Bm25SetupError::NaN("b"))?,
                avg_len: NotNan::new(bm25.avg_len).map_err(|_| Bm25SetupError::NaN("avg_len"))?,
                language: Some(lang.to_string()),
                // Umlauts and accents folded, so `Hauser` finds `Häuser`.
                ascii_folding: Some(true),
                ..EdgeBm25Config::default()
            };
            let analyzer = EdgeBm25::new(config).map_err(|e| Bm25SetupError::Analyzer {
                lang,
                detail: e.to_string(),
            })?;
            analyzers.insert(lang, analyzer);
        }
        Ok(Bm25Analyzers(analyzers))
    }

    pub fn document(&self, text: &str, lang: &str) -> SparseVector {
        self.0[qdrant_language(lang)].embed_document(text)
    }

    /// The query's BM25 vector: in its language, or the union of German and English
    /// terms when the language is unknown.
    pub fn query(&self, text: &str, lang: Option<&str>) -> SparseVector {
        match lang {
            Some(l) => self.0[qdrant_language(l)].embed_query(text),
            None => {
                let mut merged: HashMap<u32, f32> = HashMap::new();
                for model in self.0.values() {
                    let v = model.embed_query(text);
                    for (i, x) in v.indices.into_iter().zip(v.values) {
                        let e = merged.entry(i).or_insert(0.0);
                        *e = e.max(x);
                    }
                }
                let mut pairs: Vec<(u32, f32)> = merged.into_iter().collect();
                pairs.sort_by_key(|p| p.0);
                SparseVector {
                    indices: pairs.iter().map(|p| p.0).collect(),
                    values: pairs.iter().map(|p| p.1).collect(),
                }
            }
        }
    }
}

/// Qdrant's language names for the BM25 tokenizer (stopwords and Snowball stemmer).
fn qdrant_language(lang: &str) -> &'static str {
    match lang.split(['-', '_']).next().unwrap_or("") {
        "de" => "german",
        _ => "english",
    }
}

fn edge_error(path: &Path) -> impl Fn(qdrant_edge::OperationError) -> KnowledgeError + '_ {
    move |e| KnowledgeError::Engine {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

impl Engine {
    /// Opens the shard in `path`, or creates an empty one (`created` is then true and
    /// the caller fills it from SQLite).
    pub fn open(
        path: &Path,
        dimension: usize,
        bm25: &Bm25Settings,
    ) -> Result<(Engine, bool), KnowledgeError> {
        let err = edge_error(path);
        let analyzers = Bm25Analyzers::new(bm25).map_err(|e| KnowledgeError::Engine {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        let exists = path.join("edge_config.json").exists();
        let shard = if exists {
            EdgeShard::load(path, None).map_err(&err)?
        } else {
            std::fs::create_dir_all(path).map_err(|source| KnowledgeError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            let config = EdgeConfigBuilder::new()
                .vector(
                    DENSE,
                    EdgeVectorParamsBuilder::new(dimension, Distance::Cosine).build(),
                )
                .sparse_vector(
                    SPARSE,
                    EdgeSparseVectorParamsBuilder::new()
                        .modifier(Modifier::Idf)
                        .build(),
                )
                .build();
            let shard = EdgeShard::new(path, config).map_err(&err)?;
            for (field, schema) in [
                ("path", "keyword"),
                ("dirs", "keyword"),
                ("lang", "keyword"),
                // The front matter key filtered most; other metadata keys filter unindexed.
                ("meta.product", "keyword"),
                ("valid_from_day", "integer"),
                ("valid_to_day", "integer"),
            ] {
                let index: CreateIndex =
                    serde_json::from_value(json!({ "field_name": field, "field_schema": schema }))
                        .expect("a valid payload index definition");
                shard
                    .update(UpdateOperation::FieldIndexOperation(
                        FieldIndexOperations::CreateIndex(index),
                    ))
                    .map_err(&err)?;
            }
            shard
        };
        Ok((
            Engine {
                shard,
                path: path.to_path_buf(),
                analyzers,
            },
            !exists,
        ))
    }

    /// Drops every point of `source_path`.
    pub fn delete_source(&self, source_path: &str) -> Result<(), KnowledgeError> {
        let filter: Filter = serde_json::from_value(json!({
            "must": [{ "key": "path", "match": { "value": source_path } }]
        }))
        .expect("a valid filter");
        self.shard
            .update(UpdateOperation::PointOperation(
                PointOperations::DeletePointsByFilter(filter),
            ))
            .map_err(edge_error(&self.path))
    }

    pub fn upsert(&self, points: &[Point]) -> Result<(), KnowledgeError> {
        if points.is_empty() {
            return Ok(());
        }
        let persisted = points
            .iter()
            .map(|p| {
                let sparse = self.analyzers.document(p.text, p.lang);
                let sparse = Vector::new_sparse(sparse.indices, sparse.values)
                    .map_err(edge_error(&self.path))?;
                let mut vectors = vec![(SPARSE, sparse)];
                if !p.vector.is_empty() {
                    vectors.push((DENSE, Vector::new_dense(p.vector.to_vec())));
                }
                Ok(PointStruct::new(p.id, Vectors::new_named(vectors), payload(p)).into())
            })
            .collect::<Result<Vec<_>, KnowledgeError>>()?;
        self.shard
            .update(UpdateOperation::PointOperation(
                PointOperations::UpsertPoints(PointInsertOperations::PointsList(persisted)),
            ))
            .map_err(edge_error(&self.path))
    }

    /// Builds the HNSW and payload indexes for what was added: worth it after a bulk
    /// ingestion; until then new chunks are searched exhaustively.
    pub fn optimize(&self) -> Result<bool, KnowledgeError> {
        self.shard.optimize().map_err(edge_error(&self.path))
    }

    pub fn flush(&self) {
        self.shard.flush();
    }

    /// Ranked `(chunk id, score)`.
    #[allow(clippy::too_many_arguments)]
    pub fn search(
        &self,
        mode: SearchMode,
        text: &str,
        lang: Option<&str>,
        query_vector: Option<&[f32]>,
        filters: &Filters,
        ranking: &Ranking,
        limit: usize,
    ) -> Result<Vec<(u64, f32)>, KnowledgeError> {
        let filter = qdrant_filter(filters);
        let sparse = || {
            ScoringQuery::Vector(QueryEnum::Nearest(NamedQuery::new(
                VectorInternal::Sparse(self.analyzers.query(text, lang)),
                SPARSE,
            )))
        };
        let dense = |v: &[f32]| {
            ScoringQuery::Vector(QueryEnum::Nearest(NamedQuery::new(
                VectorInternal::Dense(v.to_vec()),
                DENSE,
            )))
        };
        let (query, prefetches) = match (mode, query_vector) {
            (SearchMode::Bm25, _) | (_, None) => (sparse(), Vec::new()),
            (SearchMode::Dense, Some(v)) => (dense(v), Vec::new()),
            (SearchMode::Hybrid, Some(v)) => {
                let depth = ranking.fusion_depth.max(limit);
                let prefetch = |query| Prefetch {
                    prefetches: Vec::new(),
                    query: Some(query),
                    limit: depth,
                    params: None,
                    filter: filter.clone(),
                    score_threshold: None,
                };
                (
                    ScoringQuery::Fusion(Fusion::Rrf {
                        k: ranking.rrf_k,
                        weights: Some(vec![OrderedFloat(1.0), OrderedFloat(ranking.dense_weight)]),
                    }),
                    vec![prefetch(sparse()), prefetch(dense(v))],
                )
            }
        };
        let request = QueryRequest {
            prefetches,
            query: Some(query),
            filter,
            score_threshold: None,
            limit,
            offset: 0,
            params: None,
            with_vector: WithVector::Bool(false),
            with_payload: WithPayloadInterface::Bool(false),
        };
        let points = self.shard.query(request).map_err(edge_error(&self.path))?;
        Ok(points
            .into_iter()
            .filter_map(|p| match p.id {
                PointId::NumId(id) => Some((id, p.score)),
                PointId::Uuid(_) => None,
            })
            .collect())
    }
}

/// `2024-03-01` (or a date-time starting so) → 20240301, for integer range filters.
pub(crate) fn day_number(date: &str) -> Option<i64> {
    let d = date.get(..10)?;
    let digits: String = d.split('-').collect();
    (digits.len() == 8 && d.as_bytes()[4] == b'-' && d.as_bytes()[7] == b'-')
        .then(|| digits.parse().ok())
        .flatten()
}

pub(crate) fn payload(p: &Point) -> Value {
    // Every ancestor folder, so a path prefix filter is one keyword match.
    let mut dirs = Vec::new();
    let mut at = 0;
    while let Some(i) = p.path[at..].find('/') {
        at += i + 1;
        dirs.push(p.path[..at].to_string());
    }
    let mut value = json!({
        "path": p.path,
        "dirs": dirs,
        "lang": p.lang.split(['-', '_']).next().unwrap_or(""),
        "meta": p.metadata,
    });
    for (key, field) in [
        ("valid_from", "valid_from_day"),
        ("valid_to", "valid_to_day"),
    ] {
        if let Some(day) = p.metadata.get(key).and_then(|d| day_number(d)) {
            value[field] = json!(day);
        }
    }
    value
}

/// [`Filters`] as a Qdrant payload filter.
fn qdrant_filter(f: &Filters) -> Option<Filter> {
    if f.is_empty() {
        return None;
    }
    let mut must = Vec::new();
    if let Some(lang) = &f.lang {
        let primary = lang.split(['-', '_']).next().unwrap_or("");
        must.push(json!({ "key": "lang", "match": { "value": primary } }));
    }
    if let Some(prefix) = &f.path_prefix {
        if prefix.ends_with('/') {
            must.push(json!({ "key": "dirs", "match": { "value": prefix } }));
        } else {
            // A file or folder name: the file itself or anything below it.
            must.push(json!({ "should": [
                { "key": "path", "match": { "value": prefix } },
                { "key": "dirs", "match": { "value": format!("{prefix}/") } },
            ]}));
        }
    }
    for (key, value) in &f.metadata {
        must.push(json!({ "key": format!("meta.{key}"), "match": { "value": value } }));
    }
    if let Some(date) = &f.valid_at {
        // Unparseable dates match nothing rather than everything.
        let day = day_number(date).unwrap_or(i64::MIN);
        must.push(json!({ "should": [
            { "is_empty": { "key": "valid_from_day" } },
            { "key": "valid_from_day", "range": { "lte": day } },
        ]}));
        must.push(json!({ "should": [
            { "is_empty": { "key": "valid_to_day" } },
            { "key": "valid_to_day", "range": { "gte": day } },
        ]}));
    }
    Some(serde_json::from_value(json!({ "must": must })).expect("a valid filter"))
}
