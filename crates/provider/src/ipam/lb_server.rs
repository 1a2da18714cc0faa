//! The addresses of Load Balancers on private networks: IPs whose `resource` is
//! `{type: lb_server, id: <LB>, name: <LB name>, mac_address}`, as recorded from the real
//! service. The Load Balancer product books, attaches, renames, detaches and releases them;
//! through the IPAM API they can be read, but not released, attached or moved (IPAM answers
//! that they belong to a Scaleway resource).

use super::Ipam;
use super::types::{BookIpRequest, Ip, Resource, ResourceType, Source};
use crate::error::{ArgumentReason, ProviderError};
use crate::scope::Caller;
use chrono::{DateTime, Utc};
use std::net::IpAddr;
use uuid::Uuid;

/// The `resource` of an LB's address.
pub(crate) fn lb_server(lb_id: Uuid, name: &str, mac_address: &str) -> Resource {
    Resource {
        type_: ResourceType::LbServer,
        id: lb_id,
        mac_address: Some(mac_address.to_string()),
        name: Some(name.to_string()),
    }
}

impl Ipam {
    /// Books an address of `private_network_id` for an LB: `address` if given (IPv4 or IPv6 by
    /// its family), else the lowest free IPv4 one.
    pub(crate) fn book_lb_server(
        &mut self,
        caller: &Caller,
        private_network_id: Uuid,
        address: Option<IpAddr>,
        resource: Resource,
        now: DateTime<Utc>,
    ) -> Result<Ip, ProviderError> {
        let region = self
            .private_network(private_network_id)
            .map(|pn| pn.region)
            .ok_or_else(|| ProviderError::not_found("private_network", private_network_id))?;
        let req = BookIpRequest {
            source: Source {
                private_network_id: Some(private_network_id),
                ..Source::default()
            },
            is_ipv6: address.is_some_and(|a| a.is_ipv6()),
            address: address.map(|a| a.to_string()),
            ..BookIpRequest::default()
        };
        let ip = self.book_ip(region, caller, req, now)?;
        self.set_lb_server(ip.id, Some(resource), now)
    }

    /// Attaches an IP the caller booked in `private_network_id` (`ipam_ids` of an attach) to an
    /// LB. It must be free and IPv4.
    pub(crate) fn attach_lb_server(
        &mut self,
        caller: &Caller,
        ip_id: Uuid,
        private_network_id: Uuid,
        resource: Resource,
        now: DateTime<Utc>,
    ) -> Result<Ip, ProviderError> {
        let region = self
            .private_network(private_network_id)
            .map(|pn| pn.region)
            .ok_or_else(|| ProviderError::not_found("private_network", private_network_id))?;
        let record = self.visible_ip(region, caller, ip_id)?;
        if record.ip.source.private_network_id != Some(private_network_id) {
            return Err(ProviderError::constraint(
                "ipam_ids",
                "the IP was not booked in this private network",
            ));
        }
        if record.ip.is_ipv6 {
            return Err(ProviderError::constraint(
                "ipam_ids",
                "only an IPv4 address is expected",
            ));
        }
        if record.ip.resource.is_some() {
            return Err(ProviderError::invalid(
                "ipam_ids",
                ArgumentReason::Constraint,
                "the IP is already attached to a resource",
            ));
        }
        self.set_lb_server(ip_id, Some(resource), now)
    }

    fn set_lb_server(
        &mut self,
        ip_id: Uuid,
        resource: Option<Resource>,
        now: DateTime<Utc>,
    ) -> Result<Ip, ProviderError> {
        let record = self
            .ips
            .get_mut(&ip_id)
            .ok_or_else(|| ProviderError::not_found("ip", ip_id))?;
        record.attached_at = resource.as_ref().map(|_| now);
        record.ip.resource = resource;
        record.ip.updated_at = now;
        Ok(record.ip.clone())
    }

    /// The LB let go of its address: released if the LB booked it, else detached.
    pub(crate) fn detach_lb_server(&mut self, ip_id: Uuid, release: bool, now: DateTime<Utc>) {
        if !release {
            let _ = self.set_lb_server(ip_id, None, now);
            return;
        }
        if let Some(record) = self.ips.remove(&ip_id)
            && let Some(set) = record.subnet_id.and_then(|s| self.taken.get_mut(&s))
        {
            set.remove(&record.ip.address.addr());
        }
    }

    /// The LB was renamed: its addresses' `resource.name` follows.
    pub(crate) fn rename_lb_server(&mut self, ip_id: Uuid, name: &str, now: DateTime<Utc>) {
        if let Some(record) = self.ips.get_mut(&ip_id)
            && let Some(res) = record.ip.resource.as_mut()
            && res.type_ == ResourceType::LbServer
            && res.name.as_deref() != Some(name)
        {
            res.name = Some(name.to_string());
            record.ip.updated_at = now;
        }
    }
}
