//! Random sequences of OVHcloud Connect and vRack calls keep the model's invariants:
//! - every error is a 400, 404 or 409 (never anything else), and no call panics;
//! - a service with a PoP configuration is in a vRack, and all its PoP configurations have one
//!   type (l2 or l3);
//! - an interface has at most one PoP configuration;
//! - every datacenter configuration listed under a PoP configuration can be read there, and
//!   every extra under it too; no datacenter configuration mixes `network` and `bgp` extras;
//! - l3 subnets of one vRack never overlap;
//! - every session the engine is asked to run belongs to an active configuration, its
//!   addresses lie in their subnet, and a PoP session's relays are `bgp` extra sessions;
//! - the state survives a JSON round trip.

use chrono::{DateTime, TimeZone, Utc};
use ipnet::Ipv4Net;
use proptest::prelude::*;
use provider::catalogue::Catalogue;
use provider::catalogue::ovh::{
    DEMO_INTERFACE_A, DEMO_INTERFACE_B, DEMO_SERVICE_A, DEMO_SERVICE_B, DEMO_VRACK, DEMO_VRACK_2,
};
use provider::ovh_connect::*;

#[derive(Clone, Debug)]
enum Op {
    Link {
        b: bool,
        vrack2: bool,
    },
    Unlink {
        b: bool,
        vrack2: bool,
    },
    Pop {
        b: bool,
        l3: bool,
        subnet: u8,
        len: u8,
    },
    DeletePop {
        b: bool,
        index: usize,
    },
    Dc {
        b: bool,
        pop: usize,
        datacenter: u64,
        subnet: u8,
        len: u8,
    },
    DeleteDc {
        b: bool,
        pop: usize,
        dc: usize,
    },
    Extra {
        b: bool,
        pop: usize,
        dc: usize,
        bgp: bool,
        host: u8,
    },
    DeleteExtra {
        b: bool,
        pop: usize,
        dc: usize,
        extra: usize,
    },
    Lock {
        b: bool,
        lock: bool,
    },
    Advance(u64),
}

fn op() -> impl Strategy<Value = Op> {
    let b = any::<bool>();
    prop_oneof![
        3 => (b, any::<bool>()).prop_map(|(b, vrack2)| Op::Link { b, vrack2 }),
        1 => (b, any::<bool>()).prop_map(|(b, vrack2)| Op::Unlink { b, vrack2 }),
        4 => (b, any::<bool>(), 0u8..8, 27u8..33).prop_map(|(b, l3, subnet, len)| Op::Pop { b, l3, subnet, len }),
        1 => (b, any::<usize>()).prop_map(|(b, index)| Op::DeletePop { b, index }),
        4 => (b, any::<usize>(), 0u64..5, 0u8..8, 24u8..31).prop_map(|(b, pop, datacenter, subnet, len)| Op::Dc { b, pop, datacenter, subnet, len }),
        1 => (b, any::<usize>(), any::<usize>()).prop_map(|(b, pop, dc)| Op::DeleteDc { b, pop, dc }),
        4 => (b, any::<usize>(), any::<usize>(), any::<bool>(), any::<u8>()).prop_map(|(b, pop, dc, bgp, host)| Op::Extra { b, pop, dc, bgp, host }),
        1 => (b, any::<usize>(), any::<usize>(), any::<usize>()).prop_map(|(b, pop, dc, extra)| Op::DeleteExtra { b, pop, dc, extra }),
        1 => (b, any::<bool>()).prop_map(|(b, lock)| Op::Lock { b, lock }),
        4 => prop_oneof![0u64..3, 3u64..20, Just(u64::MAX)].prop_map(Op::Advance),
    ]
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap()
}

fn service(b: bool) -> (String, u64) {
    if b {
        (DEMO_SERVICE_B.to_string(), DEMO_INTERFACE_B)
    } else {
        (DEMO_SERVICE_A.to_string(), DEMO_INTERFACE_A)
    }
}

fn vrack(second: bool) -> &'static str {
    if second { DEMO_VRACK_2 } else { DEMO_VRACK }
}

fn pick<T: Copy>(list: &[T], index: usize) -> Option<T> {
    (!list.is_empty()).then(|| list[index % list.len()])
}

/// The result's error, if any, must be one OVH answers with.
fn check<T>(result: Result<T, OvhError>) {
    if let Err(e) = result {
        assert!(matches!(e.status, 400 | 404 | 409), "{e:?}");
        assert!(e.body()["class"].is_string() && e.body()["message"].is_string());
    }
}

fn apply(m: &mut OvhConnect, op: &Op) {
    let now = t0();
    match op {
        Op::Link { b, vrack2 } => check(m.link_vrack(vrack(*vrack2), &service(*b).0, now)),
        Op::Unlink { b, vrack2 } => check(m.unlink_vrack(vrack(*vrack2), &service(*b).0, now)),
        Op::Pop { b, l3, subnet, len } => {
            let (sn, interface) = service(*b);
            let request = CreatePopConfigRequest {
                interface_id: interface,
                kind: if *l3 { PopType::L3 } else { PopType::L2 },
                customer_bgp_area: l3.then_some(65001),
                ovh_bgp_area: l3.then_some(65501),
                subnet: l3.then(|| format!("100.64.0.{}/{len}", u32::from(*subnet) * 4)),
            };
            check(m.create_pop_config(&sn, request, now));
        }
        Op::DeletePop { b, index } => {
            let sn = service(*b).0;
            if let Some(pop) = pick(&m.list_pop_configs(&sn).unwrap(), *index) {
                check(m.delete_pop_config(&sn, pop, now));
            }
        }
        Op::Dc {
            b,
            pop,
            datacenter,
            subnet,
            len,
        } => {
            let sn = service(*b).0;
            let Some(pop) = pick(&m.list_pop_configs(&sn).unwrap(), *pop) else {
                return;
            };
            let l3 = m.pop_config(&sn, pop).unwrap().kind == PopType::L3;
            let request = CreateDatacenterConfigRequest {
                datacenter_id: *datacenter,
                ovh_bgp_area: l3.then_some(65502),
                subnet: l3.then(|| format!("10.{subnet}.0.0/{len}")),
            };
            check(m.create_datacenter_config(&sn, pop, request, now));
        }
        Op::DeleteDc { b, pop, dc } => {
            let sn = service(*b).0;
            let Some(pop) = pick(&m.list_pop_configs(&sn).unwrap(), *pop) else {
                return;
            };
            if let Some(dc) = pick(&m.list_datacenter_configs(&sn, pop).unwrap(), *dc) {
                check(m.delete_datacenter_config(&sn, pop, dc, now));
            }
        }
        Op::Extra {
            b,
            pop,
            dc,
            bgp,
            host,
        } => {
            let sn = service(*b).0;
            let Some(pop) = pick(&m.list_pop_configs(&sn).unwrap(), *pop) else {
                return;
            };
            let Some(dc_id) = pick(&m.list_datacenter_configs(&sn, pop).unwrap(), *dc) else {
                return;
            };
            let base = m
                .datacenter_config(&sn, pop, dc_id)
                .unwrap()
                .subnet
                .map_or(0, |s| u32::from(s.network()));
            let ip = std::net::Ipv4Addr::from(base.wrapping_add(u32::from(*host))).to_string();
            let request = if *bgp {
                CreateExtraConfigRequest {
                    kind: ExtraType::Bgp,
                    bgp_neighbor_area: Some(65100),
                    bgp_neighbor_ip: Some(ip),
                    next_hop: None,
                    subnet: None,
                }
            } else {
                CreateExtraConfigRequest {
                    kind: ExtraType::Network,
                    bgp_neighbor_area: None,
                    bgp_neighbor_ip: None,
                    next_hop: Some(ip),
                    subnet: Some(format!("172.{}.0.0/16", 16 + host % 16)),
                }
            };
            check(m.create_extra(&sn, pop, dc_id, request, now));
        }
        Op::DeleteExtra { b, pop, dc, extra } => {
            let sn = service(*b).0;
            let Some(pop) = pick(&m.list_pop_configs(&sn).unwrap(), *pop) else {
                return;
            };
            let Some(dc) = pick(&m.list_datacenter_configs(&sn, pop).unwrap(), *dc) else {
                return;
            };
            if let Some(extra) = pick(&m.list_extras(&sn, pop, dc).unwrap(), *extra) {
                check(m.delete_extra(&sn, pop, dc, extra, now));
            }
        }
        Op::Lock { b, lock } => {
            let (sn, interface) = service(*b);
            check(m.lock_interface(&sn, interface, *lock, now));
        }
        Op::Advance(secs) => {
            m.advance_clock(*secs);
            m.advance(now);
        }
    }
}

fn invariants(m: &OvhConnect) {
    let mut vrack_subnets: Vec<(String, Ipv4Net)> = Vec::new();
    for b in [false, true] {
        let (sn, _) = service(b);
        let s = m.service(&sn).unwrap();
        let pops = m.list_pop_configs(&sn).unwrap();
        if !pops.is_empty() {
            assert!(s.vrack.is_some(), "a configured service is in a vRack");
        }
        let mut kinds = std::collections::BTreeSet::new();
        let mut interfaces = std::collections::BTreeSet::new();
        for pop in pops {
            let p = m.pop_config(&sn, pop).unwrap();
            kinds.insert(p.kind.as_str());
            assert!(
                interfaces.insert(p.interface_id),
                "one PoP configuration per interface"
            );
            if let (Some(subnet), Some(v)) = (p.subnet, &s.vrack) {
                assert_eq!(subnet.prefix_len(), 30);
                vrack_subnets.push((v.clone(), subnet));
            }
            for dc in m.list_datacenter_configs(&sn, pop).unwrap() {
                let d = m.datacenter_config(&sn, pop, dc).unwrap();
                if let (Some(subnet), Some(v)) = (d.subnet, &s.vrack) {
                    assert!(subnet.prefix_len() <= 28);
                    if !vrack_subnets.contains(&(v.clone(), subnet)) {
                        vrack_subnets.push((v.clone(), subnet));
                    }
                }
                let mut extra_kinds = std::collections::BTreeSet::new();
                for extra in m.list_extras(&sn, pop, dc).unwrap() {
                    let e = m.extra(&sn, pop, dc, extra).unwrap();
                    extra_kinds.insert(format!("{:?}", e.kind));
                    let inside = e.next_hop.or(e.bgp_neighbor_ip).unwrap();
                    assert!(d.subnet.unwrap().contains(&inside));
                }
                assert!(extra_kinds.len() <= 1, "network and bgp never together");
            }
        }
        assert!(kinds.len() <= 1, "one type per service");
    }
    for (i, (va, a)) in vrack_subnets.iter().enumerate() {
        for (vb, b) in &vrack_subnets[i + 1..] {
            if va == vb {
                assert!(
                    !a.contains(&b.network()) && !b.contains(&a.network()),
                    "{a} and {b} overlap in {va}"
                );
            }
        }
    }
    let sessions = m.sessions();
    let ids: Vec<&String> = sessions.iter().map(|s| &s.id).collect();
    for s in &sessions {
        assert_ne!(s.local, s.peer);
        if s.id.starts_with("ovh-pop-") {
            let net = Ipv4Net::new(s.local, 30).unwrap().trunc();
            assert!(net.contains(&s.peer));
            assert!(s.learned_from.iter().all(|l| l.starts_with("ovh-extra-")));
        } else {
            assert!(s.learned_from.iter().all(|l| l.starts_with("ovh-pop-")));
        }
        assert!(s.learned_from.iter().all(|l| ids.contains(&l)));
    }
    let json = serde_json::to_string(m).unwrap();
    let back: OvhConnect = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, m);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_call_sequences_keep_the_invariants(ops in prop::collection::vec(op(), 1..60)) {
        let mut m = OvhConnect::new(&Catalogue::default().resolved());
        m.set_task_secs(4);
        for op in &ops {
            apply(&mut m, op);
            invariants(&m);
        }
    }
}
