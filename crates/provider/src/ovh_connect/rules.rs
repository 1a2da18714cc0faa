//! The addressing rules of OVHcloud Connect, as pure functions of the request.
//!
//! - l3 PoP: a /30 given by its network address; OVH takes the first usable address, the
//!   customer the second; `customerBgpArea` and `ovhBgpArea` are required.
//! - l2 PoP / l2 datacenter: no BGP field and no subnet.
//! - l3 datacenter: `ovhBgpArea` and a subnet of /28 or larger (a shorter prefix).
//! - Extras: `network` needs `nextHop` and `subnet`, `bgp` needs `bgpNeighborArea` and
//!   `bgpNeighborIp`; `nextHop` and `bgpNeighborIp` lie inside the datacenter subnet and are not
//!   its network, broadcast or gateway address.
//!
//! Our choices where OVH says nothing: ASNs are 1–4294967295 except 0 and the reserved
//! AS_TRANS 23456; the datacenter's gateway (the VRRP virtual address, and OVH's address in a
//! `bgp` extra's session) is the subnet's first usable address.

use super::error::OvhError;
use super::types::{ExtraType, PopType};
use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// The checked fields of an l3 PoP configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct L3Pop {
    /// The customer's ASN.
    pub customer_bgp_area: u32,
    /// OVH's ASN.
    pub ovh_bgp_area: u32,
    /// The /30.
    pub subnet: Ipv4Net,
}

impl L3Pop {
    /// OVH's address: the /30's first usable address.
    pub fn ovh_address(&self) -> Ipv4Addr {
        nth(self.subnet, 1)
    }

    /// The customer's address: the /30's second usable address.
    pub fn customer_address(&self) -> Ipv4Addr {
        nth(self.subnet, 2)
    }
}

/// The `n`th address of `net` (saturating inside the address space).
pub fn nth(net: Ipv4Net, n: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(net.network()).saturating_add(n))
}

/// The gateway of a datacenter subnet: its first usable address.
pub fn gateway(subnet: Ipv4Net) -> Ipv4Addr {
    nth(subnet, 1)
}

/// One of OVH's two routers of a datacenter's VRRP gateway.
///
/// Our choice of addressing, where OVH says nothing: the virtual address is the subnet's first
/// usable address (the [`gateway`] the customer's hosts use), `A` sends from the second with
/// priority 200, `B` from the third with priority 100, so `A` wins the election. The VRID is
/// the configuration's ID folded into 1..=255 ([`vrid`]). This is the one place these facts
/// live: the in-memory election, the data-plane model and the real speakers all read them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum VrrpRouter {
    /// The preferred router.
    A,
    /// The backup.
    B,
}

impl VrrpRouter {
    /// Both, `A` first.
    pub const ALL: [VrrpRouter; 2] = [VrrpRouter::A, VrrpRouter::B];

    /// `A` or `B`.
    pub fn name(self) -> &'static str {
        match self {
            VrrpRouter::A => "A",
            VrrpRouter::B => "B",
        }
    }

    /// The router called `name` (`A` or `B`).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.name() == name)
    }

    /// Its VRRP priority.
    pub fn priority(self) -> u8 {
        match self {
            VrrpRouter::A => 200,
            VrrpRouter::B => 100,
        }
    }

    /// The address it sends from in the datacenter `subnet`.
    pub fn address(self, subnet: Ipv4Net) -> Ipv4Addr {
        match self {
            VrrpRouter::A => nth(subnet, 2),
            VrrpRouter::B => nth(subnet, 3),
        }
    }
}

/// The VRID of datacenter configuration `datacenter_config_id`'s gateway.
pub fn vrid(datacenter_config_id: u64) -> u8 {
    u8::try_from(datacenter_config_id % 255 + 1).unwrap_or(1)
}

fn asn(name: &str, value: Option<u32>) -> Result<u32, OvhError> {
    match value {
        None => Err(OvhError::bad_request(format!(
            "Missing parameter: {name} is required"
        ))),
        Some(0) | Some(23456) => Err(OvhError::bad_request(format!(
            "Invalid value for {name}: {} is not a usable AS number",
            value.unwrap_or_default()
        ))),
        Some(a) => Ok(a),
    }
}

/// An IPv4 prefix given by its network address.
pub fn prefix(name: &str, text: Option<&str>) -> Result<Ipv4Net, OvhError> {
    let text = text
        .ok_or_else(|| OvhError::bad_request(format!("Missing parameter: {name} is required")))?;
    let net: Ipv4Net = text.parse().map_err(|_| {
        OvhError::bad_request(format!(
            "Invalid value for {name}: {text:?} is not an IPv4 block"
        ))
    })?;
    if net.network() != net.addr() {
        return Err(OvhError::bad_request(format!(
            "Invalid value for {name}: {text} is not a network address (did you mean {}?)",
            net.trunc()
        )));
    }
    Ok(net)
}

fn address(name: &str, text: Option<&str>) -> Result<Ipv4Addr, OvhError> {
    let text = text
        .ok_or_else(|| OvhError::bad_request(format!("Missing parameter: {name} is required")))?;
    text.parse().map_err(|_| {
        OvhError::bad_request(format!(
            "Invalid value for {name}: {text:?} is not an IPv4 address"
        ))
    })
}

fn absent<T>(kind: &str, name: &str, value: &Option<T>) -> Result<(), OvhError> {
    match value {
        None => Ok(()),
        Some(_) => Err(OvhError::bad_request(format!(
            "{name} is not allowed on an {kind} configuration"
        ))),
    }
}

/// Checks a PoP configuration's fields: `None` for l2, the l3 fields otherwise.
pub fn pop(
    kind: PopType,
    customer_bgp_area: Option<u32>,
    ovh_bgp_area: Option<u32>,
    subnet: Option<&str>,
) -> Result<Option<L3Pop>, OvhError> {
    match kind {
        PopType::L2 => {
            absent("l2", "customerBgpArea", &customer_bgp_area)?;
            absent("l2", "ovhBgpArea", &ovh_bgp_area)?;
            absent("l2", "subnet", &subnet)?;
            Ok(None)
        }
        PopType::L3 => {
            let customer_bgp_area = asn("customerBgpArea", customer_bgp_area)?;
            let ovh_bgp_area = asn("ovhBgpArea", ovh_bgp_area)?;
            let subnet = prefix("subnet", subnet)?;
            if subnet.prefix_len() != 30 {
                return Err(OvhError::bad_request(format!(
                    "Invalid value for subnet: an l3 PoP configuration takes a /30, not a /{}",
                    subnet.prefix_len()
                )));
            }
            if customer_bgp_area == ovh_bgp_area {
                return Err(OvhError::bad_request(
                    "customerBgpArea and ovhBgpArea must differ (the session is eBGP)",
                ));
            }
            Ok(Some(L3Pop {
                customer_bgp_area,
                ovh_bgp_area,
                subnet,
            }))
        }
    }
}

/// The checked fields of an l3 datacenter configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct L3Datacenter {
    /// OVH's ASN in the datacenter.
    pub ovh_bgp_area: u32,
    /// The subnet.
    pub subnet: Ipv4Net,
}

/// Checks a datacenter configuration's fields for a PoP of type `kind`.
pub fn datacenter(
    kind: PopType,
    ovh_bgp_area: Option<u32>,
    subnet: Option<&str>,
) -> Result<Option<L3Datacenter>, OvhError> {
    match kind {
        PopType::L2 => {
            absent("l2", "ovhBgpArea", &ovh_bgp_area)?;
            absent("l2", "subnet", &subnet)?;
            Ok(None)
        }
        PopType::L3 => {
            let ovh_bgp_area = asn("ovhBgpArea", ovh_bgp_area)?;
            let subnet = prefix("subnet", subnet)?;
            if subnet.prefix_len() > 28 {
                return Err(OvhError::bad_request(format!(
                    "Invalid value for subnet: a datacenter configuration takes a /28 or larger, not a /{}",
                    subnet.prefix_len()
                )));
            }
            Ok(Some(L3Datacenter {
                ovh_bgp_area,
                subnet,
            }))
        }
    }
}

/// A checked extra.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Extra {
    /// A static route.
    Network {
        /// The prefix.
        subnet: Ipv4Net,
        /// The gateway in the datacenter subnet.
        next_hop: Ipv4Addr,
    },
    /// A BGP session.
    Bgp {
        /// The neighbor's ASN.
        area: u32,
        /// The neighbor's address in the datacenter subnet.
        ip: Ipv4Addr,
    },
}

/// An address a customer device may use in `subnet`: inside, and not its network, broadcast or
/// gateway address.
fn host_in(name: &str, ip: Ipv4Addr, subnet: Ipv4Net) -> Result<(), OvhError> {
    if !subnet.contains(&ip) {
        return Err(OvhError::bad_request(format!(
            "Invalid value for {name}: {ip} is not in the datacenter subnet {subnet}"
        )));
    }
    if ip == subnet.network() || ip == subnet.broadcast() || ip == gateway(subnet) {
        return Err(OvhError::bad_request(format!(
            "Invalid value for {name}: {ip} is reserved in {subnet} (network, broadcast or OVH's gateway {})",
            gateway(subnet)
        )));
    }
    Ok(())
}

/// Checks an extra's fields against its datacenter's `subnet`.
pub fn extra(
    kind: ExtraType,
    dc_subnet: Ipv4Net,
    bgp_neighbor_area: Option<u32>,
    bgp_neighbor_ip: Option<&str>,
    next_hop: Option<&str>,
    subnet: Option<&str>,
) -> Result<Extra, OvhError> {
    match kind {
        ExtraType::Network => {
            absent("network", "bgpNeighborArea", &bgp_neighbor_area)?;
            absent("network", "bgpNeighborIp", &bgp_neighbor_ip)?;
            let next_hop = address("nextHop", next_hop)?;
            let subnet = prefix("subnet", subnet)?;
            host_in("nextHop", next_hop, dc_subnet)?;
            Ok(Extra::Network { subnet, next_hop })
        }
        ExtraType::Bgp => {
            absent("bgp", "nextHop", &next_hop)?;
            absent("bgp", "subnet", &subnet)?;
            let area = asn("bgpNeighborArea", bgp_neighbor_area)?;
            let ip = address("bgpNeighborIp", bgp_neighbor_ip)?;
            host_in("bgpNeighborIp", ip, dc_subnet)?;
            Ok(Extra::Bgp { area, ip })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l3_pop_takes_a_slash_30_with_both_asns() {
        let p = pop(PopType::L3, Some(65001), Some(65002), Some("192.0.2.0/30"))
            .unwrap()
            .unwrap();
        assert_eq!(p.ovh_address(), Ipv4Addr::new(192, 0, 2, 1));
        assert_eq!(p.customer_address(), Ipv4Addr::new(192, 0, 2, 2));
        for bad in [
            "192.0.2.0/29",
            "192.0.2.0/31",
            "192.0.2.1/30",
            "nope",
            "2001:db8::/126",
        ] {
            let e = pop(PopType::L3, Some(65001), Some(65002), Some(bad)).unwrap_err();
            assert_eq!(e.status, 400, "{bad}");
        }
        assert!(pop(PopType::L3, None, Some(65002), Some("192.0.2.0/30")).is_err());
        assert!(pop(PopType::L3, Some(65001), None, Some("192.0.2.0/30")).is_err());
        assert!(pop(PopType::L3, Some(65001), Some(65002), None).is_err());
        assert!(pop(PopType::L3, Some(65001), Some(65001), Some("192.0.2.0/30")).is_err());
        assert!(pop(PopType::L3, Some(0), Some(65001), Some("192.0.2.0/30")).is_err());
    }

    #[test]
    fn l2_pop_takes_no_l3_field() {
        assert_eq!(pop(PopType::L2, None, None, None).unwrap(), None);
        assert!(pop(PopType::L2, Some(65001), None, None).is_err());
        assert!(pop(PopType::L2, None, None, Some("192.0.2.0/30")).is_err());
    }

    #[test]
    fn l3_datacenter_takes_a_slash_28_or_larger() {
        for ok in ["10.0.0.0/28", "10.0.0.0/24", "10.0.0.0/16"] {
            assert!(
                datacenter(PopType::L3, Some(65010), Some(ok)).is_ok(),
                "{ok}"
            );
        }
        for bad in ["10.0.0.0/29", "10.0.0.0/30", "10.0.0.8/28", "x"] {
            assert_eq!(
                datacenter(PopType::L3, Some(65010), Some(bad))
                    .unwrap_err()
                    .status,
                400,
                "{bad}"
            );
        }
        assert!(datacenter(PopType::L3, None, Some("10.0.0.0/28")).is_err());
        assert!(datacenter(PopType::L2, Some(1), None).is_err());
        assert_eq!(datacenter(PopType::L2, None, None).unwrap(), None);
    }

    #[test]
    fn next_hop_and_neighbor_lie_inside_the_datacenter_subnet() {
        let dc: Ipv4Net = "10.0.0.0/28".parse().unwrap();
        let ok = extra(
            ExtraType::Network,
            dc,
            None,
            None,
            Some("10.0.0.5"),
            Some("172.20.0.0/16"),
        )
        .unwrap();
        assert!(matches!(ok, Extra::Network { .. }));
        for hop in ["10.0.0.16", "10.0.0.0", "10.0.0.15", "10.0.0.1", "bad"] {
            let e = extra(
                ExtraType::Network,
                dc,
                None,
                None,
                Some(hop),
                Some("172.20.0.0/16"),
            )
            .unwrap_err();
            assert_eq!(e.status, 400, "{hop}");
        }
        let ok = extra(
            ExtraType::Bgp,
            dc,
            Some(65100),
            Some("10.0.0.4"),
            None,
            None,
        )
        .unwrap();
        assert_eq!(
            ok,
            Extra::Bgp {
                area: 65100,
                ip: Ipv4Addr::new(10, 0, 0, 4)
            }
        );
        assert!(
            extra(
                ExtraType::Bgp,
                dc,
                Some(65100),
                Some("10.9.0.4"),
                None,
                None
            )
            .is_err()
        );
        assert!(extra(ExtraType::Bgp, dc, None, Some("10.0.0.4"), None, None).is_err());
        assert!(
            extra(
                ExtraType::Bgp,
                dc,
                Some(65100),
                Some("10.0.0.4"),
                Some("10.0.0.5"),
                None
            )
            .is_err()
        );
    }
}
