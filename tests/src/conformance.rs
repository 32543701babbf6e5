//! The conformance cases and the reference runner shared by every
//! cross-implementation check: `tests/conformance.rs` (native, wasmtime,
//! node) and `tests/browser.rs` (Chromium). Each case is a name and the call
//! bytes every implementation gets.

use pactum_core::wire::Call;
use pactum_host::runtime::{ContractDocument, InstanceMode, Runtime, RuntimeOptions};

use crate::{corpus, suite};

/// One call, named `corpus/<file>::<case>` or `suite/<file>::<group>::<test>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub name: String,
    pub call: Vec<u8>,
}

/// Every corpus case, then every suite test.
#[derive(Debug, Clone)]
pub struct Cases {
    pub all: Vec<Named>,
    /// How many of `all` come from the JSON-Schema-Test-Suite.
    pub suite: usize,
}

impl Cases {
    /// How many of `all` come from the decision corpus.
    #[must_use]
    pub fn corpus(&self) -> usize {
        self.all.len() - self.suite
    }
}

/// Loads the decision corpus and the JSON-Schema-Test-Suite as calls.
pub fn load() -> Result<Cases, String> {
    let mut all: Vec<Named> = corpus::load()
        .map_err(|error| error.to_string())?
        .into_iter()
        .map(|case| Named { name: format!("corpus/{}", case.id()), call: case.call_bytes() })
        .collect();
    let suite = suite::load()?;
    all.extend(suite.iter().map(|case| Named { name: format!("suite/{}", case.id()), call: case.call_bytes() }));
    Ok(Cases { all, suite: suite.len() })
}

/// What the wasmtime host answers for each case: the built-in module
/// (`target/wasm/pactum_wasm_bg.wasm`) through the plain ABI, one warm
/// instance with no contract loaded. A module error becomes the text
/// `module error: ...`, which no other implementation answers.
pub fn through_wasmtime(cases: &[Named]) -> Result<Vec<Vec<u8>>, String> {
    let bytes = pactum_host::builtin::read().map_err(|error| format!("{error:#}"))?;
    let runtime = Runtime::new(RuntimeOptions::default()).map_err(|error| format!("{error:#}"))?;
    let module = runtime
        .load_module("built-in", bytes, InstanceMode::Warm { max_idle: 1 })
        .map_err(|error| error.to_string())?;
    Ok(cases
        .iter()
        .map(|case| module.call_json(&case.call).unwrap_or_else(|error| format!("module error: {error}").into_bytes()))
        .collect())
}

/// The cases again through fresh instances, as `instances = "fresh"` runs
/// them: the contract loaded once by reference, every call in a new
/// instance that starts from the memory image taken after that load
/// (`host/src/runtime/image.rs`), each outcome re-encoded. `None` where the
/// call has no inline contract (or also a reference), does not parse as a call, or the module
/// refuses its contract (the load's own failure, which `call_json` answers
/// as an outcome instead).
pub fn through_fresh_instances(cases: &[Named]) -> Result<Vec<Option<Vec<u8>>>, String> {
    let bytes = pactum_host::builtin::read().map_err(|error| format!("{error:#}"))?;
    let runtime = Runtime::new(RuntimeOptions::default()).map_err(|error| format!("{error:#}"))?;
    let module = runtime.load_module("built-in", bytes, InstanceMode::Fresh).map_err(|error| error.to_string())?;
    Ok(cases
        .iter()
        .map(|case| {
            let mut call: Call = serde_json::from_slice(&case.call).ok()?;
            // A call naming both a contract and a reference is malformed
            // (422.2); by reference alone it would be another call.
            if call.contract_ref.is_some() {
                return None;
            }
            // One reference for every contract: the module keeps one image
            // per reference, replaced when the document changes.
            let document = ContractDocument::new("conformance", call.contract.take()?);
            let outcome = module.evaluate(&document, call).ok()?;
            serde_json::to_vec(&outcome).ok()
        })
        .collect())
}
