//! OVH's VRRP gateway of an l3 datacenter in `peerlab up`: the `vrrp = { datacenter, router,
//! action }` step, the `vrrp_master` expectation (with its optional `router`), and, in namespace
//! mode, OVH's routers `A` and `B` run for real.
//!
//! - On the virtual clock (embedded routers) the election is the API's model
//!   (`api::ovh::vrrp`): the step is the admin call `POST /peerlab/v1/admin/ovh/vrrp`, and the
//!   expectation reads `GET /peerlab/v1/admin/ovh/state`.
//! - In namespace mode each l3 datacenter whose VRRP group is on (when the data plane is wired,
//!   or later, at the rendering that sees it on: [`super::kernels`] reconciles) gets two
//!   namespaces, `o-DC-a` and `o-DC-b` ([`VrrpRouters::wire`]), each with a veth (`eth0`) into
//!   the datacenter bridge `dcN` of the provider namespace, its own address (the subnet's
//!   second or third), forwarding on, ICMP redirects off, a default route to the bridge's
//!   link-local address, and a [`Speaker`] (`Accept_Mode` on) that holds the gateway (the
//!   subnet's first address) while it is master. The bridge holds none of the three: it has a
//!   link-local address and an on-link route to the subnet in OVH's table, so OVH's routing
//!   table still reaches hosts and next hops directly, and the way back goes through the
//!   master. The model's master is then the speakers' ([`VrrpRouters::master`]), and the step
//!   crashes, stops or starts a speaker. A and B are `peerlab exec` nodes `ovh-DC-a` and
//!   `ovh-DC-b` ([`VrrpRouters::nodes`]).
//! - When the API turns the group off (a `bgp` extra) or the datacenter configuration is
//!   deleted, the speakers stop cleanly, the namespaces go and the bridge loses its link-local
//!   address and route ([`VrrpRouters::remove`]). Dropping [`VrrpRouters`] does the same for
//!   all.

use super::model::Model;
use super::ovh_model::OVH;
use super::runner::World;
use dataplane::vrrp::{Config, State};
use ipnet::{IpNet, Ipv4Net};
use linux::Netns;
use linux::vrrp_speaker::Speaker;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Mutex, MutexGuard, PoisonError};
use topology::format::{VrrpAction, VrrpOperation, VrrpRouter};

/// The priorities the API's model gives OVH's routers (`api::ovh::vrrp`).
fn priority(router: VrrpRouter) -> u8 {
    match router {
        VrrpRouter::A => 200,
        VrrpRouter::B => 100,
    }
}

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

/// What wiring one datacenter's routers needs.
pub struct Wiring<'a> {
    /// The datacenter configuration's name.
    pub datacenter: &'a str,
    /// The provider namespace.
    pub provider: &'a Netns,
    /// The datacenter bridge there (`dcN`) and its number.
    pub bridge: (&'a str, usize),
    /// The table that needs the on-link route to the subnet: OVH's routing table when it is
    /// `main` (a [`linux::kernel::KernelVrf`] table gets its connected routes rendered).
    pub on_link_table: Option<u32>,
    /// The VRID.
    pub vrid: u8,
    /// Each router's own address with the subnet's length.
    pub routers: Vec<(VrrpRouter, Ipv4Net)>,
}

/// OVH's VRRP routers run for real, by datacenter configuration name.
#[derive(Default)]
pub struct VrrpRouters {
    datacenters: Mutex<BTreeMap<String, Datacenter>>,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Runs `sysctl -qw` with `settings` in `ns`.
fn sysctl(ns: &Netns, settings: &[&str]) -> Result<(), String> {
    ns.run(
        "sysctl",
        std::iter::once("-qw").chain(settings.iter().copied()),
    )
    .map(drop)
    .map_err(err)
}

impl VrrpRouters {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Datacenter>> {
        self.datacenters
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Wires and starts one datacenter's routers (blocking): the bridge gets its link-local
    /// address and the on-link route to the subnet, each router its namespace and speaker.
    pub fn wire(&self, w: &Wiring<'_>) -> Result<(), String> {
        let (bridge, n) = w.bridge;
        let Some(subnet) = w.routers.first().map(|(_, a)| a.trunc()) else {
            return Ok(());
        };
        let link_local = bridge_address(n);
        let gateway = provider::ovh_connect::rules::nth(subnet, 1);
        // From here on, dropping `dc` undoes what is done (also on an error).
        let mut dc = Datacenter {
            routers: BTreeMap::new(),
            bridge: (
                w.provider.clone(),
                bridge.to_string(),
                link_local,
                Vec::new(),
            ),
            on_link: None,
        };
        w.provider
            .run(
                "ip",
                ["addr", "add", &format!("{link_local}/32"), "dev", bridge],
            )
            .map_err(err)?;
        if let Some(table) = w.on_link_table {
            let (net, table_name) = (subnet.to_string(), table.to_string());
            w.provider
                .run(
                    "ip",
                    [
                        "route",
                        "add",
                        &net,
                        "dev",
                        bridge,
                        "scope",
                        "link",
                        "table",
                        &table_name,
                    ],
                )
                .map_err(err)?;
            dc.on_link = Some((subnet, table));
        }
        for (router, own) in &w.routers {
            let letter = router.name().to_ascii_lowercase();
            let label = format!("o-{}-{letter}", super::kernels::sanitized(w.datacenter));
            let ns = Netns::create(&label).map_err(err)?;
            let veth = format!("o{letter}{n}");
            super::kernels::veth_into(w.provider, &veth, bridge, &ns, &[ipnet::IpNet::V4(*own)])?;
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
            )
            .map_err(err)?;
            let mut config = Config::new(
                w.vrid,
                priority(*router),
                IpAddr::V4(own.addr()),
                vec![IpAddr::V4(gateway)],
            );
            config.accept_mode = true;
            let speaker = Speaker::start(&ns, "eth0", config.clone()).map_err(err)?;
            dc.routers.insert(
                *router,
                RealRouter {
                    netns: ns,
                    config,
                    speaker: Some(speaker),
                },
            );
        }
        self.lock().insert(w.datacenter.to_string(), dc);
        Ok(())
    }

    /// Makes datacenter bridge `d` in `provider` follow `state` (blocking): while VRRP is on,
    /// OVH's routers A and B run on it and it does not hold the gateway; while it is off, it
    /// holds the gateway (where OVH's session of a `bgp` extra runs) and no router runs; once
    /// the datacenter is gone, no router runs. Only changes run `ip`. `on_link_table` is as in
    /// [`Wiring`].
    pub fn reconcile(
        &self,
        provider: &Netns,
        on_link_table: Option<u32>,
        d: &DatacenterBridge,
        state: GatewayState,
    ) -> Result<(), String> {
        use std::sync::atomic::Ordering;
        let gateway = d.gateway.to_string();
        match state {
            GatewayState::Vrrp(routers, vrid) => {
                if self.runs(&d.name) {
                    return Ok(());
                }
                if d.holds_gateway.load(Ordering::SeqCst) {
                    let args = ["addr", "del", gateway.as_str(), "dev", d.device.as_str()];
                    provider.run("ip", args).map_err(err)?;
                    d.holds_gateway.store(false, Ordering::SeqCst);
                }
                self.wire(&Wiring {
                    datacenter: &d.name,
                    provider,
                    bridge: (&d.device, d.n),
                    on_link_table,
                    vrid,
                    routers,
                })
            }
            GatewayState::Single => {
                self.remove(&d.name);
                if !d.holds_gateway.load(Ordering::SeqCst) {
                    let args = [
                        "addr",
                        "replace",
                        gateway.as_str(),
                        "dev",
                        d.device.as_str(),
                    ];
                    provider.run("ip", args).map_err(err)?;
                    d.holds_gateway.store(true, Ordering::SeqCst);
                }
                Ok(())
            }
            GatewayState::Gone => {
                self.remove(&d.name);
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

    /// Crashes, stops or starts `router` of `dc` (blocking).
    pub fn act(&self, dc: &str, router: VrrpRouter, op: VrrpOperation) -> Result<String, String> {
        let mut datacenters = self.lock();
        let r = datacenters
            .get_mut(dc)
            .and_then(|d| d.routers.get_mut(&router))
            .ok_or_else(|| format!("datacenter {dc} runs no VRRP router {}", router.name()))?;
        let speaker = match (op, r.speaker.take()) {
            (VrrpOperation::Start, None) => {
                let speaker = Speaker::start(&r.netns, "eth0", r.config.clone()).map_err(err)?;
                r.speaker = Some(speaker);
                return Ok("started".to_string());
            }
            (VrrpOperation::Start, Some(s)) => {
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
        Ok(if op == VrrpOperation::Crash {
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

/// What the model says of datacenter `dc`'s gateway.
pub enum GatewayState {
    /// The VRRP group is on: OVH's routers, their own addresses, and the VRID.
    Vrrp(Vec<(VrrpRouter, Ipv4Net)>, u8),
    /// VRRP is off (a `bgp` extra): OVH holds the gateway on one port.
    Single,
    /// The datacenter configuration is gone.
    Gone,
}

/// The state of datacenter `dc`'s gateway in `model`'s `ovh` node.
pub fn gateway_state(model: &Model, dc: &str) -> GatewayState {
    let Some(&node) = model.nodes.get(OVH) else {
        return GatewayState::Gone;
    };
    let mut routers = Vec::new();
    let mut vrid = None;
    let mut single = false;
    for (_, i) in model.net.interfaces_of(node) {
        if i.name == format!("datacenter {dc}") {
            single = true;
        }
        for r in [VrrpRouter::A, VrrpRouter::B] {
            if i.name != format!("datacenter {dc} {}", r.name()) {
                continue;
            }
            if let (Some(IpNet::V4(own)), Some(binding)) = (i.addresses.first(), i.vrrp.first()) {
                routers.push((r, *own));
                vrid = Some(binding.vrid);
            }
        }
    }
    match vrid {
        Some(vrid) => GatewayState::Vrrp(routers, vrid),
        None if single => GatewayState::Single,
        None => GatewayState::Gone,
    }
}

/// An l3 datacenter's bridge `dcN` in the provider namespace ([`super::kernels`] makes it).
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
    pub holds_gateway: std::sync::atomic::AtomicBool,
}

/// The report's words for the step.
pub fn describe_action(a: &VrrpAction) -> String {
    format!(
        "vrrp {} {} {}",
        a.datacenter.get_ref(),
        a.router.name(),
        a.action.name()
    )
}

/// The report's words for `vrrp_master`.
pub fn describe(name: &str, router: Option<VrrpRouter>) -> String {
    match router {
        Some(r) => format!("vrrp gateway of {name} has master {}", r.name()),
        None => format!("vrrp gateway of {name} has a master"),
    }
}

/// The API's VRRP group of datacenter configuration `id` (its admin view), if it has one.
pub(crate) async fn api_group(world: &World, id: u64) -> Result<Option<Value>, String> {
    let state = super::ovh::get(world, "/peerlab/v1/admin/ovh/state")
        .await
        .map_err(err)?;
    Ok(state
        .get("vrrpGroups")
        .and_then(Value::as_array)
        .and_then(|all| {
            all.iter().find(|g| {
                g.get("datacenter_config_id")
                    .or_else(|| g.get("datacenterConfigId"))
                    .and_then(Value::as_u64)
                    == Some(id)
            })
        })
        .cloned())
}

/// The API's VRRP group of datacenter configuration `name` (its admin view).
async fn group(world: &World, name: &str) -> Result<(u64, Value), String> {
    let id = world
        .ovh
        .created
        .get(name)
        .map(|c| c.id)
        .ok_or_else(|| format!("{name} was not created"))?;
    let group = api_group(world, id)
        .await?
        .ok_or_else(|| format!("{name} has no VRRP gateway (a bgp extra replaces it)"))?;
    Ok((id, group))
}

/// Carries out the step: on the real speakers in namespace mode, else through the admin call.
pub async fn act(world: &World, a: &VrrpAction) -> Result<String, String> {
    let dc = a.datacenter.get_ref().clone();
    if let Some(linux) = world.linux.clone()
        && linux.vrrp().runs(&dc)
    {
        let (router, op) = (a.router, a.action);
        return tokio::task::spawn_blocking(move || linux.vrrp().act(&dc, router, op))
            .await
            .map_err(err)?;
    }
    let (id, _) = group(world, &dc).await?;
    let body = json!({
        "datacenterConfigId": id,
        "router": a.router.name(),
        "action": a.action.name(),
    });
    let answer = super::ovh::post_admin(world, "/peerlab/v1/admin/ovh/vrrp", body)
        .await
        .map_err(|e| format!("{e:#}"))?;
    let master = answer
        .get("master")
        .and_then(Value::as_str)
        .unwrap_or("none");
    Ok(format!("done in the model (master now: {master})"))
}

/// Whether `vrrp_master = name` (with `router`) holds now.
pub async fn check(
    world: &World,
    name: &str,
    router: Option<VrrpRouter>,
) -> Result<String, String> {
    let (_, group) = group(world, name).await?;
    if group.get("state").and_then(Value::as_str) == Some("off") {
        return Err(format!(
            "the VRRP gateway of {name} is off (a bgp extra replaces it)"
        ));
    }
    let real = world.linux.as_ref().and_then(|l| {
        l.vrrp()
            .master(name)
            .map(|m| (m.map(VrrpRouter::name), l.vrrp().states(name)))
    });
    let (master, how) = match real {
        Some((master, states)) => (master, format!(" (speakers: {states})")),
        None => (
            group.get("master").and_then(Value::as_str),
            " (in the model)".to_string(),
        ),
    };
    match (master, router) {
        (None, _) => Err(format!("no master elected{how}")),
        (Some(m), Some(want)) if m != want.name() => {
            Err(format!("router {m} is master, not {}{how}", want.name()))
        }
        (Some(m), _) => Ok(format!("router {m} is master{how}")),
    }
}
