//! A task as the model keeps it ([`TaskRecord`]): the service, function, resource and status
//! of an `ovhcloudconnect.Task`, and the [`Effect`] it has when it is done; and how the API
//! shows it (an `ovhCloudConnect.Task`, or a `vrack.Task` for a vRack change).
//!
//! Plain data that the OVHcloud Connect state keeps; the task rules are in
//! [`task`](super::task).

use super::types::{Task, TaskFunction, TaskStatus, VrackTask};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a task does when it is done.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    /// A PoP configuration becomes `active`.
    ActivatePop(u64),
    /// A PoP configuration goes, with the datacenter configurations only it used.
    DeletePop(u64),
    /// A datacenter configuration becomes `active`.
    ActivateDatacenter(u64),
    /// A datacenter configuration goes, with its extras.
    DeleteDatacenter(u64),
    /// An extra becomes `active`.
    ActivateExtra(u64),
    /// An extra goes.
    DeleteExtra(u64),
    /// An interface is locked (`true`) or unlocked.
    Lock(u64, bool),
    /// A service joins a vRack.
    AddVrack(Uuid, String),
    /// A service leaves its vRack.
    RemoveVrack(Uuid, String),
}

/// A task as the model keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TaskRecord {
    pub service: Uuid,
    pub function: TaskFunction,
    pub resource_id: u64,
    pub status: TaskStatus,
    pub created: DateTime<Utc>,
    pub last_update: DateTime<Utc>,
    pub effect: Effect,
}

impl TaskRecord {
    pub(super) fn view(&self, id: u64) -> Task {
        Task {
            function: self.function,
            id,
            resource_id: self.resource_id,
            status: self.status,
        }
    }

    pub(super) fn vrack_view(&self, id: u64) -> Option<VrackTask> {
        let (function, vrack) = match &self.effect {
            Effect::AddVrack(_, v) => ("addOvhCloudConnectToVrack", v),
            Effect::RemoveVrack(_, v) => ("removeOvhCloudConnectFromVrack", v),
            _ => return None,
        };
        Some(VrackTask {
            function: function.into(),
            id,
            last_update: Some(self.last_update),
            order_id: None,
            service_name: vrack.clone(),
            status: self.status.into(),
            target_domain: self.service.to_string(),
            todo_date: self.created,
        })
    }
}
