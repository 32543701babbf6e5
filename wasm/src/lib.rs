//! Pactum's contract engine as one `.wasm` module, with two doors:
//!
//! - [`bindings`]: a wasm-bindgen API for browsers (a `Contract` object, field
//!   checks for live forms, the error catalogue, the ABI version);
//! - [`abi`]: a plain, versioned ABI over JSON bytes for any host (wasmtime in
//!   `pactum serve`), documented in `docs/abi.md`.
//!
//! Both doors call the same [`pactum_core::Evaluator`], so a browser and the
//! server that load this one file reach the same decision.

pub mod abi;
pub mod bindings;
#[cfg(target_arch = "wasm32")]
mod entropy;
