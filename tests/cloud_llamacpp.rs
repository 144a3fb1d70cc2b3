//! The cloud backend against an independent OpenAI-compatible server: llama.cpp's (the server of
//! llama-cpp-python, built by `bench/setup-llamacpp.sh`; the test script passes its python as
//! `ASSISTANT_LLAMACPP_PYTHON`) on 127.0.0.1 with the default model: streamed chat, a wrong API
//! key, summaries and answers through the privacy router, and a server that goes away.

mod support;

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::{data_dir_with_model, json, model_path, stderr};

const KEY: &str = "llamacpp-test-key-93c1d0e7a4b2";

struct LlamaServer {
    child: Child,
    url: String,
}

impl LlamaServer {
    fn start() -> LlamaServer {
        let python = std::env::var("ASSISTANT_LLAMACPP_PYTHON").expect(
            "ASSISTANT_LLAMACPP_PYTHON: the python of bench/setup-llamacpp.sh (scripts/test.sh sets it)",
        );
        // A free port: bound, read, let go (the server binds it next).
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = std::env::temp_dir().join(format!("llamacpp-server-{port}.log"));
        let child = Command::new(python)
            .args(["-m", "llama_cpp.server", "--model"])
            .arg(model_path())
            .args([
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--api_key",
                KEY,
                "--n_ctx",
                "4096",
                "--n_threads",
                "2",
                "--model_alias",
                "smollm2",
            ])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut server = LlamaServer {
            child,
            url: format!("http://127.0.0.1:{port}/v1"),
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!(
                    "llama.cpp's server ended ({status}): {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "llama.cpp's server did not listen: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        server
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for LlamaServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn assistant(data: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_assistant"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("ASSISTANT_HOME")
        .env("ASSISTANT_CLOUD_API_KEY", KEY)
        .output()
        .unwrap()
}

#[test]
fn llama_cpps_server_is_a_cloud_model_like_any_other() {
    let mut server = LlamaServer::start();
    let mine = data_dir_with_model();
    let d = mine.path();
    let run = |args: &[&str]| {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = assistant(d, &all);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        json(&out)
    };
    // A wrong key first: the server's refusal comes back as a clear 401, not retried.
    let wrong = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_assistant"))
        .arg("--data-dir")
        .arg(wrong.path())
        .args(["cloud", "set", "--url", &server.url, "--model", "smollm2"])
        .env("ASSISTANT_CLOUD_API_KEY", "not-the-key")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = assistant(wrong.path(), &["--json", "chat", "--cloud", "Hi"]);
    let err = &json(&out)["error"];
    assert_eq!(err["kind"], "cloud", "{err}");
    assert!(err["message"].as_str().unwrap().contains("401"), "{err}");
    // The right key (the keyring holds one key per server URL: this replaces the wrong one).
    run(&[
        "cloud",
        "set",
        "--url",
        &server.url,
        "--model",
        "smollm2",
        "--allow",
        "summarize",
        "--allow",
        "ask",
    ]);

    // Streamed chat: tokens arrive over SSE from llama.cpp.
    let v = run(&[
        "chat",
        "--cloud",
        "--max-tokens",
        "16",
        "Say hello to Sara.",
    ]);
    assert!(!v["text"].as_str().unwrap().trim().is_empty(), "{v}");
    assert!(
        v["stats"]["completion_tokens"].as_u64().unwrap() >= 1,
        "{v}"
    );

    // A summary and an answer through the privacy router, personal data as placeholders.
    let eml = d.join("invoice.eml");
    std::fs::write(
        &eml,
        "Message-ID: <invoice-9@acme.example>\r\nDate: Mon, 6 Nov 2023 10:00:00 +0000\r\nFrom: Priya Natarajan <priya@acme.example>\r\nTo: alex@northwind.example\r\nSubject: Invoice 2291\r\n\r\nHi Alex, the invoice total of 4,200 EUR is due on Friday. Call me on +46 70 123 4567.\r\nPriya\r\n",
    )
    .unwrap();
    run(&["ingest", "eml", eml.to_str().unwrap()]);
    let s = run(&["summarize", "invoice-9@acme.example", "--cloud"]);
    assert_eq!(s["route"], "cloud", "{s}");
    assert!(!s["gist"].as_str().unwrap().is_empty(), "{s}");
    let a = run(&[
        "ask",
        "--cloud",
        "--about",
        "invoice-9@acme.example",
        "When is the invoice due?",
    ]);
    assert_eq!(a["route"], "cloud", "{a}");
    let log = run(&["cloud", "log"]);
    let features: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["feature"].as_str().unwrap())
        .collect();
    assert_eq!(features, ["ask", "summarize", "chat"], "{log}");
    assert!(
        log.as_array().unwrap().iter().all(|c| c["outcome"] == "ok"),
        "{log}"
    );

    // The server goes away: the summary is written here, saying why.
    server.stop();
    let s = run(&["summarize", "invoice-9@acme.example", "--cloud"]);
    assert_eq!(s["route"], "local", "{s}");
    assert!(
        s["notice"].as_str().unwrap().contains("could not answer"),
        "{s}"
    );
    // Off: both keys leave the keyring.
    for data in [d, wrong.path()] {
        let out = assistant(data, &["--json", "cloud", "off"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
}
