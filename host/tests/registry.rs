//! The registry loads contracts by configuration: the built-in module for
//! the demo profile, the loyalty plugin for its contract, each module
//! compiled once; and a bad configuration names the file and the field.

#![expect(clippy::unwrap_used, clippy::panic, reason = "test code: a failure should stop the test")]

use std::path::Path;

use pactum_core::wire::{Call, Outcome, WireOperation};
use pactum_host::config::Config;
use pactum_host::registry::Registry;
use pactum_host::runtime::{Runtime, RuntimeOptions};
use serde_json::{Value, json};

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

fn call(current: Value, payload: Value, context: Option<Value>) -> Call {
    Call { contract: None, contract_ref: None, operation: WireOperation::Update, current, payload, context }
}

fn code(outcome: Outcome) -> String {
    match outcome {
        Outcome::Decision(decision) => decision.code,
        other => panic!("expected a decision, got {other:?}"),
    }
}

#[test]
fn contracts_run_in_their_configured_modules() {
    let plugin = workspace().join("target/wasm/loyalty.wasm");
    assert!(plugin.exists(), "{} is missing: run `cargo xtask wasm`", plugin.display());
    let text = format!(
        r#"
        [[contracts]]
        id = "profile"
        file = "host/demo/profile.json"

        [[contracts]]
        id = "loyalty"
        file = "plugins/loyalty/contract.json"
        module = "{}"
        instances = "fresh"
        "#,
        plugin.display()
    );
    let config = Config::parse(&text, workspace()).unwrap();
    let runtime = Runtime::new(RuntimeOptions::default()).unwrap();
    let registry = Registry::load(&runtime, &config).unwrap();
    assert_eq!(registry.ids().collect::<Vec<_>>(), ["loyalty", "profile"]);

    let profile = registry.get("profile").unwrap();
    let ann = json!({"name": "Ann", "email": "ann@example.com"});
    assert_eq!(code(profile.evaluate(call(ann.clone(), json!({"mobile": "20 12 34 56"}), None)).unwrap()), "200.1");
    assert_eq!(code(profile.evaluate(call(ann, json!({"mobile": "12"}), None)).unwrap()), "400.3");

    let loyalty = registry.get("loyalty").unwrap();
    assert_ne!(loyalty.module.sha256(), profile.module.sha256(), "the plugin runs in its own module");
    let today = Some(json!({"today": "2026-11-28"}));
    let member = json!({"name": "Bo", "cardNumber": "79927398713"});
    let valid = call(member.clone(), json!({"cardNumber": "4111111111111111"}), today.clone());
    assert_eq!(code(loyalty.evaluate(valid).unwrap()), "200");
    let bad_luhn = call(member, json!({"cardNumber": "4111111111111112"}), today);
    assert_eq!(code(loyalty.evaluate(bad_luhn).unwrap()), "400");
}

#[test]
fn modules_are_shared_by_hash() {
    let text = r#"
        [[contracts]]
        id = "a"
        file = "host/demo/profile.json"
        [[contracts]]
        id = "b"
        file = "host/demo/profile.json"
    "#;
    let config = Config::parse(text, workspace()).unwrap();
    let runtime = Runtime::new(RuntimeOptions::default()).unwrap();
    let registry = Registry::load(&runtime, &config).unwrap();
    let (a, b) = (registry.get("a").unwrap(), registry.get("b").unwrap());
    assert!(std::sync::Arc::ptr_eq(&a.module, &b.module));
}

#[test]
fn bad_configuration_names_the_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pactum.toml");
    std::fs::write(&path, "[[contracts]]\nid = \"x\"\nfile = \"x.json\"\nmodul = \"builtin\"\n").unwrap();
    let error = format!("{:#}", Config::load(&path).unwrap_err());
    assert!(error.contains("pactum.toml") && error.contains("modul"), "{error}");

    std::fs::write(&path, "[runtime]\ndeadline_ms = \"soon\"\n").unwrap();
    let error = format!("{:#}", Config::load(&path).unwrap_err());
    assert!(error.contains("pactum.toml") && error.contains("deadline_ms"), "{error}");

    std::fs::write(
        &path,
        "[[contracts]]\nid = \"x\"\nfile = \"a.json\"\n[[contracts]]\nid = \"x\"\nfile = \"b.json\"\n",
    )
    .unwrap();
    let error = format!("{:#}", Config::load(&path).unwrap_err());
    assert!(error.contains("contracts[1].id"), "{error}");
}

#[test]
fn an_invalid_contract_stops_the_start_with_its_id() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.json"), r#"{"properties": {"m": {"x-pactum-verify": "phone"}}}"#).unwrap();
    let config = Config::parse("[[contracts]]\nid = \"bad\"\nfile = \"bad.json\"\n", dir.path()).unwrap();
    let runtime = Runtime::new(RuntimeOptions::default()).unwrap();
    let error = format!("{:#}", Registry::load(&runtime, &config).unwrap_err());
    assert!(error.contains("contract `bad`") && error.contains("x-pactum-verify"), "{error}");
}
