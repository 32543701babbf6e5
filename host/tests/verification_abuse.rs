//! Verification abuse (issue 7, item 8), against a real `pactum serve`
//! process on SQLite whose codes go out through the `webhook` sender to a
//! receiver in this test (the dev `log` sender logs codes by design, so it
//! is not used here):
//!
//! - Brute force is cut off: a burst of concurrent wrong codes gets at most
//!   `max_attempts` judged (403, the last 403.2), every other guess and then
//!   the right code find nothing to verify (501.2), the old value stays, and
//!   a new code is refused by the cooldown (200.3): guesses per field are
//!   bounded by `max_attempts` per code and by the cooldown and window.
//! - No code or API key rests or is logged in plain text: after a create
//!   with a verified e-mail, a verification, a mobile change and the brute
//!   force, every file of the data folder (database, WAL, shared memory) and
//!   everything the server wrote to stdout and stderr at log level `trace`
//!   is searched for every code the gateway received and for the API key:
//!   0 hits. Positive controls prove the search sees what it searches (a
//!   name in the database, the request lines in the log).
#![expect(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, clippy::panic, reason = "tests")]

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::gateway::Gateway;
use common::serve::ServeProcess;
use reqwest::Method;
use serde_json::{Value, json};

const MAX_ATTEMPTS: usize = 3;
/// Ten digits: a code cannot turn up in the files by chance.
const CODE_LENGTH: usize = 10;
/// Everything, but the code generator's own chatter while it compiles the
/// module at start (megabytes, and nothing of a request passes there).
const LOG_FILTER: &str = "trace,cranelift_codegen=info,cranelift_frontend=info,regalloc2=info,wasmtime=debug,\
                          wasmtime_cranelift=info,wasmtime_environ=info";

/// A fresh API key, drawn like the demo's: nothing else in the run holds it.
fn fresh_key() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).unwrap();
    format!("pk_abuse_{}", bytes.iter().map(|byte| format!("{byte:02x}")).collect::<String>())
}

fn write_config(dir: &Path, gateway: &Gateway, key: &str) -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    std::fs::write(dir.join("secret"), "verification abuse test secret, 32+ bytes").unwrap();
    let config = format!(
        r#"
[server]
secret_file = "secret"

[database]
url = "sqlite://{db}?mode=rwc"

[verification]
code_length = {CODE_LENGTH}
max_attempts = {MAX_ATTEMPTS}

[outbox]
poll_ms = 100

{senders}
[[contracts]]
id = "profile"
file = "{profile}"

[[apps]]
name = "shop"
key_sha256 = "{hash}"
permissions = ["read", "create", "update", "verify"]
default_contract = "profile"
"#,
        db = dir.join("data").join("pactum.db").display(),
        senders = gateway.senders_toml(),
        profile = workspace.join("host/demo/profile.json").display(),
        hash = pactum_host::apps::key_hash(key),
    );
    std::fs::create_dir_all(dir.join("data")).unwrap();
    let path = dir.join("pactum.toml");
    std::fs::write(&path, config).unwrap();
    path
}

struct Client {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl Client {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn verify(&self, id: i64, code: &str) -> (u16, Value) {
        self.call(Method::POST, &format!("/userentity/dp-keyid/{id}/verify"), Some(json!({ "code": code }))).await
    }
}

/// The code the gateway received for `entity`'s `field`, waiting up to 10 s.
async fn code_for(gateway: &Gateway, entity: i64, field: &str) -> String {
    let answered = gateway
        .wait_for(Duration::from_secs(10), |answered| {
            answered.iter().any(|posted| posted.body["entity"] == entity && posted.body["field"] == field)
        })
        .await;
    let posted = answered
        .iter()
        .rev()
        .find(|posted| posted.body["entity"] == entity && posted.body["field"] == field)
        .unwrap_or_else(|| panic!("no {field} code for entity {entity} reached the gateway within 10 s"));
    posted.body["code"].as_str().expect("the webhook body carries the code").to_owned()
}

/// A wrong code of the right length, different from `code`.
fn wrong(code: &str, n: usize) -> String {
    let guess = format!("{:0width$}", n, width = CODE_LENGTH);
    if guess == code { format!("{:0width$}", n + 1, width = CODE_LENGTH) } else { guess }
}

/// Every place `needle` occurs in `haystack`, as byte offsets.
fn find_all(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    haystack.windows(needle.len()).enumerate().filter(|(_, window)| *window == needle).map(|(at, _)| at).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn brute_force_is_cut_off_and_no_code_or_key_is_stored_or_logged() {
    let gateway = Gateway::start().await;
    let dir = tempfile::tempdir().unwrap();
    let key = fresh_key();
    let config = write_config(dir.path(), &gateway, &key);
    let server = ServeProcess::start("pactum", dir.path(), &config, LOG_FILTER);
    let client = Client { http: common::client(), base: server.base.clone(), key: key.clone() };

    // A create with a verified e-mail, confirmed with the delivered code.
    let (status, body) = client
        .call(Method::POST, "/userentity/data", Some(json!({"name": "Vera Abuse", "email": "vera@abuse.test"})))
        .await;
    assert_eq!((status, body["code"].as_str()), (201, Some("201.1")), "{body}");
    let id = body["entity"]["dpKeyid"].as_i64().unwrap();
    let email_code = code_for(&gateway, id, "email").await;
    assert_eq!(email_code.len(), CODE_LENGTH);
    let (status, body) = client.verify(id, &email_code).await;
    assert_eq!(status, 204, "the delivered e-mail code verifies: {body}");

    // A mobile change, then a burst of wrong guesses at once.
    let (status, body) = client
        .call(Method::PUT, &format!("/userentity/dp-keyid/{id}/data"), Some(json!({"mobile": "20 12 34 56"})))
        .await;
    assert_eq!((status, body["code"].as_str()), (200, Some("200.1")), "{body}");
    let mobile_code = code_for(&gateway, id, "mobile").await;
    const GUESSES: usize = 24;
    let guesses: Vec<String> = (0..GUESSES).map(|n| wrong(&mobile_code, n)).collect();
    let answers = futures_util::future::join_all(guesses.iter().map(|guess| client.verify(id, guess))).await;
    let codes: Vec<(u16, String)> =
        answers.iter().map(|(status, body)| (*status, body["code"].as_str().unwrap_or_default().to_owned())).collect();
    let judged = codes.iter().filter(|(status, _)| *status == 403).count();
    let used_up = codes.iter().filter(|(_, code)| code == "403.2").count();
    let nothing_left = codes.iter().filter(|(status, code)| *status == 501 && code == "501.2").count();
    assert_eq!(judged, MAX_ATTEMPTS, "exactly max_attempts guesses are judged: {codes:?}");
    assert_eq!(used_up, 1, "the last judged guess uses the attempts up (403.2): {codes:?}");
    assert_eq!(nothing_left, GUESSES - MAX_ATTEMPTS, "every later guess finds nothing to verify: {codes:?}");

    // The right code comes too late; the old value stays; a new code waits
    // for the cooldown, so no fresh attempts are to be had.
    let (status, body) = client.verify(id, &mobile_code).await;
    assert_eq!((status, body["code"].as_str()), (501, Some("501.2")), "the right code after the cut-off: {body}");
    let (_, read) = client.call(Method::GET, &format!("/userentity/dp-keyid/{id}/data"), None).await;
    assert!(read["entity"].get("mobile").is_none(), "the mobile number was never confirmed: {read}");
    let sent_before = gateway.answered().len();
    let (status, body) = client
        .call(Method::PUT, &format!("/userentity/dp-keyid/{id}/data"), Some(json!({"mobile": "20 12 34 57"})))
        .await;
    assert_eq!((status, body["code"].as_str()), (200, Some("200.3")), "a new code waits for the cooldown: {body}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(gateway.answered().len(), sent_before, "no code was sent during the cooldown");
    let (status, body) = client.verify(id, &mobile_code).await;
    assert_eq!((status, body["code"].as_str()), (501, Some("501.2")), "{body}");

    // Everything the server stored and logged, searched for the secrets.
    // SIGKILL leaves the WAL as it is, so nothing is checkpointed away.
    let (stdout_log, stderr_log) = (server.stdout.clone(), server.stderr.clone());
    drop(server);
    let delivered: BTreeSet<String> =
        gateway.answered().iter().map(|posted| posted.body["code"].as_str().unwrap().to_owned()).collect();
    assert_eq!(delivered.len(), 2, "two codes were delivered: {delivered:?}");
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir.path().join("data")).unwrap().map(|entry| entry.unwrap().path()).collect();
    files.sort();
    let names: Vec<String> =
        files.iter().map(|file| file.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert!(names.contains(&"pactum.db".to_owned()), "the database file is searched: {names:?}");
    files.extend([stdout_log, stderr_log.clone()]);

    let mut database = Vec::new();
    let mut hits = Vec::new();
    let mut searched = 0;
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        searched += bytes.len();
        if file.starts_with(dir.path().join("data")) {
            database.extend_from_slice(&bytes);
        }
        for secret in delivered.iter().chain(std::iter::once(&key)) {
            for at in find_all(&bytes, secret.as_bytes()) {
                hits.push(format!(
                    "{} at byte {at}: {}",
                    file.display(),
                    if *secret == key { "the API key" } else { "a code" }
                ));
            }
        }
    }
    let log = std::fs::read_to_string(&stderr_log).unwrap();
    assert!(!find_all(&database, b"Vera Abuse").is_empty(), "positive control: the search sees the database's text");
    assert!(log.contains(&format!("/userentity/dp-keyid/{id}/verify")), "positive control: requests were logged");
    let _ = writeln!(
        std::io::stderr().lock(),
        "verification abuse: {GUESSES} concurrent guesses, {judged} judged; searched {searched} bytes in {} files \
         (database and trace-level logs) for {} codes and the API key: {} hits",
        files.len(),
        delivered.len(),
        hits.len()
    );
    assert!(hits.is_empty(), "a code or the API key rests or is logged in plain text:\n{}", hits.join("\n"));
}
