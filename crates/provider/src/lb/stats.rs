//! Statistics: `GetLbStats` and `ListBackendStats`, one entry per server of each backend.
//!
//! The figures are what the data plane last reported
//! ([`LoadBalancers::set_server_reports`]: HAProxy's stats socket, or the model's checks). A
//! server nothing has reported on yet is `starting` with an `unknown` last check (our choice:
//! HAProxy's state before its first check).

use super::list::{ListBackendStatsResponse, StatsRequest};
use super::other_types::{BackendServerStats, HealthCheckStatus, LbStats, ServerState};
use super::{LoadBalancers, Locality};
use crate::error::ProviderError;
use crate::list::{check_page, paginate};
use crate::scope::Caller;
use uuid::Uuid;

impl LoadBalancers {
    fn server_stats(
        &self,
        loc: Locality,
        caller: &Caller,
        lb_id: Uuid,
        backend_id: Option<Uuid>,
    ) -> Result<Vec<BackendServerStats>, ProviderError> {
        let lb = self.visible_lb(loc, caller, lb_id)?;
        if let Some(b) = backend_id
            && self.backends.get(&b).is_none_or(|b| b.lb_id != lb_id)
        {
            return Err(super::missing(super::not_found::BACKEND));
        }
        let mut backends: Vec<_> = self
            .backends
            .values()
            .filter(|b| b.lb_id == lb_id && backend_id.is_none_or(|id| id == b.config.id))
            .collect();
        backends.sort_by_key(|b| b.seq);
        Ok(backends
            .into_iter()
            .flat_map(|b| {
                b.config.pool.iter().map(move |ip| {
                    let report = lb.server_reports.get(&(b.config.id, ip.clone()));
                    BackendServerStats {
                        instance_id: lb.instance.id,
                        backend_id: b.config.id,
                        ip: ip.clone(),
                        server_state: report.map_or(ServerState::Starting, |r| r.server_state),
                        server_state_changed_at: report.and_then(|r| r.server_state_changed_at),
                        last_health_check_status: report
                            .map_or(HealthCheckStatus::Unknown, |r| r.last_health_check_status),
                    }
                })
            })
            .collect())
    }

    /// `GET /lbs/{id}/stats` (`backend_id` narrows it).
    pub fn get_lb_stats(
        &self,
        loc: Locality,
        caller: &Caller,
        lb_id: Uuid,
        req: &StatsRequest,
    ) -> Result<LbStats, ProviderError> {
        Ok(LbStats {
            backend_servers_stats: self.server_stats(loc, caller, lb_id, req.backend_id)?,
        })
    }

    /// `GET /lbs/{id}/backend-stats` (paginated; `backend_id` narrows it).
    pub fn list_backend_stats(
        &self,
        loc: Locality,
        caller: &Caller,
        lb_id: Uuid,
        req: &StatsRequest,
    ) -> Result<ListBackendStatsResponse, ProviderError> {
        let (page, size) = check_page(req.page, req.page_size)?;
        let all = self.server_stats(loc, caller, lb_id, req.backend_id)?;
        let (backend_servers_stats, total_count) = paginate(all, page, size);
        Ok(ListBackendStatsResponse {
            backend_servers_stats,
            total_count,
        })
    }
}
