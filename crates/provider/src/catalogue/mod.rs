//! The catalogue: what exists before any API call — projects and their tokens, PoPs, partners
//! (with their shared connections), customers' dedicated connections, VPCs with their private
//! networks — and the emulator's settings.
//!
//! It is plain data with serde, so a TOML or JSON configuration can declare it. References
//! between entries are by name or by ID (`pop = "DC2"`, `project = "demo"`). Entries without an
//! `id` get a stable one derived from their name ([`crate::ids::stable_uuid`]).
//!
//! Unless `include_demo = false`, the [built-in demo catalogue](demo) comes first and the
//! configuration's entries are added to it.
//!
//! ```
//! use provider::catalogue::Catalogue;
//! let config: Catalogue = serde_json::from_value(serde_json::json!({
//!     "dedicated_connections": [{
//!         "name": "dc2-xconnect", "pop": "DC2", "bandwidth_mbps": 10000,
//!         "vlan_range": {"start": 1500, "end": 3899}
//!     }],
//!     "vpcs": [{"name": "prod", "private_networks": [{"name": "app", "subnet": "172.16.4.0/22"}]}]
//! })).unwrap();
//! let all = config.resolved();
//! assert!(all.dedicated_connections.iter().any(|c| c.name == "dc2-xconnect"));
//! assert!(all.pops.iter().any(|p| p.name == "DC2"));
//! ```

pub mod demo;
pub mod ovh;

use crate::interlink::port::{DedicatedConnectionStatus, VlanRange};
use crate::region::Region;
use crate::scope::Caller;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};
use std::net::{Ipv4Addr, Ipv6Addr};
use uuid::Uuid;

/// Link sizes Scaleway sells, in Mbps: a connection offers those that fit in its bandwidth unless
/// it declares its own `available_link_bandwidths`.
pub const STANDARD_LINK_BANDWIDTHS_MBPS: [u64; 13] = [
    50, 100, 200, 300, 400, 500, 1000, 2000, 5000, 10000, 25000, 40000, 100000,
];

/// Scaleway's AS number on InterLink.
pub const SCALEWAY_ASN: u32 = 12876;

/// The emulator's knobs. Every field has a default; see each one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Seed of the ID generator (same seed, same IDs).
    pub id_seed: u64,
    /// The peer ASN a link gets when `peer_asn` is not given: 64512, the first 16-bit private
    /// ASN (RFC 6996). The API says "a default one will be assigned" without naming it.
    pub default_peer_asn: u32,
    /// How long a new link stays `configuring` (0: it is never seen in that status).
    pub configuring_secs: u64,
    /// How long an OVHcloud Connect task takes from `todo` to `done` (it is `doing` from half
    /// way). Real tasks take minutes; 2 s by default, and virtual in tests.
    pub ovh_task_secs: u64,
    /// How long a hosted link may stay `requested` before it is `expired` (Scaleway: 10 days).
    pub hosted_request_expiry_secs: u64,
    /// At most this many links per project (`quotas_exceeded` beyond); none by default.
    pub max_links_per_project: Option<u32>,
    /// Where links' IPv4 /31s come from: 169.254.0.0/16 (Scaleway on the even address).
    pub link_ipv4_pool: Ipv4Net,
    /// Where links' IPv6 /127s come from: `fd12:876::/48`, a ULA prefix of our choosing (Scaleway
    /// on the even address).
    pub link_ipv6_pool: Ipv6Net,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            id_seed: 0x5ca1_e000,
            default_peer_asn: 64512,
            configuring_secs: 0,
            ovh_task_secs: 2,
            hosted_request_expiry_secs: 10 * 24 * 3600,
            max_links_per_project: None,
            link_ipv4_pool: Ipv4Net::new_assert(Ipv4Addr::new(169, 254, 0, 0), 16),
            link_ipv6_pool: Ipv6Net::new_assert(Ipv6Addr::new(0xfd12, 0x876, 0, 0, 0, 0, 0, 0), 48),
        }
    }
}

/// A project, its organization and the API tokens (secret keys) that act as it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectSpec {
    /// The project's ID.
    pub id: Uuid,
    /// Its organization's ID.
    pub organization_id: Uuid,
    /// A name to refer to it from other entries.
    pub name: String,
    /// Secret keys (`X-Auth-Token`); the SDKs require them to be UUIDs.
    #[serde(default)]
    pub tokens: Vec<String>,
}

/// A point of presence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopSpec {
    /// Its ID (derived from the name when absent).
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The data center's common name (`DC2`, `TH2`).
    pub name: String,
    /// Who hosts it (`OpCore`, `Telehouse`).
    pub hosting_provider_name: String,
    /// Street address.
    #[serde(default)]
    pub address: String,
    /// City.
    #[serde(default)]
    pub city: String,
    /// Logo URL.
    #[serde(default)]
    pub logo_url: String,
    /// Pretty name (`Paris - OpCore DC2`); derived from city, provider and name when absent.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Region.
    #[serde(default)]
    pub region: Region,
}

/// A partner's shared connection in one PoP, which its hosted links use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedConnectionSpec {
    /// The PoP, by name or ID.
    pub pop: String,
    /// Port speed.
    pub bandwidth_mbps: u64,
    /// Link sizes offered (default: the standard sizes that fit).
    #[serde(default)]
    pub available_link_bandwidths: Option<Vec<u64>>,
    /// VLANs for hosted links (default 1500–3899).
    #[serde(default)]
    pub vlan_range: Option<VlanRange>,
}

/// A partner offering hosted links.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerSpec {
    /// Its ID (derived from the name when absent).
    #[serde(default)]
    pub id: Option<Uuid>,
    /// Name.
    pub name: String,
    /// Contact email.
    #[serde(default)]
    pub contact_email: String,
    /// Logo URL.
    #[serde(default)]
    pub logo_url: String,
    /// Portal URL.
    #[serde(default)]
    pub portal_url: String,
    /// Whether the partner offers L3 (it runs the BGP session) rather than L2 only.
    #[serde(default)]
    pub l3_connectivity: bool,
    /// Region.
    #[serde(default)]
    pub region: Region,
    /// When set, the partner approves every request this many seconds after it is made; when
    /// absent, an admin approves or refuses (`approve_hosted_link` / `refuse_hosted_link`).
    #[serde(default)]
    pub auto_approve_secs: Option<u64>,
    /// How long the partner takes to provision an approved link.
    #[serde(default)]
    pub provisioning_secs: u64,
    /// Its shared connections, one per PoP it is present in.
    #[serde(default)]
    pub connections: Vec<SharedConnectionSpec>,
}

/// A customer's dedicated physical connection (self-hosted links live on it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DedicatedConnectionSpec {
    /// Its ID (derived from the name when absent).
    #[serde(default)]
    pub id: Option<Uuid>,
    /// Name.
    pub name: String,
    /// The owning project, by name or ID (default: the first project declared).
    #[serde(default)]
    pub project: Option<String>,
    /// The PoP, by name or ID.
    pub pop: String,
    /// Port speed.
    pub bandwidth_mbps: u64,
    /// Link sizes offered (default: the standard sizes that fit in the port).
    #[serde(default)]
    pub available_link_bandwidths: Option<Vec<u64>>,
    /// VLANs for its links (default 1500–3899; must lie within 1500–3899).
    #[serde(default)]
    pub vlan_range: Option<VlanRange>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Status (default `active`).
    #[serde(default = "active")]
    pub status: DedicatedConnectionStatus,
    /// Cross-connect details.
    #[serde(default)]
    pub demarcation_info: Option<String>,
    /// Region.
    #[serde(default)]
    pub region: Region,
}

fn active() -> DedicatedConnectionStatus {
    DedicatedConnectionStatus::Active
}

/// A private network of a VPC and its subnets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivateNetworkSpec {
    /// Its ID (derived from the VPC's and its own name when absent).
    #[serde(default)]
    pub id: Option<Uuid>,
    /// Name.
    pub name: String,
    /// One subnet (the topology format's spelling).
    #[serde(default)]
    pub subnet: Option<IpNet>,
    /// More subnets. Without an IPv6 one, a ULA /64 derived from the network's ID is added, as
    /// Scaleway gives every private network an IPv6 /64.
    #[serde(default)]
    pub subnets: Vec<IpNet>,
}

/// A VPC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VpcSpec {
    /// Its ID (derived from the name when absent).
    #[serde(default)]
    pub id: Option<Uuid>,
    /// Name.
    pub name: String,
    /// The owning project, by name or ID (default: the first project declared).
    #[serde(default)]
    pub project: Option<String>,
    /// Region.
    #[serde(default)]
    pub region: Region,
    /// Its private networks.
    #[serde(default)]
    pub private_networks: Vec<PrivateNetworkSpec>,
}

/// Everything that exists before the first API call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Catalogue {
    /// Put the built-in demo catalogue first (default true).
    pub include_demo: bool,
    /// Knobs.
    pub settings: Settings,
    /// Projects and their tokens.
    pub projects: Vec<ProjectSpec>,
    /// Tokens allowed to call the admin operations (partner approval, session status).
    pub admin_tokens: Vec<String>,
    /// PoPs.
    pub pops: Vec<PopSpec>,
    /// Partners.
    pub partners: Vec<PartnerSpec>,
    /// Dedicated connections.
    pub dedicated_connections: Vec<DedicatedConnectionSpec>,
    /// VPCs.
    pub vpcs: Vec<VpcSpec>,
    /// OVHcloud Connect: services, vRacks, datacenters, credentials.
    pub ovh_connect: ovh::OvhCatalogue,
}

impl Default for Catalogue {
    fn default() -> Self {
        Self {
            include_demo: true,
            settings: Settings::default(),
            projects: Vec::new(),
            admin_tokens: Vec::new(),
            pops: Vec::new(),
            partners: Vec::new(),
            dedicated_connections: Vec::new(),
            vpcs: Vec::new(),
            ovh_connect: ovh::OvhCatalogue::default(),
        }
    }
}

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Principal {
    /// A project's token.
    Project(Caller),
    /// An admin token (partner approval, engine feedback).
    Admin,
}

impl Catalogue {
    /// An empty catalogue that does not include the demo.
    pub fn empty() -> Self {
        Self {
            include_demo: false,
            ..Self::default()
        }
    }

    /// What `token` is, if anything (after [`Catalogue::resolved`]).
    pub fn principal(&self, token: &str) -> Option<Principal> {
        if self.admin_tokens.iter().any(|t| t == token) {
            return Some(Principal::Admin);
        }
        self.projects
            .iter()
            .find(|p| p.tokens.iter().any(|t| t == token))
            .map(|p| Principal::Project(Caller::new(p.id, p.organization_id)))
    }

    /// The project named (by name or ID) `reference`, or the first project when `None`.
    pub fn project(&self, reference: Option<&str>) -> Option<&ProjectSpec> {
        match reference {
            None => self.projects.first(),
            Some(r) => self
                .projects
                .iter()
                .find(|p| p.name == r || p.id.to_string() == r),
        }
    }
}

/// A catalogue that cannot be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    /// An entry refers to something that does not exist.
    #[error("{entry}: unknown {kind} {reference:?}")]
    UnknownReference {
        /// The referring entry.
        entry: String,
        /// What kind of thing is referred to.
        kind: &'static str,
        /// The reference as written.
        reference: String,
    },
    /// Two entries have the same ID.
    #[error("duplicate id {0}")]
    DuplicateId(Uuid),
    /// An entry's values are not acceptable.
    #[error("{entry}: {reason}")]
    Invalid {
        /// The entry.
        entry: String,
        /// Why.
        reason: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_includes_demo_and_tokens_resolve() {
        let c = Catalogue::default().resolved();
        assert!(c.pops.len() >= 2);
        assert_eq!(
            c.principal(demo::DEMO_SECRET_KEY),
            Some(Principal::Project(Caller::new(
                demo::DEMO_PROJECT_ID,
                demo::DEMO_ORGANIZATION_ID
            )))
        );
        assert_eq!(c.principal(demo::ADMIN_SECRET_KEY), Some(Principal::Admin));
        assert_eq!(c.principal("nope"), None);
    }

    #[test]
    fn empty_stays_empty() {
        let c = Catalogue::empty().resolved();
        assert!(c.pops.is_empty() && c.projects.is_empty());
    }

    #[test]
    fn toml_config_parses() {
        let text = r#"
            include_demo = true
            [settings]
            default_peer_asn = 65000
            [[projects]]
            id = "11111111-1111-4111-8111-111111111111"
            organization_id = "22222222-2222-4222-8222-222222222222"
            name = "ci"
            tokens = ["33333333-3333-4333-8333-333333333333"]
            [[dedicated_connections]]
            name = "dc2-xconnect"
            project = "ci"
            pop = "DC2"
            bandwidth_mbps = 10000
            vlan_range = { start = 1500, end = 3899 }
            [[vpcs]]
            name = "prod"
            project = "ci"
            private_networks = [{ name = "app", subnet = "172.16.4.0/22" }]
        "#;
        let c: Catalogue = toml::from_str(text).unwrap();
        assert_eq!(c.settings.default_peer_asn, 65000);
        assert_eq!(c.settings.configuring_secs, 0);
        let all = c.resolved();
        assert_eq!(
            all.project(Some("ci")).map(|p| p.id.to_string()),
            Some("11111111-1111-4111-8111-111111111111".to_string())
        );
        assert!(matches!(
            all.principal("33333333-3333-4333-8333-333333333333"),
            Some(Principal::Project(_))
        ));
    }

    #[test]
    fn unknown_keys_are_refused() {
        let r: Result<Catalogue, _> = toml::from_str("colour = 1");
        assert!(r.is_err());
    }
}
