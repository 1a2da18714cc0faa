//! A thin tokio driver: one peer's session over real TCP.
//!
//! [`spawn`] starts a task that owns a [`Peer`](crate::Peer) and its sockets: it connects to the
//! peer (from an optional local address, for link-local or VLAN interfaces), takes the
//! connections a [`Listener`] hands it, frames and decodes what arrives with the negotiated
//! context, writes what the FSM sends, and sleeps until the FSM's next deadline. The owner talks
//! to it through a [`PeerHandle`]: [`Command`]s in, [`SessionEvent`]s out.
//!
//! Malformed input from the peer gets its NOTIFICATION and ends only that connection; decoding
//! never panics. The FSM's time is tokio's clock since the task started, so tests can run it
//! with tokio's paused time.
//!
//! ```no_run
//! # async fn example() -> std::io::Result<()> {
//! use bgp_session::SessionConfig;
//! use bgp_session::driver::{Command, DriverConfig, Listener, SessionEvent, spawn};
//! use std::net::Ipv4Addr;
//!
//! let listener = Listener::bind("0.0.0.0:179".parse().unwrap()).await?;
//! let session = SessionConfig::new(65000, 65001, Ipv4Addr::new(192, 0, 2, 1));
//! let mut peer = spawn(DriverConfig::new(session, "192.0.2.2:179".parse().unwrap())).unwrap();
//! listener.register("192.0.2.2".parse().unwrap(), &peer);
//! peer.send(Command::Start).unwrap();
//! while let Some(event) = peer.next_event().await {
//!     if let SessionEvent::Established(n) = event {
//!         println!("up with AS {}", n.peer_as);
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! A session can also run over any byte stream instead of TCP ([`Connector`] for the connections
//! it opens, [`PeerHandle::accept_stream`] for those it is handed): an in-memory pipe lets a
//! whole topology run on tokio's paused clock, with no sockets and no privileges.
//!
//! Not here: MD5/TCP-AO, TTL security, socket options, or counting prefixes (the owner reports
//! counts with [`Command::PrefixCount`]).

mod connection;
mod listener;
mod task;

pub use listener::Listener;

use connection::Socket;

use crate::{
    ConfigError, DownReason, Negotiated, SessionConfig, SessionError, StaleRoutes, State,
    StopReason,
};
use bgp_wire::{Afi, Rfc7606, RouteRefresh, Safi, Update};
use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// How to reach one peer, and the session to run with it.
#[derive(Clone, Debug)]
pub struct DriverConfig {
    /// The session's configuration.
    pub session: SessionConfig,
    /// The peer's address and port (usually 179).
    pub peer_addr: SocketAddr,
    /// The address to connect from, when it matters (link-local, a VLAN interface's address).
    pub local_addr: Option<SocketAddr>,
    /// The name logs use for this peer; the peer's address by default.
    pub name: String,
    /// Opens the connections to the peer instead of TCP (`peer_addr` and `local_addr` are
    /// then only names).
    pub connector: Option<Arc<dyn Connector>>,
}

/// A byte stream a session can run over besides TCP: an in-memory pipe, a test harness.
pub trait Stream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Stream for T {}

/// A boxed [`Stream`].
pub type BoxStream = Box<dyn Stream>;

/// What a [`Connector`] gives back: the connection, once it is open.
pub type Connecting = Pin<Box<dyn Future<Output = io::Result<BoxStream>> + Send>>;

/// Opens a session's outgoing connections instead of TCP.
pub trait Connector: fmt::Debug + Send + Sync + 'static {
    /// Opens one connection to the peer; an error is a failed attempt (ConnectRetry applies).
    fn connect(&self) -> Connecting;
}

impl DriverConfig {
    /// A driver connecting to `peer_addr` from whatever address the system picks.
    pub fn new(session: SessionConfig, peer_addr: SocketAddr) -> Self {
        Self {
            session,
            peer_addr,
            local_addr: None,
            name: peer_addr.to_string(),
            connector: None,
        }
    }
}

/// What the owner asks of a running session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// ManualStart: connect (or, with `SessionConfig::passive`, wait for the peer).
    Start,
    /// ManualStop with the Cease subcode the reason gives.
    Stop(StopReason),
    /// Send an UPDATE (Established only; refused with [`SessionEvent::CommandFailed`]).
    Announce(Update),
    /// Send a ROUTE-REFRESH.
    RouteRefresh(RouteRefresh),
    /// Set (or with `None` remove) a family's maximum-prefix limit.
    SetMaxPrefix {
        /// The AFI.
        afi: Afi,
        /// The SAFI.
        safi: Safi,
        /// The largest number of prefixes accepted.
        limit: Option<u32>,
    },
    /// The owner's count of prefixes received in a family: over the limit, the session ends
    /// with Cease 6/1.
    PrefixCount {
        /// The AFI.
        afi: Afi,
        /// The SAFI.
        safi: Safi,
        /// The number of prefixes.
        count: u32,
    },
}

/// What the session tells its owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionEvent {
    /// The session's state changed.
    StateChanged {
        /// Before.
        from: State,
        /// After.
        to: State,
    },
    /// The session is Established.
    Established(Negotiated),
    /// An UPDATE arrived, with its RFC 7606 outcome.
    Received(Update, Option<Rfc7606>),
    /// The peer sent a ROUTE-REFRESH.
    RouteRefresh(RouteRefresh),
    /// The session went back to Idle.
    Down {
        /// Why.
        reason: DownReason,
        /// The state it left.
        from: State,
        /// Routes to keep stale as Graceful Restart helper.
        graceful_restart: Option<StaleRoutes>,
    },
    /// A command could not be carried out.
    CommandFailed(SessionError),
}

/// The driver's task is gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the session's task has ended")]
pub struct Closed;

/// The owner's side of a running session. Dropping it stops the session (Cease 6/3 Peer
/// De-configured) and ends the task.
#[derive(Debug)]
pub struct PeerHandle {
    commands: mpsc::UnboundedSender<Command>,
    events: mpsc::UnboundedReceiver<SessionEvent>,
    incoming: mpsc::UnboundedSender<Socket>,
    task: JoinHandle<()>,
}

impl PeerHandle {
    /// Sends a command.
    pub fn send(&self, command: Command) -> Result<(), Closed> {
        self.commands.send(command).map_err(|_| Closed)
    }

    /// The next event; `None` once the task has ended.
    pub async fn next_event(&mut self) -> Option<SessionEvent> {
        self.events.recv().await
    }

    /// Hands the session a connection the peer opened (what a [`Listener`] does).
    pub fn accept(&self, stream: TcpStream) -> Result<(), Closed> {
        self.incoming.send(Socket::Tcp(stream)).map_err(|_| Closed)
    }

    /// Hands the session a connection the peer opened over another kind of [`Stream`].
    pub fn accept_stream(&self, stream: BoxStream) -> Result<(), Closed> {
        self.incoming
            .send(Socket::Other(stream))
            .map_err(|_| Closed)
    }

    /// Whether the task has ended.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    pub(crate) fn incoming_sender(&self) -> mpsc::UnboundedSender<Socket> {
        self.incoming.clone()
    }
}

/// Starts a session's task on the current tokio runtime. The session stays Idle until
/// [`Command::Start`].
pub fn spawn(config: DriverConfig) -> Result<PeerHandle, ConfigError> {
    let (commands, commands_rx) = mpsc::unbounded_channel();
    let (events_tx, events) = mpsc::unbounded_channel();
    let (incoming, incoming_rx) = mpsc::unbounded_channel();
    let task = task::Task::new(config, commands_rx, incoming_rx, events_tx)?;
    Ok(PeerHandle {
        commands,
        events,
        incoming,
        task: tokio::spawn(task.run()),
    })
}
