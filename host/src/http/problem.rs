//! Error answers: `application/problem+json` (RFC 9457), always carrying a
//! code from the one catalogue, so a browser and the server name an error
//! the same way. A client's mistake is a 4xx with the reason; a server fault
//! is a generic 5xx whose cause goes to the log, never to the client.

use axum::Json;
use axum::extract::FromRequest;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pactum_core::catalogue;
use pactum_core::wire::WireFieldError;
use serde::Serialize;

/// The header naming the hex SHA-256 of the contract module that decided.
pub const MODULE_HEADER: &str = "pactum-module";

/// The media type of every error answer.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error answer. Small on purpose (it is the `Err` of most handlers):
/// the catalogue's code and title are borrowed, and the `type` URN is made
/// when the answer is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub status: u16,
    pub code: &'static str,
    /// The catalogue's message for the code.
    pub title: &'static str,
    pub detail: Option<String>,
    /// Every failing field, for validation answers.
    pub errors: Vec<WireFieldError>,
    /// Seconds until a retry may succeed (`Retry-After`).
    pub retry_after: Option<u32>,
    /// The module that decided, when one did (`Pactum-Module`).
    pub module_sha256: Option<String>,
}

/// The body of an error answer.
#[derive(Serialize)]
struct ProblemBody<'a> {
    /// `urn:pactum:code:<code>`: stable, and resolvable in `docs/errors.md`.
    #[serde(rename = "type")]
    kind: String,
    status: u16,
    code: &'a str,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [WireFieldError],
    /// The request's `x-request-id`, so a user's report finds its log lines.
    #[serde(rename = "requestId", skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
}

impl Problem {
    /// A problem for a catalogue code. An unknown code is a programming
    /// error; it is answered as a plain 500 rather than with a made-up code.
    #[must_use]
    pub fn new(code: &str) -> Self {
        let entry = catalogue::lookup(code).or_else(|| catalogue::lookup("500"));
        let (code, status, title) =
            entry.map_or(("500", 500, "internal error"), |entry| (entry.code, entry.status, entry.message));
        Self { status, code, title, detail: None, errors: Vec::new(), retry_after: None, module_sha256: None }
    }

    #[must_use]
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    #[must_use]
    pub fn errors(mut self, errors: Vec<WireFieldError>) -> Self {
        self.errors = errors;
        self
    }

    #[must_use]
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(u32::try_from(seconds).unwrap_or(u32::MAX));
        self
    }

    #[must_use]
    pub fn module(mut self, sha256: &str) -> Self {
        self.module_sha256 = Some(sha256.to_owned());
        self
    }

    /// What an answer says when its maker gave no `detail`: the failing
    /// fields' messages (the first three), else the catalogue's message.
    /// The spec's answer format names `detail`, so every problem has one.
    fn default_detail(&self) -> String {
        const SHOWN: usize = 3;
        if self.errors.is_empty() {
            return self.title.to_owned();
        }
        let mut detail: Vec<String> = self
            .errors
            .iter()
            .take(SHOWN)
            .map(|error| format!("{}: {}", place(&error.pointer), error.message))
            .collect();
        if self.errors.len() > SHOWN {
            detail.push(format!("and {} more", self.errors.len() - SHOWN));
        }
        detail.join("; ")
    }

    /// A server fault: logged in full here, answered generically.
    #[must_use]
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new("500")
    }
}

fn place(pointer: &str) -> &str {
    if pointer.is_empty() { "the payload" } else { pointer }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ProblemBody {
            kind: format!("urn:pactum:code:{}", self.code),
            status: self.status,
            code: self.code,
            title: self.title,
            detail: Some(self.detail.clone().unwrap_or_else(|| self.default_detail())),
            errors: &self.errors,
            request_id: super::request_log::current(),
        };
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn error(pointer: &str, message: &str) -> WireFieldError {
        WireFieldError { pointer: pointer.to_owned(), code: "400".to_owned(), message: message.to_owned() }
    }

    #[test]
    fn a_problem_without_detail_says_what_failed() {
        assert_eq!(Problem::new("404.1").default_detail(), Problem::new("404.1").title);
        let one = Problem::new("400.10").errors(vec![error("/nickname", "`nickname` is not a field")]);
        assert_eq!(one.default_detail(), "/nickname: `nickname` is not a field");
        let many = Problem::new("400").errors((0..5).map(|index| error(&format!("/f{index}"), "bad")).collect());
        assert_eq!(many.default_detail(), "/f0: bad; /f1: bad; /f2: bad; and 2 more");
        let root = Problem::new("400.20").errors(vec![error("", "payload must be a JSON object")]);
        assert_eq!(root.default_detail(), "the payload: payload must be a JSON object");
    }
}
