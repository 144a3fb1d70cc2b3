//! The cloud backend against a real OpenAI-compatible server on 127.0.0.1 (`assistant serve` on
//! the real default model): streaming, the models list, a wrong API key (401), a busy server (429,
//! retried), a connection dropped mid-answer, and the key kept out of every file and log.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::{data_dir_with_model, json, leaks::files_containing, stderr};

/// The key clients of the local server send (given by environment, so no keyring entry is left).
const SERVER_KEY: &str = "test-server-key-5f1c2a9b8e7d6c5b";

struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(data: &Path, max_concurrent: usize) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_assistant"))
            .arg("--data-dir")
            .arg(data)
            .args(["--json", "serve", "--port", "0", "--max-concurrent"])
            .arg(max_concurrent.to_string())
            .env("ASSISTANT_API_KEY", SERVER_KEY)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let info: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("serve printed {line:?}: {e}"));
        assert!(
            info["api_key"].is_null(),
            "a key from the environment is not printed: {info}"
        );
        Server {
            child,
            url: info["url"].as_str().unwrap().to_string(),
        }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One HTTP/1.1 request with `Connection: close`; (status, body).
fn http(url: &str, method: &str, path: &str, key: Option<&str>, body: &str) -> (u16, String) {
    let hostport = url.trim_start_matches("http://").split('/').next().unwrap();
    let mut s = TcpStream::connect(hostport).unwrap();
    let auth = key
        .map(|k| format!("Authorization: Bearer {k}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "{method} /v1{path} HTTP/1.1\r\nHost: {hostport}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn assistant(data: &Path, args: &[&str], envs: &[(&str, &str)]) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_assistant"));
    c.arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("ASSISTANT_HOME");
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// A data folder with no model at all whose cloud model is `server`, with `key`.
fn client(server: &Server, key: &str) -> tempfile::TempDir {
    let url = &server.url;
    let data = tempfile::tempdir().unwrap();
    let out = assistant(
        data.path(),
        &[
            "--json",
            "cloud",
            "set",
            "--url",
            url,
            "--model",
            support::DEFAULT_MODEL_ID,
        ],
        &[("ASSISTANT_CLOUD_API_KEY", key)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    data
}

#[test]
fn the_cloud_backend_streams_from_a_real_openai_compatible_server_and_handles_its_failures() {
    let model_data = data_dir_with_model();
    let mut server = Server::start(model_data.path(), 1);

    // The server itself, as any OpenAI client sees it.
    let (status, body) = http(&server.url, "GET", "/models", None, "");
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("invalid_api_key"), "{body}");
    let (status, body) = http(&server.url, "GET", "/models", Some(SERVER_KEY), "");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(support::DEFAULT_MODEL_ID), "{body}");
    let (status, body) = http(
        &server.url,
        "POST",
        "/chat/completions",
        Some(SERVER_KEY),
        r#"{"messages":[{"role":"user","content":"Say hello."}],"max_tokens":8}"#,
    );
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["object"], "chat.completion");
    assert!(
        !v["choices"][0]["message"]["content"]
            .as_str()
            .unwrap()
            .is_empty(),
        "{v}"
    );
    assert!(v["usage"]["completion_tokens"].as_u64().unwrap() <= 8);
    let (status, body) = http(
        &server.url,
        "POST",
        "/chat/completions",
        Some(SERVER_KEY),
        r#"{"messages":[{"role":"user","content":"Hi"}],"stream":true,"max_tokens":6}"#,
    );
    assert_eq!(status, 200);
    assert!(
        body.contains("chat.completion.chunk") && body.contains("data: [DONE]"),
        "{body}"
    );
    let (status, body) = http(
        &server.url,
        "POST",
        "/chat/completions",
        Some(SERVER_KEY),
        "{not json",
    );
    assert_eq!(status, 400, "{body}");

    // A wrong key: a clear refusal naming the status, not a retry loop.
    let wrong = client(&server, "not-the-key-0000000000");
    let started = Instant::now();
    let out = assistant(wrong.path(), &["--json", "chat", "--cloud", "Hi"], &[]);
    assert!(!out.status.success());
    let err = &json(&out)["error"];
    assert_eq!(err["kind"], "cloud", "{err}");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("refused the API key (401"),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "401 is not retried"
    );

    // Our cloud backend, from a data folder with no model of its own: the answer streams. The
    // key replaces the wrong one in the keyring (one key per server URL). Regression: with the
    // kernel keyring, a key replaced from another process was once not the one read back.
    let good = client(&server, SERVER_KEY);
    let out = assistant(
        good.path(),
        &[
            "--json",
            "chat",
            "--cloud",
            "--max-tokens",
            "12",
            "Say hello to Sara.",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    assert!(v["model"].as_str().unwrap().starts_with("cloud: "), "{v}");
    assert!(!v["text"].as_str().unwrap().trim().is_empty(), "{v}");
    assert!(
        v["stats"]["completion_tokens"].as_u64().unwrap() >= 1,
        "{v}"
    );

    // Busy (one request at a time): a long answer holds the server; ours gets 429 and waits as
    // told (Retry-After); the long answer's client goes away, which frees the server, and ours
    // gets its answer. (Driven by what the client says, not by timing: the machine may be slow.)
    let hostport = server
        .url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let mut holder = TcpStream::connect(&hostport).unwrap();
    let body = r#"{"messages":[{"role":"user","content":"Write a long story about a lighthouse."}],"stream":true,"max_tokens":1000}"#;
    write!(
        holder,
        "POST /v1/chat/completions HTTP/1.1\r\nHost: {hostport}\r\nAuthorization: Bearer {SERVER_KEY}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // The answer has started: the server's one slot is taken.
    let mut first = [0u8; 64];
    let n = holder.read(&mut first).unwrap();
    assert!(
        String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&first[..n])
    );
    let mut ours = Command::new(env!("CARGO_BIN_EXE_assistant"))
        .arg("--data-dir")
        .arg(good.path())
        .args([
            "-v",
            "--json",
            "chat",
            "--cloud",
            "--max-tokens",
            "8",
            "Hello",
        ])
        .env_remove("ASSISTANT_HOME")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = String::new();
    let mut lines = BufReader::new(ours.stderr.take().unwrap());
    while !said.contains("429") {
        let mut line = String::new();
        if lines.read_line(&mut line).unwrap() == 0 {
            break;
        }
        said.push_str(&line);
    }
    assert!(
        said.contains("429"),
        "the first attempt met a busy server: {said}"
    );
    drop(holder);
    let mut rest = String::new();
    lines.read_to_string(&mut rest).unwrap();
    let out = ours.wait_with_output().unwrap();
    assert!(out.status.success(), "{said}{rest}");
    assert!(!json(&out)["text"].as_str().unwrap().is_empty());

    // Summaries through the privacy router, from a data folder with its own model (the fallback).
    let mine = data_dir_with_model();
    let d = mine.path();
    let eml = d.join("privacy.eml");
    std::fs::write(
        &eml,
        "Message-ID: <privacy-1@acme.example>\r\nDate: Mon, 6 Nov 2023 10:00:00 +0000\r\nFrom: Priya Natarajan <priya@acme.example>\r\nTo: alex@northwind.example\r\nSubject: Invoice 2291\r\n\r\nHi Alex, the invoice total of 4,200 EUR is due on Friday. Call me on +46 70 123 4567 or write to priya.home@example.org.\r\nPriya\r\n",
    )
    .unwrap();
    let run = |args: &[&str], envs: &[(&str, &str)]| {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = assistant(d, &all, envs);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        json(&out)
    };
    run(&["ingest", "eml", eml.to_str().unwrap()], &[]);
    let set = [
        "cloud",
        "set",
        "--url",
        &server.url,
        "--model",
        support::DEFAULT_MODEL_ID,
    ];
    run(&set, &[("ASSISTANT_CLOUD_API_KEY", SERVER_KEY)]);
    // Not allowed for summaries yet: written here, and it says why.
    let s = run(&["summarize", "privacy-1@acme.example", "--cloud"], &[]);
    assert_eq!(s["route"], "local", "{s}");
    assert!(s["notice"].as_str().unwrap().contains("not allowed"), "{s}");
    let mut allow = set.to_vec();
    allow.extend_from_slice(&["--allow", "summarize"]);
    run(&allow, &[]);
    // The preview shows exactly what would go, personal data as placeholders, and sends nothing.
    let p = run(
        &[
            "summarize",
            "privacy-1@acme.example",
            "--cloud",
            "--preview",
        ],
        &[],
    );
    assert_eq!(p["route"]["to"], "cloud", "{p}");
    let text = p["text"].as_str().unwrap();
    for personal in ["123 4567", "priya.home@example.org", "priya@acme.example"] {
        assert!(!text.contains(personal), "{personal} would leave: {text}");
    }
    assert!(
        text.contains("4,200 EUR") && text.contains("[PHONE_1]"),
        "{text}"
    );
    assert_eq!(run(&["cloud", "log"], &[]), serde_json::json!([]));
    // Sent: written by the cloud model, logged (never the text).
    let s = run(&["summarize", "privacy-1@acme.example", "--cloud"], &[]);
    assert_eq!(s["route"], "cloud", "{s}");
    let log = run(&["cloud", "log"], &[]);
    assert_eq!(log.as_array().unwrap().len(), 1, "{log}");
    assert_eq!(
        (log[0]["feature"].as_str(), log[0]["outcome"].as_str()),
        (Some("summarize"), Some("ok"))
    );
    assert!(log[0]["placeholders"].as_i64().unwrap() >= 3, "{log}");
    assert!(!log.to_string().contains("4,200"), "the log holds no text");
    // A private source never leaves, whatever is allowed.
    let status = run(&["status"], &[]);
    let source = status["status"]["sources"][0]["id"].to_string();
    run(&["privacy", &source, "private"], &[]);
    let s = run(&["summarize", "privacy-1@acme.example", "--cloud"], &[]);
    assert_eq!(s["route"], "local", "{s}");
    assert!(s["notice"].as_str().unwrap().contains("private"), "{s}");
    assert_eq!(
        run(&["cloud", "log"], &[]).as_array().unwrap().len(),
        1,
        "nothing more went out"
    );
    run(&["privacy", &source, "local"], &[]);

    // The server goes away mid-answer: the error says so.
    let mut chat = Command::new(env!("CARGO_BIN_EXE_assistant"))
        .arg("--data-dir")
        .arg(good.path())
        .args([
            "chat",
            "--cloud",
            "--max-tokens",
            "400",
            "Write a long story about a lighthouse keeper.",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 1];
    chat.stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    server.stop();
    let out = chat.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("dropped mid-answer"),
        "{}",
        stderr(&out)
    );
    // Nothing listening at all: the error names the server, after the retries.
    let out = assistant(good.path(), &["--json", "chat", "--cloud", "Hi"], &[]);
    let err = &json(&out)["error"];
    assert_eq!(err["kind"], "cloud", "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("cannot connect"),
        "{err}"
    );
    // A summary falls back to the local model, with a visible notice, and the failure is logged.
    let s = run(&["summarize", "privacy-1@acme.example", "--cloud"], &[]);
    assert_eq!(s["route"], "local", "{s}");
    assert!(
        s["notice"].as_str().unwrap().contains("could not answer"),
        "{s}"
    );
    assert!(!s["gist"].as_str().unwrap().is_empty());
    let log = run(&["cloud", "log"], &[]);
    assert_ne!(log[0]["outcome"], "ok", "{log}");

    // The key is in the keyring only: no file of either data folder holds it, nor any output.
    for dir in [good.path(), wrong.path(), model_data.path(), mine.path()] {
        assert_eq!(
            files_containing(dir, SERVER_KEY),
            Vec::<std::path::PathBuf>::new()
        );
    }
    let out = assistant(good.path(), &["-vv", "--json", "cloud", "show"], &[]);
    assert!(!support::stdout(&out).contains(SERVER_KEY) && !stderr(&out).contains(SERVER_KEY));
    // Turning the cloud off removes the key from the keyring.
    for data in [&good, &wrong, &mine] {
        let out = assistant(data.path(), &["--json", "cloud", "off"], &[]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let out = assistant(good.path(), &["--json", "chat", "--cloud", "Hi"], &[]);
    assert!(json(&out)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no cloud model"));
}

/// A project update longer than the local model reads at once (smart reply reads 1,200
/// characters, a one-stage summary 3,000), asking a question back.
fn long_update() -> String {
    let mut body = String::from("Hi Alex,\r\n\r\nHere is where the warehouse move stands.\r\n\r\n");
    let parts = [
        "The racking for aisles one to six arrived on Monday and the installers expect to finish by Thursday evening.",
        "Forklift training for the night shift is booked with Dana Whitfield; she can be reached at dana.whitfield@acme.example.",
        "The landlord agreed to repaint the loading bay before the inspection, at no cost to us.",
        "We still need a decision on the cold room: the quote from Polar Systems is 18,400 EUR with a six-week lead time.",
        "IT will move the scanners and the label printers over the weekend of the 18th.",
        "Insurance asked for the new floor plan and the sprinkler certificate before they renew the policy.",
    ];
    for round in 1..=7 {
        body.push_str(&format!("Week {round}: "));
        body.push_str(&parts.join(" "));
        body.push_str("\r\n\r\n");
    }
    body.push_str("Could you confirm by Friday whether we go ahead with the Polar Systems cold room?\r\n\r\nPriya\r\n");
    format!(
        "Message-ID: <long-1@acme.example>\r\nDate: Tue, 7 Nov 2023 09:00:00 +0000\r\nFrom: Priya Natarajan <priya@acme.example>\r\nTo: alex@northwind.example\r\nSubject: Warehouse move update\r\n\r\n{body}"
    )
}

#[test]
fn ask_reply_summaries_and_plans_go_to_the_cloud_model_only_as_the_privacy_router_allows() {
    let model_data = data_dir_with_model();
    let server = Server::start(model_data.path(), 2);
    let mine = data_dir_with_model();
    let d = mine.path();
    std::fs::write(
        d.join("invoice.eml"),
        "Message-ID: <invoice-7@acme.example>\r\nDate: Mon, 6 Nov 2023 10:00:00 +0000\r\nFrom: Priya Natarajan <priya@acme.example>\r\nTo: alex@northwind.example\r\nSubject: Invoice 2291\r\n\r\nHi Alex, the invoice total of 4,200 EUR is due on Friday. Can you pay it by then? Call me on +46 70 123 4567 or write to priya.home@example.org.\r\nPriya\r\n",
    )
    .unwrap();
    let long = long_update();
    assert!(long.len() > 4_000);
    std::fs::write(d.join("long.eml"), &long).unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = assistant(d, &all, &[("ASSISTANT_CLOUD_API_KEY", SERVER_KEY)]);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        json(&out)
    };
    let calls = || run(&["cloud", "log"]).as_array().unwrap().clone();
    let (invoice, long_file) = (d.join("invoice.eml"), d.join("long.eml"));
    run(&[
        "ingest",
        "eml",
        invoice.to_str().unwrap(),
        long_file.to_str().unwrap(),
    ]);
    let question = "When is the invoice due?";
    let ask = |cloud: bool| {
        let mut args = vec!["ask", "--about", "invoice-7@acme.example"];
        if cloud {
            args.push("--cloud");
        }
        args.push(question);
        run(&args)
    };

    // No cloud model: long mail is read here, and nothing says otherwise.
    let r = run(&["reply", "long-1@acme.example"]);
    assert_eq!(
        (r["route"].as_str(), &r["notice"]),
        (Some("local"), &serde_json::Value::Null),
        "{r}"
    );
    let mut set = vec![
        "cloud",
        "set",
        "--url",
        &server.url,
        "--model",
        support::DEFAULT_MODEL_ID,
    ];
    run(&set);
    // Set, but ask is not allowed: answered here, and it says why.
    let a = ask(true);
    assert_eq!(a["route"], "local", "{a}");
    assert!(a["notice"].as_str().unwrap().contains("not allowed"), "{a}");
    assert_eq!(calls(), Vec::<serde_json::Value>::new());

    set.extend_from_slice(&[
        "--allow",
        "ask",
        "--allow",
        "reply",
        "--allow",
        "summarize",
        "--allow",
        "actions",
    ]);
    run(&set);
    // The ask preview: the passages and the question, personal data as placeholders; nothing sent.
    let p = run(&[
        "ask",
        "--cloud",
        "--preview",
        "--about",
        "invoice-7@acme.example",
        question,
    ]);
    assert_eq!(p["route"]["to"], "cloud", "{p}");
    let text = p["text"].as_str().unwrap();
    assert!(text.contains(&format!("Question: {question}")), "{text}");
    for personal in ["123 4567", "priya.home@example.org"] {
        assert!(!text.contains(personal), "{personal} would leave: {text}");
    }
    assert_eq!(calls(), Vec::<serde_json::Value>::new());
    // Asked for: the cloud model answers, the call is logged without the text.
    let a = ask(true);
    assert_eq!(a["route"], "cloud", "{a}");
    assert!(
        a["notice"].as_str().unwrap().contains("cloud model at"),
        "{a}"
    );
    assert!(
        !a["answer"].as_str().unwrap().contains("[PHONE_"),
        "placeholders are put back: {a}"
    );
    let log = calls();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(
        (log[0]["feature"].as_str(), log[0]["outcome"].as_str()),
        (Some("ask"), Some("ok"))
    );
    assert!(log[0]["placeholders"].as_i64().unwrap() >= 2, "{log:?}");

    // Smart reply: a short mail stays here unless asked; a long one goes on its own (the local
    // model would read only its beginning), reading far more of it.
    let r = run(&["reply", "invoice-7@acme.example"]);
    assert_eq!(r["route"], "local", "{r}");
    assert_eq!(calls().len(), 1, "nothing more went out");
    let r = run(&["reply", "long-1@acme.example", "--fresh"]);
    assert_eq!(r["route"], "cloud", "{r}");
    let log = calls();
    assert_eq!(log[0]["feature"], "reply", "{log:?}");
    assert!(log[0]["chars"].as_i64().unwrap() > 4_000, "{log:?}");
    let r = run(&["reply", "invoice-7@acme.example", "--cloud"]);
    assert_eq!(r["route"], "cloud", "{r}");
    assert_eq!(calls().len(), 3);
    // A summary of the long mail goes without being asked: too long for one local stage.
    let s = run(&["summarize", "long-1@acme.example"]);
    assert_eq!(s["route"], "cloud", "{s}");
    assert!(!s["gist"].as_str().unwrap().is_empty(), "{s}");
    assert_eq!(calls()[0]["feature"], "summarize");
    let s = run(&["summarize", "invoice-7@acme.example"]);
    assert_eq!(
        (s["route"].as_str(), &s["notice"]),
        (Some("local"), &serde_json::Value::Null),
        "{s}"
    );

    // A plan from the cloud model: only the request goes out, no mail or note text. The preview
    // shows it first and sends nothing.
    let sent = calls().len();
    let p = run(&[
        "do",
        "--proposer",
        "cloud",
        "--preview",
        "forward the newest email from Priya to sara@northwind.example",
    ]);
    assert_eq!(p["route"]["to"], "cloud", "{p}");
    assert_eq!(
        p["text"],
        "forward the newest email from Priya to [EMAIL_1]",
        "{p}"
    );
    assert_eq!(calls().len(), sent, "a preview sends nothing");
    let out = assistant(
        d,
        &[
            "--json",
            "do",
            "--dry-run",
            "--proposer",
            "cloud",
            "flag the newest email from Priya",
        ],
        &[],
    );
    let log = calls();
    assert_eq!(log[0]["feature"], "actions", "{log:?}");
    assert_eq!(log[0]["sources"], serde_json::json!([]), "{log:?}");
    assert!(
        log[0]["chars"].as_i64().unwrap() < 4_000,
        "the request and the instructions only"
    );
    if out.status.success() {
        let plan = json(&out);
        assert!(!plan["notice"].is_null(), "{plan}");
    }

    // A private source never leaves, whatever is allowed: asked or not, long or short.
    let sent = calls().len();
    let status = run(&["status"]);
    let sources = status["status"]["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 1, "{status}");
    run(&["privacy", &sources[0]["id"].to_string(), "private"]);
    let a = ask(true);
    assert_eq!(a["route"], "local", "{a}");
    assert!(a["notice"].as_str().unwrap().contains("private"), "{a}");
    let r = run(&["reply", "long-1@acme.example", "--fresh"]);
    assert_eq!(r["route"], "local", "{r}");
    let s = run(&["summarize", "long-1@acme.example"]);
    assert_eq!(s["route"], "local", "{s}");
    assert_eq!(calls().len(), sent, "nothing more went out");
    run(&["cloud", "off"]);
}
