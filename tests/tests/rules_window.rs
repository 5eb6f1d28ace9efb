//! The rule editor in the real app window: a sentence with a brand-voice finding gets a
//! warning marker; raising that rule to `error` in the rule editor turns the marker red;
//! turning the rule off removes it; invalid YAML is refused with its line number, shown
//! as a lint marker in the YAML editor, and nothing is written.
//!
//! Needs a display (`xvfb-run`), tauri-driver, WebKitWebDriver and the built app;
//! `scripts/test.sh` provides all of them.

use imprimatur_e2e::*;
use serde_json::json;

const RULE: &str = "WaermewerkAlbtal.Werbesprache";
const WORD: &str = "revolutionär";
const ESCAPE: &str = "\u{E00C}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_level_on_off_and_invalid_yaml_in_the_rule_editor() {
    let app = App::launch().await;
    run(&app).await;
    app.close("rules-final").await;
}

/// The lint class (`warning`, `error`, …) of the editor's marker on `word`, if any.
async fn marker_on(c: &Client, word: &str) -> Option<String> {
    let v = c
        .execute(
            "for (const el of document.querySelectorAll(\"[data-testid='editor'] [class*='cm-lintRange-']\")) {\
               if (!el.textContent.includes(arguments[0])) continue;\
               const m = [...el.classList].find((k) => k.startsWith('cm-lintRange-') && k !== 'cm-lintRange-active');\
               if (m) return m.slice('cm-lintRange-'.length);\
             }\
             return null;",
            vec![json!(word)],
        )
        .await
        .ok()?;
    v.as_str().map(str::to_owned)
}

/// A screenshot after the window has painted the newest state (WebKit's capture can lag
/// a frame behind the DOM the assertions just read).
async fn shot(c: &Client, name: &str) {
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    screenshot(c, name).await;
}

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

async fn css(c: &Client, css: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(TIMEOUT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element {css}: {e}"))
}

fn item(rule: &str) -> String {
    format!("[data-testid='rule-item'][data-code='{rule}']")
}

async fn effective(c: &Client, rule: &str) -> Option<String> {
    css(c, &item(rule))
        .await
        .attr("data-effective")
        .await
        .ok()?
}

/// Opens the rule editor from the top bar and waits for the listing.
async fn open_rules(c: &Client) {
    by_testid(c, "rules-button").await.click().await.unwrap();
    wait_until(c, "the rule listing", || async {
        (attr(c, "rules-panel", "data-loaded").await? == "true").then_some(String::new())
    })
    .await;
}

async fn close_rules_with_escape(c: &Client) {
    by_testid(c, "rules-search")
        .await
        .send_keys(ESCAPE)
        .await
        .unwrap();
    wait_until(c, "the rule editor to close", || async {
        (count(c, "rules-panel").await == 0).then_some(String::new())
    })
    .await;
}

async fn run(app: &App) {
    let c = &app.client;
    wait_until(c, "the demo workspace's name", || async {
        text(c, "workspace-name")
            .await
            .filter(|t| t.contains("Wärmewerk Albtal"))
    })
    .await;
    let rule_file = app
        .demo_workspace()
        .join("styleguides/WaermewerkAlbtal/Werbesprache.yml");
    let settings = app.demo_workspace().join("imprimatur.toml");
    let yaml_before = std::fs::read_to_string(&rule_file).unwrap();

    // A sentence with advertising speak: the brand pack marks it as a warning.
    let content = new_document(c, "E2E Regeln").await;
    content
        .send_keys(&format!("Unsere neue Wärmepumpe ist {WORD} leise."))
        .await
        .unwrap();
    wait_until(c, "a warning marker on the advertising word", || async {
        marker_on(c, WORD).await.filter(|m| m == "warning")
    })
    .await;
    shot(c, "rules-1-warning").await;

    // The rule editor lists the rule with its level; raise it to error.
    open_rules(c).await;
    by_testid(c, "rules-search")
        .await
        .send_keys("Werbesprache")
        .await
        .unwrap();
    // The search also finds rules whose message or YAML mentions the word.
    wait_until(c, "the rule in the filtered list", || async {
        let n = count(c, "rule-item").await;
        let ours = count_css(c, &item(RULE)).await;
        (ours == 1 && n < 5).then(|| n.to_string())
    })
    .await;
    assert_eq!(effective(c, RULE).await.as_deref(), Some("warning"));
    css(c, &format!("{} [data-testid='rule-level']", item(RULE)))
        .await
        .select_by_value("error")
        .await
        .unwrap();
    wait_until(c, "the rule at level error", || async {
        effective(c, RULE).await.filter(|e| e == "error")
    })
    .await;
    shot(c, "rules-2-level-error").await;
    let toml = std::fs::read_to_string(&settings).unwrap();
    assert!(
        toml.contains(&format!("\"{RULE}\" = \"error\"")),
        "imprimatur.toml:\n{toml}"
    );

    // Back in the editor, the marker is an error now.
    close_rules_with_escape(c).await;
    wait_until(c, "an error marker on the advertising word", || async {
        marker_on(c, WORD).await.filter(|m| m == "error")
    })
    .await;
    shot(c, "rules-3-marker-error").await;

    // Turned off, the marker goes away.
    open_rules(c).await;
    by_testid(c, "rules-search")
        .await
        .send_keys("Werbesprache")
        .await
        .unwrap();
    css(c, &format!("{} [data-testid='rule-toggle']", item(RULE)))
        .await
        .click()
        .await
        .unwrap();
    wait_until(c, "the rule off", || async {
        effective(c, RULE).await.filter(|e| e == "off")
    })
    .await;
    by_testid(c, "rules-close").await.click().await.unwrap();
    wait_until(c, "the marker to vanish", || async {
        (count(c, "rules-panel").await == 0 && marker_on(c, WORD).await.is_none())
            .then_some(String::new())
    })
    .await;
    // The rest of the sentence is still in the editor, only the finding is gone.
    assert!(editor_text(c).await.contains(WORD));
    shot(c, "rules-4-off").await;

    // Invalid YAML: refused with its line, marked in the YAML editor, nothing written.
    open_rules(c).await;
    by_testid(c, "rules-search")
        .await
        .send_keys("Werbesprache")
        .await
        .unwrap();
    css(c, &format!("{} [data-testid='rule-select']", item(RULE)))
        .await
        .click()
        .await
        .unwrap();
    wait_until(c, "the rule's YAML in the editor", || async {
        text(c, "rule-code").await.filter(|t| t == RULE)
    })
    .await;
    // As if pasted: the whole text replaced in the YAML editor's view.
    let broken =
        "extends: existence\nmessage: \"'%s'\"\nlevel: warning\ntokens:\n  - 'a'\n - 'b'\n";
    c.execute(
        "const el = document.querySelector(\"[data-testid='rule-yaml'] .cm-content\");\
         const view = el && ((el.cmTile && el.cmTile.root && el.cmTile.root.view) || (el.cmView && el.cmView.view));\
         view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: arguments[0] } });\
         return true;",
        vec![json!(broken)],
    )
    .await
    .unwrap();
    by_testid(c, "rule-dirty").await;
    by_testid(c, "rule-save").await.click().await.unwrap();
    let error = wait_until(c, "the save error", || async {
        text(c, "rule-save-error").await.filter(|t| !t.is_empty())
    })
    .await;
    assert!(
        error.contains("line 6"),
        "the refusal names the line: {error}"
    );
    let line = wait_until(c, "the problem's line", || async {
        attr(c, "rule-problem", "data-line").await
    })
    .await;
    assert_eq!(line, "6");
    let shown = text(c, "rule-problem").await.unwrap_or_default();
    assert!(
        shown.contains("Zeile 6") || shown.contains("Line 6"),
        "{shown}"
    );
    wait_until(c, "the lint marker on line 6 of the YAML", || async {
        (count_css(
            c,
            "[data-testid='rule-yaml'] .cm-content > .cm-line:nth-child(6) .cm-lintRange-error",
        )
        .await
            > 0)
        .then_some(String::new())
    })
    .await;
    shot(c, "rules-5-invalid-yaml").await;
    assert_eq!(std::fs::read_to_string(&rule_file).unwrap(), yaml_before);

    // Escape with unsaved changes asks first; discarding closes.
    by_testid(c, "rules-search")
        .await
        .send_keys(ESCAPE)
        .await
        .unwrap();
    by_testid(c, "rule-unsaved").await;
    shot(c, "rules-6-unsaved-guard").await;
    by_testid(c, "rule-unsaved-discard")
        .await
        .click()
        .await
        .unwrap();
    wait_until(c, "the rule editor to close", || async {
        (count(c, "rules-panel").await == 0).then_some(String::new())
    })
    .await;
    assert_eq!(std::fs::read_to_string(&rule_file).unwrap(), yaml_before);
}
