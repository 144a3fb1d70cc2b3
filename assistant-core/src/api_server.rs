//! The local OpenAI-compatible HTTP API (`assistant serve`, as Jan and GPT4All offer): chat
//! completions over the local model, whole or streamed as server-sent events, and the models list;
//! on 127.0.0.1 only, every request with the API key. The only module that serves HTTP.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use futures::StreamExt;
use http_body_util::{combinators::BoxBody, BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

use crate::engine::{
    ChatMessage, FinishReason, GenerationRequest, OutputConstraint, Role, StreamEvent,
};
use crate::error::{CoreError, Result};
use crate::Assistant;

type Body = BoxBody<Bytes, Infallible>;

/// The port `assistant serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8765;

/// Binds 127.0.0.1:`port` (0: any free port). Separate from [`serve`] so callers learn the port.
pub async fn bind(port: u16) -> Result<TcpListener> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    TcpListener::bind(addr)
        .await
        .map_err(|e| CoreError::InvalidRequest(format!("cannot listen on {addr}: {e}")))
}

/// Answers requests on `listener` until `stop` is cancelled. `api_key` must be sent as
/// `Authorization: Bearer KEY` with every request. At most `max_concurrent` completions run or
/// wait at once; more are answered 429 with `Retry-After`.
pub async fn serve(
    assistant: Assistant,
    listener: TcpListener,
    api_key: String,
    max_concurrent: usize,
    stop: CancellationToken,
) -> Result<()> {
    let slots = Arc::new(Semaphore::new(max_concurrent.max(1)));
    if api_key.trim().len() < 16 {
        return Err(CoreError::InvalidRequest(
            "the API key must be at least 16 characters".into(),
        ));
    }
    loop {
        let (stream, _) = tokio::select! {
            _ = stop.cancelled() => return Ok(()),
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(%e, "accept failed");
                    continue;
                }
            },
        };
        let assistant = assistant.clone();
        let key = api_key.clone();
        let slots = slots.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let assistant = assistant.clone();
                let key = key.clone();
                let slots = slots.clone();
                async move { Ok::<_, Infallible>(handle(assistant, &key, &slots, req).await) }
            });
            let io = hyper_util::rt::TokioIo::new(stream);
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await
            {
                tracing::debug!(%e, "connection ended");
            }
        });
    }
}

fn full(status: StatusCode, value: serde_json::Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(value.to_string())).boxed())
        .expect("response")
}

/// An error in OpenAI's shape: `{"error": {"message", "type", "code"}}`.
fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response<Body> {
    let kind = match status {
        StatusCode::UNAUTHORIZED => "authentication_error",
        StatusCode::TOO_MANY_REQUESTS => "rate_limit_error",
        s if s.is_server_error() => "server_error",
        _ => "invalid_request_error",
    };
    let mut r = full(
        status,
        json!({"error": {"message": message.into(), "type": kind, "code": code}}),
    );
    if status == StatusCode::TOO_MANY_REQUESTS {
        r.headers_mut()
            .insert("retry-after", hyper::header::HeaderValue::from_static("1"));
    }
    r
}

fn core_error(e: CoreError) -> Response<Body> {
    match &e {
        CoreError::Busy { .. } => error(StatusCode::TOO_MANY_REQUESTS, "busy", e.to_string()),
        CoreError::InvalidRequest(_) => {
            error(StatusCode::BAD_REQUEST, "invalid_request", e.to_string())
        }
        CoreError::NoActiveModel { .. } | CoreError::ModelNotInstalled { .. } => {
            error(StatusCode::NOT_FOUND, "model_not_found", e.to_string())
        }
        _ => error(StatusCode::INTERNAL_SERVER_ERROR, e.kind(), e.to_string()),
    }
}

/// Compares without an early exit, so the time taken does not tell how much of a key was right.
fn same_key(given: &str, key: &str) -> bool {
    let (a, b) = (given.as_bytes(), key.as_bytes());
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        diff |= (a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0)) as usize;
    }
    diff == 0
}

async fn handle(
    assistant: Assistant,
    key: &str,
    slots: &Arc<Semaphore>,
    req: Request<Incoming>,
) -> Response<Body> {
    let given = req
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !same_key(given.trim(), key) {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
            "missing or wrong API key: send `Authorization: Bearer KEY` (the key `assistant serve` printed)",
        );
    }
    match (req.method(), req.uri().path()) {
        (&Method::GET, "/v1/models") => models(&assistant),
        (&Method::POST, "/v1/chat/completions") => {
            // Held until the answer is complete (a streamed one: until its body is dropped).
            let Ok(slot) = slots.clone().try_acquire_owned() else {
                return error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "busy",
                    "the local model is answering other requests; try again in a moment",
                );
            };
            let body = match req.into_body().collect().await {
                Ok(b) => b.to_bytes(),
                Err(e) => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "bad_body",
                        format!("reading the body: {e}"),
                    )
                }
            };
            chat_completions(assistant, &body, slot).await
        }
        (_, path) => error(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no such endpoint: {path}"),
        ),
    }
}

fn models(assistant: &Assistant) -> Response<Body> {
    match assistant.engine_config() {
        Ok(config) => full(
            StatusCode::OK,
            json!({"object": "list", "data": [
                {"id": config.model_id, "object": "model", "created": 0, "owned_by": "local"}
            ]}),
        ),
        Err(e) => core_error(e),
    }
}

#[derive(Deserialize)]
struct ChatBody {
    model: Option<String>,
    messages: Vec<ChatMessageBody>,
    #[serde(default)]
    stream: bool,
    max_tokens: Option<usize>,
    max_completion_tokens: Option<usize>,
    temperature: Option<f64>,
    top_p: Option<f64>,
    stop: Option<StopBody>,
    seed: Option<u64>,
    /// Structured output: `{"type": "json_schema", "json_schema": {"schema": ...}}` holds the
    /// answer to the schema (as the engine's constrained decoding does); `json_object` to any
    /// JSON object; `text` to nothing.
    response_format: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum StopBody {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct ChatMessageBody {
    role: String,
    content: serde_json::Value,
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn finish(reason: FinishReason) -> &'static str {
    match reason {
        FinishReason::Length => "length",
        _ => "stop",
    }
}

/// The request as the engine takes it: roles mapped, text parts joined, limits checked.
fn to_request(body: &ChatBody) -> std::result::Result<GenerationRequest, String> {
    let mut messages = Vec::new();
    for (i, m) in body.messages.iter().enumerate() {
        let role = match m.role.as_str() {
            "system" | "developer" => Role::System,
            "user" => Role::User,
            "assistant" => Role::Assistant,
            other => {
                return Err(format!(
                    "messages[{i}].role: `{other}` is not system, user or assistant"
                ))
            }
        };
        // A string, or OpenAI's list of parts of which only text is read.
        let content = match &m.content {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(parts) => parts
                .iter()
                .filter_map(|p| p["text"].as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            serde_json::Value::Null => String::new(),
            _ => return Err(format!("messages[{i}].content: text expected")),
        };
        messages.push(ChatMessage { role, content });
    }
    let mut request = GenerationRequest::new(messages);
    request.max_tokens = body.max_completion_tokens.or(body.max_tokens);
    request.temperature = body.temperature.unwrap_or(0.0);
    request.top_p = body.top_p;
    request.seed = body.seed;
    request.stop = match &body.stop {
        Some(StopBody::One(s)) => vec![s.clone()],
        Some(StopBody::Many(v)) => v.clone(),
        None => Vec::new(),
    };
    if let Some(format) = &body.response_format {
        request.constraint = match format["type"].as_str() {
            Some("text") => OutputConstraint::None,
            Some("json_object") => OutputConstraint::JsonSchema(json!({"type": "object"})),
            Some("json_schema") => match &format["json_schema"]["schema"] {
                schema @ serde_json::Value::Object(_) => {
                    OutputConstraint::JsonSchema(schema.clone())
                }
                _ => {
                    return Err(
                        "response_format.json_schema.schema: a JSON schema object expected".into(),
                    )
                }
            },
            _ => {
                return Err(
                    "response_format.type: `text`, `json_object` or `json_schema` expected".into(),
                )
            }
        };
    }
    request.validate().map_err(|e| e.to_string())?;
    Ok(request)
}

async fn chat_completions(
    assistant: Assistant,
    raw: &[u8],
    slot: OwnedSemaphorePermit,
) -> Response<Body> {
    let body: ChatBody = match serde_json::from_slice(raw) {
        Ok(b) => b,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                format!("the request body: {e}"),
            )
        }
    };
    let request = match to_request(&body) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, "invalid_request", e),
    };
    let model = match assistant.engine_config() {
        Ok(c) => c.model_id,
        Err(e) => return core_error(e),
    };
    if let Some(asked) = &body.model {
        if !asked.is_empty() && asked != &model && asked != "default" {
            return error(
                StatusCode::NOT_FOUND,
                "model_not_found",
                format!("model `{asked}` is not the one in use (`{model}`); choose it with `assistant models use {asked}`"),
            );
        }
    }
    let stream = match assistant.generate(request).await {
        Ok(s) => s,
        Err(e) => return core_error(e),
    };
    let id = format!(
        "chatcmpl-{:x}",
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    );
    let created = unix_now();
    if !body.stream {
        return match stream.collect().await {
            Ok((text, stats)) => full(
                StatusCode::OK,
                json!({
                    "id": id, "object": "chat.completion", "created": created, "model": model,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                 "finish_reason": finish(stats.finish_reason)}],
                    "usage": {"prompt_tokens": stats.prompt_tokens,
                              "completion_tokens": stats.completion_tokens,
                              "total_tokens": stats.prompt_tokens + stats.completion_tokens}
                }),
            ),
            Err(e) => core_error(e),
        };
    }
    // Server-sent events; the client going away drops the body, the stream, and so the request.
    let chunk = move |delta: serde_json::Value, reason: Option<&str>| {
        let v = json!({
            "id": id, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": reason}]
        });
        Ok::<_, Infallible>(Frame::data(Bytes::from(format!("data: {v}\n\n"))))
    };
    let first = futures::stream::once({
        let c = chunk.clone();
        async move { c(json!({"role": "assistant", "content": ""}), None) }
    });
    let rest = futures::stream::unfold(Some((stream, chunk, slot)), |state| async move {
        let (mut stream, chunk, slot) = state?;
        match stream.next().await {
            Some(Ok(StreamEvent::Token(t))) => {
                let frame = chunk(json!({"content": t}), None);
                Some((vec![frame], Some((stream, chunk, slot))))
            }
            Some(Ok(StreamEvent::Done(stats))) => Some((
                vec![
                    chunk(json!({}), Some(finish(stats.finish_reason))),
                    Ok(Frame::data(Bytes::from_static(b"data: [DONE]\n\n"))),
                ],
                None,
            )),
            Some(Err(e)) => {
                let v = json!({"error": {"message": e.to_string(), "type": "server_error", "code": e.kind()}});
                Some((vec![Ok(Frame::data(Bytes::from(format!("data: {v}\n\n"))))], None))
            }
            None => None,
        }
    })
    .flat_map(futures::stream::iter);
    let body = StreamBody::new(first.chain(rest));
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "text/event-stream")
        .header("cache-control", "no-cache")
        .body(BodyExt::boxed(body))
        .expect("response")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_compare_whole() {
        assert!(same_key("0123456789abcdef", "0123456789abcdef"));
        assert!(!same_key("0123456789abcde", "0123456789abcdef"));
        assert!(!same_key("", "0123456789abcdef"));
        assert!(!same_key("0123456789abcdefX", "0123456789abcdef"));
    }

    #[test]
    fn openai_bodies_become_engine_requests() {
        let body: ChatBody = serde_json::from_value(json!({
            "model": "x", "stream": true, "max_tokens": 12, "temperature": 0.5, "stop": "END",
            "messages": [{"role": "system", "content": "Be brief."},
                         {"role": "user", "content": [{"type": "text", "text": "Hi"}]}]
        }))
        .unwrap();
        let r = to_request(&body).unwrap();
        assert_eq!(
            r.messages,
            vec![ChatMessage::system("Be brief."), ChatMessage::user("Hi")]
        );
        assert_eq!(
            (r.max_tokens, r.temperature, r.stop.clone()),
            (Some(12), 0.5, vec!["END".to_string()])
        );
        let bad: ChatBody =
            serde_json::from_value(json!({"messages": [{"role": "tool", "content": "x"}]}))
                .unwrap();
        assert!(to_request(&bad).unwrap_err().contains("messages[0].role"));
        let empty: ChatBody = serde_json::from_value(json!({"messages": []})).unwrap();
        assert!(to_request(&empty).is_err());
    }

    #[test]
    fn a_response_format_becomes_the_engines_constraint() {
        let schema = json!({"type": "object", "properties": {"a": {"type": "integer"}}});
        let with = |format: serde_json::Value| {
            let body: ChatBody = serde_json::from_value(json!({
                "messages": [{"role": "user", "content": "Hi"}], "response_format": format
            }))
            .unwrap();
            to_request(&body)
        };
        assert_eq!(
            with(json!({"type": "json_schema", "json_schema": {"name": "a", "schema": schema}}))
                .unwrap()
                .constraint,
            OutputConstraint::JsonSchema(schema)
        );
        assert_eq!(
            with(json!({"type": "text"})).unwrap().constraint,
            OutputConstraint::None
        );
        assert!(with(json!({"type": "yaml"}))
            .unwrap_err()
            .contains("response_format.type"));
        assert!(with(json!({"type": "json_schema", "json_schema": {}}))
            .unwrap_err()
            .contains("json_schema.schema"));
    }
}
