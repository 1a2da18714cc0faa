//! The `List…` queries and answers of the Load Balancer API, and the ordering they share.
//!
//! Every list is ordered by `created_at_asc` unless told otherwise (the SDK's default, which the
//! documentation confirms for `ListLbs`), paginates with [`crate::list::check_page`] and answers
//! `total_count`.

use super::backend_types::Backend;
use super::frontend_types::{Acl, Frontend, Route};
use super::other_types::{BackendServerStats, Certificate, PrivateNetwork};
use super::types::{Ip, Lb, LbType, Subscriber};
use crate::list::ordered;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use uuid::Uuid;

/// `order_by` of the lists that sort by date or name (LBs, backends, frontends, ACLs,
/// certificates, subscribers).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum OrderBy {
    #[default]
    CreatedAtAsc,
    CreatedAtDesc,
    NameAsc,
    NameDesc,
}

/// `order_by` of the lists that sort by date only (routes, private networks).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum CreatedOrderBy {
    #[default]
    CreatedAtAsc,
    CreatedAtDesc,
}

impl From<CreatedOrderBy> for OrderBy {
    fn from(o: CreatedOrderBy) -> Self {
        match o {
            CreatedOrderBy::CreatedAtAsc => OrderBy::CreatedAtAsc,
            CreatedOrderBy::CreatedAtDesc => OrderBy::CreatedAtDesc,
        }
    }
}

/// What an item is sorted by.
pub(crate) struct SortKey<'a> {
    pub seq: u64,
    pub created_at: DateTime<Utc>,
    pub name: &'a str,
}

impl OrderBy {
    /// Compares two items in this order (ties by creation sequence).
    pub(crate) fn compare(self, a: &SortKey, b: &SortKey) -> Ordering {
        match self {
            OrderBy::CreatedAtAsc => ordered(a.created_at.cmp(&b.created_at), a.seq, b.seq, false),
            OrderBy::CreatedAtDesc => ordered(a.created_at.cmp(&b.created_at), a.seq, b.seq, true),
            OrderBy::NameAsc => ordered(a.name.cmp(b.name), a.seq, b.seq, false),
            OrderBy::NameDesc => ordered(a.name.cmp(b.name), a.seq, b.seq, true),
        }
    }
}

/// `ListLbs` query.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListLbsRequest {
    /// Name contains.
    pub name: Option<String>,
    /// Order.
    pub order_by: Option<OrderBy>,
    /// Page (1-based).
    pub page: Option<u32>,
    /// Page size.
    pub page_size: Option<u32>,
    /// Organization filter.
    pub organization_id: Option<Uuid>,
    /// Project filter.
    pub project_id: Option<Uuid>,
    /// Any of these tags.
    pub tags: Vec<String>,
    /// Only these LBs.
    pub lb_ids: Vec<Uuid>,
}

/// IP family filter (SDK `ListIpsRequestIpType`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum IpType {
    #[default]
    All,
    Ipv4,
    Ipv6,
}

/// `ListIPs` query.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListIpsRequest {
    /// Page.
    pub page: Option<u32>,
    /// Page size.
    pub page_size: Option<u32>,
    /// This address only.
    pub ip_address: Option<String>,
    /// Organization filter.
    pub organization_id: Option<Uuid>,
    /// Project filter.
    pub project_id: Option<Uuid>,
    /// Family.
    pub ip_type: Option<IpType>,
    /// Any of these tags.
    pub tags: Vec<String>,
}

/// `ListBackends`, `ListFrontends`, `ListAcls`, `ListCertificates` query.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListByNameRequest {
    /// Name contains.
    pub name: Option<String>,
    /// Order.
    pub order_by: Option<OrderBy>,
    /// Page.
    pub page: Option<u32>,
    /// Page size.
    pub page_size: Option<u32>,
}

/// `ListRoutes` query.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListRoutesRequest {
    /// Order.
    pub order_by: Option<CreatedOrderBy>,
    /// Page.
    pub page: Option<u32>,
    /// Page size.
    pub page_size: Option<u32>,
    /// This frontend's routes only.
    pub frontend_id: Option<Uuid>,
}

/// `ListLbPrivateNetworks` query.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListPrivateNetworksRequest {
    /// Order.
    pub order_by: Option<CreatedOrderBy>,
    /// Page.
    pub page: Option<u32>,
    /// Page size.
    pub page_size: Option<u32>,
}

/// `ListSubscriber` query.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListSubscriberRequest {
    /// Order.
    pub order_by: Option<OrderBy>,
    /// Page.
    pub page: Option<u32>,
    /// Page size.
    pub page_size: Option<u32>,
    /// Name contains.
    pub name: Option<String>,
    /// Organization filter.
    pub organization_id: Option<Uuid>,
    /// Project filter.
    pub project_id: Option<Uuid>,
}

/// `ListBackendStats`, `GetLbStats` and `ListLbTypes` query.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StatsRequest {
    /// Page.
    pub page: Option<u32>,
    /// Page size.
    pub page_size: Option<u32>,
    /// One backend's servers only.
    pub backend_id: Option<Uuid>,
}

/// `DeleteLb` query.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteLbRequest {
    /// Release the LB's flexible IPs too (else they stay, detached).
    pub release_ip: bool,
}

macro_rules! list_response {
    ($(#[$doc:meta])* $name:ident, $key:ident, $item:ty) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
        pub struct $name {
            /// The page.
            pub $key: Vec<$item>,
            /// How many match in all.
            pub total_count: u64,
        }
    };
}

list_response!(
    /// `ListLbs` answer.
    ListLbsResponse, lbs, Lb);
list_response!(
    /// `ListIPs` answer.
    ListIpsResponse, ips, Ip);
list_response!(
    /// `ListBackends` answer.
    ListBackendsResponse, backends, Backend);
list_response!(
    /// `ListFrontends` answer.
    ListFrontendsResponse, frontends, Frontend);
list_response!(
    /// `ListRoutes` answer.
    ListRoutesResponse, routes, Route);
list_response!(
    /// `ListAcls` and `SetAcls` answer.
    ListAclResponse, acls, Acl);
list_response!(
    /// `ListCertificates` answer.
    ListCertificatesResponse, certificates, Certificate);
list_response!(
    /// `ListLbTypes` answer.
    ListLbTypesResponse, lb_types, LbType);
list_response!(
    /// `ListSubscriber` answer.
    ListSubscriberResponse, subscribers, Subscriber);
list_response!(
    /// `ListLbPrivateNetworks` answer (the key is singular, as the SDK has it).
    ListLbPrivateNetworksResponse, private_network, PrivateNetwork);
list_response!(
    /// `ListBackendStats` answer.
    ListBackendStatsResponse, backend_servers_stats, BackendServerStats);
