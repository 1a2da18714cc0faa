//! A link's life in time, and what the engine and admins tell the provider.
//!
//! - `configuring` lasts [`Settings::configuring_secs`](crate::catalogue::Settings) (0 by default:
//!   the create answer already shows what follows).
//! - Self-hosted links then enter service. Hosted links become `requested`; the partner approves
//!   (by itself after its `auto_approve_secs`, or through [`InterLink::approve_hosted_link`]) or
//!   refuses ([`InterLink::refuse_hosted_link`]); a request left unanswered for
//!   `hosted_request_expiry_secs` (10 days) is `expired`. An approved link is `provisioning` for
//!   the partner's `provisioning_secs`, then enters service.
//! - Time only moves when told: [`InterLink::advance`] applies every transition that is due at
//!   `now` (each at the moment it was due, so one call catches up any delay). The API layer calls
//!   it before serving a request.
//! - Entering service emits `ConfigureLink` with the whole configuration.
//!
//! Which actions a link accepts: none while `configuring` (`transient_state`) or locked
//! (`locked`); only reads, updates and deletion once `expired` (`resource_expired`) or `refused`
//! (`precondition_failed`).

use super::intent::{Family, Intent};
use super::link::{BgpStatus, Host, Link, LinkRecord, Phase};
use super::{InterLink, WithIntents};
use crate::error::{Precondition, ProviderError};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

fn after(t: DateTime<Utc>, secs: u64) -> DateTime<Utc> {
    let secs = i64::try_from(secs).unwrap_or(i64::MAX);
    t.checked_add_signed(Duration::seconds(secs.min(100 * 365 * 24 * 3600)))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

impl InterLink {
    /// Applies the transitions of one link that are due at `now`.
    pub(crate) fn advance_link(&mut self, link_id: Uuid, now: DateTime<Utc>) -> Vec<Intent> {
        let mut intents = Vec::new();
        while let Some(link) = self.links.get(&link_id) {
            let since = link.phase_since;
            let partner = match &link.host {
                Host::Hosted { partner_id, .. } => self.partners.get(partner_id),
                Host::SelfHosted { .. } => None,
            };
            let next = match link.phase {
                Phase::Configuring => {
                    let due = after(since, self.settings.configuring_secs);
                    (now >= due).then(|| {
                        if link.is_hosted() {
                            (Phase::Requested, due)
                        } else {
                            (Phase::InService, due)
                        }
                    })
                }
                Phase::Requested => {
                    let expiry = after(since, self.settings.hosted_request_expiry_secs);
                    let approval = partner
                        .and_then(|p| p.auto_approve_secs)
                        .map(|secs| after(since, secs));
                    match approval {
                        Some(due) if due < expiry && now >= due => Some((Phase::Provisioning, due)),
                        _ if now >= expiry => Some((Phase::Expired, expiry)),
                        _ => None,
                    }
                }
                Phase::Provisioning => {
                    let due = after(since, partner.map(|p| p.provisioning_secs).unwrap_or(0));
                    (now >= due).then_some((Phase::InService, due))
                }
                Phase::InService | Phase::Refused | Phase::Expired => None,
            };
            let Some((phase, at)) = next else { break };
            if let Some(link) = self.links.get_mut(&link_id) {
                link.phase = phase;
                link.phase_since = at;
            }
            if phase == Phase::InService {
                intents.extend(self.link_config(link_id).map(Intent::ConfigureLink));
            }
        }
        intents
    }

    /// Applies every transition due at `now` (see the module documentation).
    pub fn advance(&mut self, now: DateTime<Utc>) -> Vec<Intent> {
        let ids: Vec<Uuid> = self.links.keys().copied().collect();
        ids.into_iter()
            .flat_map(|id| self.advance_link(id, now))
            .collect()
    }

    /// Admin: the partner accepts a `requested` hosted link; it goes `provisioning`.
    pub fn approve_hosted_link(
        &mut self,
        link_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<WithIntents<Link>, ProviderError> {
        let mut intents = self.advance_link(link_id, now);
        let link = self.link_mut(link_id)?;
        if link.phase != Phase::Requested {
            return Err(ProviderError::precondition(
                Precondition::UnknownPrecondition,
                format!(
                    "link {link_id} is {}, not requested",
                    link.status().as_str()
                ),
            ));
        }
        link.phase = Phase::Provisioning;
        link.phase_since = now;
        intents.extend(self.advance_link(link_id, now));
        Ok((self.any_link(link_id)?.view(), intents))
    }

    /// Admin: the partner refuses a `requested` hosted link, saying why.
    pub fn refuse_hosted_link(
        &mut self,
        link_id: Uuid,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Link, ProviderError> {
        self.advance_link(link_id, now);
        let link = self.link_mut(link_id)?;
        if link.phase != Phase::Requested {
            return Err(ProviderError::precondition(
                Precondition::UnknownPrecondition,
                format!(
                    "link {link_id} is {}, not requested",
                    link.status().as_str()
                ),
            ));
        }
        link.phase = Phase::Refused;
        link.phase_since = now;
        if let Host::Hosted {
            disapproved_reason, ..
        } = &mut link.host
        {
            *disapproved_reason = Some(reason.to_string());
        }
        Ok(link.view())
    }

    /// Admin: locks or unlocks a link (Trust and Safety). A locked link shows `locked` and refuses
    /// every action but reads.
    pub fn set_link_locked(&mut self, link_id: Uuid, locked: bool) -> Result<Link, ProviderError> {
        let link = self.link_mut(link_id)?;
        link.locked = locked;
        Ok(link.view())
    }

    /// Engine: a session's state changed (`up` when Established, `down` otherwise). The shown
    /// `bgp_v4_status` / `bgp_v6_status` stay `disabled` while the session is not configured; the
    /// link's `status` follows (see [`derive_link_status`](super::derive_link_status)).
    pub fn set_session_status(
        &mut self,
        link_id: Uuid,
        family: Family,
        status: BgpStatus,
    ) -> Result<Link, ProviderError> {
        if status == BgpStatus::UnknownBgpStatus {
            return Err(ProviderError::constraint(
                "status",
                "must be up, down or disabled",
            ));
        }
        let link = self.link_mut(link_id)?;
        *link.reported_slot(family) = status;
        if status == BgpStatus::Up && link.policy_id(family).is_some() && link.is_in_service() {
            link.ever_established = true;
        }
        Ok(link.view())
    }

    /// Refuses actions a link in its current state does not accept; `allow_terminal` lets
    /// updates and deletion through on refused and expired links.
    pub(crate) fn check_actionable(
        link: &LinkRecord,
        allow_terminal: bool,
    ) -> Result<(), ProviderError> {
        if link.locked {
            return Err(ProviderError::Locked {
                resource: "link".into(),
                resource_id: link.id.to_string(),
            });
        }
        match link.phase {
            Phase::Configuring => Err(ProviderError::TransientState {
                resource: "link".into(),
                resource_id: link.id.to_string(),
                current_state: "configuring".into(),
            }),
            Phase::Expired if !allow_terminal => Err(ProviderError::ResourceExpired {
                resource: "link".into(),
                resource_id: link.id.to_string(),
                expired_since: link.phase_since,
            }),
            Phase::Refused if !allow_terminal => Err(ProviderError::precondition(
                Precondition::UnknownPrecondition,
                "the partner refused this link; delete it and order a new one",
            )),
            _ => Ok(()),
        }
    }
}
