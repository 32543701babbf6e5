//! `pactum serve` configured from the environment, with the documented
//! precedence: flag > environment > file > default (docs/configuration.md).
#![expect(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

mod common;

use std::path::Path;
use std::process::Command;

use common::serve::ServeProcess;
use serde_json::Value;

fn write_config(dir: &Path) -> std::path::PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    std::fs::write(dir.join("secret"), "environment test secret, 32+ bytes long").unwrap();
    let config = format!(
        r#"
[server]
secret_file = "secret"

[database]
url = "sqlite://{file_db}?mode=rwc"

[[contracts]]
id = "profile"
file = "{profile}"
"#,
        file_db = dir.join("from-file.db").display(),
        profile = workspace.join("host/demo/profile.json").display(),
    );
    let path = dir.join("pactum.toml");
    std::fs::write(&path, config).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_environment_overrides_the_file_and_a_flag_overrides_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let env_db = dir.path().join("from-env.db");
    let env_url = format!("sqlite://{}?mode=rwc", env_db.display());
    let server = ServeProcess::start_with(
        "pactum",
        dir.path(),
        &config,
        "info",
        &[
            ("PACTUM_DATABASE_URL", env_url.as_str()),
            ("PACTUM_LOG_FORMAT", "json"),
            // The helper passes `--listen 127.0.0.1:0`: the flag wins, so
            // this unusable value is never read.
            ("PACTUM_LISTEN", "not an address"),
        ],
    );
    let ready = common::client().get(format!("{}/readyz", server.base)).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    assert!(env_db.is_file(), "the database of PACTUM_DATABASE_URL is used");
    assert!(!dir.path().join("from-file.db").exists(), "the file's database.url is overridden");

    let stderr = std::fs::read_to_string(&server.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().filter(|line| !line.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "pactum serve logged nothing");
    for line in &lines {
        let parsed: Value =
            serde_json::from_str(line).unwrap_or_else(|error| panic!("not a JSON line ({error}): {line}"));
        assert!(parsed["level"].is_string() && parsed["fields"].is_object(), "{line}");
    }
    assert!(!stderr.contains('\u{1b}'), "no ANSI colour in a log file");
}

#[test]
fn a_database_url_needs_a_configuration_file() {
    let output = Command::new(env!("CARGO_BIN_EXE_pactum"))
        .args(["serve", "--database-url", "sqlite://x.db"])
        .env_remove("PACTUM_CONFIG")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--config"), "{stderr}");
}
