//! [`OvhError`]: OVH's error answers, `{"class": …, "message": …}` with the HTTP status, plus
//! `errorCode` / `httpCode` on authentication errors as OVH sends them (the official client
//! picks its exception from `errorCode` on a 403).

use serde_json::{Value, json};

/// An OVH error answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{status} {class}: {message}")]
pub struct OvhError {
    /// HTTP status: 400, 403, 404 or 409 (never 5xx).
    pub status: u16,
    /// OVH's error class (`Client::BadRequest`, `Client::NotFound`…).
    pub class: &'static str,
    /// Human-readable message.
    pub message: String,
    /// `errorCode` of authentication errors (`INVALID_SIGNATURE`, `QUERY_TIME_OUT`…).
    pub error_code: Option<&'static str>,
}

impl OvhError {
    fn new(status: u16, class: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            class,
            message: message.into(),
            error_code: None,
        }
    }

    /// 400: a parameter breaks a rule.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "Client::BadRequest", message)
    }

    /// 404: no such resource.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "Client::NotFound", message)
    }

    /// 409: the resource's state forbids the change.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(409, "Client::Conflict", message)
    }

    /// 403 with an `errorCode` (authentication).
    pub fn forbidden(error_code: &'static str, message: impl Into<String>) -> Self {
        Self {
            error_code: Some(error_code),
            ..Self::new(403, "Client::Forbidden", message)
        }
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let mut body = json!({"class": self.class, "message": self.message});
        if let (Some(code), Some(map)) = (self.error_code, body.as_object_mut()) {
            map.insert("errorCode".into(), json!(code));
            map.insert(
                "httpCode".into(),
                json!(format!("{} Forbidden", self.status)),
            );
        }
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_ovh_json() {
        let e = OvhError::conflict("nope");
        assert_eq!(
            e.body(),
            json!({"class": "Client::Conflict", "message": "nope"})
        );
        let e = OvhError::forbidden("INVALID_SIGNATURE", "Invalid signature");
        assert_eq!(e.status, 403);
        assert_eq!(e.body()["errorCode"], "INVALID_SIGNATURE");
        assert_eq!(e.body()["class"], "Client::Forbidden");
    }
}
