//! The Tauri shell: one `Assistant` in managed state and thin IPC commands over it.
//!
//! Commands convert their input, make one core call, and convert the result into the shell's own
//! DTOs; errors cross IPC as `{kind, message}`.

mod action_commands;
mod cloud_commands;
mod library_commands;
mod model_commands;
mod outbox_commands;

use assistant_core::ask::{AskEvent, AskScope, Citation};
use assistant_core::engine::{GenerationRequest, StreamEvent};
use assistant_core::index::DocKind;
use assistant_core::ingest::IngestReport;
use assistant_core::summary::{Summary, SummaryTarget};
use assistant_core::{Assistant, CoreError, DataDir, Job};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{Emitter, Manager};

/// The error every command returns: a stable `kind` and a human `message`.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "CommandError")]
pub struct CommandError {
    kind: &'static str,
    message: String,
}

impl CommandError {
    pub(crate) fn invalid(message: String) -> Self {
        Self {
            kind: "invalid_request",
            message,
        }
    }

    pub(crate) fn cancelled(message: String) -> Self {
        Self {
            kind: "cancelled",
            message,
        }
    }
}

impl From<CoreError> for CommandError {
    fn from(e: CoreError) -> Self {
        Self {
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}

#[derive(Debug, Serialize, ts_rs::TS)]
#[ts(rename = "AppInfo")]
#[serde(rename_all = "camelCase")]
pub struct AppInfoDto {
    data_dir: String,
    active_model: Option<String>,
    /// Nothing added yet: the UI offers the guided first run.
    first_run: bool,
    counts: CountsDto,
}

#[derive(Debug, Serialize, ts_rs::TS)]
#[ts(rename = "Counts")]
pub struct CountsDto {
    #[ts(type = "number")]
    messages: i64,
    #[ts(type = "number")]
    threads: i64,
    #[ts(type = "number")]
    notes: i64,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "ChatEvent")]
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

/// What to summarise: `kind` is `message`, `thread`, `note` or `day`; `id` the message (m12 or a
/// Message-ID), thread (t5 or one of its messages), note (n3 or its path), or day (YYYY-MM-DD;
/// none = today).
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[ts(rename = "SummaryRequest")]
#[serde(rename_all = "camelCase")]
pub struct SummaryRequestDto {
    kind: String,
    id: Option<String>,
    /// Have the cloud model write it when the privacy router lets the text go.
    #[serde(default)]
    #[ts(optional)]
    cloud: Option<bool>,
}

impl SummaryRequestDto {
    fn into_target(self) -> Result<SummaryTarget, CommandError> {
        let need_id = |id: Option<String>| {
            id.ok_or_else(|| CommandError {
                kind: "invalid_request",
                message: format!("summarize {}: which one? (id missing)", self.kind),
            })
        };
        Ok(match self.kind.as_str() {
            "message" => SummaryTarget::Message(need_id(self.id.clone())?),
            "thread" => SummaryTarget::Thread(need_id(self.id.clone())?),
            "note" => SummaryTarget::Note(need_id(self.id.clone())?),
            "day" => SummaryTarget::Day(self.id.clone()),
            other => {
                return Err(CommandError {
                    kind: "invalid_request",
                    message: format!("summarize: `{other}` is not message, thread, note or day"),
                })
            }
        })
    }
}

/// A summary as the UI shows it (always labelled machine-written).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "Summary")]
#[serde(rename_all = "camelCase")]
pub struct SummaryDto {
    target: String,
    title: String,
    gist: String,
    /// `model`, `subject`, `lead_sentence` or `counts`.
    gist_from: String,
    points: Vec<String>,
    sources: Vec<String>,
    model: String,
    machine_written: bool,
    /// Points left out for stating what the source does not.
    points_removed: usize,
    /// What the fact check did not find in the source.
    unsupported: Vec<String>,
    #[ts(type = "number")]
    elapsed_ms: u64,
    /// Where it was written: `local` or `cloud`.
    #[ts(type = "'local' | 'cloud'")]
    route: String,
    /// Why it stayed on the device, or fell back to it; or what went to the cloud.
    notice: Option<String>,
}

impl From<Summary> for SummaryDto {
    fn from(s: Summary) -> Self {
        Self {
            gist_from: serde_json::to_value(s.gist_from)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            points_removed: s.check.points_removed.len(),
            unsupported: s.check.unsupported.into_iter().map(|f| f.text).collect(),
            target: s.target,
            title: s.title,
            gist: s.gist,
            points: s.points,
            sources: s.sources,
            model: s.model,
            machine_written: s.machine_written,
            elapsed_ms: s.elapsed_ms,
            route: s.route.to_string(),
            notice: s.notice,
        }
    }
}

/// A passage an answer may cite; `id` opens it (m12 / n3).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "Citation")]
#[serde(rename_all = "camelCase")]
pub struct CitationDto {
    n: usize,
    id: String,
    message_id: Option<String>,
    path: Option<String>,
    title: String,
    from: Option<String>,
    #[ts(type = "number | null")]
    date: Option<i64>,
    passage: String,
}

impl From<Citation> for CitationDto {
    fn from(c: Citation) -> Self {
        Self {
            n: c.n,
            id: c.id,
            message_id: c.message_id,
            path: c.path,
            title: c.title,
            from: c.from,
            date: c.date,
            passage: c.passage,
        }
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "AskEvent")]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum AskEventDto {
    Passages {
        passages: Vec<CitationDto>,
    },
    Token {
        text: String,
    },
    /// The text so far is withdrawn and written again; `notice` says why.
    Restart {
        notice: String,
    },
    Done {
        answer: String,
        found: bool,
        cited: Vec<usize>,
        unsupported: Vec<String>,
        #[ts(type = "number")]
        elapsed_ms: u64,
        #[ts(type = "'local' | 'cloud'")]
        route: String,
        /// The cloud model wrote it (and what went out), or why it was written here after all.
        notice: Option<String>,
    },
}

impl From<AskEvent> for AskEventDto {
    fn from(e: AskEvent) -> Self {
        match e {
            AskEvent::Passages(p) => Self::Passages {
                passages: p.into_iter().map(CitationDto::from).collect(),
            },
            AskEvent::Token(text) => Self::Token { text },
            AskEvent::Restart(notice) => Self::Restart { notice },
            AskEvent::Done(a) => Self::Done {
                answer: a.answer,
                found: a.found,
                cited: a.cited,
                unsupported: a.unsupported.into_iter().map(|f| f.text).collect(),
                elapsed_ms: a.elapsed_ms,
                route: a.route.to_string(),
                notice: a.notice,
            },
        }
    }
}

/// Sent as the `library-synced` event after each sync of a local source (at start, then on
/// every change of a watched notes folder).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "LibrarySynced")]
#[serde(rename_all = "camelCase")]
pub struct LibrarySyncedDto {
    source: String,
    #[ts(type = "number")]
    added: u64,
    #[ts(type = "number")]
    updated: u64,
    #[ts(type = "number")]
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

/// A machine-written summary of a message, thread, note or day.
#[tauri::command]
async fn summarize(
    assistant: tauri::State<'_, Assistant>,
    request: SummaryRequestDto,
) -> Result<SummaryDto, CommandError> {
    let cloud = request.cloud.unwrap_or(false);
    let target = request.into_target()?;
    let summary = assistant.summarize_routed(target, cloud).await?;
    Ok(summary.into())
}

/// What summarizing would send to the cloud model, and where, without sending anything.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "CloudPreview")]
pub struct CloudPreviewDto {
    /// `cloud` or `local` (it stays here), and why.
    #[ts(type = "'cloud' | 'local'")]
    route: String,
    reason: String,
    server: String,
    model: String,
    chars: usize,
    sources: Vec<String>,
    /// [placeholder, the original that stays on the device]
    placeholders: Vec<(String, String)>,
    /// The text exactly as it would be sent.
    text: String,
}

impl From<assistant_core::cloud::CloudPreview> for CloudPreviewDto {
    fn from(p: assistant_core::cloud::CloudPreview) -> Self {
        let (route, reason) = match p.route {
            assistant_core::privacy::Route::Cloud { reason } => ("cloud", reason),
            assistant_core::privacy::Route::Local { reason } => ("local", reason),
        };
        CloudPreviewDto {
            route: route.into(),
            reason,
            server: p.server,
            model: p.model,
            chars: p.chars,
            sources: p.sources,
            placeholders: p.placeholders,
            text: p.text,
        }
    }
}

/// What summarizing with the cloud model would send; nothing is sent.
#[tauri::command]
async fn summary_cloud_preview(
    assistant: tauri::State<'_, Assistant>,
    request: SummaryRequestDto,
) -> Result<CloudPreviewDto, CommandError> {
    let target = request.into_target()?;
    Ok(assistant.summary_cloud_preview(target).await?.into())
}

/// What asking the cloud model `question` would send; nothing is sent.
#[tauri::command]
async fn ask_cloud_preview(
    assistant: tauri::State<'_, Assistant>,
    question: String,
    source: Option<String>,
    about: Option<String>,
) -> Result<CloudPreviewDto, CommandError> {
    let scope = ask_scope(source, about)?;
    Ok(assistant.ask_cloud_preview(&question, scope).await?.into())
}

/// What asking the cloud model for reply suggestions to message `id` would send; nothing is sent.
#[tauri::command]
async fn reply_cloud_preview(
    assistant: tauri::State<'_, Assistant>,
    id: String,
) -> Result<CloudPreviewDto, CommandError> {
    Ok(assistant.reply_cloud_preview(&id).await?.into())
}

/// Where to look: `source` is `mail`, `notes` or `all` (or none), `about` one message, thread
/// or note.
fn ask_scope(source: Option<String>, about: Option<String>) -> Result<AskScope, CommandError> {
    let kind = match source.as_deref() {
        None | Some("all") => None,
        Some("mail") => Some(DocKind::Mail),
        Some("notes") => Some(DocKind::Note),
        Some(other) => {
            return Err(CommandError {
                kind: "invalid_request",
                message: format!("ask: source `{other}` is not mail, notes or all"),
            })
        }
    };
    Ok(AskScope { kind, about })
}

/// Answers `question` from the user's mail (`source: "mail"`), notes (`"notes"`) or both, or
/// about one message/thread/note (`about`); passages, tokens and the finished answer stream over
/// `on_event`.
#[tauri::command]
async fn ask(
    assistant: tauri::State<'_, Assistant>,
    question: String,
    source: Option<String>,
    about: Option<String>,
    cloud: Option<bool>,
    on_event: Channel<AskEventDto>,
) -> Result<(), CommandError> {
    let scope = ask_scope(source, about)?;
    let mut stop = assistant.cancel_requests(Job::Streaming);
    let mut stream = assistant
        .ask_routed(&question, scope, cloud.unwrap_or(false))
        .await?;
    loop {
        let event = tokio::select! {
            event = stream.next() => event,
            // Stop pressed: dropping the stream stops the model.
            _ = stop.changed() => None,
        };
        let Some(event) = event else { break };
        // A closed window drops the channel; dropping the stream then stops the model.
        if on_event.send(event?.into()).is_err() {
            break;
        }
    }
    Ok(())
}

/// The data folder, the active model and what the library holds.
#[tauri::command]
async fn app_info(assistant: tauri::State<'_, Assistant>) -> Result<AppInfoDto, CommandError> {
    let counts = assistant.library().status().await?.counts;
    Ok(AppInfoDto {
        data_dir: assistant.data_dir().root().display().to_string(),
        active_model: assistant.models().active().ok().map(|m| m.id),
        first_run: counts.sources == 0,
        counts: CountsDto {
            messages: counts.messages,
            threads: counts.threads,
            notes: counts.notes,
        },
    })
}

/// Stops the answers streaming now (chat and ask).
#[tauri::command]
fn stop_generation(assistant: tauri::State<'_, Assistant>) {
    assistant.cancel(Job::Streaming);
}

/// Streams the answer to `prompt` over `on_event`.
#[tauri::command]
async fn chat(
    assistant: tauri::State<'_, Assistant>,
    prompt: String,
    on_event: Channel<ChatEventDto>,
) -> Result<(), CommandError> {
    let mut stop = assistant.cancel_requests(Job::Streaming);
    let mut stream = assistant
        .generate(GenerationRequest::prompt(prompt))
        .await?;
    loop {
        let event = tokio::select! {
            event = stream.next() => event,
            _ = stop.changed() => None,
        };
        let Some(event) = event else { break };
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

/// The TypeScript declarations of every type that crosses IPC, as `ui/src/bindings.ts` holds
/// them (the UI imports its types from there; a test fails when the two drift).
pub fn typescript_bindings() -> String {
    use action_commands as a;
    use cloud_commands as c;
    use library_commands as l;
    use model_commands as m;
    use outbox_commands as o;
    use ts_rs::TS;
    let decls = [
        CommandError::decl(),
        AppInfoDto::decl(),
        CountsDto::decl(),
        ChatEventDto::decl(),
        SummaryRequestDto::decl(),
        SummaryDto::decl(),
        CloudPreviewDto::decl(),
        CitationDto::decl(),
        AskEventDto::decl(),
        LibrarySyncedDto::decl(),
        l::InboxThreadDto::decl(),
        l::MailboxDto::decl(),
        l::AttachmentDto::decl(),
        l::MessageDto::decl(),
        l::ThreadDto::decl(),
        l::NoteItemDto::decl(),
        l::NoteLinkDto::decl(),
        l::BacklinkDto::decl(),
        l::NoteDto::decl(),
        l::SearchHitDto::decl(),
        l::SmartReplyDto::decl(),
        l::DraftDto::decl(),
        l::ProgressDto::decl(),
        l::SampleInstalledDto::decl(),
        l::SourceDto::decl(),
        l::ImapAccountInput::decl(),
        o::OutboxItemDto::decl(),
        o::DeliveryReportDto::decl(),
        o::SendingAccountDto::decl(),
        o::SendingAccountInput::decl(),
        a::ActionDto::decl(),
        a::PlanDto::decl(),
        a::StepPreviewDto::decl(),
        a::PlannedDto::decl(),
        a::StepOutcomeDto::decl(),
        a::AuditEntryDto::decl(),
        a::ReminderDto::decl(),
        c::CloudSettingsDto::decl(),
        c::CloudSettingsInput::decl(),
        c::CloudCallDto::decl(),
        m::ModelDto::decl(),
        m::DownloadProgressDto::decl(),
        m::BenchRowDto::decl(),
        m::BenchReportDto::decl(),
    ];
    let mut out = String::from(
        "// Generated from the Rust types in src-tauri (`assistant_app_lib::typescript_bindings`).\n\
         // Do not edit: run `UPDATE_BINDINGS=1 cargo test -p assistant-app --lib bindings`.\n",
    );
    for d in decls {
        out.push_str("\nexport ");
        out.push_str(&d);
        out.push('\n');
    }
    out
}

/// The app's commands on a builder of any runtime: the real one in [`run`], Tauri's mock runtime
/// in the command tests.
pub fn with_commands<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        app_info,
        chat,
        summarize,
        summary_cloud_preview,
        ask_cloud_preview,
        reply_cloud_preview,
        ask,
        stop_generation,
        library_commands::install_sample_data,
        library_commands::inbox,
        library_commands::open_thread,
        library_commands::notes_list,
        library_commands::open_note,
        library_commands::search,
        library_commands::smart_reply,
        library_commands::pick_reply,
        library_commands::save_draft,
        library_commands::drafts,
        library_commands::sources_list,
        library_commands::add_source,
        library_commands::add_imap_account,
        library_commands::sync_source,
        library_commands::cancel_ingest,
        library_commands::set_source_privacy,
        model_commands::models_list,
        model_commands::choose_model,
        model_commands::import_model,
        model_commands::download_model,
        model_commands::cancel_download,
        model_commands::remove_model,
        model_commands::run_bench,
        model_commands::stop_bench,
        outbox_commands::send_draft,
        outbox_commands::outbox_list,
        outbox_commands::retry_outbox,
        outbox_commands::cancel_outgoing,
        outbox_commands::sending_account,
        outbox_commands::set_sending_account,
        action_commands::plan_request,
        action_commands::run_plan,
        action_commands::undo_action,
        action_commands::action_log,
        action_commands::reminders_list,
        cloud_commands::cloud_settings,
        cloud_commands::set_cloud,
        cloud_commands::cloud_off,
        cloud_commands::cloud_calls,
    ])
}

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    with_commands(tauri::Builder::default())
        .setup(|app| {
            let dir = match std::env::var_os(assistant_core::data_dir::HOME_ENV) {
                Some(home) => DataDir::at(std::path::PathBuf::from(home)),
                None => DataDir::at(app.path().app_data_dir()?),
            }?;
            let assistant = Assistant::open(dir);
            keep_library_in_sync(app.handle(), &assistant);
            // The outbox is retried in the background while the app runs.
            tauri::async_runtime::spawn(assistant.clone().keep_delivering());
            app.manage(assistant);
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("error while running the app");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typescript_bindings_match_the_rust_types() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts");
        let generated = typescript_bindings();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "ui/src/bindings.ts is not what the Rust types give: run \
             `UPDATE_BINDINGS=1 cargo test -p assistant-app --lib bindings` and adapt the UI"
        );
    }

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
    fn summary_requests_name_their_target_and_bad_ones_say_why() {
        let req = |kind: &str, id: Option<&str>| SummaryRequestDto {
            kind: kind.into(),
            id: id.map(String::from),
            cloud: None,
        };
        assert_eq!(
            req("thread", Some("t5")).into_target().unwrap(),
            SummaryTarget::Thread("t5".into())
        );
        assert_eq!(
            req("day", None).into_target().unwrap(),
            SummaryTarget::Day(None)
        );
        let e = req("note", None).into_target().unwrap_err();
        assert_eq!(e.kind, "invalid_request");
        assert!(e.message.contains("id missing"), "{}", e.message);
        assert!(req("week", None)
            .into_target()
            .unwrap_err()
            .message
            .contains("`week`"));
    }

    #[test]
    fn ask_events_use_the_ui_field_names() {
        let v = serde_json::to_value(AskEventDto::Done {
            answer: "Thursday [1].".into(),
            found: true,
            cited: vec![1],
            unsupported: vec![],
            elapsed_ms: 5,
            route: "cloud".into(),
            notice: Some("Written by the cloud model".into()),
        })
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"type": "done", "answer": "Thursday [1].", "found": true,
                "cited": [1], "unsupported": [], "elapsedMs": 5, "route": "cloud",
                "notice": "Written by the cloud model"})
        );
        let v = serde_json::to_value(AskEventDto::Restart {
            notice: "asking the cloud model".into(),
        })
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"type": "restart", "notice": "asking the cloud model"})
        );
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
