//! peerlab's OVH-compatible API: OVHcloud Connect (`/1.0/ovhCloudConnect/…`) and its side of the
//! vRack (`/1.0/vrack/…`), with `/1.0/auth/time`, OVH's request signatures ([`auth`]) and OVH's
//! error bodies (`{"class": …, "message": …}`, never a 5xx).
//!
//! The model ([`provider::ovh_connect::OvhConnect`]) sits behind its own lock in the [`App`].
//! After every call, the tasks are moved forward and the BGP sessions the model wants
//! ([`OvhConnect::sessions`](provider::ovh_connect::OvhConnect::sessions)) are compared with
//! those the engine runs: new or changed ones are (re)started, vanished ones stopped. Each is an
//! engine link with only its IPv4 session configured, OVH's ASN as the local ASN, explicit
//! addresses on the /30 (or the datacenter subnet for a `bgp` extra) and everything learned
//! accepted, except AS_PATH loops (a route holding OVH's own AS). Each announces the model's prefixes plus what the sessions it relays for learned
//! (a PoP session relays its datacenters' `bgp` extras, and the other way round): the routes
//! are re-read from the engine on every call and every tick of the app's ticker.
//!
//! The emulator's admin calls for OVH ([`admin`]): move the task clock forward, read the
//! sessions, static routes and VRRP gateways with their live status.

pub mod admin;
pub mod auth;
mod extract;
mod routes;
pub mod vrrp;

pub use routes::router;

use crate::App;
use engine::{EngineHandle, LinkSpec, RoutingPolicy, SessionStatus};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use provider::ovh_connect::{OvhConnect, OvhSession};
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv6Addr;

/// The OVH side of the app: the model, what the engine runs for it, and the live status of
/// those sessions.
pub(crate) struct OvhState {
    pub model: OvhConnect,
    /// The sessions handed to the engine, by engine link ID.
    pub applied: BTreeMap<String, OvhSession>,
    /// The last status the engine reported per session.
    pub status: BTreeMap<String, SessionStatus>,
    /// What each session announces now: its own prefixes and what it relays.
    pub announced: BTreeMap<String, BTreeSet<IpNet>>,
    /// The VRRP gateways, by datacenter configuration ID.
    pub vrrp: BTreeMap<u64, vrrp::Gateway>,
    /// The model time the VRRP routers count from.
    pub epoch: chrono::DateTime<chrono::Utc>,
}

impl OvhState {
    pub fn new(model: OvhConnect) -> Self {
        Self {
            epoch: model.clock(crate::now()),
            vrrp: BTreeMap::new(),
            model,
            applied: BTreeMap::new(),
            status: BTreeMap::new(),
            announced: BTreeMap::new(),
        }
    }
}

impl OvhState {
    /// Model time `t` on the gateways' time line (zero before the epoch).
    fn since_epoch(&self, t: chrono::DateTime<chrono::Utc>) -> std::time::Duration {
        t.signed_duration_since(self.epoch)
            .to_std()
            .unwrap_or_default()
    }

    /// Brings the VRRP gateways in line with the model and runs them to `now`.
    pub fn sync_vrrp(&mut self, now: chrono::DateTime<chrono::Utc>) {
        let at = self.since_epoch(self.model.clock(now));
        let wanted: BTreeMap<u64, provider::ovh_connect::VrrpGroup> = self
            .model
            .vrrp_groups()
            .into_iter()
            .map(|g| (g.datacenter_config_id, g))
            .collect();
        self.vrrp
            .retain(|id, g| wanted.get(id).is_some_and(|w| w.subnet == g.subnet()));
        for (id, group) in wanted {
            let on = group.state == provider::ovh_connect::VrrpState::Master;
            if let Some(gateway) = self.vrrp.get_mut(&id) {
                gateway.set_on(on);
            } else if let Some(gateway) = vrrp::Gateway::new(&group, self.since_epoch(group.since))
            {
                self.vrrp.insert(id, gateway);
            }
            if let Some(gateway) = self.vrrp.get_mut(&id) {
                gateway.step(at);
            }
        }
    }
}

/// The engine link of an OVH session.
pub fn link_spec(session: &OvhSession) -> LinkSpec {
    let ipv4 = Ipv4Net::new(session.local, 30)
        .map(|n| n.trunc())
        .unwrap_or_default();
    // The IPv6 session is never configured (no IPv6 policy); its /127 is a placeholder.
    let ipv6 = Ipv6Net::new(Ipv6Addr::UNSPECIFIED, 127).unwrap_or_default();
    let mut spec = LinkSpec::new(session.id.clone(), session.peer_asn, ipv4, ipv6);
    spec.local_asn = session.local_asn;
    spec.bgp_identifier = session.local;
    spec.ipv4_addresses = Some((session.local, session.peer));
    let everything: IpNet = Ipv4Net::default().into();
    // OVH accepts what the customer announces and announces exactly its own prefixes.
    spec.policy_v4 = RoutingPolicy::new(false, [everything], [everything]).ok();
    spec.enable_route_propagation = true;
    // A peer that sends back what OVH relayed to it (FRR does: its neighbour detects the loop)
    // must not be believed: OVH's routers reject routes that crossed their own AS.
    spec.as_path_loop_detection = true;
    spec.vpc_prefixes = session.announce.iter().map(|p| IpNet::V4(*p)).collect();
    spec
}

/// Brings the engine in line with the model's sessions: starts, restarts and stops sessions,
/// then sets what each announces (its own prefixes and the routes it relays).
async fn sync_engine(engine: &EngineHandle, state: &mut OvhState) {
    let wanted: BTreeMap<String, OvhSession> = state
        .model
        .sessions()
        .into_iter()
        .map(|s| (s.id.clone(), s))
        .collect();
    let gone: Vec<String> = state
        .applied
        .keys()
        .filter(|id| !wanted.contains_key(*id))
        .cloned()
        .collect();
    for id in gone {
        if let Err(e) = engine.remove_link(&id).await {
            tracing::warn!(session = %id, "engine could not stop an OVH session: {e}");
        }
        state.applied.remove(&id);
        state.status.remove(&id);
        state.announced.remove(&id);
    }
    for (id, session) in &wanted {
        match state.applied.get(id) {
            Some(old) if same_session(old, session) => {}
            Some(_) => {
                let _ = engine.remove_link(id).await;
                start(engine, state, session).await;
            }
            None => start(engine, state, session).await,
        }
        state.applied.insert(id.clone(), session.clone());
    }
    // What each session learned, asked once per call.
    let sources: BTreeSet<&String> = wanted.values().flat_map(|s| &s.learned_from).collect();
    let mut learned: BTreeMap<&String, BTreeSet<IpNet>> = BTreeMap::new();
    for source in sources {
        let accepted = match engine.snapshot(source).await {
            Ok(snapshot) => snapshot
                .session(engine::Family::Ipv4)
                .map(|s| s.accepted.clone())
                .unwrap_or_default(),
            Err(_) => BTreeSet::new(),
        };
        learned.insert(source, accepted);
    }
    for (id, session) in &wanted {
        let mut announce: BTreeSet<IpNet> =
            session.announce.iter().map(|p| IpNet::V4(*p)).collect();
        for source in &session.learned_from {
            if let Some(routes) = learned.get(source) {
                announce.extend(routes.iter().copied());
            }
        }
        if state.announced.get(id) == Some(&announce) {
            continue;
        }
        match engine
            .set_vpc_prefixes(id, announce.iter().copied().collect())
            .await
        {
            Ok(()) => {
                state.announced.insert(id.clone(), announce);
            }
            Err(e) => tracing::warn!(session = %id, "engine refused announcements: {e}"),
        }
    }
}

/// Starts a session on the engine, announcing its own prefixes.
async fn start(engine: &EngineHandle, state: &mut OvhState, session: &OvhSession) {
    match engine.add_link(link_spec(session)).await {
        Ok(()) => {
            let own = session.announce.iter().map(|p| IpNet::V4(*p)).collect();
            state.announced.insert(session.id.clone(), own);
        }
        Err(e) => {
            state.announced.remove(&session.id);
            tracing::warn!(session = %session.id, "engine refused an OVH session: {e}");
        }
    }
}

/// Whether two versions of a session are the same session (they may announce differently).
fn same_session(a: &OvhSession, b: &OvhSession) -> bool {
    (&a.id, a.local_asn, a.peer_asn, a.local, a.peer)
        == (&b.id, b.local_asn, b.peer_asn, b.local, b.peer)
}

impl App {
    /// Runs a read on the OVH model (after moving its tasks forward).
    pub(crate) async fn ovh_read<T>(
        &self,
        f: impl FnOnce(&OvhConnect) -> Result<T, provider::ovh_connect::OvhError>,
    ) -> Result<T, provider::ovh_connect::OvhError> {
        self.ovh_run(false, |m, _| f(m)).await
    }

    /// Runs a write on the OVH model, saves the state if it succeeded, and brings the engine in
    /// line.
    pub(crate) async fn ovh_write<T>(
        &self,
        f: impl FnOnce(
            &mut OvhConnect,
            chrono::DateTime<chrono::Utc>,
        ) -> Result<T, provider::ovh_connect::OvhError>,
    ) -> Result<T, provider::ovh_connect::OvhError> {
        self.ovh_run(true, f).await
    }

    async fn ovh_run<T>(
        &self,
        save: bool,
        f: impl FnOnce(
            &mut OvhConnect,
            chrono::DateTime<chrono::Utc>,
        ) -> Result<T, provider::ovh_connect::OvhError>,
    ) -> Result<T, provider::ovh_connect::OvhError> {
        let now = crate::now();
        // Lock order everywhere: the InterLink model, then the OVH state.
        let interlink = if save && self.shared.state.is_some() {
            Some(self.shared.model.lock().await)
        } else {
            None
        };
        let mut state = self.shared.ovh.lock().await;
        state.model.advance(now);
        let result = f(&mut state.model, now);
        // Tasks finished by this call (at zero delay) take effect now.
        state.model.advance(now);
        if result.is_ok()
            && let Some(interlink) = &interlink
        {
            self.persist(interlink, &state.model);
        }
        // InterLink calls need not wait for the engine's OVH work.
        drop(interlink);
        state.sync_vrrp(now);
        if let Some(engine) = &self.shared.engine {
            sync_engine(engine, &mut state).await;
        }
        result
    }

    /// Records an OVH session's status from the engine.
    pub(crate) async fn ovh_session_status(&self, link: &str, status: SessionStatus) {
        let mut state = self.shared.ovh.lock().await;
        if state.applied.contains_key(link) {
            state.status.insert(link.to_string(), status);
        }
    }

    /// The l3 PoP configuration of an OVH interface, if any (for bindings).
    pub async fn ovh_l3_pop_of_interface(
        &self,
        interface_id: u64,
    ) -> Option<provider::ovh_connect::rules::L3Pop> {
        self.ovh_read(|m| Ok(m.l3_pop_of_interface(interface_id)))
            .await
            .ok()
            .flatten()
    }

    /// The gateway (with its prefix length) of an l3 datacenter configuration, if any (for
    /// bindings).
    pub async fn ovh_datacenter_gateway(&self, vrack: &str, datacenter_id: u64) -> Option<Ipv4Net> {
        self.ovh_read(|m| Ok(m.datacenter_gateway(vrack, datacenter_id)))
            .await
            .ok()
            .flatten()
    }

    /// Records the light measured on the local port an OVH interface is bound to.
    pub async fn ovh_set_light_status(
        &self,
        interface_id: u64,
        light: Option<provider::ovh_connect::LightStatus>,
    ) {
        let mut state = self.shared.ovh.lock().await;
        state.model.set_light_status(interface_id, light);
    }

    /// Starts the OVH sessions the model wants (after a restart on a saved state).
    pub(crate) async fn ovh_resync(&self) {
        let _ = self.ovh_read(|_| Ok(())).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn an_l3_pop_session_becomes_an_ipv4_only_engine_link() {
        let session = OvhSession {
            id: "ovh-pop-3".into(),
            local_asn: 65501,
            peer_asn: 65001,
            local: Ipv4Addr::new(192, 0, 2, 1),
            peer: Ipv4Addr::new(192, 0, 2, 2),
            announce: vec!["10.10.0.0/28".parse().unwrap()],
            learned_from: Vec::new(),
        };
        let spec = link_spec(&session);
        assert_eq!((spec.local_asn, spec.peer_asn), (65501, 65001));
        assert_eq!(
            spec.addresses(engine::Family::Ipv4),
            (
                Ipv4Addr::new(192, 0, 2, 1).into(),
                Ipv4Addr::new(192, 0, 2, 2).into()
            )
        );
        assert!(spec.policy_v4.is_some() && spec.policy_v6.is_none());
        assert!(spec.enable_route_propagation);
        assert_eq!(
            spec.vpc_prefixes,
            vec!["10.10.0.0/28".parse::<IpNet>().unwrap()]
        );
        assert_eq!(spec.ipv4, "192.0.2.0/30".parse::<Ipv4Net>().unwrap());
    }
}
