//! The local SQLite store, the source of truth for mail and notes (the only module that uses rusqlite).
//!
//! Writes happen in [`Batch`]es, one transaction each, so a crash loses at most the batch in
//! flight and never leaves half a message. Every change that the full-text index must see marks
//! the row `indexed = 0` (or records a removal) in the same transaction.

mod actions;
mod browsing;
mod cloud_calls;
mod migrations;
mod outbox;
mod reading;
mod records;
mod replies;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{CoreError, Result};
use crate::index::{DocKey, IndexDoc};
use crate::mail::threading::ThreadInput;
use crate::mail::ParsedMail;
use crate::notes::ParsedNote;

pub use actions::{AuditEntry, MessageState, Reminder};
pub use browsing::{InboxRow, NoteListRow};
pub use cloud_calls::{CloudCall, NewCloudCall};
pub use migrations::{LATEST_VERSION, MIGRATIONS};
pub use outbox::{NewOutboxItem, OutboxItem};
pub use records::*;
pub use replies::Draft;

pub type SourceId = i64;

/// The kinds of source a user can add.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Maildir,
    Mbox,
    Eml,
    Imap,
    Notes,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Maildir => "maildir",
            SourceKind::Mbox => "mbox",
            SourceKind::Eml => "eml",
            SourceKind::Imap => "imap",
            SourceKind::Notes => "notes",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "maildir" => SourceKind::Maildir,
            "mbox" => SourceKind::Mbox,
            "eml" => SourceKind::Eml,
            "imap" => SourceKind::Imap,
            _ => SourceKind::Notes,
        }
    }
}

/// Where a message was seen, as the ingest found it.
#[derive(Debug, Clone, Default)]
pub struct Location {
    pub location: String,
    pub folder: String,
    pub file_size: Option<u64>,
    pub file_mtime_ns: Option<i64>,
    pub flags: String,
    /// `Some(true)` when the source says the user has read it (maildir `S`, IMAP `\Seen`).
    pub seen: Option<bool>,
}

/// What storing one message or note did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    Added,
    /// The same mail was already stored from another mailbox or folder: only the location is new.
    Duplicate,
    Updated,
    Unchanged,
}

/// What the store remembers of a location from the last ingest.
#[derive(Debug, Clone)]
pub struct KnownLocation {
    pub file_size: Option<u64>,
    pub file_mtime_ns: Option<i64>,
    pub flags: String,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// Seconds since 1970, the clock every stored time uses.
pub fn unix_now() -> i64 {
    now()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| CoreError::io(parent, e))?;
        }
        let conn = Connection::open(path).map_err(|e| store_error(path, e))?;
        Self::setup(conn, path.to_path_buf())
    }

    /// A private in-memory database (tests).
    pub fn open_in_memory() -> Result<Self> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|e| store_error(&path, e))?;
        Self::setup(conn, path)
    }

    fn setup(mut conn: Connection, path: PathBuf) -> Result<Self> {
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .and_then(|_| {
                conn.execute_batch(
                    "PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA foreign_keys = ON;
                     PRAGMA temp_store = MEMORY;",
                )
            })
            .map_err(|e| store_error(&path, e))?;
        migrations::migrate(&mut conn, &path)?;
        Ok(Self { conn, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, e: rusqlite::Error) -> CoreError {
        store_error(&self.path, e)
    }

    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// The source with this kind and location, created on first use.
    pub fn source(&mut self, kind: SourceKind, location: &str, name: &str) -> Result<SourceId> {
        let existing: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM sources WHERE kind = ?1 AND location = ?2",
                params![kind.as_str(), location],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        if let Some(id) = existing {
            return Ok(id);
        }
        self.conn
            .execute(
                "INSERT INTO sources (kind, location, name, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![kind.as_str(), location, name, now()],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn sources(&self) -> Result<Vec<SourceInfo>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.id, s.kind, s.location, s.name, s.privacy, s.last_sync,
                        (SELECT COUNT(DISTINCT message) FROM message_locations WHERE source_id = s.id),
                        (SELECT COUNT(*) FROM notes WHERE source_id = s.id),
                        s.folders
                 FROM sources s ORDER BY s.id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(SourceInfo {
                    id: r.get(0)?,
                    kind: SourceKind::parse(&r.get::<_, String>(1)?),
                    location: r.get(2)?,
                    name: r.get(3)?,
                    privacy: r.get(4)?,
                    last_sync: r.get(5)?,
                    messages: r.get(6)?,
                    notes: r.get(7)?,
                    folders: r
                        .get::<_, String>(8)?
                        .lines()
                        .filter(|l| !l.is_empty())
                        .map(str::to_string)
                        .collect(),
                    needs_password: false,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// Every message location of a source with the file size, time and flags seen last time.
    pub fn known_locations(&self, source: SourceId) -> Result<HashMap<String, KnownLocation>> {
        self.known(
            "SELECT location, file_size, file_mtime, flags FROM message_locations WHERE source_id = ?1",
            source,
        )
    }

    /// Every note of a source: path → size and time seen last time.
    pub fn known_notes(&self, source: SourceId) -> Result<HashMap<String, KnownLocation>> {
        self.known(
            "SELECT path, file_size, file_mtime, '' FROM notes WHERE source_id = ?1",
            source,
        )
    }

    /// `key → KnownLocation` from a query of (key, size, mtime, flags).
    fn known(&self, sql: &str, source: SourceId) -> Result<HashMap<String, KnownLocation>> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([source], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    KnownLocation {
                        file_size: r.get::<_, Option<i64>>(1)?.map(|v| v as u64),
                        file_mtime_ns: r.get(2)?,
                        flags: r.get(3)?,
                    },
                ))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<HashMap<_, _>>>())
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    pub fn state(&self, source: SourceId, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT value FROM ingest_state WHERE source_id = ?1 AND key = ?2",
                params![source, key],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Starts a write transaction.
    pub fn begin(&mut self) -> Result<Batch<'_>> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| store_error(&path, e))?;
        Ok(Batch { tx, path })
    }

    pub fn counts(&self) -> Result<StoreCounts> {
        self.conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM messages), (SELECT COUNT(*) FROM notes),
                        (SELECT COUNT(*) FROM threads), (SELECT COUNT(*) FROM sources),
                        (SELECT COUNT(*) FROM messages WHERE indexed = 0)
                          + (SELECT COUNT(*) FROM notes WHERE indexed = 0)
                          + (SELECT COUNT(*) FROM index_removals),
                        (SELECT COUNT(*) FROM message_locations)",
                [],
                |r| {
                    Ok(StoreCounts {
                        messages: r.get(0)?,
                        notes: r.get(1)?,
                        threads: r.get(2)?,
                        sources: r.get(3)?,
                        pending_index: r.get(4)?,
                        message_locations: r.get(5)?,
                    })
                },
            )
            .map_err(|e| self.err(e))
    }

    // ----- threads -----

    pub fn thread_inputs(&self) -> Result<Vec<ThreadInput>> {
        let mut people: HashMap<i64, Vec<String>> = HashMap::new();
        {
            let mut stmt = self
                .conn
                .prepare("SELECT message, address FROM addresses WHERE role IN ('from', 'to', 'cc') AND address != ''")
                .map_err(|e| self.err(e))?;
            let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
            while let Some(r) = rows.next().map_err(|e| self.err(e))? {
                people
                    .entry(r.get(0).map_err(|e| self.err(e))?)
                    .or_default()
                    .push(r.get(1).map_err(|e| self.err(e))?);
            }
        }
        let mut stmt = self
            .conn
            .prepare("SELECT id, message_id, in_reply_to, refs, subject_key, date, is_reply FROM messages")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                let id: i64 = r.get(0)?;
                let refs: Option<String> = r.get(3)?;
                Ok(ThreadInput {
                    id,
                    message_id: r.get(1)?,
                    in_reply_to: r.get(2)?,
                    references: refs
                        .map(|s| s.split_whitespace().map(str::to_string).collect())
                        .unwrap_or_default(),
                    subject_key: r.get(4)?,
                    date: r.get(5)?,
                    participants: Vec::new(),
                    is_reply: r.get(6)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        Ok(rows
            .into_iter()
            .map(|mut t| {
                t.participants = people.remove(&t.id).unwrap_or_default();
                t
            })
            .collect())
    }

    /// Stores thread assignments `(message, root message)`: threads are created, updated and
    /// removed to match; a thread keeps its id while its root message stays. Returns how many
    /// messages changed thread.
    pub fn apply_threads(&mut self, assignments: &[(i64, i64)]) -> Result<usize> {
        let path = self.path.clone();
        let e = |err| store_error(&path, err);
        let tx = self.conn.transaction().map_err(e)?;
        let mut changed = 0;
        {
            let mut current: HashMap<i64, Option<i64>> = HashMap::new();
            let mut stmt = tx
                .prepare("SELECT m.id, t.root_message FROM messages m LEFT JOIN threads t ON t.id = m.thread_id")
                .map_err(e)?;
            let mut rows = stmt.query([]).map_err(e)?;
            while let Some(r) = rows.next().map_err(e)? {
                current.insert(r.get(0).map_err(e)?, r.get(1).map_err(e)?);
            }
            let mut sizes: HashMap<i64, usize> = HashMap::new();
            for &(_, root) in assignments {
                *sizes.entry(root).or_default() += 1;
            }
            let mut thread_ids: HashMap<i64, i64> = HashMap::new();
            let mut upsert = tx
                .prepare_cached(
                    "INSERT INTO threads (root_message, subject, first_date, last_date, message_count)
                     SELECT ?1, subject, date, date, 0 FROM messages WHERE id = ?1
                     ON CONFLICT (root_message) DO UPDATE SET subject = excluded.subject
                     RETURNING id",
                )
                .map_err(e)?;
            let mut set_thread = tx
                .prepare_cached("UPDATE messages SET thread_id = ?2 WHERE id = ?1")
                .map_err(e)?;
            for &(message, root) in assignments {
                if current.get(&message).copied().flatten() == Some(root)
                    && thread_ids.contains_key(&root)
                {
                    continue;
                }
                let thread = match thread_ids.get(&root) {
                    Some(&t) => t,
                    None => {
                        let t: i64 = upsert.query_row([root], |r| r.get(0)).map_err(e)?;
                        thread_ids.insert(root, t);
                        t
                    }
                };
                if current.get(&message).copied().flatten() != Some(root) {
                    set_thread.execute(params![message, thread]).map_err(e)?;
                    changed += 1;
                }
            }
            let _ = sizes;
        }
        tx.execute_batch(
            "DELETE FROM threads WHERE id NOT IN (SELECT DISTINCT thread_id FROM messages WHERE thread_id IS NOT NULL);
             UPDATE threads SET
               message_count = (SELECT COUNT(*) FROM messages WHERE thread_id = threads.id),
               first_date = (SELECT MIN(date) FROM messages WHERE thread_id = threads.id),
               last_date = (SELECT MAX(date) FROM messages WHERE thread_id = threads.id);",
        )
        .map_err(e)?;
        tx.commit().map_err(e)?;
        Ok(changed)
    }

    // ----- notes' links -----

    /// Points every wikilink of a notes source at the note it names (by path, then by file name),
    /// or at nothing when no note matches.
    pub fn resolve_links(&mut self, source: SourceId) -> Result<()> {
        let path = self.path.clone();
        let e = |err| store_error(&path, err);
        let tx = self.conn.transaction().map_err(e)?;
        {
            let mut by_path: HashMap<String, i64> = HashMap::new();
            let mut by_stem: HashMap<String, i64> = HashMap::new();
            let mut by_title: HashMap<String, i64> = HashMap::new();
            let mut stmt = tx
                .prepare("SELECT id, path, title FROM notes WHERE source_id = ?1 ORDER BY length(path), path")
                .map_err(e)?;
            let mut rows = stmt.query([source]).map_err(e)?;
            while let Some(r) = rows.next().map_err(e)? {
                let id: i64 = r.get(0).map_err(e)?;
                let p: String = r.get(1).map_err(e)?;
                let title: String = r.get(2).map_err(e)?;
                let key = crate::notes::link_key(&p);
                let stem = key.rsplit('/').next().unwrap_or(&key).to_string();
                by_path.entry(key).or_insert(id);
                by_stem.entry(stem).or_insert(id);
                by_title.entry(title.to_lowercase()).or_insert(id);
            }
            let mut links = tx
                .prepare(
                    "SELECT l.note, l.position, l.target, l.resolved FROM note_links l
                     JOIN notes n ON n.id = l.note WHERE n.source_id = ?1",
                )
                .map_err(e)?;
            let all: Vec<(i64, i64, String, Option<i64>)> = links
                .query_map([source], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .and_then(|rows| rows.collect())
                .map_err(e)?;
            let mut update = tx
                .prepare_cached(
                    "UPDATE note_links SET resolved = ?3 WHERE note = ?1 AND position = ?2",
                )
                .map_err(e)?;
            for (note, position, target, resolved) in all {
                let key = crate::notes::link_key(&target);
                let found = if key.is_empty() {
                    Some(note) // [[#heading]] links within the same note
                } else {
                    by_path
                        .get(&key)
                        .or_else(|| by_stem.get(key.rsplit('/').next().unwrap_or(&key)))
                        .or_else(|| by_title.get(&key))
                        .copied()
                };
                if found != resolved {
                    update.execute(params![note, position, found]).map_err(e)?;
                }
            }
        }
        tx.commit().map_err(e)
    }

    // ----- full-text index bookkeeping -----

    /// Up to `limit` messages and notes whose current version the index has not seen.
    pub fn pending_index_docs(&self, limit: usize) -> Result<Vec<IndexDoc>> {
        let mut docs = Vec::new();
        let ids: Vec<i64> = self
            .conn
            .prepare_cached("SELECT id FROM messages WHERE indexed = 0 LIMIT ?1")
            .and_then(|mut s| s.query_map([limit as i64], |r| r.get(0))?.collect())
            .map_err(|e| self.err(e))?;
        for id in ids {
            docs.push(self.message_index_doc(id)?);
        }
        if docs.len() < limit {
            let ids: Vec<i64> = self
                .conn
                .prepare_cached("SELECT id FROM notes WHERE indexed = 0 LIMIT ?1")
                .and_then(|mut s| {
                    s.query_map([(limit - docs.len()) as i64], |r| r.get(0))?
                        .collect()
                })
                .map_err(|e| self.err(e))?;
            for id in ids {
                docs.push(self.note_index_doc(id)?);
            }
        }
        Ok(docs)
    }

    fn message_index_doc(&self, id: i64) -> Result<IndexDoc> {
        let (subject, body, date, from_name, from_addr): (
            String,
            String,
            Option<i64>,
            String,
            String,
        ) = self
            .conn
            .prepare_cached(
                "SELECT subject, body_text, date, from_name, from_addr FROM messages WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
            })
            .map_err(|e| self.err(e))?;
        let addresses: Vec<(String, String, String)> = self
            .conn
            .prepare_cached("SELECT role, name, address FROM addresses WHERE message = ?1 ORDER BY role, position")
            .and_then(|mut s| s.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect())
            .map_err(|e| self.err(e))?;
        let places: Vec<(String, String)> = self
            .conn
            .prepare_cached(
                "SELECT s.name, l.folder FROM message_locations l JOIN sources s ON s.id = l.source_id
                 WHERE l.message = ?1",
            )
            .and_then(|mut s| s.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(|e| self.err(e))?;
        let has_attachment: bool = self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM attachments WHERE message = ?1)")
            .and_then(|mut s| s.query_row([id], |r| r.get(0)))
            .map_err(|e| self.err(e))?;
        let mut people = vec![from_name, from_addr.clone()];
        let mut to = Vec::new();
        for (role, name, address) in &addresses {
            people.push(name.clone());
            people.push(address.clone());
            if role == "to" || role == "cc" || role == "bcc" {
                to.push(address.clone());
            }
        }
        people.retain(|p| !p.is_empty());
        Ok(IndexDoc {
            key: DocKey::Message(id),
            title: subject,
            body,
            people: people.join(" "),
            from: vec![from_addr],
            to,
            sources: places.iter().map(|(s, _)| s.clone()).collect(),
            folders: places.into_iter().map(|(_, f)| f).collect(),
            date,
            has_attachment,
            tags: Vec::new(),
        })
    }

    fn note_index_doc(&self, id: i64) -> Result<IndexDoc> {
        let (title, body, path, tags, source, mtime): (
            String,
            String,
            String,
            String,
            String,
            i64,
        ) = self
            .conn
            .prepare_cached(
                "SELECT n.title, n.body, n.path, n.tags, s.name, n.file_mtime FROM notes n
                 JOIN sources s ON s.id = n.source_id WHERE n.id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([id], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })
            })
            .map_err(|e| self.err(e))?;
        let folder = path
            .rsplit_once('/')
            .map(|(f, _)| f.to_string())
            .unwrap_or_default();
        Ok(IndexDoc {
            key: DocKey::Note(id),
            title,
            body,
            people: String::new(),
            from: Vec::new(),
            to: Vec::new(),
            sources: vec![source],
            folders: vec![folder],
            date: Some(mtime / 1_000_000_000),
            has_attachment: false,
            tags: tags.split_whitespace().map(str::to_string).collect(),
        })
    }

    /// Records that the index now holds these documents' current versions.
    pub fn mark_indexed(&mut self, keys: &[DocKey]) -> Result<()> {
        let path = self.path.clone();
        let e = |err| store_error(&path, err);
        let tx = self.conn.transaction().map_err(e)?;
        {
            let mut m = tx
                .prepare_cached("UPDATE messages SET indexed = 1 WHERE id = ?1")
                .map_err(e)?;
            let mut n = tx
                .prepare_cached("UPDATE notes SET indexed = 1 WHERE id = ?1")
                .map_err(e)?;
            for key in keys {
                match key {
                    DocKey::Message(id) => m.execute([id]).map_err(e)?,
                    DocKey::Note(id) => n.execute([id]).map_err(e)?,
                };
            }
        }
        tx.commit().map_err(e)
    }

    pub fn pending_removals(&self) -> Result<Vec<DocKey>> {
        let keys: Vec<String> = self
            .conn
            .prepare("SELECT doc_key FROM index_removals")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(|e| self.err(e))?;
        Ok(keys.iter().filter_map(|k| DocKey::parse(k)).collect())
    }

    pub fn clear_removals(&mut self, keys: &[DocKey]) -> Result<()> {
        let path = self.path.clone();
        let e = |err| store_error(&path, err);
        let tx = self.conn.transaction().map_err(e)?;
        {
            let mut d = tx
                .prepare_cached("DELETE FROM index_removals WHERE doc_key = ?1")
                .map_err(e)?;
            for key in keys {
                d.execute([key.to_string()]).map_err(e)?;
            }
        }
        tx.commit().map_err(e)
    }

    /// Forgets what the index has seen, so the next sync writes every document again.
    pub fn mark_all_unindexed(&mut self) -> Result<()> {
        self.conn
            .execute_batch("UPDATE messages SET indexed = 0; UPDATE notes SET indexed = 0; DELETE FROM index_removals;")
            .map_err(|e| self.err(e))
    }

    /// Every document key the store holds (to check the index against).
    pub fn all_doc_keys(&self) -> Result<HashSet<DocKey>> {
        let mut keys = HashSet::new();
        for (sql, make) in [
            (
                "SELECT id FROM messages",
                DocKey::Message as fn(i64) -> DocKey,
            ),
            ("SELECT id FROM notes", DocKey::Note as fn(i64) -> DocKey),
        ] {
            let ids: Vec<i64> = self
                .conn
                .prepare(sql)
                .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
                .map_err(|e| self.err(e))?;
            keys.extend(ids.into_iter().map(make));
        }
        Ok(keys)
    }

    // ----- passages and embeddings -----

    /// Up to `limit` messages and notes that have no passages yet: `(key, title, body)`.
    pub fn docs_without_chunks(&self, limit: usize) -> Result<Vec<(DocKey, String, String)>> {
        let mut out = Vec::new();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, subject, body_text FROM messages m
                 WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.message = m.id) LIMIT ?1",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([limit as i64], |r| {
                Ok((DocKey::Message(r.get(0)?), r.get(1)?, r.get(2)?))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        out.extend(rows);
        if out.len() < limit {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT id, title, body FROM notes n
                     WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.note = n.id) LIMIT ?1",
                )
                .map_err(|e| self.err(e))?;
            let rows = stmt
                .query_map([(limit - out.len()) as i64], |r| {
                    Ok((DocKey::Note(r.get(0)?), r.get(1)?, r.get(2)?))
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| self.err(e))?;
            out.extend(rows);
        }
        Ok(out)
    }

    /// Stores the passages of several documents in one transaction.
    pub fn put_chunks(&mut self, docs: &[(DocKey, Vec<crate::chunk::Chunk>)]) -> Result<usize> {
        let path = self.path.clone();
        let e = |err| store_error(&path, err);
        let tx = self.conn.transaction().map_err(e)?;
        let mut n = 0;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO chunks (message, note, position, start, end, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(e)?;
            for (key, chunks) in docs {
                let (message, note) = match key {
                    DocKey::Message(id) => (Some(*id), None),
                    DocKey::Note(id) => (None, Some(*id)),
                };
                for (i, c) in chunks.iter().enumerate() {
                    insert
                        .execute(params![
                            message,
                            note,
                            i as i64,
                            c.start as i64,
                            c.end as i64,
                            c.text
                        ])
                        .map_err(e)?;
                    n += 1;
                }
            }
        }
        tx.commit().map_err(e)?;
        Ok(n)
    }

    /// Up to `limit` passages without a vector from `model`: `(chunk id, document title, text)`.
    /// Up to `limit` passages after passage `after` (by id) with no vector of `model`:
    /// `(id, document title, text)`. Callers pass the last id they got to go on from there.
    pub fn chunks_without_embedding(
        &self,
        model: &str,
        after: i64,
        limit: usize,
    ) -> Result<Vec<(i64, String, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT c.id, COALESCE(m.subject, n.title, ''), c.text FROM chunks c
                 LEFT JOIN messages m ON m.id = c.message LEFT JOIN notes n ON n.id = c.note
                 WHERE c.id > ?2
                   AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.chunk = c.id AND e.model = ?1)
                 ORDER BY c.id LIMIT ?3",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![model, after, limit as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// The vector of `model` of another passage with exactly this text in a document with
    /// exactly this title, if one has been embedded.
    pub fn identical_passage_vector(
        &self,
        model: &str,
        title: &str,
        text: &str,
    ) -> Result<Option<Vec<f32>>> {
        self.conn
            .prepare_cached(
                "SELECT e.vector FROM chunks c
                 JOIN embeddings e ON e.chunk = c.id AND e.model = ?1
                 LEFT JOIN messages m ON m.id = c.message LEFT JOIN notes n ON n.id = c.note
                 WHERE substr(c.text, 1, 40) = substr(?3, 1, 40) AND c.text = ?3
                   AND COALESCE(m.subject, n.title, '') = ?2
                 LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row(params![model, title, text], |r| r.get::<_, Vec<u8>>(0))
                    .optional()
            })
            .map(|v| v.map(|b| crate::embed::from_bytes(&b)))
            .map_err(|e| self.err(e))
    }

    pub fn put_embeddings(&mut self, model: &str, vectors: &[(i64, Vec<f32>)]) -> Result<()> {
        let path = self.path.clone();
        let e = |err| store_error(&path, err);
        let tx = self.conn.transaction().map_err(e)?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO embeddings (chunk, model, vector) VALUES (?1, ?2, ?3)
                     ON CONFLICT (chunk, model) DO UPDATE SET vector = excluded.vector",
                )
                .map_err(e)?;
            for (chunk, v) in vectors {
                insert
                    .execute(params![chunk, model, crate::embed::to_bytes(v)])
                    .map_err(e)?;
            }
        }
        tx.commit().map_err(e)
    }

    /// How far the embedding job has got for `model`.
    pub fn embedding_progress(&self, model: &str) -> Result<EmbeddingProgress> {
        self.conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM messages) + (SELECT COUNT(*) FROM notes),
                        (SELECT COUNT(DISTINCT COALESCE('m' || message, 'n' || note)) FROM chunks),
                        (SELECT COUNT(*) FROM chunks),
                        (SELECT COUNT(*) FROM embeddings WHERE model = ?1)",
                [model],
                |r| {
                    Ok(EmbeddingProgress {
                        documents: r.get(0)?,
                        documents_chunked: r.get(1)?,
                        chunks: r.get(2)?,
                        embedded: r.get(3)?,
                    })
                },
            )
            .map_err(|e| self.err(e))
    }

    /// Whether the stored vectors changed since an earlier stamp: new vectors raise `last_row`,
    /// deleted or replaced ones raise `changes` (migration 0002's triggers). Two index lookups,
    /// cheap enough for every query.
    pub fn embedding_stamp(&self) -> Result<EmbeddingStamp> {
        self.conn
            .query_row(
                "SELECT (SELECT COALESCE(MAX(rowid), 0) FROM embeddings),
                        (SELECT value FROM change_counters WHERE name = 'embeddings')",
                [],
                |r| {
                    Ok(EmbeddingStamp {
                        last_row: r.get(0)?,
                        changes: r.get(1)?,
                    })
                },
            )
            .map_err(|e| self.err(e))
    }

    /// Whether any passage has a vector of `model`.
    pub fn has_embeddings(&self, model: &str) -> Result<bool> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM embeddings WHERE model = ?1)",
                [model],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// Calls `f(row, document, vector bytes)` for each vector of `model` stored after row
    /// `after`, oldest first, without holding them all in memory at once.
    pub fn each_embedding_since(
        &self,
        model: &str,
        after: i64,
        mut f: impl FnMut(i64, DocKey, &[u8]),
    ) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT e.rowid, c.message, c.note, e.vector FROM embeddings e
                 JOIN chunks c ON c.id = e.chunk
                 WHERE e.model = ?1 AND e.rowid > ?2 ORDER BY e.rowid",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = stmt
            .query(rusqlite::params![model, after])
            .map_err(|e| self.err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let read = || -> rusqlite::Result<(i64, DocKey)> {
                let key = match (r.get::<_, Option<i64>>(1)?, r.get::<_, Option<i64>>(2)?) {
                    (Some(m), _) => DocKey::Message(m),
                    (_, Some(n)) => DocKey::Note(n),
                    _ => DocKey::Message(0),
                };
                Ok((r.get(0)?, key))
            };
            let (row, key) = read().map_err(|e| self.err(e))?;
            match r.get_ref(3).map_err(|e| self.err(e))? {
                rusqlite::types::ValueRef::Blob(bytes) => f(row, key, bytes),
                _ => continue,
            }
        }
        Ok(())
    }

    // ----- reading -----

    pub fn message(&self, id: i64) -> Result<Option<MessageRecord>> {
        records::load_message(&self.conn, id).map_err(|e| self.err(e))
    }

    pub fn message_by_message_id(&self, message_id: &str) -> Result<Option<i64>> {
        let id = message_id.trim().trim_matches(|c| c == '<' || c == '>');
        self.conn
            .query_row(
                "SELECT id FROM messages WHERE message_id = ?1 ORDER BY id LIMIT 1",
                [id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    pub fn note(&self, id: i64) -> Result<Option<NoteRecord>> {
        records::load_note(&self.conn, id).map_err(|e| self.err(e))
    }

    pub fn note_by_path(&self, path: &str) -> Result<Option<i64>> {
        self.conn
            .query_row(
                "SELECT id FROM notes WHERE path = ?1 ORDER BY id LIMIT 1",
                [path],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    pub fn thread(&self, id: i64) -> Result<Option<ThreadRecord>> {
        records::load_thread(&self.conn, id).map_err(|e| self.err(e))
    }

    /// Short descriptions of documents for a result list, in the order asked.
    pub fn summaries(&self, keys: &[DocKey]) -> Result<Vec<Option<DocSummary>>> {
        keys.iter()
            .map(|k| records::load_summary(&self.conn, *k).map_err(|e| self.err(e)))
            .collect()
    }

    /// Every stored location with its message and thread (evaluation of threading).
    pub fn thread_membership(&self) -> Result<Vec<ThreadMember>> {
        self.conn
            .prepare(
                "SELECT m.thread_id, m.id, s.location, l.location FROM messages m
                 JOIN message_locations l ON l.message = m.id JOIN sources s ON s.id = l.source_id
                 ORDER BY m.thread_id, m.id",
            )
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok(ThreadMember {
                        thread: r.get::<_, Option<i64>>(0)?.unwrap_or(0),
                        message: r.get(1)?,
                        source: r.get(2)?,
                        location: r.get(3)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    pub fn mark_synced(&mut self, source: SourceId) -> Result<()> {
        self.conn
            .execute(
                "UPDATE sources SET last_sync = ?2 WHERE id = ?1",
                params![source, now()],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }
}

/// One write transaction. Dropping it without [`Batch::commit`] rolls everything back.
pub struct Batch<'a> {
    tx: rusqlite::Transaction<'a>,
    path: PathBuf,
}

impl Batch<'_> {
    fn err(&self, e: rusqlite::Error) -> CoreError {
        store_error(&self.path, e)
    }

    /// Stores a message seen at `loc` of `source`.
    pub fn put_mail(
        &self,
        source: SourceId,
        loc: &Location,
        mail: &ParsedMail,
    ) -> Result<PutOutcome> {
        let e = |err| store_error(&self.path, err);
        let at_location: Option<(i64, String, String)> = self
            .tx
            .prepare_cached(
                "SELECT m.id, m.dedup_key, m.content_hash FROM message_locations l
                 JOIN messages m ON m.id = l.message WHERE l.source_id = ?1 AND l.location = ?2",
            )
            .and_then(|mut s| {
                s.query_row(params![source, loc.location], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()
            })
            .map_err(e)?;
        let same_mail: Option<i64> = self
            .tx
            .prepare_cached("SELECT id FROM messages WHERE dedup_key = ?1")
            .and_then(|mut s| s.query_row([&mail.dedup_key], |r| r.get(0)).optional())
            .map_err(e)?;

        let (message, outcome) = match (at_location, same_mail) {
            (Some((id, key, hash)), _) if key == mail.dedup_key => {
                if hash != mail.content_hash && self.location_count(id)? == 1 {
                    // Same mail, different bytes (a header changed): keep the newer version.
                    self.write_message(Some(id), mail)?;
                    (id, PutOutcome::Updated)
                } else {
                    (id, PutOutcome::Unchanged)
                }
            }
            (Some((old, _, _)), None) if self.location_count(old)? == 1 => {
                // Edited in place: keep the id (citations and drafts refer to it).
                self.write_message(Some(old), mail)?;
                (old, PutOutcome::Updated)
            }
            (_, Some(id)) => (id, PutOutcome::Duplicate),
            (_, None) => (self.write_message(None, mail)?, PutOutcome::Added),
        };
        let previous = self.upsert_location(source, loc, message)?;
        if let Some(old) = previous.filter(|&old| old != message) {
            self.remove_if_orphaned(old)?;
        }
        if let Some(seen) = loc.seen {
            self.tx
                .prepare_cached("UPDATE messages SET unread = ?2 WHERE id = ?1 AND unread != ?2")
                .and_then(|mut s| s.execute(params![message, !seen]))
                .map_err(e)?;
        }
        let outcome = match outcome {
            PutOutcome::Duplicate if previous == Some(message) => PutOutcome::Unchanged,
            PutOutcome::Duplicate if previous.is_some() => PutOutcome::Updated,
            other => other,
        };
        Ok(outcome)
    }

    fn location_count(&self, message: i64) -> Result<i64> {
        self.tx
            .prepare_cached("SELECT COUNT(*) FROM message_locations WHERE message = ?1")
            .and_then(|mut s| s.query_row([message], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }

    /// Inserts (`id = None`) or rewrites a message with its addresses and attachments.
    fn write_message(&self, id: Option<i64>, mail: &ParsedMail) -> Result<i64> {
        let e = |err| store_error(&self.path, err);
        let headers = serde_json::to_string(&mail.headers).unwrap_or_else(|_| "[]".into());
        let problems = (!mail.problems.is_empty()).then(|| mail.problems.join("; "));
        let refs = (!mail.references.is_empty()).then(|| mail.references.join(" "));
        let (from_name, from_addr) = mail
            .from
            .as_ref()
            .map(|m| (m.name.as_str(), m.address.as_str()))
            .unwrap_or(("", ""));
        let values = params![
            mail.dedup_key,
            mail.message_id,
            mail.subject,
            mail.subject_key,
            from_name,
            from_addr,
            mail.date,
            mail.in_reply_to,
            refs,
            headers,
            mail.body_text,
            mail.has_html,
            mail.is_reply,
            mail.size as i64,
            mail.content_hash,
            problems,
            now(),
        ];
        let id = match id {
            None => {
                self.tx
                    .prepare_cached(
                        "INSERT INTO messages (dedup_key, message_id, subject, subject_key, from_name, from_addr,
                           date, in_reply_to, refs, headers, body_text, has_html, is_reply, size, content_hash,
                           problems, ingested_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
                    )
                    .and_then(|mut s| s.execute(values))
                    .map_err(e)?;
                self.tx.last_insert_rowid()
            }
            Some(id) => {
                self.tx
                    .prepare_cached(
                        "UPDATE messages SET dedup_key = ?1, message_id = ?2, subject = ?3, subject_key = ?4,
                           from_name = ?5, from_addr = ?6, date = ?7, in_reply_to = ?8, refs = ?9, headers = ?10,
                           body_text = ?11, has_html = ?12, is_reply = ?13, size = ?14, content_hash = ?15,
                           problems = ?16, ingested_at = ?17, indexed = 0
                         WHERE id = ?18",
                    )
                    .and_then(|mut s| {
                        s.execute(rusqlite::params_from_iter(
                            values.iter().copied().chain(std::iter::once(&id as &dyn rusqlite::ToSql)),
                        ))
                    })
                    .map_err(e)?;
                self.tx
                    .execute("DELETE FROM addresses WHERE message = ?1", [id])
                    .and_then(|_| {
                        self.tx
                            .execute("DELETE FROM attachments WHERE message = ?1", [id])
                    })
                    // New text, new passages and vectors (made again by the embedding job).
                    .and_then(|_| {
                        self.tx
                            .execute("DELETE FROM chunks WHERE message = ?1", [id])
                    })
                    .map_err(e)?;
                id
            }
        };
        let mut add = self
            .tx
            .prepare_cached("INSERT OR IGNORE INTO addresses (message, role, position, name, address) VALUES (?1, ?2, ?3, ?4, ?5)")
            .map_err(e)?;
        let roles: [(&str, &[crate::mail::Mailbox]); 5] = [
            ("from", mail.from.as_slice()),
            ("to", &mail.to),
            ("cc", &mail.cc),
            ("bcc", &mail.bcc),
            ("reply-to", &mail.reply_to),
        ];
        for (role, people) in roles {
            for (i, m) in people.iter().enumerate() {
                add.execute(params![id, role, i as i64, m.name, m.address])
                    .map_err(e)?;
            }
        }
        let mut att = self
            .tx
            .prepare_cached("INSERT INTO attachments (message, position, filename, content_type, size) VALUES (?1, ?2, ?3, ?4, ?5)")
            .map_err(e)?;
        for (i, a) in mail.attachments.iter().enumerate() {
            att.execute(params![
                id,
                i as i64,
                a.filename,
                a.content_type,
                a.size as i64
            ])
            .map_err(e)?;
        }
        Ok(id)
    }

    /// Points the location at `message`; returns the message it pointed at before, if any.
    fn upsert_location(
        &self,
        source: SourceId,
        loc: &Location,
        message: i64,
    ) -> Result<Option<i64>> {
        let e = |err| store_error(&self.path, err);
        let previous: Option<i64> = self
            .tx
            .prepare_cached(
                "SELECT message FROM message_locations WHERE source_id = ?1 AND location = ?2",
            )
            .and_then(|mut s| {
                s.query_row(params![source, loc.location], |r| r.get(0))
                    .optional()
            })
            .map_err(e)?;
        self.tx
            .prepare_cached(
                "INSERT INTO message_locations (source_id, location, message, folder, file_size, file_mtime, flags)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (source_id, location) DO UPDATE SET message = excluded.message,
                   folder = excluded.folder, file_size = excluded.file_size,
                   file_mtime = excluded.file_mtime, flags = excluded.flags",
            )
            .and_then(|mut s| {
                s.execute(params![
                    source,
                    loc.location,
                    message,
                    loc.folder,
                    loc.file_size.map(|v| v as i64),
                    loc.file_mtime_ns,
                    loc.flags
                ])
            })
            .map_err(e)?;
        if previous != Some(message) {
            // A new place for this message changes its source/folder fields in the index.
            self.tx
                .prepare_cached("UPDATE messages SET indexed = 0 WHERE id = ?1 AND indexed = 1")
                .and_then(|mut s| s.execute([message]))
                .map_err(e)?;
        }
        Ok(previous)
    }

    fn remove_if_orphaned(&self, message: i64) -> Result<bool> {
        if self.location_count(message)? > 0 {
            // Still elsewhere; its folders changed.
            self.tx
                .prepare_cached("UPDATE messages SET indexed = 0 WHERE id = ?1")
                .and_then(|mut s| s.execute([message]))
                .map_err(|e| self.err(e))?;
            return Ok(false);
        }
        let e = |err| store_error(&self.path, err);
        self.tx
            .prepare_cached("INSERT OR IGNORE INTO index_removals (doc_key) VALUES (?1)")
            .and_then(|mut s| s.execute([DocKey::Message(message).to_string()]))
            .map_err(e)?;
        self.tx
            .prepare_cached("DELETE FROM messages WHERE id = ?1")
            .and_then(|mut s| s.execute([message]))
            .map_err(e)?;
        Ok(true)
    }

    /// Forgets locations that are gone from the source; messages seen nowhere else are deleted.
    /// Returns how many messages were deleted.
    pub fn remove_locations(&self, source: SourceId, locations: &[String]) -> Result<usize> {
        let mut removed = 0;
        for location in locations {
            let message: Option<i64> = self
                .tx
                .prepare_cached("DELETE FROM message_locations WHERE source_id = ?1 AND location = ?2 RETURNING message")
                .and_then(|mut s| s.query_row(params![source, location], |r| r.get(0)).optional())
                .map_err(|e| self.err(e))?;
            if let Some(message) = message {
                if self.remove_if_orphaned(message)? {
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }

    /// Stores a note at `path` (relative to the notes folder).
    #[allow(clippy::too_many_arguments)]
    pub fn put_note(
        &self,
        source: SourceId,
        path: &str,
        file_size: u64,
        file_mtime_ns: i64,
        content_hash: &str,
        note: &ParsedNote,
    ) -> Result<PutOutcome> {
        let e = |err| store_error(&self.path, err);
        let existing: Option<(i64, String)> = self
            .tx
            .prepare_cached("SELECT id, content_hash FROM notes WHERE source_id = ?1 AND path = ?2")
            .and_then(|mut s| {
                s.query_row(params![source, path], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(e)?;
        if let Some((id, hash)) = &existing {
            if hash == content_hash {
                self.tx
                    .prepare_cached(
                        "UPDATE notes SET file_size = ?2, file_mtime = ?3 WHERE id = ?1",
                    )
                    .and_then(|mut s| s.execute(params![id, file_size as i64, file_mtime_ns]))
                    .map_err(e)?;
                return Ok(PutOutcome::Unchanged);
            }
        }
        let front = note.front_matter.as_ref().map(|v| v.to_string());
        let tags = note.tags.join(" ");
        let id = self
            .tx
            .prepare_cached(
                "INSERT INTO notes (source_id, path, title, front_matter, tags, body, file_size, file_mtime,
                   content_hash, ingested_at, indexed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0)
                 ON CONFLICT (source_id, path) DO UPDATE SET title = excluded.title,
                   front_matter = excluded.front_matter, tags = excluded.tags, body = excluded.body,
                   file_size = excluded.file_size, file_mtime = excluded.file_mtime,
                   content_hash = excluded.content_hash, ingested_at = excluded.ingested_at, indexed = 0
                 RETURNING id",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![source, path, note.title, front, tags, note.body, file_size as i64, file_mtime_ns, content_hash, now()],
                    |r| r.get::<_, i64>(0),
                )
            })
            .map_err(e)?;
        self.tx
            .execute("DELETE FROM note_links WHERE note = ?1", [id])
            .map_err(e)?;
        self.tx
            .execute("DELETE FROM chunks WHERE note = ?1", [id])
            .map_err(e)?;
        let mut link = self
            .tx
            .prepare_cached("INSERT INTO note_links (note, position, target, heading, alias) VALUES (?1, ?2, ?3, ?4, ?5)")
            .map_err(e)?;
        for (i, l) in note.links.iter().enumerate() {
            link.execute(params![id, i as i64, l.target, l.heading, l.alias])
                .map_err(e)?;
        }
        Ok(if existing.is_some() {
            PutOutcome::Updated
        } else {
            PutOutcome::Added
        })
    }

    /// Deletes notes whose files are gone.
    pub fn remove_notes(&self, source: SourceId, paths: &[String]) -> Result<usize> {
        let mut removed = 0;
        for path in paths {
            let id: Option<i64> = self
                .tx
                .prepare_cached("DELETE FROM notes WHERE source_id = ?1 AND path = ?2 RETURNING id")
                .and_then(|mut s| s.query_row(params![source, path], |r| r.get(0)).optional())
                .map_err(|e| self.err(e))?;
            if let Some(id) = id {
                self.tx
                    .prepare_cached("INSERT OR IGNORE INTO index_removals (doc_key) VALUES (?1)")
                    .and_then(|mut s| s.execute([DocKey::Note(id).to_string()]))
                    .map_err(|e| self.err(e))?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// New flags for a location whose content did not change (a maildir rename, IMAP flags).
    pub fn set_flags(
        &self,
        source: SourceId,
        location: &str,
        flags: &str,
        seen: Option<bool>,
    ) -> Result<()> {
        let e = |err| store_error(&self.path, err);
        let message: Option<i64> = self
            .tx
            .prepare_cached(
                "UPDATE message_locations SET flags = ?3 WHERE source_id = ?1 AND location = ?2 RETURNING message",
            )
            .and_then(|mut s| s.query_row(params![source, location, flags], |r| r.get(0)).optional())
            .map_err(e)?;
        if let (Some(message), Some(seen)) = (message, seen) {
            self.tx
                .prepare_cached("UPDATE messages SET unread = ?2 WHERE id = ?1")
                .and_then(|mut s| s.execute(params![message, !seen]))
                .map_err(e)?;
        }
        Ok(())
    }

    pub fn set_state(&self, source: SourceId, key: &str, value: &str) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO ingest_state (source_id, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (source_id, key) DO UPDATE SET value = excluded.value",
            )
            .and_then(|mut s| s.execute(params![source, key, value]))
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    pub fn commit(self) -> Result<()> {
        let path = self.path;
        self.tx.commit().map_err(|e| store_error(&path, e))
    }
}

/// A rusqlite error as the core's error, naming the database file; "disk full" is told apart.
pub(crate) fn store_error(path: &Path, e: rusqlite::Error) -> CoreError {
    if let rusqlite::Error::SqliteFailure(f, _) = &e {
        if f.code == rusqlite::ErrorCode::DiskFull {
            return CoreError::DiskFull {
                path: path.to_path_buf(),
            };
        }
    }
    CoreError::Store {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}
