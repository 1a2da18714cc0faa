//! Durable state in SQLite (`peerlab serve --state FILE`).
//!
//! The provider models live in memory; the store keeps a copy of them in one SQLite file, one
//! row per resource ([`schema`]). After each acknowledged write, [`Store::commit`] writes what
//! that write changed, in one transaction, and returns once it is on disk:
//! - the models say what changed without being serialized whole: their resources sit in
//!   [`provider::table::Table`]s, which record the keys a write touched, and
//!   [`Persisted::drain_changes`] hands over those rows only (plus each model's small meta row,
//!   written when it differs). So the cost of a write follows what it changed, not what is
//!   stored;
//! - WAL mode with `synchronous = FULL`: a commit has been fsynced when it returns, so a write
//!   answered after its commit survives `kill -9` and power loss;
//! - the file is locked for as long as the store is open: a second process is refused.
//!
//! [`Store::load`] takes the path and the catalogue and gives back the store and the models
//! ([`Store::create`] makes a new state of given models; [`Store::open`] is either):
//! - a missing file gives `None` (`open` creates it from the catalogue);
//! - a peerlab SQLite state is loaded (the catalogue only gives the projects and tokens);
//! - a JSON state of the previous version (`format` "peerlab-state", version 1: the whole model
//!   rewritten at each write) is migrated once: its models are written into a new database,
//!   the JSON file is kept beside it as `FILE.v1.json`, and the database takes its name;
//! - anything else (an empty file, a file that is neither SQLite nor JSON, a SQLite database of
//!   another program or of another layout version, a damaged database) is refused with one line
//!   naming the file ([`StoreError`]), and the file is left as it was.
//!
//! A model joins the store by keeping its resources in `Table`s and implementing
//! [`Persisted`] (see [`provider::persist`]); it then goes in [`Models`] and its `restore` in
//! [`Store::load`].
//!
//! The world uses it through [`crate::persistence::StateFile`]. Not here: when to commit (after
//! each acknowledged write: the world's actor) and what to do when a commit fails (stop
//! answering: the models are ahead of the file).
//!
//! ```
//! use provider::catalogue::Catalogue;
//! use provider::persist::Persisted;
//! use world::store::Store;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("state.db");
//! let now = chrono::DateTime::from_timestamp(1_750_000_000, 0).unwrap();
//! let (mut store, mut models) = Store::open(&path, &Catalogue::default(), now).unwrap();
//! models.ovh_connect.advance_clock(60);
//! let commit = store.commit(&mut models.persisted()).unwrap();
//! assert_eq!(commit.rows, 1); // the OVH meta row: its clock moved
//! drop(store);
//! let (_, back) = Store::open(&path, &Catalogue::default(), now).unwrap();
//! assert_eq!(back.ovh_connect, models.ovh_connect);
//! ```

mod error;
mod file;
pub mod schema;
#[cfg(test)]
mod tests;

pub use error::StoreError;

use chrono::{DateTime, Utc};
use file::Found;
use provider::catalogue::Catalogue;
use provider::interlink::InterLink;
use provider::ovh_connect::OvhConnect;
use provider::persist::{Changes, PersistError, Persisted};
use rusqlite::{Connection, OpenFlags};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The models a store keeps.
#[derive(Clone, Debug)]
pub struct Models {
    /// Scaleway InterLink, with the IPAM state it owns.
    pub interlink: InterLink,
    /// OVHcloud Connect.
    pub ovh_connect: OvhConnect,
}

impl Models {
    /// The models of `catalogue` (resolved), as a fresh start.
    pub fn new(
        catalogue: &Catalogue,
        now: DateTime<Utc>,
    ) -> Result<Self, provider::catalogue::CatalogueError> {
        let catalogue = catalogue.resolved();
        Ok(Self {
            interlink: InterLink::new(&catalogue, now)?,
            ovh_connect: OvhConnect::new(&catalogue),
        })
    }

    /// Every model, for [`Store::commit`].
    pub fn persisted(&mut self) -> [&mut dyn Persisted; 2] {
        [&mut self.interlink, &mut self.ovh_connect]
    }
}

/// How [`Store::open`] found the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A peerlab SQLite state, loaded.
    Loaded,
    /// No file: made from the catalogue.
    Created,
    /// A JSON state of the previous version, migrated; the JSON file is kept at `backup`.
    Migrated {
        /// Where the JSON file is kept.
        backup: PathBuf,
    },
}

/// What a commit wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Commit {
    /// Rows written or deleted (0: nothing changed, nothing was written).
    pub rows: usize,
    /// How long it took, fsync included.
    pub took: Duration,
}

/// The state file, open (see the [module](self)).
pub struct Store {
    conn: Connection,
    path: PathBuf,
    origin: Origin,
    /// The meta rows as stored.
    meta: HashMap<String, String>,
    /// Reused between commits.
    changes: Changes,
}

impl Store {
    /// Opens the state at `path`, or creates it from `catalogue` (at time `now`) when there is
    /// no file, and gives back the models it holds. See [`Store::load`] and [`Store::create`].
    pub fn open(
        path: &Path,
        catalogue: &Catalogue,
        now: DateTime<Utc>,
    ) -> Result<(Self, Models), StoreError> {
        if let Some(opened) = Self::load(path, catalogue)? {
            return Ok(opened);
        }
        let mut models = Models::new(catalogue, now).map_err(|error| StoreError::Catalogue {
            path: path.to_path_buf(),
            error,
        })?;
        let store = Self::create(path, &mut models.persisted())?;
        Ok((store, models))
    }

    /// Opens the state at `path` and gives back the models it holds (with the projects and
    /// tokens of `catalogue`), migrating a JSON state of the previous version first; `None`
    /// when there is no file. Anything else is refused (see the [module](self)).
    pub fn load(path: &Path, catalogue: &Catalogue) -> Result<Option<(Self, Models)>, StoreError> {
        let catalogue = catalogue.resolved();
        let origin = match file::inspect(path)? {
            Found::Missing => return Ok(None),
            Found::Sqlite => Origin::Loaded,
            Found::Json(bytes) => {
                file::refuse_stale_log(path)?;
                let (interlink, ovh_connect) = provider::snapshot::from_json_with_ovh(
                    &bytes, &catalogue,
                )
                .map_err(|error| StoreError::Json {
                    path: path.to_path_buf(),
                    error,
                })?;
                let mut models = Models {
                    interlink,
                    ovh_connect,
                };
                let tmp = file::build_beside(path, &mut models.persisted())?;
                let backup = file::keep_backup(path, &bytes)?;
                file::install(&tmp, path)?;
                tracing::info!(
                    path = %path.display(),
                    backup = %backup.display(),
                    "JSON state migrated to SQLite"
                );
                Origin::Migrated { backup }
            }
        };
        let conn = connect(path)?;
        let rows_error = |error| StoreError::Rows {
            path: path.to_path_buf(),
            error,
        };
        let mut rows = schema::read_rows(&conn).map_err(|e| sqlite(path, e))?;
        let interlink = InterLink::restore(&mut rows, &catalogue).map_err(rows_error)?;
        let ovh_connect = OvhConnect::restore(&mut rows).map_err(rows_error)?;
        let left = rows.left_over();
        if !left.is_empty() {
            return Err(rows_error(PersistError::Decode {
                kind: left.join(", "),
                key: String::new(),
                reason: "rows of kinds this build does not know".to_string(),
            }));
        }
        let store = Self::new(conn, path, origin)?;
        tracing::info!(path = %path.display(), "state loaded");
        let models = Models {
            interlink,
            ovh_connect,
        };
        Ok(Some((store, models)))
    }

    /// Creates the state at `path` holding every row of `models`, in one step (see
    /// [`file`]): nothing is there until all of it is. The models' changes are forgotten.
    pub fn create(path: &Path, models: &mut [&mut dyn Persisted]) -> Result<Self, StoreError> {
        file::refuse_stale_log(path)?;
        let tmp = file::build_beside(path, models)?;
        file::install(&tmp, path)?;
        let store = Self::new(connect(path)?, path, Origin::Created)?;
        tracing::info!(path = %path.display(), "state created");
        Ok(store)
    }

    fn new(conn: Connection, path: &Path, origin: Origin) -> Result<Self, StoreError> {
        let meta = schema::read_meta(&conn).map_err(|e| sqlite(path, e))?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
            origin,
            meta,
            changes: Changes::default(),
        })
    }

    /// Writes what changed in `models` since the last commit (or since they were opened), in
    /// one transaction, and returns once it is on disk. Nothing changed: nothing is written.
    ///
    /// On an error the models are ahead of the file, and their changes are forgotten: the
    /// caller must not answer the write, and should stop.
    pub fn commit(&mut self, models: &mut [&mut dyn Persisted]) -> Result<Commit, StoreError> {
        let start = Instant::now();
        self.changes.clear();
        for model in models.iter_mut() {
            model
                .drain_changes(false, &mut self.changes)
                .map_err(|error| StoreError::Rows {
                    path: self.path.clone(),
                    error,
                })?;
        }
        let meta_changed = self
            .changes
            .meta_rows()
            .iter()
            .any(|(name, value)| self.meta.get(*name) != Some(value));
        if self.changes.rows().is_empty() && !meta_changed {
            return Ok(Commit {
                rows: 0,
                took: start.elapsed(),
            });
        }
        let sqlite = |error| StoreError::Sqlite {
            path: self.path.clone(),
            error,
        };
        let tx = self.conn.transaction().map_err(sqlite)?;
        let rows = schema::write(&tx, &self.changes, &self.meta).map_err(sqlite)?;
        tx.commit().map_err(sqlite)?;
        for (name, value) in self.changes.meta_rows() {
            if self.meta.get(*name) != Some(value) {
                self.meta.insert((*name).to_string(), value.clone());
            }
        }
        Ok(Commit {
            rows,
            took: start.elapsed(),
        })
    }

    /// The state file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How the file was found when opened.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// How many resources are stored.
    pub fn resources(&self) -> Result<u64, StoreError> {
        schema::count(&self.conn).map_err(|error| StoreError::Sqlite {
            path: self.path.clone(),
            error,
        })
    }
}

fn sqlite(path: &Path, error: rusqlite::Error) -> StoreError {
    StoreError::Sqlite {
        path: path.to_path_buf(),
        error,
    }
}

/// Opens a peerlab SQLite state for keeps: checks that it is one, of this layout, before
/// anything is written; then WAL, `synchronous = FULL`, and the lock.
fn connect(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| sqlite(path, e))?;
    // Another holder of the lock is refused at once (rusqlite would wait 5 s by default).
    conn.busy_timeout(std::time::Duration::ZERO)
        .map_err(|e| sqlite(path, e))?;
    // Before anything is read, so that the lock taken below is kept.
    conn.execute_batch("PRAGMA locking_mode = EXCLUSIVE")
        .map_err(|e| sqlite(path, e))?;
    match schema::identify(&conn).map_err(|e| sqlite(path, e))? {
        schema::Identity::Ours => {}
        schema::Identity::Version(found) => {
            return Err(StoreError::Version {
                path: path.to_path_buf(),
                found,
            });
        }
        schema::Identity::Foreign(id) => {
            return Err(StoreError::Foreign {
                path: path.to_path_buf(),
                reason: format!("a SQLite database of another program, application_id {id}"),
            });
        }
    }
    schema::settle_in(&conn).map_err(|e| sqlite(path, e))?;
    Ok(conn)
}
