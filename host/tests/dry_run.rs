//! The dry run of 1003 and 1001 (`?dryRun=true`, docs/http-api.md): for
//! every answer the real request can give, the dry run gives the same
//! status, code and body, changes no row of any table and sends nothing;
//! then the real request is made and the two answers are compared. On both
//! backends, over real HTTP, with SMS codes going to a webhook gateway and
//! e-mail codes to the log sender (`/demo/codes`).
#![expect(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, clippy::panic, reason = "tests")]

mod common;
mod support;

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::db::{Backend, Raw, TestDb, backend_tests};
use common::gateway::Gateway;
use pactum_host::delivery::SenderConfig;
use pactum_host::store::Status;
use reqwest::Method;
use serde_json::{Value, json};
use support::TestServer;

backend_tests!(
    every_answer_of_an_update_is_the_same_in_a_dry_run_which_changes_and_sends_nothing,
    every_answer_of_a_create_is_the_same_in_a_dry_run_which_changes_and_sends_nothing,
    a_dry_run_counts_toward_no_verification_limit,
    the_switch_is_true_or_false_and_nothing_else,
    the_switch_is_documented_and_its_header_exposed_to_pages,
);

/// The verification limits of these tests: two codes per entity a day, a
/// code per field every 120 s (200.2 and 200.3 are both reachable).
const WINDOW_LIMIT: u32 = 2;

/// The origin of a page allowed to call the server.
const SHOP: &str = "https://shop.example";

/// A server over `db` whose SMS codes go to `gateway`.
async fn start(db: &TestDb, gateway: &Gateway) -> TestServer {
    let mut config = support::config(db);
    config.verification.window_limit = WINDOW_LIMIT;
    config.verification.window_secs = 24 * 60 * 60;
    config.verification.cooldown_secs = 120;
    config.server.cors_origins = vec![SHOP.to_owned()];
    config.senders.sms = SenderConfig::Webhook {
        url: format!("{}/sms", gateway.base),
        headers: BTreeMap::new(),
        timeout_ms: Some(2_000),
    };
    TestServer::start(config).await
}

/// Everything a request could leave behind: every row of every table, read
/// through the backend's own connection, and what was delivered.
#[derive(Debug, PartialEq)]
struct Snapshot {
    tables: BTreeMap<String, Vec<Value>>,
    /// The POSTs the SMS gateway received (or holds).
    gateway: (usize, Vec<Value>),
    /// What the log sender (e-mail) delivered.
    logged: Value,
}

/// Every table of the database, each row as JSON, rows sorted.
async fn dump(db: &TestDb, raw: &Raw) -> BTreeMap<String, Vec<Value>> {
    let mut tables = BTreeMap::new();
    match db.backend() {
        Backend::Sqlite => {
            let names: Vec<(String,)> =
                raw.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").await;
            for (table,) in names {
                let columns: Vec<(String,)> =
                    raw.fetch_all(&format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid")).await;
                // json_object holds no BLOB: those go as hex.
                let members: Vec<String> = columns
                    .iter()
                    .map(|(column,)| {
                        format!("'{column}', CASE WHEN typeof(\"{column}\") = 'blob' THEN hex(\"{column}\") ELSE \"{column}\" END")
                    })
                    .collect();
                let rows: Vec<(String,)> =
                    raw.fetch_all(&format!("SELECT json_object({}) FROM \"{table}\"", members.join(", "))).await;
                tables.insert(table, sorted(rows));
            }
        }
        Backend::Postgres => {
            let names: Vec<(String,)> = raw
                .fetch_all(
                    "SELECT table_name::text FROM information_schema.tables
                     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
                )
                .await;
            for (table,) in names {
                let rows: Vec<(String,)> =
                    raw.fetch_all(&format!("SELECT row_to_json(t)::text FROM \"{table}\" t")).await;
                tables.insert(table, sorted(rows));
            }
        }
    }
    for expected in
        ["entities", "external_keys", "unique_values", "pending_changes", "verification_requests", "outbox", "audit"]
    {
        assert!(tables.contains_key(expected), "the dump holds table {expected}: {:?}", tables.keys());
    }
    tables
}

fn sorted(rows: Vec<(String,)>) -> Vec<Value> {
    let mut rows: Vec<String> = rows.into_iter().map(|(row,)| row).collect();
    rows.sort();
    rows.iter().map(|row| serde_json::from_str(row).expect("a row as JSON")).collect()
}

struct Bench<'a> {
    db: &'a TestDb,
    raw: Raw,
    gateway: Gateway,
    server: TestServer,
}

impl<'a> Bench<'a> {
    async fn new(db: &'a TestDb) -> Self {
        let gateway = Gateway::start().await;
        let server = start(db, &gateway).await;
        let raw = db.raw().await;
        Self { db, raw, gateway, server }
    }

    async fn snapshot(&self) -> Snapshot {
        let started = self.gateway.started();
        let posted = self.gateway.answered().into_iter().map(|posted| posted.body).collect();
        let logged = self.server.request("", Method::GET, "/demo/codes").send().await.unwrap().json().await.unwrap();
        Snapshot { tables: dump(self.db, &self.raw).await, gateway: (started, posted), logged }
    }

    /// Waits until every queued message is delivered, so that a snapshot
    /// does not catch the outbox worker halfway.
    async fn settle(&self) {
        for _ in 0..500 {
            let waiting =
                self.raw.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND abandoned_at IS NULL").await;
            let sent_to_gateway =
                self.raw.count("SELECT COUNT(*) FROM outbox WHERE channel = 'sms' AND sent_at IS NOT NULL").await;
            let answered = i64::try_from(self.gateway.answered().len()).unwrap();
            if waiting == 0 && answered == sent_to_gateway && self.gateway.started() == self.gateway.answered().len() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the outbox did not drain");
    }

    /// A `profile` entity, imported active unless said otherwise, with the
    /// `crm` external key `ext_key`.
    async fn seed(&self, data: Value, status: Status, ext_key: &str) -> i64 {
        let keys = BTreeMap::from([("crm".to_owned(), ext_key.to_owned())]);
        self.server.accounts.import("profile", data, keys, status).await.expect("seeded").entity.dp_keyid
    }

    /// Target entity `n`: its dp-keyid and its external key `K-<n>`.
    async fn target(&self, n: u32, status: Status) -> (i64, String) {
        let key = format!("K-{n}");
        let id =
            self.seed(json!({"name": format!("Target {n}"), "email": format!("t{n}@example.com")}), status, &key).await;
        (id, key)
    }

    /// Sends `call`, as a dry run when `dry`.
    async fn send(&self, call: &Call, dry: bool) -> Reply {
        let path = if dry {
            let separator = if call.path.contains('?') { '&' } else { '?' };
            format!("{}{separator}dryRun=true", call.path)
        } else {
            call.path.clone()
        };
        let mut request = self.server.request(call.app, call.method.clone(), &path);
        if let Some(version) = &call.if_match {
            request = request.header("if-match", version);
        }
        let response =
            request.header("content-type", "application/json").body(call.body.clone()).send().await.expect("an answer");
        Reply::of(response).await
    }

    /// The check of one answer: the dry run changes no row and sends
    /// nothing, and answers what the real request then answers, which must
    /// be `expected`.
    async fn check(&self, call: Call, expected: &str) {
        self.settle().await;
        // Start early in a second, so that both requests most likely run in
        // the same one and even the times in their answers must be equal.
        let subsec = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_millis();
        if subsec > 300 {
            tokio::time::sleep(Duration::from_millis(u64::from(1_010 - subsec))).await;
        }
        let started = unix_seconds();
        let before = self.snapshot().await;
        let dry = self.send(&call, true).await;
        // Time for a wrongly woken outbox worker (or a leftover row) to show.
        tokio::time::sleep(Duration::from_millis(150)).await;
        let after = self.snapshot().await;
        assert_eq!(
            before.tables, after.tables,
            "{}: the dry run ({} {}) changed the database",
            call.name, dry.status, dry.body
        );
        assert_eq!(before.gateway, after.gateway, "{}: the dry run sent an SMS", call.name);
        assert_eq!(before.logged, after.logged, "{}: the dry run sent an e-mail", call.name);

        let real = self.send(&call, false).await;
        let same_second = unix_seconds() == started;
        assert_eq!(
            real.body["code"], expected,
            "{}: the real request's answer: {} {}",
            call.name, real.status, real.body
        );
        compare(&call, &dry, &real, same_second, self.db.backend());
    }
}

fn unix_seconds() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// One request as a client would send it.
#[derive(Debug, Clone)]
struct Call {
    name: &'static str,
    app: &'static str,
    method: Method,
    /// With any query of its own (the dry run adds `dryRun=true`).
    path: String,
    if_match: Option<String>,
    /// The raw body, so a malformed one can be sent too.
    body: String,
}

fn put(name: &'static str, path: String, body: Value) -> Call {
    Call { name, app: "full", method: Method::PUT, path, if_match: None, body: body.to_string() }
}

fn post(name: &'static str, path: &str, body: Value) -> Call {
    Call { name, app: "full", method: Method::POST, path: path.to_owned(), if_match: None, body: body.to_string() }
}

fn get(path: String) -> Call {
    Call { name: "read", app: "full", method: Method::GET, path, if_match: None, body: String::new() }
}

fn by_id(id: i64) -> String {
    format!("/userentity/dp-keyid/{id}/data")
}

fn by_key(ext_key: &str) -> String {
    format!("/userentity/ext-key/{ext_key}/crm/data")
}

/// An answer: its status, the headers a client reads, and its body.
#[derive(Debug, Clone)]
struct Reply {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Value,
}

impl Reply {
    async fn of(response: reqwest::Response) -> Self {
        const READ: &[&str] =
            &["etag", "retry-after", "pactum-module", "pactum-dry-run", "content-type", "content-language"];
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter(|(name, _)| READ.contains(&name.as_str()))
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
            .collect();
        let body = response.json().await.unwrap_or(Value::Null);
        Self { status, headers, body }
    }
}

/// The dry run's answer against the real one's: the same status, body
/// and headers, but for what docs/http-api.md says differs: the dry run
/// carries `Pactum-Dry-Run: true` and no `ETag`, and each body its own
/// `requestId`. When the two ran in different seconds, the times derived
/// from the clock (`expiresAt`, `retryAfter`, `Retry-After`) may differ by
/// that much; a dry-run create on PostgreSQL drew a dp-keyid the real one
/// cannot get again.
fn compare(call: &Call, dry: &Reply, real: &Reply, same_second: bool, backend: Backend) {
    let name = call.name;
    assert_eq!(dry.status, real.status, "{name}: the status: dry {} / real {}", dry.body, real.body);
    assert_eq!(dry.headers.get("pactum-dry-run").map(String::as_str), Some("true"), "{name}: {:?}", dry.headers);
    assert!(!real.headers.contains_key("pactum-dry-run"), "{name}: the real answer is no dry run");
    assert!(!dry.headers.contains_key("etag"), "{name}: a dry run wrote no version, so it has no ETag");
    if (200..300).contains(&real.status) {
        assert!(real.headers.contains_key("etag"), "{name}: the real write has its ETag");
    }

    let (mut dry_headers, mut real_headers) = (dry.headers.clone(), real.headers.clone());
    for headers in [&mut dry_headers, &mut real_headers] {
        headers.remove("pactum-dry-run");
        headers.remove("etag");
    }
    let (mut dry_body, mut real_body) = (dry.body.clone(), real.body.clone());
    for body in [&mut dry_body, &mut real_body] {
        if let Some(members) = body.as_object_mut() {
            members.remove("requestId");
        }
    }
    let created = call.method == Method::POST && (200..300).contains(&real.status);
    if created {
        let (dry_id, real_id) =
            (dry_body["entity"]["dpKeyid"].as_i64().unwrap(), real_body["entity"]["dpKeyid"].as_i64().unwrap());
        match backend {
            // The savepoint's rollback takes the AUTOINCREMENT counter back too.
            Backend::Sqlite => assert_eq!(dry_id, real_id, "{name}: the dry run's dp-keyid is the real one's"),
            // An identity value once drawn is never handed out again.
            Backend::Postgres => {
                assert!(dry_id < real_id, "{name}: dry {dry_id}, real {real_id}");
                dry_body["entity"]["dpKeyid"] = json!(real_id);
            }
        }
    }
    if !same_second {
        for (headers, body) in [(&mut dry_headers, &mut dry_body), (&mut real_headers, &mut real_body)] {
            headers.remove("retry-after");
            for pending in body["pending"].as_array_mut().into_iter().flatten() {
                let members = pending.as_object_mut().unwrap();
                members.remove("expiresAt");
                members.remove("retryAfter");
            }
        }
    }
    assert_eq!(dry_body, real_body, "{name}: the body (same second: {same_second})");
    assert_eq!(dry_headers, real_headers, "{name}: the headers");
}

async fn every_answer_of_an_update_is_the_same_in_a_dry_run_which_changes_and_sends_nothing(db: &TestDb) {
    let bench = Bench::new(db).await;
    let b = &bench;
    b.seed(json!({"name": "Holder", "email": "holder@example.com", "mobile": "+4520123410"}), Status::Active, "H-1")
        .await;
    b.seed(json!({"name": "Gone", "email": "gone@example.com", "mobile": "+4520123411"}), Status::Inactive, "H-2")
        .await;

    let (a, a_key) = b.target(1, Status::Active).await;
    b.check(put("200 by dp-keyid", by_id(a), json!({"name": "Renamed"})), "200").await;
    b.check(put("200 by ext-key", by_key(&a_key), json!({"marketingConsent": true, "tags": ["x"]})), "200").await;
    b.check(put("200 with a contract id", format!("{}/profile", by_id(a)), json!({"tags": "y"})), "200").await;
    b.check(put("200 that changes nothing", by_id(a), json!({"name": "Renamed"})), "200").await;

    let (one, _) = b.target(2, Status::Active).await;
    b.check(put("200.1 (sms)", by_id(one), json!({"mobile": "20 12 35 01"})), "200.1").await;
    b.check(put("200.3 (the sms cooldown)", by_id(one), json!({"mobile": "+4520123502"})), "200.3").await;
    let (two, two_key) = b.target(3, Status::Active).await;
    b.check(
        put(
            "200.1 (e-mail) by ext-key",
            format!("{}/profile", by_key(&two_key)),
            json!({"email": "new.two@example.com"}),
        ),
        "200.1",
    )
    .await;
    b.check(put("200.1 (sms) on top", by_id(two), json!({"mobile": "+4520123503", "name": "Two"})), "200.1").await;
    // Two codes sent: the window is full, and outlasts the sms cooldown.
    b.check(put("200.2 (the window limit)", by_id(two), json!({"mobile": "+4520123504"})), "200.2").await;

    let (c, c_key) = b.target(4, Status::Active).await;
    b.check(put("400 (a value rule)", by_id(c), json!({"birthday": "not a date", "name": ""})), "400").await;
    b.check(put("400.2", by_id(c), json!({"email": "Holder@Example.com"})), "400.2").await;
    b.check(put("400.3", by_id(c), json!({"mobile": "12"})), "400.3").await;
    b.check(put("400.4", by_key(&c_key), json!({"mobile": "20 12 34 10"})), "400.4").await;
    b.check(put("400.5", by_id(c), json!({"mobile": "+4520123411"})), "400.5").await;
    b.check(put("400.10", by_id(c), json!({"nickname": "x"})), "400.10").await;
    b.check(put("400.11", by_id(c), json!({"password": "hunter2"})), "400.11").await;
    b.check(put("400.12", by_id(c), json!({"name": null})), "400.12").await;
    b.check(put("400.20", by_id(c), json!(["not", "an", "object"])), "400.20").await;
    b.check(Call { body: "{\"name\": ".to_owned(), ..put("400.22", by_id(c), Value::Null) }, "400.22").await;
    b.check(put("404.1", by_id(999_999), json!({"name": "Nobody"})), "404.1").await;
    b.check(put("404.2", by_key("nobody"), json!({"name": "Nobody"})), "404.2").await;
    b.check(put("404.3", format!("{}/no-such-contract", by_id(c)), json!({"name": "X"})), "404.3").await;
    b.check(Call { if_match: Some("\"99\"".to_owned()), ..put("409.1", by_id(c), json!({"name": "X"})) }, "409.1")
        .await;
    let version = b.send(&get(by_id(c)), false).await.headers["etag"].clone();
    b.check(Call { if_match: Some(version), ..put("200 under If-Match", by_id(c), json!({"name": "Matched"})) }, "200")
        .await;
    let (gone, _) = b.target(5, Status::Inactive).await;
    b.check(put("409.3", by_id(gone), json!({"name": "Back"})), "409.3").await;
    b.check(Call { app: "reader", ..put("412", by_id(c), json!({"name": "X"})) }, "412").await;
    b.check(Call { app: "writer", ..put("412.1", format!("{}/loyalty", by_id(c)), json!({"name": "X"})) }, "412.1")
        .await;
    b.check(Call { app: "", ..put("401", by_id(c), json!({"name": "X"})) }, "401").await;
    bench.server.stop().await;
}

async fn every_answer_of_a_create_is_the_same_in_a_dry_run_which_changes_and_sends_nothing(db: &TestDb) {
    let bench = Bench::new(db).await;
    let b = &bench;
    b.seed(json!({"name": "Holder", "email": "holder@example.com"}), Status::Active, "H-1").await;
    let new = |n: u32| json!({"name": format!("New {n}"), "email": format!("new.{n}@example.com")});
    b.check(post("201.1", "/userentity/data", new(1)), "201.1").await;
    b.check(post("201.1 with an ext-key and a contract id", "/userentity/data/profile?ext-key=N-2", new(2)), "201.1")
        .await;
    let card = json!({"cardNumber": "4111111111111111", "name": "Card Holder"});
    b.check(Call { app: "loyal", ..post("201 (a plugin decides)", "/userentity/data", card.clone()) }, "201").await;
    b.check(Call { app: "loyal", ..post("400.14 (a plugin decides)", "/userentity/data", card) }, "400.14").await;
    b.check(post("400", "/userentity/data", json!({"name": "", "email": "x@example.com"})), "400").await;
    b.check(post("400.2", "/userentity/data", json!({"name": "Twin", "email": "HOLDER@example.com"})), "400.2").await;
    b.check(post("400.12", "/userentity/data", json!({"name": "No Mail"})), "400.12").await;
    let keyless = Call { app: "loyal", ..post("400.24", "/userentity/data?ext-key=L-1", json!({"name": "X"})) };
    b.check(keyless, "400.24").await;
    b.check(post("409.2", "/userentity/data?ext-key=H-1", new(3)), "409.2").await;
    b.check(Call { app: "reader", ..post("412", "/userentity/data", new(4)) }, "412").await;
    bench.server.stop().await;
}

/// Dry runs are neither counted in an entity's window nor start a field's
/// cooldown: the real requests after them are answered as if they had not
/// happened.
async fn a_dry_run_counts_toward_no_verification_limit(db: &TestDb) {
    let bench = Bench::new(db).await;
    let b = &bench;
    let id = b.seed(json!({"name": "Wendy", "email": "wendy@example.com"}), Status::Active, "W-1").await;
    let code = |reply: &Reply| reply.body["code"].as_str().unwrap_or_default().to_owned();

    let first = b.send(&put("sms", by_id(id), json!({"mobile": "+4520123601"})), false).await;
    assert_eq!(code(&first), "200.1");
    for n in 0..4 {
        let dry = b.send(&put("dry e-mail", by_id(id), json!({"email": format!("w{n}@example.com")})), true).await;
        assert_eq!(code(&dry), "200.1", "dry run {n}: {}", dry.body);
    }
    let email = b.send(&put("e-mail", by_id(id), json!({"email": "wendy.new@example.com"})), false).await;
    assert_eq!(code(&email), "200.1", "the dry runs took no place in the window, nor started a cooldown");
    let requests = b.raw.count(&format!("SELECT COUNT(*) FROM verification_requests WHERE entity_id = {id}")).await;
    assert_eq!(requests, i64::from(WINDOW_LIMIT), "two codes recorded, the real ones");
    // Now the window is full: the dry run and the real request both say so.
    b.check(put("200.2 after dry runs", by_id(id), json!({"mobile": "+4520123602"})), "200.2").await;
    bench.server.stop().await;
}

async fn the_switch_is_true_or_false_and_nothing_else(db: &TestDb) {
    let bench = Bench::new(db).await;
    let b = &bench;
    let id = b.seed(json!({"name": "Sam", "email": "sam@example.com"}), Status::Active, "S-1").await;
    for query in
        ["dryRun=yes", "dryRun=1", "dryRun=", "dryRun=TRUE", "dryrun=true", "dryRun=true&dryRun=true", "other=1"]
    {
        for call in [
            put("put", format!("{}?{query}", by_id(id)), json!({"name": "Changed"})),
            post("post", &format!("/userentity/data?{query}"), json!({"name": "New", "email": "new.sam@example.com"})),
        ] {
            b.settle().await;
            let before = b.snapshot().await;
            let reply = b.send(&call, false).await;
            assert_eq!(
                (reply.status, reply.body["code"].as_str()),
                (400, Some("400.26")),
                "{} ?{query}: {}",
                call.name,
                reply.body
            );
            assert!(!reply.headers.contains_key("pactum-dry-run"), "?{query} ran no dry run");
            assert_eq!(b.snapshot().await, before, "{} ?{query} changed something", call.name);
        }
    }
    let reply = b.send(&put("false", format!("{}?dryRun=false", by_id(id)), json!({"name": "Changed"})), false).await;
    assert_eq!((reply.status, reply.body["code"].as_str()), (200, Some("200")), "{}", reply.body);
    assert!(!reply.headers.contains_key("pactum-dry-run") && reply.headers.contains_key("etag"), "the real write");
    let read = b.send(&get(by_id(id)), false).await;
    assert_eq!(read.body["entity"]["name"], "Changed", "dryRun=false is the real write");
    bench.server.stop().await;
}

async fn the_switch_is_documented_and_its_header_exposed_to_pages(db: &TestDb) {
    let bench = Bench::new(db).await;
    let b = &bench;
    let document: Value =
        b.server.request("", Method::GET, "/openapi.json").send().await.unwrap().json().await.unwrap();
    let mut switched = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let parameters = operation["parameters"].as_array().cloned().unwrap_or_default();
            let switch = parameters.iter().find(|parameter| parameter["name"] == "dryRun");
            if let Some(switch) = switch {
                assert_eq!(switch["in"], "query", "{method} {path}");
                assert_eq!(switch["required"], false, "{method} {path}");
                assert_eq!(switch["schema"]["$ref"], "#/components/schemas/Boolean", "{method} {path}");
                switched.push(format!("{method} {path}"));
            }
        }
    }
    switched.sort();
    let mut expected: Vec<String> = ["/userentity/data", "/userentity/data/{contract-id}"]
        .iter()
        .map(|path| format!("post {path}"))
        .chain(
            ["/userentity/dp-keyid/{dp-keyid}/data", "/userentity/ext-key/{ext-key}/{ext-type}/data"]
                .iter()
                .flat_map(|path| [format!("put {path}"), format!("put {path}/{{contract-id}}")]),
        )
        .collect();
    expected.sort();
    assert_eq!(switched, expected, "1001 and 1003, in every form, take the switch; nothing else does");
    assert_eq!(document["components"]["schemas"]["Boolean"], json!({"type": "boolean"}));

    let id = b.seed(json!({"name": "Paige", "email": "paige@example.com"}), Status::Active, "P-1").await;
    let response = b
        .server
        .request("full", Method::PUT, &format!("{}?dryRun=true", by_id(id)))
        .header("origin", SHOP)
        .json(&json!({"name": "Page"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["pactum-dry-run"], "true");
    let exposed = response.headers()["access-control-expose-headers"].to_str().unwrap().to_ascii_lowercase();
    assert!(exposed.split(',').any(|name| name.trim() == "pactum-dry-run"), "a page may read the header: {exposed}");
    bench.server.stop().await;
}
