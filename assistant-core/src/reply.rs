//! Smart reply: whether a message should get suggestions at all, the request that asks the model
//! for three short replies of different intent in the user's own words, and the checks on what
//! comes back. The outcome is stored per message and model, so opening a message shows it at once.

use serde::{Deserialize, Serialize};

use crate::engine::{ChatMessage, GenerationRequest, OutputConstraint, Priority, StreamEvent};
use crate::error::{CoreError, Result};
use crate::index::{DocKey, Filters};
use crate::library::{blocking, Library, Shown};
use crate::store::{Draft, MessageRecord};
use crate::Assistant;

/// Longest suggestion kept, in words (most real replies are shorter).
pub const MAX_WORDS: usize = 20;

/// Characters of the message's own new text the model reads (the quoted history is left out).
const MAX_MESSAGE_CHARS: usize = 1_200;
/// Of a message, the cloud model reads at most this much.
const CLOUD_MESSAGE_CHARS: usize = 12_000;

/// What a suggestion does: Gmail-style smart reply needs a positive and a negative option.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// Agrees, accepts, confirms.
    Yes,
    /// Declines, disagrees, says it cannot.
    No,
    /// Asks a question back or puts it off.
    Other,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Suggestion {
    pub intent: Intent,
    pub text: String,
}

/// Why a message gets no suggestions.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// A no-reply, notification or auto-responder address, or an auto-submitted message.
    AutomatedSender,
    /// A mailing list or bulk mail (List-Id, List-Unsubscribe, Precedence: bulk).
    BulkMail,
    /// Neither a question nor a request: nothing to answer.
    NothingAsked,
    /// The user's own message.
    FromUser,
}

impl SkipReason {
    pub fn explain(self) -> &'static str {
        match self {
            SkipReason::AutomatedSender => {
                "sent by an automated sender (no-reply or notifications)"
            }
            SkipReason::BulkMail => "mailing-list, bulk or broadcast mail",
            SkipReason::NothingAsked => "asks nothing that needs a reply",
            SkipReason::FromUser => "your own message",
        }
    }
}

/// The trigger's decision for one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Suggest; a sensitive topic gets sober suggestions (no cheerfulness).
    Suggest {
        sensitive: bool,
    },
    Skip(SkipReason),
}

const AUTOMATED_LOCAL_PARTS: &[&str] = &[
    "noreply",
    "no-reply",
    "no_reply",
    "donotreply",
    "do-not-reply",
    "mailer-daemon",
    "postmaster",
    "notification",
    "notifications",
    "alert",
    "alerts",
    "newsletter",
    "news",
    "bounce",
    "bounces",
    "automated",
    "auto-confirm",
    "daemon",
    // Role and marketing senders: announcements and offers, not people waiting for an answer.
    "marketing",
    "webmaster",
    "info",
    "generalinfo",
    "greetings",
    "no.address",
    "announcements",
    "announce",
    "event",
    "events",
    "contact",
    "digest",
    "update",
    "updates",
    "promotions",
    "offers",
];

/// Subjects of automatic answers: out-of-office notes, calendar responses, bounces.
const AUTOMATED_SUBJECTS: &[&str] = &[
    "out of office",
    "automatic reply",
    "auto reply",
    "autoreply",
    "accepted:",
    "declined:",
    "tentative:",
    "undeliverable",
    "delivery status notification",
    "returned mail",
];

/// Mail to more people than this is a broadcast: nobody in particular is asked to answer.
const BROADCAST_RECIPIENTS: usize = 50;

const REQUEST_PHRASES: &[&str] = &[
    "please",
    "can you",
    "could you",
    "would you",
    "will you",
    "can we",
    "could we",
    "shall we",
    "should we",
    "let me know",
    "let us know",
    "how about",
    "what about",
    "are you",
    "do you",
    "did you",
    "need you",
    "need your",
    "rsvp",
    "your thoughts",
    "any thoughts",
    "confirm",
    "interested in",
    "would like to",
    "want to",
];

const SENSITIVE_WORDS: &[&str] = &[
    "passed away",
    "funeral",
    "condolence",
    "sympathy",
    "died",
    "death",
    "cancer",
    "hospital",
    "surgery",
    "diagnosed",
    "diagnosis",
    "laid off",
    "layoff",
    "terminated",
    "termination",
    "fired",
    "divorce",
    "lawsuit",
    "harassment",
    "grief",
    "bankrupt",
];

fn header<'a>(m: &'a MessageRecord, name: &str) -> Option<&'a str> {
    m.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

/// Whether `text` (lower case) contains `phrase` as whole words.
fn has_phrase(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + phrase.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The trigger: automated and bulk mail, the user's own mail and mail that asks nothing get no
/// suggestions; `new_text` is the message without its quoted history.
pub fn decide(m: &MessageRecord, new_text: &str, user_addresses: &[String]) -> Decision {
    let from = m.from.address.to_ascii_lowercase();
    if user_addresses.iter().any(|a| a.eq_ignore_ascii_case(&from)) {
        return Decision::Skip(SkipReason::FromUser);
    }
    let local = from.split('@').next().unwrap_or("");
    let automated_local = AUTOMATED_LOCAL_PARTS.iter().any(|p| {
        local == *p
            || local.starts_with(&format!("{p}-"))
            || local.starts_with(&format!("{p}."))
            || local.starts_with(&format!("{p}+"))
    });
    let auto_submitted = header(m, "Auto-Submitted").is_some_and(|v| !v.eq_ignore_ascii_case("no"))
        || header(m, "X-Autoreply").is_some()
        || header(m, "X-Autorespond").is_some();
    let subject = m.subject.to_lowercase();
    let automated_subject = AUTOMATED_SUBJECTS.iter().any(|p| subject.contains(p));
    if automated_local || auto_submitted || automated_subject {
        return Decision::Skip(SkipReason::AutomatedSender);
    }
    let bulk = header(m, "List-Id").is_some()
        || header(m, "List-Unsubscribe").is_some()
        || header(m, "Precedence").is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v == "bulk" || v == "list" || v == "junk"
        })
        || m.to.len() + m.cc.len() > BROADCAST_RECIPIENTS;
    if bulk {
        return Decision::Skip(SkipReason::BulkMail);
    }
    let text = format!("{}\n{}", m.subject, new_text).to_lowercase();
    let asks = text.contains('?') || REQUEST_PHRASES.iter().any(|p| has_phrase(&text, p));
    if !asks {
        return Decision::Skip(SkipReason::NothingAsked);
    }
    let sensitive = SENSITIVE_WORDS.iter().any(|w| has_phrase(&text, w));
    Decision::Suggest { sensitive }
}

/// The same for every message, so the engine's prefix cache keeps its state between requests:
/// the instructions and one worked example (small models follow an example better than a
/// description of the format).
const SYSTEM_PROMPT: &str = "You suggest three short replies to an email, each one sentence of \
at most 15 words: Yes (agrees or accepts), No (declines) and Other (asks a question back or puts \
it off). No greetings, no signatures.";
const EXAMPLE_EMAIL: &str = "Email from Dana Wu\nSubject: Sales report\n\nCould you send me the \
sales report by Monday? I need it for the board meeting.";
const EXAMPLE_REPLIES: &str = "Yes: Sure, I'll send it to you by Monday.\nNo: Sorry, I can't get \
it done by Monday.\nOther: Which quarter do you need, Q3 or the full year?\n";

const SENSITIVE_NOTE: &str = "This email is about something hard. Be kind and sober: no \
exclamation marks, nothing cheerful.";

/// The request for three suggestions to `m`: the fixed instructions, then (when the user has
/// written similar replies before) a few of them for style, then the message itself.
pub fn build_request(
    m: &MessageRecord,
    new_text: &str,
    sensitive: bool,
    past_replies: &[String],
) -> GenerationRequest {
    build_request_reading(m, new_text, sensitive, past_replies, MAX_MESSAGE_CHARS)
}

/// [`build_request`] reading up to `max_chars` of the message.
fn build_request_reading(
    m: &MessageRecord,
    new_text: &str,
    sensitive: bool,
    past_replies: &[String],
    max_chars: usize,
) -> GenerationRequest {
    let mut user = String::new();
    if !past_replies.is_empty() {
        user.push_str("Replies I wrote before, for my style:\n");
        for r in past_replies {
            user.push_str("- ");
            user.push_str(&first_words(r, MAX_WORDS));
            user.push('\n');
        }
        user.push('\n');
    }
    if sensitive {
        user.push_str(SENSITIVE_NOTE);
        user.push_str("\n\n");
    }
    let sender = if m.from.name.trim().is_empty() {
        m.from.address.clone()
    } else {
        m.from.name.trim().to_string()
    };
    user.push_str(&format!(
        "Email from {sender}\nSubject: {}\n\n",
        m.subject.trim()
    ));
    user.push_str(&truncate_chars(new_text.trim(), max_chars));
    let mut request = GenerationRequest::new(vec![
        ChatMessage::system(SYSTEM_PROMPT),
        ChatMessage::user(EXAMPLE_EMAIL),
        ChatMessage::assistant(EXAMPLE_REPLIES),
        ChatMessage::user(user),
    ]);
    // Three lines, then the end. (Bounded repeats such as `{2,130}` made the constraint's
    // automaton slow to build; the length is cut to MAX_WORDS words afterwards instead.)
    request.constraint = OutputConstraint::Regex(
        "Yes: [^\\n.?!]+[.?!]\\nNo: [^\\n.?!]+[.?!]\\nOther: [^\\n.?!]+[.?!]\\n".into(),
    );
    request.max_tokens = Some(80);
    request.temperature = 0.0;
    request.priority = Priority::Interactive;
    request
}

fn truncate_chars(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The first `n` words of `s`, on one line.
fn first_words(s: &str, n: usize) -> String {
    let words: Vec<&str> = s.split_whitespace().collect();
    let mut out = words[..words.len().min(n)].join(" ");
    if words.len() > n {
        out.push('…');
    }
    out
}

/// Cheerful openers a sensitive message must not get.
const CHEERFUL: &[&str] = &[
    "great",
    "awesome",
    "sounds good",
    "congrat",
    "yay",
    "fantastic",
    "excellent",
    "perfect",
];

/// Reads the model's three lines into suggestions: each trimmed to `MAX_WORDS` words, empty or
/// repeated ones dropped (a repeat is the same words as an earlier one), and for sensitive mail
/// exclamation marks turned into full stops and cheerful ones dropped.
pub fn parse_suggestions(output: &str, sensitive: bool) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = Vec::new();
    for line in output.lines() {
        let line = line.trim();
        let (intent, rest) = if let Some(r) = line.strip_prefix("Yes:") {
            (Intent::Yes, r)
        } else if let Some(r) = line.strip_prefix("No:") {
            (Intent::No, r)
        } else if let Some(r) = line.strip_prefix("Other:") {
            (Intent::Other, r)
        } else {
            continue;
        };
        let mut text = first_words(rest.trim().trim_matches('"'), MAX_WORDS);
        if sensitive {
            text = text.replace('!', ".");
            let lower = text.to_lowercase();
            if CHEERFUL.iter().any(|c| lower.starts_with(c)) {
                continue;
            }
        }
        let key = normalise(&text);
        if key.is_empty()
            || out
                .iter()
                .any(|s| s.intent == intent || normalise(&s.text) == key)
        {
            continue;
        }
        out.push(Suggestion { intent, text });
    }
    out
}

fn normalise(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// What smart reply decided for a message, as stored and shown.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Suggestions(Vec<Suggestion>),
    Skipped(SkipReason),
}

/// Smart reply for one message, as the CLI and the app show it.
#[derive(Debug, Clone, Serialize)]
pub struct SmartReply {
    /// `m12`: the message.
    pub message: String,
    pub model: String,
    pub outcome: Outcome,
    /// Time it took to compute (when it was computed, if this came from the store).
    pub elapsed_ms: u64,
    /// Read from the store rather than computed now.
    pub cached: bool,
    /// The model's request when it ran now: prompt and answer tokens, time to first token.
    pub generation: Option<crate::engine::GenerationStats>,
    /// Where they were written: `local` or `cloud`.
    pub route: &'static str,
    /// Said beside the suggestions: the cloud model wrote them (and what went out), or why they
    /// were written on this device after all.
    pub notice: Option<String>,
}

impl Library {
    /// A message with what smart reply needs around it: its new text (without quoted history),
    /// the user's addresses, and up to three of the user's past replies to similar mail (with
    /// the ids of the messages they come from).
    async fn reply_context(
        &self,
        id: String,
    ) -> Result<(MessageRecord, String, Vec<String>, Vec<(i64, String)>)> {
        let m = match self.show(&id).await? {
            Shown::Message(m) => *m,
            _ => {
                return Err(CoreError::InvalidRequest(format!(
                    "`{id}` is not a message: smart reply answers mail (use an id like m12)"
                )))
            }
        };
        let this = self.clone();
        blocking(move || {
            let mut store = this.open_store()?;
            let addresses = store.user_addresses()?;
            let new_text = crate::chunk::mail_new_text(&m.body_text).to_string();
            let mut past = Vec::new();
            if let Some(me) = addresses.first() {
                let index = this.index(&mut store)?;
                let query: String = format!("{} {}", m.subject, first_words(&new_text, 40))
                    .chars()
                    .map(|c| {
                        if c.is_alphanumeric() || c.is_whitespace() {
                            c
                        } else {
                            ' '
                        }
                    })
                    .collect();
                let filters = Filters {
                    from: Some(me.clone()),
                    kind: Some(crate::index::DocKind::Mail),
                    ..Filters::default()
                };
                for hit in index.search(&query, &filters, 8)? {
                    let crate::index::DocKey::Message(n) = hit.key else {
                        continue;
                    };
                    if n == m.id {
                        continue;
                    }
                    if let Some(r) = store.message(n)? {
                        let text = crate::chunk::mail_new_text(&r.body_text).trim().to_string();
                        if !text.is_empty() && text.split_whitespace().count() <= 60 {
                            past.push((n, text));
                        }
                    }
                    if past.len() == 3 {
                        break;
                    }
                }
            }
            Ok((m, new_text, addresses, past))
        })
        .await
    }

    async fn stored_reply(&self, message: i64, model: String) -> Result<Option<(Outcome, u64)>> {
        let this = self.clone();
        blocking(move || {
            let store = this.open_store()?;
            Ok(store
                .reply_outcome(message, &model)?
                .and_then(|(json, ms)| {
                    serde_json::from_str::<Outcome>(&json)
                        .ok()
                        .map(|o| (o, ms.max(0) as u64))
                }))
        })
        .await
    }

    async fn store_reply(
        &self,
        message: i64,
        model: String,
        outcome: &Outcome,
        ms: u64,
    ) -> Result<()> {
        let json = serde_json::to_string(outcome).expect("outcome serializes");
        let this = self.clone();
        blocking(move || {
            this.open_store()?
                .put_reply_outcome(message, &model, &json, ms as i64)
        })
        .await
    }

    /// Starts a draft replying to message `message` with `body` (a picked suggestion).
    pub async fn draft_reply(
        &self,
        message: i64,
        body: String,
        origin: &'static str,
    ) -> Result<Draft> {
        let this = self.clone();
        blocking(move || {
            let store = this.open_store()?;
            let m = store.message(message)?.ok_or_else(|| CoreError::NotFound {
                what: format!("message m{message}"),
                hint: String::new(),
            })?;
            let to: Vec<String> = if m.reply_to.is_empty() {
                vec![m.from.address.clone()]
            } else {
                m.reply_to.iter().map(|a| a.address.clone()).collect()
            };
            let subject = if m.subject.to_ascii_lowercase().starts_with("re:") {
                m.subject.clone()
            } else {
                format!("Re: {}", m.subject)
            };
            store.create_draft(Some(message), &to, &subject, &body, origin)
        })
        .await
    }

    /// Every draft, most recently changed first.
    pub async fn drafts(&self) -> Result<Vec<Draft>> {
        let this = self.clone();
        blocking(move || this.open_store()?.drafts()).await
    }

    /// Replaces a draft's text.
    pub async fn edit_draft(&self, id: i64, body: String) -> Result<Draft> {
        let this = self.clone();
        blocking(move || {
            let store = this.open_store()?;
            let missing = || CoreError::NotFound {
                what: format!("draft {id}"),
                hint: ": `assistant drafts` lists them".into(),
            };
            if !store.update_draft(id, &body)? {
                return Err(missing());
            }
            store.draft(id)?.ok_or_else(missing)
        })
        .await
    }
}

impl Assistant {
    /// Three suggested replies to a message (or why there are none), from the store when they were
    /// computed before with the active model, unless `fresh`.
    pub async fn smart_reply(&self, id: &str, fresh: bool) -> Result<SmartReply> {
        self.smart_reply_routed(id, fresh, false).await
    }

    /// Smart reply; with `user_asked`, written by the cloud model when the privacy router lets
    /// the message go (a cloud model is set, reply is allowed, neither the message nor the past
    /// replies read for style come from a private source). Without it, suggestions computed now
    /// for a message longer than the local model reads go to the cloud model when allowed.
    /// Personal data goes out as placeholders; the call is logged; a cloud failure falls back to
    /// the local model with a notice.
    pub async fn smart_reply_routed(
        &self,
        id: &str,
        fresh: bool,
        user_asked: bool,
    ) -> Result<SmartReply> {
        self.smart_reply_with(id, fresh || user_asked, Priority::Interactive, user_asked)
            .await
    }

    /// Computes and stores suggestions for up to `limit` of the newest messages that have none for
    /// the active model yet, as background work (requests the user waits for go first), so that
    /// opening them shows suggestions at once. Returns how many were done.
    pub async fn precompute_replies(&self, limit: usize) -> Result<usize> {
        let model = self.engine_config()?.model_id;
        let library = self.library().clone();
        let ids = blocking(move || {
            library
                .open_store()?
                .messages_without_reply_outcome(&model, limit)
        })
        .await?;
        for id in &ids {
            self.smart_reply_with(&format!("m{id}"), false, Priority::Background, false)
                .await?;
        }
        Ok(ids.len())
    }

    async fn smart_reply_with(
        &self,
        id: &str,
        fresh: bool,
        priority: Priority,
        user_asked: bool,
    ) -> Result<SmartReply> {
        let model = self.engine_config()?.model_id;
        let library = self.library();
        let (m, new_text, addresses, past) = library.reply_context(id.to_string()).await?;
        let key = format!("m{}", m.id);
        if !fresh {
            if let Some((outcome, ms)) = library.stored_reply(m.id, model.clone()).await? {
                return Ok(SmartReply {
                    message: key,
                    model,
                    outcome,
                    elapsed_ms: ms,
                    cached: true,
                    generation: None,
                    route: "local",
                    notice: None,
                });
            }
        }
        let decision = decide(&m, &new_text, &addresses);
        let reasons = crate::cloud::Reasons {
            user_asked,
            // Background work never sends anything: only what the user is looking at.
            too_long_for_local: priority == Priority::Interactive
                && new_text.trim().chars().count() > MAX_MESSAGE_CHARS,
            local_answer_failed: false,
        };
        let may_go = matches!(decision, Decision::Suggest { .. })
            && reasons != crate::cloud::Reasons::default()
            && (user_asked || self.settings()?.cloud.is_some());
        if matches!(decision, Decision::Suggest { .. }) && !user_asked {
            // Loaded before the clock starts: the app keeps the model loaded, and loading is
            // measured on its own (`assistant bench`).
            self.engine().await?;
        }
        let started = std::time::Instant::now();
        let mut generation = None;
        let mut route = "local";
        let mut notice = None;
        let past_texts: Vec<String> = past.iter().map(|(_, t)| t.clone()).collect();
        let outcome = match decision {
            Decision::Skip(reason) => Outcome::Skipped(reason),
            Decision::Suggest { sensitive } => {
                let mut from_cloud = None;
                if may_go {
                    let (request, preview) = self
                        .reply_cloud_request(&m, &new_text, sensitive, &past, reasons)
                        .await?;
                    if preview.goes_to_cloud() {
                        match self
                            .cloud_answer(
                                "reply",
                                request,
                                &preview.sources,
                                preview.placeholders.len(),
                            )
                            .await
                        {
                            Ok(out) => {
                                from_cloud =
                                    Some(crate::privacy::restore(&out, &preview.placeholders));
                                route = "cloud";
                                notice = Some(preview.sent_notice());
                            }
                            Err(e) => notice = Some(crate::cloud::fallback_notice(&e)),
                        }
                    } else {
                        notice = crate::cloud::stayed_notice(&preview.route, reasons);
                    }
                }
                let text = match from_cloud {
                    Some(text) => text,
                    None => {
                        let mut request = build_request(&m, &new_text, sensitive, &past_texts);
                        request.priority = priority;
                        let mut stream = self.generate(request).await?;
                        let mut text = String::new();
                        while let Some(event) = stream.next().await {
                            match event? {
                                StreamEvent::Token(t) => text.push_str(&t),
                                StreamEvent::Done(stats) => generation = Some(stats),
                            }
                        }
                        text
                    }
                };
                Outcome::Suggestions(parse_suggestions(&text, sensitive))
            }
        };
        let elapsed_ms = started.elapsed().as_millis() as u64;
        library
            .store_reply(m.id, model.clone(), &outcome, elapsed_ms)
            .await?;
        Ok(SmartReply {
            message: key,
            model,
            outcome,
            elapsed_ms,
            cached: false,
            generation,
            route,
            notice,
        })
    }

    /// What asking the cloud model for suggestions to message `id` would send, without sending
    /// anything: where it would go (or why it stays), the text with personal data as
    /// placeholders.
    pub async fn reply_cloud_preview(&self, id: &str) -> Result<crate::cloud::CloudPreview> {
        let (m, new_text, addresses, past) = self.library().reply_context(id.to_string()).await?;
        let sensitive = match decide(&m, &new_text, &addresses) {
            Decision::Suggest { sensitive } => sensitive,
            Decision::Skip(reason) => {
                return Err(CoreError::InvalidRequest(format!(
                    "m{} gets no suggestions: {}",
                    m.id,
                    reason.explain()
                )))
            }
        };
        let reasons = crate::cloud::Reasons::USER_ASKED;
        let (_, preview) = self
            .reply_cloud_request(&m, &new_text, sensitive, &past, reasons)
            .await?;
        Ok(preview)
    }

    /// The request the cloud model would get for suggestions to `m` (reading more of it than the
    /// local model does, personal data as placeholders), and its preview.
    async fn reply_cloud_request(
        &self,
        m: &MessageRecord,
        new_text: &str,
        sensitive: bool,
        past: &[(i64, String)],
        reasons: crate::cloud::Reasons,
    ) -> Result<(GenerationRequest, crate::cloud::CloudPreview)> {
        let past_texts: Vec<String> = past.iter().map(|(_, t)| t.clone()).collect();
        let mut request =
            build_request_reading(m, new_text, sensitive, &past_texts, CLOUD_MESSAGE_CHARS);
        let mut docs = vec![DocKey::Message(m.id)];
        docs.extend(past.iter().map(|(n, _)| DocKey::Message(*n)));
        let last = request.messages.last_mut().expect("the email");
        let preview = self
            .cloud_preview_of("reply", &docs, reasons, &last.content)
            .await?;
        last.content = preview.text.clone();
        request.constraint = OutputConstraint::None;
        request.max_tokens = Some(160);
        Ok((request, preview))
    }

    /// Opens a draft from suggestion `index` (0-based) of a message's smart reply.
    pub async fn pick_reply(&self, id: &str, index: usize) -> Result<Draft> {
        let reply = self.smart_reply(id, false).await?;
        let suggestions = match &reply.outcome {
            Outcome::Suggestions(s) => s,
            Outcome::Skipped(reason) => {
                return Err(CoreError::InvalidRequest(format!(
                    "{} has no suggestions: {}",
                    reply.message,
                    reason.explain()
                )))
            }
        };
        let s = suggestions.get(index).ok_or_else(|| {
            CoreError::InvalidRequest(format!(
                "{} has {} suggestions; pick 1 to {}",
                reply.message,
                suggestions.len(),
                suggestions.len()
            ))
        })?;
        let message: i64 = reply.message[1..].parse().expect("m<number>");
        self.library()
            .draft_reply(message, s.text.clone(), "smart_reply")
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::Mailbox;

    fn message(from: &str, subject: &str, body: &str, headers: &[(&str, &str)]) -> MessageRecord {
        MessageRecord {
            id: 1,
            message_id: None,
            thread_id: None,
            subject: subject.into(),
            from: Mailbox {
                name: "Sara Lee".into(),
                address: from.into(),
            },
            to: Vec::new(),
            cc: Vec::new(),
            bcc: Vec::new(),
            reply_to: Vec::new(),
            date: None,
            in_reply_to: None,
            references: Vec::new(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body_text: body.into(),
            has_html: false,
            attachments: Vec::new(),
            places: Vec::new(),
            unread: true,
            filed_in: String::new(),
            flagged: false,
            labels: Vec::new(),
            size: 0,
            problems: None,
        }
    }

    fn decide_for(from: &str, subject: &str, body: &str, headers: &[(&str, &str)]) -> Decision {
        decide(
            &message(from, subject, body, headers),
            body,
            &["me@example.com".into()],
        )
    }

    #[test]
    fn the_trigger_skips_automated_bulk_own_and_unasking_mail() {
        let ask = "Can you send the Q3 numbers by Friday?";
        assert_eq!(
            decide_for("sara@example.com", "Q3", ask, &[]),
            Decision::Suggest { sensitive: false }
        );
        for from in [
            "no-reply@shop.example",
            "notifications@github.example",
            "MAILER-DAEMON@x.example",
            "newsletter+weekly@x.example",
        ] {
            assert_eq!(
                decide_for(from, "Q3", ask, &[]),
                Decision::Skip(SkipReason::AutomatedSender),
                "{from}"
            );
        }
        assert_eq!(
            decide_for(
                "sara@example.com",
                "Out of office",
                ask,
                &[("Auto-Submitted", "auto-replied")]
            ),
            Decision::Skip(SkipReason::AutomatedSender)
        );
        assert_eq!(
            decide_for("sara@example.com", "Q3", ask, &[("Auto-Submitted", "no")]),
            Decision::Suggest { sensitive: false }
        );
        assert_eq!(
            decide_for(
                "list@example.com",
                "Digest",
                ask,
                &[("List-Unsubscribe", "<mailto:x>")]
            ),
            Decision::Skip(SkipReason::BulkMail)
        );
        assert_eq!(
            decide_for("promo@example.com", "Sale", ask, &[("Precedence", "bulk")]),
            Decision::Skip(SkipReason::BulkMail)
        );
        for from in [
            "marketing@nymex.example",
            "webmaster@cera.example",
            "info@shop.example",
        ] {
            assert_eq!(
                decide_for(from, "Q3", ask, &[]),
                Decision::Skip(SkipReason::AutomatedSender),
                "{from}"
            );
        }
        // "information@" and "infoman@" are not "info@".
        assert_eq!(
            decide_for("infoman@example.com", "Q3", ask, &[]),
            Decision::Suggest { sensitive: false }
        );
        for subject in [
            "Out of Office: Holly",
            "Accepted: India Meeting",
            "Undeliverable: Q3",
        ] {
            assert_eq!(
                decide_for("sara@example.com", subject, ask, &[]),
                Decision::Skip(SkipReason::AutomatedSender),
                "{subject}"
            );
        }
        let mut broadcast = message("sara@example.com", "Q3", ask, &[]);
        broadcast.to = (0..60)
            .map(|i| Mailbox {
                name: String::new(),
                address: format!("p{i}@example.com"),
            })
            .collect();
        assert_eq!(
            decide(&broadcast, ask, &[]),
            Decision::Skip(SkipReason::BulkMail)
        );
        assert_eq!(
            decide_for("ME@example.com", "Q3", ask, &[]),
            Decision::Skip(SkipReason::FromUser)
        );
        assert_eq!(
            decide_for("sara@example.com", "FYI", "The report is attached.", &[]),
            Decision::Skip(SkipReason::NothingAsked)
        );
        // A request without a question mark still asks; "pleased" is not "please".
        assert_eq!(
            decide_for(
                "sara@example.com",
                "Report",
                "Please review the attached draft.",
                &[]
            ),
            Decision::Suggest { sensitive: false }
        );
        assert_eq!(
            decide_for(
                "sara@example.com",
                "Done",
                "We are pleased with the result.",
                &[]
            ),
            Decision::Skip(SkipReason::NothingAsked)
        );
    }

    #[test]
    fn sensitive_topics_are_marked() {
        assert_eq!(
            decide_for(
                "sara@example.com",
                "Sad news",
                "My father passed away on Sunday. Could you cover my meetings this week?",
                &[]
            ),
            Decision::Suggest { sensitive: true }
        );
    }

    #[test]
    fn the_request_keeps_fixed_instructions_first_and_constrains_three_lines() {
        let m = message("sara@example.com", "Lunch", "Lunch on Thursday?", &[]);
        let r = build_request(
            &m,
            "Lunch on Thursday?",
            false,
            &["Sure, see you then.".into()],
        );
        assert_eq!(r.messages[0].content, SYSTEM_PROMPT);
        assert_eq!(r.messages[2].content, EXAMPLE_REPLIES);
        let user = &r.messages[3].content;
        assert!(user.contains("- Sure, see you then."), "{user}");
        assert!(
            user.contains("Email from Sara Lee\nSubject: Lunch"),
            "{user}"
        );
        assert!(user.ends_with("Lunch on Thursday?"), "{user}");
        assert!(!user.contains(SENSITIVE_NOTE));
        match &r.constraint {
            OutputConstraint::Regex(re) => {
                assert!(
                    re.starts_with("Yes: ") && re.contains("\\nNo: ") && re.contains("\\nOther: "),
                    "{re}"
                )
            }
            other => panic!("{other:?}"),
        }
        let long = "word ".repeat(1_000);
        let r = build_request(&m, &long, true, &[]);
        assert!(r.messages[3].content.contains(SENSITIVE_NOTE));
        assert!(r.messages[3].content.len() < MAX_MESSAGE_CHARS + 200);
    }

    #[test]
    fn suggestions_are_parsed_trimmed_and_deduplicated() {
        let out = "Yes: Sure, Thursday works for me.\nNo: Sorry, I can't make Thursday.\nOther: Could we do Friday instead?";
        let s = parse_suggestions(out, false);
        assert_eq!(s.len(), 3);
        assert_eq!(
            s[0],
            Suggestion {
                intent: Intent::Yes,
                text: "Sure, Thursday works for me.".into()
            }
        );
        assert_eq!(s[2].intent, Intent::Other);
        // Repeats (same words, or a second line of one intent) and empty lines are dropped.
        let out = "Yes: Sounds good!\nNo: sounds good\nOther: \nYes: Another yes";
        let s = parse_suggestions(out, false);
        assert_eq!(
            s,
            vec![Suggestion {
                intent: Intent::Yes,
                text: "Sounds good!".into()
            }]
        );
        // Long ones are cut to MAX_WORDS words.
        let long = format!("Yes: {}", "ok ".repeat(40));
        assert_eq!(
            parse_suggestions(&long, false)[0]
                .text
                .split_whitespace()
                .count(),
            MAX_WORDS
        );
        // Sensitive mail: no exclamation marks, no cheerful replies.
        let out = "Yes: Great, I'll cover them!\nNo: I'm so sorry, I can't this week!\nOther: What can I take off your plate?";
        let s = parse_suggestions(out, true);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].text, "I'm so sorry, I can't this week.");
    }
}
