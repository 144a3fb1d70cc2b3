//! Text generation behind one trait: requests, streamed tokens, priorities and cancellation.
//!
//! The local engine (mistral.rs) implements [`Backend`]; the cloud backend will too. Callers build a
//! [`GenerationRequest`], get a [`TokenStream`], and drop it (or call [`Canceller::cancel`]) to stop.

pub mod cloud;
pub mod local;
mod queue;
mod sampler;
mod stop;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::error::{CoreError, Result};

pub use cloud::CloudEngine;
pub use local::{LocalEngine, LocalEngineConfig, WeakEngine};

/// Answer length used when a request names none. Every request is bounded: the small models
/// otherwise write until their context is full, which looks like a hang.
pub const DEFAULT_MAX_TOKENS: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: Role,
    pub content: String,
}

impl ChatMessage {
    pub fn system(text: impl Into<String>) -> Self {
        Self {
            role: Role::System,
            content: text.into(),
        }
    }
    pub fn user(text: impl Into<String>) -> Self {
        Self {
            role: Role::User,
            content: text.into(),
        }
    }
    pub fn assistant(text: impl Into<String>) -> Self {
        Self {
            role: Role::Assistant,
            content: text.into(),
        }
    }
}

/// Number format of the model's activations (weights stay as quantized in the file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActivationDtype {
    /// 32-bit floats: no conversions around the quantized kernels on CPUs.
    #[default]
    F32,
    F16,
    /// Let the engine choose (it picks F16 on CPUs that can multiply F16).
    Auto,
}

/// Interactive requests (what the user is waiting for) run before background ones
/// (precomputed suggestions, summaries of new mail). A running request is never preempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    #[default]
    Interactive,
    Background,
}

/// Restricts what the model may write; checked token by token while decoding.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum OutputConstraint {
    #[default]
    None,
    /// Output is one JSON value valid for this JSON schema.
    JsonSchema(serde_json::Value),
    /// Output matches this Lark grammar (llguidance dialect).
    Grammar(String),
    /// Output matches this regular expression.
    Regex(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct GenerationRequest {
    pub messages: Vec<ChatMessage>,
    /// Upper bound on generated tokens; `None` means [`DEFAULT_MAX_TOKENS`].
    pub max_tokens: Option<usize>,
    /// 0 means greedy (the most likely token every time).
    pub temperature: f64,
    /// Nucleus sampling threshold in (0, 1]; used when temperature > 0.
    pub top_p: Option<f64>,
    /// Generation stops before any of these strings.
    pub stop: Vec<String>,
    /// With temperature > 0, the same seed gives the same output. Without one, a seed is chosen and
    /// reported in [`GenerationStats::seed`].
    pub seed: Option<u64>,
    pub constraint: OutputConstraint,
    pub priority: Priority,
}

impl GenerationRequest {
    pub fn new(messages: Vec<ChatMessage>) -> Self {
        Self {
            messages,
            max_tokens: None,
            temperature: 0.0,
            top_p: None,
            stop: Vec::new(),
            seed: None,
            constraint: OutputConstraint::None,
            priority: Priority::Interactive,
        }
    }

    /// One user message.
    pub fn prompt(text: impl Into<String>) -> Self {
        Self::new(vec![ChatMessage::user(text)])
    }

    pub fn with_max_tokens(mut self, n: usize) -> Self {
        self.max_tokens = Some(n);
        self
    }

    pub fn with_priority(mut self, p: Priority) -> Self {
        self.priority = p;
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.messages.is_empty() {
            return Err(CoreError::InvalidRequest(
                "a request needs at least one message".into(),
            ));
        }
        if self.max_tokens == Some(0) {
            return Err(CoreError::InvalidRequest(
                "max tokens must be at least 1".into(),
            ));
        }
        if !(0.0..=5.0).contains(&self.temperature) || self.temperature.is_nan() {
            return Err(CoreError::InvalidRequest(format!(
                "temperature {} is outside 0..=5",
                self.temperature
            )));
        }
        if let Some(p) = self.top_p {
            if !(p > 0.0 && p <= 1.0) {
                return Err(CoreError::InvalidRequest(format!(
                    "top-p {p} is outside (0, 1]"
                )));
            }
        }
        if self.stop.iter().any(|s| s.is_empty()) {
            return Err(CoreError::InvalidRequest(
                "stop strings must not be empty".into(),
            ));
        }
        if let OutputConstraint::JsonSchema(s) = &self.constraint {
            if !s.is_object() && !s.is_boolean() {
                return Err(CoreError::InvalidRequest(
                    "a JSON schema must be an object".into(),
                ));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// The model ended its answer, or a stop string was reached.
    Stop,
    /// The max-token bound was reached.
    Length,
    Cancelled,
}

/// Figures for one finished request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerationStats {
    pub prompt_tokens: usize,
    pub completion_tokens: usize,
    /// Time spent waiting in the queue before the engine took the request.
    pub queue_ms: f64,
    /// From the engine taking the request to the first generated token.
    pub ttft_ms: f64,
    /// From the engine taking the request to the end.
    pub total_ms: f64,
    pub prefill_tokens_per_sec: f64,
    pub decode_tokens_per_sec: f64,
    pub finish_reason: FinishReason,
    /// The sampling seed used (absent for greedy decoding).
    pub seed: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    /// Next piece of text, in order.
    Token(String),
    /// The last event of a stream.
    Done(GenerationStats),
}

/// Stops a running or queued request from anywhere (a UI button, a timeout).
#[derive(Debug, Clone)]
pub struct Canceller(CancellationToken);

impl Canceller {
    pub fn cancel(&self) {
        self.0.cancel()
    }
}

/// The tokens of one request as they are generated. Dropping it cancels the request.
#[derive(Debug)]
pub struct TokenStream {
    rx: mpsc::Receiver<Result<StreamEvent>>,
    cancel: CancellationToken,
}

impl TokenStream {
    pub(crate) fn new(rx: mpsc::Receiver<Result<StreamEvent>>, cancel: CancellationToken) -> Self {
        Self { rx, cancel }
    }

    /// The next event; `None` after `Done` or an error.
    pub async fn next(&mut self) -> Option<Result<StreamEvent>> {
        self.rx.recv().await
    }

    pub fn canceller(&self) -> Canceller {
        Canceller(self.cancel.clone())
    }

    /// Waits for the whole answer.
    pub async fn collect(mut self) -> Result<(String, GenerationStats)> {
        let mut text = String::new();
        while let Some(ev) = self.next().await {
            match ev? {
                StreamEvent::Token(t) => text.push_str(&t),
                StreamEvent::Done(stats) => return Ok((text, stats)),
            }
        }
        Err(CoreError::Engine(
            "the engine stopped before finishing the answer".into(),
        ))
    }
}

impl Drop for TokenStream {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// Something that turns requests into token streams: the local engine, later a cloud endpoint.
pub trait Backend: Send + Sync {
    /// A short name for logs and notices ("local: smollm2-135m-instruct-q4_1").
    fn name(&self) -> String;

    /// Queues `request` and returns its stream at once; `Busy` when the queue is full.
    fn generate(&self, request: GenerationRequest) -> Result<TokenStream>;
}

pub(crate) fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_validated() {
        let ok = GenerationRequest::prompt("hi");
        ok.validate().unwrap();
        let cases = [
            GenerationRequest::new(vec![]),
            GenerationRequest {
                max_tokens: Some(0),
                ..ok.clone()
            },
            GenerationRequest {
                temperature: -1.0,
                ..ok.clone()
            },
            GenerationRequest {
                top_p: Some(0.0),
                ..ok.clone()
            },
            GenerationRequest {
                stop: vec![String::new()],
                ..ok.clone()
            },
            GenerationRequest {
                constraint: OutputConstraint::JsonSchema(serde_json::json!(3)),
                ..ok.clone()
            },
        ];
        for c in cases {
            assert_eq!(c.validate().unwrap_err().kind(), "invalid_request", "{c:?}");
        }
    }
}
