//! # topology — the topology file and its runner
//!
//! [`format`] is the topology file (the TOML contract of DESIGN.md) with its reference checks:
//! every error is one `file:line: what` line, and no input panics the parser. [`graph`] draws
//! it (`peerlab graph`).
//!
//! Not here: namespaces, daemons and kernels (the `linux` crate), the provider state and the
//! model (the `world` crate).

pub mod format;
pub mod graph;
