//! The app's commands through Tauri's IPC on the mock runtime (no window, no model): what the UI
//! sends, as JSON, and what comes back, over a data folder holding the bundled sample data.

use assistant_core::{Assistant, DataDir};
use serde_json::{json, Value};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::{InvokeRequest, WebviewWindow};
use tauri::WebviewWindowBuilder;

struct App {
    _data: tempfile::TempDir,
    _app: tauri::App<tauri::test::MockRuntime>,
    window: WebviewWindow<tauri::test::MockRuntime>,
    assistant: Assistant,
}

fn app() -> App {
    let data = tempfile::tempdir().unwrap();
    let assistant = Assistant::open(DataDir::at(data.path()).unwrap());
    let app = assistant_app_lib::with_commands(mock_builder())
        .manage(assistant.clone())
        .build(mock_context(noop_assets()))
        .unwrap();
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    App {
        _data: data,
        _app: app,
        window,
        assistant,
    }
}

fn with_sample_data() -> App {
    let app = app();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = app.assistant.data_dir().root().join("sample");
    let installed = rt
        .block_on(app.assistant.library().install_sample_data(dir, |_, _| {}))
        .unwrap();
    assert_eq!(
        installed.messages, 9,
        "the bundled maildir has nine messages"
    );
    app
}

/// Invokes `cmd` with `args` as the UI does; the value, or the `{kind, message}` error.
fn invoke(app: &App, cmd: &str, args: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: args.into(),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(&app.window, request).map(|body| body.deserialize::<Value>().unwrap())
}

fn inbox(app: &App, query: Option<&str>, unread_only: bool) -> Vec<Value> {
    let v = invoke(
        app,
        "inbox",
        json!({"query": query, "unreadOnly": unread_only, "limit": 50, "offset": 0}),
    )
    .unwrap();
    v.as_array().unwrap().clone()
}

#[test]
fn a_new_data_folder_is_a_first_run_and_the_sample_data_ends_it() {
    let app = app();
    let info = invoke(&app, "app_info", json!({})).unwrap();
    assert_eq!(info["firstRun"], true);
    assert_eq!(info["activeModel"], Value::Null);
    assert_eq!(info["counts"]["messages"], 0);

    let app = with_sample_data();
    let info = invoke(&app, "app_info", json!({})).unwrap();
    assert_eq!(info["firstRun"], false);
    assert_eq!(info["counts"]["messages"], 9);
    assert_eq!(info["counts"]["notes"], 6);
}

#[test]
fn the_inbox_lists_threads_newest_first_and_opening_one_marks_it_read() {
    let app = with_sample_data();
    let rows = inbox(&app, None, false);
    assert!(rows.len() >= 6, "{rows:?}");
    let dates: Vec<i64> = rows
        .iter()
        .map(|r| r["lastDate"].as_i64().unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
    let budget = rows
        .iter()
        .find(|r| r["subject"] == "Q3 budget review")
        .expect("the budget thread");
    assert_eq!(budget["messageCount"], 3);
    let people = budget["participants"].to_string();
    assert!(people.contains("Kenneth Moreau") && people.contains("Sara Lindqvist"));
    assert!(!budget["summaryLine"].as_str().unwrap().is_empty());

    // The sample maildir's files carry no "seen" flag: every thread starts unread.
    let unread = inbox(&app, None, true);
    assert_eq!(unread.len(), rows.len());
    assert!(unread
        .iter()
        .all(|r| r["unreadCount"].as_i64().unwrap() > 0));

    let first = unread[0]["id"].as_str().unwrap().to_string();
    let thread = invoke(&app, "open_thread", json!({"id": first})).unwrap();
    assert_eq!(thread["id"], first.as_str());
    assert_eq!(thread["focus"], Value::Null);
    let messages = thread["messages"].as_array().unwrap();
    assert!(!messages.is_empty());
    assert!(messages[0]["body"].as_str().unwrap().len() > 10);
    let still_unread = inbox(&app, None, true);
    assert_eq!(still_unread.len(), unread.len() - 1);
    assert!(still_unread.iter().all(|r| r["id"] != first.as_str()));
    let opened = inbox(&app, None, false);
    let opened = opened.iter().find(|r| r["id"] == first.as_str()).unwrap();
    assert_eq!(opened["unreadCount"], 0);

    // Opened by one of its messages (a citation does that): the same thread, that message focused.
    let message = messages[0]["id"].as_str().unwrap();
    let by_message = invoke(&app, "open_thread", json!({"id": message})).unwrap();
    assert_eq!(by_message["id"], first.as_str());
    assert_eq!(by_message["focus"], message);
}

#[test]
fn inbox_search_finds_threads_by_sender_and_words() {
    let app = with_sample_data();
    let from_sara = inbox(&app, Some("from:sara"), false);
    let subjects: Vec<&str> = from_sara
        .iter()
        .map(|r| r["subject"].as_str().unwrap())
        .collect();
    assert!(subjects.contains(&"Lunch Friday?"), "{subjects:?}");
    assert!(
        !subjects.contains(&"Supplier contract renewal"),
        "{subjects:?}"
    );
    let lisbon = inbox(&app, Some("Lisbon offsite"), false);
    assert_eq!(lisbon[0]["subject"], "Team offsite in Lisbon");
    assert!(inbox(&app, Some("zebra xylophone"), false).is_empty());

    let hits = invoke(&app, "search", json!({"query": "budget", "limit": 10})).unwrap();
    let kinds: Vec<&str> = hits
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"message") && kinds.contains(&"note"),
        "{kinds:?}"
    );
}

#[test]
fn notes_list_and_open_with_resolved_wikilinks_and_backlinks() {
    let app = with_sample_data();
    let notes = invoke(&app, "notes_list", json!({"query": null})).unwrap();
    let notes = notes.as_array().unwrap();
    assert_eq!(notes.len(), 6);
    let home = notes.iter().find(|n| n["title"] == "Home").unwrap();
    assert_eq!(home["path"], "index.md");
    assert_eq!(home["tags"], json!(["index"]));

    let note = invoke(&app, "open_note", json!({"id": home["id"]})).unwrap();
    assert!(note["body"]
        .as_str()
        .unwrap()
        .contains("[[Kenneth Moreau]]"));
    let kenneth_link = note["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["target"] == "Kenneth Moreau")
        .unwrap();
    let kenneth = kenneth_link["id"].as_str().expect("the link resolves");
    let person = invoke(&app, "open_note", json!({"id": kenneth})).unwrap();
    assert_eq!(person["title"], "Kenneth Moreau");
    let backlinks = person["backlinks"].to_string();
    assert!(backlinks.contains("Home"), "{backlinks}");

    let searched = invoke(&app, "notes_list", json!({"query": "Lisbon"})).unwrap();
    assert!(
        searched.to_string().contains("lisbon-offsite"),
        "{searched}"
    );
}

#[test]
fn bad_requests_come_back_as_kind_and_message() {
    let app = with_sample_data();
    let e = invoke(&app, "open_note", json!({"id": "m1"})).unwrap_err();
    assert_eq!(e["kind"], "invalid_request");
    assert!(e["message"].as_str().unwrap().contains("`m1`"), "{e}");
    let e = invoke(&app, "open_thread", json!({"id": "t999"})).unwrap_err();
    assert_eq!(e["kind"], "not_found");
    let e = invoke(
        &app,
        "summarize",
        json!({"request": {"kind": "week", "id": null}}),
    )
    .unwrap_err();
    assert_eq!(e["kind"], "invalid_request");

    // A file that is not a model: refused, naming the file; nothing installed.
    let bad = app.assistant.data_dir().root().join("not-a-model.gguf");
    std::fs::write(&bad, b"GGUF but truncated").unwrap();
    let e = invoke(&app, "import_model", json!({"path": bad})).unwrap_err();
    assert!(
        e["message"].as_str().unwrap().contains("not-a-model.gguf"),
        "{e}"
    );
    let models = invoke(&app, "models_list", json!({})).unwrap();
    assert!(
        models
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["installed"] == false),
        "{models}"
    );
    assert!(models
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["id"].as_str().unwrap().contains("smollm2")));
    // The catalog also lists models this engine cannot run yet: marked, so the UI offers no
    // download for them.
    let listed = models.as_array().unwrap();
    assert!(listed.iter().any(|m| m["loadable"] == false), "{models}");
    assert!(listed
        .iter()
        .any(|m| m["loadable"] == true && m["id"].as_str().unwrap().contains("smollm2")));
}

#[test]
fn sources_are_listed_labelled_and_added_with_clear_errors() {
    let app = with_sample_data();
    let sources = invoke(&app, "sources_list", json!({})).unwrap();
    let sources = sources.as_array().unwrap();
    assert_eq!(sources.len(), 2, "{sources:?}");
    let mail = sources.iter().find(|s| s["kind"] == "maildir").unwrap();
    assert_eq!(mail["messages"], 9);
    assert_eq!(mail["privacy"], "local");

    let id = mail["id"].clone();
    let labelled = invoke(
        &app,
        "set_source_privacy",
        json!({"id": id, "privacy": "private"}),
    )
    .unwrap();
    assert_eq!(labelled["privacy"], "private");
    let again = invoke(&app, "sources_list", json!({})).unwrap();
    assert!(
        again.to_string().contains("\"privacy\":\"private\""),
        "{again}"
    );
    let e = invoke(
        &app,
        "set_source_privacy",
        json!({"id": id, "privacy": "public"}),
    )
    .unwrap_err();
    assert_eq!(e["kind"], "invalid_request");
    assert!(e["message"].as_str().unwrap().contains("public"), "{e}");

    // A notes folder of the user's own, read with progress over a channel.
    let folder = app.assistant.data_dir().root().join("my-notes");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("ideas.md"),
        "# Ideas\n\nA garden by the [[Home]] note.\n",
    )
    .unwrap();
    let added = invoke(
        &app,
        "add_source",
        json!({"kind": "notes", "path": folder, "onProgress": "__CHANNEL__:1"}),
    )
    .unwrap();
    assert_eq!(added["kind"], "notes");
    assert_eq!(added["notes"], 1);
    let notes = invoke(&app, "notes_list", json!({"query": "garden"})).unwrap();
    assert!(notes.to_string().contains("Ideas"), "{notes}");

    let missing = app.assistant.data_dir().root().join("no-such-folder");
    let e = invoke(
        &app,
        "add_source",
        json!({"kind": "maildir", "path": missing, "onProgress": "__CHANNEL__:2"}),
    )
    .unwrap_err();
    assert!(
        e["message"].as_str().unwrap().contains("no-such-folder"),
        "{e}"
    );
    let e = invoke(
        &app,
        "add_source",
        json!({"kind": "imap", "path": "x", "onProgress": "__CHANNEL__:3"}),
    )
    .unwrap_err();
    assert_eq!(e["kind"], "invalid_request");
    assert_eq!(
        invoke(&app, "sources_list", json!({}))
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn measuring_speed_without_a_model_says_what_to_do() {
    let app = app();
    let e = invoke(&app, "run_bench", json!({"onProgress": "__CHANNEL__:1"})).unwrap_err();
    assert_eq!(e["kind"], "no_active_model", "{e}");
    assert!(!e["message"].as_str().unwrap().is_empty());
}

#[path = "../../tests/support/dovecot.rs"]
#[allow(dead_code)]
mod dovecot;

#[path = "../../tests/support/leaks.rs"]
mod leaks;

/// A message for `ana` about greenhouse order `n`.
fn order(n: u32) -> Vec<u8> {
    format!(
        "Message-ID: <acct-{n}@example.com>\r\nDate: Tue, {n} Jan 2025 09:00:00 +0000\r\nFrom: Kenneth <kenneth@example.com>\r\nTo: ana@example.com\r\nSubject: Greenhouse order {n}\r\n\r\nThe greenhouse panels, batch{n}, arrive on Friday.\r\n"
    )
    .into_bytes()
}

#[test]
fn an_imap_account_is_added_with_its_password_in_the_keyring_and_synced_again() {
    let password = format!("acct-{}-secret", std::process::id());
    let server = dovecot::Dovecot::start(&[("ana", &password)]);
    server.append("ana", &password, order(1));
    let app = app();
    let account = |password: &str, security: &str| {
        json!({"account": {"host": "127.0.0.1", "port": server.port, "user": "ana",
            "password": password, "security": security, "folders": ["INBOX"]},
            "onProgress": "__CHANNEL__:1"})
    };

    // The server refuses a wrong password: a clear error, and no account is kept.
    let e = invoke(&app, "add_imap_account", account("wrong", "plain")).unwrap_err();
    assert_eq!(e["kind"], "mail_server", "{e}");
    assert!(e["message"].as_str().unwrap().contains("login"), "{e}");

    let added = invoke(&app, "add_imap_account", account(&password, "plain")).unwrap();
    assert_eq!(added["kind"], "imap");
    assert_eq!(
        added["location"],
        format!("imap://ana@127.0.0.1:{}", server.port)
    );
    assert_eq!(
        (added["messages"].as_i64(), &added["needsPassword"]),
        (Some(1), &json!(false))
    );

    // New mail arrives; "Sync now" logs in with the password from the keyring.
    server.append("ana", &password, order(2));
    let synced = invoke(
        &app,
        "sync_source",
        json!({"id": added["id"], "onProgress": "__CHANNEL__:2"}),
    )
    .unwrap();
    assert_eq!(synced["messages"], 2);
    let found = inbox(&app, Some("batch2"), false);
    assert_eq!(found.len(), 1, "{found:?}");

    // The password is in no file of the data folder (store, index, settings, logs).
    let leaks = leaks::files_containing(app.assistant.data_dir().root(), &password);
    assert!(leaks.is_empty(), "the password is written in {leaks:?}");

    // No encryption to another computer is refused before anything is sent.
    let mut remote = account(&password, "plain");
    remote["account"]["host"] = json!("mail.example.com");
    let e = invoke(&app, "add_imap_account", remote).unwrap_err();
    assert_eq!(e["kind"], "invalid_request", "{e}");
    assert!(
        e["message"].as_str().unwrap().contains("without TLS"),
        "{e}"
    );
}

#[path = "../../tests/support/smtp.rs"]
#[allow(dead_code)]
mod smtp;

#[test]
fn a_draft_is_sent_through_the_outbox_to_a_real_smtp_server_and_its_password_stays_in_the_keyring()
{
    let app = with_sample_data();
    let mail_dir = tempfile::tempdir().unwrap();
    let server = smtp::SmtpServer::start(smtp::free_port(), mail_dir.path());

    // Sending needs an account first, and says so.
    let lunch = inbox(&app, Some("Lunch"), false)[0]["id"].clone();
    let thread = invoke(&app, "open_thread", json!({"id": lunch})).unwrap();
    let message = thread["messages"][0]["id"].as_str().unwrap().to_string();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let draft = rt
        .block_on(app.assistant.library().draft_reply(
            message.trim_start_matches('m').parse().unwrap(),
            "Yes, 12:30 works.".into(),
            "user",
        ))
        .unwrap();
    let e = invoke(&app, "send_draft", json!({"id": draft.id})).unwrap_err();
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("no sending account"),
        "{e}"
    );

    // An account with a login: the password goes to the keyring, not the settings file.
    let password = format!("smtp-{}-secret", std::process::id());
    let account = |user: &str, password: &str| {
        json!({"account": {"from": "alex@northwind.example", "name": "Alex Doe", "host": "127.0.0.1",
            "port": server.port, "user": user, "password": password, "security": "plain", "maxPerHour": null}})
    };
    let saved = invoke(&app, "set_sending_account", account("alex", &password)).unwrap();
    assert_eq!(
        (saved["maxPerHour"].as_u64(), saved.get("password")),
        (Some(30), None)
    );
    let settings = std::fs::read_to_string(app.assistant.data_dir().settings_path()).unwrap();
    assert!(
        !settings.contains(&password),
        "the password is in settings.json"
    );
    let stored = assistant_core::secrets::Keyring::default()
        .load(&format!("smtp:smtp://alex@127.0.0.1:{}", server.port))
        .unwrap();
    assert_eq!(stored.as_deref(), Some(password.as_str()));

    // This test server takes mail without a login.
    invoke(&app, "set_sending_account", account("", "")).unwrap();
    let sent = invoke(&app, "send_draft", json!({"id": draft.id})).unwrap();
    assert_eq!(sent["state"], "sent", "{sent}");
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert!(
        received[0].contains("Subject: Re: Lunch Friday?") && received[0].contains("12:30 works")
    );
    let outbox = invoke(&app, "outbox_list", json!({})).unwrap();
    assert_eq!(outbox.as_array().unwrap().len(), 1);
    assert_eq!(
        invoke(&app, "drafts", json!({})).unwrap(),
        json!([]),
        "the draft moved to the outbox"
    );
    let e = invoke(&app, "cancel_outgoing", json!({"id": sent["id"]})).unwrap_err();
    assert_eq!(
        e["kind"], "invalid_request",
        "a sent message cannot be taken back: {e}"
    );
}

#[test]
fn actions_are_planned_run_and_undone_and_the_cloud_model_is_set_with_its_key_in_the_keyring() {
    let app = with_sample_data();
    // Actions through IPC: a plan changes nothing; running it does; undo takes it back.
    let planned = invoke(
        &app,
        "plan_request",
        json!({"instruction": "archive the latest email from Priya", "message": null}),
    )
    .unwrap();
    assert_eq!(
        planned["plan"]["actions"][0]["kind"], "archive",
        "{planned}"
    );
    assert_eq!(planned["plan"]["needsConfirmation"], false);
    assert_eq!(invoke(&app, "action_log", json!({})).unwrap(), json!([]));
    let done = invoke(
        &app,
        "run_plan",
        json!({"plan": planned["plan"], "instruction": "archive the latest email from Priya", "confirmed": true}),
    )
    .unwrap();
    assert_eq!(done[0]["undoable"], true, "{done}");
    let undone = invoke(&app, "undo_action", json!({"id": done[0]["auditId"]})).unwrap();
    assert_eq!(undone["undoState"], "undone");
    // A plan that sends is refused unless confirmed.
    let forward = invoke(
        &app,
        "plan_request",
        json!({"instruction": "forward the latest email from Priya to Sara Lindqvist", "message": null}),
    )
    .unwrap();
    assert_eq!(forward["plan"]["needsConfirmation"], true);
    let e = invoke(
        &app,
        "run_plan",
        json!({"plan": forward["plan"], "instruction": "x", "confirmed": false}),
    )
    .unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("confirm"), "{e}");
    let e = invoke(
        &app,
        "plan_request",
        json!({"instruction": "delete all my mail", "message": null}),
    )
    .unwrap_err();
    assert_eq!(e["kind"], "unsupported");

    // The cloud model: nothing set, nothing leaves.
    assert_eq!(
        invoke(&app, "cloud_settings", json!({})).unwrap(),
        Value::Null
    );
    let key = format!("planted-cloud-key-{}", std::process::id());
    let e = invoke(
        &app,
        "set_cloud",
        json!({"cloud": {"baseUrl": "ftp://x", "model": "m", "apiKey": "", "allows": []}}),
    )
    .unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("http(s)://"), "{e}");
    let set = invoke(
        &app,
        "set_cloud",
        json!({"cloud": {"baseUrl": "http://127.0.0.1:9/v1", "model": "big", "apiKey": key, "allows": ["summarize", "ask"]}}),
    )
    .unwrap();
    assert_eq!(set["allows"], json!(["summarize", "ask"]));
    let settings = std::fs::read_to_string(app.assistant.data_dir().settings_path()).unwrap();
    assert!(!settings.contains(&key) && settings.contains("http://127.0.0.1:9/v1"));
    // The preview sends nothing and shows the placeholders; the server is not even there.
    let preview = invoke(
        &app,
        "summary_cloud_preview",
        json!({"request": {"kind": "message", "id": "contract-1@acme.example"}}),
    )
    .unwrap();
    assert_eq!(preview["route"], "cloud", "{preview}");
    assert!(
        !preview["text"]
            .as_str()
            .unwrap()
            .contains("priya@acme.example"),
        "{preview}"
    );
    // Ask and reply show theirs the same way; reply is not allowed, so it would stay here.
    let preview = invoke(
        &app,
        "ask_cloud_preview",
        json!({"question": "When is the contract due?", "source": null, "about": "contract-1@acme.example"}),
    )
    .unwrap();
    assert_eq!(preview["route"], "cloud", "{preview}");
    let text = preview["text"].as_str().unwrap();
    assert!(
        text.contains("Question: When is the contract due?"),
        "{text}"
    );
    assert!(!text.contains("priya@acme.example"), "{text}");
    let preview = invoke(
        &app,
        "reply_cloud_preview",
        json!({"id": "contract-1@acme.example"}),
    )
    .unwrap();
    assert_eq!(preview["route"], "local", "{preview}");
    assert!(
        preview["reason"]
            .as_str()
            .unwrap()
            .contains("reply is not allowed"),
        "{preview}"
    );
    assert_eq!(invoke(&app, "cloud_calls", json!({})).unwrap(), json!([]));
    invoke(&app, "cloud_off", json!({})).unwrap();
    assert_eq!(
        invoke(&app, "cloud_settings", json!({})).unwrap(),
        Value::Null
    );
}
