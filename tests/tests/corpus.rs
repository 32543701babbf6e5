//! The decision corpus, run natively: every case of `tests/corpus/*.json` is
//! one trial named `<file>::<case>`, which sends the case's call through
//! `pactum_core::evaluate_json` and compares the outcome with `expect`.
//!
//! One more trial, `coverage::every_core_code_is_expected`, fails when no
//! expectation names one of the codes the core decides, so that coverage
//! cannot drop silently.
//!
//! `cargo test -p pactum-tests --test corpus -- lists::` runs one file.

use std::collections::BTreeSet;
use std::process::ExitCode;

use libtest_mimic::{Arguments, Failed, Trial};
use pactum_core::catalogue::codes;
use pactum_tests::corpus::{self, Case};
use serde_json::Value;

fn main() -> ExitCode {
    let arguments = Arguments::from_args();
    let cases = match corpus::load() {
        Ok(cases) => cases,
        Err(error) => {
            eprintln!("decision corpus: {error}");
            return ExitCode::FAILURE;
        }
    };
    // stderr, so that `--list` output stays machine-readable.
    eprintln!("decision corpus: {} cases from {}", cases.len(), corpus::dir().display());
    let seen: BTreeSet<String> = cases.iter().flat_map(Case::codes).collect();
    let mut trials: Vec<Trial> =
        cases.clone().into_iter().map(|case| Trial::test(case.id(), move || run(&case))).collect();
    let keys: BTreeSet<String> = cases.iter().flat_map(|case| error_keys(&case.expect)).collect();
    trials.push(Trial::test("coverage::every_core_code_is_expected", move || coverage(&seen)));
    trials.push(Trial::test("coverage::every_message_key_has_words", move || known_keys(&keys)));
    libtest_mimic::run(&arguments, trials).exit_code()
}

fn run(case: &Case) -> Result<(), Failed> {
    let bytes = pactum_core::evaluate_json(&case.call_bytes());
    let actual: Value =
        serde_json::from_slice(&bytes).map_err(|error| format!("the outcome is not JSON ({error}): {bytes:?}"))?;
    if actual == case.expect {
        return Ok(());
    }
    Err(format!(
        "the outcome differs from `expect`\n  call:     {}\n  expected: {}\n  actual:   {}",
        case.call, case.expect, actual
    )
    .into())
}

fn coverage(seen: &BTreeSet<String>) -> Result<(), Failed> {
    let missing: Vec<&str> = codes::ENGINE.iter().copied().filter(|code| !seen.contains(*code)).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("no corpus expectation names these core codes: {}", missing.join(", ")).into())
    }
}

/// The message keys an expectation's errors and problems name.
fn error_keys(expect: &Value) -> Vec<String> {
    ["errors", "problems"]
        .iter()
        .filter_map(|list| expect.get(list).and_then(Value::as_array))
        .flatten()
        .filter_map(|error| error.get("key").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

fn known_keys(keys: &BTreeSet<String>) -> Result<(), Failed> {
    let unknown: Vec<&str> =
        keys.iter().map(String::as_str).filter(|key| pactum_core::words::english(key).is_none()).collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(format!("these message keys have no words in pactum_wire::words: {}", unknown.join(", ")).into())
    }
}
