//! `assistant do`, `undo`, `log` and `reminders`: a request in words becomes a plan, shown, confirmed,
//! executed and logged; undone on request.

use std::io::BufRead;
use std::path::PathBuf;

use assistant_core::actions::{PlanRequest, PlannedRequest, Proposer, StepOutcome};
use assistant_core::{Assistant, CoreError};
use clap::Args;
use serde_json::json;

use crate::output;

#[derive(Args)]
pub struct DoArgs {
    /// The request in words ("forward the 3 most recent emails from Kenneth to Sara").
    #[arg(required_unless_present = "batch")]
    instruction: Vec<String>,
    /// The message you have open (m12 or a Message-ID): what "this email" and "it" mean.
    #[arg(long, value_name = "ID")]
    message: Option<String>,
    /// Show the plan and change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Run without asking. Refused for a plan that sends mail unless `send_without_asking` is
    /// true in settings.json.
    #[arg(long)]
    yes: bool,
    /// Read time phrases ("tomorrow at 9am") from this local time, YYYY-MM-DDTHH:MM, not now.
    #[arg(long, value_name = "TIME")]
    now: Option<String>,
    /// Who proposes the plan: the rules when they read the request, else the local model, else
    /// the cloud model when its plan fails and actions may use the cloud (auto); or only the
    /// rules, only the local model, or the cloud model (when the privacy router allows actions;
    /// only the request goes out, never mail or notes).
    #[arg(long, default_value = "auto", value_parser = ["auto", "rules", "model", "cloud"])]
    proposer: String,
    /// With --proposer cloud: show exactly what would be sent to the cloud model (the request,
    /// personal data as placeholders) and where, and send nothing.
    #[arg(long, conflicts_with = "batch")]
    preview: bool,
    /// Plan every request of FILE (JSON lines: {"instruction": ..., "message": ...}) with the
    /// model loaded once; one JSON line out per request. Needs --dry-run.
    #[arg(long, value_name = "FILE", requires = "dry_run")]
    batch: Option<PathBuf>,
}

fn plan_json(p: &PlannedRequest) -> serde_json::Value {
    json!({
        "actions": p.plan.actions,
        "needs_confirmation": p.plan.needs_confirmation,
        "steps": p.steps,
        "proposed_by": p.proposed_by,
        "elapsed_ms": (p.elapsed_ms * 10.0).round() / 10.0,
        "notice": p.notice,
    })
}

fn plan_text(p: &PlannedRequest) -> String {
    let mut out = String::from("Plan:\n");
    for (i, s) in p.steps.iter().enumerate() {
        out.push_str(&format!("  {}. {}\n", i + 1, s.summary));
        for item in &s.items {
            out.push_str(&format!("       - {item}\n"));
        }
    }
    if p.plan.needs_confirmation {
        out.push_str("This plan sends mail.\n");
    }
    if let Some(notice) = &p.notice {
        out.push_str(&format!("({notice})\n"));
    }
    out
}

pub async fn run(assistant: &Assistant, args: DoArgs, json: bool) -> Result<(), CoreError> {
    let now = match &args.now {
        Some(t) => Some(
            chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M").map_err(|_| {
                CoreError::InvalidRequest(format!("--now `{t}`: give a time as YYYY-MM-DDTHH:MM"))
            })?,
        ),
        None => None,
    };
    let proposer = match args.proposer.as_str() {
        "rules" => Proposer::Rules,
        "model" => Proposer::Model,
        "cloud" => Proposer::Cloud,
        _ => Proposer::Auto,
    };
    if let Some(file) = &args.batch {
        return batch(assistant, file, now, proposer).await;
    }
    let instruction = args.instruction.join(" ");
    if args.preview {
        if proposer != Proposer::Cloud {
            return Err(CoreError::InvalidRequest(
                "--preview shows what the cloud model would get: use it with --proposer cloud".into(),
            ));
        }
        let p = assistant.plan_cloud_preview(&instruction).await?;
        output::print(json, &p, || crate::cloud_cmd::describe_preview(&p));
        return Ok(());
    }
    let planned = assistant
        .plan(PlanRequest {
            instruction: instruction.clone(),
            message: args.message.clone(),
            now,
            proposer,
        })
        .await?;
    if args.dry_run {
        output::print(json, &plan_json(&planned), || plan_text(&planned));
        return Ok(());
    }
    let sends = planned.plan.needs_confirmation;
    if args.yes && sends && !assistant.settings()?.send_without_asking {
        return Err(CoreError::InvalidRequest(
            "--yes: a plan that sends mail always asks first unless `send_without_asking` is true in settings.json".into(),
        ));
    }
    if !args.yes {
        eprint!("{}Run it? [y/N] ", plan_text(&planned));
        let mut answer = String::new();
        std::io::stdin()
            .read_line(&mut answer)
            .map_err(|e| CoreError::io("stdin", e))?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            return Err(CoreError::Cancelled);
        }
    }
    let outcomes = assistant
        .execute_plan(&planned.plan, &instruction, true)
        .await?;
    output::print(json, &outcomes, || outcomes_text(&outcomes));
    Ok(())
}

fn outcomes_text(outcomes: &[StepOutcome]) -> String {
    let mut out = String::new();
    for o in outcomes {
        out.push_str(&format!(
            "Done: {} (action {}{})\n",
            o.summary,
            o.audit_id,
            if o.undoable {
                ", `assistant undo` takes it back"
            } else {
                ""
            }
        ));
        if let Some(text) = &o.output {
            for line in text.lines() {
                out.push_str(&format!("  {line}\n"));
            }
        }
    }
    out.trim_end().to_string()
}

async fn batch(
    assistant: &Assistant,
    file: &PathBuf,
    now: Option<chrono::NaiveDateTime>,
    proposer: Proposer,
) -> Result<(), CoreError> {
    let f = std::fs::File::open(file).map_err(|e| CoreError::io(file, e))?;
    for (n, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line.map_err(|e| CoreError::io(file, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let item: serde_json::Value = serde_json::from_str(&line).map_err(|e| {
            CoreError::InvalidRequest(format!("{} line {}: {e}", file.display(), n + 1))
        })?;
        let started = std::time::Instant::now();
        let result = assistant
            .plan(PlanRequest {
                instruction: item["instruction"].as_str().unwrap_or_default().to_string(),
                message: item["message"].as_str().map(String::from),
                now,
                proposer,
            })
            .await;
        let out = match result {
            Ok(p) => plan_json(&p),
            Err(e) => json!({
                "error": {"kind": e.kind(), "message": e.to_string()},
                "elapsed_ms": (started.elapsed().as_secs_f64() * 10000.0).round() / 10.0,
            }),
        };
        println!("{out}");
    }
    Ok(())
}

/// `assistant undo [ID]`.
pub async fn undo(assistant: &Assistant, id: Option<i64>, json: bool) -> Result<(), CoreError> {
    let entry = assistant.undo(id).await?;
    output::print(json, &entry, || {
        format!("Undone: action {} ({})", entry.id, entry.action)
    });
    Ok(())
}

/// `assistant log`.
pub async fn log(assistant: &Assistant, limit: usize, json: bool) -> Result<(), CoreError> {
    let entries = assistant.action_log(limit).await?;
    output::print(json, &entries, || {
        let mut out = format!(
            "{:>5}  {:<17} {:<12} {:<9} {}\n",
            "ID", "WHEN", "ACTION", "UNDO", "REQUEST"
        );
        for e in &entries {
            let when = chrono::DateTime::from_timestamp(e.at, 0)
                .map(|t| {
                    t.with_timezone(&chrono::Local)
                        .format("%Y-%m-%d %H:%M")
                        .to_string()
                })
                .unwrap_or_default();
            out.push_str(&format!(
                "{:>5}  {:<17} {:<12} {:<9} {}\n",
                e.id,
                when,
                e.action,
                e.undo_state,
                e.detail["instruction"].as_str().unwrap_or_default()
            ));
        }
        out.trim_end().to_string()
    });
    Ok(())
}

/// `assistant reminders`.
pub async fn reminders(assistant: &Assistant, json: bool) -> Result<(), CoreError> {
    let list = assistant.reminders().await?;
    output::print(json, &list, || {
        if list.is_empty() {
            return "No reminders.".into();
        }
        list.iter()
            .map(|r| {
                let when = chrono::DateTime::from_timestamp(r.due_at, 0)
                    .map(|t| {
                        t.with_timezone(&chrono::Local)
                            .format("%Y-%m-%d %H:%M")
                            .to_string()
                    })
                    .unwrap_or_default();
                format!("{:>4}  {when}  {}", r.id, r.text)
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}
