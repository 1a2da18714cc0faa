//! The session task: owns the [`Peer`], maps its actions onto sockets and channels, and its
//! deadlines onto tokio's clock.

use super::connection::{self, Io, Socket};
use super::{Command, Connector, DriverConfig, SessionEvent};
use crate::{ConfigError, ConnectionId, Event, Instant, Peer, PeerAction, StopReason};
use bgp_wire::{Afi, Safi, decode};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tracing::{Instrument, debug, info, info_span, warn};

/// A connection as the task sees it.
enum Conn {
    /// An outgoing attempt in progress.
    Connecting(JoinHandle<()>),
    /// Up: bytes for its socket task.
    Open(mpsc::UnboundedSender<Vec<u8>>),
}

pub(super) struct Task {
    name: String,
    peer_addr: SocketAddr,
    local_addr: Option<SocketAddr>,
    connector: Option<Arc<dyn Connector>>,
    peer: Peer,
    epoch: tokio::time::Instant,
    commands: mpsc::UnboundedReceiver<Command>,
    incoming: mpsc::UnboundedReceiver<Socket>,
    events: mpsc::UnboundedSender<SessionEvent>,
    io_tx: mpsc::UnboundedSender<Io>,
    io_rx: mpsc::UnboundedReceiver<Io>,
    conns: HashMap<ConnectionId, Conn>,
    max_prefix: HashMap<(Afi, Safi), u32>,
}

impl Task {
    pub(super) fn new(
        config: DriverConfig,
        commands: mpsc::UnboundedReceiver<Command>,
        incoming: mpsc::UnboundedReceiver<Socket>,
        events: mpsc::UnboundedSender<SessionEvent>,
    ) -> Result<Self, ConfigError> {
        let (io_tx, io_rx) = mpsc::unbounded_channel();
        Ok(Self {
            name: config.name,
            peer_addr: config.peer_addr,
            local_addr: config.local_addr,
            connector: config.connector,
            peer: Peer::new(config.session)?,
            epoch: tokio::time::Instant::now(),
            commands,
            incoming,
            events,
            io_tx,
            io_rx,
            conns: HashMap::new(),
            max_prefix: HashMap::new(),
        })
    }

    pub(super) async fn run(self) {
        let span = info_span!("bgp_peer", peer = %self.name);
        self.serve().instrument(span).await
    }

    async fn serve(mut self) {
        loop {
            let deadline = self
                .peer
                .next_deadline()
                .map(|d| self.epoch + d.since_epoch());
            let sleep = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            let actions = tokio::select! {
                command = self.commands.recv() => match command {
                    Some(command) => self.command(command),
                    None => {
                        // The owner is gone: the peer is de-configured.
                        let stop = Event::ManualStop(StopReason::PeerDeconfigured);
                        let actions = self.peer.handle(self.now(), stop);
                        self.apply(actions);
                        break;
                    }
                },
                Some(stream) = self.incoming.recv() => {
                    // Commands the owner sent before handing the connection over go first (a
                    // `Command::Start` then `accept_stream`): the stream finds the session started.
                    while let Ok(command) = self.commands.try_recv() {
                        let actions = self.command(command);
                        self.apply(actions);
                    }
                    self.accept(stream)
                }
                Some(io) = self.io_rx.recv() => self.io(io),
                () = sleep => self.peer.on_timeout(self.now()),
            };
            self.apply(actions);
        }
        for (_, conn) in self.conns.drain() {
            if let Conn::Connecting(attempt) = conn {
                attempt.abort();
            }
        }
        debug!("session task ended");
    }

    fn now(&self) -> Instant {
        Instant::from_epoch(tokio::time::Instant::now().saturating_duration_since(self.epoch))
    }

    fn command(&mut self, command: Command) -> Vec<PeerAction> {
        let now = self.now();
        let result = match command {
            Command::Start => Ok(self.peer.handle(now, Event::ManualStart)),
            Command::Stop(reason) => Ok(self.peer.handle(now, Event::ManualStop(reason))),
            Command::Announce(update) => self.peer.send_update(now, update),
            Command::RouteRefresh(rr) => self.peer.send_route_refresh(rr),
            Command::SetMaxPrefix { afi, safi, limit } => {
                match limit {
                    Some(limit) => self.max_prefix.insert((afi, safi), limit),
                    None => self.max_prefix.remove(&(afi, safi)),
                };
                Ok(Vec::new())
            }
            Command::PrefixCount { afi, safi, count } => match self.max_prefix.get(&(afi, safi)) {
                Some(&limit) if count > limit => {
                    warn!(%afi, %safi, count, limit, "maximum prefix limit exceeded");
                    let event = Event::MaxPrefixExceeded { afi, safi, limit };
                    Ok(self.peer.handle(now, event))
                }
                _ => Ok(Vec::new()),
            },
        };
        result.unwrap_or_else(|error| {
            warn!(%error, "command refused");
            let _ = self.events.send(SessionEvent::CommandFailed(error));
            Vec::new()
        })
    }

    fn accept(&mut self, stream: Socket) -> Vec<PeerAction> {
        let remote = stream.peer_addr();
        match self.peer.accept(self.now()) {
            (Some(id), actions) => {
                debug!(conn = %id, ?remote, "accepted connection");
                self.open(id, stream);
                actions
            }
            (None, actions) => {
                debug!(?remote, state = %self.peer.state(), "refused connection");
                actions
            }
        }
    }

    fn io(&mut self, io: Io) -> Vec<PeerAction> {
        let now = self.now();
        match io {
            Io::Connected(id, stream) => {
                debug!(conn = %id, "connected");
                self.open(id, stream);
                self.peer.connected(now, id)
            }
            Io::ConnectFailed(id, error) => {
                debug!(conn = %id, %error, "connection attempt failed");
                self.conns.remove(&id);
                self.peer.connect_failed(now, id)
            }
            Io::Frame(id, bytes) => {
                let decoded = decode(&bytes, &self.peer.decode_context(id));
                if let Err(n) = &decoded {
                    warn!(conn = %id, notification = %n, "malformed message");
                }
                self.peer.on_message(now, id, decoded)
            }
            Io::HeaderError(id, n) => {
                warn!(conn = %id, notification = %n, "cannot frame the byte stream");
                self.peer.on_message(now, id, Err(n))
            }
            Io::Closed(id) => {
                debug!(conn = %id, "connection closed by the peer");
                self.peer.closed(now, id)
            }
        }
    }

    /// Starts the socket task of a connection that is up.
    fn open(&mut self, id: ConnectionId, stream: Socket) {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(connection::run(id, stream, self.io_tx.clone(), rx).in_current_span());
        self.conns.insert(id, Conn::Open(tx));
    }

    fn apply(&mut self, actions: Vec<PeerAction>) {
        for action in actions {
            let event = match action {
                PeerAction::Connect(id) => {
                    let (peer, local, io) = (self.peer_addr, self.local_addr, self.io_tx.clone());
                    debug!(conn = %id, %peer, ?local, "connecting");
                    let connector = self.connector.clone();
                    let attempt = tokio::spawn(async move {
                        let opened = match connector {
                            Some(connector) => connector.connect().await.map(Socket::Other),
                            None => connection::connect(peer, local).await.map(Socket::Tcp),
                        };
                        let _ = io.send(match opened {
                            Ok(stream) => Io::Connected(id, stream),
                            Err(error) => Io::ConnectFailed(id, error),
                        });
                    });
                    self.conns.insert(id, Conn::Connecting(attempt));
                    continue;
                }
                PeerAction::Send {
                    conn,
                    message,
                    context,
                } => {
                    match (message.to_vec(&context), self.conns.get(&conn)) {
                        (Ok(bytes), Some(Conn::Open(tx))) => {
                            let _ = tx.send(bytes);
                        }
                        (Err(error), _) => warn!(%conn, %error, "cannot encode a message"),
                        _ => {}
                    }
                    if let bgp_wire::Message::Notification(n) = &message {
                        info!(%conn, notification = %n, "sent NOTIFICATION");
                    }
                    continue;
                }
                PeerAction::Close(id) => {
                    // Dropping the sender lets the socket task flush and shut down.
                    if let Some(Conn::Connecting(attempt)) = self.conns.remove(&id) {
                        attempt.abort();
                    }
                    continue;
                }
                PeerAction::StateChange { from, to } => {
                    info!(%from, %to, "state change");
                    SessionEvent::StateChanged { from, to }
                }
                PeerAction::Established(n) => {
                    info!(peer_as = n.peer_as, hold_time = ?n.hold_time, "established");
                    SessionEvent::Established(n)
                }
                PeerAction::Down {
                    reason,
                    from,
                    graceful_restart,
                } => {
                    info!(%reason, %from, "session down");
                    SessionEvent::Down {
                        reason,
                        from,
                        graceful_restart,
                    }
                }
                PeerAction::Received(update, rfc7606) => SessionEvent::Received(update, rfc7606),
                PeerAction::RouteRefresh(rr) => SessionEvent::RouteRefresh(rr),
            };
            let _ = self.events.send(event);
        }
    }
}
