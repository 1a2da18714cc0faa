//! Route calls: create, get, update and delete a custom route, and the route table with next
//! hops (`GET /routes-with-nexthop`).
//!
//! A custom route sends a destination to a next hop inside its VPC: a resource with an address
//! in one of the VPC's private networks (`nexthop_resource_id`; here, a resource IPAM knows,
//! such as an IPAM custom resource or a Load Balancer), and/or one of its private networks
//! (`nexthop_private_network_id`, filled in from the resource when only that is given). VPC
//! connectors are not served, so a `nexthop_vpc_connector_id` is always `not_found`.

use super::requests::{
    CreateRouteRequest, ListRoutesOrderBy, ListRoutesWithNexthopRequest,
    ListRoutesWithNexthopResponse, UpdateRouteRequest,
};
use super::types::{Route, RouteWithNexthopResourceType};
use super::{DESCRIPTION_LIMITS, views};
use crate::error::{ArgumentError, ArgumentReason, ProviderError};
use crate::interlink::InterLink;
use crate::ipam::CustomRoute;
use crate::ipam::alloc::addr_bits;
use crate::list::{check_page, ordered, paginate, tags_match};
use crate::naming;
use crate::region::Region;
use crate::scope::Caller;
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use uuid::Uuid;

/// What the API answers when a route is created with an empty description.
const DEFAULT_DESCRIPTION: &str = "Custom route";

/// A missing route: the live API's body names no resource (`"unknown"`, `""`), as recorded.
fn route_not_found() -> ProviderError {
    ProviderError::NotFound {
        resource: "unknown".to_string(),
        resource_id: String::new(),
    }
}

/// A CIDR argument (no host bits).
fn parse_cidr(argument: &str, text: &str) -> Result<IpNet, ArgumentError> {
    let net: IpNet = text.trim().parse().map_err(|_| {
        ArgumentError::new(
            argument,
            ArgumentReason::Format,
            "must be a CIDR like 10.0.0.0/24",
        )
    })?;
    if net != net.trunc() {
        return Err(ArgumentError::new(
            argument,
            ArgumentReason::Constraint,
            format!("has host bits set: the network is {}", net.trunc()),
        ));
    }
    Ok(net)
}

/// Checks a description (at most 200 characters, no control character) and tags.
fn check_text(description: Option<&str>, tags: Option<&[String]>) -> Vec<ArgumentError> {
    let mut details = Vec::new();
    if let Some(Err(e)) =
        description.map(|d| naming::check_name("description", d, DESCRIPTION_LIMITS))
    {
        details.push(e);
    }
    if let Some(tags) = tags {
        details.extend(naming::check_tags("tags", tags));
    }
    details
}

fn description_or_default(description: String) -> String {
    if description.trim().is_empty() {
        DEFAULT_DESCRIPTION.to_string()
    } else {
        description
    }
}

impl InterLink {
    /// The next hop `(resource, private network)` of a route of `vpc_id`.
    fn resolve_nexthop(
        &self,
        region: Region,
        caller: &Caller,
        vpc_id: Uuid,
        resource: Option<Uuid>,
        private_network: Option<Uuid>,
        connector: Option<Uuid>,
    ) -> Result<(Option<Uuid>, Option<Uuid>), ProviderError> {
        if let Some(id) = connector {
            return Err(ProviderError::not_found("vpc_connector", id));
        }
        if let Some(id) = private_network {
            let pn = self.ipam.visible_private_network(region, caller, id)?;
            if pn.vpc_id != vpc_id {
                return Err(ProviderError::constraint(
                    "nexthop_private_network_id",
                    "must be a Private Network of the route's VPC",
                ));
            }
        }
        match resource {
            None if private_network.is_none() => Err(ProviderError::invalid(
                "nexthop_resource_id",
                ArgumentReason::Required,
                "one of nexthop_resource_id, nexthop_private_network_id and \
                 nexthop_vpc_connector_id must be set",
            )),
            None => Ok((None, private_network)),
            Some(id) => {
                let found = self.ipam.resource_in_vpc(vpc_id, id).ok_or_else(|| {
                    ProviderError::constraint(
                        "nexthop_resource_id",
                        "must be a resource with an address in a Private Network of the VPC",
                    )
                })?;
                if private_network.is_some_and(|pn| pn != found.private_network_id) {
                    return Err(ProviderError::constraint(
                        "nexthop_resource_id",
                        "the resource is not in nexthop_private_network_id",
                    ));
                }
                Ok((Some(id), Some(found.private_network_id)))
            }
        }
    }

    /// A custom route the caller may see, with its VPC's ID.
    fn visible_route(
        &self,
        region: Region,
        caller: &Caller,
        route_id: Uuid,
    ) -> Result<(Uuid, &CustomRoute), ProviderError> {
        self.ipam
            .vpcs()
            .filter(|v| v.region == region && caller.sees(v.project_id))
            .find_map(|v| {
                v.routes
                    .iter()
                    .find(|r| r.id == route_id)
                    .map(|r| (v.id, r))
            })
            .ok_or_else(route_not_found)
    }

    /// A custom route as the API shows it.
    fn route_view(&self, vpc_id: Uuid, route_id: Uuid) -> Result<Route, ProviderError> {
        let vpc = self.ipam.vpc(vpc_id).ok_or_else(route_not_found)?;
        let route = vpc
            .routes
            .iter()
            .find(|r| r.id == route_id)
            .ok_or_else(route_not_found)?;
        Ok(views::custom_route(vpc, route))
    }

    /// `POST /routes`.
    pub fn create_route(
        &mut self,
        region: Region,
        caller: &Caller,
        req: CreateRouteRequest,
        now: DateTime<Utc>,
    ) -> Result<Route, ProviderError> {
        let mut details = check_text(Some(&req.description), req.tags.as_deref());
        if req.vpc_id.is_none() {
            details.push(ArgumentError::new(
                "vpc_id",
                ArgumentReason::Required,
                "a route belongs to a VPC",
            ));
        }
        let destination = match req.destination.as_deref() {
            None => {
                details.push(ArgumentError::new(
                    "destination",
                    ArgumentReason::Required,
                    "a route needs a destination",
                ));
                None
            }
            Some(text) => parse_cidr("destination", text)
                .map_err(|e| details.push(e))
                .ok(),
        };
        let (Some(vpc_id), Some(destination), true) = (req.vpc_id, destination, details.is_empty())
        else {
            return Err(ProviderError::InvalidArguments { details });
        };
        self.ipam.visible_vpc(region, caller, vpc_id)?;
        let (resource, private_network) = self.resolve_nexthop(
            region,
            caller,
            vpc_id,
            req.nexthop_resource_id,
            req.nexthop_private_network_id,
            req.nexthop_vpc_connector_id,
        )?;
        let route = CustomRoute {
            id: self.ipam.next_id(),
            description: description_or_default(req.description),
            tags: req.tags.unwrap_or_default(),
            destination,
            nexthop_resource_id: resource,
            nexthop_private_network_id: private_network,
            nexthop_vpc_connector_id: None,
            created_at: now,
            updated_at: now,
        };
        let route_id = route.id;
        let vpc = self
            .ipam
            .vpc_mut(vpc_id)
            .ok_or_else(|| ProviderError::not_found("vpc", vpc_id))?;
        vpc.routes.push(route);
        self.route_view(vpc_id, route_id)
    }

    /// `GET /routes/{id}`.
    pub fn get_route(
        &self,
        region: Region,
        caller: &Caller,
        route_id: Uuid,
    ) -> Result<Route, ProviderError> {
        let (vpc_id, _) = self.visible_route(region, caller, route_id)?;
        self.route_view(vpc_id, route_id)
    }

    /// `PATCH /routes/{id}`: description, tags, destination; a next hop given (resource and/or
    /// private network) replaces the whole next hop.
    pub fn update_route(
        &mut self,
        region: Region,
        caller: &Caller,
        route_id: Uuid,
        req: UpdateRouteRequest,
        now: DateTime<Utc>,
    ) -> Result<Route, ProviderError> {
        let (vpc_id, current) = self.visible_route(region, caller, route_id)?;
        let current = current.clone();
        let mut details = check_text(req.description.as_deref(), req.tags.as_deref());
        let destination = req
            .destination
            .as_deref()
            .map(|text| parse_cidr("destination", text))
            .transpose()
            .map_err(|e| details.push(e))
            .ok()
            .flatten();
        if !details.is_empty() {
            return Err(ProviderError::InvalidArguments { details });
        }
        let nexthop_given = req.nexthop_resource_id.is_some()
            || req.nexthop_private_network_id.is_some()
            || req.nexthop_vpc_connector_id.is_some();
        let (resource, private_network) = if nexthop_given {
            self.resolve_nexthop(
                region,
                caller,
                vpc_id,
                req.nexthop_resource_id,
                req.nexthop_private_network_id,
                req.nexthop_vpc_connector_id,
            )?
        } else {
            (
                current.nexthop_resource_id,
                current.nexthop_private_network_id,
            )
        };
        let vpc = self.ipam.vpc_mut(vpc_id).ok_or_else(route_not_found)?;
        let route = vpc
            .routes
            .iter_mut()
            .find(|r| r.id == route_id)
            .ok_or_else(route_not_found)?;
        if let Some(description) = req.description {
            route.description = description_or_default(description);
        }
        if let Some(tags) = req.tags {
            route.tags = tags;
        }
        if let Some(destination) = destination {
            route.destination = destination;
        }
        route.nexthop_resource_id = resource;
        route.nexthop_private_network_id = private_network;
        route.updated_at = now;
        self.route_view(vpc_id, route_id)
    }

    /// `DELETE /routes/{id}`.
    pub fn delete_route(
        &mut self,
        region: Region,
        caller: &Caller,
        route_id: Uuid,
    ) -> Result<(), ProviderError> {
        let (vpc_id, _) = self.visible_route(region, caller, route_id)?;
        if let Some(vpc) = self.ipam.vpc_mut(vpc_id) {
            vpc.routes.retain(|r| r.id != route_id);
        }
        Ok(())
    }

    /// `GET /routes-with-nexthop`: the managed and custom routes of the caller's VPCs.
    pub fn list_routes_with_nexthop(
        &self,
        region: Region,
        caller: &Caller,
        req: &ListRoutesWithNexthopRequest,
    ) -> Result<ListRoutesWithNexthopResponse, ProviderError> {
        let (page, size) = check_page(req.page, req.page_size)?;
        let contains = req
            .contains
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(|c| parse_cidr("contains", c))
            .transpose()
            .map_err(|e| ProviderError::InvalidArguments { details: vec![e] })?;
        let wanted_type = req
            .nexthop_resource_type
            .filter(|t| *t != RouteWithNexthopResourceType::UnknownType);
        let mut found: Vec<(u64, super::types::RouteWithNexthop)> = self
            .ipam
            .vpcs()
            .filter(|v| {
                v.region == region
                    && caller.sees(v.project_id)
                    && req.vpc_id.is_none_or(|id| v.id == id)
            })
            .flat_map(|v| {
                let custom = v.routes.iter().map(|r| views::custom_route(v, r));
                views::managed_routes(&self.ipam, v)
                    .into_iter()
                    .chain(custom)
            })
            .map(|route| views::with_nexthop(&self.ipam, route))
            .filter(|r| {
                let route = &r.route;
                req.nexthop_resource_id
                    .is_none_or(|id| route.nexthop_resource_id == Some(id))
                    && req
                        .nexthop_private_network_id
                        .is_none_or(|id| route.nexthop_private_network_id == Some(id))
                    && req
                        .nexthop_vpc_connector_id
                        .is_none_or(|id| route.nexthop_vpc_connector_id == Some(id))
                    && wanted_type.is_none_or(|t| r.nexthop_resource_type == t)
                    && contains.is_none_or(|c| c.contains(&route.destination))
                    // Managed routes pass the tags filter, as recorded.
                    && (route.is_read_only || tags_match(&req.tags, &route.tags))
                    && req
                        .is_ipv6
                        .is_none_or(|v6| route.destination.addr().is_ipv6() == v6)
            })
            .enumerate()
            .map(|(i, r)| (i as u64, r))
            .collect();
        let order = req.order_by.unwrap_or_default();
        let destination_key = |n: &IpNet| (n.addr().is_ipv6(), addr_bits(n.addr()), n.prefix_len());
        found.sort_by(|(sa, a), (sb, b)| {
            let (x, y) = (&a.route, &b.route);
            let (key, descending) = match order {
                ListRoutesOrderBy::CreatedAtAsc => (x.created_at.cmp(&y.created_at), false),
                ListRoutesOrderBy::CreatedAtDesc => (x.created_at.cmp(&y.created_at), true),
                ListRoutesOrderBy::DestinationAsc => (
                    destination_key(&x.destination).cmp(&destination_key(&y.destination)),
                    false,
                ),
                ListRoutesOrderBy::DestinationDesc => (
                    destination_key(&x.destination).cmp(&destination_key(&y.destination)),
                    true,
                ),
                ListRoutesOrderBy::PrefixLenAsc => (
                    x.destination.prefix_len().cmp(&y.destination.prefix_len()),
                    false,
                ),
                ListRoutesOrderBy::PrefixLenDesc => (
                    x.destination.prefix_len().cmp(&y.destination.prefix_len()),
                    true,
                ),
            };
            ordered(key, *sa, *sb, descending)
        });
        let found = found.into_iter().map(|(_, r)| r).collect();
        let (routes, total_count) = paginate(found, page, size);
        Ok(ListRoutesWithNexthopResponse {
            routes,
            total_count,
        })
    }
}
