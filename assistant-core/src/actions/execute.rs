//! Running a confirmed plan step by step: each step done through the feature that owns it
//! (outbox, drafts, summaries, notes, store), one audit-log row per step with what undoing it
//! needs, and undo.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use serde::Serialize;
use serde_json::json;

use super::{describe, Action, ActionKind, Plan};
use crate::error::{CoreError, Result};
use crate::ingest::IngestSpec;
use crate::library::blocking;
use crate::reply::Outcome;
use crate::store::{AuditEntry, MessageState, SourceKind};
use crate::summary::SummaryTarget;
use crate::Assistant;

/// What one executed step did.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StepOutcome {
    pub kind: ActionKind,
    /// In plain words.
    pub summary: String,
    /// What the step produced to read: search results, the summary, the message or note.
    pub output: Option<String>,
    /// The audit-log row; `assistant undo ID` takes it back when `undoable`.
    pub audit_id: i64,
    pub undoable: bool,
}

impl Assistant {
    /// Executes a plan the user has seen. `confirmed` must be true for a plan that sends mail (the
    /// caller asked; `--yes` only counts when the settings allow sending without asking). Steps
    /// run in order; a failing step stops the plan, and the steps before it stay done (and
    /// logged, so they can be undone).
    pub async fn execute_plan(
        &self,
        plan: &Plan,
        instruction: &str,
        confirmed: bool,
    ) -> Result<Vec<StepOutcome>> {
        let sends = plan.actions.iter().any(|a| a.kind.sends());
        if sends && !confirmed {
            return Err(CoreError::InvalidRequest(
                "this plan sends mail: it runs only after you confirm it".into(),
            ));
        }
        let mut outcomes = Vec::new();
        for action in &plan.actions {
            outcomes.push(self.execute_step(action, instruction).await?);
        }
        Ok(outcomes)
    }

    async fn message_keys(&self, action: &Action) -> Result<Vec<i64>> {
        let mut ids = Vec::new();
        for m in &action.message_ids {
            ids.push(self.library().message_key(m).await?);
        }
        Ok(ids)
    }

    async fn execute_step(&self, action: &Action, instruction: &str) -> Result<StepOutcome> {
        let ids = self.message_keys(action).await?;
        let library = self.library().clone();
        let text = action.text.clone().unwrap_or_default();
        let mut output = None;
        // (detail for the audit log, whether it can be undone)
        let (detail, undoable) = match action.kind {
            ActionKind::Search => {
                let results = library
                    .search(action.query.as_deref().unwrap_or_default(), 10)
                    .await?;
                output = Some(
                    results
                        .iter()
                        .map(|r| {
                            let date = r.date.map(crate::summary::format_day).unwrap_or_default();
                            format!("{}  {date}  {}  {}", r.id, r.byline, r.title)
                        })
                        .collect::<Vec<_>>()
                        .join("\n"),
                );
                (json!({"results": results.len()}), false)
            }
            ActionKind::Open => {
                let target = match &action.note {
                    Some(p) => p.clone(),
                    None => format!("m{}", first(&ids)?),
                };
                output = Some(match library.show(&target).await? {
                    crate::library::Shown::Message(m) => format!(
                        "From: {} <{}>\nSubject: {}\n\n{}",
                        m.from.name, m.from.address, m.subject, m.body_text
                    ),
                    crate::library::Shown::Note(n) => format!("# {}\n\n{}", n.title, n.body),
                    crate::library::Shown::Thread(t) => t.subject,
                });
                let this = library.clone();
                let id = ids.clone();
                let before = blocking(move || this.open_store()?.message_states(&id)).await?;
                let this = library.clone();
                let id = ids.clone();
                blocking(move || this.open_store()?.set_unread(&id, false)).await?;
                (json!({"before": before}), !ids.is_empty())
            }
            ActionKind::Summarize => {
                let targets: Vec<SummaryTarget> = match &action.note {
                    Some(p) => vec![SummaryTarget::Note(p.clone())],
                    None => ids
                        .iter()
                        .map(|i| SummaryTarget::Message(format!("m{i}")))
                        .collect(),
                };
                let mut parts = Vec::new();
                for t in targets {
                    let s = self.summarize(t).await?;
                    let mut part = format!("{} — {}", s.title, s.gist);
                    for p in s.points {
                        part.push_str(&format!("\n  • {p}"));
                    }
                    parts.push(part);
                }
                output = Some(parts.join("\n"));
                (json!({}), false)
            }
            ActionKind::DraftReply | ActionKind::Reply => {
                let message = first(&ids)?;
                let body = match (&action.text, action.kind) {
                    (Some(t), _) => t.clone(),
                    (None, _) => match self
                        .smart_reply(&format!("m{message}"), false)
                        .await?
                        .outcome
                    {
                        Outcome::Suggestions(s) if !s.is_empty() => s[0].text.clone(),
                        _ => String::new(),
                    },
                };
                let draft = library.draft_reply(message, body, "action").await?;
                if action.kind == ActionKind::Reply {
                    let item = self.send_draft(draft.id).await?;
                    output = Some(format!("{} ({})", item.subject, item.state));
                    // Mail can be taken back only while it waits in the outbox.
                    let waiting = item.state == "queued";
                    (json!({"outbox": [item.id]}), waiting)
                } else {
                    output = Some(format!("Draft {}: {}", draft.id, draft.body));
                    (json!({"draft": draft.id}), true)
                }
            }
            ActionKind::Forward => {
                let items = self.forward(ids.clone(), action.to.clone(), text).await?;
                output = Some(
                    items
                        .iter()
                        .map(|i| format!("{} → {} ({})", i.subject, i.to.join(", "), i.state))
                        .collect::<Vec<_>>()
                        .join("\n"),
                );
                let waiting = items.iter().any(|i| i.state == "queued");
                (
                    json!({"outbox": items.iter().map(|i| i.id).collect::<Vec<_>>()}),
                    waiting,
                )
            }
            ActionKind::Archive
            | ActionKind::Move
            | ActionKind::Label
            | ActionKind::Flag
            | ActionKind::MarkRead => {
                let kind = action.kind;
                let folder = action.folder.clone().unwrap_or_else(|| "Archive".into());
                let label = action.label.clone().unwrap_or_default();
                let this = library.clone();
                let id = ids.clone();
                let before = blocking(move || {
                    let store = this.open_store()?;
                    let before = store.message_states(&id)?;
                    match kind {
                        ActionKind::Archive | ActionKind::Move => {
                            store.file_messages(&id, &folder)?
                        }
                        ActionKind::Label => store.add_label(&id, &label)?,
                        ActionKind::Flag => store.set_flagged(&id, true)?,
                        _ => store.set_unread(&id, false)?,
                    }
                    Ok(before)
                })
                .await?;
                (json!({"before": before}), true)
            }
            ActionKind::CreateNote => {
                let title = action.title.clone().unwrap_or_default();
                let (folder, rel) = self.new_note_file(&title).await?;
                let content = match &action.text {
                    Some(t) => format!("# {title}\n\n{t}\n"),
                    None => format!("# {title}\n"),
                };
                let path = folder.join(&rel);
                write_new(&path, &content)?;
                self.reread_notes(&folder).await?;
                output = Some(format!("Created {}", path.display()));
                (json!({"file": path, "content": content}), true)
            }
            ActionKind::AppendNote => {
                let rel = action.note.clone().unwrap_or_default();
                let path = self.note_path(&rel).await?;
                let before = std::fs::read_to_string(&path).map_err(|e| CoreError::io(&path, e))?;
                let mut after = before.clone();
                if !after.ends_with('\n') && !after.is_empty() {
                    after.push('\n');
                }
                after.push_str(&format!("\n{text}\n"));
                std::fs::write(&path, &after).map_err(|e| CoreError::io(&path, e))?;
                self.reread_notes(path.parent().unwrap_or(Path::new(".")))
                    .await?;
                output = Some(format!("Added to {}", path.display()));
                (
                    json!({"file": path, "before": before, "after": after}),
                    true,
                )
            }
            ActionKind::Remind => {
                let when = action.when.clone().unwrap_or_default();
                let due = chrono::NaiveDateTime::parse_from_str(&when, "%Y-%m-%dT%H:%M").map_err(
                    |_| CoreError::InvalidRequest(format!("remind: `{when}` is not a time")),
                )?;
                let due_at = due
                    .and_local_timezone(chrono::Local)
                    .earliest()
                    .map(|t| t.timestamp())
                    .unwrap_or_else(|| due.and_utc().timestamp());
                let message = ids.first().copied();
                let this = library.clone();
                let reminder_text = text.clone();
                let id = blocking(move || {
                    this.open_store()?
                        .add_reminder(&reminder_text, due_at, message)
                })
                .await?;
                output = Some(format!("Reminder {id} at {}", when.replace('T', " ")));
                (json!({"reminder": id}), true)
            }
            ActionKind::Compose => {
                let to = action.to.clone();
                let subject = action.subject.clone().unwrap_or_default();
                let this = library.clone();
                let draft = blocking(move || {
                    this.open_store()?
                        .create_draft(None, &to, &subject, &text, "action")
                })
                .await?;
                output = Some(format!("Draft {} to {}", draft.id, draft.to.join(", ")));
                (json!({"draft": draft.id}), true)
            }
        };
        let targets = serde_json::to_value(action).unwrap_or_default();
        let detail = json!({"instruction": instruction, "undo": detail});
        let this = library.clone();
        let kind = action.kind.as_str();
        let audit_id = blocking(move || {
            this.open_store()?
                .log_action(kind, &targets, &detail, undoable)
        })
        .await?;
        Ok(StepOutcome {
            kind: action.kind,
            summary: describe(action),
            output,
            audit_id,
            undoable,
        })
    }

    /// Where a new note goes: the first notes folder the user added, else `notes/` in the data
    /// folder. The file name comes from the title.
    async fn new_note_file(&self, title: &str) -> Result<(PathBuf, String)> {
        let library = self.library().clone();
        let sources = blocking(move || library.open_store()?.sources()).await?;
        let folder = sources
            .iter()
            .find(|s| s.kind == SourceKind::Notes)
            .map(|s| PathBuf::from(&s.location))
            .unwrap_or_else(|| self.data_dir().root().join("notes"));
        let stem: String = title
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' || c == ' ' {
                    c
                } else {
                    ' '
                }
            })
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if stem.is_empty() {
            return Err(CoreError::InvalidRequest(
                "create_note: the title has no letters".into(),
            ));
        }
        Ok((folder, format!("{stem}.md")))
    }

    async fn note_path(&self, rel: &str) -> Result<PathBuf> {
        let library = self.library().clone();
        let rel = rel.to_string();
        blocking(move || {
            let store = library.open_store()?;
            let id = store
                .note_by_path(&rel)?
                .ok_or_else(|| CoreError::NotFound {
                    what: format!("the note {rel}"),
                    hint: String::new(),
                })?;
            let (_, location, path) = store.note_file(id)?.ok_or_else(|| CoreError::NotFound {
                what: format!("the note {rel}"),
                hint: String::new(),
            })?;
            Ok(Path::new(&location).join(path))
        })
        .await
    }

    /// Reads a notes folder again after an action wrote to it (the store and index follow).
    async fn reread_notes(&self, folder: &Path) -> Result<()> {
        // The folder is the note's folder or a subfolder of a notes source: ingest the source.
        let library = self.library().clone();
        let sources = blocking(move || library.open_store()?.sources()).await?;
        let root = sources
            .iter()
            .filter(|s| s.kind == SourceKind::Notes)
            .map(|s| PathBuf::from(&s.location))
            .find(|l| folder.starts_with(l))
            .unwrap_or_else(|| folder.to_path_buf());
        self.library()
            .ingest(
                IngestSpec::Notes(root),
                |_| {},
                Arc::new(AtomicBool::new(false)),
            )
            .await?;
        Ok(())
    }

    /// The audit log, newest first.
    pub async fn action_log(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let library = self.library().clone();
        blocking(move || library.open_store()?.audit_log(limit)).await
    }

    /// Undoes an executed step (the newest undoable one when `id` is `None`): messages back where
    /// they were, a label or flag off, a draft or reminder removed, a note back as it was (only
    /// if nobody changed it since), a queued message taken back before it went.
    pub async fn undo(&self, id: Option<i64>) -> Result<AuditEntry> {
        let library = self.library().clone();
        let entry = blocking(move || {
            let store = library.open_store()?;
            match id {
                Some(id) => store.audit_entry(id)?.ok_or_else(|| CoreError::NotFound {
                    what: format!("action {id}"),
                    hint: ": `assistant log` lists them".into(),
                }),
                None => store
                    .audit_log(200)?
                    .into_iter()
                    .find(|e| e.undo_state == "available")
                    .ok_or_else(|| CoreError::NotFound {
                        what: "an action to undo".into(),
                        hint: String::new(),
                    }),
            }
        })
        .await?;
        if entry.undo_state != "available" {
            return Err(CoreError::InvalidRequest(format!(
                "action {} ({}) cannot be undone: {}",
                entry.id,
                entry.action,
                if entry.undo_state == "undone" {
                    "it was undone already"
                } else {
                    "this kind of step has no undo"
                }
            )));
        }
        let undo = entry.detail["undo"].clone();
        let library = self.library().clone();
        match ActionKind::parse(&entry.action) {
            Some(
                ActionKind::Open
                | ActionKind::Archive
                | ActionKind::Move
                | ActionKind::Label
                | ActionKind::Flag
                | ActionKind::MarkRead,
            ) => {
                let before: Vec<MessageState> = serde_json::from_value(undo["before"].clone())
                    .map_err(|e| {
                        CoreError::InvalidRequest(format!(
                            "action {}: no state to restore ({e})",
                            entry.id
                        ))
                    })?;
                blocking(move || library.open_store()?.restore_message_states(&before)).await?;
            }
            Some(ActionKind::DraftReply | ActionKind::Compose) => {
                let draft = undo["draft"].as_i64().unwrap_or_default();
                blocking(move || library.open_store()?.delete_draft(draft)).await?;
            }
            Some(ActionKind::Reply | ActionKind::Forward) => {
                let items: Vec<i64> =
                    serde_json::from_value(undo["outbox"].clone()).unwrap_or_default();
                for item in items {
                    self.cancel_outgoing(item).await.map_err(|e| {
                        CoreError::InvalidRequest(format!("too late to take it back: {e}"))
                    })?;
                }
            }
            Some(ActionKind::Remind) => {
                let id = undo["reminder"].as_i64().unwrap_or_default();
                blocking(move || library.open_store()?.delete_reminder(id)).await?;
            }
            Some(ActionKind::CreateNote) => {
                let path = PathBuf::from(undo["file"].as_str().unwrap_or_default());
                let now = std::fs::read_to_string(&path).unwrap_or_default();
                if now != undo["content"].as_str().unwrap_or_default() {
                    return Err(CoreError::InvalidRequest(format!(
                        "{} was changed after the assistant created it: not removed",
                        path.display()
                    )));
                }
                std::fs::remove_file(&path).map_err(|e| CoreError::io(&path, e))?;
                self.reread_notes(path.parent().unwrap_or(Path::new(".")))
                    .await?;
            }
            Some(ActionKind::AppendNote) => {
                let path = PathBuf::from(undo["file"].as_str().unwrap_or_default());
                let now = std::fs::read_to_string(&path).map_err(|e| CoreError::io(&path, e))?;
                if now != undo["after"].as_str().unwrap_or_default() {
                    return Err(CoreError::InvalidRequest(format!(
                        "{} was changed after the assistant added to it: not restored",
                        path.display()
                    )));
                }
                std::fs::write(&path, undo["before"].as_str().unwrap_or_default())
                    .map_err(|e| CoreError::io(&path, e))?;
                self.reread_notes(path.parent().unwrap_or(Path::new(".")))
                    .await?;
            }
            _ => {}
        }
        let library = self.library().clone();
        let id = entry.id;
        blocking(move || {
            let store = library.open_store()?;
            store.mark_undone(id)?;
            store.audit_entry(id)?.ok_or_else(|| CoreError::NotFound {
                what: format!("action {id}"),
                hint: String::new(),
            })
        })
        .await
    }

    /// Reminders not yet done, soonest first.
    pub async fn reminders(&self) -> Result<Vec<crate::store::Reminder>> {
        let library = self.library().clone();
        blocking(move || library.open_store()?.reminders()).await
    }
}

fn first(ids: &[i64]) -> Result<i64> {
    ids.first()
        .copied()
        .ok_or_else(|| CoreError::InvalidRequest("the step names no message".into()))
}

/// Writes a file that must not exist yet (a note is never overwritten).
fn write_new(path: &Path, content: &str) -> Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| CoreError::io(dir, e))?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                CoreError::InvalidRequest(format!("a note {} exists already", path.display()))
            } else {
                CoreError::io(path, e)
            }
        })?;
    f.write_all(content.as_bytes())
        .map_err(|e| CoreError::io(path, e))
}
