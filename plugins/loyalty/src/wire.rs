//! The wire types of `docs/abi.md`, mirrored with serde alone, and the call
//! dispatch: which contract a call means, and the facts it brings.
//!
//! Mirrored rather than taken from `pactum-core` so that the module carries
//! none of the core's schema and phone-number code, and so that this file
//! shows everything a plugin in another language has to read and write.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::loyalty::{self, Date, Decision, FieldError, Operation};

/// `Call`, the input of `pactum_evaluate`. Unknown members are refused.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Call {
    #[serde(default)]
    pub contract: Option<Value>,
    #[serde(default)]
    pub contract_ref: Option<String>,
    #[serde(default)]
    pub operation: Operation,
    #[serde(default)]
    pub current: Value,
    pub payload: Value,
    #[serde(default)]
    pub context: Option<Value>,
}

/// `Load`, the input of `pactum_load`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Load {
    pub contract_ref: String,
    pub contract: Value,
}

/// `Outcome`, the answer of both entry points, tagged by `type`.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Outcome {
    Decision(Decision),
    #[serde(rename_all = "camelCase")]
    Loaded {
        contract_ref: String,
    },
    Failure {
        code: &'static str,
        message: String,
        problems: Vec<FieldError>,
    },
}

/// The codes of a call that cannot run.
pub mod failure {
    pub const CONTRACT_INVALID: &str = "422.1";
    pub const CALL_INVALID: &str = "422.2";
    pub const CONTRACT_UNKNOWN_REF: &str = "422.3";
}

impl Outcome {
    fn failure(code: &'static str, message: impl Into<String>) -> Self {
        Self::Failure { code, message: message.into(), problems: Vec::new() }
    }

    fn contract(problems: Vec<FieldError>) -> Self {
        let detail: Vec<String> =
            problems.iter().map(|problem| format!("at `{}`: {}", problem.pointer, problem.message)).collect();
        Self::Failure {
            code: failure::CONTRACT_INVALID,
            message: format!("the contract is not valid: {}", detail.join("; ")),
            problems,
        }
    }

    /// Canonical JSON bytes: members in declaration order, object members
    /// sorted (serde_json's default map), no whitespace.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_else(|_| {
            br#"{"type":"failure","code":"422.2","message":"the outcome could not be serialized","problems":[]}"#
                .to_vec()
        })
    }
}

/// The module's state between calls: the references loaded with
/// `pactum_load`. There is nothing to compile, so a reference only records
/// that its document was checked.
#[derive(Debug, Default)]
pub struct Module {
    loaded: BTreeSet<String>,
}

impl Module {
    #[must_use]
    pub const fn new() -> Self {
        Self { loaded: BTreeSet::new() }
    }

    /// `pactum_load`: checks the document and records the reference.
    pub fn load_json(&mut self, bytes: &[u8]) -> Outcome {
        let load: Load = match parse(bytes, "load") {
            Ok(load) => load,
            Err(message) => return Outcome::failure(failure::CALL_INVALID, message),
        };
        if let Err(problems) = loyalty::check_contract(&load.contract) {
            return Outcome::contract(problems);
        }
        self.loaded.insert(load.contract_ref.clone());
        Outcome::Loaded { contract_ref: load.contract_ref }
    }

    /// `pactum_evaluate`: runs one call.
    #[must_use]
    pub fn call_json(&self, bytes: &[u8]) -> Outcome {
        let call: Call = match parse(bytes, "call") {
            Ok(call) => call,
            Err(message) => return Outcome::failure(failure::CALL_INVALID, message),
        };
        match (&call.contract, &call.contract_ref) {
            (Some(document), None) => {
                if let Err(problems) = loyalty::check_contract(document) {
                    return Outcome::contract(problems);
                }
            }
            (None, Some(reference)) => {
                if !self.loaded.contains(reference) {
                    return Outcome::failure(
                        failure::CONTRACT_UNKNOWN_REF,
                        format!("no contract is loaded under `{reference}`"),
                    );
                }
            }
            _ => {
                return Outcome::failure(
                    failure::CALL_INVALID,
                    "a call needs exactly one of `contract` and `contractRef`",
                );
            }
        }
        let today = match today(call.context.as_ref()) {
            Ok(today) => today,
            Err(message) => return Outcome::failure(failure::CALL_INVALID, message),
        };
        Outcome::Decision(loyalty::evaluate(call.operation, &call.current, &call.payload, today))
    }
}

/// Parses a request, which must be a JSON object: serde would also take a
/// struct written as a positional array, which the wire does not promise.
/// The error is the failure's message.
fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, String> {
    let reason = if bytes.trim_ascii_start().first() == Some(&b'{') {
        match serde_json::from_slice(bytes) {
            Ok(request) => return Ok(request),
            Err(error) => error.to_string(),
        }
    } else {
        "it must be a JSON object".to_owned()
    };
    Err(format!("the {what} is not valid: {reason}"))
}

/// `context.today`: the module has no clock, so the age rule needs the host's
/// date. Missing or malformed, the call cannot run.
fn today(context: Option<&Value>) -> Result<Date, String> {
    let today = context.and_then(|context| context.get("today")).ok_or_else(|| {
        "the call is not valid: this module needs `context.today` (YYYY-MM-DD) to check the member's age".to_owned()
    })?;
    today
        .as_str()
        .and_then(Date::parse)
        .ok_or_else(|| format!("the call is not valid: `context.today` must be a date written YYYY-MM-DD, not {today}"))
}

#[cfg(test)]
#[expect(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests fail loudly on purpose")]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn answer(outcome: &Outcome) -> Value {
        serde_json::from_slice(&outcome.to_bytes()).unwrap()
    }

    fn loaded() -> Module {
        let mut module = Module::new();
        let contract: Value = serde_json::from_str(crate::CONTRACT).unwrap();
        let load = json!({"contractRef": "loyalty", "contract": contract});
        let outcome = module.load_json(&serde_json::to_vec(&load).unwrap());
        assert_eq!(answer(&outcome), json!({"type": "loaded", "contractRef": "loyalty"}));
        module
    }

    #[test]
    fn a_call_answers_the_wire_decision() {
        let call = json!({"contractRef": "loyalty", "current": {"cardNumber": "4111111111111111", "name": "Ann"},
                          "payload": {"name": "Ann Berg"}, "context": {"today": "2026-11-28"}});
        let outcome = loaded().call_json(&serde_json::to_vec(&call).unwrap());
        assert_eq!(
            String::from_utf8(outcome.to_bytes()).unwrap(),
            r#"{"type":"decision","code":"200","entity":{"cardNumber":"4111111111111111","name":"Ann Berg"},"changed":["/name"],"pending":[],"unique":[],"errors":[]}"#
        );
    }

    #[test]
    fn calls_that_cannot_run_are_failures() {
        let module = loaded();
        let code = |call: &[u8]| answer(&module.call_json(call))["code"].clone();
        assert_eq!(code(br#"{"contractRef":"loyalty","payload":{}}"#), json!("422.2"));
        assert_eq!(code(br#"{"contractRef":"loyalty","payload":{},"context":{"today":"28/11/2026"}}"#), json!("422.2"));
        assert_eq!(code(br#"{"contractRef":"other","payload":{},"context":{"today":"2026-11-28"}}"#), json!("422.3"));
        assert_eq!(code(br#"{"payload":{},"context":{"today":"2026-11-28"}}"#), json!("422.2"));
        assert_eq!(code(br#"{"contractRef":"loyalty","payload":{},"extra":1}"#), json!("422.2"));
        assert_eq!(code(br#"[1]"#), json!("422.2"));
        assert_eq!(
            code(br#"{"contract":{"properties":{}},"payload":{},"context":{"today":"2026-11-28"}}"#),
            json!("422.1")
        );
    }
}
