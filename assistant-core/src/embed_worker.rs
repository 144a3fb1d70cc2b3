//! The embedding job in the background: started once, woken after every ingest, paused and
//! resumed on request, its progress watchable. Search keeps working (BM25, plus the vectors
//! stored so far) while it runs.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};

use serde::Serialize;
use tokio::sync::{watch, Notify};

use crate::library::{EmbedProgress, Inner, Library};

/// What the background embedding is doing.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum EmbeddingState {
    /// Every passage has a vector (as of the last run); waiting for new ones.
    #[default]
    Idle,
    Running,
    /// Paused on request; `resume` continues where it stopped.
    Paused,
    /// No embedding model installed: search stays BM25 only.
    NoModel,
    /// The last run failed (`error` says why); the next ingest or `resume` tries again.
    Failed,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, Default)]
pub struct EmbeddingActivity {
    pub state: EmbeddingState,
    /// Passages with a vector, of all passages (as of the last progress report).
    pub embedded: u64,
    pub chunks: u64,
    pub error: Option<String>,
}

struct Shared {
    wake: Notify,
    paused: AtomicBool,
    /// The running job's stop flag.
    cancel: Mutex<Arc<AtomicBool>>,
    activity: watch::Sender<EmbeddingActivity>,
}

/// A handle on the background embedding job (cheap to clone).
#[derive(Clone)]
pub struct EmbeddingWorker {
    shared: Arc<Shared>,
}

impl EmbeddingWorker {
    /// Starts the job on the current tokio runtime for `library`; it ends when the library's last
    /// handle is dropped. It looks for passages without vectors at once.
    pub(crate) fn start(library: &Library) -> Self {
        let (activity, _) = watch::channel(EmbeddingActivity::default());
        let shared = Arc::new(Shared {
            wake: Notify::new(),
            paused: AtomicBool::new(false),
            cancel: Mutex::new(Arc::new(AtomicBool::new(false))),
            activity,
        });
        shared.wake.notify_one();
        tokio::spawn(run(Arc::downgrade(library.inner()), shared.clone()));
        Self { shared }
    }

    /// New passages may be waiting (called after each ingest).
    pub fn wake(&self) {
        self.shared.wake.notify_one();
    }

    /// Stops the job at the end of its current round (a second or two) until `resume`.
    pub fn pause(&self) {
        self.shared.paused.store(true, Ordering::SeqCst);
        self.shared
            .cancel
            .lock()
            .expect("cancel flag")
            .store(true, Ordering::SeqCst);
        self.shared.wake.notify_one();
    }

    pub fn resume(&self) {
        self.shared.paused.store(false, Ordering::SeqCst);
        self.shared.wake.notify_one();
    }

    pub fn activity(&self) -> EmbeddingActivity {
        self.shared.activity.borrow().clone()
    }

    /// Every change of `activity`, for a progress display.
    pub fn subscribe(&self) -> watch::Receiver<EmbeddingActivity> {
        self.shared.activity.subscribe()
    }
}

async fn run(library: Weak<Inner>, shared: Arc<Shared>) {
    loop {
        shared.wake.notified().await;
        let Some(inner) = library.upgrade() else {
            return;
        };
        let library = Library::from_inner(inner);
        let set_state = |state: EmbeddingState, error: Option<String>| {
            shared.activity.send_modify(|a| {
                a.state = state;
                a.error = error;
            })
        };
        if shared.paused.load(Ordering::SeqCst) {
            set_state(EmbeddingState::Paused, None);
            continue;
        }
        if !library
            .embedding_model_dir()
            .join("model.safetensors")
            .is_file()
        {
            set_state(EmbeddingState::NoModel, None);
            continue;
        }
        let cancel = Arc::new(AtomicBool::new(false));
        *shared.cancel.lock().expect("cancel flag") = cancel.clone();
        // A pause that came between the check above and the new flag: `pause` set `paused`
        // before it raised the old flag, so it is seen here.
        if shared.paused.load(Ordering::SeqCst) {
            cancel.store(true, Ordering::SeqCst);
        }
        set_state(EmbeddingState::Running, None);
        let progress_to = shared.clone();
        let progress = move |p: EmbedProgress| {
            progress_to.activity.send_modify(|a| {
                a.embedded = p.embedded;
                a.chunks = p.chunks;
            })
        };
        match library.embed(progress, cancel).await {
            Ok(report) => shared.activity.send_modify(|a| {
                a.state = if report.paused {
                    EmbeddingState::Paused
                } else {
                    EmbeddingState::Idle
                };
                a.embedded = report.progress.embedded as u64;
                a.chunks = report.progress.chunks as u64;
                a.error = None;
            }),
            Err(err) => {
                tracing::warn!(%err, "background embedding failed");
                set_state(EmbeddingState::Failed, Some(err.to_string()));
            }
        }
    }
}
