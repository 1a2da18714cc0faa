//! Flexible IP calls: create, get, list, update (PATCH, which can attach the IP to an LB),
//! release.
//!
//! Addresses come from [`LbSettings`](super::LbSettings)' pools, lowest free first; the reverse
//! name is Scaleway's pattern (`51-15-231-200.lb.fr-par.scw.cloud`, as recorded; IPv6 the same
//! with `:` as `-`, our choice).

use super::list::{IpType, ListIpsRequest, ListIpsResponse};
use super::records::{IpRecord, still_in_use};
use super::requests::{CreateIpRequest, UpdateIpRequest};
use super::types::Ip;
use super::zone::Zone;
use super::{LoadBalancers, Locality};
use crate::error::{ArgumentReason, ProviderError};
use crate::list::{check_page, paginate, tags_match};
use crate::scope::Caller;
use chrono::{DateTime, Utc};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use uuid::Uuid;

impl LoadBalancers {
    /// The lowest free address of the family's pool (the pool's network address excluded).
    fn free_address(&self, ipv6: bool) -> Option<IpAddr> {
        let taken: std::collections::BTreeSet<IpAddr> =
            self.ips.values().map(|i| i.address).collect();
        if ipv6 {
            let net = self.settings.flexible_ipv6_pool.trunc();
            let base = u128::from(net.network());
            let size = 1u128 << (128 - u32::from(net.prefix_len())).min(127);
            (1..size.min(1 << 20))
                .map(|i| IpAddr::V6(Ipv6Addr::from(base + i)))
                .find(|a| !taken.contains(a))
        } else {
            let net = self.settings.flexible_ipv4_pool.trunc();
            let base = u32::from(net.network());
            let size = 1u64 << (32 - u32::from(net.prefix_len()));
            (1..size.saturating_sub(1))
                .filter_map(|i| u32::try_from(i).ok())
                .map(|i| IpAddr::V4(Ipv4Addr::from(base.wrapping_add(i))))
                .find(|a| !taken.contains(a))
        }
    }

    /// Makes a new flexible IP (attached to `lb_id` if given).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new_ip(
        &mut self,
        caller: &Caller,
        project_id: Uuid,
        zone: Zone,
        ipv6: bool,
        reverse: Option<String>,
        tags: Vec<String>,
        lb_id: Option<Uuid>,
    ) -> Result<Uuid, ProviderError> {
        let address = self
            .free_address(ipv6)
            .ok_or_else(|| ProviderError::OutOfStock {
                resource: "ip".into(),
            })?;
        let id = self.ids.next_uuid();
        let seq = self.next_seq();
        let default_reverse = format!(
            "{}.lb.{}.scw.cloud",
            address.to_string().replace(['.', ':'], "-"),
            zone.region()
        );
        self.ips.insert(
            id,
            IpRecord {
                seq,
                id,
                address,
                lb_id,
                project_id,
                organization_id: caller.organization_id,
                reverse: reverse.filter(|r| !r.is_empty()).unwrap_or(default_reverse),
                tags,
                zone,
            },
        );
        Ok(id)
    }

    /// `POST /ips`.
    pub fn create_ip(
        &mut self,
        loc: Locality,
        caller: &Caller,
        req: CreateIpRequest,
    ) -> Result<Ip, ProviderError> {
        let project_id =
            super::lbs::project_for_create(caller, req.project_id, req.organization_id, "ip")?;
        let id = self.new_ip(
            caller,
            project_id,
            loc.zone_for_create(),
            req.is_ipv6,
            req.reverse,
            req.tags.unwrap_or_default(),
            None,
        )?;
        self.get_ip(loc, caller, id)
    }

    /// `GET /ips/{id}`.
    pub fn get_ip(&self, loc: Locality, caller: &Caller, ip_id: Uuid) -> Result<Ip, ProviderError> {
        self.visible_ip(loc, caller, ip_id).map(IpRecord::view)
    }

    /// `GET /ips`: filters `ip_address`, `ip_type`, `tags` (any), project, organization; in
    /// creation order.
    pub fn list_ips(
        &self,
        loc: Locality,
        caller: &Caller,
        req: &ListIpsRequest,
    ) -> Result<ListIpsResponse, ProviderError> {
        let (page, size) = check_page(req.page, req.page_size)?;
        let scope = caller.list_scope_matches(req.project_id, req.organization_id);
        let wanted: Option<IpAddr> = match req.ip_address.as_deref().filter(|a| !a.is_empty()) {
            None => None,
            Some(text) => Some(text.trim().parse().map_err(|_| {
                ProviderError::invalid(
                    "ip_address",
                    ArgumentReason::Format,
                    "must be an IP address",
                )
            })?),
        };
        let mut found: Vec<&IpRecord> = self
            .ips
            .values()
            .filter(|i| {
                scope
                    && loc.contains(i.zone)
                    && caller.sees(i.project_id)
                    && wanted.is_none_or(|w| w == i.address)
                    && match req.ip_type.unwrap_or_default() {
                        IpType::All => true,
                        IpType::Ipv4 => i.address.is_ipv4(),
                        IpType::Ipv6 => i.address.is_ipv6(),
                    }
                    && tags_match(&req.tags, &i.tags)
            })
            .collect();
        found.sort_by_key(|i| i.seq);
        let (page_items, total_count) = paginate(found, page, size);
        Ok(ListIpsResponse {
            ips: page_items.into_iter().map(IpRecord::view).collect(),
            total_count,
        })
    }

    /// `PATCH /ips/{id}`: reverse, tags, and `lb_id` to attach a free IP to an LB of the same
    /// zone and project.
    pub fn update_ip(
        &mut self,
        loc: Locality,
        caller: &Caller,
        ip_id: Uuid,
        req: UpdateIpRequest,
        now: DateTime<Utc>,
    ) -> Result<Ip, ProviderError> {
        let ip = self.visible_ip(loc, caller, ip_id)?;
        let zone = ip.zone;
        if let Some(lb_id) = req.lb_id {
            let lb = self.changeable_lb(Locality::Zone(zone), caller, lb_id)?;
            if ip.lb_id.is_some_and(|l| l != lb.id) {
                return Err(ProviderError::constraint(
                    "lb_id",
                    "the flexible IP is attached to another Load Balancer",
                ));
            }
        }
        let ip = self
            .ips
            .get_mut(&ip_id)
            .ok_or_else(|| super::missing(super::not_found::IP))?;
        if let Some(reverse) = req.reverse.filter(|r| !r.is_empty()) {
            ip.reverse = reverse;
        }
        if let Some(tags) = req.tags {
            ip.tags = tags;
        }
        if let Some(lb_id) = req.lb_id {
            ip.lb_id = Some(lb_id);
            self.config_changed(lb_id, now);
        }
        self.get_ip(loc, caller, ip_id)
    }

    /// `DELETE /ips/{id}`: a free IP only (one attached to an LB is `precondition_failed`).
    pub fn release_ip(
        &mut self,
        loc: Locality,
        caller: &Caller,
        ip_id: Uuid,
    ) -> Result<(), ProviderError> {
        let ip = self.visible_ip(loc, caller, ip_id)?;
        if let Some(lb_id) = ip.lb_id {
            return Err(still_in_use(format!(
                "the flexible IP is attached to Load Balancer {lb_id}; delete the Load Balancer first"
            )));
        }
        self.ips.remove(&ip_id);
        Ok(())
    }
}
