//! Server mode against a real Qdrant server: runs when `QDRANT_URL` is set (for example
//! `QDRANT_URL=http://localhost:6334`, the gRPC port), and otherwise says that it was
//! skipped. Every test uses a fresh collection and drops it afterwards.
#![cfg(feature = "qdrant-server")]

mod ingest_common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use imprimatur_knowledge::pipeline::{Ingestion, SourceIndex};
use imprimatur_knowledge::server::ServerIndex;
use imprimatur_knowledge::watch::{KnowledgeWatch, WatchEvent, WatchSettings};
use imprimatur_knowledge::{ChunkRecord, Filters, SearchMode, SearchQuery, SourceMeta};
use ingest_common::{copy_dir, demo_knowledge, Counting};

fn server_url() -> Option<String> {
    let url = std::env::var("QDRANT_URL").ok();
    if url.is_none() {
        println!("skipped: QDRANT_URL is not set, so the Qdrant server-mode test did not run");
    }
    url
}

fn connect(url: &str, name: &str, dimension: usize, manifest: PathBuf) -> ServerIndex {
    let collection = format!("imprimatur-test-{name}-{}", std::process::id());
    ServerIndex::connect(
        url,
        &collection,
        std::env::var("QDRANT_API_KEY").ok(),
        dimension,
        manifest,
    )
    .expect("connect to QDRANT_URL")
}

fn chunk(text: &str, product: &str, vector: [f32; 4]) -> ChunkRecord {
    ChunkRecord {
        text: text.into(),
        start: 10,
        end: 10 + text.len(),
        heading_path: vec!["Preise".into()],
        lang: "de".into(),
        metadata: BTreeMap::from([("product".to_string(), product.to_string())]),
        injection: false,
        vector: vector.to_vec(),
    }
}

#[test]
fn server_mode_indexes_searches_filters_and_removes() {
    let Some(url) = server_url() else { return };
    let manifest = tempfile::tempdir().unwrap();
    let index = connect(&url, "records", 4, manifest.path().to_path_buf());
    let source = |path: &str| SourceMeta {
        path: path.into(),
        sha256: format!("sha-{path}"),
        title: None,
    };
    index
        .replace_source(
            &source("atlas.md"),
            &[chunk(
                "Der Arbeitspreis von Atlas beträgt 32 Cent.",
                "Atlas",
                [1.0, 0.0, 0.0, 0.0],
            )],
        )
        .unwrap();
    index
        .replace_source(
            &source("boreas.md"),
            &[chunk(
                "Der Arbeitspreis von Boreas beträgt 28 Cent.",
                "Boreas",
                [0.0, 1.0, 0.0, 0.0],
            )],
        )
        .unwrap();
    assert_eq!(index.chunk_count().unwrap(), 2);
    assert_eq!(
        index.source("atlas.md").unwrap().unwrap().sha256,
        "sha-atlas.md"
    );

    let bm25 = index
        .search(
            &SearchQuery::new("Boreas").mode(SearchMode::Bm25).lang("de"),
            None,
        )
        .unwrap();
    assert_eq!(bm25[0].path, "boreas.md");
    assert_eq!((bm25[0].start, bm25[0].heading_path.len()), (10, 1));
    let dense = index
        .search(
            &SearchQuery::new("x").mode(SearchMode::Dense),
            Some(&[1.0, 0.1, 0.0, 0.0]),
        )
        .unwrap();
    assert_eq!(dense[0].path, "atlas.md");
    let filtered = index
        .search(
            &SearchQuery::new("Arbeitspreis").filters(Filters {
                metadata: BTreeMap::from([("product".to_string(), "Boreas".to_string())]),
                ..Filters::default()
            }),
            Some(&[1.0, 0.0, 0.0, 0.0]),
        )
        .unwrap();
    assert_eq!(filtered.len(), 1);
    assert_eq!(filtered[0].path, "boreas.md");

    index.remove_source("atlas.md").unwrap();
    assert_eq!(index.chunk_count().unwrap(), 1);
    assert!(index.source("atlas.md").unwrap().is_none());
    index.drop_collection().unwrap();
}

/// The demo knowledge base through the same ingestion pass as the embedded index:
/// German hits with offsets into their files, a second pass embeds nothing, a deleted
/// file's points go, and the folder watch follows a new file into the collection.
#[test]
fn ingestion_and_the_folder_watch_write_to_the_server() {
    let Some(url) = server_url() else { return };
    let dir = tempfile::tempdir().unwrap();
    let knowledge = dir.path().join("knowledge");
    copy_dir(&demo_knowledge(), &knowledge);
    let e = Counting::new();
    let server = Arc::new(connect(&url, "ingest", 384, dir.path().join("manifest")));
    let target: Arc<Mutex<dyn SourceIndex>> = Arc::new(Mutex::new(server.clone()));
    let run = || {
        Ingestion::new(&knowledge, Some(&e))
            .run(
                &target,
                SystemTime::now(),
                &AtomicBool::new(false),
                &mut |_| {},
            )
            .unwrap()
    };

    let first = run();
    assert_eq!(first.files, 9, "{first:#?}");
    assert_eq!(first.ingested.len(), 9, "{first:#?}");
    assert!(first.problems.is_empty(), "{first:#?}");
    assert_eq!(e.take(), first.chunks, "every chunk embedded once");
    assert_eq!(server.chunk_count().unwrap(), first.chunks);
    assert_eq!(
        server.embedder().unwrap().as_deref(),
        Some(imprimatur_knowledge::LOCAL_EMBEDDER)
    );

    let question = "Was kostet der Wartungsvertrag Plus pro Jahr?";
    let vector = e.inner.embed_queries(&[question]).unwrap().remove(0);
    let hits = server
        .search(&SearchQuery::new(question), Some(&vector))
        .unwrap();
    let price = hits
        .iter()
        .take(3)
        .find(|h| h.text.contains("389,00 €"))
        .unwrap_or_else(|| {
            panic!(
                "{:#?}",
                hits.iter().map(|h| (&h.path, &h.text)).collect::<Vec<_>>()
            )
        });
    assert_eq!(price.lang, "de");
    let file = std::fs::read_to_string(knowledge.join(&price.path)).unwrap();
    assert_eq!(file[price.start..price.end], price.text, "{}", price.path);
    assert!(!price.highlights.is_empty());

    // Unchanged: nothing embedded again, nothing written.
    let again = run();
    assert_eq!((again.unchanged, again.ingested.len(), e.take()), (9, 0, 0));
    // Even without the manifest (another machine, same collection): the hashes on the
    // server decide, and nothing is embedded.
    std::fs::remove_dir_all(dir.path().join("manifest")).unwrap();
    let fresh = run();
    assert_eq!((fresh.unchanged, e.take()), (9, 0), "{fresh:#?}");

    // A deleted file's points go.
    let gone = "produkte/albair-14.md";
    let gone_chunks = server
        .sources()
        .unwrap()
        .into_iter()
        .find(|s| s.meta.path == gone)
        .unwrap()
        .chunks;
    std::fs::remove_file(knowledge.join(gone)).unwrap();
    let after = run();
    assert_eq!(after.removed, [gone]);
    assert!(server.source(gone).unwrap().is_none());
    assert_eq!(server.chunk_count().unwrap(), first.chunks - gone_chunks);

    // The folder watch writes to the server too.
    let (tx, rx) = std::sync::mpsc::channel();
    let watch = KnowledgeWatch::start(
        knowledge.clone(),
        target.clone(),
        Some(Arc::new(Counting::new())),
        WatchSettings {
            debounce: Duration::from_millis(200),
            ..WatchSettings::default()
        },
        move |event| {
            if let WatchEvent::Ingested(r) = event {
                let _ = tx.send(r);
            }
        },
    )
    .unwrap();
    rx.recv_timeout(Duration::from_secs(60)).unwrap();
    std::fs::write(
        knowledge.join("neu.md"),
        "# Neu\n\nDie Wärmepumpe Zephyr kommt im Herbst.\n",
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while server.source("neu.md").unwrap().is_none() {
        assert!(Instant::now() < deadline, "the watch did not index neu.md");
        std::thread::sleep(Duration::from_millis(100));
    }
    watch.stop();
    drop(target);
    Arc::try_unwrap(server)
        .expect("the only handle")
        .drop_collection()
        .unwrap();
}
