//! Scaleway InterLink (`/interlink/v1beta1/regions/{region}/…`): PoPs, partners, dedicated
//! connections (read-only, from the catalogue), links and routing policies.
//!
//! [`InterLink`] holds every resource, keyed by ID, and has one method per SDK call. Reads take
//! `&self`; writes take `&mut self` and the current time, and give back the result with the
//! [`Intent`]s the engine must carry out. Every call takes the region of its path and the
//! [`Caller`]; another project's resource is `not_found`.
//!
//! The InterLink state owns the [`Ipam`] state, because a link's BGP addresses are IPAM IPs and a
//! link attaches to a VPC that IPAM knows.
//!
//! Engine and admin entry points: [`InterLink::set_session_status`], [`InterLink::advance`],
//! [`InterLink::approve_hosted_link`], [`InterLink::refuse_hosted_link`],
//! [`InterLink::set_link_locked`], [`InterLink::link_config`].

mod build;
pub mod connection;
pub mod intent;
mod lifecycle;
pub mod link;
mod link_actions;
mod link_create;
mod link_list;
pub mod partner;
mod persisted;
pub mod pop;
pub(crate) mod port;
pub mod routing_policy;
pub mod view;

pub use connection::{
    DedicatedConnection, DedicatedConnectionStatus, ListDedicatedConnectionsOrderBy,
    ListDedicatedConnectionsRequest, ListDedicatedConnectionsResponse, VLAN_MAX, VLAN_MIN,
    VlanRange,
};
pub use intent::{Family, Intent, LinkConfig, LinkHost, PolicyFilters};
pub use link::{
    BgpConfig, BgpStatus, Link, LinkKind, LinkStatus, PartnerHost, SelfHost, derive_link_status,
};
pub use link_actions::{
    AttachRoutingPolicyRequest, AttachVpcRequest, DetachRoutingPolicyRequest,
    SetRoutingPolicyRequest, UpdateLinkRequest,
};
pub use link_create::CreateLinkRequest;
pub use link_list::{ListLinksOrderBy, ListLinksRequest, ListLinksResponse};
pub use partner::{ListPartnersOrderBy, ListPartnersRequest, ListPartnersResponse, Partner};
pub use pop::{ListPopsOrderBy, ListPopsRequest, ListPopsResponse, Pop};
pub use routing_policy::{
    CreateRoutingPolicyRequest, ListRoutingPoliciesOrderBy, ListRoutingPoliciesRequest,
    ListRoutingPoliciesResponse, RoutingPolicy, UpdateRoutingPolicyRequest,
};
pub use view::{LinkPort, LinkView};

use crate::catalogue::{ProjectSpec, Settings};
use crate::error::ProviderError;
use crate::ids::IdGenerator;
use crate::ipam::Ipam;
use crate::region::Region;
use crate::scope::Caller;
use crate::table::Table;
use link::LinkRecord;
use port::SharedConnection;
use uuid::Uuid;

/// A change together with what the engine must do about it.
pub type WithIntents<T> = (T, Vec<Intent>);

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct PopRecord {
    pub seq: u64,
    pub pop: Pop,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct PartnerRecord {
    pub seq: u64,
    pub partner: Partner,
    pub auto_approve_secs: Option<u64>,
    pub provisioning_secs: u64,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct ConnectionRecord {
    pub seq: u64,
    pub connection: DedicatedConnection,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct PolicyRecord {
    pub seq: u64,
    pub policy: RoutingPolicy,
}

/// The InterLink product's state (and the IPAM state it owns).
///
/// Its serde form is the [`snapshot`](crate::snapshot) (the JSON state file of earlier
/// versions), its rows those of [`crate::persist`]; the projects (and their tokens) are part of
/// neither.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct InterLink {
    pub(crate) settings: Settings,
    #[serde(skip)]
    pub(crate) projects: Vec<ProjectSpec>,
    pub(crate) ids: IdGenerator,
    pub(crate) seq: u64,
    pub(crate) pops: Table<Uuid, PopRecord>,
    pub(crate) partners: Table<Uuid, PartnerRecord>,
    pub(crate) shared_connections: Table<Uuid, SharedConnection>,
    pub(crate) connections: Table<Uuid, ConnectionRecord>,
    pub(crate) links: Table<Uuid, LinkRecord>,
    pub(crate) policies: Table<Uuid, PolicyRecord>,
    pub(crate) ipam: Ipam,
}

impl InterLink {
    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The IPAM state.
    pub fn ipam(&self) -> &Ipam {
        &self.ipam
    }

    /// The IPAM state, for IPAM calls.
    pub fn ipam_mut(&mut self) -> &mut Ipam {
        &mut self.ipam
    }

    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// A link the caller may see.
    pub(crate) fn visible_link(
        &self,
        region: Region,
        caller: &Caller,
        link_id: Uuid,
    ) -> Result<&LinkRecord, ProviderError> {
        self.links
            .get(&link_id)
            .filter(|l| l.region == region && caller.sees(l.project_id))
            .ok_or_else(|| ProviderError::not_found("link", link_id))
    }

    /// A link by ID, whoever owns it (engine and admin calls).
    pub(crate) fn any_link(&self, link_id: Uuid) -> Result<&LinkRecord, ProviderError> {
        self.links
            .get(&link_id)
            .ok_or_else(|| ProviderError::not_found("link", link_id))
    }

    pub(crate) fn link_mut(&mut self, link_id: Uuid) -> Result<&mut LinkRecord, ProviderError> {
        self.links
            .get_mut(&link_id)
            .ok_or_else(|| ProviderError::not_found("link", link_id))
    }

    fn policy_filters(&self, policy_id: Option<Uuid>) -> Option<PolicyFilters> {
        policy_id
            .and_then(|id| self.policies.get(&id))
            .map(|r| PolicyFilters::of(&r.policy))
    }

    /// Everything the engine needs to run a link, whatever its state (to resynchronize an engine).
    pub fn link_config(&self, link_id: Uuid) -> Option<LinkConfig> {
        let link = self.links.get(&link_id)?;
        let host = match &link.host {
            link::Host::SelfHosted { connection_id } => LinkHost::SelfHosted {
                connection_id: *connection_id,
            },
            link::Host::Hosted {
                partner_id,
                shared_connection_id,
                ..
            } => LinkHost::Hosted {
                partner_id: *partner_id,
                shared_connection_id: *shared_connection_id,
            },
        };
        Some(LinkConfig {
            link_id,
            host,
            vlan: link.vlan,
            local_asn: crate::catalogue::SCALEWAY_ASN,
            peer_asn: link.peer_asn,
            ipv4: link.ipv4,
            ipv6: link.ipv6,
            policy_v4: self.policy_filters(link.routing_policy_v4_id),
            policy_v6: self.policy_filters(link.routing_policy_v6_id),
            enable_route_propagation: link.enable_route_propagation,
            vpc_id: link.vpc_id,
            vpc_prefixes: link
                .vpc_id
                .map(|v| self.ipam.vpc_prefixes(v))
                .unwrap_or_default(),
        })
    }

    /// The IDs of the links in service (whose sessions the engine should be running).
    pub fn links_in_service(&self) -> Vec<Uuid> {
        self.links
            .values()
            .filter(|l| l.is_in_service())
            .map(|l| l.id)
            .collect()
    }
}

#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod tests;
