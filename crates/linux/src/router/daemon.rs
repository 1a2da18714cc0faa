//! Real customer routers (`kind = "frr" | "bird" | "gobgp"`): each in its own network
//! namespace, cabled to the provider's namespace by a veth pair with a VLAN subinterface at each
//! end, configured from its declaration (asn, announce, the raw `config` snippet) and the link's
//! addresses as the API gave them, and driven through `topology`'s drivers.
//!
//! In namespace mode an embedded router (`kind = "embedded"` in a topology that also has
//! daemons) is one of these too: its namespace and cable are made the same way, and peerlab's
//! own speaker listens on the link's addresses in its place ([`super::embedded_tcp`]).
//!
//! Everything here blocks (it runs `ip`, `vtysh`, `birdc`, `gobgp`): the runner calls it through
//! `spawn_blocking`. Drop kills the daemon and deletes the cable and the namespace.

use super::embedded::EmbeddedRouter;
use crate::peer::{self, Family, Peer, PeerConfig, PeerKind};
use crate::{Error, Link, LinkAddressing, LinkConfig, Netns, Result};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex, PoisonError};

/// A router in its own namespace (a daemon, or the embedded speaker in namespace mode) and its
/// cable.
#[derive(Debug)]
pub struct DaemonRouter {
    /// The daemon (`None` until plugged into a link, and always for the embedded speaker).
    peer: Mutex<Option<Box<dyn Peer>>>,
    /// The embedded speaker's listeners on its cable (`None` until plugged, and for daemons).
    /// Declared before the cable: they stop accepting before the addresses go.
    listening: Mutex<Option<super::embedded_tcp::Listening>>,
    /// Its cable to the provider, and the engine link id it carries.
    cable: Mutex<Option<(String, Link)>>,
    /// Its namespace.
    ns: Netns,
    speaker: Speaker,
    declared: Declared,
}

/// What speaks BGP in the namespace.
#[derive(Debug)]
enum Speaker {
    /// FRR, BIRD or GoBGP.
    Daemon(PeerKind),
    /// peerlab's own speaker, over real TCP.
    Embedded(Arc<EmbeddedRouter>),
}

/// What the topology declares of a daemon router.
#[derive(Debug)]
struct Declared {
    name: String,
    asn: u32,
    router_id: Option<Ipv4Addr>,
    announce_v4: Vec<Ipv4Net>,
    announce_v6: Vec<Ipv6Net>,
    raw_config: String,
}

impl DaemonRouter {
    /// A namespace for router `name` (no daemon yet).
    pub fn create(
        name: &str,
        kind: PeerKind,
        asn: u32,
        router_id: Option<Ipv4Addr>,
        announce: &[IpNet],
        raw_config: Option<&str>,
    ) -> Result<Self> {
        peer::check_installed(kind)?;
        Self::with_speaker(
            name,
            Speaker::Daemon(kind),
            asn,
            router_id,
            announce,
            raw_config,
        )
    }

    /// A namespace for embedded router `router` (namespace mode): peerlab's speaker listens on
    /// its cable once plugged.
    pub fn embedded(router: Arc<EmbeddedRouter>, asn: u32, announce: &[IpNet]) -> Result<Self> {
        let name = router.name().to_string();
        Self::with_speaker(&name, Speaker::Embedded(router), asn, None, announce, None)
    }

    fn with_speaker(
        name: &str,
        speaker: Speaker,
        asn: u32,
        router_id: Option<Ipv4Addr>,
        announce: &[IpNet],
        raw_config: Option<&str>,
    ) -> Result<Self> {
        let label = crate::netns::sanitized(name);
        let ns = Netns::create(&format!("r-{label}"))?;
        let mut name = label.trim_matches('-').to_string();
        if name.is_empty() {
            name = "router".to_string();
        }
        let v4 = announce
            .iter()
            .filter_map(|p| match p {
                IpNet::V4(p) => Some(*p),
                IpNet::V6(_) => None,
            })
            .collect::<Vec<Ipv4Net>>();
        let v6 = announce
            .iter()
            .filter_map(|p| match p {
                IpNet::V6(p) => Some(*p),
                IpNet::V4(_) => None,
            })
            .collect::<Vec<Ipv6Net>>();
        let declared = Declared {
            name,
            asn,
            router_id,
            announce_v4: v4,
            announce_v6: v6,
            raw_config: raw_config.unwrap_or_default().to_string(),
        };
        Ok(Self {
            peer: Mutex::new(None),
            listening: Mutex::new(None),
            cable: Mutex::new(None),
            ns,
            speaker,
            declared,
        })
    }

    /// Cables the router to the provider namespace `provider` for engine link `link_id`: the
    /// provider end on `host_vlan` with the link's Scaleway addresses, the router end on
    /// `peer_vlan` with the peer addresses, then starts the daemon with the link's addressing.
    pub fn plug(
        &self,
        provider: &Netns,
        link_id: &str,
        host_vlan: u16,
        peer_vlan: u16,
        addressing: LinkAddressing,
    ) -> Result<()> {
        let link = Link::create(
            Some(provider),
            &self.ns,
            &LinkConfig {
                host_vlan,
                peer_vlan,
                addressing,
            },
        )?;
        let kind = match &self.speaker {
            Speaker::Daemon(kind) => *kind,
            Speaker::Embedded(router) => {
                router
                    .set_hold_time(PeerConfig::interlink(self.declared.asn, &addressing).hold_time);
                let addresses = [
                    (engine::Family::Ipv4, addressing.peer_ipv4.addr().into()),
                    (engine::Family::Ipv6, addressing.peer_ipv6.addr().into()),
                ];
                let listening = super::embedded_tcp::listen(&self.ns, router, link_id, &addresses)?;
                *lock(&self.cable) = Some((link_id.to_string(), link));
                *lock(&self.listening) = Some(listening);
                return Ok(());
            }
        };
        let d = &self.declared;
        let mut config = PeerConfig::interlink(d.asn, &addressing);
        config.name = d.name.clone();
        if let Some(id) = d.router_id {
            config.router_id = id;
        }
        config.announce_v4 = d.announce_v4.clone();
        config.announce_v6 = d.announce_v6.clone();
        config.raw_config = d.raw_config.clone();
        let peer = peer::start(kind, &self.ns, &config)?;
        *lock(&self.cable) = Some((link_id.to_string(), link));
        *lock(&self.peer) = Some(peer);
        Ok(())
    }

    /// Cables the router to an OVHcloud Connect l3 PoP (session `session_id`): `addressing`
    /// holds OVH's and the customer's addresses on the /30, the daemon has one IPv4 neighbour,
    /// OVH (`ovh_asn`).
    pub fn plug_ovh(
        &self,
        provider: &Netns,
        session_id: &str,
        vlan: u16,
        addressing: LinkAddressing,
        ovh_asn: u32,
    ) -> Result<()> {
        let link = Link::create(
            Some(provider),
            &self.ns,
            &LinkConfig {
                host_vlan: vlan,
                peer_vlan: vlan,
                addressing,
            },
        )?;
        let kind = match &self.speaker {
            Speaker::Daemon(kind) => *kind,
            Speaker::Embedded(router) => {
                router.set_peer_asn(session_id, ovh_asn);
                router
                    .set_hold_time(PeerConfig::interlink(self.declared.asn, &addressing).hold_time);
                let addresses = [(engine::Family::Ipv4, addressing.peer_ipv4.addr().into())];
                let listening =
                    super::embedded_tcp::listen(&self.ns, router, session_id, &addresses)?;
                *lock(&self.cable) = Some((session_id.to_string(), link));
                *lock(&self.listening) = Some(listening);
                return Ok(());
            }
        };
        let d = &self.declared;
        let mut config = PeerConfig::interlink(d.asn, &addressing);
        config.neighbours = vec![crate::peer::Neighbour {
            address: addressing.scw_ipv4.addr().into(),
            asn: ovh_asn,
        }];
        config.name = d.name.clone();
        if let Some(id) = d.router_id {
            config.router_id = id;
        }
        config.announce_v4 = d.announce_v4.clone();
        config.raw_config = d.raw_config.clone();
        let peer = peer::start(kind, &self.ns, &config)?;
        *lock(&self.cable) = Some((session_id.to_string(), link));
        *lock(&self.peer) = Some(peer);
        Ok(())
    }

    /// Unplugs the router: its daemon (or the embedded speaker's listeners) stops and its
    /// cable goes.
    pub fn unplug(&self) {
        *lock(&self.peer) = None;
        *lock(&self.listening) = None;
        *lock(&self.cable) = None;
    }

    /// The provider's end of its cable (the veth, whose VLAN subinterfaces carry the
    /// links), if plugged.
    pub fn cable_veth(&self) -> Option<String> {
        lock(&self.cable)
            .as_ref()
            .map(|(_, link)| link.host_veth().to_string())
    }

    /// The engine link id its cable carries, if plugged.
    pub fn link_id(&self) -> Option<String> {
        lock(&self.cable).as_ref().map(|(id, _)| id.clone())
    }

    /// Its cable's engine link id, the provider's device and its own device, if plugged.
    pub fn cable_devices(&self) -> Option<(String, String, String)> {
        lock(&self.cable).as_ref().map(|(id, link)| {
            (
                id.clone(),
                link.host_interface().to_string(),
                link.peer_interface().to_string(),
            )
        })
    }

    /// Pulls (`false`) or plugs back (`true`) its cable.
    pub fn set_cable_up(&self, up: bool) -> Result<()> {
        match lock(&self.cable).as_ref() {
            Some((_, link)) => Ok(link.set_up(up)?),
            None => Err(Error::invalid("cable", "the router is not plugged in")),
        }
    }

    /// Kills the daemon (a crash: no NOTIFICATION); the embedded speaker stops as it does in
    /// memory, with a Cease on every session. Returns the report's word for it.
    pub fn stop(&self) -> Result<&'static str> {
        if let Speaker::Embedded(router) = &self.speaker {
            router.stop();
            return Ok("stopped");
        }
        match lock(&self.peer).as_mut() {
            Some(peer) => Ok(peer.stop().map(|()| "killed")?),
            None => Err(Error::Stopped {
                daemon: self.declared.name.clone(),
            }),
        }
    }

    /// Starts the daemon again (kills it first if it runs); the embedded speaker stops (a
    /// Cease) and accepts connections again.
    pub fn restart(&self) -> Result<()> {
        if let Speaker::Embedded(router) = &self.speaker {
            router.stop();
            // Let the Cease go out before the provider's next connection is accepted.
            std::thread::sleep(std::time::Duration::from_millis(10));
            router.start();
            return Ok(());
        }
        match lock(&self.peer).as_mut() {
            Some(peer) => Ok(peer.restart()?),
            None => Err(Error::Stopped {
                daemon: self.declared.name.clone(),
            }),
        }
    }

    /// Starts the daemon if it is stopped (the embedded speaker accepts connections again).
    pub fn start(&self) -> Result<()> {
        if let Speaker::Embedded(router) = &self.speaker {
            router.start();
            return Ok(());
        }
        match lock(&self.peer).as_mut() {
            Some(peer) => {
                if !peer.is_running() {
                    peer.restart()?;
                }
                Ok(())
            }
            None => Err(Error::Stopped {
                daemon: self.declared.name.clone(),
            }),
        }
    }

    /// What the daemon learned from the provider, both families. A stopped daemon knows
    /// nothing.
    pub fn learned(&self) -> Result<BTreeSet<IpNet>> {
        if let Speaker::Embedded(router) = &self.speaker {
            return Ok(router.learned());
        }
        let mut guard = lock(&self.peer);
        let Some(peer) = guard.as_mut() else {
            return Ok(BTreeSet::new());
        };
        if !peer.is_running() {
            return Ok(BTreeSet::new());
        }
        let mut all = BTreeSet::new();
        for family in [Family::Ipv4, Family::Ipv6] {
            all.extend(peer.received_routes(family)?);
        }
        Ok(all)
    }
}

impl DaemonRouter {
    /// The router's namespace.
    pub fn netns(&self) -> &Netns {
        &self.ns
    }

    /// Its daemon's CLI, pointed at its control socket.
    pub fn cli(&self) -> Vec<String> {
        lock(&self.peer)
            .as_ref()
            .map(|p| p.cli())
            .unwrap_or_default()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs blocking router work off the runtime's thread.
pub async fn blocking<T: Send + 'static>(
    router: &Arc<DaemonRouter>,
    work: impl FnOnce(&DaemonRouter) -> Result<T> + Send + 'static,
) -> Result<T> {
    let router = Arc::clone(router);
    tokio::task::spawn_blocking(move || work(&router))
        .await
        .map_err(|e| Error::invalid("router task", e))?
}
