//! OVH bindings: an OVHcloud Connect service interface bound to a local network interface.
//!
//! `[[bindings]]` entries of the form `{ ovh_service = "UUID", ovh_interface = 9001, interface
//! = "veth0" }`. While the OVH interface has an l3 PoP configuration, the local interface
//! carries OVH's address of its /30 (the first usable one), untagged, so the PoP's BGP session
//! (which keeps trying to bind that address) runs over it: a customer router on the other end
//! of a veth meets the emulated OVHcloud Connect. The address goes when the configuration does,
//! and when `serve` stops.
//!
//! The model is read every second (in process, no HTTP). An address that cannot be set is
//! reported on stderr and retried; the session stays down meanwhile.
//!
//! Not for: l2 configurations (nothing to address), VLAN-tagged hand-offs.

use anyhow::{Context, Result, bail};
use ipnet::Ipv4Net;
use provider::catalogue::Catalogue;
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

/// Checks `specs` against `catalogue` (resolved): the service must exist and have the interface,
/// and no OVH interface is bound twice.
pub fn resolve(catalogue: &Catalogue, specs: &[OvhBindingSpec]) -> Result<Vec<OvhBindingSpec>> {
    let mut out: Vec<OvhBindingSpec> = Vec::new();
    for spec in specs {
        if spec.interface.is_empty() {
            bail!(
                "binding of OVH interface {}: empty interface name",
                spec.ovh_interface
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
        if out.iter().any(|b| b.ovh_interface == spec.ovh_interface) {
            bail!(
                "binding: OVH interface {} is bound twice",
                spec.ovh_interface
            );
        }
        out.push(spec.clone());
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

/// Keeps the bound interfaces' addresses in step with the model, every second, until aborted
/// (aborting removes the addresses). `None` without bindings.
pub fn spawn(app: api::App, bindings: Vec<OvhBindingSpec>) -> Option<JoinHandle<()>> {
    if bindings.is_empty() {
        return None;
    }
    Some(tokio::spawn(async move {
        let mut made: BTreeMap<u64, (Ipv4Net, Result<Assigned, String>)> = BTreeMap::new();
        let mut tick = tokio::time::interval(PERIOD);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            for binding in &bindings {
                let wanted = app
                    .ovh_l3_pop_of_interface(binding.ovh_interface)
                    .await
                    .and_then(|pop| Ipv4Net::new(pop.ovh_address(), 30).ok());
                let current = made.get(&binding.ovh_interface);
                let keep = match (current, wanted) {
                    (Some((have, Ok(_))), Some(want)) => *have == want,
                    (None, None) => true,
                    _ => false,
                };
                if keep {
                    continue;
                }
                if let Some((_, old)) = made.remove(&binding.ovh_interface) {
                    let _ = tokio::task::spawn_blocking(move || drop(old)).await;
                }
                let Some(want) = wanted else { continue };
                let name = binding.interface.clone();
                let result = tokio::task::spawn_blocking(move || Assigned::set(&name, want))
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()));
                match &result {
                    Ok(_) => println!(
                        "binding: OVH interface {} as {want} on {}",
                        binding.ovh_interface, binding.interface
                    ),
                    Err(e) => eprintln!(
                        "peerlab: binding: cannot put {want} on {} for OVH interface {} (its \
                         session stays down): {e}",
                        binding.interface, binding.ovh_interface
                    ),
                }
                made.insert(binding.ovh_interface, (want, result));
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
        let twice = [spec(DEMO_INTERFACE_A, "a"), spec(DEMO_INTERFACE_A, "b")];
        assert!(resolve(&c, &twice).is_err());
    }
}
