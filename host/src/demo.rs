//! The demo setup `pactum serve` makes when it is given no configuration:
//! a data folder with an embedded SQLite database, the `profile` contract
//! (built-in module) and the example plugin's `loyalty` contract, two apps
//! (one may update, one may only read), a few entities (one inactive), and
//! the `log` sender. Keys and the secret are drawn once and kept in the
//! folder, so a restart keeps everything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::{Value, json};

use crate::apps::{AppConfig, Permission, key_hash};
use crate::config::{BUILTIN, Config, ContractConfig, Instances};
use crate::http::demo::{Demo, DemoApp};
use crate::server::{Service, load_secret};
use crate::service::Accounts;
use crate::store::Status;

const PROFILE: &str = include_str!("../demo/profile.json");
const LOYALTY: &str = include_str!("../../plugins/loyalty/contract.json");

/// The demo's configuration and what its routes show.
#[derive(Debug, Clone)]
pub struct DemoSetup {
    pub config: Config,
    pub demo: Demo,
    pub data_dir: PathBuf,
}

/// Prepares `data_dir` (creating it and its files on first use).
pub fn prepare(data_dir: &Path, listen: std::net::SocketAddr) -> anyhow::Result<DemoSetup> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create the data folder {}", data_dir.display()))?;
    let data_dir = data_dir.canonicalize()?;
    let contracts = data_dir.join("contracts");
    std::fs::create_dir_all(&contracts)?;
    std::fs::write(contracts.join("profile.json"), PROFILE)?;
    std::fs::write(contracts.join("loyalty.json"), LOYALTY)?;
    let secret_file = data_dir.join("secret");
    if !secret_file.exists() {
        std::fs::write(&secret_file, random_hex(32)?)?;
    }
    let keys = keys(&data_dir)?;
    // The example plugin from the binary, written beside the contracts as
    // an operator's plugin would be.
    let loyalty_module = data_dir.join("modules").join(crate::builtin::PLUGIN_FILE_NAME);
    std::fs::create_dir_all(data_dir.join("modules"))?;
    std::fs::write(&loyalty_module, crate::builtin::plugin()?)?;

    let all = [Permission::Read, Permission::Create, Permission::Update, Permission::Delete, Permission::Verify];
    let apps = [("webshop", BTreeSet::from(all), Some("crm")), ("reader", BTreeSet::from([Permission::Read]), None)];
    let mut app_configs = Vec::new();
    let mut demo_apps = Vec::new();
    for (name, permissions, ext_key_type) in apps {
        let key = keys.get(name).cloned().unwrap_or_default();
        let app = AppConfig {
            name: name.to_owned(),
            key_sha256: key_hash(&key),
            permissions: permissions.clone(),
            default_contract: "profile".to_owned(),
            contracts: BTreeSet::from(["loyalty".to_owned()]),
            ext_key_type: ext_key_type.map(str::to_owned),
        };
        demo_apps.push(DemoApp {
            name: name.to_owned(),
            key,
            permissions: permissions.iter().map(|permission| permission.as_str().to_owned()).collect(),
            default_contract: app.default_contract.clone(),
            contracts: app.contracts.iter().cloned().collect(),
            ext_key_type: app.ext_key_type.clone(),
        });
        app_configs.push(app);
    }
    let mut config = Config::parse("", &data_dir)?;
    config.server.listen = listen;
    config.server.secret_file = Some(secret_file);
    config.server.demo = true;
    config.database.url = format!("sqlite://{}?mode=rwc", data_dir.join("pactum.db").display());
    config.contracts = vec![
        ContractConfig {
            id: "profile".to_owned(),
            file: contracts.join("profile.json"),
            module: BUILTIN.to_owned(),
            instances: Instances::Warm,
            shadow: None,
        },
        ContractConfig {
            id: "loyalty".to_owned(),
            file: contracts.join("loyalty.json"),
            module: loyalty_module.to_string_lossy().into_owned(),
            instances: Instances::Warm,
            shadow: None,
        },
    ];
    config.apps = app_configs;
    Ok(DemoSetup { config, demo: Demo { apps: demo_apps, entities: Vec::new(), log: None }, data_dir })
}

/// The demo apps' keys, drawn on first use and kept in `demo-keys.json`.
fn keys(data_dir: &Path) -> anyhow::Result<BTreeMap<String, String>> {
    let file = data_dir.join("demo-keys.json");
    if let Ok(text) = std::fs::read_to_string(&file) {
        return serde_json::from_str(&text).with_context(|| format!("{} is not a key map", file.display()));
    }
    let keys: BTreeMap<String, String> = ["webshop", "reader"]
        .into_iter()
        .map(|name| Ok((name.to_owned(), format!("pk_demo_{name}_{}", random_hex(16)?))))
        .collect::<anyhow::Result<_>>()?;
    std::fs::write(&file, serde_json::to_string_pretty(&keys)?)?;
    Ok(keys)
}

fn random_hex(bytes: usize) -> anyhow::Result<String> {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).map_err(|error| anyhow::anyhow!("the CSPRNG failed: {error}"))?;
    Ok(buffer.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// The demo entities: (contract, data, external key, status, label).
fn seeds() -> Vec<(&'static str, Value, Option<&'static str>, Status, &'static str)> {
    vec![
        (
            "profile",
            json!({"name": "Ann Hansen", "email": "ann@example.com", "mobile": "+4520123456",
                   "birthday": "1988-04-12", "marketingConsent": true, "tags": ["running", "books"]}),
            Some("C-1001"),
            Status::Active,
            "Ann Hansen (active)",
        ),
        (
            "profile",
            json!({"name": "Bo Jensen", "email": "bo@example.com", "mobile": "30 12 34 56", "tags": ["cycling"]}),
            Some("C-1002"),
            Status::Active,
            "Bo Jensen (active)",
        ),
        (
            "profile",
            json!({"name": "Carl Olsen", "email": "carl@example.com", "mobile": "+4540123456"}),
            Some("C-1003"),
            Status::Inactive,
            "Carl Olsen (inactive)",
        ),
        (
            "loyalty",
            json!({"cardNumber": "4111111111111111", "name": "Dora Holm", "birthDate": "1990-02-01"}),
            None,
            Status::Active,
            "Dora Holm (loyalty card)",
        ),
    ]
}

/// The demo service over `data_dir`: prepared, built and seeded, ready to
/// serve. `pactum serve` without `--config` runs this, and so do the
/// browser tests.
pub async fn service(data_dir: &Path, listen: std::net::SocketAddr) -> anyhow::Result<(Service, DemoSetup)> {
    let setup = prepare(data_dir, listen)?;
    let secret = load_secret(&setup.config)?;
    let mut service = Service::build(&setup.config, &secret, Some(setup.demo.clone())).await?;
    let entities = seed(&service.state.accounts, &setup.data_dir).await?;
    if let Some(demo) = service.state.demo.as_mut().and_then(std::sync::Arc::get_mut) {
        demo.entities = entities;
    }
    Ok((service, setup))
}

/// Creates the demo entities once (their ids are kept in
/// `demo-entities.json`) and answers them for the page's picker.
pub async fn seed(accounts: &Accounts, data_dir: &Path) -> anyhow::Result<Vec<(i64, String)>> {
    let file = data_dir.join("demo-entities.json");
    if let Ok(text) = std::fs::read_to_string(&file) {
        return serde_json::from_str(&text).with_context(|| format!("{} is unreadable", file.display()));
    }
    let mut seeded = Vec::new();
    for (contract, data, ext_key, status, label) in seeds() {
        let ext_keys = ext_key.map(|key| BTreeMap::from([("crm".to_owned(), key.to_owned())])).unwrap_or_default();
        let answer = accounts
            .import(contract, data, ext_keys, status)
            .await
            .map_err(|problem| anyhow::anyhow!("seeding `{label}`: {} {:?}", problem.code, problem.errors))?;
        seeded.push((answer.entity.dp_keyid, label.to_owned()));
    }
    std::fs::write(&file, serde_json::to_string(&seeded)?)?;
    Ok(seeded)
}
