//! Ingestion: mail (maildir, mbox, .eml) and Markdown notes into the store, then threads, links
//! and the full-text index brought up to date. Blocking code; the async facade runs it off the runtime.
//!
//! Idempotent and restartable: unchanged files are skipped by size and modification time, each
//! batch is one transaction, and the index catches up from the store's `indexed` marks, so a run
//! killed at any point and started again ends with the same store and index as an undisturbed one.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{CoreError, Result};
use crate::index::{DocKey, FullTextIndex};
use crate::mail::imap::{ImapAccount, ImapClient};
use crate::mail::sources::{mtime_ns, scan_maildir, split_mbox, MailFile};
use crate::mail::threading::assign_threads;
use crate::mail::{self, ParsedMail};
use crate::notes;
use crate::store::{KnownLocation, Location, PutOutcome, SourceId, SourceKind, Store};

/// Messages larger than this are skipped with a reason instead of being read into memory.
pub const MAX_MESSAGE_BYTES: u64 = 200 << 20;
/// Rows written per transaction.
const BATCH: usize = 500;
/// Documents written to the index per commit.
const INDEX_BATCH: usize = 5000;

/// What to ingest.
#[derive(Debug, Clone)]
pub enum IngestSpec {
    /// A maildir (`cur/`, `new/`, Maildir++ subfolders) or any folder tree of message files.
    Maildir(PathBuf),
    Mbox(PathBuf),
    /// Single message files.
    Eml(Vec<PathBuf>),
    /// A folder of Markdown notes.
    Notes(PathBuf),
    /// An IMAP account: new messages are fetched, flags and deletions brought over.
    Imap(ImapAccount),
}

impl IngestSpec {
    fn kind(&self) -> SourceKind {
        match self {
            IngestSpec::Maildir(_) => SourceKind::Maildir,
            IngestSpec::Mbox(_) => SourceKind::Mbox,
            IngestSpec::Eml(_) => SourceKind::Eml,
            IngestSpec::Notes(_) => SourceKind::Notes,
            IngestSpec::Imap(_) => SourceKind::Imap,
        }
    }
}

/// Where an ingest is, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Progress {
    Scanning,
    Reading { done: u64, total: u64 },
    Threading,
    Indexing { done: u64, total: u64 },
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Skipped {
    pub location: String,
    pub reason: String,
}

/// The final report of an ingest.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IngestReport {
    pub source: String,
    pub kind: String,
    /// Files or entries looked at.
    pub scanned: u64,
    /// Read and parsed (the rest were unchanged by size and time).
    pub read: u64,
    pub added: u64,
    /// Already stored from another mailbox or folder.
    pub duplicates: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Gone from the source since the last ingest, so removed.
    pub removed: u64,
    pub skipped: Vec<Skipped>,
    /// Stored with repairs (non-UTF-8 headers, quoted-printable debris, bad front matter).
    pub repaired: u64,
    pub threads_changed: u64,
    pub indexed: u64,
    pub elapsed_ms: u64,
    pub cancelled: bool,
}

/// Runs one ingest. `cancel` stops it between batches; what was committed stays.
pub fn run(
    store: &mut Store,
    index: &FullTextIndex,
    spec: &IngestSpec,
    progress: &dyn Fn(Progress),
    cancel: &AtomicBool,
) -> Result<IngestReport> {
    let started = Instant::now();
    let mut report = IngestReport {
        kind: spec.kind().as_str().to_string(),
        ..Default::default()
    };
    progress(Progress::Scanning);
    let source = match spec {
        IngestSpec::Maildir(root) => {
            let (root, source) = local_source(store, SourceKind::Maildir, root, &mut report)?;
            ingest_maildir(store, source, &root, &mut report, progress, cancel)?;
            source
        }
        IngestSpec::Mbox(file) => {
            let (file, source) = local_source(store, SourceKind::Mbox, file, &mut report)?;
            ingest_mbox(store, source, &file, &mut report, progress, cancel)?;
            source
        }
        IngestSpec::Eml(files) => {
            let source = store.source(SourceKind::Eml, "", "files")?;
            report.source = "files".into();
            ingest_eml(store, source, files, &mut report, progress, cancel)?;
            source
        }
        IngestSpec::Imap(account) => {
            let name = format!("{}@{}", account.user, account.host);
            let source = store.source(SourceKind::Imap, &account.url(), &name)?;
            report.source = name;
            ingest_imap(store, source, account, &mut report, progress, cancel)?;
            source
        }
        IngestSpec::Notes(root) => {
            let (root, source) = local_source(store, SourceKind::Notes, root, &mut report)?;
            ingest_notes(store, source, &root, &mut report, progress, cancel)?;
            store.resolve_links(source)?;
            source
        }
    };
    report.cancelled = cancel.load(Ordering::Relaxed);
    if !matches!(spec, IngestSpec::Notes(_)) {
        progress(Progress::Threading);
        report.threads_changed = rethread(store)? as u64;
    }
    if !report.cancelled {
        store.mark_synced(source)?;
    }
    report.indexed = sync_index(store, index, progress)? as u64;
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// The source for a folder or file on this device (by its canonical path), named after it.
fn local_source(
    store: &mut Store,
    kind: SourceKind,
    path: &Path,
    report: &mut IngestReport,
) -> Result<(PathBuf, SourceId)> {
    let path = canonical(path)?;
    report.source = source_name(&path);
    let source = store.source(kind, &path.display().to_string(), &report.source)?;
    Ok((path, source))
}

fn require_folder(root: &Path) -> Result<()> {
    if root.is_dir() {
        Ok(())
    } else {
        Err(CoreError::InvalidRequest(format!(
            "{}: not a folder",
            root.display()
        )))
    }
}

fn canonical(path: &Path) -> Result<PathBuf> {
    std::fs::canonicalize(path).map_err(|e| CoreError::io(path, e))
}

fn source_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Recomputes threads from every message; returns how many messages changed thread.
pub fn rethread(store: &mut Store) -> Result<usize> {
    let inputs = store.thread_inputs()?;
    let assignments = assign_threads(&inputs);
    store.apply_threads(&assignments)
}

/// Writes every change the index has not seen: removals, then new and changed documents.
/// Returns how many documents were written.
pub fn sync_index(
    store: &mut Store,
    index: &FullTextIndex,
    progress: &dyn Fn(Progress),
) -> Result<usize> {
    let removals = store.pending_removals()?;
    let total = store.counts()?.pending_index as u64;
    if total == 0 {
        return Ok(0);
    }
    let mut writer = index.writer()?;
    for key in &removals {
        writer.remove(*key);
    }
    let mut done = 0usize;
    progress(Progress::Indexing { done: 0, total });
    loop {
        let docs = store.pending_index_docs(INDEX_BATCH)?;
        if docs.is_empty() {
            break;
        }
        let keys: Vec<DocKey> = docs.iter().map(|d| d.key).collect();
        for d in &docs {
            writer.put(d)?;
        }
        writer.commit()?;
        store.mark_indexed(&keys)?;
        done += docs.len();
        progress(Progress::Indexing {
            done: (done + removals.len()) as u64,
            total,
        });
    }
    writer.commit()?;
    store.clear_removals(&removals)?;
    index.reload()?;
    Ok(done)
}

fn changed(known: Option<&KnownLocation>, size: u64, mtime: i64) -> bool {
    match known {
        Some(k) => k.file_size != Some(size) || k.file_mtime_ns != Some(mtime),
        None => true,
    }
}

/// A parsed message file, or why it was not stored.
type ReadResult = (MailFile, std::result::Result<ParsedMail, String>);

fn read_mail_file(file: &MailFile) -> std::result::Result<ParsedMail, String> {
    if file.size > MAX_MESSAGE_BYTES {
        return Err(format!("larger than {} MB", MAX_MESSAGE_BYTES >> 20));
    }
    let bytes = std::fs::read(&file.path).map_err(|e| format!("unreadable: {e}"))?;
    mail::parse(&bytes).map_err(|e| e.to_string())
}

fn count(report: &mut IngestReport, outcome: PutOutcome) {
    match outcome {
        PutOutcome::Added => report.added += 1,
        PutOutcome::Duplicate => report.duplicates += 1,
        PutOutcome::Updated => report.updated += 1,
        PutOutcome::Unchanged => report.unchanged += 1,
    }
}

/// Parses files on a second thread while this one writes, in batches of one transaction.
fn store_mail_files(
    store: &mut Store,
    source: SourceId,
    files: Vec<MailFile>,
    total: u64,
    report: &mut IngestReport,
    progress: &dyn Fn(Progress),
    cancel: &AtomicBool,
) -> Result<()> {
    let (tx, rx) = mpsc::sync_channel::<ReadResult>(256);
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let reader_stop = stop.clone();
    let reader = std::thread::Builder::new()
        .name("mail-reader".into())
        .spawn(move || {
            for file in files {
                if reader_stop.load(Ordering::Relaxed) {
                    break;
                }
                let parsed = read_mail_file(&file);
                if tx.send((file, parsed)).is_err() {
                    break;
                }
            }
        })
        .map_err(|e| CoreError::io("mail-reader thread", e))?;
    let mut done = report.scanned - total;
    let result = (|| -> Result<()> {
        let mut pending: Vec<ReadResult> = Vec::with_capacity(BATCH);
        let write = |store: &mut Store,
                     pending: &mut Vec<ReadResult>,
                     report: &mut IngestReport|
         -> Result<()> {
            let batch = store.begin()?;
            for (file, parsed) in pending.drain(..) {
                match parsed {
                    Ok(mail) => {
                        let loc = Location {
                            location: file.location.clone(),
                            folder: file.folder.clone(),
                            file_size: Some(file.size),
                            file_mtime_ns: Some(file.mtime_ns),
                            seen: maildir_seen(&file),
                            flags: file.flags.clone(),
                        };
                        if !mail.problems.is_empty() {
                            report.repaired += 1;
                        }
                        count(report, batch.put_mail(source, &loc, &mail)?);
                    }
                    Err(reason) => report.skipped.push(Skipped {
                        location: file.location.clone(),
                        reason,
                    }),
                }
            }
            batch.commit()
        };
        for item in rx.iter() {
            report.read += 1;
            pending.push(item);
            done += 1;
            if pending.len() >= BATCH {
                write(store, &mut pending, report)?;
                progress(Progress::Reading {
                    done,
                    total: report.scanned,
                });
                if cancel.load(Ordering::Relaxed) {
                    return Ok(());
                }
            }
        }
        write(store, &mut pending, report)?;
        progress(Progress::Reading {
            done,
            total: report.scanned,
        });
        Ok(())
    })();
    stop.store(true, Ordering::Relaxed);
    drop(rx);
    let _ = reader.join();
    result
}

/// Whether maildir says the message was read: its `S` flag, for files in `cur/` or with an info
/// suffix; unknown for plain message files (as in a folder tree that is not a real maildir).
fn maildir_seen(file: &MailFile) -> Option<bool> {
    let in_cur = file.path.parent().is_some_and(|p| p.ends_with("cur"));
    let in_new = file.path.parent().is_some_and(|p| p.ends_with("new"));
    if in_new {
        Some(false)
    } else if in_cur || !file.flags.is_empty() {
        Some(file.flags.contains('S'))
    } else {
        None
    }
}

fn ingest_maildir(
    store: &mut Store,
    source: SourceId,
    root: &Path,
    report: &mut IngestReport,
    progress: &dyn Fn(Progress),
    cancel: &AtomicBool,
) -> Result<()> {
    require_folder(root)?;
    let (files, unreadable) = scan_maildir(root);
    for (location, reason) in unreadable {
        report.skipped.push(Skipped { location, reason });
    }
    let known = store.known_locations(source)?;
    report.scanned = files.len() as u64;
    let present: HashSet<&str> = files.iter().map(|f| f.location.as_str()).collect();
    let gone: Vec<String> = known
        .keys()
        .filter(|k| !present.contains(k.as_str()))
        .cloned()
        .collect();
    let todo: Vec<MailFile> = files
        .iter()
        .filter(|f| changed(known.get(&f.location), f.size, f.mtime_ns))
        .cloned()
        .collect();
    report.unchanged = report.scanned - todo.len() as u64;
    // Same file, new flags (maildir renames `cur/NAME:2,` to `cur/NAME:2,S` when mail is read).
    let reflagged: Vec<&MailFile> = files
        .iter()
        .filter(|f| {
            known
                .get(&f.location)
                .is_some_and(|k| !changed(Some(k), f.size, f.mtime_ns) && k.flags != f.flags)
        })
        .collect();
    if !reflagged.is_empty() {
        let batch = store.begin()?;
        for f in reflagged {
            batch.set_flags(source, &f.location, &f.flags, maildir_seen(f))?;
        }
        batch.commit()?;
    }
    progress(Progress::Reading {
        done: report.unchanged,
        total: report.scanned,
    });
    let total = todo.len() as u64;
    store_mail_files(store, source, todo, total, report, progress, cancel)?;
    if !cancel.load(Ordering::Relaxed) && !gone.is_empty() {
        let batch = store.begin()?;
        report.removed = batch.remove_locations(source, &gone)? as u64;
        batch.commit()?;
    }
    Ok(())
}

fn ingest_eml(
    store: &mut Store,
    source: SourceId,
    paths: &[PathBuf],
    report: &mut IngestReport,
    progress: &dyn Fn(Progress),
    cancel: &AtomicBool,
) -> Result<()> {
    let known = store.known_locations(source)?;
    let mut todo = Vec::new();
    for path in paths {
        report.scanned += 1;
        let meta = match std::fs::metadata(path) {
            Ok(m) if m.is_file() => m,
            Ok(_) => {
                report.skipped.push(Skipped {
                    location: path.display().to_string(),
                    reason: "not a file".into(),
                });
                continue;
            }
            Err(e) => {
                report.skipped.push(Skipped {
                    location: path.display().to_string(),
                    reason: format!("unreadable: {e}"),
                });
                continue;
            }
        };
        let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        let location = abs.display().to_string();
        let (size, mtime) = (meta.len(), mtime_ns(&meta));
        if !changed(known.get(&location), size, mtime) {
            report.unchanged += 1;
            continue;
        }
        todo.push(MailFile {
            folder: abs
                .parent()
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            path: abs,
            location,
            size,
            mtime_ns: mtime,
            flags: String::new(),
        });
    }
    let total = todo.len() as u64;
    store_mail_files(store, source, todo, total, report, progress, cancel)
}

fn ingest_mbox(
    store: &mut Store,
    source: SourceId,
    file: &Path,
    report: &mut IngestReport,
    progress: &dyn Fn(Progress),
    cancel: &AtomicBool,
) -> Result<()> {
    let meta = std::fs::metadata(file).map_err(|e| CoreError::io(file, e))?;
    let stamp = format!("{}:{}", meta.len(), mtime_ns(&meta));
    let known = store.known_locations(source)?;
    if store.state(source, "file")?.as_deref() == Some(stamp.as_str()) {
        report.scanned = known.len() as u64;
        report.unchanged = report.scanned;
        return Ok(());
    }
    let data = std::fs::read(file).map_err(|e| CoreError::io(file, e))?;
    let entries = split_mbox(&data);
    drop(data);
    if entries.is_empty() && meta.len() > 0 {
        report.skipped.push(Skipped {
            location: file.display().to_string(),
            reason: "no `From ` separator lines: not an mbox file".into(),
        });
        return Ok(());
    }
    report.scanned = entries.len() as u64;
    let folder = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let present: HashSet<String> = entries.iter().map(|e| e.location.clone()).collect();
    let total = entries.len() as u64;
    let mut done = 0;
    for chunk in entries.chunks(BATCH) {
        let batch = store.begin()?;
        for entry in chunk {
            report.read += 1;
            if known.contains_key(&entry.location) {
                // The key is a hash of the entry: the same key is the same bytes.
                report.unchanged += 1;
                continue;
            }
            match mail::parse(&entry.bytes) {
                Ok(mail) => {
                    if !mail.problems.is_empty() {
                        report.repaired += 1;
                    }
                    let loc = Location {
                        location: entry.location.clone(),
                        folder: folder.clone(),
                        ..Default::default()
                    };
                    count(report, batch.put_mail(source, &loc, &mail)?);
                }
                Err(reason) => report.skipped.push(Skipped {
                    location: format!("{}#{}", file.display(), entry.location),
                    reason: reason.to_string(),
                }),
            }
        }
        batch.commit()?;
        done += chunk.len() as u64;
        progress(Progress::Reading { done, total });
        if cancel.load(Ordering::Relaxed) {
            return Ok(());
        }
    }
    let gone: Vec<String> = known
        .keys()
        .filter(|k| !present.contains(*k))
        .cloned()
        .collect();
    let batch = store.begin()?;
    report.removed = batch.remove_locations(source, &gone)? as u64;
    batch.set_state(source, "file", &stamp)?;
    batch.commit()?;
    Ok(())
}

fn ingest_notes(
    store: &mut Store,
    source: SourceId,
    root: &Path,
    report: &mut IngestReport,
    progress: &dyn Fn(Progress),
    cancel: &AtomicBool,
) -> Result<()> {
    require_folder(root)?;
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(root).follow_links(false) {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                report.skipped.push(Skipped {
                    location: err
                        .path()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default(),
                    reason: err.to_string(),
                });
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        if !notes::is_note_path(rel) {
            continue;
        }
        let rel = rel.to_string_lossy().replace('\\', "/");
        match entry.metadata() {
            Ok(meta) => files.push((entry.path().to_path_buf(), rel, meta.len(), mtime_ns(&meta))),
            Err(e) => report.skipped.push(Skipped {
                location: rel,
                reason: e.to_string(),
            }),
        }
    }
    files.sort_by(|a, b| a.1.cmp(&b.1));
    let known = store.known_notes(source)?;
    report.scanned = files.len() as u64;
    let present: HashSet<&str> = files.iter().map(|f| f.1.as_str()).collect();
    let gone: Vec<String> = known
        .keys()
        .filter(|k| !present.contains(k.as_str()))
        .cloned()
        .collect();
    let total = files.len() as u64;
    let mut done = 0;
    for chunk in files.chunks(BATCH) {
        let batch = store.begin()?;
        for (path, rel, size, mtime) in chunk {
            if !changed(known.get(rel), *size, *mtime) {
                report.unchanged += 1;
                continue;
            }
            report.read += 1;
            let bytes = match std::fs::read(path) {
                Ok(b) => b,
                Err(e) => {
                    report.skipped.push(Skipped {
                        location: rel.clone(),
                        reason: format!("unreadable: {e}"),
                    });
                    continue;
                }
            };
            if bytes.contains(&0) {
                report.skipped.push(Skipped {
                    location: rel.clone(),
                    reason: "binary file, not a note".into(),
                });
                continue;
            }
            let text = match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(e) => {
                    report.repaired += 1;
                    e.into_bytes().iter().map(|&b| b as char).collect()
                }
            };
            let hash = hex::encode(Sha256::digest(text.as_bytes()));
            let note = notes::parse_note(Path::new(rel), &text);
            if !note.problems.is_empty() {
                report.repaired += 1;
            }
            count(
                report,
                batch.put_note(source, rel, *size, *mtime, &hash, &note)?,
            );
        }
        batch.commit()?;
        done += chunk.len() as u64;
        progress(Progress::Reading { done, total });
        if cancel.load(Ordering::Relaxed) {
            return Ok(());
        }
    }
    if !gone.is_empty() {
        let batch = store.begin()?;
        report.removed = batch.remove_notes(source, &gone)? as u64;
        batch.commit()?;
    }
    Ok(())
}

/// `folder/UIDVALIDITY/UID`: a new UIDVALIDITY (the folder was recreated) makes every old key stale.
fn imap_key(folder: &str, validity: u32, uid: u32) -> String {
    format!("{folder}/{validity}/{uid}")
}

fn parse_imap_key(key: &str) -> Option<(&str, u32, u32)> {
    let mut parts = key.rsplitn(3, '/');
    let uid = parts.next()?.parse().ok()?;
    let validity = parts.next()?.parse().ok()?;
    Some((parts.next()?, validity, uid))
}

/// Messages fetched per request and per transaction.
const IMAP_FETCH: usize = 100;

fn ingest_imap(
    store: &mut Store,
    source: SourceId,
    account: &ImapAccount,
    report: &mut IngestReport,
    progress: &dyn Fn(Progress),
    cancel: &AtomicBool,
) -> Result<()> {
    let server = |e: crate::mail::imap::ImapError| CoreError::MailServer(e.0);
    let mut client = ImapClient::connect(account).map_err(server)?;
    let all_folders = account.folders.is_empty();
    let folders = if all_folders {
        client.folders().map_err(server)?
    } else {
        account.folders.clone()
    };
    let known = store.known_locations(source)?;
    let mut gone: Vec<String> = Vec::new();
    if all_folders {
        // Folders deleted on the server.
        gone.extend(
            known
                .keys()
                .filter(|k| {
                    parse_imap_key(k).is_some_and(|(f, _, _)| !folders.iter().any(|x| x == f))
                })
                .cloned(),
        );
    }
    let mut plan: Vec<(String, u32, Vec<u32>)> = Vec::new();
    for folder in &folders {
        let validity = client.open(folder).map_err(server)?;
        let on_server = client.uids_and_flags().map_err(server)?;
        report.scanned += on_server.len() as u64;
        let mut new_uids = Vec::new();
        let batch = store.begin()?;
        for (uid, flags) in &on_server {
            match known.get(&imap_key(folder, validity, *uid)) {
                Some(k) => {
                    report.unchanged += 1;
                    if &k.flags != flags {
                        batch.set_flags(
                            source,
                            &imap_key(folder, validity, *uid),
                            flags,
                            Some(flags.contains('S')),
                        )?;
                    }
                }
                None => new_uids.push(*uid),
            }
        }
        batch.set_state(
            source,
            &format!("uidvalidity:{folder}"),
            &validity.to_string(),
        )?;
        batch.commit()?;
        let present: HashSet<u32> = on_server.iter().map(|(u, _)| *u).collect();
        gone.extend(
            known
                .keys()
                .filter(|k| {
                    parse_imap_key(k).is_some_and(|(f, v, u)| {
                        f == folder && (v != validity || !present.contains(&u))
                    })
                })
                .cloned(),
        );
        plan.push((folder.clone(), validity, new_uids));
    }
    let total: u64 = plan.iter().map(|(_, _, u)| u.len() as u64).sum();
    let mut done = 0;
    progress(Progress::Reading { done: 0, total });
    for (folder, validity, uids) in plan {
        if uids.is_empty() {
            continue;
        }
        if client.open(&folder).map_err(server)? != validity {
            // Recreated while we were busy: the next sync sees the new folder.
            continue;
        }
        for chunk in uids.chunks(IMAP_FETCH) {
            let messages = client.fetch(chunk).map_err(server)?;
            let batch = store.begin()?;
            for m in messages {
                report.read += 1;
                let key = imap_key(&folder, validity, m.uid);
                match mail::parse(&m.bytes) {
                    Ok(mail) => {
                        if !mail.problems.is_empty() {
                            report.repaired += 1;
                        }
                        let loc = Location {
                            location: key,
                            folder: folder.clone(),
                            file_size: Some(m.bytes.len() as u64),
                            file_mtime_ns: None,
                            seen: Some(m.flags.contains('S')),
                            flags: m.flags,
                        };
                        count(report, batch.put_mail(source, &loc, &mail)?);
                    }
                    Err(reason) => report.skipped.push(Skipped {
                        location: key,
                        reason: reason.to_string(),
                    }),
                }
            }
            batch.commit()?;
            done += chunk.len() as u64;
            progress(Progress::Reading { done, total });
            if cancel.load(Ordering::Relaxed) {
                client.logout();
                return Ok(());
            }
        }
    }
    client.logout();
    if !gone.is_empty() {
        let batch = store.begin()?;
        report.removed = batch.remove_locations(source, &gone)? as u64;
        batch.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imap_keys_round_trip_with_slashes_in_folder_names() {
        let key = imap_key("Archive/2024", 1700, 42);
        assert_eq!(parse_imap_key(&key), Some(("Archive/2024", 1700, 42)));
        assert_eq!(parse_imap_key("INBOX/x/1"), None);
    }
}
