//! Tasks: every change is one task, `todo` → `doing` → `done` (or `error`), and takes effect
//! when it is done ([`OvhConnect::advance`]).
//!
//! A task is `doing` from half its delay and done at its end. Deleting a parent is one task
//! that removes its children with it. A vRack change is both a `vrack.Task` (under
//! `/vrack/{serviceName}/task`) and an `ovhCloudConnect.Task` (`addVrack`, `removeVrack`,
//! under the service), with the same ID.

pub use super::task_record::Effect;

use super::task_record::TaskRecord;
use super::types::{ConfigStatus, Task, TaskFunction, TaskStatus, VrackTask};
use super::{OvhConnect, OvhError};
use chrono::{DateTime, SubsecRound, Utc};
use uuid::Uuid;

impl OvhConnect {
    /// Starts a task at `now` (model time).
    pub(crate) fn start_task(
        &mut self,
        service: Uuid,
        function: TaskFunction,
        resource_id: u64,
        effect: Effect,
        now: DateTime<Utc>,
    ) -> Task {
        let id = self.fresh_id();
        // OVH's dates have whole seconds.
        let now = self.clock(now).trunc_subsecs(0);
        let record = TaskRecord {
            service,
            function,
            resource_id,
            status: TaskStatus::Todo,
            created: now,
            last_update: now,
            effect,
        };
        let view = record.view(id);
        self.tasks.insert(id, record);
        view
    }

    /// Whether an unfinished task would do `effect`.
    pub(crate) fn pending(&self, effect: impl Fn(&Effect) -> bool) -> bool {
        self.tasks
            .values()
            .any(|t| !t.status.finished() && effect(&t.effect))
    }

    /// Moves every task forward to `now`, carrying out those that are done. Gives back whether
    /// anything took effect (the engine's sessions may have changed).
    pub fn advance(&mut self, now: DateTime<Utc>) -> bool {
        let clock = self.clock(now);
        self.started.get_or_insert(clock.trunc_subsecs(0));
        let delay = i64::try_from(self.task_secs)
            .ok()
            .and_then(chrono::Duration::try_seconds)
            .unwrap_or(chrono::Duration::MAX);
        let mut changed = false;
        let ids: Vec<u64> = self
            .tasks
            .iter()
            .filter(|(_, t)| !t.status.finished())
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            let Some(task) = self.tasks.get(&id) else {
                continue;
            };
            let elapsed = clock.signed_duration_since(task.created);
            let status = if elapsed >= delay {
                let due = task.created.checked_add_signed(delay).unwrap_or(clock);
                let ok = self.apply(&task.effect.clone(), due);
                changed = true;
                if ok {
                    TaskStatus::Done
                } else {
                    TaskStatus::Error
                }
            } else if elapsed.checked_mul(2).is_none_or(|twice| twice >= delay) {
                TaskStatus::Doing
            } else {
                continue;
            };
            // Only a task whose status moves is changed (and so written again).
            if self.tasks.get(&id).is_some_and(|t| t.status != status)
                && let Some(task) = self.tasks.get_mut(&id)
            {
                task.status = status;
                task.last_update = clock.trunc_subsecs(0);
            }
        }
        changed
    }

    /// Carries out `effect`, due at `due`; `false` when what it was about is gone.
    fn apply(&mut self, effect: &Effect, due: DateTime<Utc>) -> bool {
        match effect {
            Effect::ActivatePop(id) => activate(self.pops.get_mut(id).map(|p| &mut p.status)),
            Effect::ActivateDatacenter(id) => {
                let Some(d) = self.datacenter_configs.get_mut(id) else {
                    return false;
                };
                let done = activate(Some(&mut d.status));
                if done {
                    d.active_since = Some(due);
                }
                done
            }
            Effect::ActivateExtra(id) => activate(self.extras.get_mut(id).map(|e| &mut e.status)),
            Effect::DeletePop(id) => {
                if self.pops.remove(id).is_none() {
                    return false;
                }
                let emptied: Vec<u64> = self
                    .datacenter_configs
                    .iter_mut_where(|_, dc| dc.pops.contains(id))
                    .filter_map(|(dc_id, dc)| {
                        (dc.pops.remove(id) && dc.pops.is_empty()).then_some(*dc_id)
                    })
                    .collect();
                for dc in emptied {
                    self.remove_datacenter(dc);
                }
                true
            }
            Effect::DeleteDatacenter(id) => self.remove_datacenter(*id),
            Effect::DeleteExtra(id) => self.extras.remove(id).is_some(),
            Effect::Lock(interface, locked) => match self.interfaces.get_mut(interface) {
                Some(i) => {
                    i.locked = *locked;
                    i.since = Some(due.trunc_subsecs(0));
                    true
                }
                None => false,
            },
            Effect::AddVrack(service, vrack) => match self.services.get_mut(service) {
                Some(s) if s.vrack.is_none() => {
                    s.vrack = Some(vrack.clone());
                    true
                }
                _ => false,
            },
            // A service configured meanwhile stays (the task fails).
            Effect::RemoveVrack(service, _)
                if self.pops.values().any(|p| p.service == *service) =>
            {
                false
            }
            Effect::RemoveVrack(service, vrack) => match self.services.get_mut(service) {
                Some(s) if s.vrack.as_ref() == Some(vrack) => {
                    s.vrack = None;
                    true
                }
                _ => false,
            },
        }
    }

    fn remove_datacenter(&mut self, id: u64) -> bool {
        self.extras.retain(|_, e| e.datacenter_config != id);
        self.datacenter_configs.remove(&id).is_some()
    }

    /// `GET /ovhCloudConnect/{serviceName}/task`.
    pub fn list_tasks(&self, service: &str) -> Result<Vec<u64>, OvhError> {
        let uuid = self.service_record(service)?.uuid;
        Ok(self
            .tasks
            .iter()
            .filter(|(_, t)| t.service == uuid)
            .map(|(id, _)| *id)
            .collect())
    }

    /// `GET /ovhCloudConnect/{serviceName}/task/{id}`.
    pub fn get_task(&self, service: &str, id: u64) -> Result<Task, OvhError> {
        let uuid = self.service_record(service)?.uuid;
        self.tasks
            .get(&id)
            .filter(|t| t.service == uuid)
            .map(|t| t.view(id))
            .ok_or_else(|| OvhError::not_found(format!("Task {id} does not exist")))
    }

    /// `GET /vrack/{serviceName}/task`.
    pub fn list_vrack_tasks(&self, vrack: &str) -> Result<Vec<u64>, OvhError> {
        self.vrack(vrack)?;
        Ok(self
            .tasks
            .iter()
            .filter(|(id, t)| t.vrack_view(**id).is_some_and(|v| v.service_name == vrack))
            .map(|(id, _)| *id)
            .collect())
    }

    /// `GET /vrack/{serviceName}/task/{taskId}`.
    pub fn get_vrack_task(&self, vrack: &str, id: u64) -> Result<VrackTask, OvhError> {
        self.vrack(vrack)?;
        self.tasks
            .get(&id)
            .and_then(|t| t.vrack_view(id))
            .filter(|v| v.service_name == vrack)
            .ok_or_else(|| OvhError::not_found(format!("Task {id} does not exist")))
    }
}

fn activate(status: Option<&mut ConfigStatus>) -> bool {
    match status {
        Some(s @ ConfigStatus::Init) => {
            *s = ConfigStatus::Active;
            true
        }
        // Deleted meanwhile (toDelete) or gone: the creation failed.
        _ => false,
    }
}
