//! Private network calls: list, create, get, update, delete, enable DHCP, and the subnet list.

use super::requests::{
    CreatePrivateNetworkRequest, ListOrderBy, ListPrivateNetworksRequest,
    ListPrivateNetworksResponse, ListSubnetsOrderBy, ListSubnetsRequest, ListSubnetsResponse,
    UpdatePrivateNetworkRequest,
};
use super::types::{PrivateNetwork, Subnet};
use super::{by_date, check_name_and_tags, subnets, views};
use crate::error::{ArgumentReason, Precondition, ProviderError};
use crate::interlink::InterLink;
use crate::ipam;
use crate::list::{check_page, name_matches, ordered, paginate, tags_match};
use crate::region::Region;
use crate::scope::Caller;
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use uuid::Uuid;

impl InterLink {
    /// `GET /private-networks`. Filters combine with AND; list filters match any of their values.
    pub fn list_private_networks(
        &self,
        region: Region,
        caller: &Caller,
        req: &ListPrivateNetworksRequest,
    ) -> Result<ListPrivateNetworksResponse, ProviderError> {
        let (page, size) = check_page(req.page, req.page_size)?;
        let scope_ok = caller.list_scope_matches(req.project_id, req.organization_id);
        let mut found: Vec<(u64, &ipam::PrivateNetwork)> = self
            .ipam
            .private_networks()
            .filter(|pn| {
                scope_ok
                    && pn.region == region
                    && caller.sees(pn.project_id)
                    && name_matches(req.name.as_deref(), &pn.name)
                    && tags_match(&req.tags, &pn.tags)
                    && (req.private_network_ids.is_empty()
                        || req.private_network_ids.contains(&pn.id))
                    && req.vpc_id.is_none_or(|v| pn.vpc_id == v)
                    // DHCP is always on; Object Storage access never.
                    && req.dhcp_enabled.is_none_or(|want| want)
                    && req.object_storage_private_access_enabled.is_none_or(|want| !want)
            })
            .enumerate()
            .map(|(i, pn)| (i as u64, pn))
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
        let found = found
            .into_iter()
            .map(|(_, pn)| views::private_network(pn))
            .collect();
        let (private_networks, total_count) = paginate(found, page, size);
        Ok(ListPrivateNetworksResponse {
            private_networks,
            total_count,
        })
    }

    /// `POST /private-networks`: in a VPC of the caller's, with the subnets asked for and one
    /// of each missing family.
    pub fn create_private_network(
        &mut self,
        region: Region,
        caller: &Caller,
        req: CreatePrivateNetworkRequest,
        now: DateTime<Utc>,
    ) -> Result<PrivateNetwork, ProviderError> {
        let mut details = Vec::new();
        check_name_and_tags(
            Some(&req.name),
            Some("private network"),
            req.tags.as_deref(),
            &mut details,
        );
        if !details.is_empty() {
            return Err(ProviderError::InvalidArguments { details });
        }
        let vpc_id = req.vpc_id.ok_or_else(|| {
            ProviderError::invalid(
                "vpc_id",
                ArgumentReason::Required,
                "there is no default VPC in this region: create a VPC and give its ID",
            )
        })?;
        let vpc = self.ipam.visible_vpc(region, caller, vpc_id)?;
        let (vpc_project, organization_id) = (vpc.project_id, vpc.organization_id);
        let project_id = caller.project_for_write(req.project_id, "private_network")?;
        if project_id != vpc_project {
            return Err(ProviderError::write_denied("private_network"));
        }
        let taken: Vec<IpNet> = self
            .ipam
            .private_networks_of(vpc_id)
            .iter()
            .flat_map(|pn| pn.subnets.iter().map(|s| s.subnet))
            .collect();
        let pn_id = self.ipam.next_id();
        let nets = subnets::plan(req.subnets.as_deref().unwrap_or_default(), &taken, pn_id)?;
        let kept = nets
            .into_iter()
            .map(|subnet| ipam::Subnet {
                id: self.ipam.next_id(),
                subnet,
                created_at: Some(now),
                updated_at: Some(now),
            })
            .collect();
        let pn = ipam::PrivateNetwork {
            id: pn_id,
            name: req.name,
            vpc_id,
            project_id,
            organization_id,
            region,
            subnets: kept,
            tags: req.tags.unwrap_or_default(),
            created_at: Some(now),
            updated_at: Some(now),
            default_route_propagation_enabled: req.default_route_propagation_enabled,
        };
        let view = views::private_network(&pn);
        self.ipam.insert_private_network(pn);
        Ok(view)
    }

    /// `GET /private-networks/{id}`.
    pub fn get_private_network(
        &self,
        region: Region,
        caller: &Caller,
        private_network_id: Uuid,
    ) -> Result<PrivateNetwork, ProviderError> {
        self.ipam
            .visible_private_network(region, caller, private_network_id)
            .map(views::private_network)
    }

    /// `PATCH /private-networks/{id}`: name, tags, `default_route_propagation_enabled`.
    pub fn update_private_network(
        &mut self,
        region: Region,
        caller: &Caller,
        private_network_id: Uuid,
        req: UpdatePrivateNetworkRequest,
        now: DateTime<Utc>,
    ) -> Result<PrivateNetwork, ProviderError> {
        self.ipam
            .visible_private_network(region, caller, private_network_id)?;
        let mut details = Vec::new();
        check_name_and_tags(req.name.as_deref(), None, req.tags.as_deref(), &mut details);
        if !details.is_empty() {
            return Err(ProviderError::InvalidArguments { details });
        }
        let pn = self
            .ipam
            .private_network_mut(private_network_id)
            .ok_or_else(|| ProviderError::not_found("private_network", private_network_id))?;
        if let Some(name) = req.name {
            pn.name = name;
        }
        if let Some(tags) = req.tags {
            pn.tags = tags;
        }
        if let Some(enabled) = req.default_route_propagation_enabled {
            pn.default_route_propagation_enabled = enabled;
        }
        pn.updated_at = Some(now);
        Ok(views::private_network(pn))
    }

    /// `DELETE /private-networks/{id}`: refused while an IP is booked in it or a custom route
    /// goes through it.
    pub fn delete_private_network(
        &mut self,
        region: Region,
        caller: &Caller,
        private_network_id: Uuid,
    ) -> Result<(), ProviderError> {
        let pn = self
            .ipam
            .visible_private_network(region, caller, private_network_id)?;
        let booked = self.ipam.ips_in_private_network(private_network_id);
        if booked > 0 {
            return Err(ProviderError::precondition(
                Precondition::ResourceStillInUse,
                // The live API's words (terraform-provider-scaleway issue 3243).
                "Private Network must be empty to be deleted",
            ));
        }
        let routes: Vec<String> = self
            .ipam
            .vpc(pn.vpc_id)
            .map(|v| {
                v.routes
                    .iter()
                    .filter(|r| r.nexthop_private_network_id == Some(private_network_id))
                    .map(|r| r.id.to_string())
                    .collect()
            })
            .unwrap_or_default();
        if !routes.is_empty() {
            return Err(ProviderError::precondition(
                Precondition::ResourceStillInUse,
                format!(
                    "the Private Network is the next hop of custom route(s) {}; delete them first",
                    routes.join(", ")
                ),
            ));
        }
        self.ipam.remove_private_network(private_network_id);
        Ok(())
    }

    /// `POST /private-networks/{id}/enable-dhcp`: DHCP is always on; answers the network.
    pub fn enable_dhcp(
        &self,
        region: Region,
        caller: &Caller,
        private_network_id: Uuid,
    ) -> Result<PrivateNetwork, ProviderError> {
        self.get_private_network(region, caller, private_network_id)
    }

    /// `GET /subnets`: every subnet of the caller's private networks.
    pub fn list_subnets(
        &self,
        region: Region,
        caller: &Caller,
        req: &ListSubnetsRequest,
    ) -> Result<ListSubnetsResponse, ProviderError> {
        let (page, size) = check_page(req.page, req.page_size)?;
        let scope_ok = caller.list_scope_matches(req.project_id, req.organization_id);
        let mut found: Vec<(u64, Subnet)> = self
            .ipam
            .private_networks()
            .filter(|pn| {
                scope_ok
                    && pn.region == region
                    && caller.sees(pn.project_id)
                    && req.vpc_id.is_none_or(|v| pn.vpc_id == v)
            })
            .flat_map(|pn| pn.subnets.iter().map(move |s| views::subnet(pn, s)))
            .filter(|s| req.subnet_ids.is_empty() || req.subnet_ids.contains(&s.id))
            .enumerate()
            .map(|(i, s)| (i as u64, s))
            .collect();
        let descending = req.order_by.unwrap_or_default() == ListSubnetsOrderBy::CreatedAtDesc;
        found.sort_by(|(sa, a), (sb, b)| {
            let key = by_date((a.created_at, a.id), (b.created_at, b.id));
            ordered(key, *sa, *sb, descending)
        });
        let found = found.into_iter().map(|(_, s)| s).collect();
        let (subnets, total_count) = paginate(found, page, size);
        Ok(ListSubnetsResponse {
            subnets,
            total_count,
        })
    }
}
