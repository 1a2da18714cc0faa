//! Scaleway VPC (`/vpc/v2/regions/{region}/…`): VPCs, private networks with their subnets,
//! routes — the part of `scaleway.vpc.v2` that InterLink, IPAM and Load Balancer users call.
//!
//! The VPCs and private networks are the very records [`crate::ipam`] keeps: one created here
//! is one the catalogue could have declared. A link attaches to it
//! ([`InterLink::attach_vpc`]), IPAM books its addresses, a Load Balancer attaches to its
//! private networks (through [`Ipam::visible_private_network`](crate::ipam::Ipam::visible_private_network)),
//! and the world's model builds a VRF per VPC and a segment per private network from them.
//!
//! One method of [`InterLink`] per SDK call (the InterLink state owns IPAM and knows the links
//! a VPC must not lose). Every call takes its path's region and the [`Caller`](crate::Caller);
//! another project's resource is `not_found`. Names and tags follow [`crate::naming`]; lists
//! take `page`, `page_size`, `order_by` and the SDK's filters ([`crate::list`]).
//!
//! What the real service does, and what we chose where it says nothing:
//! - A new VPC routes between its private networks (`routing_enabled: true` even when created
//!   with `enable_routing: false`, as recorded) and propagates custom routes; routing cannot be
//!   disabled, so `enable_routing` only ever confirms it. `is_default` is always false: no
//!   default VPC exists (projects created since 13 May 2025 get none), so a private network
//!   created without `vpc_id` is `invalid_arguments` (`required`) — our choice of answer.
//! - A private network always has an IPv4 and an IPv6 subnet ([`subnets`]); DHCP is always on.
//!   Subnets cannot be added to or removed from an existing private network: the live API
//!   answers `AddSubnets`/`DeleteSubnets` with `501 unimplemented endpoint` (scaleway-sdk-go
//!   issue 3094; the SDKs dropped the calls), and so does peerlab's API layer.
//! - Deleting a private network in which any IP is booked (an IPAM reservation, a link's or a
//!   Load Balancer's address) is `precondition_failed` / `resource_still_in_use` with the live
//!   API's words, "Private Network must be empty to be deleted"; so is one that a custom route
//!   goes through. Deleting a VPC that still has private networks, or that an InterLink link is
//!   attached to, is refused the same way (our wording).
//! - A VPC's route table lists, besides its custom routes, one managed `subnet` route per
//!   private network subnet (read-only, no ID, tags `["MANAGED"]`), as the live API does. A
//!   missing route is the live API's odd `not_found` with `resource: "unknown"` and an empty
//!   `resource_id`.
//! - ACLs: `GetAcl` answers what the model does, no rule and `accept`; setting rules,
//!   VPC connectors, ingress rules and Object Storage access are not served (the API layer
//!   answers them `501 unimplemented endpoint`).
//!
//! Not here: HTTP, the model's use of routing flags (every VPC routes), custom routes in the
//! data plane.

mod private_networks;
mod requests;
mod routes;
pub mod subnets;
#[cfg(test)]
mod tests;
mod types;
mod views;
mod vpcs;

pub use requests::*;
pub use types::*;

use crate::error::{ArgumentError, ArgumentReason};
use crate::interlink::InterLink;
use crate::naming::{self, NameLimits};
use chrono::{DateTime, Utc};
use std::cmp::Ordering;
use uuid::Uuid;

/// A VPC's and a private network's name: at most 255 characters ([`NameLimits::RESOURCE`]; no
/// Scaleway source states a limit).
const NAME_LIMITS: NameLimits = NameLimits::RESOURCE;

/// A route's description: at most 200 characters (`@scaleway/sdk-vpc` validation rules,
/// `Route.description.maxLength`).
const DESCRIPTION_LIMITS: NameLimits = NameLimits { max_chars: 200 };

/// Checks a name and tags: `required` names a missing name on creation (`Some(what)`), a blank
/// new name on update is a `constraint`.
fn check_name_and_tags(
    name: Option<&str>,
    creating: Option<&str>,
    tags: Option<&[String]>,
    details: &mut Vec<ArgumentError>,
) {
    let blank = name.is_some_and(|n| n.trim().is_empty());
    match (blank, creating) {
        (true, Some(what)) => details.push(ArgumentError::new(
            "name",
            ArgumentReason::Required,
            format!("a {what} needs a name"),
        )),
        (true, None) => details.push(ArgumentError::new(
            "name",
            ArgumentReason::Constraint,
            "must not be empty",
        )),
        (false, _) => {}
    }
    naming::check_name_and_tags(name.filter(|_| !blank), NAME_LIMITS, tags, details);
}

/// The order of two dated items: by date (undated first), ties by ID.
fn by_date(a: (Option<DateTime<Utc>>, Uuid), b: (Option<DateTime<Utc>>, Uuid)) -> Ordering {
    a.cmp(&b)
}

impl InterLink {
    /// The IDs of the links attached to a VPC, whoever owns them.
    fn links_attached_to(&self, vpc_id: Uuid) -> Vec<Uuid> {
        self.links
            .values()
            .filter(|l| l.vpc_id == Some(vpc_id))
            .map(|l| l.id)
            .collect()
    }
}
