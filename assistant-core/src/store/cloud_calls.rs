//! The cloud call log: one row per request that went (or was meant to go) to the cloud model.

use rusqlite::params;
use serde::Serialize;

use super::{now, Store};
use crate::error::Result;

/// One logged cloud request. The text itself is never kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CloudCall {
    pub id: i64,
    pub at: i64,
    pub feature: String,
    pub server: String,
    pub model: String,
    pub chars: i64,
    pub sources: Vec<String>,
    pub placeholders: i64,
    pub outcome: String,
}

/// What a new log row holds.
pub struct NewCloudCall<'a> {
    pub feature: &'a str,
    pub server: &'a str,
    pub model: &'a str,
    pub chars: usize,
    pub sources: &'a [String],
    pub placeholders: usize,
    pub outcome: &'a str,
}

impl Store {
    pub fn log_cloud_call(&self, c: &NewCloudCall) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO cloud_calls (at, feature, server, model, chars, sources, placeholders, outcome)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    now(),
                    c.feature,
                    c.server,
                    c.model,
                    c.chars as i64,
                    c.sources.join("\n"),
                    c.placeholders as i64,
                    c.outcome
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The newest `limit` cloud calls, newest first.
    pub fn cloud_calls(&self, limit: usize) -> Result<Vec<CloudCall>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, at, feature, server, model, chars, sources, placeholders, outcome
                 FROM cloud_calls ORDER BY id DESC LIMIT ?1",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([limit as i64], |r| {
                Ok(CloudCall {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    feature: r.get(2)?,
                    server: r.get(3)?,
                    model: r.get(4)?,
                    chars: r.get(5)?,
                    sources: r
                        .get::<_, String>(6)?
                        .lines()
                        .filter(|l| !l.is_empty())
                        .map(String::from)
                        .collect(),
                    placeholders: r.get(7)?,
                    outcome: r.get(8)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// The sources the documents come from, as (name, privacy label), each once.
    pub fn sources_of(&self, docs: &[crate::index::DocKey]) -> Result<Vec<(String, String)>> {
        let mut out: Vec<(String, String)> = Vec::new();
        for key in docs {
            let sql = match key {
                crate::index::DocKey::Message(_) => {
                    "SELECT DISTINCT s.name, s.privacy FROM message_locations l
                     JOIN sources s ON s.id = l.source_id WHERE l.message = ?1"
                }
                crate::index::DocKey::Note(_) => {
                    "SELECT s.name, s.privacy FROM notes n JOIN sources s ON s.id = n.source_id
                     WHERE n.id = ?1"
                }
            };
            let id = match key {
                crate::index::DocKey::Message(i) | crate::index::DocKey::Note(i) => *i,
            };
            let mut stmt = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
            let rows = stmt
                .query_map([id], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| self.err(e))?;
            for row in rows {
                if !out.contains(&row) {
                    out.push(row);
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_logged_without_their_text() {
        let store = Store::open_in_memory().unwrap();
        store
            .log_cloud_call(&NewCloudCall {
                feature: "summarize",
                server: "http://127.0.0.1:9/v1",
                model: "big",
                chars: 1200,
                sources: &["Work mail".to_string()],
                placeholders: 3,
                outcome: "ok",
            })
            .unwrap();
        let calls = store.cloud_calls(10).unwrap();
        assert_eq!(calls.len(), 1);
        assert_eq!((calls[0].chars, calls[0].placeholders), (1200, 3));
        assert_eq!(calls[0].sources, vec!["Work mail".to_string()]);
    }
}
