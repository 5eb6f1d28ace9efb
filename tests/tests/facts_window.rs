//! The fact check in the real app window, on the demo article "Wärmepumpe im Altbau":
//! after the demo knowledge is ingested, changing the AlbAir 9's price in the article
//! to a wrong one turns the claim red (an error marker on the price), and the facts
//! panel lists the claim as contradicted with both values and the price list
//! (preisliste-2026.md) as evidence; the evidence opens the source at its span.
//!
//! Needs the local embedding model (`imprimatur models install-embedder`), a display
//! (`xvfb-run`), tauri-driver, WebKitWebDriver and the built app.

use std::time::{Duration, Instant};

use imprimatur_e2e::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_price_turns_red_with_the_price_list_as_evidence() {
    let app = App::launch().await;
    run(&app).await;
    app.close("facts-final").await;
}

async fn run(app: &App) {
    let c = &app.client;
    wait_until(c, "the demo workspace's name", || async {
        text(c, "workspace-name")
            .await
            .filter(|t| t.contains("Wärmewerk Albtal"))
    })
    .await;
    // The app's fresh XDG data folder gets the installed embedding model.
    let model = imprimatur_workspace::knowledge::default_model_dir();
    assert!(
        model.join("model.safetensors").is_file(),
        "no embedding model in {}",
        model.display()
    );
    let models = app.data_dir().join("imprimatur/models");
    std::fs::create_dir_all(&models).unwrap();
    std::os::unix::fs::symlink(&model, models.join("multilingual-e5-small")).unwrap();

    // Index the demo knowledge through the knowledge panel.
    by_testid(c, "knowledge-button")
        .await
        .click()
        .await
        .unwrap();
    by_testid(c, "knowledge-ingest")
        .await
        .click()
        .await
        .unwrap();
    let done = until_js(
        c,
        "the ingestion",
        Duration::from_secs(400),
        "const p = document.querySelector(\"[data-testid='knowledge-panel']\");\
         const err = document.querySelector(\"[data-testid='knowledge-error']\");\
         if (err) return 'error: ' + err.textContent;\
         return p && p.dataset.ingesting === 'false' && document.querySelector(\"[data-testid='knowledge-summary']\") ? 'done' : null;",
    )
    .await;
    assert_eq!(done, "done");
    by_testid(c, "knowledge-button")
        .await
        .click()
        .await
        .unwrap();

    // Open the demo article.
    wait_until(c, "the demo article in the list", || async {
        let clicked = c
            .execute(
                "const item = [...document.querySelectorAll(\"[data-testid='doc-item']\")]\
                   .find((el) => el.textContent.includes('Wärmepumpe im Altbau'));\
                 if (!item) return null; item.click(); return 'clicked';",
                vec![],
            )
            .await
            .ok()?;
        clicked.as_str().map(str::to_owned)
    })
    .await;
    wait_until(c, "the article in the editor", || async {
        editor_text(c)
            .await
            .contains("AlbAir 9: 12.490,00 €")
            .then_some(String::new())
    })
    .await;

    // The right price is supported: wait in the facts panel until the live check after
    // the ingestion carries the facts verdicts (the article, opened at start, was first
    // checked before there was an index).
    by_testid(c, "facts-button").await.click().await.unwrap();
    let started = Instant::now();
    let before = until_js(
        c,
        "the right price's verdict in the facts panel",
        Duration::from_secs(180),
        "const li = [...document.querySelectorAll(\"[data-testid='facts-claim']\")]\
           .find((el) => el.querySelector(\"[data-testid='facts-claim-text']\")?.textContent.includes('12.490,00'));\
         const b = document.querySelector(\"[data-testid='facts-badge']\");\
         return li ? li.dataset.verdict + '|' + (b ? b.textContent.trim() : '0') : null;",
    )
    .await;
    println!(
        "first check with facts: {:.1} s; the right price {before} (verdict|contradicted claims)",
        started.elapsed().as_secs_f64()
    );
    assert!(before.starts_with("supported|"), "{before}");
    by_testid(c, "facts-button").await.click().await.unwrap();

    // Change the price to a wrong one, scrolled into view: CodeMirror renders only the
    // lines in the viewport, so a marker further down is not in the page.
    c.execute(
        "const el = document.querySelector(\"[data-testid='editor'] .cm-content\");\
         const view = (el.cmView && el.cmView.view) || (el.cmTile && el.cmTile.root && el.cmTile.root.view);\
         const text = view.state.doc.toString();\
         const at = text.indexOf('AlbAir 9: 12.490,00 €') + 'AlbAir 9: '.length;\
         view.focus(); view.dispatch({ changes: { from: at, to: at + 6, insert: '13.490' }, selection: { anchor: at }, scrollIntoView: true });",
        vec![],
    )
    .await
    .unwrap();
    let started = Instant::now();
    let marked = until_js(
        c,
        "an error marker on the wrong price",
        Duration::from_secs(120),
        "const r = [...document.querySelectorAll(\"[data-testid='editor'] .cm-lintRange-error\")]\
           .find((el) => el.textContent.includes('13.490'));\
         return r ? r.textContent : null;",
    )
    .await;
    println!(
        "re-check after the edit: error marker in {:.1} s on {marked:?}",
        started.elapsed().as_secs_f64()
    );
    screenshot(c, "facts-1-red").await;

    // The facts panel: contradicted, both values, the price list as evidence.
    by_testid(c, "facts-button").await.click().await.unwrap();
    by_testid(c, "facts-panel").await;
    let row = until_js(
        c,
        "the contradicted claim in the facts panel",
        Duration::from_secs(30),
        "const li = [...document.querySelectorAll(\"[data-testid='facts-claim'][data-verdict='contradicted']\")]\
           .find((el) => el.textContent.includes('13.490'));\
         if (!li) return null;\
         const ev = li.querySelector(\"[data-testid='facts-evidence']\");\
         const v = li.querySelector(\"[data-testid='facts-source-value']\");\
         return JSON.stringify({ path: ev ? ev.dataset.path : null, source: v ? v.textContent : null, text: li.textContent });",
    )
    .await;
    let row: serde_json::Value = serde_json::from_str(&row).unwrap();
    assert_eq!(row["path"], json!("preisliste-2026.md"), "{row}");
    assert!(
        row["source"].as_str().unwrap_or("").contains("12490"),
        "{row}"
    );
    screenshot(c, "facts-2-panel").await;

    // The evidence opens the price list at the row.
    c.execute(
        "[...document.querySelectorAll(\"[data-testid='facts-claim'][data-verdict='contradicted']\")]\
           .find((el) => el.textContent.includes('13.490'))\
           .querySelector(\"[data-testid='facts-evidence']\").click();",
        vec![],
    )
    .await
    .unwrap();
    let view = until_js(
        c,
        "the price list at the evidence span",
        Duration::from_secs(30),
        "const v = document.querySelector(\"[data-testid='knowledge-source-view']\");\
         const m = v && v.querySelector('mark');\
         return v && m ? v.dataset.path + '|' + m.textContent : null;",
    )
    .await;
    assert!(view.starts_with("preisliste-2026.md|"), "{view}");
    assert!(view.contains("12.490,00"), "{view}");
    screenshot(c, "facts-3-source").await;
}
