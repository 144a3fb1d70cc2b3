//! The quantized CPU matmul kernels of our candle-core (vendor/candle-core) against upstream's
//! scalar reference: every shape class the engine hits (one row when decoding, many rows in
//! tiles of four when reading a prompt, ragged edges) and every weight type with its own kernel.

use candle_core::quantized::k_quants::{
    matmul, quantize_row_q8_1_scalar, BlockQ4_0, BlockQ4_1, BlockQ8_0, BlockQ8_1, GgmlType,
};

mod common;
use common::values;

fn quantize<T: GgmlType>(xs: &[f32], k: usize) -> Vec<T> {
    let blocks_per_row = k / T::BLCK_SIZE;
    let mut out = vec![T::zeros(); xs.len() / T::BLCK_SIZE];
    for (row, q) in xs.chunks(k).zip(out.chunks_mut(blocks_per_row)) {
        T::from_float(row, q);
    }
    out
}

/// `matmul` of an m×k activation matrix with n quantized weight rows agrees with upstream's
/// scalar dot product on the same quantized inputs, cell by cell.
fn agrees_with_scalar_reference<T: GgmlType>(m: usize, k: usize, n: usize) {
    let lhs = values(m as u64 * 31 + k as u64, m * k);
    let weights = quantize::<T>(&values(n as u64 * 7 + 1, n * k), k);
    let mut dst = vec![f32::NAN; m * n];
    matmul((m, k, n), &lhs, &weights, &mut dst).unwrap();

    let lhs_q = quantize::<T::VecDotType>(&lhs, k);
    let blocks = k / T::BLCK_SIZE;
    for row in 0..m {
        for col in 0..n {
            let expected = T::vec_dot_unopt(
                k,
                &weights[col * blocks..(col + 1) * blocks],
                &lhs_q[row * blocks..(row + 1) * blocks],
            );
            let got = dst[row * n + col];
            assert!(
                (got - expected).abs() <= 1e-3 * (1.0 + expected.abs()),
                "{:?} m={m} k={k} n={n}: cell ({row},{col}) is {got}, scalar reference {expected}",
                T::DTYPE
            );
        }
    }
}

fn all_shapes<T: GgmlType>() {
    // decode (m = 1), small enough to stay on one thread and large enough for the pool
    for (m, k, n) in [
        (1, 64, 5),
        (1, 576, 1536),
        (2, 64, 3),
        (3, 96, 17),
        (4, 576, 192),
        (7, 576, 37),
        (64, 576, 576),
        (130, 1536, 50),
    ] {
        agrees_with_scalar_reference::<T>(m, k, n);
    }
}

#[test]
fn q4_1_matmul_matches_the_scalar_reference() {
    all_shapes::<BlockQ4_1>();
}

#[test]
fn q4_0_matmul_matches_the_scalar_reference() {
    all_shapes::<BlockQ4_0>();
}

#[test]
fn q8_0_matmul_matches_the_scalar_reference() {
    all_shapes::<BlockQ8_0>();
}

#[test]
fn q8_1_activation_quantization_matches_the_scalar_reference() {
    // Bit for bit, ties included: a rounding difference changes the model's greedy answers.
    let k = 576;
    let mut xs = values(5, 3 * k);
    xs[40] = 0.0; // a block with an exact zero, one all zero, and exact ties after scaling
    for x in &mut xs[64..96] {
        *x = 0.0;
    }
    // Largest magnitude 127, so the scale is exactly 1 and ±x.5 values are ties.
    xs[96] = 127.0;
    for (i, x) in xs[97..128].iter_mut().enumerate() {
        *x = (i as f32 - 15.0) + 0.5;
    }
    let mut fast = vec![BlockQ8_1::zeros(); xs.len() / 32];
    let mut reference = fast.clone();
    BlockQ8_1::from_float(&xs, &mut fast);
    quantize_row_q8_1_scalar(&xs, &mut reference);
    for (b, (f, r)) in fast.iter().zip(&reference).enumerate() {
        assert_eq!(block_bytes(f), block_bytes(r), "block {b}");
    }
    // The tie block really has ties, rounded away from zero: 0.5 -> 1, -0.5 -> -1, 1.5 -> 2.
    let ties = block_bytes(&fast[3]);
    assert_eq!(
        &ties[4..8],
        &[127, (-15i8) as u8, (-14i8) as u8, (-13i8) as u8]
    );
    assert_eq!(ties[4 + 1 + 15] as i8, 1);
    assert_eq!(ties[4 + 1 + 14] as i8, -1);
}

/// The 36 bytes of a Q8_1 block: scale (f16), scaled sum (f16), 32 values.
fn block_bytes(b: &BlockQ8_1) -> [u8; 36] {
    // SAFETY: BlockQ8_1 is repr(C), 36 bytes of plain data.
    unsafe { std::mem::transmute_copy(b) }
}

#[test]
fn q4_1_matmul_is_close_to_the_float_product_of_its_weights() {
    // Guards against a kernel and the reference being wrong the same way: the result equals the
    // f32 product with the dequantized weights, up to the 8-bit rounding of the activations.
    let (m, k, n) = (5, 576, 9);
    let lhs = values(3, m * k);
    let weights = quantize::<BlockQ4_1>(&values(4, n * k), k);
    let mut dequantized = vec![0f32; n * k];
    BlockQ4_1::to_float(&weights, &mut dequantized);
    let mut dst = vec![0f32; m * n];
    matmul((m, k, n), &lhs, &weights, &mut dst).unwrap();
    for row in 0..m {
        for col in 0..n {
            let exact: f32 = (0..k)
                .map(|i| lhs[row * k + i] * dequantized[col * k + i])
                .sum();
            let got = dst[row * n + col];
            assert!(
                (got - exact).abs() < 0.25,
                "({row},{col}): {got} vs {exact}"
            );
        }
    }
}

#[test]
fn matmuls_from_many_threads_at_once_all_finish_with_right_answers() {
    // The matmul team serves one caller at a time and the others take rayon's pool; thousands of
    // back-to-back jobs from several threads must neither hang nor mix up their outputs.
    let (m, k, n) = (1, 576, 1536);
    let lhs = values(11, m * k);
    let weights = quantize::<BlockQ4_1>(&values(12, n * k), k);
    let mut expected = vec![0f32; n];
    matmul((m, k, n), &lhs, &weights, &mut expected).unwrap();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..500 {
                    let mut dst = vec![0f32; n];
                    matmul((m, k, n), &lhs, &weights, &mut dst).unwrap();
                    assert_eq!(dst, expected);
                }
            });
        }
    });
}

#[test]
fn embedding_rows_dequantize_like_the_whole_table() {
    // The engine looks token embeddings up row by row in the quantized table.
    use candle_core::quantized::{GgmlDType, QTensor};
    use candle_core::{Device, Tensor};
    let (rows, cols) = (37, 576);
    let table = Tensor::from_vec(values(21, rows * cols), (rows, cols), &Device::Cpu).unwrap();
    for dtype in [GgmlDType::Q8_0, GgmlDType::Q4_1, GgmlDType::F16] {
        let q = QTensor::quantize(&table, dtype).unwrap();
        let full = q
            .dequantize(&Device::Cpu)
            .unwrap()
            .to_vec2::<f32>()
            .unwrap();
        let ids = [0u32, 36, 5, 5, 17];
        let got = q.dequantize_rows(&ids).unwrap().to_vec2::<f32>().unwrap();
        for (row, &id) in got.iter().zip(&ids) {
            assert_eq!(row, &full[id as usize], "{dtype:?} row {id}");
        }
        let err = q.dequantize_rows(&[37]).unwrap_err().to_string();
        assert!(err.contains("row 37 of a 37-row matrix"), "{err}");
    }
}
