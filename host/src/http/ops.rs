//! Operations: health, metrics, the OpenAPI document, the fallbacks, and
//! the middleware that measures every request and bounds its time.

use std::sync::OnceLock;
use std::time::Instant;

use axum::Json;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppState;
use crate::service::Problem;
use crate::telemetry;

/// Liveness: the process answers. It does not touch the database, so a
/// database outage does not make an orchestrator restart healthy hosts.
pub async fn health() -> Response {
    Json(json!({"status": "ok"})).into_response()
}

/// Readiness: the database answers and the contract modules are loaded
/// (`Accounts::ready`). A load balancer sends traffic only to ready hosts.
pub async fn ready(State(state): State<AppState>) -> Response {
    match state.accounts.ready().await {
        Ok(contracts) => Json(json!({"status": "ready", "database": "ok", "contracts": contracts})).into_response(),
        Err(problem) => problem.into_response(),
    }
}

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    state.accounts.observe_store().await;
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render())
}

pub async fn openapi() -> impl IntoResponse {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    let text = DOCUMENT.get_or_init(|| super::openapi::document().to_pretty_json().unwrap_or_default());
    ([(axum::http::header::CONTENT_TYPE, "application/json")], text.clone())
}

pub async fn not_found() -> Problem {
    Problem::new("404").detail("no route has this path")
}

pub async fn method_not_allowed() -> Problem {
    Problem::new("405")
}

/// Refuses a request head over `server.max_header_bytes` (431) and a body whose declared `Content-Length` is over the limit before
/// reading any of it: otherwise the request waited for a body that was
/// never going to be accepted (a client that declared 5 MB and sent nothing
/// was answered 503 after the request timeout).
pub async fn refuse_oversized(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let head = head_bytes(&request);
    if head > state.max_header_bytes {
        return close(
            Problem::new("431")
                .detail(format!(
                    "the request head has {head} bytes; this server takes at most {}",
                    state.max_header_bytes
                ))
                .into_response(),
        );
    }
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    match declared {
        Some(length) if length > state.body_limit as u64 => Problem::new("413")
            .detail(format!("the body declares {length} bytes; this server takes at most {}", state.body_limit))
            .into_response(),
        _ => next.run(request).await,
    }
}

/// Reads the body within `server.body_read_timeout_ms`, so a client that
/// trickles it (or declares more than it sends) is answered 408 and
/// disconnected instead of holding a request slot until the request
/// timeout. The handlers then read the buffered body.
pub async fn read_body(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    match tokio::time::timeout(state.body_read_timeout, axum::body::to_bytes(body, state.body_limit)).await {
        Ok(Ok(bytes)) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Ok(Err(error)) if is_length_limit(&error) => Problem::new("413")
            .detail(format!("the body is over the limit of {} bytes", state.body_limit))
            .into_response(),
        Ok(Err(error)) => {
            // The peer hung up or broke the framing mid-body: no one is
            // listening for the answer.
            tracing::debug!(%error, "the request body could not be read");
            close(Problem::new("400.22").detail("the request body could not be read").into_response())
        }
        Err(_) => close(
            Problem::new("408")
                .detail(format!("the body did not arrive within {} ms", state.body_read_timeout.as_millis()))
                .into_response(),
        ),
    }
}

fn is_length_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        if cause.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = cause.source();
    }
    false
}

/// The request line and headers as sent, within a few bytes.
fn head_bytes(request: &Request) -> usize {
    let line = request.method().as_str().len() + request.uri().to_string().len() + 12;
    request.headers().iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum::<usize>() + line
}

/// Marks an answer as the connection's last: the rest of what the peer
/// sends is not read.
fn close(mut response: Response) -> Response {
    response.headers_mut().insert(axum::http::header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Counts and times every request by route and status, and answers 503 when
/// one runs past the configured timeout (its work is dropped; a store
/// transaction that has not committed rolls back).
pub async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", |path| path.as_str()).to_owned();
    let method = request.method().to_string();
    let started = Instant::now();
    let response = match tokio::time::timeout(state.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => Problem::new("503").detail("the request timed out").retry_after(1).into_response(),
    };
    let status = response.status().as_u16().to_string();
    metrics::counter!(telemetry::HTTP_REQUESTS, "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!(telemetry::HTTP_DURATION, "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    if response.status() == StatusCode::INTERNAL_SERVER_ERROR {
        metrics::counter!(telemetry::HTTP_SERVER_ERRORS).increment(1);
    }
    response
}
