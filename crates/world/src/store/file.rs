//! The state file on disk: what is there, and putting a new database in its place in one step.
//!
//! A new database (fresh, or migrated from JSON) is built beside the file, as `FILE.tmp`, in
//! SQLite's rollback-journal mode (so it is one file once closed), fsynced, then renamed over
//! `FILE`, and the directory is fsynced. A crash at any point leaves either what was there
//! before or the whole new database; a `FILE.tmp` left by a crash is built again.

use super::StoreError;
use super::schema;
use provider::persist::{Changes, Persisted};
use rusqlite::Connection;
use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The first 16 bytes of every SQLite database.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// What is at the state path.
pub enum Found {
    /// Nothing: a fresh state is made.
    Missing,
    /// A SQLite database (ours or not: the schema check says).
    Sqlite,
    /// A JSON file, to migrate: its bytes.
    Json(Vec<u8>),
}

/// `path` with `suffix` added (`state.db` → `state.db-wal`).
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(suffix);
    name.into()
}

/// Looks at the file without changing it.
pub fn inspect(path: &Path) -> Result<Found, StoreError> {
    let io = |error| StoreError::Io {
        path: path.to_path_buf(),
        error,
    };
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Missing),
        Err(e) => return Err(io(e)),
    };
    let mut head = Vec::new();
    file.by_ref()
        .take(SQLITE_HEADER.len() as u64)
        .read_to_end(&mut head)
        .map_err(io)?;
    if head == SQLITE_HEADER {
        return Ok(Found::Sqlite);
    }
    match head.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => {
            let mut bytes = head;
            file.read_to_end(&mut bytes).map_err(io)?;
            Ok(Found::Json(bytes))
        }
        first => Err(StoreError::Foreign {
            path: path.to_path_buf(),
            reason: if first.is_none() {
                "the file is empty".to_string()
            } else {
                "neither a SQLite database nor a JSON state".to_string()
            },
        }),
    }
}

/// Refuses to put a new database where a write-ahead log of another one lies: SQLite would
/// replay it into the new database.
pub fn refuse_stale_log(path: &Path) -> Result<(), StoreError> {
    let wal = sibling(path, "-wal");
    if wal.exists() {
        return Err(StoreError::Foreign {
            path: path.to_path_buf(),
            reason: format!(
                "{} belongs to another database; move it away first",
                wal.display()
            ),
        });
    }
    Ok(())
}

/// Builds a database holding every row of `models` at `FILE.tmp`, closed and on disk.
pub fn build_beside(path: &Path, models: &mut [&mut dyn Persisted]) -> Result<PathBuf, StoreError> {
    let tmp = sibling(path, ".tmp");
    let io = |error| StoreError::Io {
        path: path.to_path_buf(),
        error,
    };
    for leftover in [tmp.clone(), sibling(&tmp, "-journal")] {
        match std::fs::remove_file(&leftover) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
            _ => {}
        }
    }
    let sqlite = |error| StoreError::Sqlite {
        path: path.to_path_buf(),
        error,
    };
    let mut changes = Changes::default();
    for model in models.iter_mut() {
        model
            .drain_changes(true, &mut changes)
            .map_err(|error| StoreError::Rows {
                path: path.to_path_buf(),
                error,
            })?;
    }
    let mut conn = Connection::open(&tmp).map_err(sqlite)?;
    conn.execute_batch("PRAGMA synchronous = FULL")
        .map_err(sqlite)?;
    schema::create_tables(&conn).map_err(sqlite)?;
    let tx = conn.transaction().map_err(sqlite)?;
    schema::write(&tx, &changes, &HashMap::new()).map_err(sqlite)?;
    tx.commit().map_err(sqlite)?;
    conn.close().map_err(|(_, error)| sqlite(error))?;
    File::open(&tmp).and_then(|f| f.sync_all()).map_err(io)?;
    Ok(tmp)
}

/// Keeps the JSON state being migrated as `FILE.v1.json` (a hard link, else a copy). A backup
/// already there is fine if it holds the same bytes (a migration that crashed after this
/// step); otherwise it is left alone and the migration refused.
pub fn keep_backup(path: &Path, json: &[u8]) -> Result<PathBuf, StoreError> {
    let backup = sibling(path, ".v1.json");
    let io = |error| StoreError::Io {
        path: path.to_path_buf(),
        error,
    };
    match std::fs::read(&backup) {
        Ok(bytes) if bytes == json => return Ok(backup),
        Ok(_) => {
            return Err(StoreError::Foreign {
                path: path.to_path_buf(),
                reason: format!(
                    "a JSON state to migrate, but its backup {} exists and differs; move it away first",
                    backup.display()
                ),
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e)),
    }
    if std::fs::hard_link(path, &backup).is_err() {
        let tmp = sibling(&backup, ".tmp");
        std::fs::write(&tmp, json).map_err(io)?;
        File::open(&tmp).and_then(|f| f.sync_all()).map_err(io)?;
        std::fs::rename(&tmp, &backup).map_err(io)?;
    }
    sync_dir(path).map_err(io)?;
    Ok(backup)
}

/// Renames `tmp` over `path` and makes the rename durable.
pub fn install(tmp: &Path, path: &Path) -> Result<(), StoreError> {
    let io = |error| StoreError::Io {
        path: path.to_path_buf(),
        error,
    };
    std::fs::rename(tmp, path).map_err(io)?;
    sync_dir(path).map_err(io)
}

fn sync_dir(path: &Path) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}
