//! The BGP-4 session: the finite state machine of RFC 4271 §8 as a sans-I/O state machine,
//! capability negotiation, connection collision detection, and a thin tokio driver for TCP.
//!
//! - [`Fsm`]: one connection's FSM, with all six states, the §8.1 events and the §8.2.2
//!   transitions, and its timers (ConnectRetry, Hold, Keepalive, DelayOpen, IdleHold) as
//!   deadlines. Events and the time go in, [`Action`]s come out; [`Fsm::next_deadline`] says when
//!   to call [`Fsm::on_timeout`]. No sockets, no clock, no tokio.
//! - [`negotiate`]: the checks of the peer's OPEN (Bad Peer AS, Bad BGP Identifier, Unacceptable
//!   Hold Time) and the [`Negotiated`] terms, including the `bgp_wire::Context` to decode with.
//! - [`Peer`]: up to two connections with one peer and RFC 4271 §6.8 collision resolution.
//! - `driver` (feature `driver`, on by default): runs a [`Peer`] over TCP with tokio; the owner
//!   talks to it through channels.
//!
//! Time is an [`Instant`] counted from any epoch the caller likes, so tests run hours of
//! keepalives in microseconds:
//!
//! ```
//! use bgp_session::{Action, Event, Fsm, Instant, SessionConfig, State};
//! use bgp_wire::{Context, Message, decode};
//! use std::net::Ipv4Addr;
//!
//! let ours = SessionConfig::new(65000, 65001, Ipv4Addr::new(192, 0, 2, 1));
//! let mut fsm = Fsm::new(ours).unwrap();
//! fsm.handle(Instant::ZERO, Event::ManualStart); // -> Connect
//! fsm.handle(Instant::from_millis(10), Event::TcpCrAcked); // -> Send(OPEN), OpenSent
//!
//! // The peer's OPEN, as the bytes would arrive.
//! let theirs = SessionConfig::new(65001, 65000, Ipv4Addr::new(192, 0, 2, 2)).open();
//! let bytes = Message::Open(theirs).to_vec(&Context::default()).unwrap();
//! let actions = fsm.on_message(Instant::from_millis(20), decode(&bytes, &fsm.decode_context()));
//! assert!(actions.contains(&Action::Send(Message::Keepalive)));
//! assert_eq!(fsm.state(), State::OpenConfirm);
//!
//! fsm.handle(Instant::from_millis(30), Event::KeepAliveMsg);
//! assert_eq!(fsm.state(), State::Established);
//! // Hold time 90 s: KEEPALIVE every 30 s from when ours was first sent.
//! assert_eq!(fsm.next_deadline(), Some(Instant::from_millis(30_020)));
//! ```
//!
//! What it does not do: keep routes (that is the RIB's job: it gets [`Action::Received`] and
//! [`Action::Down`], and counts prefixes for the maximum-prefix limit), apply routing policy,
//! restart gracefully itself (it is a Graceful Restart *helper* only), damp peer oscillations,
//! or authenticate TCP (no MD5/TCP-AO).

mod action;
mod collision;
mod config;
mod event;
mod fsm;
mod negotiation;
mod state;
pub mod timer;

#[cfg(feature = "driver")]
pub mod driver;

pub use action::{Action, DownReason, SessionError, StaleRoutes};
pub use collision::{ConnectionId, Direction, Peer, PeerAction};
pub use config::{ConfigError, SessionConfig};
pub use event::{Event, StopReason, max_prefix_data};
pub use fsm::Fsm;
pub use negotiation::{AddPathNegotiated, Negotiated, PeerGracefulRestart, negotiate};
pub use state::State;
pub use timer::{Instant, TimerKind};
