//! The assistant's core: engine, model manager, settings and benchmarks, with no UI dependency.
//!
//! The app (`src-tauri`) and the `assistant` command line are thin layers over [`Assistant`].

pub mod bench;
pub mod data_dir;
pub mod engine;
pub mod error;
pub mod models;
pub mod settings;

mod assistant;

pub use assistant::Assistant;
pub use data_dir::DataDir;
pub use error::{CoreError, Result};
pub use tokio_util::sync::CancellationToken;
