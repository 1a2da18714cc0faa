//! `[ovh_connect]`: the OVHcloud Connect resources of a topology, with OVH's own camelCase field
//! names (`interfaceId`, `customerBgpArea`, `ovhBgpArea`, `subnet`, `datacenterId`,
//! `bgpNeighborArea`, `bgpNeighborIp`, `nextHop`) and references by name.
//!
//! ```toml
//! [[ovh_connect.services]]            # exists before any API call (the catalogue)
//! name = "paris"
//! pop = "Paris - TH2"
//! interfaceList = [7001]
//!
//! [[ovh_connect.pop_configs]]         # POST /ovhCloudConnect/{serviceName}/config/pop
//! name = "th2"
//! interfaceId = 7001                  # an interface of a declared service
//! type = "l3"
//! customerBgpArea = 64512
//! ovhBgpArea = 65501
//! subnet = "192.0.2.0/30"
//!
//! [[ovh_connect.datacenter_configs]]  # POST …/config/pop/{popId}/datacenter
//! name = "rbx"
//! pop_config = "th2"
//! datacenterId = 1
//! ovhBgpArea = 65502
//! subnet = "10.10.0.0/28"
//!
//! [[ovh_connect.extras]]              # POST …/datacenter/{datacenterId}/extra
//! name = "rbx-net"
//! datacenter_config = "rbx"
//! type = "network"
//! nextHop = "10.10.0.5"
//! subnet = "10.20.0.0/24"
//! ```
//!
//! A router plugs into `{ ovh_service = "paris", interface = 7001 }` (a PoP) or, an extension,
//! `{ ovh_datacenter = "rbx" }` (the neighbour of that datacenter's `bgp` extra); a host sits
//! in a datacenter subnet with `ovh_datacenter = "rbx"`. On an l2 PoP (extensions), a host
//! sits on the customer's side with `plug = { ovh_service = "paris", interface = 7201 }`, or
//! in an l2 datacenter with `ovh_datacenter`; both give their address with its prefix length
//! (the vRack has no subnet). Names are one namespace
//! across the four tables (an expectation `ovh_session = "th2"` names a PoP configuration or a
//! `bgp` extra). What OVH itself refuses (a /29 PoP subnet, `bgp` and `network` extras in one
//! datacenter configuration) is the API's answer, reported when the runner makes the call.

use super::{FormatError, Location, Name, Topology, line_of};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

/// `[ovh_connect]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OvhConnect {
    /// Services (in the catalogue: they exist before the first call).
    #[serde(default)]
    pub services: Vec<OvhService>,
    /// PoP configurations to create.
    #[serde(default)]
    pub pop_configs: Vec<PopConfig>,
    /// Datacenter configurations to create.
    #[serde(default)]
    pub datacenter_configs: Vec<DatacenterConfig>,
    /// Datacenter extras to create.
    #[serde(default)]
    pub extras: Vec<Extra>,
}

/// `[[ovh_connect.services]]`: an OVHcloud Connect service (`ovhCloudConnect.Service`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OvhService {
    /// Its name in the topology (its `serviceName`, a UUID, is derived from it).
    pub name: Name,
    /// The PoP (entry point), e.g. `Paris - TH2`.
    #[serde(default = "default_pop")]
    pub pop: String,
    /// `ovhCloudConnect.BandwidthEnum` (`1G` by default).
    #[serde(default = "default_bandwidth")]
    pub bandwidth: String,
    /// Its interfaces' IDs.
    #[serde(rename = "interfaceList")]
    pub interface_list: Vec<u64>,
    /// The vRack it is in (default: the catalogue's first demo vRack, `pn-100001`).
    #[serde(default)]
    pub vrack: Option<String>,
}

fn default_pop() -> String {
    "Paris - TH2".to_string()
}

fn default_bandwidth() -> String {
    "1G".to_string()
}

/// `l2` or `l3` (`ovhCloudConnect.popConfig.TypeEnum`).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PopType {
    /// Layer 2: the vRack extended to the customer, no BGP.
    L2,
    /// Layer 3: a /30 and a BGP session with OVH.
    L3,
}

impl PopType {
    /// `l2` or `l3`.
    pub fn name(self) -> &'static str {
        match self {
            PopType::L2 => "l2",
            PopType::L3 => "l3",
        }
    }
}

/// `[[ovh_connect.pop_configs]]` (`ovhCloudConnect.PopConfig`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopConfig {
    /// Its name.
    pub name: Name,
    /// The interface, by OVH's ID (of a declared service).
    #[serde(rename = "interfaceId")]
    pub interface_id: toml::Spanned<u64>,
    /// `l2` or `l3`.
    #[serde(rename = "type")]
    pub kind: PopType,
    /// l3: the customer's AS number.
    #[serde(default, rename = "customerBgpArea")]
    pub customer_bgp_area: Option<u32>,
    /// l3: OVH's AS number.
    #[serde(default, rename = "ovhBgpArea")]
    pub ovh_bgp_area: Option<u32>,
    /// l3: the /30 (OVH on the first address, the customer on the second).
    #[serde(default)]
    pub subnet: Option<String>,
}

/// `[[ovh_connect.datacenter_configs]]` (`ovhCloudConnect.DatacenterConfig`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatacenterConfig {
    /// Its name.
    pub name: Name,
    /// The PoP configuration it hangs off, by name.
    pub pop_config: Name,
    /// The datacenter, by OVH's ID (the catalogue's: 1 RBX, 2 GRA, 3 SBG).
    #[serde(rename = "datacenterId")]
    pub datacenter_id: u64,
    /// l3: OVH's AS number in the datacenter.
    #[serde(default, rename = "ovhBgpArea")]
    pub ovh_bgp_area: Option<u32>,
    /// l3: the datacenter subnet (a /28 or larger).
    #[serde(default)]
    pub subnet: Option<String>,
}

/// `bgp` or `network` (`ovhCloudConnect.datacenter.extra.TypeEnum`).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ExtraType {
    /// A BGP session in the datacenter subnet (replaces the VRRP gateway).
    Bgp,
    /// A static route.
    Network,
}

impl ExtraType {
    /// `bgp` or `network`.
    pub fn name(self) -> &'static str {
        match self {
            ExtraType::Bgp => "bgp",
            ExtraType::Network => "network",
        }
    }
}

/// `[[ovh_connect.extras]]` (`ovhCloudConnect.DatacenterExtraConfig`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extra {
    /// Its name.
    pub name: Name,
    /// The datacenter configuration, by name.
    pub datacenter_config: Name,
    /// `bgp` or `network`.
    #[serde(rename = "type")]
    pub kind: ExtraType,
    /// bgp: the neighbour's AS number.
    #[serde(default, rename = "bgpNeighborArea")]
    pub bgp_neighbor_area: Option<u32>,
    /// bgp: the neighbour's address in the datacenter subnet.
    #[serde(default, rename = "bgpNeighborIp")]
    pub bgp_neighbor_ip: Option<String>,
    /// network: the next hop, in the datacenter subnet.
    #[serde(default, rename = "nextHop")]
    pub next_hop: Option<String>,
    /// network: the routed subnet.
    #[serde(default)]
    pub subnet: Option<String>,
}

/// `ovh = { delete = "NAME" }`: a step that deletes a PoP configuration, datacenter
/// configuration or extra through OVH's API (its children go with it) and waits for the task.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OvhAction {
    /// The resource to delete, by name.
    pub delete: Name,
}

/// What kind of OVH resource a name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OvhKind {
    /// A service.
    Service,
    /// A PoP configuration of this type.
    Pop(PopType),
    /// A datacenter configuration.
    Datacenter,
    /// A datacenter extra of this type.
    Extra(ExtraType),
}

impl OvhConnect {
    /// The kind of the resource named `name`, if one is declared.
    pub fn kind_of(&self, name: &str) -> Option<OvhKind> {
        let named = |n: &Name| n.get_ref() == name;
        if self.services.iter().any(|s| named(&s.name)) {
            return Some(OvhKind::Service);
        }
        if let Some(p) = self.pop_configs.iter().find(|p| named(&p.name)) {
            return Some(OvhKind::Pop(p.kind));
        }
        if self.datacenter_configs.iter().any(|d| named(&d.name)) {
            return Some(OvhKind::Datacenter);
        }
        self.extras
            .iter()
            .find(|e| named(&e.name))
            .map(|e| OvhKind::Extra(e.kind))
    }

    /// The service an interface belongs to.
    pub fn service_of_interface(&self, interface: u64) -> Option<&OvhService> {
        self.services
            .iter()
            .find(|s| s.interface_list.contains(&interface))
    }

    /// The `bgp` extra of datacenter configuration `dc` whose neighbour is AS `asn`.
    pub fn bgp_extra_of(&self, dc: &str, asn: u32) -> Option<&Extra> {
        self.extras.iter().find(|e| {
            e.kind == ExtraType::Bgp
                && e.datacenter_config.get_ref() == dc
                && e.bgp_neighbor_area == Some(asn)
        })
    }

    /// The PoP configuration on an interface.
    pub fn pop_on_interface(&self, interface: u64) -> Option<&PopConfig> {
        self.pop_configs
            .iter()
            .find(|p| *p.interface_id.get_ref() == interface)
    }
}

/// Checks `[ovh_connect]`'s names and references, and the routers' OVH plugs.
pub(super) fn check(topology: &Topology, path: &str, text: &str) -> Result<(), FormatError> {
    let (ovh, routers) = (topology.ovh_connect.as_ref(), &topology.routers);
    let at = |span: std::ops::Range<usize>, message: String| {
        FormatError::new(
            Location::new(path, Some(line_of(text, span.start))),
            message,
        )
    };
    let empty = OvhConnect::default();
    let o = ovh.unwrap_or(&empty);
    let mut names = HashSet::new();
    let all = o
        .services
        .iter()
        .map(|s| ("[[ovh_connect.services]]", &s.name))
        .chain(
            o.pop_configs
                .iter()
                .map(|p| ("[[ovh_connect.pop_configs]]", &p.name)),
        )
        .chain(
            o.datacenter_configs
                .iter()
                .map(|d| ("[[ovh_connect.datacenter_configs]]", &d.name)),
        )
        .chain(o.extras.iter().map(|e| ("[[ovh_connect.extras]]", &e.name)));
    for (table, name) in all {
        if name.get_ref().is_empty() {
            return Err(at(name.span(), format!("{table}: empty name")));
        }
        if !names.insert(name.get_ref().as_str()) {
            return Err(at(
                name.span(),
                format!(
                    "{table} {:?}: name used twice in [ovh_connect]",
                    name.get_ref()
                ),
            ));
        }
    }
    let mut interfaces: HashMap<u64, &str> = HashMap::new();
    for s in &o.services {
        if s.interface_list.is_empty() {
            return Err(at(
                s.name.span(),
                format!(
                    "[[ovh_connect.services]] {:?}: interfaceList is empty",
                    s.name.get_ref()
                ),
            ));
        }
        for i in &s.interface_list {
            if let Some(other) = interfaces.insert(*i, s.name.get_ref()) {
                return Err(at(
                    s.name.span(),
                    format!(
                        "[[ovh_connect.services]] {:?}: interface {i} is already {other:?}'s",
                        s.name.get_ref()
                    ),
                ));
            }
        }
    }
    for p in &o.pop_configs {
        let entry = format!("[[ovh_connect.pop_configs]] {:?}", p.name.get_ref());
        let interface = *p.interface_id.get_ref();
        if !interfaces.contains_key(&interface) {
            return Err(at(
                p.interface_id.span(),
                format!("{entry}: interfaceId {interface} is no interface of a declared service"),
            ));
        }
    }
    let pops: HashSet<&str> = o
        .pop_configs
        .iter()
        .map(|p| p.name.get_ref().as_str())
        .collect();
    for d in &o.datacenter_configs {
        if !pops.contains(d.pop_config.get_ref().as_str()) {
            return Err(at(
                d.pop_config.span(),
                format!(
                    "[[ovh_connect.datacenter_configs]] {:?}: unknown pop_config {:?}",
                    d.name.get_ref(),
                    d.pop_config.get_ref()
                ),
            ));
        }
    }
    let dcs: HashSet<&str> = o
        .datacenter_configs
        .iter()
        .map(|d| d.name.get_ref().as_str())
        .collect();
    for e in &o.extras {
        if !dcs.contains(e.datacenter_config.get_ref().as_str()) {
            return Err(at(
                e.datacenter_config.span(),
                format!(
                    "[[ovh_connect.extras]] {:?}: unknown datacenter_config {:?}",
                    e.name.get_ref(),
                    e.datacenter_config.get_ref()
                ),
            ));
        }
    }
    for r in routers {
        let plug = r.plug.get_ref();
        let entry = format!("[[routers]] {:?}", r.name.get_ref());
        let span = r.plug.span();
        if let Some(dc) = &plug.ovh_datacenter {
            if plug.ovh_service.is_some() || plug.interface.is_some() || plug.vlan.is_some() {
                return Err(at(span, format!("{entry}: plug ovh_datacenter goes alone")));
            }
            if !dcs.contains(dc.as_str()) {
                return Err(at(
                    span,
                    format!("{entry}: unknown plug ovh_datacenter {dc:?}"),
                ));
            }
            if o.bgp_extra_of(dc, r.asn).is_none() {
                return Err(at(
                    span,
                    format!(
                        "{entry}: datacenter_config {dc:?} has no bgp extra with \
                         bgpNeighborArea = {}",
                        r.asn
                    ),
                ));
            }
            continue;
        }
        let Some(service) = &plug.ovh_service else {
            continue;
        };
        if ovh.is_none() {
            return Err(at(
                span,
                format!("{entry}: plug ovh_service without an [ovh_connect] section"),
            ));
        }
        let Some(s) = o.services.iter().find(|s| s.name.get_ref() == service) else {
            return Err(at(
                span,
                format!("{entry}: unknown plug ovh_service {service:?}"),
            ));
        };
        let Some(interface) = plug.interface else {
            return Err(at(
                span,
                format!("{entry}: plug ovh_service needs an interface"),
            ));
        };
        if !s.interface_list.contains(&u64::from(interface)) {
            return Err(at(
                span,
                format!("{entry}: service {service:?} has no interface {interface}"),
            ));
        }
        if plug.vlan.is_some() {
            return Err(at(
                span,
                format!("{entry}: an OVH plug has no vlan (the runner picks the cable's)"),
            ));
        }
        // A router speaks BGP: it needs the l3 PoP configuration of its interface.
        let l3 = o
            .pop_on_interface(u64::from(interface))
            .is_some_and(|p| p.kind == PopType::L3);
        if !l3 {
            return Err(at(
                span,
                format!(
                    "{entry}: interface {interface} has no l3 pop_config (an l2 PoP has no BGP \
                     for a router to speak)"
                ),
            ));
        }
    }
    check_hosts(topology, o, &at)
}

/// The hosts OVH places: in a datacenter configuration (`ovh_datacenter`), or on the customer's
/// side of an l2 PoP (`plug = { ovh_service, interface }`). On an l2 vRack nothing gives a
/// subnet, so their address has a prefix length.
fn check_hosts(
    topology: &Topology,
    o: &OvhConnect,
    at: &impl Fn(std::ops::Range<usize>, String) -> FormatError,
) -> Result<(), FormatError> {
    let l2_pop = |name: &str| {
        o.pop_configs
            .iter()
            .any(|p| p.name.get_ref() == name && p.kind == PopType::L2)
    };
    let no_length = |h: &super::Host| !h.address.get_ref().contains('/');
    for h in &topology.hosts {
        let entry = format!("[[hosts]] {:?}", h.name.get_ref());
        let others = [
            h.router.is_some(),
            h.vpc.is_some() || h.private_network.is_some(),
            h.ovh_datacenter.is_some(),
            h.plug.is_some(),
        ];
        if others.iter().filter(|&&x| x).count() > 1 {
            return Err(at(
                h.name.span(),
                format!("{entry}: give either router, vpc, ovh_datacenter or plug"),
            ));
        }
        if let Some(dc) = &h.ovh_datacenter {
            let Some(config) = o
                .datacenter_configs
                .iter()
                .find(|d| d.name.get_ref() == dc.get_ref())
            else {
                return Err(at(
                    dc.span(),
                    format!("{entry}: unknown ovh_datacenter {:?}", dc.get_ref()),
                ));
            };
            if l2_pop(config.pop_config.get_ref()) && no_length(h) {
                return Err(at(
                    h.address.span(),
                    format!(
                        "{entry}: address {:?} needs a prefix length: datacenter_config {:?} \
                         is l2 (the vRack has no subnet to take it from)",
                        h.address.get_ref(),
                        dc.get_ref()
                    ),
                ));
            }
        }
        let Some(plug) = &h.plug else { continue };
        let span = plug.span();
        let p = plug.get_ref();
        let (Some(service), Some(interface)) = (&p.ovh_service, p.interface) else {
            return Err(at(
                span,
                format!("{entry}: a host's plug is {{ ovh_service, interface }} (an l2 PoP)"),
            ));
        };
        let alone = p.link.is_none()
            && p.connection.is_none()
            && p.partner.is_none()
            && p.vlan.is_none()
            && p.ovh_datacenter.is_none();
        if !alone {
            return Err(at(
                span,
                format!("{entry}: a host's plug is {{ ovh_service, interface }} (an l2 PoP)"),
            ));
        }
        let Some(s) = o.services.iter().find(|s| s.name.get_ref() == service) else {
            return Err(at(
                span,
                format!("{entry}: unknown plug ovh_service {service:?}"),
            ));
        };
        if !s.interface_list.contains(&u64::from(interface)) {
            return Err(at(
                span,
                format!("{entry}: service {service:?} has no interface {interface}"),
            ));
        }
        match o.pop_on_interface(u64::from(interface)) {
            Some(pop) if pop.kind == PopType::L2 => {}
            Some(pop) => {
                return Err(at(
                    span,
                    format!(
                        "{entry}: interface {interface}'s pop_config {:?} is l3: a host plugs \
                         into an l2 PoP (behind an l3 PoP it sits behind a router)",
                        pop.name.get_ref()
                    ),
                ));
            }
            None => {
                return Err(at(
                    span,
                    format!("{entry}: interface {interface} has no l2 pop_config"),
                ));
            }
        }
        if no_length(h) {
            return Err(at(
                h.address.span(),
                format!(
                    "{entry}: address {:?} needs a prefix length (an l2 PoP extends the vRack, \
                     which has no subnet to take it from)",
                    h.address.get_ref()
                ),
            ));
        }
    }
    Ok(())
}
