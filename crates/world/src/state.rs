//! What the world holds: the provider state (persisted) and what the running world observed
//! (not persisted: sessions' live status, OVH's announcements, the VRRP gateways).

use crate::vrrp::{Gateway, ObservedGateway};
use chrono::{DateTime, Utc};
use engine::SessionStatus;
use ipnet::IpNet;
use provider::interlink::InterLink;
use provider::lb::LoadBalancers;
use provider::ovh_connect::OvhConnect;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Where the world takes the time from: the wall clock ([`now`]) for `serve`, the topology
/// runner's virtual clock for `up`.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The wall clock.
pub fn now() -> DateTime<Utc> {
    DateTime::<Utc>::from(std::time::SystemTime::now())
}

/// The provider state and what the running world observed of it.
pub struct State {
    /// Scaleway InterLink (and the IPAM state it owns).
    pub interlink: InterLink,
    /// OVHcloud Connect and its side of the vRack.
    pub ovh: OvhConnect,
    /// The Scaleway Load Balancer.
    pub lb: LoadBalancers,
    /// What runs and what it reports.
    pub live: Live,
}

/// What the running world observed: never persisted, derived again after a restart.
#[derive(Debug, Default)]
pub struct Live {
    /// The last status the engine reported per OVH session (engine link ID).
    pub ovh_status: BTreeMap<String, SessionStatus>,
    /// What each OVH session announces now: its own prefixes and what it relays.
    pub ovh_announced: BTreeMap<String, BTreeSet<IpNet>>,
    /// The in-memory VRRP gateways, by datacenter configuration ID.
    pub gateways: BTreeMap<u64, Gateway>,
    /// What real VRRP speakers report (namespace mode), by datacenter configuration ID.
    pub observed_gateways: BTreeMap<u64, ObservedGateway>,
    /// The model time the gateways count from.
    pub(crate) gateway_epoch: Option<DateTime<Utc>>,
    /// The last failure of the kernel renderer, if the last rendering failed.
    pub render_error: Option<String>,
}

impl State {
    /// Moves the models forward to `now` (timed changes: hosted links, OVH tasks) and runs the
    /// VRRP gateways up to the OVH model's clock.
    pub(crate) fn advance(&mut self, now: DateTime<Utc>) {
        // The level-triggered reconcile that follows carries out what this changed.
        let _ = self.interlink.advance(now);
        self.ovh.advance(now);
        self.lb.advance(now);
        self.sync_gateways(now);
    }

    /// Brings the VRRP gateways in line with the OVH model and runs them to `now`.
    pub(crate) fn sync_gateways(&mut self, now: DateTime<Utc>) {
        let clock = self.ovh.clock(now);
        let epoch = *self.live.gateway_epoch.get_or_insert(clock);
        let since = |t: DateTime<Utc>| t.signed_duration_since(epoch).to_std().unwrap_or_default();
        let at = since(clock);
        let wanted: BTreeMap<u64, provider::ovh_connect::VrrpGroup> = self
            .ovh
            .vrrp_groups()
            .into_iter()
            .map(|g| (g.datacenter_config_id, g))
            .collect();
        let gateways = &mut self.live.gateways;
        gateways.retain(|id, g| wanted.get(id).is_some_and(|w| w.subnet == g.subnet()));
        for (id, group) in wanted {
            let on = group.state == provider::ovh_connect::VrrpState::Master;
            if let Some(gateway) = gateways.get_mut(&id) {
                gateway.set_on(on);
            } else if let Some(gateway) = Gateway::new(&group, since(group.since)) {
                gateways.insert(id, gateway);
            }
            if let Some(gateway) = gateways.get_mut(&id) {
                gateway.step(at);
            }
        }
        self.live
            .observed_gateways
            .retain(|id, _| gateways.contains_key(id));
    }
}
