//! The e-mail address reference corpus (`corpus/email/cases.jsonl`,
//! generated from the RFC 5321 / RFC 6531 grammar of
//! `scripts/gen-email-corpus.py` with PyPI's `idna`) against the engine.
//!
//! 1. The engine's rule (`pactum_core::mailbox::normalize`): for every case
//!    the reference's verdict and normalised mailbox.
//! 2. The decision an e-mail field makes of it (an update of a one-field
//!    contract with `format: email` and `x-pactum-role: email`): accepted
//!    storing the normalised mailbox exactly when the reference calls the
//!    input a mailbox; otherwise 400.13.
//! 3. The same decisions from the built-in module under wasmtime and in
//!    node: identical to the native ones.
//!
//! Differences the engine is allowed are listed, each with its reason, in
//! `data/email-corpus-xfail.json`; a listed case that agrees, or that names
//! no case, fails the run.

#![expect(clippy::print_stdout, reason = "a test harness reports its counts on stdout")]

use std::path::Path;
use std::process::ExitCode;

use pactum_core::mailbox;
use pactum_tests::reference::{self, Answer, Batch, EmailCase, ExpectedDifferences};
use serde_json::Value;

fn main() -> ExitCode {
    pactum_tests::exit_code("e-mail corpus", run())
}

fn run() -> Result<usize, String> {
    let corpus = reference::load::<EmailCase>("email")?;
    let expected = ExpectedDifferences::load("email")?;
    let mut failures = 0;

    // 1. The rule.
    let mut differing = Vec::new();
    for case in &corpus.cases {
        let engine = mailbox::normalize(&case.input);
        if engine.is_some() != case.valid || engine != case.mailbox {
            differing.push(case.input.as_str());
            if !expected.lists(&case.input, None) {
                failures += 1;
                eprintln!(
                    "DISAGREES {:?} ({})\n  reference: {:?}\n  engine:    {engine:?}",
                    case.input, case.origin, case.mailbox
                );
            }
        }
    }
    for entry in &expected.expected_differences {
        if !differing.contains(&entry.input.as_str()) {
            failures += 1;
            eprintln!("STALE expected difference {:?}: {}", entry.input, entry.reason);
        }
    }

    // 2. The decisions, natively.
    let mut batch = Batch::default();
    for case in &corpus.cases {
        batch.update("email", reference::email_contract, "email", &case.input);
    }
    let native = reference::native(&batch)?;
    for (case, answer) in corpus.cases.iter().zip(&native) {
        if expected.lists(&case.input, None) {
            continue;
        }
        if let Err(problem) = decision_matches(case, answer) {
            failures += 1;
            eprintln!("WRONG DECISION {:?} ({}): {problem}", case.input, case.origin);
        }
    }

    // 3. The same decisions in wasm.
    let others = reference::in_wasm(&batch, &Path::new(env!("CARGO_TARGET_TMPDIR")).join("email-corpus.json"))?;
    let divergences = reference::report_divergences(&native, &others, |index| {
        format!("{:?}", corpus.cases.get(index).map(|case| &case.input))
    });
    failures += divergences;

    println!(
        "e-mail corpus ({}): {} cases, {} expected differences; native, wasmtime and node decided {} calls each; {} divergences",
        corpus.header.get("reference").and_then(Value::as_str).unwrap_or("?"),
        corpus.cases.len(),
        expected.expected_differences.len(),
        native.len(),
        divergences,
    );
    println!("{} passed, {failures} failed", corpus.cases.len() * 3 - failures.min(corpus.cases.len() * 3));
    Ok(failures)
}

/// What an e-mail field must decide for `case`, by the reference's verdict.
fn decision_matches(case: &EmailCase, answer: &Answer) -> Result<(), String> {
    let decision = answer.as_ref().map_err(Clone::clone)?;
    let code = decision.get("code").and_then(Value::as_str);
    if case.valid {
        let stored = decision.pointer("/entity/email").and_then(Value::as_str);
        return if code == Some("200") && stored == case.mailbox.as_deref() {
            Ok(())
        } else {
            Err(format!("expected 200 storing {:?}, got {decision}", case.mailbox))
        };
    }
    let error_code = decision.pointer("/errors/0/code").and_then(Value::as_str);
    if code == Some("400.13") && error_code == Some("400.13") {
        Ok(())
    } else {
        Err(format!("expected 400.13, got {decision}"))
    }
}
