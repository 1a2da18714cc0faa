//! Answers: each resource with its parents embedded as the real service embeds them.
//!
//! Recorded detail kept: an embedded LB shows its `instances` in write answers and in backends,
//! but `[]` in read answers of frontends, ACLs, certificates and private networks, and always
//! `[]` two levels down (a frontend's backend's LB). `full` says which.

use super::LoadBalancers;
use super::backend_types::Backend;
use super::backend_types::EmptyConfig;
use super::frontend_types::{Acl, Frontend};
use super::other_types::{
    Certificate, PrivateNetwork, PrivateNetworkDhcpConfig, PrivateNetworkStaticConfig,
    PrivateNetworkStatus,
};
use super::records::{
    AclRecord, Addressing, AttachmentRecord, BackendRecord, CertificateRecord, FrontendRecord,
    IpRecord, LbRecord, Phase,
};
use super::types::{Instance, InstanceStatus, Ip, Lb, LbStatus};

impl LbRecord {
    /// The status answered.
    pub fn status(&self) -> LbStatus {
        match self.phase {
            Phase::ToCreate => LbStatus::ToCreate,
            Phase::Creating => LbStatus::Creating,
            Phase::Migrating { .. } => LbStatus::Migrating,
            Phase::ToDelete => LbStatus::ToDelete,
            Phase::Ready if self.instance.status == InstanceStatus::Error => LbStatus::Error,
            Phase::Ready => LbStatus::Ready,
        }
    }

    fn instances(&self) -> Vec<Instance> {
        let status = match self.phase {
            Phase::ToCreate => return Vec::new(),
            Phase::Creating => InstanceStatus::Unknown,
            _ => self.instance.status,
        };
        vec![Instance {
            id: self.instance.id,
            status,
            ip_address: String::new(),
            created_at: self.instance.created_at,
            updated_at: self.instance.updated_at,
            zone: self.zone,
            region: self.zone.region(),
        }]
    }
}

impl IpRecord {
    pub(crate) fn view(&self) -> Ip {
        Ip {
            id: self.id,
            ip_address: self.address.to_string(),
            lb_id: self.lb_id,
            organization_id: self.organization_id,
            project_id: self.project_id,
            reverse: self.reverse.clone(),
            tags: self.tags.clone(),
            zone: self.zone,
            region: self.zone.region(),
        }
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl LoadBalancers {
    /// An LB as answered.
    pub(crate) fn lb_view(&self, lb: &LbRecord, full: bool) -> Lb {
        let id = lb.id;
        Lb {
            id,
            name: lb.name.clone(),
            description: lb.description.clone(),
            status: lb.status(),
            instances: if full { lb.instances() } else { Vec::new() },
            organization_id: lb.organization_id,
            project_id: lb.project_id,
            ip: self
                .ips
                .values()
                .filter(|i| i.lb_id == Some(id))
                .map(IpRecord::view)
                .collect(),
            tags: lb.tags.clone(),
            frontend_count: count(self.frontends.values().filter(|f| f.lb_id == id).count()),
            backend_count: count(self.backends.values().filter(|b| b.lb_id == id).count()),
            type_: lb.type_.clone(),
            subscriber: lb
                .subscriber_id
                .and_then(|s| self.subscribers.get(&s))
                .map(|s| s.subscriber.clone()),
            ssl_compatibility_level: lb.ssl_compatibility_level,
            created_at: lb.created_at,
            updated_at: lb.updated_at,
            private_network_count: count(
                self.attachments
                    .values()
                    .filter(|a| a.lb_id == id && !a.detaching)
                    .count(),
            ),
            route_count: count(self.routes.values().filter(|r| r.lb_id == id).count()),
            zone: lb.zone,
            region: lb.zone.region(),
        }
    }

    /// The embedded LB of a child (an LB that vanished meanwhile cannot be: children go with
    /// it; the fallback keeps this total).
    fn parent_lb(&self, lb_id: uuid::Uuid, full: bool) -> Option<Lb> {
        self.lbs.get(&lb_id).map(|lb| self.lb_view(lb, full))
    }

    pub(crate) fn backend_view(&self, b: &BackendRecord, full: bool) -> Option<Backend> {
        Some(Backend {
            config: b.config.clone(),
            lb: self.parent_lb(b.lb_id, full)?,
        })
    }

    pub(crate) fn certificate_view(
        &self,
        c: &CertificateRecord,
        full: bool,
    ) -> Option<Certificate> {
        Some(Certificate {
            config: c.config.clone(),
            lb: self.parent_lb(c.lb_id, full)?,
        })
    }

    pub(crate) fn frontend_view(&self, f: &FrontendRecord, full: bool) -> Option<Frontend> {
        let backend = self
            .backends
            .get(&f.backend_id)
            .and_then(|b| self.backend_view(b, false))?;
        let certificate = f
            .config
            .certificate_ids
            .first()
            .and_then(|id| self.certificates.get(id))
            .and_then(|c| self.certificate_view(c, false));
        Some(Frontend {
            config: f.config.clone(),
            backend,
            lb: self.parent_lb(f.lb_id, full)?,
            certificate,
        })
    }

    pub(crate) fn acl_view(&self, a: &AclRecord, full: bool) -> Option<Acl> {
        let frontend = self
            .frontends
            .get(&a.frontend_id)
            .and_then(|f| self.frontend_view(f, full))?;
        Some(Acl {
            config: a.config.clone(),
            frontend,
        })
    }

    pub(crate) fn attachment_view(
        &self,
        a: &AttachmentRecord,
        full: bool,
    ) -> Option<PrivateNetwork> {
        let ready = a.status == PrivateNetworkStatus::Ready || a.detaching;
        let ipam_id = ready.then_some(a.ipam_ip_id);
        let (static_config, dhcp_config, ipam_config) = match &a.addressing {
            Addressing::Static(addresses) => (
                Some(PrivateNetworkStaticConfig {
                    ip_address: Some(addresses.clone()),
                }),
                None,
                None,
            ),
            Addressing::Dhcp => (
                None,
                Some(PrivateNetworkDhcpConfig { ip_id: ipam_id }),
                None,
            ),
            Addressing::Ipam => (None, None, Some(EmptyConfig {})),
        };
        let ipam_ids = match a.addressing {
            Addressing::Static(_) => Vec::new(),
            _ => ipam_id.into_iter().collect(),
        };
        Some(PrivateNetwork {
            lb: self.parent_lb(a.lb_id, full)?,
            ipam_ids,
            private_network_id: a.private_network_id,
            status: a.status,
            created_at: a.created_at,
            updated_at: a.updated_at,
            static_config,
            dhcp_config,
            ipam_config,
        })
    }
}
