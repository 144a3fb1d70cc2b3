//! `Assistant`: the one cheap-to-clone handle that the app and the command line hold.

use std::sync::{Arc, Mutex};

use crate::data_dir::DataDir;
use crate::engine::{Backend, GenerationRequest, LocalEngine, LocalEngineConfig, TokenStream};
use crate::error::Result;
use crate::models::ModelManager;
use crate::settings::Settings;

#[derive(Clone)]
pub struct Assistant {
    inner: Arc<Inner>,
}

struct Inner {
    dir: DataDir,
    models: ModelManager,
    /// The loaded engine, if any. Held only for quick clones, never across an await.
    engine: Mutex<Option<LocalEngine>>,
}

impl Assistant {
    pub fn open(dir: DataDir) -> Self {
        Self {
            inner: Arc::new(Inner { models: ModelManager::new(dir.clone()), dir, engine: Mutex::new(None) }),
        }
    }

    pub fn data_dir(&self) -> &DataDir {
        &self.inner.dir
    }

    pub fn models(&self) -> &ModelManager {
        &self.inner.models
    }

    pub fn settings(&self) -> Result<Settings> {
        Settings::load(&self.inner.dir)
    }

    /// How the active model would be loaded, from the settings.
    pub fn engine_config(&self) -> Result<LocalEngineConfig> {
        let model = self.inner.models.active()?;
        let settings = self.settings()?;
        let mut config = LocalEngineConfig::new(model.path, model.id);
        config.context_tokens = settings.context_tokens;
        Ok(config)
    }

    /// The engine for the active model, loading it on first use (or after the choice changed).
    pub async fn engine(&self) -> Result<LocalEngine> {
        let config = self.engine_config()?;
        let cached = self.inner.engine.lock().expect("engine slot").clone();
        if let Some(engine) = cached.filter(|e| e.model_id() == config.model_id) {
            return Ok(engine);
        }
        let engine = LocalEngine::load(config).await?;
        *self.inner.engine.lock().expect("engine slot") = Some(engine.clone());
        Ok(engine)
    }

    /// Lets go of the loaded model; it is unloaded once running requests finish.
    pub fn unload(&self) {
        self.inner.engine.lock().expect("engine slot").take();
    }

    /// Queues a request on the active model.
    pub async fn generate(&self, request: GenerationRequest) -> Result<TokenStream> {
        self.engine().await?.generate(request)
    }
}
