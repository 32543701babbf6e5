//! Error answers on the wire: the service's [`Problem`] as
//! `application/problem+json` (RFC 9457) with its headers, and body
//! rejections turned into problems, so a browser and the server name an
//! error with the same catalogue code.

use axum::Json;
use axum::extract::FromRequest;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pactum_core::wire::WireFieldError;
use serde::Serialize;

use crate::service::Problem;

/// The header naming the hex SHA-256 of the contract module that decided.
pub const MODULE_HEADER: &str = "pactum-module";

/// The media type of every error answer.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The body of an error answer.
#[derive(Serialize)]
struct ProblemBody<'a> {
    /// `urn:pactum:code:<code>`: stable, and resolvable in `docs/errors.md`.
    #[serde(rename = "type")]
    kind: String,
    status: u16,
    code: &'a str,
    title: String,
    detail: String,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [WireFieldError],
    /// The request's `x-request-id`, so a user's report finds its log lines.
    #[serde(rename = "requestId", skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let language = super::language::current();
        let (title, detail) = self.worded(language);
        let body = ProblemBody {
            kind: format!("urn:pactum:code:{}", self.code),
            status: self.status,
            code: self.code,
            title,
            detail,
            errors: &self.errors,
            request_id: super::request_log::current(),
        };
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        headers.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(language));
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Some(value) = self.module_sha256.and_then(|sha| HeaderValue::from_str(&sha).ok()) {
            headers.insert(MODULE_HEADER, value);
        }
        response
    }
}

impl From<JsonRejection> for Problem {
    fn from(rejection: JsonRejection) -> Self {
        let code = match &rejection {
            JsonRejection::MissingJsonContentType(_) => "415",
            JsonRejection::BytesRejection(_) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => "413",
            _ => "400.22",
        };
        Self::new(code).detail(rejection.body_text())
    }
}

/// `Json` whose rejections answer as a [`Problem`], so a malformed, oversized
/// or mistyped body gets the API's own error format and a catalogue code.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(Json), rejection(Problem))]
pub struct AppJson<T>(pub T);

impl<T: Serialize> IntoResponse for AppJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}
