//! Memory accounting: what a model needs to load, what the device has free, and our own peak use.

use std::path::Path;

use super::gguf::GgufInfo;
use crate::error::{CoreError, Result};

const MB: u64 = 1 << 20;
/// Working memory beyond weights and cache: activations, tokenizer, runtime.
const OVERHEAD_BYTES: u64 = 96 * MB;

/// Bytes the OS says can be allocated without swapping (`MemAvailable`), where the OS tells.
pub fn available_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    parse_meminfo_kb(&text, "MemAvailable:").map(|kb| kb * 1024)
}

/// This process's peak resident set (`VmHWM`), where the OS tells.
pub fn peak_rss_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_meminfo_kb(&text, "VmHWM:").map(|kb| kb * 1024)
}

/// This process's current resident set (`VmRSS`), where the OS tells.
pub fn current_rss_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_meminfo_kb(&text, "VmRSS:").map(|kb| kb * 1024)
}

/// Hands memory that the allocator keeps for reuse back to the OS (after unloading a model).
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own free lists; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Caps the allocator's arenas at one per core (glibc makes up to eight per core, each keeping its
/// own free pages: ~20 MB more resident for the default model). Takes effect for arenas made
/// later, so it runs before a model loads; an explicit `MALLOC_ARENA_MAX` is left alone.
pub fn limit_allocator_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
                return;
            }
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            // SAFETY: mallopt only sets a glibc tunable; any positive arena count is valid.
            unsafe {
                libc::mallopt(libc::M_ARENA_MAX, cores.max(2) as libc::c_int);
            }
        });
    }
}

fn parse_meminfo_kb(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l[key.len()..].split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// Estimated bytes to load `info` with a context of `context_tokens`: (weights, cache, total).
pub fn estimate(info: &GgufInfo, context_tokens: usize) -> (u64, u64, u64) {
    let kv = info.kv_bytes_per_token().unwrap_or(0) * context_tokens as u64;
    (info.file_len, kv, info.file_len + kv + OVERHEAD_BYTES)
}

/// Refuses, with the figures, to load a model that would not fit in `available` bytes.
pub fn check_fits(
    file: &Path,
    info: &GgufInfo,
    context_tokens: usize,
    available: Option<u64>,
) -> Result<()> {
    let Some(available) = available else {
        return Ok(());
    };
    let (weights, kv, needed) = estimate(info, context_tokens);
    if needed > available {
        return Err(CoreError::InsufficientMemory {
            file: file.to_path_buf(),
            needed_mb: needed.div_ceil(MB),
            model_mb: weights.div_ceil(MB),
            kv_mb: kv.div_ceil(MB),
            context_tokens,
            available_mb: available / MB,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> GgufInfo {
        // SmolLM2-135M's shape.
        GgufInfo {
            version: 3,
            architecture: "llama".into(),
            name: None,
            context_length: Some(8192),
            block_count: Some(30),
            embedding_length: Some(576),
            head_count: Some(9),
            head_count_kv: Some(3),
            tensor_count: 272,
            tensor_types: vec![],
            required_len: 98_362_432,
            file_len: 98_362_432,
        }
    }

    #[test]
    fn cache_estimate_follows_the_shape() {
        // 2 (k,v) * 30 layers * 3 kv heads * 64 dims * 2 bytes (f16) = 23,040 bytes per token.
        assert_eq!(info().kv_bytes_per_token(), Some(23_040));
        let (w, kv, total) = estimate(&info(), 4096);
        assert_eq!(kv, 23_040 * 4096);
        assert_eq!(total, w + kv + OVERHEAD_BYTES);
    }

    #[test]
    fn refuses_when_it_does_not_fit_and_says_why() {
        let p = Path::new("/models/m.gguf");
        check_fits(p, &info(), 4096, Some(4 << 30)).unwrap();
        check_fits(p, &info(), 4096, None).unwrap();
        let err = check_fits(p, &info(), 4096, Some(200 * MB)).unwrap_err();
        assert_eq!(err.kind(), "insufficient_memory");
        let msg = err.to_string();
        assert!(
            msg.contains("m.gguf") && msg.contains("200 MB available"),
            "{msg}"
        );
    }

    #[test]
    fn reads_proc_format() {
        let t = "MemTotal:       24000000 kB\nMemAvailable:   1000 kB\n";
        assert_eq!(parse_meminfo_kb(t, "MemAvailable:"), Some(1000));
        assert_eq!(parse_meminfo_kb(t, "Nope:"), None);
    }
}
