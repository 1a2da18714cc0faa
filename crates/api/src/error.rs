//! [`ApiError`]: a [`ProviderError`] as Scaleway's HTTP answer.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use provider::ProviderError;
use serde_json::json;

/// An error answer: the provider error's status and JSON body.
#[derive(Debug)]
pub struct ApiError(pub ProviderError);

impl From<ProviderError> for ApiError {
    fn from(e: ProviderError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
        (status, Json(self.0.body())).into_response()
    }
}

/// A path no route serves.
pub async fn no_route(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/1.0/") {
        // OVH's API answers OVH's way.
        let e = provider::ovh_connect::OvhError::not_found(format!(
            "Got an invalid (or empty) URL: {}",
            uri.path()
        ));
        return (StatusCode::NOT_FOUND, Json(e.body())).into_response();
    }
    (
        StatusCode::NOT_FOUND,
        Json(json!({
            "message": format!("no such path: {}", uri.path()),
            "type": "not_found",
        })),
    )
        .into_response()
}

/// A method the path does not serve.
pub async fn bad_method(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/1.0/") {
        let e = provider::ovh_connect::OvhError {
            status: 405,
            class: "Client::MethodNotAllowed",
            message: "Method not allowed".into(),
            error_code: None,
        };
        return (StatusCode::METHOD_NOT_ALLOWED, Json(e.body())).into_response();
    }
    (
        StatusCode::METHOD_NOT_ALLOWED,
        Json(json!({
            "message": "method not allowed",
            "type": "invalid_request_error",
        })),
    )
        .into_response()
}
