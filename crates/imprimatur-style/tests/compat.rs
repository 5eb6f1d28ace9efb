//! Compatibility with Vale, measured: plays the scenarios of Vale's own feature files
//! (`vale-testdata/features/*.feature`) and of the four public packs' feature files
//! (Google, Microsoft, write-good, proselint) against their fixtures, compares the
//! `file:line:col:Rule:message` lines, and prints passed/total per feature file.
//! It fails only when a file falls below its committed floor (a regression).

use std::path::{Path, PathBuf};

use imprimatur_check::{Document, Lang};
use imprimatur_style::{check, vale_ini};

/// Passed scenarios per feature file as last measured; raise these as compatibility grows.
const FLOORS: &[(&str, usize)] = &[
    ("vale-testdata/features/fragments.feature", 0),
    ("vale-testdata/features/pkg.feature", 2),
    ("Google/features/rules.feature", 11),
    ("Microsoft/features/rules.feature", 18),
    ("write-good/features/rules.feature", 6),
    ("proselint/features/rules.feature", 2),
];

fn data_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("IMPRIMATUR_VALE_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/vale"));
    dir.is_dir().then_some(dir)
}

#[derive(Debug)]
struct Scenario {
    name: String,
    fixture: String,
    sync: bool,
    exactly: bool,
    expected: Vec<String>,
}

fn parse_feature(text: &str) -> Vec<Scenario> {
    let mut out: Vec<Scenario> = Vec::new();
    let mut in_doc = false;
    for line in text.lines() {
        let t = line.trim();
        if t == "\"\"\"" {
            in_doc = !in_doc;
            continue;
        }
        if in_doc {
            if let Some(s) = out.last_mut() {
                s.expected.push(t.to_string());
            }
            continue;
        }
        if t.starts_with('#') {
            continue;
        }
        if let Some(name) = t.strip_prefix("Scenario:") {
            out.push(Scenario {
                name: name.trim().to_string(),
                fixture: String::new(),
                sync: false,
                exactly: false,
                expected: Vec::new(),
            });
        } else if let Some(s) = out.last_mut() {
            if let Some(rest) = t.strip_prefix("When I test ") {
                s.fixture = rest.trim_matches('"').to_string();
            } else if let Some(rest) = t.strip_prefix("When I sync pkg ") {
                s.fixture = format!("pkg/{}", rest.trim_matches('"'));
                s.sync = true;
            } else if t.starts_with("Then the output should contain exactly") {
                s.exactly = true;
            }
        }
    }
    out
}

/// Why a scenario cannot be played with this copy of the test data (printed as SKIP).
#[derive(Debug, thiserror::Error)]
enum Skip {
    #[error("fixture {0} is missing")]
    Missing(PathBuf),
    #[error("the fixture has no Markdown files in this copy of the test data")]
    NoMarkdown,
    #[error(transparent)]
    Style(#[from] imprimatur_style::StyleError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// What `vale --output=line --sort --relative` prints for the fixture folder.
fn play(fixture: &Path, package_sources: &[PathBuf]) -> Result<Vec<String>, Skip> {
    let ini = vale_ini::read(&fixture.join(".vale.ini"))?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    if !files
        .iter()
        .any(|f| f.extension().is_some_and(|e| e == "md"))
    {
        return Err(Skip::NoMarkdown);
    }
    let mut lines = Vec::new();
    for file in files {
        let ext = file
            .extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !["md", "markdown", "txt"].contains(&ext.as_str()) {
            continue;
        }
        let engine = ini.engine_for(&ext, package_sources)?;
        let source = std::fs::read_to_string(&file)?;
        let doc = Document::parse(source, Lang::En);
        let mut findings = check(&doc, &engine);
        findings.sort_by_key(|f| (f.span.line, f.span.column));
        let name = file
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        for f in findings {
            lines.push(format!(
                "{name}:{}:{}:{}:{}",
                f.span.line, f.span.column, f.code, f.message.text
            ));
        }
    }
    Ok(lines)
}

#[test]
fn vale_feature_scenarios() {
    let Some(data) = data_dir() else {
        println!("Vale test data not found (set IMPRIMATUR_VALE_DATA); compatibility not measured");
        return;
    };
    let package_sources = vec![data.clone()];
    let mut regressions = Vec::new();
    println!(
        "\n{:<45} {:>7} {:>7} {:>7}",
        "feature file", "passed", "played", "total"
    );
    let mut sum = (0, 0, 0);
    for (feature, floor) in FLOORS {
        let path = data.join(feature);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let fixtures = if feature.starts_with("vale-testdata") {
            data.join("vale-testdata/fixtures")
        } else {
            data.join(feature.split('/').next().unwrap_or_default())
                .join("fixtures")
        };
        let scenarios = parse_feature(&text);
        let (mut passed, mut played) = (0, 0);
        for s in &scenarios {
            let dir = fixtures.join(&s.fixture);
            let outcome = if !dir.join(".vale.ini").is_file() {
                Err(Skip::Missing(dir.clone()))
            } else {
                play(&dir, &package_sources)
            };
            let got = match outcome {
                Ok(got) => got,
                Err(e) => {
                    println!("  SKIP {feature} / {}: {e}", s.name);
                    continue;
                }
            };
            played += 1;
            let ok = if s.exactly {
                got == s.expected
            } else {
                got.join("\n").contains(&s.expected.join("\n"))
            };
            if ok {
                passed += 1;
            } else {
                println!("  FAIL {feature} / {}", s.name);
                for e in s.expected.iter().filter(|e| !got.contains(e)) {
                    println!("       missing:    {e}");
                }
                if s.exactly {
                    for g in got.iter().filter(|g| !s.expected.contains(g)) {
                        println!("       unexpected: {g}");
                    }
                }
            }
        }
        println!(
            "{feature:<45} {passed:>7} {played:>7} {:>7}",
            scenarios.len()
        );
        sum = (sum.0 + passed, sum.1 + played, sum.2 + scenarios.len());
        if passed < *floor {
            regressions.push(format!("{feature}: {passed} passed, floor {floor}"));
        }
    }
    println!("{:<45} {:>7} {:>7} {:>7}", "all", sum.0, sum.1, sum.2);
    assert!(
        regressions.is_empty(),
        "compatibility regressed: {regressions:?}"
    );
}

#[test]
fn the_four_public_packs_load() {
    let Some(data) = data_dir() else {
        println!("Vale test data not found; packs not loaded");
        return;
    };
    for pack in ["Google", "Microsoft", "write-good", "proselint"] {
        let p = imprimatur_style::load_pack(&data.join(pack).join(pack), pack)
            .unwrap_or_else(|e| panic!("{pack}: {e}"));
        assert!(p.rules.len() >= 8, "{pack}: only {} rules", p.rules.len());
        println!(
            "{pack}: {} rules, warnings: {:?}",
            p.rules.len(),
            p.warnings
        );
    }
}
