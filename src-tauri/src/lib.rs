//! The Tauri shell: one `Assistant` in managed state and thin IPC commands over it.
//!
//! Commands convert their input, make one core call, and convert the result into the shell's own
//! DTOs; errors cross IPC as `{kind, message}`.

use assistant_core::engine::{GenerationRequest, StreamEvent};
use assistant_core::{Assistant, CoreError, DataDir};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::Manager;

/// The error every command returns: a stable `kind` and a human `message`.
#[derive(Debug, Serialize)]
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
            app.manage(Assistant::open(dir));
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
