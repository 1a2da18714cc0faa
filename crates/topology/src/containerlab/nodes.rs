//! The lab's nodes, cables and addresses, from a topology.

use super::clab::{ClabFile, ClabLink, ClabNode, ClabTopology};
use super::lab::{ExportError, ExportOptions, Lab, LabFile};
use crate::format::{Host, PopType, Router, RouterKind, Topology};
use crate::graph::routers_on;
use ipnet::{IpNet, Ipv4Net};
use linux::LinkAddressing;
use linux::peer::{self, Neighbour, PeerConfig, PeerKind};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;

/// The peerlab node's name.
pub(super) const PEERLAB: &str = "peerlab";

pub(super) fn build(
    topology: &Topology,
    text: &str,
    options: &ExportOptions,
) -> Result<Lab, ExportError> {
    let name = clab_name("topology", topology.name.get_ref())?;
    let mut b = Builder {
        topology,
        options,
        nodes: BTreeMap::new(),
        interfaces: HashMap::new(),
        owners: HashMap::new(),
        links: Vec::new(),
        files: Vec::new(),
        segments: BTreeMap::new(),
        lans: HashMap::new(),
    };
    b.peerlab(&name, text)?;
    b.routers()?;
    b.hosts()?;
    let Builder {
        nodes,
        links,
        files,
        ..
    } = b;
    let clab = ClabFile {
        name,
        topology: ClabTopology { nodes, links },
    };
    Ok(Lab { clab, files })
}

struct Builder<'t> {
    topology: &'t Topology,
    options: &'t ExportOptions,
    nodes: BTreeMap<String, ClabNode>,
    /// Interfaces used per node.
    interfaces: HashMap<String, u32>,
    /// Node name → the topology name it came from.
    owners: HashMap<String, String>,
    links: Vec<ClabLink>,
    files: Vec<LabFile>,
    /// Bridges on the peerlab node, by segment.
    segments: BTreeMap<String, String>,
    /// Routers' LAN gateways, by router node.
    lans: HashMap<String, Vec<IpNet>>,
}

/// `name`, with what containerlab's node names refuse turned into `-`.
fn clab_name(what: &'static str, name: &str) -> Result<String, ExportError> {
    let out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let out = out.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
    if out.is_empty() {
        return Err(ExportError::Name {
            what,
            name: name.to_string(),
        });
    }
    Ok(out.to_string())
}

fn forwarding() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("net.ipv4.ip_forward".to_string(), "1".to_string()),
        ("net.ipv6.conf.all.forwarding".to_string(), "1".to_string()),
    ])
}

fn labels(role: &str, kind: Option<&str>) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::from([("peerlab.role".to_string(), role.to_string())]);
    if let Some(kind) = kind {
        labels.insert("peerlab.kind".to_string(), kind.to_string());
    }
    labels
}

fn node(image: &str, cmd: Option<String>) -> ClabNode {
    ClabNode {
        kind: "linux".to_string(),
        image: image.to_string(),
        cmd,
        binds: Vec::new(),
        exec: Vec::new(),
        sysctls: BTreeMap::new(),
        labels: BTreeMap::new(),
    }
}

impl Builder<'_> {
    fn add(&mut self, from: &str, name: String, node: ClabNode) -> Result<(), ExportError> {
        if let Some(first) = self.owners.get(&name) {
            return Err(ExportError::Clash {
                first: first.clone(),
                second: from.to_string(),
                node: name,
            });
        }
        self.owners.insert(name.clone(), from.to_string());
        self.nodes.insert(name, node);
        Ok(())
    }

    fn exec(&mut self, node: &str, commands: impl IntoIterator<Item = String>) {
        if let Some(n) = self.nodes.get_mut(node) {
            n.exec.extend(commands);
        }
    }

    fn bind(&mut self, node: &str, path: PathBuf, contents: String, inside: &str) {
        let bind = format!("{}:{inside}:ro", path.display());
        if let Some(n) = self.nodes.get_mut(node) {
            n.binds.push(bind);
        }
        self.files.push(LabFile { path, contents });
    }

    /// A cable between `a` and `b`: their next interfaces.
    fn cable(&mut self, a: &str, b: &str) -> (String, String) {
        let mut next = |node: &str| {
            let n = self.interfaces.entry(node.to_string()).or_insert(0);
            *n += 1;
            format!("eth{n}")
        };
        let (ia, ib) = (next(a), next(b));
        self.links.push(ClabLink {
            endpoints: [format!("{a}:{ia}"), format!("{b}:{ib}")],
        });
        (ia, ib)
    }

    /// A bridge on the peerlab node for `segment`, holding `gateways`; `port` joins it.
    fn segment(&mut self, segment: &str, gateways: &[IpNet], port: &str) {
        let bridge = match self.segments.get(segment) {
            Some(b) => b.clone(),
            None => {
                let bridge = format!("br{}", self.segments.len());
                self.segments.insert(segment.to_string(), bridge.clone());
                let mut cmds = vec![format!("ip link add {bridge} type bridge")];
                cmds.extend(addresses(&bridge, gateways));
                self.exec(PEERLAB, cmds);
                bridge
            }
        };
        let cmds = [
            format!("ip link set {port} master {bridge}"),
            format!("ip link set {port} up"),
        ];
        self.exec(PEERLAB, cmds);
    }

    fn peerlab(&mut self, lab: &str, text: &str) -> Result<(), ExportError> {
        let file = format!("/etc/peerlab/{lab}.toml");
        let cmd = format!("peerlab up --keep --listen 0.0.0.0:8080 {file}");
        let mut n = node(&self.options.images.peerlab, Some(cmd));
        n.sysctls = forwarding();
        n.labels = labels("provider", None);
        self.add("peerlab", PEERLAB.to_string(), n)?;
        let path = PathBuf::from(format!("peerlab/{lab}.toml"));
        self.bind(PEERLAB, path, text.to_string(), &file);
        Ok(())
    }

    fn routers(&mut self) -> Result<(), ExportError> {
        let blocks = self.link_blocks()?;
        for (i, r) in self.topology.routers.iter().enumerate() {
            let name = clab_name("router", r.name.get_ref())?;
            let kind = match r.kind {
                RouterKind::Embedded | RouterKind::Frr => PeerKind::Frr,
                RouterKind::Bird => PeerKind::Bird,
                RouterKind::Gobgp => PeerKind::Gobgp,
            };
            let images = &self.options.images;
            let (image, cmd) = match kind {
                PeerKind::Frr => (&images.frr, None),
                PeerKind::Bird => (
                    &images.bird,
                    Some("bird -f -c /etc/bird/bird.conf -s /run/bird.ctl".to_string()),
                ),
                PeerKind::Gobgp => (
                    &images.gobgp,
                    Some("gobgpd -f /etc/gobgp/gobgpd.toml --pprof-disable".to_string()),
                ),
            };
            let mut n = node(image, cmd);
            n.sysctls = forwarding();
            n.labels = labels("router", Some(r.kind.name()));
            self.add(r.name.get_ref(), name.clone(), n)?;
            let mut config = self.plug(&name, r, &blocks)?;
            config.name = name.replace(['_', '.'], "-");
            if let Some(id) = r.router_id {
                config.router_id = id;
            } else if config.neighbours.is_empty() {
                // Nothing plugged: an address of TEST-NET-1 (RFC 5737), one per router.
                let last = u8::try_from(i % 254 + 1).unwrap_or(1);
                config.router_id = Ipv4Addr::new(192, 0, 2, last);
            }
            for p in &r.announce {
                match p {
                    IpNet::V4(p) => config.announce_v4.push(*p),
                    IpNet::V6(p) => config.announce_v6.push(*p),
                }
            }
            config.raw_config = r.config.clone().unwrap_or_default();
            self.daemon_files(&name, kind, &config);
        }
        Ok(())
    }

    /// Each link's VLAN and addresses: link *i* of the file gets block *i* of the pools.
    fn link_blocks(&self) -> Result<HashMap<String, (Option<u32>, LinkAddressing)>, ExportError> {
        let mut blocks = HashMap::new();
        let Some(interlink) = &self.topology.interlink else {
            return Ok(blocks);
        };
        let (v4, v6) = (self.options.link_ipv4_pool, self.options.link_ipv6_pool);
        for (index, link) in (0u64..).zip(&interlink.links) {
            let exhausted = || ExportError::PoolExhausted {
                link: link.name.get_ref().clone(),
                index,
                v4,
                v6,
            };
            // The provider's IPAM: block i is the i-th /31 and the i-th /127 of the pools.
            let offset4 = u32::try_from(index * 2).map_err(|_| exhausted())?;
            let scw4 = u32::from(v4.network())
                .checked_add(offset4)
                .map(Ipv4Addr::from);
            let scw6 = u128::from(v6.network())
                .checked_add(u128::from(index) * 2)
                .map(Ipv6Addr::from);
            let (Some(scw4), Some(scw6)) = (scw4, scw6) else {
                return Err(exhausted());
            };
            if !v4.contains(&scw4) || !v6.contains(&scw6) {
                return Err(exhausted());
            }
            let addressing = LinkAddressing::from_scw(scw4, scw6).map_err(|_| exhausted())?;
            blocks.insert(link.name.get_ref().clone(), (link.vlan, addressing));
        }
        Ok(blocks)
    }

    /// Cables router `r` (node `name`) where it plugs in; its daemon's configuration.
    fn plug(
        &mut self,
        name: &str,
        r: &Router,
        blocks: &HashMap<String, (Option<u32>, LinkAddressing)>,
    ) -> Result<PeerConfig, ExportError> {
        let mut config = PeerConfig::interlink(r.asn, &LinkAddressing::slot(0));
        config.neighbours.clear();
        let links = self.topology.interlink.iter().flat_map(|i| &i.links);
        let on = links
            .filter(|l| routers_on(self.topology, l).any(|x| x.name.get_ref() == r.name.get_ref()))
            .find_map(|l| blocks.get(l.name.get_ref()));
        if let Some((vlan, a)) = on {
            let (ri, pi) = self.cable(name, PEERLAB);
            let router_side = [IpNet::V4(a.peer_ipv4), IpNet::V6(a.peer_ipv6)];
            let provider_side = [IpNet::V4(a.scw_ipv4), IpNet::V6(a.scw_ipv6)];
            let cmds = tagged(&ri, *vlan, &router_side);
            self.exec(name, cmds);
            self.exec(PEERLAB, tagged(&pi, *vlan, &provider_side));
            let mut interlink = PeerConfig::interlink(r.asn, a);
            interlink.name = config.name;
            return Ok(interlink);
        }
        let Some(ovh) = &self.topology.ovh_connect else {
            return Ok(config);
        };
        let plug = r.plug.get_ref();
        if let Some(interface) = plug.interface.filter(|_| plug.ovh_service.is_some()) {
            let pop = ovh.pop_on_interface(u64::from(interface));
            let pop = pop.filter(|p| p.kind == PopType::L3);
            let subnet = pop.and_then(|p| p.subnet.as_deref()?.parse::<Ipv4Net>().ok());
            if let (Some(pop), Some(subnet)) = (pop, subnet) {
                let (ri, pi) = self.cable(name, PEERLAB);
                let ovh_address = net(nth(subnet, 1), subnet.prefix_len());
                let customer = net(nth(subnet, 2), subnet.prefix_len());
                self.exec(name, tagged(&ri, None, &[customer]));
                self.exec(PEERLAB, tagged(&pi, None, &[ovh_address]));
                config.router_id = nth(subnet, 2);
                config.neighbours.push(Neighbour {
                    address: IpAddr::V4(nth(subnet, 1)),
                    asn: pop.ovh_bgp_area.unwrap_or_default(),
                });
            }
        }
        if let Some(dc) = &plug.ovh_datacenter {
            let config_of = ovh
                .datacenter_configs
                .iter()
                .find(|d| d.name.get_ref() == dc);
            let subnet = config_of.and_then(|d| d.subnet.as_deref()?.parse::<Ipv4Net>().ok());
            let extra = ovh.bgp_extra_of(dc, r.asn);
            let own = extra.and_then(|e| e.bgp_neighbor_ip.as_deref()?.parse::<Ipv4Addr>().ok());
            if let (Some(d), Some(subnet), Some(own)) = (config_of, subnet, own) {
                let (ri, pi) = self.cable(name, PEERLAB);
                let gateway = net(nth(subnet, 1), subnet.prefix_len());
                self.segment(&format!("dc:{dc}"), &[gateway], &pi);
                self.exec(name, tagged(&ri, None, &[net(own, subnet.prefix_len())]));
                config.router_id = own;
                config.neighbours.push(Neighbour {
                    address: IpAddr::V4(nth(subnet, 1)),
                    asn: d.ovh_bgp_area.unwrap_or_default(),
                });
            }
        }
        Ok(config)
    }

    /// The daemon's configuration files, bound where the image reads them.
    fn daemon_files(&mut self, name: &str, kind: PeerKind, config: &PeerConfig) {
        let dir = PathBuf::from("configs").join(name);
        let text = peer::config_file(kind, config);
        match kind {
            PeerKind::Frr => {
                self.bind(name, dir.join("frr.conf"), text, "/etc/frr/frr.conf");
                let daemons = "bgpd=yes\nvtysh_enable=yes\n\
                               zebra_options=\" -A 127.0.0.1 -s 90000000\"\n\
                               bgpd_options=\" -A 127.0.0.1\"\n";
                self.bind(
                    name,
                    dir.join("daemons"),
                    daemons.to_string(),
                    "/etc/frr/daemons",
                );
                let vtysh = "service integrated-vtysh-config\n".to_string();
                self.bind(name, dir.join("vtysh.conf"), vtysh, "/etc/frr/vtysh.conf");
            }
            PeerKind::Bird => {
                self.bind(name, dir.join("bird.conf"), text, "/etc/bird/bird.conf");
            }
            PeerKind::Gobgp => {
                self.bind(
                    name,
                    dir.join("gobgpd.toml"),
                    text,
                    "/etc/gobgp/gobgpd.toml",
                );
                let prefixes = config.announce_v4.iter().map(|&p| IpNet::V4(p));
                let prefixes = prefixes.chain(config.announce_v6.iter().map(|&p| IpNet::V6(p)));
                let adds: Vec<String> = prefixes
                    .map(|p| format!("gobgp {}", peer::gobgp_announce(&p).join(" ")))
                    .collect();
                if !adds.is_empty() {
                    // gobgpd's API answers a moment after the container starts.
                    let wait = "for i in $(seq 30); do gobgp global >/dev/null 2>&1 && break; sleep 1; done";
                    self.exec(name, [format!("sh -c '{wait}; {}'", adds.join(" && "))]);
                }
            }
        }
    }

    fn hosts(&mut self) -> Result<(), ExportError> {
        for h in &self.topology.hosts {
            let name = clab_name("host", h.name.get_ref())?;
            let mut n = node(&self.options.images.host, None);
            n.labels = labels("host", None);
            self.add(h.name.get_ref(), name.clone(), n)?;
            let Some(address) = h.ip() else { continue };
            if let Some(router_name) = &h.router {
                let router = clab_name("router", router_name.get_ref())?;
                let (hi, ri) = self.cable(&name, &router);
                let gateways = self.lan(&router, router_name.get_ref());
                self.exec(
                    &router,
                    [
                        format!("ip link set {ri} master lan"),
                        format!("ip link set {ri} up"),
                    ],
                );
                let own = host_net(h, address, &[]);
                self.host_exec(&name, &hi, own, &gateways);
                continue;
            }
            let Some((segment, subnets, gateways)) = self.host_segment(h) else {
                continue;
            };
            let (hi, pi) = self.cable(&name, PEERLAB);
            self.segment(&segment, &gateways, &pi);
            let own = host_net(h, address, &subnets);
            self.host_exec(&name, &hi, own, &gateways);
        }
        Ok(())
    }

    /// The LAN bridge behind router node `router` (made once), and its gateways: the first
    /// address of each hosts' subnet that no host has.
    fn lan(&mut self, router: &str, topology_name: &str) -> Vec<IpNet> {
        if let Some(g) = self.lans.get(router) {
            return g.clone();
        }
        let behind: Vec<&Host> = self
            .topology
            .hosts
            .iter()
            .filter(|h| h.router.as_ref().map(|r| r.get_ref().as_str()) == Some(topology_name))
            .collect();
        let taken: BTreeSet<IpAddr> = behind.iter().filter_map(|h| h.ip()).collect();
        let subnets: BTreeSet<IpNet> = behind
            .iter()
            .filter_map(|h| Some(host_net(h, h.ip()?, &[]).trunc()))
            .collect();
        let gateways: Vec<IpNet> = subnets
            .iter()
            .filter_map(|s| {
                let free = s.hosts().take(1024).find(|a| !taken.contains(a))?;
                IpNet::new(free, s.prefix_len()).ok()
            })
            .collect();
        let mut cmds = vec!["ip link add lan type bridge".to_string()];
        cmds.extend(addresses("lan", &gateways));
        self.exec(router, cmds);
        self.lans.insert(router.to_string(), gateways.clone());
        gateways
    }

    /// Where a host not behind a router sits on the peerlab node: its segment, the segment's
    /// subnets and gateways.
    fn host_segment(&self, h: &Host) -> Option<(String, Vec<IpNet>, Vec<IpNet>)> {
        if let (Some(vpc), Some(pn)) = (&h.vpc, &h.private_network) {
            let network = self
                .topology
                .vpcs
                .iter()
                .filter(|v| v.name.get_ref() == vpc.get_ref())
                .flat_map(|v| &v.private_networks)
                .find(|p| p.name == *pn.get_ref())?;
            let subnets: Vec<IpNet> = network
                .subnet
                .iter()
                .chain(&network.subnets)
                .copied()
                .collect();
            // Scaleway's gateway: the first host address of each subnet.
            let gateways = subnets.iter().filter_map(|s| first_address(*s)).collect();
            return Some((
                format!("pn:{}/{}", vpc.get_ref(), pn.get_ref()),
                subnets,
                gateways,
            ));
        }
        let ovh = self.topology.ovh_connect.as_ref()?;
        if let Some(dc) = &h.ovh_datacenter {
            let d = ovh
                .datacenter_configs
                .iter()
                .find(|d| d.name.get_ref() == dc.get_ref())?;
            let pop = ovh
                .pop_configs
                .iter()
                .find(|p| p.name.get_ref() == d.pop_config.get_ref())?;
            if pop.kind == PopType::L2 {
                return Some((
                    vrack(ovh, *pop.interface_id.get_ref()),
                    Vec::new(),
                    Vec::new(),
                ));
            }
            let subnet: Ipv4Net = d.subnet.as_deref()?.parse().ok()?;
            let gateway = net(nth(subnet, 1), subnet.prefix_len());
            return Some((
                format!("dc:{}", dc.get_ref()),
                vec![IpNet::V4(subnet)],
                vec![gateway],
            ));
        }
        let plug = h.plug.as_ref()?.get_ref();
        let interface = plug.interface?;
        Some((vrack(ovh, u64::from(interface)), Vec::new(), Vec::new()))
    }

    /// A host's address on `dev` and its default routes through the gateways of its subnet.
    fn host_exec(&mut self, name: &str, dev: &str, own: IpNet, gateways: &[IpNet]) {
        let mut cmds = addresses(dev, &[own]);
        if let Some(g) = gateways.iter().find(|g| g.contains(&own.addr())) {
            let family = if g.addr().is_ipv4() { "" } else { "-6 " };
            cmds.push(format!("ip {family}route add default via {}", g.addr()));
        }
        self.exec(name, cmds);
    }
}

/// The vRack segment of the service an interface belongs to.
fn vrack(ovh: &crate::format::OvhConnect, interface: u64) -> String {
    let service = ovh.service_of_interface(interface);
    let vrack = service.and_then(|s| s.vrack.clone());
    format!("vrack:{}", vrack.unwrap_or_else(|| "default".to_string()))
}

/// `ip` commands: `dev` up with `nets`.
fn addresses(dev: &str, nets: &[IpNet]) -> Vec<String> {
    let mut cmds: Vec<String> = nets
        .iter()
        .map(|n| format!("ip address add {n} dev {dev}"))
        .collect();
    cmds.push(format!("ip link set {dev} up"));
    cmds
}

/// `ip` commands: `nets` on `dev`, or on its 802.1Q sub-interface `dev.VLAN`.
fn tagged(dev: &str, vlan: Option<u32>, nets: &[IpNet]) -> Vec<String> {
    match vlan {
        None => addresses(dev, nets),
        Some(vlan) => {
            let sub = format!("{dev}.{vlan}");
            let mut cmds = vec![
                format!("ip link set {dev} up"),
                format!("ip link add link {dev} name {sub} type vlan id {vlan}"),
            ];
            cmds.extend(addresses(&sub, nets));
            cmds
        }
    }
}

/// A subnet's first address after the network's, with the subnet's length.
fn first_address(subnet: IpNet) -> Option<IpNet> {
    let address = match subnet {
        IpNet::V4(s) => IpAddr::V4(Ipv4Addr::from(u32::from(s.network()).checked_add(1)?)),
        IpNet::V6(s) => IpAddr::V6(Ipv6Addr::from(u128::from(s.network()).checked_add(1)?)),
    };
    IpNet::new(address, subnet.prefix_len()).ok()
}

fn nth(net: Ipv4Net, n: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(net.network()).saturating_add(n))
}

fn net(address: Ipv4Addr, len: u8) -> IpNet {
    IpNet::V4(Ipv4Net::new(address, len).unwrap_or_else(|_| Ipv4Net::from(address)))
}

/// A host's address with its length: as written, else the subnet's it is in, else /24 or /64.
fn host_net(h: &Host, address: IpAddr, within: &[IpNet]) -> IpNet {
    if let Ok(net) = h.address.get_ref().parse::<IpNet>() {
        return net;
    }
    let len = within
        .iter()
        .find(|s| s.contains(&address))
        .map(IpNet::prefix_len)
        .unwrap_or(if address.is_ipv4() { 24 } else { 64 });
    IpNet::new(address, len).unwrap_or_else(|_| IpNet::from(address))
}

#[cfg(test)]
mod tests {
    use super::clab_name;

    #[test]
    fn node_names_take_what_containerlab_takes() {
        assert_eq!(clab_name("router", "rbx-edge").unwrap(), "rbx-edge");
        assert_eq!(clab_name("router", "my router/1").unwrap(), "my-router-1");
        assert_eq!(clab_name("router", "-x").unwrap(), "x");
        assert!(clab_name("router", "--").is_err());
    }
}
