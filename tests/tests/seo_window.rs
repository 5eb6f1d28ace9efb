//! The SEO panel in the real app window, on the demo article "Wärmepumpe im Altbau": the
//! panel shows the keyphrase assessments with rating and measured value; setting another
//! keyphrase in the panel writes the front matter (one undoable change) and the panel
//! follows; editing the keyphrase in the front matter itself does too; clicking an
//! assessment selects its place in the editor; the SERP preview shows the SEO title on
//! desktop and mobile with the slug in its URL.
//!
//! Needs a display (`xvfb-run`), tauri-driver, WebKitWebDriver and the built app;
//! `scripts/test.sh` provides all of them.

use imprimatur_e2e::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seo_panel_follows_the_keyphrase_and_selects_places() {
    let app = App::launch().await;
    run(&app).await;
    app.close("seo-final").await;
}

const TITLE_ITEM: &str = "[data-testid='seo-assessment'][data-id='seo.keyphrase_in_title']";

/// An attribute of the first element matching `css`, read in the page.
async fn css_attr(c: &Client, css: &str, name: &str) -> Option<String> {
    c.execute(
        "const el = document.querySelector(arguments[0]); return el ? el.getAttribute(arguments[1]) : null;",
        vec![json!(css), json!(name)],
    )
    .await
    .ok()?
    .as_str()
    .map(str::to_owned)
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

/// Puts the editor's selection on `from..to` (UTF-16), as a mouse drag would, and focuses it.
async fn select_in_editor(c: &Client, from: usize, to: usize) {
    c.execute(
        "const el = document.querySelector(\"[data-testid='editor'] .cm-content\");\
         const view = (el.cmView && el.cmView.view) || (el.cmTile && el.cmTile.root && el.cmTile.root.view);\
         view.focus(); view.dispatch({ selection: { anchor: arguments[0], head: arguments[1] } });",
        vec![json!(from), json!(to)],
    )
    .await
    .unwrap();
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

/// Waits for a report of exactly the editor's current text, then returns the rating of
/// `seo.keyphrase_in_title` and the keyphrase count the panel shows.
async fn settled(c: &Client) -> (String, String) {
    wait_until(c, "an SEO report of the editor's text", || async {
        let len = editor_text(c).await.encode_utf16().count().to_string();
        let checked = attr(c, "seo-panel", "data-checked-length").await?;
        let stale = attr(c, "seo-panel", "data-stale").await?;
        let running = attr(c, "seo-panel", "data-running").await?;
        (checked == len && stale == "false" && running == "false").then_some(checked)
    })
    .await;
    let rating = css_attr(c, TITLE_ITEM, "data-rating")
        .await
        .expect("the keyphrase-in-title assessment");
    let count = attr(c, "seo-keyphrase-found", "data-count")
        .await
        .unwrap_or_default();
    (rating, count)
}

/// UTF-16 position of byte offset `byte` in `s`.
fn utf16_at(s: &str, byte: usize) -> usize {
    s[..byte].encode_utf16().count()
}

async fn run(app: &App) {
    let c = &app.client;
    wait_until(c, "the demo workspace's name", || async {
        text(c, "workspace-name")
            .await
            .filter(|t| t.contains("Wärmewerk Albtal"))
    })
    .await;

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
        let t = editor_text(c).await;
        t.contains("keyphrase: \"Wärmepumpe im Altbau\"")
            .then_some(String::new())
    })
    .await;

    // Open the SEO panel: the keyphrase stands at the start of the title.
    by_testid(c, "seo-button").await.click().await.unwrap();
    by_testid(c, "seo-panel").await;
    let (rating, count) = settled(c).await;
    assert_eq!(rating, "good", "keyphrase in title of the demo article");
    let found: u32 = count.parse().expect("keyphrase count");
    assert!(found >= 3, "the article uses its keyphrase: {found}");
    let density = css_attr(
        c,
        "[data-testid='seo-assessment'][data-id='seo.keyphrase_density']",
        "data-value",
    )
    .await
    .and_then(|v| v.parse::<f64>().ok())
    .expect("a measured keyphrase density");
    assert!(density > 0.0, "density {density}");
    let value_text = c
        .execute(
            "const el = document.querySelector(\"[data-testid='seo-assessment'][data-id='seo.keyphrase_density'] [data-testid='seo-assessment-value']\");\
             return el ? el.textContent : null;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        value_text.as_str().is_some_and(|v| v.contains('%')),
        "the density is shown with its unit: {value_text:?}"
    );
    assert_eq!(
        attr(c, "seo-panel", "data-lang").await.as_deref(),
        Some("de")
    );
    assert_eq!(count_scores(c).await, 2, "SEO and readability totals");
    screenshot(c, "seo-1-panel").await;

    // The SERP preview shows the SEO title and the slug, on desktop and on mobile.
    let serp_title = text(c, "serp-title").await.unwrap_or_default();
    assert!(
        serp_title.contains("Wärmepumpe im Altbau"),
        "preview title: {serp_title:?}"
    );
    let url = text(c, "serp-url").await.unwrap_or_default();
    assert!(
        url.contains("waermepumpe-im-altbau"),
        "preview URL: {url:?}"
    );
    click_css(c, "[data-testid='serp-device'][data-device='mobile']").await;
    wait_until(c, "the mobile preview", || async {
        attr(c, "serp-preview", "data-device")
            .await
            .filter(|d| d == "mobile")
    })
    .await;
    let mobile_title = text(c, "serp-title").await.unwrap_or_default();
    assert!(mobile_title.contains("Wärmepumpe im Altbau"));
    // The demo's 149-character description fits on desktop, not on mobile.
    assert_eq!(
        attr(c, "serp-description", "data-truncated")
            .await
            .as_deref(),
        Some("true")
    );
    let mobile_description = text(c, "serp-description").await.unwrap_or_default();
    assert!(
        mobile_description.trim_end().ends_with('…'),
        "{mobile_description:?}"
    );
    screenshot(c, "seo-2-serp-mobile").await;
    click_css(c, "[data-testid='serp-device'][data-device='desktop']").await;
    assert_eq!(
        attr(c, "serp-description", "data-truncated")
            .await
            .as_deref(),
        Some("false")
    );

    // Another keyphrase, set in the panel: it is not in the title, so the light turns.
    let input = by_testid(c, "seo-keyphrase-input").await;
    input.clear().await.unwrap();
    input.send_keys("Heizkörper tauschen").await.unwrap();
    let set_at = std::time::Instant::now();
    by_testid(c, "seo-keyphrase-apply")
        .await
        .click()
        .await
        .unwrap();
    wait_until(c, "the new keyphrase in the front matter", || async {
        editor_text(c)
            .await
            .contains("\nkeyphrase: Heizkörper tauschen\n")
            .then_some(String::new())
    })
    .await;
    let (rating, count) = settled(c).await;
    // Includes the 400 ms pause the panel waits for before analysing.
    eprintln!(
        "keyphrase set in the panel -> panel updated: {} ms",
        set_at.elapsed().as_millis()
    );
    assert_eq!(rating, "bad", "the new keyphrase is not in the title");
    assert_ne!(count, found.to_string(), "the keyphrase count follows");
    screenshot(c, "seo-3-keyphrase-set").await;

    // One change: a single undo brings the old keyphrase (and the green light) back.
    select_in_editor(c, 0, 0).await;
    c.active_element()
        .await
        .unwrap()
        .send_keys("\u{E009}z\u{E000}")
        .await
        .unwrap();
    wait_until(c, "the old keyphrase after one undo", || async {
        editor_text(c)
            .await
            .contains("\nkeyphrase: \"Wärmepumpe im Altbau\"\n")
            .then_some(String::new())
    })
    .await;
    let (rating, _) = settled(c).await;
    assert_eq!(rating, "good");
    let field = by_testid(c, "seo-keyphrase-input")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(
        field, "Wärmepumpe im Altbau",
        "the field follows the document"
    );

    // The keyphrase edited in the front matter itself: the panel follows as well.
    let t = editor_text(c).await;
    let start = t.find("\"Wärmepumpe im Altbau\"\n").unwrap();
    let end = start + "\"Wärmepumpe im Altbau\"".len();
    select_in_editor(c, utf16_at(&t, start), utf16_at(&t, end)).await;
    c.active_element()
        .await
        .unwrap()
        .send_keys("Vorlauftemperatur")
        .await
        .unwrap();
    wait_until(c, "the typed keyphrase", || async {
        editor_text(c)
            .await
            .contains("\nkeyphrase: Vorlauftemperatur\n")
            .then_some(String::new())
    })
    .await;
    let (rating, count) = settled(c).await;
    assert_eq!(rating, "bad", "Vorlauftemperatur is not in the title");
    assert!(
        count.parse::<u32>().unwrap_or(0) >= 3,
        "the article talks about Vorlauftemperatur: {count}"
    );
    wait_until(c, "the field to show the typed keyphrase", || async {
        let v = by_testid(c, "seo-keyphrase-input")
            .await
            .prop("value")
            .await
            .ok()??;
        (v == "Vorlauftemperatur").then_some(v)
    })
    .await;

    // Clicking the assessment selects its place: the title in the front matter.
    click_css(c, &format!("{TITLE_ITEM} button")).await;
    let t = editor_text(c).await;
    let value = t.find("\ntitle: ").unwrap() + "\ntitle: ".len();
    let line_end = value + t[value..].find('\n').unwrap();
    let want = (utf16_at(&t, value) as u64, utf16_at(&t, line_end) as u64);
    let got = wait_until(c, "the selection on the title line", || async {
        let s = selection(c).await?;
        (s == want).then(|| format!("{s:?}"))
    })
    .await;
    eprintln!("title place selected: {got}");

    // And a readability item with a place in the body selects text there.
    let body_start = t.find("\n---\n").unwrap() + 5;
    let clicked = c
        .execute(
            "const item = [...document.querySelectorAll(\"[data-testid='seo-group'][data-group='readability'] [data-testid='seo-assessment']\")]\
               .find((el) => Number(el.dataset.places) > 0);\
             if (!item) return null; item.querySelector('button').click(); return item.dataset.id;",
            vec![],
        )
        .await
        .unwrap();
    let id = clicked
        .as_str()
        .expect("a readability assessment with places")
        .to_string();
    wait_until(c, &format!("the selection of {id}'s place"), || async {
        let (from, to) = selection(c).await?;
        (from as usize >= utf16_at(&t, body_start) && to > from).then(|| format!("{from}..{to}"))
    })
    .await;
    screenshot(c, "seo-4-place-selected").await;

    // The explanations follow the UI's language (the analysis stays German).
    click_css(c, ".locale-button[lang='de']").await;
    wait_until(c, "the German explanation", || async {
        let v = c
            .execute(
                "const el = document.querySelector(arguments[0]); return el ? el.textContent : null;",
                vec![json!(format!("{TITLE_ITEM} .message"))],
            )
            .await
            .ok()?;
        v.as_str()
            .filter(|m| m.starts_with("Keyphrase im SEO-Titel"))
            .map(str::to_owned)
    })
    .await;
    assert_eq!(
        attr(c, "seo-panel", "data-lang").await.as_deref(),
        Some("de")
    );
    screenshot(c, "seo-5-german-ui").await;
}

async fn count_scores(c: &Client) -> usize {
    count(c, "seo-score").await
}
