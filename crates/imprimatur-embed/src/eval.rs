//! Retrieval quality on a BEIR-layout folder (`corpus.jsonl`, `queries.jsonl`,
//! `qrels/test.tsv`): nDCG@10, Recall@10 and MRR@10, computed as trec_eval and
//! ir-measures do, so figures compare with the rank-bm25 reference script.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{EmbedError, Result};

#[derive(Debug, Clone, Deserialize)]
pub struct Document {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(default)]
    pub title: String,
    pub text: String,
}

impl Document {
    /// Title and text, as retrieval models see a BEIR document (Wikipedia titles use `_`
    /// for spaces).
    pub fn full_text(&self) -> String {
        if self.title.is_empty() {
            self.text.clone()
        } else {
            format!("{} {}", self.title.replace('_', " "), self.text)
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Query {
    #[serde(rename = "_id")]
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct BeirSet {
    pub corpus: Vec<Document>,
    pub queries: Vec<Query>,
    /// query id → document id → graded relevance.
    pub qrels: HashMap<String, HashMap<String, u32>>,
}

impl BeirSet {
    pub fn read(dir: &Path) -> Result<BeirSet> {
        fn jsonl<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>> {
            let text = std::fs::read_to_string(path).map_err(EmbedError::io(path))?;
            text.lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .map(|(i, l)| {
                    serde_json::from_str(l).map_err(|e| {
                        EmbedError::invalid(
                            path,
                            "BEIR JSON lines file",
                            format!("line {}: {e}", i + 1),
                        )
                    })
                })
                .collect()
        }
        let qrels_path = dir.join("qrels/test.tsv");
        let text = std::fs::read_to_string(&qrels_path).map_err(EmbedError::io(&qrels_path))?;
        let mut qrels: HashMap<String, HashMap<String, u32>> = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            if line.starts_with("query-id") || line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            let relevance = match fields.as_slice() {
                [_, _, score] => score.trim().parse::<u32>().ok(),
                _ => None,
            };
            let Some(relevance) = relevance else {
                return Err(EmbedError::invalid(
                    &qrels_path,
                    "BEIR qrels file",
                    format!("line {}: expected query-id, corpus-id and a score", i + 1),
                ));
            };
            qrels
                .entry(fields[0].to_string())
                .or_default()
                .insert(fields[1].to_string(), relevance);
        }
        Ok(BeirSet {
            corpus: jsonl(&dir.join("corpus.jsonl"))?,
            queries: jsonl(&dir.join("queries.jsonl"))?,
            qrels,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetrievalScores {
    pub ndcg_at_10: f64,
    pub recall_at_10: f64,
    pub mrr_at_10: f64,
    /// Queries with judgements that were scored.
    pub queries: usize,
}

/// Scores ranked document ids per query id against `qrels`. Queries without relevant
/// documents are left out; a judged query missing from `rankings` scores zero.
pub fn score_rankings(
    rankings: &HashMap<String, Vec<String>>,
    qrels: &HashMap<String, HashMap<String, u32>>,
) -> RetrievalScores {
    let (mut ndcg, mut recall, mut mrr, mut n) = (0.0, 0.0, 0.0, 0usize);
    let empty = Vec::new();
    for (query, judged) in qrels {
        let relevant = judged.values().filter(|&&r| r > 0).count();
        if relevant == 0 {
            continue;
        }
        n += 1;
        let ranked = rankings.get(query).unwrap_or(&empty);
        let top = &ranked[..ranked.len().min(10)];
        let gain = |doc: &String| f64::from(judged.get(doc).copied().unwrap_or(0));
        let dcg: f64 = top
            .iter()
            .enumerate()
            .map(|(i, d)| gain(d) / (i as f64 + 2.0).log2())
            .sum();
        let mut ideal: Vec<f64> = judged.values().map(|&r| f64::from(r)).collect();
        ideal.sort_by(|a, b| b.total_cmp(a));
        let idcg: f64 = ideal
            .iter()
            .take(10)
            .enumerate()
            .map(|(i, g)| g / (i as f64 + 2.0).log2())
            .sum();
        ndcg += dcg / idcg;
        recall += top.iter().filter(|d| gain(d) > 0.0).count() as f64 / relevant as f64;
        if let Some(rank) = top.iter().position(|d| gain(d) > 0.0) {
            mrr += 1.0 / (rank as f64 + 1.0);
        }
    }
    let mean = |x: f64| if n == 0 { 0.0 } else { x / n as f64 };
    RetrievalScores {
        ndcg_at_10: mean(ndcg),
        recall_at_10: mean(recall),
        mrr_at_10: mean(mrr),
        queries: n,
    }
}

/// Dense retrieval: every query against every document by cosine, the best `k` ids per
/// query. A brute-force baseline for the index to beat on speed, not on quality.
pub fn rank_dense(
    embedder: &crate::Embedder,
    queries: &[Query],
    corpus: &[Document],
    k: usize,
) -> Result<HashMap<String, Vec<String>>> {
    let documents =
        embedder.embed_passages(&corpus.iter().map(Document::full_text).collect::<Vec<_>>())?;
    let vectors =
        embedder.embed_queries(&queries.iter().map(|q| q.text.as_str()).collect::<Vec<_>>())?;
    Ok(rank_vectors(queries, &vectors, corpus, &documents, k))
}

/// [`rank_dense`] on vectors already computed (queries and documents in the given order),
/// so one embedding of a set serves several comparisons.
pub fn rank_vectors(
    queries: &[Query],
    query_vectors: &[Vec<f32>],
    corpus: &[Document],
    document_vectors: &[Vec<f32>],
    k: usize,
) -> HashMap<String, Vec<String>> {
    queries
        .iter()
        .zip(query_vectors)
        .map(|(query, v)| {
            let mut scored: Vec<(f32, usize)> = document_vectors
                .iter()
                .enumerate()
                .map(|(i, d)| (crate::cosine(v, d), i))
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0));
            let ids = scored
                .iter()
                .take(k)
                .map(|&(_, i)| corpus[i].id.clone())
                .collect();
            (query.id.clone(), ids)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qrels(pairs: &[(&str, &str)]) -> HashMap<String, HashMap<String, u32>> {
        let mut q: HashMap<String, HashMap<String, u32>> = HashMap::new();
        for (query, doc) in pairs {
            q.entry(query.to_string())
                .or_default()
                .insert(doc.to_string(), 1);
        }
        q
    }

    #[test]
    fn metrics_follow_the_rank_of_the_relevant_document() {
        let qrels = qrels(&[("q1", "a"), ("q2", "b"), ("q3", "c")]);
        let ranked = |docs: &[&str]| docs.iter().map(|d| d.to_string()).collect::<Vec<_>>();
        let rankings = HashMap::from([
            ("q1".to_string(), ranked(&["a", "x"])),      // rank 1
            ("q2".to_string(), ranked(&["x", "y", "b"])), // rank 3
            (
                "q3".to_string(),
                ranked(&["x"; 10])
                    .into_iter()
                    .chain(["c".to_string()])
                    .collect(),
            ), // rank 11
        ]);
        let s = score_rankings(&rankings, &qrels);
        assert_eq!(s.queries, 3);
        assert!((s.mrr_at_10 - (1.0 + 1.0 / 3.0) / 3.0).abs() < 1e-12);
        assert!((s.recall_at_10 - 2.0 / 3.0).abs() < 1e-12);
        assert!(
            (s.ndcg_at_10 - (1.0 + 0.5) / 3.0).abs() < 1e-12,
            "{}",
            s.ndcg_at_10
        );
    }
}
