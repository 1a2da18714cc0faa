//! Durable state (`peerlab serve --state FILE`): every acknowledged write is saved before its
//! answer goes out, so `kill -9` loses nothing that was acknowledged.
//!
//! [`Persistence`] is what the world asks of a store: load what was saved, and commit a write.
//! [`JsonFile`] keeps the whole state as one JSON snapshot ([`provider::snapshot`]), written
//! through `FILE.tmp`, fsynced, renamed over `FILE`, and the directory fsynced: a crash at any
//! point leaves either the old or the new state.
//!
//! Reads and clock ticks are not saved: what they change (a hosted link going into service at
//! its time) is derived from the clock again after a restart.

use crate::State;
use provider::catalogue::Catalogue;
use provider::interlink::InterLink;
use provider::ovh_connect::OvhConnect;
use provider::snapshot::{self, SnapshotError};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why the state cannot be loaded or saved (one line, naming the file).
#[derive(Debug, thiserror::Error)]
pub enum PersistenceError {
    /// The file cannot be read or written.
    #[error("state file {path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        error: std::io::Error,
    },
    /// The file is not a state this build reads.
    #[error("state file {path}: {error}")]
    Snapshot {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        error: SnapshotError,
    },
}

/// A store of the provider state.
pub trait Persistence: Send + 'static {
    /// The saved models (with `catalogue`'s projects), `None` if nothing was saved yet.
    fn load(
        &mut self,
        catalogue: &Catalogue,
    ) -> Result<Option<(InterLink, OvhConnect)>, PersistenceError>;

    /// Makes `state` durable (after a successful write, before it is answered).
    fn commit(&mut self, state: &State) -> Result<(), PersistenceError>;
}

/// The state as one JSON file.
#[derive(Clone, Debug)]
pub struct JsonFile {
    path: PathBuf,
    tmp: PathBuf,
}

impl JsonFile {
    /// The state kept at `path` (written through `path` + `.tmp`).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let mut tmp = path.clone().into_os_string();
        tmp.push(".tmp");
        Self {
            path,
            tmp: tmp.into(),
        }
    }

    fn io(&self, error: std::io::Error) -> PersistenceError {
        PersistenceError::Io {
            path: self.path.clone(),
            error,
        }
    }

    fn bad(&self, error: SnapshotError) -> PersistenceError {
        PersistenceError::Snapshot {
            path: self.path.clone(),
            error,
        }
    }
}

impl Persistence for JsonFile {
    fn load(
        &mut self,
        catalogue: &Catalogue,
    ) -> Result<Option<(InterLink, OvhConnect)>, PersistenceError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io(e)),
        };
        snapshot::from_json_with_ovh(&bytes, catalogue)
            .map(Some)
            .map_err(|e| self.bad(e))
    }

    fn commit(&mut self, state: &State) -> Result<(), PersistenceError> {
        let bytes =
            snapshot::to_json_with_ovh(&state.interlink, &state.ovh).map_err(|e| self.bad(e))?;
        write_atomic(&self.path, &self.tmp, &bytes).map_err(|e| self.io(e))
    }
}

/// Replaces `path` by `bytes`: write `tmp`, fsync it, rename it over `path`, fsync the directory.
pub fn write_atomic(path: &Path, tmp: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = File::create(tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(tmp, path)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}
