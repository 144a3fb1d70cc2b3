//! The schema's migrations, embedded from `migrations/*.sql`, applied in order, one transaction each.

use std::path::Path;

use rusqlite::Connection;

use crate::error::{CoreError, Result};

/// `(version, SQL)`: the database's `user_version` is the last one applied.
pub const MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("../../../migrations/0001_init.sql"))];

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
