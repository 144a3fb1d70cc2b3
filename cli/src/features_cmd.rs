//! `assistant reply` and `assistant drafts`: smart reply and the drafts it opens.

use assistant_core::reply::{Intent, Outcome, SmartReply};
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
            let reply = assistant.smart_reply(id, args.fresh).await?;
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
    let reply = assistant.smart_reply(&args.ids[0], args.fresh).await?;
    output::print(json, &reply, || describe(&reply));
    Ok(())
}

fn describe(reply: &SmartReply) -> String {
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
    #[arg(long, value_name = "ID", requires = "text")]
    pub edit: Option<i64>,
    #[arg(long)]
    pub text: Option<String>,
}

pub async fn drafts(assistant: &Assistant, args: DraftsArgs, json: bool) -> Result<(), CoreError> {
    let library = assistant.library();
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
