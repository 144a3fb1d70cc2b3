//! Reading documents for summaries and answers: a day's mail and notes, a document's passages.

use rusqlite::params;

use super::Store;
use crate::error::Result;
use crate::index::DocKey;

impl Store {
    /// Messages dated in `[start, end)` (seconds, UTC), oldest first, at most `limit`.
    pub fn messages_between(&self, start: i64, end: i64, limit: usize) -> Result<Vec<i64>> {
        self.conn
            .prepare_cached(
                "SELECT id FROM messages WHERE date >= ?1 AND date < ?2 ORDER BY date, id LIMIT ?3",
            )
            .and_then(|mut s| {
                s.query_map(params![start, end, limit as i64], |r| r.get(0))?
                    .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// Notes whose file changed in `[start, end)` (seconds, UTC), oldest first, at most `limit`.
    pub fn notes_changed_between(&self, start: i64, end: i64, limit: usize) -> Result<Vec<i64>> {
        self.conn
            .prepare_cached(
                "SELECT id FROM notes WHERE file_mtime >= ?1 AND file_mtime < ?2
                 ORDER BY file_mtime, id LIMIT ?3",
            )
            .and_then(|mut s| {
                s.query_map(
                    params![
                        start.saturating_mul(1_000_000_000),
                        end.saturating_mul(1_000_000_000),
                        limit as i64
                    ],
                    |r| r.get(0),
                )?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// The stored passages of a document in order (empty until it has been chunked).
    pub fn passages(&self, key: DocKey) -> Result<Vec<String>> {
        let (sql, id) = match key {
            DocKey::Message(id) => (
                "SELECT text FROM chunks WHERE message = ?1 ORDER BY position",
                id,
            ),
            DocKey::Note(id) => (
                "SELECT text FROM chunks WHERE note = ?1 ORDER BY position",
                id,
            ),
        };
        self.conn
            .prepare_cached(sql)
            .and_then(|mut s| s.query_map([id], |r| r.get(0))?.collect())
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(store: &Store, key: &str, date: i64) -> i64 {
        store
            .conn
            .execute(
                "INSERT INTO messages (dedup_key, date, headers, body_text, size, content_hash,
                 ingested_at) VALUES (?1, ?2, '[]', 'body', 4, 'h', 0)",
                params![key, date],
            )
            .unwrap();
        store.conn.last_insert_rowid()
    }

    fn note(store: &mut Store, path: &str, mtime_ns: i64) -> i64 {
        let source = store
            .source(crate::store::SourceKind::Notes, "/notes", "notes")
            .unwrap();
        store
            .conn
            .execute(
                "INSERT INTO notes (source_id, path, title, body, file_size, file_mtime,
                 content_hash, ingested_at) VALUES (?1, ?2, 't', 'b', 1, ?3, 'h', 0)",
                params![source, path, mtime_ns],
            )
            .unwrap();
        store.conn.last_insert_rowid()
    }

    #[test]
    fn a_days_messages_and_notes_are_listed_oldest_first() {
        let mut store = Store::open_in_memory().unwrap();
        let day = 1_000_000_000 - 1_000_000_000 % 86_400;
        let ids: Vec<i64> = [day + 7_200, day - 10, day + 3_600, day + 86_400]
            .iter()
            .enumerate()
            .map(|(i, &date)| message(&store, &format!("k{i}"), date))
            .collect();
        assert_eq!(
            store.messages_between(day, day + 86_400, 10).unwrap(),
            vec![ids[2], ids[0]]
        );
        assert_eq!(
            store.messages_between(day, day + 86_400, 1).unwrap(),
            vec![ids[2]]
        );
        let inside = note(&mut store, "a.md", (day + 60) * 1_000_000_000);
        note(&mut store, "b.md", (day - 60) * 1_000_000_000);
        assert_eq!(
            store.notes_changed_between(day, day + 86_400, 10).unwrap(),
            vec![inside]
        );
        assert!(store.passages(DocKey::Note(inside)).unwrap().is_empty());
        store
            .conn
            .execute(
                "INSERT INTO chunks (note, position, start, end, text) VALUES
                 (?1, 1, 5, 9, 'second'), (?1, 0, 0, 4, 'first')",
                [inside],
            )
            .unwrap();
        assert_eq!(
            store.passages(DocKey::Note(inside)).unwrap(),
            ["first", "second"]
        );
    }
}

impl Store {
    /// Where a message was read from: the source's kind and location, and the message's own
    /// location in it (to find its file again, e.g. to forward its attachments).
    pub fn message_files(&self, id: i64) -> Result<Vec<(String, String, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT s.kind, s.location, l.location FROM message_locations l
                 JOIN sources s ON s.id = l.source_id WHERE l.message = ?1 ORDER BY s.id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }
}
