//! The OVHcloud Connect part of the catalogue: services (with their interfaces), vRacks, the
//! datacenters a service may reach, and the OVH API credentials (application key, application
//! secret, consumer key) that may sign requests.
//!
//! Declared under `[ovh_connect]` in a configuration, with OVH's own words. Services are named
//! by their UUID (OVH's `serviceName` of an OVHcloud Connect service is its UUID); vRacks by
//! their service name (`pn-…`).
//!
//! ```
//! use provider::catalogue::Catalogue;
//! let c: Catalogue = toml::from_str(r#"
//!     [[ovh_connect.services]]
//!     uuid = "11111111-2222-4333-8444-555555555555"
//!     pop = "Paris - TH2"
//!     bandwidth = "1G"
//!     interfaces = [{ id = 7001 }]
//!     [[ovh_connect.vracks]]
//!     name = "pn-1001"
//! "#).unwrap();
//! let all = c.resolved();
//! assert!(all.ovh_connect.services.len() >= 2);
//! ```

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The demo application key (`X-Ovh-Application`).
pub const DEMO_APPLICATION_KEY: &str = "peerlabdemoappkey";
/// The demo application secret.
pub const DEMO_APPLICATION_SECRET: &str = "peerlabdemoapplicationsecret0001";
/// The demo consumer key (`X-Ovh-Consumer`).
pub const DEMO_CONSUMER_KEY: &str = "peerlabdemoconsumerkey0000000001";
/// The demo service in the PoP `Paris - TH2`, one interface, in no vRack.
pub const DEMO_SERVICE_A: Uuid = Uuid::from_u64_pair(0x0c0c_0000_0000_4000, 0x8000_0000_0000_00a1);
/// The demo service in the PoP `Paris - DC2`, one interface, in no vRack.
pub const DEMO_SERVICE_B: Uuid = Uuid::from_u64_pair(0x0c0c_0000_0000_4000, 0x8000_0000_0000_00b1);
/// Interface of [`DEMO_SERVICE_A`].
pub const DEMO_INTERFACE_A: u64 = 9001;
/// Interface of [`DEMO_SERVICE_B`].
pub const DEMO_INTERFACE_B: u64 = 9002;
/// The first demo vRack.
pub const DEMO_VRACK: &str = "pn-100001";
/// The second demo vRack.
pub const DEMO_VRACK_2: &str = "pn-100002";

/// An application allowed to call, with the consumer key it was granted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OvhCredentialSpec {
    /// `X-Ovh-Application`.
    pub application_key: String,
    /// The secret the signature is made with.
    pub application_secret: String,
    /// `X-Ovh-Consumer`.
    pub consumer_key: String,
}

/// An interface of a service (a port in the PoP).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OvhInterfaceSpec {
    /// OVH's interface ID.
    pub id: u64,
}

/// An OVHcloud Connect service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OvhServiceSpec {
    /// Its UUID, which is its `serviceName`.
    pub uuid: Uuid,
    /// The PoP (entry point) name.
    pub pop: String,
    /// `ovhCloudConnect.BandwidthEnum` (`100M`, `200M`, `500M`, `1G`, `2G`, `5G`, `10G`).
    #[serde(default = "one_gigabit")]
    pub bandwidth: String,
    /// `direct` (a port in an OVHcloud PoP) or a partner's name (`Equinix`, `Megaport`…).
    #[serde(default = "ovhcloud")]
    pub provider: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// The vRack it is already in, if any.
    #[serde(default)]
    pub vrack: Option<String>,
    /// Its interfaces (default: none).
    #[serde(default)]
    pub interfaces: Vec<OvhInterfaceSpec>,
}

fn one_gigabit() -> String {
    "1G".into()
}

fn ovhcloud() -> String {
    "OVHcloud".into()
}

/// A vRack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VrackSpec {
    /// Its service name (`pn-…`).
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
}

/// A datacenter (end point) a service may be configured toward.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OvhDatacenterSpec {
    /// OVH's datacenter ID.
    pub id: u64,
    /// Its name (`RBX`, `GRA`…).
    pub name: String,
    /// Its region (`common.RegionEnum`, e.g. `eu-west-rbx`).
    #[serde(default)]
    pub region: String,
    /// `ovhCloudConnect.datacenter.RegionTypeEnum` (default `region`).
    #[serde(default = "region_type")]
    pub region_type: String,
}

fn region_type() -> String {
    "region".into()
}

/// `[ovh_connect]`: everything OVHcloud Connect has before the first call.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OvhCatalogue {
    /// Who may sign requests.
    pub credentials: Vec<OvhCredentialSpec>,
    /// Services.
    pub services: Vec<OvhServiceSpec>,
    /// vRacks.
    pub vracks: Vec<VrackSpec>,
    /// Datacenters every service may reach.
    pub datacenters: Vec<OvhDatacenterSpec>,
}

impl OvhCatalogue {
    /// The configuration's entries appended to these.
    pub fn extend(&mut self, other: &OvhCatalogue) {
        self.credentials.extend(other.credentials.iter().cloned());
        self.services.extend(other.services.iter().cloned());
        self.vracks.extend(other.vracks.iter().cloned());
        self.datacenters.extend(other.datacenters.iter().cloned());
    }

    /// The application secret of `application_key` with `consumer_key`, if they are known.
    pub fn secret(&self, application_key: &str, consumer_key: &str) -> Option<&str> {
        self.credentials
            .iter()
            .find(|c| c.application_key == application_key && c.consumer_key == consumer_key)
            .map(|c| c.application_secret.as_str())
    }

    /// Whether `application_key` is known at all.
    pub fn knows_application(&self, application_key: &str) -> bool {
        self.credentials
            .iter()
            .any(|c| c.application_key == application_key)
    }
}

/// The demo: two services (TH2 and DC2, one interface each, in no vRack), two vRacks, three
/// datacenters and one set of credentials.
pub fn demo() -> OvhCatalogue {
    OvhCatalogue {
        credentials: vec![OvhCredentialSpec {
            application_key: DEMO_APPLICATION_KEY.into(),
            application_secret: DEMO_APPLICATION_SECRET.into(),
            consumer_key: DEMO_CONSUMER_KEY.into(),
        }],
        services: vec![
            OvhServiceSpec {
                uuid: DEMO_SERVICE_A,
                pop: "Paris - TH2".into(),
                bandwidth: "1G".into(),
                provider: "OVHcloud".into(),
                description: "demo-th2".into(),
                vrack: None,
                interfaces: vec![OvhInterfaceSpec {
                    id: DEMO_INTERFACE_A,
                }],
            },
            OvhServiceSpec {
                uuid: DEMO_SERVICE_B,
                pop: "Paris - DC2".into(),
                bandwidth: "10G".into(),
                provider: "OVHcloud".into(),
                description: "demo-dc2".into(),
                vrack: None,
                interfaces: vec![OvhInterfaceSpec {
                    id: DEMO_INTERFACE_B,
                }],
            },
        ],
        vracks: vec![
            VrackSpec {
                name: DEMO_VRACK.into(),
                description: "demo vRack".into(),
            },
            VrackSpec {
                name: DEMO_VRACK_2.into(),
                description: "second demo vRack".into(),
            },
        ],
        datacenters: vec![
            OvhDatacenterSpec {
                id: 1,
                name: "RBX".into(),
                region: "eu-west-rbx".into(),
                region_type: region_type(),
            },
            OvhDatacenterSpec {
                id: 2,
                name: "GRA".into(),
                region: "eu-west-gra".into(),
                region_type: region_type(),
            },
            OvhDatacenterSpec {
                id: 3,
                name: "SBG".into(),
                region: "eu-west-sbg".into(),
                region_type: region_type(),
            },
        ],
    }
}
