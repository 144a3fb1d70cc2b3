//! HTTP download of model files: resume with `Range`, retries, progress, sha256 check, cancellation.

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::error::{CoreError, Result};

/// How a pull finds and checks its file.
#[derive(Debug, Clone, Default)]
pub struct PullOptions {
    /// Download this URL instead of the catalog's.
    pub url: Option<String>,
    /// Replace `https://huggingface.co` in catalog URLs with this base (a local mirror).
    pub mirror: Option<String>,
    /// Expected sha256 when the catalog pins none.
    pub sha256: Option<String>,
    /// Attempts per pull; each resumes where the last one stopped.
    pub attempts: Option<u32>,
    pub cancel: Option<CancellationToken>,
}

/// Reported while a download runs.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct PullProgress {
    pub downloaded: u64,
    pub total: Option<u64>,
    pub bytes_per_sec: f64,
    /// Bytes that were already on disk from an earlier, interrupted attempt.
    pub resumed_from: u64,
}

const HF_BASE: &str = "https://huggingface.co";

pub(crate) fn apply_mirror(url: &str, mirror: Option<&str>) -> String {
    match mirror {
        Some(m) => match url.strip_prefix(HF_BASE) {
            Some(rest) => format!("{}{}", m.trim_end_matches('/'), rest),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

fn download_err(url: &str, reason: impl ToString) -> CoreError {
    CoreError::Download {
        url: url.to_string(),
        reason: reason.to_string(),
    }
}

/// Fetches `url` into `part`, appending to what is already there when the server allows ranges,
/// retrying broken transfers, then checks the sha256. Returns the file's sha256.
/// On a broken transfer the partial file is kept (`Download` error) so the next pull resumes.
pub(crate) async fn fetch_resumable(
    url: &str,
    part: &Path,
    expected_sha256: Option<&str>,
    opts: &PullOptions,
    progress: &(dyn Fn(PullProgress) + Send + Sync),
) -> Result<String> {
    let client = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(15))
        .read_timeout(Duration::from_secs(60))
        .user_agent(concat!("assistant/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| download_err(url, e))?;
    let attempts = opts.attempts.unwrap_or(4).max(1);
    let mut expected = expected_sha256.map(|s| s.to_ascii_lowercase());
    let mut last_err = None;
    for attempt in 1..=attempts {
        match fetch_once(&client, url, part, &mut expected, opts, progress).await {
            Ok(()) => {
                last_err = None;
                break;
            }
            Err(e @ CoreError::Download { .. }) => {
                tracing::warn!(attempt, error = %e, "download interrupted; resuming");
                last_err = Some(e);
                if attempt < attempts {
                    tokio::time::sleep(Duration::from_millis(250 * attempt as u64)).await;
                }
            }
            Err(e) => return Err(e),
        }
    }
    if let Some(e) = last_err {
        return Err(e);
    }
    let expected = expected.ok_or_else(|| {
        download_err(url, "no checksum is known for this file (not pinned in the catalog, none sent by the server); pass --sha256 HEX")
    })?;
    let part_owned = part.to_path_buf();
    let (actual, _) = tokio::task::spawn_blocking(move || super::hash_file(&part_owned))
        .await
        .map_err(|e| CoreError::Engine(e.to_string()))??;
    if actual != expected {
        let _ = std::fs::remove_file(part);
        return Err(CoreError::ChecksumMismatch {
            file: part.with_extension(""),
            expected,
            actual,
        });
    }
    Ok(actual)
}

async fn fetch_once(
    client: &reqwest::Client,
    url: &str,
    part: &Path,
    expected: &mut Option<String>,
    opts: &PullOptions,
    progress: &(dyn Fn(PullProgress) + Send + Sync),
) -> Result<()> {
    let have = std::fs::metadata(part).map(|m| m.len()).unwrap_or(0);
    let mut req = client.get(url);
    if have > 0 {
        req = req.header(reqwest::header::RANGE, format!("bytes={have}-"));
    }
    let mut resp = req.send().await.map_err(|e| download_err(url, e))?;
    let status = resp.status();
    if status == reqwest::StatusCode::RANGE_NOT_SATISFIABLE && have > 0 {
        // What we have is at least as long as the file: start over rather than trust it.
        std::fs::remove_file(part).map_err(|e| CoreError::io(part, e))?;
        return Err(download_err(url, "server refused to resume; starting over"));
    }
    if !status.is_success() {
        let reason = match status.as_u16() {
            401 | 403 => format!("HTTP {status}: the server requires permission (gated model?)"),
            404 => format!("HTTP {status}: no such file on the server"),
            _ => format!("HTTP {status}"),
        };
        // Not a broken transfer: retrying will not help.
        return Err(CoreError::InvalidRequest(format!(
            "download of {url} failed: {reason}"
        )));
    }
    if expected.is_none() {
        *expected = server_sha256(resp.headers());
    }
    let resuming = status == reqwest::StatusCode::PARTIAL_CONTENT && have > 0;
    let start = if resuming { have } else { 0 };
    let total = resp.content_length().map(|n| n + start);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(!resuming)
        .open(part)
        .map_err(|e| CoreError::io(part, e))?;
    if resuming {
        file.seek(SeekFrom::End(0))
            .map_err(|e| CoreError::io(part, e))?;
    }
    let began = Instant::now();
    let mut downloaded = start;
    let mut last_report = Instant::now() - Duration::from_secs(1);
    let cancel = opts.cancel.clone().unwrap_or_default();
    loop {
        let chunk = tokio::select! {
            _ = cancel.cancelled() => {
                let _ = file.sync_all();
                return Err(CoreError::Cancelled);
            }
            c = resp.chunk() => c,
        };
        match chunk {
            Ok(Some(bytes)) => {
                if let Err(e) = file.write_all(&bytes) {
                    let err = CoreError::io(part, e);
                    if matches!(err, CoreError::DiskFull { .. }) {
                        drop(file);
                        let _ = std::fs::remove_file(part);
                    }
                    return Err(err);
                }
                downloaded += bytes.len() as u64;
                if last_report.elapsed() >= Duration::from_millis(100) {
                    last_report = Instant::now();
                    let secs = began.elapsed().as_secs_f64().max(1e-3);
                    progress(PullProgress {
                        downloaded,
                        total,
                        bytes_per_sec: (downloaded - start) as f64 / secs,
                        resumed_from: start,
                    });
                }
            }
            Ok(None) => break,
            Err(e) => {
                let _ = file.sync_all();
                return Err(download_err(
                    url,
                    format!("connection broke after {downloaded} bytes: {e}"),
                ));
            }
        }
    }
    file.sync_all().map_err(|e| CoreError::io(part, e))?;
    if let Some(total) = total {
        if downloaded < total {
            return Err(download_err(
                url,
                format!("connection closed after {downloaded} of {total} bytes"),
            ));
        }
    }
    let secs = began.elapsed().as_secs_f64().max(1e-3);
    progress(PullProgress {
        downloaded,
        total,
        bytes_per_sec: (downloaded - start) as f64 / secs,
        resumed_from: start,
    });
    Ok(())
}

/// Hugging Face (and other LFS servers) send the file's sha256 as `X-Linked-Etag`.
fn server_sha256(headers: &reqwest::header::HeaderMap) -> Option<String> {
    ["x-linked-etag", "x-checksum-sha256"].iter().find_map(|h| {
        let v = headers
            .get(*h)?
            .to_str()
            .ok()?
            .trim()
            .trim_matches('"')
            .to_ascii_lowercase();
        (v.len() == 64 && v.chars().all(|c| c.is_ascii_hexdigit())).then_some(v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirror_replaces_only_the_hub_host() {
        let u = "https://huggingface.co/a/b/resolve/main/f.gguf";
        assert_eq!(
            apply_mirror(u, Some("http://127.0.0.1:9/")),
            "http://127.0.0.1:9/a/b/resolve/main/f.gguf"
        );
        assert_eq!(
            apply_mirror("https://example.org/f", Some("http://x")),
            "https://example.org/f"
        );
        assert_eq!(apply_mirror(u, None), u);
    }

    #[test]
    fn server_checksum_header_must_look_like_sha256() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("x-linked-etag", "\"ABCDEF\"".parse().unwrap());
        assert_eq!(server_sha256(&h), None);
        let sha = "a".repeat(64);
        h.insert("x-linked-etag", format!("\"{sha}\"").parse().unwrap());
        assert_eq!(server_sha256(&h), Some(sha));
    }
}
