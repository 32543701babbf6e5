//! An example Pactum contract module: a loyalty card, decided in code.
//!
//! Written from `docs/abi.md` alone, without wasm-bindgen: plain
//! `extern "C"` exports over JSON bytes, built for `wasm32-unknown-unknown`
//! with `cargo xtask plugin` (or `cargo xtask wasm`, which builds every
//! module) into `target/wasm/loyalty.wasm`.
//!
//! - `abi.rs`: the whole protocol (exports, buffers, the packed result).
//! - `wire.rs`: the wire types, mirrored with serde, and the call dispatch.
//! - `loyalty.rs`: the contract's rules, plain Rust, tested on the host.
//!
//! The contract document the module decides is `contract.json`: a JSON
//! Schema with the fields `cardNumber` (Luhn-checked), `birthDate` (at least
//! 15 years before `context.today`), `name` and the read-only `memberSince`.

mod abi;
pub mod loyalty;
pub mod wire;

/// The contract document this module implements, as served to forms.
pub const CONTRACT: &str = include_str!("../contract.json");
