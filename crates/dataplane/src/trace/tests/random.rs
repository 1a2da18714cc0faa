//! Random networks (nodes, segments, tags, addresses, static and BGP routes, withheld
//! routes, VRRP state): every trace ends within the TTL, without panicking.

use std::net::IpAddr;

use ipnet::IpNet;
use proptest::prelude::*;

use crate::*;

/// node, segment, VLAN, address, prefix length, up, in VRF "blue"
type RandomInterface = (usize, usize, Option<u16>, u8, u8, bool, bool);

/// A random network: nodes, segments, interfaces with random tags and addresses from a small
/// space, random static routes, random up/down and VRRP state.
#[derive(Debug, Clone)]
struct RandomNet {
    nodes: usize,
    segments: usize,
    interfaces: Vec<RandomInterface>,
    /// node, address, prefix length, gateway, kind (static, BGP, filtered, propagation off,
    /// not announced, session down), in VRF "blue"
    routes: Vec<(usize, u8, u8, u8, u8, bool)>,
    vrrp: Vec<(usize, u8, bool)>,
    probes: Vec<(usize, u8)>,
}

fn arb_net() -> impl Strategy<Value = RandomNet> {
    (1usize..6, 1usize..4).prop_flat_map(|(nodes, segments)| {
        (
            Just(nodes),
            Just(segments),
            proptest::collection::vec(
                (
                    0..nodes,
                    0..segments,
                    proptest::option::of(1u16..4),
                    any::<u8>(),
                    24u8..=30,
                    any::<bool>(),
                    any::<bool>(),
                ),
                0..10,
            ),
            proptest::collection::vec(
                (
                    0..nodes,
                    any::<u8>(),
                    0u8..=32,
                    any::<u8>(),
                    0u8..6,
                    any::<bool>(),
                ),
                0..12,
            ),
            proptest::collection::vec((0usize..10, any::<u8>(), any::<bool>()), 0..4),
            proptest::collection::vec((0..nodes, any::<u8>()), 1..6),
        )
            .prop_map(
                |(nodes, segments, interfaces, routes, vrrp, probes)| RandomNet {
                    nodes,
                    segments,
                    interfaces,
                    routes,
                    vrrp,
                    probes,
                },
            )
    })
}

fn addr(low: u8) -> IpAddr {
    IpAddr::from([10, 0, 0, low])
}

proptest! {
    /// Whatever the network, a trace ends, within the TTL, without panicking.
    #[test]
    fn trace_always_terminates(r in arb_net()) {
        let mut net = Network::new();
        let nodes: Vec<NodeId> = (0..r.nodes)
            .map(|n| net.add_node(format!("n{n}"), NodeRole::Router).unwrap())
            .collect();
        for n in &nodes {
            net.add_vrf(*n, "blue").unwrap();
        }
        let vrf = |blue: bool| if blue { "blue" } else { DEFAULT_VRF };
        let segs: Vec<SegmentId> = (0..r.segments)
            .map(|s| net.add_segment(format!("s{s}")).unwrap())
            .collect();
        let mut ifaces = Vec::new();
        for (k, (n, s, vlan, low, len, up, blue)) in r.interfaces.iter().enumerate() {
            let mut config = InterfaceConfig::new(format!("e{k}"), segs[*s])
                .vrf(vrf(*blue))
                .address(IpNet::new(addr(*low), *len).unwrap());
            if let Some(v) = vlan {
                config = config.vlan(VlanId::new(*v).unwrap());
            }
            let id = net.add_interface(nodes[*n], config).unwrap();
            net.set_interface_up(id, *up).unwrap();
            ifaces.push(id);
        }
        for (n, low, len, gw, kind, blue) in &r.routes {
            let prefix = IpNet::new(addr(*low), *len).unwrap();
            let peer = format!("peer {gw}");
            let table = net.vrf_mut(nodes[*n], vrf(*blue)).unwrap();
            let filtered = WithheldReason::FilteredByPolicy {
                filter: "prefix_filter_in".into(),
            };
            let off = WithheldReason::PropagationDisabled;
            let hop = NextHop::Gateway(addr(*gw));
            match kind {
                0 => {
                    table.fib_mut().insert(Route::new(prefix, hop, RouteSource::Static));
                }
                1 => table.install_bgp(prefix, hop, &peer),
                2 => table.withhold(WithheldRoute::new(prefix, &peer, filtered)),
                3 => table.withhold(WithheldRoute::new(prefix, &peer, off)),
                4 => table.withhold(WithheldRoute::not_announced(prefix, &peer, filtered)),
                _ => table.set_session(peer, false),
            }
        }
        for (i, low, master) in &r.vrrp {
            if let Some(id) = ifaces.get(*i) {
                net.add_vrrp_group(*id, 1, vec![addr(*low)], *master).unwrap();
                net.set_vrrp_master(*id, 1, *master).unwrap();
            }
        }
        for (n, low) in &r.probes {
            match net.trace(nodes[*n], addr(*low)) {
                Ok(trace) => {
                    prop_assert!(trace.hops.len() <= usize::from(trace::INITIAL_TTL));
                    prop_assert!(!trace.hops.is_empty());
                    let _ = format!("{trace:#}");
                }
                Err(Error::NoSourceAddress { .. }) => {}
                Err(e) => prop_assert!(false, "unexpected error {e}"),
            }
        }
        for a in &nodes {
            for b in &nodes {
                if let Ok(reach) = net.reach(*a, *b) {
                    let _ = reach.to_string();
                }
            }
        }
    }
}
