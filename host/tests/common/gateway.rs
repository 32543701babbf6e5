//! An HTTP receiver standing in for an SMS or mail gateway: the other end of
//! the `webhook` sender, on a free port of 127.0.0.1. It keeps every POST
//! it answered, and can be made slow, to catch a sender mid-send.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::Value;

/// One POST the gateway answered.
#[derive(Debug, Clone)]
pub struct Posted {
    /// The last path segment (`/sms` -> `sms`).
    pub path: String,
    /// Header names in lower case.
    pub headers: BTreeMap<String, String>,
    pub body: Value,
}

#[derive(Debug, Default)]
struct Inner {
    answered: Mutex<Vec<Posted>>,
    started: AtomicUsize,
    delay_ms: AtomicU64,
}

/// A running gateway; it stops with the test's runtime.
#[derive(Debug, Clone)]
pub struct Gateway {
    /// `http://127.0.0.1:PORT`; POST to `{base}/{anything}`.
    pub base: String,
    inner: Arc<Inner>,
}

impl Gateway {
    /// The `[senders.sms]` and `[senders.email]` tables of a `pactum.toml`
    /// that send every code here.
    #[must_use]
    pub fn senders_toml(&self) -> String {
        senders_toml(&self.base)
    }

    #[expect(clippy::unwrap_used, reason = "test helper")]
    pub async fn start() -> Self {
        let inner = Arc::new(Inner::default());
        let router = Router::new().route("/{path}", post(receive)).with_state(Arc::clone(&inner));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { base, inner }
    }

    /// Holds every later request this long before answering it.
    pub fn set_delay(&self, delay: Duration) {
        self.inner.delay_ms.store(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX), Ordering::SeqCst);
    }

    /// Every POST answered so far, in order.
    #[expect(clippy::unwrap_used, reason = "test helper")]
    pub fn answered(&self) -> Vec<Posted> {
        self.inner.answered.lock().unwrap().clone()
    }

    /// The POSTs answered after the first `from`, in order: for a test that
    /// follows the gateway as it goes without copying everything each time.
    #[expect(clippy::unwrap_used, reason = "test helper")]
    pub fn answered_from(&self, from: usize) -> Vec<Posted> {
        self.inner.answered.lock().unwrap().get(from..).map(<[Posted]>::to_vec).unwrap_or_default()
    }

    /// POSTs that arrived (answered or still held).
    pub fn started(&self) -> usize {
        self.inner.started.load(Ordering::SeqCst)
    }

    /// Waits up to `timeout` for `ready` to hold over the answered POSTs.
    pub async fn wait_for(&self, timeout: Duration, ready: impl Fn(&[Posted]) -> bool) -> Vec<Posted> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let answered = self.answered();
            if ready(&answered) || tokio::time::Instant::now() >= deadline {
                return answered;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The first POST answered, waiting up to 10 s for one.
    #[expect(clippy::panic, reason = "test helper")]
    pub async fn first(&self) -> Posted {
        let answered = self.wait_for(Duration::from_secs(10), |answered| !answered.is_empty()).await;
        answered.into_iter().next().unwrap_or_else(|| panic!("the gateway at {} got nothing within 10 s", self.base))
    }
}

#[expect(clippy::unwrap_used, reason = "test helper")]
async fn receive(
    State(inner): State<Arc<Inner>>,
    Path(path): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> &'static str {
    inner.started.fetch_add(1, Ordering::SeqCst);
    let delay = inner.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let headers =
        headers.iter().map(|(name, value)| (name.to_string(), value.to_str().unwrap_or_default().to_owned())).collect();
    inner.answered.lock().unwrap().push(Posted { path, headers, body });
    "queued"
}

/// The `[senders.sms]` and `[senders.email]` tables of a `pactum.toml` that
/// send every code to the gateway at `base` (`/sms`, `/email`).
#[must_use]
pub fn senders_toml(base: &str) -> String {
    format!(
        "[senders.sms]\nkind = \"webhook\"\nurl = \"{base}/sms\"\n\n[senders.email]\nkind = \"webhook\"\nurl = \"{base}/email\"\n"
    )
}
