//! Useful functions for checking features.
use std::str::FromStr;

thread_local! {
    static THREAD_LIMIT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Runs `f` with the CPU matmuls it starts on this thread using at most `n` threads: callers that
/// run several independent models side by side (one per core) keep each one on its own core.
pub fn with_num_threads<R>(n: usize, f: impl FnOnce() -> R) -> R {
    let previous = THREAD_LIMIT.with(|l| l.replace(n));
    struct Restore(usize);
    impl Drop for Restore {
        fn drop(&mut self) {
            THREAD_LIMIT.with(|l| l.set(self.0));
        }
    }
    let _restore = Restore(previous);
    f()
}

pub fn get_num_threads() -> usize {
    if let Some(n) = THREAD_LIMIT.with(|l| Some(l.get()).filter(|n| *n > 0)) {
        return n;
    }
    // Respond to the same environment variable as rayon.
    match std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|s| usize::from_str(&s).ok())
    {
        Some(x) if x > 0 => x,
        Some(_) | None => num_cpus::get(),
    }
}

pub fn has_accelerate() -> bool {
    cfg!(feature = "accelerate")
}

pub fn has_mkl() -> bool {
    cfg!(feature = "mkl")
}

pub fn cuda_is_available() -> bool {
    cfg!(feature = "cuda")
}

pub fn metal_is_available() -> bool {
    cfg!(feature = "metal")
}

pub fn with_avx() -> bool {
    cfg!(target_feature = "avx2")
}

pub fn with_neon() -> bool {
    cfg!(target_feature = "neon")
}

pub fn with_simd128() -> bool {
    cfg!(target_feature = "simd128")
}

pub fn with_f16c() -> bool {
    cfg!(target_feature = "f16c")
}
