//! The VRRP gateway of each l3 datacenter configuration, run by the data plane's RFC 5798
//! machine ([`dataplane::vrrp`]).
//!
//! OVH's routing instance in a datacenter is two routers, `A` and `B`. Our choice of
//! addressing: the virtual address is the subnet's first usable address (the gateway the
//! customer's hosts use), `A` sends from the second (priority 200), `B` from the third
//! (priority 100); the VRID is the configuration's ID folded into 1..=255. Both start when the
//! configuration is active and stop (Shutdown) while a `bgp` extra is active, which replaces VRRP;
//! `A` wins the election.
//!
//! Time is the OVH model's clock (virtual in tests) since the state was made. A step never runs
//! the election more than [`MAX_STEP`] ahead: a jump of the clock by years (the admin call) does
//! not replay years of advertisements, and nothing changes in a settled group anyway.

use dataplane::vrrp::{Config, Event, Group, State};
use ipnet::Ipv4Net;
use provider::ovh_connect::{VrrpGroup, VrrpState};
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

/// The longest stretch of time one step runs the routers through.
pub const MAX_STEP: Duration = Duration::from_secs(60);

/// OVH's two routers: name, offset of its address in the subnet, priority.
const ROUTERS: [(&str, u32, u8); 2] = [("A", 2, 200), ("B", 3, 100)];

/// One datacenter configuration's gateway.
#[derive(Debug)]
pub(crate) struct Gateway {
    subnet: Ipv4Net,
    group: Group,
    on: bool,
}

/// A router of a gateway as the admin state shows it.
#[derive(Clone, Debug, Serialize)]
pub struct RouterView {
    /// `A` or `B`.
    pub name: &'static str,
    /// The address it sends from.
    pub address: Ipv4Addr,
    /// Its priority.
    pub priority: u8,
    /// `initialize`, `backup` or `master`.
    pub state: &'static str,
}

fn nth(subnet: Ipv4Net, n: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(subnet.network()).saturating_add(n))
}

impl Gateway {
    /// The gateway of `group`, its routers started at `now` (when the datacenter configuration
    /// became active, on the gateways' time line) unless VRRP is off.
    pub fn new(group: &VrrpGroup, now: Duration) -> Option<Self> {
        let vrid = u8::try_from(group.datacenter_config_id % 255 + 1).unwrap_or(1);
        let mut routers = Group::new();
        routers.advance(now);
        for (_, offset, priority) in ROUTERS {
            let config = Config::new(
                vrid,
                priority,
                IpAddr::V4(nth(group.subnet, offset)),
                vec![IpAddr::V4(group.virtual_address)],
            );
            let router = dataplane::vrrp::VirtualRouter::new(config).ok()?;
            routers.add(router);
        }
        let mut gateway = Gateway {
            subnet: group.subnet,
            group: routers,
            on: false,
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
        for index in 0..ROUTERS.len() {
            self.group.handle(now, index, event.clone());
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
    pub fn master(&self) -> Option<&'static str> {
        self.group
            .master()
            .and_then(|i| ROUTERS.get(i))
            .map(|(name, _, _)| *name)
    }

    /// Both routers.
    pub fn routers(&self) -> Vec<RouterView> {
        ROUTERS
            .iter()
            .enumerate()
            .map(|(i, (name, offset, priority))| RouterView {
                name,
                address: nth(self.subnet, *offset),
                priority: *priority,
                state: match self.group.router(i).map(|r| r.state()) {
                    Some(State::Master) => "master",
                    Some(State::Backup) => "backup",
                    Some(State::Initialize) | None => "initialize",
                },
            })
            .collect()
    }
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
        assert_eq!(g.master(), Some("A"));
        let routers = g.routers();
        assert_eq!(routers[0].address, Ipv4Addr::new(10, 10, 0, 2));
        assert_eq!((routers[0].state, routers[1].state), ("master", "backup"));
        g.set_on(false);
        assert_eq!(g.master(), None);
        assert!(g.routers().iter().all(|r| r.state == "initialize"));
        g.set_on(true);
        g.step(Duration::from_secs(200));
        assert_eq!(g.master(), Some("A"));
    }

    #[test]
    fn huge_jumps_run_at_most_one_step() {
        let mut g = Gateway::new(&group(VrrpState::Master), Duration::ZERO).unwrap();
        g.step(Duration::MAX);
        assert_eq!(g.master(), Some("A"));
        g.step(Duration::MAX);
        assert_eq!(g.group.now(), MAX_STEP * 2);
    }

    #[test]
    fn off_from_the_start() {
        let mut g = Gateway::new(&group(VrrpState::Off), Duration::ZERO).unwrap();
        g.step(Duration::from_secs(30));
        assert_eq!(g.master(), None);
    }
}
