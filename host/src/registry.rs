//! The contract registry: contract id -> (contract document, module). Each
//! distinct module file is compiled and linked once, identified by its
//! SHA-256, however many contracts use it.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::Context;
use pactum_core::wire::{Call, Outcome, WireOperation};
use serde_json::Value;

use crate::config::{BUILTIN, Config, ContractConfig, Instances};
use crate::runtime::{ContractDocument, ContractModule, InstanceMode, ModuleError, Runtime};

/// Warm instances kept per module.
const WARM_INSTANCES: usize = 4;

#[derive(Debug)]
pub struct RegisteredContract {
    pub document: ContractDocument,
    pub module: Arc<ContractModule>,
    /// `shadow` in the configuration: a module that decides every call as
    /// well, for comparison only (`service/shadow.rs`).
    pub shadow: Option<Arc<ContractModule>>,
}

/// One set of contracts, loaded and checked together; the service swaps a
/// whole set at once on reload (`Accounts::replace_contracts`).
#[derive(Debug, Default)]
pub struct Registry {
    contracts: BTreeMap<String, Arc<RegisteredContract>>,
}

/// Modules compiled for one load, shared by (SHA-256, fresh).
type Modules = BTreeMap<(String, bool), Arc<ContractModule>>;

impl Registry {
    /// Loads every configured contract into its module, failing with the
    /// contract's id if a file, a module or the contract itself is bad.
    pub fn load(runtime: &Runtime, config: &Config) -> anyhow::Result<Self> {
        Self::load_contracts(runtime, &config.contracts)
    }

    /// [`Self::load`] for a list of contracts (a reload reads only these).
    pub fn load_contracts(runtime: &Runtime, configured: &[ContractConfig]) -> anyhow::Result<Self> {
        let mut modules = Modules::new();
        let mut contracts = BTreeMap::new();
        for contract in configured {
            let id = &contract.id;
            let text = std::fs::read_to_string(&contract.file)
                .with_context(|| format!("contract `{id}`: cannot read {}", contract.file.display()))?;
            let schema: Value = serde_json::from_str(&text)
                .with_context(|| format!("contract `{id}`: {} is not JSON", contract.file.display()))?;
            let fresh = contract.instances == Instances::Fresh;
            let primary =
                module(runtime, &mut modules, &contract.module, fresh).with_context(|| format!("contract `{id}`"))?;
            // A shadow module always runs in fresh instances: it is on
            // trial, and nothing it leaves behind may reach a later call.
            let shadow = match &contract.shadow {
                Some(name) => Some(
                    module(runtime, &mut modules, name, true).with_context(|| format!("contract `{id}`: shadow"))?,
                ),
                None => None,
            };
            let registered =
                RegisteredContract { document: ContractDocument::new(id, schema), module: primary, shadow };
            // Compile the contract inside its modules now, so a bad contract
            // stops the start (or the reload) instead of failing its first
            // request.
            registered.evaluate(probe()).with_context(|| format!("contract `{id}`"))?;
            if let Some(shadow) = &registered.shadow {
                shadow.evaluate(&registered.document, probe()).with_context(|| format!("contract `{id}`: shadow"))?;
            }
            contracts.insert(id.clone(), Arc::new(registered));
        }
        Ok(Self { contracts })
    }

    #[must_use]
    pub fn get(&self, id: &str) -> Option<&Arc<RegisteredContract>> {
        self.contracts.get(id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.contracts.keys().map(String::as_str)
    }
}

/// The bytes of the module a configuration names: `builtin` or a file.
pub fn module_bytes(name: &str) -> anyhow::Result<Vec<u8>> {
    if name == BUILTIN {
        crate::builtin::read()
    } else {
        std::fs::read(name).with_context(|| format!("cannot read module {name}"))
    }
}

/// The module `name` names (`builtin` or a file), compiled once per load.
fn module(runtime: &Runtime, modules: &mut Modules, name: &str, fresh: bool) -> anyhow::Result<Arc<ContractModule>> {
    let bytes = module_bytes(name)?;
    let key = (crate::runtime::sha256_hex(&bytes), fresh);
    if let Some(module) = modules.get(&key) {
        return Ok(Arc::clone(module));
    }
    let mode = if fresh { InstanceMode::Fresh } else { InstanceMode::Warm { max_idle: WARM_INSTANCES } };
    let module = Arc::new(runtime.load_module(name, bytes, mode).with_context(|| format!("module {name}"))?);
    modules.insert(key, Arc::clone(&module));
    Ok(module)
}

/// A call that only makes a module compile its contract: loading a
/// contract with it checks the contract before any real call.
#[must_use]
pub fn probe() -> Call {
    Call {
        contract: None,
        contract_ref: None,
        operation: WireOperation::Validate,
        current: Value::Null,
        payload: Value::Object(serde_json::Map::new()),
        context: None,
    }
}

impl RegisteredContract {
    /// Runs `call` against this contract in its module.
    pub fn evaluate(&self, call: Call) -> Result<Outcome, ModuleError> {
        self.module.evaluate(&self.document, call)
    }
}
