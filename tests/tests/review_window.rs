//! Four eyes in the real window: an editor submits, a second person (a second key in the
//! OS keychain) comments and requests changes, the comment stays on its text through the
//! editor's next edit, the reviewer approves, and the editor publishes and gets the
//! evidence pack, which `imprimatur evidence verify` accepts (and rejects once altered).
//!
//! Both members are created in the app's members screen, which puts their key pairs
//! into the keychain; switching person proves the key by signing a challenge. So this
//! test needs a Secret Service: `scripts/test.sh` runs it under `scripts/with-keyring.sh`
//! (a private D-Bus session with a throwaway GNOME Keyring). Anywhere else it says it was
//! skipped, so a plain `cargo test --workspace` never writes into a real keychain.

use std::path::{Path, PathBuf};
use std::process::Command;

use imprimatur_e2e::*;
use serde_json::json;

const ARTICLE: &str = "---
title: \"Leise Wärmepumpen\"
description: \"Wie leise eine Wärmepumpe im Garten ist und worauf es beim Aufstellen ankommt.\"
keyphrase: leise Wärmepumpe
lang: de
---

# Leise Wärmepumpen

Eine moderne Wärmepumpe ist im Garten kaum zu hören. Ein guter Abstand zum Nachbarn hilft zusätzlich.
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editor_submits_reviewer_approves_editor_publishes_the_evidence_pack() {
    if std::env::var_os("IMPRIMATUR_KEYRING_DIR").is_none() {
        println!("SKIPPED: needs the private keychain of scripts/with-keyring.sh (it creates two members' keys); scripts/test.sh runs it there");
        return;
    }
    let app = App::launch().await;
    let out = tempfile::tempdir().unwrap();
    run(&app, out.path()).await;
    app.close("review-final").await;
}

async fn run(app: &App, out: &Path) {
    let c = &app.client;
    wait_until(c, "the demo documents", || async {
        (count(c, "doc-item").await >= 2).then(String::new)
    })
    .await;

    // The first member registers themself (and becomes admin), then proves their key.
    add_member(c, "eva", "Eva Editor", &[]).await;
    unlock(c, "eva").await;
    // As admin, Eva adds the reviewer; the app creates Rita's key in this keychain.
    add_member(c, "rita", "Rita Reviewer", &["reviewer", "editor"]).await;
    screenshot(c, "review-1-members").await;

    // Eva writes an article with a complete brief.
    new_document(c, "Freigabe im Fenster").await;
    set_editor_text(c, ARTICLE).await;
    saved_at(c, 1).await;
    wait_path(c, "review").await;
    assert_eq!(
        attr(c, "path-blocker", "data-key").await.as_deref(),
        Some("path_not_submitted"),
        "the guided path names the missing submission"
    );

    // The blocker takes her to the review panel, where she submits.
    by_testid(c, "path-blocker").await.click().await.unwrap();
    by_testid(c, "review-panel").await;
    press(c, "review-submit").await;
    wait_state(c, "in_review").await;
    screenshot(c, "review-2-submitted").await;

    // Rita proves her key, comments on a phrase and requests changes.
    unlock(c, "rita").await;
    select_in_editor(c, "kaum zu hören").await;
    by_testid(c, "review-comment-body")
        .await
        .send_keys("Bitte mit einem Messwert belegen.")
        .await
        .unwrap();
    press(c, "review-comment-add").await;
    wait_until(c, "the comment in the panel and in the text", || async {
        (count(c, "review-comment").await == 1
            && marked_text(c).await.as_deref() == Some("kaum zu hören"))
        .then(String::new)
    })
    .await;
    press(c, "review-request-changes").await;
    wait_state(c, "changes_requested").await;

    // Eva edits before the commented phrase: the mark moves with its text, and the
    // new revision is a draft again.
    unlock(c, "eva").await;
    insert_before(
        c,
        "Eine moderne",
        "Laut Hersteller liegt der Schall bei 35 dB(A). ",
    )
    .await;
    saved_at(c, 2).await;
    wait_until(
        c,
        "the comment still on its phrase after the edit",
        || async { (marked_text(c).await.as_deref() == Some("kaum zu hören")).then(String::new) },
    )
    .await;
    wait_state(c, "draft").await;
    press(c, "review-submit").await;
    wait_state(c, "in_review").await;

    // Rita approves revision 2; the path moves on to publishing.
    unlock(c, "rita").await;
    by_testid(c, "review-decision-comment")
        .await
        .send_keys("Passt so.")
        .await
        .unwrap();
    press(c, "review-approve").await;
    wait_state(c, "approved").await;
    wait_path(c, "published").await;
    screenshot(c, "review-3-approved").await;

    // Eva publishes: Markdown, HTML and the evidence pack.
    unlock(c, "eva").await;
    by_testid(c, "review-publish-dir")
        .await
        .send_keys(&out.display().to_string())
        .await
        .unwrap();
    press(c, "review-publish").await;
    wait_state(c, "published").await;
    wait_until(c, "the publication listed", || async {
        (count(c, "review-publication").await == 1).then(String::new)
    })
    .await;
    screenshot(c, "review-4-published").await;

    let pack = file_ending(out, ".evidence.json");
    assert!(file_ending_opt(out, ".md").is_some() && file_ending_opt(out, ".html").is_some());
    let cli = app_binary().with_file_name("imprimatur");
    let ok = Command::new(&cli)
        .args(["evidence", "verify"])
        .arg(&pack)
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", cli.display()));
    let said =
        String::from_utf8_lossy(&ok.stdout).to_string() + &String::from_utf8_lossy(&ok.stderr);
    assert!(
        ok.status.success(),
        "evidence verify refused the app's pack: {said}"
    );
    assert!(
        said.contains("rita"),
        "the summary names the approver: {said}"
    );

    // The same pack with one word of the published text changed is refused.
    let tampered = out.join("tampered.evidence.json");
    let bytes = std::fs::read_to_string(&pack).unwrap();
    assert!(
        bytes.contains("kaum zu hören"),
        "the pack holds the revisions"
    );
    std::fs::write(
        &tampered,
        bytes.replace("kaum zu hören", "gar nicht zu hören"),
    )
    .unwrap();
    let bad = Command::new(&cli)
        .args(["evidence", "verify"])
        .arg(&tampered)
        .output()
        .unwrap();
    assert!(!bad.status.success(), "a tampered pack must be refused");
}

async fn add_member(c: &Client, id: &str, name: &str, roles: &[&str]) {
    by_testid(c, "identity-current")
        .await
        .click()
        .await
        .unwrap();
    by_testid(c, "members-open").await.click().await.unwrap();
    by_testid(c, "members-dialog").await;
    let before = count(c, "member-row").await;
    by_testid(c, "member-id").await.send_keys(id).await.unwrap();
    by_testid(c, "member-name")
        .await
        .send_keys(name)
        .await
        .unwrap();
    if !roles.is_empty() {
        // The form starts with "editor" ticked: make it exactly `roles`.
        for role in ["editor", "reviewer", "brand_manager", "admin"] {
            let el = by_testid(c, &format!("new-member-role-{role}")).await;
            let ticked = el.prop("checked").await.unwrap().as_deref() == Some("true");
            if ticked != roles.contains(&role) {
                el.click().await.unwrap();
            }
        }
    }
    by_testid(c, "member-add").await.click().await.unwrap();
    wait_until(c, &format!("member {id} in the list"), || async {
        (count(c, "member-row").await == before + 1).then(String::new)
    })
    .await;
    by_testid(c, "members-close").await.click().await.unwrap();
}

async fn unlock(c: &Client, member: &str) {
    by_testid(c, "identity-current")
        .await
        .click()
        .await
        .unwrap();
    by_testid(c, "identity-select")
        .await
        .select_by_value(member)
        .await
        .unwrap();
    by_testid(c, "identity-unlock").await.click().await.unwrap();
    wait_until(c, &format!("acting as {member}"), || async {
        (attr(c, "identity-current", "data-member").await.as_deref() == Some(member))
            .then(String::new)
    })
    .await;
    // The review panel follows the person (who may approve what).
    if count(c, "review-panel").await == 0 && count(c, "review-toggle").await == 1 {
        by_testid(c, "review-toggle").await.click().await.unwrap();
    }
}

/// Clicks a button of the review panel, scrolled to the middle of the panel first, so the
/// notices in the window's bottom corner do not cover it.
async fn press(c: &Client, testid: &str) {
    let el = by_testid(c, testid).await;
    c.execute(
        "arguments[0].scrollIntoView({block: 'center'}); return true;",
        vec![serde_json::to_value(&el).unwrap()],
    )
    .await
    .unwrap();
    el.click().await.unwrap();
}

async fn wait_state(c: &Client, state: &str) {
    wait_until(c, &format!("review state {state}"), || async {
        (attr(c, "review-state", "data-state").await.as_deref() == Some(state)).then(String::new)
    })
    .await;
}

async fn wait_path(c: &Client, step: &str) {
    wait_until(c, &format!("the guided path at {step}"), || async {
        (attr(c, "guided-path", "data-current").await.as_deref() == Some(step)).then(String::new)
    })
    .await;
}

const VIEW: &str = "const el = document.querySelector(\"[data-testid='editor'] .cm-content\");\
     const view = el && ((el.cmTile && el.cmTile.root && el.cmTile.root.view) || (el.cmView && el.cmView.view));";

/// Replaces the editor's text as typing would (one change the autosave picks up).
async fn set_editor_text(c: &Client, text: &str) {
    c.execute(
        &format!("{VIEW} view.dispatch({{changes: {{from: 0, to: view.state.doc.length, insert: arguments[0]}}, userEvent: 'input'}}); return true;"),
        vec![json!(text)],
    )
    .await
    .unwrap();
}

async fn insert_before(c: &Client, anchor: &str, insert: &str) {
    c.execute(
        &format!("{VIEW} const at = view.state.doc.toString().indexOf(arguments[0]); if (at < 0) throw new Error('no anchor'); view.dispatch({{changes: {{from: at, insert: arguments[1]}}, userEvent: 'input'}}); return true;"),
        vec![json!(anchor), json!(insert)],
    )
    .await
    .unwrap();
}

async fn select_in_editor(c: &Client, phrase: &str) {
    c.execute(
        &format!("{VIEW} const at = view.state.doc.toString().indexOf(arguments[0]); if (at < 0) throw new Error('no phrase'); view.dispatch({{selection: {{anchor: at, head: at + arguments[0].length}}}}); return true;"),
        vec![json!(phrase)],
    )
    .await
    .unwrap();
}

/// The text under the comment marks in the editor.
async fn marked_text(c: &Client) -> Option<String> {
    let v = c
        .execute(
            "const marks = document.querySelectorAll(\"[data-testid='editor'] [data-testid='comment-mark']\");\
             return marks.length ? Array.from(marks).map((m) => m.textContent).join('') : null;",
            vec![],
        )
        .await
        .ok()?;
    v.as_str().map(str::to_owned)
}

fn file_ending_opt(dir: &Path, suffix: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.to_string_lossy().ends_with(suffix) && !p.to_string_lossy().contains("tampered")
        })
}

fn file_ending(dir: &Path, suffix: &str) -> PathBuf {
    file_ending_opt(dir, suffix).unwrap_or_else(|| panic!("no *{suffix} in {}", dir.display()))
}
