//! The handlers of endpoints 1001-1004 and 2004: extract, call the service,
//! render. Every rule lives in `crate::service`.
//!
//! 1001 and 1003 take the dry-run switch `?dryRun=true`: the service runs
//! the write whole and rolls it back, and every answer the handler gives
//! such a request (its refusals too: 401, 404.1, 400.22 ...) carries
//! `Pactum-Dry-Run: true` and no `ETag` (no version was written). So that
//! a refusal carries the header too, these two handlers run their
//! extractors themselves, in the order an extractor list would (the caller,
//! the path, the query, the headers, then the body: the first refusal
//! answers, and nothing after it runs).

use axum::extract::{FromRequest, FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use super::answer::{Verified, if_match};
use super::caller::Caller;
use super::locator::Locator;
use super::{AppJson, AppState};
use crate::service::{Answer, Problem, WriteMode};

/// The header that marks a dry run's answer.
pub const DRY_RUN_HEADER: HeaderName = HeaderName::from_static("pactum-dry-run");

/// The query parameter that switches a dry run on.
pub const DRY_RUN_PARAMETER: &str = "dryRun";

/// An unknown, repeated or ill-valued query parameter: refused, so that a
/// misspelt switch cannot commit what was meant as a try.
const QUERY_INVALID: &str = "400.26";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateQuery {
    /// The new entity's external key, stored under the app's type.
    #[serde(rename = "ext-key")]
    ext_key: Option<String>,
    /// `true`: a dry run; `false` (or absent): the real create.
    #[serde(rename = "dryRun")]
    dry_run: Option<String>,
}

/// The query of 1003. Unknown parameters are refused, as for 1001, so that a
/// misspelt switch (`?dryrun=true`) cannot commit what its sender meant to
/// try.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateQuery {
    /// `true`: a dry run; `false` (or absent): the real update.
    #[serde(rename = "dryRun")]
    dry_run: Option<String>,
}

/// What `dryRun` says: exactly `true` or `false` (a boolean as OpenAPI
/// writes it in a query); anything else (`yes`, `1`, empty) is refused
/// rather than guessed at, since guessing wrong commits a write.
fn write_mode(dry_run: Option<&str>) -> Result<WriteMode, Problem> {
    match dry_run {
        None | Some("false") => Ok(WriteMode::Commit),
        Some("true") => Ok(WriteMode::DryRun),
        Some(other) => Err(Problem::new(QUERY_INVALID)
            .detail(format!("the query parameter `{DRY_RUN_PARAMETER}` is `true` or `false`, not `{other}`"))),
    }
}

/// A query that does not parse (an unknown or repeated parameter).
fn query_problem(rejection: &axum::extract::rejection::QueryRejection) -> Problem {
    Problem::new(QUERY_INVALID).detail(rejection.body_text())
}

/// A dry run's answer: `Pactum-Dry-Run: true`, and no `ETag`, since no
/// version was written (the version a real write would have made is not a
/// validator of anything stored, and the entity's current version is not
/// that of the body shown).
fn marked(answer: impl IntoResponse, mode: WriteMode) -> Response {
    let mut response = answer.into_response();
    if mode == WriteMode::DryRun {
        let headers = response.headers_mut();
        headers.remove(header::ETAG);
        headers.insert(DRY_RUN_HEADER, HeaderValue::from_static("true"));
    }
    response
}

/// The caller and the path of a write: the first two extractors, in order.
async fn caller_and_locator(parts: &mut Parts, state: &AppState) -> Result<(Caller, Locator), Problem> {
    let caller = Caller::from_request_parts(parts, state).await?;
    let locator = Locator::from_request_parts(parts, state).await?;
    Ok((caller, locator))
}

/// 1001.
pub async fn create(State(state): State<AppState>, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    let query = Query::<CreateQuery>::try_from_uri(&parts.uri).map_err(|rejection| query_problem(&rejection));
    let switch = query.as_ref().map_err(Clone::clone).and_then(|query| write_mode(query.0.dry_run.as_deref()));
    let answer = async {
        let (Caller(app), locator) = caller_and_locator(&mut parts, &state).await?;
        let Query(query) = query?;
        let mode = switch.clone()?;
        let AppJson(payload) = AppJson::<Value>::from_request(Request::from_parts(parts, body), &state).await?;
        state.accounts.create(&app, locator.contract.as_deref(), payload, query.ext_key, mode).await
    }
    .await;
    marked(answer, switch.unwrap_or_default())
}

/// 1002.
pub async fn read(State(state): State<AppState>, Caller(app): Caller, locator: Locator) -> Result<Answer, Problem> {
    state.accounts.read(&app, locator.entity()?, locator.contract.as_deref()).await
}

/// 1003.
pub async fn update(State(state): State<AppState>, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    let switch = Query::<UpdateQuery>::try_from_uri(&parts.uri)
        .map_err(|rejection| query_problem(&rejection))
        .and_then(|Query(query)| write_mode(query.dry_run.as_deref()));
    let answer = async {
        let (Caller(app), locator) = caller_and_locator(&mut parts, &state).await?;
        let mode = switch.clone()?;
        let if_match = if_match(&parts.headers);
        let AppJson(payload) = AppJson::<Value>::from_request(Request::from_parts(parts, body), &state).await?;
        state.accounts.update(&app, locator.entity()?, locator.contract.as_deref(), payload, if_match, mode).await
    }
    .await;
    marked(answer, switch.unwrap_or_default())
}

/// 1004.
pub async fn deactivate(
    State(state): State<AppState>,
    Caller(app): Caller,
    locator: Locator,
    headers: HeaderMap,
) -> Result<Answer, Problem> {
    state.accounts.deactivate(&app, locator.entity()?, if_match(&headers)).await
}

/// Endpoint 2004: the body is `{"code": "123456"}`; JSON without a string `code`
/// is 400.23, JSON that does not parse is 400.22.
pub async fn verify(
    State(state): State<AppState>,
    Caller(app): Caller,
    locator: Locator,
    AppJson(body): AppJson<Value>,
) -> Result<Verified, Problem> {
    let code = body
        .get("code")
        .and_then(Value::as_str)
        .ok_or_else(|| Problem::new("400.23").detail("send `{\"code\": \"123456\"}`"))?;
    state.accounts.verify(&app, locator.entity()?, code).await.map(Verified)
}
