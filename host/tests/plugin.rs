//! The example plugin (`plugins/loyalty`) under the wasmtime runtime: the
//! loyalty-card rules decided in code, through both doors of a module
//! (`evaluate` with a loaded contract, `call_json` with the contract inline).
//!
//! Needs `target/wasm/loyalty.wasm`: `cargo xtask wasm` (or `cargo xtask
//! plugin`) builds it.

#![expect(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "tests fail loudly on purpose")]

use std::path::PathBuf;

use pactum_core::wire::{Call, Outcome, WireDecision};
use pactum_host::runtime::{ContractDocument, ContractModule, InstanceMode, ModuleError, Runtime, RuntimeOptions};
use serde_json::{Value, json};

const TODAY: &str = "2026-11-28";
const CARD: &str = "4111111111111111";

fn plugin_path() -> PathBuf {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().map(PathBuf::from).unwrap();
    let dir = std::env::var_os("PACTUM_WASM_DIR").map_or_else(|| workspace.join("target").join("wasm"), PathBuf::from);
    dir.join("loyalty.wasm")
}

fn contract_document() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../plugins/loyalty/contract.json");
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

fn plugin(mode: InstanceMode) -> ContractModule {
    let path = plugin_path();
    let bytes = std::fs::read(&path).unwrap_or_else(|error| {
        panic!(
            "cannot read the loyalty plugin module {} ({error}): build it with `cargo xtask wasm` (or `cargo xtask plugin`) before running these tests",
            path.display()
        )
    });
    let runtime = Runtime::new(RuntimeOptions { cache_dir: None, ..RuntimeOptions::default() }).unwrap();
    runtime.load_module("loyalty", bytes, mode).unwrap()
}

fn document() -> ContractDocument {
    ContractDocument::new("loyalty", contract_document())
}

fn call(current: Value, payload: Value) -> Call {
    serde_json::from_value(json!({"current": current, "payload": payload, "context": {"today": TODAY}})).unwrap()
}

fn decide(module: &ContractModule, current: Value, payload: Value) -> WireDecision {
    match module.evaluate(&document(), call(current, payload)).unwrap() {
        Outcome::Decision(decision) => decision,
        other => panic!("expected a decision, got {other:?}"),
    }
}

fn member() -> Value {
    json!({"cardNumber": CARD, "name": "Ann", "birthDate": "1990-05-17", "memberSince": "2020-01-01"})
}

#[test]
fn a_valid_card_is_accepted_and_claimed() {
    let module = plugin(InstanceMode::Warm { max_idle: 1 });
    let decision = decide(&module, member(), json!({"cardNumber": "5555555555554444", "name": "Ann Berg"}));
    assert_eq!(decision.code, "200");
    assert_eq!(
        decision.entity,
        Some(
            json!({"cardNumber": "5555555555554444", "name": "Ann Berg", "birthDate": "1990-05-17", "memberSince": "2020-01-01"})
        )
    );
    assert_eq!(decision.changed, ["/cardNumber", "/name"]);
    assert!(decision.pending.is_empty());
    assert_eq!(
        serde_json::to_value(&decision.unique).unwrap(),
        json!([{"field": "cardNumber", "role": null, "value": "5555555555554444"}])
    );
    assert!(decision.errors.is_empty());

    // The warm instance keeps the loaded contract: a second call reuses it.
    let again = decide(&module, member(), json!({"memberSince": "2020-01-01"}));
    assert_eq!((again.code.as_str(), again.changed.len()), ("200", 0));
}

#[test]
fn a_card_number_failing_the_luhn_check_is_400() {
    let module = plugin(InstanceMode::Fresh);
    let decision = decide(&module, member(), json!({"cardNumber": "4111111111111112"}));
    assert_eq!(decision.code, "400");
    assert_eq!(decision.entity, None);
    assert_eq!(decision.errors.len(), 1);
    assert_eq!(decision.errors[0].pointer, "/cardNumber");
    assert_eq!(decision.errors[0].code, "400");
    assert!(decision.errors[0].message.contains("Luhn"), "{}", decision.errors[0].message);
}

#[test]
fn a_member_under_fifteen_is_400() {
    let module = plugin(InstanceMode::Fresh);
    let decision = decide(&module, member(), json!({"birthDate": "2011-11-29"}));
    assert_eq!(decision.code, "400");
    assert_eq!(decision.errors.len(), 1);
    assert_eq!(decision.errors[0].pointer, "/birthDate");
    assert!(decision.errors[0].message.contains("at least 15"), "{}", decision.errors[0].message);
}

#[test]
fn a_member_turning_fifteen_today_is_accepted() {
    let module = plugin(InstanceMode::Fresh);
    let decision = decide(&module, member(), json!({"birthDate": "2011-11-28"}));
    assert_eq!(decision.code, "200", "{:?}", decision.errors);
    assert_eq!(decision.changed, ["/birthDate"]);
}

#[test]
fn unknown_and_read_only_fields_follow_the_core_codes() {
    let module = plugin(InstanceMode::Warm { max_idle: 1 });
    let unknown = decide(&module, member(), json!({"nickname": "Annie"}));
    assert_eq!(unknown.code, "400.10");
    assert_eq!(unknown.errors[0].pointer, "/nickname");
    assert_eq!(unknown.errors[0].message, "`nickname` is not a field of this contract");

    let read_only = decide(&module, member(), json!({"memberSince": "2019-01-01"}));
    assert_eq!(read_only.code, "400.11");

    // Different codes: the generic 400, every error kept.
    let mixed = decide(&module, member(), json!({"nickname": "Annie", "cardNumber": "4111111111111112", "name": null}));
    assert_eq!(mixed.code, "400");
    let codes: Vec<&str> = mixed.errors.iter().map(|error| error.code.as_str()).collect();
    assert_eq!(codes, ["400", "400.12", "400.10"]);
}

#[test]
fn a_call_without_context_today_is_a_failure() {
    let module = plugin(InstanceMode::Fresh);
    let mut call = call(member(), json!({"name": "Bo"}));
    call.context = None;
    match module.evaluate(&document(), call).unwrap() {
        Outcome::Failure(failure) => {
            assert_eq!(failure.code, "422.2");
            assert!(failure.message.contains("context.today"), "{}", failure.message);
        }
        other => panic!("expected a failure, got {other:?}"),
    }

    let inline =
        json!({"contract": contract_document(), "payload": {"name": "Bo"}, "context": {"today": "28.11.2026"}});
    let answer: Value =
        serde_json::from_slice(&module.call_json(&serde_json::to_vec(&inline).unwrap()).unwrap()).unwrap();
    assert_eq!((answer["type"].as_str(), answer["code"].as_str()), (Some("failure"), Some("422.2")));
}

#[test]
fn call_json_decides_with_the_contract_inline() {
    let module = plugin(InstanceMode::Fresh);
    let call = json!({
        "contract": contract_document(),
        "operation": "create",
        "current": null,
        "payload": {"cardNumber": CARD, "name": "Bo", "birthDate": "2011-11-28"},
        "context": {"today": TODAY}
    });
    let answer = module.call_json(&serde_json::to_vec(&call).unwrap()).unwrap();
    assert_eq!(
        String::from_utf8(answer).unwrap(),
        concat!(
            // The entity's members in the order they were sent (`preserve_order`).
            r#"{"type":"decision","code":"201","entity":{"cardNumber":"4111111111111111","name":"Bo","birthDate":"2011-11-28"},"#,
            r#""changed":["/birthDate","/cardNumber","/name"],"pending":[],"#,
            r#""unique":[{"field":"cardNumber","role":null,"value":"4111111111111111"}],"errors":[]}"#
        )
    );

    // A reference the instance never loaded is 422.3.
    let by_ref = json!({"contractRef": "loyalty", "payload": {}, "context": {"today": TODAY}});
    let answer: Value =
        serde_json::from_slice(&module.call_json(&serde_json::to_vec(&by_ref).unwrap()).unwrap()).unwrap();
    assert_eq!(answer["code"], "422.3");
}

#[test]
fn a_document_the_plugin_does_not_implement_is_rejected_at_load() {
    let module = plugin(InstanceMode::Fresh);
    let other =
        ContractDocument::new("profile", json!({"type": "object", "properties": {"email": {"type": "string"}}}));
    let error = module.evaluate(&other, call(Value::Null, json!({}))).unwrap_err();
    assert!(
        matches!(&error, ModuleError::ContractRejected { contract, reason } if contract == "profile" && reason.contains("cardNumber")),
        "{error:?}"
    );
}
