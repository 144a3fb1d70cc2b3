//! Local sentence embeddings with all-MiniLM-L6-v2 (the only module that uses candle and
//! tokenizers directly): text → 384 numbers of length 1, so a dot product is the cosine.

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{PaddingParams, Tokenizer, TruncationParams};

use crate::error::{CoreError, Result};

/// The embedding model's id: stored beside every vector, so vectors of another model are never mixed.
pub const EMBEDDING_MODEL_ID: &str = "all-minilm-l6-v2";
pub const DIMENSIONS: usize = 384;
/// The model reads at most this many word pieces of a passage.
const MAX_TOKENS: usize = 256;
/// The files a model folder must hold.
pub const MODEL_FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];

pub struct Embedder {
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
}

fn model_error(dir: &Path, reason: impl std::fmt::Display) -> CoreError {
    CoreError::InvalidModelFile {
        file: dir.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// Where the embedding model lives in a data folder.
pub fn model_dir(models_dir: &Path) -> PathBuf {
    models_dir.join(EMBEDDING_MODEL_ID)
}

impl Embedder {
    /// Loads the model from a folder with `config.json`, `tokenizer.json` and `model.safetensors`.
    pub fn load(dir: &Path) -> Result<Self> {
        for f in MODEL_FILES {
            if !dir.join(f).is_file() {
                return Err(CoreError::ModelNotInstalled {
                    id: format!("{EMBEDDING_MODEL_ID} ({} is missing; run `assistant embed --model DIR` once with the folder from scripts/fetch-embedding-model.sh)", dir.join(f).display()),
                });
            }
        }
        let config: Config = serde_json::from_str(
            &std::fs::read_to_string(dir.join("config.json"))
                .map_err(|e| CoreError::io(dir.join("config.json"), e))?,
        )
        .map_err(|e| model_error(&dir.join("config.json"), e))?;
        let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json"))
            .map_err(|e| model_error(&dir.join("tokenizer.json"), e))?;
        tokenizer.with_padding(Some(PaddingParams::default()));
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))
            .map_err(|e| model_error(&dir.join("tokenizer.json"), e))?;
        let device = Device::Cpu;
        let weights = dir.join("model.safetensors");
        // Safety: the file is memory-mapped read-only; it is ours, in the data folder, and not
        // changed while the app runs.
        let vb = unsafe { VarBuilder::from_mmaped_safetensors(&[&weights], DType::F32, &device) }
            .map_err(|e| model_error(&weights, e))?;
        let model = BertModel::load(vb, &config).map_err(|e| model_error(&weights, e))?;
        Ok(Self {
            model,
            tokenizer,
            device,
        })
    }

    /// Vectors for many texts, `batch` at a time, the batches spread over the CPU cores with one
    /// single-threaded model call per core: most of a BERT forward pass outside the matrix
    /// multiplies (GELU, softmax, layer norm, broadcasting) runs on one thread, so one call per
    /// core keeps both busy where one two-thread call left one idle most of the time.
    pub fn embed_many(&self, texts: &[&str], batch: usize) -> Result<Vec<Vec<f32>>> {
        let batches: Vec<&[&str]> = texts.chunks(batch.max(1)).collect();
        let workers = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(batches.len());
        if workers <= 1 {
            return Ok(batches
                .iter()
                .map(|b| self.embed(b))
                .collect::<Result<Vec<_>>>()?
                .concat());
        }
        let next = std::sync::atomic::AtomicUsize::new(0);
        let mut out: Vec<Option<Result<Vec<Vec<f32>>>>> =
            (0..batches.len()).map(|_| None).collect();
        let results = std::sync::Mutex::new(&mut out);
        std::thread::scope(|scope| {
            let work = || {
                candle_core::utils::with_num_threads(1, || loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(b) = batches.get(i) else { break };
                    let r = self.embed(b);
                    results.lock().expect("embedding results")[i] = Some(r);
                })
            };
            for _ in 1..workers {
                scope.spawn(work);
            }
            work();
        });
        let mut vectors = Vec::with_capacity(texts.len());
        for r in out {
            vectors.extend(r.expect("every batch ran")?);
        }
        Ok(vectors)
    }

    /// One unit-length vector per text (mean of the token vectors, as the model was trained).
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let engine = |e: candle_core::Error| CoreError::Engine(format!("embedding: {e}"));
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| CoreError::Engine(format!("embedding: tokenizer: {e}")))?;
        let len = encodings
            .iter()
            .map(|e| e.get_ids().len())
            .max()
            .unwrap_or(0)
            .max(1);
        let rows = encodings.len();
        let mut ids = Vec::with_capacity(rows * len);
        let mut mask = Vec::with_capacity(rows * len);
        for e in &encodings {
            ids.extend(e.get_ids().iter().copied());
            mask.extend(e.get_attention_mask().iter().copied());
            // Padding is to the longest of the batch already; this only guards odd tokenizers.
            for _ in e.get_ids().len()..len {
                ids.push(0);
                mask.push(0);
            }
        }
        let ids = Tensor::from_vec(ids, (rows, len), &self.device).map_err(engine)?;
        let mask = Tensor::from_vec(mask, (rows, len), &self.device).map_err(engine)?;
        let types = ids.zeros_like().map_err(engine)?;
        let hidden = self
            .model
            .forward(&ids, &types, Some(&mask))
            .map_err(engine)?;
        // Mean over real tokens, then length 1.
        let mask_f = mask
            .to_dtype(DType::F32)
            .map_err(engine)?
            .unsqueeze(2)
            .map_err(engine)?;
        let summed = hidden
            .broadcast_mul(&mask_f)
            .and_then(|t| t.sum(1))
            .map_err(engine)?;
        let counts = mask_f
            .sum(1)
            .and_then(|c| c.clamp(1e-9, f64::MAX))
            .map_err(engine)?;
        let mean = summed.broadcast_div(&counts).map_err(engine)?;
        let norm = mean
            .sqr()
            .and_then(|t| t.sum_keepdim(1))
            .and_then(|t| t.sqrt())
            .and_then(|t| t.clamp(1e-12, f64::MAX))
            .map_err(engine)?;
        let unit = mean.broadcast_div(&norm).map_err(engine)?;
        unit.to_vec2::<f32>().map_err(engine)
    }
}

/// Vectors as stored: little-endian f32.
pub fn to_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

pub fn from_bytes(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// Cosine of the angle between two vectors (0 when either is all zeros).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na * nb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_round_trip_through_bytes() {
        let v = vec![0.25f32, -1.5, 3.0e-7];
        assert_eq!(from_bytes(&to_bytes(&v)), v);
    }

    #[test]
    fn a_missing_model_folder_says_how_to_get_it() {
        let dir = tempfile::tempdir().unwrap();
        let err = Embedder::load(dir.path()).err().unwrap();
        assert_eq!(err.kind(), "model_not_installed");
        assert!(err.to_string().contains("config.json"), "{err}");
    }
}
