//! Two `pactum serve` processes on one PostgreSQL database, with a client
//! alternating between them: what must hold across hosts does.
//!
//! - Races for one e-mail and for one mobile across the hosts: exactly one
//!   winner, every other racer gets its sub code.
//! - The cooldown (200.3) holds across hosts.
//! - A code dispatched through host A is accepted by host B.
//! - Every outbox message is delivered once when host A is killed
//!   (SIGKILL) in the middle of a drain: host B sends what A left, and the
//!   gateway, deduplicating by the `Idempotency-Key` every send carries,
//!   holds exactly one delivery per message.
//!
//! Runs only against the server `PACTUM_TEST_POSTGRES` names (each run in
//! a schema of its own); without it the test reports `NOT RUN`.
#![expect(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, clippy::panic, reason = "tests")]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use common::db::TestDb;
use common::gateway::Gateway;
use common::serve::ServeProcess as Host;
use reqwest::Method;
use serde_json::{Value, json};

const KEY: &str = "multi-host-test-key";
/// Short, so the test sees a dead host's rows come back.
const LEASE_SECS: u64 = 3;

struct Client {
    http: reqwest::Client,
}

impl Client {
    async fn call(&self, host: &Host, method: Method, path: &str, body: Option<Value>) -> (u16, Value, Option<String>) {
        let mut request = self.http.request(method, format!("{}{path}", host.base)).bearer_auth(KEY);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap_or_else(|error| panic!("host {}: {error}", host.name));
        let status = response.status().as_u16();
        let retry_after =
            response.headers().get("retry-after").and_then(|value| value.to_str().ok()).map(str::to_owned);
        (status, response.json().await.unwrap_or(Value::Null), retry_after)
    }

    /// Creates an active entity (no verified field in the payload).
    async fn create(&self, host: &Host, name: &str) -> i64 {
        let (status, body, _) = self.call(host, Method::POST, "/userentity/data", Some(json!({ "name": name }))).await;
        assert_eq!(status, 201, "create through {}: {body}", host.name);
        body["entity"]["dpKeyid"].as_i64().expect("a dpKeyid")
    }

    async fn put(&self, host: &Host, id: i64, body: Value) -> (u16, Value, Option<String>) {
        self.call(host, Method::PUT, &format!("/userentity/dp-keyid/{id}/data"), Some(body)).await
    }
}

fn write_config(dir: &Path, db: &TestDb, gateway: &Gateway) -> std::path::PathBuf {
    std::fs::write(dir.join("secret"), "one secret shared by every host, 32+ bytes").unwrap();
    // Only `name` is required, so an entity can be created (active) without
    // a verification; e-mail and mobile are unique and verified.
    std::fs::write(
        dir.join("accounts.json"),
        serde_json::to_string(&json!({
            "type": "object",
            "x-pactum-region": "DK",
            "required": ["name"],
            "additionalProperties": false,
            "properties": {
                "name": {"type": "string"},
                "email": {"type": "string", "format": "email", "x-pactum-role": "email",
                          "x-pactum-verify": "email", "x-pactum-unique": true},
                "mobile": {"type": "string", "x-pactum-role": "mobile",
                           "x-pactum-verify": "sms", "x-pactum-unique": true}
            }
        }))
        .unwrap(),
    )
    .unwrap();
    let config = format!(
        r#"
[server]
secret_file = "secret"

[database]
url = "{url}"

[outbox]
lease_secs = {LEASE_SECS}
poll_ms = 200
backoff_base_secs = 1

{senders}
[[contracts]]
id = "accounts"
file = "accounts.json"

[[apps]]
name = "shop"
key_sha256 = "{key}"
permissions = ["read", "create", "update", "verify"]
default_contract = "accounts"
"#,
        url = db.url(),
        senders = gateway.senders_toml(),
        key = pactum_host::apps::key_hash(KEY),
    );
    let path = dir.join("pactum.toml");
    std::fs::File::create(&path).unwrap().write_all(config.as_bytes()).unwrap();
    path
}

/// Racers, alternating hosts, PUT the same value at once.
async fn race(client: &Client, hosts: [&Host; 2], field: &str, value: &str, loser_code: &str) {
    const RACERS: usize = 10;
    let mut ids = Vec::new();
    for n in 0..RACERS {
        ids.push(client.create(hosts[n % 2], &format!("{field} racer {n}")).await);
    }
    let attempts = ids.iter().enumerate().map(|(n, id)| client.put(hosts[n % 2], *id, json!({ field: value })));
    let answers = futures_util::future::join_all(attempts).await;
    let winners = answers.iter().filter(|(status, body, _)| *status == 200 && body["code"] == "200.1").count();
    let losers = answers.iter().filter(|(status, body, _)| *status == 400 && body["code"] == loser_code).count();
    assert_eq!((winners, losers), (1, RACERS - 1), "one winner, the rest {loser_code}: {answers:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hosts_on_one_database_answer_as_one() {
    let Some(db) = TestDb::postgres("multi_host::two_hosts_on_one_database_answer_as_one").await else { return };
    let gateway = Gateway::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &db, &gateway);
    let mut a = Host::start("A", dir.path(), &config, "warn");
    let b = Host::start("B", dir.path(), &config, "warn");
    let client = Client { http: common::client() };

    // Races across the hosts.
    race(&client, [&a, &b], "email", "contested@example.com", "400.2").await;
    race(&client, [&a, &b], "mobile", "+4528999999", "400.4").await;

    // The cooldown holds across hosts; the code sent through A works on B.
    let id = client.create(&a, "Cora Cooldown").await;
    let (status, body, _) = client.put(&a, id, json!({"mobile": "+4528111111"})).await;
    assert_eq!((status, body["code"].as_str()), (200, Some("200.1")), "{body}");
    let (status, body, retry_after) = client.put(&b, id, json!({"mobile": "+4528222222"})).await;
    assert_eq!((status, body["code"].as_str()), (200, Some("200.3")), "host B knows A's dispatch: {body}");
    let retry_after: u64 = retry_after.expect("200.3 carries Retry-After").parse().unwrap();
    assert!((1..=120).contains(&retry_after), "Retry-After {retry_after}");
    let sent = gateway
        .wait_for(Duration::from_secs(10), |answered| answered.iter().any(|posted| posted.body["entity"] == id))
        .await;
    let code =
        sent.iter().find(|posted| posted.body["entity"] == id).expect("A's code reached the gateway").body["code"]
            .as_str()
            .unwrap()
            .to_owned();
    let (status, body, _) = client
        .call(&b, Method::POST, &format!("/userentity/dp-keyid/{id}/verify"), Some(json!({ "code": code })))
        .await;
    assert_eq!(status, 204, "a code sent through A is accepted by B: {body}");
    let (_, read, _) = client.call(&a, Method::GET, &format!("/userentity/dp-keyid/{id}/data"), None).await;
    assert_eq!(read["entity"]["mobile"], "+4528111111");

    // Host A dies mid-drain; B, started again, sends what A left once the
    // lease ends. B is down meanwhile, so the rows in flight are A's.
    drop(b);
    let before = gateway.answered().len();
    gateway.set_delay(Duration::from_millis(1500));
    let mut pending = Vec::new();
    for n in 0..8 {
        let id = client.create(&a, &format!("Outbox {n}")).await;
        let (status, body, _) = client.put(&a, id, json!({"mobile": format!("+45283000{n:02}")})).await;
        assert_eq!((status, body["code"].as_str()), (200, Some("200.1")), "{body}");
        pending.push(id);
    }
    // Wait until some send is held at the gateway, then kill A.
    let in_flight_by = tokio::time::Instant::now() + Duration::from_secs(10);
    while gateway.started() == before && tokio::time::Instant::now() < in_flight_by {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(gateway.started() > before, "a send was in flight when host A was killed");
    a.kill();
    gateway.set_delay(Duration::ZERO);
    let _b = Host::start("B", dir.path(), &config, "warn");

    let raw = db.raw().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let open = raw.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND abandoned_at IS NULL").await;
        if open == 0 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{open} outbox rows still unsent 60 s after host A died");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let rows: Vec<(i64,)> = raw.fetch_all("SELECT id FROM outbox ORDER BY id").await;
    let abandoned = raw.count("SELECT COUNT(*) FROM outbox WHERE abandoned_at IS NOT NULL").await;
    assert_eq!(abandoned, 0, "no message was given up");
    let reclaimed = raw.count("SELECT COUNT(*) FROM outbox WHERE attempts > 1").await;
    assert!(reclaimed >= 1, "a row host A claimed before it died was claimed again by B");

    // Exactly one delivery per message once deduplicated by key; each copy
    // of a message is the same message.
    let answered = gateway.answered();
    let mut by_key: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for posted in &answered {
        let key = posted.headers.get("idempotency-key").cloned().expect("every send carries an Idempotency-Key");
        by_key.entry(key).or_default().push(&posted.body);
    }
    let expected: BTreeSet<String> = rows.iter().map(|(id,)| format!("pactum-outbox-{id}")).collect();
    assert_eq!(by_key.keys().cloned().collect::<BTreeSet<_>>(), expected, "every outbox row reached the gateway");
    for (key, copies) in &by_key {
        assert!(copies.windows(2).all(|pair| pair[0] == pair[1]), "{key}: a resend is the same message");
    }
    for id in &pending {
        assert!(answered.iter().any(|posted| posted.body["entity"] == *id), "entity {id}'s code was delivered");
    }
    let duplicates = answered.len() - by_key.len();
    let _ = writeln!(
        std::io::stderr().lock(),
        "multi-host: {} messages, {} deliveries ({duplicates} repeated by key), {reclaimed} reclaimed after the kill",
        by_key.len(),
        answered.len()
    );
    raw.close().await;
}
