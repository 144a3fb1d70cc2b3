//! The catalog of known models (compiled in from `catalog.json`): where to get them and what they need.

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogEntry {
    pub id: String,
    pub name: String,
    pub family: String,
    pub architecture: String,
    pub quantization: String,
    /// Size of the file in bytes (exact where `sha256` is pinned, the published size otherwise).
    pub size_bytes: u64,
    pub license: String,
    /// Pinned checksum; when absent, a pull needs the server's checksum or `--sha256`.
    pub sha256: Option<String>,
    pub urls: Vec<String>,
    /// Python package that ships the file (the offline route for the default model).
    #[serde(default)]
    pub python_package: Option<String>,
    #[serde(default)]
    pub file_in_package: Option<String>,
    pub context_length: u64,
    pub chat_template: String,
    pub min_ram_mb: u64,
    /// Whether the engine can load it; when false, `unsupported_reason` says why.
    pub loadable: bool,
    #[serde(default)]
    pub unsupported_reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Catalog {
    /// Id of the model a fresh install uses.
    pub default: String,
    pub models: Vec<CatalogEntry>,
}

impl Catalog {
    /// The catalog compiled into this build.
    pub fn builtin() -> Self {
        serde_json::from_str(include_str!("catalog.json")).expect("catalog.json is valid")
    }

    pub fn get(&self, id: &str) -> Option<&CatalogEntry> {
        self.models.iter().find(|m| m.id == id)
    }

    pub fn require(&self, id: &str) -> Result<&CatalogEntry> {
        self.get(id)
            .ok_or_else(|| CoreError::UnknownModel { id: id.to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_is_consistent() {
        let c = Catalog::builtin();
        let default = c.get(&c.default).expect("default model is in the catalog");
        assert!(default.loadable);
        assert_eq!(default.sha256.as_deref().map(str::len), Some(64));
        for m in &c.models {
            assert!(!m.urls.is_empty(), "{} has no url", m.id);
            assert!(m.urls.iter().all(|u| u.starts_with("https://")), "{}", m.id);
            assert_eq!(m.loadable, m.unsupported_reason.is_none(), "{}", m.id);
            assert_eq!(
                m.loadable,
                crate::models::gguf::LOADABLE_ARCHITECTURES.contains(&m.architecture.as_str()),
                "{}",
                m.id
            );
        }
        let mut ids: Vec<_> = c.models.iter().map(|m| &m.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), c.models.len(), "ids are unique");
    }
}
