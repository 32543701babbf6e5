//! Success answers: the JSON body plus `ETag`, `Retry-After` and
//! `Pactum-Module`.

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::problem::MODULE_HEADER;
use crate::service::Answer;

/// The `ETag` of an entity version (a strong validator: the version changes
/// whenever the data or status does).
#[must_use]
pub fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// The version an `If-Match` names: `"3"`, `W/"3"` or `3`. `*` (or no
/// header) means any version. A value that names no version can never
/// match, so it maps to a version no entity has.
#[must_use]
pub fn if_match(headers: &HeaderMap) -> Option<i64> {
    let value = headers.get(header::IF_MATCH)?.to_str().unwrap_or("").trim();
    if value == "*" {
        return None;
    }
    let bare = value.trim_start_matches("W/").trim_matches('"');
    Some(bare.parse().unwrap_or(-1))
}

fn set_common(headers: &mut HeaderMap, version: i64, module_sha256: &str) {
    headers.insert(header::ETAG, etag(version));
    if let Ok(value) = HeaderValue::from_str(module_sha256) {
        headers.insert(MODULE_HEADER, value);
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let status = pactum_core::catalogue::lookup(self.code)
            .and_then(|entry| StatusCode::from_u16(entry.status).ok())
            .unwrap_or(StatusCode::OK);
        let (version, retry_after, module) = (self.version, self.retry_after, self.module_sha256.clone());
        let mut response = (status, Json(self)).into_response();
        set_common(response.headers_mut(), version, &module);
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        }
        response
    }
}

/// 2004's answer: no body, the entity's new version.
#[derive(Debug, Clone, Copy)]
pub struct Verified(pub i64);

impl IntoResponse for Verified {
    fn into_response(self) -> Response {
        let mut response = StatusCode::NO_CONTENT.into_response();
        response.headers_mut().insert(header::ETAG, etag(self.0));
        response
    }
}
