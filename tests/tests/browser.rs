//! The browser side in a real headless Chromium (Debian's `chromium`,
//! driven by `playwright-core`): the demo page served by `pactum serve`, and
//! the conformance corpus evaluated inside Chromium by the SDK.
//!
//! This test computes what the wasmtime host answers for every corpus and
//! JSON-Schema-Test-Suite call, writes calls and expected bytes to a file,
//! builds the SDK (`npm run build`), starts the server on a free port with a
//! fresh data folder, and runs the node tests of `www/test/` against it
//! (`PACTUM_BASE_URL`, `PACTUM_CONFORMANCE_FILE`). Screenshots of each step
//! land in `target/screenshots/`. A missing Chromium, node or npm package
//! fails the run with the command that installs it.

#![expect(clippy::expect_used, clippy::panic, reason = "tests")]

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use pactum_tests::conformance;

const CHROMIUM: &str = "/usr/bin/chromium";
const LISTENING: &str = "listening on ";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace").to_path_buf()
}

/// The target folder (`target/`), from the test's scratch folder `target/tmp`.
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is inside the target folder")
        .to_path_buf()
}

fn require_tools(www: &Path) {
    assert!(
        Path::new(CHROMIUM).is_file(),
        "{CHROMIUM} is missing: install Debian's Chromium with `apt-get install -y chromium` (the tests never download a browser)"
    );
    assert!(
        Command::new("node").arg("--version").output().is_ok_and(|output| output.status.success()),
        "`node` is missing: install Node.js 20 with `apt-get install -y nodejs npm`"
    );
    assert!(
        www.join("node_modules").join("playwright-core").is_dir(),
        "www/node_modules is missing: run `npm ci` in {} (it installs playwright-core and the other pinned packages from package-lock.json)",
        www.display()
    );
}

fn run(command: &mut Command, what: &str) -> Output {
    let output = command.output().unwrap_or_else(|error| panic!("cannot run {what}: {error}"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// `target/debug/pactum`, built now so that it is never stale.
fn pactum_binary() -> PathBuf {
    run(
        Command::new(env!("CARGO"))
            .args(["build", "--quiet", "-p", "pactum-host", "--bin", "pactum"])
            .current_dir(workspace()),
        "cargo build -p pactum-host --bin pactum",
    );
    let binary = target_dir().join("debug").join("pactum");
    assert!(binary.is_file(), "{} is missing after `cargo build`", binary.display());
    binary
}

/// A running `pactum serve`, stopped when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(binary: &Path, data_dir: &Path, log: &Path) -> Self {
        let mut child = Command::new(binary)
            .arg("serve")
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--listen", "127.0.0.1:0"])
            .current_dir(workspace())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(fs::File::create(log).expect("server log file"))
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let (found, listening) = mpsc::channel();
        // Reads every line so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(at) = line.find(LISTENING) {
                    let _ = found.send(line[at + LISTENING.len()..].trim().to_owned());
                }
            }
        });
        let Ok(base) = listening.recv_timeout(Duration::from_secs(120)) else {
            let _ = child.kill();
            panic!(
                "`pactum serve` printed no `{LISTENING}http://...` line within 120 s; its log:\n{}",
                fs::read_to_string(log).unwrap_or_default()
            );
        };
        Self { child, base: base.trim_end_matches('/').to_owned() }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes `{moduleSha256, cases: [{name, call, outcome}]}`: each call with the
/// bytes the wasmtime host answered for it. Answers the number of cases.
fn write_expectations(path: &Path) -> usize {
    let cases = conformance::load().expect("the corpus and the suite load");
    let outcomes = conformance::through_wasmtime(&cases.all).expect("the wasmtime host runs the built-in module");
    let module = pactum_host::builtin::read().expect("the built-in module is built (`cargo xtask wasm`)");
    let entries: Vec<serde_json::Value> = cases
        .all
        .iter()
        .zip(&outcomes)
        .map(|(case, outcome)| {
            serde_json::json!({
                "name": case.name,
                "call": String::from_utf8(case.call.clone()).expect("calls are UTF-8 JSON"),
                "outcome": String::from_utf8(outcome.clone()).expect("outcomes are UTF-8 JSON"),
            })
        })
        .collect();
    let document = serde_json::json!({
        "moduleSha256": pactum_host::runtime::sha256_hex(&module),
        "cases": entries,
    });
    fs::write(path, serde_json::to_vec(&document).expect("JSON")).expect("writing the conformance file");
    cases.all.len()
}

#[test]
fn chromium_runs_the_demo_page_and_the_conformance_corpus() {
    let www = workspace().join("www");
    require_tools(&www);
    run(Command::new("npm").args(["run", "--silent", "build"]).current_dir(&www), "`npm run build` in www/");

    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    let _ = fs::remove_dir_all(&scratch);
    fs::create_dir_all(scratch.join("data")).expect("scratch folder");
    let expectations = scratch.join("conformance.json");
    let count = write_expectations(&expectations);

    let server = Server::start(&pactum_binary(), &scratch.join("data"), &scratch.join("server.log"));
    let screenshots = target_dir().join("screenshots");
    let output = Command::new("node")
        .args(["--test", "--test-concurrency=1", "--test-reporter=spec", "test/"])
        .current_dir(&www)
        .env("PACTUM_BASE_URL", &server.base)
        .env("PACTUM_CONFORMANCE_FILE", &expectations)
        .env("PACTUM_SCREENSHOTS", &screenshots)
        .output()
        .expect("running node --test");
    drop(server);

    // Straight to stdout, past the test harness's capture: the counts belong in every log.
    let mut stdout = std::io::stdout();
    let _ = stdout.write_all(&output.stdout);
    let _ = stdout.write_all(&output.stderr);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the browser tests failed (server log: {}; screenshots: {})",
        scratch.join("server.log").display(),
        screenshots.display()
    );
    let summary = format!("browser conformance: {count} cases");
    assert!(text.contains(&summary), "the Chromium run did not report `{summary}`");
    assert!(text.contains("; 0 divergences"), "the Chromium run reported divergences");
}
