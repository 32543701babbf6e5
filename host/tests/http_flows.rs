//! End-to-end flows that a corpus case cannot express: races between
//! concurrent requests, a restart, oversized bodies, expiry, a unique value
//! taken behind Pactum's back, and the OpenAPI document against the routes.
#![expect(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

mod common;
mod support;

use std::collections::BTreeMap;

use common::db::{TestDb, backend_tests};
use pactum_host::store::Status;
use reqwest::Method;
use serde_json::{Value, json};
use support::TestServer;

backend_tests!(
    concurrent_updates_racing_for_one_value_have_exactly_one_winner,
    a_restart_keeps_entities_pending_changes_and_codes,
    an_oversized_body_is_413_and_changes_nothing,
    a_declared_oversized_body_is_413_at_once_without_being_sent,
    the_bearer_scheme_is_case_insensitive,
    cors_answers_listed_origins_only_and_preflights,
    an_expired_code_is_403_1_and_cancels_the_change,
    verify_rechecks_uniqueness_for_values_taken_behind_pactums_back,
    the_openapi_document_lists_exactly_the_routes_served,
    health_metrics_contracts_and_modules_are_served,
    a_server_without_the_demo_serves_no_page,
);

async fn seed(server: &TestServer, data: Value, status: Status) -> i64 {
    server.accounts.import("profile", data, BTreeMap::new(), status).await.expect("seeded").entity.dp_keyid
}

/// A request as the `full` app: its status and JSON answer (null if none).
async fn send(server: &TestServer, method: Method, path: &str, body: Value) -> (u16, Value) {
    let response = server.request("full", method, path).json(&body).send().await.expect("the server answers");
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn put(server: &TestServer, id: i64, body: Value) -> (u16, Value) {
    send(server, Method::PUT, &format!("/userentity/dp-keyid/{id}/data"), body).await
}

/// 2004 with `code`, the entity addressed by `address` (`dp-keyid/1`, `ext-key/k/crm`).
async fn verify(server: &TestServer, address: &str, code: &str) -> (u16, Value) {
    send(server, Method::POST, &format!("/userentity/{address}/verify"), json!({ "code": code })).await
}

/// The entity a 1002 answer shows.
async fn get(server: &TestServer, id: i64) -> Value {
    let answer: Value = server
        .request("full", Method::GET, &format!("/userentity/dp-keyid/{id}/data"))
        .send()
        .await
        .expect("GET answers")
        .json()
        .await
        .expect("GET is JSON");
    assert_eq!(answer["code"], "200", "{answer}");
    answer["entity"].clone()
}

/// N entities each PUT the same value at once: exactly one wins.
async fn race(server: &TestServer, field: &str, value: &str, expected_loser_code: &str) {
    const RACERS: usize = 12;
    let mut ids = Vec::new();
    for n in 0..RACERS {
        ids.push(
            seed(
                server,
                json!({"name": format!("Racer {n}"), "email": format!("racer.{field}.{n}@example.com")}),
                Status::Active,
            )
            .await,
        );
    }
    let attempts = ids.iter().map(|id| put(server, *id, json!({ field: value })));
    let answers = futures_util::future::join_all(attempts).await;
    let winners: Vec<_> = answers.iter().filter(|(status, _)| *status == 200).collect();
    let losers: Vec<_> =
        answers.iter().filter(|(status, body)| *status == 400 && body["code"] == expected_loser_code).collect();
    assert_eq!(winners.len(), 1, "exactly one wins the {field} race: {answers:?}");
    assert_eq!(losers.len(), RACERS - 1, "every other racer gets {expected_loser_code}: {answers:?}");
    assert_eq!(winners[0].1["code"], "200.1", "the winner's change waits for its code");
}

async fn concurrent_updates_racing_for_one_value_have_exactly_one_winner(db: &TestDb) {
    let server = TestServer::start(support::config(db)).await;
    race(&server, "email", "Contested@Example.com", "400.2").await;
    race(&server, "mobile", "+4529999999", "400.4").await;
    server.stop().await;
}

async fn a_restart_keeps_entities_pending_changes_and_codes(db: &TestDb) {
    let server = TestServer::start(support::config(db)).await;
    let id = seed(&server, json!({"name": "Ann", "email": "restart@example.com"}), Status::Active).await;
    assert_eq!(put(&server, id, json!({"name": "Ann Restarted"})).await.0, 200);
    let (status, body) = put(&server, id, json!({"mobile": "+4521212121"})).await;
    assert_eq!((status, body["code"].clone()), (200, json!("200.1")));
    let code = server.new_code(id, "mobile", None).await.expect("a code was sent");
    let config = server.stop().await;

    let server = TestServer::start(config).await;
    let entity = get(&server, id).await;
    assert_eq!(entity["name"], "Ann Restarted");
    assert!(entity.get("mobile").is_none(), "still pending after the restart");
    // The cooldown survives the restart too.
    assert_eq!(put(&server, id, json!({"mobile": "+4521212122"})).await.1["code"], "200.3");
    let (status, _) = verify(&server, &format!("dp-keyid/{id}"), &code).await;
    assert_eq!(status, 204, "a code sent before the restart works after it");
    assert_eq!(get(&server, id).await["mobile"], "+4521212121");
    server.stop().await;
}

async fn an_oversized_body_is_413_and_changes_nothing(db: &TestDb) {
    let mut config = support::config(db);
    config.server.body_limit_bytes = 4096;
    let server = TestServer::start(config).await;
    let id = seed(&server, json!({"name": "Ann", "email": "big@example.com"}), Status::Active).await;
    let huge = json!({"name": "x".repeat(10_000)});
    let (status, body) = put(&server, id, huge).await;
    assert_eq!((status, body["code"].clone()), (413, json!("413")));
    assert_eq!(get(&server, id).await["name"], "Ann");
    server.stop().await;
}

async fn a_declared_oversized_body_is_413_at_once_without_being_sent(db: &TestDb) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut config = support::config(db);
    config.server.body_limit_bytes = 4096;
    let server = TestServer::start(config).await;
    let id = seed(&server, json!({"name": "Ann", "email": "declared@example.com"}), Status::Active).await;
    let mut stream = tokio::net::TcpStream::connect(server.address).await.unwrap();
    let head = format!(
        "PUT /userentity/dp-keyid/{id}/data HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 5000000\r\n\r\n",
        support::key("full")
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = std::time::Instant::now();
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(std::time::Duration::from_secs(3), stream.read(&mut answer))
        .await
        .expect("answered without waiting for the body")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains(r#""code":"413""#), "{answer}");
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(get(&server, id).await["name"], "Ann");
    server.stop().await;
}

async fn the_bearer_scheme_is_case_insensitive(db: &TestDb) {
    let server = TestServer::start(support::config(db)).await;
    let id = seed(&server, json!({"name": "Ann", "email": "scheme@example.com"}), Status::Active).await;
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let response = server
            .client
            .get(format!("{}/userentity/dp-keyid/{id}/data", server.base))
            .header("Authorization", format!("{scheme} {}", support::key("full")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{scheme}");
    }
    let response = server
        .client
        .get(format!("{}/userentity/dp-keyid/{id}/data", server.base))
        .header("Authorization", format!("Basic {}", support::key("full")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401, "another scheme is no key");
    server.stop().await;
}

async fn cors_answers_listed_origins_only_and_preflights(db: &TestDb) {
    const SHOP: &str = "https://shop.example";
    let allow_origin = |response: &reqwest::Response| {
        response.headers().get("access-control-allow-origin").map(|value| value.to_str().unwrap().to_owned())
    };
    // Off by default: a page on another origin gets no CORS headers.
    let server = TestServer::start(support::config(db)).await;
    let response =
        server.client.get(format!("{}/contracts/profile", server.base)).header("Origin", SHOP).send().await.unwrap();
    assert_eq!((response.status().as_u16(), allow_origin(&response)), (200, None));
    server.stop().await;

    let mut config = support::config(db);
    config.server.cors_origins = vec![SHOP.to_owned()];
    let server = TestServer::start(config).await;
    let id = seed(&server, json!({"name": "Ann", "email": "cors@example.com"}), Status::Active).await;
    for (path, method, headers) in [
        ("/contracts/profile".to_owned(), "GET", ""),
        ("/contracts/profile/module.wasm".to_owned(), "GET", ""),
        (format!("/userentity/dp-keyid/{id}/data"), "PUT", "authorization,content-type,if-match"),
    ] {
        let preflight = server
            .client
            .request(Method::OPTIONS, format!("{}{path}", server.base))
            .header("Origin", SHOP)
            .header("Access-Control-Request-Method", method)
            .header("Access-Control-Request-Headers", headers)
            .send()
            .await
            .unwrap();
        assert!(preflight.status().is_success(), "{path}: {}", preflight.status());
        assert_eq!(allow_origin(&preflight).as_deref(), Some(SHOP), "{path}");
        let methods = preflight.headers()["access-control-allow-methods"].to_str().unwrap().to_owned();
        assert!(methods.contains(method), "{path}: {methods}");
    }
    let response =
        server.client.get(format!("{}/contracts/profile", server.base)).header("Origin", SHOP).send().await.unwrap();
    assert_eq!(allow_origin(&response).as_deref(), Some(SHOP));
    let exposed = response.headers()["access-control-expose-headers"].to_str().unwrap().to_lowercase();
    assert!(exposed.contains("pactum-module") && exposed.contains("etag"), "{exposed}");
    let other = server
        .client
        .get(format!("{}/contracts/profile", server.base))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(allow_origin(&other), None, "an origin not listed gets no CORS headers");
    server.stop().await;
}

async fn an_expired_code_is_403_1_and_cancels_the_change(db: &TestDb) {
    let mut config = support::config(db);
    config.verification.code_ttl_secs = 1;
    let server = TestServer::start(config).await;
    let id = seed(&server, json!({"name": "Ann", "email": "expiry@example.com"}), Status::Active).await;
    assert_eq!(put(&server, id, json!({"mobile": "+4523232323"})).await.1["code"], "200.1");
    let code = server.new_code(id, "mobile", None).await.expect("a code was sent");
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (status, body) = verify(&server, &format!("dp-keyid/{id}"), &code).await;
    assert_eq!((status, body["code"].clone()), (403, json!("403.1")));
    assert!(get(&server, id).await.get("mobile").is_none());
    server.stop().await;
}

async fn verify_rechecks_uniqueness_for_values_taken_behind_pactums_back(db: &TestDb) {
    let server = TestServer::start(support::config(db)).await;
    let raw = db.raw().await;
    for (holder_status, expected) in [(Status::Active, "400.4"), (Status::Inactive, "400.5")] {
        let n = if holder_status == Status::Active { 1 } else { 2 };
        let id = seed(&server, json!({"name": "Ann", "email": format!("taken{n}@example.com")}), Status::Active).await;
        let holder =
            seed(&server, json!({"name": "Bo", "email": format!("holder{n}@example.com")}), holder_status).await;
        let number = format!("+452424242{n}");
        assert_eq!(put(&server, id, json!({"mobile": number})).await.1["code"], "200.1");
        let code = server.new_code(id, "mobile", None).await.expect("a code was sent");
        // An operator's direct write hands the pending number to another entity.
        raw.execute(&format!(
            "UPDATE unique_values SET entity_id = {holder}, pending = FALSE WHERE field = 'mobile' AND value = '{number}'"
        ))
        .await;
        let (status, body) = verify(&server, "ext-key/none/crm", &code).await;
        assert_eq!((status, body["code"].clone()), (404, json!("404.2")), "by a missing external key");
        let (status, body) = verify(&server, &format!("dp-keyid/{id}"), &code).await;
        assert_eq!((status, &body["code"]), (400, &json!(expected)), "{body}");
        assert_eq!(body["errors"][0]["pointer"], "/mobile");
        assert!(get(&server, id).await.get("mobile").is_none(), "the change was not applied");
    }
    server.stop().await;
}

async fn the_openapi_document_lists_exactly_the_routes_served(db: &TestDb) {
    let server = TestServer::start(support::config(db)).await;
    let document: Value = server.request("", Method::GET, "/openapi.json").send().await.unwrap().json().await.unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"), "OpenAPI 3.1");
    let paths = document["paths"].as_object().unwrap();
    let table = pactum_host::http::routes::table();
    let mut documented = 0;
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            documented += 1;
            assert!(
                table.iter().any(|route| &route.path == path && route.method.as_str().eq_ignore_ascii_case(method)),
                "{method} {path} is documented but not in the route table"
            );
            // Every documented route is served: it answers something other
            // than the router's own 404/405 (`code` "404" / "405").
            let concrete = path
                .replace("{dp-keyid}", "1")
                .replace("{ext-key}", "K")
                .replace("{ext-type}", "crm")
                .replace("{contract-id}", "profile")
                .replace("{sha256}", "0.wasm");
            let response = server
                .request("", Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(), &concrete)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            let routed = !(matches!(status, 404 | 405) && matches!(body["code"].as_str(), Some("404" | "405")))
                || path.starts_with("/modules/");
            assert!(routed, "{method} {concrete} is not served: {status} {body}");
            // Every $ref in the operation resolves.
            for reference in refs(operation) {
                let name = reference.trim_start_matches("#/components/schemas/");
                assert!(document["components"]["schemas"].get(name).is_some(), "{reference} does not resolve");
            }
        }
    }
    assert_eq!(documented, table.len(), "every route of the table is documented once");
    server.stop().await;
}

fn refs(value: &Value) -> Vec<String> {
    match value {
        Value::Object(members) => members
            .iter()
            .flat_map(|(key, member)| {
                if key == "$ref" { member.as_str().map(str::to_owned).into_iter().collect() } else { refs(member) }
            })
            .collect(),
        Value::Array(items) => items.iter().flat_map(refs).collect(),
        _ => Vec::new(),
    }
}

/// `/metrics` read with a Prometheus text parser: every family has HELP,
/// the fixed-label ones are present at zero, and durations are histograms
/// (bucket counts add up across hosts; summary quantiles do not).
fn check_metric_families(text: &str) {
    use pactum_host::telemetry;
    use prometheus_parse::{Scrape, Value as Sample};
    let scrape = Scrape::parse(text.lines().map(|line| Ok(line.to_owned()))).expect("Prometheus text format");
    for family in [
        telemetry::HTTP_REQUESTS,
        telemetry::HTTP_DURATION,
        telemetry::HTTP_SERVER_ERRORS,
        telemetry::MODULE_CALL_DURATION,
        telemetry::MODULE_FUEL,
        telemetry::MODULE_FAILURES,
        telemetry::REDECISIONS,
        telemetry::SENDS,
        telemetry::GROUP_COMMIT_WRITES,
        telemetry::OUTBOX_BACKLOG,
        telemetry::OUTBOX_OLDEST_AGE,
        telemetry::POOL_CONNECTIONS,
        telemetry::POOL_MAX,
    ] {
        assert!(scrape.docs.get(family).is_some_and(|help| !help.is_empty()), "no HELP for {family}:\n{text}");
    }
    let sample = |name: &str, label: Option<(&str, &str)>| {
        scrape
            .samples
            .iter()
            .find(|sample| {
                sample.metric == name && label.is_none_or(|(key, value)| sample.labels.get(key) == Some(value))
            })
            .map(|sample| sample.value.clone())
    };
    for kind in telemetry::MODULE_FAILURE_KINDS {
        assert!(
            matches!(sample(telemetry::MODULE_FAILURES, Some(("kind", kind))), Some(Sample::Counter(_))),
            "{kind} is not present at zero:\n{text}"
        );
    }
    assert!(matches!(sample(telemetry::SENDS, Some(("result", "abandoned"))), Some(Sample::Counter(_))));
    assert!(matches!(sample(telemetry::OUTBOX_BACKLOG, None), Some(Sample::Gauge(_))), "{text}");
    assert!(
        matches!(sample(telemetry::POOL_MAX, None), Some(Sample::Gauge(max)) if max >= 1.0),
        "the pool's size is read at scrape time:\n{text}"
    );
    for family in [telemetry::HTTP_DURATION, telemetry::MODULE_CALL_DURATION, telemetry::MODULE_FUEL] {
        assert!(matches!(sample(family, None), Some(Sample::Histogram(_))), "{family} is not a histogram:\n{text}");
    }
    let evaluated = sample(telemetry::MODULE_CALL_DURATION, Some(("contract", "profile")));
    assert!(
        matches!(&evaluated, Some(Sample::Histogram(buckets)) if buckets.iter().any(|bucket| bucket.count > 0.0)),
        "the update's module call is counted: {evaluated:?}"
    );
}

/// A production server (`demo = false`) serves no demo page: it has no
/// `/demo/*` routes for the page to call. The SDK's module files stay.
async fn a_server_without_the_demo_serves_no_page(db: &TestDb) {
    let mut config = support::config(db);
    config.server.demo = false;
    let server = TestServer::start(config).await;
    for path in ["/", "/static/dist/demo/app.js", "/demo/apps"] {
        let page = server.request("", Method::GET, path).send().await.unwrap();
        assert_eq!(page.status(), 404, "{path} without the demo");
    }
    let module = server.request("", Method::GET, "/pkg/pactum_wasm_bg.wasm").send().await.unwrap();
    assert_eq!(module.status(), 200, "the SDK's module files are served without the demo");
    server.stop().await;
}

async fn health_metrics_contracts_and_modules_are_served(db: &TestDb) {
    let server = TestServer::start(support::config(db)).await;
    let health = server.request("", Method::GET, "/healthz").send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready: Value = server.request("", Method::GET, "/readyz").send().await.unwrap().json().await.unwrap();
    assert_eq!(ready, json!({"status": "ready", "database": "ok", "contracts": server.config.contracts.len()}));
    let id = seed(&server, json!({"name": "Ann", "email": "metrics@example.com"}), Status::Active).await;
    assert_eq!(put(&server, id, json!({"name": "Ann M"})).await.0, 200);
    let metrics = server.request("", Method::GET, "/metrics").send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("pactum_http_requests_total"), "{metrics}");
    check_metric_families(&metrics);

    let contract: Value =
        server.request("", Method::GET, "/contracts/profile").send().await.unwrap().json().await.unwrap();
    let sha = contract["moduleSha256"].as_str().unwrap().to_owned();
    let module = server.request("", Method::GET, "/contracts/profile/module.wasm").send().await.unwrap();
    assert_eq!(module.headers()["etag"], format!("\"{sha}\"").as_str());
    assert!(module.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    let bytes = module.bytes().await.unwrap();
    assert_eq!(pactum_host::runtime::sha256_hex(&bytes), sha, "the served bytes are the module that decides");
    let (_, answer) = put(&server, id, json!({"name": "Ann N"})).await;
    assert_eq!(answer["code"], "200");
    let response = server
        .request("full", Method::PUT, &format!("/userentity/dp-keyid/{id}/data"))
        .json(&json!({"name": "Ann O"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["pactum-module"], sha.as_str(), "updates name the deciding module");
    let loyalty: Value =
        server.request("", Method::GET, "/contracts/loyalty").send().await.unwrap().json().await.unwrap();
    assert_eq!(loyalty["module"], "plugin");
    assert_ne!(loyalty["moduleSha256"], contract["moduleSha256"]);
    server.stop().await;
}
