//! Every bundled pack over a 2,000-word German article, p50 on one core (target ≤ 5 ms),
//! plus the four public Vale packs for a 100+ rule run; in the same run, Yoast's
//! `run.mjs` on the same text as a point of reference. Prints figures; asserts nothing.
//!
//! `cargo bench --profile dev -p imprimatur-style --bench style`

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use imprimatur_check::{Document, Lang};
use imprimatur_style::{check, load_pack, Rule, StyleEngine, Vocabulary};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The demo's articles and German knowledge documents, front matter removed, cut at
/// the first paragraph end after 2,000 words.
fn article() -> String {
    let mut files = Vec::new();
    for dir in [
        "demo/documents",
        "demo/knowledge",
        "demo/knowledge/produkte",
    ] {
        let mut names: Vec<_> = std::fs::read_dir(repo().join(dir))
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        names.sort();
        files.extend(names);
    }
    let mut text = String::new();
    for f in files {
        let src = std::fs::read_to_string(&f).unwrap();
        let doc = Document::parse(src.clone(), Lang::De);
        text.push_str(&src[doc.body_start..]);
        text.push_str("\n\n");
    }
    let mut words = 0;
    let mut out = String::new();
    for para in text.split("\n\n") {
        out.push_str(para);
        out.push_str("\n\n");
        words += para.split_whitespace().count();
        if words >= 2000 {
            break;
        }
    }
    out
}

fn pack(dir: &Path, name: &str) -> Vec<Rule> {
    load_pack(&dir.join(name), name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .rules
}

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration, Duration) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.9), at(0.99))
}

fn time_check(
    engine: &StyleEngine,
    doc: &Document,
    runs: usize,
) -> (Duration, Duration, Duration, usize) {
    let findings = check(doc, engine).len();
    for _ in 0..5 {
        std::hint::black_box(check(doc, engine));
    }
    // Thread CPU time, not wall time: "on one core" even while other builds share the machine.
    let samples = (0..runs)
        .map(|_| {
            let t = cpu_time::ThreadTime::now();
            std::hint::black_box(check(doc, engine));
            t.elapsed()
        })
        .collect();
    let (p50, p90, p99) = percentiles(samples);
    (p50, p90, p99, findings)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let text = article();
    let words = text.split_whitespace().count();
    let doc = Document::parse(text.clone(), Lang::De);

    // Every bundled pack (every folder of `styleguides/`), every rule (all address forms
    // and gender conventions at once), and the demo's brand pack.
    let styles = repo().join("styleguides");
    let mut names: Vec<String> = std::fs::read_dir(&styles)
        .unwrap()
        .filter_map(|e| {
            let e = e.ok()?;
            let name = e.file_name().to_string_lossy().into_owned();
            (e.path().is_dir() && name != "config").then_some(name)
        })
        .collect();
    names.sort();
    let mut bundled = Vec::new();
    let mut counts = Vec::new();
    for name in &names {
        let rules = pack(&styles, name);
        counts.push(format!("{name} {}", rules.len()));
        bundled.extend(rules);
    }
    let brand = pack(&repo().join("demo/styleguides"), "WaermewerkAlbtal");
    counts.push(format!("WaermewerkAlbtal (demo) {}", brand.len()));
    bundled.extend(brand);
    let n_bundled = bundled.len();
    let t = Instant::now();
    let engine = StyleEngine::build(
        bundled.clone(),
        Vec::new(),
        &Vocabulary::default(),
        imprimatur_style::Level::Suggestion,
    )
    .unwrap();
    let compile = t.elapsed();
    if std::env::var_os("STYLE_BENCH_PROFILE").is_some() {
        // For a profiler (`valgrind --tool=callgrind`): only the checks, nothing else.
        for _ in 0..20 {
            std::hint::black_box(check(&doc, &engine));
        }
        return;
    }
    let t = Instant::now();
    for _ in 0..20 {
        std::hint::black_box(Document::parse(text.clone(), Lang::De));
    }
    let parse = t.elapsed() / 20;
    // As the app runs it: German documents get the German packs (Klartext with every
    // address and gender variant, and the demo brand pack); PlainEnglish checks English ones.
    let german: Vec<Rule> = bundled
        .iter()
        .filter(|r| r.pack != "PlainEnglish")
        .cloned()
        .collect();
    let english: Vec<Rule> = bundled
        .iter()
        .filter(|r| r.pack == "PlainEnglish")
        .cloned()
        .collect();
    let n_german = german.len();
    let per_language = StyleEngine::build(
        german,
        english,
        &Vocabulary::default(),
        imprimatur_style::Level::Suggestion,
    )
    .unwrap();
    let (g50, g90, g99, gfind) = time_check(&per_language, &doc, 300);
    // Wall time of the same runs, for the comparison with Yoast (a process, timed by the wall clock).
    let mut wall: Vec<Duration> = (0..100)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(check(&doc, &per_language));
            t.elapsed()
        })
        .collect();
    wall.sort();
    let wall50 = wall[wall.len() / 2];
    let (p50, p90, p99, findings) = time_check(&engine, &doc, 300);
    println!("style benchmark: {words}-word German article, one thread, CPU time per check");
    println!(
        "  German packs as the app runs them ({n_german} rules): check p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  ({gfind} findings)  target p50 <= 5 ms: {}",
        ms(g50),
        ms(g90),
        ms(g99),
        if ms(g50) <= 5.0 { "met" } else { "MISSED" }
    );
    println!(
        "    wall clock p50 {:.2} ms (machine load: {})",
        ms(wall50),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    println!(
        "  Markdown parse (imprimatur-check, not part of the style check): {:.2} ms",
        ms(parse)
    );
    println!(
        "  bundled packs: {n_bundled} rules ({}), compiled in {:.1} ms",
        counts.join(", "),
        ms(compile)
    );
    println!(
        "  every bundled pack at once, German and English ({n_bundled} rules; English spelling flags the German words): p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  ({findings} findings)  target p50 <= 5 ms: {}",
        ms(p50),
        ms(p90),
        ms(p99),
        if ms(p50) <= 5.0 { "met" } else { "MISSED" }
    );

    if std::env::var_os("STYLE_BENCH_RULES").is_some() {
        // Where the time goes: each rule alone, slowest first.
        let mut per_rule: Vec<(f64, String)> = bundled
            .iter()
            .map(|r| {
                let e = StyleEngine::build(
                    vec![r.clone()],
                    Vec::new(),
                    &Vocabulary::default(),
                    imprimatur_style::Level::Suggestion,
                )
                .unwrap();
                let (p50, _, _, n) = time_check(&e, &doc, 20);
                (ms(p50), format!("{} ({n})", r.code))
            })
            .collect();
        per_rule.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (t, code) in per_rule.iter().take(25) {
            println!("    {t:7.2} ms  {code}");
        }
    }

    let data = std::env::var_os("IMPRIMATUR_VALE_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared/data/vale"));
    if data.is_dir() {
        let mut all = bundled;
        for p in ["Google", "Microsoft", "write-good", "proselint"] {
            all.extend(pack(&data.join(p), p));
        }
        let n = all.len();
        let engine = StyleEngine::build(
            all,
            Vec::new(),
            &Vocabulary::default(),
            imprimatur_style::Level::Suggestion,
        )
        .unwrap();
        let (p50, p90, _, findings) = time_check(&engine, &doc, 100);
        println!(
            "  bundled + Google, Microsoft, write-good, proselint: {n} rules: p50 {:.2} ms  p90 {:.2} ms  ({findings} findings)",
            ms(p50),
            ms(p90)
        );
    }

    yoast(&text, g50, wall50);
}

/// Yoast's content analysis on the same text, through `run.mjs` (a Node process per run).
fn yoast(text: &str, ours: Duration, ours_wall: Duration) {
    let Some(node) = which("node") else {
        println!("  yoast: skipped, `node` is not installed");
        return;
    };
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let dir = home.join(".cache/imprimatur/yoast");
    let reference = repo().join("../shared/reference/yoast");
    if !dir.join("node_modules/yoastseo").is_dir() {
        if !reference.join("run.mjs").is_file() {
            println!("  yoast: skipped, {} not found", reference.display());
            return;
        }
        std::fs::create_dir_all(&dir).unwrap();
        for f in ["package.json", "run.mjs"] {
            std::fs::copy(reference.join(f), dir.join(f)).unwrap();
        }
        println!("  yoast: npm install in {} …", dir.display());
        let ok = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent"])
            .current_dir(&dir)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            println!("  yoast: skipped, npm install failed");
            return;
        }
    }
    let file = std::env::temp_dir().join("imprimatur-style-bench.md");
    std::fs::write(&file, text).unwrap();
    let run = |args: &[&str]| -> Option<Duration> {
        let t = Instant::now();
        let out = Command::new(&node)
            .args(args)
            .current_dir(&dir)
            .output()
            .ok()?;
        out.status.success().then(|| t.elapsed())
    };
    let file_arg = file.to_string_lossy().into_owned();
    let yoast_args = [
        "run.mjs",
        file_arg.as_str(),
        "--keyphrase",
        "Wärmepumpe",
        "--title",
        "Wärmepumpe im Altbau",
        "--description",
        "Wann sich eine Wärmepumpe im Altbau lohnt.",
        "--lang",
        "de",
    ];
    let mut runs = Vec::new();
    let mut startup = Vec::new();
    for _ in 0..5 {
        match run(&yoast_args) {
            Some(d) => runs.push(d),
            None => {
                println!("  yoast: skipped, run.mjs failed");
                return;
            }
        }
        if let Some(d) = run(&["-e", ""]) {
            startup.push(d);
        }
    }
    let (y50, _, _) = percentiles(runs);
    let (s50, _, _) = percentiles(startup);
    let analysis = y50.saturating_sub(s50);
    println!(
        "  yoast run.mjs (SEO + readability, same text): p50 {:.0} ms wall, {:.0} ms without Node start-up ({:.0} ms)",
        ms(y50),
        ms(analysis),
        ms(s50)
    );
    println!(
        "  ratio yoast / imprimatur-style (German packs) p50: {:.0}x (both wall clock), {:.0}x (Yoast without Node start-up vs our CPU time)",
        ms(y50) / ms(ours_wall),
        ms(analysis) / ms(ours)
    );
}

fn which(bin: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_string_lossy()
        .split(':')
        .map(|d| Path::new(d).join(bin))
        .find(|p| p.is_file())
}
