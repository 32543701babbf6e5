//! Concurrent writes to one entity, and bad input on the write path (issue
//! 13). Each case runs on SQLite and on PostgreSQL; on PostgreSQL the racing
//! requests alternate between two hosts (two services, each with its own
//! pool, on one schema), so only the database can order them.
//!
//! - Lost updates: concurrent PUTs of different fields all answer 200 with
//!   distinct versions, and every change is kept.
//! - A verification racing a PUT of another field stays done; racing a PUT
//!   of the verified field itself, the data follows the verify's answer.
//!   Either way every unique claim matches the data and pending changes.
//! - A PUT racing a DELETE is ordered before it (a lower version) or is
//!   409.3; the inactive entity keeps no pending change, and no code makes
//!   a value of it afterwards.
//! - A NUL character in a value, a member name or an ext-key is 400.25 on
//!   both backends, and changes nothing.
//! - A body just under the body limit is 200 when the merged entity fits,
//!   else 400.21; never a 5xx, and a 400 changes nothing.
#![expect(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, clippy::panic, reason = "tests")]

mod common;
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use common::db::{Backend, Raw, TestDb, backend_tests};
use common::gateway::Gateway;
use pactum_host::apps::{AppConfig, Permission, key_hash};
use pactum_host::config::{BUILTIN, ContractConfig, Instances};
use pactum_host::delivery::SenderConfig;
use pactum_host::store::Status;
use reqwest::Method;
use serde_json::{Value, json};
use support::TestServer;

backend_tests!(
    concurrent_puts_of_different_fields_keep_every_change,
    a_verification_racing_a_put_is_not_undone,
    a_put_racing_a_delete_comes_before_it_or_is_refused,
    a_nul_character_is_400_25_and_changes_nothing,
    a_body_just_under_the_limit_is_200_or_400_21_never_5xx,
);

const ROUNDS: usize = 20;
const APP: &str = "racer";
/// Nine fields of the contract below, none verified.
const FIELDS: [&str; 9] = ["name", "tags", "f1", "f2", "f3", "f4", "f5", "f6", "f7"];

/// Plain strings without `maxLength`, a list field, an object with any
/// members, and two unique, verified fields.
fn contract() -> Value {
    let mut properties: serde_json::Map<String, Value> =
        FIELDS.iter().map(|field| ((*field).to_owned(), json!({"type": "string"}))).collect();
    properties.insert("tags".into(), json!({"type": "array", "x-pactum-list": true, "items": {"type": "string"}}));
    properties.insert("prefs".into(), json!({"type": "object"}));
    properties.insert(
        "mobile".into(),
        json!({"type": "string", "x-pactum-role": "mobile", "x-pactum-verify": "sms", "x-pactum-unique": true}),
    );
    properties.insert(
        "email".into(),
        json!({"type": "string", "format": "email", "x-pactum-role": "email", "x-pactum-verify": "email",
               "x-pactum-unique": true}),
    );
    json!({"type": "object", "x-pactum-region": "DK", "required": ["name"], "additionalProperties": false,
           "properties": properties})
}

/// A Danish mobile number in E.164, distinct per (round, n).
fn number(round: usize, n: usize) -> String {
    format!("+4528{round:03}{n:03}")
}

#[derive(Debug)]
struct Reply {
    status: u16,
    body: Value,
    /// The version the `ETag` names.
    version: Option<i64>,
}

impl Reply {
    fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }
}

/// One service on SQLite, two on PostgreSQL; codes go to a webhook gateway.
struct Hosts {
    servers: Vec<TestServer>,
    gateway: Gateway,
    raw: Raw,
    _dir: tempfile::TempDir,
}

impl Hosts {
    async fn start(db: &TestDb) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("races.json");
        std::fs::write(&file, contract().to_string()).unwrap();
        let gateway = Gateway::start().await;
        let mut config = support::config(db);
        config.contracts.push(ContractConfig {
            id: "races".into(),
            file,
            module: BUILTIN.into(),
            instances: Instances::Warm,
            shadow: None,
        });
        config.apps.push(AppConfig {
            name: APP.into(),
            key_sha256: key_hash(&support::key(APP)),
            permissions: [
                Permission::Read,
                Permission::Create,
                Permission::Update,
                Permission::Delete,
                Permission::Verify,
            ]
            .into(),
            default_contract: "races".into(),
            contracts: BTreeSet::new(),
            ext_key_type: Some("crm".into()),
        });
        // Every verified change sends a code: no cooldown, no window limit.
        config.verification.cooldown_secs = 0;
        config.verification.window_limit = 0;
        let webhook = |path: &str| SenderConfig::Webhook {
            url: format!("{}/{path}", gateway.base),
            headers: BTreeMap::new(),
            timeout_ms: None,
        };
        config.senders.sms = webhook("sms");
        config.senders.email = webhook("email");
        let hosts = if db.backend() == Backend::Postgres { 2 } else { 1 };
        let mut servers = Vec::new();
        for _ in 0..hosts {
            servers.push(TestServer::start(config.clone()).await);
        }
        Self { servers, gateway, raw: db.raw().await, _dir: dir }
    }

    async fn stop(self) {
        self.raw.close().await;
        for server in self.servers {
            server.stop().await;
        }
    }

    /// A request to host `host` (modulo the number of hosts).
    async fn call(&self, host: usize, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut request = self.servers[host % self.servers.len()].request(APP, method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let version = response
            .headers()
            .get("etag")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim_matches('"').parse().ok());
        Reply { status, body: response.json().await.unwrap_or(Value::Null), version }
    }

    async fn put(&self, host: usize, id: i64, body: Value) -> Reply {
        self.call(host, Method::PUT, &format!("/userentity/dp-keyid/{id}/data"), Some(body)).await
    }

    async fn verify(&self, host: usize, id: i64, code: &str) -> Reply {
        self.call(host, Method::POST, &format!("/userentity/dp-keyid/{id}/verify"), Some(json!({ "code": code }))).await
    }

    /// 1002 through host 0: the reply (its version) and the entity.
    async fn get(&self, id: i64) -> (Reply, Value) {
        let reply = self.call(0, Method::GET, &format!("/userentity/dp-keyid/{id}/data"), None).await;
        assert_eq!(reply.status, 200, "GET {id}: {reply:?}");
        let entity = reply.body["entity"].clone();
        (reply, entity)
    }

    /// An active entity, imported (trusted data: values are current).
    async fn seed(&self, data: Value, ext_key: Option<&str>) -> i64 {
        let ext_keys = ext_key.map(|key| ("crm".to_owned(), key.to_owned())).into_iter().collect();
        let imported = self.servers[0].accounts.import("races", data, ext_keys, Status::Active).await;
        imported.expect("seeded").entity.dp_keyid
    }

    /// The newest code the gateway got for `id`'s `field` other than
    /// `previous`, waiting up to `wait`.
    async fn code(&self, id: i64, field: &str, previous: Option<&str>, wait: Duration) -> Option<String> {
        let newest = |posted: &[common::gateway::Posted]| {
            posted
                .iter()
                .rev()
                .filter(|posted| posted.body["entity"] == id && posted.body["field"] == field)
                .find_map(|posted| posted.body["code"].as_str().filter(|code| Some(*code) != previous))
                .map(str::to_owned)
        };
        newest(&self.gateway.wait_for(wait, |posted| newest(posted).is_some()).await)
    }

    /// Every unique claim is held by exactly the entity whose data (not
    /// pending) or pending change (pending) holds the value, and no other.
    async fn assert_claims_match(&self, when: &str) {
        let claims: BTreeSet<(String, String, i64, bool)> = self
            .raw
            .fetch_all::<(String, String, i64, bool)>("SELECT field, value, entity_id, pending FROM unique_values")
            .await
            .into_iter()
            .collect();
        let mut expected = BTreeSet::new();
        let entities: Vec<(i64, String)> = self.raw.fetch_all("SELECT id, data FROM entities").await;
        for (id, data) in entities {
            let data: Value = serde_json::from_str(&data).unwrap();
            for field in ["mobile", "email"] {
                if let Some(value) = data[field].as_str() {
                    expected.insert((field.to_owned(), value.to_lowercase(), id, false));
                }
            }
        }
        let pending: Vec<(i64, String, Option<String>)> =
            self.raw.fetch_all("SELECT entity_id, field, unique_value FROM pending_changes").await;
        for (id, field, value) in pending {
            if let Some(value) = value {
                expected.insert((field, value, id, true));
            }
        }
        assert_eq!(claims, expected, "{when}: the claims (left) match the data and pending changes (right)");
    }

    /// The entity's status and version as stored.
    async fn stored(&self, id: i64) -> (String, i64, Value) {
        let (status, version, data): (String, i64, String) =
            self.raw.fetch_one(&format!("SELECT status, version, data FROM entities WHERE id = {id}")).await;
        (status, version, serde_json::from_str(&data).unwrap())
    }
}

/// A value for `field` in `round`: a list for `tags`, else a string.
fn value(field: &str, round: usize) -> Value {
    if field == "tags" { json!([format!("tag{round}")]) } else { json!(format!("{field} {round}")) }
}

async fn concurrent_puts_of_different_fields_keep_every_change(db: &TestDb) {
    let hosts = Hosts::start(db).await;
    let id = hosts.seed(json!({"name": "Start"}), None).await;
    for round in 0..ROUNDS {
        let (name, tags) = (value("name", round), value("tags", round));
        let (a, b) = tokio::join!(hosts.put(0, id, json!({ "name": name })), hosts.put(1, id, json!({ "tags": tags })));
        assert_eq!((a.status, b.status), (200, 200), "round {round}: {a:?} {b:?}");
        assert_ne!(a.version, b.version, "round {round}: two updates, two versions");
        let (_, entity) = hosts.get(id).await;
        assert_eq!(
            (&entity["name"], &entity["tags"]),
            (&name, &tags),
            "round {round}: both acknowledged changes are kept (versions {:?}, {:?})",
            a.version,
            b.version
        );
    }
    for round in ROUNDS..ROUNDS + 3 {
        let writes =
            FIELDS.iter().enumerate().map(|(n, &field)| hosts.put(n, id, json!({ field: value(field, round) })));
        let replies = futures_util::future::join_all(writes).await;
        assert!(replies.iter().all(|reply| reply.status == 200), "nine PUTs at once: {replies:?}");
        let versions: BTreeSet<_> = replies.iter().map(|reply| reply.version).collect();
        assert_eq!(versions.len(), FIELDS.len(), "nine updates, nine versions: {versions:?}");
        let (read, entity) = hosts.get(id).await;
        let lost: Vec<_> = FIELDS.iter().filter(|field| entity[**field] != value(field, round)).collect();
        assert!(lost.is_empty(), "nine PUTs at once: {lost:?} lost; the entity at {:?}: {entity}", read.version);
    }
    hosts.stop().await;
}

async fn a_verification_racing_a_put_is_not_undone(db: &TestDb) {
    let hosts = Hosts::start(db).await;
    let probe = hosts.seed(json!({"name": "Probe"}), None).await;
    let wait = Duration::from_secs(10);
    // 2004 racing a PUT of another field.
    for round in 0..ROUNDS {
        let (old, new) = (number(round, 0), number(round, 1));
        let id = hosts.seed(json!({"name": format!("Verify {round}"), "mobile": old}), None).await;
        assert_eq!(hosts.put(0, id, json!({"mobile": new})).await.code(), "200.1");
        let code = hosts.code(id, "mobile", None, wait).await.expect("a code");
        let during = format!("during {round}");
        let (verified, put) = tokio::join!(hosts.verify(0, id, &code), hosts.put(1, id, json!({ "f1": during })));
        assert_eq!((verified.status, put.status), (204, 200), "round {round}: {verified:?} {put:?}");
        let (_, entity) = hosts.get(id).await;
        assert_eq!(entity["mobile"], new, "round {round}: 2004 answered 204, so the new number stays: {entity}");
        assert_eq!(entity["f1"], during, "round {round}: the PUT is kept too");
        let taken = hosts.put(0, probe, json!({"mobile": new})).await;
        assert_eq!((taken.status, taken.code()), (400, "400.4"), "round {round}: the new number is taken");
        let freed = hosts.put(0, probe, json!({"mobile": old})).await;
        assert_eq!((freed.status, freed.code()), (200, "200.1"), "round {round}: the old number is free: {freed:?}");
        hosts.assert_claims_match(&format!("round {round}")).await;
    }
    // 2004 racing a PUT of the verified field itself: either order, but the
    // data follows the verify's answer and the claims follow the data.
    for round in ROUNDS..2 * ROUNDS {
        let (old, new, newer) = (number(round, 0), number(round, 1), number(round, 2));
        let id = hosts.seed(json!({"name": format!("Verify {round}"), "mobile": old}), None).await;
        assert_eq!(hosts.put(0, id, json!({"mobile": new})).await.code(), "200.1");
        let code = hosts.code(id, "mobile", None, wait).await.expect("a code");
        let (verified, put) = tokio::join!(hosts.verify(0, id, &code), hosts.put(1, id, json!({"mobile": newer})));
        assert_eq!((put.status, put.code()), (200, "200.1"), "round {round}: {put:?}");
        let (_, entity) = hosts.get(id).await;
        let expected = match verified.status {
            204 => &new,
            403 => &old,
            _ => panic!("round {round}: 2004 answered {verified:?}"),
        };
        assert_eq!(&entity["mobile"], expected, "round {round}: 2004 answered {}: {entity}", verified.status);
        hosts.assert_claims_match(&format!("round {round}")).await;
    }
    hosts.stop().await;
}

async fn a_put_racing_a_delete_comes_before_it_or_is_refused(db: &TestDb) {
    let hosts = Hosts::start(db).await;
    for round in 0..ROUNDS {
        let id = hosts.seed(json!({"name": format!("Leaving {round}")}), None).await;
        // A pending change from before the race, with its code.
        assert_eq!(hosts.put(0, id, json!({"mobile": number(round, 0)})).await.code(), "200.1");
        let mobile_code = hosts.code(id, "mobile", None, Duration::from_secs(10)).await.expect("a code");
        let email = format!("late{round}@example.com");
        let late = json!({"f1": format!("late {round}"), "email": email});
        let path = format!("/userentity/dp-keyid/{id}");
        let (put, deleted) = tokio::join!(hosts.put(0, id, late), hosts.call(1, Method::DELETE, &path, None));
        assert_eq!(deleted.status, 200, "round {round}: {deleted:?}");
        match put.status {
            200 => assert!(
                put.version < deleted.version,
                "round {round}: a PUT acknowledged after the deactivation: PUT {put:?}, DELETE {deleted:?}"
            ),
            409 => assert_eq!(put.code(), "409.3", "round {round}: {put:?}"),
            _ => panic!("round {round}: the PUT answered {put:?}"),
        }
        let (status, version, data) = hosts.stored(id).await;
        assert_eq!((status.as_str(), Some(version)), ("inactive", deleted.version), "round {round}: {data}");
        let applied = put.status == 200;
        assert_eq!(
            data.get("f1").is_some(),
            applied,
            "round {round}: the PUT's f1 is there iff it answered 200: {data}"
        );
        let pending = hosts.raw.count(&format!("SELECT COUNT(*) FROM pending_changes WHERE entity_id = {id}")).await;
        assert_eq!(pending, 0, "round {round}: the deactivation left no pending change");
        // No code turns a pending value into the inactive entity's value.
        let email_code =
            if put.code() == "200.1" { hosts.code(id, "email", None, Duration::from_secs(1)).await } else { None };
        for code in std::iter::once(mobile_code).chain(email_code) {
            let verified = hosts.verify(1, id, &code).await;
            assert_ne!(verified.status, 204, "round {round}: a code verified on the inactive entity: {verified:?}");
        }
        let (_, after, data) = hosts.stored(id).await;
        assert_eq!(after, version, "round {round}: nothing was written after the deactivation: {data}");
        assert!(data.get("mobile").is_none() && data.get("email").is_none(), "round {round}: {data}");
    }
    hosts.assert_claims_match("after the deactivations").await;
    hosts.stop().await;
}

async fn a_nul_character_is_400_25_and_changes_nothing(db: &TestDb) {
    let hosts = Hosts::start(db).await;
    let id = hosts.seed(json!({"name": "Nul"}), Some("K-1")).await;
    let (before, entity) = hosts.get(id).await;
    let entities = hosts.raw.count("SELECT COUNT(*) FROM entities").await;
    let dp = format!("/userentity/dp-keyid/{id}/data");
    let cases = [
        ("a value", Method::PUT, dp.as_str(), Some(json!({"name": "A\u{0}B"})), Some("/name")),
        ("a member name", Method::PUT, dp.as_str(), Some(json!({"prefs": {"a\u{0}b": 1}})), Some("/prefs/a\u{0}b")),
        ("PUT by ext-key", Method::PUT, "/userentity/ext-key/K-1%00/crm/data", Some(json!({"name": "X"})), None),
        ("GET by ext-key", Method::GET, "/userentity/ext-key/K-1%00/crm/data", None, None),
        ("create with an ext-key", Method::POST, "/userentity/data?ext-key=K-2%00", Some(json!({"name": "X"})), None),
    ];
    let mut wrong = Vec::new();
    for (case, method, path, body, pointer) in cases {
        let reply = hosts.call(0, method, path, body).await;
        let pointed = pointer.is_none_or(|pointer| reply.body["errors"][0]["pointer"] == pointer);
        if (reply.status, reply.code()) != (400, "400.25") || !pointed {
            wrong.push(format!("NUL in {case}: {} {}", reply.status, reply.body));
        }
    }
    assert!(wrong.is_empty(), "each is 400.25 (with the member's pointer):\n{}", wrong.join("\n"));
    let (after, unchanged) = hosts.get(id).await;
    assert_eq!((after.version, unchanged), (before.version, entity), "nothing changed");
    assert_eq!(hosts.raw.count("SELECT COUNT(*) FROM entities").await, entities, "nothing was created");
    hosts.stop().await;
}

async fn a_body_just_under_the_limit_is_200_or_400_21_never_5xx(db: &TestDb) {
    let hosts = Hosts::start(db).await;
    let limit = hosts.servers[0].config.server.body_limit_bytes;
    assert_eq!(limit, 1 << 20, "the default body limit");
    // Half the limit already stored: the module's input (stored data plus
    // payload) is over the limit, the merged entity is not.
    let id = hosts.seed(json!({"name": "Big", "f1": "y".repeat(limit / 2)}), None).await;
    // `{"fN":"xxx...x"}`: 200 bytes under the limit.
    let big = |field: &str| {
        let body = json!({ field: "x".repeat(limit - 200 - field.len() - 7) });
        assert_eq!(body.to_string().len(), limit - 200);
        body
    };
    let first = hosts.put(0, id, big("f1")).await;
    assert_eq!((first.status, first.code()), (200, "200"), "replacing f1, the merged entity fits: {}", first.body);
    let (before, entity) = hosts.get(id).await;
    assert_eq!(entity["f1"].as_str().map(str::len), Some(limit - 209), "f1 was replaced");
    let second = hosts.put(0, id, big("f2")).await;
    assert_eq!(
        (second.status, second.code()),
        (400, "400.21"),
        "adding f2, the merged entity would be over the limit: {}",
        second.body
    );
    let (after, unchanged) = hosts.get(id).await;
    assert_eq!((after.version, &unchanged), (before.version, &entity), "the 400 changed nothing");
    hosts.stop().await;
}
