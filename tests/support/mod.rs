//! Test support for recording what real BGP daemons put on the wire.
//!
//! `golden_capture` starts FRR, BIRD and GoBGP one by one ([`daemons`]),
//! lets each open an eBGP session to a tiny hand-written BGP endpoint
//! ([`recorder`], using the raw helpers of [`wire`]), drives the
//! [`scenario`] (announce, withdraw, shut down), checks the recording on raw
//! bytes ([`checks`]) and keeps it as a golden hex file ([`golden`]).
//!
//! Nothing here uses the workspace's codec crate: the golden vectors are
//! meant to test it, so they must come from independent code.

pub mod checks;
pub mod daemons;
pub mod golden;
pub mod recorder;
pub mod scenario;
pub mod wire;
