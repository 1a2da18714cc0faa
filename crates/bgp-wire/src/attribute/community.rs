//! COMMUNITIES (RFC 1997), EXTENDED COMMUNITIES (RFC 4360), LARGE_COMMUNITY (RFC 8092).
//!
//! In JSON a community is `"65000:100"`, a large community `"4200000001:1:2"`, and an extended
//! community its eight octets in hex, `"0002fde80000012c"`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A community: a 32-bit value, written `ASN:value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Community(pub u32);

impl Community {
    /// NO_EXPORT (RFC 1997).
    pub const NO_EXPORT: Community = Community(0xFFFF_FF01);
    /// NO_ADVERTISE (RFC 1997).
    pub const NO_ADVERTISE: Community = Community(0xFFFF_FF02);
}

/// An extended community: eight octets, the first one or two giving its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExtendedCommunity(pub [u8; 8]);

/// A large community: global administrator, local data part 1 and 2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LargeCommunity(pub [u32; 3]);

impl fmt::Display for Community {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.0 >> 16, self.0 & 0xffff)
    }
}

impl fmt::Display for ExtendedCommunity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Display for LargeCommunity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [g, l1, l2] = self.0;
        write!(f, "{g}:{l1}:{l2}")
    }
}

/// Text that is not a community of the expected form.
#[derive(Debug, thiserror::Error)]
#[error("not a {0}: {1:?}")]
pub struct ParseCommunityError(&'static str, String);

impl FromStr for Community {
    type Err = ParseCommunityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseCommunityError("community (ASN:value, each 0-65535)", s.to_string());
        let (hi, lo) = s.split_once(':').ok_or_else(err)?;
        let hi: u16 = hi.parse().map_err(|_| err())?;
        let lo: u16 = lo.parse().map_err(|_| err())?;
        Ok(Community((u32::from(hi) << 16) | u32::from(lo)))
    }
}

impl FromStr for ExtendedCommunity {
    type Err = ParseCommunityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut octets = [0u8; 8];
        hex::decode_to_slice(s, &mut octets)
            .map_err(|_| ParseCommunityError("extended community (16 hex digits)", s.into()))?;
        Ok(ExtendedCommunity(octets))
    }
}

impl FromStr for LargeCommunity {
    type Err = ParseCommunityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseCommunityError("large community (G:L1:L2)", s.to_string());
        let mut parts = s.split(':').map(|p| p.parse::<u32>().map_err(|_| err()));
        let mut next = || parts.next().ok_or_else(err)?;
        let value = [next()?, next()?, next()?];
        if parts.next().is_some() {
            return Err(err());
        }
        Ok(LargeCommunity(value))
    }
}

macro_rules! serde_as_text {
    ($($t:ty),*) => {$(
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    )*};
}
serde_as_text!(Community, ExtendedCommunity, LargeCommunity);
