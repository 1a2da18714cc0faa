//! [`build`]: a topology file → a [`Graph`].

use super::{Cluster, Edge, EdgeKind, Graph, Node, NodeKind, SessionKey, SessionStates};
use crate::format::{
    ExtraType, Host, Link, PopType, Router, SessionFamily, SessionState, Topology,
};
use std::collections::{BTreeMap, BTreeSet};

const SCALEWAY: &str = "scaleway";
const OVH: &str = "ovh";
const CUSTOMER: &str = "customer";

/// Draws `topology`. Sessions take their state from `observed` when it has them (a run's
/// states, `--after-run`), else from the file's top-level `[[expect]]` entries.
pub fn build(topology: &Topology, observed: Option<&SessionStates>) -> Graph {
    let mut b = Builder {
        graph: Graph {
            name: topology.name.get_ref().clone(),
            clusters: Vec::new(),
            nodes: Vec::new(),
            edges: Vec::new(),
        },
        ids: BTreeSet::new(),
        expected: expected_states(topology),
        observed,
    };
    b.customer(topology);
    b.interlink(topology);
    b.vpcs(topology);
    b.load_balancers(topology);
    b.ovh(topology);
    b.hosts(topology);
    // Every edge joins two drawn nodes (a reference the format left unchecked draws nothing).
    let Builder { mut graph, ids, .. } = b;
    graph
        .edges
        .retain(|e| ids.contains(&e.from) && ids.contains(&e.to));
    graph
}

/// The states the top-level `[[expect]]` entries expect.
fn expected_states(topology: &Topology) -> SessionStates {
    let mut states = BTreeMap::new();
    for expect in &topology.expect {
        let expect = expect.get_ref();
        let state = expect.state.unwrap_or(SessionState::Established);
        if let Some(session) = &expect.session {
            let key = SessionKey::Link {
                link: session.link.get_ref().clone(),
                family: session.family,
            };
            states.insert(key, state);
        }
        if let Some(name) = &expect.ovh_session {
            let key = SessionKey::Ovh {
                name: name.get_ref().clone(),
            };
            states.insert(key, state);
        }
    }
    states
}

struct Builder<'a> {
    graph: Graph,
    ids: BTreeSet<String>,
    expected: SessionStates,
    observed: Option<&'a SessionStates>,
}

impl Builder<'_> {
    fn cluster(&mut self, id: &str, label: String, parent: Option<&str>) {
        if self.graph.clusters.iter().any(|c| c.id == id) {
            return;
        }
        self.graph.clusters.push(Cluster {
            id: id.to_string(),
            label,
            parent: parent.map(str::to_string),
        });
    }

    /// Adds a node once; returns its id.
    fn node(
        &mut self,
        id: String,
        name: &str,
        detail: Vec<String>,
        kind: NodeKind,
        cluster: Option<&str>,
    ) -> String {
        if self.ids.insert(id.clone()) {
            self.graph.nodes.push(Node {
                id: id.clone(),
                name: name.to_string(),
                detail,
                kind,
                cluster: cluster.map(str::to_string),
            });
        }
        id
    }

    fn edge(&mut self, from: &str, to: &str, label: String, kind: EdgeKind) {
        self.graph.edges.push(Edge {
            from: from.to_string(),
            to: to.to_string(),
            label,
            kind,
        });
    }

    fn session(&mut self, from: &str, to: &str, label: String, key: SessionKey) {
        let seen = self.observed.and_then(|o| o.get(&key)).copied();
        let state = seen.or_else(|| self.expected.get(&key).copied());
        let kind = EdgeKind::Session {
            key,
            state,
            observed: seen.is_some(),
        };
        self.edge(from, to, label, kind);
    }

    fn customer(&mut self, topology: &Topology) {
        if topology.routers.is_empty() {
            return;
        }
        self.cluster(CUSTOMER, "customer".to_string(), None);
        for r in &topology.routers {
            let detail = vec![format!("{} · AS{}", r.kind.name(), r.asn)];
            let name = r.name.get_ref();
            self.node(
                router_id(name),
                name,
                detail,
                NodeKind::Router(r.kind),
                Some(CUSTOMER),
            );
        }
    }

    fn interlink(&mut self, topology: &Topology) {
        let Some(interlink) = &topology.interlink else {
            return;
        };
        self.cluster(SCALEWAY, format!("Scaleway {}", interlink.region), None);
        for c in &interlink.dedicated_connections {
            self.pop(c.pop.get_ref());
        }
        for link in &interlink.links {
            let Some((pop, cable)) = where_link_lands(topology, link) else {
                continue;
            };
            let pop = self.pop(&pop);
            if let Some(vpc) = &link.vpc {
                let vrf = self.vrf(vpc.get_ref());
                let label = format!("link {}", link.name.get_ref());
                self.edge(&pop, &vrf, label, EdgeKind::Attachment);
            }
            for router in routers_on(topology, link) {
                let r = router_id(router.name.get_ref());
                self.edge(
                    &r,
                    &pop,
                    cable.clone(),
                    EdgeKind::Cable {
                        vlan: link.vlan.or(router.plug.get_ref().vlan),
                    },
                );
                for family in families(topology, link) {
                    let key = SessionKey::Link {
                        link: link.name.get_ref().clone(),
                        family,
                    };
                    let label = format!("BGP {} · {}", family.name(), link.name.get_ref());
                    self.session(&r, &pop, label, key);
                }
            }
        }
    }

    fn pop(&mut self, name: &str) -> String {
        let detail = vec!["InterLink PoP".to_string()];
        self.node(
            format!("pop:{name}"),
            name,
            detail,
            NodeKind::Pop,
            Some(SCALEWAY),
        )
    }

    fn vrf(&mut self, vpc: &str) -> String {
        let cluster = format!("vpc:{vpc}");
        self.cluster(&cluster, format!("VPC {vpc}"), Some(SCALEWAY));
        let detail = vec!["VRF".to_string()];
        self.node(
            format!("vrf:{vpc}"),
            vpc,
            detail,
            NodeKind::Vrf,
            Some(&cluster),
        )
    }

    fn vpcs(&mut self, topology: &Topology) {
        for vpc in &topology.vpcs {
            let name = vpc.name.get_ref();
            self.cluster(SCALEWAY, "Scaleway".to_string(), None);
            let vrf = self.vrf(name);
            let cluster = format!("vpc:{name}");
            for pn in &vpc.private_networks {
                let subnets = pn.subnet.iter().chain(&pn.subnets);
                let detail = subnets.map(ToString::to_string).collect();
                let id = self.node(
                    pn_id(name, &pn.name),
                    &pn.name,
                    detail,
                    NodeKind::PrivateNetwork,
                    Some(&cluster),
                );
                self.edge(&vrf, &id, String::new(), EdgeKind::Attachment);
            }
        }
    }

    fn load_balancers(&mut self, topology: &Topology) {
        let Some(lb) = &topology.lb else {
            return;
        };
        for l in &lb.lbs {
            let name = l.name.get_ref();
            let frontends: Vec<String> = lb
                .frontends
                .iter()
                .filter(|f| f.lb.get_ref() == name)
                .map(|f| format!(":{} → {}", f.inbound_port, f.backend.get_ref()))
                .collect();
            let mut detail = vec![format!("LB {} · {}", l.lb_type, lb.zone)];
            detail.extend(frontends);
            let cluster = l
                .private_networks
                .first()
                .map(|p| format!("vpc:{}", p.vpc.get_ref()));
            let id = self.node(
                format!("lb:{name}"),
                name,
                detail,
                NodeKind::Lb,
                cluster.as_deref(),
            );
            for pn in &l.private_networks {
                let to = pn_id(pn.vpc.get_ref(), pn.private_network.get_ref());
                let ips = pn.static_config.as_ref().map(|s| s.ip_address.join(", "));
                self.edge(&id, &to, ips.unwrap_or_default(), EdgeKind::Attachment);
            }
            for backend in lb.backends.iter().filter(|b| b.lb.get_ref() == name) {
                for server in &backend.servers {
                    let server = server.get_ref();
                    if topology.hosts.iter().any(|h| h.name.get_ref() == server) {
                        let label = format!(
                            "backend {} :{}",
                            backend.name.get_ref(),
                            backend.forward_port
                        );
                        self.edge(&id, &host_id(server), label, EdgeKind::Attachment);
                    }
                }
            }
        }
    }

    fn ovh(&mut self, topology: &Topology) {
        let Some(ovh) = &topology.ovh_connect else {
            return;
        };
        self.cluster(OVH, "OVHcloud".to_string(), None);
        for s in &ovh.services {
            let interfaces: Vec<String> = s.interface_list.iter().map(u64::to_string).collect();
            let detail = vec![
                s.pop.clone(),
                format!("interfaces {}", interfaces.join(", ")),
            ];
            let name = s.name.get_ref();
            self.node(ovh_pop_id(name), name, detail, NodeKind::OvhPop, Some(OVH));
        }
        for d in &ovh.datacenter_configs {
            let name = d.name.get_ref();
            let mut detail = vec![format!("datacenter {}", d.datacenter_id)];
            detail.extend(d.subnet.clone());
            for e in &ovh.extras {
                if e.datacenter_config.get_ref() == name && e.kind == ExtraType::Network {
                    let (subnet, hop) = (e.subnet.as_deref(), e.next_hop.as_deref());
                    detail.push(format!(
                        "{} via {}",
                        subnet.unwrap_or("?"),
                        hop.unwrap_or("?")
                    ));
                }
            }
            let id = self.node(
                dc_id(name),
                name,
                detail,
                NodeKind::OvhDatacenter,
                Some(OVH),
            );
            let pop = ovh
                .pop_configs
                .iter()
                .find(|p| p.name.get_ref() == d.pop_config.get_ref())
                .and_then(|p| ovh.service_of_interface(*p.interface_id.get_ref()));
            if let Some(service) = pop {
                let label = format!("{} ({})", d.pop_config.get_ref(), "PoP configuration");
                self.edge(
                    &ovh_pop_id(service.name.get_ref()),
                    &id,
                    label,
                    EdgeKind::Attachment,
                );
            }
        }
        for r in &topology.routers {
            let plug = r.plug.get_ref();
            let rid = router_id(r.name.get_ref());
            if let (Some(service), Some(interface)) = (&plug.ovh_service, plug.interface) {
                let pop = ovh_pop_id(service);
                let label = format!("interface {interface}");
                self.edge(&rid, &pop, label, EdgeKind::Cable { vlan: None });
                let config = ovh.pop_on_interface(u64::from(interface));
                if let Some(p) = config.filter(|p| p.kind == PopType::L3) {
                    let key = SessionKey::Ovh {
                        name: p.name.get_ref().clone(),
                    };
                    let label = format!("BGP · {}", p.name.get_ref());
                    self.session(&rid, &pop, label, key);
                }
            }
            if let Some(dc) = &plug.ovh_datacenter {
                let to = dc_id(dc);
                self.edge(
                    &rid,
                    &to,
                    "subnet".to_string(),
                    EdgeKind::Cable { vlan: None },
                );
                if let Some(extra) = ovh.bgp_extra_of(dc, r.asn) {
                    let key = SessionKey::Ovh {
                        name: extra.name.get_ref().clone(),
                    };
                    let label = format!("BGP · {}", extra.name.get_ref());
                    self.session(&rid, &to, label, key);
                }
            }
        }
    }

    fn hosts(&mut self, topology: &Topology) {
        for h in &topology.hosts {
            let name = h.name.get_ref();
            let cluster = host_cluster(h);
            let detail = vec![h.address.get_ref().clone()];
            let id = self.node(
                host_id(name),
                name,
                detail,
                NodeKind::Host,
                cluster.as_deref(),
            );
            if let Some(router) = &h.router {
                let to = router_id(router.get_ref());
                self.edge(&id, &to, String::new(), EdgeKind::Attachment);
            }
            if let Some(vpc) = &h.vpc {
                let to = match &h.private_network {
                    Some(pn) => pn_id(vpc.get_ref(), pn.get_ref()),
                    None => format!("vrf:{}", vpc.get_ref()),
                };
                self.edge(&id, &to, String::new(), EdgeKind::Attachment);
            }
            if let Some(dc) = &h.ovh_datacenter {
                self.edge(
                    &id,
                    &dc_id(dc.get_ref()),
                    String::new(),
                    EdgeKind::Attachment,
                );
            }
            if let Some(plug) = &h.plug {
                let plug = plug.get_ref();
                if let (Some(service), Some(interface)) = (&plug.ovh_service, plug.interface) {
                    let label = format!("interface {interface} (l2)");
                    let to = ovh_pop_id(service);
                    self.edge(&id, &to, label, EdgeKind::Cable { vlan: None });
                }
            }
        }
    }
}

/// The cluster a host is drawn in.
fn host_cluster(h: &Host) -> Option<String> {
    if h.router.is_some() {
        Some(CUSTOMER.to_string())
    } else if let Some(vpc) = &h.vpc {
        Some(format!("vpc:{}", vpc.get_ref()))
    } else if h.ovh_datacenter.is_some() {
        Some(OVH.to_string())
    } else {
        None
    }
}

/// The PoP a link lands on and the label of its cable.
fn where_link_lands(topology: &Topology, link: &Link) -> Option<(String, String)> {
    let interlink = topology.interlink.as_ref()?;
    let vlan = match link.vlan {
        Some(v) => format!("VLAN {v}"),
        None => "VLAN of the partner".to_string(),
    };
    if let Some(connection) = &link.connection {
        let c = interlink
            .dedicated_connections
            .iter()
            .find(|c| c.name.get_ref() == connection.get_ref())?;
        return Some((
            c.pop.get_ref().clone(),
            format!("{} {vlan}", connection.get_ref()),
        ));
    }
    let partner = link.partner.as_ref()?;
    let pop = link.pop.as_ref().unwrap_or(partner);
    Some((
        pop.get_ref().clone(),
        format!("{} {vlan}", partner.get_ref()),
    ))
}

/// The routers plugged where `link` lands.
pub(crate) fn routers_on<'t>(
    topology: &'t Topology,
    link: &'t Link,
) -> impl Iterator<Item = &'t Router> + 't {
    topology.routers.iter().filter(move |r| {
        let plug = r.plug.get_ref();
        if let Some(name) = &plug.link {
            return name == link.name.get_ref();
        }
        let same_vlan = plug.vlan.is_some() && plug.vlan == link.vlan;
        let on_connection = plug.connection.is_some()
            && plug.connection.as_deref() == link.connection.as_ref().map(|c| c.get_ref().as_str());
        let on_partner = plug.partner.is_some()
            && plug.partner.as_deref() == link.partner.as_ref().map(|p| p.get_ref().as_str());
        same_vlan && (on_connection || on_partner)
    })
}

/// The sessions of a link drawn: IPv4 always, IPv6 when the link has an IPv6 policy or an
/// expectation names it.
fn families(topology: &Topology, link: &Link) -> Vec<SessionFamily> {
    let named = topology.expect.iter().any(|e| {
        e.get_ref().session.as_ref().is_some_and(|s| {
            s.link.get_ref() == link.name.get_ref() && s.family == SessionFamily::Ipv6
        })
    });
    if link.routing_policy_v6.is_some() || named {
        vec![SessionFamily::Ipv4, SessionFamily::Ipv6]
    } else {
        vec![SessionFamily::Ipv4]
    }
}

fn router_id(name: &str) -> String {
    format!("router:{name}")
}

fn host_id(name: &str) -> String {
    format!("host:{name}")
}

fn pn_id(vpc: &str, pn: &str) -> String {
    format!("pn:{vpc}/{pn}")
}

fn ovh_pop_id(service: &str) -> String {
    format!("ovh-pop:{service}")
}

fn dc_id(name: &str) -> String {
    format!("ovh-dc:{name}")
}
