//! The VRRP gateway of each l3 datacenter configuration of OVHcloud Connect, elected in memory
//! by the data plane's RFC 5798 machine ([`dataplane::vrrp`]).
//!
//! OVH's routing instance in a datacenter is two routers, `A` and `B`; their addresses,
//! priorities and the VRID are product facts kept in one place,
//! [`provider::ovh_connect::rules::VrrpRouter`] and [`provider::ovh_connect::rules::vrid`].
//! Both start when the configuration is active and stop (Shutdown) while a `bgp` extra is
//! active, which replaces VRRP; `A` wins the election.
//!
//! [`Gateway::act`] makes one router crash (it vanishes without a word: the other takes over
//! after Master_Down_Interval), stop (a priority 0 advertisement: after Skew_Time) or start
//! again (preempting: `A` takes the gateway back). A router stopped that way stays down while
//! VRRP is turned off and on again.
//!
//! In namespace mode the real speakers elect instead; what they report comes back to the
//! world as observations ([`crate::State::live`]) and wins over this election in the model.
//!
//! Time is the OVH model's clock since the world started. A step never runs the election more
//! than [`MAX_STEP`] ahead: a jump of the clock by years (the admin call) does not replay years
//! of advertisements, and nothing changes in a settled group anyway.

use dataplane::vrrp::{Config, Event, Group, State};
use ipnet::Ipv4Net;
use provider::ovh_connect::rules::{VrrpRouter, vrid};
use provider::ovh_connect::{VrrpGroup, VrrpState};
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

/// The longest stretch of time one step runs the routers through.
pub const MAX_STEP: Duration = Duration::from_secs(60);

/// What happens to one of OVH's routers (the admin call, a topology's `vrrp` step).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RouterAction {
    /// It dies silently: no priority 0 advertisement.
    Crash,
    /// Clean shutdown: a priority 0 advertisement.
    Stop,
    /// It starts again.
    Start,
}

/// A router of a gateway as the admin state shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RouterView {
    /// `A` or `B`.
    pub name: &'static str,
    /// The address it sends from.
    pub address: Ipv4Addr,
    /// Its priority.
    pub priority: u8,
    /// `initialize`, `backup` or `master`.
    pub state: &'static str,
    /// False while it is crashed or stopped.
    pub running: bool,
}

/// One datacenter configuration's gateway.
#[derive(Debug)]
pub struct Gateway {
    subnet: Ipv4Net,
    group: Group,
    on: bool,
    /// Routers made to crash or stop, in [`VrrpRouter::ALL`] order.
    down: [bool; 2],
}

fn index(router: VrrpRouter) -> usize {
    VrrpRouter::ALL
        .iter()
        .position(|r| *r == router)
        .unwrap_or_default()
}

impl Gateway {
    /// The gateway of `group`, its routers started at `now` (when the datacenter configuration
    /// became active, on the gateways' time line) unless VRRP is off.
    pub fn new(group: &VrrpGroup, now: Duration) -> Option<Self> {
        let mut routers = Group::new();
        routers.advance(now);
        for router in VrrpRouter::ALL {
            let config = Config::new(
                vrid(group.datacenter_config_id),
                router.priority(),
                IpAddr::V4(router.address(group.subnet)),
                vec![IpAddr::V4(group.virtual_address)],
            );
            routers.add(dataplane::vrrp::VirtualRouter::new(config).ok()?);
        }
        let mut gateway = Gateway {
            subnet: group.subnet,
            group: routers,
            on: false,
            down: [false; 2],
        };
        gateway.set_on(group.state == VrrpState::Master);
        Some(gateway)
    }

    /// Starts or stops both routers.
    pub fn set_on(&mut self, on: bool) {
        if self.on == on {
            return;
        }
        self.on = on;
        let now = self.group.now();
        let event = if on { Event::Startup } else { Event::Shutdown };
        for i in 0..VrrpRouter::ALL.len() {
            if !self.down.get(i).copied().unwrap_or(true) {
                self.group.handle(now, i, event.clone());
            }
        }
    }

    /// Whether VRRP runs (no `bgp` extra).
    pub fn is_on(&self) -> bool {
        self.on
    }

    /// Crashes, stops or starts `router` now (the gateways' time of the last step). While VRRP
    /// is off the router is only marked down or up. Doing it twice changes nothing.
    pub fn act(&mut self, router: VrrpRouter, action: RouterAction) {
        let i = index(router);
        let Some(down) = self.down.get_mut(i) else {
            return;
        };
        let now = self.group.now();
        match action {
            RouterAction::Crash | RouterAction::Stop if !*down => {
                *down = true;
                if self.on {
                    // A crashed router says nothing: what it would send on its way down is
                    // lost, as it is cut off the segment meanwhile.
                    let crash = action == RouterAction::Crash;
                    if crash {
                        self.group.set_connected(i, false);
                    }
                    self.group.handle(now, i, Event::Shutdown);
                    if crash {
                        self.group.set_connected(i, true);
                    }
                }
            }
            RouterAction::Start if *down => {
                *down = false;
                if self.on {
                    self.group.handle(now, i, Event::Startup);
                }
            }
            _ => {}
        }
    }

    /// Runs the routers up to `until` (at most [`MAX_STEP`] ahead).
    pub fn step(&mut self, until: Duration) {
        let limit = self.group.now().saturating_add(MAX_STEP);
        self.group.advance(until.min(limit));
    }

    /// The subnet it serves.
    pub fn subnet(&self) -> Ipv4Net {
        self.subnet
    }

    /// The elected master, if there is exactly one.
    pub fn master(&self) -> Option<VrrpRouter> {
        self.group
            .master()
            .and_then(|i| VrrpRouter::ALL.get(i).copied())
    }

    /// Whether `router` runs (not crashed or stopped).
    pub fn running(&self, router: VrrpRouter) -> bool {
        !self.down.get(index(router)).copied().unwrap_or(true)
    }

    /// Both routers.
    pub fn routers(&self) -> Vec<RouterView> {
        VrrpRouter::ALL
            .iter()
            .enumerate()
            .map(|(i, router)| RouterView {
                name: router.name(),
                address: router.address(self.subnet),
                priority: router.priority(),
                state: match self.group.router(i).map(|r| r.state()) {
                    Some(State::Master) => "master",
                    Some(State::Backup) => "backup",
                    Some(State::Initialize) | None => "initialize",
                },
                running: self.running(*router),
            })
            .collect()
    }
}

/// What real VRRP speakers say of one gateway (namespace mode): each router's state and
/// whether it runs. It wins over the in-memory election in the model.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObservedGateway {
    /// The router holding the virtual address now, if any.
    pub master: Option<VrrpRouter>,
    /// Whether each router runs, in [`VrrpRouter::ALL`] order.
    pub running: Vec<(VrrpRouter, bool)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(state: VrrpState) -> VrrpGroup {
        VrrpGroup {
            datacenter_config_id: 7,
            subnet: "10.10.0.0/28".parse().unwrap(),
            virtual_address: Ipv4Addr::new(10, 10, 0, 1),
            state,
            since: chrono::DateTime::<chrono::Utc>::MIN_UTC,
        }
    }

    #[test]
    fn a_wins_the_election_and_a_bgp_extra_stops_both() {
        let mut g = Gateway::new(&group(VrrpState::Master), Duration::from_secs(100)).unwrap();
        assert_eq!(g.master(), None, "both start as backups");
        g.step(Duration::from_secs(110));
        assert_eq!(g.master(), Some(VrrpRouter::A));
        let routers = g.routers();
        assert_eq!(routers[0].address, Ipv4Addr::new(10, 10, 0, 2));
        assert_eq!((routers[0].state, routers[1].state), ("master", "backup"));
        g.set_on(false);
        assert_eq!(g.master(), None);
        assert!(g.routers().iter().all(|r| r.state == "initialize"));
        g.set_on(true);
        g.step(Duration::from_secs(200));
        assert_eq!(g.master(), Some(VrrpRouter::A));
    }

    #[test]
    fn huge_jumps_run_at_most_one_step() {
        let mut g = Gateway::new(&group(VrrpState::Master), Duration::ZERO).unwrap();
        g.step(Duration::MAX);
        assert_eq!(g.master(), Some(VrrpRouter::A));
        g.step(Duration::MAX);
        assert_eq!(g.group.now(), MAX_STEP * 2);
    }

    #[test]
    fn a_crashed_master_hands_over_after_master_down_interval_and_preempts_back() {
        let mut g = Gateway::new(&group(VrrpState::Master), Duration::ZERO).unwrap();
        g.step(Duration::from_secs(10));
        assert_eq!(g.master(), Some(VrrpRouter::A));
        g.act(VrrpRouter::A, RouterAction::Crash);
        assert_eq!(g.master(), None, "B has not noticed yet");
        assert!(!g.routers()[0].running);
        // B's Master_Down_Interval: 3 × 1 s + (256 − 100)/256 s ≈ 3.61 s after A's last
        // advertisement, sent at most 1 s before the crash.
        g.step(Duration::from_millis(12_600));
        assert_eq!(g.master(), None, "2.6 s after the crash");
        g.step(Duration::from_millis(13_700));
        assert_eq!(g.master(), Some(VrrpRouter::B));
        g.act(VrrpRouter::A, RouterAction::Start);
        assert!(g.routers()[0].running);
        assert_eq!(g.master(), Some(VrrpRouter::B), "A starts as backup");
        g.step(Duration::from_secs(20));
        assert_eq!(g.master(), Some(VrrpRouter::A), "A preempts");
        assert_eq!(g.routers()[1].state, "backup");
    }

    #[test]
    fn a_stopped_master_hands_over_after_skew_time_and_stays_down_across_off_and_on() {
        let mut g = Gateway::new(&group(VrrpState::Master), Duration::ZERO).unwrap();
        g.step(Duration::from_secs(10));
        g.act(VrrpRouter::A, RouterAction::Stop);
        g.act(VrrpRouter::A, RouterAction::Stop);
        // B's Skew_Time: (256 − 100)/256 s ≈ 0.61 s.
        g.step(Duration::from_millis(10_700));
        assert_eq!(g.master(), Some(VrrpRouter::B));
        g.set_on(false);
        g.set_on(true);
        g.step(Duration::from_secs(20));
        assert_eq!(g.master(), Some(VrrpRouter::B), "A stays down");
        assert_eq!(g.routers()[0].state, "initialize");
        g.act(VrrpRouter::B, RouterAction::Start);
        assert_eq!(
            g.master(),
            Some(VrrpRouter::B),
            "starting a running router changes nothing"
        );
    }

    #[test]
    fn off_from_the_start() {
        let mut g = Gateway::new(&group(VrrpState::Off), Duration::ZERO).unwrap();
        g.step(Duration::from_secs(30));
        assert_eq!(g.master(), None);
    }
}
