//! Dense-only retrieval on XQuAD (240 paragraphs, 1,190 questions, German and English):
//! the figures hybrid retrieval (issue 5) builds on. rank-bm25 scores nDCG@10 0.921 (de)
//! and 0.962 (en) on the same sets.

mod common;

use imprimatur_embed::eval::{rank_vectors, score_rankings, BeirSet};

#[test]
fn dense_retrieval_on_xquad() {
    let retrieval = common::shared_dir().join("data/retrieval");
    let de = BeirSet::read(&retrieval.join("xquad-de")).unwrap();
    let en = BeirSet::read(&retrieval.join("xquad-en")).unwrap();
    let e = common::embedder();
    let embed = |set: &BeirSet| {
        let documents: Vec<String> = set.corpus.iter().map(|d| d.full_text()).collect();
        let queries: Vec<&str> = set.queries.iter().map(|q| q.text.as_str()).collect();
        (
            e.embed_passages(&documents).unwrap(),
            e.embed_queries(&queries).unwrap(),
        )
    };
    let ((de_docs, de_queries), (en_docs, en_queries)) = (embed(&de), embed(&en));
    // (label, queries, corpus, nDCG@10 floor)
    for (label, (queries, query_vectors), (corpus, document_vectors), qrels, floor) in [
        (
            "de",
            (&de.queries, &de_queries),
            (&de.corpus, &de_docs),
            &de.qrels,
            0.92,
        ),
        (
            "en",
            (&en.queries, &en_queries),
            (&en.corpus, &en_docs),
            &en.qrels,
            0.94,
        ),
        // German questions against the English paragraphs: what BM25 cannot do at all.
        (
            "de→en",
            (&de.queries, &de_queries),
            (&en.corpus, &en_docs),
            &de.qrels,
            0.88,
        ),
    ] {
        let rankings = rank_vectors(queries, query_vectors, corpus, document_vectors, 10);
        let s = score_rankings(&rankings, qrels);
        println!(
            "XQuAD {label} dense: nDCG@10 {:.4}, Recall@10 {:.4}, MRR@10 {:.4} over {} queries",
            s.ndcg_at_10, s.recall_at_10, s.mrr_at_10, s.queries
        );
        assert_eq!(s.queries, 1190);
        assert!(
            s.ndcg_at_10 > floor,
            "{label}: nDCG@10 {:.4} <= {floor}",
            s.ndcg_at_10
        );
    }
}
