//! The contract registry: contract id -> (contract document, module). Each
//! distinct module file is compiled and linked once, identified by its
//! SHA-256, however many contracts use it.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::Context;
use pactum_core::wire::{Call, Outcome, WireOperation};
use serde_json::Value;

use crate::config::{BUILTIN, Config, Instances};
use crate::runtime::{ContractDocument, ContractModule, InstanceMode, ModuleError, Runtime};

/// Warm instances kept per module.
const WARM_INSTANCES: usize = 4;

#[derive(Debug)]
pub struct RegisteredContract {
    pub document: ContractDocument,
    pub module: Arc<ContractModule>,
}

#[derive(Debug, Default)]
pub struct Registry {
    contracts: BTreeMap<String, RegisteredContract>,
}

impl Registry {
    /// Loads every configured contract into its module, failing with the
    /// contract's id if a file, a module or the contract itself is bad.
    pub fn load(runtime: &Runtime, config: &Config) -> anyhow::Result<Self> {
        let mut modules: BTreeMap<(String, bool), Arc<ContractModule>> = BTreeMap::new();
        let mut contracts = BTreeMap::new();
        for contract in &config.contracts {
            let id = &contract.id;
            let text = std::fs::read_to_string(&contract.file)
                .with_context(|| format!("contract `{id}`: cannot read {}", contract.file.display()))?;
            let schema: Value = serde_json::from_str(&text)
                .with_context(|| format!("contract `{id}`: {} is not JSON", contract.file.display()))?;
            let bytes = if contract.module == BUILTIN {
                crate::builtin::read()?
            } else {
                std::fs::read(&contract.module)
                    .with_context(|| format!("contract `{id}`: cannot read module {}", contract.module))?
            };
            let fresh = contract.instances == Instances::Fresh;
            let key = (crate::runtime::sha256_hex(&bytes), fresh);
            let module = match modules.get(&key) {
                Some(module) => Arc::clone(module),
                None => {
                    let mode =
                        if fresh { InstanceMode::Fresh } else { InstanceMode::Warm { max_idle: WARM_INSTANCES } };
                    let module = Arc::new(
                        runtime
                            .load_module(&contract.module, bytes, mode)
                            .with_context(|| format!("contract `{id}`: module {}", contract.module))?,
                    );
                    modules.insert(key, Arc::clone(&module));
                    module
                }
            };
            let registered = RegisteredContract { document: ContractDocument::new(id, schema), module };
            // Compile the contract inside its module now, so a bad contract
            // stops the start instead of failing its first request.
            registered
                .evaluate(Call {
                    contract: None,
                    contract_ref: None,
                    operation: WireOperation::Validate,
                    current: Value::Null,
                    payload: Value::Object(serde_json::Map::new()),
                    context: None,
                })
                .with_context(|| format!("contract `{id}`"))?;
            contracts.insert(id.clone(), registered);
        }
        Ok(Self { contracts })
    }

    #[must_use]
    pub fn get(&self, id: &str) -> Option<&RegisteredContract> {
        self.contracts.get(id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.contracts.keys().map(String::as_str)
    }
}

impl RegisteredContract {
    /// Runs `call` against this contract in its module.
    pub fn evaluate(&self, call: Call) -> Result<Outcome, ModuleError> {
        self.module.evaluate(&self.document, call)
    }
}
