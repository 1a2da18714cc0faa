//! 802.1Q VLAN identifiers, as carried in a frame's tag and configured on a port.
//!
//! A provider port on a dedicated connection (or an OVHcloud Connect interface) carries one
//! 802.1Q subinterface per link; a frame whose tag matches none of them is dropped. This module
//! only names and validates the 12-bit VLAN ID; which port accepts which frame is decided by
//! [`crate::Network`] when a packet is traced.
//!
//! It is not an Ethernet codec: no frame is ever encoded here.

use std::fmt;

use thiserror::Error;

/// A VLAN ID of IEEE 802.1Q: 1 to 4094 (0 means "priority tag only", 4095 is reserved).
///
/// ```
/// use dataplane::VlanId;
///
/// let vlan = VlanId::new(2001).unwrap();
/// assert_eq!(vlan.get(), 2001);
/// assert_eq!(vlan.to_string(), "2001");
/// assert!(VlanId::new(0).is_err());
/// assert!(VlanId::new(4095).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VlanId(u16);

/// A number that is not a usable 802.1Q VLAN ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[error("VLAN ID {0} is outside 1..=4094")]
pub struct InvalidVlanId(pub u16);

impl VlanId {
    /// The lowest usable VLAN ID.
    pub const MIN: u16 = 1;
    /// The highest usable VLAN ID.
    pub const MAX: u16 = 4094;

    /// The VLAN ID `id`, if it is in 1..=4094.
    pub const fn new(id: u16) -> Result<Self, InvalidVlanId> {
        if id >= Self::MIN && id <= Self::MAX {
            Ok(VlanId(id))
        } else {
            Err(InvalidVlanId(id))
        }
    }

    /// The 12-bit number.
    pub const fn get(self) -> u16 {
        self.0
    }
}

impl TryFrom<u16> for VlanId {
    type Error = InvalidVlanId;

    fn try_from(id: u16) -> Result<Self, InvalidVlanId> {
        VlanId::new(id)
    }
}

impl From<VlanId> for u16 {
    fn from(vlan: VlanId) -> u16 {
        vlan.0
    }
}

impl fmt::Display for VlanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// How a frame leaves an interface: tagged with a VLAN ID, or untagged.
///
/// Displayed the way an engineer says it: `VLAN 2001` or `untagged`.
///
/// ```
/// use dataplane::{Tag, VlanId};
///
/// assert_eq!(Tag::from(Some(VlanId::new(2001).unwrap())).to_string(), "VLAN 2001");
/// assert_eq!(Tag::from(None).to_string(), "untagged");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tag(pub Option<VlanId>);

impl From<Option<VlanId>> for Tag {
    fn from(vlan: Option<VlanId>) -> Self {
        Tag(vlan)
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(vlan) => write!(f, "VLAN {vlan}"),
            None => f.write_str("untagged"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_limits() {
        assert_eq!(VlanId::new(1).map(VlanId::get), Ok(1));
        assert_eq!(VlanId::new(4094).map(VlanId::get), Ok(4094));
        assert_eq!(VlanId::new(0), Err(InvalidVlanId(0)));
        assert_eq!(VlanId::try_from(4095), Err(InvalidVlanId(4095)));
        assert_eq!(
            InvalidVlanId(5000).to_string(),
            "VLAN ID 5000 is outside 1..=4094"
        );
    }
}
