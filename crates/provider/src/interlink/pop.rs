//! PoPs: the data centers where InterLinks land. Read-only, visible to every caller.
//!
//! A PoP's `available_link_bandwidths_mbps` is computed on each read: the link sizes that partners'
//! shared connections in that PoP can still fit.

use super::InterLink;
use crate::error::ProviderError;
use crate::list::{check_page, ordered, paginate};
use crate::region::Region;
use crate::scope::Caller;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uuid::Uuid;

/// A point of presence (SDK `Pop`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pop {
    /// ID.
    pub id: Uuid,
    /// Common name of the data center (`TH2`).
    pub name: String,
    /// Hosting provider (`Telehouse`).
    pub hosting_provider_name: String,
    /// Street address.
    pub address: String,
    /// City.
    pub city: String,
    /// Logo URL.
    pub logo_url: String,
    /// Link sizes partners can still offer here, ascending.
    pub available_link_bandwidths_mbps: Vec<u64>,
    /// Pretty name (`Paris - Telehouse TH2`).
    pub display_name: String,
    /// Region.
    pub region: Region,
}

/// `order_by` of `ListPops`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListPopsOrderBy {
    /// By name (default).
    #[default]
    NameAsc,
    /// By name, reversed.
    NameDesc,
}

/// `ListPops` query.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListPopsRequest {
    /// Order.
    pub order_by: Option<ListPopsOrderBy>,
    /// Page (1-based).
    pub page: Option<u32>,
    /// Page size (1–100).
    pub page_size: Option<u32>,
    /// Name filter (substring, case-insensitive: PoP names are codes like `th2`/`TH2`).
    pub name: Option<String>,
    /// Hosting provider filter (substring, case-insensitive).
    pub hosting_provider_name: Option<String>,
    /// PoPs where this partner has a shared connection.
    pub partner_id: Option<Uuid>,
    /// PoPs where partners offer this link size (0: no filter).
    pub link_bandwidth_mbps: Option<u64>,
    /// `true`: PoPs where the caller has an active dedicated connection; `false`: where it has none.
    pub dedicated_available: Option<bool>,
    /// `true`: PoPs with a shared connection of an L3 partner; `false`: PoPs without one.
    pub l3_connectivity_partners: Option<bool>,
}

/// `ListPops` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListPopsResponse {
    /// The page.
    pub pops: Vec<Pop>,
    /// How many match in all.
    pub total_count: u64,
}

fn contains_ci(filter: Option<&str>, value: &str) -> bool {
    match filter {
        None | Some("") => true,
        Some(f) => value.to_lowercase().contains(&f.to_lowercase()),
    }
}

impl InterLink {
    /// `GET /pops`.
    pub fn list_pops(
        &self,
        region: Region,
        caller: &Caller,
        req: &ListPopsRequest,
    ) -> Result<ListPopsResponse, ProviderError> {
        let (page, size) = check_page(req.page, req.page_size)?;
        let bandwidth = req.link_bandwidth_mbps.filter(|b| *b != 0);
        let mut found: Vec<(u64, Pop)> = self
            .pops
            .values()
            .filter(|r| r.pop.region == region)
            .map(|r| (r.seq, self.pop_view(&r.pop)))
            .filter(|(_, p)| {
                contains_ci(req.name.as_deref(), &p.name)
                    && contains_ci(
                        req.hosting_provider_name.as_deref(),
                        &p.hosting_provider_name,
                    )
                    && req.partner_id.is_none_or(|partner| {
                        self.shared_connections
                            .values()
                            .any(|s| s.partner_id == partner && s.pop_id == p.id)
                    })
                    && bandwidth.is_none_or(|b| p.available_link_bandwidths_mbps.contains(&b))
                    && req.dedicated_available.is_none_or(|want| {
                        let has = self.connections.values().any(|c| {
                            c.connection.pop_id == p.id
                                && caller.sees(c.connection.project_id)
                                && c.connection.status
                                    == super::connection::DedicatedConnectionStatus::Active
                        });
                        has == want
                    })
                    && req.l3_connectivity_partners.is_none_or(|want| {
                        let has = self.shared_connections.values().any(|s| {
                            s.pop_id == p.id
                                && self
                                    .partners
                                    .get(&s.partner_id)
                                    .is_some_and(|r| r.partner.l3_connectivity)
                        });
                        has == want
                    })
            })
            .collect();
        found.sort_by(|(sa, a), (sb, b)| {
            let descending = req.order_by.unwrap_or_default() == ListPopsOrderBy::NameDesc;
            ordered(a.name.cmp(&b.name), *sa, *sb, descending)
        });
        let (pops, total_count) = paginate(found.into_iter().map(|(_, p)| p).collect(), page, size);
        Ok(ListPopsResponse { pops, total_count })
    }

    /// `GET /pops/{id}`.
    pub fn get_pop(&self, region: Region, pop_id: Uuid) -> Result<Pop, ProviderError> {
        self.pops
            .get(&pop_id)
            .filter(|r| r.pop.region == region)
            .map(|r| self.pop_view(&r.pop))
            .ok_or_else(|| ProviderError::not_found("pop", pop_id))
    }

    fn pop_view(&self, pop: &Pop) -> Pop {
        let mut sizes = BTreeSet::new();
        for shared in self
            .shared_connections
            .values()
            .filter(|s| s.pop_id == pop.id)
        {
            let left = shared
                .bandwidth_mbps
                .saturating_sub(self.bandwidth_in_use(shared.id));
            sizes.extend(
                shared
                    .available_link_bandwidths
                    .iter()
                    .copied()
                    .filter(|b| *b <= left),
            );
        }
        Pop {
            available_link_bandwidths_mbps: sizes.into_iter().collect(),
            ..pop.clone()
        }
    }
}
