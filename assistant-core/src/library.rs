//! `Library`: the user's mail and notes as the app and the CLI see them (ingest, search, show,
//! reindex), async, with the blocking store and index work run off the runtime.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::chunk;
use crate::data_dir::DataDir;
use crate::dense::{DenseIndex, SegmentBuilder};
use crate::embed::{self, Embedder, EMBEDDING_MODEL_ID};
use crate::embed_worker::{EmbeddingActivity, EmbeddingWorker};
use crate::error::{CoreError, Result};
use crate::index::{DocKey, Filters, FullTextIndex, Hit};
use crate::ingest::{self, IngestReport, IngestSpec, Progress};
use crate::search::{self, SearchMode, SearchResult};
use crate::store::{MessageRecord, NoteRecord, SourceInfo, Store, StoreCounts, ThreadRecord};

#[derive(Clone)]
pub struct Library {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    db_path: PathBuf,
    index_dir: PathBuf,
    embedding_model_dir: PathBuf,
    /// Opened on first use; cheap to clone (tantivy's handles are shared).
    index: Mutex<Option<FullTextIndex>>,
    /// Loaded on first use.
    embedder: Mutex<Option<Arc<Embedder>>>,
    /// Every passage vector in memory: new vectors are appended, and after a deletion it is
    /// read again.
    dense: Mutex<Option<Arc<DenseIndex>>>,
    /// The background embedding job, once started.
    embedding_worker: Mutex<Option<EmbeddingWorker>>,
}

/// Local sources kept in sync (see `Library::keep_local_sources_in_sync`) while this lives.
pub struct LocalSync {
    _watchers: Vec<crate::watch::FolderWatcher>,
    pub embedding: EmbeddingWorker,
}

/// What one run of the embedding job did.
#[derive(Debug, Clone, Serialize)]
pub struct EmbedReport {
    pub chunks_created: u64,
    pub embedded: u64,
    /// Of those, copied from a passage with the same text and title (no model run).
    pub reused: u64,
    pub progress: crate::store::EmbeddingProgress,
    pub elapsed_ms: u64,
    /// Stopped before the end (`cancel`); run again to continue.
    pub paused: bool,
}

/// Progress of the embedding job: passages with a vector out of all passages.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct EmbedProgress {
    pub embedded: u64,
    pub chunks: u64,
}

/// Passages per model call. One: no padding, the smallest intermediates, and `embed_many` runs
/// one call per core (SciFact passages: 8 per call on two threads 8.1/s, 1 per call on each core
/// 18.2/s, docs/PERFORMANCE.md).
const EMBED_BATCH: usize = 1;

/// Passages fetched, embedded and committed together (about two seconds of work: a pause waits
/// at most that long).
const EMBED_ROUND: usize = 32;

/// Candidates each ranking contributes to hybrid fusion.
const FUSION_DEPTH: usize = 100;

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
    /// Passages and how many have vectors (meaning-based search uses those).
    pub embeddings: crate::store::EmbeddingProgress,
    pub sources: Vec<SourceInfo>,
    pub index_docs: u64,
    /// The background embedding job, when this process runs one.
    pub background_embedding: Option<EmbeddingActivity>,
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

pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
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
                embedding_model_dir: embed::model_dir(&dir.models_dir()),
                index: Mutex::new(None),
                embedder: Mutex::new(None),
                dense: Mutex::new(None),
                embedding_worker: Mutex::new(None),
            }),
        }
    }

    pub(crate) fn inner(&self) -> &Arc<Inner> {
        &self.inner
    }

    pub(crate) fn from_inner(inner: Arc<Inner>) -> Self {
        Self { inner }
    }

    /// Starts embedding in the background (once; later calls return the same handle): it gives
    /// waiting passages vectors now and after every ingest, until paused. Needs a tokio runtime.
    pub fn start_background_embedding(&self) -> EmbeddingWorker {
        let mut slot = self.inner.embedding_worker.lock().expect("worker slot");
        slot.get_or_insert_with(|| EmbeddingWorker::start(self))
            .clone()
    }

    /// The background embedding job, if started.
    pub fn background_embedding(&self) -> Option<EmbeddingWorker> {
        self.inner
            .embedding_worker
            .lock()
            .expect("worker slot")
            .clone()
    }

    fn wake_embedding(&self) {
        if let Some(w) = self.background_embedding() {
            w.wake();
        }
    }

    pub(crate) fn open_store(&self) -> Result<Store> {
        Store::open(&self.inner.db_path)
    }

    /// The index, opened once; one that cannot be opened or is of another version is rebuilt
    /// from the store (which is the source of truth).
    pub(crate) fn index(&self, store: &mut Store) -> Result<FullTextIndex> {
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
        // Not fatal: another process (an ingest, a watcher) may hold the index's writer; it
        // brings the index up to date itself, and search works on what is committed.
        if store.counts()?.pending_index > 0 {
            if let Err(err) = ingest::sync_index(store, &index, &|_| {}) {
                tracing::warn!(%err, "the search index could not catch up with the store now");
            }
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
        let report = blocking(move || {
            let mut store = this.open_store()?;
            let index = this.index(&mut store)?;
            ingest::run(&mut store, &index, &spec, &progress, &cancel)
        })
        .await;
        self.wake_embedding();
        report
    }

    /// Ingests every source again (what the app does on each start): maildirs, mbox files,
    /// notes folders, the single message files seen before, and the IMAP accounts whose password
    /// is in the keyring (the others are left until it is entered again). One result per
    /// source, in source order.
    pub async fn sync_local_sources(&self) -> Result<Vec<(String, Result<IngestReport>)>> {
        let this = self.clone();
        let specs = blocking(move || {
            let store = this.open_store()?;
            let mut specs = Vec::new();
            for source in store.sources()? {
                if let Some(spec) = crate::browse::ingest_spec(&store, &source)? {
                    specs.push((source.name, spec));
                }
            }
            Ok(specs)
        })
        .await?;
        let mut out = Vec::new();
        for (name, spec) in specs {
            let report = self
                .ingest(spec, |_| {}, Arc::new(AtomicBool::new(false)))
                .await;
            out.push((name, report));
        }
        Ok(out)
    }

    /// What the app does while it runs: every local source ingested again now, every notes
    /// folder watched from then on (`on_sync` gets each report with its source's name), and new
    /// passages given vectors in the background. Watching lasts while the result lives.
    pub async fn keep_local_sources_in_sync(
        &self,
        on_sync: impl Fn(&str, Result<IngestReport>) + Send + Sync + 'static,
    ) -> Result<LocalSync> {
        let on_sync = Arc::new(on_sync);
        for (name, report) in self.sync_local_sources().await? {
            on_sync(&name, report);
        }
        let this = self.clone();
        let notes_folders = blocking(move || {
            let store = this.open_store()?;
            Ok(store
                .sources()?
                .into_iter()
                .filter(|s| s.kind == crate::store::SourceKind::Notes)
                .map(|s| (s.name, PathBuf::from(s.location)))
                .collect::<Vec<_>>())
        })
        .await?;
        let mut watchers = Vec::new();
        for (name, folder) in notes_folders {
            let on_sync = on_sync.clone();
            match self.watch_notes(folder, move |r| on_sync(&name, r)) {
                Ok(w) => watchers.push(w),
                // A folder that is gone (an unplugged drive) is reported by the sync above.
                Err(err) => tracing::warn!(%err, "a notes folder cannot be watched"),
            }
        }
        let embedding = self.start_background_embedding();
        Ok(LocalSync {
            _watchers: watchers,
            embedding,
        })
    }

    /// Keeps a notes folder in sync while the returned watcher lives: after each burst of changes
    /// the folder is ingested again (only changed files are read) and `on_sync` gets the report.
    pub fn watch_notes(
        &self,
        root: PathBuf,
        on_sync: impl Fn(Result<IngestReport>) + Send + 'static,
    ) -> Result<crate::watch::FolderWatcher> {
        let this = self.clone();
        let spec = IngestSpec::Notes(root.clone());
        crate::watch::watch_folder(root, move || {
            let result = (|| {
                let mut store = this.open_store()?;
                let index = this.index(&mut store)?;
                ingest::run(&mut store, &index, &spec, &|_| {}, &AtomicBool::new(false))
            })();
            this.wake_embedding();
            on_sync(result);
        })
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

    /// Searches with the query syntax of [`search::parse_query`], ranked by `SearchMode::Auto`.
    pub async fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchResult>> {
        let (text, filters) = search::parse_query(query)?;
        self.search_with(text, filters, limit, SearchMode::Auto)
            .await
    }

    pub async fn search_with(
        &self,
        text: String,
        filters: Filters,
        limit: usize,
        mode: SearchMode,
    ) -> Result<Vec<SearchResult>> {
        let this = self.clone();
        blocking(move || {
            let mut store = this.open_store()?;
            let index = this.index(&mut store)?;
            let hits = this.ranked(&store, &index, &text, &filters, limit, mode)?;
            search::results(&store, &index, &text, &hits)
        })
        .await
    }

    fn ranked(
        &self,
        store: &Store,
        index: &FullTextIndex,
        text: &str,
        filters: &Filters,
        limit: usize,
        mode: SearchMode,
    ) -> Result<Vec<Hit>> {
        let has_vectors = || -> Result<bool> {
            Ok(self
                .inner
                .embedding_model_dir
                .join("model.safetensors")
                .is_file()
                && store.has_embeddings(EMBEDDING_MODEL_ID)?)
        };
        let mode = match mode {
            SearchMode::Auto if !text.trim().is_empty() && has_vectors()? => SearchMode::Hybrid,
            SearchMode::Auto => SearchMode::Bm25,
            m => m,
        };
        if mode == SearchMode::Bm25 || text.trim().is_empty() {
            return index.search(text, filters, limit);
        }
        let embedder = self.embedder()?;
        let query = embedder.embed(&[text])?.remove(0);
        let dense = self.dense_index(store)?;
        let allowed: Option<HashSet<DocKey>> = if *filters == Filters::default() {
            None
        } else {
            Some(index.matching_keys(filters)?)
        };
        let depth = if mode == SearchMode::Dense {
            limit
        } else {
            FUSION_DEPTH.max(limit)
        };
        let dense_hits = dense.top(&query, depth, allowed.as_ref());
        if mode == SearchMode::Dense {
            return Ok(dense_hits
                .into_iter()
                .map(|(key, score)| Hit { key, score })
                .collect());
        }
        let lexical: Vec<DocKey> = index
            .search(text, filters, depth)?
            .into_iter()
            .map(|h| h.key)
            .collect();
        let semantic: Vec<DocKey> = dense_hits.into_iter().map(|(k, _)| k).collect();
        Ok(search::reciprocal_rank_fusion(
            &[
                (lexical, search::LEXICAL_WEIGHT),
                (semantic, search::SEMANTIC_WEIGHT),
            ],
            limit,
        ))
    }

    fn embedder(&self) -> Result<Arc<Embedder>> {
        if let Some(e) = self.inner.embedder.lock().expect("embedder slot").clone() {
            return Ok(e);
        }
        let e = Arc::new(Embedder::load(&self.inner.embedding_model_dir)?);
        *self.inner.embedder.lock().expect("embedder slot") = Some(e.clone());
        Ok(e)
    }

    fn dense_index(&self, store: &Store) -> Result<Arc<DenseIndex>> {
        let stamp = store.embedding_stamp()?;
        let held = self.inner.dense.lock().expect("dense slot").clone();
        let base = match held {
            Some(d) if d.stamp == stamp => return Ok(d),
            // Only vectors added since: read those (the embedding job adds them while search runs).
            Some(d) if d.stamp.changes == stamp.changes => d,
            // Vectors were deleted or replaced: read them all again.
            _ => Arc::new(DenseIndex::default()),
        };
        let mut built = SegmentBuilder::new(base.stamp.last_row);
        store.each_embedding_since(
            EMBEDDING_MODEL_ID,
            base.stamp.last_row,
            |row, key, bytes| built.add(row, key, bytes),
        )?;
        let d = Arc::new(base.extended(built, stamp.changes));
        *self.inner.dense.lock().expect("dense slot") = Some(d.clone());
        Ok(d)
    }

    /// Copies the embedding model's files from `source` (the folder scripts/fetch-embedding-model.sh
    /// prints) into the data folder; the copy is loaded once before it is kept.
    pub async fn install_embedding_model(&self, source: PathBuf) -> Result<PathBuf> {
        let dest = self.inner.embedding_model_dir.clone();
        blocking(move || {
            let part = dest.with_extension("part");
            let _ = std::fs::remove_dir_all(&part);
            std::fs::create_dir_all(&part).map_err(|e| CoreError::io(&part, e))?;
            for f in embed::MODEL_FILES {
                std::fs::copy(source.join(f), part.join(f))
                    .map_err(|e| CoreError::io(source.join(f), e))?;
            }
            Embedder::load(&part)?;
            let _ = std::fs::remove_dir_all(&dest);
            std::fs::rename(&part, &dest).map_err(|e| CoreError::io(&dest, e))?;
            Ok(dest)
        })
        .await
    }

    /// How close in meaning each pair of texts is: the cosine of their embedding vectors (the
    /// model meaning-based search uses), in -1..=1.
    pub async fn similarities(&self, pairs: Vec<(String, String)>) -> Result<Vec<f32>> {
        let this = self.clone();
        blocking(move || {
            let embedder = this.embedder()?;
            let mut out = Vec::with_capacity(pairs.len());
            for (a, b) in &pairs {
                let v = embedder.embed(&[a.as_str(), b.as_str()])?;
                out.push(crate::embed::cosine(&v[0], &v[1]));
            }
            Ok(out)
        })
        .await
    }

    pub fn embedding_model_dir(&self) -> &Path {
        &self.inner.embedding_model_dir
    }

    /// Splits new documents into passages and gives each passage a vector, in batches that are
    /// each committed; `cancel` pauses between batches (run again to continue). Search works
    /// (BM25) while it runs and uses the vectors stored so far.
    pub async fn embed(
        &self,
        progress: impl Fn(EmbedProgress) + Send + 'static,
        cancel: Arc<AtomicBool>,
    ) -> Result<EmbedReport> {
        let this = self.clone();
        blocking(move || {
            let started = std::time::Instant::now();
            let embedder = this.embedder()?;
            let mut store = this.open_store()?;
            let mut chunks_created = 0u64;
            loop {
                let docs = store.docs_without_chunks(500)?;
                if docs.is_empty() {
                    break;
                }
                let chunked: Vec<(DocKey, Vec<chunk::Chunk>)> = docs
                    .into_iter()
                    .map(|(key, _title, body)| {
                        let text = match key {
                            DocKey::Message(_) => chunk::mail_new_text(&body),
                            DocKey::Note(_) => body.as_str(),
                        };
                        (
                            key,
                            chunk::chunk_text(text, chunk::MAX_CHUNK_CHARS, chunk::MAX_CHUNKS),
                        )
                    })
                    .collect();
                chunks_created += store.put_chunks(&chunked)? as u64;
            }
            let total = store.embedding_progress(EMBEDDING_MODEL_ID)?;
            let mut embedded = 0u64;
            let mut reused = 0u64;
            let mut paused = false;
            let mut after = 0i64;
            loop {
                if cancel.load(Ordering::Relaxed) {
                    paused = true;
                    break;
                }
                let batch =
                    store.chunks_without_embedding(EMBEDDING_MODEL_ID, after, EMBED_ROUND)?;
                let Some(last) = batch.last() else { break };
                after = last.0;
                let mut rows: Vec<(i64, Vec<f32>)> = Vec::with_capacity(batch.len());
                let mut to_embed: Vec<(i64, String)> = Vec::new();
                // Passages of this round that repeat an earlier one of the round: (id, its index).
                let mut repeats: Vec<(i64, usize)> = Vec::new();
                let mut seen: std::collections::HashMap<String, usize> = Default::default();
                for (id, title, text) in batch {
                    if let Some(v) =
                        store.identical_passage_vector(EMBEDDING_MODEL_ID, &title, &text)?
                    {
                        rows.push((id, v));
                        continue;
                    }
                    // The title gives a passage its context ("Re: Q3 budget" + "yes, Thursday").
                    let t = if title.is_empty() {
                        text
                    } else {
                        format!("{title}. {text}")
                    };
                    if let Some(&i) = seen.get(&t) {
                        repeats.push((id, i));
                        continue;
                    }
                    seen.insert(t.clone(), to_embed.len());
                    to_embed.push((id, t));
                }
                reused += (rows.len() + repeats.len()) as u64;
                let refs: Vec<&str> = to_embed.iter().map(|(_, t)| t.as_str()).collect();
                let vectors = embedder.embed_many(&refs, EMBED_BATCH)?;
                rows.extend(repeats.iter().map(|&(id, i)| (id, vectors[i].clone())));
                rows.extend(to_embed.iter().map(|(id, _)| *id).zip(vectors));
                store.put_embeddings(EMBEDDING_MODEL_ID, &rows)?;
                embedded += rows.len() as u64;
                progress(EmbedProgress {
                    embedded: total.embedded as u64 + embedded,
                    chunks: total.chunks as u64,
                });
            }
            Ok(EmbedReport {
                chunks_created,
                embedded,
                reused,
                progress: store.embedding_progress(EMBEDDING_MODEL_ID)?,
                elapsed_ms: started.elapsed().as_millis() as u64,
                paused,
            })
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
                embeddings: store.embedding_progress(EMBEDDING_MODEL_ID)?,
                sources: store.sources()?,
                index_docs: index.doc_count(),
                background_embedding: this.background_embedding().map(|w| w.activity()),
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
