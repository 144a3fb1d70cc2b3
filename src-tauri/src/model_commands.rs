//! Commands for the models screen: the catalog with what is installed, choosing, importing,
//! downloading (with progress, cancellable) and removing models.

use std::path::PathBuf;

use assistant_core::bench::{self, BenchOptions, BenchReport};
use assistant_core::models::{ModelListing, PullOptions, PullProgress};
use assistant_core::{Assistant, Job};
use serde::Serialize;
use tauri::ipc::Channel;

use crate::CommandError;

/// Where catalog downloads come from instead of https://huggingface.co (a local mirror), as for
/// the CLI.
const MIRROR_ENV: &str = "ASSISTANT_MODEL_MIRROR";

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "Model")]
#[serde(rename_all = "camelCase")]
pub struct ModelDto {
    id: String,
    name: String,
    size_mb: f64,
    installed: bool,
    active: bool,
    /// Whether this engine can run it (the catalog lists some it cannot yet, with the reason).
    loadable: bool,
    description: String,
}

impl From<ModelListing> for ModelDto {
    fn from(m: ModelListing) -> Self {
        let mut description = Vec::new();
        if let Some(q) = &m.quantization {
            description.push(q.clone());
        }
        if let Some(l) = &m.license {
            description.push(format!("license {l}"));
        }
        if !m.loadable {
            description.push("cannot run on this engine".into());
        }
        if let Some(n) = &m.note {
            description.push(n.clone());
        }
        Self {
            // Decimal megabytes, as the UI shows download progress.
            size_mb: (m.size_bytes as f64 / 1e6 * 10.0).round() / 10.0,
            id: m.id,
            name: m.name,
            installed: m.installed,
            active: m.active,
            loadable: m.loadable,
            description: description.join(" · "),
        }
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "DownloadProgress")]
pub struct DownloadProgressDto {
    #[ts(type = "number")]
    downloaded: u64,
    #[ts(type = "number | null")]
    total: Option<u64>,
}

async fn listing(assistant: &Assistant, id: &str) -> Result<ModelDto, CommandError> {
    let models = assistant.models().clone();
    let id = id.to_string();
    let list = tokio::task::spawn_blocking(move || models.list())
        .await
        .map_err(|e| CommandError::invalid(format!("models: {e}")))??;
    list.into_iter()
        .find(|m| m.id == id)
        .map(ModelDto::from)
        .ok_or_else(|| CommandError::invalid(format!("model `{id}` is not in the list")))
}

/// The catalog and every installed model.
#[tauri::command]
pub async fn models_list(
    assistant: tauri::State<'_, Assistant>,
) -> Result<Vec<ModelDto>, CommandError> {
    let models = assistant.models().clone();
    let list = tokio::task::spawn_blocking(move || models.list())
        .await
        .map_err(|e| CommandError::invalid(format!("models: {e}")))??;
    Ok(list.into_iter().map(ModelDto::from).collect())
}

/// Makes an installed model the one every feature uses.
#[tauri::command]
pub async fn choose_model(
    assistant: tauri::State<'_, Assistant>,
    id: String,
) -> Result<ModelDto, CommandError> {
    let models = assistant.models().clone();
    let chosen = id.clone();
    tokio::task::spawn_blocking(move || models.use_model(&chosen))
        .await
        .map_err(|e| CommandError::invalid(format!("models: {e}")))??;
    // The next request loads the newly chosen model.
    assistant.unload();
    listing(&assistant, &id).await
}

/// Copies a GGUF file into the models folder after checking it.
#[tauri::command]
pub async fn import_model(
    assistant: tauri::State<'_, Assistant>,
    path: String,
) -> Result<ModelDto, CommandError> {
    let models = assistant.models().clone();
    let source = PathBuf::from(path.trim());
    let installed = tokio::task::spawn_blocking(move || models.import(&source, None))
        .await
        .map_err(|e| CommandError::invalid(format!("import: {e}")))??;
    listing(&assistant, &installed.id).await
}

/// Downloads a catalog model with progress; `cancel_download` stops it (what arrived is kept
/// and the next download resumes from there).
#[tauri::command]
pub async fn download_model(
    assistant: tauri::State<'_, Assistant>,
    id: String,
    on_progress: Channel<DownloadProgressDto>,
) -> Result<ModelDto, CommandError> {
    let opts = PullOptions {
        mirror: std::env::var(MIRROR_ENV).ok().filter(|m| !m.is_empty()),
        ..PullOptions::default()
    };
    let mut cancel = assistant.cancel_requests(Job::Download);
    let progress = move |p: PullProgress| {
        let _ = on_progress.send(DownloadProgressDto {
            downloaded: p.downloaded,
            total: p.total,
        });
    };
    let models = assistant.models().clone();
    tokio::select! {
        pulled = models.pull(&id, &opts, &progress) => { pulled?; }
        _ = cancel.changed() => {
            return Err(CommandError::cancelled(format!("download of `{id}` cancelled")));
        }
    }
    listing(&assistant, &id).await
}

/// Stops the downloads running now.
#[tauri::command]
pub fn cancel_download(assistant: tauri::State<'_, Assistant>) {
    assistant.cancel(Job::Download);
}

/// Deletes an installed model's files.
#[tauri::command]
pub async fn remove_model(
    assistant: tauri::State<'_, Assistant>,
    id: String,
) -> Result<(), CommandError> {
    let models = assistant.models().clone();
    tokio::task::spawn_blocking(move || models.remove(&id))
        .await
        .map_err(|e| CommandError::invalid(format!("remove: {e}")))??;
    Ok(())
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "BenchRow")]
#[serde(rename_all = "camelCase")]
pub struct BenchRowDto {
    prompt_tokens: usize,
    ttft_ms: f64,
    prefill_tokens_per_sec: f64,
    decode_tokens_per_sec: f64,
    total_ms: f64,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "BenchReport")]
#[serde(rename_all = "camelCase")]
pub struct BenchReportDto {
    model_id: String,
    threads: usize,
    load_ms_warm: f64,
    rss_after_load_mb: f64,
    /// The app process's peak so far (it includes whatever ran before the measurement).
    peak_rss_mb: f64,
    rows: Vec<BenchRowDto>,
}

impl From<BenchReport> for BenchReportDto {
    fn from(r: BenchReport) -> Self {
        Self {
            model_id: r.model_id,
            threads: r.threads,
            load_ms_warm: r.load_ms_warm,
            rss_after_load_mb: r.rss_after_load_mb,
            peak_rss_mb: r.peak_rss_mb,
            rows: r
                .rows
                .into_iter()
                .map(|row| BenchRowDto {
                    prompt_tokens: row.prompt_tokens,
                    ttft_ms: row.ttft_ms.median,
                    prefill_tokens_per_sec: row.prefill_tokens_per_sec.median,
                    decode_tokens_per_sec: row.decode_tokens_per_sec.median,
                    total_ms: row.total_ms.median,
                })
                .collect(),
        }
    }
}

/// Measures the active model on this device (load, first token, prefill and decode speed at
/// 128 and 512 prompt tokens, memory), as `assistant bench` does; `stop_bench` stops it.
#[tauri::command]
pub async fn run_bench(
    assistant: tauri::State<'_, Assistant>,
    on_progress: Channel<String>,
) -> Result<BenchReportDto, CommandError> {
    let config = assistant.engine_config()?;
    // The measurement loads its own copy: let the app's go first so the two do not compete.
    assistant.unload();
    let opts = BenchOptions {
        prompt_lengths: vec![128, 512],
        runs: 1,
        max_tokens: 32,
    };
    let mut cancel = assistant.cancel_requests(Job::Bench);
    let progress = move |line: &str| {
        let _ = on_progress.send(line.to_string());
    };
    tokio::select! {
        report = bench::run(config, &opts, &progress) => Ok(report?.into()),
        _ = cancel.changed() => Err(CommandError::cancelled("the measurement was stopped".into())),
    }
}

/// Stops the running measurement.
#[tauri::command]
pub fn stop_bench(assistant: tauri::State<'_, Assistant>) {
    assistant.cancel(Job::Bench);
}
