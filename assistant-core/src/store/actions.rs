//! What actions change in the store: where a message is filed, its flag and labels, read state,
//! local reminders, and the audit log of executed steps (with what undoing each needs).

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::{now, store_error, Store};
use crate::error::Result;

/// A message's state that actions change, kept before a change so that undo can restore it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageState {
    pub id: i64,
    pub filed_in: String,
    pub flagged: bool,
    pub unread: bool,
    pub labels: Vec<String>,
}

/// A local reminder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reminder {
    pub id: i64,
    pub text: String,
    pub due_at: i64,
    pub message: Option<i64>,
    pub created_at: i64,
    pub done_at: Option<i64>,
}

/// One executed step, as the audit log keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub action: String,
    pub targets: serde_json::Value,
    pub detail: serde_json::Value,
    /// `none` (cannot be undone), `available`, or `undone`.
    pub undo_state: String,
}

impl Store {
    /// The state of these messages (those that exist), in the order given.
    pub fn message_states(&self, ids: &[i64]) -> Result<Vec<MessageState>> {
        let mut out = Vec::new();
        for &id in ids {
            let row = self
                .conn
                .query_row(
                    "SELECT filed_in, flagged, unread FROM messages WHERE id = ?1",
                    [id],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, bool>(1)?,
                            r.get::<_, bool>(2)?,
                        ))
                    },
                )
                .optional()
                .map_err(|e| self.err(e))?;
            let Some((filed_in, flagged, unread)) = row else {
                continue;
            };
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT label FROM message_labels WHERE message = ?1 ORDER BY label",
                )
                .map_err(|e| self.err(e))?;
            let labels = stmt
                .query_map([id], |r| r.get(0))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<String>>>())
                .map_err(|e| self.err(e))?;
            out.push(MessageState {
                id,
                filed_in,
                flagged,
                unread,
                labels,
            });
        }
        Ok(out)
    }

    /// Puts the messages back exactly as `states` describe them.
    pub fn restore_message_states(&mut self, states: &[MessageState]) -> Result<()> {
        let tx = self
            .conn
            .transaction()
            .map_err(|e| store_error(&self.path, e))?;
        for s in states {
            tx.execute(
                "UPDATE messages SET filed_in = ?2, flagged = ?3, unread = ?4 WHERE id = ?1",
                params![s.id, s.filed_in, s.flagged, s.unread],
            )
            .map_err(|e| store_error(&self.path, e))?;
            tx.execute("DELETE FROM message_labels WHERE message = ?1", [s.id])
                .map_err(|e| store_error(&self.path, e))?;
            for l in &s.labels {
                tx.execute(
                    "INSERT INTO message_labels (message, label) VALUES (?1, ?2)",
                    params![s.id, l],
                )
                .map_err(|e| store_error(&self.path, e))?;
            }
        }
        tx.commit().map_err(|e| store_error(&self.path, e))
    }

    /// Files the messages in `folder` ('' = back in the inbox).
    pub fn file_messages(&self, ids: &[i64], folder: &str) -> Result<()> {
        for &id in ids {
            self.conn
                .execute(
                    "UPDATE messages SET filed_in = ?2 WHERE id = ?1",
                    params![id, folder],
                )
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    pub fn set_flagged(&self, ids: &[i64], flagged: bool) -> Result<()> {
        for &id in ids {
            self.conn
                .execute(
                    "UPDATE messages SET flagged = ?2 WHERE id = ?1",
                    params![id, flagged],
                )
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    pub fn set_unread(&self, ids: &[i64], unread: bool) -> Result<()> {
        for &id in ids {
            self.conn
                .execute(
                    "UPDATE messages SET unread = ?2 WHERE id = ?1",
                    params![id, unread],
                )
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    pub fn add_label(&self, ids: &[i64], label: &str) -> Result<()> {
        for &id in ids {
            self.conn
                .execute(
                    "INSERT OR IGNORE INTO message_labels (message, label) VALUES (?1, ?2)",
                    params![id, label],
                )
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// The `n` newest messages from `from_addr` (any sender when `None`) whose subject or text
    /// contains `about` (any when `None`), newest first.
    pub fn newest_matching(
        &self,
        from_addr: Option<&str>,
        about: Option<&str>,
        n: usize,
    ) -> Result<Vec<i64>> {
        let about = about.map(|a| format!("%{}%", a.replace(['%', '_'], "")));
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id FROM messages
                 WHERE (?1 IS NULL OR from_addr = ?1)
                   AND (?2 IS NULL OR subject LIKE ?2 OR body_text LIKE ?2)
                 ORDER BY date DESC, id DESC LIMIT ?3",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![from_addr, about, n as i64], |r| r.get(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<i64>>>())
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// Notes whose title contains every one of `words` (case-insensitive): id, path, title.
    pub fn notes_titled(&self, words: &[String]) -> Result<Vec<(i64, String, String)>> {
        let first = words.first().cloned().unwrap_or_default();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, path, title FROM notes WHERE title LIKE ?1 ORDER BY path")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([format!("%{}%", first.replace(['%', '_'], ""))], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<(i64, String, String)>>>())
            .map_err(|e| self.err(e))?;
        Ok(rows
            .into_iter()
            .filter(|(_, _, title)| {
                let t = title.to_lowercase();
                words.iter().all(|w| t.contains(&w.to_lowercase()))
            })
            .collect())
    }

    /// The notes folder a note lives in, and the note's path relative to it.
    pub fn note_file(&self, note: i64) -> Result<Option<(i64, String, String)>> {
        self.conn
            .query_row(
                "SELECT s.id, s.location, n.path FROM notes n JOIN sources s ON s.id = n.source_id
                 WHERE n.id = ?1",
                [note],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    pub fn add_reminder(&self, text: &str, due_at: i64, message: Option<i64>) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO reminders (text, due_at, message, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![text, due_at, message, now()],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn delete_reminder(&self, id: i64) -> Result<bool> {
        self.conn
            .execute("DELETE FROM reminders WHERE id = ?1", [id])
            .map(|n| n > 0)
            .map_err(|e| self.err(e))
    }

    /// Reminders not yet done, soonest first.
    pub fn reminders(&self) -> Result<Vec<Reminder>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, text, due_at, message, created_at, done_at FROM reminders
                 WHERE done_at IS NULL ORDER BY due_at, id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Reminder {
                    id: r.get(0)?,
                    text: r.get(1)?,
                    due_at: r.get(2)?,
                    message: r.get(3)?,
                    created_at: r.get(4)?,
                    done_at: r.get(5)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    pub fn delete_draft(&self, id: i64) -> Result<bool> {
        self.conn
            .execute("DELETE FROM drafts WHERE id = ?1", [id])
            .map(|n| n > 0)
            .map_err(|e| self.err(e))
    }

    /// Records one executed step; returns its id.
    pub fn log_action(
        &self,
        action: &str,
        targets: &serde_json::Value,
        detail: &serde_json::Value,
        undoable: bool,
    ) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO audit_log (at, action, targets, detail, undo_state)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    now(),
                    action,
                    targets.to_string(),
                    detail.to_string(),
                    if undoable { "available" } else { "none" }
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The newest `limit` audit entries, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, at, action, targets, detail, undo_state FROM audit_log
                 ORDER BY id DESC LIMIT ?1",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([limit as i64], audit_entry)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    pub fn audit_entry(&self, id: i64) -> Result<Option<AuditEntry>> {
        self.conn
            .query_row(
                "SELECT id, at, action, targets, detail, undo_state FROM audit_log WHERE id = ?1",
                [id],
                audit_entry,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Marks an entry undone, only if it was still undoable (so two undos cannot both run).
    pub fn mark_undone(&self, id: i64) -> Result<bool> {
        self.conn
            .execute(
                "UPDATE audit_log SET undo_state = 'undone' WHERE id = ?1 AND undo_state = 'available'",
                [id],
            )
            .map(|n| n > 0)
            .map_err(|e| self.err(e))
    }
}

fn audit_entry(r: &rusqlite::Row) -> rusqlite::Result<AuditEntry> {
    let json = |s: String| serde_json::from_str(&s).unwrap_or(serde_json::Value::String(s));
    Ok(AuditEntry {
        id: r.get(0)?,
        at: r.get(1)?,
        action: r.get(2)?,
        targets: json(r.get(3)?),
        detail: json(r.get(4)?),
        undo_state: r.get(5)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_state_round_trips_through_undo() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .conn
            .execute_batch(
                "INSERT INTO messages (id, dedup_key, headers, body_text, size, content_hash, ingested_at)
                 VALUES (1, 'a', '[]', 'x', 1, 'h', 0), (2, 'b', '[]', 'y', 1, 'h', 0);",
            )
            .unwrap();
        let before = store.message_states(&[1, 2, 99]).unwrap();
        assert_eq!(before.len(), 2, "a missing message has no state");
        store.file_messages(&[1, 2], "Archive").unwrap();
        store.set_flagged(&[1], true).unwrap();
        store.set_unread(&[2], false).unwrap();
        store.add_label(&[1, 2], "legal").unwrap();
        store.add_label(&[1], "legal").unwrap();
        let after = store.message_states(&[1, 2]).unwrap();
        assert_eq!(after[0].filed_in, "Archive");
        assert!(after[0].flagged && !after[1].unread);
        assert_eq!(after[0].labels, vec!["legal".to_string()]);
        store.restore_message_states(&before).unwrap();
        assert_eq!(store.message_states(&[1, 2]).unwrap(), before);
    }

    #[test]
    fn an_entry_is_undone_once() {
        let store = Store::open_in_memory().unwrap();
        let id = store
            .log_action(
                "archive",
                &serde_json::json!([1]),
                &serde_json::json!({}),
                true,
            )
            .unwrap();
        let none = store
            .log_action(
                "search",
                &serde_json::json!([]),
                &serde_json::json!({}),
                false,
            )
            .unwrap();
        assert!(store.mark_undone(id).unwrap());
        assert!(
            !store.mark_undone(id).unwrap(),
            "a second undo must not run"
        );
        assert!(!store.mark_undone(none).unwrap());
        let log = store.audit_log(10).unwrap();
        assert_eq!(log[0].id, none);
        assert_eq!(log[1].undo_state, "undone");
    }
}
