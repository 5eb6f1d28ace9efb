//! The in-memory search structures, rebuilt from the SQLite file on open: a BM25
//! inverted index and a flat matrix of normalised dense vectors. Chunk text stays in
//! SQLite; only what ranking and filtering need is held here.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::{Filters, SearchMode};

/// One chunk as ranking and filtering see it.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub rowid: i64,
    pub path: Arc<str>,
    pub lang: String,
    pub metadata: BTreeMap<String, String>,
    /// BM25 document length in terms.
    pub length: u32,
    pub has_vector: bool,
}

/// BM25 and fusion settings. The defaults are what `kb eval` measured best on the XQuAD
/// sets without tuning per set (see the crate README).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranking {
    pub k1: f32,
    pub b: f32,
    /// RRF constant: fused score is Σ weight / (rrf_k + rank).
    pub rrf_k: f32,
    /// Weight of the dense list in RRF (BM25 has weight 1).
    pub dense_weight: f32,
    /// How deep each list goes into fusion.
    pub fusion_depth: usize,
}

impl Default for Ranking {
    fn default() -> Self {
        Ranking {
            k1: 1.2,
            b: 0.75,
            rrf_k: 60.0,
            dense_weight: 1.0,
            fusion_depth: 100,
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Index {
    pub dimension: usize,
    /// Slot → entry; `None` marks a free slot (removed chunk) for reuse.
    pub entries: Vec<Option<Entry>>,
    free: Vec<u32>,
    pub by_rowid: HashMap<i64, u32>,
    /// Row-major `slots × dimension`, unit length, zero where a chunk has no vector.
    vectors: Vec<f32>,
    terms: HashMap<String, u32>,
    /// Term id → (slot, term frequency).
    postings: Vec<Vec<(u32, u32)>>,
    live: usize,
    total_length: u64,
}

impl Index {
    pub fn new(dimension: usize) -> Index {
        Index {
            dimension,
            ..Index::default()
        }
    }

    pub fn len(&self) -> usize {
        self.live
    }

    /// Adds one chunk with its term frequencies and (unnormalised) vector.
    pub fn insert(&mut self, entry: Entry, term_freqs: &[(String, u32)], vector: &[f32]) {
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.entries.push(None);
                self.vectors
                    .extend(std::iter::repeat_n(0.0, self.dimension));
                (self.entries.len() - 1) as u32
            }
        };
        let row =
            &mut self.vectors[slot as usize * self.dimension..(slot as usize + 1) * self.dimension];
        let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
        if !vector.is_empty() && norm > 0.0 {
            for (r, x) in row.iter_mut().zip(vector) {
                *r = x / norm;
            }
        } else {
            row.fill(0.0);
        }
        for (term, tf) in term_freqs {
            let next = self.terms.len() as u32;
            let id = *self.terms.entry(term.clone()).or_insert(next);
            if id as usize == self.postings.len() {
                self.postings.push(Vec::new());
            }
            self.postings[id as usize].push((slot, *tf));
        }
        self.total_length += u64::from(entry.length);
        self.live += 1;
        self.by_rowid.insert(entry.rowid, slot);
        self.entries[slot as usize] = Some(entry);
    }

    /// Removes the chunk stored under `rowid`, whose terms were `terms`.
    pub fn remove(&mut self, rowid: i64, terms: &[(String, u32)]) {
        let Some(slot) = self.by_rowid.remove(&rowid) else {
            return;
        };
        for (term, _) in terms {
            if let Some(&id) = self.terms.get(term) {
                self.postings[id as usize].retain(|&(s, _)| s != slot);
            }
        }
        if let Some(entry) = self.entries[slot as usize].take() {
            self.total_length -= u64::from(entry.length);
            self.live -= 1;
        }
        self.free.push(slot);
    }

    fn allowed(&self, slot: u32, filters: &Filters) -> bool {
        match &self.entries[slot as usize] {
            Some(e) => filters.admits(e),
            None => false,
        }
    }

    /// BM25 over query term groups: each group is one query word's alternative terms
    /// (its stems in several languages); a chunk scores the best alternative of a group.
    pub fn bm25(
        &self,
        groups: &[Vec<String>],
        filters: &Filters,
        ranking: &Ranking,
        k: usize,
    ) -> Vec<(u32, f32)> {
        if self.live == 0 {
            return Vec::new();
        }
        let n = self.live as f32;
        let avg = (self.total_length as f32 / n).max(1.0);
        let mut total: HashMap<u32, f32> = HashMap::new();
        let mut group_best: HashMap<u32, f32> = HashMap::new();
        for group in groups {
            group_best.clear();
            for term in group {
                let Some(&id) = self.terms.get(term) else {
                    continue;
                };
                let postings = &self.postings[id as usize];
                let df = postings.len() as f32;
                // Lucene's idf: never negative, so very common words still count a little.
                let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
                for &(slot, tf) in postings {
                    let Some(entry) = &self.entries[slot as usize] else {
                        continue;
                    };
                    let tf = tf as f32;
                    let norm =
                        ranking.k1 * (1.0 - ranking.b + ranking.b * entry.length as f32 / avg);
                    let s = idf * tf * (ranking.k1 + 1.0) / (tf + norm);
                    let best = group_best.entry(slot).or_insert(0.0);
                    if s > *best {
                        *best = s;
                    }
                }
            }
            for (&slot, &s) in &group_best {
                *total.entry(slot).or_insert(0.0) += s;
            }
        }
        let scored: Vec<(u32, f32)> = total
            .into_iter()
            .filter(|&(slot, _)| filters.is_empty() || self.allowed(slot, filters))
            .collect();
        top_k(scored, k)
    }

    /// Cosine similarity of the (unnormalised) query vector against every chunk.
    pub fn dense(&self, query: &[f32], filters: &Filters, k: usize) -> Vec<(u32, f32)> {
        let norm = query
            .iter()
            .map(|x| x * x)
            .sum::<f32>()
            .sqrt()
            .max(f32::MIN_POSITIVE);
        let q: Vec<f32> = query.iter().map(|x| x / norm).collect();
        let mut scored = Vec::with_capacity(self.live);
        for (slot, row) in self.vectors.chunks_exact(self.dimension.max(1)).enumerate() {
            let Some(entry) = &self.entries[slot] else {
                continue;
            };
            if !entry.has_vector || (!filters.is_empty() && !filters.admits(entry)) {
                continue;
            }
            scored.push((slot as u32, dot(&q, row)));
        }
        top_k(scored, k)
    }

    /// Ranked slots for `mode`; for hybrid, reciprocal-rank fusion of both lists.
    pub fn search(
        &self,
        mode: SearchMode,
        groups: &[Vec<String>],
        query_vector: Option<&[f32]>,
        filters: &Filters,
        ranking: &Ranking,
        limit: usize,
    ) -> Vec<(u32, f32)> {
        match (mode, query_vector) {
            (SearchMode::Bm25, _) | (_, None) => self.bm25(groups, filters, ranking, limit),
            (SearchMode::Dense, Some(v)) => self.dense(v, filters, limit),
            (SearchMode::Hybrid, Some(v)) => {
                let depth = ranking.fusion_depth.max(limit);
                let lexical = self.bm25(groups, filters, ranking, depth);
                let dense = self.dense(v, filters, depth);
                let mut fused: HashMap<u32, f32> = HashMap::new();
                for (list, weight) in [(&lexical, 1.0), (&dense, ranking.dense_weight)] {
                    for (rank, &(slot, _)) in list.iter().enumerate() {
                        *fused.entry(slot).or_insert(0.0) +=
                            weight / (ranking.rrf_k + rank as f32 + 1.0);
                    }
                }
                top_k(fused.into_iter().collect(), limit)
            }
        }
    }
}

/// The `k` best by score, best first; ties by slot so results are deterministic.
fn top_k(mut scored: Vec<(u32, f32)>, k: usize) -> Vec<(u32, f32)> {
    let order = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if scored.len() > k && k > 0 {
        scored.select_nth_unstable_by(k - 1, order);
        scored.truncate(k);
    }
    scored.truncate(k);
    scored.sort_by(order);
    scored
}

/// Dot product in eight independent lanes, which the compiler turns into SIMD.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (ac, ar) = a.split_at(a.len() / 8 * 8);
    let (bc, br) = b.split_at(ac.len());
    for (x, y) in ac.chunks_exact(8).zip(bc.chunks_exact(8)) {
        for i in 0..8 {
            lanes[i] += x[i] * y[i];
        }
    }
    let tail: f32 = ar.iter().zip(br).map(|(x, y)| x * y).sum();
    lanes.iter().sum::<f32>() + tail
}
