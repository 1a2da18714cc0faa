//! Address arithmetic: which addresses of a subnet may be handed out, the lowest free one, and the
//! pool of links' /31 + /127 blocks.
//!
//! Reserved in a private network's subnet (never handed out), as on Scaleway, where the first
//! address IPAM gives in `172.16.12.0/22` is `172.16.12.2`:
//! - IPv4: the network address, the first host address (the gateway) and the broadcast address;
//! - IPv6: the subnet-router anycast address (`::`) and `::1` (the gateway).
//!
//! Subnets of prefix length /31, /32, /127 or /128 reserve nothing.

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An address as a number (IPv4 in the low 32 bits).
pub(crate) fn addr_bits(addr: IpAddr) -> u128 {
    match addr {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

fn bits_addr(v6: bool, bits: u128) -> IpAddr {
    if v6 {
        IpAddr::V6(Ipv6Addr::from(bits))
    } else {
        IpAddr::V4(Ipv4Addr::from(u32::try_from(bits).unwrap_or(u32::MAX)))
    }
}

/// The first and last addresses that may be handed out in a subnet.
pub(crate) fn usable_range(net: IpNet) -> (u128, u128) {
    let first = addr_bits(net.network());
    let last = addr_bits(net.broadcast());
    let v6 = matches!(net, IpNet::V6(_));
    let small = if v6 {
        net.prefix_len() >= 127
    } else {
        net.prefix_len() >= 31
    };
    if small {
        (first, last)
    } else if v6 {
        (first + 2, last)
    } else {
        (first + 2, last - 1)
    }
}

/// Whether `addr` may be handed out in `net`.
pub(crate) fn is_usable(net: IpNet, addr: IpAddr) -> bool {
    if !net.contains(&addr) {
        return false;
    }
    let (lo, hi) = usable_range(net);
    let a = addr_bits(addr);
    lo <= a && a <= hi
}

/// The lowest usable address of `net` that is not in `taken`.
pub(crate) fn lowest_free(net: IpNet, taken: &BTreeSet<IpAddr>) -> Option<IpAddr> {
    let (lo, hi) = usable_range(net);
    let v6 = matches!(net, IpNet::V6(_));
    let mut candidate = lo;
    let start = bits_addr(v6, lo);
    for t in taken.range(start..) {
        let t = addr_bits(*t);
        if t > candidate || t > hi {
            break;
        }
        if t == candidate {
            candidate = candidate.checked_add(1)?;
        }
    }
    (candidate <= hi).then(|| bits_addr(v6, candidate))
}

/// The address `addr` with the prefix length of `net`.
pub(crate) fn with_prefix(addr: IpAddr, net: IpNet) -> IpNet {
    match addr {
        IpAddr::V4(a) => IpNet::V4(Ipv4Net::new_assert(a, net.prefix_len().min(32))),
        IpAddr::V6(a) => IpNet::V6(Ipv6Net::new_assert(a, net.prefix_len().min(128))),
    }
}

/// The links' address pool: block `i` is the `i`-th /31 of the IPv4 pool and the `i`-th /127 of
/// the IPv6 pool.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct LinkPool {
    pub v4: Ipv4Net,
    pub v6: Ipv6Net,
}

impl LinkPool {
    /// How many blocks the pool has (the smaller of the two families).
    pub fn capacity(&self) -> u64 {
        let v4 = 1u64 << (31u8.saturating_sub(self.v4.prefix_len()).min(63));
        let v6_bits = 127u8.saturating_sub(self.v6.prefix_len()).min(63);
        v4.min(1u64 << v6_bits)
    }

    /// Block `index`.
    pub fn block(&self, index: u64) -> (Ipv4Net, Ipv6Net) {
        let v4_base = u32::from(self.v4.network());
        let v6_base = u128::from(self.v6.network());
        let offset4 = u32::try_from(index.saturating_mul(2)).unwrap_or(u32::MAX);
        let v4 = Ipv4Addr::from(v4_base.wrapping_add(offset4));
        let v6 = Ipv6Addr::from(v6_base.wrapping_add(u128::from(index) * 2));
        (Ipv4Net::new_assert(v4, 31), Ipv6Net::new_assert(v6, 127))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    fn addr(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ipv4_reserves_network_gateway_broadcast() {
        let n = net("172.16.12.0/22");
        assert!(!is_usable(n, addr("172.16.12.0")));
        assert!(!is_usable(n, addr("172.16.12.1")));
        assert!(is_usable(n, addr("172.16.12.2")));
        assert!(is_usable(n, addr("172.16.15.254")));
        assert!(!is_usable(n, addr("172.16.15.255")));
        assert!(!is_usable(n, addr("172.16.16.2")));
        assert_eq!(lowest_free(n, &BTreeSet::new()), Some(addr("172.16.12.2")));
    }

    #[test]
    fn ipv6_reserves_anycast_and_gateway() {
        let n = net("fd5c:a1e0:0:1::/64");
        assert!(!is_usable(n, addr("fd5c:a1e0:0:1::")));
        assert!(!is_usable(n, addr("fd5c:a1e0:0:1::1")));
        assert!(is_usable(n, addr("fd5c:a1e0:0:1:ffff:ffff:ffff:ffff")));
        assert_eq!(
            lowest_free(n, &BTreeSet::new()),
            Some(addr("fd5c:a1e0:0:1::2"))
        );
    }

    #[test]
    fn lowest_free_skips_taken_and_fills_holes() {
        let n = net("10.0.0.0/29"); // usable .2 .. .6
        let mut taken: BTreeSet<IpAddr> = ["10.0.0.2", "10.0.0.3", "10.0.0.5"]
            .iter()
            .map(|a| addr(a))
            .collect();
        assert_eq!(lowest_free(n, &taken), Some(addr("10.0.0.4")));
        taken.insert(addr("10.0.0.4"));
        assert_eq!(lowest_free(n, &taken), Some(addr("10.0.0.6")));
        taken.insert(addr("10.0.0.6"));
        assert_eq!(lowest_free(n, &taken), None);
    }

    #[test]
    fn link_pool_blocks() {
        let pool = LinkPool {
            v4: "169.254.0.0/16".parse().unwrap(),
            v6: "fd12:876::/48".parse().unwrap(),
        };
        assert_eq!(pool.capacity(), 32768);
        let (v4, v6) = pool.block(3);
        assert_eq!(v4.to_string(), "169.254.0.6/31");
        assert_eq!(v6.to_string(), "fd12:876::6/127");
        let (v4, _) = pool.block(32767);
        assert_eq!(v4.to_string(), "169.254.255.254/31");
    }
}
