//! Seeded temperature / top-p sampling, so the same seed gives the same answer on every run.
//!
//! mistral.rs keeps one random generator for the whole engine, so its own sampling depends on
//! every request before. This sampler keeps a generator per request: it draws the next token from
//! the tempered, nucleus-filtered distribution and leaves only that token possible, and the engine's
//! greedy step then takes it.

/// splitmix64: small, fast, and good enough to draw tokens.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub(crate) fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Picks one token index from `logits` with the given temperature and top-p.
/// Disallowed tokens (logit -inf) are never picked; `None` if none is allowed.
pub(crate) fn pick(
    logits: &[f32],
    temperature: f64,
    top_p: f64,
    rng: &mut SplitMix64,
) -> Option<usize> {
    let max = logits
        .iter()
        .copied()
        .filter(|l| l.is_finite())
        .fold(f32::NEG_INFINITY, f32::max);
    if !max.is_finite() {
        return None;
    }
    let t = temperature.max(1e-4);
    let mut probs: Vec<(usize, f64)> = logits
        .iter()
        .enumerate()
        .filter(|(_, l)| l.is_finite())
        .map(|(i, &l)| (i, (((l - max) as f64) / t).exp()))
        .collect();
    let sum: f64 = probs.iter().map(|p| p.1).sum();
    probs.iter_mut().for_each(|p| p.1 /= sum);
    // Most likely first; ties broken by index so the order never depends on the sort's stability.
    probs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut kept = 0;
    let mut mass = 0.0;
    for p in &probs {
        kept += 1;
        mass += p.1;
        if mass >= top_p {
            break;
        }
    }
    let probs = &probs[..kept];
    let r = rng.next_f64() * mass;
    let mut acc = 0.0;
    for p in probs {
        acc += p.1;
        if r < acc {
            return Some(p.0);
        }
    }
    probs.last().map(|p| p.0)
}

/// The mistral.rs logits processor around [`pick`].
pub(crate) struct SeededSampler {
    rng: std::sync::Mutex<SplitMix64>,
    temperature: f64,
    top_p: f64,
}

impl SeededSampler {
    pub(crate) fn new(seed: u64, temperature: f64, top_p: f64) -> Self {
        Self {
            rng: std::sync::Mutex::new(SplitMix64::new(seed)),
            temperature,
            top_p,
        }
    }
}

impl mistralrs::CustomLogitsProcessor for SeededSampler {
    fn apply(
        &self,
        logits: &mistralrs::Tensor,
        _context: &[u32],
    ) -> mistralrs::Result<mistralrs::Tensor> {
        let values: Vec<f32> = logits.to_vec1()?;
        let chosen = {
            let mut rng = self.rng.lock().expect("sampler rng");
            pick(&values, self.temperature, self.top_p, &mut rng)
        };
        let Some(chosen) = chosen else {
            return Ok(logits.clone());
        };
        let mut out = vec![f32::NEG_INFINITY; values.len()];
        out[chosen] = 0.0;
        mistralrs::Tensor::from_vec(out, values.len(), logits.device())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_choices_different_seed_differs() {
        let logits: Vec<f32> = (0..50).map(|i| (i % 7) as f32 * 0.3).collect();
        let run = |seed| {
            let mut rng = SplitMix64::new(seed);
            (0..40)
                .map(|_| pick(&logits, 1.0, 1.0, &mut rng).unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
    }

    #[test]
    fn never_picks_a_masked_token_and_respects_top_p() {
        let mut logits = vec![f32::NEG_INFINITY; 10];
        logits[3] = 5.0;
        logits[7] = 4.9;
        logits[8] = -20.0;
        let mut rng = SplitMix64::new(9);
        for _ in 0..200 {
            let t = pick(&logits, 1.0, 0.9, &mut rng).unwrap();
            assert!(t == 3 || t == 7, "picked {t}");
        }
        assert_eq!(pick(&[f32::NEG_INFINITY; 4], 1.0, 1.0, &mut rng), None);
    }

    #[test]
    fn low_temperature_is_nearly_greedy() {
        let logits = [0.0f32, 1.0, 3.0, 2.9];
        let mut rng = SplitMix64::new(5);
        assert!((0..100).all(|_| pick(&logits, 0.01, 1.0, &mut rng) == Some(2)));
    }
}
