//! The kernel side of the reconcile: a [`Renderer`] makes the kernels match the model (the
//! Linux side implements it; in memory there is none). It is level-triggered like the rest:
//! each call gets the whole model and the attachments and changes only what differs.

use crate::attachment::Attachments;
use crate::model::Model;
use crate::vrrp::ObservedGateway;
use std::collections::BTreeMap;

/// Why a rendering failed (one line); the world keeps serving and tries again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RenderError(pub String);

/// What a rendering observed of the kernels' side.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// What the real VRRP speakers say, by datacenter configuration ID.
    pub gateways: BTreeMap<u64, ObservedGateway>,
    /// How many routes changed.
    pub changes: usize,
}

/// Puts the model into the kernels.
pub trait Renderer: Send + Sync + 'static {
    /// Makes the kernels match `model` and `attachments` (blocking: the world calls it off the
    /// runtime's threads). Must not panic; errors are reported, logged and retried.
    fn render(&self, model: &mut Model, attachments: &Attachments)
    -> Result<Rendered, RenderError>;

    /// Whether a real `ping -c1 -W1` from host `from` to host `to` is answered, with the
    /// address pinged (blocking); `None` when either is not a host with a namespace.
    fn ping(&self, from: &str, to: &str) -> Option<Result<(bool, std::net::IpAddr), RenderError>> {
        let _ = (from, to);
        None
    }
}
