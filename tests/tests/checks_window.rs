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
    // A new document, open in the editor.
    let content = new_document(c, "E2E Prüfungen").await;
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
    assert!(
        end.0 > 4,
        "the cursor should be after the front matter: {end:?}"
    );
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
    click_css(
        c,
        &format!("{FRONT_MATTER_ITEM} ~ .actions [data-testid='finding-ignore-here']"),
    )
    .await;
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

/// A 10 MB paste: the editor keeps taking keys while the text is checked, the top bar
/// says "checking…", and the check of the final text arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ten_megabyte_paste_keeps_the_editor_responsive() {
    let app = App::launch().await;
    huge(&app).await;
    app.close("checks-huge-final").await;
}

const VIEW_JS: &str = "const el = document.querySelector(\"[data-testid='editor'] .cm-content\");\
     const view = el && ((el.cmView && el.cmView.view) || (el.cmTile && el.cmTile.root && el.cmTile.root.view));";

async fn js_f64(c: &Client, script: &str) -> f64 {
    c.execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
        .as_f64()
        .unwrap_or(f64::NAN)
}

async fn huge(app: &App) {
    let c = &app.client;
    let content = new_document(c, "E2E Riesentext").await;
    by_testid(c, "checks-button").await.click().await.unwrap();
    by_testid(c, "checks-panel").await;

    // Frame gaps from now on: the longest time the page could not paint.
    c.execute(
        "window.__gap = 0; let last = performance.now();\
         const tick = (t) => { window.__gap = Math.max(window.__gap, t - last); last = t; requestAnimationFrame(tick); };\
         requestAnimationFrame(tick); return true;",
        vec![],
    )
    .await
    .unwrap();

    // Paste ~10 MB of German text with umlauts, € and emoji, without blank lines: for
    // Markdown one huge paragraph, the worst case for the parser.
    let paste_ms = js_f64(
        c,
        &format!(
            "{VIEW_JS} const line = 'Die Wärmepumpe läuft leise und spart im Jahr rund 1.200 € Heizkosten 🔥. ';\
             const para = new Array(12).fill(line).join('') + '\\n';\
             const big = new Array(Math.ceil(10e6 / para.length)).fill(para).join('');\
             const t0 = performance.now();\
             const at = view.state.doc.length;\
             view.dispatch({{ changes: {{ from: at, insert: big }}, selection: {{ anchor: at + big.length }}, scrollIntoView: true, userEvent: 'input.paste' }});\
             return performance.now() - t0;"
        ),
    )
    .await;
    let length = js_f64(c, &format!("{VIEW_JS} return view.state.doc.length;")).await;
    assert!(length > 9e6, "pasted {length} characters");

    // What one keystroke costs in the page: the editor's update and its listeners
    // (autosave and check queues), in a 10 MB document.
    let key_ms = js_f64(
        c,
        &format!(
            "{VIEW_JS} let worst = 0;\
             for (let i = 0; i < 5; i++) {{ const t0 = performance.now();\
               view.dispatch({{ changes: {{ from: 10 + i, insert: 'x' }}, userEvent: 'input.type' }});\
               worst = Math.max(worst, performance.now() - t0); }}\
             view.dispatch({{ changes: {{ from: 10, to: 15 }}, userEvent: 'delete' }});\
             return worst;"
        ),
    )
    .await;

    // Typing right after the paste: each key lands at once.
    let length = js_f64(c, &format!("{VIEW_JS} return view.state.doc.length;")).await;
    let started = std::time::Instant::now();
    content.send_keys(" Ende.").await.unwrap();
    let mut tail = String::new();
    let typed_deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::time::Instant::now() < typed_deadline {
        tail = c
            .execute(
                &format!(
                    "{VIEW_JS} const d = view.state; return JSON.stringify([d.doc.length, d.doc.toString().indexOf(' Ende.')]);"
                ),
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        // WebDriver puts the caret at the end of the rendered lines, not of the document.
        let v: Vec<f64> = serde_json::from_str(&tail).unwrap_or_default();
        if v.len() == 2 && v[0] >= length + 6.0 && v[1] >= 0.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    let typing = started.elapsed();
    let v: Vec<f64> = serde_json::from_str(&tail).unwrap_or_default();
    assert!(
        v.len() == 2 && v[0] >= length + 6.0 && v[1] >= 0.0,
        "the typed keys did not land: [length, position] = {tail}, length before {length}"
    );

    // "checking…" shows while the huge text is checked, and the report for it arrives.
    wait_until(c, "the checking indicator", || async {
        (count(c, "checks-running").await > 0).then_some(String::new())
    })
    .await;
    screenshot(c, "checks-huge-running").await;
    let checked_started = std::time::Instant::now();
    let final_len = js_f64(c, &format!("{VIEW_JS} return view.state.doc.length;")).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let checked = attr(c, "checks-panel", "data-checked-length")
            .await
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(-1.0);
        let running = attr(c, "checks-panel", "data-running").await;
        if checked == final_len && running.as_deref() == Some("false") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no report for the huge text after 120 s (checked length {checked}, want {final_len})"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let check_time = checked_started.elapsed();
    let gap = js_f64(c, "return window.__gap;").await;
    eprintln!(
        "10 MB paste: dispatch {paste_ms:.0} ms, one keystroke at most {key_ms:.0} ms, \
         6 keys through WebDriver {typing:?}, check done {check_time:?} after the indicator, \
         longest frame gap {gap:.0} ms"
    );
    screenshot(c, "checks-huge-done").await;
    // Shared CI machines are slow; this only catches a frozen window.
    assert!(gap < 10_000.0, "the window froze for {gap:.0} ms");
    assert!(
        key_ms < 1000.0,
        "a keystroke took {key_ms:.0} ms in a 10 MB text"
    );
}

/// A style finding with a fix: the fix replaces exactly the finding's text (after an
/// umlaut and a euro sign, so byte and UTF-16 offsets differ), and one undo takes it back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quick_fix_is_one_undoable_change() {
    let app = App::launch().await;
    quick_fix(&app).await;
    app.close("checks-fix-final").await;
}

/// The editor's document, read from its state (the harness's `editor_text` falls back
/// to `innerText`, which ends with a newline, since CodeMirror now keeps its view on
/// `cmTile`).
async fn doc_text(c: &Client) -> String {
    c.execute(
        &format!("{VIEW_JS} return view ? view.state.doc.toString() : null;"),
        vec![],
    )
    .await
    .ok()
    .and_then(|v| v.as_str().map(str::to_owned))
    .unwrap_or_default()
}

async fn quick_fix(app: &App) {
    let c = &app.client;
    let content = new_document(c, "E2E Korrektur").await;
    let text = "Über 5 € im Monat spart die Wärme-Pumpe.";
    content.send_keys(text).await.unwrap();
    by_testid(c, "checks-button").await.click().await.unwrap();
    by_testid(c, "checks-panel").await;
    let code = wait_until(c, "a finding with a fix", || async {
        let v = c
            .execute(
                "const fix = document.querySelector(\"[data-testid='finding-fix']\");\
                 const item = fix && fix.closest('li').querySelector(\"[data-testid='finding-item']\");\
                 return item ? item.dataset.code + ' | ' + fix.textContent : null;",
                vec![],
            )
            .await
            .ok()?;
        v.as_str().map(str::to_owned)
    })
    .await;
    eprintln!("fix offered: {code}");
    screenshot(c, "checks-fix-1-offered").await;
    by_testid(c, "finding-fix").await.click().await.unwrap();
    let fixed = wait_until(c, "the fixed text", || async {
        let t = doc_text(c).await;
        (t != text).then_some(t)
    })
    .await;
    assert_eq!(fixed, "Über 5 € im Monat spart die Wärmepumpe.");
    screenshot(c, "checks-fix-2-applied").await;

    // One undo restores the text as typed.
    c.find(Locator::Css("[data-testid='editor'] .cm-content"))
        .await
        .unwrap()
        .send_keys("\u{E009}z\u{E000}")
        .await
        .unwrap();
    let undone = wait_until(c, "the undo of the fix", || async {
        let t = doc_text(c).await;
        (t == text).then_some(t)
    })
    .await;
    assert_eq!(undone, text);
}
