//! Conformance: every case of the decision corpus and of the official
//! JSON-Schema-Test-Suite, evaluated by three implementations on the same
//! call bytes, must answer byte-identical outcomes:
//!
//! - `native`: `pactum_core::evaluate_json`, compiled into this test;
//! - `wasmtime`: the built-in `_bg.wasm` through the host's runtime (the
//!   plain ABI, `pactum_evaluate`);
//! - `node`: the same `_bg.wasm` bytes through the wasm-bindgen glue
//!   (`evaluateJson`), run by `tests/node/evaluate.mjs`;
//! - `fresh`: every decision case again in fresh wasmtime instances that
//!   start from the contract's memory image (`instances = "fresh"`).
//!
//! It prints the number of cases per implementation and every divergence by
//! case name. A missing module or a missing `node` fails the run.

#![expect(clippy::print_stdout, reason = "a test harness reports its counts on stdout")]

use std::path::Path;
use std::process::{Command, ExitCode};

use pactum_tests::conformance::{self, Named, through_fresh_instances, through_wasmtime};

fn main() -> ExitCode {
    pactum_tests::exit_code("conformance", run())
}

fn run() -> Result<usize, String> {
    let loaded = conformance::load()?;
    let cases = &loaded.all;

    let native: Vec<Vec<u8>> = cases.iter().map(|case| pactum_core::evaluate_json(&case.call)).collect();
    let wasmtime = through_wasmtime(cases)?;
    let node = through_node(cases)?;
    let fresh = through_fresh_instances(cases)?;

    let mut divergences = 0;
    for (index, case) in cases.iter().enumerate() {
        let expected = native.get(index);
        for (implementation, outcomes) in [("wasmtime", &wasmtime), ("node", &node)] {
            let answer = outcomes.get(index);
            if answer != expected {
                divergences += 1;
                eprintln!(
                    "DIVERGENCE {} ({implementation})\n  native:          {}\n  {implementation:<16} {}",
                    case.name,
                    expected.map(|bytes| String::from_utf8_lossy(bytes).into_owned()).unwrap_or_default(),
                    answer.map(|bytes| String::from_utf8_lossy(bytes).into_owned()).unwrap_or_default(),
                );
            }
        }
    }
    // A decision natively must be the same decision in a fresh instance.
    let mut fresh_compared = 0;
    for (index, case) in cases.iter().enumerate() {
        let expected = native.get(index).map(Vec::as_slice).unwrap_or_default();
        let is_decision = expected.starts_with(br#"{"type":"decision""#);
        match fresh.get(index).and_then(Option::as_deref) {
            None if !is_decision => continue,
            answer if answer == Some(expected) => fresh_compared += 1,
            answer => {
                fresh_compared += 1;
                divergences += 1;
                eprintln!(
                    "DIVERGENCE {} (fresh)\n  native: {}\n  fresh:  {}",
                    case.name,
                    String::from_utf8_lossy(expected),
                    answer
                        .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
                        .unwrap_or_else(|| "no outcome".to_owned()),
                );
            }
        }
    }
    println!(
        "conformance: {} cases (corpus {}, suite {}); native {}, wasmtime {}, node {}, fresh {fresh_compared}; {divergences} divergences",
        cases.len(),
        loaded.corpus(),
        loaded.suite,
        native.len(),
        wasmtime.len(),
        node.len(),
    );
    let passed = cases.len() * 2 + fresh_compared - divergences;
    println!("{passed} passed, {divergences} failed");
    Ok(divergences)
}

fn through_node(cases: &[Named]) -> Result<Vec<Vec<u8>>, String> {
    let module_dir = pactum_tests::module_dir()?;
    let input: Vec<serde_json::Value> = cases
        .iter()
        .map(|case| serde_json::json!({"name": case.name, "call": String::from_utf8_lossy(&case.call)}))
        .collect();
    let cases_file = Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance-cases.json");
    std::fs::write(&cases_file, serde_json::to_vec(&input).unwrap_or_default())
        .map_err(|error| format!("writing {}: {error}", cases_file.display()))?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("node").join("evaluate.mjs");
    let output = Command::new("node").arg(&script).arg(module_dir).arg(&cases_file).output().map_err(|error| {
        format!("cannot run `node` ({error}); install Node.js 18.15 or later (apt-get install nodejs)")
    })?;
    if !output.status.success() {
        return Err(format!("node failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    // One line per case, in the order given.
    let mut outcomes = Vec::with_capacity(cases.len());
    for line in String::from_utf8_lossy(&output.stdout).lines().filter(|line| !line.is_empty()) {
        let entry: serde_json::Value =
            serde_json::from_str(line).map_err(|error| format!("node printed {line}: {error}"))?;
        let outcome = entry.get("outcome").and_then(|outcome| outcome.as_str()).unwrap_or_default();
        outcomes.push(outcome.as_bytes().to_vec());
    }
    if outcomes.len() != cases.len() {
        return Err(format!("node answered {} of {} cases", outcomes.len(), cases.len()));
    }
    Ok(outcomes)
}
