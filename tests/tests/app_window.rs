//! The real app window, driven through tauri-driver and WebKitWebDriver under Xvfb.
//!
//! It starts the app as on a first start (empty config and data folders), so the app
//! opens the bundled demo workspace; then it creates a document, types, waits for the
//! autosave, opens the history, sees the diff and restores the first revision. At the
//! end it opens the same workspace with the core library and checks what the window
//! wrote: the revisions, the restored text and an intact audit chain.
//!
//! Needs a display (`xvfb-run`), tauri-driver, WebKitWebDriver and the built app;
//! `scripts/test.sh` provides all of them.

use imprimatur_e2e::*;
use imprimatur_workspace::Workspace;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_autosave_history_diff_restore_in_the_real_window() {
    let app = App::launch().await;
    run(&app).await;
    app.close("history-final").await;
}

async fn run(app: &App) {
    let c = &app.client;
    // First start: the demo workspace opens with its published articles.
    wait_until(c, "the demo workspace's name", || async {
        text(c, "workspace-name")
            .await
            .filter(|t| t.contains("Wärmewerk Albtal"))
    })
    .await;
    wait_until(c, "the demo documents", || async {
        let n = count(c, "doc-item").await;
        (n >= 2).then(|| n.to_string())
    })
    .await;
    screenshot(c, "1-demo").await;

    // A new document, open in the editor.
    let content = new_document(c, "E2E Testartikel").await;
    content
        .send_keys("Die Wärmepumpe ist leise.")
        .await
        .unwrap();
    saved_at(c, 1).await;
    let first = editor_text(c).await;
    assert!(
        first.contains("Die Wärmepumpe ist leise."),
        "editor holds {first:?}"
    );

    // More text: revision 2.
    content
        .send_keys(" Sie heizt auch im Altbau.")
        .await
        .unwrap();
    saved_at(c, 2).await;
    screenshot(c, "2-typed").await;

    // History: two revisions; choosing the first shows the diff against the head.
    by_testid(c, "history-button").await.click().await.unwrap();
    by_testid(c, "history-panel").await;
    wait_until(c, "two history entries", || async {
        (count(c, "history-item").await == 2).then_some(String::new())
    })
    .await;
    c.find(Locator::Css(
        "[data-testid='history-item'][data-number='1']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    by_testid(c, "diff-view").await;
    c.wait()
        .at_most(TIMEOUT)
        .for_element(Locator::Css("[data-testid='diff-view'] .cm-mergeView"))
        .await
        .expect("a side-by-side merge view");
    let summary = wait_until(c, "the diff summary", || async {
        text(c, "diff-summary").await.filter(|t| t.contains('5'))
    })
    .await;
    assert!(summary.contains("+5"), "diff summary {summary:?}");
    screenshot(c, "3-diff").await;

    // Restore revision 1: it becomes revision 3 and the editor shows its text.
    by_testid(c, "restore-button").await.click().await.unwrap();
    saved_at(c, 3).await;
    let restored = wait_until(c, "the restored text in the editor", || async {
        let t = editor_text(c).await;
        (!t.contains("Altbau")).then_some(t)
    })
    .await;
    assert_eq!(restored.trim_end(), first.trim_end());

    // What the window wrote, read back through the core.
    let ws_dir = app.demo_workspace();
    let ws = Workspace::open(&ws_dir).unwrap();
    let doc = ws
        .store()
        .documents()
        .unwrap()
        .into_iter()
        .find(|d| d.title == "E2E Testartikel")
        .expect("the new document in the store");
    let history = ws.store().history(&doc.id).unwrap();
    assert_eq!(history.len(), 3, "{history:?}");
    assert!(history.iter().all(|r| r.author == "e2e-editor"));
    assert_eq!(history[2].content_hash, history[0].content_hash);
    assert!(ws.store().verify_audit().unwrap().intact());
}
