//! Services, their interfaces (lock/unlock), the datacenters they may reach, and the vRack
//! (link, unlink, allowed services).

use super::task::Effect;
use super::types::{
    AllowedServices, ConfigStatus, Datacenter, IamMetadata, Interface, InterfaceStatus,
    LightStatus, Service, Task, TaskFunction, UpdateServiceRequest, VrackOvhCloudConnect,
    VrackTask, VrackWithIam,
};
use super::{OvhConnect, OvhError, ServiceRecord};
use chrono::{DateTime, SubsecRound, Utc};
use uuid::Uuid;

impl OvhConnect {
    pub(crate) fn service_record(&self, service: &str) -> Result<&ServiceRecord, OvhError> {
        service
            .parse::<Uuid>()
            .ok()
            .and_then(|u| self.services.get(&u))
            .ok_or_else(|| OvhError::not_found(format!("Service {service} does not exist")))
    }

    /// `GET /ovhCloudConnect`.
    pub fn list_services(&self) -> Vec<Uuid> {
        self.services.keys().copied().collect()
    }

    /// `GET /ovhCloudConnect/{serviceName}`.
    pub fn service(&self, service: &str) -> Result<Service, OvhError> {
        let s = self.service_record(service)?;
        // The product follows the PoP configuration; l2 when there is none.
        let l3 = self
            .pops
            .values()
            .any(|p| p.service == s.uuid && p.kind == super::PopType::L3);
        Ok(Service {
            // The schema's enum is lower case (`1g`); catalogues write `1G`.
            bandwidth: s.bandwidth.to_ascii_lowercase(),
            description: s.description.clone(),
            iam: Some(IamMetadata::new(
                "ovhCloudConnect",
                &s.uuid.to_string(),
                &s.description,
            )),
            interface_list: s.interfaces.clone(),
            pop: s.pop.clone(),
            port_quantity: s.interfaces.len().to_string(),
            product: if l3 { "l3" } else { "l2" }.into(),
            provider: s.provider.clone(),
            status: "active".into(),
            uuid: s.uuid,
            vrack: s.vrack.clone(),
        })
    }

    /// `PUT /ovhCloudConnect/{serviceName}`: only the description changes (no task: it is not
    /// a network change).
    pub fn update_service(
        &mut self,
        service: &str,
        request: UpdateServiceRequest,
    ) -> Result<(), OvhError> {
        let uuid = self.service_record(service)?.uuid;
        if let (Some(d), Some(s)) = (request.description, self.services.get_mut(&uuid)) {
            s.description = d;
        }
        Ok(())
    }

    /// `GET /ovhCloudConnect/{serviceName}/interface`.
    pub fn list_interfaces(&self, service: &str) -> Result<Vec<u64>, OvhError> {
        Ok(self.service_record(service)?.interfaces.clone())
    }

    fn interface_record(
        &self,
        service: &str,
        id: u64,
    ) -> Result<&super::InterfaceRecord, OvhError> {
        let uuid = self.service_record(service)?.uuid;
        self.interfaces
            .get(&id)
            .filter(|i| i.service == uuid)
            .ok_or_else(|| OvhError::not_found(format!("Interface {id} does not exist")))
    }

    /// `GET /ovhCloudConnect/{serviceName}/interface/{id}`.
    pub fn interface(&self, service: &str, id: u64) -> Result<Interface, OvhError> {
        let i = self.interface_record(service, id)?;
        // When the lock or the light last changed; since the model started otherwise (it has
        // always run by the time anything is read).
        let since = i
            .since
            .or(self.started)
            .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        // What the bound port measures; `up` when nothing measures it (the demo's ports are
        // patched).
        let incoming = i.light.unwrap_or(LightStatus::Up);
        // A locked port's laser is off.
        let outgoing = if i.locked {
            LightStatus::Down
        } else {
            LightStatus::Up
        };
        let operational = match (incoming, outgoing) {
            (LightStatus::Up, LightStatus::Up) => LightStatus::Up,
            (LightStatus::Unknown, _) => LightStatus::Unknown,
            _ => LightStatus::Down,
        };
        Ok(Interface {
            device_display_name: None,
            device_rack_display_name: None,
            id,
            incoming_light_status: incoming,
            incoming_light_value: None,
            interface_name: None,
            interface_status: operational,
            interface_status_last_update: since,
            interface_termination_type: None,
            light_last_update: since,
            outgoing_light_status: outgoing,
            outgoing_light_value: None,
            status: if i.locked {
                InterfaceStatus::Disabled
            } else {
                InterfaceStatus::Enabled
            },
        })
    }

    /// `POST …/interface/{id}/lock` (`true`) or `…/unlock`: a task; 409 when the interface is
    /// already so or a lock task on it is under way.
    pub fn lock_interface(
        &mut self,
        service: &str,
        id: u64,
        lock: bool,
        now: DateTime<Utc>,
    ) -> Result<Task, OvhError> {
        let locked = self.interface_record(service, id)?.locked;
        let uuid = self.service_record(service)?.uuid;
        if self.pending(|e| matches!(e, Effect::Lock(i, _) if *i == id)) {
            return Err(OvhError::conflict(format!(
                "A task on interface {id} is already in progress"
            )));
        }
        if locked == lock {
            return Err(OvhError::conflict(format!(
                "Interface {id} is already {}",
                if lock { "locked" } else { "unlocked" }
            )));
        }
        let function = if lock {
            TaskFunction::LockInterface
        } else {
            TaskFunction::UnlockInterface
        };
        Ok(self.start_task(uuid, function, id, Effect::Lock(id, lock), now))
    }

    /// Records the light measured at wall time `now` on the local port an interface is bound
    /// to (`None`: no longer measured). Not a change of the customer's: no task.
    pub fn set_light_status(
        &mut self,
        interface_id: u64,
        light: Option<LightStatus>,
        now: DateTime<Utc>,
    ) {
        let clock = self.clock(now).trunc_subsecs(0);
        if let Some(i) = self.interfaces.get_mut(&interface_id)
            && i.light != light
        {
            i.light = light;
            i.since = Some(clock);
        }
    }

    /// `GET /ovhCloudConnect/{serviceName}/datacenter`.
    pub fn list_datacenters(&self, service: &str) -> Result<Vec<u64>, OvhError> {
        self.service_record(service)?;
        Ok(self.datacenters.keys().copied().collect())
    }

    /// `GET /ovhCloudConnect/{serviceName}/datacenter/{id}`.
    pub fn datacenter(&self, service: &str, id: u64) -> Result<Datacenter, OvhError> {
        let vrack = self.service_record(service)?.vrack.clone();
        let mut dc = self
            .datacenters
            .get(&id)
            .cloned()
            .ok_or_else(|| OvhError::not_found(format!("Datacenter {id} does not exist")))?;
        dc.available = !self.datacenter_configs.values().any(|c| {
            c.datacenter_id == id && Some(&c.vrack) == vrack.as_ref() && Self::live(c.status)
        });
        Ok(dc)
    }

    pub(crate) fn vrack(&self, vrack: &str) -> Result<&super::Vrack, OvhError> {
        self.vracks
            .get(vrack)
            .ok_or_else(|| OvhError::not_found(format!("vRack {vrack} does not exist")))
    }

    /// `GET /vrack`.
    pub fn list_vracks(&self) -> Vec<String> {
        self.vracks.keys().cloned().collect()
    }

    /// `GET /vrack/{serviceName}`.
    pub fn get_vrack(&self, vrack: &str) -> Result<VrackWithIam, OvhError> {
        let v = self.vrack(vrack)?;
        Ok(VrackWithIam {
            description: v.description.clone(),
            iam: Some(IamMetadata::new("vrack", &v.name, &v.description)),
            name: v.name.clone(),
        })
    }

    /// `GET /vrack/{serviceName}/ovhCloudConnect`.
    pub fn list_vrack_services(&self, vrack: &str) -> Result<Vec<Uuid>, OvhError> {
        self.vrack(vrack)?;
        Ok(self
            .services
            .values()
            .filter(|s| s.vrack.as_deref() == Some(vrack))
            .map(|s| s.uuid)
            .collect())
    }

    /// `GET /vrack/{serviceName}/ovhCloudConnect/{ovhCloudConnect}`.
    pub fn vrack_service(
        &self,
        vrack: &str,
        service: &str,
    ) -> Result<VrackOvhCloudConnect, OvhError> {
        self.vrack(vrack)?;
        self.service_record(service)
            .ok()
            .filter(|s| s.vrack.as_deref() == Some(vrack))
            .map(|s| VrackOvhCloudConnect {
                ovh_cloud_connect: s.uuid,
                vrack: vrack.to_string(),
            })
            .ok_or_else(|| {
                OvhError::not_found(format!("Service {service} is not in vRack {vrack}"))
            })
    }

    /// `GET /vrack/{serviceName}/allowedServices`: the services in no vRack and not joining one.
    pub fn allowed_services(&self, vrack: &str) -> Result<AllowedServices, OvhError> {
        self.vrack(vrack)?;
        Ok(AllowedServices {
            ovh_cloud_connect: self
                .services
                .values()
                .filter(|s| {
                    s.vrack.is_none()
                        && !self.pending(|e| matches!(e, Effect::AddVrack(u, _) if *u == s.uuid))
                })
                .map(|s| s.uuid)
                .collect(),
            ..AllowedServices::default()
        })
    }

    fn vrack_task(&self, id: u64, vrack: &str) -> Result<VrackTask, OvhError> {
        self.get_vrack_task(vrack, id)
    }

    /// `POST /vrack/{serviceName}/ovhCloudConnect`: a task; 409 when the service is in a vRack
    /// or joining one.
    pub fn link_vrack(
        &mut self,
        vrack: &str,
        service: &str,
        now: DateTime<Utc>,
    ) -> Result<VrackTask, OvhError> {
        self.vrack(vrack)?;
        let s = self.service_record(service)?;
        let uuid = s.uuid;
        if let Some(current) = &s.vrack {
            return Err(OvhError::conflict(format!(
                "Service {uuid} is already in vRack {current}"
            )));
        }
        self.no_vrack_task_pending(uuid)?;
        let task = self.start_task(
            uuid,
            TaskFunction::AddVrack,
            0,
            Effect::AddVrack(uuid, vrack.to_string()),
            now,
        );
        self.vrack_task(task.id, vrack)
    }

    /// `DELETE /vrack/{serviceName}/ovhCloudConnect/{ovhCloudConnect}`: a task; 409 while the
    /// service has a PoP configuration.
    pub fn unlink_vrack(
        &mut self,
        vrack: &str,
        service: &str,
        now: DateTime<Utc>,
    ) -> Result<VrackTask, OvhError> {
        let uuid = self.vrack_service(vrack, service)?.ovh_cloud_connect;
        if self.pops.values().any(|p| p.service == uuid) {
            return Err(OvhError::conflict(format!(
                "Service {uuid} still has a PoP configuration: delete it first"
            )));
        }
        self.no_vrack_task_pending(uuid)?;
        let task = self.start_task(
            uuid,
            TaskFunction::RemoveVrack,
            0,
            Effect::RemoveVrack(uuid, vrack.to_string()),
            now,
        );
        self.vrack_task(task.id, vrack)
    }

    /// 409 while a vRack link or unlink of `uuid` is in progress.
    fn no_vrack_task_pending(&self, uuid: Uuid) -> Result<(), OvhError> {
        if self.pending(
            |e| matches!(e, Effect::AddVrack(u, _) | Effect::RemoveVrack(u, _) if *u == uuid),
        ) {
            return Err(OvhError::conflict(format!(
                "A vRack task on service {uuid} is already in progress"
            )));
        }
        Ok(())
    }

    /// Whether a configuration is gone or going.
    pub(crate) fn live(status: ConfigStatus) -> bool {
        status != ConfigStatus::ToDelete
    }
}
