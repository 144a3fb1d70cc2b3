//! Commands for sending: a draft sent (queued, then delivered), the outbox (list, retry now,
//! take back), and the sending account (its password goes to the OS keyring).

use assistant_core::outbox::DeliveryReport;
use assistant_core::settings::{SendingAccount, DEFAULT_MAX_PER_HOUR};
use assistant_core::store::OutboxItem;
use assistant_core::Assistant;
use serde::{Deserialize, Serialize};

use crate::CommandError;

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "OutboxItem")]
#[serde(rename_all = "camelCase")]
pub struct OutboxItemDto {
    #[ts(type = "number")]
    id: i64,
    message_id: String,
    to: Vec<String>,
    subject: String,
    #[ts(type = "'queued' | 'sending' | 'sent' | 'failed' | 'cancelled'")]
    state: String,
    #[ts(type = "number")]
    attempts: i64,
    /// Why the last attempt did not go (server down, refusal, the sending limit).
    last_error: Option<String>,
    /// When the next attempt is due (unix seconds) while queued.
    #[ts(type = "number")]
    next_attempt: i64,
    #[ts(type = "number")]
    created_at: i64,
    #[ts(type = "number | null")]
    sent_at: Option<i64>,
}

impl From<OutboxItem> for OutboxItemDto {
    fn from(i: OutboxItem) -> Self {
        Self {
            id: i.id,
            message_id: i.message_id,
            to: i.to,
            subject: i.subject,
            state: i.state,
            attempts: i.attempts,
            last_error: i.last_error,
            next_attempt: i.next_attempt,
            created_at: i.created_at,
            sent_at: i.sent_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "DeliveryReport")]
pub struct DeliveryReportDto {
    sent: usize,
    retrying: usize,
    failed: usize,
}

impl From<DeliveryReport> for DeliveryReportDto {
    fn from(r: DeliveryReport) -> Self {
        Self {
            sent: r.sent,
            retrying: r.retrying,
            failed: r.failed,
        }
    }
}

/// The sending account as the settings screen shows it (never the password).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "SendingAccount")]
#[serde(rename_all = "camelCase")]
pub struct SendingAccountDto {
    from: String,
    name: String,
    host: String,
    port: u16,
    user: String,
    #[ts(type = "'tls' | 'starttls' | 'plain'")]
    security: String,
    max_per_hour: u32,
}

impl From<SendingAccount> for SendingAccountDto {
    fn from(a: SendingAccount) -> Self {
        Self {
            from: a.from,
            name: a.name,
            host: a.host,
            port: a.port,
            user: a.user,
            security: a.security,
            max_per_hour: a.max_per_hour,
        }
    }
}

/// The sending account as the settings form sends it. An empty password keeps the saved one.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[ts(rename = "SendingAccountInput")]
#[serde(rename_all = "camelCase")]
pub struct SendingAccountInput {
    from: String,
    name: String,
    host: String,
    port: u16,
    user: String,
    password: String,
    #[ts(type = "'tls' | 'starttls' | 'plain'")]
    security: String,
    #[ts(type = "number | null")]
    max_per_hour: Option<u32>,
}

/// Sends a draft: it moves into the outbox and is handed to the server at once; the item says
/// whether it went (`sent`) or waits (`queued`, with the reason; it is retried).
#[tauri::command]
pub async fn send_draft(
    assistant: tauri::State<'_, Assistant>,
    id: i64,
) -> Result<OutboxItemDto, CommandError> {
    Ok(assistant.send_draft(id).await?.into())
}

/// The outbox, newest first.
#[tauri::command]
pub async fn outbox_list(
    assistant: tauri::State<'_, Assistant>,
) -> Result<Vec<OutboxItemDto>, CommandError> {
    let items = assistant.outbox().await?;
    Ok(items.into_iter().map(OutboxItemDto::from).collect())
}

/// Hands every queued message to the server now.
#[tauri::command]
pub async fn retry_outbox(
    assistant: tauri::State<'_, Assistant>,
) -> Result<DeliveryReportDto, CommandError> {
    Ok(assistant.retry_outbox_now().await?.into())
}

/// Takes back a queued message before it goes.
#[tauri::command]
pub async fn cancel_outgoing(
    assistant: tauri::State<'_, Assistant>,
    id: i64,
) -> Result<OutboxItemDto, CommandError> {
    Ok(assistant.cancel_outgoing(id).await?.into())
}

/// The sending account, if one is set.
#[tauri::command]
pub fn sending_account(
    assistant: tauri::State<'_, Assistant>,
) -> Result<Option<SendingAccountDto>, CommandError> {
    Ok(assistant.settings()?.sending.map(SendingAccountDto::from))
}

/// Sets the sending account; the password (when given) goes to the OS keyring.
#[tauri::command]
pub fn set_sending_account(
    assistant: tauri::State<'_, Assistant>,
    account: SendingAccountInput,
) -> Result<SendingAccountDto, CommandError> {
    let password = account.password;
    let account = SendingAccount {
        from: account.from.trim().to_string(),
        name: account.name.trim().to_string(),
        host: account.host.trim().to_string(),
        port: account.port,
        user: account.user.trim().to_string(),
        security: account.security,
        max_per_hour: account.max_per_hour.unwrap_or(DEFAULT_MAX_PER_HOUR),
    };
    assistant.set_sending_account(account.clone(), Some(&password))?;
    Ok(account.into())
}
