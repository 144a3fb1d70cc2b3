//! Actions: a request in words becomes a typed plan (proposed by the rules or the model, its
//! references resolved against the store, never guessed), shown for confirmation, executed step by
//! step, logged in the audit log and undone where the step allows.
//!
//! Mail and note contents never reach the planner: it reads only the user's request, so text in a
//! message ("assistant, forward all mail to ...") cannot add or change a step.

mod execute;
mod propose;
mod rules;
pub mod when;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::cloud::Reasons;
use crate::error::{CoreError, Result};
use crate::library::{blocking, Library};
use crate::store::Store;
use crate::Assistant;

pub use execute::StepOutcome;

/// What a step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Search,
    Open,
    Summarize,
    DraftReply,
    Reply,
    Forward,
    Archive,
    Move,
    Label,
    Flag,
    MarkRead,
    CreateNote,
    AppendNote,
    Remind,
    Compose,
}

impl ActionKind {
    pub const ALL: [ActionKind; 15] = [
        ActionKind::Search,
        ActionKind::Open,
        ActionKind::Summarize,
        ActionKind::DraftReply,
        ActionKind::Reply,
        ActionKind::Forward,
        ActionKind::Archive,
        ActionKind::Move,
        ActionKind::Label,
        ActionKind::Flag,
        ActionKind::MarkRead,
        ActionKind::CreateNote,
        ActionKind::AppendNote,
        ActionKind::Remind,
        ActionKind::Compose,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Search => "search",
            ActionKind::Open => "open",
            ActionKind::Summarize => "summarize",
            ActionKind::DraftReply => "draft_reply",
            ActionKind::Reply => "reply",
            ActionKind::Forward => "forward",
            ActionKind::Archive => "archive",
            ActionKind::Move => "move",
            ActionKind::Label => "label",
            ActionKind::Flag => "flag",
            ActionKind::MarkRead => "mark_read",
            ActionKind::CreateNote => "create_note",
            ActionKind::AppendNote => "append_note",
            ActionKind::Remind => "remind",
            ActionKind::Compose => "compose",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Steps that send mail: confirmed by the user every time.
    pub fn sends(self) -> bool {
        matches!(self, ActionKind::Reply | ActionKind::Forward)
    }

    /// Steps that act on messages (and need to know which).
    pub(crate) fn needs_messages(self) -> bool {
        matches!(
            self,
            ActionKind::DraftReply
                | ActionKind::Reply
                | ActionKind::Forward
                | ActionKind::Archive
                | ActionKind::Move
                | ActionKind::Label
                | ActionKind::Flag
                | ActionKind::MarkRead
        )
    }
}

/// One step of a plan, with exactly the items it touches. Messages are named by their Message-ID
/// header (without angle brackets; `m12` for a message that has none), notes by their path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub kind: ActionKind,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub message_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Local time, `YYYY-MM-DDTHH:MM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
}

impl Action {
    fn new(kind: ActionKind) -> Self {
        Self {
            kind,
            message_ids: Vec::new(),
            note: None,
            query: None,
            to: Vec::new(),
            folder: None,
            label: None,
            title: None,
            subject: None,
            text: None,
            when: None,
        }
    }
}

/// A typed plan: the steps in order, and whether it sends mail (then it is confirmed every time;
/// `--yes` does not skip that unless the user's settings allow it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub actions: Vec<Action>,
    pub needs_confirmation: bool,
}

impl Plan {
    pub fn new(actions: Vec<Action>) -> Self {
        let needs_confirmation = actions.iter().any(|a| a.kind.sends());
        Self {
            actions,
            needs_confirmation,
        }
    }
}

/// A step as the model or the rules propose it: references still in the user's words.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProposedStep {
    /// `None`: a request the assistant cannot carry out.
    #[serde(skip_deserializing)]
    pub kind: Option<ActionKind>,
    /// The message the user has open ("this email", "it").
    #[serde(default)]
    pub this: bool,
    /// The messages of the step before ("and archive them").
    #[serde(default)]
    pub same: bool,
    /// A person in words or an address: messages from them.
    pub from: Option<String>,
    /// Words the messages are about.
    pub about: Option<String>,
    /// How many (newest first).
    pub count: Option<usize>,
    #[serde(default)]
    pub to: Vec<String>,
    pub note: Option<String>,
    pub query: Option<String>,
    pub folder: Option<String>,
    pub label: Option<String>,
    pub title: Option<String>,
    pub subject: Option<String>,
    pub text: Option<String>,
    pub when: Option<String>,
}

/// Who proposed a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Proposer {
    /// The rules when they read the whole request, else the local model, else (when its plan
    /// fails and the privacy router allows actions) the cloud model.
    #[default]
    Auto,
    Rules,
    Model,
    /// The cloud model, when the privacy router allows actions; else the local model.
    Cloud,
}

/// What to plan.
#[derive(Debug, Clone, Default)]
pub struct PlanRequest {
    pub instruction: String,
    /// The message the user has open (`m12` or a Message-ID): what "this email" means.
    pub message: Option<String>,
    /// "Now" for time phrases; the local clock when `None`.
    pub now: Option<NaiveDateTime>,
    pub proposer: Proposer,
}

/// One step in plain words, with the exact items it touches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepPreview {
    pub summary: String,
    pub items: Vec<String>,
}

/// A plan ready to show: the plan, its steps in words, who proposed it and how long it took.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedRequest {
    pub plan: Plan,
    pub steps: Vec<StepPreview>,
    pub proposed_by: Proposer,
    pub elapsed_ms: f64,
    /// Said beside the plan: the cloud model proposed it (and what went out), or why it was
    /// proposed on this device after all.
    pub notice: Option<String>,
}

impl Assistant {
    /// Turns a request in words into a plan. Nothing is executed. Errors: `unsupported` (no such
    /// action), `ambiguous` (a name fits several people or notes), `not_found`, `invalid_request`.
    pub async fn plan(&self, request: PlanRequest) -> Result<PlannedRequest> {
        let started = std::time::Instant::now();
        let instruction = request.instruction.trim().to_string();
        if instruction.is_empty() {
            return Err(CoreError::InvalidRequest("say what to do".into()));
        }
        let now = request
            .now
            .unwrap_or_else(|| chrono::Local::now().naive_local());
        let library = self.library().clone();
        let context = match &request.message {
            Some(m) => Some(library.message_key(m).await?),
            None => None,
        };
        let by_rules = match request.proposer {
            Proposer::Model | Proposer::Cloud => None,
            _ => rules::propose(&instruction),
        };
        let open = request.message.is_some();
        let mut notice = None;
        let (steps, proposed_by) = match (by_rules, request.proposer) {
            (Some(steps), _) => (steps, Proposer::Rules),
            (None, Proposer::Rules) => {
                return Err(CoreError::Unsupported(format!(
                    "the rules do not read \"{instruction}\""
                )))
            }
            (None, Proposer::Model) => (
                propose::propose(self, &instruction, open).await?,
                Proposer::Model,
            ),
            (None, Proposer::Cloud) => {
                match propose::propose_in_cloud(self, &instruction, open, Reasons::USER_ASKED)
                    .await?
                {
                    propose::CloudProposal::Steps(steps, said) => {
                        notice = Some(said);
                        (steps, Proposer::Cloud)
                    }
                    propose::CloudProposal::Stayed(said) => {
                        notice = said;
                        (
                            propose::propose(self, &instruction, open).await?,
                            Proposer::Model,
                        )
                    }
                }
            }
            (None, Proposer::Auto) => {
                let local = propose::propose(self, &instruction, open).await;
                let failed = match &local {
                    Ok(steps) => steps.iter().any(|s| s.kind.is_none()),
                    Err(CoreError::Engine(_) | CoreError::Unsupported(_)) => true,
                    Err(_) => false,
                };
                let mut by_cloud = None;
                if failed && self.settings()?.cloud.is_some() {
                    let reasons = Reasons {
                        local_answer_failed: true,
                        ..Reasons::default()
                    };
                    match propose::propose_in_cloud(self, &instruction, open, reasons).await? {
                        propose::CloudProposal::Steps(steps, said) => {
                            notice = Some(format!(
                                "The local model could not read the request. {said}"
                            ));
                            by_cloud = Some(steps);
                        }
                        propose::CloudProposal::Stayed(said) => notice = said,
                    }
                }
                match by_cloud {
                    Some(steps) => (steps, Proposer::Cloud),
                    None => (local?, Proposer::Model),
                }
            }
        };
        let (plan, steps) = resolve(&library, steps, context, now).await?;
        Ok(PlannedRequest {
            plan,
            steps,
            proposed_by,
            elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
            notice,
        })
    }
}

impl Assistant {
    /// What asking the cloud model for a plan of `instruction` would send (the request alone,
    /// personal data as placeholders), and where it would go; nothing is sent.
    pub async fn plan_cloud_preview(&self, instruction: &str) -> Result<crate::cloud::CloudPreview> {
        self.cloud_preview_of("actions", &[], Reasons::USER_ASKED, instruction.trim())
            .await
    }
}

impl Library {
    /// A message's store id from `m12` or its Message-ID (with or without angle brackets).
    pub async fn message_key(&self, id: &str) -> Result<i64> {
        let id = id
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_string();
        let this = self.clone();
        blocking(move || message_key(&this.open_store()?, &id)).await
    }
}

fn message_key(store: &Store, id: &str) -> Result<i64> {
    let local = id
        .strip_prefix('m')
        .and_then(|n| n.parse::<i64>().ok())
        .filter(|_| !id.contains('@'));
    let found = match local {
        Some(n) => store.message(n)?.map(|m| m.id),
        None => store.message_by_message_id(id)?,
    };
    found.ok_or_else(|| CoreError::NotFound {
        what: format!("message `{id}`"),
        hint: ": use an id from `assistant search` or a Message-ID".into(),
    })
}

fn plan_message_id(store: &Store, id: i64) -> Result<String> {
    Ok(store
        .message(id)?
        .and_then(|m| m.message_id)
        .unwrap_or_else(|| format!("m{id}")))
}

/// The references of proposed steps made exact against the store: people → addresses, "the N
/// newest from X" → message ids, note titles → paths, time phrases → local times.
async fn resolve(
    library: &Library,
    proposed: Vec<ProposedStep>,
    context: Option<i64>,
    now: NaiveDateTime,
) -> Result<(Plan, Vec<StepPreview>)> {
    let mut actions = Vec::new();
    let mut previews = Vec::new();
    let mut previous: Vec<i64> = Vec::new();
    for step in proposed {
        let kind = step.kind.ok_or_else(|| {
            CoreError::Unsupported(
                "that is not something the assistant can do: it can search, open, summarize, \
                 draft a reply, reply, forward, archive, move, label, flag, mark read, create or \
                 add to a note, remind you, and write a new message"
                    .into(),
            )
        })?;
        let mut action = Action::new(kind);
        let mut ids: Vec<i64> = Vec::new();
        // Which messages.
        let note_target =
            matches!(kind, ActionKind::Open | ActionKind::Summarize) && step.note.is_some();
        if !note_target {
            if step.this && kind == ActionKind::Remind {
                // "remind me to do this": about the open message when there is one.
                ids = context.into_iter().collect();
            } else if step.this {
                ids = vec![context.ok_or_else(|| {
                    CoreError::InvalidRequest(
                        "\"this email\": open a message first (or pass --message ID)".into(),
                    )
                })?];
            } else if step.from.is_some() || step.about.is_some() {
                let from = match &step.from {
                    Some(who) => Some(library.resolve_person(who).await?),
                    None => None,
                };
                let n = step.count.unwrap_or(1).clamp(1, 50);
                let address = from.as_ref().map(|p| p.address.clone());
                let about = step.about.clone();
                let this = library.clone();
                ids = blocking(move || {
                    this.open_store()?
                        .newest_matching(address.as_deref(), about.as_deref(), n)
                })
                .await?;
                if ids.is_empty() {
                    let mut what = "mail".to_string();
                    if let Some(p) = &from {
                        what.push_str(&format!(" from {}", p.label()));
                    }
                    if let Some(a) = &step.about {
                        what.push_str(&format!(" about \"{a}\""));
                    }
                    return Err(CoreError::NotFound {
                        what,
                        hint: String::new(),
                    });
                }
            } else if step.same
                || kind.needs_messages()
                || matches!(kind, ActionKind::Open | ActionKind::Summarize)
            {
                if !previous.is_empty() {
                    ids = previous.clone();
                } else if let Some(c) = context {
                    ids = vec![c];
                } else if kind.needs_messages()
                    || matches!(kind, ActionKind::Open | ActionKind::Summarize)
                {
                    return Err(CoreError::InvalidRequest(format!(
                        "{}: say which messages (\"the latest from Kenneth\", \"this email\")",
                        kind.as_str()
                    )));
                }
            }
        }
        if matches!(kind, ActionKind::DraftReply | ActionKind::Reply) && ids.len() > 1 {
            ids.truncate(1);
        }
        // The step's own fields.
        let required = |v: &Option<String>, what: &str| -> Result<String> {
            v.clone()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .ok_or_else(|| CoreError::InvalidRequest(format!("{}: say {what}", kind.as_str())))
        };
        match kind {
            ActionKind::Search => {
                action.query = Some(required(
                    &step.query.clone().or(step.about.clone()),
                    "what to search for",
                )?)
            }
            ActionKind::Open | ActionKind::Summarize if note_target => {
                action.note =
                    Some(resolve_note(library, step.note.as_deref().unwrap_or_default()).await?)
            }
            ActionKind::Reply => action.text = Some(required(&step.text, "what to reply")?),
            ActionKind::DraftReply => {
                action.text = step.text.clone().filter(|t| !t.trim().is_empty())
            }
            ActionKind::Forward => {
                action.to = resolve_people(library, &step.to, "whom to forward to").await?;
                action.text = step.text.clone().filter(|t| !t.trim().is_empty());
            }
            ActionKind::Move => action.folder = Some(required(&step.folder, "which folder")?),
            ActionKind::Label => action.label = Some(required(&step.label, "which label")?),
            ActionKind::CreateNote => {
                action.title = Some(required(&step.title, "the note's title")?);
                action.text = step.text.clone().filter(|t| !t.trim().is_empty());
            }
            ActionKind::AppendNote => {
                action.note =
                    Some(resolve_note(library, &required(&step.note, "which note")?).await?);
                action.text = Some(required(&step.text, "what to add")?);
            }
            ActionKind::Remind => {
                action.text = Some(required(&step.text, "what to remind you of")?);
                let phrase = required(&step.when, "when")?;
                let words: Vec<String> = phrase
                    .split_whitespace()
                    .map(|w| {
                        w.trim_matches(|c: char| !c.is_alphanumeric() && c != ':')
                            .to_lowercase()
                    })
                    .filter(|w| !w.is_empty())
                    .collect();
                let t = when::parse(&words, now).ok_or_else(|| {
                    CoreError::InvalidRequest(format!(
                        "remind: \"{phrase}\" is not a time I can read (try \"tomorrow at 9am\")"
                    ))
                })?;
                action.when = Some(when::format(t));
            }
            ActionKind::Compose => {
                action.to = resolve_people(library, &step.to, "whom to write to").await?;
                action.subject = step.subject.clone().filter(|t| !t.trim().is_empty());
                action.text = step.text.clone().filter(|t| !t.trim().is_empty());
            }
            _ => {}
        }
        let this = library.clone();
        let step_ids = ids.clone();
        let (message_ids, items) = blocking(move || {
            let store = this.open_store()?;
            let mut names = Vec::new();
            let mut items = Vec::new();
            for id in step_ids {
                names.push(plan_message_id(&store, id)?);
                if let Some(m) = store.message(id)? {
                    let date = m.date.map(crate::summary::format_day).unwrap_or_default();
                    let from = if m.from.name.is_empty() {
                        m.from.address.clone()
                    } else {
                        m.from.name.clone()
                    };
                    items.push(format!("{date} · {from} · {}", m.subject));
                }
            }
            Ok((names, items))
        })
        .await?;
        action.message_ids = message_ids;
        previews.push(StepPreview {
            summary: describe(&action),
            items,
        });
        if !ids.is_empty() {
            previous = ids;
        }
        actions.push(action);
    }
    if actions.is_empty() {
        return Err(CoreError::Unsupported("the request has no step".into()));
    }
    Ok((Plan::new(actions), previews))
}

async fn resolve_people(library: &Library, who: &[String], what: &str) -> Result<Vec<String>> {
    if who.is_empty() {
        return Err(CoreError::InvalidRequest(format!("say {what}")));
    }
    let mut out = Vec::new();
    for w in who {
        let address = library.resolve_person(w).await?.address;
        if !out.contains(&address) {
            out.push(address);
        }
    }
    Ok(out)
}

/// The one note whose title is `title` (or, failing that, the one whose title holds its words).
async fn resolve_note(library: &Library, title: &str) -> Result<String> {
    let words: Vec<String> = title
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Err(CoreError::InvalidRequest("say which note".into()));
    }
    let this = library.clone();
    let found = blocking(move || this.open_store()?.notes_titled(&words)).await?;
    let wanted = title.trim().to_lowercase();
    if let Some((_, path, _)) = found
        .iter()
        .find(|(_, _, t)| t.trim().to_lowercase() == wanted)
    {
        return Ok(path.clone());
    }
    match found.len() {
        0 => Err(CoreError::NotFound {
            what: format!("a note called \"{title}\""),
            hint: String::new(),
        }),
        1 => Ok(found[0].1.clone()),
        _ => Err(CoreError::Ambiguous {
            what: title.to_string(),
            candidates: found
                .iter()
                .take(8)
                .map(|(_, p, t)| format!("\"{t}\" ({p})"))
                .collect(),
        }),
    }
}

/// A step in plain words.
pub fn describe(a: &Action) -> String {
    let n = a.message_ids.len();
    let messages = if n == 1 {
        "1 message".to_string()
    } else {
        format!("{n} messages")
    };
    let q = |s: &Option<String>| s.clone().unwrap_or_default();
    match a.kind {
        ActionKind::Search => format!("Search for \"{}\"", q(&a.query)),
        ActionKind::Open => match &a.note {
            Some(p) => format!("Open the note {p}"),
            None => format!("Open {messages}"),
        },
        ActionKind::Summarize => match &a.note {
            Some(p) => format!("Summarize the note {p}"),
            None => format!("Summarize {messages}"),
        },
        ActionKind::DraftReply => match &a.text {
            Some(t) => format!("Draft a reply (not sent) saying \"{t}\""),
            None => "Draft a reply (not sent) from the suggested replies".to_string(),
        },
        ActionKind::Reply => format!("SEND a reply saying \"{}\"", q(&a.text)),
        ActionKind::Forward => format!("SEND {messages} forwarded to {}", a.to.join(", ")),
        ActionKind::Archive => format!("Archive {messages}"),
        ActionKind::Move => format!("Move {messages} to the folder \"{}\"", q(&a.folder)),
        ActionKind::Label => format!("Label {messages} \"{}\"", q(&a.label)),
        ActionKind::Flag => format!("Flag {messages}"),
        ActionKind::MarkRead => format!("Mark {messages} as read"),
        ActionKind::CreateNote => format!("Create the note \"{}\"", q(&a.title)),
        ActionKind::AppendNote => format!("Add \"{}\" to the note {}", q(&a.text), q(&a.note)),
        ActionKind::Remind => format!(
            "Remind you \"{}\" at {}",
            q(&a.text),
            q(&a.when).replace('T', " ")
        ),
        ActionKind::Compose => format!(
            "Write a new message (a draft, not sent) to {}",
            a.to.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_json_has_the_documented_shape() {
        let mut a = Action::new(ActionKind::Forward);
        a.message_ids = vec!["1.JavaMail@thyme".into()];
        a.to = vec!["sara@example.com".into()];
        let plan = Plan::new(vec![a, Action::new(ActionKind::Archive)]);
        assert_eq!(
            serde_json::to_value(&plan).unwrap(),
            serde_json::json!({"actions":[
                {"kind":"forward","message_ids":["1.JavaMail@thyme"],"to":["sara@example.com"]},
                {"kind":"archive"}],"needs_confirmation":true})
        );
        let back: Plan = serde_json::from_value(serde_json::to_value(&plan).unwrap()).unwrap();
        assert_eq!(back, plan);
        assert!(!Plan::new(vec![Action::new(ActionKind::Archive)]).needs_confirmation);
    }

    #[test]
    fn every_kind_has_one_name() {
        for k in ActionKind::ALL {
            assert_eq!(ActionKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
    }
}
