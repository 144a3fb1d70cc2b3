//! The schema's migrations, embedded from `migrations/*.sql`, applied in order, one transaction each.

use std::path::Path;

use rusqlite::Connection;

use crate::error::{CoreError, Result};

/// `(version, SQL)`: the database's `user_version` is the last one applied.
pub const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../../migrations/0001_init.sql")),
    (
        2,
        include_str!("../../../migrations/0002_embedding_changes.sql"),
    ),
    (
        3,
        include_str!("../../../migrations/0003_replies_and_drafts.sql"),
    ),
    (
        4,
        include_str!("../../../migrations/0004_imap_folders_and_outbox.sql"),
    ),
    (5, include_str!("../../../migrations/0005_actions.sql")),
    (6, include_str!("../../../migrations/0006_cloud_calls.sql")),
];

pub const LATEST_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let err = |e: rusqlite::Error| super::store_error(path, e);
    let current: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(err)?;
    if current > LATEST_VERSION {
        return Err(CoreError::Store {
            path: path.to_path_buf(),
            reason: format!(
                "the database has schema version {current}, newer than this app knows ({LATEST_VERSION}); update the app, or move the file aside to start afresh"
            ),
        });
    }
    for &(version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        let tx = conn.transaction().map_err(err)?;
        tx.execute_batch(sql)
            .and_then(|_| tx.execute_batch(&format!("PRAGMA user_version = {version}")))
            .map_err(|e| CoreError::Store {
                path: path.to_path_buf(),
                reason: format!(
                    "migration {version} failed: {e}; the database was left at version {current}"
                ),
            })?;
        tx.commit().map_err(err)?;
        tracing::info!(version, "applied schema migration");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_in_order_from_one() {
        for (i, (version, _)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(*version, i as i64 + 1);
        }
    }

    #[test]
    fn every_migration_applies_to_an_empty_database_and_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, Path::new(":memory:")).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, LATEST_VERSION);
        migrate(&mut conn, Path::new(":memory:")).unwrap();
        let tables: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(tables >= 12, "{tables} tables");
    }

    /// Every released schema version has a committed database (`migrations/fixtures/vN.sqlite3`,
    /// the sample mail and notes ingested by that version); each must open and migrate forward
    /// with its data intact.
    #[test]
    fn fixture_databases_of_every_released_version_migrate_forward() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/fixtures");
        for &(version, _) in MIGRATIONS {
            let fixture = fixtures.join(format!("v{version}.sqlite3"));
            assert!(
                fixture.is_file(),
                "no fixture database for schema version {version}: {}",
                fixture.display()
            );
            let dir = tempfile::tempdir().unwrap();
            let db = dir.path().join("assistant.sqlite3");
            std::fs::copy(&fixture, &db).unwrap();
            let store = crate::store::Store::open(&db).unwrap();
            assert_eq!(store.schema_version().unwrap(), LATEST_VERSION);
            let counts = store.counts().unwrap();
            assert_eq!(
                (counts.messages, counts.notes),
                (9, 6),
                "v{version}: {counts:?}"
            );
            let id = store
                .message_by_message_id("<q3-budget-1@northwind.example>")
                .unwrap()
                .unwrap();
            let m = store.message(id).unwrap().unwrap();
            assert_eq!(m.subject, "Q3 budget review");
            assert_eq!(m.cc[0].address, "sara@northwind.example");
            let note = store
                .note(
                    store
                        .note_by_path("projects/q3-budget.md")
                        .unwrap()
                        .unwrap(),
                )
                .unwrap()
                .unwrap();
            assert_eq!(note.title, "Q3 budget");
        }
    }

    /// Regression: a note edited right after its passages were embedded got new vectors with
    /// the row ids of the deleted ones, so "largest row id" alone could not tell search that
    /// its vectors in memory were stale. Deletions and replacements now count as changes.
    #[test]
    fn deleted_and_replaced_vectors_are_counted_even_when_row_ids_are_reused() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, Path::new("x.db")).unwrap();
        let stamp = |conn: &Connection| -> (i64, i64) {
            conn.query_row(
                "SELECT (SELECT COALESCE(MAX(rowid), 0) FROM embeddings),
                        (SELECT value FROM change_counters WHERE name = 'embeddings')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
        };
        let upsert = "INSERT INTO embeddings (chunk, model, vector) VALUES (?1, 'm', ?2)
                      ON CONFLICT (chunk, model) DO UPDATE SET vector = excluded.vector";
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO chunks (id, note, position, start, end, text) VALUES
                (1, 1, 0, 0, 1, 'a'), (2, 1, 1, 1, 2, 'b');",
        )
        .unwrap();
        conn.execute(upsert, rusqlite::params![1, vec![0u8; 4]])
            .unwrap();
        conn.execute(upsert, rusqlite::params![2, vec![0u8; 4]])
            .unwrap();
        assert_eq!(stamp(&conn), (2, 0));
        // The newest vector deleted and another stored in its place: same largest row id.
        conn.execute("DELETE FROM embeddings WHERE chunk = 2", [])
            .unwrap();
        conn.execute(upsert, rusqlite::params![2, vec![1u8; 4]])
            .unwrap();
        assert_eq!(stamp(&conn), (2, 1));
        // Stored again over an existing vector: replaced in place, counted.
        conn.execute(upsert, rusqlite::params![1, vec![2u8; 4]])
            .unwrap();
        assert_eq!(stamp(&conn), (2, 2));
        // Deleting passages deletes their vectors through the foreign key, each one counted.
        conn.execute_batch("PRAGMA foreign_keys = ON; DELETE FROM chunks;")
            .unwrap();
        assert_eq!(stamp(&conn), (0, 4));
    }

    #[test]
    fn a_database_from_a_newer_app_is_refused_untouched() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA user_version = 999").unwrap();
        let err = migrate(&mut conn, Path::new("x.db")).unwrap_err();
        assert!(
            err.to_string().contains("newer than this app knows"),
            "{err}"
        );
    }
}
