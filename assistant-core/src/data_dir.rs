//! Where the assistant keeps its files: the platform's app-data folder, `ASSISTANT_HOME`, or `--data-dir`.

use std::path::{Path, PathBuf};

use crate::error::{CoreError, Result};

/// Environment variable that overrides the platform's app-data folder.
pub const HOME_ENV: &str = "ASSISTANT_HOME";

/// The root of everything the assistant stores; every path the core writes lies below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// Explicit folder first, then `ASSISTANT_HOME`, then the platform's app-data folder.
    pub fn resolve(explicit: Option<PathBuf>) -> Result<Self> {
        let root = explicit
            .or_else(|| std::env::var_os(HOME_ENV).filter(|v| !v.is_empty()).map(PathBuf::from))
            .or_else(|| dirs::data_dir().map(|d| d.join("assistant")))
            .ok_or_else(|| {
                CoreError::InvalidRequest(format!(
                    "no app-data folder is known on this platform; pass --data-dir DIR or set {HOME_ENV}"
                ))
            })?;
        Self::at(root)
    }

    /// Uses (and creates) `root` as the data folder.
    pub fn at(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        for dir in [root.clone(), root.join("models")] {
            std::fs::create_dir_all(&dir).map_err(|e| CoreError::io(&dir, e))?;
        }
        Ok(Self { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// One sub-folder per installed model, named by its id.
    pub fn models_dir(&self) -> PathBuf {
        self.root.join("models")
    }

    pub fn settings_path(&self) -> PathBuf {
        self.root.join("settings.json")
    }

    /// The SQLite database (used by the store).
    pub fn database_path(&self) -> PathBuf {
        self.root.join("assistant.sqlite3")
    }

    /// The full-text index folder (used by the index).
    pub fn index_dir(&self) -> PathBuf {
        self.root.join("index")
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename, so readers never see half a file.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(CoreError::io(path, e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_folder_wins_and_is_created() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::resolve(Some(tmp.path().join("a/b"))).unwrap();
        assert_eq!(dir.root(), tmp.path().join("a/b"));
        assert!(dir.models_dir().is_dir());
        assert_eq!(dir.settings_path(), tmp.path().join("a/b/settings.json"));
    }

    #[test]
    fn atomic_write_replaces_whole_file() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("x.json");
        write_atomically(&p, b"first version, long").unwrap();
        write_atomically(&p, b"second").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"second");
        assert!(!p.with_extension("tmp").exists());
    }
}
