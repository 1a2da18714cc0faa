//! What the customer plugs into the provider: one [`Attachment`] type for `serve`'s
//! `[[bindings]]` (a local interface bound to a port) and `up`'s `plug` (a managed router), and
//! the customer's [`Host`]s (VPC instances, servers behind routers, OVH datacenter servers).
//!
//! Attachments are the world's desired state beside the provider state: the model places the
//! customer's side from them, and the kernel renderer puts the provider's side of each port
//! onto its [`Attachment::device`]. What lands on a plug ([`crate::landing`]) follows the
//! provider state: a link created later through the API on the same connection and VLAN lands
//! on it, a deleted one leaves it.

use ipnet::IpNet;
use std::collections::BTreeSet;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use uuid::Uuid;

/// Where something plugs into the provider.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Plug {
    /// A dedicated connection; on one VLAN (a router tags it), or every self-hosted link's
    /// VLAN on it (`vlan: None`, a `serve` binding).
    Connection {
        /// The connection.
        connection_id: Uuid,
        /// The VLAN the customer tags.
        vlan: Option<u16>,
    },
    /// A partner's port (hosted links), on one VLAN or the link's.
    Partner {
        /// The partner.
        partner_id: Uuid,
        /// The VLAN the customer tags.
        vlan: Option<u16>,
    },
    /// One link, on its VLAN (a hosted link whose VLAN the partner picks).
    Link {
        /// The link.
        link_id: Uuid,
    },
    /// An OVHcloud Connect interface (the PoP side).
    OvhInterface {
        /// The interface.
        interface_id: u64,
    },
    /// An OVH datacenter in a vRack (the datacenter side), as a router peering with a `bgp`
    /// extra whose `bgpNeighborArea` is `asn`, or a binding (`asn: None`).
    OvhDatacenter {
        /// The vRack.
        vrack: String,
        /// The datacenter (`/ovhCloudConnect/datacenter` ID).
        datacenter_id: u64,
        /// The router's ASN.
        asn: Option<u32>,
    },
}

/// What a customer router learned from the provider, asked each time the model is built.
pub trait LearnedRoutes: std::fmt::Debug + Send + Sync {
    /// The prefixes it installed from its BGP sessions with the provider.
    fn learned(&self) -> Pin<Box<dyn Future<Output = BTreeSet<IpNet>> + Send + '_>>;
}

/// A customer router managed by the topology runner.
#[derive(Clone, Debug)]
pub struct CustomerRouter {
    /// Its ASN.
    pub asn: u32,
    /// Where to ask what it learned.
    pub routes: Arc<dyn LearnedRoutes>,
}

/// Something plugged into a provider port.
#[derive(Clone, Debug)]
pub struct Attachment {
    /// Its name: the router's, or the binding's (unique among attachments and hosts).
    pub name: String,
    /// Where.
    pub plug: Plug,
    /// The provider's Linux device on that port, when there is a kernel to render into: a
    /// `serve` binding's interface, or the provider's end of a router's cable.
    pub device: Option<String>,
    /// The router behind it (`up`); `None` for a bare binding.
    pub router: Option<CustomerRouter>,
    /// False while its cable is pulled.
    pub up: bool,
}

/// Where a customer host sits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostPlace {
    /// In a VPC's private network (a Scaleway instance).
    PrivateNetwork {
        /// The private network.
        private_network_id: Uuid,
    },
    /// On the LAN behind a router or a host with a LAN (by name).
    Behind {
        /// The router or host.
        node: String,
    },
    /// In an OVH datacenter (on its vRack segment, l2, or its subnet, l3).
    OvhDatacenter {
        /// The vRack.
        vrack: String,
        /// The datacenter.
        datacenter_id: u64,
    },
    /// On the customer's side of an l2 OVHcloud Connect interface.
    OvhInterface {
        /// The interface.
        interface_id: u64,
        /// The vRack its service extends.
        vrack: String,
    },
}

/// A customer host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Host {
    /// Its name (unique among attachments and hosts).
    pub name: String,
    /// Its address.
    pub address: IpAddr,
    /// Its prefix length; `None`: its subnet's (a private network's), else /24 or /64.
    pub prefix_len: Option<u8>,
    /// Where it sits.
    pub place: HostPlace,
    /// A LAN it forwards to (a server at an OVH `network` extra's next hop): hosts can sit
    /// [`HostPlace::Behind`] it.
    pub lan: Option<IpNet>,
}

/// Names the customer gives OVH's configurations (the API has IDs only); trace messages use
/// them. Unnamed ones are called by their ID.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Labels {
    /// PoP configurations, by the interface they configure.
    pub pops: std::collections::BTreeMap<u64, String>,
    /// Datacenter configurations, by (vRack, datacenter).
    pub datacenters: std::collections::BTreeMap<(String, u64), String>,
    /// Extras, by ID.
    pub extras: std::collections::BTreeMap<u64, String>,
}

/// Everything plugged in.
#[derive(Clone, Debug, Default)]
pub struct Attachments {
    /// By name.
    pub plugged: Vec<Attachment>,
    /// By name.
    pub hosts: Vec<Host>,
    /// OVH's configurations' names.
    pub labels: Labels,
}

impl Attachments {
    /// The attachment called `name`.
    pub fn get(&self, name: &str) -> Option<&Attachment> {
        self.plugged.iter().find(|a| a.name == name)
    }

    /// Adds or replaces an attachment (by name).
    pub fn put(&mut self, attachment: Attachment) {
        self.plugged.retain(|a| a.name != attachment.name);
        self.plugged.push(attachment);
    }

    /// Adds or replaces a host (by name).
    pub fn put_host(&mut self, host: Host) {
        self.hosts.retain(|h| h.name != host.name);
        self.hosts.push(host);
    }
}
