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

#[allow(dead_code)]
#[path = "../../tests/support/dovecot.rs"]
mod dovecot;
#[allow(dead_code)] // the file server's request log has more than this test reads
#[path = "../../tests/support/http.rs"]
mod http;
#[path = "../../tests/support/leaks.rs"]
mod leaks;
#[allow(dead_code)]
#[path = "../../tests/support/smtp.rs"]
mod smtp;
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
        Self::launch_with(test, data_dir_with_model(), &[]).await
    }

    /// The app on `data`, with `env` set for it.
    async fn launch_with(test: &str, data: tempfile::TempDir, env: &[(&str, &str)]) -> App {
        let (xvfb, display) = start_xvfb();
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
            .envs(env.iter().copied())
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

    /// Waits until at least one element matches `css` and returns them all.
    async fn all(&self, css: &str, timeout: Duration) -> Vec<fantoccini::elements::Element> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(found) = self.client.find_all(Locator::Css(css)).await {
                if !found.is_empty() {
                    return found;
                }
            }
            assert!(Instant::now() < deadline, "nothing matched `{css}`");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the first match. A list that re-renders between finding and clicking (e.g.
    /// when its data arrives) leaves a stale node behind: then it is found again and retried.
    async fn click(&self, css: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let el = self.all(css, Duration::from_secs(30)).await.remove(0);
            match el.click().await {
                Ok(_) => return,
                Err(e) if Instant::now() < deadline && e.to_string().contains("was not found") => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("clicking `{css}`: {e}"),
            }
        }
    }

    async fn type_into(&self, css: &str, text: &str) {
        let el = self.all(css, Duration::from_secs(30)).await.remove(0);
        el.clear().await.unwrap();
        el.send_keys(text).await.unwrap();
    }

    async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "screenshot is not a PNG");
        std::fs::write(self.shots.join(format!("{name}.png")), png).unwrap();
    }

    fn data_path(&self) -> PathBuf {
        self._data.path().to_path_buf()
    }

    async fn close(self) {
        self.client.close().await.unwrap();
    }
}

const MODEL_ID: &str = "smollm2-135m-instruct-q4_1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_run_then_inbox_thread_summary_smart_reply_draft_search_ask_and_models() {
    let app = App::launch("flows").await;
    let status = app
        .text_when(
            "#status",
            |t| t.starts_with("Model:"),
            Duration::from_secs(30),
        )
        .await;
    assert!(status.contains(MODEL_ID), "{status}");

    // First run: the sample mailbox and notes, with progress, then the inbox.
    app.all("#first-run", Duration::from_secs(30)).await;
    app.screenshot("1-first-run").await;
    app.click("#first-run-sample").await;
    app.all("#first-run-done:not([hidden])", Duration::from_secs(60))
        .await;
    let done = app
        .text_when(
            "#first-run-status",
            |t| !t.is_empty(),
            Duration::from_secs(5),
        )
        .await;
    assert!(done.contains("9 messages"), "first-run status: {done}");
    app.click("#first-run-done").await;
    let rows = app
        .all("#inbox-list .thread-row", Duration::from_secs(30))
        .await;
    assert!(rows.len() >= 6, "{} threads", rows.len());
    let subjects = app
        .text_when(
            "#inbox-list",
            |t| t.contains("Lunch Friday?"),
            Duration::from_secs(10),
        )
        .await;
    assert!(subjects.contains("Q3 budget review"), "{subjects}");
    app.screenshot("2-inbox").await;

    // The summary of the day, for the day of the newest mail (the sample is from November 2023).
    app.click("#day-summary-button").await;
    let date = app
        .all("input#day-summary-date", Duration::from_secs(10))
        .await
        .remove(0);
    let day = date.prop("value").await.unwrap().unwrap_or_default();
    assert!(day.starts_with("2023-11-"), "day summary date {day:?}");
    let gist = app
        .text_when(
            "#day-summary .summary-gist",
            |t| t.len() > 10,
            Duration::from_secs(120),
        )
        .await;
    assert!(!gist.contains("Nothing to summarise"), "{gist}");
    // Still there a moment later (no second run replaced it).
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.text_when(
        "#day-summary .summary-gist",
        |t| t == gist,
        Duration::from_secs(1),
    )
    .await;
    app.screenshot("2b-day-summary").await;
    app.click("#day-summary-close").await;

    // A thread: its messages, a machine-written summary, smart replies; a chip makes a draft.
    let lunch = app
        .all("#inbox-list .thread-row", Duration::from_secs(5))
        .await;
    let mut opened = false;
    for row in lunch {
        if row
            .text()
            .await
            .unwrap_or_default()
            .contains("Lunch Friday?")
        {
            row.click().await.unwrap();
            opened = true;
            break;
        }
    }
    assert!(opened, "no Lunch Friday? row");
    let title = app
        .text_when(
            "#thread-view .thread-title",
            |t| t.contains("Lunch"),
            Duration::from_secs(30),
        )
        .await;
    assert_eq!(title, "Lunch Friday?");
    app.all(
        "#thread-view .message .message-body",
        Duration::from_secs(10),
    )
    .await;
    let gist = app
        .text_when(
            "#summary-card .summary-gist",
            |t| t.len() > 10,
            Duration::from_secs(120),
        )
        .await;
    assert!(!gist.contains("Nothing to summarise"), "{gist}");
    let chips = app
        .all("#reply-chips button.reply-chip", Duration::from_secs(120))
        .await;
    assert!(
        !chips.is_empty() && chips.len() <= 3,
        "{} chips",
        chips.len()
    );
    let chip_text = chips[0].text().await.unwrap();
    assert!(!chip_text.trim().is_empty());
    app.screenshot("3-thread").await;
    chips[0].click().await.unwrap();
    app.text_when(
        "#draft-status",
        |t| t == "Draft saved",
        Duration::from_secs(30),
    )
    .await;
    let editor = app
        .all("textarea#draft-editor", Duration::from_secs(5))
        .await
        .remove(0);
    let drafted = editor.prop("value").await.unwrap().unwrap_or_default();
    assert!(
        drafted.contains(chip_text.trim()),
        "draft {drafted:?} vs chip {chip_text:?}"
    );
    editor.send_keys(" See you there, Alex").await.unwrap();
    app.click("#draft-save").await;
    app.text_when(
        "#draft-status",
        |t| t == "Draft saved",
        Duration::from_secs(30),
    )
    .await;
    app.screenshot("4-draft").await;
    // Saved for real: the store has the edited draft.
    let library = assistant_core::library::Library::new(
        &assistant_core::DataDir::at(app.data_path()).unwrap(),
    );
    let drafts = library.drafts().await.unwrap();
    assert!(
        drafts
            .iter()
            .any(|d| d.body.contains("See you there, Alex")),
        "{drafts:?}"
    );

    // The inbox's Drafts list has it and opens its conversation.
    app.click("button[data-nav=\"inbox\"]").await;
    app.click("#filter-drafts").await;
    let row = app
        .text_when(
            "#drafts-list .draft-row",
            |t| t.contains("Lunch Friday?") && t.contains("See you there"),
            Duration::from_secs(30),
        )
        .await;
    assert!(row.contains("To:"), "{row}");
    app.screenshot("4b-drafts").await;
    app.click("#drafts-list .draft-row").await;
    app.text_when(
        "#thread-view .thread-title",
        |t| t == "Lunch Friday?",
        Duration::from_secs(30),
    )
    .await;
    app.click("button[data-nav=\"inbox\"]").await;
    app.click("#filter-drafts").await;

    // Search from the inbox.
    // U+E007 is WebDriver's Enter key.
    app.type_into("#inbox-search", "Lisbon\u{E007}").await;
    let found = app
        .text_when(
            "#inbox-list",
            |t| t.contains("Team offsite in Lisbon") && !t.contains("Lunch Friday?"),
            Duration::from_secs(30),
        )
        .await;
    assert!(!found.contains("Supplier contract"), "{found}");
    app.screenshot("5-search").await;

    // Ask: an answer with citations; a cited message opens, highlighted.
    app.click("button[data-nav=\"assistant\"]").await;
    app.type_into("#ask-input", "Where is the team offsite?")
        .await;
    app.click("#ask-send").await;
    app.all(
        ".answer:not([aria-busy]) a.citation",
        Duration::from_secs(180),
    )
    .await;
    app.screenshot("6-ask").await;
    let citations = app.all(".answer a.citation", Duration::from_secs(5)).await;
    let mut cited_message = None;
    for c in &citations {
        let id = c.attr("data-id").await.unwrap().unwrap_or_default();
        if id.starts_with('m') {
            cited_message = Some((c.clone(), id));
            break;
        }
    }
    let (citation, id) = cited_message.expect("the answer cites a message");
    citation.click().await.unwrap();
    let highlighted = app
        .all(
            &format!("#thread-view .message.highlight[data-id=\"{id}\"]"),
            Duration::from_secs(30),
        )
        .await;
    assert_eq!(highlighted.len(), 1);
    app.screenshot("7-cited-message").await;

    // Models: the active one marked; a bad file refused with its name, nothing else changed.
    app.click("button[data-nav=\"models\"]").await;
    let active = app
        .text_when(
            "#models-list .model-row.active",
            |t| !t.is_empty(),
            Duration::from_secs(30),
        )
        .await;
    assert!(active.to_lowercase().contains("smollm2"), "{active}");
    let bad = app.data_path().join("broken-model.gguf");
    std::fs::write(&bad, b"GGUF\x03\x00\x00\x00 truncated").unwrap();
    app.type_into("#model-import-path", bad.to_str().unwrap())
        .await;
    app.click("#model-import").await;
    let error = app
        .text_when("#models-error", |t| !t.is_empty(), Duration::from_secs(30))
        .await;
    assert!(error.contains("broken-model.gguf"), "{error}");
    app.screenshot("8-models-error").await;

    // Settings: the two sample sources; one marked private (stored); a notes folder added.
    app.click("button[data-nav=\"settings\"]").await;
    let rows = app
        .all("#sources-list .source-row", Duration::from_secs(30))
        .await;
    assert_eq!(rows.len(), 2);
    let mail_id = library
        .sources()
        .await
        .unwrap()
        .iter()
        .find(|s| s.kind.as_str() == "maildir")
        .expect("the sample maildir is a source")
        .id
        .to_string();
    let select = app
        .all(
            &format!("#sources-list .source-row[data-id=\"{mail_id}\"] select.source-privacy"),
            Duration::from_secs(5),
        )
        .await
        .remove(0);
    select.select_by_value("private").await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let sources = library.sources().await.unwrap();
        let mail = sources
            .iter()
            .find(|s| s.id.to_string() == mail_id)
            .unwrap();
        if mail.privacy == "private" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "privacy not stored: {}",
            mail.privacy
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let folder = app.data_path().join("my-notes");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("garden.md"),
        "# Garden\n\nTulips go in before the frost.\n",
    )
    .unwrap();
    app.all("#source-kind", Duration::from_secs(5)).await[0]
        .select_by_value("notes")
        .await
        .unwrap();
    app.type_into("#source-path", folder.to_str().unwrap())
        .await;
    app.click("#source-add-button").await;
    app.text_when(
        "#source-status",
        |t| t.contains("Added"),
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(
        app.all("#sources-list .source-row", Duration::from_secs(5))
            .await
            .len(),
        3
    );
    app.screenshot("9-settings-sources").await;

    // A mail account on a real IMAP server on this machine, through the form; its password
    // goes to the keyring (not the data folder) and "Sync now" reads new mail with it.
    let password = format!("webview-{}-pw", std::process::id());
    let server = dovecot::Dovecot::start(&[("kim", &password)]);
    server.append(
        "kim",
        &password,
        kim_mail("Greenhouse panels arrive Friday"),
    );
    app.type_into("#imap-host", "127.0.0.1").await;
    app.all("#imap-security", Duration::from_secs(5)).await[0]
        .select_by_value("plain")
        .await
        .unwrap();
    app.type_into("#imap-port", &server.port.to_string()).await;
    app.type_into("#imap-user", "kim").await;
    app.type_into("#imap-password", &password).await;
    app.click("#imap-add").await;
    let status = app
        .text_when(
            "#imap-status",
            |t| t.contains("Added") || t.contains("rror") || t.contains("failed"),
            Duration::from_secs(60),
        )
        .await;
    assert!(
        status.contains("Added") && status.contains("1 message"),
        "{status}"
    );
    let imap = library
        .sources()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.kind.as_str() == "imap")
        .expect("the account is a source");
    assert!(!imap.needs_password, "the password is in the keyring");
    assert!(
        leaks::files_containing(&app.data_path(), &password).is_empty(),
        "the password was written to the data folder"
    );
    server.append("kim", &password, kim_mail("Seedlings need repotting"));
    app.click(&format!(
        "#sources-list .source-row[data-id=\"{}\"] button.source-sync",
        imap.id
    ))
    .await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while library
        .sources()
        .await
        .unwrap()
        .iter()
        .find(|s| s.id == imap.id)
        .unwrap()
        .messages
        < 2
    {
        assert!(
            Instant::now() < deadline,
            "Sync now did not read the new mail"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.text_when(
        &format!("#sources-list .source-row[data-id=\"{}\"]", imap.id),
        |t| t.contains("2 messages") && !t.contains("Password not saved"),
        Duration::from_secs(30),
    )
    .await;
    app.screenshot("9b-settings-account").await;

    // A shortcut key changed: `n` for the next item, refused when already taken.
    app.click("button.shortcut-change[data-shortcut=\"next\"]")
        .await;
    app.all(
        "button.shortcut-change[data-shortcut=\"next\"]",
        Duration::from_secs(5),
    )
    .await[0]
        .send_keys("k")
        .await
        .unwrap();
    app.text_when(
        "#shortcut-status",
        |t| t.contains("already"),
        Duration::from_secs(10),
    )
    .await;
    app.all(
        "button.shortcut-change[data-shortcut=\"next\"]",
        Duration::from_secs(5),
    )
    .await[0]
        .send_keys("n")
        .await
        .unwrap();
    app.text_when(
        "#shortcut-status",
        |t| t.contains("“n”"),
        Duration::from_secs(10),
    )
    .await;

    // Sending: an account set in Settings (a real SMTP server on this machine), then the draft
    // from the Drafts list sent after the confirmation; the server gets it once.
    let mail_dir = tempfile::tempdir().unwrap();
    let smtp = smtp::SmtpServer::start(smtp::free_port(), mail_dir.path());
    app.type_into("#smtp-from", "alex@northwind.example").await;
    app.type_into("#smtp-name", "Alex Doe").await;
    app.type_into("#smtp-host", "127.0.0.1").await;
    app.all("#smtp-security", Duration::from_secs(5)).await[0]
        .select_by_value("plain")
        .await
        .unwrap();
    app.type_into("#smtp-port", &smtp.port.to_string()).await;
    app.click("#smtp-save").await;
    app.text_when(
        "#smtp-status",
        |t| t.contains("Saved"),
        Duration::from_secs(30),
    )
    .await;
    app.click("button[data-nav=\"inbox\"]").await;
    // The search box still says "Lisbon" from before, and it filters drafts too.
    app.type_into("#inbox-search", "Lunch\u{E007}").await;
    app.click("#filter-drafts").await;
    app.click("#drafts-list .draft-row").await;
    app.click("#draft-send").await;
    let question = app
        .text_when(
            "#draft-send-confirm-question",
            |t| t.contains("sara@northwind.example"),
            Duration::from_secs(30),
        )
        .await;
    assert!(question.starts_with("Send this reply"), "{question}");
    assert!(
        smtp.received().is_empty(),
        "nothing goes before the confirmation"
    );
    app.screenshot("10-send-confirm").await;
    app.click("#draft-send-confirm-yes").await;
    app.text_when(
        "#draft-status",
        |t| t.starts_with("Sent to"),
        Duration::from_secs(60),
    )
    .await;
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    assert!(
        received[0].contains("Subject: Re: Lunch Friday?")
            && received[0].contains("See you there, Alex")
            && received[0].contains("In-Reply-To: <"),
        "{}",
        received[0]
    );
    app.click("#draft-open-outbox").await;
    app.all(
        "#outbox-list .outbox-row[data-state=\"sent\"]",
        Duration::from_secs(30),
    )
    .await;
    app.screenshot("11-outbox").await;

    // Actions: a request in words becomes a plan naming the exact message and person; nothing
    // happens until the plan's button; a plan that sends says so; a step is undone.
    app.click("button[data-nav=\"assistant\"]").await;
    app.click("#assistant-mode-do").await;
    app.type_into(
        "#ask-input",
        "forward the latest email from Priya to Sara Lindqvist",
    )
    .await;
    app.click("#ask-send").await;
    let card = app
        .text_when(
            "#plan-card",
            |t| t.contains("Supplier contract renewal"),
            Duration::from_secs(60),
        )
        .await;
    assert!(
        card.contains("sara@northwind.example") && card.contains("This plan sends mail."),
        "{card}"
    );
    assert_eq!(
        app.text_when("#plan-run", |t| !t.is_empty(), Duration::from_secs(5))
            .await,
        "Send"
    );
    assert_eq!(
        smtp.received().len(),
        1,
        "nothing is sent before the plan's button"
    );
    app.screenshot("12-plan").await;
    app.click("#plan-run").await;
    app.all("#plan-outcomes .plan-outcome", Duration::from_secs(60))
        .await;
    let received = smtp.received();
    assert_eq!(received.len(), 2);
    // (The server's maildir lists files in no set order.)
    assert!(
        received
            .iter()
            .any(|m| m.contains("Subject: Fwd: Supplier contract renewal")),
        "{received:?}"
    );

    app.type_into("#ask-input", "archive the latest email from Priya")
        .await;
    app.click("#ask-send").await;
    app.text_when(
        "#plan-card",
        |t| t.contains("Archive 1 message"),
        Duration::from_secs(60),
    )
    .await;
    app.click("#plan-run").await;
    app.all("#plan-outcomes .plan-undo", Duration::from_secs(60))
        .await;
    app.screenshot("13-plan-done").await;
    let library = assistant_core::library::Library::new(
        &assistant_core::DataDir::at(app.data_path()).unwrap(),
    );
    async fn filed(library: &assistant_core::library::Library) -> String {
        match library.show("contract-1@acme.example").await.unwrap() {
            assistant_core::library::Shown::Message(m) => m.filed_in,
            _ => panic!("not a message"),
        }
    }
    assert_eq!(filed(&library).await, "Archive");
    app.click("#plan-outcomes .plan-undo").await;
    app.all("#plan-outcomes .plan-undone", Duration::from_secs(30))
        .await;
    assert_eq!(filed(&library).await, "", "undo put it back in the inbox");
    app.close().await;
}

/// A message to kim with this subject.
fn kim_mail(subject: &str) -> Vec<u8> {
    format!(
        "Message-ID: <{}@example.com>\r\nDate: Tue, 7 Jan 2025 09:00:00 +0000\r\nFrom: Kenneth <kenneth@example.com>\r\nTo: kim@example.com\r\nSubject: {subject}\r\n\r\n{subject}.\r\n",
        subject.replace(' ', "-")
    )
    .into_bytes()
}
