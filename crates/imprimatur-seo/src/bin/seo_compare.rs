//! Runs imprimatur-seo and the yoastseo peer (`../shared/reference/yoast/run.mjs`) side by
//! side on a corpus of Markdown files with front matter, and prints per assessment how
//! often their ratings agree.
//!
//! ```sh
//! cargo run -p imprimatur-seo --bin seo-compare -- [--min-agreement 90] [--verbose] [DIR|FILE...]
//! ```
//! Defaults: `tests/fixtures/seo` and `demo/documents`. The peer is installed once into
//! `~/.cache/imprimatur/yoast` (a copy of the read-only reference folder plus `npm install`).
//! Without node or the reference folder it says so and exits 0: the peer is optional, our
//! own assessment tests are not.
//!
//! A disagreement where our check with `word_forms = false` (exact word forms, like the
//! peer's free build) agrees with the peer is a *word-form improvement*: we matched an
//! inflected or compound form the peer misses. It is listed, not counted against us.
//! Agreement is measured over the remaining pairs; below `--min-agreement` % the run fails.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use imprimatur_check::{Document, Lang};
use imprimatur_seo::{check, Rating, SeoConfig, SeoReport};

/// The peer's assessment ids and ours.
const IDS: &[(&str, &str)] = &[
    ("introductionKeyword", "seo.keyphrase_in_introduction"),
    ("keyphraseLength", "seo.keyphrase_length"),
    ("keyphraseDensity", "seo.keyphrase_density"),
    (
        "metaDescriptionKeyword",
        "seo.keyphrase_in_meta_description",
    ),
    ("metaDescriptionLength", "seo.meta_description_length"),
    ("subheadingsKeyword", "seo.keyphrase_in_subheadings"),
    ("textCompetingLinks", "seo.competing_links"),
    ("imageKeyphrase", "seo.keyphrase_in_image_alt"),
    ("images", "seo.images"),
    ("textLength", "seo.text_length"),
    ("externalLinks", "seo.external_links"),
    ("keyphraseInSEOTitle", "seo.keyphrase_in_title"),
    ("internalLinks", "seo.internal_links"),
    ("titleWidth", "seo.title_width"),
    ("slugKeyword", "seo.keyphrase_in_slug"),
    ("singleH1", "seo.single_h1"),
    ("subheadingsTooLong", "readability.subheading_distribution"),
    ("textParagraphTooLong", "readability.paragraph_length"),
    ("textSentenceLength", "readability.sentence_length"),
    ("textTransitionWords", "readability.transition_words"),
    ("passiveVoice", "readability.passive_voice"),
    ("sentenceBeginnings", "readability.sentence_beginnings"),
];

#[derive(Default)]
struct Tally {
    agree: usize,
    word_forms: usize,
    disagree: usize,
}

fn main() -> ExitCode {
    let mut min_agreement = 0.0;
    let mut verbose = false;
    let mut inputs = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--min-agreement" => {
                min_agreement = args.next().and_then(|v| v.parse().ok()).unwrap_or(90.0)
            }
            "--verbose" | "-v" => verbose = true,
            _ => inputs.push(PathBuf::from(a)),
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    if inputs.is_empty() {
        inputs.push(root.join("tests/fixtures/seo"));
        inputs.push(root.join("demo/documents"));
    }
    let files = markdown_files(&inputs);
    let peer = match Peer::install(&root) {
        Ok(p) => p,
        Err(why) => {
            println!("seo-compare: skipping the yoastseo peer: {why}");
            return ExitCode::SUCCESS;
        }
    };
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut improvements = Vec::new();
    let mut disagreements = Vec::new();
    let mut flesch = Vec::new();
    let cfg = SeoConfig::default();
    let exact_cfg = SeoConfig {
        word_forms: false,
        ..SeoConfig::default()
    };
    for file in &files {
        let source = std::fs::read_to_string(file).expect("readable corpus file");
        let doc = Document::parse(source.as_str(), Lang::De);
        let ours = check(&doc, &cfg);
        let exact = check(&doc, &exact_cfg);
        let theirs = match peer.run(&doc, &ours) {
            Ok(v) => v,
            Err(e) => {
                println!("seo-compare: {}: the peer failed: {e}", file.display());
                return ExitCode::FAILURE;
            }
        };
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let peer_ratings = peer_ratings(&theirs);
        for (yid, oid) in IDS {
            let Some(&(peer_rating, ref text)) = peer_ratings.get(*yid) else {
                continue;
            };
            let (Some(o), Some(e)) = (ours.get(oid), exact.get(oid)) else {
                continue;
            };
            let t = tallies.entry(oid).or_default();
            if o.rating == peer_rating {
                t.agree += 1;
            } else if e.rating == peer_rating {
                t.word_forms += 1;
                improvements.push(format!(
                    "{name}: {oid}: ours {:?} (word forms), yoastseo {:?}: {}",
                    o.rating, peer_rating, o.message_en
                ));
            } else {
                t.disagree += 1;
                disagreements.push(format!(
                    "{name}: {oid}: ours {:?} ({}) vs yoastseo {:?} ({text})",
                    o.rating, o.message_en, peer_rating
                ));
            }
        }
        let theirs_flesch = theirs["researches"]["fleschReadingEase"]["score"].as_f64();
        flesch.push((
            name,
            ours.stats.flesch_reading_ease,
            theirs_flesch,
            textstat(file, &doc),
        ));
    }
    println!("\nimprimatur-seo vs yoastseo on {} texts\n", files.len());
    println!(
        "{:<40} {:>6} {:>10} {:>9} {:>10}",
        "assessment", "agree", "word forms", "disagree", "agreement"
    );
    let (mut agree, mut counted) = (0, 0);
    for (id, t) in &tallies {
        let n = t.agree + t.disagree;
        agree += t.agree;
        counted += n;
        println!(
            "{:<40} {:>6} {:>10} {:>9} {:>9.1}%",
            id,
            t.agree,
            t.word_forms,
            t.disagree,
            percent(t.agree, n)
        );
    }
    let overall = percent(agree, counted);
    println!(
        "{:<40} {:>6} {:>10} {:>9} {:>9.1}%",
        "all (word-form improvements excluded)",
        agree,
        improvements.len(),
        counted - agree,
        overall
    );
    println!("\nFlesch reading ease (ours | yoastseo | textstat):");
    let (mut within, mut within_yoast) = (0, 0);
    for (name, o, y, ts) in &flesch {
        let fmt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1}"));
        let close = |v: &Option<f64>| v.is_some_and(|v| (o - v).abs() <= 5.0);
        if close(y) || close(ts) || (y.is_none() && ts.is_none()) {
            within += 1;
        }
        if close(y) {
            within_yoast += 1;
        }
        println!("  {name:<44} {o:>6.1} | {:>6} | {:>6}", fmt(*y), fmt(*ts));
    }
    println!(
        "  within 5 points of yoastseo: {within_yoast}; of yoastseo or textstat: {within} of {}",
        flesch.len()
    );
    if verbose || !improvements.is_empty() {
        println!("\nWord-form improvements (German inflection and compounds the peer misses):");
        for i in &improvements {
            println!("  {i}");
        }
    }
    if verbose || !disagreements.is_empty() {
        println!("\nDisagreements:");
        for d in &disagreements {
            println!("  {d}");
        }
    }
    if overall < min_agreement {
        println!("\nseo-compare: agreement {overall:.1}% is below the required {min_agreement}%");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn percent(a: usize, n: usize) -> f64 {
    if n == 0 {
        100.0
    } else {
        a as f64 * 100.0 / n as f64
    }
}

fn markdown_files(inputs: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for i in inputs {
        if i.is_dir() {
            let mut v: Vec<PathBuf> = std::fs::read_dir(i)
                .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
                .unwrap_or_default();
            v.retain(|p| p.extension().is_some_and(|e| e == "md"));
            v.sort();
            out.extend(v);
        } else if i.is_file() {
            out.push(i.clone());
        }
    }
    out
}

/// The peer's ratings by its ids. Its score 0 ("feedback") and -1 ("error") are bad.
fn peer_ratings(v: &serde_json::Value) -> BTreeMap<String, (Rating, String)> {
    let mut out = BTreeMap::new();
    for group in ["seo", "readability"] {
        for a in v[group]["assessments"].as_array().into_iter().flatten() {
            let score = a["score"].as_f64().unwrap_or(0.0) as i32;
            let rating = if score <= 0 {
                Rating::Bad
            } else {
                Rating::from_score(score)
            };
            out.insert(
                a["id"].as_str().unwrap_or_default().to_string(),
                (rating, a["text"].as_str().unwrap_or_default().to_string()),
            );
        }
    }
    out
}

/// textstat's German Flesch through the shared script, when Python has textstat.
fn textstat(file: &Path, doc: &Document) -> Option<f64> {
    if doc.lang != Lang::De {
        return None;
    }
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/py/textstat_de.py");
    let body = tempfile(file, doc.body())?;
    let out = Command::new("python3")
        .arg(&script)
        .arg(&body)
        .output()
        .ok()?;
    let _ = std::fs::remove_file(&body);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    v["flesch_reading_ease_de (Amstad)"].as_f64()
}

fn tempfile(file: &Path, body: &str) -> Option<PathBuf> {
    let name = file.file_name()?.to_string_lossy().to_string();
    let p = std::env::temp_dir().join(format!("seo-compare-{}-{name}", std::process::id()));
    std::fs::write(&p, body).ok()?;
    Some(p)
}

struct Peer {
    dir: PathBuf,
}

/// Why the yoastseo peer could not run; the comparison reports it and skips the peer.
#[derive(Debug, thiserror::Error)]
enum PeerError {
    #[error("node is not installed; install Node.js 20.19+ to compare with yoastseo")]
    NoNode,
    #[error("{0} is missing; the comparison needs ../shared/reference/yoast beside the checkout")]
    NoReference(PathBuf),
    #[error("npm install in {0} failed; run it there by hand to see why")]
    NpmInstall(PathBuf),
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error("yoastseo failed: {0}")]
    Failed(String),
    #[error("yoastseo printed something that is not JSON: {0}")]
    Output(#[from] serde_json::Error),
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> PeerError {
    let what = what.into();
    move |source| PeerError::Io { what, source }
}

impl Peer {
    /// Copies the reference folder to the cache and runs `npm install` there, once.
    fn install(root: &Path) -> Result<Peer, PeerError> {
        let node_ok = Command::new("node")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !node_ok {
            return Err(PeerError::NoNode);
        }
        let reference = root.join("../shared/reference/yoast");
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        let dir = home.join(".cache/imprimatur/yoast");
        if !dir.join("node_modules/yoastseo/package.json").exists() {
            if !reference.join("run.mjs").exists() {
                return Err(PeerError::NoReference(reference));
            }
            std::fs::create_dir_all(&dir).map_err(io(format!("create {}", dir.display())))?;
            for f in ["package.json", "run.mjs"] {
                let to = dir.join(f);
                let _ = std::fs::remove_file(&to);
                std::fs::copy(reference.join(f), &to).map_err(io(format!("copy {f}")))?;
            }
            let ok = Command::new("npm")
                .args(["install", "--no-audit", "--no-fund"])
                .current_dir(&dir)
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                return Err(PeerError::NpmInstall(dir));
            }
        }
        Ok(Peer { dir })
    }

    /// Runs the peer on the document's body with its front matter as arguments. The title
    /// width is ours (Arial table) instead of the peer's 8.5 px per character, as a browser
    /// would measure it.
    fn run(&self, doc: &Document, ours: &SeoReport) -> Result<serde_json::Value, PeerError> {
        let fm = &doc.front_matter;
        let body = tempfile(Path::new("body.md"), doc.body()).ok_or_else(|| PeerError::Io {
            what: "write a temporary file".into(),
            source: std::io::Error::other("temporary directory not writable"),
        })?;
        let mut cmd = Command::new("node");
        cmd.arg(self.dir.join("run.mjs"))
            .arg(&body)
            .args(["--lang", doc.lang.as_str()])
            .args(["--keyphrase", fm.keyphrase.as_deref().unwrap_or("")])
            .args(["--title", fm.title.as_deref().unwrap_or("")])
            .args(["--description", fm.description.as_deref().unwrap_or("")])
            .args(["--slug", fm.slug.as_deref().unwrap_or("")])
            .args([
                "--title-width",
                &format!("{}", ours.serp.desktop.width_px.round()),
            ]);
        if !fm.synonyms.is_empty() {
            cmd.args(["--synonyms", &fm.synonyms.join(",")]);
        }
        if fm.cornerstone {
            cmd.arg("--cornerstone");
        }
        let out = cmd.output().map_err(io("run node"));
        let _ = std::fs::remove_file(&body);
        let out = out?;
        if !out.status.success() {
            return Err(PeerError::Failed(
                String::from_utf8_lossy(&out.stderr).into_owned(),
            ));
        }
        Ok(serde_json::from_slice(&out.stdout)?)
    }
}
