//! Random sequences of API, admin and engine calls keep the provider's invariants:
//! - no VLAN is used twice on a port, and every VLAN is inside the port's range;
//! - a port's links never add up to more than its bandwidth;
//! - no address is handed out twice (IPAM IPs, links' /31 and /127);
//! - every link has exactly its two BGP endpoint IPs;
//! - the intents, applied to a model engine, always refer to links the engine runs, and the
//!   engine ends up running exactly the links in service.

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use provider::catalogue::demo;
use provider::interlink::*;
use provider::ipam::types::*;
use provider::{Caller, Region};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use uuid::Uuid;

const R: Region = Region::FrPar;

#[derive(Clone, Debug)]
enum Op {
    CreateSelf { th2: bool, vlan: u32, bw: u64 },
    CreateHosted { carrier: bool, th2: bool, bw: u64 },
    Delete(usize),
    AttachPolicy { link: usize, v6: bool },
    DetachPolicy { link: usize, v6: bool },
    Session { link: usize, v6: bool, up: bool },
    Propagation { link: usize, on: bool },
    Vpc { link: usize, attach: bool },
    Approve(usize),
    Refuse(usize),
    Advance(i64),
    Book { v6: bool, address: Option<u8> },
    Release(usize),
    Attach { ip: usize, mac: u8 },
    Move { ip: usize, mac: u8 },
}

fn op() -> impl Strategy<Value = Op> {
    let bw = prop::sample::select(vec![50u64, 100, 200, 500, 1000, 5000, 10000, 123]);
    prop_oneof![
        6 => (any::<bool>(), prop_oneof![Just(0u32), 1400u32..4000, 1995u32..2105], bw.clone())
            .prop_map(|(th2, vlan, bw)| Op::CreateSelf { th2, vlan, bw }),
        2 => (any::<bool>(), any::<bool>(), bw).prop_map(|(carrier, th2, bw)| Op::CreateHosted { carrier, th2, bw }),
        2 => any::<usize>().prop_map(Op::Delete),
        2 => (any::<usize>(), any::<bool>()).prop_map(|(link, v6)| Op::AttachPolicy { link, v6 }),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(link, v6)| Op::DetachPolicy { link, v6 }),
        2 => (any::<usize>(), any::<bool>(), any::<bool>()).prop_map(|(link, v6, up)| Op::Session { link, v6, up }),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(link, on)| Op::Propagation { link, on }),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(link, attach)| Op::Vpc { link, attach }),
        1 => any::<usize>().prop_map(Op::Approve),
        1 => any::<usize>().prop_map(Op::Refuse),
        1 => (0i64..400_000).prop_map(Op::Advance),
        3 => (any::<bool>(), prop::option::of(0u8..12)).prop_map(|(v6, address)| Op::Book { v6, address }),
        1 => any::<usize>().prop_map(Op::Release),
        2 => (any::<usize>(), 0u8..4).prop_map(|(ip, mac)| Op::Attach { ip, mac }),
        1 => (any::<usize>(), 0u8..4).prop_map(|(ip, mac)| Op::Move { ip, mac }),
    ]
}

fn me() -> Caller {
    Caller::new(demo::DEMO_PROJECT_ID, demo::DEMO_ORGANIZATION_ID)
}

fn all_links(s: &InterLink) -> Vec<Link> {
    let mut out = Vec::new();
    for page in 1.. {
        let r = s
            .list_links(
                R,
                &me(),
                &ListLinksRequest {
                    page: Some(page),
                    page_size: Some(100),
                    ..Default::default()
                },
            )
            .unwrap();
        if r.links.is_empty() {
            assert_eq!(out.len() as u64, r.total_count);
            break;
        }
        out.extend(r.links);
    }
    out
}

fn all_ips(s: &InterLink) -> Vec<Ip> {
    let mut out = Vec::new();
    for page in 1.. {
        let r = s
            .ipam()
            .list_ips(
                R,
                &me(),
                &ListIpsRequest {
                    page: Some(page),
                    page_size: Some(100),
                    ..Default::default()
                },
            )
            .unwrap();
        if r.ips.is_empty() {
            break;
        }
        out.extend(r.ips);
    }
    out
}

fn pick<T: Clone>(items: &[T], i: usize) -> Option<T> {
    (!items.is_empty()).then(|| items[i % items.len()].clone())
}

/// The engine as the intents describe it: which links run, with which policies.
#[derive(Default)]
struct ModelEngine {
    running: BTreeMap<Uuid, LinkConfig>,
}

impl ModelEngine {
    fn apply(&mut self, intents: Vec<Intent>) {
        for intent in intents {
            match intent {
                Intent::ConfigureLink(c) => {
                    assert!(
                        self.running.insert(c.link_id, c).is_none(),
                        "configured twice"
                    );
                }
                Intent::RemoveLink { link_id } => {
                    assert!(
                        self.running.remove(&link_id).is_some(),
                        "removing a link not running"
                    );
                }
                other => {
                    let c = self
                        .running
                        .get_mut(&other.link_id())
                        .expect("intent for a link not running");
                    match other {
                        Intent::SetPolicy {
                            family: Family::Ipv4,
                            policy,
                            ..
                        } => c.policy_v4 = policy,
                        Intent::SetPolicy {
                            family: Family::Ipv6,
                            policy,
                            ..
                        } => c.policy_v6 = policy,
                        Intent::SetRoutePropagation { enabled, .. } => {
                            c.enable_route_propagation = enabled
                        }
                        Intent::SetVpc {
                            vpc_id, prefixes, ..
                        } => {
                            c.vpc_id = vpc_id;
                            c.vpc_prefixes = prefixes;
                        }
                        Intent::SetPeerAsn { peer_asn, .. } => c.peer_asn = peer_asn,
                        Intent::ConfigureLink(_) | Intent::RemoveLink { .. } => {}
                    }
                }
            }
        }
    }
}

fn check(s: &InterLink, engine: &ModelEngine) {
    let links = all_links(s);
    // Ports: (capacity, vlan range) of each dedicated connection and shared connection.
    let mut ports: BTreeMap<String, Vec<&Link>> = BTreeMap::new();
    for l in &links {
        let key = match (&l.self_, &l.partner) {
            (Some(h), None) => format!("dedicated/{}", h.connection_id),
            (None, Some(p)) => format!("shared/{}/{}", p.partner_id, l.pop_id),
            other => panic!("exactly one of self and partner: {other:?}"),
        };
        ports.entry(key).or_default().push(l);
    }
    for (port, members) in &ports {
        let (capacity, lo, hi) = match port.as_str() {
            p if p == format!("dedicated/{}", demo::CONNECTION_DC2_ID) => (10000, 1500, 3899),
            p if p == format!("dedicated/{}", demo::CONNECTION_TH2_ID) => (1000, 2000, 2099),
            p if p.starts_with(&format!("shared/{}", demo::PARTNER_CARRIER_ID)) => {
                (1000, 3000, 3099)
            }
            _ => (10000, 1500, 3899),
        };
        let used: u64 = members.iter().map(|l| l.bandwidth_mbps).sum();
        assert!(used <= capacity, "{port}: {used} > {capacity}");
        let vlans: Vec<u16> = members.iter().map(|l| l.vlan).collect();
        let unique: HashSet<u16> = vlans.iter().copied().collect();
        assert_eq!(
            unique.len(),
            vlans.len(),
            "{port}: VLAN used twice {vlans:?}"
        );
        assert!(
            vlans.iter().all(|v| (lo..=hi).contains(v)),
            "{port}: {vlans:?}"
        );
    }
    // Addresses.
    let allocated = s.ipam().allocated_addresses();
    let unique: HashSet<_> = allocated.iter().map(|(_, a)| a.addr()).collect();
    assert_eq!(
        unique.len(),
        allocated.len(),
        "an address was handed out twice"
    );
    let mut blocks = HashSet::new();
    for l in &links {
        let scw = l.scw_bgp_config.unwrap();
        let peer = l.peer_bgp_config.unwrap();
        assert!(
            blocks.insert(scw.ipv4.trunc().to_string()),
            "IPv4 block used twice"
        );
        assert!(
            blocks.insert(scw.ipv6.trunc().to_string()),
            "IPv6 block used twice"
        );
        assert_eq!(scw.ipv4.trunc(), peer.ipv4.trunc());
        assert_eq!(u32::from(scw.ipv4.addr()) % 2, 0);
        assert_eq!(scw.asn, 12876);
        if l.routing_policy_v4_id.is_none() {
            assert_eq!(l.bgp_v4_status, BgpStatus::Disabled);
        }
        if l.routing_policy_v6_id.is_none() {
            assert_eq!(l.bgp_v6_status, BgpStatus::Disabled);
        }
    }
    let ips = all_ips(s);
    let endpoints = ips
        .iter()
        .filter(|ip| {
            ip.resource
                .as_ref()
                .is_some_and(|r| r.type_ == ResourceType::BgpEndpoint)
        })
        .count();
    assert_eq!(endpoints, 2 * links.len());
    // The engine runs exactly the links in service, with their current configuration.
    let in_service: BTreeSet<Uuid> = s.links_in_service().into_iter().collect();
    let running: BTreeSet<Uuid> = engine.running.keys().copied().collect();
    assert_eq!(in_service, running);
    for (id, c) in &engine.running {
        assert_eq!(
            Some(c),
            s.link_config(*id).as_ref(),
            "engine config drifted for {id}"
        );
    }
}

fn t(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap() + Duration::seconds(secs)
}

fn run(ops: Vec<Op>) {
    let mut s = InterLink::demo(t(0));
    let mut engine = ModelEngine::default();
    let mut clock = 0i64;
    let v4 = s
        .create_routing_policy(
            R,
            &me(),
            CreateRoutingPolicyRequest {
                name: "v4".into(),
                ..Default::default()
            },
            t(0),
        )
        .unwrap();
    let v6 = s
        .create_routing_policy(
            R,
            &me(),
            CreateRoutingPolicyRequest {
                name: "v6".into(),
                is_ipv6: true,
                ..Default::default()
            },
            t(0),
        )
        .unwrap();
    for op in ops {
        clock += 1;
        let now = t(clock);
        engine.apply(s.advance(now));
        let links: Vec<Uuid> = all_links(&s).iter().map(|l| l.id).collect();
        let ips: Vec<Uuid> = all_ips(&s)
            .iter()
            .filter(|ip| ip.source.private_network_id.is_some())
            .map(|ip| ip.id)
            .collect();
        let intents: Vec<Intent> = match op {
            Op::CreateSelf { th2, vlan, bw } => {
                let (pop, conn) = if th2 {
                    (demo::POP_TH2_ID, demo::CONNECTION_TH2_ID)
                } else {
                    (demo::POP_DC2_ID, demo::CONNECTION_DC2_ID)
                };
                let req = CreateLinkRequest {
                    name: "l".into(),
                    pop_id: Some(pop),
                    bandwidth_mbps: bw,
                    connection_id: Some(conn),
                    vlan: Some(vlan),
                    ..Default::default()
                };
                s.create_link(R, &me(), req, now)
                    .map(|r| r.1)
                    .unwrap_or_default()
            }
            Op::CreateHosted { carrier, th2, bw } => {
                let partner = if carrier {
                    demo::PARTNER_CARRIER_ID
                } else {
                    demo::PARTNER_ACME_ID
                };
                let pop = if th2 {
                    demo::POP_TH2_ID
                } else {
                    demo::POP_DC2_ID
                };
                let req = CreateLinkRequest {
                    name: "h".into(),
                    pop_id: Some(pop),
                    bandwidth_mbps: bw,
                    partner_id: Some(partner),
                    ..Default::default()
                };
                s.create_link(R, &me(), req, now)
                    .map(|r| r.1)
                    .unwrap_or_default()
            }
            Op::Delete(i) => pick(&links, i)
                .and_then(|id| s.delete_link(R, &me(), id, now).ok())
                .map(|r| r.1)
                .unwrap_or_default(),
            Op::AttachPolicy { link, v6: fam } => pick(&links, link)
                .and_then(|id| {
                    s.attach_routing_policy(R, &me(), id, if fam { v6.id } else { v4.id }, now)
                        .ok()
                })
                .map(|r| r.1)
                .unwrap_or_default(),
            Op::DetachPolicy { link, v6: fam } => pick(&links, link)
                .and_then(|id| {
                    s.detach_routing_policy(R, &me(), id, if fam { v6.id } else { v4.id }, now)
                        .ok()
                })
                .map(|r| r.1)
                .unwrap_or_default(),
            Op::Session { link, v6: fam, up } => {
                if let Some(id) = pick(&links, link) {
                    let family = if fam { Family::Ipv6 } else { Family::Ipv4 };
                    let status = if up { BgpStatus::Up } else { BgpStatus::Down };
                    s.set_session_status(id, family, status).unwrap();
                }
                Vec::new()
            }
            Op::Propagation { link, on } => pick(&links, link)
                .and_then(|id| {
                    if on {
                        s.enable_route_propagation(R, &me(), id, now).ok()
                    } else {
                        s.disable_route_propagation(R, &me(), id, now).ok()
                    }
                })
                .map(|r| r.1)
                .unwrap_or_default(),
            Op::Vpc { link, attach } => pick(&links, link)
                .and_then(|id| {
                    if attach {
                        s.attach_vpc(R, &me(), id, demo::VPC_ID, now).ok()
                    } else {
                        s.detach_vpc(R, &me(), id, now).ok()
                    }
                })
                .map(|r| r.1)
                .unwrap_or_default(),
            Op::Approve(i) => pick(&links, i)
                .and_then(|id| s.approve_hosted_link(id, now).ok())
                .map(|r| r.1)
                .unwrap_or_default(),
            Op::Refuse(i) => {
                if let Some(id) = pick(&links, i) {
                    let _ = s.refuse_hosted_link(id, "no", now);
                }
                Vec::new()
            }
            Op::Advance(secs) => {
                clock += secs;
                s.advance(t(clock))
            }
            Op::Book { v6: fam, address } => {
                let address = address.map(|a| {
                    if fam {
                        format!("fd5c:a1e0:0:1::{a}")
                    } else {
                        format!("172.16.0.{a}")
                    }
                });
                let req = BookIpRequest {
                    source: Source {
                        private_network_id: Some(demo::PRIVATE_NETWORK_ID),
                        ..Default::default()
                    },
                    is_ipv6: fam,
                    address,
                    ..Default::default()
                };
                let _ = s.ipam_mut().book_ip(R, &me(), req, now);
                Vec::new()
            }
            Op::Release(i) => {
                if let Some(id) = pick(&ips, i) {
                    let _ = s.ipam_mut().release_ip(R, &me(), id);
                }
                Vec::new()
            }
            Op::Attach { ip, mac } => {
                if let Some(id) = pick(&ips, ip) {
                    let resource = CustomResource {
                        mac_address: format!("02:00:00:00:00:0{mac}"),
                        name: None,
                    };
                    let _ = s
                        .ipam_mut()
                        .attach_ip(R, &me(), id, AttachIpRequest { resource }, now);
                }
                Vec::new()
            }
            Op::Move { ip, mac } => {
                if let Some(id) = pick(&ips, ip) {
                    let current = s.ipam().get_ip(R, &me(), id).unwrap().resource;
                    if let Some(from) = current.and_then(|r| r.mac_address) {
                        let req = MoveIpRequest {
                            from_resource: CustomResource {
                                mac_address: from,
                                name: None,
                            },
                            to_resource: Some(CustomResource {
                                mac_address: format!("02:00:00:00:00:0{mac}"),
                                name: None,
                            }),
                        };
                        let _ = s.ipam_mut().move_ip(R, &me(), id, req, now);
                    }
                }
                Vec::new()
            }
        };
        engine.apply(intents);
        check(&s, &engine);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn random_operations_keep_the_invariants(ops in prop::collection::vec(op(), 1..120)) {
        run(ops);
    }
}

#[test]
fn filling_a_connection_exactly() {
    // Ten 100 Mbps links fill the TH2 connection's 1000 Mbps; the eleventh is refused.
    let ops: Vec<Op> = (0..11)
        .map(|_| Op::CreateSelf {
            th2: true,
            vlan: 0,
            bw: 100,
        })
        .collect();
    run(ops);
    let mut s = InterLink::demo(t(0));
    for i in 0..10 {
        let req = CreateLinkRequest {
            name: format!("l{i}"),
            pop_id: Some(demo::POP_TH2_ID),
            bandwidth_mbps: 100,
            connection_id: Some(demo::CONNECTION_TH2_ID),
            ..Default::default()
        };
        s.create_link(R, &me(), req, t(i)).unwrap();
    }
    let req = CreateLinkRequest {
        name: "over".into(),
        pop_id: Some(demo::POP_TH2_ID),
        bandwidth_mbps: 50,
        connection_id: Some(demo::CONNECTION_TH2_ID),
        ..Default::default()
    };
    assert_eq!(
        s.create_link(R, &me(), req, t(11))
            .unwrap_err()
            .error_type(),
        "invalid_arguments"
    );
}
