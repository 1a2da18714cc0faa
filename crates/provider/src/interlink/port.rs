//! Ports as the catalogue declares them and InterLink checks them: a dedicated connection's
//! status, a port's VLAN range (inside 1500–3899), what the capacity rules need to know of a
//! port ([`PortCapacity`]), and a partner's shared connection at a PoP. Plain data, so that the
//! catalogue and the InterLink state can both use it without importing each other; public as
//! `provider::interlink::connection::VlanRange`, `…::partner::SharedConnection` and so on.

use crate::region::Region;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The lowest VLAN InterLink hardware accepts.
pub const VLAN_MIN: u16 = 1500;
/// The highest VLAN InterLink hardware accepts.
pub const VLAN_MAX: u16 = 3899;

/// Status of a dedicated connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DedicatedConnectionStatus {
    /// Unknown; as a filter, no filter.
    UnknownStatus,
    /// Created.
    Created,
    /// Being configured.
    Configuring,
    /// Failed.
    Failed,
    /// In service: links can be created on it.
    Active,
    /// Disabled.
    Disabled,
    /// Deleted.
    Deleted,
    /// Locked.
    Locked,
}

/// A VLAN range, both ends included (the SDK's `Range`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VlanRange {
    /// First VLAN.
    pub start: u16,
    /// Last VLAN.
    pub end: u16,
}

impl Default for VlanRange {
    /// The whole range the hardware allows, 1500–3899.
    fn default() -> Self {
        Self {
            start: VLAN_MIN,
            end: VLAN_MAX,
        }
    }
}

impl VlanRange {
    /// Whether `vlan` is inside.
    pub fn contains(&self, vlan: u32) -> bool {
        u32::from(self.start) <= vlan && vlan <= u32::from(self.end)
    }

    /// Whether the range is well formed and inside 1500–3899.
    pub fn is_valid(&self) -> bool {
        VLAN_MIN <= self.start && self.start <= self.end && self.end <= VLAN_MAX
    }
}

/// What the capacity rules need to know of a port (dedicated or shared connection).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PortCapacity {
    pub id: Uuid,
    pub bandwidth_mbps: u64,
    pub available_link_bandwidths: Vec<u64>,
    pub vlan_range: VlanRange,
}

/// A partner's shared connection at one PoP (not exposed by the API).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedConnection {
    /// ID (internal).
    pub id: Uuid,
    /// Partner.
    pub partner_id: Uuid,
    /// PoP.
    pub pop_id: Uuid,
    /// Region.
    pub region: Region,
    /// Port speed.
    pub bandwidth_mbps: u64,
    /// Link sizes offered.
    pub available_link_bandwidths: Vec<u64>,
    /// VLANs for hosted links.
    pub vlan_range: VlanRange,
}

impl SharedConnection {
    pub(crate) fn capacity(&self) -> PortCapacity {
        PortCapacity {
            id: self.id,
            bandwidth_mbps: self.bandwidth_mbps,
            available_link_bandwidths: self.available_link_bandwidths.clone(),
            vlan_range: self.vlan_range,
        }
    }
}
