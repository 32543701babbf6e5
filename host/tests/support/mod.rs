//! An in-process Pactum for end-to-end tests: the real service (registry,
//! wasmtime, store, outbox worker, router) served on a free port of
//! 127.0.0.1, driven over real HTTP with reqwest. The store is the test's
//! own database on either backend (`common::db::TestDb`).
#![allow(dead_code, reason = "each test binary uses part of the support module")]

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::common::db::TestDb;

use pactum_host::apps::{AppConfig, Permission, key_hash};
use pactum_host::config::{BUILTIN, Config, ContractConfig, Instances};
use pactum_host::delivery::SenderConfig;
use pactum_host::http::demo::Demo;
use pactum_host::server::Service;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A test app: name, permissions, default contract, other contracts, ext-key type.
pub type TestApp = (&'static str, &'static [&'static str], &'static str, &'static [&'static str], Option<&'static str>);

/// The test apps.
pub const APPS: &[TestApp] = &[
    ("full", &["read", "create", "update", "delete", "verify"], "profile", &["loyalty"], Some("crm")),
    ("reader", &["read"], "profile", &[], None),
    ("writer", &["create", "update"], "profile", &[], Some("crm")),
    ("loyal", &["read", "create", "update", "delete", "verify"], "loyalty", &[], None),
    ("example", &["read", "update", "verify"], "example", &[], Some("crm")),
];

/// The key of a test app (its name, prefixed: tests need no secrecy).
#[must_use]
pub fn key(app: &str) -> String {
    format!("test-key-{app}")
}

const SECRET: &[u8] = b"end-to-end test secret, 32+ bytes long";

pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// A configuration over the test's database (a SQLite file or a
/// PostgreSQL schema of its own).
#[must_use]
pub fn config(db: &TestDb) -> Config {
    let mut config = Config::parse("", &workspace()).expect("an empty configuration parses");
    config.database.url = db.url().to_owned();
    config.server.demo = true;
    config.contracts = vec![
        ContractConfig {
            id: "profile".into(),
            file: workspace().join("host/demo/profile.json"),
            module: BUILTIN.into(),
            instances: Instances::Warm,
            shadow: None,
        },
        ContractConfig {
            id: "loyalty".into(),
            file: workspace().join("plugins/loyalty/contract.json"),
            module: workspace().join("target/wasm/loyalty.wasm").to_string_lossy().into_owned(),
            instances: Instances::Warm,
            shadow: None,
        },
        ContractConfig {
            id: "example".into(),
            file: workspace().join("host/tests/contracts/example.json"),
            module: BUILTIN.into(),
            instances: Instances::Warm,
            shadow: None,
        },
    ];
    config.apps = APPS
        .iter()
        .map(|(name, permissions, default_contract, contracts, ext_key_type)| AppConfig {
            name: (*name).to_owned(),
            key_sha256: key_hash(&key(name)),
            permissions: permissions
                .iter()
                .map(|permission| serde_json::from_value::<Permission>(Value::from(*permission)).expect("a permission"))
                .collect(),
            default_contract: (*default_contract).to_owned(),
            contracts: contracts.iter().map(|id| (*id).to_owned()).collect::<BTreeSet<_>>(),
            ext_key_type: ext_key_type.map(str::to_owned),
        })
        .collect();
    config.senders.sms = SenderConfig::Log;
    config.senders.email = SenderConfig::Log;
    config
}

/// A running server.
pub struct TestServer {
    pub base: String,
    pub address: SocketAddr,
    pub client: reqwest::Client,
    pub config: Config,
    /// The service behind the server, for seeding entities directly.
    pub accounts: pactum_host::service::Accounts,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

impl TestServer {
    /// Starts a server over `config`.
    pub async fn start(config: Config) -> Self {
        let service =
            Service::build(&config, SECRET, config.server.demo.then(Demo::default)).await.expect("the service builds");
        let accounts = service.state.accounts.clone();
        let (listener, address) =
            pactum_host::server::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("a free port");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(service.serve(listener, async move {
            let _ = stopped.await;
        }));
        Self {
            base: format!("http://{address}"),
            address,
            client: crate::common::client(),
            config,
            accounts,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops gracefully, waiting for requests in flight.
    pub async fn stop(mut self) -> Config {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("the server task").expect("the server stops cleanly");
        }
        self.config.clone()
    }

    /// A request as `app` (no key when `app` is empty).
    pub fn request(&self, app: &str, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let request = self.client.request(method, format!("{}{path}", self.base));
        if app.is_empty() { request } else { request.bearer_auth(key(app)) }
    }

    /// The newest code the log sender delivered for `entity`'s `field`
    /// that is not `previous`: waits for the outbox worker, which sends right
    /// after the commit.
    pub async fn new_code(&self, entity: i64, field: &str, previous: Option<&str>) -> Option<String> {
        for _ in 0..250 {
            let codes: Value = self
                .request("", reqwest::Method::GET, "/demo/codes")
                .send()
                .await
                .expect("/demo/codes answers")
                .json()
                .await
                .expect("/demo/codes is JSON");
            let newest = codes
                .as_array()
                .into_iter()
                .flatten()
                .find(|code| code["entity"] == entity && code["field"] == field)
                .and_then(|code| code["code"].as_str());
            if let Some(code) = newest.filter(|code| Some(*code) != previous) {
                return Some(code.to_owned());
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        None
    }
}
