//! The assistant's core: engine, model manager, local store and search, settings and benchmarks, with no UI dependency.
//!
//! The app (`src-tauri`) and the `assistant` command line are thin layers over [`Assistant`].

pub mod actions;
pub mod api_server;
pub mod ask;
pub mod bench;
pub mod browse;
pub mod chunk;
pub mod cloud;
pub mod data_dir;
pub mod dense;
pub mod embed;
pub mod embed_worker;
pub mod engine;
pub mod error;
pub mod factcheck;
pub mod index;
pub mod ingest;
pub mod library;
pub mod mail;
pub mod models;
pub mod notes;
pub mod outbox;
pub mod people;
pub mod privacy;
pub mod reply;
pub mod sample;
pub mod search;
pub mod secrets;
pub mod settings;
pub mod store;
pub mod summary;
pub mod watch;

mod assistant;

pub use assistant::{Assistant, Job};
pub use data_dir::DataDir;
pub use error::{CoreError, Result};
pub use library::Library;
pub use tokio_util::sync::CancellationToken;
