//! `assistant reply` and `assistant drafts`: smart reply and the drafts it opens.

use assistant_core::ask::{AskEvent, AskScope};
use assistant_core::index::DocKind;
use assistant_core::reply::{Intent, Outcome, SmartReply};
use assistant_core::summary::{Summary, SummaryTarget};
use assistant_core::{Assistant, CoreError};
use clap::Args;

use crate::output;

#[derive(Args)]
pub struct ReplyArgs {
    /// The message: m12 (from `assistant search`) or its Message-ID. Several: one result each
    /// (with --json, one JSON object per line), the model loaded once.
    #[arg(required_unless_present = "new", num_args = 1..)]
    pub ids: Vec<String>,
    /// Instead: compute and store suggestions for the newest messages that have none yet (what
    /// the app does in the background after new mail arrives).
    #[arg(long, conflicts_with_all = ["pick", "fresh"])]
    pub new: bool,
    /// With --new: at most this many messages.
    #[arg(long, default_value_t = 20, requires = "new")]
    pub limit: usize,
    /// Compute again even when suggestions are stored for this message and model.
    #[arg(long)]
    pub fresh: bool,
    /// Open suggestion N (1, 2 or 3) as an editable draft.
    #[arg(long, value_name = "N")]
    pub pick: Option<usize>,
    /// Have the cloud model write them, if the privacy router lets the message go (reply
    /// allowed with `cloud set --allow reply`, no private source); else the local model does.
    /// (Without it, a message longer than the local model reads goes to the cloud model when
    /// reply is allowed.)
    #[arg(long, conflicts_with_all = ["new", "pick"])]
    pub cloud: bool,
}

pub async fn reply(assistant: &Assistant, args: ReplyArgs, json: bool) -> Result<(), CoreError> {
    if args.new {
        let started = std::time::Instant::now();
        let n = assistant.precompute_replies(args.limit).await?;
        let report = serde_json::json!({
            "messages": n,
            "elapsed_ms": started.elapsed().as_millis() as u64,
        });
        output::print(json, &report, || {
            format!(
                "smart reply ready for {n} more messages ({:.1} s)",
                started.elapsed().as_secs_f64()
            )
        });
        return Ok(());
    }
    if let Some(n) = args.pick {
        let [id] = args.ids.as_slice() else {
            return Err(CoreError::InvalidRequest("--pick takes one message".into()));
        };
        if n == 0 {
            return Err(CoreError::InvalidRequest(
                "--pick counts from 1 (the first suggestion)".into(),
            ));
        }
        let draft = assistant.pick_reply(id, n - 1).await?;
        output::print(json, &draft, || {
            format!(
                "draft {} to {}\nSubject: {}\n\n{}",
                draft.id,
                draft.to.join(", "),
                draft.subject,
                draft.body
            )
        });
        return Ok(());
    }
    if args.ids.len() > 1 {
        for id in &args.ids {
            let reply = assistant
                .smart_reply_routed(id, args.fresh, args.cloud)
                .await?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string(&reply).expect("reply serializes")
                );
            } else {
                println!("{}:\n{}", reply.message, describe(&reply));
            }
        }
        return Ok(());
    }
    let reply = assistant
        .smart_reply_routed(&args.ids[0], args.fresh, args.cloud)
        .await?;
    output::print(json, &reply, || describe(&reply));
    Ok(())
}

fn describe(reply: &SmartReply) -> String {
    let said = describe_outcome(reply);
    match &reply.notice {
        Some(notice) => format!("{said}\n({notice})"),
        None => said,
    }
}

fn describe_outcome(reply: &SmartReply) -> String {
    {
        let how = if reply.cached {
            format!("stored, computed in {} ms", reply.elapsed_ms)
        } else {
            format!("{} ms", reply.elapsed_ms)
        };
        match &reply.outcome {
            Outcome::Skipped(reason) => {
                format!(
                    "no suggestions for {}: {} ({how})",
                    reply.message,
                    reason.explain()
                )
            }
            Outcome::Suggestions(s) if s.is_empty() => {
                format!(
                    "the model gave no usable suggestions for {} ({how})",
                    reply.message
                )
            }
            Outcome::Suggestions(s) => {
                let mut out = String::new();
                for (i, s) in s.iter().enumerate() {
                    let intent = match s.intent {
                        Intent::Yes => "yes",
                        Intent::No => "no",
                        Intent::Other => "other",
                    };
                    out.push_str(&format!("{}. [{intent}] {}\n", i + 1, s.text));
                }
                out.push_str(&format!(
                    "({how}; `assistant reply {} --pick N` opens one as a draft)",
                    reply.message
                ));
                out
            }
        }
    }
}

#[derive(Args)]
pub struct DraftsArgs {
    /// Replace the text of draft ID with --text.
    #[arg(
        long,
        value_name = "ID",
        requires = "text",
        conflicts_with = "reply_to"
    )]
    pub edit: Option<i64>,
    /// Start a draft replying to message ID (as `assistant search` shows it) with --text.
    #[arg(long, value_name = "ID", requires = "text")]
    pub reply_to: Option<String>,
    #[arg(long)]
    pub text: Option<String>,
}

pub async fn drafts(assistant: &Assistant, args: DraftsArgs, json: bool) -> Result<(), CoreError> {
    let library = assistant.library();
    if let (Some(message), Some(text)) = (&args.reply_to, &args.text) {
        let id = message
            .strip_prefix('m')
            .unwrap_or(message)
            .parse::<i64>()
            .map_err(|_| {
                CoreError::InvalidRequest(format!("`{message}` is not a message id such as m12"))
            })?;
        let draft = library.draft_reply(id, text.clone(), "user").await?;
        output::print(json, &draft, || format!("draft {} saved", draft.id));
        return Ok(());
    }
    if let (Some(id), Some(text)) = (args.edit, args.text) {
        let draft = library.edit_draft(id, text).await?;
        output::print(json, &draft, || format!("draft {} saved", draft.id));
        return Ok(());
    }
    let drafts = library.drafts().await?;
    output::print(json, &drafts, || {
        if drafts.is_empty() {
            return "no drafts".to_string();
        }
        drafts
            .iter()
            .map(|d| {
                format!(
                    "{}  to {}  {}\n    {}",
                    d.id,
                    d.to.join(", "),
                    d.subject,
                    d.body
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["ids", "thread", "note", "today", "day"])))]
pub struct SummarizeArgs {
    /// Messages: m12 or a Message-ID. Several: one summary each (with --json, one JSON object
    /// per line), the model loaded once.
    #[arg(num_args = 1..)]
    pub ids: Vec<String>,
    /// A thread: t5, or a message of it.
    #[arg(long, value_name = "ID")]
    pub thread: Option<String>,
    /// A note: n3 or its path.
    #[arg(long, value_name = "ID_OR_PATH")]
    pub note: Option<String>,
    /// Today's mail and changed notes (UTC day).
    #[arg(long)]
    pub today: bool,
    /// The mail and changed notes of a day, YYYY-MM-DD (UTC).
    #[arg(long, value_name = "DATE")]
    pub day: Option<String>,
    /// Have the cloud model write it, if the privacy router lets the text go (summarize allowed
    /// with `cloud set --allow summarize`, no private source); else the local model does.
    #[arg(long)]
    pub cloud: bool,
    /// With --cloud: show exactly what would be sent (personal data as placeholders) and where,
    /// and send nothing.
    #[arg(long, requires = "cloud")]
    pub preview: bool,
}

pub async fn summarize(
    assistant: &Assistant,
    args: SummarizeArgs,
    json: bool,
) -> Result<(), CoreError> {
    let targets: Vec<SummaryTarget> = if let Some(t) = args.thread {
        vec![SummaryTarget::Thread(t)]
    } else if let Some(n) = args.note {
        vec![SummaryTarget::Note(n)]
    } else if args.today {
        vec![SummaryTarget::Day(None)]
    } else if let Some(d) = args.day {
        vec![SummaryTarget::Day(Some(d))]
    } else {
        args.ids.into_iter().map(SummaryTarget::Message).collect()
    };
    let several = targets.len() > 1;
    for target in targets {
        if args.preview {
            let p = assistant.summary_cloud_preview(target).await?;
            output::print(json, &p, || crate::cloud_cmd::describe_preview(&p));
            continue;
        }
        let summary = assistant.summarize_routed(target, args.cloud).await?;
        if json && several {
            println!(
                "{}",
                serde_json::to_string(&summary).expect("summary serializes")
            );
        } else {
            output::print(json, &summary, || describe_summary(&summary));
        }
    }
    Ok(())
}

fn describe_summary(s: &Summary) -> String {
    let mut out = format!("{} — {}\n{}", s.target, s.title, s.gist);
    if let Some(notice) = &s.notice {
        out = format!("[{notice}]\n{out}");
    }
    if s.check.gist_flagged {
        let bad: Vec<&str> = s
            .check
            .unsupported
            .iter()
            .map(|f| f.text.as_str())
            .collect();
        out.push_str(&format!("  [not in the source: {}]", bad.join(", ")));
    }
    for p in &s.points {
        out.push_str(&format!("\n  • {p}"));
    }
    let mut note = format!(
        "\n(machine-written by {} from {} document{}, {} ms",
        s.model,
        s.sources.len(),
        if s.sources.len() == 1 { "" } else { "s" },
        s.elapsed_ms
    );
    if s.stages > 1 {
        note.push_str(&format!(", {} stages", s.stages));
    }
    if s.truncated {
        note.push_str(", only the beginning was read");
    }
    if !s.check.points_removed.is_empty() {
        note.push_str(&format!(
            "; {} point{} left out for stating what the source does not",
            s.check.points_removed.len(),
            if s.check.points_removed.len() == 1 {
                ""
            } else {
                "s"
            }
        ));
    }
    note.push(')');
    out.push_str(&note);
    out
}

#[derive(Args)]
pub struct AskArgs {
    /// The question (words are joined with spaces).
    #[arg(required_unless_present = "questions", num_args = 1..)]
    pub question: Vec<String>,
    /// Instead: answer every question of FILE, one JSON object per line
    /// (`{"question": "...", "about": "m12"}`, `about` optional), printing one JSON answer per
    /// line, the model loaded once (for evaluations).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["question", "about"])]
    pub questions: Option<std::path::PathBuf>,
    /// Look only in mail or only in notes.
    #[arg(long, value_enum)]
    pub source: Option<AskSource>,
    /// Ask about one message, note or thread (m12, n3, t5, a Message-ID or a note path).
    #[arg(long, value_name = "ID")]
    pub about: Option<String>,
    /// Have the cloud model answer, if the privacy router lets the passages go (ask allowed with
    /// `cloud set --allow ask`, no passage from a private source); else the local model does.
    /// (Without it, the cloud model is asked only when the local answer fails its check and ask
    /// is allowed.)
    #[arg(long, conflicts_with = "questions")]
    pub cloud: bool,
    /// With --cloud: show exactly what would be sent (personal data as placeholders) and where,
    /// and send nothing.
    #[arg(long, requires = "cloud")]
    pub preview: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum AskSource {
    Mail,
    Notes,
}

/// Streams the answer as it is written; then the passages it cites. With --json, one object at
/// the end (the answer, every passage read, the numbers cited).
pub async fn ask(assistant: &Assistant, args: AskArgs, json: bool) -> Result<(), CoreError> {
    use std::io::Write;
    if let Some(file) = &args.questions {
        let text = std::fs::read_to_string(file).map_err(|e| {
            CoreError::InvalidRequest(format!("--questions {}: {e}", file.display()))
        })?;
        for (i, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let item: serde_json::Value = serde_json::from_str(line).map_err(|e| {
                CoreError::InvalidRequest(format!("{} line {}: {e}", file.display(), i + 1))
            })?;
            let question = item["question"].as_str().ok_or_else(|| {
                CoreError::InvalidRequest(format!(
                    "{} line {}: no \"question\"",
                    file.display(),
                    i + 1
                ))
            })?;
            let scope = AskScope {
                kind: args.source.map(|s| match s {
                    AskSource::Mail => DocKind::Mail,
                    AskSource::Notes => DocKind::Note,
                }),
                about: item["about"].as_str().map(String::from),
            };
            let answer = assistant.ask(question, scope).await?.finish().await?;
            println!(
                "{}",
                serde_json::to_string(&answer).expect("answer serializes")
            );
        }
        return Ok(());
    }
    let scope = AskScope {
        kind: args.source.map(|s| match s {
            AskSource::Mail => DocKind::Mail,
            AskSource::Notes => DocKind::Note,
        }),
        about: args.about,
    };
    let question = args.question.join(" ");
    if args.preview {
        let p = assistant.ask_cloud_preview(&question, scope).await?;
        output::print(json, &p, || crate::cloud_cmd::describe_preview(&p));
        return Ok(());
    }
    let mut stream = assistant.ask_routed(&question, scope, args.cloud).await?;
    let mut stdout = std::io::stdout();
    while let Some(event) = stream.next().await {
        match event? {
            AskEvent::Passages(_) => {}
            AskEvent::Token(t) if !json => {
                print!("{t}");
                let _ = stdout.flush();
            }
            AskEvent::Token(_) => {}
            AskEvent::Restart(notice) if !json => println!("\n({notice})"),
            AskEvent::Restart(_) => {}
            AskEvent::Done(answer) => {
                if json {
                    output::print(true, &answer, String::new);
                    continue;
                }
                println!();
                if let Some(notice) = &answer.notice {
                    println!("({notice})");
                }
                if let Some((from, to)) = answer.citation_moved {
                    println!("(citation corrected: [{from}] → [{to}], the passage that says it)");
                }
                if !answer.unsupported.is_empty() {
                    let facts: Vec<&str> =
                        answer.unsupported.iter().map(|f| f.text.as_str()).collect();
                    println!(
                        "(check: the cited passages do not say {})",
                        facts.join(", ")
                    );
                }
                for n in &answer.cited {
                    let c = &answer.passages[n - 1];
                    let place = match (&c.message_id, &c.path) {
                        (_, Some(path)) => format!("note {path}"),
                        (Some(mid), _) => format!("<{mid}>"),
                        _ => String::new(),
                    };
                    println!(
                        "[{n}] {} {} — {}{} {place}",
                        c.id,
                        c.title,
                        c.from.as_deref().unwrap_or("note"),
                        c.date
                            .map(|d| format!(", {}", assistant_core::summary::format_day(d)))
                            .unwrap_or_default()
                    );
                }
                println!(
                    "(machine-written by {} from {} passage{}, {} ms)",
                    answer.model,
                    answer.passages.len(),
                    if answer.passages.len() == 1 { "" } else { "s" },
                    answer.elapsed_ms
                );
            }
        }
    }
    Ok(())
}
