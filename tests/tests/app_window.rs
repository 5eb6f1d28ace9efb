//! The real app window, driven through tauri-driver and WebKitWebDriver under Xvfb.
//!
//! It starts the app as on a first start (empty config and data folders), so the app
//! opens the bundled demo workspace; then it creates a document, types, waits for the
//! autosave, opens the history, sees the diff and restores the first revision. At the
//! end it opens the same workspace with the core library and checks what the window
//! wrote: the revisions, the restored text and an intact audit chain.
//!
//! Needs: a display (run under `xvfb-run`), `tauri-driver`, `WebKitWebDriver`, and the
//! app built with the UI (`IMPRIMATUR_APP_BIN`, else the `imprimatur-app` next to this
//! test's target folder). `scripts/test.sh` provides all of them.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use imprimatur_workspace::Workspace;
use serde_json::json;

const TIMEOUT: Duration = Duration::from_secs(30);

/// tauri-driver, stopped with SIGTERM on drop: SIGKILL would orphan WebKitWebDriver.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn app_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("IMPRIMATUR_APP_BIN") {
        return PathBuf::from(p);
    }
    // target/debug/deps/app_window-xxxx -> target/debug/imprimatur-app
    let exe = std::env::current_exe().unwrap();
    exe.parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("imprimatur-app")
}

fn which(name: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn preflight() -> PathBuf {
    assert!(
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some(),
        "no display: run this test under `xvfb-run -a` (scripts/test.sh does)"
    );
    for tool in ["tauri-driver", "WebKitWebDriver"] {
        assert!(which(tool), "{tool} is not on PATH: run scripts/setup.sh");
    }
    let app = app_binary();
    assert!(
        app.is_file(),
        "{} does not exist: build it with `cargo build -p imprimatur-app` after `npm run build` in ui/",
        app.display()
    );
    app
}

async fn wait_until<F, Fut>(c: &Client, what: &str, mut f: F) -> String
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<String>>,
{
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        if Instant::now() > deadline {
            let page = c
                .execute(
                    "return document.body ? document.body.outerHTML : '(no body)'",
                    vec![],
                )
                .await
                .map(|v| {
                    v.as_str()
                        .unwrap_or_default()
                        .chars()
                        .take(4000)
                        .collect::<String>()
                })
                .unwrap_or_else(|e| format!("(page not readable: {e})"));
            screenshot(c, "timeout").await;
            panic!("timed out waiting for {what}; the page:\n{page}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

async fn attr(c: &Client, testid: &str, name: &str) -> Option<String> {
    let el = c
        .find(Locator::Css(&format!("[data-testid='{testid}']")))
        .await
        .ok()?;
    el.attr(name).await.ok().flatten()
}

/// The text of an element, found afresh each time (Svelte may have replaced it) and read
/// in the page, because WebKitWebDriver's visible-text atom answers empty in this window.
async fn text(c: &Client, testid: &str) -> Option<String> {
    let v = c
        .execute(
            "const el = document.querySelector(`[data-testid='${arguments[0]}']`); return el ? el.textContent : null;",
            vec![json!(testid)],
        )
        .await
        .ok()?;
    v.as_str().map(str::to_owned)
}

async fn count(c: &Client, testid: &str) -> usize {
    c.find_all(Locator::Css(&format!("[data-testid='{testid}']")))
        .await
        .map(|v| v.len())
        .unwrap_or(0)
}

async fn by_testid(c: &Client, testid: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(TIMEOUT)
        .for_element(Locator::Css(&format!("[data-testid='{testid}']")))
        .await
        .unwrap_or_else(|e| panic!("no element [data-testid={testid}]: {e}"))
}

/// Waits until the save status reports `saved` at revision `n`.
async fn saved_at(c: &Client, n: u32) {
    let want = n.to_string();
    wait_until(c, &format!("autosave of revision {n}"), || async {
        let state = attr(c, "save-status", "data-state").await?;
        let rev = attr(c, "save-status", "data-revision").await?;
        (state == "saved" && rev == want).then_some(rev)
    })
    .await;
}

async fn editor_text(c: &Client) -> String {
    let v = c
        .execute(
            "const el = document.querySelector(\"[data-testid='editor'] .cm-content\");\
             return el ? el.cmView ? el.cmView.view.state.doc.toString() : el.innerText : null;",
            vec![],
        )
        .await
        .unwrap();
    v.as_str().unwrap_or_default().to_string()
}

async fn screenshot(c: &Client, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts");
    let _ = std::fs::create_dir_all(&dir);
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(dir.join(format!("{name}.png")), png);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_autosave_history_diff_restore_in_the_real_window() {
    let app = preflight();
    let home = tempfile::tempdir().unwrap();
    let (config, data) = (home.path().join("config"), home.path().join("data"));
    let port = free_port();
    let native_port = free_port();
    let child = Command::new("tauri-driver")
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .env("XDG_CONFIG_HOME", &config)
        .env("XDG_DATA_HOME", &data)
        .env("IMPRIMATUR_AUTHOR", "e2e-editor")
        .env_remove("IMPRIMATUR_WORKSPACE")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start tauri-driver");
    let _driver = Driver(child);

    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("wry"));
    caps.insert(
        "tauri:options".into(),
        json!({ "application": app.display().to_string() }),
    );
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + TIMEOUT;
    let c = loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(c) => break c,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(e) => panic!("could not start a WebDriver session on {url}: {e}"),
        }
    };

    let result = run(&c, &data).await;
    screenshot(&c, "final").await;
    let _ = c.close().await;
    result
}

async fn run(c: &Client, data: &Path) {
    // First start: the demo workspace opens with its published articles.
    wait_until(c, "the demo workspace's name", || async {
        text(c, "workspace-name")
            .await
            .filter(|t| t.contains("Wärmewerk Albtal"))
    })
    .await;
    let demo_docs = wait_until(c, "the demo documents", || async {
        let n = count(c, "doc-item").await;
        (n >= 2).then(|| n.to_string())
    })
    .await;
    screenshot(c, "1-demo").await;

    // A new document.
    by_testid(c, "new-doc-button").await.click().await.unwrap();
    let title = by_testid(c, "new-doc-title").await;
    title.send_keys("E2E Testartikel\u{E007}").await.unwrap(); // \u{E007} is Enter
    wait_until(c, "the new document in the list", || async {
        let n = count(c, "doc-item").await;
        (n.to_string() != demo_docs).then_some(n.to_string())
    })
    .await;

    // Type, and let the autosave write revision 1.
    let content = c
        .wait()
        .at_most(TIMEOUT)
        .for_element(Locator::Css("[data-testid='editor'] .cm-content"))
        .await
        .unwrap();
    content.click().await.unwrap();
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
    let ws_dir = std::fs::read_dir(data)
        .unwrap()
        .flatten()
        .map(|e| e.path().join("demo"))
        .find(|p| p.join("imprimatur.toml").is_file())
        .expect("the demo workspace in the app's data folder");
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
