//! Modules that implement the ABI of `docs/abi.md` but misbehave, written in
//! WAT (wasmtime's `wat` feature compiles text). Each must end its call with
//! the one typed `ModuleError` that names what happened, and the same
//! `Runtime` must then go on serving a well-behaved module: a hostile module
//! never crashes, hangs or poisons the host.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly on purpose"
)]

mod common;
mod support;

use std::collections::BTreeSet;

use common::db::{TestDb, backend_tests};
use pactum_core::wire::{Call, Outcome};
use pactum_host::apps::{AppConfig, Permission, key_hash};
use pactum_host::config::{ContractConfig, Instances};
use pactum_host::runtime::{
    ContractDocument, ContractModule, InstanceMode, Limits, ModuleError, Runtime, RuntimeOptions,
};
use serde_json::{Value, json};
use support::TestServer;

/// What the well-behaved module answers to every call.
const DECISION: &str =
    r#"{"type":"decision","code":"200","entity":{"ok":true},"changed":[],"pending":[],"unique":[],"errors":[]}"#;
const LOADED: &str = r#"{"type":"loaded","contractRef":"good"}"#;

/// Where the module's fixed answers live in its one page of memory.
const DECISION_AT: u64 = 0;
const LOADED_AT: u64 = 256;
const EXTRA_AT: u64 = 512;

/// Small limits so that every breach is quick.
const LIMITS: Limits = Limits {
    evaluate_fuel: 1_000_000,
    load_fuel: 1_000_000,
    deadline_ms: 2_000,
    max_memory_bytes: 1 << 20,
    max_input_bytes: 4 << 10,
    max_output_bytes: 16 << 10,
};

fn runtime(limits: Limits) -> Runtime {
    Runtime::new(RuntimeOptions { limits, max_concurrent_calls: 2, cache_dir: None }).unwrap()
}

/// `(ptr << 32) | len` as a WAT instruction.
fn packed(ptr: u64, len: usize) -> String {
    format!("i64.const {}", (ptr << 32) | len as u64)
}

/// A WAT string literal.
fn wat_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A module implementing the ABI; each part can be replaced by a hostile one.
#[derive(Debug, Clone)]
struct Abi {
    imports: &'static str,
    /// Export the memory as `memory`.
    export_memory: bool,
    version: String,
    load: String,
    evaluate: String,
    /// Bytes placed at `EXTRA_AT`, for a hostile answer to point at.
    extra: &'static str,
    /// An export to leave out.
    without: Option<&'static str>,
}

impl Default for Abi {
    fn default() -> Self {
        Self {
            imports: "",
            export_memory: true,
            version: "i32.const 1".to_owned(),
            load: packed(LOADED_AT, LOADED.len()),
            evaluate: packed(DECISION_AT, DECISION.len()),
            extra: "",
            without: None,
        }
    }
}

impl Abi {
    fn evaluating(evaluate: impl Into<String>) -> Self {
        Self { evaluate: evaluate.into(), ..Self::default() }
    }

    fn wat(&self) -> Vec<u8> {
        let export = |name: &str| match self.without {
            Some(without) if without == name => String::new(),
            _ => format!("(export \"{name}\")"),
        };
        let memory_export = if self.export_memory { export("memory") } else { String::new() };
        format!(
            r#"(module
  {imports}
  (memory {memory_export} 1)
  (data (i32.const {DECISION_AT}) {decision})
  (data (i32.const {LOADED_AT}) {loaded})
  (data (i32.const {EXTRA_AT}) {extra})
  (func {version_export} (result i32) {version})
  (func {alloc_export} (param i32) (result i32) i32.const 1024)
  (func {free_export} (param i32 i32))
  (func {load_export} (param i32 i32) (result i64) {load})
  (func {evaluate_export} (param i32 i32) (result i64) {evaluate})
)"#,
            imports = self.imports,
            decision = wat_string(DECISION),
            loaded = wat_string(LOADED),
            extra = wat_string(self.extra),
            version_export = export("pactum_abi_version"),
            version = self.version,
            alloc_export = export("pactum_alloc"),
            free_export = export("pactum_free"),
            load_export = export("pactum_load"),
            load = self.load,
            evaluate_export = export("pactum_evaluate"),
            evaluate = self.evaluate,
        )
        .into_bytes()
    }

    fn load(&self, runtime: &Runtime, name: &str) -> Result<ContractModule, ModuleError> {
        runtime.load_module(name, self.wat(), InstanceMode::Warm { max_idle: 2 })
    }
}

fn document() -> ContractDocument {
    ContractDocument::new("good", json!({"type": "object"}))
}

fn call() -> Call {
    serde_json::from_value(json!({"payload": {"name": "Ann"}, "context": {"today": "2026-11-28"}})).unwrap()
}

const CALL_JSON: &[u8] = br#"{"contract":{"type":"object"},"payload":{"name":"Ann"}}"#;

/// The runtime still loads and runs a well-behaved module, through both doors.
fn assert_serves(runtime: &Runtime, good: &ContractModule) {
    for module in [good, &Abi::default().load(runtime, "good-after").unwrap()] {
        match module.evaluate(&document(), call()) {
            Ok(Outcome::Decision(decision)) => assert_eq!(decision.code, "200"),
            other => panic!("the host stopped serving: {other:?}"),
        }
        assert_eq!(module.call_json(CALL_JSON).unwrap(), DECISION.as_bytes(), "the host stopped serving");
    }
}

/// Loads `hostile`, checks that both doors fail with an error `expected`
/// accepts (twice: a failed instance is dropped, the next call gets a new
/// one), then that the same runtime still serves.
fn assert_fails_then_serves(runtime: &Runtime, hostile: &Abi, expected: impl Fn(&ModuleError) -> bool) {
    let good = Abi::default().load(runtime, "good").unwrap();
    assert_serves(runtime, &good);
    let module = hostile.load(runtime, "hostile").unwrap();
    for _ in 0..2 {
        let error = module.evaluate(&document(), call()).unwrap_err();
        assert!(expected(&error), "evaluate: unexpected {error:?}");
        let error = module.call_json(CALL_JSON).unwrap_err();
        assert!(expected(&error), "call_json: unexpected {error:?}");
    }
    assert_serves(runtime, &good);
}

/// Loading `hostile` fails with `expected`; the runtime still serves.
fn assert_refused_then_serves(runtime: &Runtime, hostile: &Abi, expected: &ModuleError) {
    let error = hostile.load(runtime, expected_name(expected)).unwrap_err();
    assert_eq!(&error, expected);
    let good = Abi::default().load(runtime, "good").unwrap();
    assert_serves(runtime, &good);
}

fn expected_name(error: &ModuleError) -> &str {
    match error {
        ModuleError::Compile { module, .. }
        | ModuleError::MissingExport { module, .. }
        | ModuleError::AbiVersion { module, .. }
        | ModuleError::Instantiate { module, .. } => module,
        _ => "hostile",
    }
}

fn infinite_loop() -> Abi {
    Abi::evaluating("(loop $forever (br $forever)) unreachable")
}

fn memory_hog() -> Abi {
    // Grows until refused, then traps as Rust's allocation failure does.
    Abi::evaluating("(loop $grow (br_if $grow (i32.ne (memory.grow (i32.const 1)) (i32.const -1)))) unreachable")
}

fn huge_output() -> Abi {
    Abi::evaluating(packed(0, 0xffff_ffff))
}

fn trapping() -> Abi {
    Abi::evaluating("unreachable")
}

fn malformed_output() -> Abi {
    Abi { extra: "this is not json", ..Abi::evaluating(packed(EXTRA_AT, "this is not json".len())) }
}

fn output_outside_memory() -> Abi {
    // One page is 65,536 bytes: the answer starts past its end.
    Abi::evaluating(packed(65_536 - 8, 64))
}

fn calling_a_host_import() -> Abi {
    Abi { imports: r#"(import "env" "now" (func $now (result i64)))"#, ..Abi::evaluating("call $now") }
}

#[test]
fn an_infinite_loop_runs_out_of_fuel() {
    let runtime = runtime(LIMITS);
    assert_fails_then_serves(&runtime, &infinite_loop(), |error| {
        *error == ModuleError::OutOfFuel { fuel: LIMITS.evaluate_fuel }
    });
}

#[test]
fn an_infinite_loop_with_fuel_to_spare_meets_the_deadline() {
    let limits = Limits { evaluate_fuel: 1 << 42, load_fuel: 1 << 42, deadline_ms: 100, ..LIMITS };
    let runtime = runtime(limits);
    let started = std::time::Instant::now();
    assert_fails_then_serves(&runtime, &infinite_loop(), |error| *error == ModuleError::Timeout { millis: 100 });
    // Four calls of 100 ms each; far less than the fuel would allow.
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "took {:?}", started.elapsed());
}

#[test]
fn unbounded_memory_growth_hits_the_memory_limit() {
    let runtime = runtime(LIMITS);
    assert_fails_then_serves(&runtime, &memory_hog(), |error| {
        *error == ModuleError::MemoryLimit { max_bytes: LIMITS.max_memory_bytes }
    });
}

#[test]
fn a_huge_output_length_is_refused() {
    let runtime = runtime(LIMITS);
    assert_fails_then_serves(&runtime, &huge_output(), |error| {
        *error == ModuleError::OutputTooLarge { len: 0xffff_ffff, max: LIMITS.max_output_bytes }
    });
}

#[test]
fn an_explicit_trap_is_a_trap() {
    let runtime = runtime(LIMITS);
    assert_fails_then_serves(
        &runtime,
        &trapping(),
        |error| matches!(error, ModuleError::Trap { reason } if reason.contains("unreachable")),
    );
}

#[test]
fn a_trap_while_loading_a_contract_is_a_trap() {
    let runtime = runtime(LIMITS);
    let module = Abi { load: "unreachable".to_owned(), ..Abi::default() }.load(&runtime, "hostile").unwrap();
    let error = module.evaluate(&document(), call()).unwrap_err();
    assert!(matches!(&error, ModuleError::Trap { reason } if reason.contains("unreachable")), "{error:?}");
    assert_serves(&runtime, &Abi::default().load(&runtime, "good").unwrap());
}

#[test]
fn missing_exports_are_refused_at_load() {
    let runtime = runtime(LIMITS);
    for export in ["pactum_abi_version", "pactum_alloc", "pactum_free", "pactum_load", "pactum_evaluate"] {
        let hostile = Abi { without: Some(export), ..Abi::default() };
        let error = hostile.load(&runtime, "hostile").unwrap_err();
        assert!(
            matches!(&error, ModuleError::MissingExport { module, export: named } if module == "hostile" && named.starts_with(export)),
            "without {export}: {error:?}"
        );
    }
    let without_memory = Abi { export_memory: false, ..Abi::default() };
    assert_refused_then_serves(
        &runtime,
        &without_memory,
        &ModuleError::MissingExport { module: "hostile".to_owned(), export: "memory".to_owned() },
    );
}

#[test]
fn an_export_of_the_wrong_signature_is_a_missing_export() {
    let runtime = runtime(LIMITS);
    // `pactum_evaluate` answering an i32 instead of the packed i64.
    let hostile = Abi::evaluating("i32.const 0").wat();
    let hostile = String::from_utf8(hostile).unwrap().replace(
        "(export \"pactum_evaluate\") (param i32 i32) (result i64)",
        "(export \"pactum_evaluate\") (param i32 i32) (result i32)",
    );
    let error = runtime.load_module("hostile", hostile.into_bytes(), InstanceMode::Fresh).unwrap_err();
    assert!(
        matches!(&error, ModuleError::MissingExport { export, .. } if export.starts_with("pactum_evaluate")),
        "{error:?}"
    );
    assert_serves(&runtime, &Abi::default().load(&runtime, "good").unwrap());
}

#[test]
fn a_wrong_abi_version_is_refused_at_load() {
    let runtime = runtime(LIMITS);
    let hostile = Abi { version: "i32.const 2".to_owned(), ..Abi::default() };
    assert_refused_then_serves(
        &runtime,
        &hostile,
        &ModuleError::AbiVersion { module: "hostile".to_owned(), found: 2, expected: pactum_core::ABI_VERSION },
    );
}

#[test]
fn malformed_output_is_refused() {
    let runtime = runtime(LIMITS);
    assert_fails_then_serves(&runtime, &malformed_output(), |error| {
        matches!(error, ModuleError::MalformedOutput { .. })
    });
}

#[test]
fn json_that_is_not_an_outcome_is_malformed_output() {
    let runtime = runtime(LIMITS);
    for answer in [
        r#"{"type":"verdict","code":"200"}"#,
        r#"{"type":"decision","code":"200"}"#,
        r#"{"type":"decision","code":200,"entity":null,"changed":[],"pending":[],"unique":[],"errors":[]}"#,
        r#"{"type":"decision","code":"200","entity":null,"changed":[],"pending":[],"unique":[],"errors":[],"extra":1}"#,
        r#"[1,2,3]"#,
        "",
    ] {
        let hostile = Abi { extra: answer, ..Abi::evaluating(packed(EXTRA_AT, answer.len())) };
        assert_fails_then_serves(&runtime, &hostile, |error| matches!(error, ModuleError::MalformedOutput { .. }));
    }
}

#[test]
fn an_output_outside_memory_is_refused() {
    let runtime = runtime(LIMITS);
    assert_fails_then_serves(&runtime, &output_outside_memory(), |error| *error == ModuleError::OutputOutOfBounds);
    let far_away = Abi::evaluating(packed(0xffff_fff0, 64));
    assert_fails_then_serves(&runtime, &far_away, |error| *error == ModuleError::OutputOutOfBounds);
}

#[test]
fn calling_a_host_import_is_a_trap() {
    let runtime = runtime(LIMITS);
    assert_fails_then_serves(
        &runtime,
        &calling_a_host_import(),
        |error| matches!(error, ModuleError::Trap { reason } if reason.contains("env::now")),
    );
}

#[test]
fn importing_anything_but_functions_is_refused_at_load() {
    let runtime = runtime(LIMITS);
    for (import, name) in [
        (r#"(import "env" "table" (table 1 funcref))"#, "env::table"),
        (r#"(import "env" "seed" (global i32))"#, "env::seed"),
    ] {
        let hostile = Abi { imports: import, ..Abi::default() };
        let error = hostile.load(&runtime, "hostile").unwrap_err();
        assert!(
            matches!(&error, ModuleError::Instantiate { module, reason } if module == "hostile" && reason.contains(name)),
            "{error:?}"
        );
    }
    assert_serves(&runtime, &Abi::default().load(&runtime, "good").unwrap());
}

#[test]
fn unbounded_recursion_exhausts_the_stack_and_traps() {
    // Fuel to spare, so that the 1 MiB machine stack runs out first.
    let runtime = runtime(Limits { evaluate_fuel: 1 << 40, ..LIMITS });
    let hostile = Abi {
        imports: "(func $deeper (param i64) (result i64) (call $deeper (i64.add (local.get 0) (i64.const 1))))",
        ..Abi::evaluating("(call $deeper (i64.const 0))")
    };
    assert_fails_then_serves(
        &runtime,
        &hostile,
        |error| matches!(error, ModuleError::Trap { reason } if reason.contains("stack")),
    );
}

#[test]
fn a_buffer_from_pactum_alloc_outside_memory_is_a_trap() {
    let runtime = runtime(LIMITS);
    let hostile = String::from_utf8(Abi::default().wat())
        .unwrap()
        .replace("(param i32) (result i32) i32.const 1024", "(param i32) (result i32) i32.const 65530");
    let module = runtime.load_module("hostile", hostile.into_bytes(), InstanceMode::Fresh).unwrap();
    let error = module.call_json(CALL_JSON).unwrap_err();
    assert!(matches!(&error, ModuleError::Trap { reason } if reason.contains("pactum_alloc")), "{error:?}");
    assert_serves(&runtime, &Abi::default().load(&runtime, "good").unwrap());
}

#[test]
fn a_start_function_that_never_ends_is_stopped_at_load() {
    let runtime = runtime(LIMITS);
    let hostile = Abi { imports: "(func $spin (loop $forever (br $forever))) (start $spin)", ..Abi::default() };
    let error = hostile.load(&runtime, "hostile").unwrap_err();
    assert_eq!(error, ModuleError::OutOfFuel { fuel: LIMITS.evaluate_fuel });
    assert_serves(&runtime, &Abi::default().load(&runtime, "good").unwrap());
}

#[test]
fn a_memory_larger_than_the_limit_is_refused_at_load() {
    let runtime = runtime(LIMITS);
    let pages = LIMITS.max_memory_bytes / 65_536 + 1;
    let hostile = String::from_utf8(Abi::default().wat())
        .unwrap()
        .replace("(memory (export \"memory\") 1)", &format!("(memory (export \"memory\") {pages})"));
    // The pooling allocator checks every module's memories when it compiles.
    let error = runtime.load_module("hostile", hostile.into_bytes(), InstanceMode::Fresh).unwrap_err();
    assert!(
        matches!(&error, ModuleError::Compile { module, reason } if module == "hostile" && reason.contains("exceeds the limit")),
        "{error:?}"
    );
    assert_serves(&runtime, &Abi::default().load(&runtime, "good").unwrap());
}

#[test]
fn an_input_over_the_limit_is_not_sent() {
    let runtime = runtime(LIMITS);
    let good = Abi::default().load(&runtime, "good").unwrap();
    let big = vec![b' '; LIMITS.max_input_bytes + 1];
    assert_eq!(
        good.call_json(&big).unwrap_err(),
        ModuleError::InputTooLarge { len: LIMITS.max_input_bytes + 1, max: LIMITS.max_input_bytes }
    );
    assert_serves(&runtime, &good);
}

#[test]
fn a_module_that_is_not_wasm_is_a_compile_error() {
    let runtime = runtime(LIMITS);
    let error = runtime.load_module("hostile", b"(module (func".to_vec(), InstanceMode::Fresh).unwrap_err();
    assert!(matches!(&error, ModuleError::Compile { module, .. } if module == "hostile"), "{error:?}");
    assert_serves(&runtime, &Abi::default().load(&runtime, "good").unwrap());
}

/// Which errors a case accepts.
type Expected = fn(&ModuleError) -> bool;

/// One runtime through every hostile module in turn, a good call after each.
#[test]
fn the_host_keeps_serving_through_every_hostile_module() {
    let runtime = runtime(LIMITS);
    let cases: [(&str, Abi, Expected); 7] = [
        ("infinite loop", infinite_loop(), |error| matches!(error, ModuleError::OutOfFuel { .. })),
        ("memory hog", memory_hog(), |error| matches!(error, ModuleError::MemoryLimit { .. })),
        ("huge output", huge_output(), |error| matches!(error, ModuleError::OutputTooLarge { .. })),
        ("trap", trapping(), |error| matches!(error, ModuleError::Trap { .. })),
        ("malformed output", malformed_output(), |error| matches!(error, ModuleError::MalformedOutput { .. })),
        ("output outside memory", output_outside_memory(), |error| *error == ModuleError::OutputOutOfBounds),
        ("host import", calling_a_host_import(), |error| matches!(error, ModuleError::Trap { .. })),
    ];
    for (name, hostile, expected) in cases {
        eprintln!("hostile module: {name}");
        assert_fails_then_serves(&runtime, &hostile, expected);
    }
    assert_refused_then_serves(
        &runtime,
        &Abi { version: "i32.const 7".to_owned(), ..Abi::default() },
        &ModuleError::AbiVersion { module: "hostile".to_owned(), found: 7, expected: 1 },
    );
    assert_refused_then_serves(
        &runtime,
        &Abi { export_memory: false, ..Abi::default() },
        &ModuleError::MissingExport { module: "hostile".to_owned(), export: "memory".to_owned() },
    );
}

/// A decision that asks for a code by `fax`, a channel the wire does not
/// have (it names `sms` and `email` only).
const FAX_DECISION: &str = r#"{"type":"decision","code":"200","entity":{"mobile":"+41791234567"},"changed":["/mobile"],"pending":[{"field":"mobile","channel":"fax","value":"+41791234567"}],"unique":[],"errors":[]}"#;

backend_tests!(a_decision_naming_an_unknown_channel_is_a_module_failure);

/// Through the whole service, over HTTP: a plugin whose decision names an
/// unknown channel fails as a module (500.1: its answer is not an outcome),
/// not as a server fault (500), and nothing is stored.
async fn a_decision_naming_an_unknown_channel_is_a_module_failure(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("fax.wat");
    // The registry checks every contract at start with a `validate` call,
    // answered well; the create's call is told apart by its payload, the
    // only one holding a `+`, and answered with the `fax` decision.
    let evaluate = format!(
        "(local $at i32)
         (block $done (loop $scan
           (br_if $done (i32.ge_u (local.get $at) (local.get 1)))
           (if (i32.eq (i32.load8_u (i32.add (local.get 0) (local.get $at))) (i32.const 43))
             (then (return ({fax}))))
           (local.set $at (i32.add (local.get $at) (i32.const 1)))
           (br $scan)))
         {good}",
        fax = packed(EXTRA_AT, FAX_DECISION.len()),
        good = packed(DECISION_AT, DECISION.len()),
    );
    let abi = Abi { extra: FAX_DECISION, ..Abi::evaluating(evaluate) };
    std::fs::write(&module, abi.wat()).unwrap();
    let contract = dir.path().join("fax.json");
    std::fs::write(&contract, r#"{"type": "object", "properties": {"mobile": {"type": "string"}}}"#).unwrap();
    let mut config = support::config(db);
    config.contracts.push(ContractConfig {
        id: "fax".into(),
        file: contract,
        module: module.to_string_lossy().into_owned(),
        instances: Instances::Warm,
        shadow: None,
    });
    config.apps.push(AppConfig {
        name: "faxer".into(),
        key_sha256: key_hash(&support::key("faxer")),
        permissions: BTreeSet::from([Permission::Create]),
        default_contract: "fax".into(),
        contracts: BTreeSet::new(),
        ext_key_type: None,
    });
    let server = TestServer::start(config).await;
    let answer = server
        .request("faxer", reqwest::Method::POST, "/userentity/data")
        .json(&json!({"mobile": "+41791234567"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 500);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["code"], "500.1", "{body}");
    assert!(body["detail"].as_str().unwrap_or_default().contains("`fax`"), "{body}");
    let raw = db.raw().await;
    assert_eq!(raw.count("SELECT COUNT(*) FROM entities").await, 0);
    raw.close().await;
    server.stop().await;
}

/// A module that counts its calls in memory: `pactum_load` sets the count
/// to 1, each evaluate adds one and answers `{"ok": true}` only when it is
/// then 2, so a second call in the same memory answers `{"ok": false}`.
fn counting(globals: &'static str) -> Abi {
    const COUNT_AT: u32 = 2000;
    Abi {
        imports: globals,
        load: format!("i32.const {COUNT_AT} i32.const 1 i32.store8 {}", packed(LOADED_AT, LOADED.len())),
        evaluate: format!(
            "i32.const {COUNT_AT} i32.const {COUNT_AT} i32.load8_u i32.const 1 i32.add i32.store8 \
             (if (result i64) (i32.eq (i32.load8_u (i32.const {COUNT_AT})) (i32.const 2)) \
             (then {}) (else {}))",
            packed(DECISION_AT, DECISION.len()),
            packed(EXTRA_AT, DECISION.replace("true", "false").len()),
        ),
        extra: Box::leak(DECISION.replace("true", "false").into_boxed_str()),
        ..Abi::default()
    }
}

fn entities(module: &ContractModule, calls: usize) -> Vec<Value> {
    (0..calls)
        .map(|_| match module.evaluate(&document(), call()).unwrap() {
            Outcome::Decision(decision) => decision.entity.unwrap(),
            other => panic!("not a decision: {other:?}"),
        })
        .collect()
}

/// Fresh instances start from the memory an instance had right after its
/// load (runtime/image.rs), and no call sees what an earlier one left; a
/// module with state outside its memory (a second mutable global) loads in
/// every instance instead, with the same answers.
#[test]
fn fresh_instances_start_from_the_loaded_memory_and_share_nothing() {
    let runtime = runtime(LIMITS);
    for globals in ["", "(global (mut i32) (i32.const 0)) (global (mut i32) (i32.const 0))"] {
        let abi = counting(globals);
        let fresh = runtime.load_module("counting", abi.wat(), InstanceMode::Fresh).unwrap();
        assert_eq!(entities(&fresh, 3), vec![json!({"ok": true}); 3], "fresh, globals {globals:?}");
        let warm = runtime.load_module("counting", abi.wat(), InstanceMode::Warm { max_idle: 1 }).unwrap();
        assert_eq!(entities(&warm, 2), [json!({"ok": true}), json!({"ok": false})], "warm keeps its memory");
    }
}
