//! Prefix filter semantics against a linear-scan model.

mod common;

use common::*;
use ipnet::IpNet;
use proptest::prelude::*;
use rib::{PrefixFilter, PrefixFilterError, RoutingPolicy};

proptest! {
    /// `admits` answers exactly "some entry contains the route" (equal or more specific).
    #[test]
    fn v4_admits_is_any_entry_contains(
        entries in proptest::collection::vec(v4_prefix(), 0..12),
        routes in proptest::collection::vec(v4_prefix_raw(), 1..40),
    ) {
        let filter = v4_filter(&entries);
        for r in &routes {
            prop_assert_eq!(filter.admits(r), linear_admits(&entries, r), "route {}", r);
        }
    }

    #[test]
    fn v6_admits_is_any_entry_contains(
        entries in proptest::collection::vec(v6_prefix(), 0..12),
        routes in proptest::collection::vec(v6_prefix(), 1..40),
    ) {
        let filter = PrefixFilter::new(true, entries.iter().copied()).unwrap();
        for r in &routes {
            prop_assert_eq!(filter.admits(r), linear_admits(&entries, r), "route {}", r);
        }
    }

    /// The admitting entry is the least specific one containing the route.
    #[test]
    fn admitting_entry_is_the_shortest_cover(
        entries in proptest::collection::vec(v4_prefix(), 0..12),
        route in v4_prefix_raw(),
    ) {
        let filter = v4_filter(&entries);
        let model = entries.iter().filter(|e| e.contains(&route)).min_by_key(|e| e.prefix_len());
        prop_assert_eq!(filter.admitting_entry(&route), model.copied());
    }

    /// A filter of one family admits nothing of the other.
    #[test]
    fn other_family_is_blocked(v4 in v4_prefix(), v6 in v6_prefix()) {
        let all_v4 = PrefixFilter::new(false, ["0.0.0.0/0".parse().unwrap()]).unwrap();
        let all_v6 = PrefixFilter::new(true, ["::/0".parse().unwrap()]).unwrap();
        prop_assert!(all_v4.admits(&v4) && !all_v4.admits(&v6));
        prop_assert!(all_v6.admits(&v6) && !all_v6.admits(&v4));
    }

    /// Entries are accepted exactly when they are of the policy's family and have no host bits;
    /// the error says which rule and which filter.
    #[test]
    fn policy_validation(entry in prop_oneof![v4_prefix_raw(), v6_prefix()], is_ipv6 in any::<bool>(), outbound in any::<bool>()) {
        let (inbound, out) = if outbound { (vec![], vec![entry]) } else { (vec![entry], vec![]) };
        let result = RoutingPolicy::new(is_ipv6, inbound, out);
        let right_family = matches!(entry, IpNet::V6(_)) == is_ipv6;
        let clean = entry.addr() == entry.network();
        match result {
            Ok(p) => {
                prop_assert!(right_family && clean);
                prop_assert_eq!(p.is_ipv6(), is_ipv6);
                let f = if outbound { p.prefix_filter_out() } else { p.prefix_filter_in() };
                prop_assert_eq!(f.entries(), vec![entry]);
            }
            Err(e) => {
                prop_assert_eq!(e.field, if outbound { "prefix_filter_out" } else { "prefix_filter_in" });
                match e.source {
                    PrefixFilterError::HostBitsSet { network, .. } => {
                        prop_assert!(!clean);
                        prop_assert_eq!(network, entry.trunc());
                    }
                    PrefixFilterError::WrongFamily { .. } => prop_assert!(clean && !right_family),
                }
            }
        }
    }
}
