//! What the embeddings are for: paraphrases score above unrelated pairs, STS-B scores
//! correlate with human judgements far beyond the MinHash baseline, and German text finds
//! its English translation.

mod common;

use imprimatur_embed::eval::BeirSet;
use imprimatur_embed::TextKind;

struct Pair {
    a: String,
    b: String,
    score: f64,
}

fn stsb(name: &str) -> Vec<Pair> {
    let path = common::shared_dir().join("data/paraphrase/stsb").join(name);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            Pair {
                a: r[0].to_string(),
                b: r[1].to_string(),
                score: r[2].parse().unwrap(),
            }
        })
        .collect()
}

/// Cosine of each pair; symmetric tasks use `query: ` on both sides (the e5 model card).
fn cosines(pairs: &[Pair]) -> Vec<f64> {
    let e = common::embedder();
    let a = e
        .embed(
            TextKind::Query,
            &pairs.iter().map(|p| p.a.as_str()).collect::<Vec<_>>(),
        )
        .unwrap();
    let b = e
        .embed(
            TextKind::Query,
            &pairs.iter().map(|p| p.b.as_str()).collect::<Vec<_>>(),
        )
        .unwrap();
    a.iter()
        .zip(&b)
        .map(|(x, y)| f64::from(common::dot(x, y)))
        .collect()
}

/// One pass over each STS-B test set: the Spearman correlation with the human scores,
/// and paraphrases (score ≥ 4.5) against unrelated pairs (≤ 0.5).
#[test]
fn stsb_paraphrases_score_above_unrelated_pairs_and_correlate_with_judgements() {
    // datasketch MinHash (char 5-grams): Spearman 0.588 de, 0.597 en.
    for (lang, file, floor) in [
        ("de", "stsb-de-test.csv", 0.72),
        ("en", "stsb-en-test.csv", 0.75),
    ] {
        let pairs = stsb(file);
        assert_eq!(pairs.len(), 1379);
        let sims = cosines(&pairs);
        let gold: Vec<f64> = pairs.iter().map(|p| p.score).collect();
        let rho = common::spearman(&sims, &gold);
        println!("STS-B {lang} test: Spearman {rho:.4} over {} pairs (MinHash baseline 0.588 de / 0.597 en)", pairs.len());
        assert!(rho > floor, "STS-B {lang}: Spearman {rho:.4} <= {floor}");

        let high: Vec<f64> = pairs
            .iter()
            .zip(&sims)
            .filter(|(p, _)| p.score >= 4.5)
            .map(|(_, s)| *s)
            .collect();
        let low: Vec<f64> = pairs
            .iter()
            .zip(&sims)
            .filter(|(p, _)| p.score <= 0.5)
            .map(|(_, s)| *s)
            .collect();
        assert!(
            high.len() > 50 && low.len() > 50,
            "{lang}: {} high, {} low",
            high.len(),
            low.len()
        );
        // The share of (paraphrase, unrelated) combinations ordered correctly: the AUC.
        let ordered = high
            .iter()
            .flat_map(|h| low.iter().map(move |l| h > l))
            .filter(|&b| b)
            .count();
        let auc = ordered as f64 / (high.len() * low.len()) as f64;
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        println!(
            "STS-B {lang}: {} paraphrases mean cosine {:.3}, {} unrelated pairs mean {:.3}; AUC {auc:.4}",
            high.len(),
            mean(&high),
            low.len(),
            mean(&low)
        );
        // e5's cosines sit high (unrelated pairs near 0.8): order matters, not the level.
        assert!(mean(&high) > mean(&low) + 0.1, "{lang}");
        assert!(auc > 0.97, "{lang}: AUC {auc:.4}");
    }
}

#[test]
fn a_german_sentence_matches_its_english_translation() {
    let e = common::embedder();
    let german = "Die Fernwärme wird im Sommer teurer, weil die Gaspreise gestiegen sind.";
    let english = [
        "The price of gas has fallen sharply this summer.",
        "District heating becomes more expensive in summer because gas prices have risen.",
        "District heating is cheaper than heat pumps.",
        "In summer, many people go on holiday.",
        "Gas prices have risen.",
    ];
    let g = e.embed(TextKind::Query, &[german]).unwrap().remove(0);
    let candidates = e.embed(TextKind::Query, &english).unwrap();
    let scores: Vec<f32> = candidates.iter().map(|c| common::dot(&g, c)).collect();
    println!("de → en candidates: {scores:.3?}");
    let best = scores
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .unwrap()
        .0;
    assert_eq!(best, 1, "{scores:?}");
}

/// XQuAD's German and English sets are translations with the same ids: each German
/// question must find its own English version among the 1,190, most of which ask about
/// the same paragraphs; and each German paragraph its English paragraph.
#[test]
fn german_xquad_finds_its_english_translation() {
    let retrieval = common::shared_dir().join("data/retrieval");
    let de = BeirSet::read(&retrieval.join("xquad-de")).unwrap();
    let en = BeirSet::read(&retrieval.join("xquad-en")).unwrap();
    let e = common::embedder();
    for (what, de_texts, en_texts, floor) in [
        (
            "questions",
            de.queries
                .iter()
                .map(|q| (q.id.clone(), q.text.clone()))
                .collect::<Vec<_>>(),
            en.queries
                .iter()
                .map(|q| (q.id.clone(), q.text.clone()))
                .collect::<Vec<_>>(),
            0.85,
        ),
        (
            "paragraphs",
            de.corpus
                .iter()
                .map(|d| (d.id.clone(), d.text.clone()))
                .collect(),
            en.corpus
                .iter()
                .map(|d| (d.id.clone(), d.text.clone()))
                .collect(),
            0.97,
        ),
    ] {
        let g = e
            .embed(
                TextKind::Query,
                &de_texts.iter().map(|t| t.1.as_str()).collect::<Vec<_>>(),
            )
            .unwrap();
        let x = e
            .embed(
                TextKind::Query,
                &en_texts.iter().map(|t| t.1.as_str()).collect::<Vec<_>>(),
            )
            .unwrap();
        let mut hits = 0;
        for (i, v) in g.iter().enumerate() {
            let best = x
                .iter()
                .enumerate()
                .max_by(|a, b| common::dot(v, a.1).total_cmp(&common::dot(v, b.1)))
                .unwrap()
                .0;
            hits += usize::from(en_texts[best].0 == de_texts[i].0);
        }
        let accuracy = hits as f64 / g.len() as f64;
        println!("XQuAD {what}: German finds its English translation first for {hits} of {} ({accuracy:.4})", g.len());
        assert!(accuracy >= floor, "{what}: {accuracy:.4} < {floor}");
    }
}
