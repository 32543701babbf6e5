//! The handlers of endpoints 1001-1004 and 2004: extract, call the service,
//! render. Every rule lives in `crate::service`.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use serde::Deserialize;
use serde_json::Value;

use super::answer::{Verified, if_match};
use super::caller::Caller;
use super::locator::Locator;
use super::{AppJson, AppState};
use crate::service::{Answer, Problem};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateQuery {
    /// The new entity's external key, stored under the app's type.
    #[serde(rename = "ext-key")]
    ext_key: Option<String>,
}

/// 1001.
pub async fn create(
    State(state): State<AppState>,
    Caller(app): Caller,
    locator: Locator,
    query: Result<Query<CreateQuery>, axum::extract::rejection::QueryRejection>,
    AppJson(payload): AppJson<Value>,
) -> Result<Answer, Problem> {
    let Query(query) = query.map_err(|rejection| Problem::new("400").detail(rejection.body_text()))?;
    state.accounts.create(&app, locator.contract.as_deref(), payload, query.ext_key).await
}

/// 1002.
pub async fn read(State(state): State<AppState>, Caller(app): Caller, locator: Locator) -> Result<Answer, Problem> {
    state.accounts.read(&app, locator.entity()?, locator.contract.as_deref()).await
}

/// 1003.
pub async fn update(
    State(state): State<AppState>,
    Caller(app): Caller,
    locator: Locator,
    headers: HeaderMap,
    AppJson(payload): AppJson<Value>,
) -> Result<Answer, Problem> {
    state.accounts.update(&app, locator.entity()?, locator.contract.as_deref(), payload, if_match(&headers)).await
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
