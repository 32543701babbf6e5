//! `pactum contract diff`, run as an operator runs it: the loyalty plugin
//! against its one-rule variant (`strict-age`: 18 instead of 15) over the
//! committed corpus `contracts/loyalty-diff-cases.jsonl`, where exactly the
//! members aged 14 to 17 on `context.today` are decided differently; a
//! module against itself; and the lines that cannot run.
//!
//! Needs `target/wasm/loyalty.wasm` and `loyalty-strict.wasm`:
//! `cargo xtask wasm` (or `cargo xtask plugin`) builds both.

#![expect(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, reason = "tests fail loudly on purpose")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

fn module(name: &str) -> String {
    let dir =
        std::env::var_os("PACTUM_WASM_DIR").map_or_else(|| workspace().join("target").join("wasm"), PathBuf::from);
    let path = dir.join(name);
    assert!(path.exists(), "{} is missing: build it with `cargo xtask wasm` (or `cargo xtask plugin`)", path.display());
    path.to_str().unwrap().to_owned()
}

fn corpus() -> String {
    workspace().join("host/tests/contracts/loyalty-diff-cases.jsonl").to_str().unwrap().to_owned()
}

fn contract() -> String {
    workspace().join("plugins/loyalty/contract.json").to_str().unwrap().to_owned()
}

fn diff(old: &str, new: &str, extra: &[&str], cases: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pactum"))
        .args(["contract", "diff", "--old", old, "--new", new])
        .args(extra)
        .arg(cases)
        .current_dir(workspace())
        .output()
        .expect("pactum runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn shown(output: &Output) -> String {
    format!("{}{}", stdout(output), String::from_utf8_lossy(&output.stderr))
}

/// The line numbers of the `line N: differs ...` headers.
fn differing_lines(output: &Output) -> Vec<usize> {
    stdout(output)
        .lines()
        .filter_map(|line| line.strip_prefix("line ")?.split_once(": differs")?.0.parse().ok())
        .collect()
}

#[test]
fn the_strict_variant_differs_on_exactly_the_members_under_eighteen() {
    let run = diff(&module("loyalty.wasm"), &module("loyalty-strict.wasm"), &["--contract", &contract()], &corpus());
    let out = stdout(&run);
    assert_eq!(run.status.code(), Some(1), "some cases differ: {}", shown(&run));
    // Line 8 is blank (skipped, still counted as a line). Agreeing: 1 (aged
    // 36), 4 (exactly 18 today), 7 (a bad check digit), 10 (an unknown
    // field), 12 (born after today). Differing: 2 (exactly 15 today, a
    // create), 3 (17), 5 (18 tomorrow), 9 (the stored birth date of a
    // 16-year-old fails the whole-document check of a name change), 11 (a
    // validate, 15); and 6 (14: refused by both, the message names another
    // minimum age).
    assert_eq!(differing_lines(&run), [2, 3, 5, 6, 9, 11], "{out}");
    assert!(out.ends_with("11 cases, 6 differ, 0 failed to run\n"), "{out}");
    assert!(!out.contains("failed to run:"), "{out}");

    let block = |number: usize| -> Vec<&str> {
        let header = format!("line {number}: ");
        let start = out.lines().position(|line| line.starts_with(&header)).unwrap();
        out.lines().skip(start).take(3).collect()
    };
    assert_eq!(
        block(3),
        [
            "line 3: differs in code, entity, changed, errors",
            "  old: decision 200 entity set changed [/birthDate] errors []",
            "  new: decision 400 entity null changed [] errors [/birthDate 400]",
        ],
        "{out}"
    );
    assert_eq!(block(6)[0], "line 6: differs in error messages", "{out}");
    assert!(block(2)[1].contains("decision 201") && block(2)[1].contains("unique [cardNumber]"), "{out}");

    // The summary is the decisions' shape: no value of a payload (names,
    // dates, card numbers) and no message (which quotes them).
    for value in ["2009-06-01", "2011-11-28", "4111111111111111", "Cy", "Ed Holm", "years old"] {
        assert!(!out.contains(value), "`{value}` is printed: {out}");
    }
}

#[test]
fn a_module_agrees_with_itself() {
    let loyalty = module("loyalty.wasm");
    for extra in [&["--contract", &contract()][..], &["--contract", &contract(), "--fresh"]] {
        let run = diff(&loyalty, &loyalty, extra, &corpus());
        assert_eq!(run.status.code(), Some(0), "{}", shown(&run));
        assert!(differing_lines(&run).is_empty(), "{}", shown(&run));
        assert!(stdout(&run).ends_with("11 cases, 0 differ, 0 failed to run\n"), "{}", shown(&run));
    }
}

#[test]
fn inline_contracts_run_and_lines_that_are_not_calls_fail_without_their_content() {
    let document: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(contract()).unwrap()).unwrap();
    let call = |birth: &str| {
        serde_json::json!({"contract": document, "current": {"cardNumber": "4111111111111111", "name": "Ann"},
                           "payload": {"birthDate": birth}, "context": {"today": "2026-11-28"}})
        .to_string()
    };
    let lines = [
        call("2010-01-01"),
        call("1990-01-01"),
        r#"{"payload": {"name": "Secret Person"}, "context": {"today": "2026-11-28"}}"#.to_owned(),
        r#"{"payload": "Secret Person""#.to_owned(),
        r#"{"contract": {}, "payload": {}, "extra": "Secret Person"}"#.to_owned(),
    ];
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases.jsonl");
    std::fs::write(&cases, lines.join("\n") + "\n").unwrap();

    let run = diff(&module("loyalty.wasm"), &module("loyalty-strict.wasm"), &[], cases.to_str().unwrap());
    let out = stdout(&run);
    assert_eq!(run.status.code(), Some(1), "{}", shown(&run));
    assert_eq!(differing_lines(&run), [1], "{out}");
    assert!(out.contains("line 3: failed to run: has no inline `contract`"), "{out}");
    assert!(out.contains("line 4: failed to run: not JSON"), "{out}");
    assert!(out.contains("line 5: failed to run: JSON, but not a call"), "{out}");
    assert!(out.ends_with("5 cases, 1 differ, 3 failed to run\n"), "{out}");
    assert!(!out.contains("Secret"), "{out}");

    // With --contract, a case naming its own contract cannot run.
    let run =
        diff(&module("loyalty.wasm"), &module("loyalty.wasm"), &["--contract", &contract()], cases.to_str().unwrap());
    assert!(stdout(&run).contains("line 1: failed to run: names its own contract"), "{}", shown(&run));
}

#[test]
fn usage_errors_exit_2() {
    let loyalty = module("loyalty.wasm");
    let missing = diff(&loyalty, &loyalty, &[], "no-such-cases.jsonl");
    assert_eq!(missing.status.code(), Some(2), "{}", shown(&missing));
    assert!(shown(&missing).contains("no-such-cases.jsonl"), "{}", shown(&missing));

    let no_module = diff("no-such-module.wasm", &loyalty, &[], &corpus());
    assert_eq!(no_module.status.code(), Some(2), "{}", shown(&no_module));

    // A module that refuses the contract stops the run before any case.
    let refused = diff(&loyalty, &loyalty, &["--contract", "host/demo/profile.json"], &corpus());
    assert_eq!(refused.status.code(), Some(2), "{}", shown(&refused));
    assert!(shown(&refused).contains("cannot load host/demo/profile.json"), "{}", shown(&refused));
}
