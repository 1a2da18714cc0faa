//! What one side of a session is configured with, and the OPEN it sends.
//!
//! The RFC 4271 §8.1.1 optional session attributes this crate fixes, and why:
//! - SendNOTIFICATIONwithoutOPEN: TRUE. A decode error before our OPEN is still answered with
//!   its NOTIFICATION.
//! - CollisionDetectEstablishedState: FALSE. A new connection that collides with an Established
//!   one is closed with Cease 6/7.
//! - DampPeerOscillations: FALSE; AllowAutomaticStart: TRUE when [`SessionConfig::idle_hold_time`]
//!   is set (the FSM restarts itself that long after an error); AllowAutomaticStop: TRUE (the
//!   maximum-prefix stop); TrackTcpState: FALSE.
//! - DelayOpen: TRUE when [`SessionConfig::delay_open_time`] is set.
//! - PassiveTcpEstablishment: chosen per start event, and [`SessionConfig::passive`] makes a side
//!   that never connects.

use bgp_wire::capability::{AddPathFamily, GracefulRestart, GracefulRestartFamily, Multiprotocol};
use bgp_wire::{AS_TRANS, Afi, Capability, Open, OptionalParameter, Safi};
use std::net::Ipv4Addr;
use std::time::Duration;

/// One side's configuration of a session with one peer.
///
/// ```
/// use bgp_session::SessionConfig;
/// use std::net::Ipv4Addr;
///
/// let config = SessionConfig::new(65000, 4_200_000_000, Ipv4Addr::new(192, 0, 2, 1));
/// let open = config.open();
/// assert_eq!(open.my_as, 65000);
/// assert_eq!(open.hold_time, 90);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionConfig {
    /// Our AS number.
    pub local_as: u32,
    /// The AS the peer must announce in its OPEN (else 2/2 Bad Peer AS).
    pub peer_as: u32,
    /// Our BGP Identifier. Must not be 0.0.0.0.
    pub bgp_identifier: Ipv4Addr,
    /// The hold time we propose, in seconds: 0 (no keepalives) or at least 3. Default 90.
    pub hold_time: u16,
    /// The smallest non-zero hold time we accept from the peer (else 2/6 Unacceptable Hold
    /// Time). Default 3.
    pub min_hold_time: u16,
    /// ConnectRetryTime. Default 120 s (RFC 4271 §10).
    pub connect_retry_time: Duration,
    /// The hold time used in OpenSent before the peer's OPEN arrives. Default 240 s ("a large
    /// value", RFC 4271 §8.2.2, 4 minutes suggested).
    pub large_hold_time: Duration,
    /// DelayOpenTime: when set, wait this long for the peer's OPEN after the connection is up
    /// before sending ours. Default unset.
    pub delay_open_time: Option<Duration>,
    /// IdleHoldTime: when set, an FSM that fell back to Idle for any reason but a manual stop
    /// restarts itself (AutomaticStart) after this long. Default 30 s.
    pub idle_hold_time: Option<Duration>,
    /// Never initiate a connection: only accept the peer's. Default false.
    pub passive: bool,
    /// The address families we advertise with the Multiprotocol capability. Default IPv4
    /// unicast.
    pub families: Vec<(Afi, Safi)>,
    /// Advertise Route Refresh (RFC 2918). Default true.
    pub route_refresh: bool,
    /// Advertise Enhanced Route Refresh (RFC 7313). Default false.
    pub enhanced_route_refresh: bool,
    /// Advertise Extended Message (RFC 8654). Default false.
    pub extended_message: bool,
    /// Advertise Graceful Restart (RFC 4724) as a helper, with this restart time in seconds
    /// (12 bits) and no families of our own. Default unset.
    pub graceful_restart: Option<u16>,
    /// The ADD-PATH capability (RFC 7911) we advertise, per family. Default empty.
    pub add_path: Vec<AddPathFamily>,
}

impl SessionConfig {
    /// A configuration with the defaults documented on each field.
    pub fn new(local_as: u32, peer_as: u32, bgp_identifier: Ipv4Addr) -> Self {
        Self {
            local_as,
            peer_as,
            bgp_identifier,
            hold_time: 90,
            min_hold_time: 3,
            connect_retry_time: Duration::from_secs(120),
            large_hold_time: Duration::from_secs(240),
            delay_open_time: None,
            idle_hold_time: Some(Duration::from_secs(30)),
            passive: false,
            families: vec![(Afi::IPV4, Safi::UNICAST)],
            route_refresh: true,
            enhanced_route_refresh: false,
            extended_message: false,
            graceful_restart: None,
            add_path: Vec::new(),
        }
    }

    /// Whether the peer is in our AS (iBGP).
    pub fn is_ibgp(&self) -> bool {
        self.local_as == self.peer_as
    }

    /// Checks the values that would make an invalid OPEN or a timer that never waits.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.bgp_identifier.is_unspecified() {
            return Err(ConfigError::ZeroIdentifier);
        }
        if matches!(self.hold_time, 1 | 2) {
            return Err(ConfigError::HoldTime(self.hold_time));
        }
        if self.local_as == 0 || self.peer_as == 0 {
            return Err(ConfigError::ZeroAs);
        }
        if self.graceful_restart.is_some_and(|t| t > 0x0fff) {
            return Err(ConfigError::RestartTime);
        }
        let timers = [
            ("connect_retry_time", Some(self.connect_retry_time)),
            ("large_hold_time", Some(self.large_hold_time)),
            ("delay_open_time", self.delay_open_time),
            ("idle_hold_time", self.idle_hold_time),
        ];
        if let Some((name, _)) = timers.iter().find(|(_, t)| t.is_some_and(|t| t.is_zero())) {
            return Err(ConfigError::ZeroTimer(name));
        }
        Ok(())
    }

    /// The OPEN we send: our AS (AS_TRANS when over 65535), hold time, identifier, and one
    /// Capabilities parameter.
    pub fn open(&self) -> Open {
        let mut caps: Vec<Capability> = self
            .families
            .iter()
            .map(|&(afi, safi)| {
                Capability::Multiprotocol(Multiprotocol {
                    afi,
                    reserved: 0,
                    safi,
                })
            })
            .collect();
        if self.route_refresh {
            caps.push(Capability::RouteRefresh);
        }
        if self.enhanced_route_refresh {
            caps.push(Capability::EnhancedRouteRefresh);
        }
        if self.extended_message {
            caps.push(Capability::ExtendedMessage);
        }
        if let Some(restart_time) = self.graceful_restart {
            caps.push(Capability::GracefulRestart(GracefulRestart {
                flags: 0,
                restart_time: restart_time & 0x0fff,
                families: Vec::<GracefulRestartFamily>::new(),
            }));
        }
        caps.push(Capability::FourOctetAs(self.local_as));
        if !self.add_path.is_empty() {
            caps.push(Capability::AddPath(self.add_path.clone()));
        }
        Open {
            my_as: u16::try_from(self.local_as).unwrap_or(AS_TRANS),
            hold_time: self.hold_time,
            bgp_identifier: self.bgp_identifier,
            parameters: vec![OptionalParameter::Capabilities(caps)],
            extended_parameters_length: false,
        }
    }
}

/// A configuration the FSM cannot run with.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The BGP Identifier is 0.0.0.0 (RFC 6286 §2.1).
    #[error("the BGP identifier must not be 0.0.0.0")]
    ZeroIdentifier,
    /// A hold time of 1 or 2 seconds (RFC 4271 §4.2).
    #[error("hold time {0} s: must be 0 or at least 3")]
    HoldTime(u16),
    /// AS 0 (RFC 7607).
    #[error("AS 0 cannot be used")]
    ZeroAs,
    /// A graceful restart time over 4095 seconds.
    #[error("the graceful restart time must fit 12 bits (at most 4095 s)")]
    RestartTime,
    /// A timer of zero length.
    #[error("{0} must not be zero")]
    ZeroTimer(&'static str),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_octet_as_goes_in_the_capability() {
        let config = SessionConfig::new(4_200_000_000, 65001, Ipv4Addr::new(10, 0, 0, 1));
        let open = config.open();
        assert_eq!(open.my_as, AS_TRANS);
        assert_eq!(open.asn(), 4_200_000_000);
        assert!(config.validate().is_ok());
    }

    #[test]
    fn rejects_what_would_break_the_open_or_the_timers() {
        let base = SessionConfig::new(65000, 65001, Ipv4Addr::new(10, 0, 0, 1));
        let mut c = base.clone();
        c.hold_time = 2;
        assert_eq!(c.validate(), Err(ConfigError::HoldTime(2)));
        let mut c = base.clone();
        c.bgp_identifier = Ipv4Addr::UNSPECIFIED;
        assert_eq!(c.validate(), Err(ConfigError::ZeroIdentifier));
        let mut c = base;
        c.delay_open_time = Some(Duration::ZERO);
        assert_eq!(c.validate(), Err(ConfigError::ZeroTimer("delay_open_time")));
    }
}
