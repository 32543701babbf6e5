//! The browser side in a real headless Chromium (Debian's `chromium`,
//! driven by `playwright-core`): the demo page served by `pactum serve`, and
//! the conformance corpus evaluated inside Chromium by the SDK.
//!
//! This test computes what the wasmtime host answers for every corpus and
//! JSON-Schema-Test-Suite call, writes calls and expected bytes to a file,
//! builds the SDK (`npm run build`), starts the demo service (what `pactum
//! serve` runs without a config) in this process on a free port with a
//! fresh data folder, and runs the node tests of `www/test/` against it
//! (`PACTUM_BASE_URL`, `PACTUM_CONFORMANCE_FILE`). Screenshots of each step
//! land in `target/screenshots/`. A missing Chromium, node or npm package
//! fails the run with the command that installs it.

#![expect(clippy::expect_used, clippy::panic, reason = "tests")]

use std::fs;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pactum_tests::conformance;

/// `$PACTUM_CHROMIUM`, or Debian's Chromium; www/test/browser.mjs reads
/// the same variable.
fn chromium() -> PathBuf {
    std::env::var_os("PACTUM_CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

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
    let chromium = chromium();
    assert!(
        chromium.is_file(),
        "{} is missing: install Debian's Chromium with `apt-get install -y chromium`, or name another with PACTUM_CHROMIUM (the tests never download a browser)",
        chromium.display()
    );
    assert!(
        Command::new("node").arg("--version").output().is_ok_and(|output| output.status.success()),
        "`node` is missing: install Node.js 18.15 or later with `apt-get install -y nodejs npm`"
    );
    for package in ["playwright-core", "axe-core"] {
        assert!(
            www.join("node_modules").join(package).is_dir(),
            "www/node_modules/{package} is missing: run `npm ci` in {} (it installs playwright-core, axe-core and the other pinned packages from package-lock.json)",
            www.display()
        );
    }
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

/// The demo service (`pactum serve` without `--config`), in this process on
/// a runtime of its own and a free port, stopped gracefully when dropped.
/// In-process rather than a child `pactum` binary: building that binary
/// from a test would be a second, differently featured build of the host.
struct Server {
    base: String,
    runtime: tokio::runtime::Runtime,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl Server {
    /// `page_origin`: the one other origin allowed by CORS, where the
    /// packaged SDK's scratch page is served (`www/test/package.mjs`).
    /// `demo`: false is a production server's `demo = false` (no demo
    /// routes, so no page).
    fn start(data_dir: &Path, page_origin: &str, demo: bool) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime for the server");
        let (base, stop, task) = runtime.block_on(async {
            let any_port = SocketAddr::from(([127, 0, 0, 1], 0));
            let (mut service, _setup) =
                pactum_host::demo::service(data_dir, any_port).await.expect("the demo service starts");
            // The page as `npm run build` just compiled it, not as the host
            // embedded it when it was built (host/tests/standalone.rs
            // checks the embedded page).
            service.state.www = Some(workspace().join("www"));
            service.state.cors_origins = vec![page_origin.to_owned()];
            if !demo {
                service.state.demo = None;
            }
            let (listener, address) = pactum_host::server::bind(any_port).await.expect("a free port");
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let task = tokio::spawn(service.serve(listener, async move {
                let _ = stopped.await;
            }));
            (format!("http://{address}"), stop, task)
        });
        Self { base, runtime, stop: Some(stop), task: Some(task) }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = self.runtime.block_on(task);
        }
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

    // A free port for the packaged SDK's page: another origin than Pactum's.
    let page_port = std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let page_origin = format!("http://127.0.0.1:{page_port}");
    let server = Server::start(&scratch.join("data"), &page_origin, true);
    fs::create_dir_all(scratch.join("production")).expect("scratch folder");
    let production = Server::start(&scratch.join("production"), &page_origin, false);
    let screenshots = target_dir().join("screenshots");
    // The test files by name: `node --test test/` would also run the
    // helpers beside them as tests.
    let mut files: Vec<String> = fs::read_dir(www.join("test"))
        .expect("www/test/")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".test.mjs"))
        .map(|name| format!("test/{name}"))
        .collect();
    files.sort();
    assert!(files.len() >= 2, "www/test/ holds the demo and conformance tests: {files:?}");
    // One `node --test` per file, so the files (each driving a Chromium
    // against the one server) never overlap, without `--test-concurrency`
    // (which Node 18 before 18.19 lacks).
    let mut text = String::new();
    let mut failed = Vec::new();
    let mut stdout = std::io::stdout();
    for file in &files {
        let output = Command::new("node")
            .args(["--test", "--test-reporter=spec", file])
            .current_dir(&www)
            .env("PACTUM_BASE_URL", &server.base)
            .env("PACTUM_PRODUCTION_URL", &production.base)
            .env("PACTUM_CONFORMANCE_FILE", &expectations)
            .env("PACTUM_SCREENSHOTS", &screenshots)
            .env("PACTUM_CHROMIUM", chromium())
            .output()
            .expect("running node --test");
        // Straight to stdout, past the test harness's capture: the counts belong in every log.
        let _ = stdout.write_all(&output.stdout);
        let _ = stdout.write_all(&output.stderr);
        text.push_str(&String::from_utf8_lossy(&output.stdout));
        if !output.status.success() {
            failed.push(file.clone());
        }
    }
    // The SDK as a user gets it: packed, installed into a scratch app
    // outside the repo, its README's examples run in node and, from a page
    // on another origin, in Chromium.
    let package = Command::new("node")
        .arg("test/package.mjs")
        .current_dir(&www)
        .env("PACTUM_BASE_URL", &server.base)
        .env("PACTUM_PAGE_PORT", page_port.to_string())
        .env("PACTUM_CHROMIUM", chromium())
        .output()
        .expect("running node test/package.mjs");
    let _ = stdout.write_all(&package.stdout);
    let _ = stdout.write_all(&package.stderr);
    if !package.status.success() {
        failed.push("test/package.mjs".to_owned());
    }
    drop(server);
    drop(production);

    assert!(failed.is_empty(), "the browser tests in {failed:?} failed (screenshots: {})", screenshots.display());
    let summary = format!("browser conformance: {count} cases");
    assert!(text.contains(&summary), "the Chromium run did not report `{summary}`");
    assert!(text.contains("; 0 divergences"), "the Chromium run reported divergences");
}
