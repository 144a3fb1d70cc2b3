//! Sending mail: replies queued in the outbox (in the store, so they survive restarts), handed
//! to the SMTP server by `deliver_outbox` with retries and backoff, a sending rate limit, and
//! the sending account (settings; its password in the OS keyring).

use serde::Serialize;

use crate::assistant::Assistant;
use crate::error::{CoreError, Result};
use crate::library::blocking;
use crate::mail::smtp::{self, Outgoing, SmtpAccount};
use crate::secrets::Keyring;
use crate::settings::SendingAccount;
use crate::store::{NewOutboxItem, OutboxItem};

/// Retries wait 1, 2, 4 ... minutes after each failed attempt, at most an hour.
fn retry_delay_secs(attempts: i64) -> i64 {
    (60i64 << (attempts.clamp(1, 7) - 1)).min(3600)
}

/// A message is given up after this many attempts that failed for a passing reason.
pub const MAX_ATTEMPTS: i64 = 12;

/// The keyring entry of a sending account's password.
pub fn smtp_entry(account: &SendingAccount) -> String {
    format!("smtp:{}", smtp_account(account, String::new()).url())
}

fn smtp_account(account: &SendingAccount, password: String) -> SmtpAccount {
    SmtpAccount {
        host: account.host.clone(),
        port: account.port,
        user: account.user.clone(),
        password,
        security: account.security.clone(),
    }
}

/// What one delivery round did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    /// Tried and queued again (server down, temporary refusal), or held by the rate limit.
    pub retrying: usize,
    pub failed: usize,
}

impl Assistant {
    /// Sets the account mail is sent through; `password` (when the server needs a login) goes
    /// to the OS keyring, never to the settings file.
    pub fn set_sending_account(
        &self,
        account: SendingAccount,
        password: Option<&str>,
    ) -> Result<()> {
        smtp_account(&account, String::new())
            .check()
            .map_err(CoreError::InvalidRequest)?;
        account.from.parse::<lettre::Address>().map_err(|e| {
            CoreError::InvalidRequest(format!("sender address `{}`: {e}", account.from))
        })?;
        if let Some(password) = password.filter(|p| !p.is_empty()) {
            Keyring::default().save(&smtp_entry(&account), password)?;
        }
        let mut settings = self.settings()?;
        settings.sending = Some(account);
        settings.save(self.data_dir())
    }

    /// Queues draft `draft` as a reply (its In-Reply-To and References from the message it
    /// answers), removing the draft, then tries to deliver it at once. The returned item says
    /// whether it went (`sent`) or waits in the outbox (`queued`, with the reason).
    pub async fn send_draft(&self, draft: i64) -> Result<OutboxItem> {
        let account = self.settings()?.sending.ok_or_else(no_sending_account)?;
        let library = self.library().clone();
        let item = blocking(move || {
            let mut store = library.open_store()?;
            let d = store.draft(draft)?.ok_or_else(|| CoreError::NotFound {
                what: format!("draft {draft}"),
                hint: ": `assistant drafts` lists them".into(),
            })?;
            if d.to.is_empty() {
                return Err(CoreError::InvalidRequest(format!(
                    "draft {draft} has no recipient"
                )));
            }
            let parent = match d.in_reply_to {
                Some(m) => store.message(m)?,
                None => None,
            };
            let (raw, message_id) = smtp::build(&Outgoing {
                from: &account.from,
                from_name: &account.name,
                to: &d.to,
                subject: &d.subject,
                body: &d.body,
                in_reply_to: parent.as_ref().and_then(|p| p.message_id.as_deref()),
                references: parent
                    .as_ref()
                    .map(|p| p.references.as_slice())
                    .unwrap_or(&[]),
                attachments: &[],
            })
            .map_err(|e| CoreError::InvalidRequest(format!("draft {draft}: {e}")))?;
            store.queue_outgoing(&NewOutboxItem {
                message_id: &message_id,
                draft: Some(draft),
                from: &account.from,
                to: &d.to,
                subject: &d.subject,
                raw: &raw,
            })
        })
        .await?;
        self.deliver_outbox().await?;
        let library = self.library().clone();
        blocking(move || {
            library
                .open_store()?
                .outbox_item(item.id)?
                .ok_or_else(|| CoreError::NotFound {
                    what: format!("outbox message {}", item.id),
                    hint: String::new(),
                })
        })
        .await
    }

    /// Forwards messages to `to` (exact addresses; never guessed), one forwarded message each
    /// ("Fwd: subject", the user's `note` above the original's headers and text), queued in
    /// the outbox and delivered at once. The caller has confirmed with the user.
    pub async fn forward(
        &self,
        messages: Vec<i64>,
        to: Vec<String>,
        note: String,
    ) -> Result<Vec<OutboxItem>> {
        if messages.is_empty() || to.is_empty() {
            return Err(CoreError::InvalidRequest(
                "forward: name at least one message and one recipient".into(),
            ));
        }
        let account = self.settings()?.sending.ok_or_else(no_sending_account)?;
        let library = self.library().clone();
        let items = blocking(move || {
            let mut store = library.open_store()?;
            let mut items = Vec::new();
            for id in messages {
                let m = store.message(id)?.ok_or_else(|| CoreError::NotFound {
                    what: format!("message m{id}"),
                    hint: ": `assistant search` shows message ids".into(),
                })?;
                let subject = if m.subject.to_ascii_lowercase().starts_with("fwd:") {
                    m.subject.clone()
                } else {
                    format!("Fwd: {}", m.subject)
                };
                let mut body = forwarded_body(&note, &m);
                let attachments = if m.attachments.is_empty() {
                    Vec::new()
                } else {
                    let found = store.message_files(id)?.into_iter().find_map(|(kind, root, loc)| {
                        crate::mail::sources::message_file(&kind, &root, &loc)
                    });
                    let parts = found
                        .and_then(|path| std::fs::read(path).ok())
                        .map(|raw| crate::mail::attachment_parts(&raw))
                        .unwrap_or_default();
                    if parts.is_empty() {
                        let names: Vec<&str> =
                            m.attachments.iter().map(|a| a.filename.as_str()).collect();
                        body.push_str(&format!(
                            "\n\n(Attachments not included: the original is not on this device: {})\n",
                            names.join(", ")
                        ));
                    }
                    parts
                };
                let (raw, message_id) = smtp::build(&Outgoing {
                    from: &account.from,
                    from_name: &account.name,
                    to: &to,
                    subject: &subject,
                    body: &body,
                    in_reply_to: None,
                    references: &[],
                    attachments: &attachments,
                })
                .map_err(|e| CoreError::InvalidRequest(format!("forward m{id}: {e}")))?;
                items.push(store.queue_outgoing(&NewOutboxItem {
                    message_id: &message_id,
                    draft: None,
                    from: &account.from,
                    to: &to,
                    subject: &subject,
                    raw: &raw,
                })?);
            }
            Ok(items)
        })
        .await?;
        self.deliver_outbox().await?;
        let library = self.library().clone();
        blocking(move || {
            let store = library.open_store()?;
            items
                .iter()
                .map(|i| {
                    store.outbox_item(i.id)?.ok_or_else(|| CoreError::NotFound {
                        what: format!("outbox message {}", i.id),
                        hint: String::new(),
                    })
                })
                .collect()
        })
        .await
    }

    /// Hands every due message in the outbox to the server, one at a time: sent ones are
    /// marked sent (never sent again), passing failures wait and retry with backoff, refusals
    /// fail for good with the server's words. Nothing happens without a sending account.
    pub async fn deliver_outbox(&self) -> Result<DeliveryReport> {
        let Some(account) = self.settings()?.sending else {
            return Ok(DeliveryReport::default());
        };
        let library = self.library().clone();
        blocking(move || {
            let store = library.open_store()?;
            let now = crate::store::unix_now();
            store.outbox_recover(now)?;
            let due = store.outbox_due(now)?;
            let mut report = DeliveryReport::default();
            if due.is_empty() {
                return Ok(report);
            }
            let password = if account.user.is_empty() {
                String::new()
            } else {
                Keyring::default()
                    .load(&smtp_entry(&account))?
                    .ok_or_else(|| CoreError::PasswordMissing {
                        account: smtp_account(&account, String::new()).url(),
                    })?
            };
            let server = smtp_account(&account, password);
            let mut sent_last_hour = store.sent_since(now - 3600)?;
            for (item, raw) in due {
                if sent_last_hour >= i64::from(account.max_per_hour) {
                    let reason = format!(
                        "held by the sending limit: {} messages an hour",
                        account.max_per_hour
                    );
                    store.outbox_attempted(item.id, Err((&reason, Some(now + 300))))?;
                    report.retrying += 1;
                    continue;
                }
                // Longer than a delivery can take (the SMTP timeout is 30 s a step).
                if !store.outbox_claim(item.id, now + 600)? {
                    continue;
                }
                match smtp::send(&server, &item.from, &item.to, &raw) {
                    Ok(()) => {
                        store.outbox_attempted(item.id, Ok(()))?;
                        sent_last_hour += 1;
                        report.sent += 1;
                    }
                    Err(e) if e.permanent || item.attempts + 1 >= MAX_ATTEMPTS => {
                        tracing::warn!(error = %e.message, id = item.id, "a message could not be sent");
                        store.outbox_attempted(item.id, Err((&e.message, None)))?;
                        report.failed += 1;
                    }
                    Err(e) => {
                        let retry_at = now + retry_delay_secs(item.attempts + 1);
                        store.outbox_attempted(item.id, Err((&e.message, Some(retry_at))))?;
                        report.retrying += 1;
                    }
                }
            }
            Ok(report)
        })
        .await
    }

    /// Delivers the outbox every minute while the future runs (the app spawns it), so queued
    /// mail goes out once the server is back; a failing round is logged and the next one tries.
    pub async fn keep_delivering(self) {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(err) = self.deliver_outbox().await {
                tracing::warn!(%err, "the outbox could not be delivered");
            }
        }
    }

    /// Delivers what is queued now, whatever its retry time (the user pressed "Send now").
    pub async fn retry_outbox_now(&self) -> Result<DeliveryReport> {
        let library = self.library().clone();
        blocking(move || library.open_store()?.outbox_due_now()).await?;
        self.deliver_outbox().await
    }

    /// The outbox, newest first: what waits, what went, what failed.
    pub async fn outbox(&self) -> Result<Vec<OutboxItem>> {
        let library = self.library().clone();
        blocking(move || library.open_store()?.outbox()).await
    }

    /// Takes back a message that has not gone yet (undo send).
    pub async fn cancel_outgoing(&self, id: i64) -> Result<OutboxItem> {
        let library = self.library().clone();
        blocking(move || {
            let store = library.open_store()?;
            let item = store.outbox_item(id)?.ok_or_else(|| CoreError::NotFound {
                what: format!("outbox message {id}"),
                hint: ": `assistant outbox` lists them".into(),
            })?;
            if !store.outbox_cancel(id)? {
                return Err(CoreError::InvalidRequest(format!(
                    "outbox message {id} is {}; only a queued message can be taken back",
                    item.state
                )));
            }
            store.outbox_item(id)?.ok_or_else(|| CoreError::NotFound {
                what: format!("outbox message {id}"),
                hint: String::new(),
            })
        })
        .await
    }
}

fn no_sending_account() -> CoreError {
    CoreError::InvalidRequest(
        "no sending account: set one first (`assistant outbox account ...` or Settings → Sending mail)"
            .into(),
    )
}

/// The text of a forwarded message: the note, then the original's headers and text.
fn forwarded_body(note: &str, m: &crate::store::MessageRecord) -> String {
    let person = |b: &crate::mail::Mailbox| {
        if b.name.is_empty() {
            b.address.clone()
        } else {
            format!("{} <{}>", b.name, b.address)
        }
    };
    let header = |name: &str| {
        m.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
    };
    let mut out = String::new();
    if !note.trim().is_empty() {
        out.push_str(note.trim());
        out.push_str("\n\n");
    }
    out.push_str("---------- Forwarded message ----------\n");
    out.push_str(&format!("From: {}\n", person(&m.from)));
    if let Some(date) = header("Date") {
        out.push_str(&format!("Date: {date}\n"));
    }
    out.push_str(&format!("Subject: {}\n", m.subject));
    if !m.to.is_empty() {
        let to: Vec<String> = m.to.iter().map(person).collect();
        out.push_str(&format!("To: {}\n", to.join(", ")));
    }
    out.push('\n');
    out.push_str(m.body_text.trim_end());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_a_minute_to_an_hour() {
        let delays: Vec<i64> = (1..=9).map(retry_delay_secs).collect();
        assert_eq!(delays, [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
    }
}
