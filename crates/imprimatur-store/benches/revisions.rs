//! Autosave benchmark: a 2,000-word German text, 1,000 small edits, each saved as a revision.
//! Prints save latency, read latency, history listing time and bytes on disk per revision,
//! next to what plain and whole-text-compressed storage would take.
//!
//! Run: `cargo bench -p imprimatur-store --bench revisions`

use std::path::Path;
use std::time::{Duration, Instant};

use imprimatur_store::{NewRevision, Origin, Store, Timestamp};

const WORDS: usize = 2_000;
const EDITS: usize = 1_000;

fn german_text() -> String {
    // The demo workspace's German articles and knowledge files: real prose, not lorem ipsum.
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo");
    let mut files = Vec::new();
    for sub in ["documents", "knowledge"] {
        collect_md(&demo.join(sub), &mut files);
    }
    files.sort();
    let mut words = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        words.extend(text.split_whitespace().map(str::to_owned));
        if words.len() >= WORDS {
            break;
        }
    }
    assert!(
        words.len() >= WORDS,
        "the demo workspace has only {} words",
        words.len()
    );
    words.truncate(WORDS);
    // Keep paragraphs: a line break every 60 words.
    words
        .chunks(60)
        .map(|c| c.join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn collect_md(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if !p.ends_with("en") {
                collect_md(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "md") {
            out.push(p);
        }
    }
}

/// One small edit as an editor makes them: replace, insert or delete a word, or fix a letter.
fn edit(text: &str, rng: &mut fastrand::Rng) -> String {
    let mut words: Vec<String> = text.split(' ').map(str::to_owned).collect();
    let i = rng.usize(..words.len());
    match rng.u8(..4) {
        0 => words[i] = "Wärmepumpen".to_string(),
        1 => words.insert(i, "besonders".to_string()),
        2 if words.len() > 10 => {
            words.remove(i);
        }
        _ => {
            let w: Vec<char> = words[i].chars().collect();
            if !w.is_empty() {
                let j = rng.usize(..w.len());
                let mut w2 = w.clone();
                w2[j] = 'e';
                words[i] = w2.into_iter().collect();
            }
        }
    }
    words.join(" ")
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx].as_secs_f64() * 1000.0
}

fn summary(name: &str, mut d: Vec<Duration>, target_ms: f64) {
    d.sort();
    let p50 = pct(&d, 0.5);
    println!(
        "{name:<28} p50 {p50:>7.3} ms   p95 {:>7.3} ms   p99 {:>7.3} ms   max {:>7.3} ms   target p50 < {target_ms} ms: {}",
        pct(&d, 0.95),
        pct(&d, 0.99),
        pct(&d, 1.0),
        if p50 < target_ms { "met" } else { "MISSED" }
    );
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("imprimatur.db");
    let mut store = Store::open(&db).unwrap();
    let doc = store
        .create_document("Benchmark", "bench", Timestamp(0))
        .unwrap();
    let mut rng = fastrand::Rng::with_seed(42);

    let mut text = german_text();
    let mut texts = Vec::with_capacity(EDITS);
    let mut saves = Vec::with_capacity(EDITS);
    let mut ids = Vec::with_capacity(EDITS);
    for i in 0..EDITS {
        // Every edit must change the text, or the store (rightly) writes nothing.
        let mut next = edit(&text, &mut rng);
        while next == text {
            next = edit(&text, &mut rng);
        }
        text = next;
        let started = Instant::now();
        let out = store
            .save(
                &doc.id,
                NewRevision {
                    content: &text,
                    author: "bench",
                    origin: Origin::Human,
                    message: None,
                },
                Timestamp(i as i64 * 1500),
            )
            .unwrap();
        saves.push(started.elapsed());
        ids.push(out.revision.id);
        texts.push(text.clone());
    }

    let mut reads = Vec::with_capacity(EDITS);
    for _ in 0..EDITS {
        let i = rng.usize(..ids.len());
        let started = Instant::now();
        let r = store.revision(&ids[i]).unwrap();
        reads.push(started.elapsed());
        assert_eq!(r.content, texts[i]);
    }

    let mut listings = Vec::new();
    for _ in 0..100 {
        let started = Instant::now();
        let h = store.history(&doc.id).unwrap();
        listings.push(started.elapsed());
        assert_eq!(h.len(), EDITS);
    }

    let started = Instant::now();
    let audit = store.verify_audit().unwrap();
    let verify = started.elapsed();
    assert!(audit.intact());

    store.checkpoint().unwrap();
    let stats = store.stats().unwrap();
    let words = texts[0].split_whitespace().count();
    let raw: usize = texts.iter().map(String::len).sum();
    let whole_zstd: usize = texts
        .iter()
        .map(|t| zstd::bulk::compress(t.as_bytes(), 3).unwrap().len())
        .sum();

    println!("revision store benchmark: {words}-word German text, {EDITS} small edits, one revision each");
    summary("save (autosave)", saves, 2.0);
    summary("read any revision", reads, 5.0);
    summary("list 1,000-revision history", listings, 20.0);
    println!(
        "verify audit chain           {} entries in {:.3} ms",
        audit.entries,
        verify.as_secs_f64() * 1000.0
    );
    println!(
        "storage                      {} keyframes + {} deltas; text {:.1} KB per revision",
        stats.keyframes,
        stats.revisions - stats.keyframes,
        raw as f64 / EDITS as f64 / 1024.0
    );
    println!(
        "bytes per revision           stored body {:.0} B, database file {:.0} B (file {:.1} KB total)",
        stats.stored_bytes as f64 / EDITS as f64,
        stats.file_bytes as f64 / EDITS as f64,
        stats.file_bytes as f64 / 1024.0
    );
    println!(
        "alternatives per revision    raw text {:.0} B, whole text zstd-3 {:.0} B; keyframe+delta is {:.0}x smaller than whole-text zstd",
        raw as f64 / EDITS as f64,
        whole_zstd as f64 / EDITS as f64,
        whole_zstd as f64 / stats.stored_bytes as f64
    );
}
