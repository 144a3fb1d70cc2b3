//! Commands for the cloud model: its settings (the key goes to the OS keyring), turning it off,
//! and the log of what went out.

use assistant_core::settings::CloudSettings;
use assistant_core::store::CloudCall;
use assistant_core::Assistant;
use serde::{Deserialize, Serialize};

use crate::CommandError;

/// The cloud model as the settings screen shows it (never the key).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "CloudSettings")]
#[serde(rename_all = "camelCase")]
pub struct CloudSettingsDto {
    base_url: String,
    model: String,
    /// Features the privacy router may send: `reply`, `summarize`, `ask`, `actions`.
    allows: Vec<String>,
}

impl From<CloudSettings> for CloudSettingsDto {
    fn from(c: CloudSettings) -> Self {
        Self {
            base_url: c.base_url,
            model: c.model,
            allows: c.allows,
        }
    }
}

/// What the settings form sends. An empty `apiKey` keeps the saved one.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[ts(rename = "CloudSettingsInput")]
#[serde(rename_all = "camelCase")]
pub struct CloudSettingsInput {
    base_url: String,
    model: String,
    api_key: String,
    allows: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "CloudCall")]
#[serde(rename_all = "camelCase")]
pub struct CloudCallDto {
    #[ts(type = "number")]
    id: i64,
    /// Unix seconds.
    #[ts(type = "number")]
    at: i64,
    feature: String,
    server: String,
    model: String,
    /// Characters that left the device.
    #[ts(type = "number")]
    chars: i64,
    sources: Vec<String>,
    /// Personal details sent as placeholders.
    #[ts(type = "number")]
    placeholders: i64,
    /// `ok` or what failed.
    outcome: String,
}

impl From<CloudCall> for CloudCallDto {
    fn from(c: CloudCall) -> Self {
        Self {
            id: c.id,
            at: c.at,
            feature: c.feature,
            server: c.server,
            model: c.model,
            chars: c.chars,
            sources: c.sources,
            placeholders: c.placeholders,
            outcome: c.outcome,
        }
    }
}

/// The cloud model, or null when none is set (nothing leaves the device).
#[tauri::command]
pub fn cloud_settings(
    assistant: tauri::State<'_, Assistant>,
) -> Result<Option<CloudSettingsDto>, CommandError> {
    Ok(assistant.settings()?.cloud.map(CloudSettingsDto::from))
}

/// Sets the cloud model; the key goes to the OS keyring.
#[tauri::command]
pub fn set_cloud(
    assistant: tauri::State<'_, Assistant>,
    cloud: CloudSettingsInput,
) -> Result<CloudSettingsDto, CommandError> {
    let key = (!cloud.api_key.trim().is_empty()).then_some(cloud.api_key.as_str());
    Ok(assistant
        .set_cloud(&cloud.base_url, &cloud.model, key, &cloud.allows)?
        .into())
}

/// Turns the cloud model off and removes its key.
#[tauri::command]
pub fn cloud_off(assistant: tauri::State<'_, Assistant>) -> Result<(), CommandError> {
    Ok(assistant.cloud_off()?)
}

/// Every request that went to the cloud model, newest first.
#[tauri::command]
pub async fn cloud_calls(
    assistant: tauri::State<'_, Assistant>,
) -> Result<Vec<CloudCallDto>, CommandError> {
    let calls = assistant.cloud_calls(100).await?;
    Ok(calls.into_iter().map(CloudCallDto::from).collect())
}
