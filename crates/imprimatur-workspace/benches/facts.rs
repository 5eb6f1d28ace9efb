//! Deterministic fact check of a 2,000-word German article against the demo knowledge
//! base, retrieval included, after the index is warm (issue target: p50 ≤ 50 ms). Prints
//! p50/p95 for a cold verdict cache (every claim retrieved) and for the editor's re-check
//! after one edited sentence (verdict cache warm), for three retrievals: the check's own
//! (BM25 first, hybrid only for claims BM25 evidence does not confirm), hybrid for every
//! claim (as before the two stages), and BM25 alone. Each line says how many queries
//! each retrieval ran.
//!
//! `cargo bench --profile dev -p imprimatur-workspace --bench facts`

use std::cell::Cell;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use imprimatur_check::{Document, Lang};
use imprimatur_facts::{Evidence, EvidenceChunk, FactsCache, FactsConfig};
use imprimatur_knowledge::SearchMode;
use imprimatur_workspace::facts::{FactsState, KnowledgeEvidence};
use imprimatur_workspace::knowledge::Knowledge;
use imprimatur_workspace::store::Timestamp;
use imprimatur_workspace::Workspace;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The knowledge base with counts of the queries each retrieval ran; `two_stage: false`
/// hides the lexical stage (every claim hybrid).
struct Counted<'a> {
    kb: KnowledgeEvidence<'a>,
    two_stage: bool,
    lexical: Cell<usize>,
    full: Cell<usize>,
}

impl Evidence for Counted<'_> {
    fn search(&self, queries: &[&str], limit: usize) -> Vec<Vec<EvidenceChunk>> {
        self.full.set(self.full.get() + queries.len());
        self.kb.search(queries, limit)
    }
    fn search_lexical(&self, queries: &[&str], limit: usize) -> Option<Vec<Vec<EvidenceChunk>>> {
        if !self.two_stage {
            return None;
        }
        self.lexical.set(self.lexical.get() + queries.len());
        self.kb.search_lexical(queries, limit)
    }
    fn source(&self, path: &str) -> Vec<EvidenceChunk> {
        self.kb.source(path)
    }
    fn names(&self) -> &BTreeSet<String> {
        self.kb.names()
    }
    fn generation(&self) -> u64 {
        self.kb.generation()
    }
}

impl Counted<'_> {
    /// "N BM25 + M hybrid queries" since the last call.
    fn take(&self, full: &str) -> String {
        format!(
            "{} BM25 + {} {full} queries",
            self.lexical.replace(0),
            self.full.replace(0)
        )
    }
}

fn main() {
    let model = imprimatur_workspace::knowledge::default_model_dir();
    if !model.join("model.safetensors").exists() {
        println!(
            "facts bench skipped: no embedding model in {}",
            model.display()
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("demo");
    Workspace::create_demo(&root, "bench", Timestamp::now()).unwrap();
    let knowledge = Knowledge::new(model, Arc::new(imprimatur_model::KeyMap::new()));
    knowledge
        .ingest(&root, std::time::SystemTime::UNIX_EPOCH, &mut |_| {})
        .unwrap();

    // A 2,000-word article: the demo articles' bodies, repeated with changed numbers so
    // that sentences differ (the verdict cache must not serve repeats).
    let mut bodies = String::new();
    for f in [
        "waermepumpe-im-altbau.md",
        "foerderung-waermepumpen-2026.md",
        "entwurf-wartungsvertrag.md",
    ] {
        let text = std::fs::read_to_string(
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/documents/").to_string() + f,
        )
        .unwrap();
        let doc = Document::parse(text, Lang::De);
        bodies.push_str(doc.body());
        bodies.push_str("\n\n");
    }
    // Whole paragraphs (lists and tables stay lists and tables) until 2,000 words.
    let mut article = String::new();
    let mut round = 0;
    'fill: loop {
        for para in bodies
            .replace("2026", &format!("{}", 2026 + round))
            .split("\n\n")
        {
            if article.split_whitespace().count() >= 2000 {
                break 'fill;
            }
            article.push_str(para);
            article.push_str("\n\n");
        }
        round += 1;
    }
    let doc = Document::parse(
        format!("---\ntitle: Bench\nlang: de\n---\n\n{article}"),
        Lang::De,
    );
    let state = FactsState::new();
    let cfg = FactsConfig::default();

    let mut line = Vec::new();
    for (label, mode, two_stage) in [
        (
            "two-stage (BM25, hybrid for the rest)",
            SearchMode::Hybrid,
            true,
        ),
        ("hybrid for every claim", SearchMode::Hybrid, false),
        ("BM25 alone", SearchMode::Bm25, false),
    ] {
        let kb = Counted {
            kb: KnowledgeEvidence::new(&root, &knowledge, &state, mode),
            two_stage,
            lexical: Cell::new(0),
            full: Cell::new(0),
        };
        let full = if mode == SearchMode::Bm25 {
            "BM25"
        } else {
            "hybrid"
        };
        // Warm-up: index pages, embedder weights, the names of the knowledge base.
        let r = imprimatur_facts::check(&doc, &kb, None, &FactsCache::new(), &cfg);
        let claims = r.claims.len();
        let contradicted = r
            .claims
            .iter()
            .filter(|c| c.verdict == imprimatur_facts::Verdict::Contradicted)
            .count();
        let longest = r
            .claims
            .iter()
            .map(|c| c.text.split_whitespace().count())
            .max()
            .unwrap_or(0);
        let ran = kb.take(full);
        let mut times = Vec::new();
        for _ in 0..7 {
            let cache = FactsCache::new();
            let t = Instant::now();
            let r = imprimatur_facts::check(&doc, &kb, None, &cache, &cfg);
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(r.claims.len(), claims);
        }
        kb.take(full);
        times.sort_by(f64::total_cmp);
        println!(
            "facts check, 2,000 words, {claims} claims ({contradicted} contradicted, longest {longest} words), {label}, cold verdict cache: p50 {:.0} ms, p95 {:.0} ms; per check {ran}",
            percentile(&times, 0.5),
            percentile(&times, 0.95)
        );
        line.push(format!(
            "{label}: cold p50 {:.0} ms",
            percentile(&times, 0.5)
        ));

        // The editor's re-check: one sentence edited, the rest from the cache.
        let cache = FactsCache::new();
        imprimatur_facts::check(&doc, &kb, None, &cache, &cfg);
        kb.take(full);
        let mut times = Vec::new();
        for i in 0..15 {
            let edited = doc
                .source
                .replacen("12.490,00 €", &format!("{}.490,00 €", 13 + i), 1);
            let edited = Document::parse(edited, Lang::De);
            let t = Instant::now();
            let r = imprimatur_facts::check(&edited, &kb, None, &cache, &cfg);
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert!(r.checked <= 2, "{} sentences re-checked", r.checked);
        }
        let ran = kb.take(full);
        times.sort_by(f64::total_cmp);
        println!(
            "facts re-check after one edited sentence, {label}: p50 {:.1} ms, p95 {:.1} ms; 15 re-checks ran {ran}",
            percentile(&times, 0.5),
            percentile(&times, 0.95)
        );
        line.push(format!("re-check p50 {:.1} ms", percentile(&times, 0.5)));
    }
    println!("facts bench: {} (target p50 ≤ 50 ms)", line.join("; "));
}
