//! The light of OVHcloud Connect interfaces bound to local interfaces (`serve`'s bindings):
//! `up` while the local interface has a carrier (for a veth, while the other end is up), `down`
//! otherwise, reported to the world every second.

use provider::ovh_connect::LightStatus;
use std::collections::BTreeMap;
use std::time::Duration;
use world::attachment::{Attachment, Plug};

/// The light of a local interface: `up` with a carrier, `down` without (or without interface).
fn carrier(interface: &str) -> LightStatus {
    match std::fs::read_to_string(format!("/sys/class/net/{interface}/carrier")) {
        Ok(text) if text.trim() == "1" => LightStatus::Up,
        _ => LightStatus::Down,
    }
}

/// Reports the light of the OVH interfaces bound to local interfaces, every second.
pub fn spawn(world: world::World, bindings: &[Attachment]) -> tokio::task::JoinHandle<()> {
    let bound: Vec<(u64, String)> = bindings
        .iter()
        .filter_map(|a| match (&a.plug, &a.device) {
            (Plug::OvhInterface { interface_id }, Some(device)) => {
                Some((*interface_id, device.clone()))
            }
            _ => None,
        })
        .collect();
    tokio::spawn(async move {
        let mut lights: BTreeMap<u64, LightStatus> = BTreeMap::new();
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            for (id, device) in &bound {
                let (id, light) = (*id, carrier(device));
                if lights.insert(id, light) == Some(light) {
                    continue;
                }
                let recorded = world
                    .observe(move |s| {
                        // `serve` runs on the wall clock.
                        s.ovh.set_light_status(id, Some(light), world::now());
                        false
                    })
                    .await;
                if recorded.is_err() {
                    return;
                }
            }
        }
    })
}
