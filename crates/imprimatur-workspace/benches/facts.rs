//! Deterministic fact check of a 2,000-word German article against the demo knowledge
//! base, retrieval included, after the index is warm (issue target: p50 ≤ 50 ms). Prints
//! p50/p95 for a cold verdict cache with hybrid retrieval (every sentence embedded and
//! searched), with BM25 retrieval, and for the editor's re-check after one edited
//! sentence (verdict cache warm).
//!
//! `cargo bench --profile dev -p imprimatur-workspace --bench facts`

use std::sync::Arc;
use std::time::Instant;

use imprimatur_check::{Document, Lang};
use imprimatur_facts::{FactsCache, FactsConfig};
use imprimatur_knowledge::SearchMode;
use imprimatur_workspace::facts::{FactsState, KnowledgeEvidence};
use imprimatur_workspace::knowledge::Knowledge;
use imprimatur_workspace::store::Timestamp;
use imprimatur_workspace::Workspace;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let model = imprimatur_workspace::knowledge::default_model_dir();
    if !model.join("model.safetensors").exists() {
        println!(
            "facts bench skipped: no embedding model in {}",
            model.display()
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("demo");
    Workspace::create_demo(&root, "bench", Timestamp::now()).unwrap();
    let knowledge = Knowledge::new(model, Arc::new(imprimatur_model::KeyMap::new()));
    knowledge
        .ingest(&root, std::time::SystemTime::UNIX_EPOCH, &mut |_| {})
        .unwrap();

    // A 2,000-word article: the demo articles' bodies, repeated with changed numbers so
    // that sentences differ (the verdict cache must not serve repeats).
    let mut bodies = String::new();
    for f in [
        "waermepumpe-im-altbau.md",
        "foerderung-waermepumpen-2026.md",
        "entwurf-wartungsvertrag.md",
    ] {
        let text = std::fs::read_to_string(
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/documents/").to_string() + f,
        )
        .unwrap();
        let doc = Document::parse(text, Lang::De);
        bodies.push_str(doc.body());
        bodies.push_str("\n\n");
    }
    let mut article = String::from("---\ntitle: Bench\nlang: de\n---\n\n");
    let mut round = 0;
    while article.split_whitespace().count() < 2000 {
        article.push_str(&bodies.replace("2026", &format!("{}", 2026 + round)));
        round += 1;
    }
    let words: Vec<&str> = article.split_whitespace().take(2000).collect();
    let article = words
        .join(" ")
        .replace(" ## ", "\n\n## ")
        .replace(" - ", "\n- ");
    let doc = Document::parse(
        format!("---\ntitle: Bench\nlang: de\n---\n\n{article}"),
        Lang::De,
    );
    let state = FactsState::new();
    let cfg = FactsConfig::default();

    let mut line = Vec::new();
    for (label, mode) in [("hybrid", SearchMode::Hybrid), ("bm25", SearchMode::Bm25)] {
        let kb = KnowledgeEvidence::new(&root, &knowledge, &state, mode);
        // Warm-up: index pages, embedder weights, the names of the knowledge base.
        let r = imprimatur_facts::check(&doc, &kb, None, &FactsCache::new(), &cfg);
        let claims = r.claims.len();
        let mut times = Vec::new();
        for _ in 0..7 {
            let cache = FactsCache::new();
            let t = Instant::now();
            let r = imprimatur_facts::check(&doc, &kb, None, &cache, &cfg);
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(r.claims.len(), claims);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "facts check, 2,000 words, {claims} claims, {label} retrieval, cold verdict cache: p50 {:.0} ms, p95 {:.0} ms",
            percentile(&times, 0.5),
            percentile(&times, 0.95)
        );
        line.push(format!(
            "{label} cold p50 {:.0} ms",
            percentile(&times, 0.5)
        ));

        // The editor's re-check: one sentence edited, the rest from the cache.
        let cache = FactsCache::new();
        imprimatur_facts::check(&doc, &kb, None, &cache, &cfg);
        let mut times = Vec::new();
        for i in 0..15 {
            let edited = doc
                .source
                .replacen("12.490,00 €", &format!("12.{}90,00 €", 5 + i % 4), 1);
            let edited = Document::parse(edited, Lang::De);
            let t = Instant::now();
            let r = imprimatur_facts::check(&edited, &kb, None, &cache, &cfg);
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert!(r.checked <= 2, "{} sentences re-checked", r.checked);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "facts re-check after one edited sentence, {label}: p50 {:.1} ms, p95 {:.1} ms",
            percentile(&times, 0.5),
            percentile(&times, 0.95)
        );
        line.push(format!(
            "{label} incremental p50 {:.1} ms",
            percentile(&times, 0.5)
        ));
    }
    println!("facts bench: {} (target p50 ≤ 50 ms)", line.join(", "));
}
