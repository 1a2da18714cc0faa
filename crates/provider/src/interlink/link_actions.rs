//! Link calls other than create and list: get, update, delete, VPC attach/detach, routing policy
//! attach/detach/set, route propagation on/off.
//!
//! Rules the API documentation leaves open, and what is done here:
//! - a link holds one VPC: attaching another while one is attached is `precondition_failed`
//!   (detach first); attaching the same one again changes nothing;
//! - a link holds one policy per family: attaching a second one of a family is refused
//!   (`invalid_arguments` on `routing_policy_id`, pointing at `set-routing-policy`); `set` needs a
//!   policy of that family already attached (`precondition_failed`, `attribute_must_be_set`);
//!   attach and detach reset the session (its status goes back to `down`), `set` does not;
//! - enabling route propagation when it is enabled (or disabling when disabled) is accepted and
//!   changes nothing;
//! - `peer_asn` can only be updated on self-hosted links; 0 means unchanged.
//! - a new `name` or `tags` follow [`crate::naming`] (as on creation).
//! - deleting answers the link as it was with `status: deleted`; the next read is `not_found`.

use super::intent::Intent;
use super::link::{BgpStatus, Link, LinkStatus};
use super::link_create::check_peer_asn;
use super::{InterLink, WithIntents};
use crate::error::{Precondition, ProviderError};
use crate::naming::{self, NameLimits};
use crate::region::Region;
use crate::scope::Caller;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `UpdateLink` body: what is given replaces what was.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateLinkRequest {
    /// New name.
    pub name: Option<String>,
    /// New tags.
    pub tags: Option<Vec<String>>,
    /// New peer ASN (self-hosted links; 0: unchanged).
    pub peer_asn: Option<u32>,
}

/// `AttachRoutingPolicy` body (also `DetachRoutingPolicy`'s and `SetRoutingPolicy`'s).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachRoutingPolicyRequest {
    /// The routing policy.
    pub routing_policy_id: Uuid,
}

/// `DetachRoutingPolicy` body.
pub type DetachRoutingPolicyRequest = AttachRoutingPolicyRequest;
/// `SetRoutingPolicy` body.
pub type SetRoutingPolicyRequest = AttachRoutingPolicyRequest;

/// `AttachVpc` body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachVpcRequest {
    /// The VPC.
    pub vpc_id: Uuid,
}

impl InterLink {
    /// `GET /links/{id}`.
    pub fn get_link(
        &self,
        region: Region,
        caller: &Caller,
        link_id: Uuid,
    ) -> Result<Link, ProviderError> {
        self.visible_link(region, caller, link_id).map(|l| l.view())
    }

    /// Finds a link for a change and checks it accepts one.
    fn actionable(
        &self,
        region: Region,
        caller: &Caller,
        link_id: Uuid,
        allow_terminal: bool,
    ) -> Result<bool, ProviderError> {
        let link = self.visible_link(region, caller, link_id)?;
        Self::check_actionable(link, allow_terminal)?;
        Ok(link.is_in_service())
    }

    /// Marks a link changed and answers it with the intents (only for links in service).
    fn changed(
        &mut self,
        link_id: Uuid,
        now: DateTime<Utc>,
        intents: Vec<Intent>,
    ) -> Result<WithIntents<Link>, ProviderError> {
        let link = self.link_mut(link_id)?;
        link.updated_at = now;
        let in_service = link.is_in_service();
        let view = link.view();
        Ok((view, if in_service { intents } else { Vec::new() }))
    }

    /// `PATCH /links/{id}`.
    pub fn update_link(
        &mut self,
        region: Region,
        caller: &Caller,
        link_id: Uuid,
        req: UpdateLinkRequest,
        now: DateTime<Utc>,
    ) -> Result<WithIntents<Link>, ProviderError> {
        self.actionable(region, caller, link_id, true)?;
        if req.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            return Err(ProviderError::constraint("name", "must not be empty"));
        }
        naming::validate(
            req.name.as_deref(),
            NameLimits::INTERLINK,
            req.tags.as_deref(),
        )?;
        let link = self.link_mut(link_id)?;
        let new_asn = req.peer_asn.filter(|a| *a != 0 && *a != link.peer_asn);
        if let Some(asn) = new_asn {
            if link.is_hosted() {
                return Err(ProviderError::constraint(
                    "peer_asn",
                    "can only be changed on self-hosted links",
                ));
            }
            check_peer_asn(asn)?;
            link.peer_asn = asn;
        }
        if let Some(name) = req.name {
            link.name = name;
        }
        if let Some(tags) = req.tags {
            link.tags = tags;
        }
        let (name, vpc) = (link.name.clone(), link.vpc_id);
        self.ipam.update_link_ips(link_id, &name, vpc, now);
        let intents = new_asn
            .map(|peer_asn| Intent::SetPeerAsn { link_id, peer_asn })
            .into_iter()
            .collect();
        self.changed(link_id, now, intents)
    }

    /// `DELETE /links/{id}`: the link with status `deleted`, then it is gone.
    pub fn delete_link(
        &mut self,
        region: Region,
        caller: &Caller,
        link_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<WithIntents<Link>, ProviderError> {
        let in_service = self.actionable(region, caller, link_id, true)?;
        let mut view = self.any_link(link_id)?.view();
        view.status = LinkStatus::Deleted;
        view.bgp_v4_status = BgpStatus::Disabled;
        view.bgp_v6_status = BgpStatus::Disabled;
        view.updated_at = now;
        self.links.remove(&link_id);
        self.ipam.release_link_block(link_id);
        let intents = if in_service {
            vec![Intent::RemoveLink { link_id }]
        } else {
            Vec::new()
        };
        Ok((view, intents))
    }

    /// `POST /links/{id}/attach-vpc`.
    pub fn attach_vpc(
        &mut self,
        region: Region,
        caller: &Caller,
        link_id: Uuid,
        vpc_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<WithIntents<Link>, ProviderError> {
        self.actionable(region, caller, link_id, false)?;
        if !self
            .ipam
            .vpc(vpc_id)
            .is_some_and(|v| v.region == region && caller.sees(v.project_id))
        {
            return Err(ProviderError::not_found("vpc", vpc_id));
        }
        let link = self.link_mut(link_id)?;
        match link.vpc_id {
            Some(current) if current == vpc_id => return Ok((link.view(), Vec::new())),
            Some(current) => {
                return Err(ProviderError::precondition(
                    Precondition::UnknownPrecondition,
                    format!("the link is attached to VPC {current}; detach it first"),
                ));
            }
            None => link.vpc_id = Some(vpc_id),
        }
        let name = link.name.clone();
        self.ipam.update_link_ips(link_id, &name, Some(vpc_id), now);
        let prefixes = self.ipam.vpc_prefixes(vpc_id);
        self.changed(
            link_id,
            now,
            vec![Intent::SetVpc {
                link_id,
                vpc_id: Some(vpc_id),
                prefixes,
            }],
        )
    }

    /// `POST /links/{id}/detach-vpc`.
    pub fn detach_vpc(
        &mut self,
        region: Region,
        caller: &Caller,
        link_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<WithIntents<Link>, ProviderError> {
        self.actionable(region, caller, link_id, false)?;
        let link = self.link_mut(link_id)?;
        if link.vpc_id.take().is_none() {
            return Err(ProviderError::precondition(
                Precondition::AttributeMustBeSet,
                "no VPC is attached to the link",
            ));
        }
        let name = link.name.clone();
        self.ipam.update_link_ips(link_id, &name, None, now);
        self.changed(
            link_id,
            now,
            vec![Intent::SetVpc {
                link_id,
                vpc_id: None,
                prefixes: Vec::new(),
            }],
        )
    }

    /// `POST /links/{id}/attach-routing-policy`: the policy's `is_ipv6` picks the session.
    pub fn attach_routing_policy(
        &mut self,
        region: Region,
        caller: &Caller,
        link_id: Uuid,
        routing_policy_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<WithIntents<Link>, ProviderError> {
        self.actionable(region, caller, link_id, false)?;
        let policy = self
            .visible_policy(region, caller, routing_policy_id)?
            .clone();
        let family = policy.family();
        let link = self.link_mut(link_id)?;
        match link.policy_id(family) {
            Some(current) if current == routing_policy_id => return Ok((link.view(), Vec::new())),
            Some(current) => {
                return Err(ProviderError::constraint(
                    "routing_policy_id",
                    format!(
                        "routing policy {current} is already attached for this IP family; detach it or use set-routing-policy"
                    ),
                ));
            }
            None => {}
        }
        *link.policy_slot(family) = Some(routing_policy_id);
        *link.reported_slot(family) = BgpStatus::Down;
        self.changed(
            link_id,
            now,
            vec![Intent::SetPolicy {
                link_id,
                family,
                policy: Some(super::PolicyFilters::of(&policy)),
                in_place: false,
            }],
        )
    }

    /// `POST /links/{id}/detach-routing-policy`: all routes of that session are blocked again.
    pub fn detach_routing_policy(
        &mut self,
        region: Region,
        caller: &Caller,
        link_id: Uuid,
        routing_policy_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<WithIntents<Link>, ProviderError> {
        self.actionable(region, caller, link_id, false)?;
        let family = self
            .visible_policy(region, caller, routing_policy_id)?
            .family();
        let link = self.link_mut(link_id)?;
        if link.policy_id(family) != Some(routing_policy_id) {
            return Err(ProviderError::constraint(
                "routing_policy_id",
                "this routing policy is not attached to the link",
            ));
        }
        *link.policy_slot(family) = None;
        *link.reported_slot(family) = BgpStatus::Down;
        self.changed(
            link_id,
            now,
            vec![Intent::SetPolicy {
                link_id,
                family,
                policy: None,
                in_place: false,
            }],
        )
    }

    /// `POST /links/{id}/set-routing-policy`: replaces the policy of that family in place.
    pub fn set_routing_policy(
        &mut self,
        region: Region,
        caller: &Caller,
        link_id: Uuid,
        routing_policy_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<WithIntents<Link>, ProviderError> {
        self.actionable(region, caller, link_id, false)?;
        let policy = self
            .visible_policy(region, caller, routing_policy_id)?
            .clone();
        let family = policy.family();
        let link = self.link_mut(link_id)?;
        if link.policy_id(family).is_none() {
            return Err(ProviderError::precondition(
                Precondition::AttributeMustBeSet,
                "no routing policy of this IP family is attached; use attach-routing-policy",
            ));
        }
        *link.policy_slot(family) = Some(routing_policy_id);
        self.changed(
            link_id,
            now,
            vec![Intent::SetPolicy {
                link_id,
                family,
                policy: Some(super::PolicyFilters::of(&policy)),
                in_place: true,
            }],
        )
    }

    fn set_propagation(
        &mut self,
        region: Region,
        caller: &Caller,
        link_id: Uuid,
        enabled: bool,
        now: DateTime<Utc>,
    ) -> Result<WithIntents<Link>, ProviderError> {
        self.actionable(region, caller, link_id, false)?;
        let link = self.link_mut(link_id)?;
        if link.enable_route_propagation == enabled {
            return Ok((link.view(), Vec::new()));
        }
        link.enable_route_propagation = enabled;
        self.changed(
            link_id,
            now,
            vec![Intent::SetRoutePropagation { link_id, enabled }],
        )
    }

    /// `POST /links/{id}/enable-route-propagation`.
    pub fn enable_route_propagation(
        &mut self,
        region: Region,
        caller: &Caller,
        link_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<WithIntents<Link>, ProviderError> {
        self.set_propagation(region, caller, link_id, true, now)
    }

    /// `POST /links/{id}/disable-route-propagation`.
    pub fn disable_route_propagation(
        &mut self,
        region: Region,
        caller: &Caller,
        link_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<WithIntents<Link>, ProviderError> {
        self.set_propagation(region, caller, link_id, false, now)
    }
}
