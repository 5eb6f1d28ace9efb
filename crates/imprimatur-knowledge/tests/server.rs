//! Server mode against a real Qdrant server: runs when `QDRANT_URL` is set (for example
//! `QDRANT_URL=http://localhost:6334`, the gRPC port), and otherwise says that it was
//! skipped. Uses a fresh collection and drops it afterwards.
#![cfg(feature = "qdrant-server")]

use std::collections::BTreeMap;

use imprimatur_knowledge::server::ServerIndex;
use imprimatur_knowledge::{ChunkRecord, Filters, SearchMode, SearchQuery, SourceMeta};

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
    let Ok(url) = std::env::var("QDRANT_URL") else {
        println!("skipped: QDRANT_URL is not set, so the Qdrant server-mode test did not run");
        return;
    };
    let collection = format!("imprimatur-test-{}", std::process::id());
    let index = ServerIndex::connect(&url, &collection, std::env::var("QDRANT_API_KEY").ok(), 4)
        .expect("connect to QDRANT_URL");
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
