//! Duplicate index at scale: 100k synthetic documents of ~800 words (Zipf-distributed
//! vocabulary, seeded), then 2,000-word drafts that copy passages from indexed
//! documents. Prints index build time, bytes per document, and query latency p50/p99
//! (near-duplicate and passage lookups together: profiling the draft and querying both
//! tables; target p99 ≤ 10 ms), and separately the verification of the candidates.
//!
//! Then the MinHash part against the datasketch peer on the same documents and drafts
//! (`benches/datasketch_peer.py`, run here with `DUP_PEER_PYTHON` or `python3`; skipped
//! with a message when datasketch is missing): signature time and the ratio.
//!
//! `cargo bench -p imprimatur-dup --bench dup --profile dev`: 10,000 documents by default
//! (CI); `DUP_BENCH_DOCS=100000` for the size.

use std::time::{Duration, Instant};

use imprimatur_dup::{DupIndex, DupSettings};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

struct Vocabulary {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Vocabulary {
    /// Pseudo-words from syllables, ranked with weight 1/rank^1.07 (Zipf, as natural text).
    fn new(size: usize, rng: &mut StdRng) -> Vocabulary {
        const SYL: &[&str] = &[
            "ka", "ber", "lin", "sto", "wä", "rme", "pu", "mpe", "ha", "us", "ge", "schä", "ft",
            "da", "ten", "ver", "trag", "mie", "te", "stro", "m", "son", "ne", "zei", "t", "ung",
            "ma", "rk", "the", "ory", "pla", "n", "ing", "qu", "ick", "so", "lar", "na", "ß",
        ];
        let mut words = Vec::with_capacity(size);
        let mut seen = std::collections::HashSet::new();
        while words.len() < size {
            let n = rng.random_range(1..=4);
            let w: String = (0..n)
                .map(|_| SYL[rng.random_range(0..SYL.len())])
                .collect();
            if seen.insert(w.clone()) {
                words.push(w);
            }
        }
        let mut acc = 0.0;
        let cumulative = (1..=size)
            .map(|r| {
                acc += 1.0 / (r as f64).powf(1.07);
                acc
            })
            .collect();
        Vocabulary { words, cumulative }
    }

    fn word(&self, rng: &mut StdRng) -> &str {
        let x = rng.random::<f64>() * self.cumulative.last().unwrap();
        let i = self.cumulative.partition_point(|&c| c < x);
        &self.words[i.min(self.words.len() - 1)]
    }

    /// A document: sentences of 8–20 words. Seeded by its number, so it can be made again
    /// for verification instead of being held in memory.
    fn document(&self, seed: u64, words: usize) -> String {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut out = String::with_capacity(words * 8);
        let mut left = words;
        while left > 0 {
            let n = rng.random_range(8..=20).min(left);
            for i in 0..n {
                let w = self.word(&mut rng);
                if i == 0 {
                    let mut c = w.chars();
                    out.extend(c.next().into_iter().flat_map(char::to_uppercase));
                    out.push_str(c.as_str());
                } else {
                    out.push(' ');
                    out.push_str(w);
                }
            }
            out.push_str(". ");
            left -= n;
        }
        out
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let docs: usize = std::env::var("DUP_BENCH_DOCS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let mut rng = StdRng::seed_from_u64(7);
    let vocab = Vocabulary::new(50_000, &mut rng);
    let settings = DupSettings::default();
    let mut index = DupIndex::new(&settings);

    let t = Instant::now();
    let mut total_words = 0usize;
    for d in 0..docs {
        let text = vocab.document(d as u64, 800);
        total_words += text.split(' ').count();
        index.upsert(&format!("doc-{d}"), &text);
    }
    let build = t.elapsed();
    let bytes = index.heap_bytes();
    println!(
        "index build: {docs} documents (~{} words each) in {:.1} s ({:.0} docs/s, text generation included)",
        total_words / docs,
        build.as_secs_f64(),
        docs as f64 / build.as_secs_f64()
    );
    println!(
        "index memory: {:.1} MB, {:.0} bytes per document ({} fingerprints, {:.0} per document)",
        bytes as f64 / 1e6,
        bytes as f64 / docs as f64,
        index.fingerprint_count(),
        index.fingerprint_count() as f64 / docs as f64
    );

    // Drafts of ~2,000 words: new text with three passages of 40 words copied from
    // indexed documents, and every tenth draft a lightly edited copy of one document.
    let queries = 300;
    let mut lookup = Vec::with_capacity(queries);
    let mut verify = Vec::with_capacity(queries);
    let mut found_passages = 0usize;
    let mut planted = 0usize;
    let mut drafts = Vec::with_capacity(queries);
    for q in 0..queries {
        let mut draft = vocab.document(1_000_000 + q as u64, 1_850);
        for _ in 0..3 {
            let src = vocab.document(rng.random_range(0..docs) as u64, 800);
            let words: Vec<&str> = src.split(' ').collect();
            let at = rng.random_range(0..words.len() - 40);
            draft.push_str(&words[at..at + 40].join(" "));
            draft.push_str(". ");
            planted += 1;
        }
        if q % 10 == 0 {
            draft.push_str(&vocab.document(rng.random_range(0..docs) as u64, 800));
        }
        let t = Instant::now();
        let profile = index.profile(&draft);
        let candidates = index.query(&profile, None);
        lookup.push(t.elapsed());
        let t = Instant::now();
        for c in &candidates {
            let n: u64 = c.id.trim_start_matches("doc-").parse().unwrap();
            let o = index.verify(&profile, c, &vocab.document(n, 800));
            found_passages += usize::from(!o.passages.is_empty());
        }
        verify.push(t.elapsed());
        drafts.push(draft);
    }
    lookup.sort();
    verify.sort();
    println!(
        "query (2,000-word draft, profile + LSH + passage lookup): p50 {:.2} ms, p99 {:.2} ms (target p99 ≤ 10 ms) over {queries} drafts",
        percentile(&lookup, 0.5).as_secs_f64() * 1e3,
        percentile(&lookup, 0.99).as_secs_f64() * 1e3
    );
    println!(
        "verification of the candidates against their texts (regenerated here): p50 {:.2} ms, p99 {:.2} ms",
        percentile(&verify, 0.5).as_secs_f64() * 1e3,
        percentile(&verify, 0.99).as_secs_f64() * 1e3
    );
    println!("documents with verified passages: {found_passages} for {planted} planted passages");
    peer(&vocab, &index, docs.min(2_000), &drafts, &lookup);
}

/// The MinHash part beside datasketch on the same texts: signatures of `n` documents
/// (Rust: normalise, word-hash, shingle, 128 permutations) and draft queries.
fn peer(vocab: &Vocabulary, index: &DupIndex, n: usize, drafts: &[String], lookup: &[Duration]) {
    let texts: Vec<String> = (0..n).map(|d| vocab.document(d as u64, 800)).collect();
    let t = Instant::now();
    let mut checksum = 0u64;
    for text in &texts {
        checksum ^= u64::from(index.profile(text).signature[0]);
    }
    let rust = t.elapsed().as_secs_f64();
    std::hint::black_box(checksum);
    println!(
        "MinHash signatures: {n} documents in {:.3} s ({:.0} docs/s)",
        rust,
        n as f64 / rust
    );
    let dir = std::env::temp_dir().join(format!("imprimatur-dup-peer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (docs_file, drafts_file) = (dir.join("docs.txt"), dir.join("drafts.txt"));
    std::fs::write(&docs_file, texts.join("\n")).unwrap();
    std::fs::write(&drafts_file, drafts.join("\n")).unwrap();
    let python = std::env::var("DUP_PEER_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/datasketch_peer.py");
    let out = std::process::Command::new(&python)
        .arg(script)
        .arg(&docs_file)
        .arg(&drafts_file)
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    let out = match out {
        Ok(o) if o.status.success() => o,
        Ok(o) if o.status.code() == Some(3) => {
            println!("datasketch peer: skipped, the Python package datasketch is not installed for {python} (pip install datasketch, or set DUP_PEER_PYTHON)");
            return;
        }
        Ok(o) => {
            println!(
                "datasketch peer: skipped, {python} failed: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            );
            return;
        }
        Err(e) => {
            println!("datasketch peer: skipped, cannot run {python}: {e}");
            return;
        }
    };
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("peer JSON");
    let peer_sig = v["signature_seconds"].as_f64().unwrap();
    println!(
        "datasketch peer (same {n} documents, update_batch): signatures in {:.3} s, {:.1}x the Rust time; LSH insert {:.3} s",
        peer_sig,
        peer_sig / rust,
        v["insert_seconds"].as_f64().unwrap()
    );
    println!(
        "datasketch peer query (same drafts, MinHash + LSH only, {n} documents): p50 {:.2} ms, p99 {:.2} ms; Rust (MinHash + LSH + passage lookup, all documents): p50 {:.2} ms, p99 {:.2} ms",
        v["query_p50_ms"].as_f64().unwrap(),
        v["query_p99_ms"].as_f64().unwrap(),
        percentile(lookup, 0.5).as_secs_f64() * 1e3,
        percentile(lookup, 0.99).as_secs_f64() * 1e3
    );
}
