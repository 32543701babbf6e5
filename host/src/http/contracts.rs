//! Public routes for browsers: each contract's document and module file,
//! and the error catalogue. A page fetches these to pre-validate with the
//! very bytes the server runs.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::AppState;
use crate::config::BUILTIN;
use crate::service::{Problem, RegisteredContract};

/// Where the wasm-bindgen glue of the built-in module is served.
pub const BINDINGS_URL: &str = "/pkg/pactum_wasm.js";

fn module_url(contract: &RegisteredContract) -> String {
    format!("/modules/{}.wasm", contract.module.sha256())
}

fn summary(id: &str, contract: &RegisteredContract) -> Value {
    let builtin = contract.module.name() == BUILTIN;
    json!({
        "id": id,
        "title": contract.document.schema.get("title"),
        "moduleSha256": contract.module.sha256(),
        "module": if builtin { "builtin" } else { "plugin" },
        "moduleUrl": module_url(contract),
    })
}

fn find(state: &AppState, id: &str) -> Result<Arc<RegisteredContract>, Problem> {
    state.accounts.contract(id).ok_or_else(|| Problem::new("404.3").detail(format!("no contract has the id `{id}`")))
}

pub async fn list(State(state): State<AppState>) -> Json<Value> {
    Json(Value::Array(state.accounts.contracts().iter().map(|(id, contract)| summary(id, contract)).collect()))
}

pub async fn contract(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, Problem> {
    let contract = find(&state, &id)?;
    let mut answer = summary(&id, &contract);
    if let Some(object) = answer.as_object_mut() {
        object.insert("schema".to_owned(), contract.document.schema.clone());
        if contract.module.name() == BUILTIN {
            object.insert("bindings".to_owned(), json!(BINDINGS_URL));
        }
    }
    Ok(Json(answer))
}

pub async fn contract_module(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let contract = find(&state, &id)?;
    Ok(module_file(&contract, &headers))
}

/// `/modules/{sha256}.wasm`: by hash, for any registered module.
pub async fn module_by_hash(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let sha = file.strip_suffix(".wasm").unwrap_or(&file);
    state
        .accounts
        .contract_by_module(sha)
        .map(|contract| module_file(&contract, &headers))
        .ok_or_else(|| Problem::new("404").detail(format!("no module has the SHA-256 `{sha}`")))
}

/// The module bytes: named by their hash, so they can be cached forever.
fn module_file(contract: &RegisteredContract, headers: &HeaderMap) -> Response {
    let etag = format!("\"{}\"", contract.module.sha256());
    let fresh = headers.get(header::IF_NONE_MATCH).and_then(|value| value.to_str().ok()) == Some(etag.as_str());
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, "application/wasm")], contract.module.bytes().to_vec()).into_response()
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    response
}

/// The error catalogue, as the module and `docs/errors.md` carry it.
pub async fn catalogue() -> Json<Value> {
    Json(Value::Array(
        pactum_core::CATALOGUE
            .iter()
            .map(
                |entry| json!({"code": entry.code, "status": entry.status, "key": entry.key, "message": entry.message}),
            )
            .collect(),
    ))
}
