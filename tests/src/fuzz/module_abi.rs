//! The `module_abi` target: fuzz bytes through the host's wasmtime runtime
//! into the built-in module's plain ABI (`docs/abi.md`).
//!
//! Raw inputs go to `pactum_evaluate` as they are; one that names a
//! `contractRef` goes to a fresh instance, which like the native core it is
//! compared with has loaded nothing (the warm one holds what earlier inputs
//! loaded). Structured inputs load their contract with `pactum_load` into a
//! warm instance, under a reference that is sometimes the known-good one's,
//! then evaluate under every operation. Beyond "no host panic", every input must keep these
//! invariants:
//! - a call answers the outcome the native core answers to the same bytes
//!   (so it is a valid, canonical outcome), or fails with a resource limit
//!   (`out_of_fuel`, `timeout`, `memory_limit`, `input_too_large`); the
//!   built-in module never traps, and never answers something malformed;
//! - a contract the core refuses is `contract_rejected`, and no other;
//! - afterwards the same module still answers a known-good call correctly.

use pactum_core::evaluate_json;
use pactum_core::wire::{Call, Evaluator, Outcome};
use pactum_host::runtime::{ContractDocument, ContractModule, InstanceMode, ModuleError, Runtime, RuntimeOptions};
use serde_json::json;

use super::core_evaluate::{Input, OPERATIONS, input};
use super::{Mode, Seeds, Violation, ensure};

/// The built-in module loaded in a runtime, with a known-good call.
#[derive(Debug)]
pub struct Fixture {
    module: ContractModule,
    /// The same module, a fresh instance per call.
    fresh: ContractModule,
    /// The runtime the module lives in, kept alive with it.
    runtime: Runtime,
    profile: ContractDocument,
    good_call: Call,
    good_answer: Outcome,
}

impl Fixture {
    /// Loads `target/wasm/pactum_wasm_bg.wasm` (built by `cargo xtask wasm`)
    /// with one warm instance, so state carries over from call to call.
    pub fn load(seeds: &Seeds) -> Result<Self, String> {
        let bytes = pactum_host::builtin::read().map_err(|error| format!("{error:#}"))?;
        let options = RuntimeOptions { max_concurrent_calls: 1, ..RuntimeOptions::default() };
        let runtime = Runtime::new(options).map_err(|error| format!("{error:#}"))?;
        let module = runtime
            .load_module("built-in", bytes.clone(), InstanceMode::Warm { max_idle: 1 })
            .map_err(|error| error.to_string())?;
        let fresh = runtime.load_module("built-in", bytes, InstanceMode::Fresh).map_err(|error| error.to_string())?;
        let profile = ContractDocument::new("profile", seeds.profile().clone());
        let good_call = Call {
            contract: None,
            contract_ref: Some(profile.reference.clone()),
            operation: pactum_core::wire::WireOperation::Update,
            current: json!({"name": "Ann", "email": "ann@example.com", "mobile": "+4520123456"}),
            payload: json!({"name": "Bo", "mobile": "30 12 34 56"}),
            context: None,
        };
        let mut native = Evaluator::default();
        native.load(&profile.reference, &profile.schema).map_err(|error| error.to_string())?;
        let good_answer = native.call(&good_call);
        Ok(Self { module, fresh, runtime, profile, good_call, good_answer })
    }
}

/// The check of the `module_abi` target, on the fuzzer's bytes.
pub fn check(fixture: &Fixture, seeds: &Seeds, data: &[u8]) -> Result<(), Violation> {
    match Mode::split(data) {
        (Mode::Raw, call) => check_raw(fixture, call)?,
        (mode, bytes) => {
            // The reference is the known-good call's half the time, so the
            // instance must reload it after a fuzzed contract took its place.
            let reference = if bytes.len() % 2 == 0 { fixture.profile.reference.as_str() } else { "fuzzed" };
            if let Ok(input) = input(seeds, mode, bytes) {
                check_structured(fixture, &input, reference)?;
            }
        }
    }
    let answer = fixture.module.evaluate(&fixture.profile, fixture.good_call.clone());
    ensure(answer.as_ref() == Ok(&fixture.good_answer), || {
        format!("after the input, the known-good call answered {answer:?}; input {}", String::from_utf8_lossy(data))
    })
}

/// Raw bytes to `pactum_evaluate`: the native core's answer, byte for byte.
fn check_raw(fixture: &Fixture, call: &[u8]) -> Result<(), Violation> {
    let raw = || String::from_utf8_lossy(call).into_owned();
    let names_a_reference = serde_json::from_slice::<serde_json::Value>(call)
        .is_ok_and(|call| call.get("contractRef").is_some_and(|reference| !reference.is_null()));
    let module = if names_a_reference { &fixture.fresh } else { &fixture.module };
    match module.call_json(call) {
        Ok(answer) => {
            let native = evaluate_json(call);
            ensure(answer == native, || {
                let (module, native) = (String::from_utf8_lossy(&answer), String::from_utf8_lossy(&native));
                format!("the module answered {module}, the native core {native}; call {}", raw())
            })
        }
        Err(error) => {
            expected_failure(fixture, &error, call.len()).map_err(|why| Violation(format!("{why}; call {}", raw())))
        }
    }
}

/// A contract loaded under `reference`, then evaluated under each operation.
fn check_structured(fixture: &Fixture, input: &Input, reference: &str) -> Result<(), Violation> {
    let document = ContractDocument::new(reference, input.contract.clone());
    let mut native = Evaluator::default();
    let compiles = native.load(reference, &input.contract).is_ok();
    for (operation, wire) in OPERATIONS {
        let fail = |why: String| Violation(format!("{operation:?} under `{reference}`: {why}; {input}"));
        let call = Call {
            contract: None,
            contract_ref: Some(reference.to_owned()),
            operation: wire,
            current: input.current.clone(),
            payload: input.payload.clone(),
            context: None,
        };
        match (compiles, fixture.module.evaluate(&document, call.clone())) {
            (true, Ok(outcome)) => {
                let expected = native.call(&call);
                ensure(outcome == expected, || {
                    format!("the module answered {outcome:?}, the native core {expected:?}")
                })
                .map_err(|Violation(why)| fail(why))?;
            }
            (false, Err(ModuleError::ContractRejected { .. })) => {}
            (_, Err(error)) if expected_failure(fixture, &error, 0).is_ok() => {}
            (_, answer) => {
                return Err(fail(format!(
                    "the core compiles the contract: {compiles}, the module answered {answer:?}"
                )));
            }
        }
    }
    Ok(())
}

/// The failures a well-behaved module may meet on hostile input: resource
/// limits. Anything else (a trap is a panic in the core) is a finding.
fn expected_failure(fixture: &Fixture, error: &ModuleError, input_len: usize) -> Result<(), String> {
    match error {
        ModuleError::OutOfFuel { .. } | ModuleError::Timeout { .. } | ModuleError::MemoryLimit { .. } => Ok(()),
        ModuleError::InputTooLarge { .. } if input_len > fixture.runtime.limits().max_input_bytes => Ok(()),
        other => Err(format!("the module failed with `{}`: {other}", other.kind())),
    }
}
