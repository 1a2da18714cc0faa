//! A prefix filter of an InterLink routing policy (`prefix_filter_in` / `prefix_filter_out`).
//!
//! An entry P admits a route R when R equals P or is more specific than P: R's prefix length is
//! at least P's and R lies inside P. A route no entry admits is blocked, so an empty filter blocks
//! everything, as a link without a routing policy does.
//!
//! The entries live in a [`prefix_trie::PrefixSet`] of one family, so [`PrefixFilter::admits`]
//! walks at most the route's prefix length down the trie (it stops at the shortest covering entry)
//! whatever the number of entries. It is not a general route map: no prefix-length ranges
//! (`le`/`ge`), no deny entries, no matching on attributes — InterLink has none of these.
//!
//! # Entries with host bits
//!
//! An entry such as `10.0.0.1/8` is **rejected** ([`PrefixFilterError::HostBitsSet`]) rather than
//! silently truncated to `10.0.0.0/8`: a policy is something a user typed, the two readings differ
//! (did they mean the /8 or the host?), and an error that names the network the user probably
//! meant is easier to act on than a filter that admits something else than what was written. The
//! provider layer turns the error into Scaleway's `invalid_arguments`.

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use prefix_trie::PrefixSet;
use std::fmt;

/// Why a prefix filter entry is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PrefixFilterError {
    /// The entry's family is not the policy's (`is_ipv6`).
    #[error("{entry} is not an {expected} prefix")]
    WrongFamily {
        /// The entry.
        entry: IpNet,
        /// The family the filter holds: `"IPv4"` or `"IPv6"`.
        expected: &'static str,
    },
    /// The entry has bits set past its prefix length.
    #[error("{entry} has host bits set (the network is {network})")]
    HostBitsSet {
        /// The entry as given.
        entry: IpNet,
        /// The network the entry lies in.
        network: IpNet,
    },
}

/// The entries of one family.
#[derive(Clone)]
enum Entries {
    V4(PrefixSet<Ipv4Net>),
    V6(PrefixSet<Ipv6Net>),
}

/// A set of prefixes admitting themselves and everything more specific.
///
/// ```
/// use rib::PrefixFilter;
///
/// let filter = PrefixFilter::new(false, ["10.0.0.0/8".parse().unwrap()]).unwrap();
/// assert!(filter.admits(&"10.0.0.0/8".parse().unwrap()));
/// assert!(filter.admits(&"10.1.2.0/24".parse().unwrap()));
/// assert!(!filter.admits(&"10.0.0.0/7".parse().unwrap()));
/// assert!(!filter.admits(&"11.0.0.0/24".parse().unwrap()));
/// assert!(!PrefixFilter::block_all(false).admits(&"10.0.0.0/8".parse().unwrap()));
/// ```
#[derive(Clone)]
pub struct PrefixFilter {
    entries: Entries,
}

impl PrefixFilter {
    /// A filter of one family (`is_ipv6`) with these entries.
    ///
    /// Every entry must be of that family and have no host bits set. Repeated entries are kept
    /// once.
    pub fn new(
        is_ipv6: bool,
        entries: impl IntoIterator<Item = IpNet>,
    ) -> Result<Self, PrefixFilterError> {
        let mut filter = Self::block_all(is_ipv6);
        for entry in entries {
            filter.insert(entry)?;
        }
        Ok(filter)
    }

    /// The empty filter of a family: it admits nothing.
    pub fn block_all(is_ipv6: bool) -> Self {
        Self {
            entries: if is_ipv6 {
                Entries::V6(PrefixSet::new())
            } else {
                Entries::V4(PrefixSet::new())
            },
        }
    }

    /// Adds an entry; `Ok(false)` if it was there already.
    pub fn insert(&mut self, entry: IpNet) -> Result<bool, PrefixFilterError> {
        if entry.addr() != entry.network() {
            return Err(PrefixFilterError::HostBitsSet {
                entry,
                network: entry.trunc(),
            });
        }
        let expected = self.family_name();
        match (&mut self.entries, entry) {
            (Entries::V4(set), IpNet::V4(p)) => Ok(set.insert(p)),
            (Entries::V6(set), IpNet::V6(p)) => Ok(set.insert(p)),
            _ => Err(PrefixFilterError::WrongFamily { entry, expected }),
        }
    }

    /// Whether the filter holds IPv6 prefixes.
    pub fn is_ipv6(&self) -> bool {
        matches!(self.entries, Entries::V6(_))
    }

    fn family_name(&self) -> &'static str {
        if self.is_ipv6() { "IPv6" } else { "IPv4" }
    }

    /// Whether some entry is `route` or less specific than it and contains it. A route of the
    /// other family is never admitted. Host bits of `route` past its length are ignored.
    ///
    /// Cost: one walk down the trie, bounded by the route's prefix length.
    pub fn admits(&self, route: &IpNet) -> bool {
        match (&self.entries, route) {
            (Entries::V4(set), IpNet::V4(r)) => set.is_covered(r),
            (Entries::V6(set), IpNet::V6(r)) => set.is_covered(r),
            _ => false,
        }
    }

    /// The least specific entry that admits `route`, if any.
    pub fn admitting_entry(&self, route: &IpNet) -> Option<IpNet> {
        match (&self.entries, route) {
            (Entries::V4(set), IpNet::V4(r)) => set.get_spm(r).map(IpNet::V4),
            (Entries::V6(set), IpNet::V6(r)) => set.get_spm(r).map(IpNet::V6),
            _ => None,
        }
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        match &self.entries {
            Entries::V4(set) => set.len(),
            Entries::V6(set) => set.len(),
        }
    }

    /// Whether the filter has no entry (and so blocks everything).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entries, in address order (a prefix before the prefixes inside it).
    pub fn entries(&self) -> Vec<IpNet> {
        match &self.entries {
            Entries::V4(set) => set.iter().map(IpNet::V4).collect(),
            Entries::V6(set) => set.iter().map(IpNet::V6).collect(),
        }
    }
}

impl fmt::Debug for PrefixFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrefixFilter")
            .field("is_ipv6", &self.is_ipv6())
            .field("entries", &self.entries())
            .finish()
    }
}

impl PartialEq for PrefixFilter {
    fn eq(&self, other: &Self) -> bool {
        self.is_ipv6() == other.is_ipv6() && self.entries() == other.entries()
    }
}

impl Eq for PrefixFilter {}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    fn filter(is_ipv6: bool, entries: &[&str]) -> PrefixFilter {
        PrefixFilter::new(is_ipv6, entries.iter().map(|e| net(e))).unwrap()
    }

    #[test]
    fn entry_admits_itself_and_more_specifics_only() {
        let f = filter(false, &["192.168.0.0/16"]);
        assert!(f.admits(&net("192.168.0.0/16")));
        assert!(f.admits(&net("192.168.1.0/24")));
        assert!(f.admits(&net("192.168.255.255/32")));
        assert!(!f.admits(&net("192.168.0.0/15")), "less specific");
        assert!(!f.admits(&net("192.169.0.0/16")), "sibling");
        assert!(!f.admits(&net("0.0.0.0/0")), "default route");
    }

    #[test]
    fn empty_filter_blocks_everything() {
        let f = PrefixFilter::block_all(false);
        assert!(f.is_empty());
        assert!(!f.admits(&net("0.0.0.0/0")));
        assert!(!f.admits(&net("10.0.0.0/8")));
    }

    #[test]
    fn default_route_entry_admits_every_route_of_its_family() {
        let f = filter(true, &["::/0"]);
        assert!(f.admits(&net("2001:db8::/32")));
        assert!(f.admits(&net("::/0")));
        assert!(!f.admits(&net("10.0.0.0/8")), "other family");
    }

    #[test]
    fn nested_entries_admit_through_the_shortest() {
        let f = filter(false, &["10.0.0.0/8", "10.1.0.0/16"]);
        assert_eq!(
            f.admitting_entry(&net("10.1.2.0/24")),
            Some(net("10.0.0.0/8"))
        );
        assert_eq!(f.admitting_entry(&net("11.0.0.0/24")), None);
        assert_eq!(f.len(), 2);
    }

    #[test]
    fn route_host_bits_are_ignored() {
        let f = filter(false, &["10.0.0.0/24"]);
        assert!(f.admits(&net("10.0.0.7/24")));
        assert!(!f.admits(&net("10.0.1.7/24")));
    }

    #[test]
    fn wrong_family_is_refused() {
        let e = PrefixFilter::new(false, [net("2001:db8::/32")]).unwrap_err();
        assert_eq!(
            e,
            PrefixFilterError::WrongFamily {
                entry: net("2001:db8::/32"),
                expected: "IPv4"
            }
        );
        assert!(PrefixFilter::new(true, [net("10.0.0.0/8")]).is_err());
    }

    #[test]
    fn host_bits_are_refused_naming_the_network() {
        let e = PrefixFilter::new(false, [net("10.0.0.1/8")]).unwrap_err();
        assert_eq!(
            e,
            PrefixFilterError::HostBitsSet {
                entry: net("10.0.0.1/8"),
                network: net("10.0.0.0/8")
            }
        );
        assert_eq!(
            e.to_string(),
            "10.0.0.1/8 has host bits set (the network is 10.0.0.0/8)"
        );
    }

    #[test]
    fn repeated_entries_are_kept_once() {
        let f = filter(false, &["10.0.0.0/8", "10.0.0.0/8"]);
        assert_eq!(f.entries(), vec![net("10.0.0.0/8")]);
    }
}
