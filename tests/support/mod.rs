//! Shared helpers for the integration tests: the real model's location, a throw-away data folder,
//! and a small real HTTP/1.1 file server on 127.0.0.1 (ranges, dropped connections, corruption).
#![allow(dead_code)]

pub mod cli;
pub mod dovecot;
pub mod http;
pub mod leaks;
pub mod smtp;

use std::path::PathBuf;
use std::process::{Command, Output};

pub const DEFAULT_MODEL_ID: &str = "smollm2-135m-instruct-q4_1";

/// The default model's GGUF, put in place by `scripts/fetch-default-model.sh` (the test script runs it).
pub fn model_path() -> PathBuf {
    let path = std::env::var_os("ASSISTANT_TEST_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../target/models/SmolLM2-135M-Instruct.Q4_1.gguf")
        });
    assert!(
        path.is_file(),
        "the default model is missing at {}: run scripts/test.sh (or scripts/fetch-default-model.sh) first",
        path.display()
    );
    path
}

/// Runs the `assistant` binary with a data folder and returns its output.
pub fn assistant(data_dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_assistant"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("ASSISTANT_HOME")
        .env_remove("ASSISTANT_MODEL_MIRROR")
        .output()
        .expect("run assistant")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Parses `--json` output, failing with both streams shown.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}):\nstdout: {}\nstderr: {}",
            stdout(o),
            stderr(o)
        )
    })
}

/// A data folder with the default model imported and chosen.
pub fn data_dir_with_model() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let o = assistant(
        dir.path(),
        &[
            "models",
            "import",
            model_path().to_str().unwrap(),
            "--id",
            DEFAULT_MODEL_ID,
        ],
    );
    assert!(o.status.success(), "import failed: {}", stderr(&o));
    dir
}

/// A two-worker tokio runtime, the size of the machines the app targets.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}
