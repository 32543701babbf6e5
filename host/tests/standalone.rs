//! The binary on its own: copied into an empty folder and started there in
//! a private mount namespace with an empty folder mounted over the
//! workspace, so neither the source tree nor `target/` can be read. It
//! serves the demo page, the built-in module and the API from what it
//! holds, and the module the page loads is the one the server runs.
#![expect(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, reason = "tests")]

mod common;

use std::path::Path;
use std::process::Command;

use common::serve::ServeProcess;
use serde_json::{Value, json};

/// `unshare` (util-linux) makes the mount namespace; without it, or without
/// the right to use it, the test fails and says so.
fn hidden_workspace_command(dir: &Path) -> Command {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().canonicalize().unwrap();
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let probe = Command::new("unshare").args(["--mount", "--map-root-user", "true"]).status();
    assert!(
        probe.as_ref().is_ok_and(std::process::ExitStatus::success),
        "this test hides the source tree with `unshare --mount --map-root-user` (util-linux), which failed here: {probe:?}"
    );
    let script = format!(
        "mount --bind '{}' '{}' && test ! -e '{}' && cd '{}' && exec ./pactum serve --listen 127.0.0.1:0",
        empty.display(),
        workspace.display(),
        workspace.join("Cargo.toml").display(),
        dir.display(),
    );
    let mut command = Command::new("unshare");
    command
        .args(["--mount", "--map-root-user", "--propagation", "private", "sh", "-c", &script])
        .current_dir(dir)
        // Nothing from the caller's environment points back at the tree.
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", dir.join("home"))
        .env("RUST_LOG", "info");
    command
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_page_module_and_api_from_an_empty_folder() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().canonicalize().unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_pactum"), dir.join("pactum")).unwrap();
    let server = ServeProcess::launch("standalone", &dir, hidden_workspace_command(&dir));
    let client = common::client();
    let get = |path: &str| client.get(format!("{}{path}", server.base)).send();

    let ready = get("/readyz").await.unwrap();
    assert_eq!(ready.status(), 200, "{}", ready.text().await.unwrap());

    let page = get("/").await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = page.text().await.unwrap();
    for asset in ["/static/demo/style.css", "/static/dist/demo/app.js"] {
        assert!(html.contains(asset), "the page names {asset}");
        let answer = get(asset).await.unwrap();
        assert_eq!(answer.status(), 200, "{asset}");
        assert!(!answer.bytes().await.unwrap().is_empty(), "{asset} has content");
    }
    let script = get("/static/dist/sdk/index.js").await.unwrap();
    assert_eq!(script.status(), 200, "the SDK's scripts are embedded");
    assert!(script.headers()["content-type"].to_str().unwrap().contains("javascript"));

    let glue = get("/pkg/pactum_wasm.js").await.unwrap();
    assert_eq!(glue.status(), 200);
    let module = get("/pkg/pactum_wasm_bg.wasm").await.unwrap();
    assert_eq!(module.status(), 200);
    assert_eq!(module.headers()["content-type"], "application/wasm");
    let etag = module.headers()["etag"].to_str().unwrap().to_owned();
    let served = module.bytes().await.unwrap();
    let served_sha = pactum_host::runtime::sha256_hex(&served);
    assert_eq!(etag, format!("\"{served_sha}\""));
    let unchanged = client
        .get(format!("{}/pkg/pactum_wasm_bg.wasm", server.base))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), 304, "a cached module is revalidated, not sent again");

    let keys: Value = serde_json::from_str(&std::fs::read_to_string(dir.join(".pactum/demo-keys.json")).unwrap())
        .expect("the demo keys are written in the folder it was started in");
    let key = keys["webshop"].as_str().unwrap();
    // Entity 1 is the demo data's first account.
    let updated = client
        .put(format!("{}/userentity/dp-keyid/1/data", server.base))
        .bearer_auth(key)
        .json(&json!({"name": "Ada Standalone"}))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), 200);
    let module_header = updated.headers()["pactum-module"].to_str().unwrap().to_owned();
    assert_eq!(module_header, served_sha, "the page's module is the one the server decides with");
    let read = client.get(format!("{}/userentity/dp-keyid/1/data", server.base)).bearer_auth(key).send().await.unwrap();
    let body: Value = read.json().await.unwrap();
    assert_eq!(body["entity"]["name"], "Ada Standalone", "{body}");

    let loyalty = get("/contracts/loyalty").await.unwrap();
    assert_eq!(loyalty.status(), 200, "the embedded example plugin serves its contract");
    let log = std::fs::read_to_string(&server.stderr).unwrap();
    assert!(!log.contains("ERROR"), "{log}");
}
