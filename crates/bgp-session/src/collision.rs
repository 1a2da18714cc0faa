//! One peer with up to two connections, and connection collision detection (RFC 4271 §6.8).
//!
//! When both speakers connect at once there are two TCP connections for one session. [`Peer`]
//! runs an [`Fsm`] per connection: the *primary* one, which the operator starts and stops and
//! whose state is the session's, and a *second* one while a collision is being resolved. When an
//! OPEN arrives on one connection while the other is up, the BGP Identifiers decide (RFC 4271
//! §6.8; equal identifiers: the AS numbers, RFC 6286 §2.3): the connection initiated by the
//! speaker with the higher one is kept, the other gets Cease 6/7 (Connection Collision
//! Resolution). A connection that collides with an Established one is closed with 6/7
//! (CollisionDetectEstablishedState is FALSE). A connection examined in OpenSent is compared with
//! the identifier of the OPEN that just arrived, which is the same peer's.
//!
//! Transport actions name the connection they concern ([`ConnectionId`]); session actions (state,
//! Established, Down, UPDATEs) come only from the primary FSM, so a lost collision never shows as
//! the session going down. Like [`Fsm`], this does no I/O.

use crate::action::{Action, DownReason, SessionError, StaleRoutes};
use crate::event::Event;
use crate::fsm::Fsm;
use crate::negotiation::Negotiated;
use crate::timer::Instant;
use crate::{ConfigError, SessionConfig, State};
use bgp_wire::{Context, Decoded, Message, Notification, Open, Rfc7606, RouteRefresh, Update};
use std::fmt;
use std::sync::Arc;

/// Names one TCP connection (or connection attempt) of a [`Peer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(pub u64);

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Who initiated a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// We connected to the peer.
    Outgoing,
    /// The peer connected to us.
    Incoming,
}

/// What a [`Peer`] asks of its caller, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerAction {
    /// Start a TCP connection attempt; answer with [`Peer::connected`] or
    /// [`Peer::connect_failed`].
    Connect(ConnectionId),
    /// Write a message on a connection, encoded with `context`.
    Send {
        /// The connection.
        conn: ConnectionId,
        /// The message.
        message: Message,
        /// The context to encode it with.
        context: Context,
    },
    /// Close a connection after writing what was queued, or abandon an attempt.
    Close(ConnectionId),
    /// The session's state changed.
    StateChange {
        /// The state before.
        from: State,
        /// The state after.
        to: State,
    },
    /// The session is Established.
    Established(Negotiated),
    /// The session fell back to Idle; see [`Action::Down`].
    Down {
        /// Why.
        reason: DownReason,
        /// The state it left.
        from: State,
        /// Routes to keep stale as Graceful Restart helper.
        graceful_restart: Option<StaleRoutes>,
    },
    /// An UPDATE for the RIB.
    Received(Update, Option<Rfc7606>),
    /// A ROUTE-REFRESH from the peer.
    RouteRefresh(RouteRefresh),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Which {
    Primary,
    Second,
}

#[derive(Debug)]
struct Connection {
    fsm: Fsm,
    conn: Option<ConnectionId>,
    direction: Direction,
}

/// A session with one peer over up to two connections.
///
/// ```
/// use bgp_session::{Event, Instant, Peer, PeerAction, SessionConfig, State};
/// use std::net::Ipv4Addr;
///
/// let mut peer = Peer::new(SessionConfig::new(65000, 65001, Ipv4Addr::new(192, 0, 2, 1))).unwrap();
/// let actions = peer.handle(Instant::ZERO, Event::ManualStart);
/// let PeerAction::Connect(conn) = actions[0] else { panic!() };
/// let actions = peer.connected(Instant::from_millis(5), conn);
/// assert!(matches!(&actions[0], PeerAction::Send { conn: c, .. } if *c == conn));
/// assert_eq!(peer.state(), State::OpenSent);
/// ```
#[derive(Debug)]
pub struct Peer {
    config: Arc<SessionConfig>,
    primary: Connection,
    second: Option<Connection>,
    /// An outgoing attempt left running when the primary FSM took an incoming connection: if it
    /// completes it becomes the second connection (RFC 4271 §8.2.2, OpenSent, event 16).
    pending_outgoing: Option<ConnectionId>,
    next_id: u64,
    reported: State,
    out: Vec<PeerAction>,
}

impl Peer {
    /// A peer in Idle.
    pub fn new(config: SessionConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let config = Arc::new(config);
        Ok(Self {
            primary: Connection {
                fsm: Fsm::with_config(config.clone()),
                conn: None,
                direction: Direction::Outgoing,
            },
            config,
            second: None,
            pending_outgoing: None,
            next_id: 1,
            reported: State::Idle,
            out: Vec::new(),
        })
    }

    /// The session's state: the primary FSM's.
    pub fn state(&self) -> State {
        self.primary.fsm.state()
    }

    /// The primary FSM.
    pub fn fsm(&self) -> &Fsm {
        &self.primary.fsm
    }

    /// What the session negotiated, once the primary connection accepted the peer's OPEN.
    pub fn negotiated(&self) -> Option<&Negotiated> {
        self.primary.fsm.negotiated()
    }

    /// The live connections: id, who initiated it, and its FSM's state.
    pub fn connections(&self) -> Vec<(ConnectionId, Direction, State)> {
        self.slots()
            .filter_map(|c| Some((c.conn?, c.direction, c.fsm.state())))
            .collect()
    }

    /// The earliest deadline of either FSM: call [`Peer::on_timeout`] then.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.slots().filter_map(|c| c.fsm.next_deadline()).min()
    }

    /// The context to decode the next message of a connection with.
    pub fn decode_context(&self, conn: ConnectionId) -> Context {
        self.slots()
            .find(|c| c.conn == Some(conn))
            .map_or_else(Context::default, |c| c.fsm.decode_context())
    }

    /// Handles an operator or implementation event (start, stop, maximum-prefix). A stop also
    /// stops the second connection and abandons a pending attempt.
    pub fn handle(&mut self, now: Instant, event: Event) -> Vec<PeerAction> {
        if matches!(event, Event::ManualStop(_) | Event::AutomaticStop(_)) {
            if let Some(attempt) = self.pending_outgoing.take() {
                self.out.push(PeerAction::Close(attempt));
            }
            let second = event.clone();
            self.run(Which::Second, true, |f| f.handle(now, second));
        }
        self.run(Which::Primary, false, |f| f.handle(now, event));
        self.settle()
    }

    /// An attempt from [`PeerAction::Connect`] completed.
    pub fn connected(&mut self, now: Instant, conn: ConnectionId) -> Vec<PeerAction> {
        let primary_waiting = !self.primary.fsm.is_connected() && self.state() != State::Idle;
        if self.primary.conn == Some(conn) && primary_waiting {
            self.run(Which::Primary, false, |f| f.handle(now, Event::TcpCrAcked));
        } else if self.pending_outgoing == Some(conn) {
            self.pending_outgoing = None;
            if primary_waiting && self.primary.conn.is_none() {
                self.primary.conn = Some(conn);
                self.primary.direction = Direction::Outgoing;
                self.run(Which::Primary, false, |f| f.handle(now, Event::TcpCrAcked));
            } else if self.open_second(conn, Direction::Outgoing) {
                self.run(Which::Second, true, |f| f.handle(now, Event::TcpCrAcked));
            } else {
                self.out.push(PeerAction::Close(conn));
            }
        } else {
            self.out.push(PeerAction::Close(conn));
        }
        self.settle()
    }

    /// An attempt from [`PeerAction::Connect`] failed.
    pub fn connect_failed(&mut self, now: Instant, conn: ConnectionId) -> Vec<PeerAction> {
        if self.pending_outgoing == Some(conn) {
            self.pending_outgoing = None;
        } else if self.primary.conn == Some(conn) && !self.primary.fsm.is_connected() {
            self.run(Which::Primary, false, |f| {
                f.handle(now, Event::TcpConnectionFails)
            });
        }
        self.settle()
    }

    /// The peer connected to us. Returns the new connection's id, or `None` if it must be
    /// closed: the session is Idle (RFC 4271 §8.2.2 refuses connections there) or already has
    /// two connections.
    pub fn accept(&mut self, now: Instant) -> (Option<ConnectionId>, Vec<PeerAction>) {
        if self.state() == State::Idle {
            return (None, Vec::new());
        }
        let id = ConnectionId(self.next_id);
        if !self.primary.fsm.is_connected() {
            self.next_id += 1;
            // An attempt still running is kept: if it completes it is the second connection.
            let attempt = self.primary.conn.replace(id);
            if let Some(older) = attempt.and_then(|a| self.pending_outgoing.replace(a)) {
                self.out.push(PeerAction::Close(older));
            }
            self.primary.direction = Direction::Incoming;
            self.run(Which::Primary, false, |f| {
                f.handle(now, Event::TcpConnectionConfirmed)
            });
        } else if self.open_second(id, Direction::Incoming) {
            self.next_id += 1;
            self.run(Which::Second, true, |f| {
                f.handle(now, Event::TcpConnectionConfirmed)
            });
        } else {
            return (None, Vec::new());
        }
        (Some(id), self.settle())
    }

    /// A connection failed or the peer closed it.
    pub fn closed(&mut self, now: Instant, conn: ConnectionId) -> Vec<PeerAction> {
        if let Some(which) = self.which(conn) {
            self.run(which, which == Which::Second, |f| {
                f.handle(now, Event::TcpConnectionFails)
            });
        }
        self.settle()
    }

    /// What `bgp_wire::decode` made of a message that arrived on a connection. An OPEN is first
    /// checked for a collision with the other connection.
    pub fn on_message(
        &mut self,
        now: Instant,
        conn: ConnectionId,
        decoded: Result<Decoded, Notification>,
    ) -> Vec<PeerAction> {
        let Some(which) = self.which(conn) else {
            return Vec::new();
        };
        let event = Event::from_decoded(decoded);
        let loser = match &event {
            Event::BgpOpen(open) => self.collision_loser(which, open),
            _ => None,
        };
        if let Some(loser) = loser {
            // The loser's going down is not the session's: the other connection carries on.
            self.run(loser, true, |f| f.handle(now, Event::OpenCollisionDump));
            if loser == which {
                return self.settle();
            }
        }
        self.run(which, which == Which::Second, |f| f.handle(now, event));
        self.settle()
    }

    /// Handles every timer of either FSM that has expired by `now`.
    pub fn on_timeout(&mut self, now: Instant) -> Vec<PeerAction> {
        self.run(Which::Primary, false, |f| f.on_timeout(now));
        self.run(Which::Second, true, |f| f.on_timeout(now));
        self.settle()
    }

    /// Sends an UPDATE on the Established connection.
    pub fn send_update(
        &mut self,
        now: Instant,
        update: Update,
    ) -> Result<Vec<PeerAction>, SessionError> {
        let actions = self.primary.fsm.send_update(now, update)?;
        self.run(Which::Primary, false, |_| actions);
        Ok(self.settle())
    }

    /// Sends a ROUTE-REFRESH on the Established connection.
    pub fn send_route_refresh(
        &mut self,
        rr: RouteRefresh,
    ) -> Result<Vec<PeerAction>, SessionError> {
        let actions = self.primary.fsm.send_route_refresh(rr)?;
        self.run(Which::Primary, false, |_| actions);
        Ok(self.settle())
    }

    fn slots(&self) -> impl Iterator<Item = &Connection> {
        std::iter::once(&self.primary).chain(self.second.as_ref())
    }

    fn which(&self, conn: ConnectionId) -> Option<Which> {
        if self.primary.conn == Some(conn) {
            Some(Which::Primary)
        } else if self.second.as_ref().is_some_and(|c| c.conn == Some(conn)) {
            Some(Which::Second)
        } else {
            None
        }
    }

    /// Makes `conn` the second connection if the primary has one and there is no second yet.
    fn open_second(&mut self, conn: ConnectionId, direction: Direction) -> bool {
        if self.second.is_some() || !self.primary.fsm.is_connected() {
            return false;
        }
        self.second = Some(Connection {
            fsm: Fsm::second_connection(&self.primary.fsm),
            conn: Some(conn),
            direction,
        });
        true
    }

    /// RFC 4271 §6.8: which connection to close when `open` arrives on `which`, if the other one
    /// is up.
    fn collision_loser(&self, which: Which, open: &Open) -> Option<Which> {
        let (this, other, other_which) = match which {
            Which::Primary => (&self.primary, self.second.as_ref()?, Which::Second),
            Which::Second => (self.second.as_ref()?, &self.primary, Which::Primary),
        };
        if !other.fsm.is_connected() {
            return None;
        }
        if other.fsm.state() == State::Established {
            return Some(which);
        }
        let local = u32::from(self.config.bgp_identifier);
        let remote = u32::from(open.bgp_identifier);
        // Keep the connection initiated by the speaker with the higher identifier (or AS).
        let keep_ours = if local != remote {
            local > remote
        } else {
            self.config.local_as > open.asn()
        };
        let this_wins = (this.direction == Direction::Outgoing) == keep_ours;
        Some(if this_wins { other_which } else { which })
    }

    /// Runs one FSM and turns its actions into the peer's. `hidden` keeps its session actions
    /// from the caller (the second connection's, or a primary losing a collision).
    fn run(&mut self, which: Which, hidden: bool, f: impl FnOnce(&mut Fsm) -> Vec<Action>) {
        let Peer {
            primary,
            second,
            next_id,
            out,
            reported,
            ..
        } = self;
        let slot = match which {
            Which::Primary => primary,
            Which::Second => match second {
                Some(s) => s,
                None => return,
            },
        };
        for action in f(&mut slot.fsm) {
            let session = match action {
                Action::Connect => {
                    let id = ConnectionId(*next_id);
                    *next_id += 1;
                    slot.conn = Some(id);
                    slot.direction = Direction::Outgoing;
                    out.push(PeerAction::Connect(id));
                    continue;
                }
                Action::Send(message) => {
                    if let Some(conn) = slot.conn {
                        out.push(PeerAction::Send {
                            conn,
                            message,
                            context: slot.fsm.encode_context(),
                        });
                    }
                    continue;
                }
                Action::Close => {
                    if let Some(conn) = slot.conn.take() {
                        out.push(PeerAction::Close(conn));
                    }
                    continue;
                }
                Action::StateChange { from, to } => PeerAction::StateChange { from, to },
                Action::Established(n) => PeerAction::Established(n),
                Action::Down {
                    reason,
                    from,
                    graceful_restart,
                } => PeerAction::Down {
                    reason,
                    from,
                    graceful_restart,
                },
                Action::Received(u, r) => PeerAction::Received(u, r),
                Action::RouteRefresh(rr) => PeerAction::RouteRefresh(rr),
            };
            if !hidden {
                if let PeerAction::StateChange { to, .. } = session {
                    *reported = to;
                }
                out.push(session);
            }
        }
    }

    /// Drops a finished second connection; hands the session to the second connection when the
    /// primary has lost its own.
    fn settle(&mut self) -> Vec<PeerAction> {
        if self
            .second
            .as_ref()
            .is_some_and(|s| s.fsm.state() == State::Idle)
        {
            self.second = None;
        }
        let second = if self.primary.fsm.is_connected() {
            None
        } else {
            self.second.take()
        };
        if let Some(second) = second {
            let old = std::mem::replace(&mut self.primary, second);
            if let Some(conn) = old.conn {
                self.out.push(PeerAction::Close(conn));
            }
        }
        let state = self.state();
        if state != self.reported {
            self.out.push(PeerAction::StateChange {
                from: self.reported,
                to: state,
            });
            self.reported = state;
        }
        std::mem::take(&mut self.out)
    }
}
