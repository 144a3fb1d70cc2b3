//! Reads and checks a GGUF file's header without loading it: architecture, sizes, and truncation.

use std::collections::HashMap;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use crate::error::{CoreError, Result};

/// Architectures that mistral.rs 0.8's GGUF loader turns into a model.
pub const LOADABLE_ARCHITECTURES: &[&str] = &[
    "llama",
    "mistral3",
    "phi2",
    "phi3",
    "starcoder2",
    "qwen2",
    "qwen3",
    "qwen3moe",
];

/// What the header says about the model.
#[derive(Debug, Clone, PartialEq)]
pub struct GgufInfo {
    pub version: u32,
    pub architecture: String,
    pub name: Option<String>,
    pub context_length: Option<u64>,
    pub block_count: Option<u64>,
    pub embedding_length: Option<u64>,
    pub head_count: Option<u64>,
    pub head_count_kv: Option<u64>,
    pub tensor_count: u64,
    /// Tensor types by name (`Q4_1`, `F32`, ...) with how many tensors use each.
    pub tensor_types: Vec<(String, usize)>,
    /// Bytes the header and tensors need; the file must be at least this long.
    pub required_len: u64,
    pub file_len: u64,
}

impl GgufInfo {
    /// Bytes of key/value cache per token of context, as f16 (what the CPU path keeps under
    /// f32 activations; see vendor/README.md).
    pub fn kv_bytes_per_token(&self) -> Option<u64> {
        let layers = self.block_count?;
        let heads = self.head_count?.max(1);
        let kv_heads = self.head_count_kv.unwrap_or(heads);
        let head_dim = self.embedding_length? / heads;
        Some(2 * layers * kv_heads * head_dim * 2)
    }

    /// Fails with a clear message when the engine cannot load this architecture or tensor type.
    pub fn check_loadable(&self, file: &Path) -> Result<()> {
        if !LOADABLE_ARCHITECTURES.contains(&self.architecture.as_str()) {
            let reason = if self.architecture.starts_with("gemma") {
                "mistral.rs reads Gemma models only from safetensors, not GGUF".to_string()
            } else {
                format!(
                    "the GGUF loader supports {}",
                    LOADABLE_ARCHITECTURES.join(", ")
                )
            };
            return Err(CoreError::UnsupportedModel {
                file: file.to_path_buf(),
                architecture: self.architecture.clone(),
                reason,
            });
        }
        if let Some((ty, _)) = self
            .tensor_types
            .iter()
            .find(|(t, _)| t.starts_with("IQ") || t.starts_with("TQ"))
        {
            return Err(CoreError::UnsupportedModel {
                file: file.to_path_buf(),
                architecture: self.architecture.clone(),
                reason: format!(
                    "tensor type {ty} is not implemented by the engine's quantized kernels"
                ),
            });
        }
        Ok(())
    }
}

const MAGIC: &[u8; 4] = b"GGUF";
const MAX_STRING: u64 = 16 << 20;
const MAX_ITEMS: u64 = 64 << 20;
const MAX_DIMS: u32 = 8;

/// (name, elements per block, bytes per block) by ggml type id.
fn ggml_type(id: u32) -> Option<(&'static str, u64, u64)> {
    Some(match id {
        0 => ("F32", 1, 4),
        1 => ("F16", 1, 2),
        2 => ("Q4_0", 32, 18),
        3 => ("Q4_1", 32, 20),
        6 => ("Q5_0", 32, 22),
        7 => ("Q5_1", 32, 24),
        8 => ("Q8_0", 32, 34),
        9 => ("Q8_1", 32, 36),
        10 => ("Q2_K", 256, 84),
        11 => ("Q3_K", 256, 110),
        12 => ("Q4_K", 256, 144),
        13 => ("Q5_K", 256, 176),
        14 => ("Q6_K", 256, 210),
        15 => ("Q8_K", 256, 292),
        16 => ("IQ2_XXS", 256, 66),
        17 => ("IQ2_XS", 256, 74),
        18 => ("IQ3_XXS", 256, 98),
        19 => ("IQ1_S", 256, 50),
        20 => ("IQ4_NL", 32, 18),
        21 => ("IQ3_S", 256, 110),
        22 => ("IQ2_S", 256, 82),
        23 => ("IQ4_XS", 256, 136),
        24 => ("I8", 1, 1),
        25 => ("I16", 1, 2),
        26 => ("I32", 1, 4),
        27 => ("I64", 1, 8),
        28 => ("F64", 1, 8),
        29 => ("IQ1_M", 256, 56),
        30 => ("BF16", 1, 2),
        34 => ("TQ1_0", 256, 54),
        35 => ("TQ2_0", 256, 66),
        _ => return None,
    })
}

#[derive(Debug, Clone)]
enum Value {
    Uint(u64),
    Int(i64),
    Str(String),
    Other,
}

struct Reader<R> {
    inner: R,
    pos: u64,
    len: u64,
}

impl<R: Read> Reader<R> {
    fn bytes(&mut self, n: u64, what: &str) -> std::result::Result<Vec<u8>, String> {
        if self.pos + n > self.len {
            return Err(format!(
                "file ends inside the header ({what} at byte {})",
                self.pos
            ));
        }
        let mut buf = vec![0u8; n as usize];
        self.inner
            .read_exact(&mut buf)
            .map_err(|e| format!("read error at byte {}: {e}", self.pos))?;
        self.pos += n;
        Ok(buf)
    }
    fn u32(&mut self, what: &str) -> std::result::Result<u32, String> {
        Ok(u32::from_le_bytes(self.bytes(4, what)?.try_into().unwrap()))
    }
    fn u64(&mut self, what: &str) -> std::result::Result<u64, String> {
        Ok(u64::from_le_bytes(self.bytes(8, what)?.try_into().unwrap()))
    }
    fn string(&mut self, what: &str) -> std::result::Result<String, String> {
        let n = self.u64(what)?;
        if n > MAX_STRING {
            return Err(format!(
                "{what}: string length {n} is implausible (corrupt header)"
            ));
        }
        let b = self.bytes(n, what)?;
        Ok(String::from_utf8_lossy(&b).into_owned())
    }
    fn value(&mut self, ty: u32, key: &str) -> std::result::Result<Value, String> {
        Ok(match ty {
            0 | 1 | 7 => {
                let b = self.bytes(1, key)?[0];
                if ty == 1 {
                    Value::Int(b as i8 as i64)
                } else {
                    Value::Uint(b as u64)
                }
            }
            2 => Value::Uint(u16::from_le_bytes(self.bytes(2, key)?.try_into().unwrap()) as u64),
            3 => Value::Int(i16::from_le_bytes(self.bytes(2, key)?.try_into().unwrap()) as i64),
            4 => Value::Uint(self.u32(key)? as u64),
            5 => Value::Int(self.u32(key)? as i32 as i64),
            6 => {
                self.bytes(4, key)?;
                Value::Other
            }
            8 => Value::Str(self.string(key)?),
            9 => {
                let item_ty = self.u32(key)?;
                let n = self.u64(key)?;
                if n > MAX_ITEMS {
                    return Err(format!(
                        "{key}: array length {n} is implausible (corrupt header)"
                    ));
                }
                match item_ty {
                    0 | 1 | 7 => {
                        self.bytes(n, key)?;
                    }
                    2 | 3 => {
                        self.bytes(n * 2, key)?;
                    }
                    4..=6 => {
                        self.bytes(n * 4, key)?;
                    }
                    10..=12 => {
                        self.bytes(n * 8, key)?;
                    }
                    _ => {
                        for _ in 0..n {
                            self.value(item_ty, key)?;
                        }
                    }
                }
                Value::Other
            }
            10 => Value::Uint(self.u64(key)?),
            11 => Value::Int(self.u64(key)? as i64),
            12 => {
                self.bytes(8, key)?;
                Value::Other
            }
            other => {
                return Err(format!(
                    "{key}: unknown value type {other} (corrupt header)"
                ))
            }
        })
    }
}

/// Reads the header of the GGUF file at `path` and checks that the file holds every tensor it names.
pub fn inspect(path: &Path) -> Result<GgufInfo> {
    let invalid = |reason: String| CoreError::InvalidModelFile {
        file: path.to_path_buf(),
        reason,
    };
    let file = std::fs::File::open(path).map_err(|e| CoreError::io(path, e))?;
    let len = file.metadata().map_err(|e| CoreError::io(path, e))?.len();
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(invalid("is a folder, not a file".into()));
    }
    let mut r = Reader {
        inner: BufReader::with_capacity(1 << 16, file),
        pos: 0,
        len,
    };
    parse(&mut r, len).map_err(invalid)
}

fn parse<R: Read + Seek>(
    r: &mut Reader<BufReader<R>>,
    len: u64,
) -> std::result::Result<GgufInfo, String> {
    if len < 24 {
        return Err(format!(
            "only {len} bytes long; a GGUF header alone needs 24"
        ));
    }
    if &r.bytes(4, "magic")?[..] != MAGIC {
        return Err("does not start with the GGUF magic bytes".into());
    }
    let version = r.u32("version")?;
    if !(2..=3).contains(&version) {
        return Err(format!(
            "GGUF version {version} is not supported (2 and 3 are)"
        ));
    }
    let tensor_count = r.u64("tensor count")?;
    let kv_count = r.u64("metadata count")?;
    if tensor_count > 1 << 20 || kv_count > 1 << 20 {
        return Err(format!(
            "implausible counts ({tensor_count} tensors, {kv_count} keys): corrupt header"
        ));
    }
    let mut meta: HashMap<String, Value> = HashMap::new();
    for _ in 0..kv_count {
        let key = r.string("metadata key")?;
        let ty = r.u32(&key)?;
        let v = r.value(ty, &key)?;
        meta.insert(key, v);
    }
    let architecture = match meta.get("general.architecture") {
        Some(Value::Str(s)) => s.clone(),
        _ => return Err("has no general.architecture key".into()),
    };
    let num = |k: &str| match meta.get(&format!("{architecture}.{k}")) {
        Some(Value::Uint(v)) => Some(*v),
        Some(Value::Int(v)) if *v >= 0 => Some(*v as u64),
        _ => None,
    };
    let alignment = match meta.get("general.alignment") {
        Some(Value::Uint(a)) if *a > 0 && a.is_power_of_two() => *a,
        _ => 32,
    };
    let mut types: HashMap<&'static str, usize> = HashMap::new();
    let mut data_end = 0u64;
    for i in 0..tensor_count {
        let name = r.string("tensor name")?;
        let dims = r.u32(&name)?;
        if dims == 0 || dims > MAX_DIMS {
            return Err(format!(
                "tensor {i} `{name}` has {dims} dimensions (corrupt header)"
            ));
        }
        let mut elements: u64 = 1;
        for _ in 0..dims {
            elements = elements
                .checked_mul(r.u64(&name)?)
                .ok_or_else(|| format!("tensor `{name}` size overflows (corrupt header)"))?;
        }
        let ty = r.u32(&name)?;
        let (tname, block, bytes) =
            ggml_type(ty).ok_or_else(|| format!("tensor `{name}` has unknown type id {ty}"))?;
        let offset = r.u64(&name)?;
        let size = elements.div_ceil(block) * bytes;
        data_end = data_end.max(offset.saturating_add(size));
        *types.entry(tname).or_default() += 1;
    }
    let data_start = r.pos.div_ceil(alignment) * alignment;
    let required_len = data_start.saturating_add(data_end);
    if len < required_len {
        return Err(format!(
            "truncated: the header promises {required_len} bytes of tensors but the file has {len} ({}% present)",
            len * 100 / required_len.max(1)
        ));
    }
    let mut tensor_types: Vec<(String, usize)> =
        types.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    tensor_types.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(GgufInfo {
        version,
        name: match meta.get("general.name") {
            Some(Value::Str(s)) => Some(s.clone()),
            _ => None,
        },
        context_length: num("context_length"),
        block_count: num("block_count"),
        embedding_length: num("embedding_length"),
        head_count: num("attention.head_count"),
        head_count_kv: num("attention.head_count_kv"),
        architecture,
        tensor_count,
        tensor_types,
        required_len,
        file_len: len,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a small but well-formed GGUF file: one F32 tensor of `elements` values.
    pub(crate) fn tiny_gguf(arch: &str, elements: u64) -> Vec<u8> {
        fn s(out: &mut Vec<u8>, v: &str) {
            out.extend((v.len() as u64).to_le_bytes());
            out.extend(v.as_bytes());
        }
        let mut out = Vec::new();
        out.extend(MAGIC);
        out.extend(3u32.to_le_bytes());
        out.extend(1u64.to_le_bytes()); // tensors
        out.extend(3u64.to_le_bytes()); // keys
        s(&mut out, "general.architecture");
        out.extend(8u32.to_le_bytes());
        s(&mut out, arch);
        s(&mut out, &format!("{arch}.context_length"));
        out.extend(4u32.to_le_bytes());
        out.extend(2048u32.to_le_bytes());
        s(&mut out, "tokenizer.ggml.tokens");
        out.extend(9u32.to_le_bytes());
        out.extend(8u32.to_le_bytes());
        out.extend(2u64.to_le_bytes());
        s(&mut out, "a");
        s(&mut out, "b");
        s(&mut out, "w");
        out.extend(1u32.to_le_bytes());
        out.extend(elements.to_le_bytes());
        out.extend(0u32.to_le_bytes()); // F32
        out.extend(0u64.to_le_bytes());
        while out.len() % 32 != 0 {
            out.push(0);
        }
        out.extend(std::iter::repeat_n(0u8, (elements * 4) as usize));
        out
    }

    fn write(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.gguf");
        std::fs::write(&p, bytes).unwrap();
        (dir, p)
    }

    #[test]
    fn reads_a_well_formed_header() {
        let (_d, p) = write(&tiny_gguf("llama", 64));
        let info = inspect(&p).unwrap();
        assert_eq!(info.architecture, "llama");
        assert_eq!(info.context_length, Some(2048));
        assert_eq!(info.tensor_types, vec![("F32".to_string(), 1)]);
        assert_eq!(info.required_len, info.file_len);
        info.check_loadable(&p).unwrap();
    }

    #[test]
    fn truncated_file_is_rejected_with_its_name() {
        let bytes = tiny_gguf("llama", 1024);
        let (_d, p) = write(&bytes[..bytes.len() - 100]);
        let err = inspect(&p).unwrap_err();
        assert_eq!(err.kind(), "invalid_model_file");
        assert!(
            err.to_string().contains("m.gguf") && err.to_string().contains("truncated"),
            "{err}"
        );
    }

    #[test]
    fn header_cut_short_is_rejected() {
        let bytes = tiny_gguf("llama", 16);
        let (_d, p) = write(&bytes[..40]);
        assert!(inspect(&p)
            .unwrap_err()
            .to_string()
            .contains("ends inside the header"));
    }

    #[test]
    fn not_gguf_is_rejected() {
        let (_d, p) = write(b"<html>404 Not Found</html> and more padding bytes");
        assert!(inspect(&p).unwrap_err().to_string().contains("magic"));
    }

    #[test]
    fn gemma_is_refused_with_the_reason() {
        let (_d, p) = write(&tiny_gguf("gemma3", 8));
        let err = inspect(&p).unwrap().check_loadable(&p).unwrap_err();
        assert_eq!(err.kind(), "unsupported_model");
        assert!(err.to_string().contains("safetensors"), "{err}");
    }

    #[test]
    fn implausible_string_length_is_corruption_not_allocation() {
        let mut bytes = tiny_gguf("llama", 8);
        bytes[24..32].copy_from_slice(&u64::MAX.to_le_bytes());
        let (_d, p) = write(&bytes);
        assert!(inspect(&p).unwrap_err().to_string().contains("implausible"));
    }
}
