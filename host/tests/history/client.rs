//! The HTTP client of the run: sends one operation to one host and records
//! the request with its answer in the history.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::record::{History, Op, Record};

/// A host to send to.
#[derive(Debug, Clone)]
pub struct Host {
    pub name: String,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
}

/// An answer, before it is recorded.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub code: String,
    pub version: Option<i64>,
    /// The whole JSON body (`Null` when empty).
    pub json: Value,
    pub error: Option<String>,
}

impl Answer {
    /// The answered entity's fields, `dpKeyid` left out, on a success.
    pub fn entity_fields(&self) -> Option<Map<String, Value>> {
        if !(200..300).contains(&self.status) {
            return None;
        }
        let mut fields = self.json.get("entity")?.as_object()?.clone();
        fields.remove("dpKeyid");
        Some(fields)
    }

    pub fn dp_keyid(&self) -> Option<i64> {
        self.json.get("entity")?.get("dpKeyid")?.as_i64()
    }
}

#[derive(Debug, Clone)]
pub struct Caller {
    http: reqwest::Client,
    key: String,
    history: Arc<History>,
}

impl Caller {
    pub fn new(http: reqwest::Client, key: &str, history: Arc<History>) -> Self {
        Self { http, key: key.to_owned(), history }
    }

    /// Sends `op` on `entity` (none for a create) and records it.
    pub async fn run(&self, client: usize, host: &Host, entity: Option<i64>, op: Op) -> Record {
        let invoked_us = self.history.now_us();
        let answer = self.send(host, entity, &op).await;
        let completed_us = self.history.now_us();
        let entity = match op {
            Op::Create { .. } => answer.dp_keyid(),
            _ => entity,
        };
        self.history.push(Record {
            id: 0,
            client,
            host: host.name.clone(),
            entity,
            op,
            invoked_us,
            completed_us,
            status: answer.status,
            code: answer.code.clone(),
            version: answer.version,
            body: answer.entity_fields(),
            error: answer.error,
        })
    }

    /// Sends `op` without recording it (the setup's probes).
    pub async fn send(&self, host: &Host, entity: Option<i64>, op: &Op) -> Answer {
        let id = entity.unwrap_or_default();
        let (method, path, body, if_match) = match op {
            Op::Create { body } => (Method::POST, "/userentity/data".to_owned(), Some(body.clone()), None),
            Op::Put { body, if_match } => {
                (Method::PUT, format!("/userentity/dp-keyid/{id}/data"), Some(body.clone()), *if_match)
            }
            Op::Verify { code, .. } => {
                (Method::POST, format!("/userentity/dp-keyid/{id}/verify"), Some(json!({ "code": code })), None)
            }
            Op::Delete => (Method::DELETE, format!("/userentity/dp-keyid/{id}"), None, None),
            Op::Get => (Method::GET, format!("/userentity/dp-keyid/{id}/data"), None, None),
        };
        let mut request = self
            .http
            .request(method, format!("{}{path}", host.base))
            .bearer_auth(&self.key)
            .timeout(Duration::from_secs(60));
        if let Some(body) = body {
            request = request.json(&body);
        }
        if let Some(version) = if_match {
            request = request.header("if-match", format!("\"{version}\""));
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => return failed(error),
        };
        let status = response.status().as_u16();
        let version = response
            .headers()
            .get("etag")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim_start_matches("W/").trim_matches('"').parse().ok());
        let text = match response.text().await {
            Ok(text) => text,
            Err(error) => return failed(error),
        };
        let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let code = match json.get("code") {
            Some(Value::String(code)) => code.clone(),
            Some(other) => other.to_string(),
            None => status.to_string(),
        };
        Answer { status, code, version, json, error: None }
    }
}

fn failed(error: reqwest::Error) -> Answer {
    Answer { status: 0, code: String::new(), version: None, json: Value::Null, error: Some(error.to_string()) }
}
