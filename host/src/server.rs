//! Assembling and running the service from a [`Config`]: runtime and
//! registry, store, senders and the outbox worker, then the HTTP server
//! with graceful shutdown. Used by `pactum serve` and by the end-to-end
//! tests, which run exactly this.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::apps::Apps;
use crate::config::Config;
use crate::delivery::{LogSender, OutboxWorker, SenderConfig, Senders};
use crate::http::connection::ConnectionLimits;
use crate::http::{AppState, demo::Demo};
use crate::registry::Registry;
use crate::reload;
use crate::runtime::{Runtime, RuntimeOptions};
use crate::service::{Accounts, CodeBook};

/// The smallest secret accepted: 256 bits.
pub const MIN_SECRET_BYTES: usize = 32;

/// A built service, not yet listening.
#[derive(Debug)]
pub struct Service {
    pub state: AppState,
    pub log: Arc<LogSender>,
    worker: JoinHandle<()>,
    shutdown: CancellationToken,
    connections: ConnectionLimits,
    /// Kept for reloads: new modules compile on the same engine.
    runtime: Arc<Runtime>,
    /// The contracts the apps use, which a reload must keep.
    needed: BTreeSet<String>,
}

/// Reads the server secret: `PACTUM_SECRET`, else `server.secret_file`.
pub fn load_secret(config: &Config) -> anyhow::Result<Vec<u8>> {
    let secret = match (std::env::var("PACTUM_SECRET"), &config.server.secret_file) {
        (Ok(secret), _) => secret.into_bytes(),
        (Err(_), Some(file)) => std::fs::read(file)
            .with_context(|| format!("server.secret_file: cannot read {}", file.display()))?
            .trim_ascii()
            .to_vec(),
        (Err(_), None) => {
            anyhow::bail!(
                "server.secret_file: not set (or set PACTUM_SECRET); every host of one database needs the same secret"
            )
        }
    };
    if secret.len() < MIN_SECRET_BYTES {
        anyhow::bail!(
            "server.secret_file: the secret has {} bytes; it needs at least {MIN_SECRET_BYTES}",
            secret.len()
        );
    }
    Ok(secret)
}

impl Service {
    /// Builds everything `config` describes. `demo` adds the demo routes.
    pub async fn build(config: &Config, secret: &[u8], demo: Option<Demo>) -> anyhow::Result<Self> {
        let limits = config.runtime.fitted_to_body(config.server.body_limit_bytes);
        let runtime_options = RuntimeOptions { limits, ..RuntimeOptions::default() };
        let (runtime, registry) = {
            let config = config.clone();
            tokio::task::spawn_blocking(move || -> anyhow::Result<(Runtime, Registry)> {
                let runtime = Runtime::new(runtime_options)?;
                let registry = Registry::load(&runtime, &config)?;
                Ok((runtime, registry))
            })
            .await??
        };
        let ids = registry.ids().map(str::to_owned).collect();
        let apps = Apps::new(&config.apps, &ids)?;
        let policy = config.verification.policy();
        let store = crate::store::open(&config.database.url, policy)
            .await
            .with_context(|| format!("database.url: cannot open {}", redact_url(&config.database.url)))?;

        let log = Arc::new(LogSender::new());
        let senders = Senders::from_config(&config.senders.sms, &config.senders.email, Arc::clone(&log))?;
        // The dev sender writes codes to the log: fine for the demo, a leak
        // anywhere else, so say so where an operator looks first.
        for (channel, sender) in [("sms", &config.senders.sms), ("email", &config.senders.email)] {
            if !config.server.demo && matches!(sender, SenderConfig::Log) {
                tracing::warn!(
                    channel,
                    "senders.{channel} is the `log` sender: verification codes go to the log, not to users; \
                     configure smtp or webhook (docs/delivery.md)"
                );
            }
        }
        let codes = Arc::new(CodeBook::new(secret, config.verification.code_length, policy));
        let wake = Arc::new(Notify::new());
        let accounts = Accounts::new(
            registry,
            Arc::clone(&store),
            Arc::clone(&codes),
            Arc::clone(&wake),
            config.server.body_limit_bytes,
        );

        let shutdown = CancellationToken::new();
        let worker = OutboxWorker {
            store: Arc::clone(&store),
            senders,
            sealer: codes.sealer().clone(),
            options: config.outbox.options()?,
        }
        .spawn(wake, shutdown.clone());

        let demo = demo.or_else(|| config.server.demo.then(Demo::default)).map(|mut demo| {
            demo.log = Some(Arc::clone(&log));
            Arc::new(demo)
        });
        let state = AppState {
            accounts,
            apps: Arc::new(apps),
            metrics: crate::http::metrics_recorder(),
            request_timeout: Duration::from_millis(config.server.request_timeout_ms),
            body_limit: config.server.body_limit_bytes,
            body_read_timeout: Duration::from_millis(config.server.body_read_timeout_ms),
            max_header_bytes: config.server.max_header_bytes,
            cors_origins: config.server.cors_origins.clone(),
            demo,
            www: config.server.www_dir.clone(),
            pkg: crate::builtin::override_path().and_then(|module| module.parent().map(Path::to_path_buf)),
        };
        let connections = ConnectionLimits {
            header_read_timeout: Duration::from_millis(config.server.header_read_timeout_ms),
            // Twice the head limit: the middleware answers heads between the
            // two with a problem body; hyper refuses what does not fit at all.
            max_head_bytes: config.server.max_header_bytes.saturating_mul(2),
            drain: Duration::from_millis(config.server.request_timeout_ms),
        };
        let needed = config
            .apps
            .iter()
            .flat_map(|app| std::iter::once(app.default_contract.clone()).chain(app.contracts.iter().cloned()))
            .collect();
        Ok(Self { state, log, worker, shutdown, connections, runtime: Arc::new(runtime), needed })
    }

    /// What reloads this service's contracts from `source` (SIGHUP).
    #[must_use]
    pub fn reloader(&self, source: reload::Source) -> reload::Reloader {
        reload::Reloader {
            runtime: Arc::clone(&self.runtime),
            accounts: self.state.accounts.clone(),
            source,
            needed: self.needed.clone(),
        }
    }

    /// Serves on `listener` until `stop` resolves, then finishes the
    /// requests in flight, stops the outbox worker and closes the store.
    pub async fn serve(
        self,
        listener: TcpListener,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let router = crate::http::app(self.state.clone());
        let served = crate::http::connection::serve(listener, router, self.connections, stop).await;
        self.stop().await;
        served.context("the HTTP server failed")
    }

    /// Stops the outbox worker (after its current drain) and closes the store.
    pub async fn stop(self) {
        self.shutdown.cancel();
        if tokio::time::timeout(Duration::from_secs(10), self.worker).await.is_err() {
            tracing::warn!("the outbox worker did not stop within 10 s");
        }
        self.state.accounts.close().await;
    }
}

/// Binds `address` (port 0 picks a free port) and answers the bound address.
pub async fn bind(address: SocketAddr) -> anyhow::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(address).await.with_context(|| format!("server.listen: cannot bind {address}"))?;
    let bound = listener.local_addr()?;
    Ok((listener, bound))
}

/// Resolves on Ctrl-C or SIGTERM: the signals a terminal or an orchestrator
/// sends to ask for a graceful stop.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// A database URL without its password, for messages.
#[must_use]
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let Some((credentials, host)) = rest.rsplit_once('@') else { return url.to_owned() };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}
