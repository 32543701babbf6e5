//! The configuration file (TOML). Parsed strictly: an unknown key, a wrong
//! type or a missing field fails at start with the file and the field named.
//! Relative paths are read from the configuration file's folder.
//!
//! ```toml
//! [runtime]                  # optional; defaults in runtime::Limits
//! evaluate_fuel = 2000000000
//! deadline_ms = 2000
//!
//! [[contracts]]
//! id = "profile"
//! file = "contracts/profile.json"
//! module = "builtin"         # or the path of a plugin .wasm
//! instances = "warm"         # or "fresh": a new instance per call
//!
//! [[apps]]
//! name = "webshop"
//! key_sha256 = "..."         # hex SHA-256 of the API key
//! permissions = ["read", "update", "verify"]
//! default_contract = "profile"
//! contracts = ["loyalty"]    # more contracts it may use
//! ext_key_type = "crm"       # optional
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::apps::AppConfig;
use crate::runtime::Limits;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub runtime: Limits,
    #[serde(default)]
    pub contracts: Vec<ContractConfig>,
    #[serde(default)]
    pub apps: Vec<AppConfig>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractConfig {
    /// The id apps and paths use (`/userentity/data/{id}`).
    pub id: String,
    /// The contract document (JSON).
    pub file: PathBuf,
    /// `"builtin"`, or the path of a plugin module.
    #[serde(default = "builtin")]
    pub module: String,
    #[serde(default)]
    pub instances: Instances,
}

/// How a contract's module instances are reused (see `InstanceMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Instances {
    #[default]
    Warm,
    Fresh,
}

/// The module name that selects the built-in module.
pub const BUILTIN: &str = "builtin";

fn builtin() -> String {
    BUILTIN.to_owned()
}

impl Config {
    /// Reads and checks `path`. Relative paths inside become relative to the
    /// file's folder.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| anyhow::anyhow!("cannot read the configuration {}: {error}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::parse(&text, base).map_err(|error| anyhow::anyhow!("{}: {error}", path.display()))
    }

    /// Parses configuration text; `base` anchors relative paths.
    pub fn parse(text: &str, base: &Path) -> anyhow::Result<Self> {
        let mut config: Self = toml::from_str(text).map_err(|error| anyhow::anyhow!("{error}"))?;
        let mut seen = std::collections::BTreeSet::new();
        for (index, contract) in config.contracts.iter_mut().enumerate() {
            if contract.id.is_empty() || !seen.insert(contract.id.clone()) {
                anyhow::bail!("contracts[{index}].id: `{}` is empty or used twice", contract.id);
            }
            contract.file = base.join(&contract.file);
            if contract.module != BUILTIN {
                contract.module = base.join(&contract.module).to_string_lossy().into_owned();
            }
        }
        let ids = config.contracts.iter().map(|contract| contract.id.clone()).collect();
        crate::apps::Apps::new(&config.apps, &ids)?;
        Ok(config)
    }
}
