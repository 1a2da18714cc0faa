//! A VRF's routes as text, the way a router's `show ip route` prints them.
//!
//! For reports and for people: one line per installed route, with the route's source code
//! (`C` connected, `S` static, `B` BGP), then the routes that were withheld and why, then the
//! BGP sessions that are down. Nothing here is parsed back.

use std::fmt::Write as _;

use crate::fib::{NextHop, RouteSource};
use crate::network::{Error, Network, NodeId};

impl Network {
    /// The routes of `node`'s VRF `vrf`, IPv4 then IPv6, each in prefix order.
    ///
    /// ```
    /// use dataplane::{DEFAULT_VRF, InterfaceConfig, Network, NodeRole};
    ///
    /// let mut net = Network::new();
    /// let lan = net.add_segment("lan").unwrap();
    /// let host = net.add_node("app1", NodeRole::Host).unwrap();
    /// net.add_interface(host, InterfaceConfig::new("eth0", lan).address("172.16.4.10/22".parse().unwrap())).unwrap();
    /// net.add_static_route(host, DEFAULT_VRF, "0.0.0.0/0".parse().unwrap(), "172.16.4.1".parse().unwrap()).unwrap();
    /// assert_eq!(
    ///     net.show_routes(host, DEFAULT_VRF).unwrap(),
    ///     "S  0.0.0.0/0 via 172.16.4.1\nC  172.16.4.0/22 is directly connected, eth0\n"
    /// );
    /// ```
    pub fn show_routes(&self, node: NodeId, vrf: &str) -> Result<String, Error> {
        let table = self.vrf(node, vrf)?;
        let mut out = String::new();
        for route in table.fib().routes() {
            let code = match route.source {
                RouteSource::Connected => 'C',
                RouteSource::Static => 'S',
                RouteSource::Bgp { .. } => 'B',
            };
            let _ = write!(out, "{code}  {} ", route.prefix);
            let _ = match (&route.next_hop, &route.source) {
                (NextHop::Connected(i), _) => {
                    let name = self.interface(*i).map(|i| i.name.as_str()).unwrap_or("?");
                    writeln!(out, "is directly connected, {name}")
                }
                (NextHop::Gateway(gw), RouteSource::Bgp { peer }) => {
                    writeln!(out, "via {gw} (BGP from {peer})")
                }
                (NextHop::Gateway(gw), _) => writeln!(out, "via {gw}"),
            };
        }
        for withheld in table.withheld() {
            let _ = writeln!(out, "   not installed: {withheld}");
        }
        for peer in table.sessions_down() {
            let _ = writeln!(out, "   BGP session with {peer} is down");
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::*;

    #[test]
    fn provider_vrf_with_bgp_withheld_and_down_sessions() {
        let mut net = Network::new();
        let xc = net.add_segment("xc").unwrap();
        let pe = net.add_node("scaleway", NodeRole::Provider).unwrap();
        net.add_vrf(pe, "prod").unwrap();
        let link = InterfaceConfig::new("prod", xc)
            .vrf("prod")
            .vlan(VlanId::new(2001).unwrap())
            .address("169.254.0.0/31".parse().unwrap());
        net.add_interface(pe, link).unwrap();
        let vrf = net.vrf_mut(pe, "prod").unwrap();
        let peer = "link \"prod\"";
        vrf.install_bgp(
            "10.1.0.0/16".parse().unwrap(),
            NextHop::Gateway("169.254.0.1".parse().unwrap()),
            peer,
        );
        vrf.withhold(WithheldRoute::new(
            "10.2.0.0/16".parse().unwrap(),
            peer,
            WithheldReason::FilteredByPolicy {
                filter: "prefix_filter_in".into(),
            },
        ));
        vrf.set_session("link \"backup\"", false);
        assert_eq!(
            net.show_routes(pe, "prod").unwrap(),
            "B  10.1.0.0/16 via 169.254.0.1 (BGP from link \"prod\")\n\
             C  169.254.0.0/31 is directly connected, prod\n   \
             not installed: 10.2.0.0/16 was received from link \"prod\" but rejected by \
             prefix_filter_in\n   \
             BGP session with link \"backup\" is down\n"
        );
        assert!(net.show_routes(pe, "nope").is_err());
    }
}
