#![allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]

use candle_core::{Context, Device, Result, Storage, Tensor, WithDType};

use half::bf16;
use half::f16;

use std::{f32, iter::Sum};

use crate::attention::SdpaParams;

/// Head sizes up to this keep the attention accumulator on the stack.
const MAX_HEAD_DIM_ON_STACK: usize = 256;

thread_local! {
    /// Per-thread scratch for one query row's attention scores.
    static SCORES: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Query rows (one head, one position) per task when reading a prompt.
const ATTN_ROWS_PER_TASK: usize = 16;

#[inline]
fn clamp_index(idx: usize, dim: usize) -> usize {
    if dim == 0 {
        0
    } else if idx >= dim {
        dim - 1
    } else {
        idx
    }
}

#[inline]
fn mask_offset(
    dims: &[usize],
    b: usize,
    h: usize,
    b_i: usize,
    h_i: usize,
    q_pos: usize,
    kv_pos: usize,
) -> Option<usize> {
    if dims.is_empty() {
        return Some(0);
    }

    match dims.len() {
        1 => {
            let kv_dim = dims[0];
            if kv_dim == 0 {
                None
            } else {
                Some(clamp_index(kv_pos, kv_dim))
            }
        }
        2 => {
            let q_dim = dims[0];
            let kv_dim = dims[1];
            if q_dim == 0 || kv_dim == 0 {
                None
            } else {
                let q_idx = clamp_index(q_pos, q_dim);
                let kv_idx = clamp_index(kv_pos, kv_dim);
                Some(q_idx * kv_dim + kv_idx)
            }
        }
        3 => {
            let d0 = dims[0];
            let d1 = dims[1];
            let d2 = dims[2];
            if d0 == 0 || d1 == 0 || d2 == 0 {
                return None;
            }
            let q_idx = clamp_index(q_pos, d1);
            let kv_idx = clamp_index(kv_pos, d2);
            if d0 == b || d0 == 1 {
                let b_idx = if d0 == 1 { 0 } else { clamp_index(b_i, d0) };
                Some((b_idx * d1 + q_idx) * d2 + kv_idx)
            } else if d0 == h || d0 == 1 {
                let h_idx = if d0 == 1 { 0 } else { clamp_index(h_i, d0) };
                Some((h_idx * d1 + q_idx) * d2 + kv_idx)
            } else if d0 == b.saturating_mul(h) {
                let combined_idx = clamp_index(b_i * h + h_i, d0);
                Some((combined_idx * d1 + q_idx) * d2 + kv_idx)
            } else {
                Some(q_idx * d2 + kv_idx)
            }
        }
        4 => {
            let d0 = dims[0];
            let d1 = dims[1];
            let d2 = dims[2];
            let d3 = dims[3];
            if d0 == 0 || d1 == 0 || d2 == 0 || d3 == 0 {
                return None;
            }
            let b_idx = if d0 == 1 {
                0
            } else if d0 == b {
                clamp_index(b_i, d0)
            } else if d0 == b.saturating_mul(h) {
                clamp_index(b_i * h + h_i, d0)
            } else {
                clamp_index(b_i, d0)
            };
            let h_idx = if d1 == 1 {
                0
            } else if d1 == h {
                clamp_index(h_i, d1)
            } else if d1 == b {
                clamp_index(b_i, d1)
            } else {
                clamp_index(h_i, d1)
            };
            let q_idx = clamp_index(q_pos, d2);
            let kv_idx = clamp_index(kv_pos, d3);
            Some(((b_idx * d1 + h_idx) * d2 + q_idx) * d3 + kv_idx)
        }
        _ => {
            let q_dim = *dims.get(dims.len().saturating_sub(2))?;
            let kv_dim = *dims.last()?;
            if q_dim == 0 || kv_dim == 0 {
                return None;
            }
            let q_idx = clamp_index(q_pos, q_dim);
            let kv_idx = clamp_index(kv_pos, kv_dim);
            let mut prefix_dim = 1usize;
            for &dim in &dims[..dims.len() - 2] {
                if dim == 0 {
                    return None;
                }
                prefix_dim = prefix_dim.saturating_mul(dim);
            }
            let combined_idx = if prefix_dim == 0 {
                0
            } else {
                let idx_val = b_i * h + h_i;
                idx_val.min(prefix_dim - 1)
            };
            Some((combined_idx * q_dim + q_idx) * kv_dim + kv_idx)
        }
    }
}

struct MaskInfo<'a> {
    data: &'a [f32],
    dims: &'a [usize],
    b: usize,
    h: usize,
}

impl<'a> MaskInfo<'a> {
    #[inline]
    fn value(&self, b_i: usize, h_i: usize, q_pos: usize, kv_pos: usize) -> f32 {
        if let Some(idx) = mask_offset(self.dims, self.b, self.h, b_i, h_i, q_pos, kv_pos) {
            *self.data.get(idx).unwrap_or(&0.0)
        } else {
            0.0
        }
    }
}

pub(crate) trait DowncastF32 {
    fn cast(x: f32) -> Self;
}

impl DowncastF32 for f32 {
    fn cast(x: f32) -> Self {
        x
    }
}

impl DowncastF32 for f16 {
    fn cast(x: f32) -> Self {
        f16::from_f32(x)
    }
}

impl DowncastF32 for bf16 {
    fn cast(x: f32) -> Self {
        bf16::from_f32(x)
    }
}

/// Up‑cast helper: convert any supported element type to `f32` once so that the
/// hot kernels can run entirely in `f32` and only down‑cast when writing out.
pub trait UpcastF32: Sized {
    fn to_f32(self) -> f32;

    /// The same values as `f32`s if they already are (the SIMD kernels' fast path).
    #[inline(always)]
    fn as_f32s(_xs: &[Self]) -> Option<&[f32]> {
        None
    }

    /// The same values as `f16`s if they are (the SIMD kernels' f16-cache path).
    #[inline(always)]
    fn as_f16s(_xs: &[Self]) -> Option<&[f16]> {
        None
    }
}

impl UpcastF32 for f32 {
    #[inline(always)]
    fn to_f32(self) -> f32 {
        self
    }

    #[inline(always)]
    fn as_f32s(xs: &[Self]) -> Option<&[f32]> {
        Some(xs)
    }
}

impl UpcastF32 for f16 {
    #[inline(always)]
    fn to_f32(self) -> f32 {
        self.to_f32()
    }

    #[inline(always)]
    fn as_f16s(xs: &[Self]) -> Option<&[f16]> {
        Some(xs)
    }
}

impl UpcastF32 for bf16 {
    #[inline(always)]
    fn to_f32(self) -> f32 {
        self.to_f32()
    }
}

pub fn run_flash_attn_cpu<T, KV>(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    mask: Option<&Tensor>,
    sdpa_params: &SdpaParams,
) -> Result<Tensor>
where
    T: WithDType + Sum + num_traits::real::Real + DowncastF32 + UpcastF32 + Copy,
    KV: WithDType + UpcastF32 + Copy,
{
    // Inline CPU slice extraction for q, k, v, and optional mask
    let (q_guard, q_layout) = q.storage_and_layout();
    let q_data: &[T] = if let Storage::Cpu(cpu) = &*q_guard {
        let data = cpu.as_slice::<T>().context("Expected CPU storage for q")?;
        &data[q_layout.start_offset()..]
    } else {
        return Err(candle_core::Error::Msg("Expected CPU storage for q".into()));
    };
    let (k_guard, k_layout) = k.storage_and_layout();
    let k_data: &[KV] = if let Storage::Cpu(cpu) = &*k_guard {
        let data = cpu.as_slice::<KV>().context("Expected CPU storage for k")?;
        &data[k_layout.start_offset()..]
    } else {
        return Err(candle_core::Error::Msg("Expected CPU storage for k".into()));
    };
    let (v_guard, v_layout) = v.storage_and_layout();
    let v_data: &[KV] = if let Storage::Cpu(cpu) = &*v_guard {
        let data = cpu.as_slice::<KV>().context("Expected CPU storage for v")?;
        &data[v_layout.start_offset()..]
    } else {
        return Err(candle_core::Error::Msg("Expected CPU storage for v".into()));
    };
    let mut mask_buffer: Option<Vec<f32>> = None;
    let mut mask_dims: Option<Vec<usize>> = None;
    if let Some(mask_tensor) = mask {
        mask_dims = Some(mask_tensor.shape().dims().to_vec());
        let buffer = {
            let (guard, layout) = mask_tensor.storage_and_layout();
            if let Storage::Cpu(cpu) = &*guard {
                let data = cpu
                    .as_slice::<T>()
                    .context("Expected CPU storage for mask")?;
                data[layout.start_offset()..]
                    .iter()
                    .map(|v| (*v).to_f32())
                    .collect::<Vec<f32>>()
            } else {
                return Err(candle_core::Error::Msg(
                    "Expected CPU storage for mask".into(),
                ));
            }
        };
        mask_buffer = Some(buffer);
    }
    // q_guard, k_guard, v_guard, and m_guard (if any) are kept in scope to hold storage alive

    let q_stride = q.stride();
    let k_stride = k.stride();
    let v_stride = v.stride();

    // Fast path for decode: q_len == 1
    let mask_dims_ref = mask_dims.as_deref();
    let mask_slice = mask_buffer.as_deref();

    if q.shape().dims()[1] == 1 {
        return flash_attn_cpu_single_q(
            q_data,
            k_data,
            v_data,
            mask_slice,
            mask_dims_ref,
            q.shape().dims(),
            k.shape().dims(),
            v.shape().dims(),
            q_stride,
            k_stride,
            v_stride,
            sdpa_params.softmax_scale,
            0.0,
            sdpa_params.softcap.unwrap_or(0.0),
        );
    }

    flash_attn_cpu(
        q_data,
        k_data,
        v_data,
        mask_slice,
        mask_dims_ref,
        q.shape().dims(),
        k.shape().dims(),
        v.shape().dims(),
        q_stride,
        k_stride,
        v_stride,
        sdpa_params.softmax_scale,
        0.0,
        sdpa_params.softcap.unwrap_or(0.0),
    )
}

/// Keys or values of one head in the cache: row `pos` starts at `base + pos * pos_stride`.
#[derive(Clone, Copy)]
struct HeadRows<'a, T> {
    data: &'a [T],
    base: usize,
    pos_stride: usize,
    width: usize,
}

impl<'a, T> HeadRows<'a, T> {
    #[inline(always)]
    fn row(&self, pos: usize) -> &'a [T] {
        &self.data[self.base + pos * self.pos_stride..][..self.width]
    }
}

/// The mask values one query row sees.
enum MaskRow<'a> {
    None,
    /// The row lies contiguously in the mask buffer (every mask mistral.rs builds).
    Slice {
        values: &'a [f32],
        slope: f32,
    },
    /// Any other broadcast shape: looked up position by position.
    Lookup {
        mask: &'a MaskInfo<'a>,
        b_i: usize,
        h_i: usize,
        q_pos: usize,
        slope: f32,
    },
}

impl<'a> MaskRow<'a> {
    fn new(
        mask: Option<&'a MaskInfo<'a>>,
        b_i: usize,
        h_i: usize,
        q_pos: usize,
        kv_len: usize,
        slope: f32,
    ) -> Self {
        let Some(mask) = mask else {
            return MaskRow::None;
        };
        if kv_len > 0 && mask.dims.last() == Some(&kv_len) {
            let first = mask_offset(mask.dims, mask.b, mask.h, b_i, h_i, q_pos, 0);
            let last = mask_offset(mask.dims, mask.b, mask.h, b_i, h_i, q_pos, kv_len - 1);
            if let (Some(first), Some(last)) = (first, last) {
                if last == first + kv_len - 1 && last < mask.data.len() {
                    return MaskRow::Slice {
                        values: &mask.data[first..=last],
                        slope,
                    };
                }
            }
        }
        MaskRow::Lookup {
            mask,
            b_i,
            h_i,
            q_pos,
            slope,
        }
    }

    #[inline]
    fn at(&self, kv_pos: usize) -> f32 {
        match self {
            MaskRow::None => 0.0,
            MaskRow::Slice { values, slope } => slope * values[kv_pos],
            MaskRow::Lookup {
                mask,
                b_i,
                h_i,
                q_pos,
                slope,
            } => slope * mask.value(*b_i, *h_i, *q_pos, kv_pos),
        }
    }

    /// The positions `lo..hi` outside of which every key is masked out (`-inf`), within `0..kv_len`.
    fn active_span(&self, kv_len: usize) -> (usize, usize) {
        if let MaskRow::None = self {
            return (0, kv_len);
        }
        let open = |p: &usize| self.at(*p) != f32::NEG_INFINITY;
        match (0..kv_len).find(open) {
            None => (0, 0),
            Some(lo) => (lo, (lo..kv_len).rfind(open).map_or(lo, |p| p + 1)),
        }
    }

    /// `scores[i] += mask(lo + i)`.
    fn add_to(&self, scores: &mut [f32], lo: usize) {
        match self {
            MaskRow::None => {}
            MaskRow::Slice { values, slope } => {
                for (s, &m) in scores.iter_mut().zip(&values[lo..]) {
                    *s += slope * m;
                }
            }
            MaskRow::Lookup { .. } => {
                for (i, s) in scores.iter_mut().enumerate() {
                    *s += self.at(lo + i);
                }
            }
        }
    }
}

/// Explicit AVX2/FMA forms of the two inner loops for `f32` rows whose length is a multiple of
/// eight (left to itself the compiler vectorizes `dot_4keys` across the four keys, with shuffles,
/// and never fuses the multiply-adds).
#[cfg(all(
    target_arch = "x86_64",
    target_feature = "avx2",
    target_feature = "fma"
))]
mod simd {
    use core::arch::x86_64::*;
    use half::f16;

    /// Eight values from a row as f32 lanes.
    pub(super) trait Lanes: Copy {
        /// # Safety
        /// `p` points at eight readable values.
        unsafe fn load8(p: *const Self) -> __m256;
    }

    impl Lanes for f32 {
        #[inline(always)]
        unsafe fn load8(p: *const Self) -> __m256 {
            _mm256_loadu_ps(p)
        }
    }

    impl Lanes for f16 {
        #[inline(always)]
        unsafe fn load8(p: *const Self) -> __m256 {
            _mm256_cvtph_ps(_mm_loadu_si128(p as *const __m128i))
        }
    }

    /// # Safety
    /// Every row holds at least `q.len()` values and `q.len() % 8 == 0`.
    #[inline(always)]
    pub(super) unsafe fn dot_4keys<K: Lanes>(q: &[f32], k: [&[K]; 4]) -> [f32; 4] {
        let mut acc = [_mm256_setzero_ps(); 4];
        for c in (0..q.len()).step_by(8) {
            let qv = _mm256_loadu_ps(q.as_ptr().add(c));
            for j in 0..4 {
                acc[j] = _mm256_fmadd_ps(qv, K::load8(k[j].as_ptr().add(c)), acc[j]);
            }
        }
        // [a0 a1 a2 a3] per 128-bit half, then the halves added.
        let h = _mm256_hadd_ps(
            _mm256_hadd_ps(acc[0], acc[1]),
            _mm256_hadd_ps(acc[2], acc[3]),
        );
        let sums = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps::<1>(h));
        let mut out = [0f32; 4];
        _mm_storeu_ps(out.as_mut_ptr(), sums);
        out
    }

    /// `acc += Σ_j w[j] · v[j]`.
    ///
    /// # Safety
    /// Every row holds at least `acc.len()` values and `acc.len() % 8 == 0`.
    #[inline(always)]
    pub(super) unsafe fn add_weighted_4<V: Lanes>(acc: &mut [f32], w: [f32; 4], v: [&[V]; 4]) {
        let wv = w.map(|x| _mm256_set1_ps(x));
        for c in (0..acc.len()).step_by(8) {
            let p = acc.as_mut_ptr().add(c);
            let mut a = _mm256_loadu_ps(p);
            for j in 0..4 {
                a = _mm256_fmadd_ps(wv[j], V::load8(v[j].as_ptr().add(c)), a);
            }
            _mm256_storeu_ps(p, a);
        }
    }
}

/// One query against four keys: four independent sums of eight lanes each, so the FMA units
/// are not left waiting on one chain of additions.
#[inline(always)]
fn dot_4keys<T: UpcastF32 + Copy>(q: &[f32], k: [&[T]; 4]) -> [f32; 4] {
    let d = q.len();
    #[cfg(all(
        target_arch = "x86_64",
        target_feature = "avx2",
        target_feature = "fma"
    ))]
    if d % 8 == 0 {
        if let (Some(k0), Some(k1), Some(k2), Some(k3)) = (
            T::as_f32s(k[0]),
            T::as_f32s(k[1]),
            T::as_f32s(k[2]),
            T::as_f32s(k[3]),
        ) {
            if k0.len() >= d && k1.len() >= d && k2.len() >= d && k3.len() >= d {
                // SAFETY: checked just above.
                return unsafe { simd::dot_4keys(q, [k0, k1, k2, k3]) };
            }
        }
        if let (Some(k0), Some(k1), Some(k2), Some(k3)) = (
            T::as_f16s(k[0]),
            T::as_f16s(k[1]),
            T::as_f16s(k[2]),
            T::as_f16s(k[3]),
        ) {
            if k0.len() >= d && k1.len() >= d && k2.len() >= d && k3.len() >= d {
                // SAFETY: checked just above.
                return unsafe { simd::dot_4keys(q, [k0, k1, k2, k3]) };
            }
        }
    }
    let n8 = d / 8 * 8;
    let mut acc = [[0f32; 8]; 4];
    let chunks = q[..n8]
        .chunks_exact(8)
        .zip(k[0][..n8].chunks_exact(8))
        .zip(k[1][..n8].chunks_exact(8))
        .zip(k[2][..n8].chunks_exact(8))
        .zip(k[3][..n8].chunks_exact(8));
    for ((((qc, c0), c1), c2), c3) in chunks {
        for i in 0..8 {
            let qi = qc[i];
            acc[0][i] += qi * c0[i].to_f32();
            acc[1][i] += qi * c1[i].to_f32();
            acc[2][i] += qi * c2[i].to_f32();
            acc[3][i] += qi * c3[i].to_f32();
        }
    }
    let mut out = [0f32; 4];
    for j in 0..4 {
        let a = &acc[j];
        out[j] = ((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7]));
        for i in n8..d {
            out[j] += q[i] * k[j][i].to_f32();
        }
    }
    out
}

#[inline(always)]
fn dot_1key<T: UpcastF32 + Copy>(q: &[f32], k: &[T]) -> f32 {
    let mut acc = [0f32; 8];
    let (qc, kc) = (q.chunks_exact(8), k.chunks_exact(8));
    let (q_rest, k_rest) = (qc.remainder(), kc.remainder());
    for (x, y) in qc.zip(kc) {
        for i in 0..8 {
            acc[i] += x[i] * y[i].to_f32();
        }
    }
    let mut sum = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (x, y) in q_rest.iter().zip(k_rest) {
        sum += x * y.to_f32();
    }
    sum
}

/// `exp(x)` for `x <= 0` (softmax weights after subtracting the maximum), branch-free so a loop
/// over it vectorizes: range reduction to `2^n · e^r` with `|r| <= ln2/2` and a degree-6
/// polynomial, relative error below 2e-7. Anything below -87 (including `-inf`) gives 0.
#[inline(always)]
fn exp_nonpositive(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    let xc = x.max(-87.0);
    let n = (xc * LOG2E).round();
    let r = (xc - n * LN2_HI) - n * LN2_LO;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (0.166_666_67
                    + r * (0.041_666_668 + r * (0.008_333_34 + r * 0.001_388_889)))));
    let scale = f32::from_bits((((n as i32) + 127) as u32) << 23);
    if x < -87.0 {
        0.0
    } else {
        p * scale
    }
}

/// `acc += Σ_i w[i] · v(lo + i)`, four value rows per pass over `acc`; stretches of four zero
/// weights (masked keys) are skipped.
#[inline]
fn add_weighted_values<T: UpcastF32 + Copy>(
    acc: &mut [f32],
    w: &[f32],
    values: HeadRows<'_, T>,
    lo: usize,
) {
    let mut i = 0;
    while i + 4 <= w.len() {
        let (w0, w1, w2, w3) = (w[i], w[i + 1], w[i + 2], w[i + 3]);
        if w0 != 0.0 || w1 != 0.0 || w2 != 0.0 || w3 != 0.0 {
            let p = lo + i;
            let (r0, r1, r2, r3) = (
                values.row(p),
                values.row(p + 1),
                values.row(p + 2),
                values.row(p + 3),
            );
            #[cfg(all(
                target_arch = "x86_64",
                target_feature = "avx2",
                target_feature = "fma"
            ))]
            if acc.len() % 8 == 0 {
                if let (Some(f0), Some(f1), Some(f2), Some(f3)) = (
                    T::as_f32s(r0),
                    T::as_f32s(r1),
                    T::as_f32s(r2),
                    T::as_f32s(r3),
                ) {
                    // SAFETY: `row` gives `acc.len()` values, a multiple of eight.
                    unsafe { simd::add_weighted_4(acc, [w0, w1, w2, w3], [f0, f1, f2, f3]) };
                    i += 4;
                    continue;
                }
                if let (Some(f0), Some(f1), Some(f2), Some(f3)) = (
                    T::as_f16s(r0),
                    T::as_f16s(r1),
                    T::as_f16s(r2),
                    T::as_f16s(r3),
                ) {
                    // SAFETY: as above.
                    unsafe { simd::add_weighted_4(acc, [w0, w1, w2, w3], [f0, f1, f2, f3]) };
                    i += 4;
                    continue;
                }
            }
            for ((((a, x0), x1), x2), x3) in acc.iter_mut().zip(r0).zip(r1).zip(r2).zip(r3) {
                *a += (w0 * x0.to_f32() + w1 * x1.to_f32()) + (w2 * x2.to_f32() + w3 * x3.to_f32());
            }
        }
        i += 4;
    }
    for (j, &wj) in w.iter().enumerate().skip(i) {
        if wj != 0.0 {
            for (a, x) in acc.iter_mut().zip(values.row(lo + j)) {
                *a += wj * x.to_f32();
            }
        }
    }
}

/// One query row (already multiplied by the softmax scale) against the keys and values at
/// positions `lo..hi`, in two passes: every score and their maximum, then the weights and the
/// weighted values. Returns `(max, Σ exp(score - max))` and leaves `Σ exp(score - max) · v` in
/// `acc` (which must start at zero). A span where every key is masked gives `(-inf, 0)`.
#[allow(clippy::too_many_arguments)]
fn attend_span<T: UpcastF32 + Copy>(
    q: &[f32],
    keys: HeadRows<'_, T>,
    values: HeadRows<'_, T>,
    lo: usize,
    hi: usize,
    mask: &MaskRow<'_>,
    softcap: f32,
    scores: &mut Vec<f32>,
    acc: &mut [f32],
) -> (f32, f32) {
    if hi <= lo {
        return (f32::NEG_INFINITY, 0.0);
    }
    scores.clear();
    scores.resize(hi - lo, 0.0);
    let mut p = lo;
    while p + 4 <= hi {
        let s = dot_4keys(
            q,
            [
                keys.row(p),
                keys.row(p + 1),
                keys.row(p + 2),
                keys.row(p + 3),
            ],
        );
        scores[p - lo..p - lo + 4].copy_from_slice(&s);
        p += 4;
    }
    for pos in p..hi {
        scores[pos - lo] = dot_1key(q, keys.row(pos));
    }
    if softcap != 0.0 {
        for s in scores.iter_mut() {
            *s = softcap * s.tanh();
        }
    }
    mask.add_to(scores, lo);
    let m = scores.iter().fold(f32::NEG_INFINITY, |m, &s| m.max(s));
    if m == f32::NEG_INFINITY {
        return (m, 0.0);
    }
    for s in scores.iter_mut() {
        *s = exp_nonpositive(*s - m);
    }
    let sum: f32 = scores.iter().sum();
    add_weighted_values(acc, scores, values, lo);
    (m, sum)
}

/// Copies a query row into `dst` as `f32`, multiplied by `scale`.
#[inline]
fn scaled_query<'d, T: UpcastF32 + Copy>(
    src: &[T],
    scale: f32,
    dst: &'d mut [f32; MAX_HEAD_DIM_ON_STACK],
    heap: &'d mut Vec<f32>,
) -> &'d [f32] {
    let out: &mut [f32] = if src.len() <= MAX_HEAD_DIM_ON_STACK {
        &mut dst[..src.len()]
    } else {
        heap.resize(src.len(), 0.0);
        heap
    };
    for (o, x) in out.iter_mut().zip(src) {
        *o = x.to_f32() * scale;
    }
    out
}

/// Longest and shortest stretch of the cache per decode task, and how many tasks to aim for.
const DECODE_SPAN_MAX: usize = 256;
const DECODE_SPAN_MIN: usize = 32;
const DECODE_TASKS_WANTED: usize = 16;

/// Optimised path for the common decode case: q_len == 1 but kv_len ≫ 1.
/// Each task takes one group of query heads that share a key/value head (so each cached row is
/// read from memory once for the group) and one stretch of the cache; the stretches' partial
/// softmax sums are merged at the end. All maths in `f32`, down-cast once when writing the output.
#[allow(clippy::too_many_arguments)]
fn flash_attn_cpu_single_q<T, KV>(
    q_data: &[T],
    k_data: &[KV],
    v_data: &[KV],
    mask_vec: Option<&[f32]>,
    mask_dims: Option<&[usize]>,
    qshape: &[usize],
    kshape: &[usize],
    vshape: &[usize],
    qstride: &[usize],
    kstride: &[usize],
    vstride: &[usize],
    scale: f32,
    max_bias: f32,
    logit_softcap: f32,
) -> Result<Tensor>
where
    T: WithDType + Copy + UpcastF32 + DowncastF32,
    KV: WithDType + Copy + UpcastF32,
{
    let (b, _q_len, h, d) = (qshape[0], qshape[1], qshape[2], qshape[3]);
    let kv_len = kshape[1];
    let dv = vshape[3];
    let rk2 = h / kshape[2];
    let rv2 = h / vshape[2];
    let n2 = 2_usize.pow((h as f32).log2().ceil() as u32);
    let scale_applied = if logit_softcap != 0.0 {
        scale / logit_softcap
    } else {
        scale
    };

    let mask_info = match (mask_vec, mask_dims) {
        (Some(data), Some(dims)) => Some(MaskInfo { data, dims, b, h }),
        _ => None,
    };

    // Query heads per task: a whole group when keys and values are grouped alike.
    let group = if rk2 == rv2 { rk2 } else { 1 };
    let groups = h / group;
    let span_len = kv_len
        .div_ceil(DECODE_TASKS_WANTED.div_ceil(b * groups))
        .clamp(DECODE_SPAN_MIN, DECODE_SPAN_MAX)
        .next_multiple_of(4);
    let spans = kv_len.div_ceil(span_len).max(1);
    let tasks = b * h * spans;
    // Per task: the unnormalised weighted values, the maximum score and the sum of weights.
    let mut partial_acc = vec![0f32; tasks * dv];
    let mut partial_max = vec![f32::NEG_INFINITY; tasks];
    let mut partial_sum = vec![0f32; tasks];
    let acc_ptr = partial_acc.as_mut_ptr() as usize;
    let max_ptr = partial_max.as_mut_ptr() as usize;
    let sum_ptr = partial_sum.as_mut_ptr() as usize;

    // On the matmul team's threads, which are awake between a layer's matmuls.
    candle_core::quantized::team::run(b * groups * spans, &|task| {
        let (bg, span) = (task / spans, task % spans);
        let (b_i, g) = (bg / groups, bg % groups);
        let lo = span * span_len;
        let hi = (lo + span_len).min(kv_len);
        for h_i in g * group..(g + 1) * group {
            let slope = if max_bias > 0.0 {
                2.0f32.powf(-max_bias * ((h_i + 1) as f32) / n2 as f32)
            } else {
                1.0
            };
            let keys = HeadRows {
                data: k_data,
                base: b_i * kstride[0] + (h_i / rk2) * kstride[2],
                pos_stride: kstride[1],
                width: d,
            };
            let values = HeadRows {
                data: v_data,
                base: b_i * vstride[0] + (h_i / rv2) * vstride[2],
                pos_stride: vstride[1],
                width: dv,
            };
            let q_base = b_i * qstride[0] + h_i * qstride[2];
            let (mut q_stack, mut q_heap) = ([0f32; MAX_HEAD_DIM_ON_STACK], Vec::new());
            let q = scaled_query(
                &q_data[q_base..q_base + d],
                scale_applied,
                &mut q_stack,
                &mut q_heap,
            );
            let mask = MaskRow::new(mask_info.as_ref(), b_i, h_i, 0, kv_len, slope);
            let slot = (b_i * h + h_i) * spans + span;
            // SAFETY: each (head, span) slot is written by one task only, and the buffers
            // outlive the run.
            let (acc, max, sum) = unsafe {
                (
                    std::slice::from_raw_parts_mut((acc_ptr as *mut f32).add(slot * dv), dv),
                    &mut *(max_ptr as *mut f32).add(slot),
                    &mut *(sum_ptr as *mut f32).add(slot),
                )
            };
            SCORES.with_borrow_mut(|scores| {
                (*max, *sum) =
                    attend_span(q, keys, values, lo, hi, &mask, logit_softcap, scores, acc);
            });
        }
    });

    // Merge each head's stretches.
    let mut out = vec![T::cast(0.0); b * h * dv];
    let mut merged = vec![0f32; dv];
    for bh in 0..b * h {
        let first = bh * spans;
        let m = partial_max[first..first + spans]
            .iter()
            .fold(f32::NEG_INFINITY, |m, &x| m.max(x));
        merged.iter_mut().for_each(|x| *x = 0.0);
        let mut total = 0f32;
        if m != f32::NEG_INFINITY {
            for t in first..first + spans {
                if partial_sum[t] == 0.0 {
                    continue;
                }
                let factor = (partial_max[t] - m).exp();
                total += partial_sum[t] * factor;
                for (o, x) in merged.iter_mut().zip(&partial_acc[t * dv..(t + 1) * dv]) {
                    *o += x * factor;
                }
            }
        }
        let inv = if total > 0.0 { 1.0 / total } else { 0.0 };
        for (o, x) in out[bh * dv..(bh + 1) * dv].iter_mut().zip(&merged) {
            *o = T::cast(x * inv);
        }
    }

    Tensor::from_vec(out, (b, h, 1, dv), &Device::Cpu)
}

/// Main forward flash-attention CPU routine.
/// Shapes follow Candle convention: (B, S, H, D)
#[allow(clippy::too_many_arguments)]
fn flash_attn_cpu<T, KV>(
    q_data: &[T],
    k_data: &[KV],
    v_data: &[KV],
    mask_vec: Option<&[f32]>,
    mask_dims: Option<&[usize]>,
    qshape: &[usize],
    kshape: &[usize],
    vshape: &[usize],
    qstride: &[usize],
    kstride: &[usize],
    vstride: &[usize],
    scale: f32,
    max_bias: f32,
    logit_softcap: f32,
) -> Result<Tensor>
where
    T: WithDType + Copy + UpcastF32 + DowncastF32,
    KV: WithDType + Copy + UpcastF32,
{
    let (b, q_len, h, d) = (qshape[0], qshape[1], qshape[2], qshape[3]);
    let kv_len = kshape[1];
    let rk2 = h / kshape[2];
    let rv2 = h / vshape[2];
    let dv = vshape[3];
    let n2 = 2_usize.pow((h as f32).log2().ceil() as u32);
    let scale_applied = if logit_softcap != 0.0 {
        scale / logit_softcap
    } else {
        scale
    };

    let mut out = vec![T::cast(0.0); b * q_len * h * dv];

    assert_eq!(qstride[3], 1, "q must have contiguous rows");
    assert_eq!(kstride[3], 1, "k must have contiguous rows");
    assert_eq!(vstride[3], 1, "v must have contiguous rows");

    let mask_info = match (mask_vec, mask_dims) {
        (Some(data), Some(dims)) => Some(MaskInfo { data, dims, b, h }),
        _ => None,
    };

    let out_ptr = out.as_mut_ptr() as usize;
    let rows = b * h * q_len;
    let one_row = |row_idx: usize, out_row: &mut [T]| {
        // Rows are ordered (batch, head, query position).
        let b_i = row_idx / (h * q_len);
        let h_i = (row_idx / q_len) % h;
        let q_pos = row_idx % q_len;
        let slope = if max_bias > 0.0 {
            2.0f32.powf(-max_bias * ((h_i + 1) as f32) / n2 as f32)
        } else {
            1.0
        };
        let keys = HeadRows {
            data: k_data,
            base: b_i * kstride[0] + (h_i / rk2) * kstride[2],
            pos_stride: kstride[1],
            width: d,
        };
        let values = HeadRows {
            data: v_data,
            base: b_i * vstride[0] + (h_i / rv2) * vstride[2],
            pos_stride: vstride[1],
            width: dv,
        };
        let q_base = b_i * qstride[0] + q_pos * qstride[1] + h_i * qstride[2];
        let (mut q_stack, mut q_heap) = ([0f32; MAX_HEAD_DIM_ON_STACK], Vec::new());
        let q = scaled_query(
            &q_data[q_base..q_base + d],
            scale_applied,
            &mut q_stack,
            &mut q_heap,
        );
        // Keys outside the mask's open span (the future, for a causal mask) are never read.
        let mask = MaskRow::new(mask_info.as_ref(), b_i, h_i, q_pos, kv_len, slope);
        let (lo, hi) = mask.active_span(kv_len);

        let (mut acc_stack, mut acc_heap) = ([0f32; MAX_HEAD_DIM_ON_STACK], Vec::new());
        let acc: &mut [f32] = if dv <= MAX_HEAD_DIM_ON_STACK {
            &mut acc_stack[..dv]
        } else {
            acc_heap.resize(dv, 0.0);
            &mut acc_heap
        };
        let (_, sum) = SCORES.with_borrow_mut(|scores| {
            attend_span(q, keys, values, lo, hi, &mask, logit_softcap, scores, acc)
        });
        // A row with every key masked gives zeros.
        let inv_s = if sum > 0.0 { 1.0 / sum } else { 0.0 };
        for (o, v) in out_row.iter_mut().zip(acc.iter()) {
            *o = T::cast(*v * inv_s);
        }
    };
    // On the matmul team's threads, which are awake between a layer's matmuls.
    candle_core::quantized::team::run(rows.div_ceil(ATTN_ROWS_PER_TASK), &|task| {
        for row_idx in task * ATTN_ROWS_PER_TASK..((task + 1) * ATTN_ROWS_PER_TASK).min(rows) {
            // SAFETY: each row of `out` is written by one task only, and `out` outlives the run.
            let out_row = unsafe {
                std::slice::from_raw_parts_mut((out_ptr as *mut T).add(row_idx * dv), dv)
            };
            one_row(row_idx, out_row);
        }
    });

    let out_shape = (b, h, q_len, dv);
    Tensor::from_vec(out, out_shape, &Device::Cpu)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::SdpaParams;
    use candle_core::{Device, Tensor, D};
    use candle_nn::ops::softmax;

    use candle_core::Result as CandleResult;

    const EPS: f32 = 1e-4;

    #[test]
    fn test_flash_attn_cpu_single_q() -> CandleResult<()> {
        // Test for q_len == 1 (single Q)
        let b = 1;
        let h = 2;
        let d = 4;
        let kv_len = 2;

        // Create q with shape (b, 1, h, d) filled with ones
        let q_vec = vec![1.0f32; b * h * d];
        let q = Tensor::from_vec(q_vec.clone(), (b, 1, h, d), &Device::Cpu)?;

        // Create k and v with shape (b, kv_len, h, d) filled with ones
        let k_vec = vec![1.0f32; b * kv_len * h * d];
        let v_vec = vec![1.0f32; b * kv_len * h * d];
        let k = Tensor::from_vec(k_vec.clone(), (b, kv_len, h, d), &Device::Cpu)?;
        let v = Tensor::from_vec(v_vec.clone(), (b, kv_len, h, d), &Device::Cpu)?;

        // SDPA parameters: scale = 1.0, no softcap
        let sdpa = SdpaParams {
            softmax_scale: 1.0,
            softcap: None,
            n_kv_groups: 1,
            sliding_window: None,
            sinks: None,
        };
        let scale = sdpa.softmax_scale;

        // Run the flash attention CPU function
        let out = run_flash_attn_cpu::<f32, f32>(&q, &k, &v, None, &sdpa)?;
        // Expect output shape (b, h, 1, d)
        assert_eq!(out.shape().dims(), &[b, h, 1, d]);

        // Naive attention
        let q_perm = q.clone().permute((0, 2, 1, 3))?;
        let k_perm = k.clone().permute((0, 2, 1, 3))?;
        let v_perm = v.clone().permute((0, 2, 1, 3))?;

        let q_resh = q_perm.reshape(&[b * h, 1, d])?;
        let k_resh = k_perm.reshape(&[b * h, kv_len, d])?;
        let v_resh = v_perm.reshape(&[b * h, kv_len, d])?;

        let logits = (q_resh.matmul(&k_resh.transpose(1, 2)?)? * scale as f64)?;
        let weights = softmax(&logits, D::Minus1)?;

        let attn_out = weights.matmul(&v_resh)?;

        let naive_out = attn_out.reshape(&[b, h, 1, d])?;

        let flash_data = out.flatten_all()?.to_vec1::<f32>()?;
        let naive_data = naive_out.flatten_all()?.to_vec1::<f32>()?;
        for (f_val, n_val) in flash_data.iter().zip(naive_data.iter()) {
            assert!((f_val - n_val).abs() < EPS);
        }

        Ok(())
    }

    #[test]
    fn test_flash_attn_cpu_full_q() -> CandleResult<()> {
        // Test for q_len > 1 (full Q)
        let b = 1;
        let q_len = 2;
        let h = 2;
        let d = 4;
        let kv_len = 2;

        // Create q with shape (b, q_len, h, d) filled with ones
        let q_vec = vec![1.0f32; b * q_len * h * d];
        let q = Tensor::from_vec(q_vec.clone(), (b, q_len, h, d), &Device::Cpu)?;

        // Create k and v with shape (b, kv_len, h, d) filled with ones
        let k_vec = vec![1.0f32; b * kv_len * h * d];
        let v_vec = vec![1.0f32; b * kv_len * h * d];
        let k = Tensor::from_vec(k_vec.clone(), (b, kv_len, h, d), &Device::Cpu)?;
        let v = Tensor::from_vec(v_vec.clone(), (b, kv_len, h, d), &Device::Cpu)?;

        // SDPA parameters: scale = 1.0, no softcap
        let sdpa = SdpaParams {
            softmax_scale: 1.0,
            softcap: None,
            n_kv_groups: 1,
            sliding_window: None,
            sinks: None,
        };
        let scale = sdpa.softmax_scale;

        // Run the flash attention CPU function
        let out = run_flash_attn_cpu::<f32, f32>(&q, &k, &v, None, &sdpa)?;
        // Expect output shape (b, h, q_len, d)
        assert_eq!(out.shape().dims(), &[b, h, q_len, d]);

        // Naive attention
        let q_perm = q.clone().permute((0, 2, 1, 3))?;
        let k_perm = k.clone().permute((0, 2, 1, 3))?;
        let v_perm = v.clone().permute((0, 2, 1, 3))?;

        let q_resh = q_perm.reshape(&[b * h, q_len, d])?;
        let k_resh = k_perm.reshape(&[b * h, kv_len, d])?;
        let v_resh = v_perm.reshape(&[b * h, kv_len, d])?;

        let logits = (q_resh.matmul(&k_resh.transpose(1, 2)?)? * scale as f64)?;
        let weights = softmax(&logits, D::Minus1)?;

        let attn_out = weights.matmul(&v_resh)?;

        let naive_out = attn_out.reshape(&[b, h, q_len, d])?;

        // 7) Compare element‐by‐element
        let flash_data = out.flatten_all()?.to_vec1::<f32>()?;
        let naive_data = naive_out.flatten_all()?.to_vec1::<f32>()?;
        for (f_val, n_val) in flash_data.iter().zip(naive_data.iter()) {
            assert!((f_val - n_val).abs() < EPS);
        }

        Ok(())
    }

    #[test]
    fn test_flash_attn_cpu_single_q_softcap() -> CandleResult<()> {
        // Test for q_len == 1 (single Q) with softcap
        let b = 1;
        let h = 2;
        let d = 4;
        let kv_len = 2;

        // Create q with shape (b, 1, h, d) filled with ones
        let q_vec = vec![1.0f32; b * h * d];
        let q = Tensor::from_vec(q_vec.clone(), (b, 1, h, d), &Device::Cpu)?;

        // Create k and v with shape (b, kv_len, h, d) filled with ones
        let k_vec = vec![1.0f32; b * kv_len * h * d];
        let v_vec = vec![1.0f32; b * kv_len * h * d];
        let k = Tensor::from_vec(k_vec.clone(), (b, kv_len, h, d), &Device::Cpu)?;
        let v = Tensor::from_vec(v_vec.clone(), (b, kv_len, h, d), &Device::Cpu)?;

        // SDPA parameters: scale = 1.0, softcap = Some(0.5)
        let sdpa = SdpaParams {
            softmax_scale: 1.0,
            softcap: Some(0.5),
            n_kv_groups: 1,
            sliding_window: None,
            sinks: None,
        };
        let scale = sdpa.softmax_scale;
        let sc = sdpa.softcap.unwrap();

        // Run the flash attention CPU function
        let out = run_flash_attn_cpu::<f32, f32>(&q, &k, &v, None, &sdpa)?;
        // Expect output shape (b, h, 1, d)
        assert_eq!(out.shape().dims(), &[b, h, 1, d]);

        // Naive attention with softcap
        let q_perm = q.clone().permute((0, 2, 1, 3))?;
        let k_perm = k.clone().permute((0, 2, 1, 3))?;
        let v_perm = v.clone().permute((0, 2, 1, 3))?;

        let q_resh = q_perm.reshape(&[b * h, 1, d])?;
        let k_resh = k_perm.reshape(&[b * h, kv_len, d])?;
        let v_resh = v_perm.reshape(&[b * h, kv_len, d])?;

        let logits = (q_resh.matmul(&k_resh.transpose(1, 2)?)? * scale as f64)?;

        let logits = (logits / sc as f64)?;
        let logits = logits.tanh()?;
        let logits = (logits * sc as f64)?;

        let weights = softmax(&logits, D::Minus1)?;
        let attn_out = weights.matmul(&v_resh)?;
        let naive_out = attn_out.reshape(&[b, h, 1, d])?;

        let flash_data = out.flatten_all()?.to_vec1::<f32>()?;
        let naive_data = naive_out.flatten_all()?.to_vec1::<f32>()?;
        for (f_val, n_val) in flash_data.iter().zip(naive_data.iter()) {
            assert!((f_val - n_val).abs() < EPS);
        }
        Ok(())
    }

    #[test]
    fn test_flash_attn_cpu_full_q_softcap() -> CandleResult<()> {
        // Test for q_len > 1 (full Q) with softcap
        let b = 1;
        let q_len = 2;
        let h = 2;
        let d = 4;
        let kv_len = 2;

        // Create q with shape (b, q_len, h, d) filled with ones
        let q_vec = vec![1.0f32; b * q_len * h * d];
        let q = Tensor::from_vec(q_vec.clone(), (b, q_len, h, d), &Device::Cpu)?;

        // Create k and v with shape (b, kv_len, h, d) filled with ones
        let k_vec = vec![1.0f32; b * kv_len * h * d];
        let v_vec = vec![1.0f32; b * kv_len * h * d];
        let k = Tensor::from_vec(k_vec.clone(), (b, kv_len, h, d), &Device::Cpu)?;
        let v = Tensor::from_vec(v_vec.clone(), (b, kv_len, h, d), &Device::Cpu)?;

        // SDPA parameters: scale = 1.0, softcap = Some(0.5)
        let sdpa = SdpaParams {
            softmax_scale: 1.0,
            softcap: Some(0.5),
            n_kv_groups: 1,
            sliding_window: None,
            sinks: None,
        };
        let scale = sdpa.softmax_scale;
        let sc = sdpa.softcap.unwrap();

        // Run the flash attention CPU function
        let out = run_flash_attn_cpu::<f32, f32>(&q, &k, &v, None, &sdpa)?;
        // Expect output shape (b, h, q_len, d)
        assert_eq!(out.shape().dims(), &[b, h, q_len, d]);

        // Naive attention with softcap
        let q_perm = q.clone().permute((0, 2, 1, 3))?;
        let k_perm = k.clone().permute((0, 2, 1, 3))?;
        let v_perm = v.clone().permute((0, 2, 1, 3))?;

        let q_resh = q_perm.reshape(&[b * h, q_len, d])?;
        let k_resh = k_perm.reshape(&[b * h, kv_len, d])?;
        let v_resh = v_perm.reshape(&[b * h, kv_len, d])?;

        let logits = (q_resh.matmul(&k_resh.transpose(1, 2)?)? * scale as f64)?;

        let logits = (logits / sc as f64)?;
        let logits = logits.tanh()?;
        let logits = (logits * sc as f64)?;

        let weights = softmax(&logits, D::Minus1)?;
        let attn_out = weights.matmul(&v_resh)?;
        let naive_out = attn_out.reshape(&[b, h, q_len, d])?;

        let flash_data = out.flatten_all()?.to_vec1::<f32>()?;
        let naive_data = naive_out.flatten_all()?.to_vec1::<f32>()?;
        for (f_val, n_val) in flash_data.iter().zip(naive_data.iter()) {
            assert!((f_val - n_val).abs() < EPS);
        }
        Ok(())
    }
}
