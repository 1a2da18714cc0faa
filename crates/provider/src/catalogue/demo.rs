//! The built-in demo catalogue, in `fr-par`.
//!
//! | kind | name | ID (`5ca1e000-0000-4000-8000-…`) | what |
//! |---|---|---|---|
//! | organization | — | `…000000000001` | |
//! | project | `demo` | `…000000000002` | token [`DEMO_SECRET_KEY`] |
//! | project | `other` | `…000000000003` | token [`OTHER_SECRET_KEY`]; sees nothing of `demo` |
//! | admin | — | — | token [`ADMIN_SECRET_KEY`] |
//! | PoP | `DC2` | `…a00000000001` | OpCore, Vitry-sur-Seine |
//! | PoP | `TH2` | `…a00000000002` | Telehouse, Paris |
//! | partner | `Acme Fabric` | `…b00000000001` | L2; in DC2 and TH2 (10 Gbps each); approves by itself after 2 s, provisions in 3 s |
//! | partner | `Example Carrier` | `…b00000000002` | L3; in TH2 (1 Gbps); an admin approves or refuses |
//! | dedicated connection | `demo-dc2-10g` | `…c00000000001` | project `demo`, DC2, 10 Gbps, VLANs 1500–3899 |
//! | dedicated connection | `demo-th2-1g` | `…c00000000002` | project `demo`, TH2, 1 Gbps, VLANs 2000–2099 |
//! | VPC | `demo-vpc` | `…d00000000001` | project `demo`; private network `demo-pn` (`…d00000000011`) with 172.16.0.0/22 and fd5c:a1e0:0:1::/64 |
//!
//! OVHcloud Connect (services, vRacks, datacenters, credentials): see [`super::ovh::demo`].
//!
//! [`owned_by`] gives the `demo` project's place to another project ID (`peerlab serve
//! --project-id P` with no `--config`): its connections, VPC and token then belong to P, so a
//! user who copies their own profile sees the demo; `other` stays apart for isolation.
//!
//! [`Catalogue::resolved`] puts the demo's entries before a catalogue's own.
//!
//! The addresses, e-mails and URLs are illustrative (`.example` domains).

use super::{
    Catalogue, DedicatedConnectionSpec, PartnerSpec, PopSpec, PrivateNetworkSpec, ProjectSpec,
    Settings, SharedConnectionSpec, VpcSpec,
};
use crate::interlink::port::{DedicatedConnectionStatus, VlanRange};
use crate::region::Region;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::net::{Ipv4Addr, Ipv6Addr};
use uuid::Uuid;

impl Catalogue {
    /// The catalogue to build from: the demo's entries first (unless `include_demo` is false),
    /// then this one's. Settings are this one's.
    pub fn resolved(&self) -> Catalogue {
        if !self.include_demo {
            return self.clone();
        }
        let mut all = catalogue();
        all.include_demo = false;
        all.settings = self.settings.clone();
        all.projects.extend(self.projects.iter().cloned());
        all.admin_tokens.extend(self.admin_tokens.iter().cloned());
        all.pops.extend(self.pops.iter().cloned());
        all.partners.extend(self.partners.iter().cloned());
        all.dedicated_connections
            .extend(self.dedicated_connections.iter().cloned());
        all.vpcs.extend(self.vpcs.iter().cloned());
        all.ovh_connect.extend(&self.ovh_connect);
        all
    }
}

const fn demo_id(tail: u64) -> Uuid {
    Uuid::from_u64_pair(0x5ca1_e000_0000_4000, 0x8000_0000_0000_0000 | tail)
}

/// The demo organization.
pub const DEMO_ORGANIZATION_ID: Uuid = demo_id(0x0000_0000_0001);
/// The `demo` project.
pub const DEMO_PROJECT_ID: Uuid = demo_id(0x0000_0000_0002);
/// The `other` project (same organization), to see isolation at work.
pub const OTHER_PROJECT_ID: Uuid = demo_id(0x0000_0000_0003);
/// The `demo` project's secret key (`X-Auth-Token`).
pub const DEMO_SECRET_KEY: &str = "5ca1e000-0000-4000-8000-e00000000001";
/// The `other` project's secret key.
pub const OTHER_SECRET_KEY: &str = "5ca1e000-0000-4000-8000-e00000000002";
/// The admin token.
pub const ADMIN_SECRET_KEY: &str = "5ca1e000-0000-4000-8000-e000000000ad";
/// An access key to put beside the secret key in an SDK profile (the API does not check it).
pub const DEMO_ACCESS_KEY: &str = "SCWPEERLABDEMO000001";
/// PoP `DC2`.
pub const POP_DC2_ID: Uuid = demo_id(0xa000_0000_0001);
/// PoP `TH2`.
pub const POP_TH2_ID: Uuid = demo_id(0xa000_0000_0002);
/// Partner `Acme Fabric` (L2, approves by itself).
pub const PARTNER_ACME_ID: Uuid = demo_id(0xb000_0000_0001);
/// Partner `Example Carrier` (L3, admin approval).
pub const PARTNER_CARRIER_ID: Uuid = demo_id(0xb000_0000_0002);
/// Dedicated connection `demo-dc2-10g`.
pub const CONNECTION_DC2_ID: Uuid = demo_id(0xc000_0000_0001);
/// Dedicated connection `demo-th2-1g`.
pub const CONNECTION_TH2_ID: Uuid = demo_id(0xc000_0000_0002);
/// VPC `demo-vpc`.
pub const VPC_ID: Uuid = demo_id(0xd000_0000_0001);
/// Private network `demo-pn`.
pub const PRIVATE_NETWORK_ID: Uuid = demo_id(0xd000_0000_0011);

/// The demo catalogue (see the module documentation).
pub fn catalogue() -> Catalogue {
    Catalogue {
        include_demo: false,
        settings: Settings::default(),
        projects: vec![
            ProjectSpec {
                id: DEMO_PROJECT_ID,
                organization_id: DEMO_ORGANIZATION_ID,
                name: "demo".into(),
                tokens: vec![DEMO_SECRET_KEY.into()],
            },
            ProjectSpec {
                id: OTHER_PROJECT_ID,
                organization_id: DEMO_ORGANIZATION_ID,
                name: "other".into(),
                tokens: vec![OTHER_SECRET_KEY.into()],
            },
        ],
        admin_tokens: vec![ADMIN_SECRET_KEY.into()],
        pops: vec![
            PopSpec {
                id: Some(POP_DC2_ID),
                name: "DC2".into(),
                hosting_provider_name: "OpCore".into(),
                address: "Vitry-sur-Seine, France".into(),
                city: "Paris".into(),
                logo_url: "https://pops.example/opcore.svg".into(),
                display_name: Some("Paris - OpCore DC2".into()),
                region: Region::FrPar,
            },
            PopSpec {
                id: Some(POP_TH2_ID),
                name: "TH2".into(),
                hosting_provider_name: "Telehouse".into(),
                address: "Boulevard Voltaire, Paris, France".into(),
                city: "Paris".into(),
                logo_url: "https://pops.example/telehouse.svg".into(),
                display_name: Some("Paris - Telehouse TH2".into()),
                region: Region::FrPar,
            },
        ],
        partners: vec![
            PartnerSpec {
                id: Some(PARTNER_ACME_ID),
                name: "Acme Fabric".into(),
                contact_email: "noc@acme-fabric.example".into(),
                logo_url: "https://acme-fabric.example/logo.svg".into(),
                portal_url: "https://portal.acme-fabric.example".into(),
                l3_connectivity: false,
                region: Region::FrPar,
                auto_approve_secs: Some(2),
                provisioning_secs: 3,
                connections: vec![
                    SharedConnectionSpec {
                        pop: "DC2".into(),
                        bandwidth_mbps: 10000,
                        available_link_bandwidths: None,
                        vlan_range: None,
                    },
                    SharedConnectionSpec {
                        pop: "TH2".into(),
                        bandwidth_mbps: 10000,
                        available_link_bandwidths: None,
                        vlan_range: None,
                    },
                ],
            },
            PartnerSpec {
                id: Some(PARTNER_CARRIER_ID),
                name: "Example Carrier".into(),
                contact_email: "interlink@carrier.example".into(),
                logo_url: "https://carrier.example/logo.svg".into(),
                portal_url: "https://carrier.example/portal".into(),
                l3_connectivity: true,
                region: Region::FrPar,
                auto_approve_secs: None,
                provisioning_secs: 0,
                connections: vec![SharedConnectionSpec {
                    pop: "TH2".into(),
                    bandwidth_mbps: 1000,
                    available_link_bandwidths: Some(vec![50, 100, 200, 500]),
                    vlan_range: Some(VlanRange {
                        start: 3000,
                        end: 3099,
                    }),
                }],
            },
        ],
        dedicated_connections: vec![
            DedicatedConnectionSpec {
                id: Some(CONNECTION_DC2_ID),
                name: "demo-dc2-10g".into(),
                project: Some("demo".into()),
                pop: "DC2".into(),
                bandwidth_mbps: 10000,
                available_link_bandwidths: Some(vec![100, 200, 500, 1000, 2000, 5000, 10000]),
                vlan_range: Some(VlanRange {
                    start: 1500,
                    end: 3899,
                }),
                tags: vec!["demo".into()],
                status: DedicatedConnectionStatus::Active,
                demarcation_info: Some(
                    "MMR 1, rack 0101, patch panel PP-01, port 1, LC/UPC SMF".into(),
                ),
                region: Region::FrPar,
            },
            DedicatedConnectionSpec {
                id: Some(CONNECTION_TH2_ID),
                name: "demo-th2-1g".into(),
                project: Some("demo".into()),
                pop: "TH2".into(),
                bandwidth_mbps: 1000,
                available_link_bandwidths: Some(vec![50, 100, 200, 500, 1000]),
                vlan_range: Some(VlanRange {
                    start: 2000,
                    end: 2099,
                }),
                tags: vec!["demo".into()],
                status: DedicatedConnectionStatus::Active,
                demarcation_info: None,
                region: Region::FrPar,
            },
        ],
        vpcs: vec![VpcSpec {
            id: Some(VPC_ID),
            name: "demo-vpc".into(),
            project: Some("demo".into()),
            region: Region::FrPar,
            private_networks: vec![PrivateNetworkSpec {
                id: Some(PRIVATE_NETWORK_ID),
                name: "demo-pn".into(),
                subnet: Some(IpNet::V4(Ipv4Net::new_assert(
                    Ipv4Addr::new(172, 16, 0, 0),
                    22,
                ))),
                subnets: vec![IpNet::V6(Ipv6Net::new_assert(
                    Ipv6Addr::new(0xfd5c, 0xa1e0, 0, 1, 0, 0, 0, 0),
                    64,
                ))],
            }],
        }],
        ovh_connect: super::ovh::demo(),
    }
}

/// The demo catalogue with the `demo` project's ID replaced by `project_id`: every entry that
/// the demo gives to `demo` (its dedicated connections, its VPC, its token) then belongs to
/// `project_id`, in the demo organization. The entries refer to their project by the name
/// `demo`, which stays. When `project_id` is the `other` project's, nothing changes: acting as
/// `other` is how isolation is seen.
pub fn owned_by(project_id: Uuid) -> Catalogue {
    let mut demo = catalogue();
    if project_id != OTHER_PROJECT_ID {
        for project in demo.projects.iter_mut().filter(|p| p.id == DEMO_PROJECT_ID) {
            project.id = project_id;
        }
    }
    demo
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Principal;
    use crate::interlink::InterLink;
    use crate::scope::Caller;

    #[test]
    fn ids_print_as_documented() {
        assert_eq!(
            DEMO_PROJECT_ID.to_string(),
            "5ca1e000-0000-4000-8000-000000000002"
        );
        assert_eq!(
            CONNECTION_DC2_ID.to_string(),
            "5ca1e000-0000-4000-8000-c00000000001"
        );
        for key in [DEMO_SECRET_KEY, OTHER_SECRET_KEY, ADMIN_SECRET_KEY] {
            assert!(Uuid::parse_str(key).is_ok(), "the SDK wants a UUID: {key}");
        }
        assert_eq!(DEMO_ACCESS_KEY.len(), 20);
    }

    #[test]
    fn demo_connections_respect_the_vlan_bounds() {
        for c in catalogue().dedicated_connections {
            let r = c.vlan_range.unwrap_or_default();
            assert!(1500 <= r.start && r.start <= r.end && r.end <= 3899);
        }
    }

    #[test]
    fn owned_by_gives_the_demo_to_the_project_and_keeps_other_apart() {
        let mine = Uuid::from_u128(0x1234_5678);
        let c = owned_by(mine);
        assert_eq!(c.project(Some("demo")).map(|p| p.id), Some(mine));
        assert_eq!(
            c.principal(DEMO_SECRET_KEY),
            Some(Principal::Project(Caller::new(mine, DEMO_ORGANIZATION_ID)))
        );
        assert_eq!(
            c.project(Some("other")).map(|p| p.id),
            Some(OTHER_PROJECT_ID)
        );
        let model = InterLink::new(&c, chrono::DateTime::UNIX_EPOCH).unwrap();
        let me = Caller::new(mine, DEMO_ORGANIZATION_ID);
        let listed = model
            .list_dedicated_connections(Region::FrPar, &me, &Default::default())
            .unwrap();
        assert_eq!(listed.total_count, 2);
        assert!(listed.connections.iter().all(|d| d.project_id == mine));
        assert_eq!(model.ipam().vpc(VPC_ID).map(|v| v.project_id), Some(mine));
        let other = Caller::new(OTHER_PROJECT_ID, DEMO_ORGANIZATION_ID);
        let listed = model
            .list_dedicated_connections(Region::FrPar, &other, &Default::default())
            .unwrap();
        assert_eq!(listed.total_count, 0);
        // Acting as `other` (or as `demo` itself) leaves the demo as it is.
        assert_eq!(owned_by(OTHER_PROJECT_ID), catalogue());
        assert_eq!(owned_by(DEMO_PROJECT_ID), catalogue());
    }
}
