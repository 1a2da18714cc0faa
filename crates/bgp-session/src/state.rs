//! The six states of the BGP FSM (RFC 4271 §8.2.2).

use std::fmt;

/// A state of the BGP finite state machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    /// Refuses connections; waits for a start event.
    Idle,
    /// Waiting for the TCP connection it initiated to complete.
    Connect,
    /// Listening for the peer to connect.
    Active,
    /// OPEN sent, waiting for the peer's OPEN.
    OpenSent,
    /// OPENs exchanged, waiting for the peer's KEEPALIVE.
    OpenConfirm,
    /// Up: UPDATE, KEEPALIVE and ROUTE-REFRESH flow.
    Established,
}

impl State {
    /// The state's name as RFC 4271 writes it.
    pub fn name(self) -> &'static str {
        match self {
            State::Idle => "Idle",
            State::Connect => "Connect",
            State::Active => "Active",
            State::OpenSent => "OpenSent",
            State::OpenConfirm => "OpenConfirm",
            State::Established => "Established",
        }
    }

    /// The RFC 6608 "Receive Unexpected Message in … State" subcode of a Finite State Machine
    /// Error, 0 (Unspecified Error) in states RFC 6608 does not name.
    pub fn fsm_error_subcode(self) -> u8 {
        match self {
            State::OpenSent => 1,
            State::OpenConfirm => 2,
            State::Established => 3,
            _ => 0,
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
