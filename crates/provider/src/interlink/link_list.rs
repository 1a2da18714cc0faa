//! `ListLinks`: every filter of the SDK, every `order_by`, pages.

use super::InterLink;
use super::link::{BgpStatus, Host, Link, LinkKind, LinkRecord, LinkStatus};
use crate::error::ProviderError;
use crate::list::{check_page, eq_or_any, name_matches, ordered, paginate, tags_match};
use crate::region::Region;
use crate::scope::Caller;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `order_by` of `ListLinks`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListLinksOrderBy {
    /// Oldest first (default).
    #[default]
    CreatedAtAsc,
    /// Newest first.
    CreatedAtDesc,
    /// By name.
    NameAsc,
    /// By name, reversed.
    NameDesc,
    /// By status, in the enum's declaration order (`configuring` … `ready`).
    StatusAsc,
    /// By status, reversed.
    StatusDesc,
}

/// `ListLinks` query.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListLinksRequest {
    /// Order.
    pub order_by: Option<ListLinksOrderBy>,
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
    /// Status filter (`unknown_link_status`: none).
    pub status: Option<LinkStatus>,
    /// IPv4 session status filter (`unknown_bgp_status`: none).
    pub bgp_v4_status: Option<BgpStatus>,
    /// IPv6 session status filter (`unknown_bgp_status`: none).
    pub bgp_v6_status: Option<BgpStatus>,
    /// PoP filter.
    pub pop_id: Option<Uuid>,
    /// Bandwidth filter (0: none).
    pub bandwidth_mbps: Option<u64>,
    /// Hosted by this partner.
    pub partner_id: Option<Uuid>,
    /// Attached to this VPC.
    pub vpc_id: Option<Uuid>,
    /// Using this routing policy (either family).
    pub routing_policy_id: Option<Uuid>,
    /// With this pairing key.
    pub pairing_key: Option<String>,
    /// Of this kind (absent: every kind).
    pub kind: Option<LinkKind>,
    /// Self-hosted on this connection.
    pub connection_id: Option<Uuid>,
}

/// `ListLinks` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListLinksResponse {
    /// The page.
    pub links: Vec<Link>,
    /// How many match in all.
    pub total_count: u64,
}

fn matches(l: &LinkRecord, req: &ListLinksRequest) -> bool {
    let status = req.status.filter(|s| *s != LinkStatus::UnknownLinkStatus);
    let v4 = req
        .bgp_v4_status
        .filter(|s| *s != BgpStatus::UnknownBgpStatus);
    let v6 = req
        .bgp_v6_status
        .filter(|s| *s != BgpStatus::UnknownBgpStatus);
    let bandwidth = req.bandwidth_mbps.filter(|b| *b != 0);
    let (partner, pairing, connection) = match &l.host {
        Host::Hosted {
            partner_id,
            pairing_key,
            ..
        } => (Some(*partner_id), Some(pairing_key.as_str()), None),
        Host::SelfHosted { connection_id } => (None, None, Some(*connection_id)),
    };
    name_matches(req.name.as_deref(), &l.name)
        && tags_match(&req.tags, &l.tags)
        && eq_or_any(status.as_ref(), &l.status())
        && eq_or_any(v4.as_ref(), &l.shown_bgp(super::Family::Ipv4))
        && eq_or_any(v6.as_ref(), &l.shown_bgp(super::Family::Ipv6))
        && eq_or_any(req.pop_id.as_ref(), &l.pop_id)
        && eq_or_any(bandwidth.as_ref(), &l.bandwidth_mbps)
        && req.partner_id.is_none_or(|p| partner == Some(p))
        && req.vpc_id.is_none_or(|v| l.vpc_id == Some(v))
        && req
            .routing_policy_id
            .is_none_or(|p| l.routing_policy_v4_id == Some(p) || l.routing_policy_v6_id == Some(p))
        && req
            .pairing_key
            .as_deref()
            .filter(|k| !k.is_empty())
            .is_none_or(|k| pairing == Some(k))
        && req.kind.is_none_or(|k| l.kind_matches(k))
        && req.connection_id.is_none_or(|c| connection == Some(c))
}

impl InterLink {
    /// `GET /links`.
    pub fn list_links(
        &self,
        region: Region,
        caller: &Caller,
        req: &ListLinksRequest,
    ) -> Result<ListLinksResponse, ProviderError> {
        let (page, size) = check_page(req.page, req.page_size)?;
        let scope_ok = caller.list_scope_matches(req.project_id, req.organization_id);
        let mut found: Vec<&LinkRecord> = self
            .links
            .values()
            .filter(|l| scope_ok && l.region == region && caller.sees(l.project_id))
            .filter(|l| matches(l, req))
            .collect();
        let order = req.order_by.unwrap_or_default();
        found.sort_by(|a, b| {
            let (key, descending) = match order {
                ListLinksOrderBy::CreatedAtAsc => (a.created_at.cmp(&b.created_at), false),
                ListLinksOrderBy::CreatedAtDesc => (a.created_at.cmp(&b.created_at), true),
                ListLinksOrderBy::NameAsc => (a.name.cmp(&b.name), false),
                ListLinksOrderBy::NameDesc => (a.name.cmp(&b.name), true),
                ListLinksOrderBy::StatusAsc => (a.status().cmp(&b.status()), false),
                ListLinksOrderBy::StatusDesc => (a.status().cmp(&b.status()), true),
            };
            ordered(key, a.seq, b.seq, descending)
        });
        let found = found.into_iter().map(LinkRecord::view).collect();
        let (links, total_count) = paginate(found, page, size);
        Ok(ListLinksResponse { links, total_count })
    }
}
