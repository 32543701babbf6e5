//! The core behind the wire (`pactum-wire`): a call in, an outcome out.
//!
//! The wire's types are defined once in `pactum-wire` and re-exported here;
//! this file turns the core's own types into them and dispatches calls. The
//! core may change its internals, the wire may not. Three doors lead here:
//! JSON bytes ([`evaluate_json`], the plain ABI), JSON values
//! ([`evaluate_value`]), and the wasm-bindgen API, which forwards to an
//! [`Evaluator`].

use std::collections::BTreeMap;

use serde_json::Value;

use crate::catalogue::codes;
use crate::contract::{Contract, ContractError};
use crate::decision::{Decision, FieldError, Operation, Pending, UniqueClaim};
use crate::evaluate::evaluate;

pub use pactum_wire::{
    ABI_VERSION, Call, Failure, Load, Loaded, Outcome, WireClaim, WireDecision, WireFieldError, WireOperation,
    WirePending, parse, to_bytes,
};

impl From<WireOperation> for Operation {
    fn from(operation: WireOperation) -> Self {
        match operation {
            WireOperation::Update => Self::Update,
            WireOperation::Create => Self::Create,
            WireOperation::Validate => Self::Validate,
        }
    }
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
        Self { field: pending.field, channel: pending.channel, value: pending.value }
    }
}

impl From<UniqueClaim> for WireClaim {
    fn from(claim: UniqueClaim) -> Self {
        Self { field: claim.field, role: claim.role, value: claim.value }
    }
}

impl From<FieldError> for WireFieldError {
    fn from(error: FieldError) -> Self {
        Self {
            pointer: error.pointer,
            code: error.code.to_owned(),
            message: error.message,
            key: Some(error.key.to_owned()),
            params: error.params,
        }
    }
}

/// A contract the engine refused, as the wire's 422.1 failure.
fn contract_failure(error: ContractError) -> Failure {
    Failure {
        code: codes::CONTRACT_INVALID.to_owned(),
        message: format!("the contract is not valid: {error}"),
        problems: error
            .problems
            .into_iter()
            .map(|problem| WireFieldError::new(problem.pointer, codes::CONTRACT_INVALID, problem.message))
            .collect(),
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
                Err(error) => Outcome::Failure(contract_failure(error)),
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
                Err(error) => Outcome::Failure(contract_failure(error)),
            },
            Err(failure) => Outcome::Failure(failure),
        };
        to_bytes(&outcome)
    }
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
