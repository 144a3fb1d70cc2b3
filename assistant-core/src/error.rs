//! The core's one error type: each variant names what went wrong and what the user can do about it.

use std::path::PathBuf;

/// Everything the core can fail with. `kind()` is a stable machine-readable name for UIs and `--json`.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(
        "unknown model `{id}`: see `assistant models list` for the catalog and installed models"
    )]
    UnknownModel { id: String },

    #[error("model `{id}` is not installed: run `assistant models pull {id}` or `assistant models import FILE`")]
    ModelNotInstalled { id: String },

    #[error("no model is selected: run `assistant models use ID` (installed: {installed})")]
    NoActiveModel { installed: String },

    #[error("{file}: not a usable GGUF model: {reason}")]
    InvalidModelFile { file: PathBuf, reason: String },

    #[error("{file}: architecture `{architecture}` cannot be loaded by this engine: {reason}")]
    UnsupportedModel {
        file: PathBuf,
        architecture: String,
        reason: String,
    },

    #[error(
        "{file}: checksum mismatch: expected sha256 {expected}, got {actual}; the file was removed"
    )]
    ChecksumMismatch {
        file: PathBuf,
        expected: String,
        actual: String,
    },

    #[error("not enough memory to load {file}: needs about {needed_mb} MB (model {model_mb} MB + context cache {kv_mb} MB for {context_tokens} tokens), {available_mb} MB available; choose a smaller model or a shorter context (`--context`)")]
    InsufficientMemory {
        file: PathBuf,
        needed_mb: u64,
        model_mb: u64,
        kv_mb: u64,
        context_tokens: usize,
        available_mb: u64,
    },

    #[error("download of {url} failed: {reason}")]
    Download { url: String, reason: String },

    #[error("disk full while writing {path}: free some space and retry; nothing already stored was changed")]
    DiskFull { path: PathBuf },

    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("settings file {path} is unreadable: {reason}")]
    Settings { path: PathBuf, reason: String },

    #[error("invalid request: {0}")]
    InvalidRequest(String),

    #[error("the engine's queue is full ({capacity} requests waiting); try again in a moment")]
    Busy { capacity: usize },

    #[error("the request was cancelled")]
    Cancelled,

    #[error("the engine failed: {0}")]
    Engine(String),

    #[error("local store {path}: {reason}")]
    Store { path: PathBuf, reason: String },

    #[error("search index {path}: {reason}")]
    Index { path: PathBuf, reason: String },

    #[error("mail server {0}")]
    MailServer(String),

    #[error("{what} not found{hint}")]
    NotFound { what: String, hint: String },

    #[error("keyring: {0}")]
    Keyring(String),

    #[error("`{what}` could mean {}: say which (an address is exact)", candidates.join(", or "))]
    Ambiguous {
        what: String,
        candidates: Vec<String>,
    },

    #[error("the password of {account} is not in the keyring: add the account again to enter it")]
    PasswordMissing { account: String },

    #[error("cloud model at {server}: {reason}")]
    Cloud { server: String, reason: String },

    /// A request the assistant cannot carry out (no such action), said plainly.
    #[error("{0}")]
    Unsupported(String),
}

impl CoreError {
    /// Stable, machine-readable name of the variant (`{kind, message}` errors in the app and `--json`).
    pub fn kind(&self) -> &'static str {
        match self {
            CoreError::UnknownModel { .. } => "unknown_model",
            CoreError::ModelNotInstalled { .. } => "model_not_installed",
            CoreError::NoActiveModel { .. } => "no_active_model",
            CoreError::InvalidModelFile { .. } => "invalid_model_file",
            CoreError::UnsupportedModel { .. } => "unsupported_model",
            CoreError::ChecksumMismatch { .. } => "checksum_mismatch",
            CoreError::InsufficientMemory { .. } => "insufficient_memory",
            CoreError::Download { .. } => "download",
            CoreError::DiskFull { .. } => "disk_full",
            CoreError::Io { .. } => "io",
            CoreError::Settings { .. } => "settings",
            CoreError::InvalidRequest(_) => "invalid_request",
            CoreError::Busy { .. } => "busy",
            CoreError::Cancelled => "cancelled",
            CoreError::Engine(_) => "engine",
            CoreError::Store { .. } => "store",
            CoreError::Index { .. } => "index",
            CoreError::NotFound { .. } => "not_found",
            CoreError::MailServer(_) => "mail_server",
            CoreError::Keyring(_) => "keyring",
            CoreError::Ambiguous { .. } => "ambiguous",
            CoreError::PasswordMissing { .. } => "password_missing",
            CoreError::Unsupported(_) => "unsupported",
            CoreError::Cloud { .. } => "cloud",
        }
    }

    /// Wraps an I/O error with the path it concerns, turning "no space left" into `DiskFull`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        let path = path.into();
        if source.kind() == std::io::ErrorKind::StorageFull || source.raw_os_error() == Some(28) {
            CoreError::DiskFull { path }
        } else {
            CoreError::Io { path, source }
        }
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;
