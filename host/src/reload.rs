//! Reloading a running server's contracts and modules (`pactum serve` on
//! SIGHUP). The new set is read, compiled and checked in full before it
//! replaces the old one, so a bad file, module or contract leaves the old
//! set serving and the reason in the log. Requests in flight finish on the
//! set they started with (`Accounts::replace_contracts`); `Pactum-Module`
//! and `/contracts` name the new modules from the swap on.
//!
//! What reloads: the `[[contracts]]` of the configuration file (re-read),
//! or the demo's fixed list, and every file they name. What does not: apps,
//! keys, senders, the database and the listener, which need a restart.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;

use crate::config::{Config, ContractConfig};
use crate::registry::Registry;
use crate::runtime::Runtime;
use crate::service::Accounts;

/// Where a reload reads the contract list from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The configuration file, read again.
    File(PathBuf),
    /// A fixed list (the demo setup); its files are read again.
    Contracts(Vec<ContractConfig>),
}

/// Everything a reload needs, cheap to clone.
#[derive(Debug, Clone)]
pub struct Reloader {
    pub(crate) runtime: Arc<Runtime>,
    pub(crate) accounts: Accounts,
    pub(crate) source: Source,
    /// The contracts the configured apps use: a new set must keep them.
    pub(crate) needed: BTreeSet<String>,
}

impl Reloader {
    /// Loads the contract set again and serves it; answers each contract's
    /// id and module SHA-256. On any error the old set keeps serving.
    pub async fn reload(&self) -> anyhow::Result<Vec<(String, String)>> {
        let contracts = match &self.source {
            Source::File(path) => Config::load(path)?.contracts,
            Source::Contracts(contracts) => contracts.clone(),
        };
        let runtime = Arc::clone(&self.runtime);
        let registry = tokio::task::spawn_blocking(move || Registry::load_contracts(&runtime, &contracts))
            .await
            .context("the reload task failed")??;
        let ids: BTreeSet<&str> = registry.ids().collect();
        if let Some(missing) = self.needed.iter().find(|id| !ids.contains(id.as_str())) {
            anyhow::bail!("an app uses the contract `{missing}`, which the new set does not have");
        }
        let loaded = registry
            .ids()
            .filter_map(|id| registry.get(id).map(|contract| (id.to_owned(), contract.module.sha256().to_owned())))
            .collect();
        self.accounts.replace_contracts(registry);
        Ok(loaded)
    }

    /// Reloads on every SIGHUP until the process ends, logging what it did.
    #[cfg(unix)]
    pub async fn on_hangup(self) {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut hangups) = signal(SignalKind::hangup()) else {
            tracing::warn!("cannot listen for SIGHUP; contracts reload only with a restart");
            return;
        };
        while hangups.recv().await.is_some() {
            match self.reload().await {
                Ok(loaded) => {
                    let modules: Vec<String> = loaded.iter().map(|(id, sha)| format!("{id}={sha}")).collect();
                    tracing::info!(contracts = %modules.join(" "), "contracts reloaded");
                }
                Err(error) => {
                    tracing::error!(error = %format!("{error:#}"), "reload refused; the previous contracts keep serving");
                }
            }
        }
    }
}
