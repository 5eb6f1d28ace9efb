//! Knowledge index figures on a synthetic 100k-chunk index (384-dimensional vectors, as
//! multilingual-e5-small makes; German-like text with a Zipf vocabulary): build time,
//! query latency p50/p99 for BM25, dense and hybrid without the query embedding (target:
//! p99 ≤ 10 ms), memory and size on disk. Prints figures; it asserts nothing.
//!
//! `KB_BENCH_CHUNKS=20000 cargo bench --profile dev -p imprimatur-knowledge --bench knowledge`
//! for a quicker run.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use imprimatur_knowledge::{
    ChunkRecord, Filters, KnowledgeBase, SearchMode, SearchQuery, SourceMeta,
};

const DIMENSION: usize = 384;
const CHUNKS_PER_SOURCE: usize = 20;
const WORDS_PER_CHUNK: usize = 90;
const VOCABULARY: usize = 30_000;
const QUERIES: usize = 1_000;

/// xorshift64*: reproducible figures without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Zipf-like rank in 0..n: word frequencies in real text fall off as 1/rank.
    fn zipf(&mut self, n: usize) -> usize {
        let x = self.unit();
        ((n as f64).powf(x) - 1.0) as usize % n
    }
    fn vector(&mut self) -> Vec<f32> {
        (0..DIMENSION)
            .map(|_| (self.unit() * 2.0 - 1.0) as f32)
            .collect()
    }
}

fn vocabulary(rng: &mut Rng) -> Vec<String> {
    const SYLLABLES: [&str; 24] = [
        "ar", "bei", "ten", "strom", "preis", "ver", "trag", "kun", "de", "netz", "lie", "fe",
        "rung", "ta", "rif", "grund", "ge", "bühr", "zäh", "ler", "markt", "wär", "me", "gas",
    ];
    (0..VOCABULARY)
        .map(|_| {
            let n = 2 + (rng.next() % 3) as usize;
            (0..n)
                .map(|_| SYLLABLES[(rng.next() % SYLLABLES.len() as u64) as usize])
                .collect()
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

fn dir_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Peak resident memory of this process (Linux), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Inserts `total` synthetic chunks and builds the vector index, printing the times.
fn build(dir: &Path, total: usize, rng: &mut Rng, words: &[String]) {
    let mut kb = KnowledgeBase::open(dir, DIMENSION).expect("open the index");
    let started = Instant::now();
    let products = ["Atlas", "Boreas", "Cirrus", "Delta"];
    for s in 0..total.div_ceil(CHUNKS_PER_SOURCE) {
        let source = SourceMeta {
            path: format!("quelle-{:03}/{s}.md", s % 100),
            sha256: format!("{s:064x}"),
            title: None,
        };
        let chunks: Vec<ChunkRecord> = (0..CHUNKS_PER_SOURCE.min(total - s * CHUNKS_PER_SOURCE))
            .map(|i| {
                let text = (0..WORDS_PER_CHUNK)
                    .map(|_| words[rng.zipf(VOCABULARY)].as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                ChunkRecord {
                    start: i * 1000,
                    end: i * 1000 + text.len(),
                    text,
                    heading_path: vec![format!("Kapitel {i}")],
                    lang: "de".into(),
                    metadata: BTreeMap::from([(
                        "product".to_string(),
                        products[s % products.len()].to_string(),
                    )]),
                    injection: false,
                    vector: rng.vector(),
                }
            })
            .collect();
        kb.replace_source(&source, &chunks).expect("index a source");
    }
    let inserted = started.elapsed();
    let optimizing = Instant::now();
    kb.optimize().expect("build the HNSW index");
    let optimized = optimizing.elapsed();
    println!(
        "build: {:.1} s insert ({:.0} chunks/s, without embedding) + {:.1} s HNSW/payload indexing = {:.1} s",
        inserted.as_secs_f64(),
        total as f64 / inserted.as_secs_f64(),
        optimized.as_secs_f64(),
        (inserted + optimized).as_secs_f64()
    );
}

fn main() {
    let total: usize = std::env::var("KB_BENCH_CHUNKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let words = vocabulary(&mut rng);
    // Building 100k chunks takes minutes on two cores, so the finished index is kept in the
    // cache and reused when its marker says it is complete; delete the folder (or set
    // KB_BENCH_FRESH=1) to measure the build again. The figures below never depend on it:
    // queries run against the same deterministic index either way.
    let dir = std::env::var_os("KB_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").map_or_else(std::env::temp_dir, Into::into);
            home.join(format!(".cache/imprimatur/bench/knowledge-{total}-v1"))
        });
    let marker = dir.join("bench-complete");
    let fresh = std::env::var_os("KB_BENCH_FRESH").is_some() || !marker.exists();
    println!("knowledge index: {total} chunks, {DIMENSION} dimensions, {WORDS_PER_CHUNK} words per chunk");
    if fresh {
        let _ = std::fs::remove_dir_all(&dir);
        build(&dir, total, &mut rng, &words);
        std::fs::write(&marker, b"").expect("write the bench marker");
    } else {
        println!(
            "build: reused the finished index in {} (KB_BENCH_FRESH=1 rebuilds and times it)",
            dir.display()
        );
    }
    let reopening = Instant::now();
    let kb = KnowledgeBase::open(&dir, DIMENSION).expect("reopen the index");
    println!(
        "reopen: {:.0} ms",
        reopening.elapsed().as_secs_f64() * 1000.0
    );
    assert_eq!(kb.chunk_count(), total);

    // Queries come from their own generator so they are the same with or without a build.
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let queries: Vec<(String, Vec<f32>)> = (0..QUERIES)
        .map(|_| {
            let n = 2 + (rng.next() % 4) as usize;
            // Query words from the middle of the vocabulary: neither stopword-common nor unseen.
            let text = (0..n)
                .map(|_| words[50 + rng.zipf(VOCABULARY - 50)].as_str())
                .collect::<Vec<_>>()
                .join(" ");
            (text, rng.vector())
        })
        .collect();
    println!(
        "{:<22} {:>8} {:>8} {:>8}",
        "query (limit 10)", "p50 ms", "p99 ms", "max ms"
    );
    let atlas = Filters {
        metadata: BTreeMap::from([("product".to_string(), "Atlas".to_string())]),
        ..Filters::default()
    };
    for (name, mode, filters) in [
        ("bm25", SearchMode::Bm25, Filters::default()),
        ("dense", SearchMode::Dense, Filters::default()),
        ("hybrid", SearchMode::Hybrid, Filters::default()),
        ("hybrid, product filter", SearchMode::Hybrid, atlas),
    ] {
        let mut times = Vec::with_capacity(QUERIES);
        let mut found = 0usize;
        for (text, vector) in &queries {
            let query = SearchQuery::new(text.clone())
                .mode(mode)
                .lang("de")
                .filters(filters.clone());
            let t = Instant::now();
            let hits = kb.search(&query, Some(vector)).expect("search");
            times.push(t.elapsed());
            found += hits.len();
        }
        times.sort();
        println!(
            "{name:<22} {:>8.2} {:>8.2} {:>8.2}   ({:.1} hits/query)",
            percentile(&times, 0.50),
            percentile(&times, 0.99),
            percentile(&times, 1.0),
            found as f64 / QUERIES as f64
        );
    }
    println!(
        "memory: peak RSS {} MiB; on disk {:.0} MiB (SQLite {:.0} MiB, Qdrant shard {:.0} MiB)",
        peak_rss_mib().map_or("?".to_string(), |m| format!("{m:.0}")),
        dir_size(&dir) as f64 / 1048576.0,
        std::fs::metadata(dir.join("index.sqlite3")).map_or(0, |m| m.len()) as f64 / 1048576.0,
        dir_size(&dir.join("qdrant")) as f64 / 1048576.0
    );
}
