//! `assistant`: the command line over assistant-core; every feature runs here without a window.

mod actions_cmd;
mod cloud_cmd;
mod features_cmd;
mod library_cmd;
mod outbox_cmd;
mod output;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use assistant_core::bench::{self, BenchOptions};
use assistant_core::engine::{
    ActivationDtype, Backend, ChatMessage, GenerationRequest, OutputConstraint, Priority,
    StreamEvent,
};
use assistant_core::models::{PullOptions, PullProgress};
use assistant_core::{Assistant, CoreError, DataDir};
use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "assistant",
    version,
    about = "A private, on-device assistant for your mail and notes."
)]
struct Cli {
    /// Folder for models, settings and data (default: the platform's app-data folder).
    #[arg(long, global = true, env = "ASSISTANT_HOME", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Print results as JSON (errors too, as {"error":{"kind","message"}}).
    #[arg(long, global = true)]
    json: bool,
    /// More log output on stderr (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Ask the model something; the answer streams to the terminal.
    Chat(ChatArgs),
    /// Load the default model and answer a sample request (what set-up runs).
    Demo,
    /// List, download, import, check, remove and choose models.
    #[command(subcommand)]
    Models(ModelsCommand),
    /// Measure load time, time to first token, prefill/decode speed and peak memory.
    Bench(BenchArgs),
    /// Show the data folder, the chosen model and the settings.
    Info,
    /// Add mail or notes to the local store and index them (run again: only changes are read).
    #[command(subcommand)]
    Ingest(library_cmd::IngestCommand),
    /// Search mail and notes: words plus filters such as from:kenneth after:2001-10-01.
    Search(library_cmd::SearchArgs),
    /// Show a message (m12 or its Message-ID), a note (n3 or its path) or a thread (t5).
    Show { id: String },
    /// Three short suggested replies to a message (or why it gets none); --pick N drafts one.
    Reply(features_cmd::ReplyArgs),
    /// List drafts (picked suggestions and edits); --edit ID --text T changes one.
    Drafts(features_cmd::DraftsArgs),
    /// A machine-written gist and key points of a message, a thread (--thread), a note (--note)
    /// or a day (--today, --day); names, dates and amounts checked against the source.
    Summarize(features_cmd::SummarizeArgs),
    /// Answer a question from your mail and notes, citing each claim as [n] (the answer streams;
    /// "Not in your mail or notes." when they do not say).
    Ask(features_cmd::AskArgs),
    /// Send draft ID: it is queued in the outbox and handed to the server now (or retried later).
    Send { draft: i64 },
    /// Forward messages (ids as `search` shows them) to exact addresses; asks before sending.
    Forward(outbox_cmd::ForwardArgs),
    /// Do something in words: "forward the 3 most recent emails from Kenneth to Sara". The
    /// request becomes a plan with the exact messages, people and notes it touches; it is shown
    /// and asked about first, then run and logged (see `log`, `undo`).
    Do(actions_cmd::DoArgs),
    /// The cloud model (an OpenAI-compatible server) for `chat --cloud`: set, show, off.
    #[command(subcommand)]
    Cloud(cloud_cmd::CloudCommand),
    /// An OpenAI-compatible API over the local model on 127.0.0.1 (chat completions, streamed or
    /// whole; models), for other apps; every request needs the API key. Ctrl-C stops it.
    Serve {
        #[arg(long, default_value_t = assistant_core::api_server::DEFAULT_PORT)]
        port: u16,
        /// Print the API key (it is printed anyway when it is new).
        #[arg(long)]
        show_key: bool,
        /// Make a new API key (the old one stops working).
        #[arg(long)]
        new_key: bool,
        /// Requests answered at once; more get 429 with Retry-After.
        #[arg(long, default_value_t = 4)]
        max_concurrent: usize,
    },
    /// Take back an action step (ID from `log`; the newest undoable one without an ID).
    Undo { id: Option<i64> },
    /// The audit log of executed action steps, newest first.
    Log {
        #[arg(long, default_value_t = 30)]
        limit: usize,
    },
    /// Reminders set with `do "remind me ..."`, soonest first.
    Reminders,
    /// The outbox: what waits, what went, what failed; deliver, take back, the sending account.
    Outbox {
        #[command(subcommand)]
        command: Option<outbox_cmd::OutboxCommand>,
    },
    /// Ingest every maildir, mbox, notes folder and message file again (only changes are read).
    Sync {
        /// Then keep notes folders in sync and embed new passages in the background (what the
        /// app does while it runs), until Ctrl-C.
        #[arg(long)]
        watch: bool,
    },
    /// A source's privacy label (ids as `status` shows them): `local` (the default), `private`
    /// (never leaves this device, even with a cloud model set), or `cloud` (may go when allowed).
    Privacy {
        source: i64,
        #[arg(value_parser = ["local", "private", "cloud"])]
        label: String,
    },
    /// Rebuild the search index from the store.
    Reindex,
    /// Sources and counts; brings the index up to date with the store.
    Status {
        /// Also compare the index with the store document by document.
        #[arg(long)]
        check: bool,
    },
    /// Every stored message's thread and location (for checking threading).
    Threads,
    /// Search latency over the library: each query of FILE (one per line), several rounds.
    BenchSearch {
        file: PathBuf,
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// auto, bm25, dense or hybrid
        #[arg(long, default_value = "auto", value_parser = ["auto", "bm25", "dense", "hybrid"])]
        mode: String,
        /// Results per query.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Write each query's ranked ids to FILE (JSON lines).
        #[arg(long, value_name = "FILE")]
        results: Option<PathBuf>,
    },
    /// How close in meaning texts are: the cosine of their embedding vectors. Two texts, or
    /// --pairs FILE (JSON lines {"a": ..., "b": ...}; one number per line out).
    Similarity {
        #[arg(num_args = 2, required_unless_present = "pairs", value_names = ["A", "B"])]
        texts: Vec<String>,
        #[arg(long, value_name = "FILE", conflicts_with = "texts")]
        pairs: Option<PathBuf>,
    },
    /// Give passages of mail and notes vectors for meaning-based search (Ctrl-C pauses; run again
    /// to continue). Search works without them.
    Embed {
        /// Install the embedding model from this folder first (scripts/fetch-embedding-model.sh).
        #[arg(long, value_name = "DIR")]
        model: Option<PathBuf>,
    },
}

#[derive(Args)]
struct ChatArgs {
    /// The prompt (words are joined with spaces).
    #[arg(required = true)]
    prompt: Vec<String>,
    /// A system message before the prompt.
    #[arg(long)]
    system: Option<String>,
    /// Upper bound on the answer's length in tokens.
    #[arg(long, default_value_t = assistant_core::engine::DEFAULT_MAX_TOKENS)]
    max_tokens: usize,
    /// 0 = greedy (the default); higher values sample more freely.
    #[arg(long, default_value_t = 0.0)]
    temperature: f64,
    /// Nucleus sampling threshold, with --temperature > 0.
    #[arg(long)]
    top_p: Option<f64>,
    /// Seed for sampling: the same seed gives the same answer.
    #[arg(long)]
    seed: Option<u64>,
    /// Stop before this text (repeatable).
    #[arg(long)]
    stop: Vec<String>,
    /// Answer must be JSON valid for the schema in this file.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["grammar", "regex"])]
    json_schema: Option<PathBuf>,
    /// Answer must match the Lark grammar in this file.
    #[arg(long, value_name = "FILE", conflicts_with = "regex")]
    grammar: Option<PathBuf>,
    /// Answer must match this regular expression.
    #[arg(long)]
    regex: Option<String>,
    /// Queue behind interactive requests.
    #[arg(long)]
    background: bool,
    /// Send it to the cloud model (`assistant cloud set`) instead of the local one.
    #[arg(long)]
    cloud: bool,
}

#[derive(Subcommand)]
enum ModelsCommand {
    /// The catalog and the installed models.
    List,
    /// Download a model from the catalog (resumes an interrupted download).
    Pull {
        id: String,
        /// Download from this URL instead of the catalog's.
        #[arg(long)]
        url: Option<String>,
        /// Use this server in place of https://huggingface.co (a local mirror).
        #[arg(long, env = "ASSISTANT_MODEL_MIRROR")]
        mirror: Option<String>,
        /// Expected sha256, for files the catalog pins none for.
        #[arg(long)]
        sha256: Option<String>,
    },
    /// Check a local GGUF file and copy it into the data folder.
    Import {
        path: PathBuf,
        /// Id to install it under (default: from the file name).
        #[arg(long)]
        id: Option<String>,
    },
    /// Re-hash an installed model and compare with its recorded checksum.
    Verify { id: String },
    /// Delete an installed model.
    Remove { id: String },
    /// Choose the model that requests go to.
    Use { id: String },
}

#[derive(Args)]
struct BenchArgs {
    /// Runs per prompt length.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Prompt lengths in tokens, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [128usize, 512, 1024])]
    lengths: Vec<usize>,
    /// Tokens generated per run.
    #[arg(long, default_value_t = 64)]
    max_tokens: usize,
    /// Instead of speeds, measure time to first token when returning to a document of N tokens
    /// (cold, resumed, and after a request on another document).
    #[arg(long, value_name = "N")]
    context_switch: Option<usize>,
    /// Activation number format: f32 (default), f16, or auto (the engine's choice).
    #[arg(long, value_parser = ["f32", "f16", "auto"])]
    dtype: Option<String>,
    /// With --context-switch: turn off the engine's prefix cache (reuse of key/value state for
    /// shared prompt prefixes). The speed table always runs without it, to measure cold prefill.
    #[arg(long)]
    no_prefix_cache: bool,
    /// Only write the prompts' exact token ids to FILE (JSON) for another engine, and stop.
    #[arg(long, value_name = "FILE")]
    dump_prompts: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = match cli.verbose {
        0 => "warn,mistralrs_core=error",
        1 => "info",
        _ => "debug",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| filter.into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let json = cli.json;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({"error": {"kind": e.kind(), "message": e.to_string()}})
                );
            }
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), CoreError> {
    let dir = DataDir::resolve(cli.data_dir)?;
    let assistant = Assistant::open(dir);
    let json = cli.json;
    match cli.command {
        Command::Chat(args) => chat(&assistant, args, json).await,
        Command::Demo => demo(&assistant, json).await,
        Command::Models(cmd) => models(&assistant, cmd, json).await,
        Command::Bench(args) => bench_cmd(&assistant, args, json).await,
        Command::Ingest(cmd) => library_cmd::ingest(&assistant, cmd, json).await,
        Command::Search(args) => library_cmd::search(&assistant, args, json).await,
        Command::Show { id } => library_cmd::show(&assistant, &id, json).await,
        Command::Reply(args) => features_cmd::reply(&assistant, args, json).await,
        Command::Drafts(args) => features_cmd::drafts(&assistant, args, json).await,
        Command::Send { draft } => outbox_cmd::send(&assistant, draft, json).await,
        Command::Forward(args) => outbox_cmd::forward(&assistant, args, json).await,
        Command::Do(args) => actions_cmd::run(&assistant, args, json).await,
        Command::Cloud(cmd) => cloud_cmd::cloud(&assistant, cmd, json).await,
        Command::Serve {
            port,
            show_key,
            new_key,
            max_concurrent,
        } => cloud_cmd::serve(&assistant, port, show_key, new_key, max_concurrent, json).await,
        Command::Undo { id } => actions_cmd::undo(&assistant, id, json).await,
        Command::Log { limit } => actions_cmd::log(&assistant, limit, json).await,
        Command::Reminders => actions_cmd::reminders(&assistant, json).await,
        Command::Outbox { command } => outbox_cmd::outbox(&assistant, command, json).await,
        Command::Summarize(args) => features_cmd::summarize(&assistant, args, json).await,
        Command::Ask(args) => features_cmd::ask(&assistant, args, json).await,
        Command::Privacy { source, label } => {
            let s = assistant
                .library()
                .set_source_privacy(source, &label)
                .await?;
            output::print(json, &s, || format!("{}: {}", s.name, s.privacy));
            Ok(())
        }
        Command::Reindex => library_cmd::reindex(&assistant, json).await,
        Command::Sync { watch: false } => library_cmd::sync(&assistant, json).await,
        Command::Sync { watch: true } => library_cmd::sync_and_watch(&assistant, json).await,
        Command::Status { check } => library_cmd::status(&assistant, check, json).await,
        Command::Threads => library_cmd::threads(&assistant, json).await,
        Command::BenchSearch {
            file,
            rounds,
            mode,
            limit,
            results,
        } => {
            library_cmd::bench_search(
                &assistant,
                &file,
                rounds,
                library_cmd::search_mode(&mode),
                limit,
                results.as_deref(),
                json,
            )
            .await
        }
        Command::Similarity { texts, pairs } => {
            library_cmd::similarity(&assistant, texts, pairs, json).await
        }
        Command::Embed { model } => library_cmd::embed(&assistant, model, json).await,
        Command::Info => {
            let settings = assistant.settings()?;
            let active = assistant.models().active().ok();
            let info = serde_json::json!({
                "data_dir": assistant.data_dir().root(),
                "active_model": active.as_ref().map(|m| &m.id),
                "active_model_file": active.as_ref().map(|m| &m.path),
                "settings": settings,
            });
            output::print(json, &info, || {
                format!(
                    "data folder:  {}\nactive model: {}\ncontext:      {} tokens",
                    assistant.data_dir().root().display(),
                    active.as_ref().map(|m| m.id.as_str()).unwrap_or("(none)"),
                    settings.context_tokens
                )
            });
            Ok(())
        }
    }
}

fn read_file(path: &PathBuf) -> Result<String, CoreError> {
    std::fs::read_to_string(path).map_err(|e| CoreError::io(path, e))
}

async fn chat(assistant: &Assistant, args: ChatArgs, json: bool) -> Result<(), CoreError> {
    let mut messages = Vec::new();
    if let Some(system) = args.system {
        messages.push(ChatMessage::system(system));
    }
    messages.push(ChatMessage::user(args.prompt.join(" ")));
    let constraint = if let Some(path) = &args.json_schema {
        let schema = serde_json::from_str(&read_file(path)?).map_err(|e| {
            CoreError::InvalidRequest(format!("{}: not valid JSON: {e}", path.display()))
        })?;
        OutputConstraint::JsonSchema(schema)
    } else if let Some(path) = &args.grammar {
        OutputConstraint::Grammar(read_file(path)?)
    } else if let Some(r) = args.regex {
        OutputConstraint::Regex(r)
    } else {
        OutputConstraint::None
    };
    let request = GenerationRequest {
        messages,
        max_tokens: Some(args.max_tokens),
        temperature: args.temperature,
        top_p: args.top_p,
        stop: args.stop,
        seed: args.seed,
        constraint,
        priority: if args.background {
            Priority::Background
        } else {
            Priority::Interactive
        },
    };
    stream_answer(assistant, request, json, args.cloud).await
}

/// Streams tokens to stdout as they come (or collects them for `--json`); Ctrl-C cancels.
async fn stream_answer(
    assistant: &Assistant,
    request: GenerationRequest,
    json: bool,
    cloud: bool,
) -> Result<(), CoreError> {
    let chars: usize = request
        .messages
        .iter()
        .map(|m| m.content.chars().count())
        .sum();
    let cloud_engine = if cloud {
        Some(assistant.cloud_engine()?)
    } else {
        None
    };
    let (model, mut stream) = if let Some(engine) = &cloud_engine {
        if !json {
            eprintln!("Sending to {} (the cloud model you set).", engine.name());
        }
        (engine.name(), engine.generate(request)?)
    } else {
        let engine = assistant.engine().await?;
        (engine.model_id().to_string(), engine.generate(request)?)
    };
    let canceller = stream.canceller();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            canceller.cancel();
        }
    });
    let mut text = String::new();
    let mut stdout = std::io::stdout();
    while let Some(event) = stream.next().await {
        let event = match event {
            Ok(e) => e,
            Err(e) => {
                if let Some(engine) = &cloud_engine {
                    assistant
                        .log_cloud_call("chat", engine, chars, &[], 0, &e.to_string())
                        .await?;
                }
                return Err(e);
            }
        };
        if let (Some(engine), StreamEvent::Done(_)) = (&cloud_engine, &event) {
            assistant
                .log_cloud_call("chat", engine, chars, &[], 0, "ok")
                .await?;
        }
        match event {
            StreamEvent::Token(t) => {
                if !json {
                    let _ = write!(stdout, "{t}");
                    let _ = stdout.flush();
                }
                text.push_str(&t);
            }
            StreamEvent::Done(stats) => {
                if json {
                    println!(
                        "{}",
                        serde_json::json!({"model": model, "text": text, "stats": stats})
                    );
                } else {
                    println!();
                    eprintln!(
                        "[{} | {} prompt + {} answer tokens | first token {:.0} ms | prefill {:.1} tok/s | decode {:.1} tok/s | {:?}{}]",
                        model,
                        stats.prompt_tokens,
                        stats.completion_tokens,
                        stats.ttft_ms,
                        stats.prefill_tokens_per_sec,
                        stats.decode_tokens_per_sec,
                        stats.finish_reason,
                        stats.seed.map(|s| format!(" | seed {s}")).unwrap_or_default(),
                    );
                }
                return Ok(());
            }
        }
    }
    Err(CoreError::Engine(
        "the answer ended without a final event".into(),
    ))
}

async fn demo(assistant: &Assistant, json: bool) -> Result<(), CoreError> {
    let model = assistant.models().active()?;
    if !json {
        eprintln!("Loading {} from {} ...", model.id, model.path.display());
    }
    let email = "From: Dana\nSubject: Spring release\n\nThe storage migration finished on Friday. \
        The invoice export is still slow and finance needs it by the 28th. \
        Can you check the index on the orders table before Thursday?";
    let request = GenerationRequest::new(vec![
        ChatMessage::system("You are a concise email assistant."),
        ChatMessage::user(format!(
            "Write a two-sentence reply to this email:\n\n{email}"
        )),
    ])
    .with_max_tokens(80);
    if !json {
        eprintln!("Prompt: reply to a short email about a release.\n");
    }
    stream_answer(assistant, request, json, false).await
}

async fn models(assistant: &Assistant, cmd: ModelsCommand, json: bool) -> Result<(), CoreError> {
    let mm = assistant.models().clone();
    match cmd {
        ModelsCommand::List => {
            let rows = tokio::task::spawn_blocking(move || mm.list())
                .await
                .expect("list task")?;
            output::print(json, &rows, || output::models_table(&rows));
        }
        ModelsCommand::Pull {
            id,
            url,
            mirror,
            sha256,
        } => {
            let cancel = cancel_on_ctrl_c();
            let opts = PullOptions {
                url,
                mirror,
                sha256,
                attempts: None,
                cancel: Some(cancel),
            };
            let bar = output::download_bar(json);
            let b = bar.clone();
            let progress = move |p: PullProgress| output::update_bar(&b, p);
            let result = mm.pull(&id, &opts, &progress).await;
            bar.finish_and_clear();
            let model = result?;
            output::print(json, &model, || {
                format!(
                    "installed {} ({} bytes, sha256 {}) at {}",
                    model.id,
                    model.size_bytes,
                    model.sha256,
                    model.path.display()
                )
            });
        }
        ModelsCommand::Import { path, id } => {
            let model = tokio::task::spawn_blocking(move || mm.import(&path, id.as_deref()))
                .await
                .expect("import task")?;
            output::print(json, &model, || {
                format!(
                    "imported {} ({}, {} bytes, sha256 {})",
                    model.id, model.architecture, model.size_bytes, model.sha256
                )
            });
        }
        ModelsCommand::Verify { id } => {
            let report = tokio::task::spawn_blocking(move || mm.verify(&id))
                .await
                .expect("verify task")?;
            output::print(json, &report, || {
                format!(
                    "{}: {} (sha256 {}{})",
                    report.id,
                    if report.ok {
                        "ok"
                    } else {
                        "MODIFIED OR CORRUPT"
                    },
                    report.sha256,
                    if report.ok {
                        String::new()
                    } else {
                        format!(", expected {}", report.expected_sha256)
                    }
                )
            });
            if !report.ok {
                // Verify reports; it does not delete the file.
                return Err(CoreError::InvalidModelFile {
                    file: report.path,
                    reason: format!(
                        "sha256 is {}, expected {}; pull or import it again",
                        report.sha256, report.expected_sha256
                    ),
                });
            }
        }
        ModelsCommand::Remove { id } => {
            let shown = id.clone();
            tokio::task::spawn_blocking(move || mm.remove(&id))
                .await
                .expect("remove task")?;
            output::print(json, &serde_json::json!({"removed": shown}), || {
                format!("removed {shown}")
            });
        }
        ModelsCommand::Use { id } => {
            let model = tokio::task::spawn_blocking(move || mm.use_model(&id))
                .await
                .expect("use task")?;
            output::print(json, &model, || {
                format!("now using {} ({})", model.id, model.path.display())
            });
        }
    }
    Ok(())
}

/// A cancellation token that fires on Ctrl-C.
fn cancel_on_ctrl_c() -> assistant_core::CancellationToken {
    let token = assistant_core::CancellationToken::new();
    let t = token.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            t.cancel();
        }
    });
    token
}

async fn bench_cmd(assistant: &Assistant, args: BenchArgs, json: bool) -> Result<(), CoreError> {
    let mut config = assistant.engine_config()?;
    if args.no_prefix_cache {
        config.prefix_cache_sequences = None;
    }
    config.activation_dtype = match args.dtype.as_deref() {
        Some("f16") => ActivationDtype::F16,
        Some("auto") => ActivationDtype::Auto,
        Some(_) => ActivationDtype::F32,
        None => config.activation_dtype,
    };
    if let Some(tokens) = args.context_switch {
        let engine = assistant_core::engine::LocalEngine::load(config).await?;
        let r = bench::context_switch(&engine, tokens).await?;
        output::print(json, &r, || {
            format!(
                "document of {} tokens, time to first token:\n  cold (first question)      {:>8.0} ms\n  \
                 resumed (next question)    {:>8.0} ms\n  other document             {:>8.0} ms\n  \
                 back after the other one   {:>8.0} ms  ({:.0}% of cold)",
                r.document_tokens,
                r.cold_ttft_ms,
                r.resumed_ttft_ms,
                r.other_document_ttft_ms,
                r.after_switch_ttft_ms,
                r.resumed_fraction * 100.0
            )
        });
        return Ok(());
    }
    if let Some(path) = args.dump_prompts {
        let set = bench::prompt_tokens(config, &args.lengths).await?;
        let bytes = serde_json::to_vec(&set).expect("prompts serialize");
        std::fs::write(&path, bytes).map_err(|e| CoreError::io(&path, e))?;
        let counts: Vec<usize> = set.prompts.iter().map(Vec::len).collect();
        output::print(
            json,
            &serde_json::json!({"file": path, "prompt_tokens": counts}),
            || {
                format!(
                    "wrote {} prompts ({counts:?} tokens) to {}",
                    counts.len(),
                    path.display()
                )
            },
        );
        return Ok(());
    }
    let opts = BenchOptions {
        prompt_lengths: args.lengths,
        runs: args.runs,
        max_tokens: args.max_tokens,
    };
    let progress = |msg: &str| {
        if !json {
            eprintln!("  {msg}");
        }
    };
    let report = bench::run(config, &opts, &progress).await?;
    output::print(json, &report, || output::bench_table(&report));
    Ok(())
}
