//! `assistant send` and `assistant outbox`: sending replies through the outbox, and the sending
//! account.

use assistant_core::outbox::DeliveryReport;
use assistant_core::settings::{SendingAccount, DEFAULT_MAX_PER_HOUR};
use assistant_core::store::OutboxItem;
use assistant_core::{Assistant, CoreError};
use clap::{Args, Subcommand};

use crate::output;

#[derive(Subcommand)]
pub enum OutboxCommand {
    /// Hand every queued message to the server now, whatever its retry time.
    Deliver,
    /// Take back a queued message before it goes.
    Cancel { id: i64 },
    /// Set the account mail is sent through (the password goes to the OS keyring).
    Account {
        /// The sender's address (the From header).
        #[arg(long)]
        from: String,
        /// The sender's name.
        #[arg(long, default_value = "")]
        name: String,
        #[arg(long)]
        host: String,
        /// Default 465 (tls), 587 (starttls) or 25 (plain).
        #[arg(long)]
        port: Option<u16>,
        /// tls, starttls, or plain (only to a server on this machine).
        #[arg(long, default_value = "tls")]
        security: String,
        /// Log in as this user (none: the server takes mail without a login).
        #[arg(long, default_value = "")]
        user: String,
        /// The environment variable holding the password.
        #[arg(long, default_value = "ASSISTANT_SMTP_PASSWORD", value_name = "VAR")]
        password_env: String,
        /// At most this many messages an hour; the rest wait in the outbox.
        #[arg(long, default_value_t = DEFAULT_MAX_PER_HOUR)]
        max_per_hour: u32,
    },
}

#[derive(Args)]
pub struct ForwardArgs {
    /// Messages to forward (m12 ...); or use --latest N --from PERSON.
    #[arg(required_unless_present = "latest", conflicts_with = "latest")]
    pub messages: Vec<String>,
    /// The N most recent messages from --from.
    #[arg(long, requires = "from", value_name = "N")]
    pub latest: Option<usize>,
    /// Whose mail (a name from your mail, or an address).
    #[arg(long, value_name = "PERSON")]
    pub from: Option<String>,
    /// Recipient (repeatable): an address, or a name that fits exactly one address in your mail.
    #[arg(long, required = true, value_name = "PERSON")]
    pub to: Vec<String>,
    /// A line above the forwarded text.
    #[arg(long, default_value = "")]
    pub note: String,
    /// Do not ask first (refused unless `send_without_asking` is on in settings.json).
    #[arg(long)]
    pub yes: bool,
}

/// `assistant forward`: resolves who and what exactly (asking back when a name is ambiguous),
/// shows what will go, asks, then queues and delivers.
pub async fn forward(
    assistant: &Assistant,
    args: ForwardArgs,
    json: bool,
) -> Result<(), CoreError> {
    if args.yes && !assistant.settings()?.send_without_asking {
        return Err(CoreError::InvalidRequest(
            "--yes: sending always asks first unless `send_without_asking` is true in settings.json".into(),
        ));
    }
    let library = assistant.library();
    let ids = match (args.latest, &args.from) {
        (Some(n), Some(from)) => library.latest_from(from, n).await?.1,
        _ => args
            .messages
            .iter()
            .map(|m| {
                m.strip_prefix('m')
                    .unwrap_or(m)
                    .parse::<i64>()
                    .map_err(|_| {
                        CoreError::InvalidRequest(format!("`{m}` is not a message id such as m12"))
                    })
            })
            .collect::<Result<Vec<_>, _>>()?,
    };
    let mut to = Vec::new();
    for who in &args.to {
        to.push(library.resolve_person(who).await?);
    }
    if !args.yes {
        let mut lines = Vec::new();
        for id in &ids {
            if let assistant_core::library::Shown::Message(m) =
                library.show(&format!("m{id}")).await?
            {
                lines.push(format!("  - {} (from {})", m.subject, m.from.address));
            }
        }
        let names: Vec<String> = to.iter().map(|p| p.label()).collect();
        eprintln!(
            "Forward {} message(s) to {}:\n{}\nSend? [y/N] ",
            ids.len(),
            names.join(", "),
            lines.join("\n")
        );
        let mut answer = String::new();
        std::io::stdin()
            .read_line(&mut answer)
            .map_err(|e| CoreError::io("stdin", e))?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            return Err(CoreError::Cancelled);
        }
    }
    let to = to.into_iter().map(|p| p.address).collect();
    let items = assistant.forward(ids, to, args.note).await?;
    output::print(json, &items, || list(&items));
    Ok(())
}

/// `assistant send DRAFT`: queue the draft and try to deliver it now.
pub async fn send(assistant: &Assistant, draft: i64, json: bool) -> Result<(), CoreError> {
    let item = assistant.send_draft(draft).await?;
    output::print(json, &item, || match item.state.as_str() {
        "sent" => format!("sent to {} ({})", item.to.join(", "), item.message_id),
        _ => format!(
            "queued in the outbox as {} ({}): {}",
            item.id,
            item.state,
            item.last_error.as_deref().unwrap_or("waiting")
        ),
    });
    Ok(())
}

pub async fn outbox(
    assistant: &Assistant,
    cmd: Option<OutboxCommand>,
    json: bool,
) -> Result<(), CoreError> {
    match cmd {
        None => {
            let items = assistant.outbox().await?;
            output::print(json, &items, || list(&items));
        }
        Some(OutboxCommand::Deliver) => {
            let r = assistant.retry_outbox_now().await?;
            output::print(json, &r, || delivered(&r));
        }
        Some(OutboxCommand::Cancel { id }) => {
            let item = assistant.cancel_outgoing(id).await?;
            output::print(json, &item, || format!("{} taken back", item.id));
        }
        Some(OutboxCommand::Account {
            from,
            name,
            host,
            port,
            security,
            user,
            password_env,
            max_per_hour,
        }) => {
            let port = port.unwrap_or(match security.as_str() {
                "starttls" => 587,
                "plain" => 25,
                _ => 465,
            });
            let password = if user.is_empty() {
                None
            } else {
                Some(std::env::var(&password_env).map_err(|_| {
                    CoreError::InvalidRequest(format!(
                        "set the sending password in the environment variable {password_env}"
                    ))
                })?)
            };
            let account = SendingAccount {
                from,
                name,
                host,
                port,
                user,
                security,
                max_per_hour,
            };
            assistant.set_sending_account(account.clone(), password.as_deref())?;
            output::print(json, &account, || {
                format!(
                    "mail is sent as {} through {}:{} ({})",
                    account.from, account.host, account.port, account.security
                )
            });
        }
    }
    Ok(())
}

fn delivered(r: &DeliveryReport) -> String {
    format!(
        "{} sent, {} waiting to retry, {} failed",
        r.sent, r.retrying, r.failed
    )
}

fn list(items: &[OutboxItem]) -> String {
    if items.is_empty() {
        return "the outbox is empty".into();
    }
    items
        .iter()
        .map(|i| {
            let mut line = format!(
                "{}  {:<9}  to {}  {}",
                i.id,
                i.state,
                i.to.join(", "),
                i.subject
            );
            if let Some(e) = i.last_error.as_deref().filter(|_| i.state != "sent") {
                line.push_str(&format!("\n    {e} (attempts: {})", i.attempts));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}
