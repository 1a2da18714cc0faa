//! The engine side of the reconcile: the BGP sessions the provider state wants, compared with
//! what the engine runs, level-triggered (kube-rs style): whatever changed, the desired state
//! is read whole and only the differences become engine calls. Running it twice changes
//! nothing the second time.
//!
//! - [`interlink`]: each InterLink link in service is an engine link with its two sessions.
//! - [`ovh`]: each OVHcloud Connect session (an l3 PoP, a `bgp` extra), with what it
//!   announces and relays ([`relay`]).
//!
//! Engine errors are logged, never sent to the API client: the provider state is the truth,
//! the engine follows it, and the next reconcile tries again.

pub mod interlink;
pub mod ovh;
pub mod relay;

use provider::interlink::LinkConfig;
use provider::ovh_connect::OvhSession;
use rib::Route;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// What the engine was last told to run.
#[derive(Debug, Default)]
pub struct Applied {
    /// InterLink links, by ID.
    pub links: BTreeMap<Uuid, LinkConfig>,
    /// OVH sessions, by engine link ID.
    pub ovh: BTreeMap<String, OvhSession>,
    /// What each OVH session announces: its own prefixes.
    pub ovh_own: BTreeMap<String, BTreeSet<ipnet::IpNet>>,
    /// The learned routes each OVH session relays.
    pub ovh_relayed: BTreeMap<String, Vec<Route>>,
}
