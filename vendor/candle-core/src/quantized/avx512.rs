//! AVX-512 VNNI kernel for Q4_1 weights × Q8_1 activations over many activation rows (prompts).
//!
//! The AVX2 tile kernel (`avx.rs`) puts one weight row's block in a register and pays a
//! conversion, a scale product and a multiply-add for every (block, weight row, activation row)
//! cell: about four multiply-adds of real work per instruction. Here, as in a GEMM library, a
//! panel of 16 weight rows is first unpacked to bytes and transposed so that one register holds
//! four consecutive weights of each of the 16 rows; one `vpdpbusd` against four broadcast
//! activation bytes then advances 16 dot products at once, and the per-block scaling is one
//! multiply-add per 16 cells. The panel is packed once per task and reused for every activation
//! row. Chosen at run time (see `available`); other CPUs keep the AVX2 kernels.

use super::k_quants::{BlockQ4_1, BlockQ8_1};
use core::arch::x86_64::*;

/// Weight rows (output columns) in a panel: the lanes of one 512-bit register of i32.
pub(crate) const PANEL_COLS: usize = 16;
/// Activation rows computed together against a panel.
pub(crate) const TILE_ROWS: usize = 8;

/// Whether this CPU has AVX-512 F/BW/VL/VNNI and `CANDLE_DISABLE_AVX512` is not `1` (which keeps
/// the AVX2 kernels, to test and measure them). Decided once per process.
pub(crate) fn available() -> bool {
    static AVX512: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVX512.get_or_init(|| {
        let disabled = std::env::var_os("CANDLE_DISABLE_AVX512").is_some_and(|v| v == "1");
        !disabled
            && std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512vl")
            && std::arch::is_x86_feature_detected!("avx512vnni")
    })
}

/// Up to 16 weight rows of Q4_1 blocks, unpacked and transposed for `tile`: for block `i` and
/// `j` in 0..8, `q[i * 8 + j]` holds in lane `c` the four weights `4j..4j + 4` of row `c` (values
/// 0..=15, one per byte); `d` and `m` hold the 16 rows' scales and minimums per block as f32.
/// Rows past the last real one are zero, so they contribute nothing.
pub(crate) struct Panel {
    q: Vec<__m512i>,
    d: Vec<f32>,
    m: Vec<f32>,
}

impl Panel {
    pub(crate) fn new(nb: usize) -> Self {
        let mut panel = Self { q: Vec::new(), d: Vec::new(), m: Vec::new() };
        panel.resize(nb);
        panel
    }

    /// Makes room for `nb` blocks, keeping the allocation (tasks reuse one panel per thread).
    pub(crate) fn resize(&mut self, nb: usize) {
        // SAFETY: an all-zero bit pattern is a valid __m512i.
        let zero = unsafe { _mm512_setzero_si512() };
        self.q.resize(nb * 8, zero);
        self.d.resize(nb * PANEL_COLS, 0.0);
        self.m.resize(nb * PANEL_COLS, 0.0);
    }

    /// Packs `rows` weight rows of `nb` blocks each, stored one after the other in `w`.
    ///
    /// # Safety
    /// `available()` is true, `1 <= rows <= 16`, `w.len() >= rows * nb`, and the panel was made
    /// with `Panel::new(nb)` or last resized to `nb`.
    #[target_feature(enable = "avx512f,avx512bw,avx512vl")]
    pub(crate) unsafe fn pack(&mut self, w: &[BlockQ4_1], nb: usize, rows: usize) {
        debug_assert!((1..=PANEL_COLS).contains(&rows) && w.len() >= rows * nb);
        debug_assert!(self.q.len() == nb * 8);
        let block_bytes = std::mem::size_of::<BlockQ4_1>() as i32;
        let lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        // Byte offset of each row's first block; lanes of missing rows are masked off.
        let row_offsets = _mm512_mullo_epi32(lane, _mm512_set1_epi32(nb as i32 * block_bytes));
        let mask: __mmask16 = if rows == PANEL_COLS { 0xffff } else { (1u16 << rows) - 1 };
        let low_nibbles = _mm512_set1_epi32(0x0f0f_0f0f);
        let zero = _mm512_setzero_si512();
        for i in 0..nb {
            let base = (w.as_ptr() as *const u8).add(i * block_bytes as usize);
            // d (low half) and m (high half) of each row's block, as f16.
            let dm = _mm512_mask_i32gather_epi32::<1>(zero, mask, row_offsets, base as *const i32);
            let d = _mm512_cvtph_ps(_mm512_cvtepi32_epi16(dm));
            let m = _mm512_cvtph_ps(_mm512_cvtepi32_epi16(_mm512_srli_epi32::<16>(dm)));
            _mm512_storeu_ps(self.d.as_mut_ptr().add(i * PANEL_COLS), d);
            _mm512_storeu_ps(self.m.as_mut_ptr().add(i * PANEL_COLS), m);
            // The 16 bytes of nibbles as four i32 per row: low nibbles are weights 0..16, high
            // nibbles weights 16..32 of the block.
            for p in 0..4 {
                let v = _mm512_mask_i32gather_epi32::<1>(
                    zero,
                    mask,
                    row_offsets,
                    base.add(4 + 4 * p) as *const i32,
                );
                *self.q.get_unchecked_mut(i * 8 + p) = _mm512_and_si512(v, low_nibbles);
                *self.q.get_unchecked_mut(i * 8 + 4 + p) =
                    _mm512_and_si512(_mm512_srli_epi32::<4>(v), low_nibbles);
            }
        }
    }
}

/// Eight activation rows against a packed panel: for each row `r`,
/// `out[r][c] = Σ_i d[c][i]·yd[r][i]·(w[c][i].qs · y[r][i].qs) + m[c][i]·ys[r][i]` for the
/// first `cols` columns; rows `r >= rows` are computed but not written.
///
/// # Safety
/// `available()` is true; the panel holds `nb` blocks; `y[r]`, `yd[r]` and `ys[r]` point at `nb`
/// readable entries; for `r < rows`, `out[r]` points at `cols` writable f32 no other thread
/// touches; `cols <= 16`.
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vnni")]
pub(crate) unsafe fn tile(
    nb: usize,
    panel: &Panel,
    y: [*const BlockQ8_1; TILE_ROWS],
    yd: [*const f32; TILE_ROWS],
    ys: [*const f32; TILE_ROWS],
    out: [*mut f32; TILE_ROWS],
    rows: usize,
    cols: usize,
) {
    let mut acc = [_mm512_setzero_ps(); TILE_ROWS];
    let q = panel.q.as_ptr();
    for i in 0..nb {
        let mut sums = [_mm512_setzero_si512(); TILE_ROWS];
        let qs: [*const i32; TILE_ROWS] = y.map(|y| (*y.add(i)).qs.as_ptr() as *const i32);
        for j in 0..8 {
            let w = *q.add(i * 8 + j);
            for r in 0..TILE_ROWS {
                let a = _mm512_set1_epi32(qs[r].add(j).read_unaligned());
                sums[r] = _mm512_dpbusd_epi32(sums[r], w, a);
            }
        }
        let d = _mm512_loadu_ps(panel.d.as_ptr().add(i * PANEL_COLS));
        let m = _mm512_loadu_ps(panel.m.as_ptr().add(i * PANEL_COLS));
        for r in 0..TILE_ROWS {
            let scale = _mm512_mul_ps(d, _mm512_set1_ps(*yd[r].add(i)));
            acc[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sums[r]), scale, acc[r]);
            acc[r] = _mm512_fmadd_ps(m, _mm512_set1_ps(*ys[r].add(i)), acc[r]);
        }
    }
    let mask: __mmask16 = if cols >= PANEL_COLS { 0xffff } else { (1u16 << cols) - 1 };
    for r in 0..rows.min(TILE_ROWS) {
        _mm512_mask_storeu_ps(out[r], mask, acc[r]);
    }
}
