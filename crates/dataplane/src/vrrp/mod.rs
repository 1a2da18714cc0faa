//! VRRP version 3 (RFC 5798): the advertisement, one router's state machine, and a group of
//! routers on a shared segment.
//!
//! - [`packet`]: the ADVERTISEMENT of §5.1 for IPv4 and IPv6, with its checksum.
//! - [`virtual_router`]: §6's Initialize / Backup / Master machine, sans I/O, on a clock that is
//!   handed in: priorities (255 = address owner, 0 = stopping), `Preempt_Mode`,
//!   `Master_Adver_Interval` learned from the master, `Skew_Time`, `Master_Down_Interval`.
//! - [`group`]: the routers of one VRID on a lossless LAN, on virtual time.
//!
//! To show the election in the forwarding model, bind each router to its interface with
//! [`crate::Network::add_vrrp_router`] and hand every action it returns to
//! [`crate::Network::apply_vrrp_action`]: the virtual addresses then follow the master in
//! traces.

pub mod group;
pub mod packet;
pub mod virtual_router;

#[cfg(test)]
mod tests;

pub use group::Group;
pub use packet::{Addresses, Advertisement, DecodeError, EncodeError};
pub use virtual_router::{
    Action, Config, ConfigError, Event, PRIORITY_OWNER, PRIORITY_STOP, State, VirtualRouter,
};
