//! The subnets of a new private network: what the caller may ask for, and what is chosen for
//! the family it does not give.
//!
//! Every private network has an IPv4 and an IPv6 subnet (Scaleway's VPC concepts page). The
//! rules below are our choices where Scaleway publishes none, each checked against the live
//! API's recorded answers (terraform-provider-scaleway's cassettes), never contradicting them:
//!
//! - an entry is a CIDR with no host bits (`172.16.32.0/22`, `fd46:78ab:30b8:177c::/64`):
//!   otherwise `invalid_arguments` (`format`, or `constraint` for host bits) on `subnets.N`;
//! - IPv4: inside RFC 1918 space (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16), from /20 to /28
//!   (every recorded one, /22 and /24, lies in that range); at most one, as terraform's
//!   `ipv4_subnet` holds one;
//! - IPv6: a /64 inside fd00::/8 (unique local addresses, as every recorded one is);
//! - at most [`MAX_SUBNETS`] entries, none overlapping another or a subnet of another private
//!   network of the same VPC (a VPC is one routing domain; two VPCs may reuse a range);
//! - no IPv4 given: the lowest free /22 of 172.16.0.0/12 in the VPC (the live API hands out
//!   /22s from there, `172.16.52.0/22`, `172.17.44.0/22`); none free is `out_of_stock`;
//! - no IPv6 given: a /64 derived from the network's ID, as for catalogue networks.

use crate::error::{ArgumentError, ArgumentReason, ProviderError};
use crate::ipam::derived_ipv6_subnet;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::net::{Ipv4Addr, Ipv6Addr};
use uuid::Uuid;

/// At most this many subnets in one request (our bound: a request cannot grow the state
/// without limit).
pub const MAX_SUBNETS: usize = 8;

/// Where IPv4 subnets may come from.
const RFC1918: [(Ipv4Addr, u8); 3] = [
    (Ipv4Addr::new(10, 0, 0, 0), 8),
    (Ipv4Addr::new(172, 16, 0, 0), 12),
    (Ipv4Addr::new(192, 168, 0, 0), 16),
];

/// The IPv4 prefix lengths accepted.
const IPV4_LENGTHS: std::ops::RangeInclusive<u8> = 20..=28;

/// Where automatic IPv4 subnets come from, and their length.
const AUTO_IPV4_POOL: (Ipv4Addr, u8) = (Ipv4Addr::new(172, 16, 0, 0), 12);
const AUTO_IPV4_LEN: u8 = 22;

fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

fn in_rfc1918(net: &Ipv4Net) -> bool {
    RFC1918
        .iter()
        .any(|(addr, len)| Ipv4Net::new(*addr, *len).is_ok_and(|space| space.contains(net)))
}

/// Checks one requested entry; gives the prefix or the refusal.
fn check_entry(argument: &str, text: &str) -> Result<IpNet, ArgumentError> {
    let net: IpNet = text.trim().parse().map_err(|_| {
        ArgumentError::new(
            argument,
            ArgumentReason::Format,
            "must be a CIDR like 172.16.32.0/22 or fd46:78ab:30b8:177c::/64",
        )
    })?;
    if net != net.trunc() {
        return Err(ArgumentError::new(
            argument,
            ArgumentReason::Constraint,
            format!("has host bits set: the network is {}", net.trunc()),
        ));
    }
    match net {
        IpNet::V4(v4) if !in_rfc1918(&v4) => Err(ArgumentError::new(
            argument,
            ArgumentReason::Constraint,
            "must be inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16",
        )),
        IpNet::V4(v4) if !IPV4_LENGTHS.contains(&v4.prefix_len()) => Err(ArgumentError::new(
            argument,
            ArgumentReason::Constraint,
            "the prefix length must be between /20 and /28",
        )),
        IpNet::V6(v6) if v6.prefix_len() != 64 || v6.addr().segments()[0] & 0xff00 != 0xfd00 => {
            Err(ArgumentError::new(
                argument,
                ArgumentReason::Constraint,
                "must be a /64 inside fd00::/8",
            ))
        }
        _ => Ok(net),
    }
}

/// The subnets of a new private network `pn_id`: the `requested` ones checked, plus one of each
/// missing family; `taken` are the subnets of the VPC's other private networks.
pub(crate) fn plan(
    requested: &[String],
    taken: &[IpNet],
    pn_id: Uuid,
) -> Result<Vec<IpNet>, ProviderError> {
    if requested.len() > MAX_SUBNETS {
        return Err(ProviderError::constraint(
            "subnets",
            format!("at most {MAX_SUBNETS} subnets"),
        ));
    }
    let mut details = Vec::new();
    let mut nets: Vec<IpNet> = Vec::new();
    for (i, text) in requested.iter().enumerate() {
        let argument = format!("subnets.{i}");
        let net = match check_entry(&argument, text) {
            Ok(net) => net,
            Err(e) => {
                details.push(e);
                continue;
            }
        };
        if net.addr().is_ipv4() && nets.iter().any(|n| n.addr().is_ipv4()) {
            details.push(ArgumentError::new(
                argument,
                ArgumentReason::Constraint,
                "a private network has one IPv4 subnet",
            ));
        } else if let Some(other) = nets.iter().chain(taken).find(|n| overlaps(n, &net)) {
            details.push(ArgumentError::new(
                argument,
                ArgumentReason::Constraint,
                format!("overlaps {other}, already a subnet of this VPC"),
            ));
        } else {
            nets.push(net);
        }
    }
    if !details.is_empty() {
        return Err(ProviderError::InvalidArguments { details });
    }
    if !nets.iter().any(|n| n.addr().is_ipv4()) {
        let auto = free_ipv4(taken).ok_or_else(|| ProviderError::OutOfStock {
            resource: "private_network_subnet".to_string(),
        })?;
        nets.insert(0, IpNet::V4(auto));
    }
    if !nets.iter().any(|n| n.addr().is_ipv6()) {
        nets.push(free_ipv6(taken, pn_id));
    }
    Ok(nets)
}

/// The lowest /22 of 172.16.0.0/12 that overlaps nothing in `taken`.
fn free_ipv4(taken: &[IpNet]) -> Option<Ipv4Net> {
    let (base, len) = AUTO_IPV4_POOL;
    let pool = Ipv4Net::new(base, len).ok()?;
    pool.subnets(AUTO_IPV4_LEN)
        .ok()?
        .find(|candidate| !taken.iter().any(|t| overlaps(t, &IpNet::V4(*candidate))))
}

/// The /64 derived from the network's ID, or the next one up that overlaps nothing.
fn free_ipv6(taken: &[IpNet], pn_id: Uuid) -> IpNet {
    let first = derived_ipv6_subnet(pn_id);
    let base = u128::from(match first {
        IpNet::V6(v6) => v6.network(),
        IpNet::V4(_) => Ipv6Addr::UNSPECIFIED,
    });
    (0u128..)
        .map(|step| {
            // Stays inside the same fdXX::/8 by wrapping within the /64 index bits.
            let bits = (base & !(0xffff_u128 << 64)) | ((((base >> 64) + step) & 0xffff) << 64);
            IpNet::V6(Ipv6Net::new_assert(Ipv6Addr::from(bits), 64))
        })
        .take(0x1_0000)
        .find(|candidate| !taken.iter().any(|t| overlaps(t, candidate)))
        .unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn refused(requested: &[&str], taken: &[&str]) -> Vec<(String, ArgumentReason)> {
        match plan(&strings(requested), &nets(taken), Uuid::nil()) {
            Err(ProviderError::InvalidArguments { details }) => details
                .into_iter()
                .map(|d| (d.argument_name, d.reason))
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn what_is_given_is_kept_and_the_missing_family_is_chosen() {
        let id = Uuid::from_u128(0x1234_5678_9abc_def0_1122_3344_5566_7788);
        let got = plan(&strings(&["172.16.32.0/22"]), &[], id).unwrap();
        assert_eq!(got[0].to_string(), "172.16.32.0/22");
        assert_eq!(got[1], derived_ipv6_subnet(id));
        let got = plan(&strings(&["fd46:78ab:30b8:177c::/64"]), &[], id).unwrap();
        assert_eq!(got[0].to_string(), "172.16.0.0/22");
        assert_eq!(got[1].to_string(), "fd46:78ab:30b8:177c::/64");
    }

    #[test]
    fn automatic_ipv4_skips_what_the_vpc_uses() {
        let taken = nets(&["172.16.0.0/22", "172.16.4.0/24"]);
        let got = plan(&[], &taken, Uuid::nil()).unwrap();
        assert_eq!(got[0].to_string(), "172.16.8.0/22");
        assert!(got[1].addr().is_ipv6());
    }

    #[test]
    fn the_automatic_ipv4_pool_runs_out() {
        let taken = nets(&["172.16.0.0/12"]);
        let e = plan(&[], &taken, Uuid::nil()).unwrap_err();
        assert_eq!(e.error_type(), "out_of_stock");
    }

    #[test]
    fn automatic_ipv6_moves_off_a_taken_prefix() {
        let id = Uuid::from_u128(7);
        let derived = derived_ipv6_subnet(id);
        let got = plan(&strings(&["10.0.0.0/24"]), &[derived], id).unwrap();
        assert_ne!(got[1], derived);
        assert!(!overlaps(&got[1], &derived));
    }

    #[test]
    fn bad_entries_are_named_by_index() {
        let got = refused(
            &[
                "nope",
                "10.0.0.1/24",
                "8.8.8.0/24",
                "10.0.0.0/16",
                "2001:db8::/64",
                "fd00::/48",
            ],
            &[],
        );
        let want = vec![
            ("subnets.0".to_string(), ArgumentReason::Format),
            ("subnets.1".to_string(), ArgumentReason::Constraint),
            ("subnets.2".to_string(), ArgumentReason::Constraint),
            ("subnets.3".to_string(), ArgumentReason::Constraint),
            ("subnets.4".to_string(), ArgumentReason::Constraint),
            ("subnets.5".to_string(), ArgumentReason::Constraint),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn overlaps_and_a_second_ipv4_are_refused() {
        let got = refused(&["10.0.0.0/24", "10.0.1.0/24"], &[]);
        assert_eq!(
            got,
            vec![("subnets.1".to_string(), ArgumentReason::Constraint)]
        );
        let got = refused(&["172.16.2.0/24"], &["172.16.0.0/22"]);
        assert_eq!(
            got,
            vec![("subnets.0".to_string(), ArgumentReason::Constraint)]
        );
        let got = refused(&["fd00:0:0:1::/64", "fd00:0:0:1::/64"], &[]);
        assert_eq!(
            got,
            vec![("subnets.1".to_string(), ArgumentReason::Constraint)]
        );
    }

    #[test]
    fn the_list_is_bounded() {
        let many: Vec<String> = (0..=MAX_SUBNETS)
            .map(|i| format!("fd00:0:0:{i}::/64"))
            .collect();
        let e = plan(&many, &[], Uuid::nil()).unwrap_err();
        assert_eq!(e.body()["details"][0]["argument_name"], "subnets");
    }
}
