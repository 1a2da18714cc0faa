//! Scaleway's standard errors, as one enum whose variants are the API's own answers.
//!
//! Every variant maps to one HTTP status and one JSON body, exactly as the real API sends them, so
//! that the official SDKs raise the right exception:
//! - the Go SDK (terraform) reads `type` and then the variant's fields (`details`, `resource`,
//!   `resource_id`, `precondition`, `help_message`, …) into `InvalidArgumentsError`,
//!   `ResourceNotFoundError`, `PreconditionFailedError`, …;
//! - the JS SDK does the same, keyed by `type` too;
//! - the Python SDK raises `ScalewayException` for any status ≥ 400 and reads `message` (a body
//!   whose message is `"Validation Error"` would become a `ValidationError`: none of ours is).
//!
//! Every body therefore carries `type` and `message`, except the Load Balancer API's 404
//! ([`ProviderError::LegacyNotFound`]), which the real service answers with a message only. This
//! module does not decide *when* an error happens: the product modules do.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::fmt;

/// Why one argument was refused (`details[].reason` of `invalid_arguments`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArgumentReason {
    /// Invalid for a reason that fits no other kind.
    Unknown,
    /// Missing.
    Required,
    /// Wrongly formatted (not a UUID, not a CIDR, …).
    Format,
    /// Well formed but outside what is allowed (range, choice, capacity, …).
    Constraint,
}

impl ArgumentReason {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            ArgumentReason::Unknown => "unknown",
            ArgumentReason::Required => "required",
            ArgumentReason::Format => "format",
            ArgumentReason::Constraint => "constraint",
        }
    }
}

/// One entry of `invalid_arguments.details`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArgumentError {
    /// The argument, by its API name (`vlan`, `bandwidth_mbps`, `source.private_network_id`…).
    pub argument_name: String,
    /// Why it was refused.
    pub reason: ArgumentReason,
    /// What would be accepted, for a person.
    pub help_message: String,
}

impl ArgumentError {
    /// An argument error.
    pub fn new(
        argument_name: impl Into<String>,
        reason: ArgumentReason,
        help_message: impl Into<String>,
    ) -> Self {
        Self {
            argument_name: argument_name.into(),
            reason,
            help_message: help_message.into(),
        }
    }
}

/// The `precondition` of a `precondition_failed` error (the values the SDKs know).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precondition {
    /// Any other precondition.
    UnknownPrecondition,
    /// The resource is still used by another one (a routing policy attached to a link, an IP
    /// attached to a resource).
    ResourceStillInUse,
    /// An attribute must be set first (e.g. `set-routing-policy` with no policy of that family
    /// attached).
    AttributeMustBeSet,
}

impl Precondition {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Precondition::UnknownPrecondition => "unknown_precondition",
            Precondition::ResourceStillInUse => "resource_still_in_use",
            Precondition::AttributeMustBeSet => "attribute_must_be_set",
        }
    }
}

/// One entry of `quotas_exceeded.details`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaDetail {
    /// The quota's resource (`interlink_links_per_project`…).
    pub resource: String,
    /// The quota.
    pub quota: u32,
    /// The current use.
    pub current: u32,
}

/// One entry of `permissions_denied.details`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionDetail {
    /// The resource kind (`link`, `routing_policy`, `ip`…).
    pub resource: String,
    /// The action (`read`, `write`).
    pub action: String,
}

/// An error of the emulated products, exactly one of Scaleway's standard error bodies.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// 400 `invalid_arguments`.
    #[error("invalid argument(s): {}", describe_arguments(.details))]
    InvalidArguments {
        /// One entry per refused argument.
        details: Vec<ArgumentError>,
    },
    /// 404 `not_found`. Also what another project's resource looks like: no existence leak.
    #[error("resource {resource} with ID {resource_id} is not found")]
    NotFound {
        /// The resource kind (`link`, `pop`, `dedicated_connection`, `ip`…).
        resource: String,
        /// The identifier asked for.
        resource_id: String,
    },
    /// 404 of the older APIs (Load Balancer): a body with only a message,
    /// `{"message": "lbs not Found"}`, as recorded from the real service.
    #[error("{resource} not Found")]
    LegacyNotFound {
        /// The resource kind as the message names it (`lbs`, `backend`, `privateNetwork`…).
        resource: String,
    },
    /// 412 `precondition_failed`.
    #[error("precondition failed: {}, {help_message}", .precondition.as_str())]
    PreconditionFailed {
        /// Which precondition.
        precondition: Precondition,
        /// What to do about it.
        help_message: String,
    },
    /// 403 `quotas_exceeded`.
    #[error("quota(s) exceeded")]
    QuotasExceeded {
        /// The quotas reached.
        details: Vec<QuotaDetail>,
    },
    /// 403 `permissions_denied`.
    #[error("insufficient permissions")]
    PermissionsDenied {
        /// What was denied.
        details: Vec<PermissionDetail>,
    },
    /// 409 `transient_state`: the resource is changing (a link in `configuring`).
    #[error("resource {resource} with ID {resource_id} is in a transient state: {current_state}")]
    TransientState {
        /// The resource kind.
        resource: String,
        /// Its identifier.
        resource_id: String,
        /// Its current status.
        current_state: String,
    },
    /// 409 `already_exists` (JS SDK's `AlreadyExistsError`): e.g. an IP address already booked.
    #[error("resource {resource} with ID {resource_id} already exists: {help_message}")]
    AlreadyExists {
        /// The resource kind.
        resource: String,
        /// The identifier (or the address) that exists.
        resource_id: String,
        /// Details.
        help_message: String,
    },
    /// 409 with type `conflict`: a non-standard error the SDKs show as a plain HTTP error.
    #[error("conflict: {message}")]
    Conflict {
        /// The message.
        message: String,
    },
    /// 410 `resource_expired` (Go SDK's `ResourceExpiredError`): a hosted link whose request expired.
    #[error("resource {resource} with ID {resource_id} expired since {expired_since}")]
    ResourceExpired {
        /// The resource kind.
        resource: String,
        /// Its identifier.
        resource_id: String,
        /// When it expired.
        expired_since: DateTime<Utc>,
    },
    /// 423 `locked`: the resource was locked (by Trust and Safety).
    #[error("resource {resource} with ID {resource_id} is locked")]
    Locked {
        /// The resource kind.
        resource: String,
        /// Its identifier.
        resource_id: String,
    },
    /// 409 `out_of_stock`: a private network has no free address left. Scaleway's gateway may
    /// answer `out_of_stock` with a 5xx elsewhere (instances); peerlab never answers 5xx to a
    /// client's request, and the SDKs pick the error class from `type`, not from the status.
    #[error("resource {resource} is out of stock")]
    OutOfStock {
        /// The resource kind.
        resource: String,
    },
    /// 401 `denied_authentication`: no token, or one nobody knows.
    #[error("denied authentication: {method} {reason}")]
    DeniedAuthentication {
        /// `api_key`, `jwt` or `unknown_method`.
        method: String,
        /// `invalid_argument`, `not_found`, `expired` or `unknown_reason`.
        reason: String,
    },
}

fn describe_arguments(details: &[ArgumentError]) -> String {
    let parts: Vec<String> = details
        .iter()
        .map(|d| {
            let mut s = format!("{} ({})", d.argument_name, d.reason.as_str());
            if !d.help_message.is_empty() {
                s.push_str(": ");
                s.push_str(&d.help_message);
            }
            s
        })
        .collect();
    parts.join("; ")
}

impl ProviderError {
    /// One invalid argument.
    pub fn invalid(
        argument_name: impl Into<String>,
        reason: ArgumentReason,
        help_message: impl Into<String>,
    ) -> Self {
        ProviderError::InvalidArguments {
            details: vec![ArgumentError::new(argument_name, reason, help_message)],
        }
    }

    /// One argument outside what is allowed (`reason: constraint`).
    pub fn constraint(argument_name: impl Into<String>, help_message: impl Into<String>) -> Self {
        Self::invalid(argument_name, ArgumentReason::Constraint, help_message)
    }

    /// A resource that does not exist (or that the caller may not see).
    pub fn not_found(resource: impl Into<String>, resource_id: impl fmt::Display) -> Self {
        ProviderError::NotFound {
            resource: resource.into(),
            resource_id: resource_id.to_string(),
        }
    }

    /// A failed precondition.
    pub fn precondition(precondition: Precondition, help_message: impl Into<String>) -> Self {
        ProviderError::PreconditionFailed {
            precondition,
            help_message: help_message.into(),
        }
    }

    /// A write outside the caller's project.
    pub fn write_denied(resource: impl Into<String>) -> Self {
        ProviderError::PermissionsDenied {
            details: vec![PermissionDetail {
                resource: resource.into(),
                action: "write".to_string(),
            }],
        }
    }

    /// An unknown API key (`X-Auth-Token`): what the API layer answers before any product call.
    pub fn unknown_api_key() -> Self {
        ProviderError::DeniedAuthentication {
            method: "api_key".to_string(),
            reason: "not_found".to_string(),
        }
    }

    /// The `type` of the body.
    pub fn error_type(&self) -> &'static str {
        match self {
            ProviderError::InvalidArguments { .. } => "invalid_arguments",
            ProviderError::NotFound { .. } | ProviderError::LegacyNotFound { .. } => "not_found",
            ProviderError::PreconditionFailed { .. } => "precondition_failed",
            ProviderError::QuotasExceeded { .. } => "quotas_exceeded",
            ProviderError::PermissionsDenied { .. } => "permissions_denied",
            ProviderError::TransientState { .. } => "transient_state",
            ProviderError::AlreadyExists { .. } => "already_exists",
            ProviderError::Conflict { .. } => "conflict",
            ProviderError::ResourceExpired { .. } => "resource_expired",
            ProviderError::Locked { .. } => "locked",
            ProviderError::OutOfStock { .. } => "out_of_stock",
            ProviderError::DeniedAuthentication { .. } => "denied_authentication",
        }
    }

    /// The HTTP status the real API answers with.
    pub fn http_status(&self) -> u16 {
        match self {
            ProviderError::InvalidArguments { .. } => 400,
            ProviderError::DeniedAuthentication { .. } => 401,
            ProviderError::QuotasExceeded { .. } | ProviderError::PermissionsDenied { .. } => 403,
            ProviderError::NotFound { .. } | ProviderError::LegacyNotFound { .. } => 404,
            ProviderError::TransientState { .. }
            | ProviderError::AlreadyExists { .. }
            | ProviderError::Conflict { .. }
            | ProviderError::OutOfStock { .. } => 409,
            ProviderError::ResourceExpired { .. } => 410,
            ProviderError::PreconditionFailed { .. } => 412,
            ProviderError::Locked { .. } => 423,
        }
    }

    /// The JSON body the real API sends.
    pub fn body(&self) -> Value {
        let kind = self.error_type();
        match self {
            ProviderError::InvalidArguments { details } => json!({
                "details": details,
                "message": "invalid argument(s)",
                "type": kind,
            }),
            ProviderError::NotFound {
                resource,
                resource_id,
            } => json!({
                "message": "resource is not found",
                "resource": resource,
                "resource_id": resource_id,
                "type": kind,
            }),
            ProviderError::LegacyNotFound { resource } => json!({
                "message": format!("{resource} not Found"),
            }),
            ProviderError::PreconditionFailed {
                precondition,
                help_message,
            } => json!({
                "help_message": help_message,
                "message": "precondition failed",
                "precondition": precondition,
                "type": kind,
            }),
            ProviderError::QuotasExceeded { details } => json!({
                "details": details,
                "message": "quota(s) exceeded for this resource",
                "type": kind,
            }),
            ProviderError::PermissionsDenied { details } => json!({
                "details": details,
                "message": "insufficient permissions",
                "type": kind,
            }),
            ProviderError::TransientState {
                resource,
                resource_id,
                current_state,
            } => json!({
                "current_state": current_state,
                "message": "resource is in a transient state",
                "resource": resource,
                "resource_id": resource_id,
                "type": kind,
            }),
            ProviderError::AlreadyExists {
                resource,
                resource_id,
                help_message,
            } => json!({
                "help_message": help_message,
                "message": "resource already exists",
                "resource": resource,
                "resource_id": resource_id,
                "type": kind,
            }),
            ProviderError::Conflict { message } => json!({
                "message": message,
                "type": kind,
            }),
            ProviderError::ResourceExpired {
                resource,
                resource_id,
                expired_since,
            } => json!({
                "expired_since": expired_since.to_rfc3339_opts(SecondsFormat::AutoSi, true),
                "message": "resource has expired",
                "resource": resource,
                "resource_id": resource_id,
                "type": kind,
            }),
            ProviderError::Locked {
                resource,
                resource_id,
            } => json!({
                "message": "resource is locked",
                "resource": resource,
                "resource_id": resource_id,
                "type": kind,
            }),
            ProviderError::OutOfStock { resource } => json!({
                "message": "resource is out of stock",
                "resource": resource,
                "type": kind,
            }),
            ProviderError::DeniedAuthentication { method, reason } => json!({
                "message": "authentication is denied",
                "method": method,
                "reason": reason,
                "type": kind,
            }),
        }
    }
}

/// Merges the details of several `invalid_arguments` errors into one (the API reports every bad
/// argument at once); other errors win as they are.
pub(crate) fn merge_invalid(errors: Vec<ProviderError>) -> Result<(), ProviderError> {
    let mut details = Vec::new();
    for error in errors {
        match error {
            ProviderError::InvalidArguments { details: d } => details.extend(d),
            other => return Err(other),
        }
    }
    if details.is_empty() {
        Ok(())
    } else {
        Err(ProviderError::InvalidArguments { details })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn invalid_arguments_body_is_what_the_go_sdk_reads() {
        let e = ProviderError::constraint("vlan", "must be within 1500-3899");
        assert_eq!(e.http_status(), 400);
        assert_eq!(
            e.body(),
            json!({
                "details": [{"argument_name": "vlan", "reason": "constraint", "help_message": "must be within 1500-3899"}],
                "message": "invalid argument(s)",
                "type": "invalid_arguments",
            })
        );
    }

    #[test]
    fn not_found_body() {
        let e = ProviderError::not_found("link", "6e6ab6c4-0c57-4a3e-9d5e-3c1d3e9f0a01");
        assert_eq!(e.http_status(), 404);
        assert_eq!(
            e.body(),
            json!({
                "message": "resource is not found",
                "resource": "link",
                "resource_id": "6e6ab6c4-0c57-4a3e-9d5e-3c1d3e9f0a01",
                "type": "not_found",
            })
        );
    }

    #[test]
    fn precondition_body() {
        let e = ProviderError::precondition(Precondition::ResourceStillInUse, "detach it first");
        assert_eq!(e.http_status(), 412);
        assert_eq!(
            e.body(),
            json!({
                "help_message": "detach it first",
                "message": "precondition failed",
                "precondition": "resource_still_in_use",
                "type": "precondition_failed",
            })
        );
    }

    #[test]
    fn every_body_has_type_and_message_and_a_4xx_status() {
        let all = vec![
            ProviderError::constraint("a", "b"),
            ProviderError::not_found("link", "x"),
            ProviderError::precondition(Precondition::AttributeMustBeSet, "x"),
            ProviderError::QuotasExceeded {
                details: vec![QuotaDetail {
                    resource: "links".into(),
                    quota: 1,
                    current: 1,
                }],
            },
            ProviderError::write_denied("link"),
            ProviderError::TransientState {
                resource: "link".into(),
                resource_id: "x".into(),
                current_state: "configuring".into(),
            },
            ProviderError::AlreadyExists {
                resource: "ip".into(),
                resource_id: "x".into(),
                help_message: "y".into(),
            },
            ProviderError::Conflict {
                message: "x".into(),
            },
            ProviderError::ResourceExpired {
                resource: "link".into(),
                resource_id: "x".into(),
                expired_since: Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).unwrap(),
            },
            ProviderError::Locked {
                resource: "link".into(),
                resource_id: "x".into(),
            },
            ProviderError::OutOfStock {
                resource: "x".into(),
            },
            ProviderError::unknown_api_key(),
        ];
        let legacy = ProviderError::LegacyNotFound {
            resource: "lbs".into(),
        };
        assert_eq!(legacy.body(), json!({"message": "lbs not Found"}));
        assert_eq!(legacy.http_status(), 404);
        for e in all {
            let body = e.body();
            assert_eq!(body["type"], e.error_type(), "{e:?}");
            assert!(body["message"].is_string(), "{e:?}");
            assert_ne!(body["message"], "Validation Error");
            assert!((400..500).contains(&e.http_status()), "never a 5xx: {e:?}");
            assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn expired_since_is_rfc3339() {
        let e = ProviderError::ResourceExpired {
            resource: "link".into(),
            resource_id: "x".into(),
            expired_since: Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).unwrap(),
        };
        assert_eq!(e.body()["expired_since"], "2025-01-02T03:04:05Z");
        assert_eq!(e.http_status(), 410);
    }

    #[test]
    fn merge_keeps_every_detail() {
        let merged = merge_invalid(vec![
            ProviderError::constraint("a", "x"),
            ProviderError::invalid("b", ArgumentReason::Required, "y"),
        ]);
        match merged {
            Err(ProviderError::InvalidArguments { details }) => assert_eq!(details.len(), 2),
            other => panic!("{other:?}"),
        }
        assert_eq!(merge_invalid(vec![]), Ok(()));
    }
}
