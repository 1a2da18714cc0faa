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
//! accepted, except AS_PATH loops (a route holding OVH's own AS). Each announces the model's
//! prefixes plus what the sessions it relays for learned (a PoP session relays its
//! datacenters' `bgp` extras, and the other way round), with the learned AS_PATH behind OVH's
//! ASes (`relay`): the routes are re-read from the engine on every call and every tick of the
//! app's ticker.
//!
//! The emulator's admin calls for OVH ([`admin`]): move the task clock forward, read the
//! sessions, static routes and VRRP gateways with their live status.

pub mod admin;
pub mod auth;
mod extract;
mod routes;
pub mod unavailable;
pub mod vrrp;

pub use routes::router;

use crate::App;
use engine::{EngineHandle, LinkSpec, RoutingPolicy, SessionStatus};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use provider::ovh_connect::{OvhConnect, OvhSession};
use rib::{PeerId, Route};
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
    /// The learned routes each session relays now, with their attributes.
    pub relayed: BTreeMap<String, Vec<Route>>,
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
            relayed: BTreeMap::new(),
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
    // must not be believed: OVH's routers reject routes that crossed their own AS (the
    // engine's default, said again here because the relay depends on it).
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
        state.relayed.remove(&id);
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
    // What each session learned, with its attributes, asked once per call.
    let sources: BTreeSet<&String> = wanted.values().flat_map(|s| &s.learned_from).collect();
    let mut learned: BTreeMap<&String, Vec<Route>> = BTreeMap::new();
    for source in sources {
        let accepted = engine
            .accepted_routes(source, engine::Family::Ipv4)
            .await
            .unwrap_or_default();
        learned.insert(source, accepted);
    }
    for (id, session) in &wanted {
        // Prefixes of another OVH instance first: they win over a learned route.
        let mut relayed: Vec<Route> = originated_elsewhere(session);
        let own: BTreeSet<IpNet> = session
            .announce
            .iter()
            .map(|p| IpNet::V4(*p))
            .filter(|p| relayed.iter().all(|r| r.prefix != *p))
            .collect();
        for source in &session.learned_from {
            let (Some(routes), Some(from)) = (learned.get(source), wanted.get(source)) else {
                continue;
            };
            relayed.extend(routes.iter().filter_map(|r| relay(r, from, session)));
        }
        // One route per prefix: the first source's (sources are in ID order).
        relayed.sort_by_key(|r| r.prefix);
        relayed.dedup_by_key(|r| r.prefix);
        let mut announced = own.clone();
        announced.extend(relayed.iter().map(|r| r.prefix));
        if state.relayed.get(id) == Some(&relayed) && state.announced.get(id) == Some(&announced) {
            continue;
        }
        let result = match engine
            .set_vpc_prefixes(id, own.iter().copied().collect())
            .await
        {
            Ok(()) => engine.set_relayed_routes(id, relayed.clone()).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                state.announced.insert(id.clone(), announced);
                state.relayed.insert(id.clone(), relayed);
            }
            Err(e) => tracing::warn!(session = %id, "engine refused announcements: {e}"),
        }
    }
}

/// The prefixes `session` announces on behalf of another OVH routing instance (a datacenter
/// configuration's subnet and static routes, announced at the PoP): routes that instance
/// originated and handed over by eBGP, so their AS_PATH is its `ovhBgpArea` before the
/// session prepends its own (`pop-AS dc-AS`). A datacenter with the PoP's ASN is the same AS:
/// those prefixes stay the session's own.
fn originated_elsewhere(session: &OvhSession) -> Vec<Route> {
    use bgp_wire::attribute::NextHop;
    session
        .announce_from
        .iter()
        .filter(|o| o.asn != session.local_asn)
        .map(|o| {
            let next_hop = NextHop::Ipv4(o.address);
            let instance = rib::Export {
                local_as: o.asn,
                next_hop,
                ebgp: true,
            };
            let attributes = rib::PathAttributes::local(next_hop).export(&instance, None);
            Route {
                prefix: IpNet::V4(o.prefix.trunc()),
                path_id: None,
                attributes: std::sync::Arc::new(attributes),
                peer: PeerId {
                    bgp_id: o.address,
                    address: o.address.into(),
                    asn: o.asn,
                    ebgp: true,
                },
            }
        })
        .collect()
}

/// A route that session `from` learned, as OVH hands it to session `to` for relaying, or `None`
/// when `to`'s routing instance would not take it.
///
/// The route crosses OVH from one routing instance to the other: the datacenter's
/// (`ovhBgpArea` of the datacenter configuration) and the PoP's (`ovhBgpArea` of the PoP
/// configuration). OVH's guide says the datacenter's ASN "will appear in AS path" and "can be
/// different from the PoP ASN": when the two differ, the route leaves `from`'s instance as an
/// eBGP route (its AS prepended, MED dropped) before `to`'s session prepends its own on export,
/// so a datacenter router's prefix reaches the PoP router as `pop-AS dc-AS router-AS`. When they
/// are equal it is one AS, which appears once. A route whose path already holds `to`'s AS is a
/// loop for that instance (RFC 4271 §9.1.2) and is not relayed.
fn relay(route: &Route, from: &OvhSession, to: &OvhSession) -> Option<Route> {
    let attributes = if from.local_asn == to.local_asn {
        std::sync::Arc::clone(&route.attributes)
    } else {
        // The next hop between the two instances is OVH's business: `to`'s session sets its
        // own address on export anyway.
        let hop = rib::Export {
            local_as: from.local_asn,
            next_hop: route.attributes.next_hop,
            ebgp: true,
        };
        std::sync::Arc::new(route.attributes.export(&hop, Some(true)))
    };
    if attributes.as_path_contains(to.local_asn) {
        return None;
    }
    // Learned, for `to`'s session, from OVH's instance of `from` (never `to`'s own peer).
    let peer = PeerId {
        bgp_id: from.local,
        address: from.local.into(),
        asn: from.local_asn,
        ebgp: true,
    };
    Some(Route {
        prefix: route.prefix,
        path_id: None,
        attributes,
        peer,
    })
}

/// Starts a session on the engine, announcing its own prefixes.
async fn start(engine: &EngineHandle, state: &mut OvhState, session: &OvhSession) {
    match engine.add_link(link_spec(session)).await {
        Ok(()) => {
            let own = session.announce.iter().map(|p| IpNet::V4(*p)).collect();
            state.announced.insert(session.id.clone(), own);
            state.relayed.remove(&session.id);
        }
        Err(e) => {
            state.announced.remove(&session.id);
            state.relayed.remove(&session.id);
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
        state
            .model
            .set_light_status(interface_id, light, crate::now());
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
            announce_from: Vec::new(),
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

    fn session(id: &str, local_asn: u32, local: [u8; 4]) -> OvhSession {
        OvhSession {
            id: id.into(),
            local_asn,
            peer_asn: 65010,
            local: local.into(),
            peer: Ipv4Addr::new(10, 0, 0, 9),
            announce: Vec::new(),
            announce_from: Vec::new(),
            learned_from: Vec::new(),
        }
    }

    /// A route session `ovh-extra-1` learned from the datacenter router (AS 65010).
    fn learned(path: &[u32]) -> Route {
        use bgp_wire::attribute::{AsPath, AsSegment, NextHop, Origin};
        let mut attributes = rib::PathAttributes::local(NextHop::Ipv4(Ipv4Addr::new(10, 0, 0, 9)));
        attributes.origin = Origin::Incomplete;
        attributes.as_path = AsPath(vec![AsSegment::Sequence(path.to_vec())]);
        attributes.med = Some(7);
        Route {
            prefix: "10.20.0.0/16".parse().unwrap(),
            path_id: None,
            attributes: std::sync::Arc::new(attributes),
            peer: PeerId {
                bgp_id: Ipv4Addr::UNSPECIFIED,
                address: Ipv4Addr::new(10, 0, 0, 9).into(),
                asn: 65010,
                ebgp: true,
            },
        }
    }

    fn path(route: &Route) -> Vec<u32> {
        route
            .attributes
            .as_path
            .0
            .iter()
            .flat_map(|s| match s {
                bgp_wire::attribute::AsSegment::Sequence(a) => a.clone(),
                _ => Vec::new(),
            })
            .collect()
    }

    #[test]
    fn a_route_crossing_two_ovh_instances_carries_both_ases() {
        let dc = session("ovh-extra-1", 65502, [10, 0, 0, 1]);
        let pop = session("ovh-pop-1", 65501, [192, 0, 2, 1]);
        let relayed = relay(&learned(&[65010]), &dc, &pop).unwrap();
        // The datacenter's instance is crossed; the PoP's session prepends 65501 on export.
        assert_eq!(path(&relayed), vec![65502, 65010]);
        assert_eq!(
            relayed.attributes.origin,
            learned(&[65010]).attributes.origin
        );
        assert_eq!(relayed.attributes.med, None);
        // Learned from OVH's datacenter instance, not from the PoP session's own peer.
        assert_eq!(relayed.peer.address, std::net::IpAddr::from([10, 0, 0, 1]));
        assert!(relayed.peer.ebgp);
    }

    #[test]
    fn a_datacenter_subnet_comes_from_the_datacenters_instance() {
        let mut pop = session("ovh-pop-1", 65501, [192, 0, 2, 1]);
        let subnet: Ipv4Net = "10.10.0.0/28".parse().unwrap();
        pop.announce = vec![subnet];
        pop.announce_from = vec![provider::ovh_connect::OvhOrigin {
            prefix: subnet,
            asn: 65502,
            address: Ipv4Addr::new(10, 10, 0, 1),
        }];
        let routes = originated_elsewhere(&pop);
        assert_eq!(routes.len(), 1);
        assert_eq!(path(&routes[0]), vec![65502]);
        assert_eq!(routes[0].prefix, IpNet::V4(subnet));
        assert!(!routes[0].peer.is_local());
        // The same ASN on both: the PoP's instance originates it.
        pop.announce_from[0].asn = 65501;
        assert!(originated_elsewhere(&pop).is_empty());
    }

    #[test]
    fn one_ovh_as_on_both_sides_appears_once() {
        let dc = session("ovh-extra-1", 65501, [10, 0, 0, 1]);
        let pop = session("ovh-pop-1", 65501, [192, 0, 2, 1]);
        let relayed = relay(&learned(&[65010]), &dc, &pop).unwrap();
        assert_eq!(path(&relayed), vec![65010]);
    }

    #[test]
    fn a_route_holding_the_receiving_instances_as_is_not_relayed() {
        let dc = session("ovh-extra-1", 65502, [10, 0, 0, 1]);
        let pop = session("ovh-pop-1", 65501, [192, 0, 2, 1]);
        assert_eq!(relay(&learned(&[65010, 65501, 65001]), &dc, &pop), None);
    }
}
