//! The proof scripts of issue 7 on a tiny input, so the normal test run
//! shows that each harness works: `scripts/durability.sh --tiny` (one kill
//! -9 cycle of 1.5 s of load) and `scripts/schemathesis.sh --tiny` (3 cases
//! per operation). Both run this build's `pactum` (the debug binary, named
//! by PACTUM_BIN) rather than building a release one. A missing tool
//! (python3, python3-venv) fails the test with the command that installs it.
//! The full runs are the scripts' own commands (docs/benchmarks.md).
#![expect(clippy::expect_used, clippy::unwrap_used, clippy::panic, reason = "tests")]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `script --tiny` from the workspace root; answers its output, or
/// fails the test with it.
fn run_tiny(script: &str, limit: Duration) -> String {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    std::fs::create_dir_all(workspace.join("target")).unwrap();
    let output = workspace.join("target").join(format!("harness-{}.log", script.replace(['/', '.'], "-")));
    let log = std::fs::File::create(&output).unwrap();
    let started = Instant::now();
    let mut child = Command::new("bash")
        .arg(script)
        .arg("--tiny")
        .current_dir(workspace)
        .env("PACTUM_BIN", env!("CARGO_BIN_EXE_pactum"))
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|error| {
            panic!("cannot start bash {script}: {error}; bash is needed (`apt-get install -y bash`)")
        });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            let text = std::fs::read_to_string(&output).unwrap_or_default();
            panic!("{script} --tiny ran past {} s:\n{text}", limit.as_secs());
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let text = std::fs::read_to_string(&output).unwrap_or_default();
    assert!(status.success(), "{script} --tiny failed ({status}):\n{text}");
    let _ = writeln!(std::io::stderr().lock(), "{script} --tiny, {:.1} s:\n{text}", started.elapsed().as_secs_f64());
    text
}

#[test]
fn durability_script_passes_on_a_tiny_load() {
    let text = run_tiny("scripts/durability.sh", Duration::from_secs(300));
    let verdict = text.lines().find(|line| line.starts_with("PASS durability")).expect("a PASS line");
    assert!(verdict.contains("0 acknowledged updates lost, 0 entities half-updated"), "{verdict}");
}

#[test]
fn schemathesis_script_passes_on_a_tiny_run() {
    let text = run_tiny("scripts/schemathesis.sh", Duration::from_secs(600));
    let verdict = text.lines().find(|line| line.starts_with("PASS schemathesis")).expect("a PASS line");
    assert!(verdict.contains("0 server errors"), "{verdict}");
}
