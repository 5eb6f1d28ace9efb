//! The ingestion pipeline on the demo knowledge base with the real embedder: every
//! format, broken files skipped with their message, unchanged files never re-embedded,
//! changes and deletions followed, cancellation consistent and resumable.

mod ingest_common;

use std::sync::atomic::AtomicBool;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use imprimatur_knowledge::pipeline::{self, Ingestion, Progress, SourceStatus};
use imprimatur_knowledge::{KnowledgeBase, SearchMode, SearchQuery};
use ingest_common::{copy_dir, demo_knowledge, Counting};

// Fields drop in order: the index before its folder.
struct Setup {
    kb: Mutex<KnowledgeBase>,
    knowledge: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

fn setup() -> Setup {
    let s = setup_with(&[]);
    copy_dir(&demo_knowledge(), &s.knowledge);
    s
}

/// Four demo sources (two languages, Markdown and text): enough for the tests of what
/// changes between passes, at a quarter of the embedding time.
const SMALL: &[&str] = &[
    "en/faq-en.md",
    "faq.md",
    "produkte/albair-6.md",
    "unternehmen.txt",
];

fn setup_with(files: &[&str]) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let knowledge = dir.path().join("knowledge");
    for f in files {
        let target = knowledge.join(f);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(demo_knowledge().join(f), target).unwrap();
    }
    let index = imprimatur_knowledge::index_dir(dir.path());
    let kb = Mutex::new(KnowledgeBase::open(&index, 384).unwrap());
    Setup {
        _dir: dir,
        knowledge,
        kb,
    }
}

fn t(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_780_000_000 + secs)
}

fn run(s: &Setup, e: &Counting) -> pipeline::IngestReport {
    Ingestion::new(&s.knowledge, Some(e))
        .run(&s.kb, t(0), &AtomicBool::new(false), &mut |_| {})
        .unwrap()
}

fn search(s: &Setup, e: &Counting, q: &str) -> Vec<imprimatur_knowledge::Hit> {
    let v = e.inner.embed_queries(&[q]).unwrap().pop().unwrap();
    s.kb.lock()
        .unwrap()
        .search(&SearchQuery::new(q).mode(SearchMode::Hybrid), Some(&v))
        .unwrap()
}

#[test]
fn demo_sources_are_ingested_once_and_bad_files_are_skipped_with_a_message() {
    let s = setup();
    let e = Counting::new();
    std::fs::write(s.knowledge.join("kaputt.pdf"), b"%PDF-1.4 nothing else").unwrap();
    std::fs::write(s.knowledge.join("bild.png"), b"\x89PNG\r\n\x1a\n\0\0").unwrap();
    std::fs::write(s.knowledge.join("binär.md"), b"abc\0def").unwrap();
    std::fs::write(s.knowledge.join(".versteckt.md"), "# Nicht indexieren").unwrap();
    let docx = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../imprimatur-ingest/tests/fixtures"
    );
    std::fs::copy(
        format!("{docx}/wartung.docx"),
        s.knowledge.join("wartung.docx"),
    )
    .unwrap();
    std::fs::copy(
        format!("{docx}/datenblatt.pdf"),
        s.knowledge.join("datenblatt.pdf"),
    )
    .unwrap();

    let mut seen: Vec<Progress> = Vec::new();
    let report = Ingestion::new(&s.knowledge, Some(&e))
        .run(&s.kb, t(0), &AtomicBool::new(false), &mut |p| {
            seen.push(p.clone())
        })
        .unwrap();
    assert_eq!(report.files, 14, "{report:#?}");
    assert_eq!(report.ingested.len(), 11, "{report:#?}");
    let problems: Vec<(&str, SourceStatus)> = report
        .problems
        .iter()
        .map(|p| (p.path.as_str(), p.status))
        .collect();
    assert_eq!(
        problems,
        [
            ("bild.png", SourceStatus::Skipped),
            ("binär.md", SourceStatus::Error),
            ("kaputt.pdf", SourceStatus::Error),
        ]
    );
    for p in &report.problems {
        let message = p.message.as_deref().unwrap();
        assert!(message.contains(&p.path), "{message}");
    }
    let embedded = e.take();
    assert_eq!(embedded, report.chunks, "every chunk embedded once");
    assert!(report.chunks >= 40, "{}", report.chunks);
    assert_eq!(report.injection_chunks, 0);
    let last = seen.last().unwrap();
    assert_eq!(
        (last.files_done, last.files_total, last.chunks),
        (14, 14, report.chunks)
    );
    assert!(seen.windows(2).all(|w| w[0].files_done <= w[1].files_done));

    // Found, with offsets into the file.
    let hits = search(&s, &e, "Was kostet der Wartungsvertrag Plus pro Jahr?");
    assert!(
        hits.iter().take(3).any(|h| h.text.contains("389,00 €")),
        "{:#?}",
        hits.iter().map(|h| (&h.path, &h.text)).collect::<Vec<_>>()
    );
    for h in &hits {
        if h.path.ends_with(".md") || h.path.ends_with(".txt") {
            let file = std::fs::read_to_string(s.knowledge.join(&h.path)).unwrap();
            assert_eq!(file[h.start..h.end], h.text, "{}", h.path);
        }
    }
    // A question in other words than the source finds the product sheets (German or English).
    let hits = search(&s, &e, "Wie laut ist die AlbAir 9 im Nachtbetrieb?");
    assert!(hits
        .iter()
        .take(5)
        .any(|h| h.path.starts_with("en/") || h.path.contains("albair-9")));
    // Front matter reaches the chunks.
    let hits = search(&s, &e, "Preis Montagepaket Basis");
    let price = hits
        .iter()
        .find(|h| h.path == "preisliste-2026.md")
        .unwrap();
    assert_eq!(price.metadata["valid_from"], "2026-01-01");
    assert!(
        price
            .heading_path
            .iter()
            .any(|h| h.contains("Montagepakete")),
        "{:?}",
        price.heading_path
    );

    // Nothing changed: nothing is read again, nothing embedded.
    let again = run(&s, &e);
    assert_eq!(
        (again.unchanged, again.ingested.len(), e.take()),
        (14, 0, 0),
        "{again:#?}"
    );

    // The manifest lists every file with its status.
    let manifest = pipeline::sources(&imprimatur_knowledge::index_dir(s._dir.path())).unwrap();
    assert_eq!(manifest.len(), 14);
    let faq = manifest.iter().find(|r| r.path == "faq.md").unwrap();
    assert_eq!(faq.status, SourceStatus::Ok);
    assert!(faq.chunks > 0 && faq.sha256.len() == 64);
    assert_eq!(faq.ingested_at, 1_780_000_000_000);
}

#[test]
fn chunks_fit_the_models_window() {
    let s = setup();
    let e = Counting::new();
    let mut longest = 0;
    for (rel, abs) in pipeline::walk(&s.knowledge).unwrap() {
        let doc = imprimatur_ingest::extract_file(&abs).unwrap();
        for c in imprimatur_ingest::chunk(&doc, &imprimatur_ingest::ChunkOptions::default()) {
            let p = pipeline::passage(doc.meta.title.as_deref(), &c.heading_path, &c.text);
            let tokens = e
                .inner
                .count_tokens(imprimatur_embed::TextKind::Passage, &p)
                .unwrap();
            assert!(
                tokens <= imprimatur_embed::MAX_TOKENS,
                "{rel}: {tokens} tokens: {p}"
            );
            longest = longest.max(tokens);
        }
    }
    println!("longest demo passage: {longest} tokens");
}

#[test]
fn edits_touches_and_deletions_are_followed() {
    let s = setup_with(SMALL);
    let e = Counting::new();
    run(&s, &e);
    e.take();

    // Touched, same bytes: hashed, not embedded.
    let faq = s.knowledge.join("faq.md");
    let text = std::fs::read_to_string(&faq).unwrap();
    std::fs::write(&faq, &text).unwrap();
    let r = run(&s, &e);
    assert_eq!((r.ingested.len(), e.take()), (0, 0));

    // Edited: only that file is embedded again; the old text is gone.
    let edited = text.replace("Flüstermodus", "Quokkamodus");
    assert_ne!(edited, text);
    std::fs::write(&faq, &edited).unwrap();
    let r = run(&s, &e);
    assert_eq!(r.ingested, ["faq.md"]);
    assert_eq!(e.take(), r.chunks);
    let bm25 = |q: &str| {
        s.kb.lock()
            .unwrap()
            .search(&SearchQuery::new(q).mode(SearchMode::Bm25), None)
            .unwrap()
    };
    assert!(bm25("Quokkamodus").iter().any(|h| h.path == "faq.md"));

    // Broken by an edit: the old version leaves the index too.
    std::fs::write(&faq, b"\xff\xfe kaputt").unwrap();
    let r = run(&s, &e);
    assert_eq!(r.problems.len(), 1);
    assert!(r.problems[0].message.as_deref().unwrap().contains("UTF-8"));
    assert!(bm25("Quokkamodus").is_empty());

    // Deleted.
    std::fs::remove_file(s.knowledge.join("unternehmen.txt")).unwrap();
    std::fs::remove_dir_all(s.knowledge.join("en")).unwrap();
    let r = run(&s, &e);
    let mut removed = r.removed.clone();
    removed.sort();
    assert_eq!(removed, ["en/faq-en.md", "unternehmen.txt"]);
    assert!(bm25("Handwerksrolle Musterbach")
        .iter()
        .all(|h| h.path != "unternehmen.txt"));
    let stored = s.kb.lock().unwrap().sources().unwrap();
    assert!(stored.iter().all(|s| !s.meta.path.starts_with("en/")));
}

#[test]
fn a_cancelled_pass_leaves_whole_sources_and_the_next_pass_resumes() {
    let s = setup_with(SMALL);
    let e = Counting::new();
    let cancel = AtomicBool::new(false);
    let mut ingestion = Ingestion::new(&s.knowledge, Some(&e));
    ingestion.options.batch = 2;
    let mut third_started_at = None;
    let report = ingestion
        .run(&s.kb, t(0), &cancel, &mut |p| {
            // Cancel in the middle of the third file's embedding (albair-6.md, 4 chunks).
            if p.files_done == 2 && p.current.is_some() {
                match third_started_at {
                    None => third_started_at = Some(p.chunks),
                    Some(c) if p.chunks > c => {
                        cancel.store(true, std::sync::atomic::Ordering::Relaxed)
                    }
                    Some(_) => {}
                }
            }
        })
        .unwrap();
    assert!(report.cancelled);
    assert_eq!(report.ingested.len(), 2, "{report:#?}");
    // Only whole sources are in the index: each has exactly the chunks the manifest says.
    let manifest = pipeline::sources(&imprimatur_knowledge::index_dir(s._dir.path())).unwrap();
    let stored = s.kb.lock().unwrap().sources().unwrap();
    assert_eq!(stored.len(), 2);
    for src in &stored {
        let m = manifest.iter().find(|m| m.path == src.meta.path).unwrap();
        assert_eq!(m.chunks, src.chunks);
    }
    e.take();
    let resumed = ingestion
        .run(&s.kb, t(1), &AtomicBool::new(false), &mut |_| {})
        .unwrap();
    assert!(!resumed.cancelled);
    assert_eq!(resumed.unchanged, 2);
    assert_eq!(resumed.ingested.len(), 2);
    assert_eq!(
        e.take(),
        resumed.chunks,
        "the two finished files are not embedded again"
    );
}

#[test]
fn a_lost_manifest_is_rebuilt_without_embedding() {
    let s = setup_with(SMALL);
    let e = Counting::new();
    let first = run(&s, &e);
    e.take();
    let index = imprimatur_knowledge::index_dir(s._dir.path());
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(index.join(format!("{}{suffix}", pipeline::MANIFEST_FILE)));
    }
    let again = run(&s, &e);
    assert_eq!((again.unchanged, e.take()), (first.files, 0));
    assert_eq!(pipeline::sources(&index).unwrap().len(), first.files);
}
