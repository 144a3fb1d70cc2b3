//! The `Assistant` handle on the real default model: idle unload and reload on demand.

mod support;

use std::time::{Duration, Instant};

use assistant_core::engine::{GenerationRequest, OutputConstraint};
use assistant_core::{Assistant, DataDir};

fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    done()
}

/// A data folder with the default model chosen and `idle_unload_secs` set, a runtime, and the handle.
fn assistant_with_idle_unload(
    secs: u64,
) -> (tempfile::TempDir, tokio::runtime::Runtime, Assistant) {
    let data = support::data_dir_with_model();
    std::fs::write(
        data.path().join("settings.json"),
        format!(
            r#"{{"active_model": "{}", "idle_unload_secs": {secs}}}"#,
            support::DEFAULT_MODEL_ID
        ),
    )
    .unwrap();
    let rt = support::runtime();
    let assistant = Assistant::open(DataDir::at(data.path()).unwrap());
    (data, rt, assistant)
}

#[test]
fn an_idle_model_is_unloaded_and_loaded_again_on_the_next_request() {
    let (_data, rt, assistant) = assistant_with_idle_unload(1);
    assert!(
        !assistant.is_loaded(),
        "nothing is loaded before the first request"
    );

    // A request that runs longer than the idle time keeps the model loaded. The constraint makes
    // it write all 800 tokens (over 2.5 s even at 300 tokens a second; 300 tokens stopped being
    // enough when decoding passed 120 tokens a second).
    let mut request = GenerationRequest::prompt("Sing.").with_max_tokens(800);
    request.constraint = OutputConstraint::Regex("(la ){800}".into());
    let long = rt.block_on(assistant.generate(request)).unwrap();
    let running = rt.spawn(long.collect());
    std::thread::sleep(Duration::from_millis(1_600));
    let still_running = !running.is_finished();
    assert!(
        assistant.is_loaded(),
        "unloaded while a request was running"
    );
    let (text, _) = rt.block_on(running).unwrap().unwrap();
    assert!(!text.is_empty());
    assert!(
        still_running,
        "the request should outlast the 1 s idle time for this test to mean anything"
    );

    // Once idle, it goes.
    assert!(
        wait_until(Duration::from_secs(15), || !assistant.is_loaded()),
        "the idle model was not unloaded"
    );

    // The next request loads it again.
    let (text, _) = rt
        .block_on(async {
            assistant
                .generate(GenerationRequest::prompt("Say hi.").with_max_tokens(4))
                .await?
                .collect()
                .await
        })
        .unwrap();
    assert!(!text.is_empty());
    assert!(assistant.is_loaded());
}

#[test]
fn with_idle_unload_off_the_model_stays() {
    let (_data, rt, assistant) = assistant_with_idle_unload(0);
    rt.block_on(async {
        assistant
            .generate(GenerationRequest::prompt("Hi").with_max_tokens(2))
            .await?
            .collect()
            .await
    })
    .unwrap();
    std::thread::sleep(Duration::from_secs(2));
    assert!(assistant.is_loaded());
    assistant.unload();
    assert!(!assistant.is_loaded());
}

/// `unload()` (choosing another model, measuring speed in the app) frees the model at once. The
/// idle watcher used to hold its own handle to the engine, so an unloaded model stayed in memory
/// until the watcher's next tick (up to 5 s), next to the one loaded after it.
#[test]
fn an_unloaded_model_is_freed_at_once_not_at_the_idle_watchers_next_tick() {
    let (_data, rt, assistant) = assistant_with_idle_unload(300);
    let engine = rt.block_on(assistant.engine()).unwrap();
    let watched = engine.downgrade();
    drop(engine);
    assert!(
        watched.upgrade().is_some(),
        "loaded and held by the assistant"
    );
    assistant.unload();
    assert!(
        watched.upgrade().is_none(),
        "something still holds the unloaded model"
    );
    assert!(!assistant.is_loaded());
}
