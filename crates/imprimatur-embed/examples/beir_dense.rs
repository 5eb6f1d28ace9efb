//! Dense-only retrieval figures for BEIR-layout folders:
//! `cargo run -p imprimatur-embed --example beir_dense -- ../shared/data/retrieval/xquad-de`.

use std::path::PathBuf;

use imprimatur_embed::eval::{rank_dense, score_rankings, BeirSet};
use imprimatur_embed::{default_model_dir, Embedder};

fn main() {
    let folders: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if folders.is_empty() {
        eprintln!("usage: beir_dense FOLDER...  (corpus.jsonl, queries.jsonl, qrels/test.tsv)");
        std::process::exit(2);
    }
    let embedder = Embedder::load(&default_model_dir()).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(1)
    });
    for folder in folders {
        let set = BeirSet::read(&folder).unwrap_or_else(|e| {
            eprintln!("error: {e}");
            std::process::exit(1)
        });
        let started = std::time::Instant::now();
        let rankings = rank_dense(&embedder, &set.queries, &set.corpus, 10).expect("embedding");
        let s = score_rankings(&rankings, &set.qrels);
        println!(
            "{}: nDCG@10 {:.4}  Recall@10 {:.4}  MRR@10 {:.4}  ({} queries, {} documents, {:.1} s)",
            folder.display(),
            s.ndcg_at_10,
            s.recall_at_10,
            s.mrr_at_10,
            s.queries,
            set.corpus.len(),
            started.elapsed().as_secs_f64()
        );
    }
}
