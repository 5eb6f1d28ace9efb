//! The folder watch follows additions, edits and deletions on its own: a real watcher
//! on a temp folder, the real embedder, polled with a deadline.

mod ingest_common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use imprimatur_knowledge::pipeline::PassageEmbedder;
use imprimatur_knowledge::watch::{KnowledgeWatch, WatchEvent, WatchSettings};
use imprimatur_knowledge::{KnowledgeBase, SearchMode, SearchQuery};

fn bm25_paths(kb: &Mutex<KnowledgeBase>, q: &str) -> Vec<String> {
    kb.lock()
        .unwrap()
        .search(&SearchQuery::new(q).mode(SearchMode::Bm25), None)
        .unwrap()
        .into_iter()
        .map(|h| h.path)
        .collect()
}

/// Polls `cond` until it holds or 30 s pass (slow CI machines, inotify latency).
fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn added_edited_and_deleted_files_update_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let knowledge = dir.path().join("knowledge");
    std::fs::create_dir_all(knowledge.join("produkte")).unwrap();
    std::fs::write(
        knowledge.join("alt.md"),
        "# Alt\n\nSchon vorher da: Ammonit.\n",
    )
    .unwrap();
    let kb = Arc::new(Mutex::new(
        KnowledgeBase::open(&imprimatur_knowledge::index_dir(dir.path()), 384).unwrap(),
    ));
    let embedder: Arc<dyn PassageEmbedder> = ingest_common::embedder();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let watch = KnowledgeWatch::start(
        knowledge.clone(),
        kb.clone(),
        Some(embedder),
        WatchSettings {
            debounce: Duration::from_millis(200),
            ..WatchSettings::default()
        },
        move |e| sink.lock().unwrap().push(e),
    )
    .unwrap();

    // The first pass catches up with what was there before the watch.
    eventually("the existing file is indexed", || {
        bm25_paths(&kb, "Ammonit") == ["alt.md"]
    });

    let file = knowledge.join("produkte/neu.md");
    std::fs::write(
        &file,
        "# Neu\n\nDie Wärmepumpe Quokka ist neu im Sortiment.\n",
    )
    .unwrap();
    eventually("an added file is found", || {
        bm25_paths(&kb, "Quokka") == ["produkte/neu.md"]
    });

    std::fs::write(
        &file,
        "# Neu\n\nDie Wärmepumpe Wombat ersetzt das alte Modell.\n",
    )
    .unwrap();
    eventually("the edited text is found and the old one is gone", || {
        bm25_paths(&kb, "Wombat") == ["produkte/neu.md"] && bm25_paths(&kb, "Quokka").is_empty()
    });
    // Embedded too: the dense vector of the new version is there.
    let v = ingest_common::embedder()
        .embed_queries(&["Welches Modell ersetzt das alte?"])
        .unwrap()
        .pop()
        .unwrap();
    let dense = kb
        .lock()
        .unwrap()
        .search(&SearchQuery::new("").mode(SearchMode::Dense), Some(&v))
        .unwrap();
    assert_eq!(dense[0].path, "produkte/neu.md");

    std::fs::remove_file(&file).unwrap();
    eventually("a deleted file is gone", || {
        bm25_paths(&kb, "Wombat").is_empty()
    });

    // A broken file is reported, not fatal: the watch goes on.
    std::fs::write(knowledge.join("kaputt.docx"), b"PK\x03\x04 kaputt").unwrap();
    std::fs::write(
        knowledge.join("danach.txt"),
        "Danach kommt das Gürteltier.\n",
    )
    .unwrap();
    eventually("the file after a broken one is found", || {
        bm25_paths(&kb, "Gürteltier") == ["danach.txt"]
    });
    watch.stop();

    let events = events.lock().unwrap();
    assert!(events.iter().any(|e| matches!(e, WatchEvent::Progress(_))));
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, WatchEvent::Failed { .. })),
        "{events:#?}"
    );
    let problem = events.iter().find_map(|e| match e {
        WatchEvent::Ingested(r) => r.problems.iter().find(|p| p.path == "kaputt.docx").cloned(),
        _ => None,
    });
    assert!(problem.unwrap().message.unwrap().contains("kaputt.docx"));
    assert!(Path::new(&knowledge).exists());
}
