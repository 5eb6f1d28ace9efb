//! The knowledge index on real files in temp folders: SQLite plus the Qdrant Edge shard.
//! Vectors here are small hand-made ones (dimension 4), so these tests need no model;
//! `hybrid.rs` uses the real embedder.

use std::collections::BTreeMap;

use imprimatur_knowledge::{
    ChunkRecord, Filters, KnowledgeBase, KnowledgeError, SearchMode, SearchQuery, SourceMeta,
};

const DIM: usize = 4;

fn source(path: &str, sha: &str) -> SourceMeta {
    SourceMeta {
        path: path.into(),
        sha256: sha.into(),
        title: Some(path.into()),
    }
}

fn chunk(text: &str, start: usize, lang: &str, vector: [f32; DIM]) -> ChunkRecord {
    ChunkRecord {
        text: text.into(),
        start,
        end: start + text.len(),
        heading_path: vec!["Tarife".into(), "Strom".into()],
        lang: lang.into(),
        metadata: BTreeMap::new(),
        injection: false,
        vector: vector.to_vec(),
    }
}

fn with_meta(mut c: ChunkRecord, pairs: &[(&str, &str)]) -> ChunkRecord {
    for (k, v) in pairs {
        c.metadata.insert(k.to_string(), v.to_string());
    }
    c
}

fn paths(hits: &[imprimatur_knowledge::Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.path.as_str()).collect()
}

fn bm25(text: &str) -> SearchQuery {
    SearchQuery::new(text).mode(SearchMode::Bm25)
}

fn fill(kb: &mut KnowledgeBase) {
    kb.replace_source(
        &source("tarife/strom.md", "a1"),
        &[
            chunk(
                "Der Arbeitspreis für Ökostrom beträgt 32 Cent pro Kilowattstunde.",
                120,
                "de",
                [1.0, 0.0, 0.0, 0.0],
            ),
            chunk(
                "Der Grundpreis wird monatlich berechnet.",
                200,
                "de",
                [0.0, 1.0, 0.0, 0.0],
            ),
        ],
    )
    .unwrap();
    kb.replace_source(
        &source("tarife/gas.md", "b1"),
        &[chunk(
            "Gas kostet im Grundversorgungstarif 12 Cent pro Kilowattstunde.",
            0,
            "de",
            [0.0, 0.0, 1.0, 0.0],
        )],
    )
    .unwrap();
    kb.replace_source(
        &source("en/prices.md", "c1"),
        &[chunk(
            "The energy price for green electricity is 32 cents per kilowatt hour.",
            0,
            "en",
            [0.9, 0.1, 0.0, 0.0],
        )],
    )
    .unwrap();
}

#[test]
fn hits_keep_offsets_heading_path_and_highlight_query_words() {
    let dir = tempfile::tempdir().unwrap();
    let mut kb = KnowledgeBase::open(dir.path(), DIM).unwrap();
    fill(&mut kb);
    assert_eq!(kb.chunk_count(), 4);
    let hits = kb
        .search(&bm25("Arbeitspreise Ökostrom").lang("de"), None)
        .unwrap();
    let top = &hits[0];
    assert_eq!(top.path, "tarife/strom.md");
    assert_eq!((top.start, top.end), (120, 120 + top.text.len()));
    assert_eq!(top.heading_path, ["Tarife", "Strom"]);
    let marked: Vec<&str> = top
        .highlights
        .iter()
        .map(|&(s, e)| &top.text[s..e])
        .collect();
    // `Arbeitspreise` finds `Arbeitspreis` by its stem; `Ökostrom` as written.
    assert_eq!(marked, ["Arbeitspreis", "Ökostrom"]);
    assert!(top.score > 0.0);
}

#[test]
fn replacing_a_source_swaps_all_its_chunks_and_removing_drops_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut kb = KnowledgeBase::open(dir.path(), DIM).unwrap();
    fill(&mut kb);
    kb.replace_source(
        &source("tarife/strom.md", "a2"),
        &[chunk(
            "Ab Januar gilt ein neuer Arbeitspreis von 29 Cent.",
            0,
            "de",
            [1.0, 0.0, 0.0, 0.0],
        )],
    )
    .unwrap();
    assert_eq!(kb.chunk_count(), 3);
    assert_eq!(kb.source("tarife/strom.md").unwrap().unwrap().sha256, "a2");
    let hits = kb.search(&bm25("Grundpreis monatlich"), None).unwrap();
    assert!(
        hits.iter().all(|h| !h.text.contains("monatlich")),
        "the old chunk is gone: {hits:?}"
    );
    let hits = kb.search(&bm25("Arbeitspreis"), None).unwrap();
    assert_eq!(hits.len(), 1);
    assert!(hits[0].text.contains("29 Cent"));

    kb.remove_source("tarife/strom.md").unwrap();
    kb.remove_source("never/there.md").unwrap();
    assert_eq!(kb.chunk_count(), 2);
    assert!(kb.source("tarife/strom.md").unwrap().is_none());
    assert!(kb.search(&bm25("Arbeitspreis"), None).unwrap().is_empty());
    let listed: Vec<String> = kb
        .sources()
        .unwrap()
        .into_iter()
        .map(|s| s.meta.path)
        .collect();
    assert_eq!(listed, ["en/prices.md", "tarife/gas.md"]);
}

#[test]
fn dense_search_ranks_by_cosine() {
    let dir = tempfile::tempdir().unwrap();
    let mut kb = KnowledgeBase::open(dir.path(), DIM).unwrap();
    fill(&mut kb);
    let q = SearchQuery::new("egal").mode(SearchMode::Dense);
    let hits = kb.search(&q, Some(&[0.0, 0.0, 2.0, 0.1])).unwrap();
    assert_eq!(hits[0].path, "tarife/gas.md");
    assert!((hits[0].score - 0.9988).abs() < 1e-3, "{}", hits[0].score);
    // Dense without a vector is a caller error; hybrid without one falls back to BM25.
    assert!(matches!(
        kb.search(&q, None),
        Err(KnowledgeError::QueryVector { .. })
    ));
    let fallback = kb.search(&SearchQuery::new("Grundpreis"), None).unwrap();
    assert_eq!(fallback[0].text, "Der Grundpreis wird monatlich berechnet.");
}

#[test]
fn filters_restrict_language_folder_metadata_and_validity() {
    let dir = tempfile::tempdir().unwrap();
    let mut kb = KnowledgeBase::open(dir.path(), DIM).unwrap();
    let v = [1.0, 0.0, 0.0, 0.0];
    kb.replace_source(
        &source("produkte/atlas/2023.md", "1"),
        &[with_meta(
            chunk("Atlas Tarif Preis 30 Cent", 0, "de", v),
            &[
                ("product", "Atlas"),
                ("valid_from", "2023-01-01"),
                ("valid_to", "2023-12-31"),
            ],
        )],
    )
    .unwrap();
    kb.replace_source(
        &source("produkte/atlas/2024.md", "2"),
        &[with_meta(
            chunk("Atlas Tarif Preis 32 Cent", 0, "de", v),
            &[("product", "Atlas"), ("valid_from", "2024-01-01")],
        )],
    )
    .unwrap();
    kb.replace_source(
        &source("produkte/boreas.md", "3"),
        &[with_meta(
            chunk("Boreas Tarif Preis 28 Cent", 0, "de", v),
            &[("product", "Boreas")],
        )],
    )
    .unwrap();
    kb.replace_source(
        &source("en/atlas.md", "4"),
        &[chunk("Atlas tariff price 32 cents", 0, "en", v)],
    )
    .unwrap();

    let search = |filters: Filters| {
        let mut p: Vec<String> = kb
            .search(
                &bm25("Atlas Boreas Tarif tariff Preis price").filters(filters),
                None,
            )
            .unwrap()
            .into_iter()
            .map(|h| h.path)
            .collect();
        p.sort();
        p
    };
    assert_eq!(search(Filters::default()).len(), 4);
    let en = search(Filters {
        lang: Some("en".into()),
        ..Filters::default()
    });
    assert_eq!(en, ["en/atlas.md"]);
    let folder = search(Filters {
        path_prefix: Some("produkte/atlas".into()),
        ..Filters::default()
    });
    assert_eq!(folder, ["produkte/atlas/2023.md", "produkte/atlas/2024.md"]);
    let file = search(Filters {
        path_prefix: Some("produkte/boreas.md".into()),
        ..Filters::default()
    });
    assert_eq!(file, ["produkte/boreas.md"]);
    let atlas = Filters {
        metadata: BTreeMap::from([("product".to_string(), "Atlas".to_string())]),
        ..Filters::default()
    };
    assert_eq!(search(atlas.clone()).len(), 2);
    let in_2023 = search(Filters {
        valid_at: Some("2023-06-30".into()),
        ..atlas.clone()
    });
    assert_eq!(in_2023, ["produkte/atlas/2023.md"]);
    let in_2025 = search(Filters {
        valid_at: Some("2025-02-01".into()),
        ..Filters::default()
    });
    // Chunks without validity dates are always valid.
    assert_eq!(
        in_2025,
        [
            "en/atlas.md",
            "produkte/atlas/2024.md",
            "produkte/boreas.md"
        ]
    );
    let bad = kb.search(
        &bm25("Atlas").filters(Filters {
            valid_at: Some("next week".into()),
            ..Filters::default()
        }),
        None,
    );
    assert!(matches!(bad, Err(KnowledgeError::Filter { .. })), "{bad:?}");
}

#[test]
fn the_index_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let before = {
        let mut kb = KnowledgeBase::open(dir.path(), DIM).unwrap();
        fill(&mut kb);
        kb.optimize().unwrap();
        kb.search(
            &SearchQuery::new("Kilowattstunde"),
            Some(&[1.0, 0.0, 0.0, 0.0]),
        )
        .unwrap()
    };
    let kb = KnowledgeBase::open_stored(dir.path()).unwrap();
    assert_eq!(kb.chunk_count(), 4);
    assert_eq!(kb.dimension(), DIM);
    let after = kb
        .search(
            &SearchQuery::new("Kilowattstunde"),
            Some(&[1.0, 0.0, 0.0, 0.0]),
        )
        .unwrap();
    assert_eq!(paths(&before), paths(&after));
    assert!(!before.is_empty());
}

#[test]
fn a_lost_or_stale_engine_is_rebuilt_from_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut kb = KnowledgeBase::open(dir.path(), DIM).unwrap();
        fill(&mut kb);
    }
    // The shard is derived data: without it, opening rebuilds it.
    std::fs::remove_dir_all(dir.path().join("qdrant")).unwrap();
    {
        let kb = KnowledgeBase::open(dir.path(), DIM).unwrap();
        assert_eq!(
            paths(&kb.search(&bm25("Grundversorgungstarif"), None).unwrap()),
            ["tarife/gas.md"]
        );
    }
    // A crash after the SQLite commit but before the shard update leaves a pending mark;
    // opening replays that source.
    {
        let db = rusqlite::Connection::open(dir.path().join("index.sqlite3")).unwrap();
        db.execute(
            "UPDATE chunks SET text = 'Biogas kostet 14 Cent.' WHERE path = 'tarife/gas.md'",
            [],
        )
        .unwrap();
        db.execute("INSERT INTO pending (path) VALUES ('tarife/gas.md')", [])
            .unwrap();
    }
    let kb = KnowledgeBase::open(dir.path(), DIM).unwrap();
    assert_eq!(
        paths(&kb.search(&bm25("Biogas"), None).unwrap()),
        ["tarife/gas.md"]
    );
    assert!(kb
        .search(&bm25("Grundversorgungstarif"), None)
        .unwrap()
        .is_empty());
}

#[test]
fn wrong_dimensions_and_offsets_are_refused_with_the_source_named() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut kb = KnowledgeBase::open(dir.path(), DIM).unwrap();
        let mut bad = chunk("Text", 0, "de", [1.0; DIM]);
        bad.vector.push(1.0);
        let err = kb.replace_source(&source("a.md", "x"), &[bad]).unwrap_err();
        assert!(err.to_string().contains("a.md"), "{err}");
        let mut reversed = chunk("Text", 10, "de", [1.0; DIM]);
        reversed.end = 5;
        assert!(matches!(
            kb.replace_source(&source("a.md", "x"), &[reversed]),
            Err(KnowledgeError::Offsets { .. })
        ));
        assert_eq!(kb.chunk_count(), 0);
        fill(&mut kb);
        let q = SearchQuery::new("x").mode(SearchMode::Dense);
        assert!(kb.search(&q, Some(&[1.0, 0.0])).is_err());
    }
    let err = KnowledgeBase::open(dir.path(), 384).unwrap_err();
    assert!(matches!(
        err,
        KnowledgeError::DimensionMismatch {
            stored: 4,
            requested: 384,
            ..
        }
    ));
}

#[test]
fn chunks_without_vectors_are_found_by_bm25_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut kb = KnowledgeBase::open(dir.path(), DIM).unwrap();
    let mut plain = chunk("Netzentgelte steigen", 0, "de", [0.0; DIM]);
    plain.vector.clear();
    kb.replace_source(&source("netz.md", "n"), &[plain])
        .unwrap();
    fill(&mut kb);
    let hybrid = kb
        .search(
            &SearchQuery::new("Netzentgelte"),
            Some(&[1.0, 0.0, 0.0, 0.0]),
        )
        .unwrap();
    // Only BM25 finds it (rank 1 there), so it ties with the best dense-only chunk.
    assert!(paths(&hybrid[..2]).contains(&"netz.md"), "{hybrid:?}");
    let dense = kb
        .search(
            &SearchQuery::new("Netzentgelte").mode(SearchMode::Dense),
            Some(&[1.0, 0.0, 0.0, 0.0]),
        )
        .unwrap();
    assert!(!paths(&dense).contains(&"netz.md"));
}
