//! What the data plane runs for one LB: [`LoadBalancers::running_config`], a typed read view
//! of everything that makes its HAProxy configuration (and the in-memory model): listeners,
//! backends with their servers and health check, ACLs in evaluation order, routes,
//! certificates with their PEM, and the LB's own addresses.
//!
//! It is built from the provider state whatever the LB's status (the world decides what to do
//! with an LB being created or deleted); a deleted LB has none.

use super::LoadBalancers;
use super::backend_types::BackendConfig;
use super::frontend_types::{AclConfig, FrontendConfig, Route};
use super::other_types::{CertificateStatus, PrivateNetworkStatus};
use super::types::{InstanceStatus, LbStatus, SslCompatibilityLevel};
use super::zone::Zone;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use uuid::Uuid;

/// One LB's whole running configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LbRunning {
    /// The LB.
    pub lb_id: Uuid,
    /// Its name.
    pub name: String,
    /// Its project.
    pub project_id: Uuid,
    /// Its zone.
    pub zone: Zone,
    /// Its status.
    pub status: LbStatus,
    /// Its instance's status (`pending` while a change waits to be applied).
    pub instance_status: InstanceStatus,
    /// Minimal client TLS version.
    pub ssl_compatibility_level: SslCompatibilityLevel,
    /// Flexible IPs (none: a private LB, reachable through its private networks only).
    pub flexible_ips: Vec<IpAddr>,
    /// Its legs on private networks.
    pub private_networks: Vec<RunningPrivateNetwork>,
    /// Frontends, by creation.
    pub frontends: Vec<RunningFrontend>,
    /// Backends, by creation.
    pub backends: Vec<RunningBackend>,
}

/// The LB's leg on a private network.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunningPrivateNetwork {
    /// The private network.
    pub private_network_id: Uuid,
    /// Its VPC.
    pub vpc_id: Option<Uuid>,
    /// The LB's address, with the subnet's prefix length (from IPAM).
    pub address: IpNet,
    /// The LB's MAC address on it.
    pub mac_address: String,
    /// `pending` (being attached), `ready`.
    pub status: PrivateNetworkStatus,
}

/// A served certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunningCertificate {
    /// ID.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// The chain and private key, PEM, as HAProxy's `crt` loads them (`""` while a Let's
    /// Encrypt certificate is `pending`).
    pub pem: String,
    /// Status.
    pub status: CertificateStatus,
}

/// A frontend with what hangs off it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunningFrontend {
    /// The frontend's fields (port, client timeout, rate limit…).
    pub config: FrontendConfig,
    /// Its default backend.
    pub backend_id: Uuid,
    /// Its certificates, in the order given (TLS offload when not empty).
    pub certificates: Vec<RunningCertificate>,
    /// Its ACLs in evaluation order: ascending `index`, ties in creation order.
    pub acls: Vec<AclConfig>,
    /// Its routes, in creation order.
    pub routes: Vec<Route>,
}

/// A backend with its servers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunningBackend {
    /// The backend's fields, health check included.
    pub config: BackendConfig,
    /// Its servers' addresses (the `pool`, parsed).
    pub servers: Vec<IpAddr>,
}

impl LoadBalancers {
    /// The running configuration of one LB (any project), or `None` if there is no such LB.
    pub fn running_config(&self, lb_id: Uuid) -> Option<LbRunning> {
        let lb = self.lbs.get(&lb_id)?;
        let mut frontends: Vec<_> = self
            .frontends
            .values()
            .filter(|f| f.lb_id == lb_id)
            .collect();
        frontends.sort_by_key(|f| f.seq);
        let frontends = frontends
            .into_iter()
            .map(|f| {
                let id = f.config.id;
                let mut acls: Vec<_> = self.acls.values().filter(|a| a.frontend_id == id).collect();
                acls.sort_by_key(|a| (a.config.index, a.seq));
                let mut routes: Vec<_> = self
                    .routes
                    .values()
                    .filter(|r| r.route.frontend_id == id)
                    .collect();
                routes.sort_by_key(|r| r.seq);
                RunningFrontend {
                    config: f.config.clone(),
                    backend_id: f.backend_id,
                    certificates: f
                        .config
                        .certificate_ids
                        .iter()
                        .filter_map(|c| self.certificates.get(c))
                        .map(|c| RunningCertificate {
                            id: c.config.id,
                            name: c.config.name.clone(),
                            pem: c.pem.clone(),
                            status: c.config.status,
                        })
                        .collect(),
                    acls: acls.into_iter().map(|a| a.config.clone()).collect(),
                    routes: routes.into_iter().map(|r| r.route.clone()).collect(),
                }
            })
            .collect();
        let mut backends: Vec<_> = self
            .backends
            .values()
            .filter(|b| b.lb_id == lb_id)
            .collect();
        backends.sort_by_key(|b| b.seq);
        let backends = backends
            .into_iter()
            .map(|b| RunningBackend {
                config: b.config.clone(),
                servers: b
                    .config
                    .pool
                    .iter()
                    .filter_map(|s| s.parse().ok())
                    .collect(),
            })
            .collect();
        let mut legs: Vec<_> = self
            .attachments
            .values()
            .filter(|a| a.lb_id == lb_id && !a.detaching)
            .collect();
        legs.sort_by_key(|a| a.seq);
        let mut ips: Vec<_> = self
            .ips
            .values()
            .filter(|i| i.lb_id == Some(lb_id))
            .collect();
        ips.sort_by_key(|i| i.seq);
        Some(LbRunning {
            lb_id,
            name: lb.name.clone(),
            project_id: lb.project_id,
            zone: lb.zone,
            status: lb.status(),
            instance_status: lb.instance.status,
            ssl_compatibility_level: lb.ssl_compatibility_level,
            flexible_ips: ips.into_iter().map(|i| i.address).collect(),
            private_networks: legs
                .into_iter()
                .map(|a| RunningPrivateNetwork {
                    private_network_id: a.private_network_id,
                    vpc_id: a.vpc_id,
                    address: a.address,
                    mac_address: a.mac_address.clone(),
                    status: a.status,
                })
                .collect(),
            frontends,
            backends,
        })
    }
}
