//! The messages: [`Call`] and [`Load`] in, [`Outcome`] out.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::fields::{Channel, Role};

/// One evaluation request (the input of `pactum_evaluate`): exactly one of
/// `contract` and `contractRef`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Call {
    /// The contract document, compiled for this call only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub contract: Option<Value>,
    /// A contract loaded earlier with a [`Load`]; compiled once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub contract_ref: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<WireOperation>", optional))]
    pub operation: WireOperation,
    /// The entity's data now; `null` when it has none.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<Value>", optional))]
    pub current: Value,
    pub payload: Value,
    /// Facts the host supplies because a module has no clock or I/O, e.g.
    /// `{"today": "2026-11-28"}`. The built-in module ignores them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub context: Option<Value>,
}

/// 1003 (`update`, the default), 1001 (`create`), or a whole-document check
/// with no merge rules (`validate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum WireOperation {
    #[default]
    Update,
    Create,
    Validate,
}

/// A request to compile a contract once under a reference (the input of
/// `pactum_load`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Load {
    pub contract_ref: String,
    pub contract: Value,
}

/// What a call answers: a decision (the call ran), a load's confirmation,
/// or a failure (it could not run: a malformed call, an invalid contract,
/// an unknown reference).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Outcome {
    Decision(WireDecision),
    Loaded(Loaded),
    Failure(Failure),
}

/// The call ran: accepted (`errors` empty) or rejected.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "Decision"))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WireDecision {
    /// The catalogue code of the decision (`200`, `200.1`, `400.10` ...).
    pub code: String,
    /// The merged entity to store; `null` when rejected or validating.
    pub entity: Option<Value>,
    /// JSON Pointers of the fields the update changes.
    pub changed: Vec<String>,
    /// Verified fields held back until their code is confirmed.
    pub pending: Vec<WirePending>,
    /// Normalised values the host must claim as unique.
    pub unique: Vec<WireClaim>,
    pub errors: Vec<WireFieldError>,
}

/// A verified field waiting for a code.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "PendingChange"))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WirePending {
    pub field: String,
    pub channel: Channel,
    pub value: Value,
}

/// A normalised value the host must claim as unique.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "UniqueClaim"))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WireClaim {
    pub field: String,
    /// `null` for unique fields without a role.
    pub role: Option<Role>,
    pub value: String,
}

/// One failing field: a JSON Pointer, a catalogue code, the English
/// message, and what a translation needs: the message key (`crate::words`)
/// and its parameters. `key` and `params` may be absent (a plugin that
/// only names codes); a reader then words the error by its code.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "FieldError"))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WireFieldError {
    pub pointer: String,
    pub code: String,
    pub message: String,
    /// A key of the message catalogue, e.g. `schema.minLength`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub key: Option<String>,
    /// The key's parameters, e.g. `{"limit": 4}`; a contract's own words
    /// for the field (`x-pactum-message`) come as `message`.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Map<String, Value>>", optional))]
    pub params: Map<String, Value>,
}

impl WireFieldError {
    /// An error worded by its code's catalogue key.
    #[must_use]
    pub fn new(pointer: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        let key = crate::catalogue::lookup(code).map(|entry| entry.key.to_owned());
        Self { pointer: pointer.into(), code: code.to_owned(), message: message.into(), key, params: Map::new() }
    }
}

/// The answer to a load: the reference is ready for `contractRef` calls.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Loaded {
    pub contract_ref: String,
}

/// The call could not run.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Failure {
    /// A catalogue code: `422.1` (invalid contract), `422.2` (malformed
    /// call) or `422.3` (unknown reference).
    pub code: String,
    pub message: String,
    /// The places at fault, e.g. each problem in a rejected contract.
    pub problems: Vec<WireFieldError>,
}

impl Failure {
    #[must_use]
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self { code: code.to_owned(), message: message.into(), problems: Vec::new() }
    }
}
