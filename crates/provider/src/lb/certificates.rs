//! Certificate calls: create, get, list, update (the name), delete.
//!
//! - `custom_certificate`: the chain is read at once (CN, DNS SANs, dates, SHA-1) and the
//!   certificate is `ready` (as recorded; its answered `fingerprint` is `""`, as recorded too;
//!   the model keeps the SHA-1 for the data plane);
//! - `letsencrypt`: `pending`, then `ready` with a self-signed stand-in (see `cert_pem.rs`), or
//!   `error` with `status_details` if the names cannot be put in a certificate.
//!
//! A certificate a frontend serves cannot be deleted (`precondition_failed`).

use super::cert_pem::{letsencrypt_standin, parse_chain};
use super::list::{ListByNameRequest, ListCertificatesResponse, SortKey};
use super::other_types::{Certificate, CertificateConfig, CertificateStatus, CertificateType};
use super::records::{CertificateRecord, still_in_use};
use super::requests::{CreateCertificateRequest, UpdateCertificateRequest};
use super::{LoadBalancers, Locality};
use crate::error::{ArgumentReason, ProviderError};
use crate::list::{check_page, name_matches, paginate};
use crate::scope::Caller;
use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

/// `0001-01-01T00:00:00Z`: the dates of a certificate not yet issued, as recorded.
fn zero_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

impl CertificateRecord {
    /// Issues the Let's Encrypt stand-in at `at` (or records why it cannot be).
    pub(crate) fn issue_letsencrypt_standin(&mut self, at: DateTime<Utc>) {
        let Some((cn, sans)) = self.letsencrypt.clone() else {
            return;
        };
        match letsencrypt_standin(self.config.id, &cn, &sans, at) {
            Ok((pem, facts)) => {
                self.pem = pem;
                self.sha1 = facts.sha1.clone();
                self.config.fingerprint = facts.sha1;
                self.config.not_valid_before = facts.not_valid_before;
                self.config.not_valid_after = facts.not_valid_after;
                self.config.status = CertificateStatus::Ready;
            }
            Err(e) => {
                self.config.status = CertificateStatus::Error;
                self.config.status_details = Some(e.to_string());
            }
        }
        self.config.updated_at = at;
    }
}

fn certificate_key(c: &CertificateRecord) -> SortKey<'_> {
    SortKey {
        seq: c.seq,
        created_at: c.config.created_at,
        name: &c.config.name,
    }
}

impl LoadBalancers {
    fn answer_certificate(
        &self,
        loc: Locality,
        caller: &Caller,
        id: Uuid,
        full: bool,
    ) -> Result<Certificate, ProviderError> {
        let c = self.visible_certificate(loc, caller, id)?;
        self.certificate_view(c, full)
            .ok_or_else(|| super::missing(super::not_found::CERTIFICATE))
    }

    /// `POST /lbs/{id}/certificates`.
    pub fn create_certificate(
        &mut self,
        loc: Locality,
        caller: &Caller,
        lb_id: Uuid,
        req: CreateCertificateRequest,
        now: DateTime<Utc>,
    ) -> Result<Certificate, ProviderError> {
        self.changeable_lb(loc, caller, lb_id)?;
        let id = self.ids.next_uuid();
        let mut config = CertificateConfig {
            type_: CertificateType::Letsencrypt,
            id,
            common_name: String::new(),
            subject_alternative_name: Vec::new(),
            fingerprint: String::new(),
            not_valid_before: zero_time(),
            not_valid_after: zero_time(),
            status: CertificateStatus::Pending,
            name: req
                .name
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| super::lbs::default_name("certificate", id)),
            created_at: now,
            updated_at: now,
            status_details: None,
        };
        let (pem, sha1, letsencrypt) = match (req.letsencrypt, req.custom_certificate) {
            (Some(le), None) => {
                if le.common_name.trim().is_empty() {
                    return Err(ProviderError::invalid(
                        "letsencrypt.common_name",
                        ArgumentReason::Required,
                        "is required",
                    ));
                }
                config.common_name = le.common_name.clone();
                let sans = le.subject_alternative_name.unwrap_or_default();
                config.subject_alternative_name = sans.clone();
                (String::new(), String::new(), Some((le.common_name, sans)))
            }
            (None, Some(custom)) => {
                let facts = parse_chain(&custom.certificate_chain).map_err(|e| {
                    ProviderError::constraint("custom_certificate.certificate_chain", e.to_string())
                })?;
                config.type_ = CertificateType::Custom;
                config.common_name = facts.common_name;
                config.subject_alternative_name = facts.subject_alternative_name;
                config.not_valid_before = facts.not_valid_before;
                config.not_valid_after = facts.not_valid_after;
                config.status = CertificateStatus::Ready;
                (custom.certificate_chain, facts.sha1, None)
            }
            (None, None) => {
                return Err(ProviderError::invalid(
                    "letsencrypt",
                    ArgumentReason::Required,
                    "one of letsencrypt and custom_certificate is required",
                ));
            }
            (Some(_), Some(_)) => {
                return Err(ProviderError::constraint(
                    "custom_certificate",
                    "only one of letsencrypt and custom_certificate may be set",
                ));
            }
        };
        let seq = self.next_seq();
        self.certificates.insert(
            id,
            CertificateRecord {
                seq,
                lb_id,
                config,
                pem,
                sha1,
                letsencrypt,
            },
        );
        self.config_changed(lb_id, now);
        self.answer_certificate(loc, caller, id, true)
    }

    /// `GET /certificates/{id}`.
    pub fn get_certificate(
        &self,
        loc: Locality,
        caller: &Caller,
        certificate_id: Uuid,
    ) -> Result<Certificate, ProviderError> {
        self.answer_certificate(loc, caller, certificate_id, false)
    }

    /// `GET /lbs/{id}/certificates`.
    pub fn list_certificates(
        &self,
        loc: Locality,
        caller: &Caller,
        lb_id: Uuid,
        req: &ListByNameRequest,
    ) -> Result<ListCertificatesResponse, ProviderError> {
        let (page, size) = check_page(req.page, req.page_size)?;
        self.visible_lb(loc, caller, lb_id)?;
        let mut found: Vec<&CertificateRecord> = self
            .certificates
            .values()
            .filter(|c| c.lb_id == lb_id && name_matches(req.name.as_deref(), &c.config.name))
            .collect();
        let order = req.order_by.unwrap_or_default();
        found.sort_by(|a, b| order.compare(&certificate_key(a), &certificate_key(b)));
        let (page_items, total_count) = paginate(found, page, size);
        Ok(ListCertificatesResponse {
            certificates: page_items
                .into_iter()
                .filter_map(|c| self.certificate_view(c, false))
                .collect(),
            total_count,
        })
    }

    /// `PUT /certificates/{id}`: the name.
    pub fn update_certificate(
        &mut self,
        loc: Locality,
        caller: &Caller,
        certificate_id: Uuid,
        req: UpdateCertificateRequest,
        now: DateTime<Utc>,
    ) -> Result<Certificate, ProviderError> {
        let lb_id = self.visible_certificate(loc, caller, certificate_id)?.lb_id;
        self.changeable_lb(loc, caller, lb_id)?;
        if let Some(c) = self.certificates.get_mut(&certificate_id) {
            if !req.name.is_empty() {
                c.config.name = req.name;
            }
            c.config.updated_at = now;
        }
        self.answer_certificate(loc, caller, certificate_id, true)
    }

    /// `DELETE /certificates/{id}`.
    pub fn delete_certificate(
        &mut self,
        loc: Locality,
        caller: &Caller,
        certificate_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), ProviderError> {
        let lb_id = self.visible_certificate(loc, caller, certificate_id)?.lb_id;
        self.changeable_lb(loc, caller, lb_id)?;
        if let Some(f) = self
            .frontends
            .values()
            .find(|f| f.config.certificate_ids.contains(&certificate_id))
        {
            return Err(still_in_use(format!(
                "the certificate is served by frontend {}",
                f.config.id
            )));
        }
        self.certificates.remove(&certificate_id);
        self.config_changed(lb_id, now);
        Ok(())
    }
}
