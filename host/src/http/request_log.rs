//! Every request's identity and its access line.
//!
//! - The request id: the client's `x-request-id` when it sends a usable one
//!   (1-128 characters of `A-Z a-z 0-9 . _ -`), else 32 random hex digits.
//! - A span every log line of the request carries: the id, the method, the
//!   path *without the query string* (an API key or a code sent there by
//!   mistake never reaches a log), and the app once the key is known.
//! - One access line when the request ends: status and milliseconds, at
//!   INFO, or ERROR for a server fault. A 501 is an answer the spec
//!   prescribes (501.2: nothing to verify), not a fault.
//! - The id on the answer: the `x-request-id` header, and `requestId` in a
//!   problem body, so a user's report names the log lines.

use std::time::Instant;

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id taken from a client.
const MAX_ID_LEN: usize = 128;

pub async fn track(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .filter(|id| is_usable(id))
        .map_or_else(generated_id, str::to_owned);
    let span = tracing::info_span!(
        "request",
        id = %id,
        method = %request.method(),
        path = %request.uri().path(),
        app = tracing::field::Empty,
    );
    let started = Instant::now();
    let response = CURRENT.scope(id.clone(), next.run(request).instrument(span.clone())).await;
    let status = response.status();
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| {
        if status.is_server_error() && status != StatusCode::NOT_IMPLEMENTED {
            tracing::error!(status = status.as_u16(), millis, "request answered");
        } else {
            tracing::info!(status = status.as_u16(), millis, "request answered");
        }
    });
    with_id(response, &id)
}

tokio::task_local! {
    /// The id of the request this task answers, for the answers made
    /// below this layer (a problem body names it).
    static CURRENT: String;
}

/// The id of the request being answered, inside [`track`].
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

fn is_usable(id: &str) -> bool {
    (1..=MAX_ID_LEN).contains(&id.len())
        && id.bytes().all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-'))
}

fn generated_id() -> String {
    let mut bytes = [0u8; 16];
    // The OS generator cannot fail on the platforms Pactum runs on; an id
    // of zeros would still be a valid (if unhelpful) id.
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn with_id(mut response: Response, id: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_are_taken_only_when_they_are_plain() {
        assert!(is_usable("req-1.a_B"));
        for id in ["", "a b", "key=secret;", "é", &"x".repeat(MAX_ID_LEN + 1)] {
            assert!(!is_usable(id), "{id}");
        }
        let generated = generated_id();
        assert_eq!(generated.len(), 32);
        assert!(is_usable(&generated));
    }
}
