//! User settings kept in `settings.json` in the data folder: chosen model, context length, threads.

use serde::{Deserialize, Serialize};

use crate::data_dir::{write_atomically, DataDir};
use crate::error::{CoreError, Result};

/// Context length used for the memory check and the prompt budget when the user has not chosen one.
pub const DEFAULT_CONTEXT_TOKENS: usize = 4096;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Id of the installed model that requests go to.
    pub active_model: Option<String>,
    /// Context length (prompt + answer) the engine plans memory for.
    pub context_tokens: usize,
    /// Unload the model after this many seconds without requests (0 = keep it loaded); it is
    /// loaded again on the next request.
    pub idle_unload_secs: u64,
    /// Megabytes of key/value state kept from earlier prompts, so returning to a thread, note or
    /// chat with a shared prefix skips re-reading it; the oldest go first.
    pub prefix_cache_mb: usize,
    /// The account mail is sent through (its password is in the OS keyring); none: sending is
    /// off and nothing leaves the outbox.
    pub sending: Option<SendingAccount>,
    /// Let `--yes` skip the question before mail is sent (off: every send asks, every time).
    pub send_without_asking: bool,
    /// An OpenAI-compatible server for requests the user sends to a bigger model (its API key
    /// is in the OS keyring). None: nothing goes to any server.
    pub cloud: Option<CloudSettings>,
}

/// The cloud model: where it is, which one, and what may use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudSettings {
    /// Up to and including `/v1`.
    pub base_url: String,
    pub model: String,
    /// Features the privacy router may send to it (`reply`, `summarize`, `ask`, `actions`);
    /// none: only what the user sends himself (`chat --cloud`).
    #[serde(default)]
    pub allows: Vec<String>,
}

/// The outgoing mail server and who the mail is from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendingAccount {
    /// The sender's address and name, as the From header shows them.
    pub from: String,
    #[serde(default)]
    pub name: String,
    pub host: String,
    pub port: u16,
    /// Empty: the server takes mail without logging in.
    #[serde(default)]
    pub user: String,
    /// `tls`, `starttls` or `plain` (only to a server on this machine).
    pub security: String,
    /// At most this many messages sent in any hour; the rest wait in the outbox.
    #[serde(default = "default_max_per_hour")]
    pub max_per_hour: u32,
}

/// A sending limit well above a person's pace and well below a runaway loop's.
pub const DEFAULT_MAX_PER_HOUR: u32 = 30;

fn default_max_per_hour() -> u32 {
    DEFAULT_MAX_PER_HOUR
}

/// Idle time after which the model is unloaded when the user has not chosen one.
pub const DEFAULT_IDLE_UNLOAD_SECS: u64 = 300;

/// Prefix-cache budget: five 1,000-token contexts of the default model (~23 KB a token, f16 cache).
pub const DEFAULT_PREFIX_CACHE_MB: usize = 128;

impl Default for Settings {
    fn default() -> Self {
        Self {
            active_model: None,
            context_tokens: DEFAULT_CONTEXT_TOKENS,
            idle_unload_secs: DEFAULT_IDLE_UNLOAD_SECS,
            prefix_cache_mb: DEFAULT_PREFIX_CACHE_MB,
            sending: None,
            send_without_asking: false,
            cloud: None,
        }
    }
}

impl Settings {
    /// Reads the settings; a missing file means defaults, a damaged one is an error naming the file.
    pub fn load(dir: &DataDir) -> Result<Self> {
        let path = dir.settings_path();
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| CoreError::Settings {
                path,
                reason: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(CoreError::io(path, e)),
        }
    }

    pub fn save(&self, dir: &DataDir) -> Result<()> {
        let json = serde_json::to_vec_pretty(self).expect("settings serialize");
        write_atomically(&dir.settings_path(), &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_gives_defaults_and_round_trips() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::at(tmp.path()).unwrap();
        assert_eq!(Settings::load(&dir).unwrap(), Settings::default());
        let s = Settings {
            active_model: Some("m".into()),
            context_tokens: 1024,
            idle_unload_secs: 0,
            prefix_cache_mb: 32,
            sending: Some(SendingAccount {
                from: "alex@northwind.example".into(),
                name: "Alex Doe".into(),
                host: "smtp.northwind.example".into(),
                port: 587,
                user: "alex".into(),
                security: "starttls".into(),
                max_per_hour: DEFAULT_MAX_PER_HOUR,
            }),
            send_without_asking: false,
            cloud: None,
        };
        s.save(&dir).unwrap();
        assert_eq!(Settings::load(&dir).unwrap(), s);
    }

    #[test]
    fn a_settings_file_from_before_the_prefix_cache_budget_gets_the_default_budget() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::at(tmp.path()).unwrap();
        std::fs::write(
            dir.settings_path(),
            r#"{"active_model":"m","context_tokens":4096,"idle_unload_secs":300}"#,
        )
        .unwrap();
        let s = Settings::load(&dir).unwrap();
        assert_eq!(s.prefix_cache_mb, DEFAULT_PREFIX_CACHE_MB);
        assert_eq!(s.active_model.as_deref(), Some("m"));
    }

    #[test]
    fn damaged_file_is_an_error_naming_it() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::at(tmp.path()).unwrap();
        std::fs::write(dir.settings_path(), b"{not json").unwrap();
        let err = Settings::load(&dir).unwrap_err();
        assert_eq!(err.kind(), "settings");
        assert!(err.to_string().contains("settings.json"), "{err}");
    }
}
