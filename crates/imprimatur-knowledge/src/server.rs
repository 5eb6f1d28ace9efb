//! Server mode: one Qdrant server or cluster shared by a team, through `qdrant-client`
//! (gRPC). The collection has the embedded engine's schema: named vectors `dense`
//! (cosine) and `bm25` (sparse, `idf` modifier, the same Qdrant BM25 document weights),
//! keyword indexes on `path`, `dirs`, `lang` and integer indexes on the validity days.
//! Unlike the embedded index, there is no local SQLite record: the chunk text, offsets,
//! heading path and source hash travel in the payload, so every client sees the same.
//! The embedder that made the vectors is kept in the collection's metadata, so a client
//! with another embedder is refused rather than mixing incomparable vectors.
//!
//! Ingestion and the folder watch write here through [`SourceIndex`] (the same pass as
//! for the embedded index). The collection mirrors one `knowledge/` folder: a pass
//! removes sources its folder no longer has. Only the manifest of file times and
//! statuses stays on the machine (see [`ServerIndex::connect`]).
//!
//! Chosen in `imprimatur.toml`:
//! ```toml
//! [knowledge]
//! index = "qdrant"
//! qdrant_url = "http://qdrant.intern:6334"
//! collection = "imprimatur-knowledge"   # default
//! api_key_env = "QDRANT_API_KEY"        # optional: the variable holding the key
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use qdrant_client::qdrant::{
    with_payload_selector::SelectorOptions, Condition, CountPointsBuilder, CreateCollectionBuilder,
    CreateFieldIndexCollectionBuilder, DeletePointsBuilder, Distance, FieldType, Filter, Modifier,
    NamedVectors, PayloadIncludeSelector, PointStruct, PrefetchQueryBuilder, Query,
    QueryPointsBuilder, Range, RrfBuilder, ScrollPointsBuilder, SparseVectorParamsBuilder,
    SparseVectorsConfigBuilder, UpdateCollectionBuilder, UpsertPointsBuilder, Vector, VectorInput,
    VectorParamsBuilder, VectorsConfigBuilder,
};
use qdrant_client::{Payload, Qdrant};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::engine::{day_number, payload, Bm25Analyzers, Point};
use crate::pipeline::SourceIndex;
use crate::text::{self, Analyzer};
use crate::{
    Bm25Settings, ChunkRecord, Filters, Hit, KnowledgeError, Ranking, SearchMode, SearchQuery,
    SourceInfo, SourceMeta,
};

/// The collection metadata key naming the embedder of the dense vectors.
const EMBEDDER_KEY: &str = "imprimatur_embedder";

/// A knowledge index in a Qdrant collection on a server.
pub struct ServerIndex {
    client: Qdrant,
    runtime: tokio::runtime::Runtime,
    collection: String,
    url: String,
    dimension: usize,
    manifest_dir: PathBuf,
    analyzers: Bm25Analyzers,
    analyzer: Analyzer,
    ranking: Ranking,
}

impl std::fmt::Debug for ServerIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerIndex")
            .field("url", &self.url)
            .field("collection", &self.collection)
            .finish()
    }
}

fn payload_text(p: &Value, key: &str) -> String {
    p.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

impl ServerIndex {
    /// Connects and creates the collection (with its payload indexes) when missing, for
    /// `dimension`-long dense vectors; an existing collection keeps its own length.
    /// `manifest_dir`: the local folder for the manifest of ingestion passes into this
    /// collection (see [`crate::chosen::manifest_dir`]).
    pub fn connect(
        url: &str,
        collection: &str,
        api_key: Option<String>,
        dimension: usize,
        manifest_dir: PathBuf,
    ) -> Result<ServerIndex, KnowledgeError> {
        let fail = |what: &str, e: String| KnowledgeError::Server {
            url: url.to_string(),
            detail: format!("{what}: {e}"),
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| fail("starting the client runtime", e.to_string()))?;
        let client = Qdrant::from_url(url)
            .api_key(api_key)
            .build()
            .map_err(|e| fail("connecting", e.to_string()))?;
        let analyzers = Bm25Analyzers::new(&Bm25Settings::default())
            .map_err(|e| fail("BM25", e.to_string()))?;
        let mut index = ServerIndex {
            client,
            runtime,
            collection: collection.to_string(),
            url: url.to_string(),
            dimension,
            manifest_dir,
            analyzers,
            analyzer: Analyzer::default(),
            ranking: Ranking::default(),
        };
        let exists = index
            .runtime
            .block_on(index.client.collection_exists(collection))
            .map_err(|e| {
                fail(
                    "reading the collection list",
                    format!("{e} (is the server running? check qdrant_url in [knowledge] of imprimatur.toml)"),
                )
            })?;
        if !exists {
            let mut vectors = VectorsConfigBuilder::default();
            vectors.add_named_vector_params(
                "dense",
                VectorParamsBuilder::new(dimension as u64, Distance::Cosine),
            );
            let mut sparse = SparseVectorsConfigBuilder::default();
            sparse.add_named_vector_params(
                "bm25",
                SparseVectorParamsBuilder::default().modifier(Modifier::Idf as i32),
            );
            index
                .runtime
                .block_on(
                    index.client.create_collection(
                        CreateCollectionBuilder::new(collection)
                            .vectors_config(vectors)
                            .sparse_vectors_config(sparse),
                    ),
                )
                .map_err(|e| fail("creating the collection", e.to_string()))?;
            for (field, kind) in [
                ("path", FieldType::Keyword),
                ("dirs", FieldType::Keyword),
                ("lang", FieldType::Keyword),
                ("meta.product", FieldType::Keyword),
                ("valid_from_day", FieldType::Integer),
                ("valid_to_day", FieldType::Integer),
            ] {
                index
                    .runtime
                    .block_on(index.client.create_field_index(
                        CreateFieldIndexCollectionBuilder::new(collection, field, kind).wait(true),
                    ))
                    .map_err(|e| fail("creating a payload index", e.to_string()))?;
            }
        } else if let Some(stored) = index.stored_dimension()? {
            // The collection decides; ingestion compares it with the embedder's.
            index.dimension = stored;
        }
        Ok(index)
    }

    /// The collection's metadata and the length of its `dense` vectors.
    fn collection_config(
        &self,
    ) -> Result<(HashMap<String, qdrant_client::qdrant::Value>, Option<usize>), KnowledgeError>
    {
        use qdrant_client::qdrant::vectors_config::Config;
        let info = self
            .runtime
            .block_on(self.client.collection_info(self.collection.as_str()))
            .map_err(self.error("reading the collection's settings"))?;
        let config = info.result.and_then(|i| i.config).unwrap_or_default();
        let dimension = config
            .params
            .and_then(|p| p.vectors_config)
            .and_then(|v| v.config)
            .and_then(|c| match c {
                Config::ParamsMap(m) => m.map.get("dense").map(|p| p.size as usize),
                Config::Params(p) => Some(p.size as usize),
            });
        Ok((config.metadata, dimension))
    }

    fn stored_dimension(&self) -> Result<Option<usize>, KnowledgeError> {
        Ok(self.collection_config()?.1)
    }

    /// The embedder recorded in the collection's metadata, if any.
    pub fn embedder(&self) -> Result<Option<String>, KnowledgeError> {
        use qdrant_client::qdrant::value::Kind;
        let (metadata, _) = self.collection_config()?;
        Ok(metadata.get(EMBEDDER_KEY).and_then(|v| match &v.kind {
            Some(Kind::StringValue(s)) => Some(s.clone()),
            _ => None,
        }))
    }

    pub fn collection(&self) -> &str {
        &self.collection
    }

    pub fn dimension(&self) -> usize {
        self.dimension
    }

    /// Every source in the collection with its chunk counts, read page by page (only
    /// the payload fields that say so, no vectors).
    pub fn sources(&self) -> Result<Vec<SourceInfo>, KnowledgeError> {
        let mut by_path: BTreeMap<String, SourceInfo> = BTreeMap::new();
        let mut offset = None;
        loop {
            let mut request = ScrollPointsBuilder::new(&self.collection)
                .limit(1000)
                .with_payload(SelectorOptions::Include(PayloadIncludeSelector {
                    fields: ["path", "sha256", "title", "injection"]
                        .map(String::from)
                        .into(),
                }))
                .with_vectors(false);
            if let Some(o) = offset.take() {
                request = request.offset(o);
            }
            let page = self
                .runtime
                .block_on(self.client.scroll(request))
                .map_err(self.error("listing the sources"))?;
            for point in page.result {
                let p = Value::from(Payload::from(point.payload));
                let path = payload_text(&p, "path");
                let info = by_path.entry(path.clone()).or_insert_with(|| SourceInfo {
                    meta: SourceMeta {
                        path,
                        sha256: payload_text(&p, "sha256"),
                        title: p.get("title").and_then(Value::as_str).map(str::to_string),
                    },
                    chunks: 0,
                    injection_chunks: 0,
                });
                info.chunks += 1;
                if p.get("injection").and_then(Value::as_bool) == Some(true) {
                    info.injection_chunks += 1;
                }
            }
            match page.next_page_offset {
                Some(next) => offset = Some(next),
                None => break,
            }
        }
        Ok(by_path.into_values().collect())
    }

    fn error(&self, what: &str) -> impl Fn(qdrant_client::QdrantError) -> KnowledgeError + '_ {
        let what = what.to_string();
        move |e| KnowledgeError::Server {
            url: self.url.clone(),
            detail: format!("{what} in collection {}: {e}", self.collection),
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn set_ranking(&mut self, ranking: Ranking) {
        self.ranking = ranking;
    }

    /// Drops the whole collection (tests and re-indexing).
    pub fn drop_collection(self) -> Result<(), KnowledgeError> {
        self.runtime
            .block_on(self.client.delete_collection(&self.collection))
            .map(|_| ())
            .map_err(self.error("deleting"))
    }

    pub fn chunk_count(&self) -> Result<usize, KnowledgeError> {
        let r = self
            .runtime
            .block_on(
                self.client
                    .count(CountPointsBuilder::new(&self.collection).exact(true)),
            )
            .map_err(self.error("counting"))?;
        Ok(r.result.map_or(0, |c| c.count as usize))
    }

    /// The stored hash and title of `path` (from any of its chunks).
    pub fn source(&self, path: &str) -> Result<Option<SourceMeta>, KnowledgeError> {
        let r = self
            .runtime
            .block_on(
                self.client.scroll(
                    ScrollPointsBuilder::new(&self.collection)
                        .filter(Filter::must([Condition::matches("path", path.to_string())]))
                        .limit(1)
                        .with_payload(true),
                ),
            )
            .map_err(self.error("reading a source"))?;
        Ok(r.result.into_iter().next().map(|p| {
            let v = Value::from(Payload::from(p.payload));
            SourceMeta {
                path: path.to_string(),
                sha256: payload_text(&v, "sha256"),
                title: v.get("title").and_then(Value::as_str).map(str::to_string),
            }
        }))
    }

    /// Replaces the chunks of `source`: delete by path, then upsert, each acknowledged
    /// by the server (`wait`).
    pub fn replace_source(
        &self,
        source: &SourceMeta,
        chunks: &[ChunkRecord],
    ) -> Result<(), KnowledgeError> {
        for (i, c) in chunks.iter().enumerate() {
            if !c.vector.is_empty() && c.vector.len() != self.dimension {
                return Err(KnowledgeError::VectorLength {
                    source_path: source.path.clone(),
                    index: i,
                    found: c.vector.len(),
                    expected: self.dimension,
                });
            }
        }
        self.remove_source(&source.path)?;
        let points: Vec<PointStruct> = chunks
            .iter()
            .enumerate()
            .map(|(ord, c)| {
                let point = Point {
                    id: 0,
                    path: &source.path,
                    lang: &c.lang,
                    text: &c.text,
                    metadata: &c.metadata,
                    vector: &c.vector,
                };
                let mut p = payload(&point);
                p["text"] = json!(c.text);
                p["start"] = json!(c.start);
                p["end"] = json!(c.end);
                p["heading_path"] = json!(c.heading_path);
                p["injection"] = json!(c.injection);
                p["sha256"] = json!(source.sha256);
                p["title"] = json!(source.title);
                p["ord"] = json!(ord);
                let sparse = self.analyzers.document(&c.text, &c.lang);
                let mut vectors = NamedVectors::default()
                    .add_vector("bm25", Vector::new_sparse(sparse.indices, sparse.values));
                if !c.vector.is_empty() {
                    vectors = vectors.add_vector("dense", Vector::new_dense(c.vector.clone()));
                }
                let payload = Payload::try_from(p).expect("a JSON object");
                PointStruct::new(point_id(&source.path, ord), vectors, payload)
            })
            .collect();
        if points.is_empty() {
            return Ok(());
        }
        self.runtime
            .block_on(
                self.client
                    .upsert_points(UpsertPointsBuilder::new(&self.collection, points).wait(true)),
            )
            .map(|_| ())
            .map_err(self.error("upserting"))
    }

    pub fn remove_source(&self, path: &str) -> Result<(), KnowledgeError> {
        self.runtime
            .block_on(
                self.client.delete_points(
                    DeletePointsBuilder::new(&self.collection)
                        .points(Filter::must([Condition::matches("path", path.to_string())]))
                        .wait(true),
                ),
            )
            .map(|_| ())
            .map_err(self.error("deleting a source"))
    }

    /// As [`crate::KnowledgeBase::search`], against the server.
    pub fn search(
        &self,
        query: &SearchQuery,
        query_vector: Option<&[f32]>,
    ) -> Result<Vec<Hit>, KnowledgeError> {
        if query.mode == SearchMode::Dense && query_vector.is_none() {
            return Err(KnowledgeError::QueryVector {
                expected: self.dimension,
                found: "none was given".into(),
            });
        }
        let filter = server_filter(&query.filters)?;
        let sparse = self.analyzers.query(&query.text, query.lang.as_deref());
        let sparse_query = || {
            PrefetchQueryBuilder::default()
                .query(Query::new_nearest(VectorInput::new_sparse(
                    sparse.indices.clone(),
                    sparse.values.clone(),
                )))
                .using("bm25")
        };
        let limit = query.limit as u64;
        let mut request = QueryPointsBuilder::new(&self.collection)
            .limit(limit)
            .with_payload(true);
        if let Some(f) = &filter {
            request = request.filter(f.clone());
        }
        request = match (query.mode, query_vector) {
            (SearchMode::Bm25, _) | (_, None) => request
                .query(Query::new_nearest(VectorInput::new_sparse(
                    sparse.indices.clone(),
                    sparse.values.clone(),
                )))
                .using("bm25"),
            (SearchMode::Dense, Some(v)) => request
                .query(Query::new_nearest(VectorInput::new_dense(v.to_vec())))
                .using("dense"),
            (SearchMode::Hybrid, Some(v)) => {
                let depth = self.ranking.fusion_depth.max(query.limit) as u64;
                let dense = PrefetchQueryBuilder::default()
                    .query(Query::new_nearest(VectorInput::new_dense(v.to_vec())))
                    .using("dense");
                let (mut lexical, mut dense) = (sparse_query().limit(depth), dense.limit(depth));
                if let Some(f) = &filter {
                    lexical = lexical.filter(f.clone());
                    dense = dense.filter(f.clone());
                }
                request
                    .add_prefetch(lexical)
                    .add_prefetch(dense)
                    .query(Query::new_rrf(
                        RrfBuilder::with_k(self.ranking.rrf_k as u32)
                            .weights(vec![1.0, self.ranking.dense_weight]),
                    ))
            }
        };
        let response = self
            .runtime
            .block_on(self.client.query(request))
            .map_err(self.error("searching"))?;
        let wanted: BTreeSet<String> = text::words(&query.text)
            .flat_map(|(s, e)| {
                let word = &query.text[s..e];
                match query.lang.as_deref() {
                    Some(l) => vec![self.analyzer.term(word, l)],
                    None => text::STEMMED_LANGUAGES
                        .iter()
                        .map(|l| self.analyzer.term(word, l))
                        .collect(),
                }
            })
            .collect();
        Ok(response
            .result
            .into_iter()
            .map(|point| {
                let p = Value::from(Payload::from(point.payload));
                let text = payload_text(&p, "text");
                let lang = payload_text(&p, "lang");
                let highlights = text::words(&text)
                    .filter(|&(s, e)| wanted.contains(&self.analyzer.term(&text[s..e], &lang)))
                    .collect();
                let metadata: BTreeMap<String, String> = p
                    .get("meta")
                    .and_then(|m| serde_json::from_value(m.clone()).ok())
                    .unwrap_or_default();
                Hit {
                    path: payload_text(&p, "path"),
                    heading_path: p
                        .get("heading_path")
                        .and_then(|h| serde_json::from_value(h.clone()).ok())
                        .unwrap_or_default(),
                    start: p.get("start").and_then(Value::as_u64).unwrap_or(0) as usize,
                    end: p.get("end").and_then(Value::as_u64).unwrap_or(0) as usize,
                    score: point.score,
                    lang,
                    metadata,
                    injection: p.get("injection").and_then(Value::as_bool).unwrap_or(false),
                    highlights,
                    text,
                }
            })
            .collect())
    }
}

/// A stable point id per (source, chunk number): re-ingesting overwrites, never duplicates.
fn point_id(path: &str, ord: usize) -> u64 {
    let digest = Sha256::new()
        .chain_update(path.as_bytes())
        .chain_update([0])
        .chain_update(ord.to_le_bytes())
        .finalize();
    u64::from_le_bytes(digest[..8].try_into().expect("eight bytes"))
}

/// [`Filters`] as a Qdrant filter (the same conditions as the embedded engine's).
fn server_filter(f: &Filters) -> Result<Option<Filter>, KnowledgeError> {
    if f.is_empty() {
        return Ok(None);
    }
    let mut must: Vec<Condition> = Vec::new();
    if let Some(lang) = &f.lang {
        let primary = lang.split(['-', '_']).next().unwrap_or("").to_string();
        must.push(Condition::matches("lang", primary));
    }
    if let Some(prefix) = &f.path_prefix {
        if prefix.ends_with('/') {
            must.push(Condition::matches("dirs", prefix.clone()));
        } else {
            must.push(
                Filter::should([
                    Condition::matches("path", prefix.clone()),
                    Condition::matches("dirs", format!("{prefix}/")),
                ])
                .into(),
            );
        }
    }
    for (key, value) in &f.metadata {
        must.push(Condition::matches(format!("meta.{key}"), value.clone()));
    }
    if let Some(date) = &f.valid_at {
        let day = day_number(date).ok_or_else(|| KnowledgeError::Filter {
            detail: format!("valid_at {date:?} is not an ISO date (YYYY-MM-DD)"),
        })? as f64;
        must.push(
            Filter::should([
                Condition::is_empty("valid_from_day"),
                Condition::range(
                    "valid_from_day",
                    Range {
                        lte: Some(day),
                        ..Range::default()
                    },
                ),
            ])
            .into(),
        );
        must.push(
            Filter::should([
                Condition::is_empty("valid_to_day"),
                Condition::range(
                    "valid_to_day",
                    Range {
                        gte: Some(day),
                        ..Range::default()
                    },
                ),
            ])
            .into(),
        );
    }
    Ok(Some(Filter::must(must)))
}

impl ServerIndex {
    /// Records `identity` as the embedder of the collection's vectors (in its metadata),
    /// refusing it when the collection already holds another embedder's.
    pub fn adopt_embedder(&self, identity: &str) -> Result<(), KnowledgeError> {
        match self.embedder()? {
            Some(stored) if stored == identity => Ok(()),
            Some(stored) => Err(KnowledgeError::Server {
                url: self.url.clone(),
                detail: format!(
                    "collection {} holds vectors of the embedder {stored}, not {identity}; \
                     set the same embedder in [knowledge] of imprimatur.toml, or use another \
                     collection",
                    self.collection
                ),
            }),
            None => {
                let metadata =
                    HashMap::from([(EMBEDDER_KEY.to_string(), serde_json::json!(identity))]);
                self.runtime
                    .block_on(self.client.update_collection(
                        UpdateCollectionBuilder::new(&self.collection).metadata(metadata),
                    ))
                    .map(|_| ())
                    .map_err(self.error("recording the embedder"))
            }
        }
    }
}

/// Ingestion into the server: the watch shares the handle with searches, which need no
/// lock (every call is one acknowledged request).
impl SourceIndex for Arc<ServerIndex> {
    fn manifest_dir(&self) -> PathBuf {
        self.manifest_dir.clone()
    }

    fn dimension(&self) -> usize {
        self.dimension
    }

    fn adopt_embedder(&self, identity: &str) -> Result<(), KnowledgeError> {
        ServerIndex::adopt_embedder(self, identity)
    }

    fn stored_sources(&self) -> Result<Vec<SourceInfo>, KnowledgeError> {
        ServerIndex::sources(self)
    }

    fn source(&self, path: &str) -> Result<Option<SourceMeta>, KnowledgeError> {
        ServerIndex::source(self, path)
    }

    fn replace_source(
        &mut self,
        source: &SourceMeta,
        chunks: &[ChunkRecord],
    ) -> Result<(), KnowledgeError> {
        ServerIndex::replace_source(self, source, chunks)
    }

    fn remove_source(&mut self, path: &str) -> Result<(), KnowledgeError> {
        ServerIndex::remove_source(self, path)
    }

    /// The server builds its indexes itself as points arrive.
    fn optimize(&self) -> Result<(), KnowledgeError> {
        Ok(())
    }
}
