//! The official JSON-Schema-Test-Suite (draft 2020-12) against the contract
//! engine: every test of `data/json-schema-test-suite/tests/draft2020-12/*.json`
//! and `.../optional/format/*.json` is one trial named
//! `<file>::<group>::<test>`, e.g.
//! `draft2020-12/type.json::integer type matches integers::an integer is an integer`.
//!
//! A trial compiles the group's schema with `Contract::compile`, evaluates
//! the test's data with `Operation::Validate` (current data `null`) and
//! passes when `decision.is_accepted()` equals the test's `valid`. A schema
//! that does not compile fails the trial.
//!
//! Expected failures live in `data/json-schema-suite-xfail.json`, each with
//! its reason. An entry names a file, a group of a file, or one test. An
//! expected failure that passes fails the run, and so does an entry that
//! matches no test, so the list cannot go stale.
//!
//! `cargo test -p pactum-tests --test json_schema_suite -- type.json::` runs
//! one file.

#![expect(clippy::print_stdout, reason = "a test harness reports its counts on stdout")]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use libtest_mimic::{Arguments, Failed, Trial};
use pactum_core::{Contract, Operation, evaluate};
use pactum_tests::suite::{self, SuiteCase};
use serde::Deserialize;
use serde_json::Value;

/// `data/json-schema-suite-xfail.json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct XfailFile {
    #[serde(default, rename = "description")]
    _description: Option<String>,
    expected_failures: Vec<Xfail>,
}

/// One expected failure: a whole file, a group of a file, or one test.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Xfail {
    file: String,
    group: Option<String>,
    test: Option<String>,
    reason: String,
}

impl Xfail {
    fn matches(&self, case: &SuiteCase) -> bool {
        self.file == case.file
            && self.group.as_ref().is_none_or(|group| group == &case.group)
            && self.test.as_ref().is_none_or(|test| test == &case.test)
    }

    fn label(&self) -> String {
        [Some(&self.file), self.group.as_ref(), self.test.as_ref()]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("::")
    }
}

#[derive(Debug, Default)]
struct Counts {
    passed: AtomicUsize,
    expected_failures: AtomicUsize,
    failed: AtomicUsize,
}

fn xfail_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join("json-schema-suite-xfail.json")
}

fn load_xfails() -> Result<Vec<Xfail>, String> {
    let path = xfail_path();
    let text = fs::read_to_string(&path).map_err(|error| format!("reading {}: {error}", path.display()))?;
    let file: XfailFile = serde_json::from_str(&text).map_err(|error| format!("{}: {error}", path.display()))?;
    if let Some(entry) = file.expected_failures.iter().find(|entry| entry.reason.trim().is_empty()) {
        return Err(format!("{}: `{}` has no reason", path.display(), entry.label()));
    }
    Ok(file.expected_failures)
}

fn main() -> ExitCode {
    let arguments = Arguments::from_args();
    let (cases, xfails) = match suite::load().and_then(|cases| Ok((cases, load_xfails()?))) {
        Ok(loaded) => loaded,
        Err(error) => {
            eprintln!("json-schema-suite: {error}");
            return ExitCode::FAILURE;
        }
    };
    // stderr, so that `--list` output stays machine-readable.
    eprintln!("json-schema-suite: {} tests from {}", cases.len(), suite::tests_dir().display());

    let unused: Vec<String> =
        xfails.iter().filter(|entry| !cases.iter().any(|case| entry.matches(case))).map(Xfail::label).collect();
    let counts = Arc::new(Counts::default());
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut trials = Vec::with_capacity(cases.len() + 1);
    for case in cases {
        let occurrence = seen.entry(case.id()).or_default();
        *occurrence += 1;
        // Keep every trial name unique, should a description ever repeat within a group.
        let name = if *occurrence == 1 { case.id() } else { format!("{} ({})", case.id(), occurrence) };
        let xfail = xfails.iter().find(|entry| entry.matches(&case)).cloned();
        let kind = if xfail.is_some() { "xfail" } else { "" };
        let counts = Arc::clone(&counts);
        trials.push(Trial::test(name, move || run(&case, xfail.as_ref(), &counts)).with_kind(kind));
    }
    trials.push(Trial::test("xfail::every entry matches a test", move || {
        if unused.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{}: these entries match no test of the suite, remove them: {}",
                xfail_path().display(),
                unused.join(", ")
            )
            .into())
        }
    }));

    let listing = arguments.list;
    let conclusion = libtest_mimic::run(&arguments, trials);
    if !listing {
        let passed = counts.passed.load(Ordering::Relaxed);
        let expected_failures = counts.expected_failures.load(Ordering::Relaxed);
        let failed = counts.failed.load(Ordering::Relaxed);
        println!(
            "json-schema-suite draft2020-12: {passed} passed, {expected_failures} expected failures, \
             {failed} failed, {} total ({} xfail entries)",
            passed + expected_failures + failed,
            xfails.len(),
        );
    }
    conclusion.exit_code()
}

/// Whether the engine agrees with the suite, and if not, why.
fn check(case: &SuiteCase) -> Result<(), String> {
    let contract = Contract::compile(&case.schema).map_err(|error| format!("the schema does not compile: {error}"))?;
    let decision = evaluate(&contract, Operation::Validate, &Value::Null, &case.data);
    if decision.is_accepted() == case.valid {
        return Ok(());
    }
    let verdict = if case.valid { "rejected valid data" } else { "accepted invalid data" };
    Err(format!("{verdict}\n  schema: {}\n  data:   {}\n  errors: {:?}", case.schema, case.data, decision.errors))
}

fn run(case: &SuiteCase, xfail: Option<&Xfail>, counts: &Counts) -> Result<(), Failed> {
    match (check(case), xfail) {
        (Ok(()), None) => {
            counts.passed.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
        (Err(problem), None) => {
            counts.failed.fetch_add(1, Ordering::Relaxed);
            Err(problem.into())
        }
        (Err(_), Some(_)) => {
            counts.expected_failures.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
        (Ok(()), Some(entry)) => {
            counts.failed.fetch_add(1, Ordering::Relaxed);
            Err(format!(
                "expected to fail ({}), but passes: remove `{}` from {}",
                entry.reason,
                entry.label(),
                xfail_path().display()
            )
            .into())
        }
    }
}
