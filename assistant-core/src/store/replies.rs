//! Stored smart-reply outcomes (per message and model), drafts, and who the user is.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::{now, Store};
use crate::error::Result;

/// A reply being written: a picked suggestion or the user's own text. Never sent from here.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Draft {
    pub id: i64,
    pub in_reply_to: Option<i64>,
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
    pub origin: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Store {
    /// The stored outcome (JSON) of smart reply for a message with a model, and how long it took.
    pub fn reply_outcome(&self, message: i64, model: &str) -> Result<Option<(String, i64)>> {
        self.conn
            .query_row(
                "SELECT outcome, elapsed_ms FROM reply_suggestions WHERE message = ?1 AND model = ?2",
                params![message, model],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    pub fn put_reply_outcome(
        &self,
        message: i64,
        model: &str,
        outcome: &str,
        elapsed_ms: i64,
    ) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO reply_suggestions (message, model, outcome, elapsed_ms, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (message, model) DO UPDATE SET
                    outcome = excluded.outcome, elapsed_ms = excluded.elapsed_ms,
                    created_at = excluded.created_at",
                params![message, model, outcome, elapsed_ms, now()],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Messages with no stored outcome for `model`, newest first (for computing suggestions in
    /// the background).
    pub fn messages_without_reply_outcome(&self, model: &str, limit: usize) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT m.id FROM messages m
                 WHERE NOT EXISTS (SELECT 1 FROM reply_suggestions r
                                   WHERE r.message = m.id AND r.model = ?1)
                 ORDER BY m.date DESC, m.id DESC LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        let ids = stmt
            .query_map(params![model, limit as i64], |r| r.get(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<i64>>>())
            .map_err(|e| self.err(e))?;
        Ok(ids)
    }

    pub fn create_draft(
        &self,
        in_reply_to: Option<i64>,
        to: &[String],
        subject: &str,
        body: &str,
        origin: &str,
    ) -> Result<Draft> {
        let t = now();
        self.conn
            .execute(
                "INSERT INTO drafts (in_reply_to, to_addrs, subject, body, origin, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                params![in_reply_to, to.join(", "), subject, body, origin, t],
            )
            .map_err(|e| self.err(e))?;
        let id = self.conn.last_insert_rowid();
        self.draft(id)?
            .ok_or_else(|| crate::error::CoreError::NotFound {
                what: format!("draft {id}"),
                hint: String::new(),
            })
    }

    /// Replaces a draft's text (the user edited it).
    pub fn update_draft(&self, id: i64, body: &str) -> Result<bool> {
        self.conn
            .execute(
                "UPDATE drafts SET body = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, body, now()],
            )
            .map(|n| n > 0)
            .map_err(|e| self.err(e))
    }

    pub fn draft(&self, id: i64) -> Result<Option<Draft>> {
        self.conn
            .query_row(
                "SELECT id, in_reply_to, to_addrs, subject, body, origin, created_at, updated_at
                 FROM drafts WHERE id = ?1",
                [id],
                read_draft,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Every draft, most recently changed first.
    pub fn drafts(&self) -> Result<Vec<Draft>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, in_reply_to, to_addrs, subject, body, origin, created_at, updated_at
                 FROM drafts ORDER BY updated_at DESC, id DESC",
            )
            .map_err(|e| self.err(e))?;
        let drafts = stmt
            .query_map([], read_draft)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        Ok(drafts)
    }

    /// The addresses the user writes from: the senders of mail in folders named like "sent",
    /// most frequent first.
    pub fn user_addresses(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT m.from_addr, COUNT(DISTINCT m.id) AS n FROM messages m
                 JOIN message_locations l ON l.message = m.id
                 WHERE lower(l.folder) LIKE '%sent%' AND m.from_addr != ''
                 GROUP BY lower(m.from_addr) ORDER BY n DESC LIMIT 3",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        // Addresses with a fair share of the sent mail (not a one-off alias).
        let top = rows.first().map(|r| r.1).unwrap_or(0);
        Ok(rows
            .into_iter()
            .filter(|(_, n)| *n * 5 >= top)
            .map(|(a, _)| a)
            .collect())
    }
}

fn read_draft(r: &rusqlite::Row<'_>) -> rusqlite::Result<Draft> {
    let to: String = r.get(2)?;
    Ok(Draft {
        id: r.get(0)?,
        in_reply_to: r.get(1)?,
        to: to
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        subject: r.get(3)?,
        body: r.get(4)?,
        origin: r.get(5)?,
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
    })
}
