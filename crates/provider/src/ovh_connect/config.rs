//! PoP configurations, datacenter configurations and datacenter extras: create, read, list,
//! delete, with the rules of OVHcloud Connect.
//!
//! Order of the checks: what the path names exists (404), then the request's fields (400,
//! [`rules`]), then the state (409): the service must be in a vRack, switching l2 ↔ l3 needs
//! the configuration deleted first, an interface has one PoP configuration, a datacenter one
//! configuration per vRack and type, `network` and `bgp` extras never share a datacenter
//! configuration, and nothing is added under something being deleted. Subnets of l3
//! configurations in one vRack must not overlap (our reading of "a L3 Domain cannot be
//! stretched").
//!
//! Creating and deleting answer the task (`ovhcloudconnect.Task`, as OVH's schema has it):
//! its `resourceId` names the configuration, which exists under that ID from the start
//! (`init`, then `active` once the task is `done`), as terraform-provider-ovh reads it.

use super::rules::{self, Extra};
use super::task::Effect;
use super::types::{
    ConfigStatus, CreateDatacenterConfigRequest, CreateExtraConfigRequest, CreatePopConfigRequest,
    DatacenterConfig, ExtraConfig, ExtraType, PopConfig, PopType, Task, TaskFunction,
};
use super::{DatacenterRecord, ExtraRecord, OvhConnect, OvhError, PopRecord};
use chrono::{DateTime, Utc};
use ipnet::Ipv4Net;
use std::collections::BTreeSet;
use uuid::Uuid;

fn pop_view(id: u64, p: &PopRecord) -> PopConfig {
    PopConfig {
        customer_bgp_area: p.l3.map(|l| l.customer_bgp_area),
        id,
        interface_id: p.interface_id,
        ovh_bgp_area: p.l3.map(|l| l.ovh_bgp_area),
        status: p.status,
        subnet: p.l3.map(|l| l.subnet),
        kind: p.kind,
    }
}

fn datacenter_view(id: u64, d: &DatacenterRecord) -> DatacenterConfig {
    DatacenterConfig {
        datacenter_id: d.datacenter_id,
        id,
        ovh_bgp_area: d.l3.map(|l| l.ovh_bgp_area),
        status: d.status,
        subnet: d.l3.map(|l| l.subnet),
    }
}

fn extra_view(id: u64, e: &ExtraRecord) -> ExtraConfig {
    let (kind, area, ip, hop, subnet) = match e.extra {
        Extra::Network { subnet, next_hop } => {
            (ExtraType::Network, None, None, Some(next_hop), Some(subnet))
        }
        Extra::Bgp { area, ip } => (ExtraType::Bgp, Some(area), Some(ip), None, None),
    };
    ExtraConfig {
        bgp_neighbor_area: area,
        bgp_neighbor_ip: ip,
        id,
        next_hop: hop,
        status: e.status,
        subnet,
        kind,
    }
}

fn being_deleted(what: &str, id: u64) -> OvhError {
    OvhError::conflict(format!("{what} {id} is being deleted"))
}

impl OvhConnect {
    fn pop_record(&self, service: &str, pop_id: u64) -> Result<(Uuid, &PopRecord), OvhError> {
        let uuid = self.service_record(service)?.uuid;
        self.pops
            .get(&pop_id)
            .filter(|p| p.service == uuid)
            .map(|p| (uuid, p))
            .ok_or_else(|| {
                OvhError::not_found(format!("PoP configuration {pop_id} does not exist"))
            })
    }

    fn datacenter_record(
        &self,
        service: &str,
        pop_id: u64,
        dc_id: u64,
    ) -> Result<(Uuid, &PopRecord, &DatacenterRecord), OvhError> {
        let (uuid, pop) = self.pop_record(service, pop_id)?;
        self.datacenter_configs
            .get(&dc_id)
            .filter(|d| d.pops.contains(&pop_id))
            .map(|d| (uuid, pop, d))
            .ok_or_else(|| {
                OvhError::not_found(format!("Datacenter configuration {dc_id} does not exist"))
            })
    }

    /// The l3 subnets in use in `vrack` (PoP /30s and datacenter subnets).
    fn subnets_in(&self, vrack: &str) -> Vec<Ipv4Net> {
        let pops = self
            .pops
            .values()
            .filter(|p| {
                self.services
                    .get(&p.service)
                    .is_some_and(|s| s.vrack.as_deref() == Some(vrack))
            })
            .filter_map(|p| p.l3.map(|l| l.subnet));
        let dcs = self
            .datacenter_configs
            .values()
            .filter(|d| d.vrack == vrack)
            .filter_map(|d| d.l3.map(|l| l.subnet));
        pops.chain(dcs).collect()
    }

    fn overlap_check(&self, vrack: &str, subnet: Ipv4Net) -> Result<(), OvhError> {
        match self
            .subnets_in(vrack)
            .into_iter()
            .find(|s| s.contains(&subnet.network()) || subnet.contains(&s.network()))
        {
            Some(other) => Err(OvhError::conflict(format!(
                "Subnet {subnet} overlaps {other}, already configured in vRack {vrack}"
            ))),
            None => Ok(()),
        }
    }

    /// `GET /ovhCloudConnect/{serviceName}/config/pop`.
    pub fn list_pop_configs(&self, service: &str) -> Result<Vec<u64>, OvhError> {
        let uuid = self.service_record(service)?.uuid;
        Ok(self
            .pops
            .iter()
            .filter(|(_, p)| p.service == uuid)
            .map(|(id, _)| *id)
            .collect())
    }

    /// `GET /ovhCloudConnect/{serviceName}/config/pop/{id}`.
    pub fn pop_config(&self, service: &str, pop_id: u64) -> Result<PopConfig, OvhError> {
        let (_, p) = self.pop_record(service, pop_id)?;
        Ok(pop_view(pop_id, p))
    }

    /// `POST /ovhCloudConnect/{serviceName}/config/pop`.
    pub fn create_pop_config(
        &mut self,
        service: &str,
        request: CreatePopConfigRequest,
        now: DateTime<Utc>,
    ) -> Result<Task, OvhError> {
        let s = self.service_record(service)?;
        let uuid = s.uuid;
        let vrack = s.vrack.clone();
        if !s.interfaces.contains(&request.interface_id) {
            return Err(OvhError::not_found(format!(
                "Interface {} does not exist",
                request.interface_id
            )));
        }
        let Some(vrack) = vrack else {
            return Err(OvhError::conflict(format!(
                "Service {uuid} is not in a vRack: link it to a vRack before any PoP configuration"
            )));
        };
        if self.pending(|e| matches!(e, Effect::RemoveVrack(u, _) if *u == uuid)) {
            return Err(OvhError::conflict(format!(
                "Service {uuid} is leaving vRack {vrack}: no PoP configuration meanwhile"
            )));
        }
        let l3 = rules::pop(
            request.kind,
            request.customer_bgp_area,
            request.ovh_bgp_area,
            request.subnet.as_deref(),
        )?;
        for p in self.pops.values().filter(|p| p.service == uuid) {
            if p.kind != request.kind {
                return Err(OvhError::conflict(format!(
                    "Service {uuid} is configured in {}: switching between l2 and l3 requires deleting the configuration first",
                    p.kind.as_str()
                )));
            }
            if p.interface_id == request.interface_id {
                return Err(OvhError::conflict(format!(
                    "Interface {} already has a PoP configuration",
                    request.interface_id
                )));
            }
        }
        if let Some(l3) = l3 {
            self.overlap_check(&vrack, l3.subnet)?;
        }
        let id = self.fresh_id();
        // Datacenters inherit: the new PoP configuration joins every datacenter configuration
        // of its type in the vRack.
        let joins = |_: &u64, dc: &DatacenterRecord| {
            dc.vrack == vrack && dc.kind == request.kind && Self::live(dc.status)
        };
        for (_, dc) in self.datacenter_configs.iter_mut_where(joins) {
            dc.pops.insert(id);
        }
        let record = PopRecord {
            service: uuid,
            interface_id: request.interface_id,
            kind: request.kind,
            l3,
            status: ConfigStatus::Init,
        };
        self.pops.insert(id, record);
        Ok(self.start_task(
            uuid,
            TaskFunction::AddPopConfiguration,
            id,
            Effect::ActivatePop(id),
            now,
        ))
    }

    /// `DELETE /ovhCloudConnect/{serviceName}/config/pop/{id}`: one task deletes it with its
    /// datacenter configurations (those no other PoP configuration uses) and their extras.
    pub fn delete_pop_config(
        &mut self,
        service: &str,
        pop_id: u64,
        now: DateTime<Utc>,
    ) -> Result<Task, OvhError> {
        let (uuid, p) = self.pop_record(service, pop_id)?;
        if !Self::live(p.status) {
            return Err(being_deleted("PoP configuration", pop_id));
        }
        let mut gone = BTreeSet::new();
        let only_this_pop =
            |_: &u64, dc: &DatacenterRecord| dc.pops.len() == 1 && dc.pops.contains(&pop_id);
        for (dc_id, dc) in self.datacenter_configs.iter_mut_where(only_this_pop) {
            dc.status = ConfigStatus::ToDelete;
            gone.insert(*dc_id);
        }
        for (_, e) in self
            .extras
            .iter_mut_where(|_, e| gone.contains(&e.datacenter_config))
        {
            e.status = ConfigStatus::ToDelete;
        }
        if let Some(p) = self.pops.get_mut(&pop_id) {
            p.status = ConfigStatus::ToDelete;
        }
        Ok(self.start_task(
            uuid,
            TaskFunction::DelPopConfiguration,
            pop_id,
            Effect::DeletePop(pop_id),
            now,
        ))
    }

    /// `GET …/config/pop/{popId}/datacenter`.
    pub fn list_datacenter_configs(
        &self,
        service: &str,
        pop_id: u64,
    ) -> Result<Vec<u64>, OvhError> {
        self.pop_record(service, pop_id)?;
        Ok(self
            .datacenter_configs
            .iter()
            .filter(|(_, d)| d.pops.contains(&pop_id))
            .map(|(id, _)| *id)
            .collect())
    }

    /// `GET …/config/pop/{popId}/datacenter/{id}`.
    pub fn datacenter_config(
        &self,
        service: &str,
        pop_id: u64,
        dc_id: u64,
    ) -> Result<DatacenterConfig, OvhError> {
        let (_, _, d) = self.datacenter_record(service, pop_id, dc_id)?;
        Ok(datacenter_view(dc_id, d))
    }

    /// `POST …/config/pop/{popId}/datacenter`.
    pub fn create_datacenter_config(
        &mut self,
        service: &str,
        pop_id: u64,
        request: CreateDatacenterConfigRequest,
        now: DateTime<Utc>,
    ) -> Result<Task, OvhError> {
        let (uuid, pop) = self.pop_record(service, pop_id)?;
        let (kind, pop_status) = (pop.kind, pop.status);
        if !self.datacenters.contains_key(&request.datacenter_id) {
            return Err(OvhError::not_found(format!(
                "Datacenter {} does not exist",
                request.datacenter_id
            )));
        }
        let l3 = rules::datacenter(kind, request.ovh_bgp_area, request.subnet.as_deref())?;
        if !Self::live(pop_status) {
            return Err(being_deleted("PoP configuration", pop_id));
        }
        let vrack = self
            .services
            .get(&uuid)
            .and_then(|s| s.vrack.clone())
            .ok_or_else(|| OvhError::conflict(format!("Service {uuid} is not in a vRack")))?;
        if let Some((other, _)) = self.datacenter_configs.iter().find(|(_, d)| {
            d.vrack == vrack && d.kind == kind && d.datacenter_id == request.datacenter_id
        }) {
            return Err(OvhError::conflict(format!(
                "Datacenter {} is already configured in vRack {vrack} (configuration {other})",
                request.datacenter_id
            )));
        }
        if let Some(l3) = l3 {
            self.overlap_check(&vrack, l3.subnet)?;
        }
        // Shared by every live PoP configuration of this type in the vRack.
        let pops: BTreeSet<u64> = self
            .pops
            .iter()
            .filter(|(_, p)| {
                p.kind == kind
                    && Self::live(p.status)
                    && self
                        .services
                        .get(&p.service)
                        .is_some_and(|s| s.vrack.as_deref() == Some(vrack.as_str()))
            })
            .map(|(id, _)| *id)
            .chain([pop_id])
            .collect();
        let id = self.fresh_id();
        let record = DatacenterRecord {
            vrack,
            kind,
            pops,
            datacenter_id: request.datacenter_id,
            l3,
            status: ConfigStatus::Init,
            active_since: None,
        };
        self.datacenter_configs.insert(id, record);
        Ok(self.start_task(
            uuid,
            TaskFunction::AddDatacenterConfiguration,
            id,
            Effect::ActivateDatacenter(id),
            now,
        ))
    }

    /// `DELETE …/config/pop/{popId}/datacenter/{id}`: one task deletes it with its extras.
    pub fn delete_datacenter_config(
        &mut self,
        service: &str,
        pop_id: u64,
        dc_id: u64,
        now: DateTime<Utc>,
    ) -> Result<Task, OvhError> {
        let (uuid, _, d) = self.datacenter_record(service, pop_id, dc_id)?;
        if !Self::live(d.status) {
            return Err(being_deleted("Datacenter configuration", dc_id));
        }
        for (_, e) in self
            .extras
            .iter_mut_where(|_, e| e.datacenter_config == dc_id)
        {
            e.status = ConfigStatus::ToDelete;
        }
        if let Some(d) = self.datacenter_configs.get_mut(&dc_id) {
            d.status = ConfigStatus::ToDelete;
        }
        Ok(self.start_task(
            uuid,
            TaskFunction::DelDatacenterConfiguration,
            dc_id,
            Effect::DeleteDatacenter(dc_id),
            now,
        ))
    }

    /// `GET …/datacenter/{dcId}/extra`.
    pub fn list_extras(
        &self,
        service: &str,
        pop_id: u64,
        dc_id: u64,
    ) -> Result<Vec<u64>, OvhError> {
        self.datacenter_record(service, pop_id, dc_id)?;
        Ok(self
            .extras
            .iter()
            .filter(|(_, e)| e.datacenter_config == dc_id)
            .map(|(id, _)| *id)
            .collect())
    }

    /// `GET …/datacenter/{dcId}/extra/{id}`.
    pub fn extra(
        &self,
        service: &str,
        pop_id: u64,
        dc_id: u64,
        extra_id: u64,
    ) -> Result<ExtraConfig, OvhError> {
        self.datacenter_record(service, pop_id, dc_id)?;
        self.extras
            .get(&extra_id)
            .filter(|e| e.datacenter_config == dc_id)
            .map(|e| extra_view(extra_id, e))
            .ok_or_else(|| {
                OvhError::not_found(format!("Extra configuration {extra_id} does not exist"))
            })
    }

    /// `POST …/datacenter/{dcId}/extra`.
    pub fn create_extra(
        &mut self,
        service: &str,
        pop_id: u64,
        dc_id: u64,
        request: CreateExtraConfigRequest,
        now: DateTime<Utc>,
    ) -> Result<Task, OvhError> {
        let (uuid, pop, dc) = self.datacenter_record(service, pop_id, dc_id)?;
        let (Some(l3dc), PopType::L3) = (dc.l3, pop.kind) else {
            return Err(OvhError::bad_request(
                "Extra configurations exist only on l3 datacenter configurations",
            ));
        };
        let extra = rules::extra(
            request.kind,
            l3dc.subnet,
            request.bgp_neighbor_area,
            request.bgp_neighbor_ip.as_deref(),
            request.next_hop.as_deref(),
            request.subnet.as_deref(),
        )?;
        if !Self::live(dc.status) {
            return Err(being_deleted("Datacenter configuration", dc_id));
        }
        // An extra being deleted still counts: it runs until its task is done.
        for e in self
            .extras
            .values()
            .filter(|e| e.datacenter_config == dc_id)
        {
            match (e.extra, extra) {
                (Extra::Network { .. }, Extra::Bgp { .. })
                | (Extra::Bgp { .. }, Extra::Network { .. }) => {
                    return Err(OvhError::conflict(
                        "Static routes (network) and BGP sessions (bgp) cannot be in the same datacenter configuration",
                    ));
                }
                (Extra::Network { subnet: a, .. }, Extra::Network { subnet: b, .. }) if a == b => {
                    return Err(OvhError::conflict(format!(
                        "A static route to {b} already exists"
                    )));
                }
                (Extra::Bgp { ip: a, .. }, Extra::Bgp { ip: b, .. }) if a == b => {
                    return Err(OvhError::conflict(format!(
                        "A BGP session with {b} already exists"
                    )));
                }
                _ => {}
            }
        }
        let id = self.fresh_id();
        let record = ExtraRecord {
            datacenter_config: dc_id,
            extra,
            status: ConfigStatus::Init,
        };
        self.extras.insert(id, record);
        Ok(self.start_task(
            uuid,
            TaskFunction::AddDatacenterExtraConfiguration,
            id,
            Effect::ActivateExtra(id),
            now,
        ))
    }

    /// `DELETE …/datacenter/{dcId}/extra/{id}`.
    pub fn delete_extra(
        &mut self,
        service: &str,
        pop_id: u64,
        dc_id: u64,
        extra_id: u64,
        now: DateTime<Utc>,
    ) -> Result<Task, OvhError> {
        let current = self.extra(service, pop_id, dc_id, extra_id)?;
        let uuid = self.service_record(service)?.uuid;
        if !Self::live(current.status) {
            return Err(being_deleted("Extra configuration", extra_id));
        }
        if let Some(e) = self.extras.get_mut(&extra_id) {
            e.status = ConfigStatus::ToDelete;
        }
        Ok(self.start_task(
            uuid,
            TaskFunction::DelDatacenterExtraConfiguration,
            extra_id,
            Effect::DeleteExtra(extra_id),
            now,
        ))
    }
}
