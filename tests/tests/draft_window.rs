//! Brief → outline → draft in the real app window, on the demo workspace with the
//! embedded model (SmolLM2) and the demo knowledge, with the brief and the knowledge of
//! the CLI's draft test (`crates/imprimatur-cli/tests/draft_cli.rs`): both paths run the
//! same drafting core (`imprimatur_workspace::draft`), so the window must get what the
//! CLI gets. A new brief from the German product page template shows its empty
//! required fields at the fields; filled in (confidential, the price list as required
//! source) and saved it is a versioned brief file; "Write outline" streams an editable
//! outline (a section added and removed again); "Write draft" streams into a new
//! document with a progress bar and ends in an `ai` revision whose front matter names
//! the brief; its `[n]` citations resolve, and Ctrl+click on one opens the knowledge
//! source view at a span that holds the cited figure or words; the provenance gutter
//! marks the AI lines and the document shows its AI share, which drops after a person
//! edits a line.
//!
//! Needs the local embedding model and SmolLM2 (`imprimatur models install-embedder`,
//! `imprimatur model install-llm`), a display (`xvfb-run`), tauri-driver,
//! WebKitWebDriver and the built app.

use std::path::Path;
use std::time::{Duration, Instant};

use imprimatur_e2e::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn brief_outline_draft_with_citations_and_provenance() {
    let app = App::launch().await;
    let started = Instant::now();
    run(&app).await;
    println!("draft_window: {:.1} s", started.elapsed().as_secs_f64());
    app.close("draft-final").await;
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

/// The CLI test's knowledge: the price list and the company profile (the embedder
/// ingests two files in seconds; the rest of the demo knowledge is not needed here).
fn keep_cli_knowledge(ws: &Path) {
    for entry in std::fs::read_dir(ws.join("knowledge")).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        } else if !["preisliste-2026.md", "unternehmen.txt"]
            .iter()
            .any(|k| path.ends_with(k))
        {
            std::fs::remove_file(&path).unwrap();
        }
    }
}

async fn click(c: &Client, testid: &str) {
    by_testid(c, testid).await.click().await.unwrap();
}

/// Sets a brief field the way typing does (an `input` event with the new value); set in
/// the page because WebKitWebDriver refuses `clear` on some fields of the long form.
async fn type_into(c: &Client, key: &str, text: &str) {
    let set = c
        .execute(
            "const el = document.querySelector(`[data-testid='brief-input'][data-key='${arguments[0]}']`);\
             if (!el) return false;\
             el.focus(); el.value = arguments[1];\
             el.dispatchEvent(new Event('input', { bubbles: true }));\
             el.dispatchEvent(new Event('blur'));\
             return true;",
            vec![json!(key), json!(text)],
        )
        .await
        .unwrap();
    assert_eq!(set, json!(true), "no brief field {key}");
}

/// Numbers with at least two digits as written (`12.490,00`, `2026`).
fn figures(s: &str) -> Vec<String> {
    s.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .map(|f| f.trim_matches(['.', ',']))
        .filter(|f| f.bytes().filter(u8::is_ascii_digit).count() >= 2)
        .map(String::from)
        .collect()
}

/// Words of five letters or more, lowercase.
fn long_words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 5)
        .map(str::to_lowercase)
        .collect()
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
    keep_cli_knowledge(&ws);

    // The knowledge the draft cites, ingested in the knowledge panel.
    click(c, "knowledge-button").await;
    by_testid(c, "knowledge-panel").await;
    click(c, "knowledge-ingest").await;
    let started = Instant::now();
    let summary = until_js(
        c,
        "the end of the ingestion",
        Duration::from_secs(180),
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

    // A new brief from the German product page template.
    click(c, "draft-button").await;
    by_testid(c, "draft-panel").await;
    until_js(
        c,
        "the brief templates",
        Duration::from_secs(20),
        "const s = document.querySelector(\"[data-testid='brief-template']\");\
         if (!s) return null;\
         const o = [...s.options].find((o) => o.textContent.includes('(DE)') && /produkt/i.test(o.textContent));\
         if (!o) return null;\
         s.value = o.value; s.dispatchEvent(new Event('change', { bubbles: true }));\
         return o.textContent;",
    )
    .await;
    click(c, "brief-new").await;
    by_testid(c, "brief-editor").await;
    assert_eq!(
        attr(c, "brief-editor", "data-template").await.as_deref(),
        Some("produktseite")
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
    for key in ["goal", "keyphrase"] {
        assert!(
            missing.split(',').any(|k| k == key),
            "{key} not flagged: {missing}"
        );
    }
    screenshot(c, "draft-brief-missing").await;

    // The CLI test's brief, field by field.
    let title = by_testid(c, "brief-title").await;
    title.send_keys("Was kostet die AlbAir 9?").await.unwrap();
    type_into(
        c,
        "goal",
        "Leser:innen kennen den Preis der AlbAir 9 und wissen, wie sie ein Angebot bekommen.",
    )
    .await;
    type_into(c, "product", "AlbAir 9").await;
    type_into(
        c,
        "audience",
        "Eigentümer:innen von Einfamilienhäusern, die eine Wärmepumpe planen",
    )
    .await;
    type_into(c, "keyphrase", "AlbAir 9 Preis").await;
    type_into(c, "required_sources", "knowledge/preisliste-2026.md").await;
    type_into(c, "tone", "sachlich, freundlich").await;
    type_into(c, "length_words", "60").await;
    let confidential = c
        .find(Locator::Css(
            "[data-testid='brief-input'][data-key='confidential']",
        ))
        .await
        .unwrap();
    if confidential.prop("checked").await.unwrap().as_deref() != Some("true") {
        confidential.click().await.unwrap();
    }
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
    for want in [
        "AlbAir 9 Preis",
        "confidential = true",
        "knowledge/preisliste-2026.md",
    ] {
        assert!(brief_text.contains(want), "{want}: {brief_text}");
    }

    // The outline, streamed, then edited: a section added and removed again.
    click(c, "outline-write").await;
    let started = Instant::now();
    let sections: usize = until_js(
        c,
        "the outline",
        Duration::from_secs(120),
        "const e = document.querySelector(\"[data-testid='outline-editor']\");\
         const err = document.querySelector(\"[data-testid='draft-error']\");\
         if (err) return 'error: ' + err.textContent;\
         return e ? e.dataset.count : null;",
    )
    .await
    .parse()
    .unwrap_or_else(|e| panic!("outline failed: {e}"));
    println!(
        "outline: {sections} section(s) in {:.1} s",
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
    let heading = c
        .find(Locator::Css("[data-testid='outline-heading']"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(!heading.trim().is_empty(), "the first outline heading");
    screenshot(c, "draft-outline").await;

    // The draft, streamed into a new document: a watcher records the progress bar and
    // every length the editor's text had while the model wrote.
    c.execute(
        "window.__draftSeen = { bar: false, lengths: [] };\
         const seen = window.__draftSeen;\
         const look = () => {\
           if (document.querySelector(\"[data-testid='draft-progress-bar']\")) seen.bar = true;\
           const p = document.querySelector(\"[data-testid='draft-panel']\");\
           const ed = document.querySelector(\"[data-testid='editor'] .cm-content\");\
           if (p && p.dataset.running && ed) {\
             const n = ed.textContent.length;\
             if (!seen.lengths.includes(n)) seen.lengths.push(n);\
           }\
         };\
         new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });\
         return true;",
        vec![],
    )
    .await
    .unwrap();
    click(c, "draft-write").await;
    let started = Instant::now();
    let summary = until_js(
        c,
        "the saved draft",
        Duration::from_secs(180),
        "const s = document.querySelector(\"[data-testid='draft-summary']\");\
         const err = document.querySelector(\"[data-testid='draft-error']\");\
         if (err) return 'error: ' + err.textContent;\
         return s ? JSON.stringify(s.dataset) : null;",
    )
    .await;
    assert!(!summary.starts_with("error"), "draft failed: {summary}");
    let summary: serde_json::Value = serde_json::from_str(&summary).unwrap();
    let seen = c
        .execute("return window.__draftSeen;", vec![])
        .await
        .unwrap();
    let streamed = seen["lengths"].as_array().map_or(0, Vec::len);
    println!(
        "draft: {:.1} s, {summary}, progress bar {}, {streamed} editor states while streaming",
        started.elapsed().as_secs_f64(),
        seen["bar"]
    );
    assert_eq!(seen["bar"], json!(true), "no progress bar: {seen}");
    assert!(
        streamed >= 3,
        "the draft did not stream into the editor: {seen}"
    );
    let content = editor_text(c).await;
    println!("--- the draft in the editor ---\n{content}\n---");
    assert!(
        content.contains("\n# Was kostet die AlbAir 9?\n"),
        "{content}"
    );
    assert!(
        content.contains(&format!("\n## {}\n", heading.trim())),
        "the outline's section: {content}"
    );
    assert!(
        content.contains("brief: ") && content.contains("confidential: true"),
        "the front matter names the brief: {content}"
    );
    let citations: usize = summary["citations"].as_str().unwrap().parse().unwrap();
    assert!(
        citations >= 1 && content.contains("]: knowledge/preisliste-2026.md"),
        "no resolvable citation of the price list in the draft: {content}"
    );

    // The store has it as an `ai` revision with provenance.
    let store_ws = imprimatur_workspace::Workspace::open(&ws).unwrap();
    let doc = store_ws
        .store()
        .documents()
        .unwrap()
        .into_iter()
        .find(|d| d.title == "Was kostet die AlbAir 9?")
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
    let span = until_js(
        c,
        "the cited span",
        Duration::from_secs(30),
        "const v = document.querySelector(\"[data-testid='knowledge-source-view']\");\
         const s = document.querySelector(\"[data-testid='knowledge-source-span']\");\
         const err = v && v.querySelector('.error');\
         if (err) return 'error: ' + err.textContent;\
         return s && s.textContent ? s.textContent : null;",
    )
    .await;
    assert!(!span.starts_with("error: "), "the source view: {span}");
    assert!(
        content.contains(&format!("]: knowledge/{}", path.replace(' ', "%20"))),
        "{path} is not among the references: {content}"
    );
    // The span holds what the cited sentence says: one of its figures, or its words.
    let marker = opened.as_str().unwrap();
    let at = content
        .find(marker)
        .expect("the clicked marker in the text");
    let line_start = content[..at].rfind('\n').map_or(0, |p| p + 1);
    // The sentence the marker closes: after the last sentence end before it on its line.
    let line = &content[line_start..at];
    let cited = [". ", "! ", "? "]
        .iter()
        .filter_map(|e| line.rfind(e).map(|p| p + e.len()))
        .max()
        .map_or(line, |p| &line[p..]);
    let shared_figures: Vec<String> = figures(cited)
        .into_iter()
        .filter(|f| span.contains(f.as_str()))
        .collect();
    let span_words = long_words(&span);
    let shared_words = long_words(cited)
        .into_iter()
        .filter(|w| span_words.contains(w))
        .count();
    assert!(
        !shared_figures.is_empty() || shared_words >= 3,
        "the span of {marker} does not hold the cited text {cited:?}: {span}"
    );
    println!(
        "citation {marker} after {cited:?} opens {path} ({shared_figures:?}, {shared_words} shared words): {:.80}…",
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
        .send_keys("Von Hand ergänzt: Rufen Sie uns an.\n\n")
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
