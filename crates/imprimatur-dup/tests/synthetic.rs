//! Synthetic near-duplicates from our own German and English paragraphs
//! (`fixtures/synthetic/`): each source is edited at 5, 10, 25 and 50 % — that share of
//! its sentences gets one edit each: reordered, synonyms swapped in, a sentence inserted
//! after it, deleted, or the introduction replaced — with a seeded RNG, ten variants per
//! source and level. Every variant is checked against an index of all sources.
//!
//! Prints precision and recall of the near-duplicate verdict per level (the variant's own
//! source is the positive, the other sources are negatives), and the recall of copied
//! passages: runs of two or more source sentences that stay adjacent in the variant
//! (unchanged or with synonyms), found when detected passages cover ≥ 80 % of the run.

use std::ops::Range;
use std::path::PathBuf;

use imprimatur_check::text::sentences;
use imprimatur_check::Lang;
use imprimatur_dup::{DupIndex, DupSettings};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

struct Source {
    id: String,
    lang: Lang,
    text: String,
    sentences: Vec<String>,
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/synthetic")
}

fn sources() -> Vec<Source> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt") && !p.ends_with("synonyms.txt"))
        .collect();
    entries.sort();
    for p in entries {
        let name = p.file_stem().unwrap().to_string_lossy().to_string();
        let lang = if name.starts_with("de-") {
            Lang::De
        } else {
            Lang::En
        };
        let text = std::fs::read_to_string(&p).unwrap().trim().to_string();
        let sentences = sentences(&text, lang)
            .into_iter()
            .map(|r| text[r].to_string())
            .collect();
        out.push(Source {
            id: name,
            lang,
            text,
            sentences,
        });
    }
    assert!(out.len() >= 8, "fixtures: {}", out.len());
    out
}

fn synonyms() -> Vec<(String, String)> {
    std::fs::read_to_string(fixtures().join("synonyms.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && l.contains('='))
        .map(|l| {
            let (a, b) = l.split_once('=').unwrap();
            (a.to_string(), b.to_string())
        })
        .collect()
}

const FILLER_DE: &[&str] = &[
    "Das zeigt die Erfahrung aus vielen Beratungsgesprächen.",
    "Fragen Sie im Zweifel lieber einmal mehr nach.",
    "Genau hier entstehen in der Praxis die meisten Missverständnisse.",
];
const FILLER_EN: &[&str] = &[
    "Experience from many consultations shows this.",
    "If in doubt, it is better to ask once more.",
    "This is exactly where most misunderstandings arise in practice.",
];
const INTRO_DE: &str = "Viele Leserinnen und Leser haben uns zu diesem Thema geschrieben, deshalb fassen wir hier das Wichtigste zusammen.";
const INTRO_EN: &str =
    "Many readers have written to us about this topic, so here is a summary of what matters most.";

/// One sentence of a variant: its text and the source sentence it keeps (if any).
struct Item {
    text: String,
    origin: Option<usize>,
}

fn variant(src: &Source, level: f64, rng: &mut StdRng, synonyms: &[(String, String)]) -> Vec<Item> {
    let n = src.sentences.len();
    let mut items: Vec<Item> = src
        .sentences
        .iter()
        .enumerate()
        .map(|(i, s)| Item {
            text: s.clone(),
            origin: Some(i),
        })
        .collect();
    let edits = ((level * n as f64).round() as usize).max(1);
    let mut targets: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        targets.swap(i, rng.random_range(0..=i));
    }
    let (filler, intro) = match src.lang {
        Lang::De => (FILLER_DE, INTRO_DE),
        Lang::En => (FILLER_EN, INTRO_EN),
    };
    for &t in targets.iter().take(edits) {
        let Some(pos) = items.iter().position(|it| it.origin == Some(t)) else {
            continue;
        };
        match rng.random_range(0..5) {
            0 => {
                // Synonyms keep the sentence a (lightly edited) copy.
                let mut s = items[pos].text.clone();
                let mut changed = false;
                for (a, b) in synonyms {
                    let padded = format!(" {a} ");
                    if s.contains(&padded) {
                        s = s.replacen(&padded, &format!(" {b} "), 1);
                        changed = true;
                    }
                }
                if !changed {
                    let words: Vec<&str> = s.split(' ').collect();
                    let mid = words.len() / 2;
                    let extra = if src.lang == Lang::De {
                        "tatsächlich"
                    } else {
                        "really"
                    };
                    s = [&words[..mid], &[extra], &words[mid..]].concat().join(" ");
                }
                items[pos].text = s;
            }
            1 => items.insert(
                pos + 1,
                Item {
                    text: filler[rng.random_range(0..filler.len())].to_string(),
                    origin: None,
                },
            ),
            2 => {
                items.remove(pos);
            }
            3 => {
                let it = items.remove(pos);
                let to = rng.random_range(0..=items.len());
                items.insert(to, it);
            }
            _ => {
                items[0] = Item {
                    text: intro.to_string(),
                    origin: None,
                };
            }
        }
    }
    items
}

/// The variant's text and the byte ranges of its runs of ≥ 2 adjacent source sentences.
fn assemble(items: &[Item]) -> (String, Vec<Range<usize>>) {
    let mut text = String::new();
    let mut spans = Vec::new();
    for it in items {
        if !text.is_empty() {
            text.push(' ');
        }
        spans.push(text.len()..text.len() + it.text.len());
        text.push_str(&it.text);
    }
    let mut runs = Vec::new();
    let mut i = 0;
    while i < items.len() {
        let mut j = i;
        while items[i].origin.is_some()
            && j + 1 < items.len()
            && items[j + 1].origin.is_some()
            && items[j + 1].origin.unwrap() == items[j].origin.unwrap() + 1
        {
            j += 1;
        }
        if j > i {
            runs.push(spans[i].start..spans[j].end);
        }
        i = j + 1;
    }
    (text, runs)
}

fn covered(run: &Range<usize>, found: &[Range<usize>]) -> f64 {
    let mut f: Vec<Range<usize>> = found.to_vec();
    f.sort_by_key(|r| r.start);
    let (mut c, mut end) = (0, run.start);
    for r in f {
        let s = r.start.max(end).max(run.start);
        let e = r.end.min(run.end);
        if e > s {
            c += e - s;
            end = e;
        }
    }
    c as f64 / (run.end - run.start) as f64
}

#[test]
fn near_duplicate_verdicts_per_edit_level_and_passage_recall() {
    let sources = sources();
    let synonyms = synonyms();
    let settings = DupSettings::default();
    let mut index = DupIndex::new(&settings);
    for s in &sources {
        index.upsert(&s.id, &s.text);
    }
    println!(
        "\n{:>6} {:>9} {:>9} {:>7} {:>12} {:>14}",
        "edits", "precision", "recall", "F1", "mean Jaccard", "passage recall"
    );
    let (mut runs_total, mut runs_found) = (0usize, 0usize);
    let mut precision_at = Vec::new();
    let mut recall_at = Vec::new();
    for (li, level) in [0.05, 0.10, 0.25, 0.50].into_iter().enumerate() {
        let (mut tp, mut fp, mut fneg) = (0usize, 0usize, 0usize);
        let (mut level_runs, mut level_found) = (0usize, 0usize);
        let mut jaccards = Vec::new();
        for (si, src) in sources.iter().enumerate() {
            for v in 0..10u64 {
                let mut rng = StdRng::seed_from_u64(1000 * li as u64 + 10 * si as u64 + v);
                let items = variant(src, level, &mut rng, &synonyms);
                let (text, runs) = assemble(&items);
                let draft = index.profile(&text);
                let mut own_passages = Vec::new();
                let mut own_verdict = false;
                for c in index.query(&draft, None) {
                    let other = &sources.iter().find(|s| s.id == c.id).unwrap().text;
                    let o = index.verify(&draft, &c, other);
                    if c.id == src.id {
                        own_verdict = o.near_duplicate;
                        jaccards.push(o.jaccard);
                        own_passages = o.passages.iter().map(|p| p.draft.clone()).collect();
                    } else if o.near_duplicate {
                        fp += 1;
                    }
                }
                if own_verdict {
                    tp += 1;
                } else {
                    fneg += 1;
                }
                for r in &runs {
                    level_runs += 1;
                    if covered(r, &own_passages) >= 0.8 {
                        level_found += 1;
                    }
                }
            }
        }
        let precision = tp as f64 / (tp + fp).max(1) as f64;
        let recall = tp as f64 / (tp + fneg) as f64;
        let f1 = 2.0 * precision * recall / (precision + recall).max(1e-9);
        let mean_j = jaccards.iter().sum::<f64>() / jaccards.len().max(1) as f64;
        println!(
            "{:>5.0}% {precision:>9.3} {recall:>9.3} {f1:>7.3} {mean_j:>12.3} {:>8.3} ({level_found}/{level_runs})",
            level * 100.0,
            level_found as f64 / level_runs.max(1) as f64
        );
        runs_total += level_runs;
        runs_found += level_found;
        precision_at.push(precision);
        recall_at.push(recall);
    }
    let passage_recall = runs_found as f64 / runs_total as f64;
    println!(
        "copied passages of ≥ 2 sentences: recall {passage_recall:.3} ({runs_found}/{runs_total})"
    );
    assert!(
        runs_total > 100,
        "too few passages to measure: {runs_total}"
    );
    assert!(
        passage_recall >= 0.95,
        "passage recall {passage_recall:.3} < 0.95"
    );
    assert!(
        precision_at.iter().all(|&p| p >= 0.95),
        "precision {precision_at:?}"
    );
    assert!(
        recall_at[0] >= 0.95 && recall_at[1] >= 0.95,
        "recall at 5/10 %: {recall_at:?}"
    );
}
