//! `Library`: the user's mail and notes as the app and the CLI see them (ingest, search, show,
//! reindex), async, with the blocking store and index work run off the runtime.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::data_dir::DataDir;
use crate::error::{CoreError, Result};
use crate::index::{DocKey, FullTextIndex};
use crate::ingest::{self, IngestReport, IngestSpec, Progress};
use crate::search::{self, SearchResult};
use crate::store::{MessageRecord, NoteRecord, SourceInfo, Store, StoreCounts, ThreadRecord};

#[derive(Clone)]
pub struct Library {
    inner: Arc<Inner>,
}

struct Inner {
    db_path: PathBuf,
    index_dir: PathBuf,
    /// Opened on first use; cheap to clone (tantivy's handles are shared).
    index: Mutex<Option<FullTextIndex>>,
}

/// What `show` found for an id.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Shown {
    Message(Box<MessageRecord>),
    Note(Box<NoteRecord>),
    Thread(ThreadRecord),
}

#[derive(Debug, Clone, Serialize)]
pub struct LibraryStatus {
    pub counts: StoreCounts,
    pub sources: Vec<SourceInfo>,
    pub index_docs: u64,
}

/// Whether the index holds exactly the store's documents.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct IndexCheck {
    pub store_docs: usize,
    pub index_docs: usize,
    /// In the store, not in the index.
    pub missing: Vec<String>,
    /// In the index, no longer in the store.
    pub stale: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReindexReport {
    pub documents: u64,
    pub elapsed_ms: u64,
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| CoreError::Engine(format!("background task failed: {e}")))?
}

impl Library {
    pub fn new(dir: &DataDir) -> Self {
        Self {
            inner: Arc::new(Inner {
                db_path: dir.database_path(),
                index_dir: dir.index_dir(),
                index: Mutex::new(None),
            }),
        }
    }

    fn open_store(&self) -> Result<Store> {
        Store::open(&self.inner.db_path)
    }

    /// The index, opened once; one that cannot be opened or is of another version is rebuilt
    /// from the store (which is the source of truth).
    fn index(&self, store: &mut Store) -> Result<FullTextIndex> {
        if let Some(index) = self.inner.index.lock().expect("index slot").clone() {
            return Ok(index);
        }
        let index = match FullTextIndex::open(&self.inner.index_dir) {
            Ok(index) => index,
            Err(err) => {
                tracing::warn!(%err, "rebuilding the search index from the store");
                let _ = std::fs::remove_dir_all(&self.inner.index_dir);
                let index = FullTextIndex::open(&self.inner.index_dir)?;
                store.mark_all_unindexed()?;
                index
            }
        };
        // Whatever the index missed (a crash after the store committed, a rebuild) first.
        if store.counts()?.pending_index > 0 {
            ingest::sync_index(store, &index, &|_| {})?;
        }
        *self.inner.index.lock().expect("index slot") = Some(index.clone());
        Ok(index)
    }

    /// Ingests a source. `progress` is called from a blocking thread; `cancel` stops between batches.
    pub async fn ingest(
        &self,
        spec: IngestSpec,
        progress: impl Fn(Progress) + Send + 'static,
        cancel: Arc<AtomicBool>,
    ) -> Result<IngestReport> {
        let this = self.clone();
        blocking(move || {
            let mut store = this.open_store()?;
            let index = this.index(&mut store)?;
            ingest::run(&mut store, &index, &spec, &progress, &cancel)
        })
        .await
    }

    /// Brings the index up to date with the store (after a crash, or a rebuild). Returns how
    /// many documents were written.
    pub async fn catch_up(&self) -> Result<u64> {
        let this = self.clone();
        blocking(move || {
            let mut store = this.open_store()?;
            let index = this.index(&mut store)?;
            Ok(ingest::sync_index(&mut store, &index, &|_| {})? as u64)
        })
        .await
    }

    /// Searches with the query syntax of [`search::parse_query`].
    pub async fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchResult>> {
        let (text, filters) = search::parse_query(query)?;
        self.search_with(text, filters, limit).await
    }

    pub async fn search_with(
        &self,
        text: String,
        filters: crate::index::Filters,
        limit: usize,
    ) -> Result<Vec<SearchResult>> {
        let this = self.clone();
        blocking(move || {
            let mut store = this.open_store()?;
            let index = this.index(&mut store)?;
            search::search(&store, &index, &text, &filters, limit)
        })
        .await
    }

    /// A message (`m12`, or its Message-ID), a note (`n3`, or its path) or a thread (`t5`).
    pub async fn show(&self, id: &str) -> Result<Shown> {
        let this = self.clone();
        let id = id.trim().to_string();
        blocking(move || {
            let store = this.open_store()?;
            let not_found = || CoreError::NotFound {
                what: format!("`{id}`"),
                hint: ": use an id from `assistant search` (m12, n3, t5), a Message-ID, or a note path".into(),
            };
            if let Some(rest) = id.strip_prefix('t') {
                if let Ok(n) = rest.parse::<i64>() {
                    return store.thread(n)?.map(Shown::Thread).ok_or_else(not_found);
                }
            }
            let key = match DocKey::parse(&id) {
                Some(k) => Some(k),
                None if id.contains('@') => store.message_by_message_id(&id)?.map(DocKey::Message),
                None => store.note_by_path(&id)?.map(DocKey::Note),
            };
            match key {
                Some(DocKey::Message(n)) => store.message(n)?.map(|m| Shown::Message(Box::new(m))),
                Some(DocKey::Note(n)) => store.note(n)?.map(|n| Shown::Note(Box::new(n))),
                None => None,
            }
            .ok_or_else(not_found)
        })
        .await
    }

    /// Throws the index away and writes it again from the store.
    pub async fn reindex(
        &self,
        progress: impl Fn(Progress) + Send + 'static,
    ) -> Result<ReindexReport> {
        let this = self.clone();
        blocking(move || {
            let started = std::time::Instant::now();
            let mut store = this.open_store()?;
            let index = this.index(&mut store)?;
            {
                let mut writer = index.writer()?;
                writer.remove_all()?;
                writer.commit()?;
            }
            store.mark_all_unindexed()?;
            let documents = ingest::sync_index(&mut store, &index, &progress)? as u64;
            index.reload()?;
            Ok(ReindexReport {
                documents,
                elapsed_ms: started.elapsed().as_millis() as u64,
            })
        })
        .await
    }

    pub async fn status(&self) -> Result<LibraryStatus> {
        let this = self.clone();
        blocking(move || {
            let mut store = this.open_store()?;
            let index = this.index(&mut store)?;
            index.reload()?;
            Ok(LibraryStatus {
                counts: store.counts()?,
                sources: store.sources()?,
                index_docs: index.doc_count(),
            })
        })
        .await
    }

    /// Compares the index with the store, document by document.
    pub async fn check_index(&self) -> Result<IndexCheck> {
        let this = self.clone();
        blocking(move || {
            let mut store = this.open_store()?;
            let index = this.index(&mut store)?;
            index.reload()?;
            let in_store = store.all_doc_keys()?;
            let in_index = index.all_keys()?;
            let mut missing: Vec<String> = in_store
                .difference(&in_index)
                .map(|k| k.to_string())
                .collect();
            let mut stale: Vec<String> = in_index
                .difference(&in_store)
                .map(|k| k.to_string())
                .collect();
            missing.sort();
            stale.sort();
            Ok(IndexCheck {
                store_docs: in_store.len(),
                index_docs: in_index.len(),
                missing,
                stale,
            })
        })
        .await
    }

    /// Every stored message location with its message and thread.
    pub async fn thread_membership(&self) -> Result<Vec<crate::store::ThreadMember>> {
        let this = self.clone();
        blocking(move || this.open_store()?.thread_membership()).await
    }
}
