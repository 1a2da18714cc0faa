//! Partners: companies with shared connections at PoPs, through which hosted links are ordered.
//! Read-only, visible to every caller. A partner's shared connections are not exposed by the API
//! (they are the partner's), but hosted links take their VLAN and bandwidth from them.

use super::InterLink;
pub use super::port::SharedConnection;
use crate::error::ProviderError;
use crate::list::{check_page, ordered, paginate};
use crate::region::Region;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A partner (SDK `Partner`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partner {
    /// ID.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Contact email.
    pub contact_email: String,
    /// Logo URL.
    pub logo_url: String,
    /// Portal URL.
    pub portal_url: String,
    /// Whether it offers L3 connectivity.
    pub l3_connectivity: bool,
    /// Region.
    pub region: Region,
    /// Creation date.
    pub created_at: DateTime<Utc>,
    /// Last modification date.
    pub updated_at: DateTime<Utc>,
}

/// `order_by` of `ListPartners`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListPartnersOrderBy {
    /// By name (default).
    #[default]
    NameAsc,
    /// By name, reversed.
    NameDesc,
}

/// `ListPartners` query.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListPartnersRequest {
    /// Order.
    pub order_by: Option<ListPartnersOrderBy>,
    /// Page (1-based).
    pub page: Option<u32>,
    /// Page size (1–100).
    pub page_size: Option<u32>,
    /// Partners present in at least one of these PoPs (none: no filter).
    pub pop_ids: Vec<Uuid>,
    /// Partners whose `l3_connectivity` is this.
    pub l3_connectivity: Option<bool>,
}

/// `ListPartners` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListPartnersResponse {
    /// The page.
    pub partners: Vec<Partner>,
    /// How many match in all.
    pub total_count: u64,
}

impl InterLink {
    /// `GET /partners`.
    pub fn list_partners(
        &self,
        region: Region,
        req: &ListPartnersRequest,
    ) -> Result<ListPartnersResponse, ProviderError> {
        let (page, size) = check_page(req.page, req.page_size)?;
        let mut found: Vec<&super::PartnerRecord> = self
            .partners
            .values()
            .filter(|r| {
                let p = &r.partner;
                p.region == region
                    && req.l3_connectivity.is_none_or(|l3| p.l3_connectivity == l3)
                    && (req.pop_ids.is_empty()
                        || self
                            .shared_connections
                            .values()
                            .any(|s| s.partner_id == p.id && req.pop_ids.contains(&s.pop_id)))
            })
            .collect();
        found.sort_by(|a, b| {
            let descending = req.order_by.unwrap_or_default() == ListPartnersOrderBy::NameDesc;
            ordered(
                a.partner.name.cmp(&b.partner.name),
                a.seq,
                b.seq,
                descending,
            )
        });
        let found = found.into_iter().map(|r| r.partner.clone()).collect();
        let (partners, total_count) = paginate(found, page, size);
        Ok(ListPartnersResponse {
            partners,
            total_count,
        })
    }

    /// `GET /partners/{id}`.
    pub fn get_partner(&self, region: Region, partner_id: Uuid) -> Result<Partner, ProviderError> {
        self.partners
            .get(&partner_id)
            .filter(|r| r.partner.region == region)
            .map(|r| r.partner.clone())
            .ok_or_else(|| ProviderError::not_found("partner", partner_id))
    }

    /// The partner's shared connections at a PoP.
    pub(crate) fn shared_connections_at(
        &self,
        partner_id: Uuid,
        pop_id: Uuid,
    ) -> Vec<&SharedConnection> {
        self.shared_connections
            .values()
            .filter(|s| s.partner_id == partner_id && s.pop_id == pop_id)
            .collect()
    }
}
