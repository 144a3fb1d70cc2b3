//! What the store hands out: messages, notes, threads and short summaries, as plain data.

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use super::SourceKind;
use crate::index::DocKey;
use crate::mail::{AttachmentInfo, Mailbox};

#[derive(Debug, Clone, Serialize)]
pub struct SourceInfo {
    pub id: i64,
    pub kind: SourceKind,
    pub location: String,
    pub name: String,
    pub privacy: String,
    pub last_sync: Option<i64>,
    pub messages: i64,
    pub notes: i64,
    /// IMAP: the folders to read; empty means every folder.
    pub folders: Vec<String>,
    /// IMAP: no password in the keyring, so the account cannot be read again until it is
    /// entered (filled in by the library, which knows the keyring; the store does not).
    pub needs_password: bool,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct StoreCounts {
    pub messages: i64,
    pub notes: i64,
    pub threads: i64,
    pub sources: i64,
    /// Changes the full-text index has not seen yet.
    pub pending_index: i64,
    pub message_locations: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct MessagePlace {
    pub source: String,
    pub source_kind: SourceKind,
    pub folder: String,
    pub location: String,
    pub flags: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MessageRecord {
    pub id: i64,
    pub message_id: Option<String>,
    pub thread_id: Option<i64>,
    pub subject: String,
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub bcc: Vec<Mailbox>,
    pub reply_to: Vec<Mailbox>,
    pub date: Option<i64>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub headers: Vec<(String, String)>,
    pub body_text: String,
    pub has_html: bool,
    pub attachments: Vec<AttachmentInfo>,
    pub places: Vec<MessagePlace>,
    pub unread: bool,
    /// Where the user filed it in the app: '' for the inbox, `Archive`, or a folder name.
    pub filed_in: String,
    pub flagged: bool,
    pub labels: Vec<String>,
    pub size: u64,
    pub problems: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoteLinkRecord {
    pub target: String,
    pub heading: Option<String>,
    pub alias: Option<String>,
    /// The note the link resolves to, if any.
    pub note_id: Option<i64>,
    pub note_path: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BacklinkRecord {
    pub note_id: i64,
    pub path: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoteRecord {
    pub id: i64,
    pub source: String,
    pub path: String,
    pub title: String,
    pub front_matter: Option<serde_json::Value>,
    pub tags: Vec<String>,
    pub body: String,
    pub modified_ns: i64,
    pub links: Vec<NoteLinkRecord>,
    pub backlinks: Vec<BacklinkRecord>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThreadMessage {
    pub id: i64,
    pub subject: String,
    pub from: Mailbox,
    pub date: Option<i64>,
    pub unread: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThreadRecord {
    pub id: i64,
    pub subject: String,
    pub first_date: Option<i64>,
    pub last_date: Option<i64>,
    pub messages: Vec<ThreadMessage>,
}

/// Where the stored passage vectors stand: see `Store::embedding_stamp`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmbeddingStamp {
    /// The largest row id of `embeddings` (rows are only ever added above it).
    pub last_row: i64,
    /// Vectors deleted or replaced so far.
    pub changes: i64,
}

/// How far the embedding job has got.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct EmbeddingProgress {
    pub documents: i64,
    pub documents_chunked: i64,
    pub chunks: i64,
    pub embedded: i64,
}

/// A message location and the thread of its message.
#[derive(Debug, Clone, Serialize)]
pub struct ThreadMember {
    pub thread: i64,
    pub message: i64,
    /// The source's location (its folder or file) and the message's place within it.
    pub source: String,
    pub location: String,
}

/// One line of a result list.
#[derive(Debug, Clone, Serialize)]
pub struct DocSummary {
    pub key: DocKey,
    pub title: String,
    /// Sender for mail, note path for notes.
    pub byline: String,
    pub date: Option<i64>,
    pub source: String,
    pub folder: String,
    /// The text snippets are made from.
    #[serde(skip)]
    pub body: String,
}

pub(super) fn load_message(conn: &Connection, id: i64) -> rusqlite::Result<Option<MessageRecord>> {
    let row = conn
        .prepare_cached(
            "SELECT message_id, thread_id, subject, from_name, from_addr, date, in_reply_to, refs, headers,
                    body_text, has_html, unread, size, problems, filed_in, flagged
             FROM messages WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(MessageRecord {
                id,
                message_id: r.get(0)?,
                thread_id: r.get(1)?,
                subject: r.get(2)?,
                from: Mailbox { name: r.get(3)?, address: r.get(4)? },
                to: Vec::new(),
                cc: Vec::new(),
                bcc: Vec::new(),
                reply_to: Vec::new(),
                date: r.get(5)?,
                in_reply_to: r.get(6)?,
                references: r
                    .get::<_, Option<String>>(7)?
                    .map(|s| s.split_whitespace().map(str::to_string).collect())
                    .unwrap_or_default(),
                headers: serde_json::from_str(&r.get::<_, String>(8)?).unwrap_or_default(),
                body_text: r.get(9)?,
                has_html: r.get(10)?,
                attachments: Vec::new(),
                places: Vec::new(),
                unread: r.get(11)?,
                filed_in: r.get(14)?,
                flagged: r.get(15)?,
                labels: Vec::new(),
                size: r.get::<_, i64>(12)? as u64,
                problems: r.get(13)?,
            })
        })
        .optional()?;
    let Some(mut m) = row else { return Ok(None) };
    let mut stmt = conn.prepare_cached(
        "SELECT role, name, address FROM addresses WHERE message = ?1 ORDER BY role, position",
    )?;
    let mut rows = stmt.query([id])?;
    while let Some(r) = rows.next()? {
        let role: String = r.get(0)?;
        let mb = Mailbox {
            name: r.get(1)?,
            address: r.get(2)?,
        };
        match role.as_str() {
            "to" => m.to.push(mb),
            "cc" => m.cc.push(mb),
            "bcc" => m.bcc.push(mb),
            "reply-to" => m.reply_to.push(mb),
            _ => {}
        }
    }
    m.labels = conn
        .prepare_cached("SELECT label FROM message_labels WHERE message = ?1 ORDER BY label")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    m.attachments = conn
        .prepare_cached("SELECT filename, content_type, size FROM attachments WHERE message = ?1 ORDER BY position")?
        .query_map([id], |r| {
            Ok(AttachmentInfo {
                filename: r.get(0)?,
                content_type: r.get(1)?,
                size: r.get::<_, i64>(2)? as u64,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    m.places = conn
        .prepare_cached(
            "SELECT s.name, s.kind, l.folder, l.location, l.flags FROM message_locations l
             JOIN sources s ON s.id = l.source_id WHERE l.message = ?1 ORDER BY s.id, l.location",
        )?
        .query_map([id], |r| {
            Ok(MessagePlace {
                source: r.get(0)?,
                source_kind: SourceKind::parse(&r.get::<_, String>(1)?),
                folder: r.get(2)?,
                location: r.get(3)?,
                flags: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(m))
}

pub(super) fn load_note(conn: &Connection, id: i64) -> rusqlite::Result<Option<NoteRecord>> {
    let row = conn
        .prepare_cached(
            "SELECT s.name, n.path, n.title, n.front_matter, n.tags, n.body, n.file_mtime
             FROM notes n JOIN sources s ON s.id = n.source_id WHERE n.id = ?1",
        )?
        .query_row([id], |r| {
            Ok(NoteRecord {
                id,
                source: r.get(0)?,
                path: r.get(1)?,
                title: r.get(2)?,
                front_matter: r
                    .get::<_, Option<String>>(3)?
                    .and_then(|s| serde_json::from_str(&s).ok()),
                tags: r
                    .get::<_, String>(4)?
                    .split_whitespace()
                    .map(str::to_string)
                    .collect(),
                body: r.get(5)?,
                modified_ns: r.get(6)?,
                links: Vec::new(),
                backlinks: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut note) = row else { return Ok(None) };
    note.links = conn
        .prepare_cached(
            "SELECT l.target, l.heading, l.alias, l.resolved, t.path FROM note_links l
             LEFT JOIN notes t ON t.id = l.resolved WHERE l.note = ?1 ORDER BY l.position",
        )?
        .query_map([id], |r| {
            Ok(NoteLinkRecord {
                target: r.get(0)?,
                heading: r.get(1)?,
                alias: r.get(2)?,
                note_id: r.get(3)?,
                note_path: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    note.backlinks = conn
        .prepare_cached(
            "SELECT DISTINCT n.id, n.path, n.title FROM note_links l JOIN notes n ON n.id = l.note
             WHERE l.resolved = ?1 AND l.note != ?1 ORDER BY n.path",
        )?
        .query_map([id], |r| {
            Ok(BacklinkRecord {
                note_id: r.get(0)?,
                path: r.get(1)?,
                title: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(note))
}

pub(super) fn load_thread(conn: &Connection, id: i64) -> rusqlite::Result<Option<ThreadRecord>> {
    let row = conn
        .prepare_cached("SELECT subject, first_date, last_date FROM threads WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(ThreadRecord {
                id,
                subject: r.get(0)?,
                first_date: r.get(1)?,
                last_date: r.get(2)?,
                messages: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut thread) = row else {
        return Ok(None);
    };
    thread.messages = conn
        .prepare_cached(
            "SELECT id, subject, from_name, from_addr, date, unread FROM messages
             WHERE thread_id = ?1 ORDER BY date, id",
        )?
        .query_map([id], |r| {
            Ok(ThreadMessage {
                id: r.get(0)?,
                subject: r.get(1)?,
                from: Mailbox {
                    name: r.get(2)?,
                    address: r.get(3)?,
                },
                date: r.get(4)?,
                unread: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(thread))
}

pub(super) fn load_summary(conn: &Connection, key: DocKey) -> rusqlite::Result<Option<DocSummary>> {
    match key {
        DocKey::Message(id) => conn
            .prepare_cached(
                "SELECT m.subject, CASE WHEN m.from_name != '' THEN m.from_name ELSE m.from_addr END, m.date,
                        s.name, l.folder, m.body_text
                 FROM messages m JOIN message_locations l ON l.message = m.id JOIN sources s ON s.id = l.source_id
                 WHERE m.id = ?1 ORDER BY s.id LIMIT 1",
            )?
            .query_row([id], |r| {
                Ok(DocSummary {
                    key,
                    title: r.get(0)?,
                    byline: r.get(1)?,
                    date: r.get(2)?,
                    source: r.get(3)?,
                    folder: r.get(4)?,
                    body: r.get(5)?,
                })
            })
            .optional(),
        DocKey::Note(id) => conn
            .prepare_cached(
                "SELECT n.title, n.path, n.file_mtime, s.name, n.body FROM notes n
                 JOIN sources s ON s.id = n.source_id WHERE n.id = ?1",
            )?
            .query_row([id], |r| {
                let path: String = r.get(1)?;
                Ok(DocSummary {
                    key,
                    title: r.get(0)?,
                    folder: path.rsplit_once('/').map(|(f, _)| f.to_string()).unwrap_or_default(),
                    byline: path,
                    date: Some(r.get::<_, i64>(2)? / 1_000_000_000),
                    source: r.get(3)?,
                    body: r.get(4)?,
                })
            })
            .optional(),
    }
}
