//! Time as the FSM sees it, and the five timers of RFC 4271 §8.
//!
//! The FSM never reads a clock: every call is handed `now`, an [`Instant`] counted from an epoch
//! the caller picks (the start of a test, or the moment a driver started). A timer is just a
//! deadline; the caller asks [`crate::Fsm::next_deadline`] when to call back.
//!
//! This module is not a scheduler: nothing here sleeps or wakes anyone up.

use std::fmt;
use std::ops::{Add, Sub};
use std::time::Duration;

/// A point in time, as a duration since the caller's epoch.
///
/// ```
/// use bgp_session::Instant;
/// use std::time::Duration;
///
/// let t = Instant::ZERO + Duration::from_secs(90);
/// assert_eq!(t.since_epoch(), Duration::from_secs(90));
/// assert_eq!(t - Instant::from_secs(30), Duration::from_secs(60));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(Duration);

impl Instant {
    /// The epoch.
    pub const ZERO: Instant = Instant(Duration::ZERO);

    /// The instant `since_epoch` after the epoch.
    pub const fn from_epoch(since_epoch: Duration) -> Self {
        Instant(since_epoch)
    }

    /// The instant `secs` seconds after the epoch.
    pub const fn from_secs(secs: u64) -> Self {
        Instant(Duration::from_secs(secs))
    }

    /// The instant `millis` milliseconds after the epoch.
    pub const fn from_millis(millis: u64) -> Self {
        Instant(Duration::from_millis(millis))
    }

    /// The time since the epoch.
    pub const fn since_epoch(self) -> Duration {
        self.0
    }

    /// The time from `earlier` to `self`, zero if `earlier` is later.
    pub fn saturating_duration_since(self, earlier: Instant) -> Duration {
        self.0.saturating_sub(earlier.0)
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    /// Saturates at the largest representable instant instead of overflowing.
    fn add(self, rhs: Duration) -> Instant {
        Instant(self.0.saturating_add(rhs))
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;

    /// Saturates at the epoch.
    fn sub(self, rhs: Duration) -> Instant {
        Instant(self.0.saturating_sub(rhs))
    }
}

impl Sub for Instant {
    type Output = Duration;

    /// Saturates at zero.
    fn sub(self, rhs: Instant) -> Duration {
        self.saturating_duration_since(rhs)
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// The timers of RFC 4271 §8 (IdleHoldTimer is the optional one of §8.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimerKind {
    /// ConnectRetryTimer: how long to wait before trying to connect again.
    ConnectRetry,
    /// HoldTimer: how long the peer may stay silent.
    Hold,
    /// KeepaliveTimer: when to send the next KEEPALIVE.
    Keepalive,
    /// DelayOpenTimer: how long to wait for the peer's OPEN before sending ours.
    DelayOpen,
    /// IdleHoldTimer: how long to stay Idle before an automatic restart.
    IdleHold,
}

impl TimerKind {
    /// Every timer, in the order expiries at the same instant are handled: the hold timer
    /// first, so that a silent peer is not answered with a KEEPALIVE before it is dropped.
    pub const ALL: [TimerKind; 5] = [
        TimerKind::Hold,
        TimerKind::Keepalive,
        TimerKind::DelayOpen,
        TimerKind::ConnectRetry,
        TimerKind::IdleHold,
    ];
}

/// One timer: stopped, or running until a deadline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timer {
    deadline: Option<Instant>,
}

impl Timer {
    /// The smallest period a timer runs for, so that a zero duration cannot make a timer expire
    /// again at the instant it was restarted.
    pub const MIN_PERIOD: Duration = Duration::from_millis(1);

    /// Starts (or restarts) the timer to expire `period` after `now`.
    pub fn start(&mut self, now: Instant, period: Duration) {
        self.deadline = Some(now + period.max(Self::MIN_PERIOD));
    }

    /// Stops the timer ("sets it to zero" in the RFC's words).
    pub fn stop(&mut self) {
        self.deadline = None;
    }

    /// Whether the timer is running.
    pub fn is_running(&self) -> bool {
        self.deadline.is_some()
    }

    /// When the timer expires, if it is running.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Whether the timer is running and its deadline has come.
    pub fn is_expired(&self, now: Instant) -> bool {
        self.deadline.is_some_and(|d| d <= now)
    }
}

/// The FSM's timers.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Timers {
    pub connect_retry: Timer,
    pub hold: Timer,
    pub keepalive: Timer,
    pub delay_open: Timer,
    pub idle_hold: Timer,
}

impl Timers {
    pub fn get(&self, kind: TimerKind) -> &Timer {
        match kind {
            TimerKind::ConnectRetry => &self.connect_retry,
            TimerKind::Hold => &self.hold,
            TimerKind::Keepalive => &self.keepalive,
            TimerKind::DelayOpen => &self.delay_open,
            TimerKind::IdleHold => &self.idle_hold,
        }
    }

    pub fn get_mut(&mut self, kind: TimerKind) -> &mut Timer {
        match kind {
            TimerKind::ConnectRetry => &mut self.connect_retry,
            TimerKind::Hold => &mut self.hold,
            TimerKind::Keepalive => &mut self.keepalive,
            TimerKind::DelayOpen => &mut self.delay_open,
            TimerKind::IdleHold => &mut self.idle_hold,
        }
    }

    /// The earliest deadline of any running timer.
    pub fn next_deadline(&self) -> Option<Instant> {
        TimerKind::ALL
            .iter()
            .filter_map(|&k| self.get(k).deadline())
            .min()
    }

    /// The expired timer with the earliest deadline (ties in [`TimerKind::ALL`] order).
    pub fn first_expired(&self, now: Instant) -> Option<TimerKind> {
        TimerKind::ALL
            .iter()
            .copied()
            .filter(|&k| self.get(k).is_expired(now))
            .min_by_key(|&k| self.get(k).deadline())
    }

    /// Stops the timers that belong to a connection (all but IdleHold).
    pub fn stop_session_timers(&mut self) {
        self.connect_retry.stop();
        self.hold.stop();
        self.keepalive.stop();
        self.delay_open.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_expired_first_hold_wins_ties() {
        let mut t = Timers::default();
        let now = Instant::ZERO;
        t.keepalive.start(now, Duration::from_secs(30));
        t.hold.start(now, Duration::from_secs(30));
        t.connect_retry.start(now, Duration::from_secs(10));
        assert_eq!(t.next_deadline(), Some(Instant::from_secs(10)));
        assert_eq!(t.first_expired(Instant::from_secs(9)), None);
        assert_eq!(
            t.first_expired(Instant::from_secs(40)),
            Some(TimerKind::ConnectRetry)
        );
        t.connect_retry.stop();
        assert_eq!(
            t.first_expired(Instant::from_secs(30)),
            Some(TimerKind::Hold)
        );
    }

    #[test]
    fn zero_period_still_moves_forward() {
        let mut t = Timer::default();
        t.start(Instant::from_secs(1), Duration::ZERO);
        assert!(!t.is_expired(Instant::from_secs(1)));
        assert!(Instant::ZERO + Duration::MAX > Instant::from_secs(1));
    }
}
