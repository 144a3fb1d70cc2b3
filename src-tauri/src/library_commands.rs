//! Commands for the inbox, threads, notes, search, smart replies and drafts, and the first run's
//! sample data: each converts its input, makes one core call and converts the result.

use assistant_core::browse::{InboxQuery, InboxThread, NoteListItem, OpenedThread};
use assistant_core::ingest::IngestSpec;
use assistant_core::ingest::Progress;
use assistant_core::library::Shown;
use assistant_core::mail::imap::ImapAccount;
use assistant_core::mail::Mailbox;
use assistant_core::reply::{Outcome, SmartReply};
use assistant_core::sample::SampleInstalled;
use assistant_core::search::SearchResult;
use assistant_core::store::SourceInfo;
use assistant_core::store::{Draft, MessageRecord, NoteRecord};
use assistant_core::{Assistant, Job};
use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;

use crate::CommandError;

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "InboxThread")]
#[serde(rename_all = "camelCase")]
pub struct InboxThreadDto {
    id: String,
    subject: String,
    participants: Vec<String>,
    #[ts(type = "number | null")]
    last_date: Option<i64>,
    #[ts(type = "number")]
    message_count: i64,
    #[ts(type = "number")]
    unread_count: i64,
    summary_line: String,
}

impl From<InboxThread> for InboxThreadDto {
    fn from(t: InboxThread) -> Self {
        Self {
            id: t.id,
            subject: t.subject,
            participants: t.participants,
            last_date: t.last_date,
            message_count: t.message_count,
            unread_count: t.unread_count,
            summary_line: t.summary_line,
        }
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "Mailbox")]
pub struct MailboxDto {
    name: String,
    address: String,
}

impl From<&Mailbox> for MailboxDto {
    fn from(m: &Mailbox) -> Self {
        Self {
            name: m.name.clone(),
            address: m.address.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "Attachment")]
pub struct AttachmentDto {
    filename: String,
    #[ts(type = "number")]
    size: u64,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "Message")]
#[serde(rename_all = "camelCase")]
pub struct MessageDto {
    id: String,
    message_id: Option<String>,
    subject: String,
    from: MailboxDto,
    to: Vec<MailboxDto>,
    cc: Vec<MailboxDto>,
    #[ts(type = "number | null")]
    date: Option<i64>,
    unread: bool,
    /// Where the user filed it: '' for the inbox, `Archive`, or a folder.
    filed_in: String,
    flagged: bool,
    labels: Vec<String>,
    body: String,
    attachments: Vec<AttachmentDto>,
}

impl From<MessageRecord> for MessageDto {
    fn from(m: MessageRecord) -> Self {
        Self {
            id: format!("m{}", m.id),
            message_id: m.message_id,
            subject: m.subject,
            from: (&m.from).into(),
            to: m.to.iter().map(MailboxDto::from).collect(),
            cc: m.cc.iter().map(MailboxDto::from).collect(),
            date: m.date,
            unread: m.unread,
            filed_in: m.filed_in,
            flagged: m.flagged,
            labels: m.labels,
            body: m.body_text,
            attachments: m
                .attachments
                .into_iter()
                .map(|a| AttachmentDto {
                    filename: a.filename,
                    size: a.size,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "Thread")]
pub struct ThreadDto {
    id: String,
    subject: String,
    messages: Vec<MessageDto>,
    focus: Option<String>,
}

impl From<OpenedThread> for ThreadDto {
    fn from(t: OpenedThread) -> Self {
        Self {
            id: t.id,
            subject: t.subject,
            messages: t.messages.into_iter().map(MessageDto::from).collect(),
            focus: t.focus,
        }
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "NoteItem")]
pub struct NoteItemDto {
    id: String,
    path: String,
    title: String,
    tags: Vec<String>,
    #[ts(type = "number")]
    modified: i64,
}

impl From<NoteListItem> for NoteItemDto {
    fn from(n: NoteListItem) -> Self {
        Self {
            id: n.id,
            path: n.path,
            title: n.title,
            tags: n.tags,
            modified: n.modified,
        }
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "NoteLink")]
pub struct NoteLinkDto {
    target: String,
    id: Option<String>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "Backlink")]
pub struct BacklinkDto {
    id: String,
    title: String,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "Note")]
pub struct NoteDto {
    id: String,
    path: String,
    title: String,
    tags: Vec<String>,
    body: String,
    links: Vec<NoteLinkDto>,
    backlinks: Vec<BacklinkDto>,
}

impl From<NoteRecord> for NoteDto {
    fn from(n: NoteRecord) -> Self {
        Self {
            id: format!("n{}", n.id),
            links: n
                .links
                .iter()
                .map(|l| NoteLinkDto {
                    target: l.target.clone(),
                    id: l.note_id.map(|r| format!("n{r}")),
                })
                .collect(),
            backlinks: n
                .backlinks
                .iter()
                .map(|b| BacklinkDto {
                    id: format!("n{}", b.note_id),
                    title: b.title.clone(),
                })
                .collect(),
            path: n.path,
            title: n.title,
            tags: n.tags,
            body: n.body,
        }
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "SearchHit")]
#[serde(rename_all = "camelCase")]
pub struct SearchHitDto {
    id: String,
    #[ts(type = "'message' | 'note'")]
    kind: &'static str,
    title: String,
    snippet: String,
    thread_id: Option<String>,
    #[ts(type = "number | null")]
    date: Option<i64>,
}

impl From<SearchResult> for SearchHitDto {
    fn from(r: SearchResult) -> Self {
        Self {
            kind: if r.id.starts_with('n') {
                "note"
            } else {
                "message"
            },
            id: r.id,
            title: r.title,
            snippet: r.snippet.text,
            thread_id: None,
            date: r.date,
        }
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "SmartReply")]
#[serde(rename_all = "camelCase")]
pub struct SmartReplyDto {
    message: String,
    suggestions: Vec<String>,
    /// Why there are none, in words.
    reason: Option<String>,
    #[ts(type = "number")]
    elapsed_ms: u64,
    cached: bool,
    #[ts(type = "'local' | 'cloud'")]
    route: String,
    /// The cloud model wrote them (and what went out), or why they were written here after all.
    notice: Option<String>,
}

impl From<SmartReply> for SmartReplyDto {
    fn from(r: SmartReply) -> Self {
        let (suggestions, reason) = match r.outcome {
            Outcome::Suggestions(s) => (s.into_iter().map(|s| s.text).collect(), None),
            Outcome::Skipped(why) => (Vec::new(), Some(why.explain().to_string())),
        };
        Self {
            message: r.message,
            suggestions,
            reason,
            elapsed_ms: r.elapsed_ms,
            cached: r.cached,
            route: r.route.to_string(),
            notice: r.notice,
        }
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "Draft")]
#[serde(rename_all = "camelCase")]
pub struct DraftDto {
    #[ts(type = "number")]
    id: i64,
    message: Option<String>,
    to: Vec<String>,
    subject: String,
    body: String,
    #[ts(type = "number")]
    updated_at: i64,
}

impl From<Draft> for DraftDto {
    fn from(d: Draft) -> Self {
        Self {
            id: d.id,
            message: d.in_reply_to.map(|m| format!("m{m}")),
            to: d.to,
            subject: d.subject,
            body: d.body,
            updated_at: d.updated_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "Progress")]
pub struct ProgressDto {
    stage: String,
    #[ts(type = "number")]
    done: u64,
    #[ts(type = "number | null")]
    total: Option<u64>,
}

impl ProgressDto {
    fn new(source: &str, p: Progress) -> Self {
        let (what, done, total) = match p {
            Progress::Scanning => ("looking for files", 0, None),
            Progress::Reading { done, total } => ("reading", done, Some(total)),
            Progress::Threading => ("threading", 0, None),
            Progress::Indexing { done, total } => ("indexing", done, Some(total)),
        };
        Self {
            stage: format!("{source}: {what}"),
            done,
            total,
        }
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "SampleInstalled")]
pub struct SampleInstalledDto {
    #[ts(type = "number")]
    messages: u64,
    #[ts(type = "number")]
    notes: u64,
}

impl From<SampleInstalled> for SampleInstalledDto {
    fn from(s: SampleInstalled) -> Self {
        Self {
            messages: s.messages,
            notes: s.notes,
        }
    }
}

/// First run: the bundled sample mailbox and notes, written to the data folder and indexed.
#[tauri::command]
pub async fn install_sample_data(
    assistant: tauri::State<'_, Assistant>,
    on_progress: Channel<ProgressDto>,
) -> Result<SampleInstalledDto, CommandError> {
    let dir = assistant.data_dir().root().join("sample");
    let installed = assistant
        .library()
        .install_sample_data(dir, move |source, p| {
            let _ = on_progress.send(ProgressDto::new(source, p));
        })
        .await?;
    Ok(installed.into())
}

/// Threads for the inbox, newest first, or those matching `query`.
#[tauri::command]
pub async fn inbox(
    assistant: tauri::State<'_, Assistant>,
    query: Option<String>,
    unread_only: bool,
    limit: usize,
    offset: usize,
) -> Result<Vec<InboxThreadDto>, CommandError> {
    let q = InboxQuery {
        query,
        unread_only,
        limit,
        offset,
    };
    let threads = assistant.library().inbox(q).await?;
    Ok(threads.into_iter().map(InboxThreadDto::from).collect())
}

/// A thread (`t5`) or the thread of a message (`m12`), marked read.
#[tauri::command]
pub async fn open_thread(
    assistant: tauri::State<'_, Assistant>,
    id: String,
) -> Result<ThreadDto, CommandError> {
    Ok(assistant.library().open_thread(&id).await?.into())
}

/// Every note by title, or those matching `query`.
#[tauri::command]
pub async fn notes_list(
    assistant: tauri::State<'_, Assistant>,
    query: Option<String>,
) -> Result<Vec<NoteItemDto>, CommandError> {
    let notes = assistant.library().notes(query.as_deref()).await?;
    Ok(notes.into_iter().map(NoteItemDto::from).collect())
}

/// A note (`n3`, or its path) with its links resolved.
#[tauri::command]
pub async fn open_note(
    assistant: tauri::State<'_, Assistant>,
    id: String,
) -> Result<NoteDto, CommandError> {
    match assistant.library().show(&id).await? {
        Shown::Note(n) => Ok((*n).into()),
        _ => Err(CommandError::invalid(format!(
            "`{id}` is not a note (use an id like n3 or a note path)"
        ))),
    }
}

/// Mail and notes matching `query` (words and filters such as `from:kenneth`).
#[tauri::command]
pub async fn search(
    assistant: tauri::State<'_, Assistant>,
    query: String,
    limit: usize,
) -> Result<Vec<SearchHitDto>, CommandError> {
    let hits = assistant.library().search(&query, limit.max(1)).await?;
    Ok(hits.into_iter().map(SearchHitDto::from).collect())
}

/// Three short reply suggestions for a message (`m12`), or why it gets none.
#[tauri::command]
pub async fn smart_reply(
    assistant: tauri::State<'_, Assistant>,
    id: String,
    fresh: bool,
    cloud: Option<bool>,
) -> Result<SmartReplyDto, CommandError> {
    let reply = assistant
        .smart_reply_routed(&id, fresh, cloud.unwrap_or(false))
        .await?;
    Ok(reply.into())
}

/// A draft reply to `id` from suggestion `index`.
#[tauri::command]
pub async fn pick_reply(
    assistant: tauri::State<'_, Assistant>,
    id: String,
    index: usize,
) -> Result<DraftDto, CommandError> {
    Ok(assistant.pick_reply(&id, index).await?.into())
}

/// Saves the edited text of a draft.
#[tauri::command]
pub async fn save_draft(
    assistant: tauri::State<'_, Assistant>,
    id: i64,
    body: String,
) -> Result<DraftDto, CommandError> {
    Ok(assistant.library().edit_draft(id, body).await?.into())
}

/// Every draft, newest first.
#[tauri::command]
pub async fn drafts(assistant: tauri::State<'_, Assistant>) -> Result<Vec<DraftDto>, CommandError> {
    let drafts = assistant.library().drafts().await?;
    Ok(drafts.into_iter().map(DraftDto::from).collect())
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "Source")]
#[serde(rename_all = "camelCase")]
pub struct SourceDto {
    #[ts(type = "number")]
    id: i64,
    #[ts(type = "'maildir' | 'mbox' | 'eml' | 'imap' | 'notes'")]
    kind: &'static str,
    location: String,
    name: String,
    #[ts(type = "'local' | 'private' | 'cloud'")]
    privacy: String,
    #[ts(type = "number | null")]
    last_sync: Option<i64>,
    #[ts(type = "number")]
    messages: i64,
    #[ts(type = "number")]
    notes: i64,
    /// An IMAP account whose password is not in the keyring (it cannot be read until entered).
    needs_password: bool,
}

impl From<SourceInfo> for SourceDto {
    fn from(s: SourceInfo) -> Self {
        Self {
            id: s.id,
            kind: s.kind.as_str(),
            location: s.location,
            name: s.name,
            privacy: s.privacy,
            last_sync: s.last_sync,
            messages: s.messages,
            notes: s.notes,
            needs_password: s.needs_password,
        }
    }
}

/// Every source of mail and notes, with counts and privacy labels.
#[tauri::command]
pub async fn sources_list(
    assistant: tauri::State<'_, Assistant>,
) -> Result<Vec<SourceDto>, CommandError> {
    let sources = assistant.library().sources().await?;
    Ok(sources.into_iter().map(SourceDto::from).collect())
}

/// Reads a maildir, mbox file or notes folder into the library, with progress; `cancel_ingest`
/// stops it (what was read is kept).
#[tauri::command]
pub async fn add_source(
    assistant: tauri::State<'_, Assistant>,
    kind: String,
    path: String,
    on_progress: Channel<ProgressDto>,
) -> Result<SourceDto, CommandError> {
    let path = std::path::PathBuf::from(path.trim());
    let spec = match kind.as_str() {
        "maildir" => IngestSpec::Maildir(path),
        "mbox" => IngestSpec::Mbox(path),
        "notes" => IngestSpec::Notes(path),
        other => {
            return Err(CommandError::invalid(format!(
                "add a source: `{other}` is not maildir, mbox or notes"
            )))
        }
    };
    let (cancel, watcher) = ingest_cancel_flag(&assistant);
    let added = assistant
        .library()
        .add_source(
            spec,
            move |p| {
                let _ = on_progress.send(ProgressDto::new(&kind, p));
            },
            cancel,
        )
        .await;
    watcher.abort();
    Ok(added?.into())
}

/// A flag the ingest checks between batches, raised by `cancel_ingest` while the task lives.
fn ingest_cancel_flag(
    assistant: &Assistant,
) -> (
    std::sync::Arc<std::sync::atomic::AtomicBool>,
    tauri::async_runtime::JoinHandle<()>,
) {
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut cancel_requests = assistant.cancel_requests(Job::Ingest);
    let flag = cancel.clone();
    let watcher = tauri::async_runtime::spawn(async move {
        if cancel_requests.changed().await.is_ok() {
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    });
    (cancel, watcher)
}

/// An IMAP account as the settings form sends it.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[ts(rename = "ImapAccountInput")]
pub struct ImapAccountInput {
    host: String,
    #[ts(type = "number")]
    port: u16,
    user: String,
    password: String,
    #[ts(type = "'tls' | 'plain'")]
    security: String,
    folders: Vec<String>,
}

/// Connects an IMAP account and reads its mail, with progress; the password goes to the OS
/// keyring once the server accepts it. `cancel_ingest` stops the read (the account stays).
#[tauri::command]
pub async fn add_imap_account(
    assistant: tauri::State<'_, Assistant>,
    account: ImapAccountInput,
    on_progress: Channel<ProgressDto>,
) -> Result<SourceDto, CommandError> {
    let tls = match account.security.as_str() {
        "tls" => true,
        "plain" => false,
        other => {
            return Err(CommandError::invalid(format!(
                "account security `{other}`: use tls or plain"
            )))
        }
    };
    let account = ImapAccount {
        host: account.host.trim().to_string(),
        port: account.port,
        user: account.user.trim().to_string(),
        password: account.password,
        tls,
        folders: account
            .folders
            .into_iter()
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .collect(),
    };
    let (cancel, watcher) = ingest_cancel_flag(&assistant);
    let added = assistant
        .library()
        .add_imap_account(
            account,
            move |p| {
                let _ = on_progress.send(ProgressDto::new("imap", p));
            },
            cancel,
        )
        .await;
    watcher.abort();
    Ok(added?.0.into())
}

/// Reads one source again now (an IMAP account with its saved password), with progress.
#[tauri::command]
pub async fn sync_source(
    assistant: tauri::State<'_, Assistant>,
    id: i64,
    on_progress: Channel<ProgressDto>,
) -> Result<SourceDto, CommandError> {
    let (cancel, watcher) = ingest_cancel_flag(&assistant);
    let synced = assistant
        .library()
        .sync_source(
            id,
            move |p| {
                let _ = on_progress.send(ProgressDto::new("sync", p));
            },
            cancel,
        )
        .await;
    watcher.abort();
    Ok(synced?.into())
}

/// Stops the folder being read now.
#[tauri::command]
pub fn cancel_ingest(assistant: tauri::State<'_, Assistant>) {
    assistant.cancel(Job::Ingest);
}

/// Sets a source's privacy label: `local`, `private` (never leaves the device) or `cloud`.
#[tauri::command]
pub async fn set_source_privacy(
    assistant: tauri::State<'_, Assistant>,
    id: i64,
    privacy: String,
) -> Result<SourceDto, CommandError> {
    Ok(assistant
        .library()
        .set_source_privacy(id, &privacy)
        .await?
        .into())
}
