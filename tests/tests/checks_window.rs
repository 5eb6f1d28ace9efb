//! Checks in the real app window: typing broken front matter gets a lint marker while
//! typing; the checks panel lists the `doc.front_matter` finding; clicking it selects
//! its text in the editor; ignoring it (with a reason) hides it and lists it as ignored,
//! "show again" brings it back; fixing the YAML makes the marker go away.
//!
//! Needs a display (`xvfb-run`), tauri-driver, WebKitWebDriver and the built app;
//! `scripts/test.sh` provides all of them.

use imprimatur_e2e::*;
use serde_json::json;

const ENTER: &str = "\u{E007}";
const END: &str = "\u{E010}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn findings_while_typing_panel_selection_ignore_and_fix() {
    let app = App::launch().await;
    run(&app).await;
    app.close("checks-final").await;
}

/// How many elements match `css` in the page.
async fn count_css(c: &Client, css: &str) -> usize {
    c.execute(
        "return document.querySelectorAll(arguments[0]).length;",
        vec![json!(css)],
    )
    .await
    .ok()
    .and_then(|v| v.as_u64())
    .unwrap_or(0) as usize
}

/// The editor's main selection as (from, to) in UTF-16 positions.
async fn selection(c: &Client) -> Option<(u64, u64)> {
    let v = c
        .execute(
            "const el = document.querySelector(\"[data-testid='editor'] .cm-content\");\
             const view = el && ((el.cmView && el.cmView.view) || (el.cmTile && el.cmTile.root && el.cmTile.root.view));\
             if (!view) return null;\
             const s = view.state.selection.main; return [s.from, s.to];",
            vec![],
        )
        .await
        .ok()?;
    let a = v.as_array()?;
    Some((a.first()?.as_u64()?, a.get(1)?.as_u64()?))
}

async fn click_css(c: &Client, css: &str) {
    c.wait()
        .at_most(TIMEOUT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element {css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("could not click {css}: {e}"));
}

const FRONT_MATTER_ITEM: &str =
    "[data-testid='finding-item'][data-code='doc.front_matter'][data-severity='error']";
/// The error underline on the second line (the broken `title:`); other checks may mark
/// other lines.
const ERROR_MARKER: &str =
    "[data-testid='editor'] .cm-content > .cm-line:nth-child(2) .cm-lintRange-error";

async fn run(app: &App) {
    let c = &app.client;
    wait_until(c, "the demo workspace's name", || async {
        text(c, "workspace-name")
            .await
            .filter(|t| t.contains("Wärmewerk Albtal"))
    })
    .await;
    let before = wait_until(c, "the demo documents", || async {
        let n = count(c, "doc-item").await;
        (n >= 1).then(|| n.to_string())
    })
    .await;

    // A new document.
    by_testid(c, "new-doc-button").await.click().await.unwrap();
    by_testid(c, "new-doc-title")
        .await
        .send_keys("E2E Prüfungen\u{E007}")
        .await
        .unwrap();
    wait_until(c, "the new document in the list", || async {
        let n = count(c, "doc-item").await;
        (n.to_string() != before).then_some(n.to_string())
    })
    .await;

    // Front matter whose YAML is broken: the quote after `title:` is never closed.
    let content = c
        .wait()
        .at_most(TIMEOUT)
        .for_element(Locator::Css("[data-testid='editor'] .cm-content"))
        .await
        .unwrap();
    content.click().await.unwrap();
    content
        .send_keys(&format!(
            "---{ENTER}title: \"Wärme{ENTER}---{ENTER}{ENTER}Die Wärmepumpe läuft leise."
        ))
        .await
        .unwrap();
    let typed = editor_text(c).await;
    assert!(
        typed.starts_with("---\ntitle: \"Wärme\n---\n"),
        "editor holds {typed:?}"
    );

    // A marker appears while typing, without opening anything.
    wait_until(c, "an error marker in the editor", || async {
        (count_css(c, ERROR_MARKER).await > 0).then_some(String::new())
    })
    .await;
    let gutter = count_css(c, "[data-testid='editor'] .cm-lint-marker-error").await;
    assert!(gutter > 0, "no error marker in the gutter");
    screenshot(c, "checks-1-marker").await;

    // The checks panel lists the finding.
    by_testid(c, "checks-button").await.click().await.unwrap();
    by_testid(c, "checks-panel").await;
    wait_until(c, "the front matter finding in the panel", || async {
        (count_css(c, FRONT_MATTER_ITEM).await == 1).then_some(String::new())
    })
    .await;
    screenshot(c, "checks-2-panel").await;

    // Clicking it selects the broken line (`title: "Wärme` starts at position 4).
    let end = selection(c).await.expect("the editor's selection");
    assert!(end.0 > 4, "the cursor should be after the front matter: {end:?}");
    click_css(c, FRONT_MATTER_ITEM).await;
    let selected = wait_until(c, "the selection to jump to the finding", || async {
        let (from, to) = selection(c).await?;
        (from == 4 && to == 4 + "title: \"Wärme".encode_utf16().count() as u64)
            .then(|| format!("{from}..{to}"))
    })
    .await;
    eprintln!("selected {selected}");
    screenshot(c, "checks-3-selected").await;

    // Ignore it here, with a reason: it leaves the panel and the editor, and is listed.
    click_css(c, &format!("{FRONT_MATTER_ITEM} ~ .actions [data-testid='finding-ignore-here']")).await;
    let reason = by_testid(c, "ignore-reason").await;
    reason.send_keys("Absichtlich kaputt (E2E)").await.unwrap();
    by_testid(c, "ignore-confirm").await.click().await.unwrap();
    wait_until(c, "the ignored finding to disappear", || async {
        (count_css(c, FRONT_MATTER_ITEM).await == 0 && count_css(c, ERROR_MARKER).await == 0)
            .then_some(String::new())
    })
    .await;
    by_testid(c, "ignored-toggle").await.click().await.unwrap();
    let ignored = wait_until(c, "the ignore in the list", || async {
        text(c, "ignored-item")
            .await
            .filter(|t| t.contains("doc.front_matter") && t.contains("Absichtlich kaputt"))
    })
    .await;
    eprintln!("ignored: {ignored}");
    screenshot(c, "checks-4-ignored").await;

    // Show it again.
    by_testid(c, "unignore").await.click().await.unwrap();
    wait_until(c, "the finding to come back", || async {
        (count_css(c, FRONT_MATTER_ITEM).await == 1 && count_css(c, ERROR_MARKER).await > 0)
            .then_some(String::new())
    })
    .await;

    // Fix the YAML: close the quote at the end of the selected line.
    click_css(c, FRONT_MATTER_ITEM).await;
    wait_until(c, "the selection on the finding again", || async {
        let (from, _) = selection(c).await?;
        (from == 4).then_some(String::new())
    })
    .await;
    let content = c
        .find(Locator::Css("[data-testid='editor'] .cm-content"))
        .await
        .unwrap();
    content.send_keys(&format!("{END}\"")).await.unwrap();
    let fixed = editor_text(c).await;
    assert!(
        fixed.starts_with("---\ntitle: \"Wärme\"\n---\n"),
        "editor holds {fixed:?}"
    );
    wait_until(c, "the marker to go away", || async {
        (count_css(c, ERROR_MARKER).await == 0 && count_css(c, FRONT_MATTER_ITEM).await == 0)
            .then_some(String::new())
    })
    .await;
    screenshot(c, "checks-5-fixed").await;
}
