//! Ask: answers to questions about the user's mail and notes, written by the local model from
//! retrieved passages only, each claim cited as `[n]` and mapped to the message or note it came
//! from; "not in your mail or notes" when the passages do not say.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use tokio::sync::mpsc;

use crate::assistant::Assistant;
use crate::cloud::Reasons;
use crate::engine::{
    Backend, ChatMessage, GenerationRequest, GenerationStats, OutputConstraint, StreamEvent,
};
use crate::error::{CoreError, Result};
use crate::index::{DocKey, DocKind, Filters};
use crate::library::{blocking, Library, Shown};
use crate::search::SearchMode;

/// What the answer says when the passages do not answer the question.
pub const NOT_FOUND: &str = "Not in your mail or notes.";
/// Passages the model reads.
pub const MAX_PASSAGES: usize = 5;
/// Of each passage: at most this much text.
const PASSAGE_CHARS: usize = 700;

/// Where to look.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AskScope {
    /// Only mail or only notes.
    pub kind: Option<DocKind>,
    /// Only this message, note or thread (`m12`, `n3`, `t5`, a Message-ID or a note path):
    /// "ask about this thread".
    pub about: Option<String>,
}

/// One numbered passage the answer may cite.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Citation {
    /// The number the answer cites it by: `[n]`.
    pub n: usize,
    /// `m12` or `n3`.
    pub id: String,
    /// The Message-ID header of a message.
    pub message_id: Option<String>,
    /// The path of a note inside its folder.
    pub path: Option<String>,
    /// Subject or note title.
    pub title: String,
    /// Sender of a message.
    pub from: Option<String>,
    pub date: Option<i64>,
    pub passage: String,
}

/// The finished answer.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub question: String,
    pub answer: String,
    /// False when the answer is [`NOT_FOUND`].
    pub found: bool,
    /// The passages the model read, numbered as cited.
    pub passages: Vec<Citation>,
    /// The numbers the answer cites, in order of first citation.
    pub cited: Vec<usize>,
    /// `(from, to)`: the model cited passage `from`, but passage `to` states the answer's facts
    /// (and more of its words): the citation was moved there.
    pub citation_moved: Option<(usize, usize)>,
    /// Names, dates, amounts and addresses in the answer that its cited passages do not state
    /// (shown as a warning).
    pub unsupported: Vec<crate::factcheck::Fact>,
    pub model: String,
    pub elapsed_ms: u64,
    pub generation: Option<GenerationStats>,
    /// Where it was written: `local` or `cloud`.
    pub route: &'static str,
    /// Said to the user beside the answer: the cloud model wrote it (and what went out), or why
    /// it stayed on the device or fell back to it.
    pub notice: Option<String>,
}

/// What an ask stream delivers: the passages first, then the answer's text as it is written,
/// then the finished answer.
#[derive(Debug, Clone)]
pub enum AskEvent {
    Passages(Vec<Citation>),
    Token(String),
    /// The text so far is withdrawn and the answer is written again; the notice says why (the
    /// local answer failed its check and goes to the cloud model, or the cloud model failed).
    Restart(String),
    Done(Box<Answer>),
}

/// An answer being written. Dropping it stops the model.
pub struct AskStream {
    rx: mpsc::Receiver<Result<AskEvent>>,
}

impl AskStream {
    pub async fn next(&mut self) -> Option<Result<AskEvent>> {
        self.rx.recv().await
    }

    /// Waits for the finished answer.
    pub async fn finish(mut self) -> Result<Answer> {
        while let Some(event) = self.next().await {
            if let AskEvent::Done(answer) = event? {
                return Ok(*answer);
            }
        }
        Err(CoreError::Engine(
            "the answer stopped before it finished".into(),
        ))
    }
}

const SYSTEM_PROMPT: &str = "You answer questions about the user's own email and notes, using \
only the numbered passages given with the question. Answer in one short sentence and end it with \
the number of the passage it comes from, like [2]. If the passages do not \
contain the answer, write exactly: Not in your mail or notes.";

const EXAMPLE_QUESTION: &str = "Passages:\n[1] Email from Dana Whitfield, Tue 2 May 2023, \
subject \"Lease\": The landlord signed the new lease for the Elm Street warehouse. Rent goes up to \
$3,150 a month from June 1.\n[2] Note \"Warehouse\": Alarm code changes every quarter; ask \
Priya.\n\nQuestion: How much is the new rent for the warehouse?";

const EXAMPLE_ANSWER: &str = "The new rent is $3,150 a month from June 1 [1].";

/// The answer's shape: cited sentences, or the plain "not found" line.
fn output_regex(passages: usize) -> String {
    let n = passages.clamp(1, 9);
    // One sentence (nothing ends it early: no decimals either), then its citation.
    let cited = format!(r"[^\n\[\].?!]{{2,200}}[.?!]? \[[1-{n}]\]\.?");
    format!(r"(Not in your mail or notes\.|{cited})")
}

/// The request: instructions, a worked example, then the passages and the question.
pub fn build_request(question: &str, passages: &[Citation]) -> GenerationRequest {
    let mut text = String::from("Passages:\n");
    for c in passages {
        let what = match (&c.from, &c.path) {
            (Some(from), _) => format!(
                "Email from {from}{}, subject \"{}\"",
                c.date
                    .map(|d| format!(", {}", crate::summary::format_day(d)))
                    .unwrap_or_default(),
                c.title
            ),
            (None, _) => format!("Note \"{}\"", c.title),
        };
        text.push_str(&format!("[{}] {what}: {}\n", c.n, c.passage));
    }
    text.push_str(&format!("\nQuestion: {}", question.trim()));
    let mut request = GenerationRequest::new(vec![
        ChatMessage::system(SYSTEM_PROMPT),
        ChatMessage::user(EXAMPLE_QUESTION),
        ChatMessage::assistant(EXAMPLE_ANSWER),
        ChatMessage::user(text),
    ]);
    request.max_tokens = Some(120);
    request.constraint = OutputConstraint::Regex(output_regex(passages.len()));
    request
}

/// The passage numbers an answer cites, in order of first citation, only those that exist.
pub fn cited_numbers(answer: &str, passages: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut rest = answer;
    while let Some(open) = rest.find('[') {
        rest = &rest[open + 1..];
        let Some(close) = rest.find(']') else { break };
        for part in rest[..close].split(',') {
            if let Ok(n) = part.trim().parse::<usize>() {
                if (1..=passages).contains(&n) && !out.contains(&n) {
                    out.push(n);
                }
            }
        }
        rest = &rest[close + 1..];
    }
    out
}

const STOP_WORDS: &[&str] = &[
    "a", "about", "an", "and", "are", "as", "at", "be", "by", "can", "did", "do", "does", "for",
    "from", "has", "have", "how", "i", "in", "is", "it", "me", "my", "of", "on", "or", "the",
    "their", "this", "to", "was", "we", "were", "what", "when", "where", "which", "who", "whom",
    "why", "will", "with", "you", "your",
];

/// The words of a question worth searching for.
pub fn query_words(question: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    question
        .split(|c: char| !c.is_alphanumeric() && c != '@' && c != '.' && c != '-')
        .map(|w| w.trim_matches(['.', '-']).to_lowercase())
        .filter(|w| !w.is_empty() && !STOP_WORDS.contains(&w.as_str()))
        .filter(|w| seen.insert(w.clone()))
        .collect()
}

/// The passage of a document that shares the most (rarer) question words; ties keep the earlier.
fn best_passage<'a>(passages: &'a [String], words: &[String]) -> Option<&'a str> {
    let lower: Vec<String> = passages.iter().map(|p| p.to_lowercase()).collect();
    let df: HashMap<&str, usize> = words
        .iter()
        .map(|w| {
            (
                w.as_str(),
                lower.iter().filter(|p| p.contains(w.as_str())).count(),
            )
        })
        .collect();
    let score = |p: &str| -> f64 {
        words
            .iter()
            .filter(|w| p.contains(w.as_str()))
            .map(|w| 1.0 / (1.0 + df[w.as_str()] as f64))
            .sum()
    };
    let mut best: Option<(usize, f64)> = None;
    for (i, p) in lower.iter().enumerate() {
        let s = score(p);
        if best.is_none_or(|(_, b)| s > b) {
            best = Some((i, s));
        }
    }
    best.map(|(i, _)| passages[i].as_str())
}

/// The passage that supports a one-citation answer better than the cited passage `n`: fewer of
/// the answer's facts missing, then more of its words present. `None` when `n` is as good.
/// (Small models often cite the last passage they read rather than the one they used.)
pub fn better_citation(answer: &str, n: usize, passages: &[Citation]) -> Option<usize> {
    let claim: String = answer.replace(&format!("[{n}]"), " ").trim().to_string();
    let words = query_words(&claim);
    let fit = |c: &Citation| -> (usize, usize) {
        let text = format!(
            "{}\n{}\n{}",
            c.title,
            c.from.as_deref().unwrap_or(""),
            c.passage
        );
        let source = crate::factcheck::Source::new(&text);
        let missing = crate::factcheck::unsupported(&claim, &source).len();
        let lower = text.to_lowercase();
        let present = words.iter().filter(|w| lower.contains(w.as_str())).count();
        (missing, usize::MAX - present)
    };
    let cited = fit(passages.get(n - 1)?);
    let (best, best_fit) = passages
        .iter()
        .map(|c| (c.n, fit(c)))
        .min_by_key(|&(i, f)| (f, i))?;
    (best_fit < cited).then_some(best)
}

fn clip(text: &str, max: usize) -> String {
    let text = crate::mail::collapse_whitespace(text);
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{} …", &text[..i]),
        None => text,
    }
}

impl Library {
    /// The numbered passages an answer to `question` may use: the best passage of each of the
    /// top documents (hybrid search when vectors exist), or of the documents `about` names.
    pub async fn ask_passages(&self, question: &str, scope: &AskScope) -> Result<Vec<Citation>> {
        let words = query_words(question);
        let keys: Vec<DocKey> = match &scope.about {
            Some(about) => match self.show(about).await? {
                Shown::Message(m) => vec![DocKey::Message(m.id)],
                Shown::Note(n) => vec![DocKey::Note(n.id)],
                Shown::Thread(t) => t.messages.iter().map(|m| DocKey::Message(m.id)).collect(),
            },
            None => {
                if words.is_empty() {
                    return Ok(Vec::new());
                }
                let filters = Filters {
                    kind: scope.kind,
                    ..Filters::default()
                };
                self.search_with(words.join(" "), filters, MAX_PASSAGES, SearchMode::Auto)
                    .await?
                    .iter()
                    .filter_map(|r| DocKey::parse(&r.id))
                    .collect()
            }
        };
        let this = self.clone();
        let scoped = scope.about.is_some();
        blocking(move || {
            let store = this.open_store()?;
            // Candidates: (document, passage). Searched documents give one passage each; a
            // named document or thread gives its best passages overall.
            let mut candidates: Vec<(DocKey, String)> = Vec::new();
            for key in keys {
                let mut passages = store.passages(key)?;
                let body = match key {
                    DocKey::Message(id) => store
                        .message(id)?
                        .map(|m| crate::chunk::mail_new_text(&m.body_text).to_string()),
                    DocKey::Note(id) => store.note(id)?.map(|n| n.body),
                };
                if passages.is_empty() {
                    let Some(body) = body else { continue };
                    passages = crate::chunk::chunk_text(
                        &body,
                        crate::chunk::MAX_CHUNK_CHARS,
                        crate::chunk::MAX_CHUNKS,
                    )
                    .into_iter()
                    .map(|c| c.text)
                    .collect();
                }
                if scoped {
                    candidates.extend(passages.into_iter().map(|p| (key, p)));
                } else if let Some(p) = best_passage(&passages, &words) {
                    candidates.push((key, p.to_string()));
                }
            }
            if scoped && candidates.len() > MAX_PASSAGES {
                let texts: Vec<String> = candidates.iter().map(|(_, p)| p.clone()).collect();
                let mut ranked: Vec<usize> = (0..texts.len()).collect();
                let lower: Vec<String> = texts.iter().map(|t| t.to_lowercase()).collect();
                let hits = |i: usize| {
                    words
                        .iter()
                        .filter(|w| lower[i].contains(w.as_str()))
                        .count()
                };
                ranked.sort_by_key(|&i| std::cmp::Reverse(hits(i)));
                ranked.truncate(MAX_PASSAGES);
                ranked.sort();
                candidates = ranked.into_iter().map(|i| candidates[i].clone()).collect();
            }
            let mut out = Vec::new();
            for (key, passage) in candidates.into_iter().take(MAX_PASSAGES) {
                let n = out.len() + 1;
                let citation = match key {
                    DocKey::Message(id) => {
                        let Some(m) = store.message(id)? else {
                            continue;
                        };
                        Citation {
                            n,
                            id: key.to_string(),
                            message_id: m.message_id.clone(),
                            path: None,
                            title: m.subject.clone(),
                            from: Some(if m.from.name.is_empty() {
                                m.from.address.clone()
                            } else {
                                m.from.name.clone()
                            }),
                            date: m.date,
                            passage: clip(&passage, PASSAGE_CHARS),
                        }
                    }
                    DocKey::Note(id) => {
                        let Some(note) = store.note(id)? else {
                            continue;
                        };
                        Citation {
                            n,
                            id: key.to_string(),
                            message_id: None,
                            path: Some(note.path.clone()),
                            title: note.title.clone(),
                            from: None,
                            date: None,
                            passage: clip(&passage, PASSAGE_CHARS),
                        }
                    }
                };
                out.push(citation);
            }
            Ok(out)
        })
        .await
    }
}

/// The answer's text checked: citations read (and moved to the passage that states it), found or
/// not, facts the cited passages do not state.
fn finish_answer(
    question: &str,
    text: &str,
    passages: Vec<Citation>,
    model: String,
    started: std::time::Instant,
) -> Answer {
    let mut answer = text.trim().to_string();
    let mut cited = cited_numbers(&answer, passages.len());
    let mut citation_moved = None;
    if let [n] = cited[..] {
        if let Some(better) = better_citation(&answer, n, &passages) {
            answer = answer.replace(&format!("[{n}]"), &format!("[{better}]"));
            cited = vec![better];
            citation_moved = Some((n, better));
        }
    }
    let found = !answer.starts_with(NOT_FOUND) && !cited.is_empty();
    let cited_text: String = cited
        .iter()
        .map(|n| {
            let c = &passages[n - 1];
            format!(
                "{}\n{}\n{}\n",
                c.title,
                c.from.as_deref().unwrap_or(""),
                c.passage
            )
        })
        .collect();
    let unsupported = if found {
        crate::factcheck::unsupported(&answer, &crate::factcheck::Source::new(&cited_text))
    } else {
        Vec::new()
    };
    Answer {
        question: question.to_string(),
        answer,
        found,
        passages,
        cited,
        citation_moved,
        unsupported,
        model,
        elapsed_ms: started.elapsed().as_millis() as u64,
        generation: None,
        route: "local",
        notice: None,
    }
}

/// Why a local answer failed its check, or None when it passed.
fn failed_check(answer: &Answer) -> Option<&'static str> {
    if answer.passages.is_empty() {
        None
    } else if !answer.found {
        Some("the local model did not find the answer in the passages")
    } else if !answer.unsupported.is_empty() {
        Some("the local answer stated what its sources do not")
    } else {
        None
    }
}

impl Assistant {
    /// Answers `question` from the user's mail and notes, streaming the answer as it is written.
    /// When the local answer fails its check and the privacy router allows it, the cloud model
    /// writes it again (see [`Assistant::ask_routed`]).
    pub async fn ask(&self, question: &str, scope: AskScope) -> Result<AskStream> {
        self.ask_routed(question, scope, false).await
    }

    /// Answers `question`; with `user_asked`, by the cloud model when the privacy router lets the
    /// passages go (a cloud model is set, ask is allowed, no passage is from a private source).
    /// Without it, the cloud model is asked only when the local answer fails its check (no
    /// answer found in the passages, or facts its sources do not state) and the router allows.
    /// Personal data goes out as placeholders; every call is logged; a cloud failure falls back
    /// to the local model with a notice.
    pub async fn ask_routed(
        &self,
        question: &str,
        scope: AskScope,
        user_asked: bool,
    ) -> Result<AskStream> {
        let model = self.engine_config()?.model_id;
        let question = question.trim().to_string();
        if question.is_empty() {
            return Err(CoreError::InvalidRequest(
                "ask: the question is empty".into(),
            ));
        }
        let passages = self.library().ask_passages(&question, &scope).await?;
        if !passages.is_empty() && !user_asked {
            // Loaded before the clock starts, like smart reply: loading is measured on its own.
            self.engine().await?;
        }
        let (tx, rx) = mpsc::channel(64);
        let this = self.clone();
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let result = this
                .answer(&question, passages, model, started, user_asked, &tx)
                .await;
            if let Err(e) = result {
                let _ = tx.send(Err(e)).await;
            }
        });
        Ok(AskStream { rx })
    }

    /// What asking the cloud model `question` would send, without sending anything: where it
    /// would go (or why it stays), the passages and question with personal data as placeholders.
    pub async fn ask_cloud_preview(
        &self,
        question: &str,
        scope: AskScope,
    ) -> Result<crate::cloud::CloudPreview> {
        let passages = self.library().ask_passages(question.trim(), &scope).await?;
        self.ask_preview(question, &passages, Reasons::USER_ASKED)
            .await
    }

    async fn ask_preview(
        &self,
        question: &str,
        passages: &[Citation],
        reasons: Reasons,
    ) -> Result<crate::cloud::CloudPreview> {
        let keys: Vec<DocKey> = passages
            .iter()
            .filter_map(|c| DocKey::parse(&c.id))
            .collect();
        let request = build_request(question, passages);
        let text = &request.messages.last().expect("the question").content;
        self.cloud_preview_of("ask", &keys, reasons, text).await
    }

    async fn answer(
        &self,
        question: &str,
        passages: Vec<Citation>,
        model: String,
        started: std::time::Instant,
        user_asked: bool,
        tx: &mpsc::Sender<Result<AskEvent>>,
    ) -> Result<()> {
        let closed = || CoreError::Cancelled;
        tx.send(Ok(AskEvent::Passages(passages.clone())))
            .await
            .map_err(|_| closed())?;
        if passages.is_empty() {
            tx.send(Ok(AskEvent::Token(NOT_FOUND.to_string())))
                .await
                .map_err(|_| closed())?;
            let done = finish_answer(question, NOT_FOUND, passages, model, started);
            return tx
                .send(Ok(AskEvent::Done(Box::new(done))))
                .await
                .map_err(|_| closed());
        }
        let mut notice = None;
        if user_asked {
            let preview = self
                .ask_preview(question, &passages, Reasons::USER_ASKED)
                .await?;
            if preview.goes_to_cloud() {
                match self.ask_cloud(question, &passages, &preview, tx).await {
                    Ok(text) => {
                        let mut done = finish_answer(
                            question,
                            &text,
                            passages,
                            preview.model.clone(),
                            started,
                        );
                        done.route = "cloud";
                        done.notice = Some(preview.sent_notice());
                        return tx
                            .send(Ok(AskEvent::Done(Box::new(done))))
                            .await
                            .map_err(|_| closed());
                    }
                    Err(CoreError::Cancelled) => return Err(CoreError::Cancelled),
                    Err(e) => {
                        let said = crate::cloud::fallback_notice(&e);
                        tx.send(Ok(AskEvent::Restart(said.clone())))
                            .await
                            .map_err(|_| closed())?;
                        notice = Some(said);
                    }
                }
            } else {
                notice = crate::cloud::stayed_notice(&preview.route, Reasons::USER_ASKED);
            }
        }
        let (text, generation) = self.ask_local(question, &passages, tx).await?;
        let mut done = finish_answer(question, &text, passages, model, started);
        done.generation = generation;
        done.notice = notice;
        if let Some(why) = failed_check(&done).filter(|_| !user_asked) {
            if self.settings()?.cloud.is_some() {
                let reasons = Reasons {
                    local_answer_failed: true,
                    ..Reasons::default()
                };
                let preview = self.ask_preview(question, &done.passages, reasons).await?;
                if preview.goes_to_cloud() {
                    tx.send(Ok(AskEvent::Restart(format!(
                        "{why}; asking the cloud model"
                    ))))
                    .await
                    .map_err(|_| closed())?;
                    match self.ask_cloud(question, &done.passages, &preview, tx).await {
                        Ok(text) => {
                            let passages = std::mem::take(&mut done.passages);
                            done = finish_answer(
                                question,
                                &text,
                                passages,
                                preview.model.clone(),
                                started,
                            );
                            done.route = "cloud";
                            done.notice = Some(format!("{why}. {}", preview.sent_notice()));
                        }
                        Err(CoreError::Cancelled) => return Err(CoreError::Cancelled),
                        Err(e) => {
                            let said = format!(
                                "{why}, and the cloud model could not answer ({e}): the local answer is shown."
                            );
                            tx.send(Ok(AskEvent::Restart(said.clone())))
                                .await
                                .map_err(|_| closed())?;
                            tx.send(Ok(AskEvent::Token(done.answer.clone())))
                                .await
                                .map_err(|_| closed())?;
                            done.notice = Some(said);
                        }
                    }
                }
            }
        }
        tx.send(Ok(AskEvent::Done(Box::new(done))))
            .await
            .map_err(|_| closed())
    }

    /// The local model's answer, streamed to `tx` as it is written.
    async fn ask_local(
        &self,
        question: &str,
        passages: &[Citation],
        tx: &mpsc::Sender<Result<AskEvent>>,
    ) -> Result<(String, Option<GenerationStats>)> {
        let mut text = String::new();
        let mut generation = None;
        let mut stream = self.generate(build_request(question, passages)).await?;
        while let Some(event) = stream.next().await {
            match event? {
                StreamEvent::Token(t) => {
                    text.push_str(&t);
                    // The receiver went away: dropping `stream` stops the model.
                    tx.send(Ok(AskEvent::Token(t)))
                        .await
                        .map_err(|_| CoreError::Cancelled)?;
                }
                StreamEvent::Done(stats) => generation = Some(stats),
            }
        }
        Ok((text, generation))
    }

    /// The cloud model's answer over `preview`'s text (personal data as placeholders, put back
    /// as the answer streams to `tx`); the call is logged.
    async fn ask_cloud(
        &self,
        question: &str,
        passages: &[Citation],
        preview: &crate::cloud::CloudPreview,
        tx: &mpsc::Sender<Result<AskEvent>>,
    ) -> Result<String> {
        let engine = self.cloud_engine()?;
        let mut request = build_request(question, passages);
        request.messages.last_mut().expect("the question").content = preview.text.clone();
        request.constraint = OutputConstraint::None;
        request.max_tokens = Some(200);
        let chars: usize = request
            .messages
            .iter()
            .map(|m| m.content.chars().count())
            .sum();
        let mut restorer = crate::privacy::StreamRestorer::new(preview.placeholders.clone());
        let mut text = String::new();
        let result: Result<()> = async {
            let mut stream = engine.generate(request)?;
            while let Some(event) = stream.next().await {
                if let StreamEvent::Token(t) = event? {
                    let shown = restorer.push(&t);
                    if !shown.is_empty() {
                        text.push_str(&shown);
                        tx.send(Ok(AskEvent::Token(shown)))
                            .await
                            .map_err(|_| CoreError::Cancelled)?;
                    }
                }
            }
            let rest = restorer.finish();
            if !rest.is_empty() {
                text.push_str(&rest);
                tx.send(Ok(AskEvent::Token(rest)))
                    .await
                    .map_err(|_| CoreError::Cancelled)?;
            }
            Ok(())
        }
        .await;
        let outcome = match &result {
            Ok(()) => "ok".to_string(),
            Err(e) => e.to_string(),
        };
        self.log_cloud_call(
            "ask",
            &engine,
            chars,
            &preview.sources,
            preview.placeholders.len(),
            &outcome,
        )
        .await?;
        result.map(|()| text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn citation(n: usize, from: Option<&str>) -> Citation {
        Citation {
            n,
            id: format!("m{n}"),
            message_id: None,
            path: from.is_none().then(|| "notes/a.md".to_string()),
            title: "Q3 budget".into(),
            from: from.map(String::from),
            date: Some(1_699_257_600),
            passage: "The review is on Thursday at 14:00.".into(),
        }
    }

    #[test]
    fn the_request_numbers_passages_and_constrains_citations() {
        let r = build_request(
            " When is the review? ",
            &[citation(1, Some("Kenneth Moreau")), citation(2, None)],
        );
        assert_eq!(r.messages[0].content, SYSTEM_PROMPT);
        let user = &r.messages[3].content;
        assert!(
            user.starts_with(
                "Passages:\n[1] Email from Kenneth Moreau, Mon 6 Nov 2023, subject \"Q3 budget\": The review"
            ),
            "{user}"
        );
        assert!(
            user.contains("\n[2] Note \"Q3 budget\": The review"),
            "{user}"
        );
        assert!(
            user.ends_with("\n\nQuestion: When is the review?"),
            "{user}"
        );
        match &r.constraint {
            OutputConstraint::Regex(re) => {
                assert!(re.contains(r"\[[1-2]\]"), "{re}");
                assert!(re.starts_with(r"(Not in your mail or notes\."), "{re}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(cited_numbers(EXAMPLE_ANSWER, 2), [1]);
    }

    #[test]
    fn a_citation_moves_to_the_passage_that_states_the_answer() {
        let mut a = citation(1, Some("Kenneth Moreau"));
        a.passage = "The review is on Thursday at 14:00 in room 4B.".into();
        let mut b = citation(2, None);
        b.passage = "Start here. Current work: the Q3 budget.".into();
        let passages = [a, b];
        let answer = "The review is on Thursday at 14:00 in room 4B [2].";
        assert_eq!(better_citation(answer, 2, &passages), Some(1));
        assert_eq!(
            better_citation("The review is on Thursday [1].", 1, &passages),
            None
        );
        // Nothing better: kept.
        assert_eq!(
            better_citation("It rains in Lisbon [2].", 2, &passages),
            None
        );
    }

    #[test]
    fn citations_are_read_in_order_once_and_only_when_they_exist() {
        assert_eq!(cited_numbers("A [2]. B [1, 2]. C [7]. D [x]", 3), [2, 1]);
        assert!(cited_numbers(NOT_FOUND, 5).is_empty());
        assert!(cited_numbers("unclosed [1", 5).is_empty());
    }

    #[test]
    fn question_words_leave_out_stop_words_and_the_best_passage_has_the_rare_ones() {
        assert_eq!(
            query_words("What is the phone number of the PEP Help Desk?"),
            ["phone", "number", "pep", "help", "desk"]
        );
        let passages = vec![
            "Call the help desk for help.".to_string(),
            "The PEP help desk number is 713-555-0100.".to_string(),
        ];
        let words = query_words("What is the phone number of the PEP Help Desk?");
        assert_eq!(
            best_passage(&passages, &words),
            Some("The PEP help desk number is 713-555-0100.")
        );
        assert_eq!(best_passage(&[], &words), None);
    }

    #[test]
    fn a_local_answer_fails_its_check_when_it_finds_nothing_or_states_what_its_passages_do_not() {
        let started = std::time::Instant::now();
        let passages = vec![citation(1, Some("Priya"))];
        let finish = |text: &str, passages: Vec<Citation>| {
            finish_answer("When is the review?", text, passages, "m".into(), started)
        };
        let good = finish("The review is on Thursday at 14:00 [1].", passages.clone());
        assert!(good.found && good.unsupported.is_empty(), "{good:?}");
        assert_eq!(failed_check(&good), None);
        let missed = finish(NOT_FOUND, passages.clone());
        assert!(failed_check(&missed).unwrap().contains("did not find"));
        let uncited = finish("The review is on Thursday.", passages.clone());
        assert!(failed_check(&uncited).is_some(), "no citation: not found");
        let invented = finish(
            "The review is on Friday 17 November at 09:00 [1].",
            passages,
        );
        assert!(
            failed_check(&invented).unwrap().contains("sources do not"),
            "{:?}",
            invented.unsupported
        );
        // With nothing retrieved, a bigger model has nothing more to read.
        assert_eq!(failed_check(&finish(NOT_FOUND, Vec::new())), None);
    }
}
