//! The `pactum` binary's offline commands, run as a user runs them:
//! `contract check` on a good and a bad contract, and `import` of a JSON
//! lines file with good and bad lines into the demo setup's SQLite file.
#![expect(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use std::path::Path;
use std::process::{Command, Output};

fn pactum(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pactum")).args(args).current_dir(dir).output().expect("pactum runs")
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[test]
fn contract_check_prints_the_fields_or_names_the_broken_keyword() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let good = pactum(&["contract", "check", "host/demo/profile.json"], workspace);
    assert!(good.status.success(), "{}", text(&good));
    let shown = text(&good);
    assert!(shown.contains("valid contract"), "{shown}");
    let mobile = shown.lines().find(|line| line.starts_with("mobile ")).expect("a line for mobile");
    assert!(mobile.contains("unique") && mobile.contains("verified by sms"), "{mobile}");
    let password = shown.lines().find(|line| line.starts_with("password ")).expect("a line for password");
    assert!(password.contains("read-only"), "{password}");
    // The fields in the contract's written order, not sorted.
    let listed: Vec<&str> = shown.lines().skip(2).filter_map(|line| line.split_whitespace().next()).collect();
    let written = ["id", "name", "email", "mobile", "password", "birthday", "marketingConsent", "tags", "address"];
    assert_eq!(listed, written, "{shown}");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.json"), r#"{"type": "object", "properties": {"a": {"type": "strin"}}}"#)
        .unwrap();
    let bad = pactum(&["contract", "check", "bad.json"], dir.path());
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    assert!(text(&bad).contains("/properties/a/type"), "the error names the keyword: {}", text(&bad));
}

#[test]
fn import_creates_the_good_lines_whole_and_reports_the_rejected_ones() {
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        r#"{"data": {"name": "Ann", "email": "ann@import.test", "mobile": "28 11 22 33"}}"#,
        r#"{"data": {"name": "Bo", "email": "not an address"}}"#,
        r#"{"data": {"name": "Cy", "email": "ann@import.test"}}"#,
        r#"not json"#,
        r#"{"data": {"name": "Di", "email": "di@import.test"}, "extKeys": {"crm": "C-9"}}"#,
    ];
    std::fs::write(dir.path().join("people.jsonl"), lines.join("\n")).unwrap();
    let data_dir = dir.path().join("data");
    let data_dir = data_dir.to_str().unwrap();
    let args = [
        "import",
        "people.jsonl",
        "--data-dir",
        data_dir,
        "--quiet",
        "--concurrency",
        "1",
        "--rejects",
        "rejects.jsonl",
    ];
    let run = pactum(&args, dir.path());
    let shown = text(&run);
    assert!(shown.contains("imported 2 entities, rejected 3 lines"), "the summary counts lines: {shown}");
    assert!(!run.status.success(), "rejected lines make the exit status non-zero: {shown}");

    let rejects = std::fs::read_to_string(dir.path().join("rejects.jsonl")).unwrap();
    let rejected: Vec<serde_json::Value> = rejects.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    let lines_rejected: Vec<i64> = rejected.iter().map(|reject| reject["line"].as_i64().unwrap()).collect();
    assert_eq!(lines_rejected, vec![2, 3, 4], "{rejects}");
    assert_eq!(rejected[1]["code"], "400.2", "the duplicate e-mail is refused by the unique index: {rejects}");

    // Running the same file again creates nothing new: every line is taken now or broken.
    let again = pactum(&args, dir.path());
    assert!(text(&again).contains("imported 0 entities, rejected 5 lines"), "{}", text(&again));
}
