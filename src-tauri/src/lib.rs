//! The Tauri shell: one `Assistant` in managed state and thin IPC commands over it.
//!
//! Commands convert their input, make one core call, and convert the result into the shell's own
//! DTOs; errors cross IPC as `{kind, message}`.

use assistant_core::engine::{GenerationRequest, StreamEvent};
use assistant_core::ingest::IngestReport;
use assistant_core::{Assistant, CoreError, DataDir};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{Emitter, Manager};

/// The error every command returns: a stable `kind` and a human `message`.
#[derive(Debug, Clone, Serialize)]
pub struct CommandError {
    kind: &'static str,
    message: String,
}

impl From<CoreError> for CommandError {
    fn from(e: CoreError) -> Self {
        Self {
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfoDto {
    data_dir: String,
    active_model: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ChatEventDto {
    Token {
        text: String,
    },
    Done {
        prompt_tokens: usize,
        completion_tokens: usize,
        ttft_ms: f64,
        decode_tokens_per_sec: f64,
    },
}

/// Sent as the `library-synced` event after each sync of a local source (at start, then on
/// every change of a watched notes folder).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LibrarySyncedDto {
    source: String,
    added: u64,
    updated: u64,
    removed: u64,
    error: Option<CommandError>,
}

impl LibrarySyncedDto {
    fn new(source: &str, report: Result<IngestReport, CoreError>) -> Self {
        match report {
            Ok(r) => Self {
                source: source.to_string(),
                added: r.added,
                updated: r.updated,
                removed: r.removed,
                error: None,
            },
            Err(e) => Self {
                source: source.to_string(),
                added: 0,
                updated: 0,
                removed: 0,
                error: Some(e.into()),
            },
        }
    }
}

/// While the app runs: local sources ingested again at start, notes folders watched, new
/// passages embedded in the background, smart replies for new mail computed ahead.
fn keep_library_in_sync(app: &tauri::AppHandle, assistant: &Assistant) {
    let library = assistant.library().clone();
    let assistant = assistant.clone();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let precomputing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let on_sync = {
            let app = app.clone();
            move |source: &str, report: Result<IngestReport, CoreError>| {
                let new_mail = report.as_ref().is_ok_and(|r| r.added > 0);
                let _ = app.emit("library-synced", LibrarySyncedDto::new(source, report));
                // New mail: smart-reply suggestions computed ahead, behind what the user waits for.
                if new_mail && !precomputing.swap(true, std::sync::atomic::Ordering::SeqCst) {
                    let assistant = assistant.clone();
                    let precomputing = precomputing.clone();
                    tauri::async_runtime::spawn(async move {
                        if let Err(err) = assistant.precompute_replies(20).await {
                            tracing::info!(%err, "smart reply not computed ahead");
                        }
                        precomputing.store(false, std::sync::atomic::Ordering::SeqCst);
                    });
                }
            }
        };
        match library.keep_local_sources_in_sync(on_sync).await {
            // Watching lasts as long as `sync` lives: the app's lifetime.
            Ok(sync) => {
                std::future::pending::<()>().await;
                drop(sync);
            }
            Err(err) => tracing::warn!(%err, "local sources are not kept in sync"),
        }
    });
}

#[tauri::command]
fn app_info(assistant: tauri::State<'_, Assistant>) -> AppInfoDto {
    AppInfoDto {
        data_dir: assistant.data_dir().root().display().to_string(),
        active_model: assistant.models().active().ok().map(|m| m.id),
    }
}

/// Streams the answer to `prompt` over `on_event`.
#[tauri::command]
async fn chat(
    assistant: tauri::State<'_, Assistant>,
    prompt: String,
    on_event: Channel<ChatEventDto>,
) -> Result<(), CommandError> {
    let mut stream = assistant
        .generate(GenerationRequest::prompt(prompt))
        .await?;
    while let Some(event) = stream.next().await {
        let dto = match event? {
            StreamEvent::Token(text) => ChatEventDto::Token { text },
            StreamEvent::Done(s) => ChatEventDto::Done {
                prompt_tokens: s.prompt_tokens,
                completion_tokens: s.completion_tokens,
                ttft_ms: s.ttft_ms,
                decode_tokens_per_sec: s.decode_tokens_per_sec,
            },
        };
        // A closed window drops the channel; dropping the stream then cancels generation.
        if on_event.send(dto).is_err() {
            break;
        }
    }
    Ok(())
}

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    tauri::Builder::default()
        .setup(|app| {
            let dir = match std::env::var_os(assistant_core::data_dir::HOME_ENV) {
                Some(home) => DataDir::at(std::path::PathBuf::from(home)),
                None => DataDir::at(app.path().app_data_dir()?),
            }?;
            let assistant = Assistant::open(dir);
            keep_library_in_sync(app.handle(), &assistant);
            app.manage(assistant);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![app_info, chat])
        .run(tauri::generate_context!())
        .expect("error while running the app");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_cross_ipc_as_kind_and_message() {
        let e = CommandError::from(CoreError::ModelNotInstalled { id: "m".into() });
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["kind"], "model_not_installed");
        assert!(v["message"]
            .as_str()
            .unwrap()
            .contains("assistant models pull m"));
    }

    #[test]
    fn library_sync_events_carry_counts_or_the_error() {
        let ok = LibrarySyncedDto::new(
            "notes",
            Ok(IngestReport {
                added: 2,
                removed: 1,
                ..Default::default()
            }),
        );
        assert_eq!(
            serde_json::to_value(ok).unwrap(),
            serde_json::json!({"source": "notes", "added": 2, "updated": 0, "removed": 1, "error": null})
        );
        let failed = LibrarySyncedDto::new(
            "mail",
            Err(CoreError::NotFound {
                what: "folder /x".into(),
                hint: String::new(),
            }),
        );
        let v = serde_json::to_value(failed).unwrap();
        assert_eq!(v["error"]["kind"], "not_found");
        assert!(v["error"]["message"].as_str().unwrap().contains("/x"));
    }

    #[test]
    fn chat_events_use_the_ui_field_names() {
        let v = serde_json::to_value(ChatEventDto::Done {
            prompt_tokens: 1,
            completion_tokens: 2,
            ttft_ms: 3.0,
            decode_tokens_per_sec: 4.0,
        })
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"type": "done", "promptTokens": 1, "completionTokens": 2, "ttftMs": 3.0, "decodeTokensPerSec": 4.0})
        );
    }
}
