//! The AssemblyScript plugin (`plugins/newsletter-as`) under the wasmtime
//! runtime: a second language speaking the ABI of `docs/abi.md`, loaded as
//! any module is (`Runtime::load_module`), warm and fresh.
//!
//! - the case corpus `tests/plugins/newsletter-cases.json`: each call's
//!   bytes through `call_json` (the contract inline, by reference, or raw
//!   bytes), and the structured ones again through `evaluate` (the contract
//!   loaded with `pactum_load` first);
//! - the module imports nothing and exports the ABI with its signatures;
//! - the hostile inputs the host tests meet modules with, where they apply
//!   to a module's input: garbage bytes, inputs at the size limit, deep
//!   nesting, tight resource limits. Each is answered with an outcome or
//!   ends in a typed `ModuleError`; the module then serves a good call.
//!
//! Needs `target/wasm/newsletter.wasm`: `cargo xtask wasm` builds it (with
//! Node.js and the AssemblyScript compiler pinned in the plugin's lock file).

#![expect(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "tests fail loudly on purpose")]

use std::path::PathBuf;

use pactum_core::wire::{Call, Outcome};
use pactum_host::runtime::{
    ContractDocument, ContractModule, InstanceMode, Limits, ModuleError, Runtime, RuntimeOptions,
};
use serde_json::{Map, Value, json};

const REFERENCE: &str = "newsletter";
const TODAY: &str = "2026-11-28";
const WARM: InstanceMode = InstanceMode::Warm { max_idle: 1 };

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().map(PathBuf::from).unwrap()
}

fn module_bytes() -> Vec<u8> {
    let dir =
        std::env::var_os("PACTUM_WASM_DIR").map_or_else(|| workspace().join("target").join("wasm"), PathBuf::from);
    let path = dir.join("newsletter.wasm");
    std::fs::read(&path).unwrap_or_else(|error| {
        panic!(
            "cannot read the AssemblyScript plugin module {} ({error}): build it with `cargo xtask wasm` before running these tests",
            path.display()
        )
    })
}

fn contract_document() -> Value {
    let path = workspace().join("plugins/newsletter-as/contract.json");
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

fn document() -> ContractDocument {
    ContractDocument::new(REFERENCE, contract_document())
}

fn runtime(limits: Limits) -> Runtime {
    Runtime::new(RuntimeOptions { limits, max_concurrent_calls: 2, cache_dir: None }).unwrap()
}

fn plugin(runtime: &Runtime, mode: InstanceMode) -> ContractModule {
    runtime.load_module("newsletter", module_bytes(), mode).unwrap()
}

/// A stored subscriber.
fn ann() -> Value {
    json!({"topics": ["events", "product"], "frequency": "weekly", "nickname": "ann_b", "subscribedSince": "2024-03-01"})
}

/// A call with the plugin's contract inline.
fn inline_call(payload: &Value) -> Vec<u8> {
    let call =
        json!({"contract": contract_document(), "current": ann(), "payload": payload, "context": {"today": TODAY}});
    serde_json::to_vec(&call).unwrap()
}

/// The module's answer as a JSON value; a module error fails the test.
fn answer(module: &ContractModule, input: &[u8]) -> Value {
    let bytes = module.call_json(input).unwrap_or_else(|error| {
        panic!("the module failed ({}): {error}; input {}", error.kind(), preview(&String::from_utf8_lossy(input)))
    });
    serde_json::from_slice(&bytes).unwrap()
}

fn preview(text: &str) -> String {
    let cut: String = text.chars().take(200).collect();
    if cut.len() < text.len() { format!("{cut}... ({} bytes)", text.len()) } else { cut }
}

/// The same module still answers a known-good call exactly, through both doors.
fn assert_serves(module: &ContractModule) {
    let expected = concat!(
        r#"{"type":"decision","code":"200","entity":{"frequency":"daily","nickname":"ann_c","subscribedSince":"2024-03-01","topics":["events","product"]},"#,
        r#""changed":["/frequency","/nickname"],"pending":[],"unique":[{"field":"nickname","role":null,"value":"ann_c"}],"errors":[]}"#
    );
    let payload = json!({"nickname": "ann_c", "frequency": "daily"});
    let bytes = module.call_json(&inline_call(&payload)).unwrap();
    assert_eq!(String::from_utf8(bytes).unwrap(), expected, "the module stopped serving");
    let call: Call =
        serde_json::from_value(json!({"current": ann(), "payload": payload, "context": {"today": TODAY}})).unwrap();
    let outcome = module.evaluate(&document(), call).unwrap();
    assert_eq!(serde_json::to_string(&outcome).unwrap(), expected, "the module stopped serving");
}

// ---------------------------------------------------------------- the corpus

/// One case of the corpus, ready to send.
struct Case {
    name: String,
    input: Vec<u8>,
    /// The same call without its contract, for `evaluate` with the plugin's
    /// document loaded; `None` for calls by reference, with another
    /// contract, raw or verbatim.
    structured: Option<Call>,
    expect: Value,
}

const CASE_MEMBERS: [&str; 11] = [
    "name",
    "description",
    "operation",
    "current",
    "payload",
    "context",
    "contract",
    "contractRef",
    "call",
    "raw",
    "expect",
];

fn cases() -> Vec<Case> {
    let path = workspace().join("host/tests/plugins/newsletter-cases.json");
    let file: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let contract = contract_document();
    let contract_text = serde_json::to_string(&contract).unwrap();
    let mut names = std::collections::BTreeSet::new();
    let mut cases = Vec::new();
    for raw in file["cases"].as_array().unwrap() {
        let case = raw.as_object().unwrap();
        let name = case["name"].as_str().unwrap().to_owned();
        assert!(names.insert(name.clone()), "case `{name}` is named twice");
        if let Some(unknown) = case.keys().find(|key| !CASE_MEMBERS.contains(&key.as_str())) {
            panic!("case `{name}`: unknown member `{unknown}`");
        }
        let (input, structured) = if let Some(text) = case.get("raw") {
            (text.as_str().unwrap().replace("$CONTRACT", &contract_text).into_bytes(), None)
        } else if let Some(call) = case.get("call") {
            (serde_json::to_vec(call).unwrap(), None)
        } else {
            let mut call = Map::new();
            for key in ["operation", "current", "payload", "context"] {
                if let Some(value) = case.get(key) {
                    call.insert(key.to_owned(), value.clone());
                }
            }
            if !case.contains_key("context") {
                call.insert("context".to_owned(), file["context"].clone());
            }
            let by_document = !case.contains_key("contract") && !case.contains_key("contractRef");
            let structured = by_document.then(|| serde_json::from_value(Value::Object(call.clone())).unwrap());
            match (case.get("contract"), case.get("contractRef")) {
                (Some(document), _) => call.insert("contract".to_owned(), document.clone()),
                (None, Some(reference)) => call.insert("contractRef".to_owned(), reference.clone()),
                (None, None) => call.insert("contract".to_owned(), contract.clone()),
            };
            (serde_json::to_vec(&call).unwrap(), structured)
        };
        cases.push(Case { name, input, structured, expect: case["expect"].clone() });
    }
    assert!(cases.len() > 50, "the corpus has only {} cases", cases.len());
    cases
}

/// `[pointer, code]` of each error or problem in `list`.
fn pairs(list: &Value) -> Vec<Value> {
    list.as_array().unwrap().iter().map(|item| json!([item["pointer"], item["code"]])).collect()
}

/// Whether `answer` is the outcome `expect` describes.
fn check(expect: &Value, answer: &Value) -> Result<(), String> {
    for member in ["type", "code"] {
        if answer[member] != expect[member] {
            return Err(format!("{member} is {}, expected {}", answer[member], expect[member]));
        }
    }
    if expect["type"] == "decision" {
        let accepted = answer["code"].as_str().unwrap().starts_with('2');
        let errors = answer["errors"].as_array().unwrap();
        if accepted != errors.is_empty() || (!accepted && !answer["entity"].is_null()) {
            return Err("an accepted decision has errors, or a rejected one an entity".to_owned());
        }
        if errors.iter().any(|error| error["message"].as_str().unwrap_or_default().is_empty()) {
            return Err("an error has no message".to_owned());
        }
        if pairs(&answer["errors"]) != expect["errors"].as_array().unwrap().clone() {
            return Err(format!("errors are {}, expected {}", json!(pairs(&answer["errors"])), expect["errors"]));
        }
        for member in ["entity", "changed", "unique"] {
            if let Some(expected) = expect.get(member)
                && &answer[member] != expected
            {
                return Err(format!("{member} is {}, expected {expected}", answer[member]));
            }
        }
        if answer["pending"] != json!([]) {
            return Err("this contract verifies nothing, so `pending` is empty".to_owned());
        }
    } else {
        if let Some(text) = expect.get("message").and_then(Value::as_str)
            && !answer["message"].as_str().unwrap_or_default().contains(text)
        {
            return Err(format!("the message {} does not say `{text}`", answer["message"]));
        }
        if let Some(problems) = expect.get("problems")
            && &json!(pairs(&answer["problems"])) != problems
        {
            return Err(format!("problems are {}, expected {problems}", json!(pairs(&answer["problems"]))));
        }
    }
    Ok(())
}

/// Every case through one module: its answer must be the expected outcome,
/// written in the canonical form (the bytes the host would write for it).
fn run_corpus(mode: InstanceMode) {
    let runtime = runtime(Limits::default());
    let module = plugin(&runtime, mode);
    let document = document();
    let cases = cases();
    let mut failures = Vec::new();
    for case in &cases {
        match module.call_json(&case.input) {
            Ok(bytes) => {
                let outcome: Outcome = serde_json::from_slice(&bytes).unwrap();
                let canonical = serde_json::to_vec(&outcome).unwrap();
                if canonical != bytes {
                    failures.push(format!(
                        "{}: not the canonical form: {}",
                        case.name,
                        preview(&String::from_utf8_lossy(&bytes))
                    ));
                }
                let answer: Value = serde_json::from_slice(&bytes).unwrap();
                if let Err(why) = check(&case.expect, &answer) {
                    failures.push(format!(
                        "{}: {why}; the module answered {}",
                        case.name,
                        preview(&answer.to_string())
                    ));
                }
            }
            Err(error) => failures.push(format!("{}: the module failed: {error}", case.name)),
        }
        if let Some(call) = &case.structured {
            match module.evaluate(&document, call.clone()) {
                Ok(outcome) => {
                    let answer = serde_json::to_value(&outcome).unwrap();
                    if let Err(why) = check(&case.expect, &answer) {
                        failures.push(format!("{} (loaded by reference): {why}", case.name));
                    }
                }
                Err(error) => failures.push(format!("{} (loaded by reference): the module failed: {error}", case.name)),
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    let structured = cases.iter().filter(|case| case.structured.is_some()).count();
    eprintln!("{} cases passed ({structured} of them also by reference), {mode:?}", cases.len());
    assert_serves(&module);
}

#[test]
fn the_case_corpus_passes_in_a_warm_instance() {
    run_corpus(WARM);
}

#[test]
fn the_case_corpus_passes_in_fresh_instances() {
    run_corpus(InstanceMode::Fresh);
}

// ---------------------------------------------------------------- the module

#[test]
fn the_module_imports_nothing_and_exports_the_abi() {
    let module = wasmtime::Module::new(&wasmtime::Engine::default(), module_bytes()).unwrap();
    let imports: Vec<String> =
        module.imports().map(|import| format!("{}::{}", import.module(), import.name())).collect();
    assert_eq!(imports, Vec::<String>::new(), "the host defines every import as a trap");
    let mut exports: Vec<String> = module
        .exports()
        .map(|export| match export.ty() {
            wasmtime::ExternType::Func(ty) => {
                let params: Vec<String> = ty.params().map(|param| param.to_string()).collect();
                let results: Vec<String> = ty.results().map(|result| result.to_string()).collect();
                format!("{} ({}) -> ({})", export.name(), params.join(", "), results.join(", "))
            }
            wasmtime::ExternType::Memory(_) => format!("{} memory", export.name()),
            other => format!("{} {other:?}", export.name()),
        })
        .collect();
    exports.sort();
    assert_eq!(
        exports,
        [
            "memory memory",
            "pactum_abi_version () -> (i32)",
            "pactum_alloc (i32) -> (i32)",
            "pactum_evaluate (i32, i32) -> (i64)",
            "pactum_free (i32, i32) -> ()",
            "pactum_load (i32, i32) -> (i64)",
        ]
    );
}

#[test]
fn a_warm_instance_keeps_the_contracts_it_loaded() {
    let runtime = runtime(Limits::default());
    let by_reference =
        serde_json::to_vec(&json!({"contractRef": REFERENCE, "payload": {"topics": ["events"], "frequency": "daily"},
                                                  "operation": "create", "context": {"today": TODAY}}))
        .unwrap();

    let warm = plugin(&runtime, WARM);
    assert_serves(&warm); // `evaluate` loads the document into the one warm instance
    let created = answer(&warm, &by_reference);
    assert_eq!((&created["type"], &created["code"]), (&json!("decision"), &json!("201")), "{created}");

    // A fresh instance has loaded nothing.
    let fresh = plugin(&runtime, InstanceMode::Fresh);
    assert_serves(&fresh);
    assert_eq!(answer(&fresh, &by_reference)["code"], "422.3");
}

#[test]
fn a_document_the_plugin_does_not_implement_is_rejected_at_load() {
    let runtime = runtime(Limits::default());
    let module = plugin(&runtime, WARM);
    let other =
        ContractDocument::new("profile", json!({"type": "object", "properties": {"email": {"type": "string"}}}));
    let call: Call = serde_json::from_value(json!({"payload": {}})).unwrap();
    let error = module.evaluate(&other, call).unwrap_err();
    assert!(
        matches!(&error, ModuleError::ContractRejected { contract, reason } if contract == "profile" && reason.contains("topics")),
        "{error:?}"
    );
    assert_serves(&module);
}

// ---------------------------------------------------------------- hostile input

/// Deterministic pseudo-random bytes (a linear congruential generator).
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 56) as u8
        })
        .collect()
}

#[test]
fn garbage_bytes_are_failure_outcomes_not_traps() {
    let runtime = runtime(Limits::default());
    let module = plugin(&runtime, WARM);
    let mut inputs: Vec<Vec<u8>> = (0..64).map(|seed| noise(seed, (seed as usize * 97) % 3000)).collect();
    // Noise behind a valid start, so the reader gets past the first byte.
    inputs
        .extend((0..32).map(|seed| [&br#"{"contractRef":"x","payload":{"nickname":"#[..], &noise(seed, 64)].concat()));
    // Not UTF-8 inside a string: a lone continuation byte, an overlong `/`,
    // a surrogate written in UTF-8, past U+10FFFF, a truncated sequence.
    for bad in [&[0x80][..], &[0xc0, 0xaf], &[0xed, 0xa0, 0x80], &[0xf4, 0x90, 0x80, 0x80], &[0xe2, 0x82], &[0xff]] {
        inputs.push([&br#"{"contractRef":"x","payload":{"nickname":""#[..], bad, br#""}}"#].concat());
    }
    inputs.push(b"\0".to_vec());
    inputs.push(b"{\0}".to_vec());
    inputs.push(vec![b'{'; 5000]);
    inputs.push(vec![b'"'; 5000]);
    inputs.push(b"{\"payload\":".repeat(200));
    for input in &inputs {
        let outcome = answer(&module, input);
        assert_eq!(
            (&outcome["type"], &outcome["code"]),
            (&json!("failure"), &json!("422.2")),
            "{outcome}; input {}",
            preview(&String::from_utf8_lossy(input))
        );
    }
    assert_serves(&module);
}

/// Large calls of at most `len` bytes, each with the code it is answered with.
fn big_inputs(len: usize) -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let contract = serde_json::to_string(&contract_document()).unwrap();
    let room = len - contract.len() - 200;
    let call = |payload: &str| format!(r#"{{"contract":{contract},"payload":{payload}}}"#).into_bytes();
    let zeros = format!("[{}0]", "0,".repeat(room / 2 - 2));
    let half = format!("[{}0]", "0,".repeat(room / 4));
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let keys = |count: usize| {
        let members: Vec<String> = (0..count).map(|index| format!(r#""k{index}":1"#)).collect();
        format!("{{{}}}", members.join(","))
    };
    vec![
        ("an array of half a million numbers", call(&format!(r#"{{"topics":{zeros}}}"#)), "400.21"),
        ("a nickname of a megabyte", call(&format!(r#"{{"nickname":"{}"}}"#, "x".repeat(room - 20))), "400"),
        (
            "escapes all the way",
            call(&format!(r#"{{"nickname":"{}"}}"#, r#"\u00e9\n\""#.repeat((room - 20) / 10))),
            "400",
        ),
        ("30,000 unknown members", call(&keys(30_000)), "400.21"),
        ("15,000 unknown members, each an error", call(&keys(15_000)), "400"),
        ("a 100-level nesting", call(&format!("{}{}", "[".repeat(100), "]".repeat(100))), "400.21"),
        (
            "a nesting far past the reader's limit",
            call(&format!("{}{}", "[".repeat(room / 2), "]".repeat(room / 2))),
            "422.2",
        ),
        ("deep nesting after the budget ran out", call(&format!(r#"{{"a":{half},"b":{deep}}}"#)), "422.2"),
        ("whitespace", format!("{}{{}}", " ".repeat(len - 2)).into_bytes(), "422.2"),
    ]
}

#[test]
fn inputs_at_the_size_limit_are_answered_and_leave_the_heap_usable() {
    let limits = Limits::default();
    let runtime = runtime(limits);
    let module = plugin(&runtime, WARM);
    // Three rounds on the one warm instance: each call's garbage is
    // collected, so the heap does not grow towards the memory limit.
    for round in 0..3 {
        for (what, input, code) in big_inputs(limits.max_input_bytes) {
            assert!(input.len() <= limits.max_input_bytes, "{what}: {} bytes", input.len());
            let bytes = module.call_json(&input).unwrap_or_else(|error| panic!("round {round}, {what}: {error}"));
            assert!(bytes.len() <= limits.max_output_bytes, "{what}: {} bytes out", bytes.len());
            let outcome: Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(outcome["code"], code, "round {round}, {what}: {}", preview(&outcome.to_string()));
            // A message quotes a value cut to a readable length.
            for error in outcome["errors"].as_array().into_iter().flatten() {
                assert!(error["message"].as_str().unwrap().chars().count() < 400, "{what}: {error}");
            }
        }
        assert_serves(&module);
    }
}

#[test]
fn an_input_over_the_limit_is_not_sent() {
    let limits = Limits::default();
    let runtime = runtime(limits);
    let module = plugin(&runtime, WARM);
    let big = vec![b' '; limits.max_input_bytes + 1];
    assert_eq!(
        module.call_json(&big).unwrap_err(),
        ModuleError::InputTooLarge { len: limits.max_input_bytes + 1, max: limits.max_input_bytes }
    );
    assert_serves(&module);
}

#[test]
fn tight_resource_limits_end_in_typed_errors_and_the_module_recovers() {
    let input = big_inputs(1 << 20).swap_remove(0).1;
    // Too little fuel to read a megabyte.
    let fuel = Limits { evaluate_fuel: 2_000_000, ..Limits::default() };
    let starved = runtime(fuel);
    let module = plugin(&starved, WARM);
    assert_eq!(module.call_json(&input).unwrap_err(), ModuleError::OutOfFuel { fuel: fuel.evaluate_fuel });
    assert_serves(&module);

    // Too little memory to hold the input: the allocator's failure is a
    // trap the host names by the limit that caused it.
    let memory = Limits { max_memory_bytes: 1 << 20, ..Limits::default() };
    let cramped = runtime(memory);
    let module = plugin(&cramped, WARM);
    assert_eq!(module.call_json(&input).unwrap_err(), ModuleError::MemoryLimit { max_bytes: memory.max_memory_bytes });
    assert_serves(&module);

    // An output limit below the answer's size.
    let output = Limits { max_output_bytes: 64, ..Limits::default() };
    let terse = runtime(output);
    let module = plugin(&terse, WARM);
    let error = module.call_json(&inline_call(&json!({"nickname": "ann_c"}))).unwrap_err();
    assert!(matches!(error, ModuleError::OutputTooLarge { max: 64, .. }), "{error:?}");
}
