//! Meaning-based search over passage vectors: brute-force dot products over 8-bit codes, kept in
//! memory in segments that grow as the embedding job adds vectors.

use std::collections::HashSet;
use std::sync::Arc;

use crate::embed::DIMENSIONS;
use crate::index::DocKey;
use crate::store::EmbeddingStamp;

/// A vector as signed 8-bit codes and one scale (`value ≈ code × scale`): a quarter of f32's
/// memory, and the dot product of two code vectors is exact integer arithmetic.
fn quantize(v: &[f32], codes: &mut Vec<i8>) -> f32 {
    let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
    let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
    codes.extend(
        v.iter()
            .map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8),
    );
    scale
}

/// Sum of products as 32-bit integers (a 384-long sum of products of at most 127² fits easily).
/// Written with wrapping operations: they cannot overflow here, and without overflow checks (on
/// in debug builds) the loop vectorizes; with them it ran one product at a time.
fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    a.iter().zip(b).fold(0i32, |sum, (&x, &y)| {
        sum.wrapping_add(i32::from(x).wrapping_mul(i32::from(y)))
    })
}

/// Vectors added together, searched together.
#[derive(Default)]
struct Segment {
    keys: Vec<DocKey>,
    scales: Vec<f32>,
    codes: Vec<i8>,
}

impl Segment {
    fn push(&mut self, key: DocKey, vector: &[f32]) {
        self.keys.push(key);
        let scale = quantize(vector, &mut self.codes);
        self.scales.push(scale);
    }

    fn len(&self) -> usize {
        self.keys.len()
    }
}

/// Most segments kept before they are merged into one (each query walks every segment, and the
/// embedding job adds one per refresh).
const MAX_SEGMENTS: usize = 8;

/// Every passage vector of one model, and the store's stamp they match.
#[derive(Default, Clone)]
pub struct DenseIndex {
    pub stamp: EmbeddingStamp,
    segments: Vec<Arc<Segment>>,
}

/// Reads vector bytes (little-endian f32) into `out`; false when the length is wrong.
fn read_vector(bytes: &[u8], out: &mut Vec<f32>) -> bool {
    if bytes.len() != DIMENSIONS * 4 {
        return false;
    }
    out.clear();
    out.extend(
        bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
    );
    true
}

/// Collects rows (row id, document, vector bytes) into a new segment.
pub struct SegmentBuilder {
    segment: Segment,
    last_row: i64,
    buffer: Vec<f32>,
}

impl SegmentBuilder {
    pub fn new(after_row: i64) -> Self {
        Self {
            segment: Segment::default(),
            last_row: after_row,
            buffer: Vec::with_capacity(DIMENSIONS),
        }
    }

    /// Adds one stored row; a vector of the wrong size is skipped.
    pub fn add(&mut self, row: i64, key: DocKey, bytes: &[u8]) {
        self.last_row = self.last_row.max(row);
        if read_vector(bytes, &mut self.buffer) {
            self.segment.push(key, &self.buffer);
        }
    }
}

impl DenseIndex {
    /// A new index holding this one's vectors and the builder's (older segments are shared, not
    /// copied, unless there are too many of them); `changes` is the store's change count read
    /// before the builder's rows were.
    pub fn extended(&self, built: SegmentBuilder, changes: i64) -> DenseIndex {
        let mut segments = self.segments.clone();
        if built.segment.len() > 0 {
            segments.push(Arc::new(built.segment));
        }
        if segments.len() > MAX_SEGMENTS {
            let mut merged = Segment::default();
            for s in &segments {
                merged.keys.extend_from_slice(&s.keys);
                merged.scales.extend_from_slice(&s.scales);
                merged.codes.extend_from_slice(&s.codes);
            }
            segments = vec![Arc::new(merged)];
        }
        DenseIndex {
            stamp: EmbeddingStamp {
                last_row: built.last_row,
                changes,
            },
            segments,
        }
    }

    /// Vectors searched (those of the right size).
    pub fn len(&self) -> usize {
        self.segments.iter().map(|s| s.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes the vectors take in memory.
    pub fn memory_bytes(&self) -> usize {
        self.segments
            .iter()
            .map(|s| {
                s.codes.len() + s.scales.len() * 4 + s.keys.len() * std::mem::size_of::<DocKey>()
            })
            .sum()
    }

    /// The best `limit` documents by their best passage's cosine with `query` (a unit vector),
    /// among `allowed` if given.
    pub fn top(
        &self,
        query: &[f32],
        limit: usize,
        allowed: Option<&HashSet<DocKey>>,
    ) -> Vec<(DocKey, f32)> {
        let mut q = Vec::with_capacity(DIMENSIONS);
        let q_scale = quantize(query, &mut q);
        let mut scored: Vec<(f32, DocKey)> = Vec::with_capacity(self.len());
        for s in &self.segments {
            for ((key, scale), codes) in s
                .keys
                .iter()
                .zip(&s.scales)
                .zip(s.codes.chunks_exact(DIMENSIONS))
            {
                if allowed.is_some_and(|a| !a.contains(key)) {
                    continue;
                }
                scored.push((dot_i8(codes, &q) as f32 * scale * q_scale, *key));
            }
        }
        best_per_document(scored, limit)
    }
}

/// The `limit` documents whose best passage scores highest. Only the top passages are sorted:
/// if the best `n` passages hold `limit` documents, no document outside them can beat those.
fn best_per_document(mut scored: Vec<(f32, DocKey)>, limit: usize) -> Vec<(DocKey, f32)> {
    let order = |a: &(f32, DocKey), b: &(f32, DocKey)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    let mut n = (limit * 4).max(64);
    loop {
        let n_now = n.min(scored.len());
        if n_now == 0 {
            return Vec::new();
        }
        if n_now < scored.len() {
            scored.select_nth_unstable_by(n_now - 1, order);
        }
        let mut top = scored[..n_now].to_vec();
        top.sort_by(order);
        let mut seen = HashSet::new();
        let ranked: Vec<(DocKey, f32)> = top
            .into_iter()
            .filter(|(_, key)| seen.insert(*key))
            .map(|(score, key)| (key, score))
            .take(limit)
            .collect();
        if ranked.len() >= limit || n_now == scored.len() {
            return ranked;
        }
        n *= 4;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic unit vectors.
    fn vectors(n: usize, seed: u64) -> Vec<Vec<f32>> {
        let mut state = seed;
        (0..n)
            .map(|_| {
                let mut v: Vec<f32> = (0..DIMENSIONS)
                    .map(|_| {
                        state = state
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        ((state >> 33) as f32 / (1u64 << 31) as f32) - 0.5
                    })
                    .collect();
                let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                v.iter_mut().for_each(|x| *x /= norm);
                v
            })
            .collect()
    }

    fn bytes(v: &[f32]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    fn index_of(vs: &[Vec<f32>]) -> DenseIndex {
        let mut b = SegmentBuilder::new(0);
        for (i, v) in vs.iter().enumerate() {
            b.add(i as i64 + 1, DocKey::Message(i as i64), &bytes(v));
        }
        DenseIndex::default().extended(b, 0)
    }

    #[test]
    fn documents_with_many_strong_passages_do_not_crowd_out_the_others() {
        // Note 1 has the 100 best passages; the next documents still make the list, in order.
        let mut scored: Vec<(f32, DocKey)> = (0..100)
            .map(|i| (0.9 - i as f32 * 1e-4, DocKey::Note(1)))
            .collect();
        scored.extend((2..10).map(|n| (0.5 - n as f32 * 0.01, DocKey::Note(n))));
        scored.push((0.45, DocKey::Note(2)));
        let top = best_per_document(scored, 4);
        assert_eq!(
            top.iter().map(|t| t.0).collect::<Vec<_>>(),
            vec![
                DocKey::Note(1),
                DocKey::Note(2),
                DocKey::Note(3),
                DocKey::Note(4)
            ]
        );
        assert_eq!(top[0].1, 0.9);
        assert!((top[1].1 - 0.48).abs() < 1e-6);
        assert!(best_per_document(Vec::new(), 3).is_empty());
    }

    #[test]
    fn eight_bit_scores_stay_within_a_hundredth_of_the_cosine() {
        let vs = vectors(200, 7);
        let index = index_of(&vs);
        let query = &vectors(1, 99)[0];
        for (key, score) in index.top(query, 200, None) {
            let DocKey::Message(i) = key else {
                unreachable!()
            };
            let exact: f32 = vs[i as usize].iter().zip(query).map(|(a, b)| a * b).sum();
            assert!((score - exact).abs() < 0.01, "{key}: {score} vs {exact}");
        }
    }

    #[test]
    fn a_near_copy_of_a_vector_finds_it_first() {
        let vs = vectors(500, 3);
        let index = index_of(&vs);
        for target in [0usize, 137, 499] {
            let mut q = vs[target].clone();
            q[0] += 0.05;
            let norm = q.iter().map(|x| x * x).sum::<f32>().sqrt();
            q.iter_mut().for_each(|x| *x /= norm);
            let top = index.top(&q, 1, None);
            assert_eq!(top[0].0, DocKey::Message(target as i64));
            assert!(top[0].1 > 0.99);
        }
    }

    #[test]
    fn segments_grow_share_and_merge_and_documents_rank_by_their_best_passage() {
        let vs = vectors(40, 11);
        let mut index = DenseIndex::default();
        for (round, group) in vs.chunks(4).enumerate() {
            let mut b = SegmentBuilder::new(index.stamp.last_row);
            for (i, v) in group.iter().enumerate() {
                // Two passages per document.
                let n = round * 4 + i;
                b.add(n as i64 + 1, DocKey::Note((n / 2) as i64), &bytes(v));
            }
            let before = index.clone();
            index = index.extended(b, 0);
            assert_eq!(before.len() + 4, index.len());
            assert!(index.segments.len() <= MAX_SEGMENTS);
        }
        assert_eq!(index.len(), 40);
        assert_eq!(index.stamp.last_row, 40);
        // Each of note 7's passages finds note 7, whichever passage the query is near.
        assert_eq!(index.top(&vs[14], 1, None)[0].0, DocKey::Note(7));
        assert_eq!(index.top(&vs[15], 1, None)[0].0, DocKey::Note(7));
        assert_eq!(index.top(&vs[15], 100, None).len(), 20);
        // A filter keeps only the allowed documents.
        let allowed: HashSet<DocKey> = [DocKey::Note(3)].into_iter().collect();
        let only = index.top(&vs[15], 10, Some(&allowed));
        assert_eq!(
            only.iter().map(|h| h.0).collect::<Vec<_>>(),
            vec![DocKey::Note(3)]
        );
        // A vector of the wrong size moves the stamp on but is never returned.
        let mut b = SegmentBuilder::new(index.stamp.last_row);
        b.add(41, DocKey::Note(99), &[0u8; 12]);
        let index = index.extended(b, 3);
        assert_eq!(
            index.stamp,
            EmbeddingStamp {
                last_row: 41,
                changes: 3
            }
        );
        assert_eq!(index.len(), 40);
        assert_eq!(
            index.memory_bytes() / 40,
            DIMENSIONS + 4 + std::mem::size_of::<DocKey>()
        );
    }
}
