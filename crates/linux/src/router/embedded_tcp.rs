//! The embedded router in namespace mode: peerlab's own speaker ([`EmbeddedRouter`]) listening
//! on TCP port 179 on its link addresses, inside its own network namespace, so that a topology
//! may mix embedded and daemon routers.
//!
//! The listening sockets are opened by a short-lived thread that enters the router's namespace
//! (a socket belongs to the namespace it was created in, whatever thread uses it later); the
//! accepting task then runs on the runner's runtime, on the real clock, like the engine's
//! sessions. Each connection the provider opens is handed to [`EmbeddedRouter::accept`], which
//! runs the session exactly as over the in-memory wiring. A connection that arrives while the
//! router is stopped is closed at once.
//!
//! Not here: the cable (a veth with a VLAN at each end, [`super::daemon`]), or anything but
//! IPv4 and IPv6 unicast sessions to the provider.

use super::embedded::EmbeddedRouter;
use crate::{Error, Netns, Result};
use engine::Family;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::sync::Arc;

/// The BGP port (RFC 4271 §8.2.1).
const BGP_PORT: u16 = 179;

/// An embedded router's listeners on one cable; dropping it stops accepting (the sessions
/// already running go on until the router stops them or the cable is deleted).
#[derive(Debug)]
pub struct Listening {
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Listening {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Listens on `addresses` (one per family) in `ns` and hands every connection to `router` as
/// a session of `link`. Blocking (it starts a thread); must run within a tokio runtime.
pub fn listen(
    ns: &Netns,
    router: &Arc<EmbeddedRouter>,
    link: &str,
    addresses: &[(Family, IpAddr)],
) -> Result<Listening> {
    let runtime = tokio::runtime::Handle::try_current().map_err(|e| {
        Error::invalid(
            "runtime",
            format!("the embedded router needs the runner's: {e}"),
        )
    })?;
    let listeners = bind_in(ns, addresses)?;
    let mut tasks = Vec::new();
    for (family, address, listener) in listeners {
        let _entered = runtime.enter();
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|e| Error::io(format!("listening on {address}"), e))?;
        let router = Arc::clone(router);
        let link = link.to_string();
        tasks.push(runtime.spawn(accept_loop(listener, router, link, family, address)));
    }
    Ok(Listening { tasks })
}

/// Opens a non-blocking listener on port 179 of each address, from a thread inside `ns`.
fn bind_in(
    ns: &Netns,
    addresses: &[(Family, IpAddr)],
) -> Result<Vec<(Family, IpAddr, TcpListener)>> {
    let ns = ns.clone();
    let addresses = addresses.to_vec();
    let thread = std::thread::Builder::new()
        .name("peerlab-embedded-bind".to_string())
        .spawn(move || {
            ns.enter_this_thread()?;
            let mut out = Vec::new();
            for (family, address) in addresses {
                let socket = SocketAddr::new(address, BGP_PORT);
                let listener = TcpListener::bind(socket)
                    .map_err(|e| Error::io(format!("listening on {socket}"), e))?;
                listener
                    .set_nonblocking(true)
                    .map_err(|e| Error::io(format!("listening on {socket}"), e))?;
                out.push((family, address, listener));
            }
            Ok(out)
        })
        .map_err(|e| Error::io("starting a thread", e))?;
    thread
        .join()
        .map_err(|_| Error::invalid("listener thread", "it panicked"))?
}

/// Accepts the provider's connections of one family until aborted.
async fn accept_loop(
    listener: tokio::net::TcpListener,
    router: Arc<EmbeddedRouter>,
    link: String,
    family: Family,
    local: IpAddr,
) {
    loop {
        match listener.accept().await {
            Ok((stream, from)) => {
                if let Err(error) = stream.set_nodelay(true) {
                    tracing::debug!(%error, "TCP_NODELAY");
                }
                if !router.accept(&link, family, local, Box::new(stream)) {
                    tracing::debug!(%from, %link, "connection refused: the router is stopped");
                }
            }
            Err(error) => {
                tracing::warn!(%error, %link, "accepting a BGP connection");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}
