//! The in-memory cabling of embedded routers: the engine's [`Transport`] when every router of a
//! topology is embedded.
//!
//! Each connection the engine opens on a link goes through a relay task between two in-memory
//! pipes, to the embedded router plugged into that link (same connection and VLAN). Pulling the
//! cable (`link down`) ends every relay of the link, so both ends read end-of-stream, as when a
//! router tears its sessions down on an interface going down, and refuses new connections until
//! the cable is back. No sockets: the whole topology runs on tokio's paused clock.

use super::embedded::EmbeddedRouter;
use bgp_session::driver::{BoxStream, Connecting, Connector};
use engine::{Family, Transport};
use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::watch;

/// Size of each in-memory pipe's buffer.
const PIPE_BYTES: usize = 256 * 1024;

/// One link as cabled.
#[derive(Debug)]
struct Cable {
    /// The router plugged into it, if any.
    router: Option<Arc<EmbeddedRouter>>,
    /// The router's addresses on the link's IPv4 and IPv6 sessions.
    peer_v4: IpAddr,
    peer_v6: IpAddr,
    /// Whether the cable is plugged in.
    up: bool,
    /// Bumped to end every relay of the link.
    cut: watch::Sender<u64>,
}

/// Every link's cable, by engine link id.
#[derive(Debug, Default)]
pub struct Wiring {
    cables: Mutex<HashMap<String, Cable>>,
}

impl Wiring {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Cable>> {
        self.cables.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Plugs `router` (or nothing) into link `link`, whose peer addresses are given.
    pub fn plug(
        &self,
        link: &str,
        router: Option<Arc<EmbeddedRouter>>,
        peer_v4: IpAddr,
        peer_v6: IpAddr,
    ) {
        let (cut, _) = watch::channel(0);
        self.lock().insert(
            link.to_string(),
            Cable {
                router,
                peer_v4,
                peer_v6,
                up: true,
                cut,
            },
        );
    }

    /// Unplugs link `link`'s cable: its relays end and new connections are refused.
    pub fn unplug(&self, link: &str) {
        if let Some(cable) = self.lock().remove(link) {
            cable.cut.send_modify(|g| *g += 1);
        }
    }

    /// Pulls (`false`) or plugs back (`true`) a link's cable. `false` when the link is unknown.
    pub fn set_up(&self, link: &str, up: bool) -> bool {
        let mut cables = self.lock();
        let Some(cable) = cables.get_mut(link) else {
            return false;
        };
        cable.up = up;
        if !up {
            cable.cut.send_modify(|g| *g += 1);
        }
        true
    }

    /// Opens a connection of `family` on `link` to its router.
    fn open(&self, link: &str, family: Family) -> io::Result<BoxStream> {
        let refused = || io::Error::from(io::ErrorKind::ConnectionRefused);
        let cables = self.lock();
        let cable = cables.get(link).ok_or_else(refused)?;
        if !cable.up {
            return Err(io::Error::from(io::ErrorKind::NetworkUnreachable));
        }
        let router = cable.router.as_ref().ok_or_else(refused)?;
        let local = match family {
            Family::Ipv4 => cable.peer_v4,
            Family::Ipv6 => cable.peer_v6,
        };
        let (engine_end, relay_a) = tokio::io::duplex(PIPE_BYTES);
        let (relay_b, router_end) = tokio::io::duplex(PIPE_BYTES);
        if !router.accept(link, family, local, Box::new(router_end)) {
            return Err(refused());
        }
        tokio::spawn(relay(relay_a, relay_b, cable.cut.subscribe()));
        Ok(Box::new(engine_end))
    }
}

/// Copies both ways until either end closes or the cable is pulled.
async fn relay(
    mut a: tokio::io::DuplexStream,
    mut b: tokio::io::DuplexStream,
    mut cut: watch::Receiver<u64>,
) {
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut a, &mut b) => {}
        _ = cut.changed() => {}
    }
}

/// The engine's transport over a [`Wiring`].
#[derive(Debug, Clone)]
pub struct InMemory(pub Arc<Wiring>);

impl Transport for InMemory {
    fn connector(&self, link: &str, family: Family) -> Arc<dyn Connector> {
        Arc::new(SessionConnector {
            wiring: Arc::clone(&self.0),
            link: link.to_string(),
            family,
        })
    }
}

/// Opens one session's connections through the wiring.
#[derive(Debug)]
struct SessionConnector {
    wiring: Arc<Wiring>,
    link: String,
    family: Family,
}

impl Connector for SessionConnector {
    fn connect(&self) -> Connecting {
        let opened = self.wiring.open(&self.link, self.family);
        Box::pin(async move { opened })
    }
}
