//! The small sample mailbox and notes that ship inside the app (the repo's `sample/`), written
//! out on first run so every feature works offline before the user adds their own mail.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use serde::Serialize;

use crate::error::{CoreError, Result};
use crate::ingest::{IngestSpec, Progress};
use crate::library::Library;

/// Every bundled file: its path under the sample folder and its bytes.
const FILES: &[(&str, &[u8])] = &[
    (
        "mail/.Archive/cur/1690000001.M8P1.sample",
        include_bytes!("../../sample/mail/.Archive/cur/1690000001.M8P1.sample"),
    ),
    (
        "mail/.Archive/cur/1690000002.M9P1.sample",
        include_bytes!("../../sample/mail/.Archive/cur/1690000002.M9P1.sample"),
    ),
    (
        "mail/cur/1700000001.M1P1.sample",
        include_bytes!("../../sample/mail/cur/1700000001.M1P1.sample"),
    ),
    (
        "mail/cur/1700000002.M2P1.sample",
        include_bytes!("../../sample/mail/cur/1700000002.M2P1.sample"),
    ),
    (
        "mail/cur/1700000003.M3P1.sample",
        include_bytes!("../../sample/mail/cur/1700000003.M3P1.sample"),
    ),
    (
        "mail/cur/1700000004.M4P1.sample",
        include_bytes!("../../sample/mail/cur/1700000004.M4P1.sample"),
    ),
    (
        "mail/new/1700000005.M5P1.sample",
        include_bytes!("../../sample/mail/new/1700000005.M5P1.sample"),
    ),
    (
        "mail/new/1700000006.M6P1.sample",
        include_bytes!("../../sample/mail/new/1700000006.M6P1.sample"),
    ),
    (
        "mail/new/1700000007.M7P1.sample",
        include_bytes!("../../sample/mail/new/1700000007.M7P1.sample"),
    ),
    (
        "notes/index.md",
        include_bytes!("../../sample/notes/index.md"),
    ),
    (
        "notes/people/Kenneth Moreau.md",
        include_bytes!("../../sample/notes/people/Kenneth Moreau.md"),
    ),
    (
        "notes/people/sara-lindqvist.md",
        include_bytes!("../../sample/notes/people/sara-lindqvist.md"),
    ),
    (
        "notes/projects/lisbon-offsite.md",
        include_bytes!("../../sample/notes/projects/lisbon-offsite.md"),
    ),
    (
        "notes/projects/q3-budget.md",
        include_bytes!("../../sample/notes/projects/q3-budget.md"),
    ),
    (
        "notes/recipes.md",
        include_bytes!("../../sample/notes/recipes.md"),
    ),
];

/// What installing the sample data added.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct SampleInstalled {
    pub messages: u64,
    pub notes: u64,
}

/// Writes the sample mailbox (`mail/`, a maildir) and notes (`notes/`) under `dir`; files that
/// are already there are left as they are (the user may have edited a sample note).
pub fn write_sample_files(dir: &Path) -> Result<(PathBuf, PathBuf)> {
    for (rel, bytes) in FILES {
        let path = dir.join(rel);
        if path.exists() {
            continue;
        }
        let parent = path.parent().expect("sample files sit in folders");
        std::fs::create_dir_all(parent).map_err(|source| CoreError::Io {
            path: parent.to_path_buf(),
            source,
        })?;
        std::fs::write(&path, bytes).map_err(|source| CoreError::Io {
            path: path.clone(),
            source,
        })?;
    }
    // Maildir needs all three folders, even empty.
    for sub in ["mail/tmp", "mail/new", "mail/cur"] {
        let p = dir.join(sub);
        std::fs::create_dir_all(&p).map_err(|source| CoreError::Io { path: p, source })?;
    }
    Ok((dir.join("mail"), dir.join("notes")))
}

impl Library {
    /// Writes the sample data to `dir` and ingests it as two sources (a maildir and a notes
    /// folder) that are kept in sync like the user's own.
    pub async fn install_sample_data(
        &self,
        dir: PathBuf,
        progress: impl Fn(&str, Progress) + Send + Sync + 'static,
    ) -> Result<SampleInstalled> {
        let (mail, notes) = {
            let dir = dir.clone();
            crate::library::blocking(move || write_sample_files(&dir)).await?
        };
        let progress = Arc::new(progress);
        let cancel = Arc::new(AtomicBool::new(false));
        let p = progress.clone();
        let mail_report = self
            .ingest(
                IngestSpec::Maildir(mail),
                move |x| p("mail", x),
                cancel.clone(),
            )
            .await?;
        let p = progress.clone();
        let notes_report = self
            .ingest(IngestSpec::Notes(notes), move |x| p("notes", x), cancel)
            .await?;
        Ok(SampleInstalled {
            messages: mail_report.added + mail_report.duplicates + mail_report.unchanged,
            notes: notes_report.added + notes_report.unchanged,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_files_are_written_once_and_edits_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (mail, notes) = write_sample_files(dir.path()).unwrap();
        assert!(mail.join("tmp").is_dir());
        let written = FILES
            .iter()
            .filter(|(rel, _)| dir.path().join(rel).is_file())
            .count();
        assert_eq!(written, FILES.len());
        let index = notes.join("index.md");
        std::fs::write(&index, "mine").unwrap();
        write_sample_files(dir.path()).unwrap();
        assert_eq!(std::fs::read_to_string(&index).unwrap(), "mine");
    }
}
