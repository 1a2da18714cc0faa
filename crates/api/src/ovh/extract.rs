//! Extractors of the OVH API: errors as OVH answers them (`400 Client::BadRequest` naming what
//! is wrong), never axum's plain-text rejections; and the signature check as a middleware.

use super::auth::{self, Headers};
use crate::App;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::http::uri::Scheme;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use provider::ovh_connect::OvhError;
use serde::de::DeserializeOwned;

/// The largest body read (OVH bodies are a few hundred bytes).
const MAX_BODY: usize = 64 * 1024;

/// An OVH error answer.
#[derive(Debug)]
pub struct OvhApiError(pub OvhError);

impl From<OvhError> for OvhApiError {
    fn from(e: OvhError) -> Self {
        OvhApiError(e)
    }
}

impl IntoResponse for OvhApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::BAD_REQUEST);
        (status, Json(self.0.body())).into_response()
    }
}

/// The path parameters, as strings.
pub struct OvhPath(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for OvhPath {
    type Rejection = OvhApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, OvhApiError> {
        let raw = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|e| OvhError::bad_request(e.body_text()))?;
        Ok(OvhPath(
            raw.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ))
    }
}

impl OvhPath {
    /// A text parameter (`serviceName`).
    pub fn text(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// A numeric parameter (`id`, `popId`…): 400 when it is not a number, as OVH answers.
    pub fn id(&self, name: &str) -> Result<u64, OvhApiError> {
        let text = self.text(name);
        text.parse().map_err(|_| {
            OvhError::bad_request(format!(
                "Invalid parameter {name}: {text:?} is not an integer"
            ))
            .into()
        })
    }
}

/// A JSON body as `T` (an empty body is `{}`).
pub struct OvhBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for OvhBody<T> {
    type Rejection = OvhApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, OvhApiError> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| OvhError::bad_request(e.body_text()))?;
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        serde_json::from_slice(bytes)
            .map(OvhBody)
            .map_err(|e| OvhError::bad_request(format!("Invalid body: {e}")).into())
    }
}

/// Middleware: the request must be signed with known credentials (see [`auth`]).
pub async fn signed(State(app): State<App>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return OvhApiError(OvhError::bad_request("Request body too large")).into_response();
        }
    };
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let headers = Headers {
        application: header("x-ovh-application"),
        consumer: header("x-ovh-consumer"),
        timestamp: header("x-ovh-timestamp"),
        signature: header("x-ovh-signature"),
    };
    let host = header("host").unwrap_or("");
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path(), |p| p.as_str());
    // The scheme the client called: `https` when the server runs TLS (it says so with a
    // `Scheme` extension on each request), else `http`.
    let scheme = parts
        .extensions
        .get::<Scheme>()
        .map_or("http", Scheme::as_str);
    let url = format!("{scheme}://{host}{path}");
    let now = crate::now().timestamp();
    let check = |url: &str| {
        auth::verify(
            &app.catalogue().ovh_connect,
            headers,
            parts.method.as_str(),
            url,
            &bytes,
            now,
        )
    };
    let mut verdict = check(&url);
    // `@ovhcloud/node-ovh` signs `https://` + its `host` option + the path, without the port
    // that its Host header carries: OVH's API listens on 443, where the two agree. On another
    // port the URL without the port is taken too.
    if let (Err(e), Some((name, port))) = (&verdict, host.rsplit_once(':'))
        && e.error_code == Some("INVALID_SIGNATURE")
        && !port.is_empty()
        && port.bytes().all(|b| b.is_ascii_digit())
    {
        verdict = check(&format!("{scheme}://{name}{path}"));
    }
    if let Err(e) = verdict {
        tracing::debug!(%url, "OVH request refused: {e}");
        return OvhApiError(e).into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
