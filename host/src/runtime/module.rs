//! A contract module ready to run: compiled once, linked once
//! (`InstancePre`), with a bounded pool of warm instances.

use std::sync::{Arc, Mutex, PoisonError};

use pactum_core::wire::{Call, Load, Outcome};
use serde_json::Value;
use wasmtime::{Engine, InstancePre};

use super::error::ModuleError;
use super::gate::Gate;
use super::instance::{Entry, LiveInstance, StoreState};
use super::limits::Limits;

/// How a module's instances are reused between calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceMode {
    /// Keep up to `max_idle` instances warm, contracts compiled inside them.
    /// Fast (no instantiate, no contract compile per call); calls share an
    /// instance's heap over time, though never at the same time.
    Warm { max_idle: usize },
    /// A new instance for every call, dropped afterwards: no state survives
    /// between calls, at the price of an instantiate and a contract compile.
    Fresh,
}

/// A contract loaded into a module under a reference.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractDocument {
    pub reference: String,
    pub schema: Value,
    /// SHA-256 of the document's canonical JSON, to notice a changed document.
    pub sha256: String,
}

impl ContractDocument {
    #[must_use]
    pub fn new(reference: &str, schema: Value) -> Self {
        let sha256 = super::sha256_hex(&serde_json::to_vec(&schema).unwrap_or_default());
        Self { reference: reference.to_owned(), schema, sha256 }
    }
}

/// Built by [`super::Runtime::load_module`] only.
pub struct ContractModule {
    pub(super) name: String,
    pub(super) sha256: String,
    pub(super) bytes: Arc<[u8]>,
    pub(super) engine: Engine,
    pub(super) pre: InstancePre<StoreState>,
    pub(super) limits: Limits,
    pub(super) mode: InstanceMode,
    pub(super) idle: Mutex<Vec<LiveInstance>>,
    pub(super) gate: Arc<Gate>,
}

impl std::fmt::Debug for ContractModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContractModule")
            .field("name", &self.name)
            .field("sha256", &self.sha256)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl ContractModule {
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The SHA-256 of the module file, hex: its identity everywhere.
    #[must_use]
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// The module file, byte for byte what the browser downloads.
    #[must_use]
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Instantiates once, to prove the module links and speaks our ABI.
    pub fn check(&self) -> Result<(), ModuleError> {
        let _pass = self.gate.enter();
        let instance = LiveInstance::new(&self.engine, &self.pre, self.limits, &self.name)?;
        self.release(instance);
        Ok(())
    }

    /// Runs a raw call (JSON bytes of a `Call`, contract inline) and returns
    /// the module's answer bytes, after checking they are a well-formed
    /// outcome. This is the path of `pactum eval` and the conformance runner.
    pub fn call_json(&self, call: &[u8]) -> Result<Vec<u8>, ModuleError> {
        self.with_instance(|instance| {
            let answer = instance.call(Entry::Evaluate, call)?;
            parse_outcome(&answer)?;
            Ok(answer)
        })
    }

    /// Evaluates `call` against `contract`, loading (compiling) the contract
    /// into the instance first if that instance has not seen this version.
    pub fn evaluate(&self, contract: &ContractDocument, mut call: Call) -> Result<Outcome, ModuleError> {
        call.contract = None;
        call.contract_ref = Some(contract.reference.clone());
        let call_bytes = serde_json::to_vec(&call).map_err(|error| ModuleError::MalformedOutput {
            reason: format!("the call could not be encoded: {error}"),
        })?;
        self.with_instance(|instance| {
            if instance.loaded.get(&contract.reference) != Some(&contract.sha256) {
                let load = Load { contract_ref: contract.reference.clone(), contract: contract.schema.clone() };
                let load_bytes = serde_json::to_vec(&load).unwrap_or_default();
                match parse_outcome(&instance.call(Entry::Load, &load_bytes)?)? {
                    Outcome::Loaded(_) => {}
                    Outcome::Failure(failure) => {
                        return Err(ModuleError::ContractRejected {
                            contract: contract.reference.clone(),
                            reason: failure.message,
                        });
                    }
                    Outcome::Decision(_) => {
                        return Err(ModuleError::MalformedOutput {
                            reason: "pactum_load answered a decision".to_owned(),
                        });
                    }
                }
                instance.loaded.insert(contract.reference.clone(), contract.sha256.clone());
            }
            parse_outcome(&instance.call(Entry::Evaluate, &call_bytes)?)
        })
    }

    fn with_instance<T>(
        &self,
        run: impl FnOnce(&mut LiveInstance) -> Result<T, ModuleError>,
    ) -> Result<T, ModuleError> {
        let _pass = self.gate.enter();
        let idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let mut instance = match idle {
            Some(instance) => instance,
            None => LiveInstance::new(&self.engine, &self.pre, self.limits, &self.name)?,
        };
        // On error the instance is dropped here: a trapped instance is never reused.
        let result = run(&mut instance)?;
        self.release(instance);
        Ok(result)
    }

    fn release(&self, instance: LiveInstance) {
        if let InstanceMode::Warm { max_idle } = self.mode {
            let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < max_idle {
                idle.push(instance);
            }
        }
    }
}

fn parse_outcome(bytes: &[u8]) -> Result<Outcome, ModuleError> {
    serde_json::from_slice(bytes).map_err(|error| ModuleError::MalformedOutput { reason: error.to_string() })
}
