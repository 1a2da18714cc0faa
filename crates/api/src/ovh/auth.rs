//! OVH request signatures, checked the way OVH's API checks them.
//!
//! A signed request carries `X-Ovh-Application`, `X-Ovh-Consumer`, `X-Ovh-Timestamp` and
//! `X-Ovh-Signature` = `"$1$" + sha1_hex(secret + "+" + consumer_key + "+" + METHOD + "+" +
//! full_url + "+" + body + "+" + timestamp)`, where `full_url` is the URL the client called
//! (`http://HOST/1.0/…?query`, `https://…` under `serve --tls`; the middleware also takes it
//! without the Host header's port, as `@ovhcloud/node-ovh` signs it). Failures are `403` with
//! OVH's `errorCode`:
//!
//! | case | `errorCode` |
//! |---|---|
//! | no `X-Ovh-Application` or unknown application | `INVALID_KEY` |
//! | no consumer key, timestamp or signature | `NOT_CREDENTIAL` |
//! | consumer key unknown for that application | `INVALID_CREDENTIAL` |
//! | timestamp more than [`MAX_SKEW_SECS`] away from the server's time | `QUERY_TIME_OUT` |
//! | signature does not match | `INVALID_SIGNATURE` |
//!
//! The server's time here is the wall clock (what `/1.0/auth/time` answers), never the virtual
//! clock of the tasks: moving the task clock forward must not make every signature stale.

use provider::catalogue::ovh::OvhCatalogue;
use provider::ovh_connect::OvhError;
use sha1::{Digest, Sha1};

/// How far a request's timestamp may be from the server's time, in seconds. OVH does not
/// publish its window; the client computes its clock delta once, so a few minutes is enough.
pub const MAX_SKEW_SECS: i64 = 180;

/// The authentication headers of a request.
#[derive(Clone, Copy, Debug, Default)]
pub struct Headers<'a> {
    /// `X-Ovh-Application`.
    pub application: Option<&'a str>,
    /// `X-Ovh-Consumer`.
    pub consumer: Option<&'a str>,
    /// `X-Ovh-Timestamp`.
    pub timestamp: Option<&'a str>,
    /// `X-Ovh-Signature`.
    pub signature: Option<&'a str>,
}

/// The signature of a request, as the client computes it.
pub fn signature(
    secret: &str,
    consumer_key: &str,
    method: &str,
    url: &str,
    body: &[u8],
    timestamp: &str,
) -> String {
    let mut h = Sha1::new();
    for (i, part) in [secret, consumer_key, method, url].iter().enumerate() {
        if i > 0 {
            h.update(b"+");
        }
        h.update(part.as_bytes());
    }
    h.update(b"+");
    h.update(body);
    h.update(b"+");
    h.update(timestamp.as_bytes());
    let digest = h.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("$1${hex}")
}

/// Checks a request against the catalogue's credentials at server time `now` (Unix seconds).
pub fn verify(
    credentials: &OvhCatalogue,
    headers: Headers<'_>,
    method: &str,
    url: &str,
    body: &[u8],
    now: i64,
) -> Result<(), OvhError> {
    let application = headers
        .application
        .filter(|a| credentials.knows_application(a))
        .ok_or_else(|| OvhError::forbidden("INVALID_KEY", "This application key is invalid"))?;
    let (Some(consumer), Some(timestamp), Some(given)) =
        (headers.consumer, headers.timestamp, headers.signature)
    else {
        return Err(OvhError::forbidden(
            "NOT_CREDENTIAL",
            "You must login first",
        ));
    };
    let secret = credentials.secret(application, consumer).ok_or_else(|| {
        OvhError::forbidden("INVALID_CREDENTIAL", "This credential does not exist")
    })?;
    let fresh = timestamp
        .parse::<i64>()
        .ok()
        .and_then(|t| t.checked_sub(now))
        .and_then(i64::checked_abs)
        .is_some_and(|skew| skew <= MAX_SKEW_SECS);
    if !fresh {
        return Err(OvhError::forbidden("QUERY_TIME_OUT", "Query out of time"));
    }
    let expected = signature(secret, consumer, method, url, body, timestamp);
    if given != expected {
        return Err(OvhError::forbidden(
            "INVALID_SIGNATURE",
            "Invalid signature",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use provider::catalogue::ovh::{
        DEMO_APPLICATION_KEY, DEMO_APPLICATION_SECRET, DEMO_CONSUMER_KEY, demo,
    };

    const URL: &str = "http://127.0.0.1:8080/1.0/ovhCloudConnect";

    fn signed(ts: &str, body: &[u8]) -> String {
        signature(
            DEMO_APPLICATION_SECRET,
            DEMO_CONSUMER_KEY,
            "GET",
            URL,
            body,
            ts,
        )
    }

    fn check(app: &str, consumer: &str, ts: &str, sig: &str, now: i64) -> Result<(), OvhError> {
        let h = Headers {
            application: Some(app),
            consumer: Some(consumer),
            timestamp: Some(ts),
            signature: Some(sig),
        };
        verify(&demo(), h, "GET", URL, b"", now)
    }

    fn code(r: Result<(), OvhError>) -> &'static str {
        r.unwrap_err().error_code.unwrap()
    }

    #[test]
    fn matches_the_official_client() {
        // Python: "$1$" + hashlib.sha1("+".join([secret, ck, "GET", url, "", "1700000000"])).hexdigest()
        let s = signed("1700000000", b"");
        assert!(s.starts_with("$1$") && s.len() == 43);
        let ok = check(
            DEMO_APPLICATION_KEY,
            DEMO_CONSUMER_KEY,
            "1700000000",
            &s,
            1_700_000_010,
        );
        assert!(ok.is_ok());
    }

    #[test]
    fn each_failure_has_its_error_code() {
        let s = signed("1700000000", b"");
        let now = 1_700_000_000;
        assert_eq!(
            code(check("nope", DEMO_CONSUMER_KEY, "1700000000", &s, now)),
            "INVALID_KEY"
        );
        assert_eq!(
            code(check(DEMO_APPLICATION_KEY, "nope", "1700000000", &s, now)),
            "INVALID_CREDENTIAL"
        );
        assert_eq!(
            code(check(
                DEMO_APPLICATION_KEY,
                DEMO_CONSUMER_KEY,
                "1700000000",
                &s,
                now + 1000
            )),
            "QUERY_TIME_OUT"
        );
        assert_eq!(
            code(check(DEMO_APPLICATION_KEY, DEMO_CONSUMER_KEY, "x", &s, now)),
            "QUERY_TIME_OUT"
        );
        for extreme in [
            "-9223372036854775808",
            "9223372036854775807",
            "99999999999999999999",
        ] {
            assert_eq!(
                code(check(
                    DEMO_APPLICATION_KEY,
                    DEMO_CONSUMER_KEY,
                    extreme,
                    &s,
                    now
                )),
                "QUERY_TIME_OUT"
            );
        }
        let bad = signed("1700000000", b"{}");
        assert_eq!(
            code(check(
                DEMO_APPLICATION_KEY,
                DEMO_CONSUMER_KEY,
                "1700000000",
                &bad,
                now
            )),
            "INVALID_SIGNATURE"
        );
        let h = Headers {
            application: Some(DEMO_APPLICATION_KEY),
            ..Headers::default()
        };
        assert_eq!(
            code(verify(&demo(), h, "GET", URL, b"", now)),
            "NOT_CREDENTIAL"
        );
    }
}
