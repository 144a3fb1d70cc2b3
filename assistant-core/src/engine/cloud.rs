//! The cloud backend: any OpenAI-compatible chat-completions endpoint (vLLM, llama.cpp's server,
//! mistral.rs's server, `assistant serve`, a hosted API), streamed over server-sent events, with
//! timeouts, retries with backoff, cancellation, and errors that say what failed. The only module
//! that sends text to a model server; the privacy router decides what reaches it.

use std::time::{Duration, Instant};

use serde_json::json;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{
    millis, Backend, FinishReason, GenerationRequest, GenerationStats, OutputConstraint, Role,
    StreamEvent, TokenStream,
};
use crate::error::{CoreError, Result};

/// Attempts for one request before its first token (connection refused, 429, 5xx).
const ATTEMPTS: u32 = 4;
/// Waiting for the server to answer or to send the next piece.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Where the cloud model is and how to reach it. The key comes from the keyring.
#[derive(Clone)]
pub struct CloudEngine {
    client: reqwest::Client,
    /// Up to and including `/v1`, e.g. `http://127.0.0.1:8765/v1`.
    base_url: String,
    model: String,
    api_key: String,
}

impl std::fmt::Debug for CloudEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.debug_struct("CloudEngine")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .finish()
    }
}

impl CloudEngine {
    pub fn new(base_url: &str, model: &str, api_key: String) -> Result<Self> {
        let base_url = base_url.trim().trim_end_matches('/').to_string();
        if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
            return Err(CoreError::InvalidRequest(format!(
                "cloud URL `{base_url}`: give http(s)://host[:port]/v1"
            )));
        }
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| CoreError::InvalidRequest(format!("HTTP client: {e}")))?;
        Ok(Self {
            client,
            base_url,
            model: model.to_string(),
            api_key,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn model(&self) -> &str {
        &self.model
    }

    fn server(&self) -> String {
        self.base_url.clone()
    }

    fn body(&self, r: &GenerationRequest) -> Result<serde_json::Value> {
        let messages: Vec<serde_json::Value> = r
            .messages
            .iter()
            .map(|m| {
                let role = match m.role {
                    Role::System => "system",
                    Role::User => "user",
                    Role::Assistant => "assistant",
                };
                json!({"role": role, "content": m.content})
            })
            .collect();
        let mut body = json!({
            "model": self.model,
            "messages": messages,
            "stream": true,
            "max_tokens": r.max_tokens.unwrap_or(super::DEFAULT_MAX_TOKENS),
            "temperature": r.temperature,
        });
        if let Some(p) = r.top_p {
            body["top_p"] = json!(p);
        }
        if !r.stop.is_empty() {
            body["stop"] = json!(r.stop);
        }
        if let Some(s) = r.seed {
            body["seed"] = json!(s);
        }
        match &r.constraint {
            OutputConstraint::None => {}
            OutputConstraint::JsonSchema(schema) => {
                body["response_format"] = json!({"type": "json_schema",
                    "json_schema": {"name": "answer", "schema": schema, "strict": true}});
            }
            OutputConstraint::Grammar(_) | OutputConstraint::Regex(_) => {
                return Err(CoreError::InvalidRequest(
                    "an OpenAI-compatible server cannot hold the answer to a grammar or pattern: this request stays on the device".into(),
                ))
            }
        }
        Ok(body)
    }

    /// Sends the request, retrying what may pass (no connection, 429, 5xx) with backoff.
    async fn send(
        &self,
        body: &serde_json::Value,
        cancel: &CancellationToken,
    ) -> Result<reqwest::Response> {
        let url = format!("{}/chat/completions", self.base_url);
        let mut wait = Duration::from_millis(500);
        let mut last = String::new();
        for attempt in 1..=ATTEMPTS {
            let sent = self
                .client
                .post(&url)
                .bearer_auth(&self.api_key)
                .header("content-type", "application/json")
                .body(body.to_string())
                .send();
            let outcome = tokio::select! {
                _ = cancel.cancelled() => return Err(CoreError::Cancelled),
                r = tokio::time::timeout(IDLE_TIMEOUT, sent) => r,
            };
            let retry_after = match outcome {
                Err(_) => {
                    last = format!("no answer within {} s", IDLE_TIMEOUT.as_secs());
                    None
                }
                Ok(Err(e)) => {
                    last = format!("cannot connect: {}", without_url(&e));
                    None
                }
                Ok(Ok(response)) => {
                    let status = response.status();
                    if status.is_success() {
                        return Ok(response);
                    }
                    let retry_after = response
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse::<u64>().ok())
                        .map(Duration::from_secs);
                    let text = response.text().await.unwrap_or_default();
                    let message = serde_json::from_str::<serde_json::Value>(&text)
                        .ok()
                        .and_then(|v| v["error"]["message"].as_str().map(String::from))
                        .unwrap_or_else(|| text.chars().take(300).collect());
                    match status.as_u16() {
                        401 | 403 => {
                            return Err(self.fail(format!(
                                "the server refused the API key ({status}): {message}. Set the key again with `assistant cloud set`"
                            )))
                        }
                        429 => last = format!("busy ({status}): {message}"),
                        s if s >= 500 => last = format!("server error ({status}): {message}"),
                        _ => return Err(self.fail(format!("the server refused the request ({status}): {message}"))),
                    }
                    retry_after
                }
            };
            if attempt < ATTEMPTS {
                let pause = retry_after.unwrap_or(wait).min(Duration::from_secs(30));
                tracing::info!(attempt, ?pause, reason = %last, "cloud request retried");
                tokio::select! {
                    _ = cancel.cancelled() => return Err(CoreError::Cancelled),
                    _ = tokio::time::sleep(pause) => {}
                }
                wait *= 2;
            }
        }
        Err(self.fail(format!("{last} (after {ATTEMPTS} attempts)")))
    }

    fn fail(&self, reason: String) -> CoreError {
        CoreError::Cloud {
            server: self.server(),
            reason,
        }
    }

    async fn run(
        &self,
        request: GenerationRequest,
        tx: &mpsc::Sender<Result<StreamEvent>>,
        cancel: &CancellationToken,
    ) -> Result<()> {
        let began = Instant::now();
        let body = self.body(&request)?;
        let mut response = self.send(&body, cancel).await?;
        let mut buffer: Vec<u8> = Vec::new();
        let mut first: Option<Instant> = None;
        let mut pieces = 0usize;
        let mut finish = FinishReason::Stop;
        let mut usage = (0usize, 0usize);
        loop {
            let chunk = tokio::select! {
                _ = cancel.cancelled() => return Err(CoreError::Cancelled),
                c = tokio::time::timeout(IDLE_TIMEOUT, response.chunk()) => c,
            };
            let chunk = match chunk {
                Err(_) => return Err(self.fail(format!("no data for {} s mid-answer", IDLE_TIMEOUT.as_secs()))),
                Ok(Err(e)) => {
                    return Err(self.fail(format!(
                        "the connection dropped mid-answer after {pieces} pieces: {}",
                        without_url(&e)
                    )))
                }
                Ok(Ok(None)) => {
                    return Err(self.fail(format!(
                        "the answer ended without its end mark after {pieces} pieces (the connection dropped)"
                    )))
                }
                Ok(Ok(Some(c))) => c,
            };
            buffer.extend_from_slice(&chunk);
            while let Some(end) = buffer.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = buffer.drain(..=end).collect();
                let line = String::from_utf8_lossy(&line);
                let Some(data) = line.trim().strip_prefix("data:") else {
                    continue;
                };
                let data = data.trim();
                if data == "[DONE]" {
                    let total = began.elapsed();
                    let ttft = first.map(|f| f - began).unwrap_or(total);
                    let decode = total.saturating_sub(ttft).as_secs_f64();
                    let stats = GenerationStats {
                        prompt_tokens: usage.0,
                        completion_tokens: if usage.1 > 0 { usage.1 } else { pieces },
                        queue_ms: 0.0,
                        ttft_ms: millis(ttft),
                        total_ms: millis(total),
                        prefill_tokens_per_sec: 0.0,
                        decode_tokens_per_sec: if decode > 0.0 {
                            pieces as f64 / decode
                        } else {
                            0.0
                        },
                        finish_reason: finish,
                        seed: request.seed,
                    };
                    let _ = tx.send(Ok(StreamEvent::Done(stats))).await;
                    return Ok(());
                }
                let v: serde_json::Value = serde_json::from_str(data)
                    .map_err(|e| self.fail(format!("an unreadable event ({e}): {data}")))?;
                if let Some(m) = v["error"]["message"].as_str() {
                    return Err(self.fail(format!("the server stopped: {m}")));
                }
                if let Some(u) = v.get("usage").filter(|u| u.is_object()) {
                    usage = (
                        u["prompt_tokens"].as_u64().unwrap_or(0) as usize,
                        u["completion_tokens"].as_u64().unwrap_or(0) as usize,
                    );
                }
                let choice = &v["choices"][0];
                if choice["finish_reason"].as_str() == Some("length") {
                    finish = FinishReason::Length;
                }
                if let Some(t) = choice["delta"]["content"]
                    .as_str()
                    .filter(|t| !t.is_empty())
                {
                    first.get_or_insert_with(Instant::now);
                    pieces += 1;
                    if tx
                        .send(Ok(StreamEvent::Token(t.to_string())))
                        .await
                        .is_err()
                    {
                        return Err(CoreError::Cancelled);
                    }
                }
            }
        }
    }
}

/// A reqwest error without the URL (which is in the error already as `server`).
fn without_url(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    if let Some(url) = e.url() {
        s = s
            .replace(&format!(" ({url})"), "")
            .replace(url.as_str(), "");
    }
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        s.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    s
}

impl Backend for CloudEngine {
    fn name(&self) -> String {
        format!("cloud: {} at {}", self.model, self.base_url)
    }

    fn generate(&self, request: GenerationRequest) -> Result<TokenStream> {
        request.validate()?;
        let (tx, rx) = mpsc::channel(64);
        let cancel = CancellationToken::new();
        let this = self.clone();
        let token = cancel.clone();
        tokio::spawn(async move {
            if let Err(e) = this.run(request, &tx, &token).await {
                if !matches!(e, CoreError::Cancelled) || !token.is_cancelled() {
                    let _ = tx.send(Err(e)).await;
                }
            }
        });
        Ok(TokenStream::new(rx, cancel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ChatMessage;

    #[test]
    fn requests_become_openai_bodies_and_grammars_stay_local() {
        let engine = CloudEngine::new("http://127.0.0.1:9/v1/", "big", "k".repeat(20)).unwrap();
        assert_eq!(engine.base_url(), "http://127.0.0.1:9/v1");
        let mut r = GenerationRequest::new(vec![ChatMessage::system("s"), ChatMessage::user("u")]);
        r.stop = vec!["END".into()];
        let body = engine.body(&r).unwrap();
        assert_eq!(body["messages"][1], json!({"role": "user", "content": "u"}));
        assert_eq!(
            (body["stream"].clone(), body["stop"].clone()),
            (json!(true), json!(["END"]))
        );
        r.constraint = OutputConstraint::Regex("a+".into());
        assert!(engine
            .body(&r)
            .unwrap_err()
            .to_string()
            .contains("stays on the device"));
        assert!(
            format!("{engine:?}").find("kkkk").is_none(),
            "Debug never shows the key"
        );
        assert!(CloudEngine::new("ftp://x", "m", String::new()).is_err());
    }
}
