//! The Load Balancer's life in time, and what the data plane tells the provider.
//!
//! As recorded from the real service:
//! - a new LB is `to_create` (no instance), then `creating` (its instance `unknown`), then
//!   `ready` (instance `ready`);
//! - each configuration change (backend, frontend, ACL, route, certificate, private network,
//!   servers, health check) puts the instance in `pending` while the LB stays `ready`; it is
//!   `ready` again once applied;
//! - a migration is `migrating`, then `ready` on the new type with a new instance;
//! - a deleted LB is `to_delete`, then gone (404);
//! - Let's Encrypt certificates and private network attachments are `pending`, then `ready`.
//!
//! [`LoadBalancers::advance`] applies every transition due at `now` (each at the moment it was
//! due). How long each lasts is in [`LbSettings`](super::LbSettings). When
//! `config_apply_ms` is `None`, only the data plane makes a pending instance `ready` (or
//! `error`), through [`LoadBalancers::set_instance_status`].

use super::LoadBalancers;
use super::other_types::{CertificateStatus, PrivateNetworkStatus, ServerReport};
use super::records::Phase;
use super::types::InstanceStatus;
use crate::error::ProviderError;
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

/// `t` plus `ms` milliseconds (saturating).
pub(crate) fn after(t: DateTime<Utc>, ms: u64) -> DateTime<Utc> {
    let ms = i64::try_from(ms).unwrap_or(i64::MAX);
    t.checked_add_signed(Duration::milliseconds(ms.min(100 * 365 * 24 * 3600 * 1000)))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

impl LoadBalancers {
    /// Applies every transition due at `now`.
    pub fn advance(&mut self, now: DateTime<Utc>) {
        let s = self.settings.clone();
        let mut gone = Vec::new();
        let mut new_instances = Vec::new();
        for lb in self.lbs.values_mut() {
            loop {
                let since = lb.phase_since;
                let next = match &lb.phase {
                    Phase::ToCreate => {
                        let due = after(since, s.to_create_ms);
                        (now >= due).then_some((Phase::Creating, due))
                    }
                    Phase::Creating => {
                        let due = after(since, s.creating_ms);
                        (now >= due).then_some((Phase::Ready, due))
                    }
                    Phase::Migrating { to_type } => {
                        let due = after(since, s.migrating_ms);
                        (now >= due).then(|| {
                            lb.type_ = to_type.clone();
                            new_instances.push(lb.id);
                            (Phase::Ready, due)
                        })
                    }
                    Phase::ToDelete => {
                        if now >= after(since, s.to_delete_ms) {
                            gone.push(lb.id);
                        }
                        None
                    }
                    Phase::Ready => None,
                };
                let Some((phase, at)) = next else { break };
                if phase == Phase::Ready {
                    lb.instance.status = InstanceStatus::Ready;
                    lb.instance.updated_at = at;
                    lb.updated_at = at;
                }
                lb.phase = phase;
                lb.phase_since = at;
            }
            let applied = s
                .config_apply_ms
                .map(|ms| after(lb.instance.updated_at, ms))
                .filter(|due| now >= *due);
            if let (Phase::Ready, InstanceStatus::Pending, Some(due)) =
                (&lb.phase, lb.instance.status, applied)
            {
                lb.instance.status = InstanceStatus::Ready;
                lb.instance.updated_at = due;
            }
        }
        for id in new_instances {
            let instance_id = self.ids.next_uuid();
            if let Some(lb) = self.lbs.get_mut(&id) {
                lb.instance.id = instance_id;
                lb.instance.created_at = lb.phase_since;
            }
        }
        for id in gone {
            self.lbs.remove(&id);
        }
        for c in self.certificates.values_mut() {
            if c.config.status == CertificateStatus::Pending
                && now >= after(c.config.created_at, s.certificate_ms)
            {
                c.issue_letsencrypt_standin(after(c.config.created_at, s.certificate_ms));
            }
        }
        let mut detached = Vec::new();
        for (key, a) in self.attachments.iter_mut() {
            let due = after(a.updated_at, s.private_network_ms);
            if a.status == PrivateNetworkStatus::Pending && now >= due {
                if a.detaching {
                    detached.push(*key);
                } else {
                    a.status = PrivateNetworkStatus::Ready;
                    a.updated_at = due;
                }
            }
        }
        for key in detached {
            self.attachments.remove(&key);
        }
    }

    /// Marks an LB's configuration changed at `now`: its instance is `pending` until applied.
    pub(crate) fn config_changed(&mut self, lb_id: Uuid, now: DateTime<Utc>) {
        if let Some(lb) = self.lbs.get_mut(&lb_id) {
            if lb.phase == Phase::Ready {
                lb.instance.status = InstanceStatus::Pending;
                lb.instance.reason = None;
            }
            lb.instance.updated_at = now;
        }
    }

    /// Data plane: the LB's configuration is applied (`ready`), or was refused (`error`, with
    /// HAProxy's reason); `pending` and the others are accepted as they come. The LB's status is
    /// `error` while its instance is.
    pub fn set_instance_status(
        &mut self,
        lb_id: Uuid,
        status: InstanceStatus,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<(), ProviderError> {
        let lb = self.lb_mut(lb_id)?;
        if lb.instance.status != status || lb.instance.reason != reason {
            lb.instance.status = status;
            lb.instance.reason = reason;
            lb.instance.updated_at = now;
        }
        Ok(())
    }

    /// Why the data plane put the LB's instance in `error`, if it did.
    pub fn instance_error(&self, lb_id: Uuid) -> Option<&str> {
        self.lbs.get(&lb_id)?.instance.reason.as_deref()
    }

    /// Data plane: what it found of each server of each backend of the LB (from HAProxy's stats
    /// socket, or the model's health checks). Replaces the previous report.
    pub fn set_server_reports(
        &mut self,
        lb_id: Uuid,
        reports: impl IntoIterator<Item = (Uuid, String, ServerReport)>,
    ) -> Result<(), ProviderError> {
        let lb = self.lb_mut(lb_id)?;
        lb.server_reports = reports
            .into_iter()
            .map(|(backend, ip, r)| ((backend, ip), r))
            .collect();
        Ok(())
    }
}
