//! The run's configuration (a contract with plain fields, a unique e-mail
//! and a unique SMS-verified mobile; no rate limit on codes; codes through
//! the `webhook` sender to the test's gateway), the check of the pool's
//! mobile numbers against the server, and the entities the run starts with.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;

use super::client::{Caller, Host};
use super::codes::CodeBook;
use super::model::{EMAIL, MOBILE, PLAIN, REQUIRED};
use super::record::{Op, SETUP};

pub const KEY: &str = "history-test-key";
/// Ten digits: a made-up code matches a real one with odds of 1e-10.
const CODE_LENGTH: usize = 10;

pub fn write_config(dir: &Path, database_url: &str, gateway: &str) -> PathBuf {
    std::fs::write(dir.join("secret"), "the history test's secret, 32+ bytes long").unwrap();
    let mut properties = serde_json::Map::new();
    for field in PLAIN {
        properties.insert(field.to_owned(), json!({"type": "string", "maxLength": 200}));
    }
    properties.insert(
        EMAIL.to_owned(),
        json!({"type": "string", "format": "email", "x-pactum-role": "email", "x-pactum-unique": true}),
    );
    properties.insert(
        MOBILE.to_owned(),
        json!({"type": "string", "x-pactum-role": "mobile", "x-pactum-verify": "sms", "x-pactum-unique": true}),
    );
    let contract = json!({
        "type": "object",
        "x-pactum-region": "DK",
        "required": [REQUIRED],
        "additionalProperties": false,
        "properties": properties,
    });
    std::fs::write(dir.join("history.json"), serde_json::to_string_pretty(&contract).unwrap()).unwrap();
    // No cooldown, no window limit (0), codes that outlive the run, and
    // attempts that never run out: every refusal the run sees is the data's.
    let config = format!(
        r#"
[server]
secret_file = "secret"

[database]
url = "{database_url}"

[verification]
cooldown_secs = 0
window_limit = 0
code_length = {CODE_LENGTH}
code_ttl_secs = 86400
max_attempts = 1000000000

[outbox]
poll_ms = 100

{senders}
[[contracts]]
id = "history"
file = "history.json"

[[apps]]
name = "history"
key_sha256 = "{key}"
permissions = ["read", "create", "update", "delete", "verify"]
default_contract = "history"
"#,
        key = pactum_host::apps::key_hash(KEY),
        senders = crate::common::gateway::senders_toml(gateway),
    );
    let path = dir.join("pactum.toml");
    std::fs::write(&path, config).unwrap();
    path
}

/// Checks once that the server takes each number as a valid mobile and
/// keeps it as it is (E.164): a scratch entity asks for each in turn, and
/// the gateway must receive a code for exactly these numbers. The scratch
/// entity is then deactivated, which cancels its last pending change.
pub async fn probe_mobiles(caller: &Caller, host: &Host, book: &CodeBook, numbers: &[String]) {
    let create = Op::Create { body: json!({ REQUIRED: "probe" }) };
    let answer = caller.send(host, None, &create).await;
    assert_eq!(answer.status, 201, "the probe entity: {:?}", answer.json);
    let id = answer.dp_keyid().expect("a dpKeyid");
    for number in numbers {
        let answer = caller.send(host, Some(id), &Op::Put { body: json!({ MOBILE: number }), if_match: None }).await;
        assert_eq!((answer.status, answer.code.as_str()), (200, "200.1"), "{number}: {:?}", answer.json);
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut received: Vec<String> = Vec::new();
    while received.len() < numbers.len() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
        received = book.sent(id).into_iter().map(|sent| sent.to).collect();
        received.sort();
        received.dedup();
    }
    let mut expected = numbers.to_vec();
    expected.sort();
    assert_eq!(received, expected, "the gateway received a code for each pool number, as sent");
    let answer = caller.send(host, Some(id), &Op::Delete).await;
    assert_eq!(answer.status, 200, "deactivating the probe entity: {:?}", answer.json);
}

/// The entities the run starts with: active (no verified field), recorded.
pub async fn seed(caller: &Caller, host: &Host, count: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for n in 0..count {
        let body = json!({ REQUIRED: format!("initial {n}"), "city": format!("city {n}") });
        let record = caller.run(SETUP, host, None, Op::Create { body }).await;
        assert_eq!(record.status, 201, "{}", record.describe());
        ids.push(record.entity.expect("a dpKeyid"));
    }
    ids
}
