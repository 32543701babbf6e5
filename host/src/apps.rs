//! Calling apps: who may call, with which permissions and contracts.
//!
//! API keys are random tokens, so they are stored as their SHA-256 (a slow
//! password hash buys nothing against a 128-bit secret) and looked up by
//! hash: the plain key exists only in the caller's request.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

/// What an app may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Permission {
    Read,
    Create,
    Update,
    Delete,
    Verify,
}

impl Permission {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Verify => "verify",
        }
    }
}

/// One `[[apps]]` table of the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppConfig {
    pub name: String,
    /// Hex SHA-256 of the app's API key (`echo -n KEY | pactum hash-key` prints it).
    pub key_sha256: String,
    pub permissions: BTreeSet<Permission>,
    /// The contract used when a path omits `{contract-id}`.
    pub default_contract: String,
    /// The contracts the app may use; the default contract is always one.
    #[serde(default)]
    pub contracts: BTreeSet<String>,
    /// The external-key type the app works with; its answers then carry
    /// `extKeyType` and `extKey`.
    #[serde(default)]
    pub ext_key_type: Option<String>,
}

impl AppConfig {
    #[must_use]
    pub fn may(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    #[must_use]
    pub fn may_use(&self, contract: &str) -> bool {
        contract == self.default_contract || self.contracts.contains(contract)
    }
}

/// The configured apps, indexed by key hash.
#[derive(Debug, Clone, Default)]
pub struct Apps {
    by_key: BTreeMap<String, AppConfig>,
}

impl Apps {
    /// Checks the apps against each other and against the contract ids.
    pub fn new(apps: &[AppConfig], contract_ids: &BTreeSet<String>) -> anyhow::Result<Self> {
        let mut by_key = BTreeMap::new();
        let mut names = BTreeSet::new();
        for (index, app) in apps.iter().enumerate() {
            let at = format!("apps[{index}]");
            if app.name.is_empty() || !names.insert(app.name.as_str()) {
                anyhow::bail!("{at}.name: `{}` is empty or used twice", app.name);
            }
            let hash = app.key_sha256.to_ascii_lowercase();
            if hash.len() != 64 || !hash.bytes().all(|byte| byte.is_ascii_hexdigit()) {
                anyhow::bail!("{at}.key_sha256: not a hex SHA-256 (64 hex digits)");
            }
            for contract in std::iter::once(&app.default_contract).chain(&app.contracts) {
                if !contract_ids.contains(contract) {
                    anyhow::bail!("{at}: contract `{contract}` is not configured under [[contracts]]");
                }
            }
            if by_key.insert(hash, app.clone()).is_some() {
                anyhow::bail!("{at}.key_sha256: another app has the same key");
            }
        }
        Ok(Self { by_key })
    }

    /// The app whose API key is `key`, if any.
    #[must_use]
    pub fn authenticate(&self, key: &str) -> Option<&AppConfig> {
        self.by_key.get(&key_hash(key))
    }
}

/// The stored form of an API key.
#[must_use]
pub fn key_hash(key: &str) -> String {
    crate::runtime::sha256_hex(key.as_bytes())
}
