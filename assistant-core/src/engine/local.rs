//! The on-device engine: mistral.rs running a GGUF file, owned by one task that serves a queue.
//!
//! This is the only module that talks to mistral.rs.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mistralrs::core::{
    AutoDeviceMapParams, DefaultSchedulerMethod, DeviceMapSetting, GGUFLoaderBuilder,
    GGUFSpecificConfig, MistralRsBuilder, ModelDType, SchedulerConfig,
};
use mistralrs::{
    Constraint, Device, Model, RequestBuilder, Response, SamplingParams, TextMessageRole,
    TextMessages, TokenSource,
};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::queue::PriorityQueue;
use super::sampler::SeededSampler;
use super::stop::StopMatcher;
use super::{
    millis, ActivationDtype, Backend, ChatMessage, FinishReason, GenerationRequest,
    GenerationStats, OutputConstraint, Priority, Role, StreamEvent, TokenStream,
    DEFAULT_MAX_TOKENS,
};
use crate::error::{CoreError, Result};
use crate::models::{gguf, memory, GgufInfo};

#[derive(Debug, Clone)]
pub struct LocalEngineConfig {
    pub model_path: PathBuf,
    /// Name for logs and stats (the installed model's id).
    pub model_id: String,
    /// Context (prompt + answer) to plan memory for; answers are capped to it.
    pub context_tokens: usize,
    /// Requests that may wait at once before `Busy`.
    pub queue_capacity: usize,
    /// How many earlier prompts mistral.rs keeps key/value state for, to reuse on a shared
    /// prefix; `None` turns the prefix cache off.
    pub prefix_cache_sequences: Option<usize>,
    /// Most bytes of key/value state the prefix cache keeps; the oldest prompts go first.
    pub prefix_cache_bytes: usize,
    pub activation_dtype: ActivationDtype,
}

impl LocalEngineConfig {
    pub fn new(model_path: impl Into<PathBuf>, model_id: impl Into<String>) -> Self {
        Self {
            model_path: model_path.into(),
            model_id: model_id.into(),
            context_tokens: crate::settings::DEFAULT_CONTEXT_TOKENS,
            queue_capacity: 32,
            // A few contexts to jump between (a thread, a note, a chat) without holding the key/value
            // state of every past request: each costs ~23 KB per token for the default model (f16 cache).
            prefix_cache_sequences: Some(4),
            prefix_cache_bytes: crate::settings::DEFAULT_PREFIX_CACHE_MB << 20,
            activation_dtype: ActivationDtype::default(),
        }
    }
}

/// A loaded model. Cheap to clone; the model is unloaded when the last clone is dropped.
#[derive(Clone)]
pub struct LocalEngine {
    shared: Arc<Shared>,
}

struct Shared {
    queue: Arc<PriorityQueue<Job>>,
    /// Generation requests queued or running.
    in_flight: Arc<AtomicUsize>,
    config: LocalEngineConfig,
    info: GgufInfo,
    load_time: Duration,
}

/// A handle to a loaded engine that does not keep it loaded (for watchers such as the idle
/// unloader): the model is freed when the last [`LocalEngine`] goes, whatever watches it.
#[derive(Clone)]
pub struct WeakEngine(std::sync::Weak<Shared>);

impl WeakEngine {
    /// The engine, while something else still holds it.
    pub fn upgrade(&self) -> Option<LocalEngine> {
        self.0.upgrade().map(|shared| LocalEngine { shared })
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.queue.close();
    }
}

enum Job {
    Generate {
        request: GenerationRequest,
        tx: mpsc::Sender<Result<StreamEvent>>,
        cancel: CancellationToken,
        enqueued: Instant,
    },
    TokenizePrompt {
        messages: Vec<ChatMessage>,
        reply: oneshot::Sender<Result<Vec<u32>>>,
    },
    Tokenize {
        text: String,
        reply: oneshot::Sender<Result<Vec<u32>>>,
    },
    Detokenize {
        tokens: Vec<u32>,
        reply: oneshot::Sender<Result<String>>,
    },
}

impl LocalEngine {
    /// Checks the file (header, architecture, memory), loads it, and starts the engine task.
    pub async fn load(config: LocalEngineConfig) -> Result<Self> {
        let path = config.model_path.clone();
        let info = tokio::task::spawn_blocking({
            let path = path.clone();
            move || gguf::inspect(&path)
        })
        .await
        .map_err(|e| CoreError::Engine(e.to_string()))??;
        info.check_loadable(&path)?;
        memory::check_fits(
            &path,
            &info,
            config.context_tokens,
            memory::available_bytes(),
        )?;

        let dir = path
            .parent()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|| ".".into());
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .ok_or_else(|| {
                CoreError::InvalidRequest(format!("{} is not a file path", path.display()))
            })?;
        memory::limit_allocator_arenas();
        let started = Instant::now();
        let dtype = match config.activation_dtype {
            ActivationDtype::F32 => ModelDType::F32,
            ActivationDtype::F16 => ModelDType::F16,
            ActivationDtype::Auto => ModelDType::Auto,
        };
        // mistral.rs's GgufModelBuilder always lets the engine pick the activation type, so the
        // pipeline is built here with the loader it uses. Loading reads the file: off the runtime.
        let pipeline = tokio::task::spawn_blocking(move || {
            let loader = GGUFLoaderBuilder::new(
                None,
                None,
                dir,
                vec![file],
                GGUFSpecificConfig { topology: None },
                false,
                None,
            )
            .build();
            let pipeline = loader.load_model_from_hf(
                None,
                TokenSource::None,
                &dtype,
                &Device::Cpu,
                true,
                DeviceMapSetting::Auto(AutoDeviceMapParams::default_text()),
                None,
                None,
            );
            // Loading's temporaries (the file's bytes, dequantized tables) are freed by now; hand
            // the pages back instead of keeping them in the allocator (-33 MB resident for the default model).
            memory::release_free_memory();
            pipeline
        })
        .await
        .map_err(|e| CoreError::Engine(e.to_string()))?
        .map_err(|e| CoreError::Engine(format!("loading {} failed: {e:#}", path.display())))?;
        // One sequence at a time: the queue above decides the order.
        let scheduler = SchedulerConfig::DefaultScheduler {
            method: DefaultSchedulerMethod::Fixed(std::num::NonZeroUsize::MIN),
        };
        // Process-wide in mistral.rs (one engine is loaded at a time here).
        mistralrs_core::set_prefix_cache_byte_budget(config.prefix_cache_bytes);
        let runner = MistralRsBuilder::new(pipeline, scheduler, false, None)
            .with_no_prefix_cache(config.prefix_cache_sequences.is_none())
            .with_prefix_cache_n(config.prefix_cache_sequences.unwrap_or(1))
            .build()
            .await;
        let model = Model::new(runner);
        let load_time = started.elapsed();
        tracing::info!(model = %config.model_id, ms = millis(load_time), "model loaded");

        let queue = Arc::new(PriorityQueue::new(config.queue_capacity));
        let in_flight = Arc::new(AtomicUsize::new(0));
        tokio::spawn(serve(
            model,
            queue.clone(),
            in_flight.clone(),
            config.context_tokens,
        ));
        Ok(Self {
            shared: Arc::new(Shared {
                queue,
                in_flight,
                config,
                info,
                load_time,
            }),
        })
    }

    pub fn model_id(&self) -> &str {
        &self.shared.config.model_id
    }

    pub fn info(&self) -> &GgufInfo {
        &self.shared.info
    }

    /// Wall time of the last load (file to ready engine).
    pub fn load_time(&self) -> Duration {
        self.shared.load_time
    }

    /// Requests waiting (not counting the one running).
    pub fn queued(&self) -> usize {
        self.shared.queue.len()
    }

    /// Whether both handles point at the same loaded model.
    /// A handle that does not keep this engine loaded.
    pub fn downgrade(&self) -> WeakEngine {
        WeakEngine(Arc::downgrade(&self.shared))
    }

    pub fn same_as(&self, other: &LocalEngine) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// No generation is queued or running.
    pub fn is_idle(&self) -> bool {
        self.shared.in_flight.load(Ordering::SeqCst) == 0
    }

    /// The token ids the chat template and `messages` make, including the assistant-turn opener:
    /// exactly what the model reads for a request with these messages.
    pub async fn tokenize_prompt(&self, messages: Vec<ChatMessage>) -> Result<Vec<u32>> {
        let (reply, rx) = oneshot::channel();
        self.shared.queue.push(
            Priority::Interactive,
            Job::TokenizePrompt { messages, reply },
        )?;
        rx.await
            .map_err(|_| CoreError::Engine("the engine stopped".into()))?
    }

    /// How many tokens [`Self::tokenize_prompt`] gives.
    pub async fn count_prompt_tokens(&self, messages: Vec<ChatMessage>) -> Result<usize> {
        Ok(self.tokenize_prompt(messages).await?.len())
    }

    /// Plain text to token ids (no template, no special tokens).
    pub async fn tokenize(&self, text: impl Into<String>) -> Result<Vec<u32>> {
        let (reply, rx) = oneshot::channel();
        self.shared.queue.push(
            Priority::Interactive,
            Job::Tokenize {
                text: text.into(),
                reply,
            },
        )?;
        rx.await
            .map_err(|_| CoreError::Engine("the engine stopped".into()))?
    }

    pub async fn detokenize(&self, tokens: Vec<u32>) -> Result<String> {
        let (reply, rx) = oneshot::channel();
        self.shared
            .queue
            .push(Priority::Interactive, Job::Detokenize { tokens, reply })?;
        rx.await
            .map_err(|_| CoreError::Engine("the engine stopped".into()))?
    }
}

impl Backend for LocalEngine {
    fn name(&self) -> String {
        format!("local: {}", self.shared.config.model_id)
    }

    fn generate(&self, request: GenerationRequest) -> Result<TokenStream> {
        request.validate()?;
        let (tx, rx) = mpsc::channel(64);
        let cancel = CancellationToken::new();
        let priority = request.priority;
        self.shared.in_flight.fetch_add(1, Ordering::SeqCst);
        let pushed = self.shared.queue.push(
            priority,
            Job::Generate {
                request,
                tx,
                cancel: cancel.clone(),
                enqueued: Instant::now(),
            },
        );
        if let Err(e) = pushed {
            self.shared.in_flight.fetch_sub(1, Ordering::SeqCst);
            return Err(e);
        }
        Ok(TokenStream::new(rx, cancel))
    }
}

/// The engine task: owns the model and runs one job at a time until the queue closes.
async fn serve(
    model: Model,
    queue: Arc<PriorityQueue<Job>>,
    in_flight: Arc<AtomicUsize>,
    context_tokens: usize,
) {
    while let Some(job) = queue.pop().await {
        match job {
            Job::Generate {
                request,
                tx,
                cancel,
                enqueued,
            } => {
                if !cancel.is_cancelled() && !tx.is_closed() {
                    let result =
                        generate(&model, request, &tx, &cancel, enqueued, context_tokens).await;
                    if let Err(e) = result {
                        let _ = tx.send(Err(e)).await;
                    }
                }
                in_flight.fetch_sub(1, Ordering::SeqCst);
            }
            Job::TokenizePrompt { messages, reply } => {
                let r = model
                    .tokenize(
                        either::Either::Left(text_messages(&messages)),
                        None,
                        true,
                        true,
                        None,
                    )
                    .await
                    .map_err(|e| CoreError::Engine(format!("tokenizing failed: {e}")));
                let _ = reply.send(r);
            }
            Job::Tokenize { text, reply } => {
                let r = model
                    .tokenize(either::Either::Right(text), None, false, false, None)
                    .await
                    .map_err(|e| CoreError::Engine(format!("tokenizing failed: {e}")));
                let _ = reply.send(r);
            }
            Job::Detokenize { tokens, reply } => {
                let r = model
                    .detokenize(tokens, false)
                    .await
                    .map_err(|e| CoreError::Engine(format!("detokenizing failed: {e}")));
                let _ = reply.send(r);
            }
        }
    }
    tracing::info!("engine task finished; model unloaded");
}

fn text_messages(messages: &[ChatMessage]) -> TextMessages {
    messages.iter().fold(TextMessages::new(), |acc, m| {
        acc.add_message(role(m.role), &m.content)
    })
}

fn role(r: Role) -> TextMessageRole {
    match r {
        Role::System => TextMessageRole::System,
        Role::User => TextMessageRole::User,
        Role::Assistant => TextMessageRole::Assistant,
    }
}

fn random_seed() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut rng = super::sampler::SplitMix64::new(
        nanos ^ COUNTER.fetch_add(1, Ordering::Relaxed).rotate_left(32),
    );
    rng.next_u64()
}

/// Builds the mistral.rs request. The sampling parameters are set as one value, after everything
/// else, so that the max-token bound can never be dropped (`set_deterministic_sampler()` after
/// `set_sampler_max_len()` would silently remove it).
fn build_request(
    request: &GenerationRequest,
    context_tokens: usize,
) -> (RequestBuilder, Option<u64>) {
    let mut builder = request.messages.iter().fold(RequestBuilder::new(), |b, m| {
        b.add_message(role(m.role), &m.content)
    });
    let seed = (request.temperature > 0.0).then(|| request.seed.unwrap_or_else(random_seed));
    if let Some(seed) = seed {
        builder = builder.add_logits_processor(Arc::new(SeededSampler::new(
            seed,
            request.temperature,
            request.top_p.unwrap_or(1.0),
        )));
    }
    builder = builder.set_constraint(match &request.constraint {
        OutputConstraint::None => Constraint::None,
        OutputConstraint::JsonSchema(s) => Constraint::JsonSchema(s.clone()),
        OutputConstraint::Grammar(g) => Constraint::Lark(g.clone()),
        OutputConstraint::Regex(r) => Constraint::Regex(r.clone()),
    });
    (
        builder.set_sampling(sampling_params(request, context_tokens)),
        seed,
    )
}

/// Greedy engine step (the seeded sampler, when present, has already chosen the token) and the
/// max-token bound. Stop strings are matched on our side ([`StopMatcher`]): mistral.rs's streaming
/// sends the text of a stop string, and what follows it in the same step, before it stops.
fn sampling_params(request: &GenerationRequest, context_tokens: usize) -> SamplingParams {
    let mut params = SamplingParams::deterministic();
    params.max_len = Some(
        request
            .max_tokens
            .unwrap_or(DEFAULT_MAX_TOKENS)
            .min(context_tokens),
    );
    params
}

async fn generate(
    model: &Model,
    request: GenerationRequest,
    tx: &mpsc::Sender<Result<StreamEvent>>,
    cancel: &CancellationToken,
    enqueued: Instant,
    context_tokens: usize,
) -> Result<()> {
    let began = Instant::now();
    let queue_ms = millis(began - enqueued);
    let (builder, seed) = build_request(&request, context_tokens);
    let mut stream = model
        .stream_chat_request(builder)
        .await
        .map_err(|e| CoreError::Engine(format!("the engine refused the request: {e}")))?;
    let mut first_token: Option<Instant> = None;
    let mut pieces = 0usize;
    let mut stops = StopMatcher::new(request.stop.clone());
    let stats =
        |finish_reason, usage: Option<&mistralrs::Usage>, first: Option<Instant>, pieces: usize| {
            let end = Instant::now();
            let ttft = first
                .map(|f| millis(f - began))
                .unwrap_or_else(|| millis(end - began));
            let own_decode = match first {
                Some(f) if pieces > 1 => (pieces - 1) as f64 / (end - f).as_secs_f64().max(1e-9),
                _ => 0.0,
            };
            GenerationStats {
                prompt_tokens: usage.map(|u| u.prompt_tokens).unwrap_or(0),
                completion_tokens: usage.map(|u| u.completion_tokens).unwrap_or(pieces),
                queue_ms,
                ttft_ms: ttft,
                total_ms: millis(end - began),
                prefill_tokens_per_sec: usage
                    .map(|u| u.avg_prompt_tok_per_sec as f64)
                    .unwrap_or(0.0),
                decode_tokens_per_sec: usage
                    .map(|u| u.avg_compl_tok_per_sec as f64)
                    .filter(|v| *v > 0.0)
                    .unwrap_or(own_decode),
                finish_reason,
                seed,
            }
        };
    loop {
        let response = tokio::select! {
            biased;
            _ = cancel.cancelled() => {
                drop(stream); // mistral.rs cancels the sequence when its next token cannot be sent
                let _ = tx.send(Ok(StreamEvent::Done(stats(FinishReason::Cancelled, None, first_token, pieces)))).await;
                return Ok(());
            }
            r = stream.next() => r,
        };
        let Some(response) = response else {
            return Err(CoreError::Engine(
                "the engine closed the stream before the answer ended".into(),
            ));
        };
        match response {
            Response::Chunk(chunk) => {
                let Some(choice) = chunk.choices.first() else {
                    continue;
                };
                if let Some(text) = choice.delta.content.as_deref().filter(|t| !t.is_empty()) {
                    first_token.get_or_insert_with(Instant::now);
                    pieces += 1;
                    let step = stops.push(text);
                    if !step.emit.is_empty()
                        && tx.send(Ok(StreamEvent::Token(step.emit))).await.is_err()
                    {
                        return Ok(()); // the caller dropped the stream
                    }
                    if step.stopped {
                        drop(stream); // ends generation at the next token
                        let _ = tx
                            .send(Ok(StreamEvent::Done(stats(
                                FinishReason::Stop,
                                chunk.usage.as_ref(),
                                first_token,
                                pieces,
                            ))))
                            .await;
                        return Ok(());
                    }
                }
                if let Some(reason) = choice.finish_reason.as_deref() {
                    let rest = stops.finish();
                    if !rest.is_empty() {
                        let _ = tx.send(Ok(StreamEvent::Token(rest))).await;
                    }
                    let finish = match reason {
                        "length" => FinishReason::Length,
                        "canceled" => FinishReason::Cancelled,
                        _ => FinishReason::Stop,
                    };
                    let _ = tx
                        .send(Ok(StreamEvent::Done(stats(
                            finish,
                            chunk.usage.as_ref(),
                            first_token,
                            pieces,
                        ))))
                        .await;
                    return Ok(());
                }
            }
            Response::ValidationError(e) => return Err(CoreError::InvalidRequest(e.to_string())),
            Response::InternalError(e) => return Err(CoreError::Engine(e.to_string())),
            Response::ModelError(msg, _) | Response::CompletionModelError(msg, _) => {
                return Err(CoreError::Engine(msg))
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_is_bounded_even_when_none_is_asked() {
        let p = sampling_params(&GenerationRequest::prompt("hi"), 4096);
        assert_eq!(p.max_len, Some(DEFAULT_MAX_TOKENS));
        let big = GenerationRequest::prompt("hi").with_max_tokens(1_000_000);
        assert_eq!(sampling_params(&big, 2048).max_len, Some(2048));
        let (_, seed) = build_request(&GenerationRequest::prompt("hi"), 4096);
        assert_eq!(seed, None, "greedy requests need no seed");
    }

    #[test]
    fn seeded_requests_leave_the_engine_step_greedy() {
        let mut r = GenerationRequest::prompt("hi");
        r.stop = vec!["\n\n".into()];
        r.temperature = 0.7;
        r.seed = Some(42);
        let (_, seed) = build_request(&r, 4096);
        assert_eq!(seed, Some(42));
        let p = sampling_params(&r, 4096);
        assert_eq!(p.top_k, Some(1), "the engine's own step must be greedy");
        assert_eq!(p.temperature, None);
    }
}
