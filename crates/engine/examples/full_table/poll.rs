//! Polling with a deadline, where an error (a daemon that died, an interruption) ends the wait
//! at once instead of being retried.

use crate::interrupt;
use anyhow::{Result, bail};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// Calls `probe` every `interval` until it gives `Some`; fails on its first error, on an
/// interruption, or after `timeout`.
pub fn until<T>(
    what: &str,
    timeout: Duration,
    interval: Duration,
    mut probe: impl FnMut() -> Result<Option<T>>,
) -> Result<T> {
    let deadline = Instant::now() + timeout;
    loop {
        interrupt::check()?;
        if let Some(value) = probe()? {
            return Ok(value);
        }
        if Instant::now() > deadline {
            bail!("timed out after {timeout:?} waiting for {what}");
        }
        sleep(interval);
    }
}
