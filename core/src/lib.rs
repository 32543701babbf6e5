//! Pactum's contract engine.
//!
//! Given a contract, an entity's current data and an update payload, it
//! decides deterministically what the update does. The browser (through the
//! wasm module), the wasmtime host and the HTTP API all call this one engine.
//!
//! ```
//! use pactum_core::{Contract, Operation, evaluate};
//! use serde_json::json;
//!
//! let contract = Contract::compile(&json!({
//!     "type": "object",
//!     "x-pactum-region": "DK",
//!     "properties": {
//!         "name": {"type": "string", "maxLength": 40},
//!         "mobile": {"type": "string", "x-pactum-role": "mobile",
//!                    "x-pactum-verify": "sms", "x-pactum-unique": true}
//!     }
//! })).expect("a valid contract");
//!
//! let decision = evaluate(&contract, Operation::Update,
//!     &json!({"name": "Ann", "mobile": "+4520123456"}),
//!     &json!({"mobile": "30 12 34 56"}));
//! assert_eq!(decision.code, "200.1");          // a code must be sent
//! assert_eq!(decision.pending[0].value, json!("+4530123456"));
//! assert_eq!(decision.entity, Some(json!({"name": "Ann", "mobile": "+4520123456"})));
//! ```
//!
//! # Invariants
//!
//! - No I/O, no clock, no randomness: the same inputs give the same decision
//!   on every platform, native or wasm32.
//! - A rejected update is data ([`Decision::errors`]), never an `Err`.
//!   `Result` only says a contract could not be compiled.
//! - No panic on any input. Deep or huge documents are refused by
//!   [`limits`] before any recursive step.

pub mod contract;
pub mod decision;
mod evaluate;
pub mod mailbox;
mod merge;
mod normalized;
pub mod phone;
pub mod pointer;
pub mod wire;

pub use pactum_wire::{catalogue, limits, words};

pub use catalogue::{CATALOGUE, CatalogueEntry};
pub use contract::{Channel, Contract, ContractError, ContractProblem, Role};
pub use decision::{Decision, FieldError, Operation, Pending, UniqueClaim, top_code};
pub use evaluate::{check_field, evaluate};
pub use wire::{ABI_VERSION, Call, Evaluator, Outcome, evaluate_json, evaluate_value};
