//! Development routes for the demo page: the demo apps' keys, the seeded
//! entities, and the codes the `log` sender "sent". Served only when the
//! demo is on: they hand out secrets by design.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use serde_json::{Value, json};

use super::AppState;
use crate::delivery::LogSender;
use crate::service::{EntityId, Problem};

/// One demo app, with its plain key (the demo's keys are not secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoApp {
    pub name: String,
    pub key: String,
    pub permissions: Vec<String>,
    pub default_contract: String,
    pub contracts: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ext_key_type: Option<String>,
}

/// What the demo routes show.
#[derive(Debug, Clone, Default)]
pub struct Demo {
    pub apps: Vec<DemoApp>,
    /// The seeded entities, with a label for the page's picker.
    pub entities: Vec<(EntityId, String)>,
    pub log: Option<Arc<LogSender>>,
}

fn demo(state: &AppState) -> Result<&Demo, Problem> {
    state.demo.as_deref().ok_or_else(|| Problem::new("404").detail("the demo is off"))
}

pub async fn apps(State(state): State<AppState>) -> Result<Json<Vec<DemoApp>>, Problem> {
    Ok(Json(demo(&state)?.apps.clone()))
}

pub async fn entities(State(state): State<AppState>) -> Result<Json<Value>, Problem> {
    let mut listed = Vec::new();
    for (id, label) in &demo(&state)?.entities {
        if let Some(status) = state.accounts.status_of(*id).await {
            listed.push(json!({"dpKeyid": id, "label": label, "status": status.as_str()}));
        }
    }
    Ok(Json(Value::Array(listed)))
}

pub async fn codes(State(state): State<AppState>) -> Result<Json<Value>, Problem> {
    let recent = demo(&state)?.log.as_ref().map(|log| log.recent()).unwrap_or_default();
    Ok(Json(serde_json::to_value(recent).unwrap_or(Value::Null)))
}
