//! Element-wise CPU loops that go to rayon's pool only when there is enough work to pay for it.
//!
//! Upstream runs every row of a norm, softmax or rotary embedding through `par_chunks`. When the
//! caller is not a rayon worker (the engine's thread), even a single row is handed to the pool and
//! the caller sleeps until a worker has run it: while decoding one token that is a sleep and a
//! wake-up per norm and per rotary embedding, ~90 per token for the default model, on a machine
//! where the other core is busy with the matmuls.

use rayon::prelude::*;

/// Below this many source elements the loop runs on the calling thread.
pub const MIN_PARALLEL_ELEMENTS: usize = 1 << 16;

/// `f(i, (src_chunk, dst_chunk))` for the matching `chunk`-sized pieces of `src` and `dst`, in
/// parallel only for large inputs.
pub fn for_each_chunk_pair<S: Sync, D: Send>(
    src: &[S],
    dst: &mut [D],
    chunk: usize,
    f: impl Fn(usize, (&[S], &mut [D])) + Sync + Send,
) {
    if src.len() < MIN_PARALLEL_ELEMENTS {
        src.chunks(chunk)
            .zip(dst.chunks_mut(chunk))
            .enumerate()
            .for_each(|(i, pair)| f(i, pair));
    } else {
        src.par_chunks(chunk)
            .zip(dst.par_chunks_mut(chunk))
            .enumerate()
            .for_each(|(i, pair)| f(i, pair));
    }
}
