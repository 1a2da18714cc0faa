//! The InterLink flow of one link, end to end: `enable_route_propagation` gates both what is
//! installed toward the VPC and what is announced, and `set-routing-policy` keeps the routes
//! both policies allow.

mod common;

use bgp_wire::attribute::{AsPath, AsSegment, NextHop, Origin};
use bgp_wire::{AttributeValue, Nlri, PathAttribute, Update};
use common::*;
use ipnet::IpNet;
use rib::{
    AdjRibIn, AdjRibOut, BestChange, LocRib, PathAttributes, RibChanges, Route, RoutingPolicy,
    VpcRoutes,
};
use std::net::Ipv4Addr;
use std::sync::Arc;

const ME: NextHop = NextHop::Ipv4(Ipv4Addr::new(169, 254, 0, 0));

/// A link as the engine drives it: the customer's Adj-RIB-In and Adj-RIB-Out, the VPC's Loc-RIB
/// and installed routes.
struct Link {
    policy: RoutingPolicy,
    enable_route_propagation: bool,
    adj_rib_in: AdjRibIn,
    adj_rib_out: AdjRibOut,
    loc_rib: LocRib,
    vpc: VpcRoutes,
}

impl Link {
    fn new(policy: RoutingPolicy) -> Self {
        let mut link = Self {
            policy,
            enable_route_propagation: false,
            adj_rib_in: AdjRibIn::new(peer(1)),
            adj_rib_out: AdjRibOut::new(peer(1), 12876, ME),
            loc_rib: LocRib::new(12876),
            vpc: VpcRoutes::new(),
        };
        // The VPC's subnets, originated here.
        let mut subnets = RibChanges::new(local());
        for p in ["172.16.0.0/24", "172.17.0.0/24"] {
            subnets.announced.push(Route {
                prefix: net(p),
                path_id: None,
                attributes: Arc::new(PathAttributes::local(ME)),
                peer: local(),
            });
        }
        link.loc_rib.update(&subnets);
        link
    }

    fn feed_loc_rib(&mut self, changes: &RibChanges) {
        if self.enable_route_propagation {
            let best = self.loc_rib.update(changes);
            self.after(&best);
        }
    }

    fn after(&mut self, best: &[BestChange]) {
        self.vpc.update(best);
        self.adj_rib_out.update(
            best,
            self.policy.prefix_filter_out(),
            self.enable_route_propagation,
        );
    }

    fn receive(&mut self, update: &Update) {
        let changes = self
            .adj_rib_in
            .apply(update, None, self.policy.prefix_filter_in());
        self.feed_loc_rib(&changes);
    }

    fn set_route_propagation(&mut self, enabled: bool) {
        self.enable_route_propagation = enabled;
        let best = if enabled {
            self.loc_rib.update(&self.adj_rib_in.post_policy_changes())
        } else {
            self.loc_rib.remove_peer(peer(1))
        };
        self.vpc.update(&best);
        self.adj_rib_out.sync(
            self.loc_rib.iter(),
            self.policy.prefix_filter_out(),
            enabled,
        );
    }

    fn set_routing_policy(&mut self, policy: RoutingPolicy) -> (RibChanges, rib::OutDiff) {
        self.policy = policy;
        let changes = self.adj_rib_in.reevaluate(self.policy.prefix_filter_in());
        self.feed_loc_rib(&changes);
        let diff = self.adj_rib_out.sync(
            self.loc_rib.iter(),
            self.policy.prefix_filter_out(),
            self.enable_route_propagation,
        );
        (changes, diff)
    }

    fn vpc_prefixes(&self) -> Vec<IpNet> {
        self.vpc.iter().map(|r| r.prefix).collect()
    }

    fn announced(&self) -> Vec<IpNet> {
        self.adj_rib_out.iter().map(|(p, _)| p).collect()
    }
}

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

fn policy(inbound: &[&str], outbound: &[&str]) -> RoutingPolicy {
    RoutingPolicy::new(
        false,
        inbound.iter().map(|p| net(p)),
        outbound.iter().map(|p| net(p)),
    )
    .unwrap()
}

fn announce(prefixes: &[&str]) -> Update {
    Update {
        attributes: vec![
            PathAttribute::new(AttributeValue::Origin(Origin::Igp)),
            PathAttribute::new(AttributeValue::AsPath(AsPath(vec![AsSegment::Sequence(
                vec![65001],
            )]))),
            PathAttribute::new(AttributeValue::NextHop(Ipv4Addr::new(169, 254, 0, 1))),
        ],
        nlri: prefixes.iter().map(|p| Nlri::new(net(p))).collect(),
        ..Update::default()
    }
}

#[test]
fn propagation_gates_the_vpc_and_the_session() {
    let mut link = Link::new(policy(&["192.168.0.0/16"], &["172.16.0.0/16"]));
    link.receive(&announce(&["192.168.1.0/24", "10.0.0.0/8"]));
    // Propagation is off by default: nothing installed, nothing announced.
    assert!(link.vpc.is_empty());
    assert!(link.announced().is_empty());
    assert_eq!(link.adj_rib_in.len_post(), 1);

    link.set_route_propagation(true);
    assert_eq!(link.vpc_prefixes(), vec![net("192.168.1.0/24")]);
    assert_eq!(link.announced(), vec![net("172.16.0.0/24")]);
    link.receive(&announce(&["192.168.2.0/24"]));
    assert_eq!(
        link.vpc_prefixes(),
        vec![net("192.168.1.0/24"), net("192.168.2.0/24")]
    );

    link.set_route_propagation(false);
    assert!(link.vpc.is_empty());
    assert!(link.announced().is_empty());
    // Routes learned meanwhile are kept in the Adj-RIB-In, and installed once enabled again.
    link.receive(&announce(&["192.168.3.0/24"]));
    assert!(link.vpc.is_empty());
    link.set_route_propagation(true);
    assert_eq!(link.vpc.len(), 3);
}

#[test]
fn set_routing_policy_keeps_what_both_policies_allow() {
    let mut link = Link::new(policy(&["192.168.0.0/16"], &["172.16.0.0/16"]));
    link.set_route_propagation(true);
    link.receive(&announce(&["192.168.1.0/24", "10.1.0.0/16"]));
    let (changes, diff) = link.set_routing_policy(policy(
        &["192.168.0.0/16", "10.0.0.0/8"],
        &["172.16.0.0/15"],
    ));
    // 192.168.1.0/24 and 172.16.0.0/24 are allowed by both: neither withdrawn nor re-sent.
    assert!(changes.withdrawn.is_empty());
    assert_eq!(
        changes
            .announced
            .iter()
            .map(|r| r.prefix)
            .collect::<Vec<_>>(),
        vec![net("10.1.0.0/16")]
    );
    assert!(diff.withdraw.is_empty());
    assert_eq!(
        diff.announce
            .iter()
            .flat_map(|(_, n)| n.iter().map(|n| n.prefix))
            .collect::<Vec<_>>(),
        vec![net("172.17.0.0/24")]
    );
    assert_eq!(
        link.vpc_prefixes(),
        vec![net("10.1.0.0/16"), net("192.168.1.0/24")]
    );
    // Detaching the policy blocks everything.
    let (changes, diff) = link.set_routing_policy(RoutingPolicy::block_all(false));
    assert_eq!(changes.withdrawn.len(), 2);
    assert_eq!(diff.withdraw.len(), 2);
    assert!(link.vpc.is_empty());
}
