//! `assistant bench`: load time, time to first token, prefill and decode speed, peak memory.
//!
//! Prompts are built to an exact token count (chat template included) from a fixed text, so runs
//! are comparable across builds, and with the llama.cpp script in `bench/`, across engines.

use std::time::Instant;

use serde::Serialize;

use crate::engine::{
    millis, Backend, ChatMessage, GenerationRequest, LocalEngine, LocalEngineConfig,
};
use crate::error::{CoreError, Result};
use crate::models::memory;

/// A fixed, project-written email used to fill prompts (repeated as needed).
pub const FILLER: &str = include_str!("bench_filler.txt");
/// The instruction after the filler.
pub const INSTRUCTION: &str = "\n\nSummarize the email above in three short bullet points.";

#[derive(Debug, Clone)]
pub struct BenchOptions {
    pub prompt_lengths: Vec<usize>,
    pub runs: usize,
    pub max_tokens: usize,
}

impl Default for BenchOptions {
    fn default() -> Self {
        Self {
            prompt_lengths: vec![128, 512, 1024],
            runs: 3,
            max_tokens: 64,
        }
    }
}

/// Median, smallest and largest of a set of runs.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    pub fn of(values: &[f64]) -> Self {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return Self {
                median: f64::NAN,
                min: f64::NAN,
                max: f64::NAN,
            };
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        Self {
            median,
            min: v[0],
            max: v[n - 1],
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct BenchRow {
    pub prompt_tokens: usize,
    pub completion_tokens: Spread,
    pub ttft_ms: Spread,
    pub prefill_tokens_per_sec: Spread,
    pub decode_tokens_per_sec: Spread,
    pub total_ms: Spread,
}

#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub engine: String,
    pub model_id: String,
    pub model_file: String,
    pub threads: usize,
    pub runs: usize,
    pub max_tokens: usize,
    /// First load in this process (file possibly cold in the page cache).
    pub load_ms_first: f64,
    /// Load again after unloading (file warm in the page cache).
    pub load_ms_warm: f64,
    pub rss_before_load_mb: f64,
    pub rss_after_load_mb: f64,
    /// After the first load was dropped (what unloading gives back).
    pub rss_after_unload_mb: f64,
    pub peak_rss_mb: f64,
    pub rows: Vec<BenchRow>,
}

/// Builds a one-message chat prompt of exactly `target` tokens (template included) when possible.
pub async fn prompt_of_length(engine: &LocalEngine, target: usize) -> Result<Vec<ChatMessage>> {
    let overhead = engine
        .count_prompt_tokens(vec![ChatMessage::user(INSTRUCTION)])
        .await?;
    if target <= overhead {
        return Err(CoreError::InvalidRequest(format!(
            "prompt length {target} is shorter than the instruction and template ({overhead} tokens)"
        )));
    }
    let mut filler = String::new();
    let mut tokens = engine.tokenize(FILLER).await?;
    let per_copy = tokens.len().max(1);
    let copies = (target / per_copy) + 2;
    for _ in 0..copies {
        filler.push_str(FILLER);
        filler.push('\n');
    }
    tokens = engine.tokenize(filler).await?;
    let mut take = (target - overhead).min(tokens.len());
    // Token boundaries shift a little when text is re-tokenized; converge on the exact count.
    for _ in 0..6 {
        let text = engine.detokenize(tokens[..take].to_vec()).await?;
        let messages = vec![ChatMessage::user(format!("{text}{INSTRUCTION}"))];
        let n = engine.count_prompt_tokens(messages.clone()).await?;
        if n == target {
            return Ok(messages);
        }
        let next = (take as i64 + target as i64 - n as i64).clamp(1, tokens.len() as i64) as usize;
        if next == take {
            return Ok(messages);
        }
        take = next;
    }
    let text = engine.detokenize(tokens[..take].to_vec()).await?;
    Ok(vec![ChatMessage::user(format!("{text}{INSTRUCTION}"))])
}

/// The exact token ids of the bench prompts, one list per length, for running the same prompts
/// through another engine (`bench/compare.sh`).
#[derive(Debug, Clone, Serialize)]
pub struct PromptSet {
    pub model_file: String,
    pub prompts: Vec<Vec<u32>>,
}

pub async fn prompt_tokens(config: LocalEngineConfig, lengths: &[usize]) -> Result<PromptSet> {
    let engine = LocalEngine::load(config.clone()).await?;
    let mut prompts = Vec::new();
    for &len in lengths {
        let messages = prompt_of_length(&engine, len).await?;
        prompts.push(engine.tokenize_prompt(messages).await?);
    }
    Ok(PromptSet {
        model_file: config.model_path.display().to_string(),
        prompts,
    })
}

/// Loads the model twice (first and warm), then runs every prompt length `runs` times, greedy.
/// Prefill is measured cold: the prefix cache is off here, because the bench prompts of different
/// lengths share their beginning and a longer one would otherwise reuse a shorter one's state
/// (`context_switch` measures the cache).
pub async fn run(
    mut config: LocalEngineConfig,
    opts: &BenchOptions,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<BenchReport> {
    config.prefix_cache_sequences = None;
    if opts.runs == 0 || opts.prompt_lengths.is_empty() {
        return Err(CoreError::InvalidRequest(
            "bench needs at least one run and one prompt length".into(),
        ));
    }
    let rss_before_load_mb = memory::current_rss_bytes().map(to_mb).unwrap_or(f64::NAN);
    let t = Instant::now();
    let first = LocalEngine::load(config.clone()).await?;
    let load_ms_first = millis(t.elapsed());
    drop(first);
    // Unloading finishes on the engine's own threads.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    memory::release_free_memory();
    let rss_after_unload_mb = memory::current_rss_bytes().map(to_mb).unwrap_or(f64::NAN);
    let t = Instant::now();
    let engine = LocalEngine::load(config.clone()).await?;
    let load_ms_warm = millis(t.elapsed());
    let rss_after_load_mb = memory::current_rss_bytes().map(to_mb).unwrap_or(f64::NAN);

    // One short warm-up request so first-call setup is not charged to the first length.
    engine
        .generate(GenerationRequest::prompt("Hello").with_max_tokens(4))?
        .collect()
        .await?;

    let mut rows = Vec::new();
    for &len in &opts.prompt_lengths {
        let messages = prompt_of_length(&engine, len).await?;
        let mut ttft = vec![];
        let mut prefill = vec![];
        let mut decode = vec![];
        let mut total = vec![];
        let mut completion = vec![];
        let mut prompt_tokens = 0;
        for run in 1..=opts.runs {
            progress(&format!("prompt {len} tokens, run {run}/{}", opts.runs));
            let req = GenerationRequest::new(messages.clone()).with_max_tokens(opts.max_tokens);
            let (_, stats) = engine.generate(req)?.collect().await?;
            prompt_tokens = stats.prompt_tokens;
            ttft.push(stats.ttft_ms);
            prefill.push(stats.prefill_tokens_per_sec);
            decode.push(stats.decode_tokens_per_sec);
            total.push(stats.total_ms);
            completion.push(stats.completion_tokens as f64);
        }
        rows.push(BenchRow {
            prompt_tokens,
            completion_tokens: Spread::of(&completion),
            ttft_ms: Spread::of(&ttft),
            prefill_tokens_per_sec: Spread::of(&prefill),
            decode_tokens_per_sec: Spread::of(&decode),
            total_ms: Spread::of(&total),
        });
    }
    Ok(BenchReport {
        engine: format!("mistral.rs {}", MISTRALRS_VERSION),
        model_id: config.model_id.clone(),
        model_file: config.model_path.display().to_string(),
        threads: std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        runs: opts.runs,
        max_tokens: opts.max_tokens,
        load_ms_first,
        load_ms_warm,
        rss_before_load_mb,
        rss_after_load_mb,
        rss_after_unload_mb,
        peak_rss_mb: memory::peak_rss_bytes().map(to_mb).unwrap_or(f64::NAN),
        rows,
    })
}

/// Time to first token when an assistant comes back to a document it has seen ("context switch"):
/// the same document with a new question after other work, against the first, cold question.
#[derive(Debug, Clone, Serialize)]
pub struct ContextSwitchReport {
    pub document_tokens: usize,
    /// First question on the document: the whole prompt is computed.
    pub cold_ttft_ms: f64,
    /// A second question right after the first.
    pub resumed_ttft_ms: f64,
    /// A third question after a request on another document in between.
    pub after_switch_ttft_ms: f64,
    /// An unrelated document of the same length, for reference.
    pub other_document_ttft_ms: f64,
    /// `after_switch_ttft_ms / cold_ttft_ms`.
    pub resumed_fraction: f64,
}

/// Measures [`ContextSwitchReport`] for a document of about `document_tokens` tokens.
pub async fn context_switch(
    engine: &LocalEngine,
    document_tokens: usize,
) -> Result<ContextSwitchReport> {
    let doc = prompt_of_length(engine, document_tokens).await?;
    let doc_text = doc[0].content.trim_end_matches(INSTRUCTION).to_string();
    let other_text: String = doc_text
        .split_whitespace()
        .rev()
        .collect::<Vec<_>>()
        .join(" ");
    let ask = |text: &str, question: &str| {
        GenerationRequest::new(vec![
            ChatMessage::system("You answer questions about the document the user gives."),
            ChatMessage::user(format!("{text}\n\nQuestion: {question}")),
        ])
        .with_max_tokens(8)
    };
    let ttft = |req: GenerationRequest| async move {
        let (_, stats) = engine.generate(req)?.collect().await?;
        Ok::<f64, CoreError>(stats.ttft_ms)
    };
    let cold = ttft(ask(&doc_text, "Who wrote this email?")).await?;
    let resumed = ttft(ask(&doc_text, "What is the deadline?")).await?;
    let other = ttft(ask(&other_text, "Who wrote this?")).await?;
    let after_switch = ttft(ask(&doc_text, "How much was approved?")).await?;
    Ok(ContextSwitchReport {
        document_tokens,
        cold_ttft_ms: cold,
        resumed_ttft_ms: resumed,
        after_switch_ttft_ms: after_switch,
        other_document_ttft_ms: other,
        resumed_fraction: after_switch / cold,
    })
}

/// The mistral.rs version this build links (kept in step with Cargo.toml by a test).
pub const MISTRALRS_VERSION: &str = "0.8.1";

fn to_mb(b: u64) -> f64 {
    b as f64 / (1024.0 * 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_takes_median_min_max() {
        assert_eq!(
            Spread::of(&[3.0, 1.0, 2.0]),
            Spread {
                median: 2.0,
                min: 1.0,
                max: 3.0
            }
        );
        assert_eq!(Spread::of(&[4.0, 1.0, 2.0, 3.0]).median, 2.5);
        assert!(Spread::of(&[]).median.is_nan());
    }

    #[test]
    fn reported_engine_version_matches_the_lock_file() {
        let lock = include_str!("../../Cargo.lock");
        let needle = format!("name = \"mistralrs\"\nversion = \"{MISTRALRS_VERSION}\"");
        assert!(lock.contains(&needle), "update MISTRALRS_VERSION");
    }
}
