//! `Assistant`: the one cheap-to-clone handle that the app and the command line hold.

use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use crate::data_dir::DataDir;
use crate::engine::{
    Backend, GenerationRequest, LocalEngine, LocalEngineConfig, TokenStream, WeakEngine,
};
use crate::error::Result;
use crate::library::Library;
use crate::models::ModelManager;
use crate::settings::Settings;

#[derive(Clone)]
pub struct Assistant {
    inner: Arc<Inner>,
}

struct Inner {
    dir: DataDir,
    models: ModelManager,
    library: Library,
    /// The loaded engine, if any. Held only for quick reads and swaps, never across an await.
    engine: Mutex<Option<Loaded>>,
    /// One "stop now" signal per kind of long job ([`Job`]), bumped by [`Assistant::cancel`].
    cancels: [tokio::sync::watch::Sender<u64>; 4],
}

/// Long-running work the user can stop from the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// Answers streaming now (chat, ask).
    Streaming = 0,
    /// Model downloads.
    Download = 1,
    /// Reading a folder the user added.
    Ingest = 2,
    /// Measuring the model's speed.
    Bench = 3,
}

struct Loaded {
    engine: LocalEngine,
    last_used: Instant,
}

impl Assistant {
    pub fn open(dir: DataDir) -> Self {
        Self {
            inner: Arc::new(Inner {
                models: ModelManager::new(dir.clone()),
                library: Library::new(&dir),
                dir,
                engine: Mutex::new(None),
                cancels: std::array::from_fn(|_| tokio::sync::watch::channel(0).0),
            }),
        }
    }

    pub fn data_dir(&self) -> &DataDir {
        &self.inner.dir
    }

    pub fn models(&self) -> &ModelManager {
        &self.inner.models
    }

    /// The user's mail and notes: ingest, search, show.
    pub fn library(&self) -> &Library {
        &self.inner.library
    }

    pub fn settings(&self) -> Result<Settings> {
        Settings::load(&self.inner.dir)
    }

    /// How the active model would be loaded, from the settings.
    pub fn engine_config(&self) -> Result<LocalEngineConfig> {
        Ok(self.engine_config_and_settings()?.0)
    }

    fn engine_config_and_settings(&self) -> Result<(LocalEngineConfig, Settings)> {
        let model = self.inner.models.active()?;
        let settings = self.settings()?;
        let mut config = LocalEngineConfig::new(model.path, model.id);
        config.context_tokens = settings.context_tokens;
        config.prefix_cache_bytes = settings.prefix_cache_mb << 20;
        Ok((config, settings))
    }

    /// The engine for the active model, loading it on first use, after the choice changed, or
    /// after it was unloaded for being idle.
    pub async fn engine(&self) -> Result<LocalEngine> {
        let (config, settings) = self.engine_config_and_settings()?;
        {
            let mut slot = self.inner.engine.lock().expect("engine slot");
            if let Some(loaded) = slot
                .as_mut()
                .filter(|l| l.engine.model_id() == config.model_id)
            {
                loaded.last_used = Instant::now();
                return Ok(loaded.engine.clone());
            }
        }
        let idle_secs = settings.idle_unload_secs;
        let engine = LocalEngine::load(config).await?;
        let idle_unload = (idle_secs > 0).then(|| Duration::from_secs(idle_secs));
        *self.inner.engine.lock().expect("engine slot") = Some(Loaded {
            engine: engine.clone(),
            last_used: Instant::now(),
        });
        if let Some(idle) = idle_unload {
            tokio::spawn(unload_when_idle(
                Arc::downgrade(&self.inner),
                engine.downgrade(),
                idle,
            ));
        }
        Ok(engine)
    }

    /// Whether a model is loaded now.
    pub fn is_loaded(&self) -> bool {
        self.inner.engine.lock().expect("engine slot").is_some()
    }

    /// Lets go of the loaded model; it is unloaded once running requests finish.
    pub fn unload(&self) {
        self.inner.engine.lock().expect("engine slot").take();
    }

    /// Asks every running job of this kind to stop (the app's Stop and Cancel buttons). The code
    /// running such a job holds a [`Assistant::cancel_requests`] receiver and drops its work when
    /// it changes: a dropped token stream cancels the request in the engine, a dropped download
    /// keeps its partial file for the next attempt, an ingest stops between batches.
    pub fn cancel(&self, job: Job) {
        self.inner.cancels[job as usize].send_modify(|n| *n += 1);
    }

    /// Changes each time [`Assistant::cancel`] is called for `job`.
    pub fn cancel_requests(&self, job: Job) -> tokio::sync::watch::Receiver<u64> {
        self.inner.cancels[job as usize].subscribe()
    }

    /// Queues a request on the active model.
    pub async fn generate(&self, request: GenerationRequest) -> Result<TokenStream> {
        let engine = self.engine().await?;
        let stream = engine.generate(request);
        self.touch();
        stream
    }

    fn touch(&self) {
        if let Some(loaded) = self.inner.engine.lock().expect("engine slot").as_mut() {
            loaded.last_used = Instant::now();
        }
    }
}

/// Unloads `engine` once it has been idle (nothing queued or running, no new request) for `idle`.
/// Ends when the engine is replaced or unloaded, or the assistant is dropped.
async fn unload_when_idle(inner: Weak<Inner>, engine: WeakEngine, idle: Duration) {
    // A weak handle: an explicit `unload()` (choosing another model, measuring speed) frees the
    // model at once instead of at this watcher's next tick.
    let tick = (idle / 4).clamp(Duration::from_millis(100), Duration::from_secs(5));
    loop {
        tokio::time::sleep(tick).await;
        let Some(inner) = inner.upgrade() else { return };
        let Some(engine) = engine.upgrade() else {
            return;
        };
        let unloaded = {
            let mut slot = inner.engine.lock().expect("engine slot");
            let Some(loaded) = slot.as_mut() else { return };
            if !loaded.engine.same_as(&engine) {
                return;
            }
            if !engine.is_idle() {
                // Work keeps it alive: idle time counts from when the last request finishes.
                loaded.last_used = Instant::now();
                false
            } else if loaded.last_used.elapsed() >= idle {
                tracing::info!(model = engine.model_id(), "unloading the idle model");
                slot.take();
                true
            } else {
                false
            }
        };
        drop(engine);
        if unloaded {
            // The model is freed on the engine's own threads; then give the memory back.
            tokio::time::sleep(Duration::from_millis(500)).await;
            crate::models::memory::release_free_memory();
            return;
        }
    }
}
