//! The inputs of the FSM: the events of RFC 4271 §8.1, plus the few this crate adds
//! (ROUTE-REFRESH, maximum-prefix).
//!
//! Timer events are produced by the FSM itself from [`crate::Fsm::on_timeout`]; message events
//! come from [`Event::from_decoded`], which sorts `bgp_wire::decode`'s answer into the RFC's
//! events. Nothing here reads a socket.

use bgp_wire::notification::{cease_subcode, code, open_subcode};
use bgp_wire::{Afi, Decoded, Message, Notification, Open, Rfc7606, RouteRefresh, Safi, Update};
use std::fmt;

/// An FSM input. Variant names are the RFC 4271 §8.1 event names; the doc comment gives the
/// event number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// Event 1: the operator starts the session.
    ManualStart,
    /// Event 2: the operator stops the session, for a reason that picks the Cease subcode.
    ManualStop(StopReason),
    /// Event 3: the implementation (re)starts the session.
    AutomaticStart,
    /// Event 4: the operator starts the session, waiting for the peer to connect.
    ManualStartWithPassiveTcpEstablishment,
    /// Event 5: the implementation (re)starts the session, waiting for the peer to connect.
    AutomaticStartWithPassiveTcpEstablishment,
    /// Event 8: the implementation stops the session.
    AutomaticStop(StopReason),
    /// Event 9.
    ConnectRetryTimerExpires,
    /// Event 10.
    HoldTimerExpires,
    /// Event 11.
    KeepaliveTimerExpires,
    /// Event 12.
    DelayOpenTimerExpires,
    /// Event 13.
    IdleHoldTimerExpires,
    /// Event 14: an incoming connection from the peer's address and port (accepted by the
    /// [`crate::Peer`] that owns this FSM).
    TcpConnectionValid,
    /// Event 15: an incoming connection from an unexpected address or port.
    TcpCrInvalid,
    /// Event 16: the connection this side initiated completed.
    TcpCrAcked,
    /// Event 17: the connection the peer initiated completed.
    TcpConnectionConfirmed,
    /// Event 18: the connection failed or the peer closed it.
    TcpConnectionFails,
    /// Event 19, or event 20 (BGPOpen with DelayOpenTimer running): the FSM tells them apart by
    /// its own DelayOpenTimer. The OPEN has been decoded but not yet validated.
    BgpOpen(Open),
    /// Event 21: a message header error; the NOTIFICATION to send.
    BgpHeaderErr(Notification),
    /// Event 22: an OPEN message error; the NOTIFICATION to send.
    BgpOpenMsgErr(Notification),
    /// Event 23: collision detection chose to close this connection.
    OpenCollisionDump,
    /// Event 24: the peer sent a NOTIFICATION with an Unsupported Version Number error.
    NotifMsgVerErr(Notification),
    /// Event 25: the peer sent any other NOTIFICATION.
    NotifMsg(Notification),
    /// Event 26.
    KeepAliveMsg,
    /// Event 27: a valid UPDATE, with the RFC 7606 outcome the receiver must apply.
    UpdateMsg(Update, Option<Rfc7606>),
    /// Event 28: an UPDATE (or ROUTE-REFRESH) error that ends the session; the NOTIFICATION to
    /// send.
    UpdateMsgErr(Notification),
    /// A ROUTE-REFRESH message (RFC 2918, RFC 7313).
    RouteRefreshMsg(RouteRefresh),
    /// The owner counted more prefixes of a family than the configured limit: an automatic
    /// stop with Cease 6/1 (RFC 4486 §4).
    MaxPrefixExceeded {
        /// The family's AFI.
        afi: Afi,
        /// The family's SAFI.
        safi: Safi,
        /// The limit that was exceeded.
        limit: u32,
    },
}

impl Event {
    /// Sorts the result of `bgp_wire::decode` into the RFC 4271 event it is.
    ///
    /// ```
    /// use bgp_session::Event;
    /// use bgp_wire::{Context, decode};
    ///
    /// let keepalive = [[0xff; 16].as_slice(), &[0, 19, 4]].concat();
    /// assert_eq!(Event::from_decoded(decode(&keepalive, &Context::default())), Event::KeepAliveMsg);
    ///
    /// let mut garbage = keepalive.clone();
    /// garbage[3] = 0;
    /// assert!(matches!(
    ///     Event::from_decoded(decode(&garbage, &Context::default())),
    ///     Event::BgpHeaderErr(n) if n.code == 1 && n.subcode == 1
    /// ));
    /// ```
    pub fn from_decoded(decoded: Result<Decoded, Notification>) -> Event {
        match decoded {
            Ok(Decoded { message, rfc7606 }) => match message {
                Message::Open(open) => Event::BgpOpen(open),
                Message::Update(update) => Event::UpdateMsg(update, rfc7606),
                Message::Notification(n)
                    if n.code == code::OPEN_MESSAGE
                        && n.subcode == open_subcode::UNSUPPORTED_VERSION_NUMBER =>
                {
                    Event::NotifMsgVerErr(n)
                }
                Message::Notification(n) => Event::NotifMsg(n),
                Message::Keepalive => Event::KeepAliveMsg,
                Message::RouteRefresh(rr) => Event::RouteRefreshMsg(rr),
            },
            Err(n) => match n.code {
                code::OPEN_MESSAGE => Event::BgpOpenMsgErr(n),
                code::UPDATE_MESSAGE | code::ROUTE_REFRESH_MESSAGE => Event::UpdateMsgErr(n),
                _ => Event::BgpHeaderErr(n),
            },
        }
    }

    /// The RFC 4271 event number, `None` for the events this crate adds.
    pub fn number(&self) -> Option<u8> {
        Some(match self {
            Event::ManualStart => 1,
            Event::ManualStop(_) => 2,
            Event::AutomaticStart => 3,
            Event::ManualStartWithPassiveTcpEstablishment => 4,
            Event::AutomaticStartWithPassiveTcpEstablishment => 5,
            Event::AutomaticStop(_) => 8,
            Event::ConnectRetryTimerExpires => 9,
            Event::HoldTimerExpires => 10,
            Event::KeepaliveTimerExpires => 11,
            Event::DelayOpenTimerExpires => 12,
            Event::IdleHoldTimerExpires => 13,
            Event::TcpConnectionValid => 14,
            Event::TcpCrInvalid => 15,
            Event::TcpCrAcked => 16,
            Event::TcpConnectionConfirmed => 17,
            Event::TcpConnectionFails => 18,
            Event::BgpOpen(_) => 19,
            Event::BgpHeaderErr(_) => 21,
            Event::BgpOpenMsgErr(_) => 22,
            Event::OpenCollisionDump => 23,
            Event::NotifMsgVerErr(_) => 24,
            Event::NotifMsg(_) => 25,
            Event::KeepAliveMsg => 26,
            Event::UpdateMsg(..) => 27,
            Event::UpdateMsgErr(_) => 28,
            Event::RouteRefreshMsg(_) | Event::MaxPrefixExceeded { .. } => return None,
        })
    }

    /// The event's name as RFC 4271 writes it.
    pub fn name(&self) -> &'static str {
        match self {
            Event::ManualStart => "ManualStart",
            Event::ManualStop(_) => "ManualStop",
            Event::AutomaticStart => "AutomaticStart",
            Event::ManualStartWithPassiveTcpEstablishment => {
                "ManualStart_with_PassiveTcpEstablishment"
            }
            Event::AutomaticStartWithPassiveTcpEstablishment => {
                "AutomaticStart_with_PassiveTcpEstablishment"
            }
            Event::AutomaticStop(_) => "AutomaticStop",
            Event::ConnectRetryTimerExpires => "ConnectRetryTimer_Expires",
            Event::HoldTimerExpires => "HoldTimer_Expires",
            Event::KeepaliveTimerExpires => "KeepaliveTimer_Expires",
            Event::DelayOpenTimerExpires => "DelayOpenTimer_Expires",
            Event::IdleHoldTimerExpires => "IdleHoldTimer_Expires",
            Event::TcpConnectionValid => "TcpConnection_Valid",
            Event::TcpCrInvalid => "Tcp_CR_Invalid",
            Event::TcpCrAcked => "Tcp_CR_Acked",
            Event::TcpConnectionConfirmed => "TcpConnectionConfirmed",
            Event::TcpConnectionFails => "TcpConnectionFails",
            Event::BgpOpen(_) => "BGPOpen",
            Event::BgpHeaderErr(_) => "BGPHeaderErr",
            Event::BgpOpenMsgErr(_) => "BGPOpenMsgErr",
            Event::OpenCollisionDump => "OpenCollisionDump",
            Event::NotifMsgVerErr(_) => "NotifMsgVerErr",
            Event::NotifMsg(_) => "NotifMsg",
            Event::KeepAliveMsg => "KeepAliveMsg",
            Event::UpdateMsg(..) => "UpdateMsg",
            Event::UpdateMsgErr(_) => "UpdateMsgErr",
            Event::RouteRefreshMsg(_) => "RouteRefreshMsg",
            Event::MaxPrefixExceeded { .. } => "MaxPrefixExceeded",
        }
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.number() {
            Some(n) => write!(f, "{} (event {n})", self.name()),
            None => f.write_str(self.name()),
        }
    }
}

/// Why a session is stopped: picks the Cease subcode sent to the peer (RFC 4486, RFC 8203).
///
/// A shutdown communication (RFC 8203/9003) is sent as at most 255 octets of UTF-8; a longer
/// text is cut at a character boundary.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StopReason {
    /// 6/2 Administrative Shutdown, with an optional shutdown communication.
    AdministrativeShutdown(Option<String>),
    /// 6/3 Peer De-configured.
    PeerDeconfigured,
    /// 6/4 Administrative Reset, with an optional shutdown communication.
    AdministrativeReset(Option<String>),
    /// 6/6 Other Configuration Change.
    OtherConfigurationChange,
    /// 6/8 Out of Resources.
    OutOfResources,
}

impl StopReason {
    /// The Cease NOTIFICATION that tells the peer.
    pub fn notification(&self) -> Notification {
        let (subcode, communication) = match self {
            StopReason::AdministrativeShutdown(text) => {
                (cease_subcode::ADMINISTRATIVE_SHUTDOWN, text.as_deref())
            }
            StopReason::PeerDeconfigured => (cease_subcode::PEER_DECONFIGURED, None),
            StopReason::AdministrativeReset(text) => {
                (cease_subcode::ADMINISTRATIVE_RESET, text.as_deref())
            }
            StopReason::OtherConfigurationChange => {
                (cease_subcode::OTHER_CONFIGURATION_CHANGE, None)
            }
            StopReason::OutOfResources => (cease_subcode::OUT_OF_RESOURCES, None),
        };
        Notification::new(
            code::CEASE,
            subcode,
            communication
                .map(shutdown_communication)
                .unwrap_or_default(),
        )
    }
}

impl Default for StopReason {
    /// 6/2 Administrative Shutdown without a communication.
    fn default() -> Self {
        StopReason::AdministrativeShutdown(None)
    }
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.notification();
        match n.shutdown_communication() {
            Some(text) => write!(f, "{} \"{text}\"", n.name()),
            None => f.write_str(&n.name()),
        }
    }
}

/// The RFC 8203/9003 data: one length octet, then at most 255 octets of UTF-8.
fn shutdown_communication(text: &str) -> Vec<u8> {
    let mut end = text.len().min(255);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let bytes = &text.as_bytes()[..end];
    let mut data = Vec::with_capacity(1 + bytes.len());
    data.push(bytes.len() as u8);
    data.extend_from_slice(bytes);
    data
}

/// The RFC 4486 §4 data of a 6/1 Cease: AFI (2 octets), SAFI (1), the limit (4).
pub fn max_prefix_data(afi: Afi, safi: Safi, limit: u32) -> Vec<u8> {
    let mut data = Vec::with_capacity(7);
    data.extend_from_slice(&afi.0.to_be_bytes());
    data.push(safi.0);
    data.extend_from_slice(&limit.to_be_bytes());
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shutdown_communication_is_length_prefixed_and_cut_on_a_char() {
        let n = StopReason::AdministrativeShutdown(Some("maintenance".into())).notification();
        assert_eq!((n.code, n.subcode), (6, 2));
        assert_eq!(n.data[0], 11);
        assert_eq!(n.shutdown_communication(), Some("maintenance"));
        let long = "é".repeat(200); // 400 octets
        let data = shutdown_communication(&long);
        assert_eq!(data[0], 254);
        assert!(std::str::from_utf8(&data[1..]).is_ok());
        assert_eq!(StopReason::default().notification().data, Vec::<u8>::new());
    }

    #[test]
    fn max_prefix_data_layout() {
        assert_eq!(
            max_prefix_data(Afi::IPV6, Safi::UNICAST, 1000),
            [0, 2, 1, 0, 0, 0x03, 0xe8]
        );
    }
}
