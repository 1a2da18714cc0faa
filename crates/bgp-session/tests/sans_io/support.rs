//! Helpers shared by the FSM and peer tests: configurations, the peer's messages as they would
//! arrive (encoded, then decoded by bgp_wire), and ways to look at actions.

use bgp_session::{Action, Event, Fsm, Instant, SessionConfig};
use bgp_wire::{Context, Message, Notification, Open, decode};
use std::net::Ipv4Addr;

pub const LOCAL_ID: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
pub const REMOTE_ID: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

pub fn secs(s: u64) -> Instant {
    Instant::from_secs(s)
}

pub fn millis(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

/// Our side: AS 65000 peering with AS 65001, no automatic restart.
pub fn local() -> SessionConfig {
    let mut c = SessionConfig::new(65000, 65001, LOCAL_ID);
    c.idle_hold_time = None;
    c
}

/// The peer's configuration, whose OPEN we receive.
pub fn remote() -> SessionConfig {
    SessionConfig::new(65001, 65000, REMOTE_ID)
}

pub fn remote_open() -> Open {
    remote().open()
}

/// The message's bytes under the default context.
pub fn wire(message: &Message) -> Vec<u8> {
    message.to_vec(&Context::default()).expect("encodable")
}

/// Delivers bytes as the driver would: decoded with the FSM's current context.
pub fn deliver_bytes(fsm: &mut Fsm, now: Instant, bytes: &[u8]) -> Vec<Action> {
    let decoded = decode(bytes, &fsm.decode_context());
    fsm.on_message(now, decoded)
}

/// Delivers a message through its bytes.
pub fn deliver(fsm: &mut Fsm, now: Instant, message: Message) -> Vec<Action> {
    let bytes = message.to_vec(&fsm.decode_context()).expect("encodable");
    deliver_bytes(fsm, now, &bytes)
}

/// The messages an action list sends.
pub fn sent(actions: &[Action]) -> Vec<Message> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Send(m) => Some(m.clone()),
            _ => None,
        })
        .collect()
}

/// The NOTIFICATION an action list sends, if any.
pub fn notification(actions: &[Action]) -> Option<Notification> {
    actions.iter().find_map(|a| match a {
        Action::Send(Message::Notification(n)) => Some(n.clone()),
        _ => None,
    })
}

/// An FSM that connected at 0 s, got the peer's OPEN at 1 s and its KEEPALIVE at 2 s.
pub fn established_with(config: SessionConfig, open: Open) -> Fsm {
    let mut fsm = Fsm::new(config).expect("valid config");
    fsm.handle(secs(0), Event::ManualStart);
    fsm.handle(secs(0), Event::TcpCrAcked);
    let actions = deliver(&mut fsm, secs(1), Message::Open(open));
    assert_eq!(notification(&actions), None, "OPEN refused: {actions:?}");
    deliver(&mut fsm, secs(2), Message::Keepalive);
    assert_eq!(fsm.state(), bgp_session::State::Established);
    fsm
}

pub fn established() -> Fsm {
    established_with(local(), remote_open())
}
