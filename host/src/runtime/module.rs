//! A contract module ready to run: compiled once, linked once
//! (`InstancePre`), with a bounded pool of warm instances.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use pactum_core::wire::{Call, Load, Outcome};
use serde_json::Value;
use wasmtime::{Engine, InstancePre};

use super::error::ModuleError;
use super::gate::Gate;
use super::image::Image;
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
    /// between calls. Each starts from a copy of the memory an instance had
    /// right after loading the contract (`image.rs`), so a call pays an
    /// instantiate and a copy, not a compile; a module whose state is not
    /// all in its memory loads the contract in every instance instead.
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
    /// Fresh mode: whether instances may start from an [`Image`].
    pub(super) imageable: bool,
    /// Contract reference -> the memory after loading it (fresh mode).
    pub(super) images: Mutex<HashMap<String, Arc<Image>>>,
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
        let image = self.image(contract)?;
        self.with_instance(|instance| {
            if let Some(image) = image.filter(|_| instance.loaded.is_empty()) {
                instance.restore(&image)?;
                instance.loaded.insert(contract.reference.clone(), image.contract_sha256.clone());
            }
            if instance.loaded.get(&contract.reference) != Some(&contract.sha256) {
                load(instance, contract)?;
            }
            parse_outcome(&instance.call(Entry::Evaluate, &call_bytes)?)
        })
    }

    /// Fresh mode: the memory of an instance that has loaded `contract` and
    /// done nothing else, taken once per contract version.
    fn image(&self, contract: &ContractDocument) -> Result<Option<Arc<Image>>, ModuleError> {
        if self.mode != InstanceMode::Fresh || !self.imageable {
            return Ok(None);
        }
        let known = self.images.lock().unwrap_or_else(PoisonError::into_inner).get(&contract.reference).cloned();
        if let Some(image) = known.filter(|image| image.contract_sha256 == contract.sha256) {
            return Ok(Some(image));
        }
        let image = {
            let _pass = self.gate.enter();
            let mut instance = LiveInstance::new(&self.engine, &self.pre, self.limits, &self.name)?;
            let new = instance.memory_bytes();
            load(&mut instance, contract)?;
            Image::diff(contract.sha256.clone(), &new, &instance.memory_bytes())
        };
        tracing::debug!(
            module = %self.name,
            contract = %contract.reference,
            memory = image.size,
            copied = image.copied_bytes(),
            runs = image.runs.len(),
            "fresh instances of this contract start from its memory image"
        );
        let image = Arc::new(image);
        self.images
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(contract.reference.clone(), Arc::clone(&image));
        Ok(Some(image))
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

/// Loads (compiles) `contract` into `instance` under its reference.
fn load(instance: &mut LiveInstance, contract: &ContractDocument) -> Result<(), ModuleError> {
    let load = Load { contract_ref: contract.reference.clone(), contract: contract.schema.clone() };
    let load_bytes = serde_json::to_vec(&load).unwrap_or_default();
    match parse_outcome(&instance.call(Entry::Load, &load_bytes)?)? {
        Outcome::Loaded(_) => {
            instance.loaded.insert(contract.reference.clone(), contract.sha256.clone());
            Ok(())
        }
        Outcome::Failure(failure) => {
            Err(ModuleError::ContractRejected { contract: contract.reference.clone(), reason: failure.message })
        }
        Outcome::Decision(_) => {
            Err(ModuleError::MalformedOutput { reason: "pactum_load answered a decision".to_owned() })
        }
    }
}

fn parse_outcome(bytes: &[u8]) -> Result<Outcome, ModuleError> {
    serde_json::from_slice(bytes).map_err(|error| ModuleError::MalformedOutput { reason: error.to_string() })
}
