//! The connection's edges, spoken to over a raw socket: a head that never
//! ends is disconnected, a body that trickles is answered 408, a head over
//! the limit 431 (a problem answer up to twice the limit, hyper's bare 431
//! beyond), and none of them changes the entity.
#![expect(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

mod common;
mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::db::{TestDb, backend_tests};
use pactum_host::store::Status;
use serde_json::{Value, json};
use support::TestServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

backend_tests!(
    a_head_that_never_ends_is_disconnected,
    a_body_that_trickles_is_408_and_changes_nothing,
    a_head_over_the_limit_is_431_and_changes_nothing,
);

const HEADER_TIMEOUT: Duration = Duration::from_millis(400);
const BODY_TIMEOUT: Duration = Duration::from_millis(400);

async fn server(db: &TestDb) -> (TestServer, i64) {
    let mut config = support::config(db);
    config.server.header_read_timeout_ms = u64::try_from(HEADER_TIMEOUT.as_millis()).unwrap();
    config.server.body_read_timeout_ms = u64::try_from(BODY_TIMEOUT.as_millis()).unwrap();
    config.server.max_header_bytes = 16 * 1024;
    let server = TestServer::start(config).await;
    let seeded = server
        .accounts
        .import("profile", json!({"name": "Edge", "email": "edge@example.com"}), BTreeMap::new(), Status::Active)
        .await;
    let id = seeded.expect("seeded").entity.dp_keyid;
    (server, id)
}

async fn name_of(server: &TestServer, id: i64) -> Value {
    let read = server
        .client
        .get(format!("{}/userentity/dp-keyid/{id}/data", server.base))
        .bearer_auth(support::key("full"))
        .send()
        .await
        .unwrap();
    read.json::<Value>().await.unwrap()["entity"]["name"].clone()
}

/// Reads until the peer closes (or `limit` passes), returning what came.
async fn read_to_close(stream: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut answer = Vec::new();
    match tokio::time::timeout(limit, stream.read_to_end(&mut answer)).await {
        Ok(_) => Some(String::from_utf8_lossy(&answer).into_owned()),
        Err(_) => None,
    }
}

fn put_head(id: i64, extra: &str, length: usize) -> String {
    format!(
        "PUT /userentity/dp-keyid/{id}/data HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\n{extra}Content-Length: {length}\r\n\r\n",
        support::key("full")
    )
}

async fn a_head_that_never_ends_is_disconnected(db: &TestDb) {
    let (server, id) = server(db).await;
    let mut stream = TcpStream::connect(server.address).await.unwrap();
    let started = Instant::now();
    // Half a request head, then silence (a slow-loris peer).
    stream.write_all(format!("PUT /userentity/dp-keyid/{id}/data HTTP/1.1\r\nHost: te").as_bytes()).await.unwrap();
    let answer = read_to_close(&mut stream, HEADER_TIMEOUT * 10).await.expect("the server closed the connection");
    assert!(answer.is_empty(), "no request, so no answer: {answer}");
    // The timer starts at accept and ticks in coarse steps: closed near
    // the timeout, not at once.
    assert!(started.elapsed() >= HEADER_TIMEOUT / 2, "{:?}", started.elapsed());
    // A peer that sends nothing at all is closed as well.
    let mut silent = TcpStream::connect(server.address).await.unwrap();
    assert!(read_to_close(&mut silent, HEADER_TIMEOUT * 10).await.is_some(), "a silent connection is closed");
    assert_eq!(name_of(&server, id).await, "Edge");
    server.stop().await;
}

async fn a_body_that_trickles_is_408_and_changes_nothing(db: &TestDb) {
    let (server, id) = server(db).await;
    let body = br#"{"name": "Trickled"}"#;
    let mut stream = TcpStream::connect(server.address).await.unwrap();
    stream.write_all(put_head(id, "", body.len()).as_bytes()).await.unwrap();
    // Half the body, then nothing until well past the body timeout.
    stream.write_all(&body[..body.len() / 2]).await.unwrap();
    let started = Instant::now();
    let answer = read_to_close(&mut stream, BODY_TIMEOUT * 10).await.expect("answered and closed");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#""code":"408""#) && answer.contains("application/problem+json"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
    assert!(started.elapsed() >= BODY_TIMEOUT / 2, "{:?}", started.elapsed());
    assert_eq!(name_of(&server, id).await, "Edge");
    server.stop().await;
}

async fn a_head_over_the_limit_is_431_and_changes_nothing(db: &TestDb) {
    let (server, id) = server(db).await;
    let body = br#"{"name": "Big head"}"#;
    // Over the 16 KiB limit, under hyper's buffer: a problem answer.
    let padding = format!("X-Padding: {}\r\n", "p".repeat(20 * 1024));
    let mut stream = TcpStream::connect(server.address).await.unwrap();
    stream.write_all(put_head(id, &padding, body.len()).as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let answer = read_to_close(&mut stream, Duration::from_secs(5)).await.expect("answered and closed");
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    assert!(answer.contains(r#""code":"431""#), "{answer}");
    // Far over it (500 KB of headers): hyper refuses it before parsing.
    let padding = format!("X-Padding: {}\r\n", "p".repeat(500 * 1024));
    let mut stream = TcpStream::connect(server.address).await.unwrap();
    // The server may close while this is still being written.
    let _ = stream.write_all(put_head(id, &padding, body.len()).as_bytes()).await;
    let answer = read_to_close(&mut stream, Duration::from_secs(5)).await.expect("answered and closed");
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    // A head under the limit still works.
    let padding = format!("X-Padding: {}\r\n", "p".repeat(8 * 1024));
    let mut stream = TcpStream::connect(server.address).await.unwrap();
    stream.write_all(put_head(id, &format!("{padding}Connection: close\r\n"), body.len()).as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let answer = read_to_close(&mut stream, Duration::from_secs(5)).await.expect("answered");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(name_of(&server, id).await, "Big head");
    server.stop().await;
}
