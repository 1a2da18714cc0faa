//! LB calls: create, get, list, update, delete, migrate, and the offers.

use super::list::{
    DeleteLbRequest, ListLbTypesResponse, ListLbsRequest, ListLbsResponse, SortKey, StatsRequest,
};
use super::records::{InstanceRecord, LbRecord, Phase};
use super::requests::{CreateLbRequest, MigrateLbRequest, UpdateLbRequest};
use super::types::{
    InstanceStatus, Lb, LbType, LbTypeStock, OFFERS, SslCompatibilityLevel, offer_type,
};
use super::{LoadBalancers, Locality};
use crate::error::{ArgumentReason, ProviderError};
use crate::ipam::Ipam;
use crate::list::{check_page, name_matches, paginate, tags_match};
use crate::scope::Caller;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The project a new resource goes into: `project_id`, else the caller's; an `organization_id`
/// must be the caller's.
pub(crate) fn project_for_create(
    caller: &Caller,
    project_id: Option<Uuid>,
    organization_id: Option<Uuid>,
    resource: &str,
) -> Result<Uuid, ProviderError> {
    if organization_id.is_some_and(|o| o != caller.organization_id) {
        return Err(ProviderError::write_denied(resource));
    }
    caller.project_for_write(project_id, resource)
}

/// The name of a resource created without one: what the SDKs would have made up, a prefix and
/// the start of the ID (`lb-1f2e3d4c`).
pub(crate) fn default_name(prefix: &str, id: Uuid) -> String {
    let hex = id.simple().to_string();
    format!("{prefix}-{}", hex.get(..8).unwrap_or_default())
}

fn check_type(requested: Option<&str>) -> Result<String, ProviderError> {
    let requested = requested.unwrap_or_default();
    if requested.trim().is_empty() {
        return Err(ProviderError::invalid(
            "type",
            ArgumentReason::Required,
            "the Load Balancer offer type is required (see ListLbTypes)",
        ));
    }
    offer_type(requested).ok_or_else(|| {
        let names: Vec<&str> = OFFERS.iter().map(|(n, ..)| *n).collect();
        ProviderError::constraint("type", format!("must be one of {}", names.join(", ")))
    })
}

impl LoadBalancers {
    /// `POST /lbs`. A public LB gets a new IPv4 flexible IP unless `assign_flexible_ip` is
    /// `false` or existing IPs are given (`ip_id`, `ip_ids`); without any IP it is private.
    pub fn create_lb(
        &mut self,
        loc: Locality,
        caller: &Caller,
        req: CreateLbRequest,
        now: DateTime<Utc>,
    ) -> Result<Lb, ProviderError> {
        let type_ = check_type(req.type_.as_deref())?;
        let project_id = project_for_create(caller, req.project_id, req.organization_id, "lb")?;
        let zone = loc.zone_for_create();
        let mut existing: Vec<Uuid> = Vec::new();
        for id in req.ip_id.into_iter().chain(req.ip_ids.unwrap_or_default()) {
            if !existing.contains(&id) {
                existing.push(id);
            }
        }
        for ip_id in &existing {
            let ip = self
                .ips
                .get(ip_id)
                .filter(|i| i.zone == zone && caller.sees(i.project_id))
                .ok_or_else(|| super::missing(super::not_found::IP))?;
            if ip.lb_id.is_some() {
                return Err(ProviderError::constraint(
                    "ip_id",
                    format!("the flexible IP {ip_id} is already attached to a Load Balancer"),
                ));
            }
        }
        let id = self.ids.next_uuid();
        let instance_id = self.ids.next_uuid();
        let seq = self.next_seq();
        let name = req
            .name
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| default_name("lb", id));
        let record = LbRecord {
            seq,
            id,
            name,
            description: req.description.unwrap_or_default(),
            project_id,
            organization_id: caller.organization_id,
            zone,
            tags: req.tags.unwrap_or_default(),
            type_,
            ssl_compatibility_level: req.ssl_compatibility_level.unwrap_or_default().or_default(),
            subscriber_id: None,
            created_at: now,
            updated_at: now,
            phase: Phase::ToCreate,
            phase_since: now,
            instance: InstanceRecord {
                id: instance_id,
                status: InstanceStatus::Unknown,
                created_at: now,
                updated_at: now,
                reason: None,
            },
            server_reports: BTreeMap::new(),
        };
        if existing.is_empty() {
            if req.assign_flexible_ip.unwrap_or(true) {
                self.new_ip(caller, project_id, zone, false, None, Vec::new(), Some(id))?;
            }
        } else {
            for ip_id in &existing {
                if let Some(ip) = self.ips.get_mut(ip_id) {
                    ip.lb_id = Some(id);
                }
            }
        }
        if req.assign_flexible_ipv6.unwrap_or(false) {
            self.new_ip(caller, project_id, zone, true, None, Vec::new(), Some(id))?;
        }
        self.lbs.insert(id, record);
        tracing::debug!(lb = %id, "load balancer created");
        self.get_lb(loc, caller, id)
    }

    /// `GET /lbs/{id}`.
    pub fn get_lb(&self, loc: Locality, caller: &Caller, lb_id: Uuid) -> Result<Lb, ProviderError> {
        let lb = self.visible_lb(loc, caller, lb_id)?;
        Ok(self.lb_view(lb, true))
    }

    /// `GET /lbs`: filters `name` (contains), `tags` (any), `lb_ids`, `project_id`,
    /// `organization_id`.
    pub fn list_lbs(
        &self,
        loc: Locality,
        caller: &Caller,
        req: &ListLbsRequest,
    ) -> Result<ListLbsResponse, ProviderError> {
        let (page, size) = check_page(req.page, req.page_size)?;
        let scope = caller.list_scope_matches(req.project_id, req.organization_id);
        let mut found: Vec<&LbRecord> = self
            .lbs
            .values()
            .filter(|l| {
                scope
                    && loc.contains(l.zone)
                    && caller.sees(l.project_id)
                    && name_matches(req.name.as_deref(), &l.name)
                    && tags_match(&req.tags, &l.tags)
                    && (req.lb_ids.is_empty() || req.lb_ids.contains(&l.id))
            })
            .collect();
        let order = req.order_by.unwrap_or_default();
        found.sort_by(|a, b| order.compare(&lb_key(a), &lb_key(b)));
        let (page_items, total_count) = paginate(found, page, size);
        Ok(ListLbsResponse {
            lbs: page_items
                .into_iter()
                .map(|l| self.lb_view(l, true))
                .collect(),
            total_count,
        })
    }

    /// `PUT /lbs/{id}`: name, description, tags, TLS level. The name follows on the LB's IPAM
    /// IPs (their `resource.name`).
    pub fn update_lb(
        &mut self,
        loc: Locality,
        caller: &Caller,
        lb_id: Uuid,
        req: UpdateLbRequest,
        ipam: &mut Ipam,
        now: DateTime<Utc>,
    ) -> Result<Lb, ProviderError> {
        self.changeable_lb(loc, caller, lb_id)?;
        let ip_ids: Vec<Uuid> = self
            .attachments
            .values()
            .filter(|a| a.lb_id == lb_id)
            .map(|a| a.ipam_ip_id)
            .collect();
        let lb = self.lb_mut(lb_id)?;
        lb.name = req.name;
        lb.description = req.description;
        if let Some(tags) = req.tags {
            lb.tags = tags;
        }
        let level = req
            .ssl_compatibility_level
            .filter(|l| *l != SslCompatibilityLevel::SslCompatibilityLevelUnknown);
        if let Some(level) = level {
            lb.ssl_compatibility_level = level;
        }
        lb.updated_at = now;
        let name = lb.name.clone();
        for ip in ip_ids {
            ipam.rename_lb_server(ip, &name, now);
        }
        self.get_lb(loc, caller, lb_id)
    }

    /// `DELETE /lbs/{id}?release_ip=`: the LB is `to_delete` for a moment, then gone. Its
    /// backends, frontends, ACLs, routes and certificates go at once; its IPAM addresses are
    /// released (or, for `ipam_ids` ones, detached); its flexible IPs are released or kept,
    /// detached, as `release_ip` says.
    pub fn delete_lb(
        &mut self,
        loc: Locality,
        caller: &Caller,
        lb_id: Uuid,
        req: &DeleteLbRequest,
        ipam: &mut Ipam,
        now: DateTime<Utc>,
    ) -> Result<(), ProviderError> {
        let lb = self.visible_lb(loc, caller, lb_id)?;
        if lb.phase == Phase::ToDelete {
            return Err(super::missing(super::not_found::LB));
        }
        let frontends: Vec<Uuid> = self
            .frontends
            .values()
            .filter(|f| f.lb_id == lb_id)
            .map(|f| f.config.id)
            .collect();
        self.acls.retain(|_, a| !frontends.contains(&a.frontend_id));
        self.frontends.retain(|_, f| f.lb_id != lb_id);
        self.routes.retain(|_, r| r.lb_id != lb_id);
        self.backends.retain(|_, b| b.lb_id != lb_id);
        self.certificates.retain(|_, c| c.lb_id != lb_id);
        let attachments: Vec<(Uuid, Uuid)> = self
            .attachments
            .keys()
            .filter(|(l, _)| *l == lb_id)
            .copied()
            .collect();
        for key in attachments {
            if let Some(a) = self.attachments.remove(&key) {
                ipam.detach_lb_server(a.ipam_ip_id, a.booked_by_lb, now);
            }
        }
        if req.release_ip {
            self.ips.retain(|_, i| i.lb_id != Some(lb_id));
        } else {
            for ip in self.ips.values_mut().filter(|i| i.lb_id == Some(lb_id)) {
                ip.lb_id = None;
            }
        }
        let lb = self.lb_mut(lb_id)?;
        lb.phase = Phase::ToDelete;
        lb.phase_since = now;
        lb.updated_at = now;
        tracing::debug!(lb = %lb_id, "load balancer deleted");
        Ok(())
    }

    /// `POST /lbs/{id}/migrate`: `migrating`, then `ready` on the new type.
    pub fn migrate_lb(
        &mut self,
        loc: Locality,
        caller: &Caller,
        lb_id: Uuid,
        req: MigrateLbRequest,
        now: DateTime<Utc>,
    ) -> Result<Lb, ProviderError> {
        let to_type = check_type(Some(&req.type_))?;
        self.changeable_lb(loc, caller, lb_id)?;
        let lb = self.lb_mut(lb_id)?;
        lb.phase = Phase::Migrating { to_type };
        lb.phase_since = now;
        lb.updated_at = now;
        self.get_lb(loc, caller, lb_id)
    }

    /// `GET /lb-types`: the offers, all in stock, in the zone asked for (the regional API: its
    /// first zone).
    pub fn list_lb_types(
        &self,
        loc: Locality,
        req: &StatsRequest,
    ) -> Result<ListLbTypesResponse, ProviderError> {
        let (page, size) = check_page(req.page, req.page_size)?;
        let zone = loc.zone_for_create();
        let all: Vec<LbType> = OFFERS
            .iter()
            .map(|(name, bandwidth, multicloud, description)| LbType {
                name: (*name).to_string(),
                stock_status: LbTypeStock::Available,
                bandwidth: *bandwidth,
                multicloud: *multicloud,
                description: (*description).to_string(),
                zone,
                region: zone.region(),
            })
            .collect();
        let (lb_types, total_count) = paginate(all, page, size);
        Ok(ListLbTypesResponse {
            lb_types,
            total_count,
        })
    }
}

fn lb_key(l: &LbRecord) -> SortKey<'_> {
    SortKey {
        seq: l.seq,
        created_at: l.created_at,
        name: &l.name,
    }
}
