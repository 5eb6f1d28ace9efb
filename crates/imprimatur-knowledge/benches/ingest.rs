//! Ingestion throughput on this machine: the demo knowledge base (Markdown, HTML, text,
//! plus the PDF and DOCX fixtures), copied `INGEST_BENCH_COPIES` times (default 1, about
//! 90 chunks, because embedding runs at a few chunks per second on two cores) into a
//! temp folder. Prints extraction + chunking alone, the whole pipeline with the real
//! embedder (chunks per second), a second pass over unchanged files, and peak memory. Prints figures; it asserts nothing.
//!
//! `cargo bench --profile dev -p imprimatur-knowledge --bench ingest`

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;
use std::time::{Instant, SystemTime};

use imprimatur_embed::Embedder;
use imprimatur_knowledge::pipeline::{self, Ingestion};
use imprimatur_knowledge::KnowledgeBase;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn status_mib(key: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn main() {
    let copies: usize = std::env::var("INGEST_BENCH_COPIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().unwrap();
    let knowledge = dir.path().join("knowledge");
    let fixtures = root.join("crates/imprimatur-ingest/tests/fixtures");
    for i in 0..copies {
        let copy = knowledge.join(format!("kopie-{i}"));
        copy_dir(&root.join("demo/knowledge"), &copy);
        for f in ["wartung.docx", "datenblatt.pdf"] {
            std::fs::copy(fixtures.join(f), copy.join(f)).unwrap();
        }
    }
    let files = pipeline::walk(&knowledge).unwrap();
    let bytes: u64 = files
        .iter()
        .map(|(_, p)| std::fs::metadata(p).unwrap().len())
        .sum();

    // Extraction and chunking alone.
    let start = Instant::now();
    let mut chunks = 0;
    for (_, path) in &files {
        let doc = imprimatur_ingest::extract_file(path).unwrap();
        chunks += imprimatur_ingest::chunk(&doc, &imprimatur_ingest::ChunkOptions::default()).len();
    }
    let extract = start.elapsed().as_secs_f64();
    println!(
        "corpus: {} files, {:.0} KiB, {chunks} chunks (demo knowledge + PDF + DOCX fixture, {copies} copies)",
        files.len(),
        bytes as f64 / 1024.0
    );
    println!(
        "extraction + chunking: {:.1} ms, {:.0} chunks/s, {:.1} MiB/s",
        extract * 1e3,
        chunks as f64 / extract,
        bytes as f64 / 1024.0 / 1024.0 / extract
    );

    let load = Instant::now();
    let embedder = Embedder::load(&imprimatur_embed::default_model_dir())
        .unwrap_or_else(|e| panic!("{e}; run `imprimatur models install-embedder`"));
    println!("embedder load: {:.2} s", load.elapsed().as_secs_f64());
    let kb = Mutex::new(
        KnowledgeBase::open(
            &imprimatur_knowledge::index_dir(dir.path()),
            embedder.dimension(),
        )
        .unwrap(),
    );
    let ingestion = Ingestion::new(PathBuf::from(&knowledge), Some(&embedder));
    let cancel = AtomicBool::new(false);
    let report = ingestion
        .run(&kb, SystemTime::now(), &cancel, &mut |_| {})
        .unwrap();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    println!(
        "full ingestion (extract, chunk, embed with multilingual-e5-small on {} threads, index): {} chunks in {:.2} s = {:.1} chunks/s",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        report.chunks,
        report.seconds,
        report.chunks as f64 / report.seconds
    );
    let again = ingestion
        .run(&kb, SystemTime::now(), &cancel, &mut |_| {})
        .unwrap();
    println!(
        "second pass, nothing changed: {} files unchanged in {:.1} ms, 0 chunks embedded",
        again.unchanged,
        again.seconds * 1e3
    );
    let sources = pipeline::sources(&imprimatur_knowledge::index_dir(dir.path())).unwrap();
    assert_eq!(sources.len(), files.len());
    println!(
        "memory: peak resident {:.0} MiB (model included), now {:.0} MiB",
        status_mib("VmHWM:"),
        status_mib("VmRSS:")
    );
}
