//! The `core_evaluate` target: an arbitrary contract, current data and
//! payload through `pactum_core`, natively.
//!
//! Beyond "no panic", every input must keep these invariants:
//! - every JSON-bytes door (`evaluate_json`, `Evaluator::load_json`,
//!   `evaluate_value`) answers one outcome, in canonical JSON;
//! - compiling and evaluating is deterministic: two compiles of the same
//!   contract agree, and so do their decisions under every operation;
//! - the JSON-bytes door decides what the native call decides;
//! - a decision is well formed: known codes, errors iff rejected, sorted
//!   lists, no entity when rejected or validating;
//! - rule 6 holds: an accepted update or create, with its pending values in
//!   place, passes a `Validate` of the same contract with no errors.

use arbitrary::Unstructured;
use pactum_core::wire::{Call, Evaluator, Outcome, WireOperation};
use pactum_core::{
    CATALOGUE, Contract, Decision, Operation, evaluate, evaluate_json, evaluate_value, limits, top_code,
};
use serde_json::Value;

use super::json::Builder;
use super::{Mode, Seeds, Violation, ensure};

/// Every operation, as the core and the wire name it.
pub(super) const OPERATIONS: [(Operation, WireOperation); 3] = [
    (Operation::Update, WireOperation::Update),
    (Operation::Create, WireOperation::Create),
    (Operation::Validate, WireOperation::Validate),
];

/// One structured input.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    pub contract: Value,
    pub current: Value,
    pub payload: Value,
}

impl std::fmt::Display for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "contract {}, current {}, payload {}", self.contract, self.current, self.payload)
    }
}

/// The check of the `core_evaluate` target, on the fuzzer's bytes.
pub fn check(seeds: &Seeds, data: &[u8]) -> Result<(), Violation> {
    match Mode::split(data) {
        (Mode::Raw, call) => check_raw(call),
        (mode, bytes) => match input(seeds, mode, bytes) {
            Ok(input) => check_input(&input),
            // Too few bytes to build an input: nothing to check.
            Err(_) => Ok(()),
        },
    }
}

/// Builds a structured input from `bytes` (also used by `module_abi`).
pub fn input(seeds: &Seeds, mode: Mode, bytes: &[u8]) -> arbitrary::Result<Input> {
    let u = &mut Unstructured::new(bytes);
    let builder = Builder::new(&seeds.words);
    let mut input = if mode == Mode::Seeded {
        let (current, payload) = u.choose(&seeds.cases)?.clone();
        Input { contract: u.choose(&seeds.contracts)?.clone(), current, payload }
    } else {
        Input { contract: builder.value(u, 0)?, current: builder.value(u, 0)?, payload: builder.value(u, 0)? }
    };
    if u.ratio(1, 3)? {
        builder.mutate(u, &mut input.contract)?;
    }
    if u.ratio(1, 3)? {
        builder.mutate(u, &mut input.current)?;
    }
    if u.ratio(1, 3)? {
        let fields = field_names(&input.contract);
        input.payload = builder.object_with_keys(u, &fields)?;
    }
    builder.mutate(u, &mut input.payload)?;
    Ok(input)
}

/// Raw bytes through every JSON door of the core.
fn check_raw(bytes: &[u8]) -> Result<(), Violation> {
    let raw = || String::from_utf8_lossy(bytes).into_owned();
    let answer = evaluate_json(bytes);
    let outcome =
        canonical_outcome(&answer).map_err(|why| Violation(format!("evaluate_json {why}; call {}", raw())))?;
    ensure(!matches!(outcome, Outcome::Loaded(_)), || format!("evaluate_json answered `loaded`; call {}", raw()))?;
    ensure(evaluate_json(bytes) == answer, || format!("evaluate_json is not deterministic; call {}", raw()))?;

    let mut evaluator = Evaluator::default();
    let loaded = evaluator.load_json(bytes);
    match canonical_outcome(&loaded).map_err(|why| Violation(format!("load_json {why}; load {}", raw())))? {
        Outcome::Loaded(loaded) => ensure(evaluator.contract(&loaded.contract_ref).is_some(), || {
            format!("load_json answered `loaded` but holds no contract; load {}", raw())
        })?,
        Outcome::Failure(_) => {}
        Outcome::Decision(_) => return Err(Violation(format!("load_json answered a decision; load {}", raw()))),
    }

    if let Ok(value) = serde_json::from_slice::<Value>(bytes) {
        let answer = evaluate_value(value);
        ensure(serde_json::from_value::<Outcome>(answer.clone()).is_ok(), || {
            format!("evaluate_value answered {answer}, not an outcome; call {}", raw())
        })?;
    }
    Ok(())
}

/// A structured input under every operation.
pub fn check_input(input: &Input) -> Result<(), Violation> {
    let first = Contract::compile(&input.contract);
    let second = Contract::compile(&input.contract);
    for (operation, wire) in OPERATIONS {
        let fail = |why: String| Violation(format!("{operation:?}: {why}; {input}"));
        let call = Call {
            contract: Some(input.contract.clone()),
            contract_ref: None,
            operation: wire,
            current: input.current.clone(),
            payload: input.payload.clone(),
            context: None,
        };
        let bytes = serde_json::to_vec(&call).map_err(|error| fail(format!("the call does not serialize: {error}")))?;
        let outcome = canonical_outcome(&evaluate_json(&bytes)).map_err(|why| fail(format!("evaluate_json {why}")))?;
        // A value nested past the JSON reader's recursion limit (128) makes
        // the whole call unreadable: a malformed call (422.2), whatever the
        // core would decide on the parsed values.
        if serde_json::from_slice::<Value>(&bytes).is_err() {
            let malformed = matches!(&outcome, Outcome::Failure(failure) if failure.code == "422.2");
            ensure(malformed, || format!("the call is unreadable, yet evaluate_json answered {outcome:?}"))
                .map_err(|Violation(why)| fail(why))?;
            continue;
        }
        match (&first, &second) {
            (Ok(contract), Ok(again)) => {
                let decision = evaluate(contract, operation, &input.current, &input.payload);
                let repeated = evaluate(again, operation, &input.current, &input.payload);
                ensure(decision == repeated, || format!("two compiles decide {decision:?} and {repeated:?}"))
                    .map_err(|Violation(why)| fail(why))?;
                check_decision(contract, operation, &decision).map_err(|Violation(why)| fail(why))?;
                check_entity(contract, operation, &decision).map_err(|Violation(why)| fail(why))?;
                let native = Outcome::Decision(decision.into());
                ensure(outcome == native, || format!("evaluate_json answered {outcome:?}, the core {native:?}"))
                    .map_err(|Violation(why)| fail(why))?;
            }
            (Err(error), Err(again)) => {
                ensure(error == again, || format!("two compiles refuse with {error} and {again}"))
                    .map_err(|Violation(why)| fail(why))?;
                // The wire reads a `null` member as absent (docs/abi.md), so a
                // `null` contract is a call with no contract at all: 422.2.
                let expected = if input.contract.is_null() { "422.2" } else { "422.1" };
                let refused = matches!(&outcome, Outcome::Failure(failure) if failure.code == expected);
                ensure(refused, || {
                    format!("the contract does not compile, yet evaluate_json answered {outcome:?}, not {expected}")
                })
                .map_err(|Violation(why)| fail(why))?;
            }
            _ => return Err(fail("one compile succeeds and the other fails".to_owned())),
        }
    }
    Ok(())
}

/// The shape every decision has.
fn check_decision(contract: &Contract, operation: Operation, decision: &Decision) -> Result<(), Violation> {
    let known = |code: &str| CATALOGUE.iter().any(|entry| entry.code == code);
    ensure(known(decision.code), || format!("code {} is not in the catalogue", decision.code))?;
    ensure(decision.errors.iter().all(|error| known(error.code)), || {
        format!("an error code is unknown: {decision:?}")
    })?;
    ensure(decision.errors.is_empty() == decision.code.starts_with('2'), || {
        format!("code {} does not match errors {:?}", decision.code, decision.errors)
    })?;
    // Errors come in the contract's order of fields, each once.
    let order: Vec<_> = decision
        .errors
        .iter()
        .map(|error| (contract.position(&error.pointer), &error.pointer, error.code, &error.message))
        .collect();
    ensure(strictly_sorted(&order), || format!("errors not in contract order or repeated: {:?}", decision.errors))?;
    ensure(decision.errors.iter().all(|error| pactum_core::words::english(error.key).is_some()), || {
        format!("an error's message key is unknown: {:?}", decision.errors)
    })?;
    ensure(strictly_sorted(&decision.changed), || format!("changed not sorted or repeated: {:?}", decision.changed))?;
    let empty = decision.changed.is_empty() && decision.pending.is_empty() && decision.unique.is_empty();
    if !decision.is_accepted() {
        ensure(decision.code == top_code(&decision.errors), || format!("code {} is not the top code", decision.code))?;
        ensure(decision.entity.is_none() && empty, || format!("a rejection carries effects: {decision:?}"))?;
    } else if operation == Operation::Validate {
        ensure(decision.entity.is_none() && empty, || format!("a validation carries effects: {decision:?}"))?;
    } else {
        ensure(matches!(decision.entity, Some(Value::Object(_))), || format!("no entity object: {decision:?}"))?;
    }
    Ok(())
}

/// Rule 6: what an accepted update writes, once its pending values are
/// verified, is valid. (The entity alone need not be: a required verified
/// field that is new is held back until its code arrives.)
fn check_entity(contract: &Contract, operation: Operation, decision: &Decision) -> Result<(), Violation> {
    let (Some(Value::Object(entity)), false) = (&decision.entity, operation == Operation::Validate) else {
        return Ok(());
    };
    let mut verified = entity.clone();
    for pending in &decision.pending {
        verified.insert(pending.field.clone(), pending.value.clone());
    }
    let verified = Value::Object(verified);
    if limits::check(&verified, limits::MAX_DEPTH).is_err() {
        // Current data and payload each within the limits can merge past them.
        return Ok(());
    }
    let validation = evaluate(contract, Operation::Validate, &Value::Null, &verified);
    ensure(validation.errors.is_empty(), || {
        format!("the accepted entity {verified} (pending applied) fails validation: {:?}", validation.errors)
    })
}

/// Parses an answer as an outcome and checks it is written canonically.
fn canonical_outcome(answer: &[u8]) -> Result<Outcome, String> {
    let text = String::from_utf8_lossy(answer);
    let outcome: Outcome = serde_json::from_slice(answer).map_err(|error| format!("answered `{text}`: {error}"))?;
    let canonical = pactum_core::wire::to_bytes(&outcome);
    if canonical != answer {
        return Err(format!("answered `{text}`, not canonical JSON `{}`", String::from_utf8_lossy(&canonical)));
    }
    Ok(outcome)
}

fn strictly_sorted<T: Ord>(items: &[T]) -> bool {
    items.windows(2).all(|pair| matches!(pair, [before, after] if before < after))
}

/// The top-level field names a contract declares.
fn field_names(contract: &Value) -> Vec<String> {
    let properties = contract.get("properties").and_then(Value::as_object);
    properties.map(|members| members.keys().cloned().collect()).unwrap_or_default()
}
