//! Swapping modules on a running `pactum serve`, against the real binary:
//! a SIGHUP under load reloads the contracts with no failed request and the
//! new module's hash from then on; a bad reload leaves the old set serving
//! and says why; a shadow module that differs on one rule (the loyalty
//! plugin built with `strict-age`: 18 instead of 15) shows exactly those
//! divergences in `/metrics`, logged as codes and pointers only.
#![expect(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::serve::ServeProcess;
use serde_json::{Value, json};

const KEY: &str = "module-swap-test-key";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn wasm(name: &str) -> PathBuf {
    let path = workspace().join("target/wasm").join(name);
    assert!(path.is_file(), "{} is missing: build the modules with `cargo xtask wasm`", path.display());
    path
}

/// `module` with a custom section appended: a valid module that decides
/// exactly as before, under another SHA-256.
fn renamed(module: &[u8], tag: &str) -> Vec<u8> {
    let name = b"pactum-test";
    let body_len = 1 + name.len() + tag.len();
    assert!(body_len < 128 && name.len() < 128, "one-byte LEB128 sizes");
    let mut bytes = module.to_vec();
    bytes.extend([0u8, u8::try_from(body_len).unwrap(), u8::try_from(name.len()).unwrap()]);
    bytes.extend(name);
    bytes.extend(tag.as_bytes());
    bytes
}

fn write_config(dir: &Path, contracts: &str) -> PathBuf {
    std::fs::write(dir.join("secret"), "module swap test secret, 32+ bytes long").unwrap();
    let config = format!(
        r#"
[server]
secret_file = "secret"

[database]
url = "sqlite://{db}?mode=rwc"

{contracts}

[[apps]]
name = "shop"
key_sha256 = "{key}"
permissions = ["read", "create", "update"]
default_contract = "main"
"#,
        db = dir.join("pactum.db").display(),
        key = pactum_host::apps::key_hash(KEY),
    );
    let path = dir.join("pactum.toml");
    std::fs::write(&path, config).unwrap();
    path
}

fn hangup(server: &ServeProcess) {
    let status = std::process::Command::new("kill").args(["-HUP", &server.pid().to_string()]).status().unwrap();
    assert!(status.success(), "kill -HUP");
}

async fn module_of(client: &reqwest::Client, base: &str) -> String {
    let contract: Value = client.get(format!("{base}/contracts/main")).send().await.unwrap().json().await.unwrap();
    contract["moduleSha256"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sighup_swaps_the_module_under_load_and_a_bad_reload_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let module_file = dir.path().join("main.wasm");
    let first = renamed(&pactum_host::builtin::read().unwrap(), "first");
    let second = renamed(&pactum_host::builtin::read().unwrap(), "second");
    let (first_sha, second_sha) = (pactum_host::runtime::sha256_hex(&first), pactum_host::runtime::sha256_hex(&second));
    std::fs::write(&module_file, &first).unwrap();
    let contracts = format!(
        "[[contracts]]\nid = \"main\"\nfile = \"{}\"\nmodule = \"main.wasm\"",
        workspace().join("host/demo/profile.json").display()
    );
    let config = write_config(dir.path(), &contracts);
    let server = ServeProcess::start("swap", dir.path(), &config, "info");
    let client = common::client();
    assert_eq!(module_of(&client, &server.base).await, first_sha);

    let created = client
        .post(format!("{}/userentity/data", server.base))
        .bearer_auth(KEY)
        .json(&json!({"name": "Swap", "email": "swap@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let id = created.json::<Value>().await.unwrap()["entity"]["dpKeyid"].as_i64().unwrap();

    // Four clients update the entity without pause while the module swaps.
    let running = Arc::new(AtomicBool::new(true));
    let mut load = Vec::new();
    for worker in 0..4 {
        let (client, base, running) = (client.clone(), server.base.clone(), Arc::clone(&running));
        load.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            let mut n = 0u32;
            while running.load(Ordering::Relaxed) {
                n += 1;
                let response = client
                    .put(format!("{base}/userentity/dp-keyid/{id}/data"))
                    .bearer_auth(KEY)
                    .json(&json!({"name": format!("Swap {worker}-{n}")}))
                    .send()
                    .await
                    .unwrap();
                let module = response.headers().get("pactum-module").map(|value| value.to_str().unwrap().to_owned());
                answers.push((response.status().as_u16(), module));
            }
            answers
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    std::fs::write(&module_file, &second).unwrap();
    hangup(&server);
    let deadline = Instant::now() + Duration::from_secs(60);
    while module_of(&client, &server.base).await != second_sha {
        assert!(Instant::now() < deadline, "the new module is not served 60 s after SIGHUP");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    running.store(false, Ordering::Relaxed);
    let mut answers = Vec::new();
    for worker in load {
        answers.extend(worker.await.unwrap());
    }
    let failed: Vec<_> = answers.iter().filter(|(status, _)| *status != 200).collect();
    assert!(failed.is_empty(), "{} of {} updates failed during the swap: {failed:?}", failed.len(), answers.len());
    let by = |sha: &str| answers.iter().filter(|(_, module)| module.as_deref() == Some(sha)).count();
    assert!(by(&first_sha) > 0 && by(&second_sha) > 0, "updates decided by both modules: {answers:?}");
    assert_eq!(by(&first_sha) + by(&second_sha), answers.len(), "every answer names one of the two modules");

    // A reload that cannot load leaves the second module serving.
    std::fs::write(&module_file, b"not a wasm module").unwrap();
    hangup(&server);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let log = std::fs::read_to_string(&server.stderr).unwrap();
        if log.contains("reload refused") {
            assert!(log.contains("main.wasm"), "the refusal names the module: {log}");
            break;
        }
        assert!(Instant::now() < deadline, "no refusal logged 60 s after a bad SIGHUP: {log}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(module_of(&client, &server.base).await, second_sha);
    let after = client
        .put(format!("{}/userentity/dp-keyid/{id}/data", server.base))
        .bearer_auth(KEY)
        .json(&json!({"name": "After the bad reload"}))
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 200);
    assert_eq!(after.headers()["pactum-module"], second_sha.as_str());
}

/// A Luhn-valid 16-digit card number from `seed`.
fn card(seed: u64) -> String {
    let body = format!("4{seed:014}");
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(index, byte)| {
            let digit = u32::from(byte - b'0');
            if index % 2 == 0 { if digit * 2 > 9 { digit * 2 - 9 } else { digit * 2 } } else { digit }
        })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

/// The date `years` years before today (UTC), as `YYYY-MM-DD`.
fn years_ago(years: i32) -> String {
    let today = time::OffsetDateTime::now_utc().date();
    let date = today.replace_year(today.year() - years).unwrap_or_else(|_| today.replace_day(28).unwrap());
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

fn shadow_counts(metrics: &str) -> [u64; 4] {
    ["agree", "diverge", "failed", "skipped"].map(|result| {
        let line = format!("pactum_shadow_evaluations_total{{contract=\"main\",result=\"{result}\"}} ");
        metrics
            .lines()
            .find_map(|text| text.strip_prefix(&line))
            .map_or_else(|| panic!("no {line} in /metrics"), |value| value.trim().parse().unwrap())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shadow_that_differs_on_one_rule_shows_exactly_those_divergences() {
    let dir = tempfile::tempdir().unwrap();
    let contracts = format!(
        "[[contracts]]\nid = \"main\"\nfile = \"{}\"\nmodule = \"{}\"\nshadow = \"{}\"",
        workspace().join("plugins/loyalty/contract.json").display(),
        wasm("loyalty.wasm").display(),
        wasm("loyalty-strict.wasm").display(),
    );
    let config = write_config(dir.path(), &contracts);
    let server = ServeProcess::start("shadow", dir.path(), &config, "info");
    let client = common::client();
    let metrics =
        || async { client.get(format!("{}/metrics", server.base)).send().await.unwrap().text().await.unwrap() };
    assert_eq!(shadow_counts(&metrics().await), [0, 0, 0, 0], "present at zero");

    // (age, the primary's status): 16 and 17 pass 15 but not 18; then a
    // bad check digit at 30, which fails both alike.
    let cases = [(30, 201), (16, 201), (40, 201), (17, 201), (16, 201), (25, 201)];
    let mut diverging = 0;
    for (n, (age, status)) in cases.iter().enumerate() {
        let answer = client
            .post(format!("{}/userentity/data", server.base))
            .bearer_auth(KEY)
            .json(&json!({"cardNumber": card(n as u64), "name": "Shadow Person", "birthDate": years_ago(*age)}))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), *status, "age {age}: {}", answer.text().await.unwrap());
        if (15..18).contains(age) {
            diverging += 1;
        }
        // Each shadow call finishes before the next request, so none is skipped.
        let deadline = Instant::now() + Duration::from_secs(30);
        while shadow_counts(&metrics().await).iter().take(3).sum::<u64>() < n as u64 + 1 {
            assert!(Instant::now() < deadline, "the shadow of request {n} did not finish");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let bad = client
        .post(format!("{}/userentity/data", server.base))
        .bearer_auth(KEY)
        .json(&json!({"cardNumber": "4111111111111112", "name": "Shadow Person", "birthDate": years_ago(30)}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400, "both modules refuse the check digit");
    let total = cases.len() as u64 + 1;
    let deadline = Instant::now() + Duration::from_secs(30);
    while shadow_counts(&metrics().await).iter().take(3).sum::<u64>() < total {
        assert!(Instant::now() < deadline, "the last shadow call did not finish");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(shadow_counts(&metrics().await), [total - diverging, diverging, 0, 0]);

    let log = std::fs::read_to_string(&server.stderr).unwrap();
    let divergences: Vec<&str> =
        log.lines().filter(|line| line.contains("the shadow module decided otherwise")).collect();
    assert_eq!(divergences.len() as u64, diverging, "{log}");
    for line in divergences {
        assert!(line.contains("decision 201") && line.contains("/birthDate 400"), "{line}");
        assert!(!line.contains("Shadow Person") && !line.contains("4000"), "no values in the log: {line}");
    }
}
