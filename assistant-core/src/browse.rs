//! What the app's inbox and notes screens show: threads with a summary line, a thread opened
//! with its messages (and marked read), the notes list. The CLI's `threads`/`show` read the same.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use serde::Serialize;

use crate::chunk::mail_new_text;
use crate::error::{CoreError, Result};
use crate::index::{DocKey, DocKind};
use crate::ingest::IngestSpec;
use crate::library::{blocking, Library};
use crate::mail::imap::ImapAccount;
use crate::search::{self, SearchMode};
use crate::secrets::{imap_entry, Keyring};
use crate::store::{InboxRow, MessageRecord, SourceInfo, SourceKind};
use crate::summary::lead_sentence;

/// Which threads the inbox shows.
#[derive(Debug, Clone, Default)]
pub struct InboxQuery {
    /// Search words and filters (`from:kenneth budget`); none = every thread, newest first.
    pub query: Option<String>,
    pub unread_only: bool,
    pub limit: usize,
    pub offset: usize,
}

/// A thread as the inbox lists it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct InboxThread {
    /// `t5`: what `open_thread` and `show` take.
    pub id: String,
    pub subject: String,
    pub participants: Vec<String>,
    pub last_date: Option<i64>,
    pub message_count: i64,
    pub unread_count: i64,
    /// The first sentence of the newest message's own text (quoted history left out).
    pub summary_line: String,
}

/// A thread with its messages, oldest first.
#[derive(Debug, Clone, Serialize)]
pub struct OpenedThread {
    pub id: String,
    pub subject: String,
    pub messages: Vec<MessageRecord>,
    /// The message asked for, when the thread was opened by one of its messages (`m12`).
    pub focus: Option<String>,
}

/// A note as the notes list shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NoteListItem {
    /// `n3`.
    pub id: String,
    pub path: String,
    pub title: String,
    pub tags: Vec<String>,
    pub modified: i64,
}

/// How many search hits an inbox search looks through to find its threads.
const SEARCH_DEPTH: usize = 200;

impl Library {
    /// Threads for the inbox: newest first, or for a search, the threads of the matching mail in
    /// the order of their best match.
    pub async fn inbox(&self, q: InboxQuery) -> Result<Vec<InboxThread>> {
        let limit = if q.limit == 0 { 50 } else { q.limit };
        let query = q.query.as_deref().map(str::trim).unwrap_or("");
        let thread_order = if query.is_empty() {
            None
        } else {
            let (text, mut filters) = search::parse_query(query)?;
            filters.kind = Some(DocKind::Mail);
            let hits = self
                .search_with(text, filters, SEARCH_DEPTH, SearchMode::Auto)
                .await?;
            let messages: Vec<i64> = hits
                .iter()
                .filter_map(|h| match DocKey::parse(&h.id) {
                    Some(DocKey::Message(n)) => Some(n),
                    _ => None,
                })
                .collect();
            Some(messages)
        };
        let this = self.clone();
        blocking(move || {
            let store = this.open_store()?;
            let rows = match thread_order {
                None => store.inbox(q.unread_only, limit, q.offset)?,
                Some(messages) => store
                    .inbox_rows(&store.threads_of(&messages)?)?
                    .into_iter()
                    .filter(|r| !q.unread_only || r.unread_count > 0)
                    .skip(q.offset)
                    .take(limit)
                    .collect(),
            };
            Ok(rows.into_iter().map(InboxThread::from).collect())
        })
        .await
    }

    /// A thread (`t5`) or the thread of a message (`m12`, a Message-ID) with all its messages;
    /// opening it marks them read.
    pub async fn open_thread(&self, id: &str) -> Result<OpenedThread> {
        let id = id.trim().to_string();
        let this = self.clone();
        blocking(move || {
            let store = this.open_store()?;
            let not_found = || CoreError::NotFound {
                what: format!("thread `{id}`"),
                hint: ": use an id from the inbox (t5) or a message id (m12)".into(),
            };
            let (thread_id, focus) = match id.strip_prefix('t').map(str::parse::<i64>) {
                Some(Ok(n)) => (n, None),
                _ => {
                    let message = match DocKey::parse(&id) {
                        Some(DocKey::Message(n)) => Some(n),
                        Some(DocKey::Note(_)) => None,
                        None if id.contains('@') => store.message_by_message_id(&id)?,
                        None => None,
                    }
                    .ok_or_else(not_found)?;
                    let m = store.message(message)?.ok_or_else(not_found)?;
                    let thread = m.thread_id.ok_or_else(not_found)?;
                    (thread, Some(format!("m{message}")))
                }
            };
            let thread = store.thread(thread_id)?.ok_or_else(not_found)?;
            let mut messages = Vec::with_capacity(thread.messages.len());
            for m in &thread.messages {
                if let Some(full) = store.message(m.id)? {
                    messages.push(full);
                }
            }
            store.mark_thread_read(thread_id)?;
            Ok(OpenedThread {
                id: format!("t{thread_id}"),
                subject: thread.subject,
                messages,
                focus,
            })
        })
        .await
    }

    /// Every note by title, or the notes matching a search (best first).
    pub async fn notes(&self, query: Option<&str>) -> Result<Vec<NoteListItem>> {
        let query = query.map(str::trim).unwrap_or("");
        let order = if query.is_empty() {
            None
        } else {
            let (text, mut filters) = search::parse_query(query)?;
            filters.kind = Some(DocKind::Note);
            let hits = self
                .search_with(text, filters, SEARCH_DEPTH, SearchMode::Auto)
                .await?;
            Some(
                hits.iter()
                    .filter_map(|h| match DocKey::parse(&h.id) {
                        Some(DocKey::Note(n)) => Some(n),
                        _ => None,
                    })
                    .collect::<Vec<_>>(),
            )
        };
        let this = self.clone();
        blocking(move || {
            let mut rows = this.open_store()?.notes_list()?;
            if let Some(order) = order {
                rows.retain(|r| order.contains(&r.id));
                rows.sort_by_key(|r| order.iter().position(|n| *n == r.id));
            }
            Ok(rows
                .into_iter()
                .map(|r| NoteListItem {
                    id: format!("n{}", r.id),
                    path: r.path,
                    title: r.title,
                    tags: r.tags,
                    modified: r.modified,
                })
                .collect())
        })
        .await
    }
}

/// The privacy labels a source can have: `local` (used on this device), `private` (never leaves
/// it, whatever the cloud setting), `cloud` (may go to the cloud model once that is turned on).
pub const PRIVACY_LABELS: [&str; 3] = ["local", "private", "cloud"];

impl Library {
    /// Every source of mail and notes with its counts.
    pub async fn sources(&self) -> Result<Vec<SourceInfo>> {
        let this = self.clone();
        blocking(move || {
            let mut sources = this.open_store()?.sources()?;
            for source in &mut sources {
                mark_missing_password(source);
            }
            Ok(sources)
        })
        .await
    }

    /// Connects an IMAP account and reads its mail. Only once the server has accepted the
    /// password is it saved, in the OS keyring (never in the store or settings), so that later
    /// syncs and [`Library::sync_source`] can log in again; the folders chosen are kept with
    /// the source. A cancelled first read keeps what was read and the account.
    pub async fn add_imap_account(
        &self,
        account: ImapAccount,
        progress: impl Fn(crate::ingest::Progress) + Send + 'static,
        cancel: Arc<AtomicBool>,
    ) -> Result<(SourceInfo, crate::ingest::IngestReport)> {
        account
            .check()
            .map_err(|e| CoreError::InvalidRequest(e.0))?;
        let url = account.url();
        let (password, folders) = (account.password.clone(), account.folders.clone());
        let report = self
            .ingest(IngestSpec::Imap(account), progress, cancel)
            .await?;
        let this = self.clone();
        let source = blocking(move || {
            Keyring::default().save(&imap_entry(&url), &password)?;
            let store = this.open_store()?;
            let id = store
                .sources()?
                .into_iter()
                .find(|s| s.kind == SourceKind::Imap && s.location == url)
                .map(|s| s.id)
                .ok_or_else(|| CoreError::NotFound {
                    what: format!("the source for {url}"),
                    hint: String::new(),
                })?;
            store.set_source_folders(id, &folders)?;
            source_by_id(&store, id)
        })
        .await?;
        if report.cancelled {
            return Err(CoreError::Cancelled);
        }
        Ok((source, report))
    }

    /// Reads one source again now: a folder or file for what changed, an IMAP account with
    /// the password saved in the keyring.
    pub async fn sync_source(
        &self,
        id: i64,
        progress: impl Fn(crate::ingest::Progress) + Send + 'static,
        cancel: Arc<AtomicBool>,
    ) -> Result<SourceInfo> {
        let this = self.clone();
        let spec = blocking(move || {
            let store = this.open_store()?;
            let source = source_by_id(&store, id)?;
            ingest_spec(&store, &source)?.ok_or(CoreError::PasswordMissing {
                account: source.location,
            })
        })
        .await?;
        let report = self.ingest(spec, progress, cancel).await?;
        if report.cancelled {
            return Err(CoreError::Cancelled);
        }
        let this = self.clone();
        blocking(move || source_by_id(&this.open_store()?, id)).await
    }

    /// Sets a source's privacy label (one of [`PRIVACY_LABELS`]).
    pub async fn set_source_privacy(&self, source: i64, privacy: &str) -> Result<SourceInfo> {
        if !PRIVACY_LABELS.contains(&privacy) {
            return Err(CoreError::InvalidRequest(format!(
                "privacy `{privacy}`: use local, private or cloud"
            )));
        }
        let this = self.clone();
        let privacy = privacy.to_string();
        blocking(move || {
            let store = this.open_store()?;
            if !store.set_source_privacy(source, &privacy)? {
                return Err(CoreError::NotFound {
                    what: format!("source {source}"),
                    hint: ": the list of sources may have changed; reload it".into(),
                });
            }
            source_by_id(&store, source)
        })
        .await
    }

    /// Reads a folder or file the user added (maildir, mbox or notes) and returns its source.
    pub async fn add_source(
        &self,
        spec: IngestSpec,
        progress: impl Fn(crate::ingest::Progress) + Send + 'static,
        cancel: Arc<AtomicBool>,
    ) -> Result<SourceInfo> {
        let (kind, path) = match &spec {
            IngestSpec::Maildir(p) => ("maildir", p.clone()),
            IngestSpec::Mbox(p) => ("mbox", p.clone()),
            IngestSpec::Notes(p) => ("notes", p.clone()),
            _ => {
                return Err(CoreError::InvalidRequest(
                    "add a maildir, an mbox file or a notes folder".into(),
                ))
            }
        };
        let location = std::fs::canonicalize(&path).map_err(|e| CoreError::io(&path, e))?;
        let report = self.ingest(spec, progress, cancel).await?;
        if report.cancelled {
            // What was read so far is kept; adding it again goes on from there.
            return Err(CoreError::Cancelled);
        }
        let this = self.clone();
        blocking(move || {
            let store = this.open_store()?;
            store
                .sources()?
                .into_iter()
                .find(|s| s.kind.as_str() == kind && Path::new(&s.location) == location)
                .ok_or_else(|| CoreError::NotFound {
                    what: format!("the source for {}", location.display()),
                    hint: String::new(),
                })
        })
        .await
    }
}

fn source_by_id(store: &crate::store::Store, id: i64) -> Result<SourceInfo> {
    let mut source = store
        .sources()?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| CoreError::NotFound {
            what: format!("source {id}"),
            hint: String::new(),
        })?;
    mark_missing_password(&mut source);
    Ok(source)
}

fn mark_missing_password(source: &mut SourceInfo) {
    if source.kind == SourceKind::Imap {
        // A keyring that cannot be read counts as missing: the user is asked to enter it again.
        source.needs_password = match Keyring::default().load(&imap_entry(&source.location)) {
            Ok(found) => found.is_none(),
            Err(err) => {
                tracing::warn!(%err, "the keyring cannot be read");
                true
            }
        };
    }
}

/// How to read a source again: `None` for an IMAP account whose password is not in the keyring.
pub(crate) fn ingest_spec(
    store: &crate::store::Store,
    source: &SourceInfo,
) -> Result<Option<IngestSpec>> {
    let path = std::path::PathBuf::from(&source.location);
    Ok(Some(match source.kind {
        SourceKind::Maildir => IngestSpec::Maildir(path),
        SourceKind::Mbox => IngestSpec::Mbox(path),
        SourceKind::Notes => IngestSpec::Notes(path),
        SourceKind::Eml => IngestSpec::Eml(
            store
                .known_locations(source.id)?
                .into_keys()
                .map(std::path::PathBuf::from)
                .collect(),
        ),
        SourceKind::Imap => {
            let Some(password) = Keyring::default().load(&imap_entry(&source.location))? else {
                return Ok(None);
            };
            match ImapAccount::from_url(&source.location, password, source.folders.clone()) {
                Some(account) => IngestSpec::Imap(account),
                None => {
                    return Err(CoreError::InvalidRequest(format!(
                        "source {}: `{}` is not an IMAP account address",
                        source.id, source.location
                    )))
                }
            }
        }
    }))
}

impl From<InboxRow> for InboxThread {
    fn from(r: InboxRow) -> Self {
        Self {
            id: format!("t{}", r.thread),
            summary_line: lead_sentence(mail_new_text(&r.latest_body)),
            subject: r.subject,
            participants: r.participants,
            last_date: r.last_date,
            message_count: r.message_count,
            unread_count: r.unread_count,
        }
    }
}
