//! Commands for actions: a request in words planned (nothing changes), the confirmed plan run,
//! the audit log, undo, reminders.

use assistant_core::actions::{Action, ActionKind, Plan, PlanRequest, PlannedRequest, StepOutcome};
use assistant_core::store::{AuditEntry, Reminder};
use assistant_core::Assistant;
use serde::{Deserialize, Serialize};

use crate::CommandError;

/// One step of a plan, with exactly the items it touches (messages by Message-ID, notes by path).
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[ts(rename = "PlanAction")]
#[serde(rename_all = "camelCase")]
pub struct ActionDto {
    #[ts(
        type = "'search' | 'open' | 'summarize' | 'draft_reply' | 'reply' | 'forward' | 'archive' | 'move' | 'label' | 'flag' | 'mark_read' | 'create_note' | 'append_note' | 'remind' | 'compose'"
    )]
    kind: String,
    #[serde(default)]
    message_ids: Vec<String>,
    note: Option<String>,
    query: Option<String>,
    #[serde(default)]
    to: Vec<String>,
    folder: Option<String>,
    label: Option<String>,
    title: Option<String>,
    subject: Option<String>,
    text: Option<String>,
    /// Local time, `YYYY-MM-DDTHH:MM`.
    when: Option<String>,
}

impl From<Action> for ActionDto {
    fn from(a: Action) -> Self {
        Self {
            kind: a.kind.as_str().to_string(),
            message_ids: a.message_ids,
            note: a.note,
            query: a.query,
            to: a.to,
            folder: a.folder,
            label: a.label,
            title: a.title,
            subject: a.subject,
            text: a.text,
            when: a.when,
        }
    }
}

impl TryFrom<ActionDto> for Action {
    type Error = CommandError;
    fn try_from(a: ActionDto) -> Result<Self, CommandError> {
        let kind = ActionKind::parse(&a.kind)
            .ok_or_else(|| CommandError::invalid(format!("`{}` is not an action", a.kind)))?;
        Ok(Action {
            kind,
            message_ids: a.message_ids,
            note: a.note,
            query: a.query,
            to: a.to,
            folder: a.folder,
            label: a.label,
            title: a.title,
            subject: a.subject,
            text: a.text,
            when: a.when,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[ts(rename = "Plan")]
#[serde(rename_all = "camelCase")]
pub struct PlanDto {
    actions: Vec<ActionDto>,
    /// The plan sends mail: the user confirms it every time.
    needs_confirmation: bool,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "PlanStep")]
pub struct StepPreviewDto {
    /// The step in plain words.
    summary: String,
    /// The exact messages it touches, one line each (date · sender · subject).
    items: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "PlannedRequest")]
#[serde(rename_all = "camelCase")]
pub struct PlannedDto {
    plan: PlanDto,
    steps: Vec<StepPreviewDto>,
    #[ts(type = "'rules' | 'model' | 'cloud'")]
    proposed_by: String,
    elapsed_ms: f64,
    /// The cloud model proposed it (and what went out), or why it was proposed here after all.
    notice: Option<String>,
}

impl From<PlannedRequest> for PlannedDto {
    fn from(p: PlannedRequest) -> Self {
        Self {
            plan: PlanDto {
                actions: p.plan.actions.into_iter().map(ActionDto::from).collect(),
                needs_confirmation: p.plan.needs_confirmation,
            },
            steps: p
                .steps
                .into_iter()
                .map(|s| StepPreviewDto {
                    summary: s.summary,
                    items: s.items,
                })
                .collect(),
            proposed_by: serde_json::to_value(p.proposed_by)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            elapsed_ms: p.elapsed_ms,
            notice: p.notice,
        }
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "StepOutcome")]
#[serde(rename_all = "camelCase")]
pub struct StepOutcomeDto {
    kind: String,
    summary: String,
    /// What the step produced to read: search results, a summary, the message or note.
    output: Option<String>,
    #[ts(type = "number")]
    audit_id: i64,
    undoable: bool,
}

impl From<StepOutcome> for StepOutcomeDto {
    fn from(o: StepOutcome) -> Self {
        Self {
            kind: o.kind.as_str().to_string(),
            summary: o.summary,
            output: o.output,
            audit_id: o.audit_id,
            undoable: o.undoable,
        }
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "AuditEntry")]
#[serde(rename_all = "camelCase")]
pub struct AuditEntryDto {
    #[ts(type = "number")]
    id: i64,
    /// Unix seconds.
    #[ts(type = "number")]
    at: i64,
    action: String,
    /// The request in words the step came from.
    instruction: String,
    #[ts(type = "'none' | 'available' | 'undone'")]
    undo_state: String,
}

impl From<AuditEntry> for AuditEntryDto {
    fn from(e: AuditEntry) -> Self {
        Self {
            id: e.id,
            at: e.at,
            instruction: e.detail["instruction"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            action: e.action,
            undo_state: e.undo_state,
        }
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "Reminder")]
#[serde(rename_all = "camelCase")]
pub struct ReminderDto {
    #[ts(type = "number")]
    id: i64,
    text: String,
    /// Unix seconds.
    #[ts(type = "number")]
    due_at: i64,
    /// `m12`: the message it is about.
    message: Option<String>,
}

impl From<Reminder> for ReminderDto {
    fn from(r: Reminder) -> Self {
        Self {
            id: r.id,
            text: r.text,
            due_at: r.due_at,
            message: r.message.map(|m| format!("m{m}")),
        }
    }
}

/// Plans a request in words; nothing changes. `message`: the message open on screen.
#[tauri::command]
pub async fn plan_request(
    assistant: tauri::State<'_, Assistant>,
    instruction: String,
    message: Option<String>,
) -> Result<PlannedDto, CommandError> {
    let planned = assistant
        .plan(PlanRequest {
            instruction,
            message,
            ..Default::default()
        })
        .await?;
    Ok(planned.into())
}

/// Runs a plan the user has seen and confirmed.
#[tauri::command]
pub async fn run_plan(
    assistant: tauri::State<'_, Assistant>,
    plan: PlanDto,
    instruction: String,
    confirmed: bool,
) -> Result<Vec<StepOutcomeDto>, CommandError> {
    let actions = plan
        .actions
        .into_iter()
        .map(Action::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    let outcomes = assistant
        .execute_plan(&Plan::new(actions), &instruction, confirmed)
        .await?;
    Ok(outcomes.into_iter().map(StepOutcomeDto::from).collect())
}

/// Takes back a step (the newest undoable one when `id` is null).
#[tauri::command]
pub async fn undo_action(
    assistant: tauri::State<'_, Assistant>,
    id: Option<i64>,
) -> Result<AuditEntryDto, CommandError> {
    Ok(assistant.undo(id).await?.into())
}

/// The audit log, newest first.
#[tauri::command]
pub async fn action_log(
    assistant: tauri::State<'_, Assistant>,
) -> Result<Vec<AuditEntryDto>, CommandError> {
    let entries = assistant.action_log(50).await?;
    Ok(entries.into_iter().map(AuditEntryDto::from).collect())
}

/// Reminders not yet done, soonest first.
#[tauri::command]
pub async fn reminders_list(
    assistant: tauri::State<'_, Assistant>,
) -> Result<Vec<ReminderDto>, CommandError> {
    let list = assistant.reminders().await?;
    Ok(list.into_iter().map(ReminderDto::from).collect())
}
