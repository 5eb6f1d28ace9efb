//! The harness for end-to-end tests of the real app window: tauri-driver and
//! WebKitWebDriver under Xvfb, driven with fantoccini. Each test file in `tests/` starts
//! the app with [`App::launch`] and talks to it through these helpers.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::ClientBuilder;
pub use fantoccini::{Client, Locator};
use serde_json::json;

pub const TIMEOUT: Duration = Duration::from_secs(30);

/// tauri-driver, stopped with SIGTERM on drop: SIGKILL would orphan WebKitWebDriver.
pub struct Driver(Child);

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

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn app_binary() -> PathBuf {
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

pub fn which(name: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

pub fn preflight() -> PathBuf {
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

pub async fn wait_until<F, Fut>(c: &Client, what: &str, mut f: F) -> String
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

/// Waits up to `limit` until the script `js` answers a string (it returns null while
/// not ready): for waits longer than [`wait_until`]'s, such as model runs.
pub async fn until_js(c: &Client, what: &str, limit: Duration, js: &str) -> String {
    let deadline = Instant::now() + limit;
    loop {
        if let Ok(v) = c.execute(js, vec![]).await {
            if let Some(s) = v.as_str() {
                return s.to_owned();
            }
        }
        if Instant::now() > deadline {
            screenshot(c, "until-js-timeout").await;
            panic!("timed out after {limit:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub async fn attr(c: &Client, testid: &str, name: &str) -> Option<String> {
    let el = c
        .find(Locator::Css(&format!("[data-testid='{testid}']")))
        .await
        .ok()?;
    el.attr(name).await.ok().flatten()
}

/// The text of an element, found afresh each time (Svelte may have replaced it) and read
/// in the page, because WebKitWebDriver's visible-text atom answers empty in this window.
pub async fn text(c: &Client, testid: &str) -> Option<String> {
    let v = c
        .execute(
            "const el = document.querySelector(`[data-testid='${arguments[0]}']`); return el ? el.textContent : null;",
            vec![json!(testid)],
        )
        .await
        .ok()?;
    v.as_str().map(str::to_owned)
}

pub async fn count(c: &Client, testid: &str) -> usize {
    c.find_all(Locator::Css(&format!("[data-testid='{testid}']")))
        .await
        .map(|v| v.len())
        .unwrap_or(0)
}

pub async fn by_testid(c: &Client, testid: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(TIMEOUT)
        .for_element(Locator::Css(&format!("[data-testid='{testid}']")))
        .await
        .unwrap_or_else(|e| panic!("no element [data-testid={testid}]: {e}"))
}

/// Waits until the save status reports `saved` at revision `n`.
pub async fn saved_at(c: &Client, n: u32) {
    let want = n.to_string();
    wait_until(c, &format!("autosave of revision {n}"), || async {
        let state = attr(c, "save-status", "data-state").await?;
        let rev = attr(c, "save-status", "data-revision").await?;
        (state == "saved" && rev == want).then_some(rev)
    })
    .await;
}

pub async fn editor_text(c: &Client) -> String {
    let v = c
        .execute(
            "const el = document.querySelector(\"[data-testid='editor'] .cm-content\");\
             const view = el && ((el.cmTile && el.cmTile.root && el.cmTile.root.view) || (el.cmView && el.cmView.view));\
             return view ? view.state.doc.toString() : null;",
            vec![],
        )
        .await
        .unwrap();
    // The editor's document itself, not its rendered lines: innerText would miss lines
    // outside the viewport, so a missing view is an error rather than a fallback.
    v.as_str()
        .expect("the CodeMirror view of [data-testid='editor']")
        .to_string()
}

/// Creates a document titled `title` through the sidebar, waits until the list shows it,
/// and returns the editor's content element, clicked so that typing goes there.
pub async fn new_document(c: &Client, title: &str) -> fantoccini::elements::Element {
    let before = wait_until(c, "the document list", || async {
        let n = count(c, "doc-item").await;
        (n >= 1).then(|| n.to_string())
    })
    .await;
    by_testid(c, "new-doc-button").await.click().await.unwrap();
    by_testid(c, "new-doc-title")
        .await
        .send_keys(&format!("{title}\u{E007}")) // \u{E007} is Enter
        .await
        .unwrap();
    wait_until(c, "the new document in the list", || async {
        let n = count(c, "doc-item").await;
        (n.to_string() != before).then(|| n.to_string())
    })
    .await;
    let content = c
        .wait()
        .at_most(TIMEOUT)
        .for_element(Locator::Css("[data-testid='editor'] .cm-content"))
        .await
        .unwrap();
    content.click().await.unwrap();
    content
}

pub async fn screenshot(c: &Client, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts");
    let _ = std::fs::create_dir_all(&dir);
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(dir.join(format!("{name}.png")), png);
    }
}

/// One app window at a time: tests in one binary run on parallel threads, and several
/// WebKit windows at once on a 2-core machine make timeouts flaky.
static ONE_WINDOW: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A running app with a fresh, empty config and data folder, as on a first start.
pub struct App {
    pub client: Client,
    home: tempfile::TempDir,
    _driver: Driver,
    // Dropped last, after the driver has stopped the window.
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl App {
    pub async fn launch() -> App {
        let turn = ONE_WINDOW.lock().await;
        let app = preflight();
        let home = tempfile::tempdir().unwrap();
        let port = free_port();
        let native_port = free_port();
        let child = Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("IMPRIMATUR_AUTHOR", "e2e-editor")
            .env_remove("IMPRIMATUR_WORKSPACE")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start tauri-driver");
        let driver = Driver(child);

        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({ "application": app.display().to_string() }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + TIMEOUT;
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => break c,
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(e) => panic!("could not start a WebDriver session on {url}: {e}"),
            }
        };
        App {
            client,
            home,
            _driver: driver,
            _turn: turn,
        }
    }

    /// The app's data folder (XDG_DATA_HOME), where the demo workspace is created.
    pub fn data_dir(&self) -> PathBuf {
        self.home.path().join("data")
    }

    /// The demo workspace the app created on its first start.
    pub fn demo_workspace(&self) -> PathBuf {
        std::fs::read_dir(self.data_dir())
            .unwrap()
            .flatten()
            .map(|e| e.path().join("demo"))
            .find(|p| p.join("imprimatur.toml").is_file())
            .expect("the demo workspace in the app's data folder")
    }

    /// Takes a last screenshot and ends the WebDriver session.
    pub async fn close(self, name: &str) {
        screenshot(&self.client, name).await;
        let _ = self.client.clone().close().await;
    }
}
