//! Helpers shared by the integration tests: waiting with a deadline and
//! failing with the daemons' logs, or waiting for a plain condition.

#![allow(dead_code)]

use linux::peer::Peer;
use std::thread;
use std::time::{Duration, Instant};

/// Polls `check` every 200 ms until it is true; panics at `timeout` with
/// `what`, the last error (or what was seen instead) and the end of every daemon's log.
pub fn eventually(
    peers: &[&dyn Peer],
    what: &str,
    timeout: Duration,
    mut check: impl FnMut() -> Result<bool, String>,
) {
    let start = Instant::now();
    let deadline = start + timeout;
    loop {
        let last = match check() {
            Ok(true) => {
                eprintln!("{what}: after {:?}", start.elapsed());
                return;
            }
            Ok(false) => String::from("not yet"),
            Err(e) => e,
        };
        if Instant::now() >= deadline {
            let logs: String = peers
                .iter()
                .map(|p| {
                    format!(
                        "\n--- {} {} ---\n{}",
                        p.kind(),
                        p.config().name,
                        p.log_tail()
                    )
                })
                .collect();
            panic!("{what}: still false after {timeout:?} ({last}){logs}");
        }
        thread::sleep(Duration::from_millis(200));
    }
}

/// A generous guard against a test that hangs; no timing is asserted.
pub const GUARD: Duration = Duration::from_secs(30);

/// Polls `check` every 10 ms until it is true; panics after [`GUARD`].
pub fn wait_for(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + GUARD;
    while !check() {
        assert!(
            Instant::now() < deadline,
            "{what}: still false after {GUARD:?}"
        );
        thread::sleep(Duration::from_millis(10));
    }
}
