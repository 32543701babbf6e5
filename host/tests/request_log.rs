//! What the logs and answers say about a request: its id in every line and
//! on the answer, one access line, and never an API key sent in the query
//! string (or the real one in the header).
#![expect(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

mod common;
mod support;

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use common::db::{TestDb, backend_tests};
use pactum_host::store::Status;
use reqwest::Method;
use serde_json::{Value, json};
use support::TestServer;

backend_tests!(a_request_is_one_id_one_access_line_and_no_key_in_the_logs,);

static RUN: AtomicUsize = AtomicUsize::new(0);

/// The log lines of this test process: a global subscriber at DEBUG that
/// writes into a buffer, installed once (a process has one).
fn logs() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = Buffer(buffer.clone());
        tracing_subscriber::fmt()
            .with_env_filter("debug")
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init()
            .expect("the test process's only subscriber");
        buffer
    })
}

#[derive(Clone)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn lines_with(text: &str) -> Vec<String> {
    let logs = String::from_utf8_lossy(&logs().lock().unwrap()).into_owned();
    logs.lines().filter(|line| line.contains(text)).map(str::to_owned).collect()
}

async fn a_request_is_one_id_one_access_line_and_no_key_in_the_logs(db: &TestDb) {
    logs();
    let server = TestServer::start(support::config(db)).await;
    // Both backends' tests run at once in this process: each its own names.
    let unique = RUN.fetch_add(1, Ordering::Relaxed);
    let data = json!({"name": "Ann", "email": format!("log-{unique}@example.com")});
    let id = server.accounts.import("profile", data, BTreeMap::new(), Status::Active).await.unwrap().entity.dp_keyid;
    let request_id = format!("req-{}-{unique}", std::process::id());
    let secret = "query-key-that-must-not-be-logged";
    let response = server
        .request("full", Method::GET, &format!("/userentity/dp-keyid/{id}/data?api_key={secret}"))
        .header("x-request-id", &request_id)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-request-id"], request_id.as_str(), "the client's id comes back");

    let mine = lines_with(&request_id);
    let access: Vec<&String> = mine.iter().filter(|line| line.contains("request answered")).collect();
    assert_eq!(access.len(), 1, "one access line: {mine:#?}");
    assert!(access[0].contains("status=200") && access[0].contains("app=full"), "{}", access[0]);
    assert!(access[0].contains(&format!("path=/userentity/dp-keyid/{id}/data")), "{}", access[0]);
    assert!(lines_with(secret).is_empty(), "a key in the query string reached the logs");
    assert!(lines_with(&support::key("full")).is_empty(), "the API key reached the logs");

    // A problem names the id in its body too; a client id that is not
    // plain text is replaced by a generated one.
    let response = server
        .request("full", Method::GET, "/userentity/dp-keyid/999999999/data")
        .header("x-request-id", "not a usable id; key=x")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let generated = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(generated.len(), 32, "{generated}");
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["requestId"], generated.as_str());
    assert_eq!(lines_with(&generated).iter().filter(|line| line.contains("request answered")).count(), 1);
    server.stop().await;
}
