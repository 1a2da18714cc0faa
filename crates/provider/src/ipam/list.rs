//! `ListIPs`: every filter of the SDK, every `order_by`, pages.

use super::Ipam;
use super::alloc::addr_bits;
use super::ops::normalize_mac;
use super::types::{ListIpsOrderBy, ListIpsRequest, ListIpsResponse, ResourceType};
use crate::error::ProviderError;
use crate::list::{check_page, ordered, paginate, tags_match};
use crate::region::Region;
use crate::scope::Caller;

impl Ipam {
    /// `GET /ips`. Filters combine with AND; list filters (`resource_ids`, `resource_types`,
    /// `ip_ids`, `tags`) match any of their values; `unknown_type` means no filter.
    pub fn list_ips(
        &self,
        region: Region,
        caller: &Caller,
        req: &ListIpsRequest,
    ) -> Result<ListIpsResponse, ProviderError> {
        let (page, size) = check_page(req.page, req.page_size)?;
        let mac = req
            .mac_address
            .as_deref()
            .filter(|m| !m.is_empty())
            .map(|m| normalize_mac(m).unwrap_or_else(|| m.to_ascii_lowercase()));
        let resource_type = req
            .resource_type
            .filter(|t| *t != ResourceType::UnknownType);
        let scope_ok = caller.list_scope_matches(req.project_id, req.organization_id);
        let mut found: Vec<&super::IpRecord> = self
            .ips
            .values()
            .filter(|r| {
                let ip = &r.ip;
                let res = ip.resource.as_ref();
                scope_ok
                    && ip.region == region
                    && caller.sees(ip.project_id)
                    && req
                        .zonal
                        .as_ref()
                        .is_none_or(|z| ip.source.zonal.as_ref() == Some(z))
                    && req.regional.is_none_or(|want| ip.source.regional == want)
                    && req
                        .private_network_id
                        .is_none_or(|p| ip.source.private_network_id == Some(p))
                    && req.subnet_id.is_none_or(|s| r.subnet_id == Some(s))
                    && req
                        .source_vpc_id
                        .is_none_or(|v| r.subnet_id.is_some() && r.vpc_id == Some(v))
                    && req.vpc_id.is_none_or(|v| r.vpc_id == Some(v))
                    && req.attached.is_none_or(|want| res.is_some() == want)
                    && req
                        .resource_name
                        .as_deref()
                        .filter(|n| !n.is_empty())
                        .is_none_or(|n| {
                            res.and_then(|r| r.name.as_deref())
                                .is_some_and(|name| name.contains(n))
                        })
                    && req
                        .resource_id
                        .is_none_or(|id| res.is_some_and(|r| r.id == id))
                    && (req.resource_ids.is_empty()
                        || res.is_some_and(|r| req.resource_ids.contains(&r.id)))
                    && resource_type.is_none_or(|t| res.is_some_and(|r| r.type_ == t))
                    && (req.resource_types.is_empty()
                        || res.is_some_and(|r| req.resource_types.contains(&r.type_)))
                    && mac.as_deref().is_none_or(|m| {
                        // LB addresses carry uppercase MACs, as recorded; compare any case.
                        res.and_then(|r| r.mac_address.as_deref())
                            .is_some_and(|mac| mac.eq_ignore_ascii_case(m))
                    })
                    && tags_match(&req.tags, &ip.tags)
                    && req.is_ipv6.is_none_or(|v6| ip.is_ipv6 == v6)
                    && (req.ip_ids.is_empty() || req.ip_ids.contains(&ip.id))
            })
            .collect();
        let order = req.order_by.unwrap_or_default();
        found.sort_by(|a, b| {
            let (x, y) = (&a.ip, &b.ip);
            let mac_of =
                |ip: &super::types::Ip| ip.resource.as_ref().and_then(|r| r.mac_address.clone());
            let (key, descending) = match order {
                ListIpsOrderBy::CreatedAtAsc => (x.created_at.cmp(&y.created_at), false),
                ListIpsOrderBy::CreatedAtDesc => (x.created_at.cmp(&y.created_at), true),
                ListIpsOrderBy::UpdatedAtAsc => (x.updated_at.cmp(&y.updated_at), false),
                ListIpsOrderBy::UpdatedAtDesc => (x.updated_at.cmp(&y.updated_at), true),
                ListIpsOrderBy::AttachedAtAsc => (a.attached_at.cmp(&b.attached_at), false),
                ListIpsOrderBy::AttachedAtDesc => (a.attached_at.cmp(&b.attached_at), true),
                ListIpsOrderBy::IpAddressAsc | ListIpsOrderBy::IpAddressDesc => (
                    (x.is_ipv6, addr_bits(x.address.addr()))
                        .cmp(&(y.is_ipv6, addr_bits(y.address.addr()))),
                    order == ListIpsOrderBy::IpAddressDesc,
                ),
                ListIpsOrderBy::MacAddressAsc => (mac_of(x).cmp(&mac_of(y)), false),
                ListIpsOrderBy::MacAddressDesc => (mac_of(x).cmp(&mac_of(y)), true),
            };
            ordered(key, a.seq, b.seq, descending)
        });
        let found = found.into_iter().map(|r| r.ip.clone()).collect();
        let (ips, total_count) = paginate(found, page, size);
        Ok(ListIpsResponse { total_count, ips })
    }
}
