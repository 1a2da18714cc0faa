//! The routes installed toward the VPC: the best routes learned from peers, for the data plane
//! to forward by.
//!
//! It follows the Loc-RIB's [`BestChange`]s and keeps the routes learned from a peer, not the
//! ones this speaker originates (the VPC's own subnets). Since a link with route propagation
//! disabled feeds nothing into the Loc-RIB (see [`crate::loc_rib`]), nothing it learned is
//! installed here. It is a view, not a FIB: no next-hop resolution, no ECMP.

use crate::loc_rib::BestChange;
use crate::route::Route;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use prefix_trie::joint::JointPrefixMap;
use std::net::IpAddr;

/// The routes toward the VPC.
#[derive(Clone, Debug, Default)]
pub struct VpcRoutes {
    routes: JointPrefixMap<IpNet, Route>,
}

impl VpcRoutes {
    /// No route installed.
    pub fn new() -> Self {
        Self::default()
    }

    /// Installs or removes routes as the Loc-RIB's best routes changed; returns how many
    /// destinations changed.
    pub fn update(&mut self, changes: &[BestChange]) -> usize {
        let mut changed = 0;
        for c in changes {
            let prefix = c.prefix.trunc();
            let installed = match c.best.as_ref().filter(|r| !r.peer.is_local()) {
                Some(r) => self.routes.insert(prefix, r.clone()).as_ref() != Some(r),
                None => self.routes.remove(&prefix).is_some(),
            };
            changed += usize::from(installed);
        }
        changed
    }

    /// The route installed for exactly this prefix.
    pub fn get(&self, prefix: &IpNet) -> Option<&Route> {
        self.routes.get(&prefix.trunc())
    }

    /// The most specific route covering an address (longest-prefix match).
    pub fn lookup(&self, addr: IpAddr) -> Option<&Route> {
        let host = match addr {
            IpAddr::V4(a) => IpNet::V4(Ipv4Net::from(a)),
            IpAddr::V6(a) => IpNet::V6(Ipv6Net::from(a)),
        };
        self.routes.get_lpm(&host).map(|(_, r)| r)
    }

    /// The installed routes, in prefix order (IPv4 first).
    pub fn iter(&self) -> impl Iterator<Item = &Route> + '_ {
        self.routes.iter().map(|(_, r)| r)
    }

    /// The number of routes installed.
    pub fn len(&self) -> usize {
        self.routes.len()
    }

    /// Whether no route is installed.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    /// Removes every route (the VPC was detached).
    pub fn clear(&mut self) {
        self.routes = JointPrefixMap::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::PeerId;
    use crate::test_support::{attrs, net, peer};
    use std::sync::Arc;

    fn best(prefix: &str, from: PeerId) -> BestChange {
        BestChange {
            prefix: net(prefix),
            best: Some(Route {
                prefix: net(prefix),
                path_id: None,
                attributes: Arc::new(attrs()),
                peer: from,
            }),
        }
    }

    #[test]
    fn installs_learned_routes_and_not_local_ones() {
        let mut vpc = VpcRoutes::new();
        let local = PeerId::local("192.0.2.254".parse().unwrap(), 12876);
        let n = vpc.update(&[
            best("10.0.0.0/8", peer(1)),
            best("10.1.0.0/16", peer(2)),
            best("172.16.0.0/12", local),
        ]);
        assert_eq!(n, 2);
        assert_eq!(vpc.len(), 2);
        assert_eq!(
            vpc.lookup("10.1.2.3".parse().unwrap()).unwrap().peer,
            peer(2)
        );
        assert_eq!(
            vpc.lookup("10.2.0.1".parse().unwrap()).unwrap().peer,
            peer(1)
        );
        assert!(vpc.lookup("172.16.0.1".parse().unwrap()).is_none());
        let gone = BestChange {
            prefix: net("10.1.0.0/16"),
            best: None,
        };
        assert_eq!(vpc.update(std::slice::from_ref(&gone)), 1);
        assert_eq!(vpc.update(&[gone]), 0);
        assert_eq!(
            vpc.lookup("10.1.2.3".parse().unwrap()).unwrap().peer,
            peer(1)
        );
        // A best route that becomes local is uninstalled.
        assert_eq!(vpc.update(&[best("10.0.0.0/8", local)]), 1);
        assert!(vpc.is_empty());
    }
}
