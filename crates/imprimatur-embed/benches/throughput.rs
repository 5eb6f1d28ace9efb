//! Embedding throughput and memory on this machine: the 240 XQuAD paragraphs (German and
//! English) as passages and 1,190 questions as queries, timed after a warm-up, then the
//! process's peak resident memory (VmHWM).
//!
//! `cargo bench -p imprimatur-embed --bench throughput` (installs the model if needed).

use std::time::Instant;

use imprimatur_embed::eval::BeirSet;
use imprimatur_embed::{install_embedder, Embedder, InstallOptions, TextKind};

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let report = install_embedder(&InstallOptions::default()).expect("installing the model");
    let t = Instant::now();
    let embedder = Embedder::load(&report.target).expect("loading the model");
    let load = t.elapsed();
    let after_load = status_kib("VmRSS:").unwrap_or(0);
    println!(
        "load: {:.2} s, resident after load {} MiB, threads {}",
        load.as_secs_f64(),
        after_load / 1024,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );

    let shared =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/retrieval");
    for lang in ["de", "en"] {
        let set = BeirSet::read(&shared.join(format!("xquad-{lang}"))).expect("XQuAD");
        let passages: Vec<String> = set.corpus.iter().map(|d| d.full_text()).collect();
        let queries: Vec<&str> = set.queries.iter().map(|q| q.text.as_str()).collect();
        embedder.embed_passages(&passages[..16]).expect("warm-up");
        for (what, kind, texts) in [
            (
                "passages",
                TextKind::Passage,
                passages.iter().map(String::as_str).collect::<Vec<_>>(),
            ),
            ("queries", TextKind::Query, queries.clone()),
        ] {
            let tokens: usize = texts
                .iter()
                .map(|t| {
                    embedder
                        .count_tokens(kind, t)
                        .unwrap()
                        .min(imprimatur_embed::MAX_TOKENS)
                })
                .sum();
            let t = Instant::now();
            let vectors = embedder.embed(kind, &texts).expect("embedding");
            let secs = t.elapsed().as_secs_f64();
            assert_eq!(vectors.len(), texts.len());
            println!(
                "xquad-{lang} {what}: {} texts, {:.0} tokens each on average, {secs:.2} s: {:.1} {what}/s, {:.0} tokens/s",
                texts.len(),
                tokens as f64 / texts.len() as f64,
                texts.len() as f64 / secs,
                tokens as f64 / secs
            );
        }
    }
    // Single-query latency: what a search box waits for before the index lookup.
    let mut times: Vec<f64> = (0..50)
        .map(|i| {
            let t = Instant::now();
            embedder
                .embed_queries(&[format!("Wie hoch ist der Arbeitspreis im Tarif {i}?")])
                .unwrap();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "single query: p50 {:.1} ms, p99 {:.1} ms",
        times[25], times[49]
    );
    println!(
        "peak resident memory (VmHWM): {} MiB",
        status_kib("VmHWM:").unwrap_or(0) / 1024
    );
}
