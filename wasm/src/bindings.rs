//! The browser door, through wasm-bindgen. Values cross as JS objects
//! (serde-wasm-bindgen, JSON-compatible), or as JSON text through
//! [`evaluate_json`] when a caller wants the exact bytes the ABI answers.

use pactum_core::wire::{WireDecision, WireFieldError};
use pactum_core::{CATALOGUE, Operation};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

/// A compiled contract: compile once, evaluate on every keystroke.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Contract {
    inner: pactum_core::Contract,
}

#[wasm_bindgen]
impl Contract {
    /// Compiles a contract document. Throws an `Error` naming every problem.
    #[wasm_bindgen(constructor)]
    pub fn new(schema: JsValue) -> Result<Contract, JsError> {
        let schema: Value = from_js(schema)?;
        pactum_core::Contract::compile(&schema)
            .map(|inner| Contract { inner })
            .map_err(|error| JsError::new(&format!("the contract is not valid: {error}")))
    }

    /// Evaluates an update (or `"create"` / `"validate"`): a `Decision`.
    pub fn evaluate(&self, current: JsValue, payload: JsValue, operation: Option<String>) -> Result<JsValue, JsError> {
        let operation = match operation.as_deref() {
            None | Some("update") => Operation::Update,
            Some("create") => Operation::Create,
            Some("validate") => Operation::Validate,
            Some(other) => return Err(JsError::new(&format!("unknown operation `{other}`"))),
        };
        let current: Value = from_js(current)?;
        let payload: Value = from_js(payload)?;
        let decision = WireDecision::from(pactum_core::evaluate(&self.inner, operation, &current, &payload));
        to_js(&decision)
    }

    /// The errors one field's value would get, for live forms: an array of
    /// `{pointer, code, message}`.
    #[wasm_bindgen(js_name = checkField)]
    pub fn check_field(&self, current: JsValue, pointer: &str, value: JsValue) -> Result<JsValue, JsError> {
        let current: Value = from_js(current)?;
        let value: Value = from_js(value)?;
        let errors: Vec<WireFieldError> = pactum_core::check_field(&self.inner, &current, pointer, &value)
            .into_iter()
            .map(WireFieldError::from)
            .collect();
        to_js(&errors)
    }

    /// The contract document, for building forms.
    pub fn schema(&self) -> Result<JsValue, JsError> {
        to_js(self.inner.schema())
    }
}

/// Runs one wire `Call` given as JSON text; answers the `Outcome` as JSON
/// text, byte for byte what the ABI's `pactum_evaluate` answers.
#[wasm_bindgen(js_name = evaluateJson)]
#[must_use]
pub fn evaluate_json(call: &str) -> String {
    String::from_utf8(pactum_core::evaluate_json(call.as_bytes())).unwrap_or_default()
}

/// The error catalogue: `[{code, status, key, message, spec}]`.
#[wasm_bindgen]
pub fn catalogue() -> Result<JsValue, JsError> {
    to_js(CATALOGUE)
}

/// The version of the plain ABI this module implements.
#[wasm_bindgen(js_name = abiVersion)]
#[must_use]
pub fn abi_version() -> u32 {
    pactum_core::ABI_VERSION
}

/// The engine's crate version.
#[wasm_bindgen(js_name = engineVersion)]
#[must_use]
pub fn engine_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

fn from_js(value: JsValue) -> Result<Value, JsError> {
    if value.is_undefined() {
        return Ok(Value::Null);
    }
    serde_wasm_bindgen::from_value(value).map_err(|error| JsError::new(&format!("not a JSON value: {error}")))
}

fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|error| JsError::new(&format!("could not convert the answer: {error}")))
}

/// Loads libphonenumber's metadata now instead of on the first mobile
/// number: 3-6 ms in node (130 ms with the earlier phone-number crate),
/// which the SDK spends at load time (idle) rather than on a keystroke. Returns whether a known-good number
/// parsed.
#[wasm_bindgen]
#[must_use]
pub fn warmup() -> bool {
    pactum_core::phone::parse("+4520123456", None).is_some()
}
