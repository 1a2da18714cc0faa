//! An InterLink routing policy: the prefixes accepted from the peer (`prefix_filter_in`) and the
//! prefixes announced to it (`prefix_filter_out`), for one family (`is_ipv6`).
//!
//! This is the policy's routing meaning only; its id, name, tags and project belong to the
//! provider layer. Attaching, detaching and replacing it (`set-routing-policy`) is done by
//! re-evaluating the Adj-RIB-In ([`crate::AdjRibIn::reevaluate`]) and re-syncing the
//! Adj-RIB-Out ([`crate::AdjRibOut::sync`]) with the new filters: no session reset.

use crate::prefix_filter::{PrefixFilter, PrefixFilterError};
use ipnet::IpNet;

/// A refused routing policy: which filter, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {source}")]
pub struct PolicyError {
    /// The offending field: `"prefix_filter_in"` or `"prefix_filter_out"`.
    pub field: &'static str,
    /// What is wrong with the entry.
    #[source]
    pub source: PrefixFilterError,
}

/// A routing policy of one family.
///
/// ```
/// use rib::RoutingPolicy;
///
/// let policy = RoutingPolicy::new(
///     false,
///     ["192.168.0.0/16".parse().unwrap()],
///     ["172.16.0.0/12".parse().unwrap()],
/// )
/// .unwrap();
/// assert!(policy.prefix_filter_in().admits(&"192.168.10.0/24".parse().unwrap()));
/// assert!(!policy.prefix_filter_out().admits(&"192.168.10.0/24".parse().unwrap()));
///
/// let err = RoutingPolicy::new(true, ["10.0.0.0/8".parse().unwrap()], []).unwrap_err();
/// assert_eq!(err.field, "prefix_filter_in");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoutingPolicy {
    prefix_filter_in: PrefixFilter,
    prefix_filter_out: PrefixFilter,
}

impl RoutingPolicy {
    /// A policy whose entries must all be of its family and without host bits.
    pub fn new(
        is_ipv6: bool,
        prefix_filter_in: impl IntoIterator<Item = IpNet>,
        prefix_filter_out: impl IntoIterator<Item = IpNet>,
    ) -> Result<Self, PolicyError> {
        let field = |field| move |source| PolicyError { field, source };
        Ok(Self {
            prefix_filter_in: PrefixFilter::new(is_ipv6, prefix_filter_in)
                .map_err(field("prefix_filter_in"))?,
            prefix_filter_out: PrefixFilter::new(is_ipv6, prefix_filter_out)
                .map_err(field("prefix_filter_out"))?,
        })
    }

    /// What applies while no policy is attached: every route is blocked both ways.
    pub fn block_all(is_ipv6: bool) -> Self {
        Self {
            prefix_filter_in: PrefixFilter::block_all(is_ipv6),
            prefix_filter_out: PrefixFilter::block_all(is_ipv6),
        }
    }

    /// Whether the policy is for IPv6 (else IPv4).
    pub fn is_ipv6(&self) -> bool {
        self.prefix_filter_in.is_ipv6()
    }

    /// The prefixes accepted from the peer.
    pub fn prefix_filter_in(&self) -> &PrefixFilter {
        &self.prefix_filter_in
    }

    /// The prefixes announced to the peer.
    pub fn prefix_filter_out(&self) -> &PrefixFilter {
        &self.prefix_filter_out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    #[test]
    fn filters_are_independent() {
        let p =
            RoutingPolicy::new(true, [net("2001:db8:1::/48")], [net("2001:db8:2::/48")]).unwrap();
        assert!(p.is_ipv6());
        assert!(p.prefix_filter_in().admits(&net("2001:db8:1:5::/64")));
        assert!(!p.prefix_filter_in().admits(&net("2001:db8:2:5::/64")));
        assert!(p.prefix_filter_out().admits(&net("2001:db8:2:5::/64")));
        assert!(!p.prefix_filter_out().admits(&net("2001:db8:1:5::/64")));
    }

    #[test]
    fn error_names_the_filter() {
        let err = RoutingPolicy::new(false, [net("10.0.0.0/8")], [net("10.0.0.1/8")]).unwrap_err();
        assert_eq!(err.field, "prefix_filter_out");
        assert!(matches!(err.source, PrefixFilterError::HostBitsSet { .. }));
        assert_eq!(
            err.to_string(),
            "prefix_filter_out: 10.0.0.1/8 has host bits set (the network is 10.0.0.0/8)"
        );
    }

    #[test]
    fn block_all_blocks_both_ways() {
        let p = RoutingPolicy::block_all(false);
        assert!(!p.is_ipv6());
        assert!(!p.prefix_filter_in().admits(&net("10.0.0.0/8")));
        assert!(!p.prefix_filter_out().admits(&net("10.0.0.0/8")));
    }
}
