//! An example Pactum contract module: a loyalty card, decided in code.
//!
//! Rules only: `loyalty.rs` says what the fields are and what their values
//! must be; `pactum-guest` provides the ABI of `docs/abi.md` (exports,
//! buffers, packed results), the wire types, the merge rules and the input
//! limits. Built for `wasm32-unknown-unknown` with `cargo xtask plugin` (or
//! `cargo xtask wasm`, which builds every module) into
//! `target/wasm/loyalty.wasm`.
//!
//! The contract document the module decides is `contract.json`: a JSON
//! Schema with the fields `cardNumber` (Luhn-checked), `birthDate` (at least
//! 15 years before `context.today`), `name` and the read-only `memberSince`.
//!
//! # Feature `strict-age`
//!
//! Makes the minimum age 18 instead of 15 ([`loyalty::MIN_AGE`]); nothing
//! else differs, not even the contract document. It exists to have two
//! modules that disagree on exactly one rule: `cargo xtask wasm` (and
//! `cargo xtask plugin`) builds it too, into `target/wasm/loyalty-strict.wasm`,
//! for the tests of `pactum contract diff` and of shadow evaluation, which
//! compare two modules' decisions over the same calls. Not for production.

pub mod loyalty;

/// The contract document this module implements, as served to forms.
pub const CONTRACT: &str = include_str!("../contract.json");

pactum_guest::export!(loyalty::Loyalty);
