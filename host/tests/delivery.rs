//! The verification flow through the real senders: the `webhook` sender
//! posting to an HTTP receiver in this test, and the `smtp` sender talking
//! to an SMTP receiver in this test (mailin-embedded). The code each
//! receiver got is then confirmed through 2004, and the new value shows.
#![expect(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, clippy::panic, reason = "tests")]

mod common;
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::db::{TestDb, backend_tests};
use common::gateway::{Gateway, Posted};
use pactum_host::delivery::SenderConfig;
use pactum_host::store::Status;
use reqwest::Method;
use serde_json::{Value, json};
use support::TestServer;

backend_tests!(
    an_sms_code_goes_through_the_webhook_sender_and_verifies,
    an_email_code_goes_through_the_smtp_sender_and_verifies,
);

async fn seed(server: &TestServer, data: Value) -> i64 {
    server.accounts.import("profile", data, BTreeMap::new(), Status::Active).await.expect("seeded").entity.dp_keyid
}

async fn call(server: &TestServer, method: Method, path: &str, body: Value) -> (u16, Value) {
    let response = server.request("full", method, path).json(&body).send().await.expect("the server answers");
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

/// What the SMTP receiver got: recipients and the raw message.
type Mail = (Vec<String>, String);

/// Polls `received` until it holds something, or fails after 10 s.
async fn first<T: Clone>(received: &Mutex<Vec<T>>, what: &str) -> T {
    for _ in 0..500 {
        if let Some(item) = received.lock().unwrap().first().cloned() {
            return item;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the {what} receiver got nothing within 10 s");
}

/// PUT `field: value`, expect 200.1, confirm `code` (from `receive`) through
/// 2004, and check that the new value shows.
async fn confirm_through(server: &TestServer, id: i64, field: &str, value: &str, code: String) {
    let (status, body) =
        call(server, Method::POST, &format!("/userentity/dp-keyid/{id}/verify"), json!({ "code": code })).await;
    assert_eq!(status, 204, "the delivered code is accepted: {body}");
    let (_, entity) = call(server, Method::GET, &format!("/userentity/dp-keyid/{id}/data"), Value::Null).await;
    assert_eq!(entity["entity"][field], value, "the confirmed {field} shows");
}

async fn an_sms_code_goes_through_the_webhook_sender_and_verifies(db: &TestDb) {
    let gateway = Gateway::start().await;
    let mut config = support::config(db);
    config.senders.sms = SenderConfig::Webhook {
        url: format!("{}/sms", gateway.base),
        headers: BTreeMap::from([("Authorization".to_owned(), "Bearer gateway-token".to_owned())]),
        timeout_ms: Some(2_000),
    };
    let server = TestServer::start(config).await;
    let id = seed(&server, json!({"name": "Wendy Webhook", "email": "wendy@example.com"})).await;

    let (status, body) =
        call(&server, Method::PUT, &format!("/userentity/dp-keyid/{id}/data"), json!({"mobile": "20 12 34 56"})).await;
    assert_eq!((status, body["code"].as_str()), (200, Some("200.1")), "{body}");

    let Posted { path, headers, body: posted } = gateway.first().await;
    assert_eq!(path, "sms");
    assert_eq!(headers.get("authorization").map(String::as_str), Some("Bearer gateway-token"));
    let outbox_id = posted["id"].as_i64().expect("the body names the outbox row");
    assert_eq!(
        headers.get("idempotency-key").map(String::as_str),
        Some(format!("pactum-outbox-{outbox_id}").as_str()),
        "a gateway can deduplicate a second try"
    );
    assert_eq!(posted["to"], "+4520123456", "the number goes out in E.164");
    assert_eq!(posted["channel"], "sms");
    assert_eq!(posted["entity"], id);
    assert_eq!(posted["field"], "mobile");
    let code = posted["code"].as_str().expect("the body names the code").to_owned();
    assert!(posted["message"].as_str().unwrap().contains(&code), "the ready-made text holds the code");
    let (_, logged) = call(&server, Method::GET, "/demo/codes", Value::Null).await;
    assert_eq!(logged, json!([]), "the log sender (and /demo/codes) saw nothing: the webhook sent it");

    confirm_through(&server, id, "mobile", "+4520123456", code).await;
    server.stop().await;
}

/// Keeps every message an SMTP client hands over: (recipients, data).
#[derive(Clone, Default)]
struct Mailbox {
    current: (Vec<String>, Vec<u8>),
    delivered: Arc<Mutex<Vec<Mail>>>,
}

impl mailin_embedded::Handler for Mailbox {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> mailin_embedded::Response {
        self.current = (to.to_vec(), Vec::new());
        mailin_embedded::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.1.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        let (to, data) = std::mem::take(&mut self.current);
        self.delivered.lock().unwrap().push((to, String::from_utf8_lossy(&data).into_owned()));
        mailin_embedded::response::OK
    }
}

/// The runs of exactly `length` digits in `text`.
fn digit_runs(text: &str, length: usize) -> BTreeSet<String> {
    text.split(|c: char| !c.is_ascii_digit()).filter(|run| run.len() == length).map(str::to_owned).collect()
}

async fn an_email_code_goes_through_the_smtp_sender_and_verifies(db: &TestDb) {
    let mailbox = Mailbox::default();
    let delivered = mailbox.delivered.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let relay = listener.local_addr().unwrap();
    let mut smtp = mailin_embedded::Server::new(mailbox);
    smtp.with_name("relay.test").with_num_threads(1).with_tcp_listener(listener);
    // The receiver blocks its thread for the life of the test process.
    std::thread::spawn(move || smtp.serve().map_err(|error| error.to_string()));

    let mut config = support::config(db);
    config.senders.email = SenderConfig::Smtp {
        url: format!("smtp://{relay}"),
        from: "Pactum <no-reply@pactum.test>".to_owned(),
        subject: Some("Your Pactum code".to_owned()),
    };
    let code_length = config.verification.code_length;
    let server = TestServer::start(config).await;
    let id = seed(&server, json!({"name": "Sam Smtp", "email": "sam@example.com"})).await;

    let (status, body) =
        call(&server, Method::PUT, &format!("/userentity/dp-keyid/{id}/data"), json!({"email": "Sam.New@Example.com"}))
            .await;
    assert_eq!((status, body["code"].as_str()), (200, Some("200.1")), "{body}");

    let (to, mail) = first(&delivered, "SMTP").await;
    // The normalised mailbox: the local part as typed, the domain lower-cased.
    assert_eq!(to, vec!["Sam.New@example.com".to_owned()], "the code goes to the new address, not the old one");
    assert!(mail.contains("Subject: Your Pactum code"), "{mail}");
    assert!(mail.contains("From: Pactum <no-reply@pactum.test>"), "{mail}");
    assert!(mail.contains("Message-ID: <pactum-outbox-"), "a stable id lets a relay deduplicate: {mail}");
    let body_text = mail.split("\r\n\r\n").nth(1).expect("the mail has a body");
    let codes = digit_runs(body_text, code_length);
    assert_eq!(codes.len(), 1, "one {code_length}-digit code in the body: {body_text}");
    let code = codes.into_iter().next().unwrap();

    let (_, entity) = call(&server, Method::GET, &format!("/userentity/dp-keyid/{id}/data"), Value::Null).await;
    assert_eq!(entity["entity"]["email"], "sam@example.com", "the old address holds until the code is confirmed");
    confirm_through(&server, id, "email", "Sam.New@example.com", code).await;
    server.stop().await;
}
