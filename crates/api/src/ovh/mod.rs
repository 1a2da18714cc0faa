//! peerlab's OVH-compatible API: OVHcloud Connect (`/1.0/ovhCloudConnect/…`) and its side of the
//! vRack (`/1.0/vrack/…`), with `/1.0/auth/time`, OVH's request signatures ([`auth`]) and OVH's
//! error bodies (`{"class": …, "message": …}`, never a 5xx).
//!
//! Every handler is one read or write of the world's OVHcloud Connect state; the world moves
//! the tasks forward and reconciles the BGP sessions, their relays and the VRRP gateways
//! ([`world::engine_sync::ovh`], [`world::vrrp`]).
//!
//! The emulator's admin calls for OVH ([`admin`]): move the task clock forward, read the
//! sessions, static routes and VRRP gateways with their live status, make a VRRP router fail.

pub mod admin;
pub mod auth;
mod extract;
mod routes;
pub mod unavailable;

pub use routes::router;

use crate::App;
use chrono::{DateTime, Utc};
use provider::ovh_connect::{OvhConnect, OvhError};

/// The answer while the world is stopping, OVH's way.
fn stopped(_: world::WorldError) -> OvhError {
    OvhError::conflict("The emulator is stopping")
}

impl App {
    /// Runs a read on the OVH model (after moving its tasks forward).
    pub(crate) async fn ovh_read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&OvhConnect) -> Result<T, OvhError> + Send + 'static,
    ) -> Result<T, OvhError> {
        self.world()
            .read(move |s| f(&s.ovh))
            .await
            .map_err(stopped)?
    }

    /// Runs a write on the OVH model: saved and reconciled before it is answered.
    pub(crate) async fn ovh_write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut OvhConnect, DateTime<Utc>) -> Result<T, OvhError> + Send + 'static,
    ) -> Result<T, OvhError> {
        self.world()
            .write(move |s, now| f(&mut s.ovh, now))
            .await
            .map_err(stopped)?
    }
}
