//! The engine's CPU attention (our mistralrs-core, vendor/mistralrs-core) against a plain
//! softmax(q·kᵀ·scale + mask)·v written with tensor ops: reading a prompt with a causal or a
//! sliding-window mask, decoding one token against a long cache split over several tasks,
//! grouped-query heads, head sizes that are not a multiple of eight, logit soft-capping, and keys
//! and values from a cache kept in f16 under f32 queries. Also the MLP's in-place `silu(a)·b`.

use candle_core::{DType, Device, Tensor, D};
use mistralrs_core::layers::{silu_mul_in_place, Sdpa, SdpaParams};

mod common;
use common::values;

fn tensor(seed: u64, shape: (usize, usize, usize, usize)) -> Tensor {
    let len = shape.0 * shape.1 * shape.2 * shape.3;
    // Scaled up so the softmax is far from uniform and a wrong weight shows.
    let xs: Vec<f32> = values(seed, len).into_iter().map(|x| 3.0 * x).collect();
    Tensor::from_vec(xs, shape, &Device::Cpu).unwrap()
}

/// An additive mask (0 or -inf) for `q_len` new positions after `past` cached ones: causal, and
/// with `window` also hiding keys more than `window` positions back.
fn mask(q_len: usize, past: usize, window: Option<usize>) -> Tensor {
    let kv_len = past + q_len;
    let mut m = vec![0f32; q_len * kv_len];
    for i in 0..q_len {
        let pos = past + i;
        for j in 0..kv_len {
            let future = j > pos;
            let too_old = window.is_some_and(|w| pos - j.min(pos) > w);
            if future || too_old {
                m[i * kv_len + j] = f32::NEG_INFINITY;
            }
        }
    }
    Tensor::from_vec(m, (q_len, kv_len), &Device::Cpu).unwrap()
}

/// softmax(q·kᵀ·scale [soft-capped] + mask)·v, keys and values repeated for grouped heads.
fn reference(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    mask: Option<&Tensor>,
    scale: f32,
    softcap: Option<f32>,
) -> Tensor {
    let groups = q.dim(1).unwrap() / k.dim(1).unwrap();
    let repeat = |x: &Tensor| {
        let (b, h, s, d) = x.dims4().unwrap();
        x.unsqueeze(2)
            .unwrap()
            .expand((b, h, groups, s, d))
            .unwrap()
            .reshape((b, h * groups, s, d))
            .unwrap()
    };
    let (k, v) = (repeat(k), repeat(v));
    let mut scores =
        (q.matmul(&k.t().unwrap().contiguous().unwrap()).unwrap() * scale as f64).unwrap();
    if let Some(cap) = softcap {
        scores = ((scores / cap as f64).unwrap().tanh().unwrap() * cap as f64).unwrap();
    }
    if let Some(mask) = mask {
        scores = scores.broadcast_add(mask).unwrap();
    }
    let max = scores.max_keepdim(D::Minus1).unwrap();
    let weights = scores.broadcast_sub(&max).unwrap().exp().unwrap();
    let weights = weights
        .broadcast_div(&weights.sum_keepdim(D::Minus1).unwrap())
        .unwrap();
    weights.matmul(&v.contiguous().unwrap()).unwrap()
}

struct Case {
    batch: usize,
    heads: usize,
    kv_heads: usize,
    head_dim: usize,
    q_len: usize,
    past: usize,
    window: Option<usize>,
    softcap: Option<f32>,
    /// Keys and values in f16, as the engine's CPU cache keeps them.
    f16_cache: bool,
}

fn agrees_with_reference(c: Case) {
    let kv_len = c.past + c.q_len;
    let seed = (c.heads * 1000 + c.head_dim * 10 + kv_len) as u64;
    let q = tensor(seed, (c.batch, c.heads, c.q_len, c.head_dim));
    let k = tensor(seed + 1, (c.batch, c.kv_heads, kv_len, c.head_dim));
    let v = tensor(seed + 2, (c.batch, c.kv_heads, kv_len, c.head_dim));
    // mistral.rs builds a mask only when reading more than one token.
    let mask = (c.q_len > 1).then(|| mask(c.q_len, c.past, c.window));
    let params = SdpaParams {
        n_kv_groups: c.heads / c.kv_heads,
        softcap: c.softcap,
        softmax_scale: 1.0 / (c.head_dim as f32).sqrt(),
        sliding_window: c.window,
        sinks: None,
    };
    let (k, v) = if c.f16_cache {
        // The reference then sees the same rounded values the kernel reads.
        let (k16, v16) = (
            k.to_dtype(DType::F16).unwrap(),
            v.to_dtype(DType::F16).unwrap(),
        );
        let got = Sdpa
            .run_attention(&q, &k16, &v16, mask.as_ref(), None, &params)
            .unwrap();
        assert_eq!(got.dtype(), DType::F32);
        let rounded = (
            k16.to_dtype(DType::F32).unwrap(),
            v16.to_dtype(DType::F32).unwrap(),
        );
        let want = reference(
            &q,
            &rounded.0,
            &rounded.1,
            mask.as_ref(),
            params.softmax_scale,
            c.softcap,
        );
        return assert_close(&got, &want, &c);
    } else {
        (k, v)
    };
    let got = Sdpa
        .run_attention(&q, &k, &v, mask.as_ref(), None, &params)
        .unwrap();
    let want = reference(&q, &k, &v, mask.as_ref(), params.softmax_scale, c.softcap);
    assert_close(&got, &want, &c);
}

fn assert_close(got: &Tensor, want: &Tensor, c: &Case) {
    assert_eq!(got.dims(), want.dims());
    let diff = (got - want)
        .unwrap()
        .abs()
        .unwrap()
        .flatten_all()
        .unwrap()
        .max(0)
        .unwrap();
    let diff = diff
        .to_dtype(DType::F32)
        .unwrap()
        .to_scalar::<f32>()
        .unwrap();
    assert!(
        diff < 1e-4,
        "largest difference {diff} (b={} h={}/{} d={} q={} past={} window={:?} softcap={:?})",
        c.batch,
        c.heads,
        c.kv_heads,
        c.head_dim,
        c.q_len,
        c.past,
        c.window,
        c.softcap
    );
}

const SMOLLM2: Case = Case {
    batch: 1,
    heads: 9,
    kv_heads: 3,
    head_dim: 64,
    q_len: 1,
    past: 0,
    window: None,
    softcap: None,
    f16_cache: false,
};

#[test]
fn prompt_with_causal_mask_matches_reference() {
    for q_len in [2, 5, 37, 130] {
        agrees_with_reference(Case { q_len, ..SMOLLM2 });
    }
}

#[test]
fn prompt_after_cached_prefix_matches_reference() {
    // A follow-up request that resumes from a cached prefix: new rows see all old keys.
    agrees_with_reference(Case {
        q_len: 19,
        past: 301,
        ..SMOLLM2
    });
    agrees_with_reference(Case {
        batch: 2,
        q_len: 8,
        past: 3,
        ..SMOLLM2
    });
}

#[test]
fn prompt_with_sliding_window_matches_reference() {
    agrees_with_reference(Case {
        q_len: 70,
        past: 10,
        window: Some(16),
        ..SMOLLM2
    });
}

#[test]
fn decode_over_long_cache_matches_reference() {
    // One new token against caches shorter than, equal to and spanning several decode tasks.
    for past in [0, 3, 255, 256, 700, 1100] {
        agrees_with_reference(Case { past, ..SMOLLM2 });
    }
    agrees_with_reference(Case {
        batch: 3,
        past: 513,
        ..SMOLLM2
    });
}

#[test]
fn odd_head_sizes_and_plain_multi_head_match_reference() {
    for head_dim in [36, 80, 13] {
        agrees_with_reference(Case {
            heads: 4,
            kv_heads: 4,
            head_dim,
            q_len: 23,
            past: 2,
            ..SMOLLM2
        });
        agrees_with_reference(Case {
            heads: 4,
            kv_heads: 1,
            head_dim,
            past: 300,
            ..SMOLLM2
        });
    }
}

#[test]
fn soft_capped_logits_match_reference() {
    agrees_with_reference(Case {
        q_len: 33,
        softcap: Some(5.0),
        ..SMOLLM2
    });
    agrees_with_reference(Case {
        past: 400,
        softcap: Some(5.0),
        ..SMOLLM2
    });
}

#[test]
fn f16_cache_under_f32_queries_matches_reference() {
    // Reading a prompt, decoding over several stretches, grouped heads, an odd head size.
    for case in [
        Case {
            q_len: 37,
            f16_cache: true,
            ..SMOLLM2
        },
        Case {
            q_len: 19,
            past: 301,
            f16_cache: true,
            ..SMOLLM2
        },
        Case {
            past: 700,
            f16_cache: true,
            ..SMOLLM2
        },
        Case {
            batch: 2,
            past: 255,
            f16_cache: true,
            ..SMOLLM2
        },
        Case {
            heads: 4,
            kv_heads: 2,
            head_dim: 36,
            q_len: 9,
            past: 5,
            f16_cache: true,
            ..SMOLLM2
        },
    ] {
        agrees_with_reference(case);
    }
}

/// The MLP's `silu(gate)·up` written over the gate's buffer gives bit for bit what the separate
/// ops give, for a decode row (calling thread), a long prompt (split over rayon) and a
/// non-contiguous input (the ordinary path).
#[test]
fn silu_times_up_in_place_matches_the_separate_ops() {
    for (rows, width) in [(1, 1536), (3, 17), (1024, 1536)] {
        let gate = Tensor::from_vec(values(7, rows * width), (rows, width), &Device::Cpu).unwrap();
        let up = Tensor::from_vec(values(8, rows * width), (rows, width), &Device::Cpu).unwrap();
        let expected: Vec<f32> = (gate.silu().unwrap() * &up)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1()
            .unwrap();
        let fresh_gate = gate.copy().unwrap();
        let got: Vec<f32> = silu_mul_in_place(fresh_gate, &up)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1()
            .unwrap();
        assert_eq!(got.len(), expected.len());
        let differing = got
            .iter()
            .zip(&expected)
            .filter(|(a, b)| a.to_bits() != b.to_bits())
            .count();
        assert_eq!(differing, 0, "{rows}x{width}: {differing} values differ");
    }
    let gate_t = Tensor::from_vec(values(9, 64 * 32), (64, 32), &Device::Cpu)
        .unwrap()
        .t()
        .unwrap();
    let up = Tensor::from_vec(values(10, 32 * 64), (32, 64), &Device::Cpu).unwrap();
    let expected = (gate_t.silu().unwrap() * &up).unwrap();
    let got = silu_mul_in_place(gate_t.clone(), &up).unwrap();
    let diff: f32 = (got - expected)
        .unwrap()
        .abs()
        .unwrap()
        .max_all()
        .unwrap()
        .to_scalar()
        .unwrap();
    assert!(diff < 1e-6, "non-contiguous input: max difference {diff}");
}
