//! Routing policies: the prefix filters of a link's BGP sessions, one family per policy.
//!
//! `prefix_filter_in` lists what is accepted from the peer, `prefix_filter_out` what is announced
//! to it; an entry admits a route equal to it or more specific. Entries are normalized (host bits
//! cleared: `10.1.2.3/16` is kept as `10.1.0.0/16`) and exact duplicates dropped; an entry of the
//! other family than `is_ipv6` is an `invalid_arguments`. Updating a policy's filters re-applies
//! it, in place, on every link that uses it. Its `name` (1–255 characters) and `tags` follow
//! [`crate::naming`].

use super::intent::{Family, Intent, PolicyFilters};
use super::{InterLink, PolicyRecord};
use crate::error::{ArgumentError, ArgumentReason, Precondition, ProviderError};
use crate::list::{check_page, name_matches, ordered, paginate, tags_match};
use crate::naming::{self, NameLimits};
use crate::region::Region;
use crate::scope::Caller;
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A routing policy (SDK `RoutingPolicy`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingPolicy {
    /// ID.
    pub id: Uuid,
    /// Project.
    pub project_id: Uuid,
    /// Organization.
    pub organization_id: Uuid,
    /// Name.
    pub name: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Prefixes accepted from the peer.
    pub prefix_filter_in: Vec<IpNet>,
    /// Prefixes announced to the peer.
    pub prefix_filter_out: Vec<IpNet>,
    /// The family of every prefix.
    pub is_ipv6: bool,
    /// Region.
    pub region: Region,
    /// Creation date.
    pub created_at: DateTime<Utc>,
    /// Last modification date.
    pub updated_at: DateTime<Utc>,
}

impl RoutingPolicy {
    /// The family of the session this policy drives.
    pub fn family(&self) -> Family {
        if self.is_ipv6 {
            Family::Ipv6
        } else {
            Family::Ipv4
        }
    }
}

impl PolicyFilters {
    /// The filters of a policy.
    pub fn of(policy: &RoutingPolicy) -> Self {
        Self {
            routing_policy_id: policy.id,
            prefix_filter_in: policy.prefix_filter_in.clone(),
            prefix_filter_out: policy.prefix_filter_out.clone(),
        }
    }
}

/// `CreateRoutingPolicy` body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateRoutingPolicyRequest {
    /// Name (required).
    pub name: String,
    /// Family.
    pub is_ipv6: bool,
    /// Project (default: the caller's).
    pub project_id: Option<Uuid>,
    /// Tags.
    pub tags: Option<Vec<String>>,
    /// Prefixes accepted from the peer.
    pub prefix_filter_in: Option<Vec<String>>,
    /// Prefixes announced to the peer.
    pub prefix_filter_out: Option<Vec<String>>,
}

/// `UpdateRoutingPolicy` body: what is given replaces what was.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateRoutingPolicyRequest {
    /// New name.
    pub name: Option<String>,
    /// New tags.
    pub tags: Option<Vec<String>>,
    /// New `prefix_filter_in`.
    pub prefix_filter_in: Option<Vec<String>>,
    /// New `prefix_filter_out`.
    pub prefix_filter_out: Option<Vec<String>>,
}

/// `order_by` of `ListRoutingPolicies`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListRoutingPoliciesOrderBy {
    /// Oldest first (default).
    #[default]
    CreatedAtAsc,
    /// Newest first.
    CreatedAtDesc,
    /// By name.
    NameAsc,
    /// By name, reversed.
    NameDesc,
}

/// `ListRoutingPolicies` query.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListRoutingPoliciesRequest {
    /// Order.
    pub order_by: Option<ListRoutingPoliciesOrderBy>,
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
    /// Family filter: `Some(true)` IPv6 only, `Some(false)` IPv4 only.
    pub ipv6: Option<bool>,
}

/// `ListRoutingPolicies` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRoutingPoliciesResponse {
    /// The page.
    pub routing_policies: Vec<RoutingPolicy>,
    /// How many match in all.
    pub total_count: u64,
}

/// Parses, checks the family of, normalizes and dedups prefix filter entries.
fn parse_prefixes(
    argument: &str,
    entries: &[String],
    is_ipv6: bool,
    details: &mut Vec<ArgumentError>,
) -> Vec<IpNet> {
    let mut out: Vec<IpNet> = Vec::new();
    for (i, text) in entries.iter().enumerate() {
        let name = format!("{argument}.{i}");
        match text.trim().parse::<IpNet>() {
            Err(_) => details.push(ArgumentError::new(
                name,
                ArgumentReason::Format,
                format!("{text:?} is not an IP prefix in CIDR notation"),
            )),
            Ok(net) if matches!(net, IpNet::V6(_)) != is_ipv6 => details.push(ArgumentError::new(
                name,
                ArgumentReason::Constraint,
                format!(
                    "{net} is not an {} prefix, as the policy's is_ipv6 requires",
                    if is_ipv6 { "IPv6" } else { "IPv4" }
                ),
            )),
            Ok(net) => {
                let net = net.trunc();
                if !out.contains(&net) {
                    out.push(net);
                }
            }
        }
    }
    out
}

impl InterLink {
    /// `GET /routing-policies`.
    pub fn list_routing_policies(
        &self,
        region: Region,
        caller: &Caller,
        req: &ListRoutingPoliciesRequest,
    ) -> Result<ListRoutingPoliciesResponse, ProviderError> {
        let (page, size) = check_page(req.page, req.page_size)?;
        let mut found: Vec<&PolicyRecord> = self
            .policies
            .values()
            .filter(|r| {
                let p = &r.policy;
                p.region == region
                    && caller.sees(p.project_id)
                    && caller.list_scope_matches(req.project_id, req.organization_id)
                    && name_matches(req.name.as_deref(), &p.name)
                    && tags_match(&req.tags, &p.tags)
                    && req.ipv6.is_none_or(|v6| p.is_ipv6 == v6)
            })
            .collect();
        let order = req.order_by.unwrap_or_default();
        found.sort_by(|a, b| {
            use ListRoutingPoliciesOrderBy as O;
            let (x, y) = (&a.policy, &b.policy);
            let (key, descending) = match order {
                O::CreatedAtAsc => (x.created_at.cmp(&y.created_at), false),
                O::CreatedAtDesc => (x.created_at.cmp(&y.created_at), true),
                O::NameAsc => (x.name.cmp(&y.name), false),
                O::NameDesc => (x.name.cmp(&y.name), true),
            };
            ordered(key, a.seq, b.seq, descending)
        });
        let found = found.into_iter().map(|r| r.policy.clone()).collect();
        let (routing_policies, total_count) = paginate(found, page, size);
        Ok(ListRoutingPoliciesResponse {
            routing_policies,
            total_count,
        })
    }

    /// `GET /routing-policies/{id}`.
    pub fn get_routing_policy(
        &self,
        region: Region,
        caller: &Caller,
        routing_policy_id: Uuid,
    ) -> Result<RoutingPolicy, ProviderError> {
        self.visible_policy(region, caller, routing_policy_id)
            .cloned()
    }

    pub(crate) fn visible_policy(
        &self,
        region: Region,
        caller: &Caller,
        routing_policy_id: Uuid,
    ) -> Result<&RoutingPolicy, ProviderError> {
        self.policies
            .get(&routing_policy_id)
            .map(|r| &r.policy)
            .filter(|p| p.region == region && caller.sees(p.project_id))
            .ok_or_else(|| ProviderError::not_found("routing_policy", routing_policy_id))
    }

    /// `POST /routing-policies`.
    pub fn create_routing_policy(
        &mut self,
        region: Region,
        caller: &Caller,
        req: CreateRoutingPolicyRequest,
        now: DateTime<Utc>,
    ) -> Result<RoutingPolicy, ProviderError> {
        let mut details = Vec::new();
        if req.name.trim().is_empty() {
            details.push(ArgumentError::new(
                "name",
                ArgumentReason::Required,
                "a routing policy needs a name",
            ));
        }
        let name = Some(req.name.as_str()).filter(|n| !n.trim().is_empty());
        naming::check_name_and_tags(
            name,
            NameLimits::INTERLINK,
            req.tags.as_deref(),
            &mut details,
        );
        let prefix_filter_in = parse_prefixes(
            "prefix_filter_in",
            req.prefix_filter_in.as_deref().unwrap_or_default(),
            req.is_ipv6,
            &mut details,
        );
        let prefix_filter_out = parse_prefixes(
            "prefix_filter_out",
            req.prefix_filter_out.as_deref().unwrap_or_default(),
            req.is_ipv6,
            &mut details,
        );
        if !details.is_empty() {
            return Err(ProviderError::InvalidArguments { details });
        }
        let project_id = caller.project_for_write(req.project_id, "routing_policy")?;
        let policy = RoutingPolicy {
            id: self.ids.next_uuid(),
            project_id,
            organization_id: caller.organization_id,
            name: req.name,
            tags: req.tags.unwrap_or_default(),
            prefix_filter_in,
            prefix_filter_out,
            is_ipv6: req.is_ipv6,
            region,
            created_at: now,
            updated_at: now,
        };
        let seq = self.next_seq();
        self.policies.insert(
            policy.id,
            PolicyRecord {
                seq,
                policy: policy.clone(),
            },
        );
        Ok(policy)
    }

    /// `PATCH /routing-policies/{id}`: gives the policy and, when its filters changed, one
    /// in-place `SetPolicy` per link in service that uses it.
    pub fn update_routing_policy(
        &mut self,
        region: Region,
        caller: &Caller,
        routing_policy_id: Uuid,
        req: UpdateRoutingPolicyRequest,
        now: DateTime<Utc>,
    ) -> Result<(RoutingPolicy, Vec<Intent>), ProviderError> {
        let current = self
            .visible_policy(region, caller, routing_policy_id)?
            .clone();
        let mut details = Vec::new();
        let blank = req.name.as_deref().is_some_and(|n| n.trim().is_empty());
        if blank {
            details.push(ArgumentError::new(
                "name",
                ArgumentReason::Constraint,
                "must not be empty",
            ));
        }
        naming::check_name_and_tags(
            req.name.as_deref().filter(|_| !blank),
            NameLimits::INTERLINK,
            req.tags.as_deref(),
            &mut details,
        );
        let filter_in = req
            .prefix_filter_in
            .as_deref()
            .map(|e| parse_prefixes("prefix_filter_in", e, current.is_ipv6, &mut details));
        let filter_out = req
            .prefix_filter_out
            .as_deref()
            .map(|e| parse_prefixes("prefix_filter_out", e, current.is_ipv6, &mut details));
        if !details.is_empty() {
            return Err(ProviderError::InvalidArguments { details });
        }
        let mut updated = current.clone();
        if let Some(name) = req.name {
            updated.name = name;
        }
        if let Some(tags) = req.tags {
            updated.tags = tags;
        }
        if let Some(f) = filter_in {
            updated.prefix_filter_in = f;
        }
        if let Some(f) = filter_out {
            updated.prefix_filter_out = f;
        }
        updated.updated_at = now;
        let filters_changed = updated.prefix_filter_in != current.prefix_filter_in
            || updated.prefix_filter_out != current.prefix_filter_out;
        if let Some(record) = self.policies.get_mut(&routing_policy_id) {
            record.policy = updated.clone();
        }
        let mut intents = Vec::new();
        if filters_changed {
            let family = updated.family();
            for link in self.links.values() {
                if link.is_in_service() && link.policy_id(family) == Some(routing_policy_id) {
                    intents.push(Intent::SetPolicy {
                        link_id: link.id,
                        family,
                        policy: Some(PolicyFilters::of(&updated)),
                        in_place: true,
                    });
                }
            }
        }
        Ok((updated, intents))
    }

    /// `DELETE /routing-policies/{id}`: refused while a link uses the policy.
    pub fn delete_routing_policy(
        &mut self,
        region: Region,
        caller: &Caller,
        routing_policy_id: Uuid,
    ) -> Result<(), ProviderError> {
        self.visible_policy(region, caller, routing_policy_id)?;
        let users: Vec<String> = self
            .links
            .values()
            .filter(|l| {
                l.routing_policy_v4_id == Some(routing_policy_id)
                    || l.routing_policy_v6_id == Some(routing_policy_id)
            })
            .map(|l| l.id.to_string())
            .collect();
        if !users.is_empty() {
            return Err(ProviderError::precondition(
                Precondition::ResourceStillInUse,
                format!(
                    "the routing policy is attached to link(s) {}; detach it first",
                    users.join(", ")
                ),
            ));
        }
        self.policies.remove(&routing_policy_id);
        Ok(())
    }
}
