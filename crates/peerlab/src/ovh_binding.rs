//! OVH bindings: an OVHcloud Connect service interface, or a datacenter of a vRack, bound to a
//! local network interface.
//!
//! - `{ ovh_service = "UUID", ovh_interface = 9001, interface = "veth0" }`: while the OVH
//!   interface has an l3 PoP configuration, the local interface carries OVH's address of its
//!   /30 (the first usable one), untagged, so the PoP's BGP session (which keeps trying to bind
//!   that address) runs over it: a customer router on the other end of a veth meets the
//!   emulated OVHcloud Connect.
//! - `{ ovh_vrack = "pn-…", ovh_datacenter = 1, interface = "veth1" }`: while the vRack has an
//!   l3 configuration of that datacenter, the local interface carries its gateway (the subnet's
//!   first usable address, with the subnet's length): the datacenter side, where `bgp` extras'
//!   sessions run and, once the data plane exists, the VRRP gateway answers.
//!
//! The address goes when the configuration does, and when `serve` stops.
//!
//! A bound service interface also reports its light: `ok` while the local interface has a
//! carrier (for a veth, while the other end is up), `down` otherwise.
//!
//! The model is read every second (in process, no HTTP). An address that cannot be set is
//! reported on stderr and retried; the session stays down meanwhile.
//!
//! Not for: l2 configurations (nothing to address), VLAN-tagged hand-offs.

use anyhow::{Context, Result, bail};
use ipnet::Ipv4Net;
use provider::catalogue::Catalogue;
use provider::ovh_connect::LightStatus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;
use tokio::task::JoinHandle;
use uuid::Uuid;

/// How often the model is read.
const PERIOD: Duration = Duration::from_secs(1);

/// A `[[bindings]]` entry for OVHcloud Connect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OvhBindingSpec {
    /// The service (its UUID).
    pub ovh_service: Uuid,
    /// The OVH interface ID of the service.
    pub ovh_interface: u64,
    /// The local interface.
    pub interface: String,
}

/// A `[[bindings]]` entry for a datacenter of a vRack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OvhDatacenterBindingSpec {
    /// The vRack.
    pub ovh_vrack: String,
    /// The datacenter ID.
    pub ovh_datacenter: u64,
    /// The local interface.
    pub interface: String,
}

/// What a binding follows.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// A service interface's l3 PoP configuration.
    Interface(u64),
    /// A vRack's l3 configuration of a datacenter.
    Datacenter(String, u64),
}

/// A checked binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OvhBinding {
    /// What it follows.
    pub target: Target,
    /// The local interface.
    pub interface: String,
}

/// Checks the datacenter bindings against `catalogue` (resolved): known vRack and datacenter,
/// each bound once.
pub fn resolve_datacenters(
    catalogue: &Catalogue,
    specs: &[OvhDatacenterBindingSpec],
) -> Result<Vec<OvhBinding>> {
    let mut out: Vec<OvhBinding> = Vec::new();
    for spec in specs {
        if spec.interface.is_empty() {
            bail!(
                "binding of datacenter {}: empty interface name",
                spec.ovh_datacenter
            );
        }
        let ovh = &catalogue.ovh_connect;
        let known_vrack = ovh.vracks.iter().any(|v| v.name == spec.ovh_vrack)
            || ovh
                .services
                .iter()
                .any(|s| s.vrack.as_deref() == Some(spec.ovh_vrack.as_str()));
        if !known_vrack {
            bail!("binding: unknown vRack {:?}", spec.ovh_vrack);
        }
        if !ovh.datacenters.iter().any(|d| d.id == spec.ovh_datacenter) {
            bail!("binding: unknown OVH datacenter {}", spec.ovh_datacenter);
        }
        let target = Target::Datacenter(spec.ovh_vrack.clone(), spec.ovh_datacenter);
        if out.iter().any(|b| b.target == target) {
            bail!(
                "binding: datacenter {} of {} is bound twice",
                spec.ovh_datacenter,
                spec.ovh_vrack
            );
        }
        out.push(OvhBinding {
            target,
            interface: spec.interface.clone(),
        });
    }
    Ok(out)
}

/// Checks `specs` against `catalogue` (resolved): the service must exist and have the interface,
/// and no OVH interface is bound twice.
pub fn resolve(catalogue: &Catalogue, specs: &[OvhBindingSpec]) -> Result<Vec<OvhBinding>> {
    let mut out: Vec<OvhBinding> = Vec::new();
    for spec in specs {
        if !valid_name(&spec.interface) {
            bail!(
                "binding of OVH interface {}: {:?} is not an interface name",
                spec.ovh_interface,
                spec.interface
            );
        }
        let service = catalogue
            .ovh_connect
            .services
            .iter()
            .find(|s| s.uuid == spec.ovh_service)
            .with_context(|| format!("binding: unknown OVH service {}", spec.ovh_service))?;
        if !service
            .interfaces
            .iter()
            .any(|i| i.id == spec.ovh_interface)
        {
            bail!(
                "binding: OVH service {} has no interface {}",
                spec.ovh_service,
                spec.ovh_interface
            );
        }
        let target = Target::Interface(spec.ovh_interface);
        if out.iter().any(|b| b.target == target) {
            bail!(
                "binding: OVH interface {} is bound twice",
                spec.ovh_interface
            );
        }
        out.push(OvhBinding {
            target,
            interface: spec.interface.clone(),
        });
    }
    Ok(out)
}

/// An address set on a local interface; Drop removes it.
struct Assigned {
    interface: String,
    address: Ipv4Net,
}

impl Assigned {
    fn set(interface: &str, address: Ipv4Net) -> Result<Assigned, String> {
        let ip = |args: &[&str]| -> Result<(), String> {
            let out = Command::new("ip")
                .args(args)
                .output()
                .map_err(|e| format!("ip: {e}"))?;
            if out.status.success() {
                Ok(())
            } else {
                Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
            }
        };
        let text = address.to_string();
        ip(&["addr", "replace", &text, "dev", interface])?;
        ip(&["link", "set", interface, "up"])?;
        Ok(Assigned {
            interface: interface.to_string(),
            address,
        })
    }
}

impl Drop for Assigned {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args([
                "addr",
                "del",
                &self.address.to_string(),
                "dev",
                &self.interface,
            ])
            .output();
    }
}

/// A Linux interface name: 1 to 15 bytes, no `/`, no whitespace, not `.` or `..`.
fn valid_name(name: &str) -> bool {
    (1..=15).contains(&name.len())
        && !name.contains('/')
        && !name.chars().any(char::is_whitespace)
        && name != "."
        && name != ".."
}

/// The light of a local interface: `up` with a carrier, `down` without (or without interface).
fn carrier(interface: &str) -> LightStatus {
    match std::fs::read_to_string(format!("/sys/class/net/{interface}/carrier")) {
        Ok(text) if text.trim() == "1" => LightStatus::Up,
        _ => LightStatus::Down,
    }
}

/// Keeps the bound interfaces' addresses in step with the model, every second, until aborted
/// (aborting removes the addresses). `None` without bindings.
pub fn spawn(app: api::App, bindings: Vec<OvhBinding>) -> Option<JoinHandle<()>> {
    if bindings.is_empty() {
        return None;
    }
    Some(tokio::spawn(async move {
        let mut made: BTreeMap<Target, (Ipv4Net, Result<Assigned, String>)> = BTreeMap::new();
        let mut lights: BTreeMap<u64, LightStatus> = BTreeMap::new();
        let mut tick = tokio::time::interval(PERIOD);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            for binding in &bindings {
                if let Target::Interface(id) = binding.target {
                    let light = carrier(&binding.interface);
                    if lights.insert(id, light) != Some(light) {
                        app.ovh_set_light_status(id, Some(light)).await;
                    }
                }
                let wanted = match &binding.target {
                    Target::Interface(id) => app
                        .ovh_l3_pop_of_interface(*id)
                        .await
                        .and_then(|pop| Ipv4Net::new(pop.ovh_address(), 30).ok()),
                    Target::Datacenter(vrack, id) => app.ovh_datacenter_gateway(vrack, *id).await,
                };
                let current = made.get(&binding.target);
                let keep = match (current, wanted) {
                    (Some((have, Ok(_))), Some(want)) => *have == want,
                    (None, None) => true,
                    _ => false,
                };
                if keep {
                    continue;
                }
                if let Some((_, old)) = made.remove(&binding.target) {
                    let _ = tokio::task::spawn_blocking(move || drop(old)).await;
                }
                let Some(want) = wanted else { continue };
                let name = binding.interface.clone();
                let result = tokio::task::spawn_blocking(move || Assigned::set(&name, want))
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()));
                let what = match &binding.target {
                    Target::Interface(id) => format!("OVH interface {id}"),
                    Target::Datacenter(vrack, id) => format!("datacenter {id} of {vrack}"),
                };
                match &result {
                    Ok(_) => println!("binding: {what} as {want} on {}", binding.interface),
                    Err(e) => eprintln!(
                        "peerlab: binding: cannot put {want} on {} for {what} (its sessions \
                         stay down): {e}",
                        binding.interface
                    ),
                }
                made.insert(binding.target.clone(), (want, result));
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use provider::catalogue::ovh::{DEMO_INTERFACE_A, DEMO_INTERFACE_B, DEMO_SERVICE_A};

    fn spec(interface: u64, name: &str) -> OvhBindingSpec {
        OvhBindingSpec {
            ovh_service: DEMO_SERVICE_A,
            ovh_interface: interface,
            interface: name.into(),
        }
    }

    #[test]
    fn resolves_known_interfaces_once() {
        let c = Catalogue::default().resolved();
        assert_eq!(
            resolve(&c, &[spec(DEMO_INTERFACE_A, "veth0")])
                .unwrap()
                .len(),
            1
        );
        assert!(resolve(&c, &[spec(DEMO_INTERFACE_B, "veth0")]).is_err());
        assert!(resolve(&c, &[spec(DEMO_INTERFACE_A, "")]).is_err());
        assert!(resolve(&c, &[spec(DEMO_INTERFACE_A, "../x")]).is_err());
        assert!(resolve(&c, &[spec(DEMO_INTERFACE_A, "a-very-long-interface")]).is_err());
        let twice = [spec(DEMO_INTERFACE_A, "a"), spec(DEMO_INTERFACE_A, "b")];
        assert!(resolve(&c, &twice).is_err());
    }

    #[test]
    fn resolves_known_datacenters_of_known_vracks_once() {
        let c = Catalogue::default().resolved();
        let dc = |vrack: &str, id: u64| OvhDatacenterBindingSpec {
            ovh_vrack: vrack.into(),
            ovh_datacenter: id,
            interface: "veth1".into(),
        };
        let ok = resolve_datacenters(&c, &[dc("pn-100001", 1)]).unwrap();
        assert_eq!(ok[0].target, Target::Datacenter("pn-100001".into(), 1));
        assert!(resolve_datacenters(&c, &[dc("pn-nope", 1)]).is_err());
        assert!(resolve_datacenters(&c, &[dc("pn-100001", 42)]).is_err());
        assert!(resolve_datacenters(&c, &[dc("pn-100001", 1), dc("pn-100001", 1)]).is_err());
    }
}
