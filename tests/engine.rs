//! The local engine on the real default model: streaming, cancellation, the max-token bound,
//! long prompts, constrained JSON, seeds, stop strings and priorities.

mod support;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use assistant_core::engine::{
    Backend, ChatMessage, FinishReason, GenerationRequest, LocalEngine, LocalEngineConfig,
    OutputConstraint, Priority, StreamEvent,
};

/// One runtime and one loaded model for every test in this file.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(support::runtime)
}

/// The shared engine, plus a guard that runs these tests one at a time: several of them measure
/// queueing, which other tests' requests in the same queue would disturb.
fn engine() -> (std::sync::MutexGuard<'static, ()>, LocalEngine) {
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    static ENGINE: OnceLock<LocalEngine> = OnceLock::new();
    let guard = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let engine = ENGINE
        .get_or_init(|| {
            runtime().block_on(async {
                LocalEngine::load(LocalEngineConfig::new(
                    support::model_path(),
                    support::DEFAULT_MODEL_ID,
                ))
                .await
                .expect("default model loads")
            })
        })
        .clone();
    (guard, engine)
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    runtime().block_on(f)
}

#[test]
fn streams_tokens_then_done_with_stats() {
    let (_serial, engine) = engine();
    block_on(async {
        let mut stream = engine
            .generate(
                GenerationRequest::prompt("What is the capital of France? Answer in one word.")
                    .with_max_tokens(40),
            )
            .unwrap();
        let mut pieces = vec![];
        let stats = loop {
            match stream.next().await.expect("stream ends with Done").unwrap() {
                StreamEvent::Token(t) => pieces.push(t),
                StreamEvent::Done(s) => break s,
            }
        };
        let text: String = pieces.concat();
        assert!(!pieces.is_empty(), "tokens arrive one by one");
        assert!(text.contains("Paris"), "answer: {text:?}");
        assert!(
            stats.prompt_tokens > 10 && stats.completion_tokens >= 1,
            "{stats:?}"
        );
        // The model's own end-of-turn token ends the answer well before the bound.
        assert_eq!(stats.finish_reason, FinishReason::Stop, "{stats:?}");
        assert!(stats.completion_tokens < 40, "{stats:?}");
        assert!(
            !text.contains("<|im_end|>"),
            "special tokens are not shown: {text:?}"
        );
        assert!(
            stats.ttft_ms > 0.0 && stats.ttft_ms <= stats.total_ms,
            "{stats:?}"
        );
        assert!(stream.next().await.is_none(), "nothing after Done");
    });
}

#[test]
fn explicit_cancel_stops_within_a_token_and_frees_the_engine() {
    let (_serial, engine) = engine();
    block_on(async {
        let long = GenerationRequest::prompt(
            "Write a very long story about a lighthouse keeper, with many chapters.",
        )
        .with_max_tokens(400);
        let mut stream = engine.generate(long).unwrap();
        let canceller = stream.canceller();
        let mut tokens = 0;
        let mut after_cancel = 0;
        let mut finish = None;
        while let Some(ev) = stream.next().await {
            match ev.unwrap() {
                StreamEvent::Token(_) => {
                    tokens += 1;
                    if tokens == 5 {
                        canceller.cancel();
                    } else if tokens > 5 {
                        after_cancel += 1;
                    }
                }
                StreamEvent::Done(s) => finish = Some(s.finish_reason),
            }
        }
        assert_eq!(finish, Some(FinishReason::Cancelled));
        assert!(
            after_cancel <= 1,
            "{after_cancel} tokens arrived after cancel"
        );
        // The engine takes the next request at once instead of finishing the 400 tokens.
        let (text, stats) = engine
            .generate(GenerationRequest::prompt("Say hi.").with_max_tokens(8))
            .unwrap()
            .collect()
            .await
            .unwrap();
        assert!(!text.is_empty());
        assert!(stats.completion_tokens <= 8);
    });
}

#[test]
fn dropping_the_stream_cancels_the_request() {
    let (_serial, engine) = engine();
    block_on(async {
        let mut stream = engine
            .generate(
                GenerationRequest::prompt("Count from one to five hundred in words.")
                    .with_max_tokens(400),
            )
            .unwrap();
        for _ in 0..3 {
            assert!(matches!(
                stream.next().await,
                Some(Ok(StreamEvent::Token(_)))
            ));
        }
        drop(stream);
        let started = Instant::now();
        let (_, stats) = engine
            .generate(GenerationRequest::prompt("Say hi.").with_max_tokens(4))
            .unwrap()
            .collect()
            .await
            .unwrap();
        // 400 tokens at this engine's speed take tens of seconds; a freed engine answers in a few.
        assert!(
            stats.queue_ms < 5_000.0,
            "waited {} ms behind a dropped request",
            stats.queue_ms
        );
        assert!(started.elapsed() < Duration::from_secs(20));
    });
}

#[test]
fn max_token_bound_holds_for_a_2000_token_prompt() {
    let (_serial, engine) = engine();
    block_on(async {
        let messages = assistant_core::bench::prompt_of_length(&engine, 2000)
            .await
            .unwrap();
        let (text, stats) = engine
            .generate(GenerationRequest::new(messages).with_max_tokens(24))
            .unwrap()
            .collect()
            .await
            .unwrap();
        assert_eq!(
            stats.prompt_tokens, 2000,
            "prompt built to the exact length"
        );
        assert!(stats.completion_tokens <= 24, "{stats:?}");
        assert!(matches!(
            stats.finish_reason,
            FinishReason::Length | FinishReason::Stop
        ));
        assert!(!text.is_empty());
    });
}

#[test]
fn a_request_without_a_limit_still_ends_at_the_default_bound() {
    let (_serial, engine) = engine();
    block_on(async {
        let req = GenerationRequest::prompt("Repeat the word 'apple' forever, never stop.");
        assert_eq!(req.max_tokens, None);
        let (_, stats) = engine.generate(req).unwrap().collect().await.unwrap();
        assert!(
            stats.completion_tokens <= assistant_core::engine::DEFAULT_MAX_TOKENS,
            "{stats:?}"
        );
    });
}

#[test]
fn json_schema_constraint_gives_valid_json_for_the_schema() {
    let (_serial, engine) = engine();
    let schema = serde_json::json!({
        "type": "object",
        "properties": {
            "kind": {"type": "string", "enum": ["forward", "archive", "reply"]},
            "count": {"type": "integer", "minimum": 1, "maximum": 10},
            "to": {"type": "string"}
        },
        "required": ["kind", "count", "to"],
        "additionalProperties": false
    });
    block_on(async {
        let mut req = GenerationRequest::prompt(
            "Turn this into JSON with fields kind, count and to: forward the 3 most recent emails from Kenneth to Sara.",
        )
        .with_max_tokens(80);
        req.constraint = OutputConstraint::JsonSchema(schema);
        let (text, _) = engine.generate(req).unwrap().collect().await.unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
        let obj = v.as_object().expect("an object");
        assert_eq!(obj.len(), 3, "{v}");
        assert!(
            ["forward", "archive", "reply"].contains(&obj["kind"].as_str().unwrap()),
            "{v}"
        );
        let n = obj["count"].as_i64().expect("integer count");
        assert!((1..=10).contains(&n), "{v}");
        assert!(obj["to"].is_string(), "{v}");
    });
}

#[test]
fn regex_constraint_is_obeyed() {
    let (_serial, engine) = engine();
    block_on(async {
        let mut req =
            GenerationRequest::prompt("Is the sky blue? Answer yes or no.").with_max_tokens(8);
        req.constraint = OutputConstraint::Regex("(yes|no)".into());
        let (text, _) = engine.generate(req).unwrap().collect().await.unwrap();
        assert!(text == "yes" || text == "no", "{text:?}");
    });
}

#[test]
fn same_seed_same_answer_other_seed_other_answer() {
    let (_serial, engine) = engine();
    let sample = |seed: u64| {
        let mut r =
            GenerationRequest::prompt("Write one sentence about the sea.").with_max_tokens(24);
        r.temperature = 1.0;
        r.seed = Some(seed);
        r
    };
    block_on(async {
        let (a, sa) = engine.generate(sample(7)).unwrap().collect().await.unwrap();
        let (b, _) = engine.generate(sample(7)).unwrap().collect().await.unwrap();
        let (c, _) = engine.generate(sample(8)).unwrap().collect().await.unwrap();
        assert_eq!(sa.seed, Some(7));
        assert_eq!(a, b, "same seed must give the same text");
        assert_ne!(a, c, "another seed should give another text");
    });
}

#[test]
fn greedy_answers_are_reproducible() {
    let (_serial, engine) = engine();
    block_on(async {
        let r = GenerationRequest::prompt("Name three colours.").with_max_tokens(16);
        let (a, sa) = engine.generate(r.clone()).unwrap().collect().await.unwrap();
        let (b, _) = engine.generate(r).unwrap().collect().await.unwrap();
        assert_eq!(a, b);
        assert_eq!(sa.seed, None);
    });
}

#[test]
fn stop_string_ends_the_answer_before_it() {
    let (_serial, engine) = engine();
    block_on(async {
        let mut r = GenerationRequest::new(vec![
            ChatMessage::system("You list things, one per line, numbered."),
            ChatMessage::user("List five fruits."),
        ])
        .with_max_tokens(60);
        r.stop = vec!["3.".into()];
        let (text, stats) = engine.generate(r).unwrap().collect().await.unwrap();
        assert!(!text.contains("3."), "{text:?}");
        assert!(!text.contains("4."), "{text:?}");
        assert_eq!(stats.finish_reason, FinishReason::Stop, "{text:?}");
    });
}

#[test]
fn interactive_requests_overtake_queued_background_ones() {
    let (_serial, engine) = engine();
    block_on(async {
        // Occupy the engine, then queue background work before interactive work.
        let busy = engine
            .generate(GenerationRequest::prompt("Tell me about rivers.").with_max_tokens(30))
            .unwrap();
        let bg = engine
            .generate(
                GenerationRequest::prompt("Say one.")
                    .with_max_tokens(4)
                    .with_priority(Priority::Background),
            )
            .unwrap();
        let fg = engine
            .generate(GenerationRequest::prompt("Say two.").with_max_tokens(4))
            .unwrap();
        let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let track = |name: &'static str, s: assistant_core::engine::TokenStream| {
            let order = order.clone();
            async move {
                s.collect().await.unwrap();
                order.lock().unwrap().push(name);
            }
        };
        tokio::join!(
            track("busy", busy),
            track("background", bg),
            track("interactive", fg)
        );
        assert_eq!(
            *order.lock().unwrap(),
            ["busy", "interactive", "background"]
        );
    });
}

#[test]
fn invalid_requests_are_refused_before_queueing() {
    let (_serial, engine) = engine();
    let err = engine
        .generate(GenerationRequest::prompt("x").with_max_tokens(0))
        .unwrap_err();
    assert_eq!(err.kind(), "invalid_request");
}

#[test]
fn counts_prompt_tokens_with_the_chat_template() {
    let (_serial, engine) = engine();
    block_on(async {
        let bare = engine.tokenize("Hello there").await.unwrap().len();
        let templated = engine
            .count_prompt_tokens(vec![ChatMessage::user("Hello there")])
            .await
            .unwrap();
        assert!(
            templated > bare,
            "template adds role markers ({templated} vs {bare})"
        );
        let text = engine
            .detokenize(engine.tokenize("Hello there").await.unwrap())
            .await
            .unwrap();
        assert_eq!(text.trim(), "Hello there");
    });
}
