//! Mail: parsing raw messages (`parse.rs`), where mail lives on disk (`sources.rs`), IMAP
//! accounts (`imap.rs`) and threading (`threading.rs`).

pub mod imap;
mod parse;
pub mod smtp;
pub mod sources;
pub mod threading;

pub use parse::*;
