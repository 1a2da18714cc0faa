//! The addresses of one InterLink link: an IPv4 /31 from 169.254.0.0/16
//! with Scaleway on the even address, and an IPv6 /127.
//!
//! [`LinkAddressing::allocate`] hands out pairs that do not collide between
//! the links of one process nor, in practice, between processes running at
//! the same time. Not for: the provider's IPAM, which hands out the
//! addresses the API shows; a topology runner can pass those through
//! [`LinkAddressing::from_scw`].

use crate::netns::IP;
use crate::process::run;
use crate::{Error, Result};
use ipnet::{Ipv4Net, Ipv6Net};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// The /31s handed out are 169.254.1.0 – 169.254.168.255: clear of the
/// first /24 (RFC 3927 reserves it) and of 169.254.169.254, the cloud
/// metadata address.
const FIRST_BLOCK: u32 = 1;
const SLOTS: u32 = 168 * 128;

/// The /64 the IPv6 /127s are taken from, one /64 per slot:
/// `fd00:7065:6572:SLOT::2/127` ("pe", "er").
const V6_PREFIX: [u16; 3] = [0xfd00, 0x7065, 0x6572];

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Both sides' addresses of one link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LinkAddressing {
    /// Scaleway's side (the host): the even address of the /31.
    pub scw_ipv4: Ipv4Net,
    /// The customer's side: the odd address of the /31.
    pub peer_ipv4: Ipv4Net,
    /// Scaleway's side of the /127 (the even address).
    pub scw_ipv6: Ipv6Net,
    /// The customer's side of the /127.
    pub peer_ipv6: Ipv6Net,
}

impl LinkAddressing {
    /// The link whose Scaleway side has `scw_ipv4` (even) and `scw_ipv6`
    /// (even); the customer side gets the next address of each.
    pub fn from_scw(scw_ipv4: Ipv4Addr, scw_ipv6: Ipv6Addr) -> Result<Self> {
        if u32::from(scw_ipv4) % 2 != 0 {
            return Err(Error::invalid(
                "Scaleway IPv4 address",
                format!("{scw_ipv4} is odd; Scaleway has the even address of the /31"),
            ));
        }
        if u128::from(scw_ipv6) % 2 != 0 {
            return Err(Error::invalid(
                "Scaleway IPv6 address",
                format!("{scw_ipv6} is odd; Scaleway has the even address of the /127"),
            ));
        }
        let net4 = |a: u32| Ipv4Net::new(Ipv4Addr::from(a), 31);
        let net6 = |a: u128| Ipv6Net::new(Ipv6Addr::from(a), 127);
        let (v4, v6) = (u32::from(scw_ipv4), u128::from(scw_ipv6));
        Ok(LinkAddressing {
            scw_ipv4: net4(v4).map_err(|e| Error::invalid("IPv4 /31", e))?,
            peer_ipv4: net4(v4 + 1).map_err(|e| Error::invalid("IPv4 /31", e))?,
            scw_ipv6: net6(v6).map_err(|e| Error::invalid("IPv6 /127", e))?,
            peer_ipv6: net6(v6 + 1).map_err(|e| Error::invalid("IPv6 /127", e))?,
        })
    }

    /// The addressing of slot `slot` (taken modulo the number of slots):
    /// 169.254.B.2k/31 and fd00:7065:6572:SLOT::2/127.
    pub fn slot(slot: u32) -> Self {
        let slot = slot % SLOTS;
        let v4 = Ipv4Addr::new(169, 254, 0, 0).to_bits() + ((FIRST_BLOCK * 256) + slot * 2);
        let [a, b, c] = V6_PREFIX;
        // SLOTS < 2^16, so the slot fits the fourth group.
        let v6 = Ipv6Addr::new(a, b, c, slot as u16, 0, 0, 0, 2);
        // Both are even by construction: this cannot fail.
        LinkAddressing {
            scw_ipv4: Ipv4Net::new_assert(Ipv4Addr::from_bits(v4), 31),
            peer_ipv4: Ipv4Net::new_assert(Ipv4Addr::from_bits(v4 + 1), 31),
            scw_ipv6: Ipv6Net::new_assert(v6, 127),
            peer_ipv6: Ipv6Net::new_assert(Ipv6Addr::from_bits(v6.to_bits() + 1), 127),
        }
    }

    /// A fresh addressing for a new link. Slots follow each other from a
    /// point derived from the pid, so the links of one process never share
    /// one, and a slot whose Scaleway address is already on an interface of
    /// the root namespace (another process's link) is skipped.
    pub fn allocate() -> Result<Self> {
        let base = std::process::id().wrapping_mul(2_654_435_761) % SLOTS;
        let used = run(Command::new(IP).args(["-o", "addr", "show"]))?;
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            if n >= SLOTS {
                return Err(Error::invalid("link addressing", "all slots are used"));
            }
            let addressing = Self::slot(base.wrapping_add(n));
            let taken = |a: String| used.contains(&a);
            if !taken(format!(" {}/", addressing.scw_ipv4.addr()))
                && !taken(format!(" {}/", addressing.scw_ipv6.addr()))
            {
                return Ok(addressing);
            }
        }
    }
}
