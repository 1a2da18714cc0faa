//! The customer's routers: FRR, BIRD and GoBGP in their namespaces ([`daemon`]), and
//! peerlab's own speaker ([`embedded`]), in memory over the in-memory [`wiring`] or over real
//! TCP in its own namespace ([`embedded_tcp`]) when it stands beside daemons.

pub mod daemon;
pub mod embedded;
pub mod embedded_tcp;
pub mod wiring;

pub use daemon::DaemonRouter;
pub use embedded::EmbeddedRouter;
pub use wiring::{InMemory, Wiring};
