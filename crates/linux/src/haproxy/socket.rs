//! HAProxy's runtime API over its stats socket: one command per connection.
//!
//! Unix sockets live in the filesystem, not in a network namespace: peerlab reaches the
//! socket of an HAProxy running in any namespace from its own.

use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;

use super::Error;

/// How long one runtime command may take.
const CLI_TIMEOUT: Duration = Duration::from_secs(5);
/// The most output one command may return (`show stat` of a large LB is a few hundred KiB).
const MAX_OUTPUT: u64 = 16 << 20;

/// Sends `command` (e.g. `show stat`, `set server be0/s1 state maint`) to the runtime API at
/// `socket` and returns its answer.
pub async fn cli(socket: &Path, command: &str) -> Result<String, Error> {
    let what = || format!("{command:?} on {}", socket.display());
    let exchange = async {
        let mut stream = UnixStream::connect(socket).await?;
        stream.write_all(command.as_bytes()).await?;
        stream.write_all(b"\n").await?;
        let mut out = Vec::new();
        stream.take(MAX_OUTPUT).read_to_end(&mut out).await?;
        Ok::<_, std::io::Error>(out)
    };
    let out = tokio::time::timeout(CLI_TIMEOUT, exchange)
        .await
        .map_err(|_| Error::io(what(), std::io::ErrorKind::TimedOut.into()))?
        .map_err(|e| Error::io(what(), e))?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}
