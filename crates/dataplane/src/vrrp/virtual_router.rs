//! One VRRP router's state machine for one virtual router (RFC 5798 §6), sans I/O.
//!
//! A [`VirtualRouter`] is driven by [`Event`]s (startup, shutdown, a timer fired, an
//! advertisement received), each handed in with `now`, the time since the caller's epoch; it
//! answers with [`Action`]s (send an advertisement, become master and announce the virtual
//! addresses, become backup, go back to Initialize). Its two timers are deadlines the caller
//! reads with [`VirtualRouter::next_deadline`] and fires with [`VirtualRouter::poll`]: the same
//! code runs on virtual time in tests and on a real clock in a driver.
//!
//! Not here: sockets, the IP header (TTL 255), ARP/ND frames, VRRPv2 or authentication.

use std::net::IpAddr;
use std::time::Duration;

use thiserror::Error;

use super::packet::{Addresses, Advertisement, MAX_ADVER_INT};

/// The priority of the router that owns the virtual addresses (RFC 5798 §5.2.4).
pub const PRIORITY_OWNER: u8 = 255;
/// The priority a master advertises when it stops, so a backup takes over after Skew_Time.
pub const PRIORITY_STOP: u8 = 0;
/// The default priority of a router that does not own the addresses.
pub const PRIORITY_DEFAULT: u8 = 100;
/// The default Advertisement_Interval: one second, in centiseconds.
pub const ADVERTISEMENT_INTERVAL_DEFAULT: u16 = 100;

/// A router's configuration for one virtual router (RFC 5798 §6.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The VRID, 1..=255.
    pub vrid: u8,
    /// 1..=255; 255 only on the owner of the virtual addresses.
    pub priority: u8,
    /// How often a master advertises, in centiseconds (1..=4095).
    pub advertisement_interval: u16,
    /// Whether a higher-priority backup preempts a lower-priority master.
    pub preempt_mode: bool,
    /// Whether a non-owner master accepts packets addressed to the virtual addresses.
    pub accept_mode: bool,
    /// The address advertisements are sent from; breaks priority ties.
    pub primary_address: IpAddr,
    /// The virtual addresses, all of the primary address's family.
    pub virtual_addresses: Vec<IpAddr>,
}

impl Config {
    /// A configuration with the RFC's defaults: one-second advertisements, `Preempt_Mode` on,
    /// `Accept_Mode` off.
    pub fn new(
        vrid: u8,
        priority: u8,
        primary_address: IpAddr,
        virtual_addresses: Vec<IpAddr>,
    ) -> Self {
        Config {
            vrid,
            priority,
            advertisement_interval: ADVERTISEMENT_INTERVAL_DEFAULT,
            preempt_mode: true,
            accept_mode: false,
            primary_address,
            virtual_addresses,
        }
    }
}

/// A configuration the state machine refuses.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ConfigError {
    /// VRID 0 is not valid.
    #[error("VRID must be 1..=255")]
    Vrid,
    /// Priority 0 is reserved for a stopping master.
    #[error("priority must be 1..=255 (0 is reserved for a master that stops)")]
    Priority,
    /// Advertisement_Interval is 12 bits and not zero.
    #[error("advertisement interval {0} cs is outside 1..=4095")]
    Interval(u16),
    /// A virtual address of the other family, or none at all.
    #[error("virtual addresses must be one or more of the primary address's family")]
    Addresses,
}

/// RFC 5798 §6.4's three states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    /// Waiting for a Startup event.
    Initialize,
    /// Watching the master; takes over when Master_Down_Timer fires.
    Backup,
    /// Forwarding for the virtual addresses and advertising.
    Master,
}

/// What happens to a virtual router.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The interface came up or the router was configured.
    Startup,
    /// The router is being stopped (or the interface goes down).
    Shutdown,
    /// Master_Down_Timer fired (ignored unless it is armed and due).
    MasterDownTimer,
    /// Adver_Timer fired (ignored unless it is armed and due).
    AdverTimer,
    /// An advertisement arrived from `source` (already decoded and checked).
    Received {
        /// The sender's primary address (IP source).
        source: IpAddr,
        /// The advertisement.
        advertisement: Advertisement,
    },
}

/// What the caller must do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Multicast this advertisement from the primary address, with TTL/hop limit 255.
    Send(Advertisement),
    /// Now master: take the virtual addresses and the virtual MAC, and announce them
    /// (gratuitous ARP for IPv4, unsolicited Neighbor Advertisements for IPv6).
    BecomeMaster {
        /// The addresses to hold and announce.
        addresses: Vec<IpAddr>,
    },
    /// Now backup: do not hold, answer for or accept the virtual addresses.
    BecomeBackup,
    /// Back to Initialize: release the addresses if they were held.
    BecomeInitialize,
}

/// One router's view of one virtual router.
///
/// ```
/// use dataplane::vrrp::{Action, Config, Event, State, VirtualRouter};
/// use std::time::Duration;
///
/// let config = Config::new(1, 100, "10.0.0.2".parse().unwrap(), vec!["10.0.0.1".parse().unwrap()]);
/// let mut router = VirtualRouter::new(config).unwrap();
/// router.handle(Duration::ZERO, Event::Startup);
/// assert_eq!(router.state(), State::Backup);
///
/// // Nobody advertises: after Master_Down_Interval = 3 × 1 s + Skew_Time, it takes over.
/// let deadline = router.next_deadline().unwrap();
/// assert_eq!(deadline, Duration::from_secs(3) + router.skew_time());
/// let actions = router.poll(deadline);
/// assert_eq!(router.state(), State::Master);
/// assert!(matches!(actions[0], Action::Send(_)));
/// ```
#[derive(Clone, Debug)]
pub struct VirtualRouter {
    config: Config,
    state: State,
    master_adver_interval: u16,
    master_down_timer: Option<Duration>,
    adver_timer: Option<Duration>,
}

/// A duration of `cs` centiseconds.
pub fn centiseconds(cs: u16) -> Duration {
    Duration::from_millis(u64::from(cs) * 10)
}

impl VirtualRouter {
    /// A virtual router in Initialize, waiting for [`Event::Startup`].
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        if config.vrid == 0 {
            return Err(ConfigError::Vrid);
        }
        if config.priority == PRIORITY_STOP {
            return Err(ConfigError::Priority);
        }
        if config.advertisement_interval == 0 || config.advertisement_interval > MAX_ADVER_INT {
            return Err(ConfigError::Interval(config.advertisement_interval));
        }
        let v4 = config.primary_address.is_ipv4();
        let same_family = config.virtual_addresses.iter().all(|a| a.is_ipv4() == v4);
        if config.virtual_addresses.is_empty() || !same_family {
            return Err(ConfigError::Addresses);
        }
        Ok(VirtualRouter {
            master_adver_interval: config.advertisement_interval,
            config,
            state: State::Initialize,
            master_down_timer: None,
            adver_timer: None,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Master_Adver_Interval: the master's advertisement interval, learned from its
    /// advertisements (centiseconds).
    pub fn master_adver_interval(&self) -> u16 {
        self.master_adver_interval
    }

    /// Skew_Time = ((256 − Priority) × Master_Adver_Interval) / 256, in whole centiseconds as
    /// RFC 5798 §6.1 counts it (and as FRR's vrrpd computes it).
    pub fn skew_time(&self) -> Duration {
        let weight = 256 - u32::from(self.config.priority);
        let skew = weight * u32::from(self.master_adver_interval) / 256;
        // At most 255 × 4095 / 256 < 4096: it fits.
        centiseconds(u16::try_from(skew).unwrap_or(MAX_ADVER_INT))
    }

    /// Master_Down_Interval = 3 × Master_Adver_Interval + Skew_Time.
    pub fn master_down_interval(&self) -> Duration {
        centiseconds(self.master_adver_interval) * 3 + self.skew_time()
    }

    /// The next time a timer is due, if one is armed.
    pub fn next_deadline(&self) -> Option<Duration> {
        match (self.master_down_timer, self.adver_timer) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Fires the timers that are due at `now`.
    pub fn poll(&mut self, now: Duration) -> Vec<Action> {
        let mut actions = self.handle(now, Event::MasterDownTimer);
        actions.extend(self.handle(now, Event::AdverTimer));
        actions
    }

    /// The advertisement this router sends, with `priority`.
    fn advertisement(&self, priority: u8) -> Advertisement {
        let addresses = &self.config.virtual_addresses;
        let addresses = if self.config.primary_address.is_ipv4() {
            Addresses::V4(
                addresses
                    .iter()
                    .filter_map(|a| match a {
                        IpAddr::V4(a) => Some(*a),
                        IpAddr::V6(_) => None,
                    })
                    .collect(),
            )
        } else {
            Addresses::V6(
                addresses
                    .iter()
                    .filter_map(|a| match a {
                        IpAddr::V6(a) => Some(*a),
                        IpAddr::V4(_) => None,
                    })
                    .collect(),
            )
        };
        Advertisement {
            vrid: self.config.vrid,
            priority,
            max_adver_int: self.config.advertisement_interval,
            addresses,
        }
    }

    fn become_master(&mut self, now: Duration) -> Vec<Action> {
        self.state = State::Master;
        self.master_down_timer = None;
        self.adver_timer = Some(now + centiseconds(self.config.advertisement_interval));
        vec![
            Action::Send(self.advertisement(self.config.priority)),
            Action::BecomeMaster {
                addresses: self.config.virtual_addresses.clone(),
            },
        ]
    }

    fn become_backup(&mut self, now: Duration, master_adver_interval: u16) -> Vec<Action> {
        self.state = State::Backup;
        self.adver_timer = None;
        self.master_adver_interval = master_adver_interval;
        self.master_down_timer = Some(now + self.master_down_interval());
        vec![Action::BecomeBackup]
    }

    fn due(timer: Option<Duration>, now: Duration) -> bool {
        timer.is_some_and(|t| t <= now)
    }

    /// Handles one event at `now` (RFC 5798 §6.4).
    pub fn handle(&mut self, now: Duration, event: Event) -> Vec<Action> {
        match (self.state, event) {
            // §6.4.1
            (State::Initialize, Event::Startup) => {
                if self.config.priority == PRIORITY_OWNER {
                    self.become_master(now)
                } else {
                    self.become_backup(now, self.config.advertisement_interval)
                }
            }
            (State::Initialize, _) => Vec::new(),
            // §6.4.2
            (State::Backup, Event::Shutdown) => {
                self.master_down_timer = None;
                self.state = State::Initialize;
                vec![Action::BecomeInitialize]
            }
            (State::Backup, Event::MasterDownTimer) if Self::due(self.master_down_timer, now) => {
                self.become_master(now)
            }
            (
                State::Backup,
                Event::Received {
                    advertisement: ad, ..
                },
            ) if ad.vrid == self.config.vrid => {
                if ad.priority == PRIORITY_STOP {
                    self.master_down_timer = Some(now + self.skew_time());
                } else if !self.config.preempt_mode || ad.priority >= self.config.priority {
                    self.master_adver_interval = ad.max_adver_int;
                    self.master_down_timer = Some(now + self.master_down_interval());
                }
                // Otherwise a lower-priority master is ignored and we preempt it when
                // Master_Down_Timer fires.
                Vec::new()
            }
            (State::Backup, _) => Vec::new(),
            // §6.4.3
            (State::Master, Event::Shutdown) => {
                self.adver_timer = None;
                self.state = State::Initialize;
                vec![
                    Action::Send(self.advertisement(PRIORITY_STOP)),
                    Action::BecomeInitialize,
                ]
            }
            (State::Master, Event::AdverTimer) if Self::due(self.adver_timer, now) => {
                self.adver_timer = Some(now + centiseconds(self.config.advertisement_interval));
                vec![Action::Send(self.advertisement(self.config.priority))]
            }
            (
                State::Master,
                Event::Received {
                    source,
                    advertisement: ad,
                },
            ) if ad.vrid == self.config.vrid => {
                let ours = self.config.priority;
                if ad.priority == PRIORITY_STOP {
                    self.adver_timer = Some(now + centiseconds(self.config.advertisement_interval));
                    vec![Action::Send(self.advertisement(ours))]
                } else if ad.priority > ours
                    || (ad.priority == ours && source > self.config.primary_address)
                {
                    self.become_backup(now, ad.max_adver_int)
                } else {
                    Vec::new()
                }
            }
            (State::Master, _) => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests;
