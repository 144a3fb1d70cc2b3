//! Reading the store the way the app browses it: the inbox of threads, the notes list, read state.

use rusqlite::{params, params_from_iter, OptionalExtension};

use super::Store;
use crate::error::Result;

/// One thread as the inbox lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxRow {
    pub thread: i64,
    pub subject: String,
    pub last_date: Option<i64>,
    pub message_count: i64,
    pub unread_count: i64,
    /// Senders in the order they first wrote (names where known, else addresses).
    pub participants: Vec<String>,
    /// The newest message of the thread.
    pub latest_message: i64,
    /// The newest message's body.
    pub latest_body: String,
}

/// One note as the notes list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteListRow {
    pub id: i64,
    pub path: String,
    pub title: String,
    pub tags: Vec<String>,
    /// The file's modification time, seconds since the epoch.
    pub modified: i64,
}

const INBOX_COLUMNS: &str = "SELECT t.id, t.subject, t.last_date, t.message_count,
    (SELECT COUNT(*) FROM messages m WHERE m.thread_id = t.id AND m.unread = 1),
    (SELECT group_concat(who, char(31)) FROM (
        SELECT CASE WHEN m.from_name != '' THEN m.from_name ELSE m.from_addr END AS who,
               MIN(COALESCE(m.date, 0)) AS first
        FROM messages m WHERE m.thread_id = t.id GROUP BY who ORDER BY first)),
    (SELECT m.id FROM messages m WHERE m.thread_id = t.id
        ORDER BY COALESCE(m.date, 0) DESC, m.id DESC LIMIT 1)
  FROM threads t";

impl Store {
    /// Threads newest first (by their last message), `offset` rows skipped, at most `limit`;
    /// with `unread_only`, only threads with an unread message. A thread whose every message
    /// was archived or moved to a folder is not in the inbox.
    pub fn inbox(&self, unread_only: bool, limit: usize, offset: usize) -> Result<Vec<InboxRow>> {
        let sql = format!(
            "{INBOX_COLUMNS}
             WHERE (?1 = 0 OR EXISTS (SELECT 1 FROM messages m WHERE m.thread_id = t.id AND m.unread = 1))
               AND EXISTS (SELECT 1 FROM messages m WHERE m.thread_id = t.id AND m.filed_in = '')
             ORDER BY COALESCE(t.last_date, 0) DESC, t.id DESC LIMIT ?2 OFFSET ?3"
        );
        let rows = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut s| {
                s.query_map(
                    params![unread_only as i64, limit as i64, offset as i64],
                    inbox_row,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(|e| self.err(e))?;
        self.with_latest_bodies(rows)
    }

    /// The inbox rows of these threads, in the order given (unknown ids are left out).
    pub fn inbox_rows(&self, threads: &[i64]) -> Result<Vec<InboxRow>> {
        if threads.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; threads.len()].join(",");
        let sql = format!("{INBOX_COLUMNS} WHERE t.id IN ({marks})");
        let mut rows = self
            .conn
            .prepare(&sql)
            .and_then(|mut s| {
                s.query_map(params_from_iter(threads), inbox_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(|e| self.err(e))?;
        rows.sort_by_key(|r| threads.iter().position(|t| *t == r.thread));
        self.with_latest_bodies(rows)
    }

    fn with_latest_bodies(&self, mut rows: Vec<InboxRow>) -> Result<Vec<InboxRow>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT body_text FROM messages WHERE id = ?1")
            .map_err(|e| self.err(e))?;
        for row in &mut rows {
            row.latest_body = stmt
                .query_row([row.latest_message], |r| r.get(0))
                .map_err(|e| self.err(e))?;
        }
        Ok(rows)
    }

    /// The threads of these messages, in the order given, each once (unthreaded ones left out).
    pub fn threads_of(&self, messages: &[i64]) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT thread_id FROM messages WHERE id = ?1")
            .map_err(|e| self.err(e))?;
        let mut threads = Vec::new();
        for m in messages {
            let thread: Option<i64> = stmt
                .query_row([m], |r| r.get(0))
                .optional()
                .map_err(|e| self.err(e))?
                .flatten();
            if let Some(t) = thread.filter(|t| !threads.contains(t)) {
                threads.push(t);
            }
        }
        Ok(threads)
    }

    /// Sets a source's privacy label (`local`, `private` or `cloud`); false when there is no such
    /// source. The label is checked by the schema too.
    pub fn set_source_privacy(&self, source: i64, privacy: &str) -> Result<bool> {
        self.conn
            .execute(
                "UPDATE sources SET privacy = ?2 WHERE id = ?1",
                params![source, privacy],
            )
            .map(|n| n > 0)
            .map_err(|e| self.err(e))
    }

    /// People in the mail whose name or address contains `text` (case-insensitive): address,
    /// the name most used with it, and in how many messages it appears; most frequent first.
    pub fn people_like(&self, text: &str) -> Result<Vec<(String, String, i64)>> {
        let pattern = format!("%{}%", text.replace(['%', '_'], ""));
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT address, MAX(name), COUNT(DISTINCT message) AS n FROM addresses
                 WHERE address != '' AND (name LIKE ?1 OR address LIKE ?1)
                 GROUP BY address ORDER BY n DESC, address LIMIT 50",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([pattern], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// The ids of the `n` newest messages from `address`, newest first.
    pub fn latest_from(&self, address: &str, n: usize) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id FROM messages WHERE from_addr = ?1 ORDER BY date DESC, id DESC LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![address, n as i64], |r| r.get(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<i64>>>())
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// Sets the folders an IMAP source reads (empty: every folder).
    pub fn set_source_folders(&self, source: i64, folders: &[String]) -> Result<bool> {
        self.conn
            .execute(
                "UPDATE sources SET folders = ?2 WHERE id = ?1",
                params![source, folders.join("\n")],
            )
            .map(|n| n > 0)
            .map_err(|e| self.err(e))
    }

    /// Marks every message of a thread read; returns how many were unread.
    pub fn mark_thread_read(&self, thread: i64) -> Result<usize> {
        self.conn
            .execute(
                "UPDATE messages SET unread = 0 WHERE thread_id = ?1 AND unread = 1",
                [thread],
            )
            .map_err(|e| self.err(e))
    }

    /// Every note, by title.
    pub fn notes_list(&self) -> Result<Vec<NoteListRow>> {
        self.conn
            .prepare_cached(
                "SELECT id, path, title, tags, file_mtime FROM notes
                 ORDER BY title COLLATE NOCASE, path",
            )
            .and_then(|mut s| {
                s.query_map([], |r| {
                    let tags: String = r.get(3)?;
                    Ok(NoteListRow {
                        id: r.get(0)?,
                        path: r.get(1)?,
                        title: r.get(2)?,
                        tags: tags.split_whitespace().map(String::from).collect(),
                        modified: r.get::<_, i64>(4)? / 1_000_000_000,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }
}

fn inbox_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<InboxRow> {
    let who: Option<String> = r.get(5)?;
    Ok(InboxRow {
        thread: r.get(0)?,
        subject: r.get(1)?,
        last_date: r.get(2)?,
        message_count: r.get(3)?,
        unread_count: r.get(4)?,
        participants: who
            .map(|w| w.split('\u{1f}').map(String::from).collect())
            .unwrap_or_default(),
        latest_message: r.get::<_, Option<i64>>(6)?.unwrap_or(0),
        latest_body: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thread(store: &Store, subject: &str, last_date: i64) -> i64 {
        let root = 1_000 + store.conn.last_insert_rowid();
        store
            .conn
            .execute(
                "INSERT INTO threads (root_message, subject, first_date, last_date, message_count)
                 VALUES (?1, ?2, 0, ?3, 0)",
                params![root, subject, last_date],
            )
            .unwrap();
        store.conn.last_insert_rowid()
    }

    fn message(store: &Store, thread: i64, from: (&str, &str), date: i64, unread: bool) -> i64 {
        store
            .conn
            .execute(
                "INSERT INTO messages (dedup_key, thread_id, from_name, from_addr, date, headers,
                 body_text, size, content_hash, ingested_at, unread)
                 VALUES (?1, ?2, ?3, ?4, ?5, '[]', ?6, 4, 'h', 0, ?7)",
                params![
                    format!("k{thread}-{date}"),
                    thread,
                    from.0,
                    from.1,
                    date,
                    format!("body at {date}"),
                    unread as i64
                ],
            )
            .unwrap();
        store
            .conn
            .execute(
                "UPDATE threads SET message_count = message_count + 1 WHERE id = ?1",
                [thread],
            )
            .unwrap();
        store.conn.last_insert_rowid()
    }

    #[test]
    fn a_thread_leaves_the_inbox_only_when_every_message_is_filed_away() {
        let store = Store::open_in_memory().unwrap();
        let t = thread(&store, "Contract", 100);
        let first = message(&store, t, ("Priya", "p@x"), 50, false);
        let second = message(&store, t, ("Priya", "p@x"), 100, false);
        store.file_messages(&[first], "Archive").unwrap();
        assert_eq!(
            store.inbox(false, 10, 0).unwrap().len(),
            1,
            "one message still in the inbox"
        );
        store.file_messages(&[second], "Legal").unwrap();
        assert!(store.inbox(false, 10, 0).unwrap().is_empty());
        store.file_messages(&[second], "").unwrap();
        assert_eq!(store.inbox(false, 10, 0).unwrap()[0].thread, t);
    }

    #[test]
    fn the_inbox_lists_threads_newest_first_with_unread_counts_and_senders() {
        let store = Store::open_in_memory().unwrap();
        let old = thread(&store, "Budget", 100);
        message(&store, old, ("Kenneth", "k@x"), 50, false);
        let latest_old = message(&store, old, ("", "sara@x"), 100, false);
        let new = thread(&store, "Lunch", 300);
        message(&store, new, ("Sara", "sara@x"), 200, true);
        message(&store, new, ("Kenneth", "k@x"), 250, false);
        let latest_new = message(&store, new, ("Sara", "sara@x"), 300, true);

        let rows = store.inbox(false, 10, 0).unwrap();
        assert_eq!(
            rows.iter().map(|r| r.thread).collect::<Vec<_>>(),
            [new, old]
        );
        assert_eq!(rows[0].unread_count, 2);
        assert_eq!(rows[0].message_count, 3);
        assert_eq!(rows[0].participants, ["Sara", "Kenneth"]);
        assert_eq!(rows[0].latest_message, latest_new);
        assert_eq!(rows[0].latest_body, "body at 300");
        assert_eq!(rows[1].participants, ["Kenneth", "sara@x"]);
        assert_eq!(rows[1].latest_message, latest_old);

        assert_eq!(store.inbox(false, 1, 1).unwrap()[0].thread, old);
        let unread: Vec<i64> = store
            .inbox(true, 10, 0)
            .unwrap()
            .iter()
            .map(|r| r.thread)
            .collect();
        assert_eq!(unread, [new]);

        assert_eq!(store.mark_thread_read(new).unwrap(), 2);
        assert!(store.inbox(true, 10, 0).unwrap().is_empty());
        assert_eq!(store.mark_thread_read(new).unwrap(), 0);

        assert_eq!(
            store
                .threads_of(&[latest_new, 12345, latest_old, latest_new])
                .unwrap(),
            [new, old]
        );
        let picked = store.inbox_rows(&[old, 999, new]).unwrap();
        assert_eq!(
            picked.iter().map(|r| r.thread).collect::<Vec<_>>(),
            [old, new]
        );
        assert!(store.inbox_rows(&[]).unwrap().is_empty());
    }

    #[test]
    fn a_sources_privacy_label_is_set_and_checked() {
        let mut store = Store::open_in_memory().unwrap();
        let source = store
            .source(crate::store::SourceKind::Notes, "/notes", "notes")
            .unwrap();
        assert_eq!(store.sources().unwrap()[0].privacy, "local");
        assert!(store.set_source_privacy(source, "private").unwrap());
        assert_eq!(store.sources().unwrap()[0].privacy, "private");
        assert!(!store.set_source_privacy(source + 1, "private").unwrap());
        assert!(store.set_source_privacy(source, "public").is_err());
        assert_eq!(store.sources().unwrap()[0].privacy, "private");
    }

    #[test]
    fn notes_are_listed_by_title_with_tags_and_seconds() {
        let mut store = Store::open_in_memory().unwrap();
        let source = store
            .source(crate::store::SourceKind::Notes, "/notes", "notes")
            .unwrap();
        for (path, title, tags) in [("b.md", "beta", "x y"), ("a.md", "Alpha", "")] {
            store
                .conn
                .execute(
                    "INSERT INTO notes (source_id, path, title, tags, body, file_size, file_mtime,
                     content_hash, ingested_at) VALUES (?1, ?2, ?3, ?4, 'b', 1, 5000000000, 'h', 0)",
                    params![source, path, title, tags],
                )
                .unwrap();
        }
        let notes = store.notes_list().unwrap();
        assert_eq!(
            notes.iter().map(|n| n.title.as_str()).collect::<Vec<_>>(),
            ["Alpha", "beta"]
        );
        assert_eq!(notes[1].tags, ["x", "y"]);
        assert!(notes[0].tags.is_empty());
        assert_eq!(notes[0].modified, 5);
    }
}
