//! The outbox table: mail queued to send, its delivery attempts and outcome.

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use super::{now, Store};
use crate::error::Result;

/// A message in the outbox. `state` is `queued` (waiting, or retrying after `last_error`),
/// `sending` (handed to the server now), `sent`, `failed` (the server refused it for good) or
/// `cancelled` (taken back before it went).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OutboxItem {
    pub id: i64,
    pub message_id: String,
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub next_attempt: i64,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

/// What a new outbox row holds.
pub struct NewOutboxItem<'a> {
    pub message_id: &'a str,
    pub draft: Option<i64>,
    pub from: &'a str,
    pub to: &'a [String],
    pub subject: &'a str,
    pub raw: &'a [u8],
}

const COLUMNS: &str = "id, message_id, from_addr, to_addrs, subject, state, attempts, last_error,
                       next_attempt, created_at, sent_at";

fn item(r: &Row) -> rusqlite::Result<OutboxItem> {
    Ok(OutboxItem {
        id: r.get(0)?,
        message_id: r.get(1)?,
        from: r.get(2)?,
        to: r
            .get::<_, String>(3)?
            .split(',')
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect(),
        subject: r.get(4)?,
        state: r.get(5)?,
        attempts: r.get(6)?,
        last_error: r.get(7)?,
        next_attempt: r.get(8)?,
        created_at: r.get(9)?,
        sent_at: r.get(10)?,
    })
}

impl Store {
    /// Queues a message and removes the draft it came from, in one transaction: the text is
    /// then in exactly one place. Queueing the same Message-ID again changes nothing.
    pub fn queue_outgoing(&mut self, new: &NewOutboxItem) -> Result<OutboxItem> {
        let path = self.path.clone();
        let err = |e| super::store_error(&path, e);
        let tx = self.conn.transaction().map_err(err)?;
        let t = now();
        tx.execute(
            "INSERT INTO outbox (message_id, draft, from_addr, to_addrs, subject, raw, next_attempt, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
             ON CONFLICT (message_id) DO NOTHING",
            params![new.message_id, new.draft, new.from, new.to.join(", "), new.subject, new.raw, t],
        )
        .map_err(err)?;
        if let Some(draft) = new.draft {
            tx.execute("DELETE FROM drafts WHERE id = ?1", [draft])
                .map_err(err)?;
        }
        tx.commit().map_err(err)?;
        self.outbox_item_by_message_id(new.message_id)?
            .ok_or_else(|| crate::error::CoreError::NotFound {
                what: format!("outbox message {}", new.message_id),
                hint: String::new(),
            })
    }

    pub fn outbox_item_by_message_id(&self, message_id: &str) -> Result<Option<OutboxItem>> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM outbox WHERE message_id = ?1"),
                [message_id],
                item,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    pub fn outbox_item(&self, id: i64) -> Result<Option<OutboxItem>> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1"),
                [id],
                item,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The outbox, newest first.
    pub fn outbox(&self) -> Result<Vec<OutboxItem>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM outbox ORDER BY id DESC"))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], item)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// Queued messages whose next attempt is due, oldest first, with their bytes.
    pub fn outbox_due(&self, at: i64) -> Result<Vec<(OutboxItem, Vec<u8>)>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {COLUMNS}, raw FROM outbox WHERE state = 'queued' AND next_attempt <= ?1 ORDER BY id"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([at], |r| Ok((item(r)?, r.get::<_, Vec<u8>>(11)?)))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// Messages sent since `since` (for the sending rate limit).
    pub fn sent_since(&self, since: i64) -> Result<i64> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM outbox WHERE state = 'sent' AND sent_at >= ?1",
                [since],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// Claims a queued message for one delivery attempt, until `lease_until`; `false` when
    /// another delivery (another thread or process) claimed it first.
    pub fn outbox_claim(&self, id: i64, lease_until: i64) -> Result<bool> {
        self.conn
            .execute(
                "UPDATE outbox SET state = 'sending', attempts = attempts + 1, next_attempt = ?2
                 WHERE id = ?1 AND state = 'queued'",
                params![id, lease_until],
            )
            .map(|n| n == 1)
            .map_err(|e| self.err(e))
    }

    /// Records an attempt's outcome: `Ok` sent; `Err((reason, Some(retry_at)))` queued again;
    /// `Err((reason, None))` failed for good.
    pub fn outbox_attempted(
        &self,
        id: i64,
        outcome: std::result::Result<(), (&str, Option<i64>)>,
    ) -> Result<()> {
        let result = match outcome {
            Ok(()) => self.conn.execute(
                "UPDATE outbox SET state = 'sent', sent_at = ?2, last_error = NULL WHERE id = ?1",
                params![id, now()],
            ),
            Err((reason, Some(retry_at))) => self.conn.execute(
                "UPDATE outbox SET state = 'queued', last_error = ?2, next_attempt = ?3 WHERE id = ?1",
                params![id, reason, retry_at],
            ),
            Err((reason, None)) => self.conn.execute(
                "UPDATE outbox SET state = 'failed', last_error = ?2 WHERE id = ?1",
                params![id, reason],
            ),
        };
        result.map(|_| ()).map_err(|e| self.err(e))
    }

    /// Messages left `sending` past their lease (the process stopped mid-delivery) go back to
    /// the queue. (Whether the server took them is unknown; sending again risks one duplicate,
    /// which the same Message-ID lets the recipient's client fold away; dropping it loses mail.)
    pub fn outbox_recover(&self, at: i64) -> Result<usize> {
        self.conn
            .execute(
                "UPDATE outbox SET state = 'queued' WHERE state = 'sending' AND next_attempt <= ?1",
                [at],
            )
            .map_err(|e| self.err(e))
    }

    /// Makes every queued message due now.
    pub fn outbox_due_now(&self) -> Result<usize> {
        self.conn
            .execute(
                "UPDATE outbox SET next_attempt = 0 WHERE state = 'queued'",
                [],
            )
            .map_err(|e| self.err(e))
    }

    /// Takes back a message that has not gone yet; `false` when it is no longer queued.
    pub fn outbox_cancel(&self, id: i64) -> Result<bool> {
        self.conn
            .execute(
                "UPDATE outbox SET state = 'cancelled' WHERE id = ?1 AND state = 'queued'",
                [id],
            )
            .map(|n| n > 0)
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queued(store: &mut Store, id: &str) -> OutboxItem {
        store
            .queue_outgoing(&NewOutboxItem {
                message_id: id,
                draft: None,
                from: "a@example.com",
                to: &["b@example.com".to_string()],
                subject: "s",
                raw: b"raw",
            })
            .unwrap()
    }

    /// Regression: the app's background round and a "Send" pressed at the same moment both saw
    /// the message queued; each must claim it before sending, and only one can.
    #[test]
    fn only_one_delivery_can_claim_a_message() {
        let mut store = Store::open_in_memory().unwrap();
        let item = queued(&mut store, "<1@example.com>");
        assert!(store.outbox_claim(item.id, now() + 600).unwrap());
        assert!(!store.outbox_claim(item.id, now() + 600).unwrap());
        // A live lease is not recovered; an expired one is.
        assert_eq!(store.outbox_recover(now()).unwrap(), 0);
        assert_eq!(store.outbox_recover(now() + 601).unwrap(), 1);
        assert!(store.outbox_claim(item.id, now() + 600).unwrap());
        assert_eq!(store.outbox_item(item.id).unwrap().unwrap().attempts, 2);
    }

    #[test]
    fn queueing_the_same_message_twice_keeps_one() {
        let mut store = Store::open_in_memory().unwrap();
        let a = queued(&mut store, "<1@example.com>");
        let b = queued(&mut store, "<1@example.com>");
        assert_eq!(a.id, b.id);
        assert_eq!(store.outbox().unwrap().len(), 1);
    }
}
