//! [`StoreError`]: why the state cannot be opened or written, in one line that names the file.

use provider::catalogue::CatalogueError;
use provider::persist::PersistError;
use provider::snapshot::SnapshotError;
use std::path::PathBuf;

/// Why the state cannot be opened or written (one line, naming the file).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file (or one beside it) cannot be read or written.
    #[error("state file {}: {error}", path.display())]
    Io {
        /// The state file.
        path: PathBuf,
        /// What failed.
        error: std::io::Error,
    },
    /// SQLite failed (a damaged database, a full disk, another process holding it …).
    #[error("state file {}: {}", path.display(), sqlite_line(error))]
    Sqlite {
        /// The state file.
        path: PathBuf,
        /// What failed.
        error: rusqlite::Error,
    },
    /// The file is neither a peerlab SQLite state nor a JSON state of the previous version.
    #[error("state file {}: not a peerlab state ({reason})", path.display())]
    Foreign {
        /// The state file.
        path: PathBuf,
        /// What it is instead.
        reason: String,
    },
    /// A peerlab SQLite state of a layout this build does not read.
    #[error(
        "state file {}: a peerlab state of version {found}, this build reads version {}",
        path.display(),
        super::schema::VERSION
    )]
    Version {
        /// The state file.
        path: PathBuf,
        /// The version it has.
        found: i64,
    },
    /// A JSON state of the previous version that cannot be read (so it is not migrated).
    #[error("state file {}: {error}", path.display())]
    Json {
        /// The state file.
        path: PathBuf,
        /// What is wrong.
        error: SnapshotError,
    },
    /// A stored row is not what this build reads, or a model does not serialize.
    #[error("state file {}: {error}", path.display())]
    Rows {
        /// The state file.
        path: PathBuf,
        /// What is wrong.
        error: PersistError,
    },
    /// The catalogue cannot make a fresh state.
    #[error("state file {}: invalid catalogue: {error}", path.display())]
    Catalogue {
        /// The state file.
        path: PathBuf,
        /// What is wrong.
        error: CatalogueError,
    },
}

/// SQLite's message, with a hint when another process holds the file.
fn sqlite_line(error: &rusqlite::Error) -> String {
    let busy = matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    );
    let line = error.to_string().replace('\n', " ");
    if busy {
        format!("{line} (another process has it open)")
    } else {
        line
    }
}
