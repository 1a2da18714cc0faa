//! Typed reads across projects, for the owner of the running world: every link as the API
//! shows it, with the names of its port and policies. The world builds the data-plane model
//! and the engine's sessions from these, never from the API's JSON.

use super::link::Host;
use super::{InterLink, Link, RoutingPolicy};
use uuid::Uuid;

/// The physical port a link's VLAN lives on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkPort {
    /// The customer's dedicated connection.
    Connection {
        /// Its ID.
        id: Uuid,
        /// Its name.
        name: String,
    },
    /// A partner's shared connection (a hosted link).
    Partner {
        /// The partner's ID.
        id: Uuid,
        /// The partner's name.
        name: String,
    },
}

impl LinkPort {
    /// The port's name (the connection's, or the partner's).
    pub fn name(&self) -> &str {
        match self {
            LinkPort::Connection { name, .. } | LinkPort::Partner { name, .. } => name,
        }
    }
}

/// A link with where it lives, whoever owns it.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkView {
    /// The link as the API shows it.
    pub link: Link,
    /// Its port.
    pub port: LinkPort,
    /// Whether its sessions should run (past `configuring` / `provisioning`).
    pub in_service: bool,
}

impl InterLink {
    /// Every link, whoever owns it, in ID order.
    pub fn link_views(&self) -> Vec<LinkView> {
        self.links
            .values()
            .map(|record| {
                let port = match &record.host {
                    Host::SelfHosted { connection_id } => LinkPort::Connection {
                        id: *connection_id,
                        name: self
                            .connections
                            .get(connection_id)
                            .map(|c| c.connection.name.clone())
                            .unwrap_or_else(|| connection_id.to_string()),
                    },
                    Host::Hosted { partner_id, .. } => LinkPort::Partner {
                        id: *partner_id,
                        name: self
                            .partners
                            .get(partner_id)
                            .map(|p| p.partner.name.clone())
                            .unwrap_or_else(|| partner_id.to_string()),
                    },
                };
                LinkView {
                    link: record.view(),
                    port,
                    in_service: record.is_in_service(),
                }
            })
            .collect()
    }

    /// A routing policy by ID, whoever owns it.
    pub fn any_routing_policy(&self, id: Uuid) -> Option<&RoutingPolicy> {
        self.policies.get(&id).map(|r| &r.policy)
    }

    /// A dedicated connection's ID by name or ID, whoever owns it.
    pub fn connection_id(&self, name_or_id: &str) -> Option<Uuid> {
        self.connections
            .values()
            .find(|c| c.connection.name == name_or_id || c.connection.id.to_string() == name_or_id)
            .map(|c| c.connection.id)
    }

    /// A partner's ID by name or ID.
    pub fn partner_id(&self, name_or_id: &str) -> Option<Uuid> {
        self.partners
            .values()
            .find(|p| p.partner.name == name_or_id || p.partner.id.to_string() == name_or_id)
            .map(|p| p.partner.id)
    }
}
