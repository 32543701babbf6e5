//! Pactum's server: the wasmtime runtime that runs contract modules, and
//! (as it grows) the HTTP API, storage, verification delivery and the CLI.
//!
//! The contract module's decision is authoritative for validation; the host
//! adds only what needs the database or the calling app.

pub mod apps;
pub mod builtin;
pub mod config;
pub mod delivery;
pub mod demo;
pub mod http;
pub mod redact;
pub mod registry;
pub mod reload;
pub mod runtime;
pub mod server;
pub mod service;
pub mod store;
pub mod telemetry;
pub mod verification;
