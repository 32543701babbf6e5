//! Evaluate, measured on the same call several ways, so the ratios say where
//! the time goes. Compare within one run: the machine is shared and noisy.
//!
//! Built-in module, demo `profile` contract (`profile/...`):
//! - `native_engine`: `pactum_core::evaluate` on parsed values, the engine's
//!   own work and nothing else;
//! - `native_compile`: `Contract::compile` of the contract, natively;
//! - `native_call_json`: `Evaluator::call_json` on the exact bytes the host
//!   sends the module (parse the call, evaluate, encode the outcome), the
//!   same work the module does;
//! - `wasmtime_call_json`: those bytes through a warm instance (copy in, the
//!   module's `call_json`, copy out, the host's outcome check);
//! - `wasmtime_warm`: `ContractModule::evaluate` in a warm instance, what the
//!   server calls (adds encoding the call and decoding the outcome on the
//!   host);
//! - `wasmtime_instantiate`: a fresh instance from the pool, nothing run but
//!   the ABI version check;
//! - `wasmtime_fresh_instance`: a fresh instance per call: instantiate, load
//!   (compile) the contract, evaluate, drop.
//!
//! Each `*_name_only` twin sends only a new name and leaves the stored
//! mobile as it is, so no number is parsed: the difference to its twin is
//! the phone number's share (and, fresh, libphonenumber's metadata load).
//!
//! The loyalty plugin (`loyalty/...`): warm, instantiate only, fresh.
//!
//! `cargo bench -p pactum-host --bench evaluate` (after `cargo xtask wasm`).

#![expect(clippy::unwrap_used, clippy::expect_used, reason = "benchmark setup: a failure should stop it")]

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use pactum_core::wire::{Call, WireOperation};
use pactum_core::{Contract, Evaluator, Operation};
use pactum_host::runtime::{ContractDocument, InstanceMode, Runtime, RuntimeOptions};
use serde_json::{Value, json};

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

fn read_json(relative: &str) -> Value {
    serde_json::from_slice(&std::fs::read(workspace().join(relative)).unwrap()).unwrap()
}

fn call(current: &Value, payload: &Value, context: Option<Value>) -> Call {
    Call {
        contract: None,
        contract_ref: None,
        operation: WireOperation::Update,
        current: current.clone(),
        payload: payload.clone(),
        context,
    }
}

fn profile(c: &mut Criterion) {
    let schema = read_json("host/demo/profile.json");
    let current = json!({"name": "Ann Hansen", "email": "ann@example.com", "mobile": "+4520123456", "tags": ["news"]});
    let payload = json!({"name": "Ann Jensen", "mobile": "30 12 34 56", "tags": "travel"});
    let name_only = json!({"name": "Ann Jensen"});
    let native = Contract::compile(&schema).unwrap();
    let mut evaluator = Evaluator::default();
    evaluator.load("profile", &schema).unwrap();
    let mut by_reference = call(&current, &payload, None);
    by_reference.contract_ref = Some("profile".to_owned());
    let call_bytes = serde_json::to_vec(&by_reference).unwrap();

    let runtime = Runtime::new(RuntimeOptions::default()).unwrap();
    let bytes = pactum_host::builtin::read().unwrap();
    let warm = runtime.load_module("built-in", bytes.clone(), InstanceMode::Warm { max_idle: 1 }).unwrap();
    let fresh = runtime.load_module("built-in", bytes, InstanceMode::Fresh).unwrap();
    let document = ContractDocument::new("profile", schema.clone());
    // Loads the contract into the one warm instance, which every later call
    // reuses (the benchmark is single-threaded).
    let first = warm.evaluate(&document, call(&current, &payload, None)).unwrap();
    assert_eq!(warm.call_json(&call_bytes).unwrap(), evaluator.call_json(&call_bytes), "wasm and native disagree");
    drop(first);

    let mut group = c.benchmark_group("profile");
    group.bench_function("native_engine", |b| {
        b.iter(|| pactum_core::evaluate(&native, Operation::Update, &current, &payload));
    });
    group.bench_function("native_engine_name_only", |b| {
        b.iter(|| pactum_core::evaluate(&native, Operation::Update, &current, &name_only));
    });
    // jsonschema builds the 2020-12 meta-schema validator once per process
    // natively, but once per compile in wasm (issue 15's fresh instance).
    group.bench_function("native_compile", |b| b.iter(|| Contract::compile(&schema).unwrap()));
    group.bench_function("native_call_json", |b| b.iter(|| evaluator.call_json(&call_bytes)));
    group.bench_function("wasmtime_call_json", |b| b.iter(|| warm.call_json(&call_bytes).unwrap()));
    group.bench_function("wasmtime_warm", |b| {
        b.iter(|| warm.evaluate(&document, call(&current, &payload, None)).unwrap());
    });
    group.bench_function("wasmtime_warm_name_only", |b| {
        b.iter(|| warm.evaluate(&document, call(&current, &name_only, None)).unwrap());
    });
    group.bench_function("wasmtime_instantiate", |b| b.iter(|| fresh.check().unwrap()));
    group.sample_size(10);
    group.bench_function("wasmtime_fresh_instance", |b| {
        b.iter(|| fresh.evaluate(&document, call(&current, &payload, None)).unwrap());
    });
    group.bench_function("wasmtime_fresh_instance_name_only", |b| {
        b.iter(|| fresh.evaluate(&document, call(&current, &name_only, None)).unwrap());
    });
    group.finish();
}

fn loyalty(c: &mut Criterion) {
    let plugin = workspace().join("target/wasm/loyalty.wasm");
    let bytes = std::fs::read(&plugin).expect("run `cargo xtask wasm` first");
    let document = ContractDocument::new("loyalty", read_json("plugins/loyalty/contract.json"));
    let runtime = Runtime::new(RuntimeOptions::default()).unwrap();
    let warm = runtime.load_module("loyalty", bytes.clone(), InstanceMode::Warm { max_idle: 1 }).unwrap();
    let fresh = runtime.load_module("loyalty", bytes, InstanceMode::Fresh).unwrap();
    let current = json!({"name": "Bo", "cardNumber": "79927398713"});
    let payload = json!({"cardNumber": "4111111111111111", "birthDate": "2000-02-29"});
    let context = Some(json!({"today": "2026-11-28"}));

    let mut group = c.benchmark_group("loyalty");
    group.bench_function("wasmtime_warm", |b| {
        b.iter(|| warm.evaluate(&document, call(&current, &payload, context.clone())).unwrap());
    });
    group.bench_function("wasmtime_instantiate", |b| b.iter(|| fresh.check().unwrap()));
    group.bench_function("wasmtime_fresh_instance", |b| {
        b.iter(|| fresh.evaluate(&document, call(&current, &payload, context.clone())).unwrap());
    });
    group.finish();
}

criterion_group!(benches, profile, loyalty);
criterion_main!(benches);
