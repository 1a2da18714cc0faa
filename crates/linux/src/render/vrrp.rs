//! OVH's VRRP routers `A` and `B` of each l3 datacenter, run for real (namespace mode).
//!
//! Each l3 datacenter whose VRRP group is on gets two namespaces, `o-DC-a` and `o-DC-b`, each
//! with a veth (`eth0`) into the datacenter bridge `dcN` of the provider namespace, its own
//! address (the subnet's second or third), forwarding on, ICMP redirects off, a default route
//! to the bridge's link-local address, and a [`Speaker`] (`Accept_Mode` on) that holds the
//! gateway (the subnet's first address) while it is master. The bridge holds none of the
//! three: it has a link-local address and an on-link route to the subnet in OVH's table, so
//! OVH's routing table still reaches hosts and next hops directly, and the way back goes
//! through the master. The world's model then takes its master from the speakers, and a step
//! crashes, stops or starts a speaker. A and B are `peerlab exec` nodes `ovh-DC-a`, `ovh-DC-b`.
//!
//! When the group goes off (a `bgp` extra) or the datacenter configuration is deleted, the
//! speakers stop cleanly, the namespaces go and the bridge loses its link-local address and
//! route. Dropping [`VrrpRouters`] does the same for all. Addresses, priorities and the VRID
//! are the product's facts ([`provider::ovh_connect::rules::VrrpRouter`]).

use crate::netns::sanitized;
use crate::vrrp_speaker::Speaker;
use crate::{Error, Netns, Result};
use dataplane::vrrp::{Config, State};
use ipnet::{IpNet, Ipv4Net};
use provider::ovh_connect::rules::{VrrpRouter, gateway};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Mutex, MutexGuard, PoisonError};
use world::vrrp::RouterAction;

/// The link-local address of datacenter bridge number `n` in the provider namespace (out of
/// the /31s InterLink hands out from the low end of 169.254.0.0/16).
pub fn bridge_address(n: usize) -> Ipv4Addr {
    let n = u8::try_from(n % 254 + 1).unwrap_or(1);
    Ipv4Addr::new(169, 254, 254, n)
}

/// One of OVH's routers, for real.
struct RealRouter {
    netns: Netns,
    config: Config,
    /// `None` while crashed or stopped.
    speaker: Option<Speaker>,
}

/// OVH's two routers of one datacenter, and what their bridge got for them.
struct Datacenter {
    routers: BTreeMap<VrrpRouter, RealRouter>,
    /// The provider namespace, the bridge, its link-local address and the routers' veths there.
    bridge: (Netns, String, Ipv4Addr, Vec<String>),
    /// The subnet and the table of the on-link route.
    on_link: Option<(Ipv4Net, u32)>,
}

impl Drop for Datacenter {
    fn drop(&mut self) {
        // Speakers first (clean stop), then their namespaces, then the route.
        for r in self.routers.values_mut() {
            if let Some(s) = r.speaker.take() {
                s.stop();
            }
        }
        let (ns, bridge, link_local, veths) = &self.bridge;
        // The provider's ends of the veths go first: their names are free again at once.
        for veth in veths {
            let _ = ns.run("ip", ["link", "del", veth.as_str()]);
        }
        self.routers.clear();
        if let Some((subnet, table)) = &self.on_link {
            let (subnet, table) = (subnet.to_string(), table.to_string());
            let _ = ns.run(
                "ip",
                ["route", "del", &subnet, "dev", bridge, "table", &table],
            );
        }
        let link_local = format!("{link_local}/32");
        let _ = ns.run("ip", ["addr", "del", &link_local, "dev", bridge]);
    }
}

/// An l3 datacenter's bridge `dcN` in the provider namespace.
#[derive(Debug)]
pub struct DatacenterBridge {
    /// The datacenter configuration's name.
    pub name: String,
    /// `dcN`.
    pub device: String,
    /// N.
    pub n: usize,
    /// The gateway, with the subnet's length.
    pub gateway: Ipv4Net,
    /// Whether the bridge holds the gateway now (VRRP off).
    pub holds_gateway: bool,
}

/// What the model says of a datacenter's gateway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GatewayState {
    /// The VRRP group is on, with its VRID.
    Vrrp(u8),
    /// VRRP is off (a `bgp` extra): OVH holds the gateway on one port.
    Single,
    /// The datacenter configuration is gone.
    Gone,
}

/// OVH's VRRP routers run for real, by datacenter name.
#[derive(Default)]
pub struct VrrpRouters {
    datacenters: Mutex<BTreeMap<String, Datacenter>>,
}

/// Runs `sysctl -qw` with `settings` in `ns`.
fn sysctl(ns: &Netns, settings: &[&str]) -> Result<()> {
    ns.run(
        "sysctl",
        std::iter::once("-qw").chain(settings.iter().copied()),
    )
    .map(drop)
}

impl VrrpRouters {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Datacenter>> {
        self.datacenters
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Wires and starts one datacenter's routers (blocking): the bridge gets its link-local
    /// address and the on-link route to the subnet, each router its namespace and speaker.
    fn wire(
        &self,
        provider: &Netns,
        d: &DatacenterBridge,
        on_link_table: Option<u32>,
        vrid: u8,
    ) -> Result<()> {
        let subnet = d.gateway.trunc();
        let link_local = bridge_address(d.n);
        let gw = gateway(subnet);
        // From here on, dropping `dc` undoes what is done (also on an error).
        let mut dc = Datacenter {
            routers: BTreeMap::new(),
            bridge: (provider.clone(), d.device.clone(), link_local, Vec::new()),
            on_link: None,
        };
        let bridge = d.device.as_str();
        provider.run(
            "ip",
            ["addr", "add", &format!("{link_local}/32"), "dev", bridge],
        )?;
        if let Some(table) = on_link_table {
            let (net, table_name) = (subnet.to_string(), table.to_string());
            provider.run(
                "ip",
                [
                    "route",
                    "replace",
                    &net,
                    "dev",
                    bridge,
                    "scope",
                    "link",
                    "table",
                    &table_name,
                ],
            )?;
            dc.on_link = Some((subnet, table));
        }
        for router in VrrpRouter::ALL {
            let own = Ipv4Net::new(router.address(subnet), subnet.prefix_len())
                .map_err(|e| Error::invalid("VRRP router address", e))?;
            let letter = router.name().to_ascii_lowercase();
            let ns = Netns::create(&format!("o-{}-{letter}", sanitized(&d.name)))?;
            let veth = format!("{}{letter}", d.device);
            super::wire::veth_into(provider, &veth, bridge, &ns, &[IpNet::V4(own)])?;
            dc.bridge.3.push(veth);
            // Forwarding; no ICMP redirects (the hosts would learn to bypass the gateway);
            // no reverse-path filter (packets for the gateway come in on the macvlan device).
            sysctl(
                &ns,
                &[
                    "net.ipv4.ip_forward=1",
                    "net.ipv4.conf.all.send_redirects=0",
                    "net.ipv4.conf.default.send_redirects=0",
                    "net.ipv4.conf.eth0.send_redirects=0",
                    "net.ipv4.conf.all.rp_filter=0",
                    "net.ipv4.conf.default.rp_filter=0",
                    "net.ipv4.conf.eth0.rp_filter=0",
                ],
            )?;
            let via = link_local.to_string();
            ns.run(
                "ip",
                [
                    "route", "add", "default", "via", &via, "dev", "eth0", "onlink",
                ],
            )?;
            let mut config = Config::new(
                vrid,
                router.priority(),
                IpAddr::V4(own.addr()),
                vec![IpAddr::V4(gw)],
            );
            config.accept_mode = true;
            let speaker = Speaker::start(&ns, "eth0", config.clone())?;
            dc.routers.insert(
                router,
                RealRouter {
                    netns: ns,
                    config,
                    speaker: Some(speaker),
                },
            );
        }
        self.lock().insert(d.name.clone(), dc);
        Ok(())
    }

    /// Makes datacenter bridge `d` in `provider` follow `state` (blocking): while VRRP is on,
    /// OVH's routers A and B run on it and it does not hold the gateway; while it is off, it
    /// holds the gateway (where OVH's session of a `bgp` extra runs) and no router runs; once
    /// the datacenter is gone, no router runs. Only changes run `ip`.
    pub fn reconcile(
        &self,
        provider: &Netns,
        on_link_table: Option<u32>,
        d: &mut DatacenterBridge,
        state: &GatewayState,
    ) -> Result<()> {
        let gw = d.gateway.to_string();
        match state {
            GatewayState::Vrrp(vrid) => {
                if self.runs(&d.name) {
                    return Ok(());
                }
                if d.holds_gateway {
                    provider.run("ip", ["addr", "del", gw.as_str(), "dev", d.device.as_str()])?;
                    d.holds_gateway = false;
                }
                self.wire(provider, d, on_link_table, *vrid)
            }
            GatewayState::Single => {
                self.remove(&d.name);
                if !d.holds_gateway {
                    let args = ["addr", "replace", gw.as_str(), "dev", d.device.as_str()];
                    provider.run("ip", args)?;
                    d.holds_gateway = true;
                }
                Ok(())
            }
            GatewayState::Gone => {
                self.remove(&d.name);
                if d.holds_gateway {
                    let args = ["addr", "del", gw.as_str(), "dev", d.device.as_str()];
                    provider.run("ip", args)?;
                    d.holds_gateway = false;
                }
                Ok(())
            }
        }
    }

    /// Whether datacenter `dc` runs its routers for real.
    pub fn runs(&self, dc: &str) -> bool {
        self.lock().contains_key(dc)
    }

    /// The master of datacenter `dc` as the speakers have it: `Some(None)` when none is (or
    /// several are), `None` when `dc` does not run for real.
    pub fn master(&self, dc: &str) -> Option<Option<VrrpRouter>> {
        let datacenters = self.lock();
        let routers = &datacenters.get(dc)?.routers;
        let masters: Vec<VrrpRouter> = routers
            .iter()
            .filter(|(_, r)| r.speaker.as_ref().map(Speaker::state) == Some(State::Master))
            .map(|(name, _)| *name)
            .collect();
        Some(match masters[..] {
            [one] => Some(one),
            _ => None,
        })
    }

    /// Each router's state in words (`A master, B backup`, `A down`).
    pub fn states(&self, dc: &str) -> String {
        let datacenters = self.lock();
        let Some(d) = datacenters.get(dc) else {
            return String::new();
        };
        d.routers
            .iter()
            .map(|(name, r)| {
                let state = match r.speaker.as_ref().map(Speaker::state) {
                    None => "down",
                    Some(State::Master) => "master",
                    Some(State::Backup) => "backup",
                    Some(State::Initialize) => "initialize",
                };
                format!("{} {state}", name.name())
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Crashes, stops or starts `router` of `dc` (blocking); what happened, in words.
    pub fn act(&self, dc: &str, router: VrrpRouter, action: RouterAction) -> Result<String> {
        let mut datacenters = self.lock();
        let r = datacenters
            .get_mut(dc)
            .and_then(|d| d.routers.get_mut(&router))
            .ok_or_else(|| {
                Error::invalid(
                    "VRRP router",
                    format!("datacenter {dc} runs no VRRP router {}", router.name()),
                )
            })?;
        let speaker = match (action, r.speaker.take()) {
            (RouterAction::Start, None) => {
                r.speaker = Some(Speaker::start(&r.netns, "eth0", r.config.clone())?);
                return Ok("started".to_string());
            }
            (RouterAction::Start, Some(s)) => {
                r.speaker = Some(s);
                return Ok("already running".to_string());
            }
            (_, None) => return Ok("already down".to_string()),
            (_, Some(s)) => s,
        };
        // The model's look at the speakers need not wait for this one to go.
        drop(datacenters);
        let was = match speaker.state() {
            State::Master => "master",
            State::Backup => "backup",
            State::Initialize => "initialize",
        };
        Ok(if action == RouterAction::Crash {
            speaker.crash();
            format!("crashed (was {was})")
        } else {
            speaker.stop();
            format!("stopped, priority 0 sent (was {was})")
        })
    }

    /// Stops the routers of datacenter `dc` (cleanly), deletes their namespaces and takes the
    /// link-local address and the on-link route off their bridge (blocking).
    pub fn remove(&self, dc: &str) {
        let gone = self.lock().remove(dc);
        drop(gone);
    }

    /// Whether each router of datacenter `dc` runs (`false`: crashed or stopped); `None` when
    /// `dc` does not run for real.
    pub fn running(&self, dc: &str) -> Option<Vec<(VrrpRouter, bool)>> {
        let datacenters = self.lock();
        let d = datacenters.get(dc)?;
        Some(
            d.routers
                .iter()
                .map(|(name, r)| (*name, r.speaker.is_some()))
                .collect(),
        )
    }

    /// The routers as `peerlab exec` nodes: `ovh-DC-a` → its namespace's name.
    pub fn nodes(&self) -> Vec<(String, String)> {
        let datacenters = self.lock();
        datacenters
            .iter()
            .flat_map(|(dc, d)| {
                d.routers.iter().map(move |(name, r)| {
                    let letter = name.name().to_ascii_lowercase();
                    (format!("ovh-{dc}-{letter}"), r.netns.name().to_string())
                })
            })
            .collect()
    }
}
