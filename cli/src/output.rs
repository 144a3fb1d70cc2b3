//! How the command line prints: JSON for machines, tables and progress bars for people.

use assistant_core::bench::BenchReport;
use assistant_core::models::{ModelListing, PullProgress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

/// Prints `value` as JSON, or the human text.
pub fn print<T: Serialize>(json: bool, value: &T, human: impl FnOnce() -> String) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(value).expect("output serializes")
        );
    } else {
        println!("{}", human());
    }
}

pub fn mb(bytes: u64) -> String {
    format!("{:.0} MB", bytes as f64 / 1_048_576.0)
}

pub fn models_table(rows: &[ModelListing]) -> String {
    let mut out = format!(
        "{:<32} {:>8} {:<7} {:<9} {}\n",
        "ID", "SIZE", "QUANT", "STATE", "NOTE"
    );
    for r in rows {
        let state = match (r.installed, r.active) {
            (true, true) => "active",
            (true, false) => "installed",
            _ if !r.loadable => "unusable",
            _ => "-",
        };
        out.push_str(&format!(
            "{:<32} {:>8} {:<7} {:<9} {}\n",
            r.id,
            mb(r.size_bytes),
            r.quantization.as_deref().unwrap_or("?"),
            state,
            r.note.as_deref().unwrap_or("")
        ));
    }
    out.trim_end().to_string()
}

/// A byte progress bar with rate and ETA on stderr (hidden for `--json`).
pub fn download_bar(json: bool) -> ProgressBar {
    bar(
        json,
        "{spinner} [{bar:32}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
    )
}

/// A count progress bar with a phase name, rate and ETA on stderr (hidden for `--json`).
pub fn count_bar(json: bool) -> ProgressBar {
    bar(
        json,
        "{spinner} {msg:<10} [{bar:32}] {pos}/{len} {per_sec} ETA {eta}",
    )
}

fn bar(json: bool, template: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(
        None,
        if json {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        },
    );
    bar.set_style(
        ProgressStyle::with_template(template)
            .expect("progress template")
            .progress_chars("=> "),
    );
    bar
}

pub fn update_bar(bar: &ProgressBar, p: PullProgress) {
    if let Some(total) = p.total {
        bar.set_length(total);
    }
    if p.resumed_from > 0 {
        bar.set_message(format!("(resumed at {})", mb(p.resumed_from)));
    }
    bar.set_position(p.downloaded);
}

pub fn bench_table(r: &BenchReport) -> String {
    let mut out = format!(
        "{} | {} | {} threads | {} runs each, {} tokens generated\n\
         load: first {:.0} ms, warm {:.0} ms | RSS before load {:.0} MB, after load {:.0} MB, after unload {:.0} MB, peak {:.0} MB\n\n",
        r.engine,
        r.model_id,
        r.threads,
        r.runs,
        r.max_tokens,
        r.load_ms_first,
        r.load_ms_warm,
        r.rss_before_load_mb,
        r.rss_after_load_mb,
        r.rss_after_unload_mb,
        r.peak_rss_mb
    );
    out.push_str(&format!(
        "{:>7} {:>22} {:>22} {:>22} {:>12}\n",
        "PROMPT", "TTFT ms (min-max)", "PREFILL tok/s", "DECODE tok/s", "TOTAL ms"
    ));
    for row in &r.rows {
        out.push_str(&format!(
            "{:>7} {:>8.0} ({:>5.0}-{:>5.0}) {:>8.1} ({:>5.1}-{:>5.1}) {:>8.1} ({:>5.1}-{:>5.1}) {:>12.0}\n",
            row.prompt_tokens,
            row.ttft_ms.median, row.ttft_ms.min, row.ttft_ms.max,
            row.prefill_tokens_per_sec.median, row.prefill_tokens_per_sec.min, row.prefill_tokens_per_sec.max,
            row.decode_tokens_per_sec.median, row.decode_tokens_per_sec.min, row.decode_tokens_per_sec.max,
            row.total_ms.median,
        ));
    }
    out.trim_end().to_string()
}
