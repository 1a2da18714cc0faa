//! VPC calls: list, create, get, update, delete, enable routing, enable custom routes
//! propagation, and the (empty) network ACL.

use super::requests::{
    CreateVpcRequest, GetAclRequest, ListOrderBy, ListVpcsRequest, ListVpcsResponse,
    UpdateVpcRequest,
};
use super::types::{Action, GetAclResponse, Vpc};
use super::{by_date, check_name_and_tags, views};
use crate::error::{Precondition, ProviderError};
use crate::interlink::InterLink;
use crate::ipam;
use crate::list::{check_page, name_matches, ordered, paginate, tags_match};
use crate::region::Region;
use crate::scope::Caller;
use chrono::{DateTime, Utc};
use uuid::Uuid;

fn joined(ids: &[Uuid]) -> String {
    ids.iter()
        .map(Uuid::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl InterLink {
    /// `GET /vpcs`. Filters combine with AND; `tags` matches any of its values.
    pub fn list_vpcs(
        &self,
        region: Region,
        caller: &Caller,
        req: &ListVpcsRequest,
    ) -> Result<ListVpcsResponse, ProviderError> {
        let (page, size) = check_page(req.page, req.page_size)?;
        let scope_ok = caller.list_scope_matches(req.project_id, req.organization_id);
        let mut found: Vec<(u64, &ipam::Vpc)> = self
            .ipam
            .vpcs()
            .filter(|v| {
                scope_ok
                    && v.region == region
                    && caller.sees(v.project_id)
                    && name_matches(req.name.as_deref(), &v.name)
                    && tags_match(&req.tags, &v.tags)
                    && req.is_default.is_none_or(|want| !want)
                    && req
                        .routing_enabled
                        .is_none_or(|want| v.routing_enabled == want)
                    && req
                        .object_storage_private_access_enabled
                        .is_none_or(|want| !want)
            })
            .enumerate()
            .map(|(i, v)| (i as u64, v))
            .collect();
        let order = req.order_by.unwrap_or_default();
        found.sort_by(|(sa, a), (sb, b)| {
            let (key, descending) = match order {
                ListOrderBy::CreatedAtAsc | ListOrderBy::CreatedAtDesc => (
                    by_date((a.created_at, a.id), (b.created_at, b.id)),
                    order == ListOrderBy::CreatedAtDesc,
                ),
                ListOrderBy::NameAsc => (a.name.cmp(&b.name), false),
                ListOrderBy::NameDesc => (a.name.cmp(&b.name), true),
            };
            ordered(key, *sa, *sb, descending)
        });
        let found = found.into_iter().map(|(_, v)| views::vpc(v)).collect();
        let (vpcs, total_count) = paginate(found, page, size);
        Ok(ListVpcsResponse { vpcs, total_count })
    }

    /// `POST /vpcs`.
    pub fn create_vpc(
        &mut self,
        region: Region,
        caller: &Caller,
        req: CreateVpcRequest,
        now: DateTime<Utc>,
    ) -> Result<Vpc, ProviderError> {
        let mut details = Vec::new();
        check_name_and_tags(
            Some(&req.name),
            Some("VPC"),
            req.tags.as_deref(),
            &mut details,
        );
        if !details.is_empty() {
            return Err(ProviderError::InvalidArguments { details });
        }
        let project_id = caller.project_for_write(req.project_id, "vpc")?;
        let vpc = ipam::Vpc {
            id: self.ipam.next_id(),
            name: req.name,
            project_id,
            organization_id: caller.organization_id,
            region,
            private_network_ids: Vec::new(),
            tags: req.tags.unwrap_or_default(),
            created_at: Some(now),
            updated_at: Some(now),
            // Every new VPC routes, whatever `enable_routing` says (see the module doc).
            routing_enabled: true,
            custom_routes_propagation_enabled: true,
            transitivity_enabled: req.enable_transitivity,
            routes: Vec::new(),
        };
        let view = views::vpc(&vpc);
        self.ipam.insert_vpc(vpc);
        Ok(view)
    }

    /// `GET /vpcs/{id}`.
    pub fn get_vpc(
        &self,
        region: Region,
        caller: &Caller,
        vpc_id: Uuid,
    ) -> Result<Vpc, ProviderError> {
        self.ipam
            .visible_vpc(region, caller, vpc_id)
            .map(views::vpc)
    }

    /// Changes a visible VPC with `change`, dating the change `now`.
    fn change_vpc(
        &mut self,
        region: Region,
        caller: &Caller,
        vpc_id: Uuid,
        now: DateTime<Utc>,
        change: impl FnOnce(&mut ipam::Vpc),
    ) -> Result<Vpc, ProviderError> {
        self.ipam.visible_vpc(region, caller, vpc_id)?;
        let vpc = self
            .ipam
            .vpc_mut(vpc_id)
            .ok_or_else(|| ProviderError::not_found("vpc", vpc_id))?;
        change(vpc);
        vpc.updated_at = Some(now);
        Ok(views::vpc(vpc))
    }

    /// `PATCH /vpcs/{id}`: name and tags.
    pub fn update_vpc(
        &mut self,
        region: Region,
        caller: &Caller,
        vpc_id: Uuid,
        req: UpdateVpcRequest,
        now: DateTime<Utc>,
    ) -> Result<Vpc, ProviderError> {
        self.ipam.visible_vpc(region, caller, vpc_id)?;
        let mut details = Vec::new();
        check_name_and_tags(req.name.as_deref(), None, req.tags.as_deref(), &mut details);
        if !details.is_empty() {
            return Err(ProviderError::InvalidArguments { details });
        }
        self.change_vpc(region, caller, vpc_id, now, |vpc| {
            if let Some(name) = req.name {
                vpc.name = name;
            }
            if let Some(tags) = req.tags {
                vpc.tags = tags;
            }
        })
    }

    /// `DELETE /vpcs/{id}`: refused while it has private networks or a link is attached to it.
    pub fn delete_vpc(
        &mut self,
        region: Region,
        caller: &Caller,
        vpc_id: Uuid,
    ) -> Result<(), ProviderError> {
        let vpc = self.ipam.visible_vpc(region, caller, vpc_id)?;
        if !vpc.private_network_ids.is_empty() {
            return Err(ProviderError::precondition(
                Precondition::ResourceStillInUse,
                format!(
                    "VPC must be empty to be deleted: it has private network(s) {}",
                    joined(&vpc.private_network_ids)
                ),
            ));
        }
        let links = self.links_attached_to(vpc_id);
        if !links.is_empty() {
            return Err(ProviderError::precondition(
                Precondition::ResourceStillInUse,
                format!(
                    "the VPC is attached to InterLink link(s) {}; detach it first",
                    joined(&links)
                ),
            ));
        }
        self.ipam.remove_vpc(vpc_id);
        Ok(())
    }

    /// `POST /vpcs/{id}/enable-routing`: every VPC routes already; answers the VPC unchanged.
    pub fn enable_routing(
        &mut self,
        region: Region,
        caller: &Caller,
        vpc_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Vpc, ProviderError> {
        let vpc = self.ipam.visible_vpc(region, caller, vpc_id)?;
        if vpc.routing_enabled {
            return Ok(views::vpc(vpc));
        }
        self.change_vpc(region, caller, vpc_id, now, |v| v.routing_enabled = true)
    }

    /// `POST /vpcs/{id}/enable-custom-routes-propagation` (irreversible).
    pub fn enable_custom_routes_propagation(
        &mut self,
        region: Region,
        caller: &Caller,
        vpc_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Vpc, ProviderError> {
        let vpc = self.ipam.visible_vpc(region, caller, vpc_id)?;
        if vpc.custom_routes_propagation_enabled {
            return Ok(views::vpc(vpc));
        }
        self.change_vpc(region, caller, vpc_id, now, |v| {
            v.custom_routes_propagation_enabled = true
        })
    }

    /// `GET /vpcs/{id}/acl-rules`: no rule, `accept` (what the live API answers for a VPC with
    /// no ACL, and what the model does: it filters nothing).
    pub fn get_acl(
        &self,
        region: Region,
        caller: &Caller,
        vpc_id: Uuid,
        _req: &GetAclRequest,
    ) -> Result<GetAclResponse, ProviderError> {
        self.ipam.visible_vpc(region, caller, vpc_id)?;
        Ok(GetAclResponse {
            rules: Vec::new(),
            default_policy: Action::Accept,
        })
    }
}
