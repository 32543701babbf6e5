//! The wire contract: one serializable call in, one tagged outcome out.
//!
//! These types mirror the core's own on purpose: the core may change its
//! internals, the wire may not. Three doors lead here: JSON bytes
//! ([`evaluate_json`], the plain ABI), JSON values ([`evaluate_value`]), and the
//! wasm-bindgen API, which forwards to an [`Evaluator`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalogue::codes;
use crate::contract::{Contract, ContractError};
use crate::decision::{Decision, FieldError, Operation, Pending, UniqueClaim};
use crate::evaluate::evaluate;

/// The wire ABI version, reported by every module. Bumped on any change that
/// an existing host or plugin could notice.
pub const ABI_VERSION: u32 = 1;

/// One evaluation request.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Call {
    /// The contract document, compiled for this call only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<Value>,
    /// A contract loaded earlier with [`Evaluator::load`]; compiled once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_ref: Option<String>,
    #[serde(default)]
    pub operation: WireOperation,
    /// The entity's data now; `null` when it has none.
    #[serde(default)]
    pub current: Value,
    pub payload: Value,
    /// Facts the host supplies because a module has no clock or I/O, e.g.
    /// `{"today": "2026-11-28"}`. The built-in module ignores them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum WireOperation {
    #[default]
    Update,
    Create,
    Validate,
}

impl From<WireOperation> for Operation {
    fn from(operation: WireOperation) -> Self {
        match operation {
            WireOperation::Update => Self::Update,
            WireOperation::Create => Self::Create,
            WireOperation::Validate => Self::Validate,
        }
    }
}

/// What a call answers: a decision (the call ran), or a failure (it could
/// not run: a malformed call, an invalid contract, an unknown reference).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Outcome {
    Decision(WireDecision),
    Loaded(Loaded),
    Failure(Failure),
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WireDecision {
    pub code: String,
    pub entity: Option<Value>,
    pub changed: Vec<String>,
    pub pending: Vec<WirePending>,
    pub unique: Vec<WireClaim>,
    pub errors: Vec<WireFieldError>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WirePending {
    pub field: String,
    /// `"sms"` or `"email"`.
    pub channel: String,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WireClaim {
    pub field: String,
    /// `"email"`, `"mobile"`, or `null` for other unique fields.
    pub role: Option<String>,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WireFieldError {
    pub pointer: String,
    pub code: String,
    pub message: String,
}

/// The answer to a load: the reference is ready for `contractRef` calls.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Loaded {
    pub contract_ref: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Failure {
    /// A catalogue code: `422.1`, `422.2` or `422.3`.
    pub code: String,
    pub message: String,
    /// The places at fault, e.g. each problem in a rejected contract.
    pub problems: Vec<WireFieldError>,
}

/// A request to compile a contract once under a reference.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Load {
    pub contract_ref: String,
    pub contract: Value,
}

impl From<Decision> for WireDecision {
    fn from(decision: Decision) -> Self {
        Self {
            code: decision.code.to_owned(),
            entity: decision.entity,
            changed: decision.changed,
            pending: decision.pending.into_iter().map(WirePending::from).collect(),
            unique: decision.unique.into_iter().map(WireClaim::from).collect(),
            errors: decision.errors.into_iter().map(WireFieldError::from).collect(),
        }
    }
}

impl From<Pending> for WirePending {
    fn from(pending: Pending) -> Self {
        Self { field: pending.field, channel: pending.channel.as_str().to_owned(), value: pending.value }
    }
}

impl From<UniqueClaim> for WireClaim {
    fn from(claim: UniqueClaim) -> Self {
        Self { field: claim.field, role: claim.role.map(|role| role.as_str().to_owned()), value: claim.value }
    }
}

impl From<FieldError> for WireFieldError {
    fn from(error: FieldError) -> Self {
        Self { pointer: error.pointer, code: error.code.to_owned(), message: error.message }
    }
}

impl Failure {
    fn new(code: &str, message: impl Into<String>) -> Self {
        Self { code: code.to_owned(), message: message.into(), problems: Vec::new() }
    }

    fn contract(error: ContractError) -> Self {
        Self {
            code: codes::CONTRACT_INVALID.to_owned(),
            message: format!("the contract is not valid: {error}"),
            problems: error
                .problems
                .into_iter()
                .map(|problem| WireFieldError {
                    pointer: problem.pointer,
                    code: codes::CONTRACT_INVALID.to_owned(),
                    message: problem.message,
                })
                .collect(),
        }
    }
}

/// Contracts compiled once and kept by reference, plus the call dispatch.
/// A wasm module keeps one of these for its lifetime, so a warm instance
/// never recompiles a contract.
#[derive(Debug, Default)]
pub struct Evaluator {
    contracts: BTreeMap<String, Contract>,
}

impl Evaluator {
    /// Compiles `schema` under `reference`, replacing any earlier one.
    pub fn load(&mut self, reference: &str, schema: &Value) -> Result<&Contract, ContractError> {
        let contract = Contract::compile(schema)?;
        self.contracts.insert(reference.to_owned(), contract);
        self.contracts.get(reference).ok_or_else(|| ContractError { problems: Vec::new() })
    }

    /// The contract loaded under `reference`.
    #[must_use]
    pub fn contract(&self, reference: &str) -> Option<&Contract> {
        self.contracts.get(reference)
    }

    /// Runs one call.
    #[must_use]
    pub fn call(&self, call: &Call) -> Outcome {
        let operation = Operation::from(call.operation);
        let decide =
            |contract: &Contract| Outcome::Decision(evaluate(contract, operation, &call.current, &call.payload).into());
        match (&call.contract, &call.contract_ref) {
            (Some(schema), None) => match Contract::compile(schema) {
                Ok(contract) => decide(&contract),
                Err(error) => Outcome::Failure(Failure::contract(error)),
            },
            (None, Some(reference)) => match self.contracts.get(reference) {
                Some(contract) => decide(contract),
                None => Outcome::Failure(Failure::new(
                    codes::CONTRACT_UNKNOWN_REF,
                    format!("no contract is loaded under `{reference}`"),
                )),
            },
            _ => Outcome::Failure(Failure::new(
                codes::CALL_INVALID,
                "a call needs exactly one of `contract` and `contractRef`",
            )),
        }
    }

    /// The JSON-bytes door of [`Self::call`].
    #[must_use]
    pub fn call_json(&self, bytes: &[u8]) -> Vec<u8> {
        let outcome = match parse::<Call>(bytes, "call") {
            Ok(call) => self.call(&call),
            Err(failure) => Outcome::Failure(failure),
        };
        to_bytes(&outcome)
    }

    /// The JSON-bytes door of [`Self::load`].
    pub fn load_json(&mut self, bytes: &[u8]) -> Vec<u8> {
        let outcome = match parse::<Load>(bytes, "load") {
            Ok(load) => match self.load(&load.contract_ref, &load.contract) {
                Ok(_) => Outcome::Loaded(Loaded { contract_ref: load.contract_ref }),
                Err(error) => Outcome::Failure(Failure::contract(error)),
            },
            Err(failure) => Outcome::Failure(failure),
        };
        to_bytes(&outcome)
    }
}

/// Parses a wire request, which must be a JSON object: serde would also take
/// a struct written as a positional array, which the wire does not promise.
fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, Failure> {
    let invalid = |reason: String| Failure::new(codes::CALL_INVALID, format!("the {what} is not valid: {reason}"));
    if bytes.trim_ascii_start().first() != Some(&b'{') {
        return Err(invalid("it must be a JSON object".to_owned()));
    }
    serde_json::from_slice(bytes).map_err(|error| invalid(error.to_string()))
}

/// The JSON-bytes door: a call in, an outcome out. Stateless: the contract
/// travels inline.
#[must_use]
pub fn evaluate_json(bytes: &[u8]) -> Vec<u8> {
    Evaluator::default().call_json(bytes)
}

/// The JSON-value door.
#[must_use]
pub fn evaluate_value(call: Value) -> Value {
    let outcome = match call {
        Value::Object(_) => match serde_json::from_value::<Call>(call) {
            Ok(call) => Evaluator::default().call(&call),
            Err(error) => {
                Outcome::Failure(Failure::new(codes::CALL_INVALID, format!("the call is not valid: {error}")))
            }
        },
        _ => Outcome::Failure(Failure::new(codes::CALL_INVALID, "the call is not valid: it must be a JSON object")),
    };
    serde_json::to_value(&outcome).unwrap_or(Value::Null)
}

/// Canonical JSON bytes of an outcome: struct fields in declaration order,
/// object members sorted (serde_json's default map), no whitespace. The same
/// bytes on every platform, which is what the conformance runner compares.
#[must_use]
pub fn to_bytes(outcome: &Outcome) -> Vec<u8> {
    // Serializing these plain types cannot fail; fall back to a fixed failure
    // rather than panic if it ever does.
    serde_json::to_vec(outcome).unwrap_or_else(|_| {
        br#"{"type":"failure","code":"500","message":"the outcome could not be serialized","problems":[]}"#.to_vec()
    })
}
