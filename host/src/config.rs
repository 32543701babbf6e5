//! The configuration file (TOML). Parsed strictly: an unknown key, a wrong
//! type or a missing field fails at start with the file and the field named.
//! Relative paths are read from the configuration file's folder.
//!
//! ```toml
//! [server]                   # optional
//! listen = "127.0.0.1:8080"
//! secret_file = "secret"     # or the PACTUM_SECRET environment variable
//!
//! [database]
//! url = "sqlite://pactum.db?mode=rwc"   # or postgres://...
//!
//! [verification]             # optional; defaults in VerificationConfig
//! cooldown_secs = 120
//!
//! [outbox]                   # optional; defaults in delivery::WorkerOptions
//! lease_secs = 120
//!
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
use crate::delivery::{OutboxConfig, SendersConfig};
use crate::runtime::Limits;
use crate::store::VerificationPolicy;
use crate::verification::code;

/// `[server]`: how the HTTP service listens and where its secret is.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    pub listen: std::net::SocketAddr,
    /// A file holding the server secret (at least 32 bytes), which keys the
    /// code hashes and seals outbox messages. Every host of one database
    /// needs the same secret. `PACTUM_SECRET` overrides it.
    pub secret_file: Option<PathBuf>,
    /// The largest request body accepted (413 above).
    pub body_limit_bytes: usize,
    /// A request still running after this long is answered 503.
    pub request_timeout_ms: u64,
    /// A connection that has not sent a whole request head within this
    /// long is closed (slow-loris peers hold no socket for long).
    pub header_read_timeout_ms: u64,
    /// A request whose body has not arrived within this long is answered
    /// 408 and its connection closed.
    pub body_read_timeout_ms: u64,
    /// The largest request head (request line and headers) answered; a
    /// larger one gets 431.
    pub max_header_bytes: usize,
    /// Serve the demo page and the `/demo/*` routes (dev only: `/demo/codes`
    /// shows the codes of the `log` sender).
    pub demo: bool,
    /// A `www/` folder that replaces the demo page the binary holds (for
    /// working on the page without rebuilding the host).
    pub www_dir: Option<PathBuf>,
    /// Origins whose pages may call this server from the browser (CORS),
    /// e.g. `["https://shop.example"]`, or `["*"]` for any. Empty (the
    /// default): no CORS headers, so only same-origin pages can.
    pub cors_origins: Vec<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], 8080)),
            secret_file: None,
            body_limit_bytes: 1 << 20,
            request_timeout_ms: 10_000,
            header_read_timeout_ms: 10_000,
            body_read_timeout_ms: 5_000,
            max_header_bytes: 32 * 1024,
            demo: false,
            www_dir: None,
            cors_origins: Vec::new(),
        }
    }
}

/// `[database]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://FILE?mode=rwc` (a relative FILE is read from the
    /// configuration's folder) or `postgres://USER@HOST/DB`.
    pub url: String,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self { url: "sqlite://pactum.db?mode=rwc".to_owned() }
    }
}

/// `[verification]`: the limits on codes (spec 1003 rule 7, 2004).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VerificationConfig {
    /// Seconds between two codes for one entity and field (200.3).
    pub cooldown_secs: i64,
    /// Codes one entity may be sent per window (200.2); 0: no limit.
    pub window_limit: u32,
    pub window_secs: i64,
    /// Digits per code, 4 to 10.
    pub code_length: usize,
    /// Seconds a code stays valid (403.1 after).
    pub code_ttl_secs: i64,
    /// Wrong codes before the pending change is cancelled (403.2).
    pub max_attempts: u32,
}

impl Default for VerificationConfig {
    fn default() -> Self {
        let policy = VerificationPolicy::default();
        Self {
            cooldown_secs: policy.cooldown_secs,
            window_limit: policy.window_limit,
            window_secs: policy.window_secs,
            code_length: 6,
            code_ttl_secs: policy.code_ttl_secs,
            max_attempts: policy.max_attempts,
        }
    }
}

impl VerificationConfig {
    #[must_use]
    pub fn policy(&self) -> VerificationPolicy {
        VerificationPolicy {
            cooldown_secs: self.cooldown_secs,
            window_secs: self.window_secs,
            window_limit: self.window_limit,
            code_ttl_secs: self.code_ttl_secs,
            max_attempts: self.max_attempts,
        }
    }

    fn check(&self) -> anyhow::Result<()> {
        if !code::LENGTHS.contains(&self.code_length) {
            anyhow::bail!("verification.code_length: {} is not between 4 and 10", self.code_length);
        }
        for (name, value) in [
            ("cooldown_secs", self.cooldown_secs),
            ("window_secs", self.window_secs),
            ("code_ttl_secs", self.code_ttl_secs),
        ] {
            if value < 0 || (name == "code_ttl_secs" && value == 0) {
                anyhow::bail!("verification.{name}: {value} is out of range");
            }
        }
        if self.max_attempts == 0 {
            anyhow::bail!("verification.max_attempts: must be at least 1");
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub server: ServerConfig,
    #[serde(default)]
    pub database: DatabaseConfig,
    #[serde(default)]
    pub verification: VerificationConfig,
    #[serde(default)]
    pub senders: SendersConfig,
    #[serde(default)]
    pub outbox: OutboxConfig,
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
    /// A second module (`"builtin"` or a path) that decides every call of
    /// this contract as well, off the answer's path: its decisions are only
    /// compared with the primary's and counted (`pactum_shadow_*`), never
    /// answered or committed. For trying a new module on real traffic.
    #[serde(default)]
    pub shadow: Option<String>,
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
        config.verification.check()?;
        config.outbox.options()?;
        config.database.url = anchor_sqlite_path(&config.database.url, base);
        if let Some(file) = &mut config.server.secret_file {
            *file = base.join(&*file);
        }
        if let Some(dir) = &mut config.server.www_dir {
            *dir = base.join(&*dir);
        }
        let mut seen = std::collections::BTreeSet::new();
        for (index, contract) in config.contracts.iter_mut().enumerate() {
            if contract.id.is_empty() || !seen.insert(contract.id.clone()) {
                anyhow::bail!("contracts[{index}].id: `{}` is empty or used twice", contract.id);
            }
            contract.file = base.join(&contract.file);
            if contract.module != BUILTIN {
                contract.module = base.join(&contract.module).to_string_lossy().into_owned();
            }
            if let Some(shadow) = contract.shadow.as_mut().filter(|shadow| *shadow != BUILTIN) {
                *shadow = base.join(&*shadow).to_string_lossy().into_owned();
            }
        }
        let ids = config.contracts.iter().map(|contract| contract.id.clone()).collect();
        crate::apps::Apps::new(&config.apps, &ids)?;
        Ok(config)
    }
}

/// Makes the file of a `sqlite://` URL relative to `base` when it is
/// relative, so a configuration means the same from any working directory.
fn anchor_sqlite_path(url: &str, base: &Path) -> String {
    let Some(rest) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) else {
        return url.to_owned();
    };
    let (file, query) = rest.split_once('?').map_or((rest, None), |(file, query)| (file, Some(query)));
    if file.is_empty() || file.starts_with('/') || file == ":memory:" {
        return url.to_owned();
    }
    let anchored = base.join(file);
    match query {
        Some(query) => format!("sqlite://{}?{query}", anchored.display()),
        None => format!("sqlite://{}", anchored.display()),
    }
}
