//! One TCP listener serving many peers: each accepted connection goes to the session registered
//! for its source address, any other is closed at once.

use super::PeerHandle;
use super::connection::Socket;
use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tracing::{debug, warn};

type Routes = Arc<Mutex<HashMap<IpAddr, mpsc::UnboundedSender<Socket>>>>;

/// A listening socket whose accepted connections are handed to the sessions by peer address.
/// Dropping it stops listening.
#[derive(Debug)]
pub struct Listener {
    local_addr: SocketAddr,
    routes: Routes,
    task: JoinHandle<()>,
}

impl Listener {
    /// Listens on `addr` (port 0 picks a free port) on the current tokio runtime.
    pub async fn bind(addr: SocketAddr) -> io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let routes = Routes::default();
        let task = tokio::spawn(accept_loop(listener, routes.clone()));
        Ok(Self {
            local_addr,
            routes,
            task,
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Hands connections from `peer` to this session from now on.
    pub fn register(&self, peer: IpAddr, session: &PeerHandle) {
        self.lock()
            .insert(peer.to_canonical(), session.incoming_sender());
    }

    /// Stops handing connections from `peer` to anyone.
    pub fn unregister(&self, peer: IpAddr) {
        self.lock().remove(&peer.to_canonical());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, mpsc::UnboundedSender<Socket>>> {
        // The map stays consistent whatever a panicking holder did: use it anyway.
        self.routes.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, routes: Routes) {
    loop {
        let (stream, remote) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors and the like: wait a little rather than spin.
                warn!(%error, "accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let session = routes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&remote.ip().to_canonical())
            .cloned();
        match session {
            Some(session) => {
                if session.send(Socket::Tcp(stream)).is_err() {
                    debug!(%remote, "session ended; connection closed");
                }
            }
            None => debug!(%remote, "no session for this address; connection closed"),
        }
    }
}
