//! End to end in the real WebKitGTK webview: the built app under Xvfb, driven through
//! `tauri-driver` and WebKitWebDriver with a Rust WebDriver client, against the real model.
//!
//! Needs `Xvfb`, `WebKitWebDriver` (Debian `xvfb`, `webkit2gtk-driver`), `tauri-driver` (`cargo
//! install tauri-driver --locked`) and the default model in `ASSISTANT_TEST_MODEL`;
//! `scripts/test.sh` provides all of them. Screenshots go to `target/ui-screenshots/`.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

/// A child process killed when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An X server of its own: `Xvfb -displayfd` picks a free display and reports its number.
fn start_xvfb() -> (Killed, String) {
    let mut child = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1280x900x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb is missing: install Debian's xvfb (scripts/install-deps.sh does)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("Xvfb did not report its display");
    let display = format!(":{}", line.trim());
    assert!(line.trim().parse::<u32>().is_ok(), "Xvfb reported {line:?}");
    (Killed(child), display)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{what} did not listen on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A data folder with the default model imported and chosen, as after the first-run setup.
fn data_dir_with_model() -> tempfile::TempDir {
    let model = std::env::var_os("ASSISTANT_TEST_MODEL")
        .map(PathBuf::from)
        .expect(
        "ASSISTANT_TEST_MODEL must name the default model's GGUF file (scripts/test.sh sets it)",
    );
    let dir = tempfile::tempdir().unwrap();
    let data = assistant_core::DataDir::at(dir.path().to_path_buf()).unwrap();
    let models = assistant_core::models::ModelManager::new(data);
    let installed = models
        .import(&model, Some("smollm2-135m-instruct-q4_1"))
        .unwrap();
    models.use_model(&installed.id).unwrap();
    dir
}

struct App {
    client: Client,
    shots: PathBuf,
    _driver: Killed,
    _xvfb: Killed,
    _data: tempfile::TempDir,
}

impl App {
    async fn launch(test: &str) -> App {
        let (xvfb, display) = start_xvfb();
        let data = data_dir_with_model();
        let port = free_port();
        let native_port = free_port();
        let driver = Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("DISPLAY", &display)
            .env(assistant_core::data_dir::HOME_ENV, data.path())
            // Not WEBKIT_DISABLE_COMPOSITING_MODE: with it WebKitWebDriver's screenshots hang.
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tauri-driver is missing: cargo install tauri-driver --locked");
        let driver = Killed(driver);
        wait_for_port(port, "tauri-driver");
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": env!("CARGO_BIN_EXE_assistant-app") }),
        );
        // Plain HTTP to the local driver: no TLS involved.
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("no WebDriver session with the app");
        let shots = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../target/ui-screenshots")
            .join(test);
        std::fs::create_dir_all(&shots).unwrap();
        App {
            client,
            shots,
            _driver: driver,
            _xvfb: xvfb,
            _data: data,
        }
    }

    /// Waits until the element's text satisfies `ok`, then returns it.
    async fn text_when(&self, css: &str, ok: impl Fn(&str) -> bool, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                last = el.text().await.unwrap_or_default();
                if ok(&last) {
                    return last;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("`{css}` never got the expected text; last: {last:?}");
    }

    async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "screenshot is not a PNG");
        std::fs::write(self.shots.join(format!("{name}.png")), png).unwrap();
    }

    async fn close(self) {
        self.client.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_shows_the_active_model_and_streams_an_answer() {
    let app = App::launch("chat").await;
    let status = app
        .text_when(
            "#status",
            |t| t.starts_with("Model:"),
            Duration::from_secs(30),
        )
        .await;
    assert!(status.contains("smollm2-135m-instruct-q4_1"), "{status}");
    app.screenshot("1-start").await;

    let prompt = app.client.find(Locator::Css("#prompt")).await.unwrap();
    prompt
        .send_keys("Write one sentence about the sea.")
        .await
        .unwrap();
    app.client
        .find(Locator::Css("#ask button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The status line reports the finished answer's token count once the stream is done.
    let done = app
        .text_when(
            "#status",
            |t| t.contains("tokens, first after"),
            Duration::from_secs(120),
        )
        .await;
    let tokens: usize = done
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("status: {done:?}"));
    assert!(tokens >= 2, "{done}");
    // What the model streamed is on screen: words, not an error.
    let answer = app
        .client
        .find(Locator::Css("#answer"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        answer.split_whitespace().count() >= 2,
        "answer: {answer:?} ({done})"
    );
    app.screenshot("2-answer").await;
    app.close().await;
}
