//! The SQLite side: the schema, the connection's settings, reading every row, writing changes.
//!
//! ```sql
//! meta(name TEXT PRIMARY KEY, value TEXT)             -- one JSON object per model
//! resource(kind TEXT, id TEXT, value TEXT,            -- one JSON object per resource
//!          PRIMARY KEY (kind, id))
//! ```
//!
//! A peerlab state is recognised by `PRAGMA application_id` ([`APPLICATION_ID`]) and its layout
//! by `PRAGMA user_version` ([`VERSION`]: version 1 was the JSON file).

use provider::persist::{Changes, Rows};
use rusqlite::{Connection, Transaction, params};
use std::collections::HashMap;

/// `PRAGMA application_id` of a peerlab state: "peer" in ASCII.
pub const APPLICATION_ID: i32 = 0x7065_6572;
/// The layout version (`PRAGMA user_version`) this build reads and writes.
pub const VERSION: i64 = 2;

const TABLES: &str = "
CREATE TABLE meta (
    name TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE resource (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
";

const UPSERT: &str = "INSERT INTO resource (kind, id, value) VALUES (?1, ?2, ?3)
    ON CONFLICT (kind, id) DO UPDATE SET value = excluded.value";
const DELETE: &str = "DELETE FROM resource WHERE kind = ?1 AND id = ?2";
const SET_META: &str = "INSERT INTO meta (name, value) VALUES (?1, ?2)
    ON CONFLICT (name) DO UPDATE SET value = excluded.value";

/// What the file's header says it is.
pub enum Identity {
    /// A peerlab state of this layout.
    Ours,
    /// A peerlab state of another layout.
    Version(i64),
    /// Another program's database.
    Foreign(i32),
}

/// Reads the application ID and layout version (writes nothing).
pub fn identify(conn: &Connection) -> rusqlite::Result<Identity> {
    let application_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if application_id != APPLICATION_ID {
        return Ok(Identity::Foreign(application_id));
    }
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    Ok(if version == VERSION {
        Identity::Ours
    } else {
        Identity::Version(version)
    })
}

/// Makes the tables of an empty database and stamps it as ours.
pub fn create_tables(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(&format!(
        "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {VERSION}; {TABLES}"
    ))
}

/// Settings of the connection that keeps the state: WAL, `synchronous = FULL` (a commit is on
/// disk when it returns, and survives a power loss), and a lock held until the process ends, so
/// that a second process cannot open the same state.
pub fn settle_in(conn: &Connection) -> rusqlite::Result<()> {
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
            Some(format!(
                "the database stays in journal mode {mode}, not WAL"
            )),
        ));
    }
    conn.execute_batch("PRAGMA synchronous = FULL; BEGIN EXCLUSIVE; COMMIT;")
}

/// Every row, for the models to take back.
pub fn read_rows(conn: &Connection) -> rusqlite::Result<Rows> {
    let mut rows = Rows::default();
    let mut meta = conn.prepare("SELECT name, value FROM meta")?;
    for row in meta.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))? {
        let (name, value) = row?;
        rows.push_meta(name, value);
    }
    let mut resources = conn.prepare("SELECT kind, id, value FROM resource")?;
    for row in resources.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))? {
        let (kind, id, value) = row?;
        rows.push_row(kind, id, value);
    }
    Ok(rows)
}

/// The meta rows as stored.
pub fn read_meta(conn: &Connection) -> rusqlite::Result<HashMap<String, String>> {
    let mut meta = conn.prepare("SELECT name, value FROM meta")?;
    meta.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
}

/// Writes `changes` in `tx`: every changed resource, and the meta rows that differ from
/// `meta` (what is stored). Gives back how many rows it wrote.
pub fn write(
    tx: &Transaction<'_>,
    changes: &Changes,
    meta: &HashMap<String, String>,
) -> rusqlite::Result<usize> {
    let mut upsert = tx.prepare_cached(UPSERT)?;
    let mut delete = tx.prepare_cached(DELETE)?;
    let mut set_meta = tx.prepare_cached(SET_META)?;
    let mut written = 0;
    for row in changes.rows() {
        match &row.value {
            Some(value) => upsert.execute(params![row.kind, row.key, value])?,
            None => delete.execute(params![row.kind, row.key])?,
        };
        written += 1;
    }
    for (name, value) in changes.meta_rows() {
        if meta.get(*name) != Some(value) {
            set_meta.execute(params![name, value])?;
            written += 1;
        }
    }
    Ok(written)
}

/// The number of stored resources.
pub fn count(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row("SELECT count(*) FROM resource", [], |r| r.get(0))
}
