//! Address families: AFI (IANA "Address Family Numbers") and SAFI (RFC 4760).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// An Address Family Identifier. Shown as `ipv4`/`ipv6` when known, as a number otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Afi(pub u16);

impl Afi {
    /// IP version 4.
    pub const IPV4: Afi = Afi(1);
    /// IP version 6.
    pub const IPV6: Afi = Afi(2);

    fn name(self) -> Option<&'static str> {
        match self {
            Afi::IPV4 => Some("ipv4"),
            Afi::IPV6 => Some("ipv6"),
            _ => None,
        }
    }
}

/// A Subsequent Address Family Identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Safi(pub u8);

impl Safi {
    /// Unicast forwarding.
    pub const UNICAST: Safi = Safi(1);
    /// Multicast forwarding.
    pub const MULTICAST: Safi = Safi(2);

    fn name(self) -> Option<&'static str> {
        match self {
            Safi::UNICAST => Some("unicast"),
            Safi::MULTICAST => Some("multicast"),
            _ => None,
        }
    }
}

impl fmt::Display for Afi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "{}", self.0),
        }
    }
}

impl fmt::Display for Safi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "{}", self.0),
        }
    }
}

/// A name or a number, as families appear in JSON.
#[derive(Deserialize)]
#[serde(untagged)]
enum NameOrNumber {
    Number(u64),
    Name(String),
}

impl Serialize for Afi {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.name() {
            Some(n) => s.serialize_str(n),
            None => s.serialize_u16(self.0),
        }
    }
}

impl<'de> Deserialize<'de> for Afi {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match NameOrNumber::deserialize(d)? {
            NameOrNumber::Number(n) => u16::try_from(n).map(Afi).map_err(D::Error::custom),
            NameOrNumber::Name(n) => match n.as_str() {
                "ipv4" => Ok(Afi::IPV4),
                "ipv6" => Ok(Afi::IPV6),
                other => Err(D::Error::custom(format!("unknown AFI {other:?}"))),
            },
        }
    }
}

impl Serialize for Safi {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.name() {
            Some(n) => s.serialize_str(n),
            None => s.serialize_u8(self.0),
        }
    }
}

impl<'de> Deserialize<'de> for Safi {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match NameOrNumber::deserialize(d)? {
            NameOrNumber::Number(n) => u8::try_from(n).map(Safi).map_err(D::Error::custom),
            NameOrNumber::Name(n) => match n.as_str() {
                "unicast" => Ok(Safi::UNICAST),
                "multicast" => Ok(Safi::MULTICAST),
                other => Err(D::Error::custom(format!("unknown SAFI {other:?}"))),
            },
        }
    }
}
