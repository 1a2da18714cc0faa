//! IPAM calls on one IP: book, get, update, release (one or a set), attach, detach, move.
//!
//! Tags, custom resource names and reverse host names follow [`crate::naming`]: no control
//! characters, bounded lengths.

use super::alloc::{is_usable, lowest_free, with_prefix};
use super::types::{
    AttachIpRequest, BookIpRequest, CustomResource, DetachIpRequest, Ip, MoveIpRequest,
    ReleaseIpSetRequest, Resource, ResourceType, Source, UpdateIpRequest,
};
use super::{IpRecord, Ipam};
use crate::error::{ArgumentError, ArgumentReason, Precondition, ProviderError};
use crate::ids::stable_uuid;
use crate::naming::{self, NameLimits};
use crate::region::Region;
use crate::scope::Caller;
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use std::net::IpAddr;
use uuid::Uuid;

/// A MAC address in canonical form (lowercase, colon-separated), or `None` if it is not one.
pub(crate) fn normalize_mac(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split([':', '-']).collect();
    let well_formed = parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()));
    well_formed.then(|| parts.join(":").to_ascii_lowercase())
}

/// The resource a custom resource becomes: its ID is derived from its MAC address, so every IP of
/// one machine shows the same `resource.id`.
fn custom_resource(argument: &str, custom: &CustomResource) -> Result<Resource, ProviderError> {
    if let Some(name) = &custom.name {
        naming::check_name(&format!("{argument}.name"), name, NameLimits::RESOURCE)
            .map_err(|e| ProviderError::InvalidArguments { details: vec![e] })?;
    }
    let mac = normalize_mac(&custom.mac_address).ok_or_else(|| {
        ProviderError::invalid(
            format!("{argument}.mac_address"),
            ArgumentReason::Format,
            "must be a MAC address like 02:00:00:00:00:01",
        )
    })?;
    Ok(Resource {
        type_: ResourceType::Custom,
        id: stable_uuid("custom_resource", &mac),
        mac_address: Some(mac),
        name: custom.name.clone().filter(|n| !n.is_empty()),
    })
}

impl Ipam {
    pub(crate) fn visible_ip(
        &self,
        region: Region,
        caller: &Caller,
        ip_id: Uuid,
    ) -> Result<&IpRecord, ProviderError> {
        self.ips
            .get(&ip_id)
            .filter(|r| r.ip.region == region && caller.sees(r.ip.project_id))
            .ok_or_else(|| ProviderError::not_found("ip", ip_id))
    }

    /// Refuses a second IP of the same family, in the same private network, for one MAC address.
    fn check_mac_free(
        &self,
        resource: &Resource,
        record: &IpRecord,
        argument: &str,
    ) -> Result<(), ProviderError> {
        let pn = record.ip.source.private_network_id;
        let clash = self.ips.values().any(|other| {
            other.ip.id != record.ip.id
                && other.ip.source.private_network_id == pn
                && other.ip.is_ipv6 == record.ip.is_ipv6
                && other.ip.resource.as_ref().is_some_and(|r| {
                    r.type_ == ResourceType::Custom && r.mac_address == resource.mac_address
                })
        });
        if clash {
            return Err(ProviderError::constraint(
                format!("{argument}.mac_address"),
                format!(
                    "this resource already has an {} address in the private network",
                    if record.ip.is_ipv6 { "IPv6" } else { "IPv4" }
                ),
            ));
        }
        Ok(())
    }

    /// `POST /ips` (BookIP): reserves an address of a private network's subnet.
    pub fn book_ip(
        &mut self,
        region: Region,
        caller: &Caller,
        req: BookIpRequest,
        now: DateTime<Utc>,
    ) -> Result<Ip, ProviderError> {
        naming::validate(None, NameLimits::RESOURCE, req.tags.as_deref())?;
        let Source {
            zonal,
            private_network_id,
            subnet_id,
            vpc_id,
            regional,
        } = &req.source;
        if zonal.is_some() || vpc_id.is_some() || *regional {
            return Err(ProviderError::constraint(
                "source",
                "IPs can only be booked from a private network (source.private_network_id or source.subnet_id)",
            ));
        }
        let (pn_id, subnet) = match (private_network_id, subnet_id) {
            (None, None) => {
                return Err(ProviderError::invalid(
                    "source",
                    ArgumentReason::Required,
                    "one of source.private_network_id and source.subnet_id must be set",
                ));
            }
            (_, Some(sid)) => {
                let (pn_id, net) = self
                    .subnets
                    .get(sid)
                    .copied()
                    .ok_or_else(|| ProviderError::not_found("subnet", sid))?;
                if private_network_id.is_some_and(|p| p != pn_id) {
                    return Err(ProviderError::constraint(
                        "source.subnet_id",
                        "the subnet is not one of source.private_network_id's",
                    ));
                }
                if matches!(net, IpNet::V6(_)) != req.is_ipv6 {
                    return Err(ProviderError::constraint(
                        "is_ipv6",
                        "does not match the family of source.subnet_id",
                    ));
                }
                (pn_id, (*sid, net))
            }
            (Some(pid), None) => {
                let pn = self
                    .private_networks
                    .get(pid)
                    .ok_or_else(|| ProviderError::not_found("private_network", pid))?;
                let subnet = pn
                    .subnets
                    .iter()
                    .find(|s| matches!(s.subnet, IpNet::V6(_)) == req.is_ipv6)
                    .map(|s| (s.id, s.subnet))
                    .ok_or_else(|| {
                        ProviderError::constraint(
                            "is_ipv6",
                            "the private network has no subnet of this family",
                        )
                    })?;
                (*pid, subnet)
            }
        };
        let pn = self
            .private_networks
            .get(&pn_id)
            .filter(|pn| pn.region == region && caller.sees(pn.project_id))
            .ok_or_else(|| ProviderError::not_found("private_network", pn_id))?;
        let vpc_id = pn.vpc_id;
        let project_id = caller.project_for_write(req.project_id, "ip")?;
        let (subnet_id, net) = subnet;
        let taken = self.taken.get(&subnet_id).cloned().unwrap_or_default();
        let address = match req.address.as_deref() {
            Some(text) => {
                let addr: IpAddr = text.trim().parse().map_err(|_| {
                    ProviderError::invalid(
                        "address",
                        ArgumentReason::Format,
                        "must be an IP address, without prefix length",
                    )
                })?;
                if !net.contains(&addr) {
                    return Err(ProviderError::constraint(
                        "address",
                        format!("must be inside the subnet {net}"),
                    ));
                }
                if !is_usable(net, addr) {
                    return Err(ProviderError::constraint(
                        "address",
                        "is reserved (network, gateway or broadcast address)",
                    ));
                }
                if taken.contains(&addr) {
                    return Err(ProviderError::AlreadyExists {
                        resource: "ip".into(),
                        resource_id: addr.to_string(),
                        help_message: format!("{addr} is already booked"),
                    });
                }
                addr
            }
            None => lowest_free(net, &taken).ok_or_else(|| ProviderError::OutOfStock {
                resource: "ip".into(),
            })?,
        };
        let resource = req
            .resource
            .as_ref()
            .map(|c| custom_resource("resource", c))
            .transpose()?;
        let seq = self.next_seq();
        let record = IpRecord {
            seq,
            ip: Ip {
                id: self.ids.next_uuid(),
                address: with_prefix(address, net),
                project_id,
                is_ipv6: req.is_ipv6,
                created_at: now,
                updated_at: now,
                source: Source {
                    private_network_id: Some(pn_id),
                    subnet_id: Some(subnet_id),
                    ..Source::default()
                },
                resource: None,
                tags: req.tags.unwrap_or_default(),
                reverses: Vec::new(),
                region,
                zone: None,
            },
            organization_id: caller.organization_id,
            subnet_id: Some(subnet_id),
            vpc_id: Some(vpc_id),
            attached_at: None,
        };
        let mut record = record;
        if let Some(resource) = resource {
            self.check_mac_free(&resource, &record, "resource")?;
            record.ip.resource = Some(resource);
            record.attached_at = Some(now);
        }
        self.taken.entry(subnet_id).or_default().insert(address);
        let ip = record.ip.clone();
        self.ips.insert(ip.id, record);
        Ok(ip)
    }

    /// `GET /ips/{id}`.
    pub fn get_ip(
        &self,
        region: Region,
        caller: &Caller,
        ip_id: Uuid,
    ) -> Result<Ip, ProviderError> {
        self.visible_ip(region, caller, ip_id).map(|r| r.ip.clone())
    }

    /// `PATCH /ips/{id}`: tags and reverses (each reverse's address inside the IP's subnet).
    pub fn update_ip(
        &mut self,
        region: Region,
        caller: &Caller,
        ip_id: Uuid,
        req: UpdateIpRequest,
        now: DateTime<Utc>,
    ) -> Result<Ip, ProviderError> {
        let subnet = self.visible_ip(region, caller, ip_id)?.ip.address.trunc();
        naming::validate(None, NameLimits::RESOURCE, req.tags.as_deref())?;
        if let Some(reverses) = &req.reverses {
            let mut details = Vec::new();
            for (i, r) in reverses.iter().enumerate() {
                let argument = format!("reverses.{i}.hostname");
                if r.hostname.trim().is_empty() {
                    details.push(ArgumentError::new(
                        argument,
                        ArgumentReason::Required,
                        "must not be empty",
                    ));
                } else if let Err(e) =
                    naming::check_name(&argument, &r.hostname, NameLimits::HOSTNAME)
                {
                    details.push(e);
                }
                if r.address.is_some_and(|a| !subnet.contains(&a)) {
                    details.push(ArgumentError::new(
                        format!("reverses.{i}.address"),
                        ArgumentReason::Constraint,
                        format!("must be inside {subnet}"),
                    ));
                }
            }
            if !details.is_empty() {
                return Err(ProviderError::InvalidArguments { details });
            }
        }
        let record = self
            .ips
            .get_mut(&ip_id)
            .ok_or_else(|| ProviderError::not_found("ip", ip_id))?;
        if let Some(tags) = req.tags {
            record.ip.tags = tags;
        }
        if let Some(reverses) = req.reverses {
            record.ip.reverses = reverses;
        }
        record.ip.updated_at = now;
        Ok(record.ip.clone())
    }

    fn check_releasable(
        &self,
        region: Region,
        caller: &Caller,
        ip_id: Uuid,
    ) -> Result<(), ProviderError> {
        let record = self.visible_ip(region, caller, ip_id)?;
        if let Some(resource) = &record.ip.resource {
            return Err(ProviderError::precondition(
                Precondition::ResourceStillInUse,
                format!(
                    "the IP is attached to {} {}; detach it first",
                    serde_json::to_value(resource.type_)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    resource.id
                ),
            ));
        }
        Ok(())
    }

    fn forget(&mut self, ip_id: Uuid) {
        let Some(record) = self.ips.remove(&ip_id) else {
            return;
        };
        let set = record.subnet_id.and_then(|id| self.taken.get_mut(&id));
        if let Some(set) = set {
            set.remove(&record.ip.address.addr());
        }
    }

    /// `DELETE /ips/{id}`: gives a detached IP back to its pool.
    pub fn release_ip(
        &mut self,
        region: Region,
        caller: &Caller,
        ip_id: Uuid,
    ) -> Result<(), ProviderError> {
        self.check_releasable(region, caller, ip_id)?;
        self.forget(ip_id);
        Ok(())
    }

    /// `POST /ip-sets/release`: releases every IP, or none if one cannot be.
    pub fn release_ip_set(
        &mut self,
        region: Region,
        caller: &Caller,
        req: ReleaseIpSetRequest,
    ) -> Result<(), ProviderError> {
        for id in &req.ip_ids {
            self.check_releasable(region, caller, *id)?;
        }
        for id in req.ip_ids {
            self.forget(id);
        }
        Ok(())
    }

    fn private_ip_for_custom(
        &self,
        region: Region,
        caller: &Caller,
        ip_id: Uuid,
    ) -> Result<IpRecord, ProviderError> {
        let record = self.visible_ip(region, caller, ip_id)?;
        if record.subnet_id.is_none() {
            return Err(ProviderError::precondition(
                Precondition::UnknownPrecondition,
                "this IP belongs to an InterLink link; it is managed by InterLink",
            ));
        }
        if record
            .ip
            .resource
            .as_ref()
            .is_some_and(|r| r.type_ != ResourceType::Custom)
        {
            return Err(ProviderError::precondition(
                Precondition::UnknownPrecondition,
                "the IP is attached to a standard Scaleway resource; use its product's API",
            ));
        }
        Ok(record.clone())
    }

    fn set_resource(
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

    fn check_attached_to(
        record: &IpRecord,
        custom: &CustomResource,
        argument: &str,
    ) -> Result<(), ProviderError> {
        let mac = normalize_mac(&custom.mac_address).ok_or_else(|| {
            ProviderError::invalid(
                format!("{argument}.mac_address"),
                ArgumentReason::Format,
                "must be a MAC address like 02:00:00:00:00:01",
            )
        })?;
        match &record.ip.resource {
            None => Err(ProviderError::precondition(
                Precondition::AttributeMustBeSet,
                "the IP is not attached to any resource",
            )),
            Some(r) if r.mac_address.as_deref() != Some(mac.as_str()) => {
                Err(ProviderError::constraint(
                    format!("{argument}.mac_address"),
                    "the IP is not attached to this resource",
                ))
            }
            Some(_) => Ok(()),
        }
    }

    /// `POST /ips/{id}/attach`: attaches a booked private IP to a custom resource.
    pub fn attach_ip(
        &mut self,
        region: Region,
        caller: &Caller,
        ip_id: Uuid,
        req: AttachIpRequest,
        now: DateTime<Utc>,
    ) -> Result<Ip, ProviderError> {
        let record = self.private_ip_for_custom(region, caller, ip_id)?;
        if let Some(r) = &record.ip.resource {
            return Err(ProviderError::precondition(
                Precondition::ResourceStillInUse,
                format!("the IP is already attached to resource {}; use move", r.id),
            ));
        }
        let resource = custom_resource("resource", &req.resource)?;
        self.check_mac_free(&resource, &record, "resource")?;
        self.set_resource(ip_id, Some(resource), now)
    }

    /// `POST /ips/{id}/detach`: detaches a private IP from the custom resource named.
    pub fn detach_ip(
        &mut self,
        region: Region,
        caller: &Caller,
        ip_id: Uuid,
        req: DetachIpRequest,
        now: DateTime<Utc>,
    ) -> Result<Ip, ProviderError> {
        let record = self.private_ip_for_custom(region, caller, ip_id)?;
        Self::check_attached_to(&record, &req.resource, "resource")?;
        self.set_resource(ip_id, None, now)
    }

    /// `POST /ips/{id}/move`: from one custom resource to another (or to none).
    pub fn move_ip(
        &mut self,
        region: Region,
        caller: &Caller,
        ip_id: Uuid,
        req: MoveIpRequest,
        now: DateTime<Utc>,
    ) -> Result<Ip, ProviderError> {
        let record = self.private_ip_for_custom(region, caller, ip_id)?;
        Self::check_attached_to(&record, &req.from_resource, "from_resource")?;
        let target = match &req.to_resource {
            None => None,
            Some(to) => {
                let resource = custom_resource("to_resource", to)?;
                self.check_mac_free(&resource, &record, "to_resource")?;
                Some(resource)
            }
        };
        self.set_resource(ip_id, target, now)
    }
}
