//! # dataplane — the emulated provider network's forwarding model
//!
//! VLAN (802.1Q) ports per connection and link, a VRF per VPC, FIBs built from the RIBs plus
//! connected and static routes (longest-prefix match), VRRP version 3 groups (RFC 5798) on a
//! clock that is handed in, and `trace`: a packet's hops and the reason it stops.
//!
//! Pure and deterministic: no sockets, no wall clock.
