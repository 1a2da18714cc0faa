//! The outputs of the FSM: what the caller must do on the wire, and what happened to the session.

use crate::{Negotiated, State, StopReason};
use bgp_wire::{Afi, Message, Notification, Rfc7606, RouteRefresh, Safi, Update};
use std::time::Duration;

/// Something the caller must do or learn, in the order the FSM produced it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Initiate a TCP connection to the peer; answer with [`crate::Event::TcpCrAcked`] or
    /// [`crate::Event::TcpConnectionFails`].
    Connect,
    /// Write this message on the connection.
    Send(Message),
    /// Close the connection (after writing what was queued), or abandon the connection attempt.
    Close,
    /// The FSM moved from one state to another.
    StateChange {
        /// The state before.
        from: State,
        /// The state after.
        to: State,
    },
    /// The session reached Established with these terms.
    Established(Negotiated),
    /// The FSM fell back to Idle. When `from` is Established the peer's routes must be removed
    /// from the RIB, except those `graceful_restart` says to keep stale.
    Down {
        /// Why.
        reason: DownReason,
        /// The state the FSM left.
        from: State,
        /// As Graceful Restart helper: the routes to keep, marked stale, until the peer comes
        /// back or the restart time runs out (RFC 4724 §4.2).
        graceful_restart: Option<StaleRoutes>,
    },
    /// An UPDATE for the RIB, with the RFC 7606 outcome to apply (treat-as-withdraw: handle its
    /// routes as withdrawn; attribute-discard: the attribute is already marked `Malformed`).
    Received(Update, Option<Rfc7606>),
    /// The peer asked us to re-send a family's routes (subtype 0), or marks the start (1) or
    /// end (2) of its own re-advertisement (RFC 7313).
    RouteRefresh(RouteRefresh),
}

/// What a Graceful Restart helper keeps after the connection drops.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaleRoutes {
    /// Keep the routes of these families, marked stale.
    pub families: Vec<(Afi, Safi)>,
    /// Delete them if the session is not Established again within this time.
    pub restart_time: Duration,
}

/// Why a session went down.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DownReason {
    /// Stopped by the operator (ManualStop) or the implementation (AutomaticStop); the Cease
    /// was sent if a connection was up.
    #[error("stopped: {0}")]
    Stopped(StopReason),
    /// The maximum-prefix limit of a family was exceeded (Cease 6/1 sent).
    #[error("maximum number of prefixes reached: {afi} {safi} limit {limit}")]
    MaxPrefixExceeded {
        /// The family's AFI.
        afi: Afi,
        /// The family's SAFI.
        safi: Safi,
        /// The limit.
        limit: u32,
    },
    /// The peer said nothing for the hold time (4/0 sent).
    #[error("hold timer expired")]
    HoldTimerExpired,
    /// The TCP connection failed or the peer closed it without a NOTIFICATION.
    #[error("TCP connection failed")]
    ConnectionFailed,
    /// Collision detection closed this connection in favour of the other (Cease 6/7 sent).
    #[error("connection collision resolution")]
    CollisionDump,
    /// We found an error and sent this NOTIFICATION: a malformed message, an unacceptable OPEN,
    /// or an unexpected message (Finite State Machine Error).
    #[error("sent NOTIFICATION {0}")]
    ErrorSent(Notification),
    /// The peer sent this NOTIFICATION.
    #[error("received NOTIFICATION {0}")]
    NotificationReceived(Notification),
    /// An event RFC 4271 answers by dropping the connection attempt without a NOTIFICATION.
    #[error("unexpected {event} in {state}")]
    Unexpected {
        /// The event's RFC 4271 name.
        event: &'static str,
        /// The state it came in.
        state: State,
    },
}

/// A request the FSM cannot carry out in its current state.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// UPDATE and ROUTE-REFRESH are sent only in Established.
    #[error("the session is {0}, not Established")]
    NotEstablished(State),
    /// The family was not negotiated.
    #[error("{afi} {safi} was not negotiated")]
    FamilyNotNegotiated {
        /// The AFI.
        afi: Afi,
        /// The SAFI.
        safi: Safi,
    },
    /// The peer did not advertise (enhanced) route refresh.
    #[error("the peer did not advertise the route refresh capability this needs")]
    RouteRefreshNotNegotiated,
    /// The message cannot be encoded for this session (too long, AS too large, ...).
    #[error("cannot encode: {0}")]
    Encode(#[from] bgp_wire::EncodeError),
}
