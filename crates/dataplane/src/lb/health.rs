//! One server's health, counted the way HAProxy 2.6 counts it (`check.c`), on the model's
//! clock.
//!
//! - `health` runs from 0 to `rise + fall − 1`. A server starts *up* with `health = rise`
//!   ("up, but will fall down at first failure"): one failed check before the first success
//!   takes it down. A success adds one, and reaching `rise` jumps to `rise + fall − 1`; a
//!   failure takes one off, and dropping below `rise` falls to 0. At 0 the server is down; at
//!   `rise` or more it is up again.
//! - The next check starts `srv_getinter` after the previous one *completed*: `inter`
//!   (`check_delay`) at full health, also while fully down (no `downinter` is rendered), and
//!   `fastinter` (`transient_check_delay`) in between — including right after start-up.
//! - The first checks are spread like `start_checks`: check number `p` of `n` starts at
//!   `max(mininter, own interval) × p / n` ms, `mininter` being the smallest start-up
//!   interval of at least 1000 ms among all checks of the LB.
//!
//! What a check meets is decided when it starts ([`super::check::run_check`]); its result
//! applies when it completes.

use std::time::Duration;

use super::check::{CheckResult, CheckStatus, HealthCheck, RISE};
use super::stats::ServerStatus;

/// HAProxy's `SRV_CHK_INTER_THRES`: intervals below this do not set the start-up spread.
const CHK_INTER_THRES: Duration = Duration::from_millis(1000);

/// One server's check state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerHealth {
    rise: u32,
    fall: u32,
    health: u32,
    running: bool,
    /// When the next check starts (none while one is in flight).
    next_check: Option<Duration>,
    /// A check in flight: when it completes and what it gives.
    in_flight: Option<(Duration, CheckResult)>,
    last: CheckResult,
    last_change: Duration,
    failed_checks: u64,
    down_transitions: u64,
}

/// What completing a check changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Change {
    /// Status before.
    pub from: ServerStatus,
    /// Status after.
    pub to: ServerStatus,
}

impl ServerHealth {
    /// A server that comes up at `start` with its first check at `first_check`.
    pub fn new(check: &HealthCheck, start: Duration, first_check: Duration) -> Self {
        ServerHealth {
            rise: RISE,
            fall: check.check_max_retries.max(1),
            health: RISE,
            running: true,
            next_check: Some(first_check),
            in_flight: None,
            last: CheckResult {
                status: CheckStatus::Ini,
                code: None,
                duration: Duration::ZERO,
            },
            last_change: start,
            failed_checks: 0,
            down_transitions: 0,
        }
    }

    /// `srv_getinter`: the interval before the next check, given the current health.
    pub fn interval(&self, check: &HealthCheck) -> Duration {
        let full = self.health + 1 >= self.rise + self.fall;
        let down = !self.running && self.health == 0;
        if full || down {
            check.check_delay
        } else {
            check.fastinter()
        }
    }

    /// The status `show stat` would print.
    pub fn status(&self) -> ServerStatus {
        ServerStatus::from_health(self.running, self.health, self.rise, self.fall)
    }

    /// Whether the server takes traffic.
    pub fn is_up(&self) -> bool {
        self.running
    }

    /// The next instant something happens: a check starts or completes.
    pub fn deadline(&self) -> Option<Duration> {
        self.in_flight.map(|(done, _)| done).or(self.next_check)
    }

    /// Whether a check is in flight.
    pub fn checking(&self) -> bool {
        self.in_flight.is_some()
    }

    /// Starts the check due at `at` with what it will give; a check that takes no time
    /// completes at once (see [`ServerHealth::complete`]).
    pub fn start(&mut self, at: Duration, result: CheckResult) {
        self.next_check = None;
        self.in_flight = Some((at + result.duration, result));
    }

    /// Completes the check in flight, schedules the next one and says what changed, if
    /// anything. `check` is the backend's health check.
    pub fn complete(&mut self, check: &HealthCheck) -> Option<Change> {
        let (at, result) = self.in_flight.take()?;
        let from = self.status();
        let was_running = self.running;
        let top = self.rise + self.fall - 1;
        if result.status.passed() {
            if self.health < top {
                self.health += 1;
                if self.health >= self.rise {
                    self.health = top;
                }
            }
            if self.health >= self.rise {
                self.running = true;
            }
        } else if self.health > 0 {
            self.failed_checks += 1;
            self.health -= 1;
            if self.health < self.rise {
                self.health = 0;
            }
            if self.health == 0 {
                self.running = false;
            }
        }
        if was_running != self.running {
            self.last_change = at;
            if !self.running {
                self.down_transitions += 1;
            }
        }
        self.last = result;
        self.next_check = Some(at + self.interval(check));
        let to = self.status();
        (from != to).then_some(Change { from, to })
    }

    /// The last completed check.
    pub fn last(&self) -> CheckResult {
        self.last
    }

    /// When the server last went up or down (or started).
    pub fn last_change(&self) -> Duration {
        self.last_change
    }

    /// HAProxy's `chkfail`.
    pub fn failed_checks(&self) -> u64 {
        self.failed_checks
    }

    /// HAProxy's `chkdown`.
    pub fn down_transitions(&self) -> u64 {
        self.down_transitions
    }
}

/// When each check first runs after a start at `start`: `intervals` are the checks'
/// start-up intervals ([`ServerHealth::interval`] at start), in HAProxy's order (backends,
/// then servers, as declared).
pub fn first_checks(start: Duration, intervals: &[Duration]) -> Vec<Duration> {
    let n = intervals.len() as u128;
    let mininter = intervals
        .iter()
        .filter(|i| **i >= CHK_INTER_THRES)
        .min()
        .copied()
        .unwrap_or(Duration::ZERO);
    intervals
        .iter()
        .enumerate()
        .map(|(pos, own)| {
            let spread = mininter.max(*own).as_millis() * pos as u128 / n.max(1);
            start + Duration::from_millis(u64::try_from(spread).unwrap_or(u64::MAX))
        })
        .collect()
}
