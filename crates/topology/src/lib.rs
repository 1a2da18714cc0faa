//! # topology — the topology file and its runner
//!
//! [`format`] is the topology file (the TOML contract of DESIGN.md) with its reference checks:
//! every error is one `file:line: what` line, and no input panics the parser. [`graph`] draws
//! it (`peerlab graph`); [`containerlab`] exports it as a containerlab lab (`peerlab export
//! containerlab`); [`junit`] writes a run's JUnit XML; [`capture`] checks `--capture DIR` before
//! a run.
//!
//! [`runner`] brings a topology up in a running [`world`]: the provider resources through the
//! API in process, the customer's routers and hosts as the world's attachments, then the
//! expectations and steps, and a report.
//!
//! Not here: namespaces, daemons and kernels (the `linux` crate), the provider state and the
//! model (the `world` crate), the command line (`peerlab`).

pub mod capture;
pub mod containerlab;
pub mod format;
pub mod graph;
pub mod junit;
pub mod runner;
