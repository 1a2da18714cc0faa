//! The kernel renderer of the world's model (namespace mode): [`Kernels`] implements
//! [`world::render::Renderer`]. Each rendering is level-triggered: it gets the whole model and
//! wires what is missing, then writes every node's FIB into its namespace by difference.
//!
//! - each private network is a bridge `pnN` in the provider namespace, holding the gateway
//!   addresses the model gives it; a VPC host is a namespace whose `eth0` is a veth into it;
//! - the LAN behind a customer router is a bridge `lan` in the router's namespace, holding the
//!   gateway; a host behind it is a namespace whose `eth0` is a veth into it;
//! - a provider port on an attachment's device (a `serve` binding's interface, the provider's
//!   end of a router's cable) is the device's VLAN subinterface `DEV.VLAN` with the port's
//!   addresses, made here when it does not exist yet and deleted when the port goes;
//! - OVHcloud Connect: each l3 datacenter segment is a bridge `dcN` holding the gateway, or,
//!   while its VRRP group is on, OVH's routers `A` and `B` as namespaces on it that elect who
//!   holds the gateway for real ([`vrrp`]); a router's cable into a datacenter (a `bgp` extra)
//!   is a port of that bridge; a server at a `network` extra's next hop is a namespace
//!   (forwarding) with a bridge `lan`; each l2 vRack is a bridge `vrN`;
//! - routes ([`routes`]): the provider's VPC VRFs into `main` when one VPC is rendered, else
//!   one VRF table each (100, 101 …); OVH's table into `main` without VPCs, else table 200;
//!   each router's learned routes, each host's default route.
//!
//! Not here: embedded topologies (no root, no kernel: their `reach` is the model's alone).

pub mod lights;
mod routes;
mod segments;
pub mod vrrp;
pub mod wire;
mod wired;

use crate::router::DaemonRouter;
use crate::{Error, Netns, Result};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use wired::Wired;
use world::attachment::Attachments;
use world::model::Model;
use world::render::{RenderError, Rendered, Renderer};
use world::vrrp::ObservedGateway;

/// The `ping` of iputils.
pub const PING: &str = "/usr/bin/ping";

/// The kernels of a namespace-mode world. Dropping it deletes what it made: with the
/// provider's namespace when that is its own, one by one in the namespace `serve` runs in.
pub struct Kernels {
    /// OVH's VRRP routers (dropped first: speakers stop before the bridges go).
    vrrp: vrrp::VrrpRouters,
    provider: Netns,
    /// What its devices' names start with: nothing in a namespace of its own, `k` and the
    /// process ID in the one `serve` runs in (where other processes make devices too).
    prefix: String,
    wired: Mutex<Wired>,
}

impl Drop for Kernels {
    fn drop(&mut self) {
        if !self.provider.is_current() {
            return;
        }
        let wired = self.wired.get_mut().unwrap_or_else(PoisonError::into_inner);
        for (address, device) in &wired.lent {
            let _ = self
                .provider
                .run("ip", ["addr", "del", &address.to_string(), "dev", device]);
        }
        for device in &wired.joined {
            let _ = self.provider.run("ip", ["link", "set", device, "nomaster"]);
        }
        for device in &wired.made {
            let _ = self.provider.run("ip", ["link", "del", device]);
        }
        for table in wired
            .vrf_tables
            .values()
            .filter(|t| **t != crate::kernel::MAIN_TABLE)
        {
            let (table, pref) = (
                table.to_string(),
                crate::kernel::vrf::RULE_PREFERENCE.to_string(),
            );
            for family in ["-4", "-6"] {
                let rule = [family, "rule", "del", "pref", &pref, "table", &table];
                while self.provider.run("ip", rule).is_ok() {}
                let _ = self
                    .provider
                    .run("ip", [family, "route", "flush", "table", &table]);
            }
        }
    }
}

impl Kernels {
    /// A renderer into `provider` (the provider side's namespace, or [`Netns::current`]).
    pub fn new(provider: Netns) -> Self {
        let prefix = match provider.is_current() {
            true => format!("k{}", std::process::id() % 100_000),
            false => String::new(),
        };
        Self {
            vrrp: vrrp::VrrpRouters::default(),
            provider,
            prefix,
            wired: Mutex::new(Wired::default()),
        }
    }

    /// A fresh device name of `kind` (`pn0`, `dc1` …, with the renderer's prefix).
    fn device_name(&self, wired: &mut Wired, kind: &'static str) -> String {
        format!("{}{kind}{}", self.prefix, wired.number(kind))
    }

    /// Fails when `ping` is not installed: hosts are pinged.
    pub fn require_ping() -> Result<()> {
        if std::path::Path::new(PING).is_file() {
            return Ok(());
        }
        Err(Error::invalid(
            "ping",
            format!("{PING} is missing: hosts are pinged (apt-get install -y iputils-ping)"),
        ))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Wired> {
        self.wired.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The provider's namespace.
    pub fn provider(&self) -> &Netns {
        &self.provider
    }

    /// A customer router the model names `name`, in its namespace.
    pub fn add_router(&self, name: &str, router: Arc<DaemonRouter>) {
        self.lock().routers.insert(name.to_string(), router);
    }

    /// OVH's VRRP routers.
    pub fn vrrp(&self) -> &vrrp::VrrpRouters {
        &self.vrrp
    }

    /// Whether `name` is a host with an address (one that can be pinged from and to).
    pub fn is_host(&self, name: &str) -> bool {
        self.lock()
            .hosts
            .get(name)
            .is_some_and(|h| h.address.is_some())
    }

    /// The hosts' namespaces, by name.
    pub fn hosts(&self) -> Vec<(String, Netns)> {
        self.lock()
            .hosts
            .iter()
            .map(|(name, h)| (name.clone(), h.ns.clone()))
            .collect()
    }

    /// Whether `ping -c1 -W1` from host `from` to host `to`'s address gets an answer
    /// (blocking), with the address pinged.
    pub fn ping_hosts(&self, from: &str, to: &str) -> Result<(bool, IpAddr)> {
        let (ns, address) = {
            let wired = self.lock();
            let host = |name: &str| {
                wired
                    .hosts
                    .get(name)
                    .ok_or_else(|| Error::invalid("host", format!("{name} is not a host")))
            };
            let ns = host(from)?.ns.clone();
            let address = host(to)?
                .address
                .ok_or_else(|| Error::invalid("host", format!("{to} has no address")))?;
            (ns, address)
        };
        // Exit status 1 (no reply) or 2 (an error, e.g. no route) both mean no answer; a ping
        // that cannot run at all is an error.
        match ns.run(PING, ["-c1", "-W1", &address.to_string()]) {
            Ok(_) => Ok((true, address)),
            Err(Error::CommandFailed { status, .. }) if wire::no_answer(&status) => {
                Ok((false, address))
            }
            Err(e) => Err(e),
        }
    }

    /// Renders `model` (blocking).
    pub fn render_model(&self, model: &mut Model, attachments: &Attachments) -> Result<Rendered> {
        let _ = attachments;
        let mut wired = self.lock();
        let wired = &mut *wired;
        if wired.forwarding.insert(self.provider.name().to_string()) {
            wire::forward(&self.provider)?;
        }
        self.wire_segments(wired, model)?;
        let changes = routes::render(&self.provider, wired, model)?;
        let gateways = model
            .datacenters
            .iter()
            .filter_map(|d| {
                let master = self.vrrp.master(&d.label)?;
                let running = self.vrrp.running(&d.label).unwrap_or_default();
                Some((d.config_id, ObservedGateway { master, running }))
            })
            .collect();
        Ok(Rendered { gateways, changes })
    }
}

impl Renderer for Kernels {
    fn render(
        &self,
        model: &mut Model,
        attachments: &Attachments,
    ) -> Result<Rendered, RenderError> {
        self.render_model(model, attachments)
            .map_err(|e| RenderError(e.to_string()))
    }

    fn ping(&self, from: &str, to: &str) -> Option<Result<(bool, IpAddr), RenderError>> {
        if !(self.is_host(from) && self.is_host(to)) {
            return None;
        }
        Some(
            self.ping_hosts(from, to)
                .map_err(|e| RenderError(e.to_string())),
        )
    }
}
