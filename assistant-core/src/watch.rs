//! Keeping a notes folder in sync while the app runs: file-system events (the only module that
//! uses notify), debounced, each burst followed by an ordinary (idempotent) notes ingest.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

use crate::error::{CoreError, Result};

/// Quiet time after the last change before the folder is read again (editors save in bursts).
pub const SETTLE: Duration = Duration::from_millis(400);

/// Watches while alive; dropping it stops the watching thread.
pub struct FolderWatcher {
    _watcher: notify::RecommendedWatcher,
    _thread: std::thread::JoinHandle<()>,
}

/// Calls `on_change` once per burst of changes under `root` (from a background thread).
pub fn watch_folder(root: PathBuf, on_change: impl Fn() + Send + 'static) -> Result<FolderWatcher> {
    let (tx, rx) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })
    .map_err(|e| CoreError::InvalidRequest(format!("{}: cannot watch: {e}", root.display())))?;
    watcher
        .watch(&root, RecursiveMode::Recursive)
        .map_err(|e| CoreError::InvalidRequest(format!("{}: cannot watch: {e}", root.display())))?;
    let thread = std::thread::Builder::new()
        .name("notes-watcher".into())
        .spawn(move || {
            // Ends when the watcher (and with it the sender) is dropped.
            while let Ok(first) = rx.recv() {
                if first.as_ref().is_ok_and(|e| e.kind.is_access()) {
                    continue;
                }
                loop {
                    match rx.recv_timeout(SETTLE) {
                        Ok(_) => continue,
                        Err(mpsc::RecvTimeoutError::Timeout) => break,
                        Err(mpsc::RecvTimeoutError::Disconnected) => return,
                    }
                }
                on_change();
            }
        })
        .map_err(|e| CoreError::io("notes-watcher thread", e))?;
    Ok(FolderWatcher {
        _watcher: watcher,
        _thread: thread,
    })
}
