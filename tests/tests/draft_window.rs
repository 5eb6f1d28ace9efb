//! Brief → outline → draft in the real app window, on the demo workspace with the
//! embedded model (SmolLM2) and the demo knowledge: a new brief from the English guide
//! article template (SmolLM2 writes English; its German is not usable) shows its empty required fields at the fields; filled in and saved it is a
//! versioned brief file; "Write outline" streams an editable outline (a section added
//! and removed again, one renamed); "Write draft" streams section by section into a new
//! document with a progress bar and ends in an `ai` revision whose front matter names
//! the brief; its `[n]` citations resolve, and Ctrl+click on one opens the cited span in
//! the knowledge source view; the provenance gutter marks the AI lines and the document
//! shows its AI share, which drops after a person edits a line.
//!
//! Needs the local embedding model and SmolLM2 (`imprimatur models install-embedder`,
//! `imprimatur model install-llm`), a display (`xvfb-run`), tauri-driver,
//! WebKitWebDriver and the built app.

use std::path::Path;
use std::time::{Duration, Instant};

use imprimatur_e2e::*;
use serde_json::json;

// Not yet in CI: the embedded SmolLM2-135M often writes a generic sentence with no figure
// and no words of a source, so the draft has nothing to cite and the citation assertion
// fails (seen in CI on 2026-11-24). Brief → outline → streamed draft → `ai` revision pass.
// Run with `cargo test -p imprimatur-e2e --test draft_window -- --ignored`.
#[ignore = "the embedded 135M model writes no citable text; needs a stronger local model"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn brief_outline_draft_with_citations_and_provenance() {
    let app = App::launch().await;
    run(&app).await;
    app.close("draft-final").await;
}

/// Waits up to `limit` until `js` (returning a string or null) answers.
async fn until_js(c: &Client, what: &str, limit: Duration, js: &str) -> String {
    let deadline = Instant::now() + limit;
    loop {
        if let Ok(v) = c.execute(js, vec![]).await {
            if let Some(s) = v.as_str() {
                return s.to_owned();
            }
        }
        if Instant::now() > deadline {
            screenshot(c, "draft-timeout").await;
            panic!("timed out after {limit:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The app looks for its models under its own (fresh) data folder: link the installed ones.
fn link_models(app: &App) {
    let installed = imprimatur_workspace::knowledge::default_model_dir();
    let installed = installed.parent().expect("the models folder");
    let target = app.data_dir().join("imprimatur/models");
    std::fs::create_dir_all(&target).unwrap();
    let mut llm = false;
    for entry in std::fs::read_dir(installed).unwrap().flatten() {
        let name = entry.file_name();
        llm |= name.to_string_lossy().ends_with(".gguf");
        let link = target.join(&name);
        if !link.exists() {
            std::os::unix::fs::symlink(entry.path(), link).unwrap();
        }
    }
    assert!(
        llm,
        "no GGUF model in {}; run `imprimatur model install-llm`",
        installed.display()
    );
}

/// The embedded model as the demo workspace's only model (unless it has `[models]`).
fn use_embedded_model(ws: &Path) {
    let file = ws.join("imprimatur.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    if !text.contains("[models") {
        std::fs::write(
            &file,
            format!("{text}\n[models]\ndefault = [\"smol\"]\n[models.providers.smol]\npreset = \"embedded\"\n"),
        )
        .unwrap();
    }
}

async fn click(c: &Client, testid: &str) {
    by_testid(c, testid).await.click().await.unwrap();
}

async fn type_into(c: &Client, key: &str, text: &str) {
    let el = c
        .find(Locator::Css(&format!(
            "[data-testid='brief-input'][data-key='{key}']"
        )))
        .await
        .unwrap();
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

async fn run(app: &App) {
    let c = &app.client;
    wait_until(c, "the demo workspace's name", || async {
        text(c, "workspace-name")
            .await
            .filter(|t| t.contains("Wärmewerk Albtal"))
    })
    .await;
    link_models(app);
    let ws = app.demo_workspace();
    use_embedded_model(&ws);

    // The knowledge the draft cites: ingest the demo's knowledge/ folder.
    click(c, "knowledge-button").await;
    by_testid(c, "knowledge-panel").await;
    click(c, "knowledge-ingest").await;
    let started = Instant::now();
    let summary = until_js(
        c,
        "the end of the ingestion",
        Duration::from_secs(300),
        "const p = document.querySelector(\"[data-testid='knowledge-panel']\");\
         const s = document.querySelector(\"[data-testid='knowledge-summary']\");\
         const err = document.querySelector(\"[data-testid='knowledge-error']\");\
         if (err) return 'error: ' + err.textContent;\
         return p && p.dataset.ingesting === 'false' && s ? s.textContent : null;",
    )
    .await;
    assert!(!summary.starts_with("error"), "ingestion failed: {summary}");
    println!(
        "ingestion: {:.1} s, {}",
        started.elapsed().as_secs_f64(),
        summary.trim()
    );

    // A new brief from the English article template.
    click(c, "draft-button").await;
    by_testid(c, "draft-panel").await;
    until_js(
        c,
        "the brief templates",
        Duration::from_secs(20),
        "const s = document.querySelector(\"[data-testid='brief-template']\");\
         if (!s) return null;\
         const o = [...s.options].find((o) => o.textContent.includes('(EN)') && /article/i.test(o.textContent));\
         if (!o) return null;\
         s.value = o.value; s.dispatchEvent(new Event('change', { bubbles: true }));\
         return o.textContent;",
    )
    .await;
    click(c, "brief-new").await;
    by_testid(c, "brief-editor").await;
    assert_eq!(
        attr(c, "brief-editor", "data-template").await.as_deref(),
        Some("blog-article")
    );

    // Saving it empty shows the missing required fields at the fields.
    click(c, "brief-save").await;
    let missing = wait_until(c, "the missing required fields", || async {
        let v = c
            .execute(
                "return [...document.querySelectorAll(\"[data-testid='brief-field-error']\")]\
                   .map((e) => e.dataset.key).join(',');",
                vec![],
            )
            .await
            .ok()?;
        let s = v.as_str()?.to_string();
        (!s.is_empty()).then_some(s)
    })
    .await;
    // (The demo template has a default audience.)
    for key in ["goal", "keyphrase"] {
        assert!(
            missing.split(',').any(|k| k == key),
            "{key} not flagged: {missing}"
        );
    }
    screenshot(c, "draft-brief-missing").await;

    let title = by_testid(c, "brief-title").await;
    title
        .send_keys("AlbAir heat pumps: prices 2026")
        .await
        .unwrap();
    type_into(
        c,
        "goal",
        "Readers know what the AlbAir heat pumps cost and ask for a quote.",
    )
    .await;
    type_into(c, "audience", "Home owners with an old oil heating").await;
    type_into(c, "keyphrase", "heat pump price").await;
    type_into(c, "required_sources", "knowledge/en/faq-en.md").await;
    // Short, so the small model is quick: two sections of about 60 words.
    type_into(c, "length_words", "120").await;
    click(c, "brief-save").await;
    wait_until(c, "the saved brief without problems", || async {
        (count(c, "brief-field-error").await == 0).then(String::new)
    })
    .await;
    let briefs = ws.join("briefs");
    let brief_file = wait_until(c, "the brief file", || async {
        std::fs::read_dir(&briefs).ok()?.flatten().find_map(|e| {
            let p = e.path();
            (p.extension()? == "toml").then(|| p.display().to_string())
        })
    })
    .await;
    let brief_text = std::fs::read_to_string(&brief_file).unwrap();
    assert!(brief_text.contains("heat pump price"), "{brief_text}");

    // The outline, streamed, then edited.
    click(c, "outline-write").await;
    let started = Instant::now();
    let sections: usize = until_js(
        c,
        "the outline",
        Duration::from_secs(240),
        "const e = document.querySelector(\"[data-testid='outline-editor']\");\
         const err = document.querySelector(\"[data-testid='draft-error']\");\
         if (err) return 'error: ' + err.textContent;\
         return e ? e.dataset.count : null;",
    )
    .await
    .parse()
    .unwrap_or_else(|e| panic!("outline failed: {e}"));
    println!(
        "outline: {sections} sections in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(sections >= 1);
    click(c, "outline-add").await;
    assert_eq!(count(c, "outline-section").await, sections + 1);
    let removes = c
        .find_all(Locator::Css("[data-testid='outline-remove']"))
        .await
        .unwrap();
    removes.last().unwrap().click().await.unwrap();
    assert_eq!(count(c, "outline-section").await, sections);
    let first = c
        .find(Locator::Css("[data-testid='outline-heading']"))
        .await
        .unwrap();
    first.clear().await.unwrap();
    first
        .send_keys("What does a heat pump cost?")
        .await
        .unwrap();
    screenshot(c, "draft-outline").await;

    // The draft, streamed into a new document section by section.
    click(c, "draft-write").await;
    let started = Instant::now();
    let seen = until_js(
        c,
        "the progress bar or the summary",
        Duration::from_secs(60),
        "if (document.querySelector(\"[data-testid='draft-progress-bar']\")) return 'progress';\
         if (document.querySelector(\"[data-testid='draft-summary']\")) return 'done';\
         return null;",
    )
    .await;
    if seen == "progress" {
        screenshot(c, "draft-writing").await;
    }
    let summary = until_js(
        c,
        "the saved draft",
        Duration::from_secs(480),
        "const s = document.querySelector(\"[data-testid='draft-summary']\");\
         const err = document.querySelector(\"[data-testid='draft-error']\");\
         if (err) return 'error: ' + err.textContent;\
         return s ? JSON.stringify(s.dataset) : null;",
    )
    .await;
    assert!(!summary.starts_with("error"), "draft failed: {summary}");
    let summary: serde_json::Value = serde_json::from_str(&summary).unwrap();
    println!(
        "draft: {:.1} s, {summary} (progress bar {})",
        started.elapsed().as_secs_f64(),
        if seen == "progress" {
            "seen"
        } else {
            "not seen"
        }
    );
    let content = editor_text(c).await;
    println!("--- the draft in the editor ---\n{content}\n---");
    assert!(
        content.contains("\n# AlbAir heat pumps: prices 2026\n"),
        "{content}"
    );
    assert!(
        content.contains("\n## What does a heat pump cost?\n"),
        "the renamed section: {content}"
    );
    assert!(
        content.contains("brief: "),
        "the front matter names the brief: {content}"
    );
    let citations: usize = summary["citations"].as_str().unwrap().parse().unwrap();
    assert!(
        citations >= 1 && content.contains("]: knowledge/"),
        "no resolvable citation in the draft: {content}"
    );

    // The store has it as an `ai` revision with provenance.
    let store_ws = imprimatur_workspace::Workspace::open(&ws).unwrap();
    let doc = store_ws
        .store()
        .documents()
        .unwrap()
        .into_iter()
        .find(|d| d.title == "AlbAir heat pumps: prices 2026")
        .expect("the draft document");
    let head = store_ws.store().head(&doc.id).unwrap().unwrap();
    assert_eq!(head.meta.origin, imprimatur_workspace::store::Origin::Ai);
    assert_eq!(head.content, content);
    let share = store_ws.store().ai_share(&head.meta.id).unwrap();
    assert!(share > 0.5, "AI share of a fresh draft: {share}");

    // The gutter marks AI lines; the document shows its AI share.
    let shown = wait_until(c, "the AI share", || async {
        attr(c, "ai-share", "data-share").await
    })
    .await;
    assert!(
        (shown.parse::<f64>().unwrap() - share).abs() < 1e-6,
        "{shown} vs {share}"
    );
    let ai_lines = wait_until(c, "AI lines in the gutter", || async {
        let n = c
            .execute(
                "return String(document.querySelectorAll(\"[data-testid='editor'] .imp-prov-ai\").length);",
                vec![],
            )
            .await
            .ok()?;
        let n = n.as_str()?.to_string();
        (n != "0").then_some(n)
    })
    .await;
    println!("AI share {share:.3}, {ai_lines} AI lines marked");
    screenshot(c, "draft-written").await;

    // Ctrl+click on a resolvable citation opens its source at the cited span.
    let opened = c
        .execute(
            "const el = document.querySelector(\"[data-testid='editor'] .imp-cite[data-resolved='true']\");\
             if (!el) return null;\
             const r = el.getBoundingClientRect();\
             el.dispatchEvent(new MouseEvent('mousedown', { bubbles: true, cancelable: true, ctrlKey: true, button: 0, clientX: r.left + 2, clientY: r.top + 2 }));\
             return el.textContent;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        opened.as_str().is_some(),
        "no resolvable citation marker in the editor"
    );
    let path = wait_until(c, "the cited source", || async {
        attr(c, "knowledge-source-view", "data-path").await
    })
    .await;
    let span = wait_until(c, "the cited span", || async {
        text(c, "knowledge-source-span")
            .await
            .filter(|s| !s.is_empty())
    })
    .await;
    assert!(
        content.contains(&format!("]: knowledge/{}", path.replace(' ', "%20"))),
        "{path} is not among the references: {content}"
    );
    println!(
        "citation {} opens {path}: {:.80}…",
        opened.as_str().unwrap(),
        span
    );
    screenshot(c, "draft-citation-source").await;
    click(c, "knowledge-source-back").await;

    // A person edits a line: after the save the AI share drops.
    let editor = c
        .find(Locator::Css("[data-testid='editor'] .cm-content"))
        .await
        .unwrap();
    c.execute(
        "const el = document.querySelector(\"[data-testid='editor'] .cm-content\");\
         const view = (el.cmTile && el.cmTile.root && el.cmTile.root.view) || (el.cmView && el.cmView.view);\
         const at = view.state.doc.toString().indexOf('\\n## ') + 1;\
         view.dispatch({ selection: { anchor: at } });\
         view.focus(); return at;",
        vec![],
    )
    .await
    .unwrap();
    editor
        .send_keys("Added by hand: call us.\n\n")
        .await
        .unwrap();
    let after = wait_until(c, "a lower AI share after the edit", || async {
        let s: f64 = attr(c, "ai-share", "data-share").await?.parse().ok()?;
        (s < share - 1e-9).then(|| s.to_string())
    })
    .await;
    println!("AI share after a person's edit: {after}");
    let human = c
        .execute(
            "return String(document.querySelectorAll(\"[data-testid='editor'] .imp-prov-human, [data-testid='editor'] .imp-prov-mixed\").length);",
            vec![],
        )
        .await
        .unwrap();
    assert_ne!(human, json!("0"), "the edited line is marked as a person's");
}
