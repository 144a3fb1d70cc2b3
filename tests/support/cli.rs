//! Running the `assistant` command line in tests: JSON out, an answer typed at its question, the
//! bundled sample mail, the sending account.

use std::path::{Path, PathBuf};

use super::{json, stderr};

/// Runs `assistant --json ARGS`, which must succeed; its JSON output.
pub fn run(data: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = super::assistant(data, &all);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    json(&out)
}

pub fn sample_mail() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../sample/mail")
}

pub fn sample_notes() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../sample/notes")
}

/// A data folder holding the bundled sample mailbox.
pub fn with_sample_mail() -> tempfile::TempDir {
    let data = tempfile::tempdir().unwrap();
    run(
        data.path(),
        &["ingest", "maildir", sample_mail().to_str().unwrap()],
    );
    data
}

/// Sends as alex@northwind.example through the server on this machine at `port` (no login).
pub fn set_account(data: &Path, port: u16, extra: &[&str]) {
    let port = port.to_string();
    let mut args = vec![
        "outbox",
        "account",
        "--from",
        "alex@northwind.example",
        "--host",
        "127.0.0.1",
        "--port",
        &port,
        "--security",
        "plain",
    ];
    args.extend_from_slice(extra);
    run(data, &args);
}

/// Runs `assistant --json ARGS` with `answer` typed at its question.
pub fn answering(data: &Path, args: &[&str], answer: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_assistant"))
        .arg("--data-dir")
        .arg(data)
        .arg("--json")
        .args(args)
        .env_remove("ASSISTANT_HOME")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answer.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}
