//! `assistant cloud` (the cloud model: set, show, off) and `assistant serve` (the local
//! OpenAI-compatible API).

use assistant_core::api_server;
use assistant_core::{Assistant, CancellationToken, CoreError};
use clap::Subcommand;

use crate::output;

#[derive(Subcommand)]
pub enum CloudCommand {
    /// Set the cloud model: an OpenAI-compatible server (vLLM, llama.cpp's server, a hosted API).
    /// The API key is read from the environment variable --key-env names and kept only in the
    /// OS keyring. Nothing is sent until you ask for the cloud (`chat --cloud`).
    Set {
        /// Up to and including /v1, e.g. https://api.example.com/v1
        #[arg(long)]
        url: String,
        #[arg(long)]
        model: String,
        #[arg(long, default_value = "ASSISTANT_CLOUD_API_KEY", value_name = "VAR")]
        key_env: String,
        /// Features that may go to the cloud model when the privacy router allows (repeatable:
        /// reply, summarize, ask, actions). Default: none (only `chat --cloud`).
        #[arg(long, value_name = "FEATURE")]
        allow: Vec<String>,
    },
    /// The cloud model as set (never the key).
    Show,
    /// Turn the cloud model off and remove its key from the keyring.
    Off,
    /// Every request that went to the cloud model: when, feature, characters, sources, outcome.
    Log {
        #[arg(long, default_value_t = 30)]
        limit: usize,
    },
}

pub async fn cloud(assistant: &Assistant, cmd: CloudCommand, json: bool) -> Result<(), CoreError> {
    match cmd {
        CloudCommand::Set {
            url,
            model,
            key_env,
            allow,
        } => {
            let key = std::env::var(&key_env).ok();
            let cloud = assistant.set_cloud(&url, &model, key.as_deref(), &allow)?;
            output::print(json, &cloud, || {
                format!(
                    "Cloud model: {} at {}{}",
                    cloud.model,
                    cloud.base_url,
                    if key.is_some() {
                        " (key saved in the OS keyring)"
                    } else {
                        " (no key given)"
                    }
                )
            });
        }
        CloudCommand::Show => {
            let cloud = assistant.settings()?.cloud;
            output::print(json, &cloud, || match &cloud {
                Some(c) => format!("Cloud model: {} at {}", c.model, c.base_url),
                None => "No cloud model: nothing leaves this device.".into(),
            });
        }
        CloudCommand::Log { limit } => {
            let calls = assistant.cloud_calls(limit).await?;
            output::print(json, &calls, || {
                if calls.is_empty() {
                    return "Nothing has gone to a cloud model.".into();
                }
                calls
                    .iter()
                    .map(|c| {
                        format!(
                            "{:>4}  {}  {:<10} {:>7} chars  {} placeholders  {}  [{}]  {}",
                            c.id,
                            c.at,
                            c.feature,
                            c.chars,
                            c.placeholders,
                            c.model,
                            c.sources.join(", "),
                            c.outcome
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        CloudCommand::Off => {
            assistant.cloud_off()?;
            output::print(json, &serde_json::json!({"cloud": null}), || {
                "Cloud model off; its key is removed from the keyring.".into()
            });
        }
    }
    Ok(())
}

/// `assistant serve`: runs until Ctrl-C.
pub async fn serve(
    assistant: &Assistant,
    port: u16,
    show_key: bool,
    new_key: bool,
    max_concurrent: usize,
    json: bool,
) -> Result<(), CoreError> {
    let model = assistant.engine_config()?.model_id;
    let (key, created) = assistant.local_api_key(new_key)?;
    let listener = api_server::bind(port).await?;
    let addr = listener
        .local_addr()
        .map_err(|e| CoreError::InvalidRequest(format!("the server's address: {e}")))?;
    let url = format!("http://{addr}/v1");
    let shown = (show_key || created).then_some(key.as_str());
    if json {
        println!(
            "{}",
            serde_json::json!({"url": url, "model": model, "api_key": shown})
        );
    } else {
        println!("OpenAI-compatible API on {url} (model {model}); Ctrl-C stops it.");
        match shown {
            Some(k) => println!("API key (send as `Authorization: Bearer KEY`): {k}"),
            None => {
                println!("API key: in the OS keyring (`assistant serve --show-key` prints it).")
            }
        }
    }
    let stop = CancellationToken::new();
    let on_ctrl_c = stop.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_ctrl_c.cancel();
        }
    });
    api_server::serve(assistant.clone(), listener, key, max_concurrent, stop).await
}

/// What a request would send to the cloud model, in words: where it would go, the personal
/// details kept back, then the text exactly as it would be sent.
pub fn describe_preview(p: &assistant_core::cloud::CloudPreview) -> String {
    let route = match &p.route {
        assistant_core::privacy::Route::Cloud { reason } => {
            format!("Would go to {} at {} ({reason}).", p.model, p.server)
        }
        assistant_core::privacy::Route::Local { reason } => {
            format!("Stays on this device: {reason}.")
        }
    };
    let swaps: Vec<String> = p
        .placeholders
        .iter()
        .map(|(ph, original)| format!("  {ph} = {original} (stays here)"))
        .collect();
    format!(
        "{route}\n{} characters from {}; {} personal details replaced:\n{}\n--- the text as it would be sent ---\n{}",
        p.chars,
        p.sources.join(", "),
        p.placeholders.len(),
        swaps.join("\n"),
        p.text
    )
}
