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
    let mut trials: Vec<Trial> = cases.into_iter().map(|case| Trial::test(case.id(), move || run(&case))).collect();
    trials.push(Trial::test("coverage::every_core_code_is_expected", move || coverage(&seen)));
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
