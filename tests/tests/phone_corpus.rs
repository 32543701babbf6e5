//! The phone-number reference corpus (`corpus/phone/cases.jsonl`, generated
//! from libphonenumber through PyPI's `phonenumbers`) against the engine.
//!
//! 1. The engine's parse (`pactum_core::phone::parse`): for every case the
//!    reference's verdict, number type, E.164 form and extension.
//! 2. The decision a mobile field makes of it (an update of a one-field
//!    contract in the case's region): accepted with the E.164 form exactly
//!    when the reference calls the number valid, of a type that can receive
//!    an SMS, with no extension; otherwise 400.3 saying why.
//! 3. The same decisions from the built-in module under wasmtime and in
//!    node: identical to the native ones.
//!
//! Differences the engine is allowed are listed, each with its reason, in
//! `data/phone-corpus-xfail.json`; a listed case that agrees, or that names
//! no case, fails the run.

#![expect(clippy::print_stdout, reason = "a test harness reports its counts on stdout")]

use std::path::Path;
use std::process::ExitCode;

use pactum_core::phone::{self, NumberType, Region};
use pactum_tests::reference::{self, Answer, Batch, ExpectedDifferences, PhoneCase};
use serde_json::Value;

fn main() -> ExitCode {
    pactum_tests::exit_code("phone corpus", run())
}

fn run() -> Result<usize, String> {
    let corpus = reference::load::<PhoneCase>("phone")?;
    let expected = ExpectedDifferences::load("phone")?;
    let mut failures = 0;

    // 1. The parse.
    let mut differing = Vec::new();
    for case in &corpus.cases {
        let region = region_of(case)?;
        let parsed = phone::parse(&case.input, region);
        let engine = (
            parsed.is_some(),
            parsed.as_ref().map(|number| number.kind.name().to_owned()),
            parsed.as_ref().map(|number| number.e164.clone()),
            parsed.as_ref().and_then(|number| number.extension.clone()),
        );
        let wanted = (case.valid, case.kind.clone(), case.e164.clone(), case.extension.clone());
        if engine != wanted {
            differing.push((case.input.as_str(), case.region.as_deref()));
            if !expected.lists(&case.input, case.region.as_deref()) {
                failures += 1;
                eprintln!(
                    "DISAGREES {:?} in {:?} ({})\n  reference: {wanted:?}\n  engine:    {engine:?}",
                    case.input, case.region, case.origin
                );
            }
        }
    }
    for entry in &expected.expected_differences {
        if !differing.contains(&(entry.input.as_str(), entry.region.as_deref())) {
            failures += 1;
            eprintln!("STALE expected difference {:?} in {:?}: {}", entry.input, entry.region, entry.reason);
        }
    }

    // 2. The decisions, natively.
    let mut batch = Batch::default();
    for case in &corpus.cases {
        let region = case.region.as_deref();
        let reference = format!("mobile-{}", region.unwrap_or("none"));
        batch.update(&reference, || reference::phone_contract(region), "mobile", &case.input);
    }
    let native = reference::native(&batch)?;
    for (case, answer) in corpus.cases.iter().zip(&native) {
        if expected.lists(&case.input, case.region.as_deref()) {
            continue;
        }
        if let Err(problem) = decision_matches(case, answer) {
            failures += 1;
            eprintln!("WRONG DECISION {:?} in {:?} ({}): {problem}", case.input, case.region, case.origin);
        }
    }

    // 3. The same decisions in wasm.
    let others = reference::in_wasm(&batch, &Path::new(env!("CARGO_TARGET_TMPDIR")).join("phone-corpus.json"))?;
    let divergences = reference::report_divergences(&native, &others, |index| {
        corpus.cases.get(index).map(|case| format!("{:?} in {:?}", case.input, case.region)).unwrap_or_default()
    });
    failures += divergences;

    println!(
        "phone corpus ({}): {} cases, {} expected differences; native, wasmtime and node decided {} calls each; {} divergences",
        corpus.header.get("reference").and_then(Value::as_str).unwrap_or("?"),
        corpus.cases.len(),
        expected.expected_differences.len(),
        native.len(),
        divergences,
    );
    println!("{} passed, {failures} failed", corpus.cases.len() * 3 - failures.min(corpus.cases.len() * 3));
    Ok(failures)
}

fn region_of(case: &PhoneCase) -> Result<Option<Region>, String> {
    case.region
        .as_deref()
        .map(|code| Region::from_code(code).map_err(|error| format!("region {code:?}: {error}")))
        .transpose()
}

/// What a mobile field must decide for `case`, by the reference's verdict.
fn decision_matches(case: &PhoneCase, answer: &Answer) -> Result<(), String> {
    let decision = answer.as_ref().map_err(Clone::clone)?;
    let sms_type =
        case.kind.as_deref().and_then(NumberType::from_name).is_some_and(|kind| NumberType::SMS.contains(&kind));
    let accepted = case.valid && case.extension.is_none() && sms_type;
    let code = decision.get("code").and_then(Value::as_str);
    if accepted {
        let stored = decision.pointer("/entity/mobile").and_then(Value::as_str);
        return if code == Some("200") && stored == case.e164.as_deref() {
            Ok(())
        } else {
            Err(format!("expected 200 storing {:?}, got {decision}", case.e164))
        };
    }
    let error = decision.pointer("/errors/0");
    let message = error.and_then(|error| error.get("message")).and_then(Value::as_str).unwrap_or_default();
    let why = match (case.valid, case.extension.is_some(), case.kind.as_deref()) {
        (false, _, _) => "is not a valid phone number".to_owned(),
        (true, true, _) => "has an extension".to_owned(),
        (true, false, kind) => format!("({}), which this field does not take", kind.unwrap_or("?")),
    };
    let code_ok =
        code == Some("400.3") && error.and_then(|error| error.get("code")).and_then(Value::as_str) == Some("400.3");
    if code_ok && message.contains(&why) {
        Ok(())
    } else {
        Err(format!("expected 400.3 saying {why:?}, got {decision}"))
    }
}
