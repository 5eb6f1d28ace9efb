//! Duplicates in the real app window, on the demo workspace: a paragraph of a published
//! demo article (the corpus imported when the demo was created) pasted into a new draft
//! becomes a lint marker with the other checks; the duplicates panel names the article
//! with its coverage and the passage; the side-by-side view shows the passage
//! highlighted in the draft and in the article. Without the embedding model the panel
//! says that the same-topic comparison was skipped and why (the verdicts themselves are
//! tested through the CLI, crates/imprimatur-cli/tests/duplicates_cli.rs).
//!
//! Needs a display (`xvfb-run`), tauri-driver, WebKitWebDriver and the built app.

use imprimatur_e2e::*;

const ARTICLE: &str = "corpus:website/wartung-der-waermepumpe.md";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pasted_paragraph_of_a_published_article_is_marked_and_shown_side_by_side() {
    let app = App::launch().await;
    run(&app).await;
    app.close("duplicates-final").await;
}

async fn run(app: &App) {
    let c = &app.client;
    wait_until(c, "the demo workspace's name", || async {
        text(c, "workspace-name")
            .await
            .filter(|t| t.contains("Wärmewerk Albtal"))
    })
    .await;

    // The paragraph as the published article has it (the demo's copy on disk).
    let article = std::fs::read_to_string(
        app.demo_workspace()
            .join("corpus/website/wartung-der-waermepumpe.md"),
    )
    .unwrap();
    let paragraph = article
        .split("\n\n")
        .find(|p| p.starts_with("Beim jährlichen Check"))
        .expect("the article's paragraph on the yearly check")
        .trim()
        .to_string();

    new_document(c, "Ratgeber Wartung").await;
    let draft = format!(
        "# Ratgeber Wartung\n\nUnser Serviceteam erklärt, worauf es ankommt.\n\n{paragraph}\n"
    );
    // One paste, as Ctrl+V would insert it.
    c.execute(
        "const el = document.querySelector(\"[data-testid='editor'] .cm-content\");\
         const view = (el.cmTile && el.cmTile.root && el.cmTile.root.view) || (el.cmView && el.cmView.view);\
         view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: arguments[0] }, userEvent: 'input.paste' });",
        vec![serde_json::Value::String(draft.clone())],
    )
    .await
    .unwrap();
    assert_eq!(editor_text(c).await, draft);

    // The overlap is a warning marker in the editor, with the other checks' markers.
    let texts = wait_until(c, "a duplicates marker and badge", || async {
        let badge = text(c, "duplicates-count").await?;
        let marked = c
            .execute(
                "return [...document.querySelectorAll(\"[data-testid='editor'] .cm-lintRange-warning\")]\
                 .map((e) => e.textContent).join('|');",
                vec![],
            )
            .await
            .ok()?;
        let marked = marked.as_str()?.to_string();
        (badge == "1" && marked.contains("Laub")).then_some(marked)
    })
    .await;
    assert!(texts.contains("Verdampfer"), "marked: {texts}");

    // The panel names the article, its coverage and the passage.
    by_testid(c, "duplicates-button")
        .await
        .click()
        .await
        .unwrap();
    by_testid(c, "duplicates-panel").await;
    let document = attr(c, "duplicate-match", "data-document").await;
    assert_eq!(document.as_deref(), Some(ARTICLE));
    let title = text(c, "duplicate-match-title").await.unwrap();
    assert!(title.contains("Wartung der Wärmepumpe"), "title: {title}");
    let coverage: u32 = attr(c, "duplicate-match", "data-coverage")
        .await
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (50..=100).contains(&coverage),
        "most of the draft is the pasted paragraph: {coverage} %"
    );
    assert_eq!(count(c, "duplicate-passage").await, 1);
    // The app here has no embedding model (its data folder is a fresh one): the panel
    // says the same-topic comparison did not run, and how to install the model.
    let skipped = text(c, "duplicates-topic-skipped")
        .await
        .unwrap_or_default();
    assert!(skipped.contains("install-embedder"), "skipped: {skipped}");
    screenshot(c, "duplicates-panel").await;

    // Side by side: the passage highlighted in the draft and in the article.
    by_testid(c, "duplicate-passage")
        .await
        .click()
        .await
        .unwrap();
    by_testid(c, "duplicates-view").await;
    let other = wait_until(c, "the article's side", || async {
        text(c, "duplicates-other-span").await
    })
    .await;
    let mine = text(c, "duplicates-draft-span").await.unwrap();
    assert!(
        other.starts_with("Beim jährlichen Check"),
        "article: {other}"
    );
    assert!(other.contains("Kondensatablauf"), "article: {other}");
    assert_eq!(mine, other, "the same passage on both sides");
    let whole = text(c, "duplicates-other-text").await.unwrap();
    assert!(
        whole.contains("Was unsere Techniker:innen prüfen"),
        "the whole article around the passage: {whole}"
    );
    screenshot(c, "duplicates-side-by-side").await;

    by_testid(c, "duplicates-view-back")
        .await
        .click()
        .await
        .unwrap();
    wait_until(c, "the editor again", || async {
        (count(c, "duplicates-view").await == 0).then_some(String::new())
    })
    .await;
}
