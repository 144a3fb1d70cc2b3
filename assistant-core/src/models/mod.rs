//! The model manager: which models are known, installed and chosen; import, pull, verify, remove.

pub mod catalog;
pub mod download;
pub mod gguf;
pub mod memory;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use catalog::{Catalog, CatalogEntry};
pub use download::{PullOptions, PullProgress};
pub use gguf::GgufInfo;

use crate::data_dir::{write_atomically, DataDir};
use crate::error::{CoreError, Result};
use crate::settings::Settings;

const MODEL_FILE: &str = "model.gguf";
const MANIFEST_FILE: &str = "manifest.json";

/// A model file in the data folder, with what was checked when it was installed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstalledModel {
    pub id: String,
    pub path: PathBuf,
    pub sha256: String,
    pub size_bytes: u64,
    pub architecture: String,
    pub name: Option<String>,
    pub context_length: Option<u64>,
    /// `catalog` (pulled) or `import` (a local file).
    pub source: String,
    /// Where it came from: URL or original path.
    pub origin: String,
    pub installed_at_unix: u64,
}

/// One row of `assistant models list`: a catalog entry, an installed model, or both.
#[derive(Debug, Clone, Serialize)]
pub struct ModelListing {
    pub id: String,
    pub name: String,
    pub quantization: Option<String>,
    pub size_bytes: u64,
    pub license: Option<String>,
    pub installed: bool,
    pub active: bool,
    pub loadable: bool,
    pub note: Option<String>,
}

/// Result of `assistant models verify`.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub id: String,
    pub path: PathBuf,
    pub sha256: String,
    pub expected_sha256: String,
    pub ok: bool,
    pub architecture: String,
}

/// Cheap to clone; every method works on files under the data folder.
#[derive(Debug, Clone)]
pub struct ModelManager {
    dir: DataDir,
    catalog: std::sync::Arc<Catalog>,
}

impl ModelManager {
    pub fn new(dir: DataDir) -> Self {
        Self {
            dir,
            catalog: std::sync::Arc::new(Catalog::builtin()),
        }
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn data_dir(&self) -> &DataDir {
        &self.dir
    }

    fn model_dir(&self, id: &str) -> PathBuf {
        self.dir.models_dir().join(id)
    }

    /// Every installed model with a readable manifest, sorted by id.
    pub fn installed(&self) -> Result<Vec<InstalledModel>> {
        let root = self.dir.models_dir();
        let mut out = Vec::new();
        let entries = std::fs::read_dir(&root).map_err(|e| CoreError::io(&root, e))?;
        for entry in entries.flatten() {
            let manifest = entry.path().join(MANIFEST_FILE);
            if let Ok(bytes) = std::fs::read(&manifest) {
                match serde_json::from_slice::<InstalledModel>(&bytes) {
                    Ok(m) if m.path.is_file() => out.push(m),
                    Ok(_) => {
                        tracing::warn!(manifest = %manifest.display(), "model file missing; ignored")
                    }
                    Err(e) => {
                        tracing::warn!(manifest = %manifest.display(), error = %e, "unreadable manifest; ignored")
                    }
                }
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    pub fn installed_model(&self, id: &str) -> Result<InstalledModel> {
        self.installed()?
            .into_iter()
            .find(|m| m.id == id)
            .ok_or_else(|| {
                if self.catalog.get(id).is_some() {
                    CoreError::ModelNotInstalled { id: id.to_string() }
                } else {
                    CoreError::UnknownModel { id: id.to_string() }
                }
            })
    }

    /// The model requests go to: the chosen one, or the only installed one.
    pub fn active(&self) -> Result<InstalledModel> {
        let settings = Settings::load(&self.dir)?;
        if let Some(id) = settings.active_model {
            return self.installed_model(&id);
        }
        let installed = self.installed()?;
        match installed.as_slice() {
            [only] => Ok(only.clone()),
            _ => Err(CoreError::NoActiveModel {
                installed: if installed.is_empty() {
                    "none".into()
                } else {
                    installed
                        .iter()
                        .map(|m| m.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            }),
        }
    }

    /// Catalog and installed models together, for `models list`.
    pub fn list(&self) -> Result<Vec<ModelListing>> {
        let installed = self.installed()?;
        let active = self.active().ok().map(|m| m.id);
        let mut rows: Vec<ModelListing> = self
            .catalog
            .models
            .iter()
            .map(|c| ModelListing {
                id: c.id.clone(),
                name: c.name.clone(),
                quantization: Some(c.quantization.clone()),
                size_bytes: c.size_bytes,
                license: Some(c.license.clone()),
                installed: installed.iter().any(|m| m.id == c.id),
                active: active.as_deref() == Some(c.id.as_str()),
                loadable: c.loadable,
                note: c.unsupported_reason.clone(),
            })
            .collect();
        for m in installed
            .iter()
            .filter(|m| self.catalog.get(&m.id).is_none())
        {
            rows.push(ModelListing {
                id: m.id.clone(),
                name: m.name.clone().unwrap_or_else(|| m.id.clone()),
                quantization: None,
                size_bytes: m.size_bytes,
                license: None,
                installed: true,
                active: active.as_deref() == Some(m.id.as_str()),
                loadable: true,
                note: Some(format!("imported from {}", m.origin)),
            });
        }
        Ok(rows)
    }

    /// Checks and copies a local GGUF file into the data folder. A file whose id is in the catalog
    /// with a pinned checksum must match it. Nothing is left behind on failure.
    pub fn import(&self, source: &Path, id: Option<&str>) -> Result<InstalledModel> {
        let info = gguf::inspect(source)?;
        info.check_loadable(source)?;
        let id = match id {
            Some(id) => validate_id(id)?,
            None => id_from_path(source)?,
        };
        let expected = self.catalog.get(&id).and_then(|c| c.sha256.clone());
        let dir = self.model_dir(&id);
        std::fs::create_dir_all(&dir).map_err(|e| CoreError::io(&dir, e))?;
        let part = dir.join(format!("{MODEL_FILE}.part"));
        let copied = copy_hashing(source, &part);
        let (sha, size) = match copied {
            Ok(v) => v,
            Err(e) => {
                let _ = std::fs::remove_file(&part);
                remove_dir_if_empty(&dir);
                return Err(e);
            }
        };
        if let Some(expected) = expected.filter(|e| !e.eq_ignore_ascii_case(&sha)) {
            let _ = std::fs::remove_file(&part);
            remove_dir_if_empty(&dir);
            return Err(CoreError::ChecksumMismatch {
                file: source.to_path_buf(),
                expected,
                actual: sha,
            });
        }
        self.install_part(
            &id,
            &part,
            (sha, size),
            &info,
            ("import", &source.display().to_string()),
        )
    }

    /// Moves a verified `.part` file into place and writes its manifest.
    fn install_part(
        &self,
        id: &str,
        part: &Path,
        (sha256, size_bytes): (String, u64),
        info: &GgufInfo,
        (source, origin): (&str, &str),
    ) -> Result<InstalledModel> {
        let dir = self.model_dir(id);
        let path = dir.join(MODEL_FILE);
        std::fs::rename(part, &path).map_err(|e| CoreError::io(&path, e))?;
        let model = InstalledModel {
            id: id.to_string(),
            path,
            sha256,
            size_bytes,
            architecture: info.architecture.clone(),
            name: info.name.clone(),
            context_length: info.context_length,
            source: source.to_string(),
            origin: origin.to_string(),
            installed_at_unix: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
        };
        let json = serde_json::to_vec_pretty(&model).expect("manifest serializes");
        write_atomically(&dir.join(MANIFEST_FILE), &json)?;
        Ok(model)
    }

    /// Downloads a catalog model (or `opts.url`) with resume and checksum verification.
    pub async fn pull(
        &self,
        id: &str,
        opts: &PullOptions,
        progress: &(dyn Fn(PullProgress) + Send + Sync),
    ) -> Result<InstalledModel> {
        let id = validate_id(id)?;
        let entry = self.catalog.get(&id).cloned();
        if entry.is_none() && opts.url.is_none() {
            return Err(CoreError::UnknownModel { id });
        }
        if let Some(e) = entry.as_ref().filter(|e| !e.loadable) {
            return Err(CoreError::UnsupportedModel {
                file: PathBuf::from(e.urls[0].clone()),
                architecture: e.architecture.clone(),
                reason: e.unsupported_reason.clone().unwrap_or_default(),
            });
        }
        let url = match (&opts.url, &entry) {
            (Some(u), _) => u.clone(),
            (None, Some(e)) => download::apply_mirror(&e.urls[0], opts.mirror.as_deref()),
            (None, None) => unreachable!("checked above"),
        };
        let expected = opts
            .sha256
            .clone()
            .or_else(|| entry.as_ref().and_then(|e| e.sha256.clone()));
        if let Ok(installed) = self.installed_model(&id) {
            if expected
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(&installed.sha256))
            {
                return Ok(installed); // already here and the same file: nothing to download
            }
        }
        let dir = self.model_dir(&id);
        std::fs::create_dir_all(&dir).map_err(|e| CoreError::io(&dir, e))?;
        let part = dir.join(format!("{MODEL_FILE}.part"));
        let fetched =
            download::fetch_resumable(&url, &part, expected.as_deref(), opts, progress).await;
        let sha = match fetched {
            Ok(sha) => sha,
            Err(e) => {
                // Keep a partial file for resume only when the transfer itself broke.
                if !matches!(e, CoreError::Download { .. } | CoreError::Cancelled) {
                    let _ = std::fs::remove_file(&part);
                    remove_dir_if_empty(&dir);
                }
                return Err(e);
            }
        };
        let checked = (|| {
            let info = gguf::inspect(&part)?;
            info.check_loadable(&part)?;
            Ok::<_, CoreError>(info)
        })();
        let info = match checked {
            Ok(info) => info,
            Err(e) => {
                let _ = std::fs::remove_file(&part);
                remove_dir_if_empty(&dir);
                return Err(e);
            }
        };
        let size = std::fs::metadata(&part)
            .map_err(|e| CoreError::io(&part, e))?
            .len();
        self.install_part(&id, &part, (sha, size), &info, ("catalog", &url))
    }

    /// Re-hashes an installed model and compares it with its manifest and the catalog.
    pub fn verify(&self, id: &str) -> Result<VerifyReport> {
        let model = self.installed_model(id)?;
        let info = gguf::inspect(&model.path)?;
        let (sha, _) = hash_file(&model.path)?;
        let expected = self
            .catalog
            .get(id)
            .and_then(|c| c.sha256.clone())
            .unwrap_or_else(|| model.sha256.clone());
        Ok(VerifyReport {
            ok: sha.eq_ignore_ascii_case(&expected) && sha.eq_ignore_ascii_case(&model.sha256),
            id: model.id,
            path: model.path,
            sha256: sha,
            expected_sha256: expected,
            architecture: info.architecture,
        })
    }

    /// Deletes an installed model; if it was the chosen one, no model is chosen afterwards.
    pub fn remove(&self, id: &str) -> Result<()> {
        let model = self.installed_model(id)?;
        let dir = self.model_dir(&model.id);
        std::fs::remove_dir_all(&dir).map_err(|e| CoreError::io(&dir, e))?;
        let mut settings = Settings::load(&self.dir)?;
        if settings.active_model.as_deref() == Some(id) {
            settings.active_model = None;
            settings.save(&self.dir)?;
        }
        Ok(())
    }

    /// Chooses the installed model that requests go to.
    pub fn use_model(&self, id: &str) -> Result<InstalledModel> {
        let model = self.installed_model(id)?;
        let mut settings = Settings::load(&self.dir)?;
        settings.active_model = Some(model.id.clone());
        settings.save(&self.dir)?;
        Ok(model)
    }
}

fn validate_id(id: &str) -> Result<String> {
    let ok = !id.is_empty()
        && id.len() <= 100
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !id.starts_with('.');
    if ok {
        Ok(id.to_string())
    } else {
        Err(CoreError::InvalidRequest(format!(
            "model id `{id}` must be 1-100 letters, digits, '-', '_' or '.', not starting with '.'"
        )))
    }
}

fn id_from_path(path: &Path) -> Result<String> {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let id: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    validate_id(id.trim_matches('.'))
}

fn remove_dir_if_empty(dir: &Path) {
    let _ = std::fs::remove_dir(dir);
}

/// sha256 (lower-case hex) and length of a file.
pub fn hash_file(path: &Path) -> Result<(String, u64)> {
    hash_copy(path, None)
}

fn copy_hashing(from: &Path, to: &Path) -> Result<(String, u64)> {
    hash_copy(from, Some(to))
}

/// Reads `from` once, hashing it and, when `to` is given, writing a synced copy there.
fn hash_copy(from: &Path, to: Option<&Path>) -> Result<(String, u64)> {
    let mut src = std::fs::File::open(from).map_err(|e| CoreError::io(from, e))?;
    let mut dst = match to {
        Some(to) => Some((
            to,
            std::fs::File::create(to).map_err(|e| CoreError::io(to, e))?,
        )),
        None => None,
    };
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = src.read(&mut buf).map_err(|e| CoreError::io(from, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        if let Some((to, file)) = dst.as_mut() {
            file.write_all(&buf[..n])
                .map_err(|e| CoreError::io(*to, e))?;
        }
        total += n as u64;
    }
    if let Some((to, file)) = dst {
        file.sync_all().map_err(|e| CoreError::io(to, e))?;
    }
    Ok((hex::encode(hasher.finalize()), total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::gguf::tests::tiny_gguf;

    fn manager() -> (tempfile::TempDir, ModelManager) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::at(tmp.path().join("data")).unwrap();
        (tmp, ModelManager::new(dir))
    }

    #[test]
    fn import_use_verify_remove_round_trip() {
        let (tmp, mm) = manager();
        let src = tmp.path().join("My Model.Q4.gguf");
        std::fs::write(&src, tiny_gguf("llama", 256)).unwrap();
        let m = mm.import(&src, None).unwrap();
        assert_eq!(m.id, "my-model.q4");
        assert_eq!(
            mm.active().unwrap().id,
            m.id,
            "the only model is the active one"
        );
        mm.use_model(&m.id).unwrap();
        let report = mm.verify(&m.id).unwrap();
        assert!(report.ok);
        let listed = mm.list().unwrap();
        assert!(listed
            .iter()
            .any(|r| r.id == m.id && r.installed && r.active));
        mm.remove(&m.id).unwrap();
        assert!(mm.installed().unwrap().is_empty());
        assert_eq!(Settings::load(mm.data_dir()).unwrap().active_model, None);
    }

    #[test]
    fn verify_detects_a_changed_file() {
        let (tmp, mm) = manager();
        let src = tmp.path().join("m.gguf");
        std::fs::write(&src, tiny_gguf("llama", 256)).unwrap();
        let m = mm.import(&src, Some("m")).unwrap();
        let mut bytes = std::fs::read(&m.path).unwrap();
        *bytes.last_mut().unwrap() ^= 0xff;
        std::fs::write(&m.path, bytes).unwrap();
        assert!(!mm.verify("m").unwrap().ok);
    }

    #[test]
    fn import_under_a_catalog_id_must_match_its_checksum() {
        let (tmp, mm) = manager();
        let src = tmp.path().join("fake.gguf");
        std::fs::write(&src, tiny_gguf("llama", 16)).unwrap();
        let err = mm
            .import(&src, Some("smollm2-135m-instruct-q4_1"))
            .unwrap_err();
        assert_eq!(err.kind(), "checksum_mismatch");
        assert!(!mm
            .data_dir()
            .models_dir()
            .join("smollm2-135m-instruct-q4_1")
            .exists());
    }

    #[test]
    fn bad_ids_are_refused() {
        for bad in ["", "../x", ".hidden", "a/b", "with space"] {
            assert_eq!(
                validate_id(bad).unwrap_err().kind(),
                "invalid_request",
                "{bad}"
            );
        }
    }

    #[test]
    fn nothing_chosen_with_two_models_names_them() {
        let (tmp, mm) = manager();
        for id in ["a", "b"] {
            let src = tmp.path().join(format!("{id}.gguf"));
            std::fs::write(&src, tiny_gguf("qwen3", 16)).unwrap();
            mm.import(&src, None).unwrap();
        }
        let err = mm.active().unwrap_err();
        assert!(err.to_string().contains("a, b"), "{err}");
    }
}
