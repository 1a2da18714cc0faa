//! Dedicated connections: a customer's own physical port at a PoP, read-only through the API
//! (they come from the catalogue), on which self-hosted links are carved out by VLAN and bandwidth.
//!
//! Also the capacity rules every port shares — dedicated connections and partners' shared
//! connections alike: a link's VLAN is inside the port's range and unused on it, its bandwidth is
//! one of the port's link sizes and fits in what the port has left.

use super::InterLink;
use crate::error::ProviderError;
use crate::list::{check_page, eq_or_any, name_matches, ordered, paginate, tags_match};
use crate::region::Region;
use crate::scope::Caller;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub(crate) use super::port::PortCapacity;
pub use super::port::{DedicatedConnectionStatus, VLAN_MAX, VLAN_MIN, VlanRange};

/// A dedicated physical connection (SDK `DedicatedConnection`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DedicatedConnection {
    /// ID.
    pub id: Uuid,
    /// Owning project.
    pub project_id: Uuid,
    /// Owning organization.
    pub organization_id: Uuid,
    /// Status.
    pub status: DedicatedConnectionStatus,
    /// Name.
    pub name: String,
    /// Tags.
    pub tags: Vec<String>,
    /// PoP.
    pub pop_id: Uuid,
    /// Port speed.
    pub bandwidth_mbps: u64,
    /// Link sizes it supports.
    pub available_link_bandwidths: Vec<u64>,
    /// Region.
    pub region: Region,
    /// Creation date.
    pub created_at: DateTime<Utc>,
    /// Last modification date.
    pub updated_at: DateTime<Utc>,
    /// Cross-connect details.
    pub demarcation_info: Option<String>,
    /// VLANs its links may use.
    pub vlan_range: Option<VlanRange>,
}

/// `order_by` of `ListDedicatedConnections` (the first value is the default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListDedicatedConnectionsOrderBy {
    /// Oldest first (the protobuf zero value, hence the default when absent).
    #[default]
    CreatedAtAsc,
    /// Newest first.
    CreatedAtDesc,
    /// Least recently updated first.
    UpdatedAtAsc,
    /// Most recently updated first.
    UpdatedAtDesc,
    /// By name.
    NameAsc,
    /// By name, reversed.
    NameDesc,
    /// By status (in the enum's declaration order).
    StatusAsc,
    /// By status, reversed.
    StatusDesc,
}

/// `ListDedicatedConnections` query.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListDedicatedConnectionsRequest {
    /// Order.
    pub order_by: Option<ListDedicatedConnectionsOrderBy>,
    /// Page (1-based).
    pub page: Option<u32>,
    /// Page size (1–100).
    pub page_size: Option<u32>,
    /// Project filter.
    pub project_id: Option<Uuid>,
    /// Organization filter.
    pub organization_id: Option<Uuid>,
    /// Name filter (substring).
    pub name: Option<String>,
    /// Tags filter (any of).
    pub tags: Vec<String>,
    /// Status filter (`unknown_status`: none).
    pub status: Option<DedicatedConnectionStatus>,
    /// Bandwidth filter (0: none).
    pub bandwidth_mbps: Option<u64>,
    /// PoP filter.
    pub pop_id: Option<Uuid>,
}

/// `ListDedicatedConnections` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListDedicatedConnectionsResponse {
    /// The page.
    pub connections: Vec<DedicatedConnection>,
    /// How many match in all.
    pub total_count: u64,
}

impl InterLink {
    /// `GET /dedicated-connections`: the caller's dedicated connections.
    pub fn list_dedicated_connections(
        &self,
        region: Region,
        caller: &Caller,
        req: &ListDedicatedConnectionsRequest,
    ) -> Result<ListDedicatedConnectionsResponse, ProviderError> {
        let (page, size) = check_page(req.page, req.page_size)?;
        let status = req
            .status
            .filter(|s| *s != DedicatedConnectionStatus::UnknownStatus);
        let bandwidth = req.bandwidth_mbps.filter(|b| *b != 0);
        let mut found: Vec<&super::ConnectionRecord> = self
            .connections
            .values()
            .filter(|r| {
                let c = &r.connection;
                c.region == region
                    && caller.sees(c.project_id)
                    && caller.list_scope_matches(req.project_id, req.organization_id)
                    && name_matches(req.name.as_deref(), &c.name)
                    && tags_match(&req.tags, &c.tags)
                    && eq_or_any(status.as_ref(), &c.status)
                    && eq_or_any(bandwidth.as_ref(), &c.bandwidth_mbps)
                    && eq_or_any(req.pop_id.as_ref(), &c.pop_id)
            })
            .collect();
        let order = req.order_by.unwrap_or_default();
        found.sort_by(|a, b| {
            use ListDedicatedConnectionsOrderBy as O;
            let (x, y) = (&a.connection, &b.connection);
            let (key, descending) = match order {
                O::CreatedAtAsc => (x.created_at.cmp(&y.created_at), false),
                O::CreatedAtDesc => (x.created_at.cmp(&y.created_at), true),
                O::UpdatedAtAsc => (x.updated_at.cmp(&y.updated_at), false),
                O::UpdatedAtDesc => (x.updated_at.cmp(&y.updated_at), true),
                O::NameAsc => (x.name.cmp(&y.name), false),
                O::NameDesc => (x.name.cmp(&y.name), true),
                O::StatusAsc => (x.status.cmp(&y.status), false),
                O::StatusDesc => (x.status.cmp(&y.status), true),
            };
            ordered(key, a.seq, b.seq, descending)
        });
        let found: Vec<DedicatedConnection> =
            found.into_iter().map(|r| r.connection.clone()).collect();
        let (connections, total_count) = paginate(found, page, size);
        Ok(ListDedicatedConnectionsResponse {
            connections,
            total_count,
        })
    }

    /// `GET /dedicated-connections/{id}`.
    pub fn get_dedicated_connection(
        &self,
        region: Region,
        caller: &Caller,
        connection_id: Uuid,
    ) -> Result<DedicatedConnection, ProviderError> {
        self.visible_connection(region, caller, connection_id)
            .cloned()
    }

    pub(crate) fn visible_connection(
        &self,
        region: Region,
        caller: &Caller,
        connection_id: Uuid,
    ) -> Result<&DedicatedConnection, ProviderError> {
        self.connections
            .get(&connection_id)
            .map(|r| &r.connection)
            .filter(|c| c.region == region && caller.sees(c.project_id))
            .ok_or_else(|| ProviderError::not_found("dedicated_connection", connection_id))
    }

    /// VLANs in use on a port.
    pub(crate) fn vlans_in_use(&self, port_id: Uuid) -> Vec<u16> {
        self.links
            .values()
            .filter(|l| l.port_id == port_id)
            .map(|l| l.vlan)
            .collect()
    }

    /// Bandwidth in use on a port.
    pub(crate) fn bandwidth_in_use(&self, port_id: Uuid) -> u64 {
        self.links
            .values()
            .filter(|l| l.port_id == port_id)
            .map(|l| l.bandwidth_mbps)
            .sum()
    }

    /// Checks a link's bandwidth on a port.
    pub(crate) fn check_bandwidth(
        &self,
        port: &PortCapacity,
        bandwidth_mbps: u64,
    ) -> Result<(), ProviderError> {
        if !port.available_link_bandwidths.contains(&bandwidth_mbps) {
            return Err(ProviderError::constraint(
                "bandwidth_mbps",
                format!(
                    "must be one of the connection's available link bandwidths {:?}",
                    port.available_link_bandwidths
                ),
            ));
        }
        let left = port
            .bandwidth_mbps
            .saturating_sub(self.bandwidth_in_use(port.id));
        if bandwidth_mbps > left {
            return Err(ProviderError::constraint(
                "bandwidth_mbps",
                format!(
                    "exceeds the connection's remaining capacity ({left} of {} Mbps left)",
                    port.bandwidth_mbps
                ),
            ));
        }
        Ok(())
    }

    /// Picks or checks a link's VLAN on a port: 0 picks the lowest free one.
    pub(crate) fn pick_vlan(
        &self,
        port: &PortCapacity,
        requested: u32,
    ) -> Result<u16, ProviderError> {
        let used = self.vlans_in_use(port.id);
        if requested == 0 {
            return (port.vlan_range.start..=port.vlan_range.end)
                .find(|v| !used.contains(v))
                .ok_or_else(|| {
                    ProviderError::constraint("vlan", "no VLAN left on this connection")
                });
        }
        let range = port.vlan_range;
        if !range.contains(requested) {
            return Err(ProviderError::constraint(
                "vlan",
                format!(
                    "must be within the connection's VLAN range {}-{}",
                    range.start, range.end
                ),
            ));
        }
        let vlan = u16::try_from(requested)
            .map_err(|_| ProviderError::constraint("vlan", "out of range"))?;
        if used.contains(&vlan) {
            return Err(ProviderError::constraint(
                "vlan",
                format!("VLAN {vlan} is already used by another link on this connection"),
            ));
        }
        Ok(vlan)
    }
}

impl DedicatedConnection {
    pub(crate) fn capacity(&self) -> PortCapacity {
        PortCapacity {
            id: self.id,
            bandwidth_mbps: self.bandwidth_mbps,
            available_link_bandwidths: self.available_link_bandwidths.clone(),
            vlan_range: self.vlan_range.unwrap_or_default(),
        }
    }
}
